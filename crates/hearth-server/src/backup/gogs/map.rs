//! Gogs rows → hearth rows: the heart of `hearth import gogs`, free of I/O.
//!
//! Ids are kept, so every reference between rows stays as Gogs had it. What hearth's schema does
//! not allow is left out with a warning rather than failing the import: rows naming a user,
//! repository, issue, label, team or hook the backup does not hold (Gogs leaves such rows behind
//! after some deletions), duplicates of a unique key, names that cannot be directory names. The
//! counters hearth keeps on rows (followers, stars, watches, forks, open and closed issues,
//! comments, a milestone's issues, the last issue number) are counted from the imported rows, not
//! copied: Gogs' counters are known to drift. Gogs keeps no time for collaborations, teams,
//! milestones, follows, stars and watches; those rows get the time of the import.
//!
//! Git LFS rows come over only for the objects the import could copy (`gogs backup` does not
//! archive them: they are read from Gogs' `[lfs] OBJECTS_PATH`, see [`lfs_objects`]); a
//! repository's size then counts its LFS objects, as hearth's sizes do.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::row::{G, Row};
use super::schema::{self, Fate};
use crate::service::names::is_alpha_dash_dot;
use crate::service::ssh_keys;

/// A `gogs backup` database, read row by row with [`Source::add`]: the rows of the tables the
/// mapping reads, and for every table file its row count and the keys it did not expect. (The
/// other tables, the activity feed above all, can be the largest; their rows are not kept.)
#[derive(Debug, Default)]
pub struct Source {
    /// Gogs table name (as spelt in [`schema::TABLES`]) → rows, in file order.
    tables: BTreeMap<&'static str, Vec<Row>>,
    /// `db/<Table>.json` file stem → rows.
    counts: BTreeMap<String, usize>,
    /// (table, key) → rows holding a key that table is not known to have.
    unknown_keys: BTreeMap<(&'static str, String), usize>,
}

impl Source {
    /// One row of `db/<table>.json` (`table` as the file names it). NUL characters are dropped
    /// from text, as Gogs' own restore does: PostgreSQL refuses them.
    pub fn add(&mut self, table: &str, mut row: Row) {
        *self.counts.entry(table.to_string()).or_default() += 1;
        let Some(t) = schema::table(table) else { return };
        for key in row.keys().filter(|k| !t.knows(k)) {
            *self.unknown_keys.entry((t.name, key.clone())).or_default() += 1;
        }
        if t.fate == Fate::Imported || t.name == "TwoFactor" {
            for value in row.values_mut() {
                if let Value::String(s) = value
                    && s.contains('\0')
                {
                    s.retain(|c| c != '\0');
                }
            }
            self.tables.entry(t.name).or_default().push(row);
        }
    }

    /// A table file with no rows still counts as present.
    pub fn add_table(&mut self, table: &str) {
        self.counts.entry(table.to_string()).or_default();
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    fn count(&self, table: &str) -> usize {
        self.counts.iter().filter(|(k, _)| k.eq_ignore_ascii_case(table)).map(|(_, n)| n).sum()
    }
}

/// The hearth tables an import writes (every other table starts empty).
pub const TABLES: &[&str] = &[
    "user",
    "email_address",
    "access_token",
    "public_key",
    "follow",
    "repository",
    "watch",
    "mirror",
    "release",
    "org_user",
    "team",
    "team_user",
    "team_repo",
    "collaboration",
    "deploy_key",
    "webhook",
    "hook_task",
    "milestone",
    "label",
    "issue",
    "issue_label",
    "comment",
    "star",
    "notice",
    "lfs_object",
];

/// A repository the import keeps, and where its directory is in the Gogs backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoPlace {
    pub id: i64,
    /// Lower-case owner and repository names: Gogs' directory `<owner>/<name>.git`, and hearth's.
    pub owner: String,
    pub name: String,
    pub default_branch: String,
}

/// Where hearth rows go as they are made: each table's rows arrive in id order, keyed by column
/// name, in one run per table (so a sink can write them out instead of holding them).
pub trait Sink {
    fn put(&mut self, table: &'static str, row: Row);
}

/// Rows held in memory.
impl Sink for BTreeMap<&'static str, Vec<Row>> {
    fn put(&mut self, table: &'static str, row: Row) {
        self.entry(table).or_default().push(row);
    }
}

/// What a mapping produced besides the rows: the repositories to copy, how many rows each table
/// got, and one line per thing left out or not understood.
#[derive(Debug, Default)]
pub struct Outcome {
    pub repos: Vec<RepoPlace>,
    /// The Git LFS objects the imported rows reference: oid → size.
    pub lfs: BTreeMap<String, i64>,
    pub counts: BTreeMap<&'static str, usize>,
    pub warnings: Vec<String>,
}

/// A mapping held in memory (the unit tests').
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Mapped {
    pub tables: BTreeMap<&'static str, Vec<Row>>,
    pub repos: Vec<RepoPlace>,
    pub warnings: Vec<String>,
}

#[cfg(test)]
impl Mapped {
    pub fn rows(&self, table: &str) -> &[Row] {
        self.tables.get(table).map(Vec::as_slice).unwrap_or(&[])
    }
}

#[cfg(test)]
pub fn map_all(src: &Source, now: i64) -> Mapped {
    map_all_with(src, now, None)
}

#[cfg(test)]
pub fn map_all_with(src: &Source, now: i64, lfs: Option<&HashMap<String, i64>>) -> Mapped {
    let mut tables = BTreeMap::new();
    let outcome = map(src, now, lfs, &mut tables);
    for (table, rows) in &tables {
        assert_eq!(outcome.counts[table], rows.len());
        assert!(rows.windows(2).all(|w| w[0]["id"].as_i64() < w[1]["id"].as_i64()), "{table} rows in id order");
    }
    Mapped { tables, repos: outcome.repos, warnings: outcome.warnings }
}

/// The `(oid, size)` pairs of the Git LFS objects Gogs' rows reference in local storage (the only
/// storage Gogs has), to be copied before the mapping.
pub fn lfs_objects(src: &Source) -> Vec<(String, i64)> {
    let rows = src.tables.get("LFSObject").map(Vec::as_slice).unwrap_or_default();
    let mut pairs: Vec<(String, i64)> = rows
        .iter()
        .map(G)
        .filter(|g| local_storage(g) && crate::lfs::valid_oid(&g.str(&["OID"])))
        .map(|g| (g.str(&["OID"]), g.int(&["Size"])))
        .collect();
    pairs.sort();
    pairs.dedup();
    pairs
}

fn local_storage(g: &G<'_>) -> bool {
    matches!(g.str(&["Storage"]).as_str(), "" | "local")
}

/// Gogs' `CreatedAt` (RFC 3339, as Go writes a time) in unix seconds; `now` when unreadable or
/// Go's zero time.
fn unix_of(text: &str, now: i64) -> i64 {
    use time::format_description::well_known::Rfc3339;
    time::OffsetDateTime::parse(text, &Rfc3339).map(|t| t.unix_timestamp()).ok().filter(|t| *t > 0).unwrap_or(now)
}

/// Counts rows left out per table and reason, so that each reason is one line.
#[derive(Default)]
struct Skips(BTreeMap<(&'static str, &'static str), usize>);

impl Skips {
    fn add(&mut self, table: &'static str, why: &'static str) {
        *self.0.entry((table, why)).or_default() += 1;
    }

    fn lines(self) -> impl Iterator<Item = String> {
        self.0.into_iter().map(|((table, why), n)| format!("{table}: {n} {} skipped: {why}", rows_word(n)))
    }
}

fn rows_word(n: usize) -> &'static str {
    if n == 1 { "row" } else { "rows" }
}

const MISSING_USER: &str = "it names a user the backup does not hold";
const MISSING_REPO: &str = "it names a repository that is not imported";
const DUPLICATE: &str = "a duplicate of an earlier row";

fn obj(v: Value) -> Row {
    match v {
        Value::Object(m) => m,
        _ => unreachable!("rows are built from object literals"),
    }
}

/// A name that can be a directory name under the repository root.
fn safe_name(name: &str) -> bool {
    !name.is_empty() && name.len() <= 255 && name != "." && name != ".." && is_alpha_dash_dot(name)
}

struct UserInfo {
    name: String,
    is_org: bool,
}

struct RepoInfo {
    owner_id: i64,
}

/// Map a whole Gogs database. `now` stands in for the times Gogs does not keep. `lfs` holds the
/// Git LFS objects copied for the import, oid → size (None: no LFS directory was given).
pub fn map(src: &Source, now: i64, lfs: Option<&HashMap<String, i64>>, sink: &mut impl Sink) -> Outcome {
    let mut skips = Skips::default();
    let mut notes = Vec::new();
    check_columns(src, &mut notes);

    // Rows of a Gogs table in id order (the order `gogs backup` writes; sorted to be sure).
    let rows = |name: &str| -> Vec<G<'_>> {
        let mut v: Vec<G<'_>> = src.tables.get(name).map(|rows| rows.iter().map(G).collect()).unwrap_or_default();
        v.sort_by_key(|g| g.id());
        v
    };
    let mut counts: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut put = |table: &'static str, row: Row| {
        *counts.entry(table).or_default() += 1;
        sink.put(table, row);
    };
    let mut places = Vec::new();

    // Accounts and organisations.
    let mut users: BTreeMap<i64, UserInfo> = BTreeMap::new();
    let (mut lower_names, mut primary_emails) = (HashSet::new(), HashSet::new());
    let mut external = Vec::new();
    let mut user_rows = Vec::new();
    for g in rows("User") {
        let name = g.str(&["Name"]);
        if !safe_name(&name) {
            skips.add("User", "the name cannot be a hearth account name");
            continue;
        }
        if !lower_names.insert(name.to_lowercase()) {
            skips.add("User", DUPLICATE);
            continue;
        }
        let kind = g.int(&["Type"]);
        let mut email = g.str(&["Email"]);
        if kind == 0 && !email.is_empty() && !primary_emails.insert(email.clone()) {
            notes.push(format!("User {name}: the e-mail address {email} is another account's too; left empty"));
            email.clear();
        }
        if g.int(&["LoginSource"]) != 0 {
            external.push(name.clone());
        }
        users.insert(g.id(), UserInfo { name: name.clone(), is_org: kind == 1 });
        user_rows.push((g, name, email, kind));
    }
    if !external.is_empty() {
        notes.push(format!(
            "accounts that signed in through an authentication source cannot sign in until given a password: {}",
            external.join(", ")
        ));
    }

    // Follows, before the user rows that count them.
    let mut follows = HashSet::new();
    let (mut followers, mut following): (HashMap<i64, i64>, HashMap<i64, i64>) = Default::default();
    for g in rows("Follow") {
        let (user, target) = (g.int(&["UserID"]), g.int(&["FollowID"]));
        if !users.contains_key(&user) || !users.contains_key(&target) {
            skips.add("Follow", MISSING_USER);
        } else if !follows.insert((user, target)) {
            skips.add("Follow", DUPLICATE);
        } else {
            *following.entry(user).or_default() += 1;
            *followers.entry(target).or_default() += 1;
            put("follow", obj(json!({"id": g.id(), "user_id": user, "follow_id": target, "created_unix": now})));
        }
    }

    // Repositories (the user rows count them).
    let mut repos: BTreeMap<i64, RepoInfo> = BTreeMap::new();
    let mut repo_rows = Vec::new();
    let mut repo_names = HashSet::new();
    for g in rows("Repository") {
        let owner_id = g.int(&["OwnerID"]);
        let name = g.str(&["Name"]);
        let Some(owner) = users.get(&owner_id) else {
            skips.add("Repository", MISSING_USER);
            continue;
        };
        if !safe_name(&name) || name.to_lowercase().ends_with(".wiki") {
            skips.add("Repository", "the name cannot be a hearth repository name");
            continue;
        }
        if !repo_names.insert((owner_id, name.to_lowercase())) {
            skips.add("Repository", DUPLICATE);
            continue;
        }
        let mut default_branch = g.str(&["DefaultBranch"]);
        if default_branch.is_empty() || !hearth_git::names::is_valid_ref_name(&default_branch) {
            default_branch = "master".to_string();
        }
        repos.insert(g.id(), RepoInfo { owner_id });
        places.push(RepoPlace {
            id: g.id(),
            owner: owner.name.to_lowercase(),
            name: name.to_lowercase(),
            default_branch: default_branch.clone(),
        });
        repo_rows.push((g, name, default_branch));
    }
    let mut num_repos: HashMap<i64, i64> = HashMap::new();
    for info in repos.values() {
        *num_repos.entry(info.owner_id).or_default() += 1;
    }

    for (g, name, email, kind) in user_rows {
        let id = g.id();
        put(
            "user",
            obj(json!({
                "id": id,
                "lower_name": name.to_lowercase(),
                "name": name,
                "full_name": g.str(&["FullName"]),
                "email": email,
                "passwd": g.str(&["Password", "Passwd"]),
                "salt": g.str(&["Salt"]),
                "login_source": g.int(&["LoginSource"]),
                "login_name": g.str(&["LoginName"]),
                "type": kind,
                "location": g.str(&["Location"]),
                "website": g.str(&["Website"]),
                "description": g.str(&["Description"]),
                "is_active": g.bool(&["IsActive"]),
                "is_admin": g.bool(&["IsAdmin"]),
                "allow_git_hook": g.bool(&["AllowGitHook"]),
                "allow_import_local": g.bool(&["AllowImportLocal"]),
                "prohibit_login": g.bool(&["ProhibitLogin"]),
                "max_repo_creation": g.int(&["MaxRepoCreation"]),
                "num_followers": followers.get(&id).copied().unwrap_or(0),
                "num_following": following.get(&id).copied().unwrap_or(0),
                "num_repos": num_repos.get(&id).copied().unwrap_or(0),
                "created_unix": g.int(&["CreatedUnix"]),
                "updated_unix": g.int(&["UpdatedUnix"]),
            })),
        );
    }

    let mut emails = HashSet::new();
    for g in rows("EmailAddress") {
        let (uid, email) = (g.int(&["UserID", "UID"]), g.str(&["Email"]));
        if !users.contains_key(&uid) {
            skips.add("EmailAddress", MISSING_USER);
        } else if email.is_empty() || !emails.insert(email.to_lowercase()) {
            skips.add("EmailAddress", DUPLICATE);
        } else {
            put(
                "email_address",
                obj(json!({"id": g.id(), "uid": uid, "email": email, "is_activated": g.bool(&["IsActivated"])})),
            );
        }
    }

    // Access tokens: Gogs 0.13+ keeps the SHA-256 of the token (and a prefix of it as `Sha1`);
    // earlier releases keep the token itself in `Sha1`, whose SHA-256 is what hearth stores.
    let (mut token_hashes, mut token_names) = (HashSet::new(), HashSet::new());
    for g in rows("AccessToken") {
        let uid = g.int(&["UserID", "UID"]);
        let name = g.str(&["Name"]);
        let (sha256, last_eight) = if g.has_str(&["SHA256"]) {
            (g.str(&["SHA256"]).to_lowercase(), String::new())
        } else {
            let raw = g.str(&["Sha1"]);
            let last = raw.get(raw.len().saturating_sub(8)..).unwrap_or_default().to_string();
            (hex::encode(Sha256::digest(raw.as_bytes())), last)
        };
        if !users.contains_key(&uid) {
            skips.add("AccessToken", MISSING_USER);
        } else if !g.has_str(&["SHA256", "Sha1"]) {
            skips.add("AccessToken", "it holds neither the token nor its hash");
        } else if !token_hashes.insert(sha256.clone()) || !token_names.insert((uid, name.clone())) {
            skips.add("AccessToken", DUPLICATE);
        } else {
            put(
                "access_token",
                obj(json!({
                    "id": g.id(),
                    "uid": uid,
                    "name": name,
                    "sha256": sha256,
                    "created_unix": g.int(&["CreatedUnix"]),
                    "updated_unix": g.int(&["UpdatedUnix"]),
                    "scope": "",
                    "token_last_eight": last_eight,
                })),
            );
        }
    }

    // SSH keys: user keys (type 1) become public_key rows; deploy-key material (type 2) is what
    // Gogs' deploy_key rows point at. Fingerprints are computed again, as hearth compares them.
    let mut deploy_material: HashMap<i64, (ssh_keys::ParsedKey, i64)> = HashMap::new();
    let (mut key_prints, mut key_names) = (HashSet::new(), HashSet::new());
    for g in rows("PublicKey") {
        let owner = g.int(&["OwnerID"]);
        let Ok(parsed) = ssh_keys::parse(&g.str(&["Content"])) else {
            skips.add("PublicKey", "the key cannot be read");
            continue;
        };
        match g.int(&["Type"]) {
            2 => {
                deploy_material.insert(g.id(), (parsed, g.int(&["Mode"])));
            }
            1 => {
                let name = g.str(&["Name"]);
                if !users.contains_key(&owner) {
                    skips.add("PublicKey", MISSING_USER);
                } else if !key_prints.insert(parsed.fingerprint.clone()) || !key_names.insert((owner, name.clone())) {
                    skips.add("PublicKey", DUPLICATE);
                } else {
                    put(
                        "public_key",
                        obj(json!({
                            "id": g.id(),
                            "owner_id": owner,
                            "name": name,
                            "fingerprint": parsed.fingerprint,
                            "content": parsed.content,
                            "mode": g.int(&["Mode"]),
                            "type": 1,
                            "created_unix": g.int(&["CreatedUnix"]),
                            "updated_unix": g.int(&["UpdatedUnix"]),
                        })),
                    );
                }
            }
            _ => skips.add("PublicKey", "it is neither a user key nor a deploy key"),
        }
    }

    // Repository rows, with the counters of the rows that follow.
    let mut watches: HashMap<i64, i64> = HashMap::new();
    let mut watch_pairs = HashSet::new();
    for g in rows("Watch") {
        let (user, repo) = (g.int(&["UserID"]), g.int(&["RepoID"]));
        if !users.contains_key(&user) || !repos.contains_key(&repo) {
            skips.add("Watch", MISSING_REPO);
        } else if !watch_pairs.insert((user, repo)) {
            skips.add("Watch", DUPLICATE);
        } else {
            *watches.entry(repo).or_default() += 1;
            put("watch", obj(json!({"id": g.id(), "user_id": user, "repo_id": repo, "created_unix": now})));
        }
    }
    let mut stars: HashMap<i64, i64> = HashMap::new();
    let mut star_pairs = HashSet::new();
    for g in rows("Star") {
        let (user, repo) = (g.int(&["UserID", "UID"]), g.int(&["RepoID"]));
        if !users.contains_key(&user) || !repos.contains_key(&repo) {
            skips.add("Star", MISSING_REPO);
        } else if !star_pairs.insert((user, repo)) {
            skips.add("Star", DUPLICATE);
        } else {
            *stars.entry(repo).or_default() += 1;
            put("star", obj(json!({"id": g.id(), "user_id": user, "repo_id": repo, "created_unix": now})));
        }
    }

    // Issues first in memory: repository and milestone rows count them.
    let mut milestones: BTreeMap<i64, i64> = BTreeMap::new(); // id → repo
    let milestone_rows: Vec<G<'_>> = rows("Milestone")
        .into_iter()
        .filter(|g| {
            let keep = repos.contains_key(&g.int(&["RepoID"]));
            if keep {
                milestones.insert(g.id(), g.int(&["RepoID"]));
            } else {
                skips.add("Milestone", MISSING_REPO);
            }
            keep
        })
        .collect();
    let mut issues: BTreeMap<i64, i64> = BTreeMap::new(); // id → repo
    let mut issue_numbers = HashSet::new();
    let mut issue_rows = Vec::new();
    let (mut repo_issues, mut repo_closed, mut issue_seq): (HashMap<i64, i64>, HashMap<i64, i64>, HashMap<i64, i64>) =
        Default::default();
    let (mut ms_issues, mut ms_closed): (HashMap<i64, i64>, HashMap<i64, i64>) = Default::default();
    for g in rows("Issue") {
        let (repo, idx) = (g.int(&["RepoID"]), g.int(&["Index"]));
        if !repos.contains_key(&repo) {
            skips.add("Issue", MISSING_REPO);
            continue;
        }
        if idx <= 0 || !issue_numbers.insert((repo, idx)) {
            skips.add("Issue", "its number is not unique in its repository");
            continue;
        }
        let (closed, pull) = (g.bool(&["IsClosed"]), g.bool(&["IsPull"]));
        let milestone = Some(g.int(&["MilestoneID"])).filter(|m| milestones.get(m) == Some(&repo)).unwrap_or(0);
        if !pull {
            *repo_issues.entry(repo).or_default() += 1;
            *repo_closed.entry(repo).or_default() += i64::from(closed);
        }
        if milestone != 0 {
            *ms_issues.entry(milestone).or_default() += 1;
            *ms_closed.entry(milestone).or_default() += i64::from(closed);
        }
        let seq = issue_seq.entry(repo).or_default();
        *seq = (*seq).max(idx);
        issues.insert(g.id(), repo);
        issue_rows.push((g, milestone));
    }
    // Git LFS links, before the repository rows whose sizes count them.
    let mut lfs_rows = Vec::new();
    let mut lfs_sizes: HashMap<i64, i64> = HashMap::new();
    let mut lfs_referenced: BTreeMap<String, i64> = BTreeMap::new();
    let mut lfs_links = HashSet::new();
    let mut lfs_left = 0;
    let mut lfs_source: Vec<G<'_>> = rows("LFSObject");
    lfs_source.sort_by_key(|g| (g.int(&["RepoID"]), g.str(&["OID"])));
    for g in lfs_source {
        let (repo, oid, size) = (g.int(&["RepoID"]), g.str(&["OID"]), g.int(&["Size"]));
        if !repos.contains_key(&repo) {
            skips.add("LFSObject", MISSING_REPO);
        } else if !crate::lfs::valid_oid(&oid) || size < 0 {
            skips.add("LFSObject", "its object id or size is not valid");
        } else if !local_storage(&g) {
            skips.add("LFSObject", "its object is kept in a storage other than Gogs' local one");
        } else if !lfs_links.insert((repo, oid.clone())) {
            skips.add("LFSObject", DUPLICATE);
        } else if lfs.is_none() {
            lfs_left += 1;
        } else if lfs.is_some_and(|copied| copied.get(&oid) != Some(&size)) {
            skips.add("LFSObject", "its object is missing from the LFS directory, or does not match the row");
        } else {
            lfs_referenced.insert(oid.clone(), size);
            *lfs_sizes.entry(repo).or_default() += size;
            let id = lfs_rows.len() as i64 + 1;
            let created = unix_of(&g.str(&["CreatedAt"]), now);
            lfs_rows.push(obj(json!({"id": id, "repo_id": repo, "oid": oid, "size": size, "created_unix": created})));
        }
    }
    if lfs_left > 0 {
        notes.push(format!(
            "LFSObject: {lfs_left} {} not imported: `gogs backup` does not archive Git LFS objects; import again \
             with --lfs-path naming Gogs' [lfs] OBJECTS_PATH (default data/lfs-objects) to bring them",
            rows_word(lfs_left)
        ));
    }

    let mut forks: HashMap<i64, i64> = HashMap::new();
    for (g, _, _) in &repo_rows {
        if g.bool(&["IsFork"]) {
            *forks.entry(g.int(&["ForkID"])).or_default() += 1;
        }
    }
    for (g, name, default_branch) in repo_rows {
        let id = g.id();
        put(
            "repository",
            obj(json!({
                "id": id,
                "owner_id": g.int(&["OwnerID"]),
                "lower_name": name.to_lowercase(),
                "name": name,
                "description": g.str(&["Description"]),
                "website": g.str(&["Website"]),
                "default_branch": default_branch,
                "size": g.int(&["Size"]) + lfs_sizes.get(&id).copied().unwrap_or(0),
                "is_private": g.bool(&["IsPrivate"]),
                "is_unlisted": g.bool(&["IsUnlisted"]),
                "is_bare": g.bool(&["IsBare"]),
                "is_mirror": g.bool(&["IsMirror"]),
                "is_fork": g.bool(&["IsFork"]),
                "fork_id": g.int(&["ForkID"]),
                "num_watches": watches.get(&id).copied().unwrap_or(0),
                "num_stars": stars.get(&id).copied().unwrap_or(0),
                "num_forks": forks.get(&id).copied().unwrap_or(0),
                "num_issues": repo_issues.get(&id).copied().unwrap_or(0),
                "num_closed_issues": repo_closed.get(&id).copied().unwrap_or(0),
                "enable_issues": g.bool(&["EnableIssues"]),
                "allow_public_issues": g.bool(&["AllowPublicIssues"]),
                "enable_external_tracker": g.bool(&["EnableExternalTracker"]),
                "external_tracker_url": g.str(&["ExternalTrackerURL"]),
                "external_tracker_format": g.str(&["ExternalTrackerFormat"]),
                "external_tracker_style": g.str(&["ExternalTrackerStyle"]),
                "enable_wiki": g.bool(&["EnableWiki"]),
                "allow_public_wiki": g.bool(&["AllowPublicWiki"]),
                "enable_external_wiki": g.bool(&["EnableExternalWiki"]),
                "external_wiki_url": g.str(&["ExternalWikiURL"]),
                "enable_pulls": g.bool(&["EnablePulls"]),
                "created_unix": g.int(&["CreatedUnix"]),
                "updated_unix": g.int(&["UpdatedUnix"]),
                "issue_seq": issue_seq.get(&id).copied().unwrap_or(0),
                "is_archived": false,
                "archived_unix": 0,
                "allow_merge_commits": true,
                // Gogs' one merge switch: "rebase before merging".
                "allow_rebase": g.bool(&["PullsAllowRebase"]),
                "allow_rebase_explicit": true,
                "allow_squash_merge": true,
                "allow_fast_forward_only_merge": true,
                "default_merge_style": "merge",
            })),
        );
    }

    let mut mirrored = HashSet::new();
    for g in rows("Mirror") {
        let repo = g.int(&["RepoID"]);
        if !repos.contains_key(&repo) {
            skips.add("Mirror", MISSING_REPO);
        } else if !mirrored.insert(repo) {
            skips.add("Mirror", DUPLICATE);
        } else {
            put(
                "mirror",
                obj(json!({
                    "id": g.id(),
                    "repo_id": repo,
                    "interval_hours": g.int(&["Interval"]).max(1),
                    "enable_prune": g.bool(&["EnablePrune"]),
                    "remote_is_local": false,
                    "updated_unix": g.int(&["LastSyncUnix"]),
                    "next_update_unix": g.int(&["NextSyncUnix"]),
                })),
            );
        }
    }

    let mut collaborations = HashSet::new();
    for g in rows("Collaboration") {
        let (repo, user) = (g.int(&["RepoID"]), g.int(&["UserID"]));
        if !repos.contains_key(&repo) || !users.contains_key(&user) {
            skips.add("Collaboration", MISSING_REPO);
        } else if !collaborations.insert((repo, user)) {
            skips.add("Collaboration", DUPLICATE);
        } else {
            put(
                "collaboration",
                obj(
                    json!({"id": g.id(), "repo_id": repo, "user_id": user, "mode": g.int(&["Mode"]), "created_unix": now}),
                ),
            );
        }
    }

    let mut deploy_prints = HashSet::new();
    let mut deploy_names = HashSet::new();
    for g in rows("DeployKey") {
        let repo = g.int(&["RepoID"]);
        let name = g.str(&["Name"]);
        let Some((key, mode)) = deploy_material.get(&g.int(&["KeyID"])) else {
            skips.add("DeployKey", "its key material is not in the backup");
            continue;
        };
        if !repos.contains_key(&repo) {
            skips.add("DeployKey", MISSING_REPO);
        } else if !deploy_prints.insert((repo, key.fingerprint.clone())) || !deploy_names.insert((repo, name.clone())) {
            skips.add("DeployKey", DUPLICATE);
        } else {
            put(
                "deploy_key",
                obj(json!({
                    "id": g.id(),
                    "repo_id": repo,
                    "name": name,
                    "fingerprint": key.fingerprint,
                    "content": key.content,
                    "read_only": *mode < 2,
                    "created_unix": g.int(&["CreatedUnix"]),
                    "updated_unix": g.int(&["UpdatedUnix"]),
                })),
            );
        }
    }

    let mut tags = HashSet::new();
    for g in rows("Release") {
        let repo = g.int(&["RepoID"]);
        let tag = g.str(&["TagName"]);
        if !repos.contains_key(&repo) {
            skips.add("Release", MISSING_REPO);
        } else if tag.is_empty() || !tags.insert((repo, tag.to_lowercase())) {
            skips.add("Release", DUPLICATE);
        } else {
            put(
                "release",
                obj(json!({
                    "id": g.id(),
                    "repo_id": repo,
                    "publisher_id": g.int(&["PublisherID"]),
                    "tag_name": tag,
                    "lower_tag_name": tag.to_lowercase(),
                    "target": g.str(&["Target"]),
                    "title": g.str(&["Title"]),
                    "sha1": g.str(&["Sha1"]),
                    "note": g.str(&["Note"]),
                    "is_draft": g.bool(&["IsDraft"]),
                    "is_prerelease": g.bool(&["IsPrerelease"]),
                    "created_unix": g.int(&["CreatedUnix"]),
                })),
            );
        }
    }

    // Organisations: members, teams and what the teams hold.
    let is_org = |id: i64| users.get(&id).is_some_and(|u| u.is_org);
    let mut memberships = HashSet::new();
    for g in rows("OrgUser") {
        let (uid, org) = (g.int(&["UID"]), g.int(&["OrgID"]));
        if !users.contains_key(&uid) || !is_org(org) {
            skips.add("OrgUser", MISSING_USER);
        } else if !memberships.insert((uid, org)) {
            skips.add("OrgUser", DUPLICATE);
        } else {
            put("org_user", obj(json!({"id": g.id(), "uid": uid, "org_id": org, "is_public": g.bool(&["IsPublic"])})));
        }
    }
    let mut teams: HashMap<i64, (i64, i64)> = HashMap::new(); // id → (org, authorize)
    let mut team_names = HashSet::new();
    for g in rows("Team") {
        let org = g.int(&["OrgID"]);
        let name = g.str(&["Name"]);
        if !is_org(org) {
            skips.add("Team", MISSING_USER);
        } else if name.is_empty() || !team_names.insert((org, name.to_lowercase())) {
            skips.add("Team", DUPLICATE);
        } else {
            let authorize = g.int(&["Authorize"]);
            teams.insert(g.id(), (org, authorize));
            put(
                "team",
                obj(json!({
                    "id": g.id(),
                    "org_id": org,
                    "lower_name": name.to_lowercase(),
                    "name": name,
                    "description": g.str(&["Description"]),
                    "authorize": authorize,
                    "created_unix": now,
                })),
            );
        }
    }
    let mut team_members = HashSet::new();
    for g in rows("TeamUser") {
        let (team, uid) = (g.int(&["TeamID"]), g.int(&["UID"]));
        let Some(&(org, _)) = teams.get(&team) else {
            skips.add("TeamUser", "it names a team that is not imported");
            continue;
        };
        if !users.contains_key(&uid) {
            skips.add("TeamUser", MISSING_USER);
        } else if !team_members.insert((team, uid)) {
            skips.add("TeamUser", DUPLICATE);
        } else {
            put("team_user", obj(json!({"id": g.id(), "org_id": org, "team_id": team, "uid": uid})));
        }
    }
    let mut team_repos = HashSet::new();
    for g in rows("TeamRepo") {
        let (team, repo) = (g.int(&["TeamID"]), g.int(&["RepoID"]));
        let Some(&(org, authorize)) = teams.get(&team) else {
            skips.add("TeamRepo", "it names a team that is not imported");
            continue;
        };
        if authorize >= 4 {
            // The Owners team holds every repository of its organisation without rows in hearth.
            continue;
        }
        if !repos.contains_key(&repo) {
            skips.add("TeamRepo", MISSING_REPO);
        } else if !team_repos.insert((team, repo)) {
            skips.add("TeamRepo", DUPLICATE);
        } else {
            put("team_repo", obj(json!({"id": g.id(), "org_id": org, "team_id": team, "repo_id": repo})));
        }
    }

    // Webhooks and their delivery history. Deliveries Gogs had not made yet are left out: hearth
    // would make them now, long after the events.
    let mut hooks = HashSet::new();
    for g in rows("Webhook") {
        let (repo, org) = (g.int(&["RepoID"]), g.int(&["OrgID"]));
        if (repo == 0) == (org == 0) || (repo != 0 && !repos.contains_key(&repo)) || (org != 0 && !is_org(org)) {
            skips.add("Webhook", "it belongs to neither an imported repository nor an organisation");
            continue;
        }
        hooks.insert(g.id());
        put(
            "webhook",
            obj(json!({
                "id": g.id(),
                "repo_id": repo,
                "org_id": org,
                "url": g.str(&["URL"]),
                "content_type": g.int(&["ContentType"]),
                "secret": g.str(&["Secret"]),
                "events": g.str(&["Events"]),
                "is_ssl": g.bool(&["IsSSL"]),
                "is_active": g.bool(&["IsActive"]),
                "hook_task_type": g.int(&["HookTaskType"]),
                "meta": g.str(&["Meta"]),
                "last_status": g.int(&["LastStatus"]),
                "created_unix": g.int(&["CreatedUnix"]),
                "updated_unix": g.int(&["UpdatedUnix"]),
            })),
        );
    }
    for g in rows("HookTask") {
        let (repo, hook) = (g.int(&["RepoID"]), g.int(&["HookID"]));
        if !hooks.contains(&hook) || !repos.contains_key(&repo) {
            skips.add("HookTask", "it names a webhook or repository that is not imported");
            continue;
        }
        if !g.bool(&["IsDelivered"]) {
            skips.add("HookTask", "a delivery Gogs had not made (hearth would make it now, long after the event)");
            continue;
        }
        let delivered_ns = g.int(&["Delivered"]);
        put(
            "hook_task",
            obj(json!({
                "id": g.id(),
                "repo_id": repo,
                "hook_id": hook,
                "uuid": g.str(&["UUID"]),
                "type": g.int(&["Type"]),
                "url": g.str(&["URL"]),
                "signature": g.str(&["Signature"]),
                "payload_content": g.str(&["PayloadContent"]),
                "content_type": g.int(&["ContentType"]),
                "event_type": g.str(&["EventType"]),
                "is_ssl": g.bool(&["IsSSL"]),
                "is_delivered": true,
                "delivered": delivered_ns,
                "is_succeed": g.bool(&["IsSucceed"]),
                "request_content": g.str(&["RequestContent"]),
                "response_content": g.str(&["ResponseContent"]),
                "attempts": 1,
                "next_attempt_ms": 0,
                "duration_ms": 0,
                "is_redelivery": false,
                "created_unix": if delivered_ns > 0 { delivered_ns / 1_000_000_000 } else { now },
                "signature_sha1": "",
                "event_type_detail": "",
            })),
        );
    }

    // The issue tracker.
    for g in milestone_rows {
        let id = g.id();
        put(
            "milestone",
            obj(json!({
                "id": id,
                "repo_id": g.int(&["RepoID"]),
                "name": g.str(&["Name"]),
                "content": g.str(&["Content"]),
                "is_closed": g.bool(&["IsClosed"]),
                "num_issues": ms_issues.get(&id).copied().unwrap_or(0),
                "num_closed_issues": ms_closed.get(&id).copied().unwrap_or(0),
                "deadline_unix": g.int(&["DeadlineUnix"]),
                "closed_unix": g.int(&["ClosedDateUnix"]),
                "created_unix": now,
            })),
        );
    }
    let mut labels: HashMap<i64, i64> = HashMap::new(); // id → repo
    for g in rows("Label") {
        let repo = g.int(&["RepoID"]);
        if !repos.contains_key(&repo) {
            skips.add("Label", MISSING_REPO);
            continue;
        }
        labels.insert(g.id(), repo);
        put("label", obj(json!({"id": g.id(), "repo_id": repo, "name": g.str(&["Name"]), "color": g.str(&["Color"])})));
    }
    let mut comment_rows = Vec::new();
    let mut num_comments: HashMap<i64, i64> = HashMap::new();
    for g in rows("Comment") {
        let issue = g.int(&["IssueID"]);
        let Some(&repo) = issues.get(&issue) else {
            skips.add("Comment", "it names an issue that is not imported");
            continue;
        };
        let kind = g.int(&["Type"]);
        if kind == 0 {
            *num_comments.entry(issue).or_default() += 1;
        }
        comment_rows.push(obj(json!({
            "id": g.id(),
            "type": kind,
            "poster_id": g.int(&["PosterID"]),
            "repo_id": repo,
            "issue_id": issue,
            "content": g.str(&["Content"]),
            "created_unix": g.int(&["CreatedUnix"]),
            "updated_unix": g.int(&["UpdatedUnix"]),
        })));
    }
    for (g, milestone) in issue_rows {
        let id = g.id();
        let assignee = Some(g.int(&["AssigneeID"])).filter(|a| users.contains_key(a)).unwrap_or(0);
        put(
            "issue",
            obj(json!({
                "id": id,
                "repo_id": g.int(&["RepoID"]),
                "idx": g.int(&["Index"]),
                "poster_id": g.int(&["PosterID"]),
                "title": g.str(&["Title"]),
                "body": g.str(&["Content"]),
                "milestone_id": milestone,
                "assignee_id": assignee,
                "is_closed": g.bool(&["IsClosed"]),
                "is_pull": g.bool(&["IsPull"]),
                "num_comments": num_comments.get(&id).copied().unwrap_or(0),
                "created_unix": g.int(&["CreatedUnix"]),
                "updated_unix": g.int(&["UpdatedUnix"]),
            })),
        );
    }
    for row in comment_rows {
        put("comment", row);
    }
    let mut issue_labels = HashSet::new();
    for g in rows("IssueLabel") {
        let (issue, label) = (g.int(&["IssueID"]), g.int(&["LabelID"]));
        match (issues.get(&issue), labels.get(&label)) {
            (Some(a), Some(b)) if a == b => {
                if issue_labels.insert((issue, label)) {
                    put("issue_label", obj(json!({"id": g.id(), "issue_id": issue, "label_id": label})));
                } else {
                    skips.add("IssueLabel", DUPLICATE);
                }
            }
            _ => skips.add("IssueLabel", "it names an issue or label that is not imported"),
        }
    }

    for row in lfs_rows {
        put("lfs_object", row);
    }

    for g in rows("Notice") {
        put(
            "notice",
            obj(json!({
                "id": g.id(),
                "type": g.int(&["Type"]),
                "description": g.str(&["Description"]),
                "created_unix": g.int(&["CreatedUnix"]),
            })),
        );
    }

    // What hearth has no place for.
    for t in schema::TABLES {
        let Fate::Dropped(why) = t.fate else { continue };
        let n = src.count(t.name);
        if n == 0 {
            continue;
        }
        let mut line = format!("{}: {n} {} not imported: {why}", t.name, rows_word(n));
        if t.name == "TwoFactor" {
            let names: Vec<&str> =
                rows(t.name).iter().filter_map(|g| users.get(&g.int(&["UserID"]))).map(|u| u.name.as_str()).collect();
            line.push_str(&format!(" ({})", names.join(", ")));
        }
        notes.push(line);
    }

    notes.extend(skips.lines());
    Outcome { repos: places, lfs: lfs_referenced, counts, warnings: notes }
}

/// One warning per table the importer does not know, and per unknown key of a known table.
fn check_columns(src: &Source, notes: &mut Vec<String>) {
    for (name, n) in src.counts.iter().filter(|(name, _)| schema::table(name).is_none()) {
        notes.push(format!("table {name} ({n} {}) is not known to this importer; skipped", rows_word(*n)));
    }
    for ((table, key), n) in &src.unknown_keys {
        notes.push(format!("column {table}.{key} ({n} {}) is not known to this importer; ignored", rows_word(*n)));
    }
}
