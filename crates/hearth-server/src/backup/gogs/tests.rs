//! The mapping, on the fixture archives and on rows made to break it.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::map::{Mapped, Source, map_all as map, map_all_with};
use super::row::Row;
use super::{archive, fixture};

const NOW: i64 = 1_800_000_000;
/// The raw token `scripts/make-gogs-fixture.py` gives alice.
const RAW_TOKEN: &str = "491dd047c546bb57f9a74bd4fc6162a9f77468a7";

fn load(name: &str) -> (String, Mapped) {
    let tmp = tempfile::tempdir().unwrap();
    let backup = archive::open(&fixture(name), tmp.path()).unwrap();
    assert!(backup.repositories.is_some(), "the fixture holds repositories.zip");
    (backup.gogs_version.clone(), map(&backup.source, NOW))
}

fn find<'a>(m: &'a Mapped, table: &str, id: i64) -> &'a Row {
    m.rows(table).iter().find(|r| r["id"] == json!(id)).unwrap_or_else(|| panic!("{table} {id} missing"))
}

fn source(tables: Value) -> Source {
    let mut src = Source::default();
    for (name, rows) in tables.as_object().unwrap() {
        src.add_table(name);
        for row in rows.as_array().unwrap() {
            src.add(name, row.as_object().unwrap().clone());
        }
    }
    src
}

/// Every column of each hearth table the import writes, as the migrations define them.
fn assert_complete_rows(m: &Mapped) {
    let columns: &[(&str, usize)] = &[
        ("user", 24),
        ("email_address", 4),
        ("access_token", 8),
        ("public_key", 9),
        ("follow", 4),
        ("repository", 41),
        ("watch", 4),
        ("mirror", 7),
        ("release", 12),
        ("org_user", 4),
        ("team", 7),
        ("team_user", 4),
        ("team_repo", 4),
        ("collaboration", 5),
        ("deploy_key", 8),
        ("webhook", 14),
        ("hook_task", 23),
        ("milestone", 10),
        ("label", 4),
        ("issue", 13),
        ("issue_label", 3),
        ("comment", 8),
        ("star", 4),
        ("notice", 4),
        ("lfs_object", 5),
    ];
    for (table, n) in columns {
        for row in m.rows(table) {
            assert_eq!(row.len(), *n, "{table}: {row:?}");
        }
    }
}

#[test]
fn the_013_fixture() {
    let (version, m) = load("gogs-backup-0.13.zip");
    assert_eq!(version, "0.13.4");
    assert_complete_rows(&m);

    // Accounts keep Gogs' PBKDF2 hash and salt; counters are counted again.
    let alice = find(&m, "user", 1);
    assert_eq!(alice["name"], "alice");
    assert_eq!(alice["salt"], "aLiCeSaLt1");
    assert_eq!(alice["passwd"].as_str().unwrap().len(), 100, "hex of 50 bytes");
    assert_eq!(alice["is_admin"], true);
    assert_eq!(alice["num_followers"], 1);
    assert_eq!(alice["num_repos"], 1);
    let acme = find(&m, "user", 3);
    assert_eq!((acme["type"].clone(), acme["num_repos"].clone()), (json!(1), json!(1)));
    assert_eq!(acme["description"], "Tools & toys");
    assert_eq!(find(&m, "email_address", 1)["email"], "alice@work.example");

    // 0.13 keeps the token's SHA-256: stored as it is.
    let token = find(&m, "access_token", 1);
    assert_eq!(token["sha256"], hex::encode(Sha256::digest(RAW_TOKEN)));
    assert_eq!((token["scope"].clone(), token["token_last_eight"].clone()), (json!(""), json!("")));

    // Keys: fingerprints computed as hearth does; the deploy key takes its material from PublicKey.
    assert_eq!(m.rows("public_key").len(), 1);
    let key = find(&m, "public_key", 1);
    assert!(key["fingerprint"].as_str().unwrap().starts_with("SHA256:"), "{key:?}");
    let deploy = find(&m, "deploy_key", 1);
    assert_eq!((deploy["repo_id"].clone(), deploy["read_only"].clone()), (json!(1), json!(true)));
    assert!(deploy["content"].as_str().unwrap().starts_with("ssh-ed25519 "));

    // Repositories and the counts of what they hold.
    let hello = find(&m, "repository", 1);
    assert_eq!(hello["description"], "Hello <world>");
    assert_eq!(hello["num_watches"], 2);
    assert_eq!(hello["num_stars"], 1);
    assert_eq!((hello["num_issues"].clone(), hello["num_closed_issues"].clone()), (json!(2), json!(1)), "pulls apart");
    assert_eq!(hello["issue_seq"], 3, "the next issue number follows the pull request's");
    assert_eq!(find(&m, "repository", 2)["is_private"], true);
    let places: Vec<_> = m.repos.iter().map(|p| format!("{}/{}@{}", p.owner, p.name, p.default_branch)).collect();
    assert_eq!(places, ["alice/hello@master", "acme/tools@master"]);

    // The organisation: members, teams, the team's repository (the Owners team needs no rows).
    assert_eq!(m.rows("org_user").len(), 2);
    assert_eq!(find(&m, "team", 1)["authorize"], 4);
    assert_eq!(find(&m, "team", 2)["lower_name"], "developers");
    assert_eq!(find(&m, "team", 2)["created_unix"], NOW);
    assert_eq!(m.rows("team_user").len(), 2);
    let team_repos: Vec<_> = m.rows("team_repo").iter().map(|r| r["team_id"].clone()).collect();
    assert_eq!(team_repos, [json!(2)]);
    assert_eq!(find(&m, "collaboration", 1)["mode"], 2);

    // The tracker.
    let first = find(&m, "issue", 1);
    assert_eq!(first["title"], "First issue");
    assert_eq!(first["body"], "Something is **broken** & <needs> fixing.");
    assert_eq!((first["milestone_id"].clone(), first["assignee_id"].clone()), (json!(1), json!(1)));
    assert_eq!(first["num_comments"], 1);
    assert_eq!(find(&m, "issue", 2)["num_comments"], 0, "a close event is no comment");
    assert_eq!(find(&m, "issue", 3)["is_pull"], true);
    assert_eq!(find(&m, "comment", 2)["type"], 2);
    assert_eq!(find(&m, "comment", 1)["repo_id"], 1, "the comment's repository comes from its issue");
    let milestone = find(&m, "milestone", 1);
    assert_eq!((milestone["num_issues"].clone(), milestone["deadline_unix"].clone()), (json!(1), json!(1702592000)));
    assert_eq!(m.rows("label").len(), 2);
    assert_eq!(m.rows("issue_label").len(), 1);
    let release = find(&m, "release", 1);
    assert_eq!((release["tag_name"].clone(), release["sha1"].as_str().unwrap().len()), (json!("v1.0"), 40));

    // Hooks: events kept in Gogs' JSON; only deliveries Gogs made.
    let hook = find(&m, "webhook", 1);
    let events: Value = serde_json::from_str(hook["events"].as_str().unwrap()).unwrap();
    assert_eq!(events["events"]["push"], true);
    assert_eq!(hook["secret"], "s3cret");
    assert_eq!(find(&m, "webhook", 2)["org_id"], 3);
    assert_eq!(m.rows("hook_task").len(), 1);
    assert_eq!(find(&m, "hook_task", 1)["created_unix"], 1_699_998_000);
    assert_eq!(m.rows("notice").len(), 1);

    let text = m.warnings.join("\n");
    for expected in [
        "Action: 1 row not imported: the activity feed",
        "Attachment: 1 row not imported",
        "TwoFactor: 1 row not imported: two-factor authentication is not imported: those accounts sign in with their password alone (bob)",
        "ProtectBranch: 1 row not imported",
        "PullRequest: 1 row not imported",
        "HookTask: 1 row skipped: a delivery Gogs had not made",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains("is not known"), "the fixture is all known:\n{text}");
    assert!(!text.contains("Access:") && !text.contains("IssueUser"), "derived tables pass silently:\n{text}");
}

#[test]
fn the_012_fixture_keeps_tokens_in_clear() {
    let (version, m) = load("gogs-backup-0.12.zip");
    assert_eq!(version, "0.12.11");
    assert_complete_rows(&m);
    let token = find(&m, "access_token", 1);
    assert_eq!(token["sha256"], hex::encode(Sha256::digest(RAW_TOKEN)), "the token's hash, as hearth keeps it");
    assert_eq!(token["token_last_eight"], &RAW_TOKEN[32..]);
    // 0.12's spellings: Passwd, UID, Uid.
    assert_eq!(find(&m, "user", 2)["passwd"].as_str().unwrap().len(), 100);
    assert_eq!(find(&m, "email_address", 1)["uid"], 1);
    assert_eq!(find(&m, "star", 1)["user_id"], 2);
    assert_eq!(find(&m, "org_user", 1)["uid"], 1);
    assert!(!m.warnings.join("\n").contains("is not known"));
}

#[test]
fn the_011_spellings() {
    let m = map(
        &source(json!({
            "User": [{"ID": 1, "Name": "old", "LowerName": "old", "Passwd": "ab", "Salt": "s", "LoginType": 0, "Type": 0}],
            "AccessToken": [{"ID": 4, "UID": 1, "Name": "t", "Sha1": "0123456789abcdef0123456789abcdef01234567"}],
        })),
        NOW,
    );
    let token = find(&m, "access_token", 4);
    assert_eq!(token["uid"], 1);
    assert_eq!(token["sha256"], hex::encode(Sha256::digest("0123456789abcdef0123456789abcdef01234567")));
    assert_eq!(find(&m, "user", 1)["passwd"], "ab");
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn unknown_tables_and_columns_are_reported_once_each() {
    let m = map(
        &source(json!({
            "User": [
                {"ID": 1, "Name": "a", "ShoeSize": 44, "Type": 0},
                {"ID": 2, "Name": "b", "ShoeSize": 45, "Type": 0, "Hat": "red"},
            ],
            "Frobnicator": [{"ID": 1}, {"ID": 2}, {"ID": 3}],
        })),
        NOW,
    );
    assert_eq!(
        m.warnings,
        [
            "table Frobnicator (3 rows) is not known to this importer; skipped",
            "column User.Hat (1 row) is not known to this importer; ignored",
            "column User.ShoeSize (2 rows) is not known to this importer; ignored",
        ]
    );
    assert_eq!(m.rows("user").len(), 2, "the rest of the row is imported");
}

#[test]
fn orphans_and_duplicates_are_skipped_not_fatal() {
    let m = map(
        &source(json!({
            "User": [
                {"ID": 1, "Name": "alice", "Email": "a@x.org", "Type": 0},
                {"ID": 2, "Name": "Alice", "Type": 0},
                {"ID": 3, "Name": "../etc", "Type": 0},
                {"ID": 4, "Name": "carol", "Email": "a@x.org", "Type": 0, "LoginSource": 2},
            ],
            "Repository": [
                {"ID": 1, "OwnerID": 1, "Name": "r", "DefaultBranch": ""},
                {"ID": 2, "OwnerID": 99, "Name": "lost"},
                {"ID": 3, "OwnerID": 1, "Name": "R"},
            ],
            "Watch": [{"ID": 1, "UserID": 1, "RepoID": 1}, {"ID": 2, "UserID": 1, "RepoID": 2}],
            "Collaboration": [{"ID": 1, "UserID": 77, "RepoID": 1, "Mode": 2}],
            "Issue": [
                {"ID": 1, "RepoID": 1, "Index": 1, "Title": "a", "MilestoneID": 9, "AssigneeID": 55},
                {"ID": 2, "RepoID": 1, "Index": 1, "Title": "dup"},
            ],
            "Comment": [{"ID": 1, "IssueID": 2, "Type": 0}, {"ID": 2, "IssueID": 1, "Type": 0}],
            "IssueLabel": [{"ID": 1, "IssueID": 1, "LabelID": 5}],
            "PublicKey": [{"ID": 1, "OwnerID": 1, "Type": 1, "Name": "k", "Content": "not a key"}],
            "Webhook": [{"ID": 1, "RepoID": 2, "OrgID": 0, "URL": "http://x"}],
            "TeamUser": [{"ID": 1, "TeamID": 5, "UID": 1}],
        })),
        NOW,
    );
    let names: Vec<_> = m.rows("user").iter().map(|r| r["name"].clone()).collect();
    assert_eq!(names, [json!("alice"), json!("carol")]);
    assert_eq!(find(&m, "user", 4)["email"], "", "a second account's copy of an address is left empty");
    assert_eq!(m.rows("repository").len(), 1);
    assert_eq!(find(&m, "repository", 1)["default_branch"], "master", "an empty default branch becomes master");
    assert_eq!(find(&m, "repository", 1)["num_watches"], 1);
    let issue = find(&m, "issue", 1);
    assert_eq!((issue["milestone_id"].clone(), issue["assignee_id"].clone()), (json!(0), json!(0)));
    assert_eq!(issue["num_comments"], 1);
    for empty in ["collaboration", "issue_label", "public_key", "webhook", "team_user"] {
        assert!(m.rows(empty).is_empty(), "{empty}");
    }
    let text = m.warnings.join("\n");
    for expected in [
        "accounts that signed in through an authentication source cannot sign in until given a password: carol",
        "User carol: the e-mail address a@x.org is another account's too; left empty",
        "User: 1 row skipped: a duplicate of an earlier row",
        "User: 1 row skipped: the name cannot be a hearth account name",
        "Repository: 1 row skipped: it names a user the backup does not hold",
        "Repository: 1 row skipped: a duplicate of an earlier row",
        "Watch: 1 row skipped: it names a repository that is not imported",
        "Collaboration: 1 row skipped",
        "Issue: 1 row skipped: its number is not unique in its repository",
        "Comment: 1 row skipped: it names an issue that is not imported",
        "IssueLabel: 1 row skipped",
        "PublicKey: 1 row skipped: the key cannot be read",
        "Webhook: 1 row skipped",
        "TeamUser: 1 row skipped: it names a team that is not imported",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

#[test]
fn nul_characters_are_dropped_from_text() {
    let m = map(&source(json!({"User": [{"ID": 1, "Name": "u", "FullName": "A\u{0}B", "Type": 0}]})), NOW);
    assert_eq!(find(&m, "user", 1)["full_name"], "AB");
}

#[test]
fn mirrors_and_counters() {
    let m = map(
        &source(json!({
            "User": [{"ID": 1, "Name": "u", "Type": 0}],
            "Repository": [
                {"ID": 1, "OwnerID": 1, "Name": "up", "DefaultBranch": "main"},
                {"ID": 2, "OwnerID": 1, "Name": "fork", "IsFork": true, "ForkID": 1, "IsMirror": true},
            ],
            "Mirror": [{"ID": 3, "RepoID": 2, "Interval": 8, "EnablePrune": true, "LastSyncUnix": 10, "NextSyncUnix": 20}],
            "Milestone": [{"ID": 1, "RepoID": 1, "Name": "m", "IsClosed": true, "ClosedDateUnix": 5}],
            "Issue": [
                {"ID": 1, "RepoID": 1, "Index": 1, "MilestoneID": 1, "IsClosed": true},
                {"ID": 2, "RepoID": 1, "Index": 2, "MilestoneID": 1},
                {"ID": 3, "RepoID": 2, "Index": 1, "MilestoneID": 1},
            ],
        })),
        NOW,
    );
    let mirror = find(&m, "mirror", 3);
    assert_eq!((mirror["interval_hours"].clone(), mirror["next_update_unix"].clone()), (json!(8), json!(20)));
    assert_eq!(find(&m, "repository", 1)["num_forks"], 1);
    let ms = find(&m, "milestone", 1);
    assert_eq!(
        (ms["num_issues"].clone(), ms["num_closed_issues"].clone(), ms["closed_unix"].clone()),
        (json!(2), json!(1), json!(5))
    );
    assert_eq!(find(&m, "issue", 3)["milestone_id"], 0, "a milestone of another repository is dropped");
}

#[test]
fn lfs_rows_come_with_their_objects() {
    let oid = |c: char| c.to_string().repeat(64);
    let src = source(json!({
        "User": [{"ID": 1, "Name": "u", "Type": 0}],
        "Repository": [{"ID": 1, "OwnerID": 1, "Name": "a", "Size": 1000}, {"ID": 2, "OwnerID": 1, "Name": "b"}],
        "LFSObject": [
            {"RepoID": 2, "OID": oid('a'), "Size": 10, "Storage": "local", "CreatedAt": "2020-05-04T05:08:06Z"},
            {"RepoID": 1, "OID": oid('a'), "Size": 10, "Storage": "local", "CreatedAt": "2020-05-04T05:08:06Z"},
            {"RepoID": 1, "OID": oid('b'), "Size": 20, "Storage": "local", "CreatedAt": "0001-01-01T00:00:00Z"},
            {"RepoID": 1, "OID": oid('c'), "Size": 30, "Storage": "local", "CreatedAt": "2020-05-04T05:08:06Z"},
            {"RepoID": 1, "OID": oid('d'), "Size": 40, "Storage": "minio", "CreatedAt": "2020-05-04T05:08:06Z"},
            {"RepoID": 1, "OID": "../../etc/passwd", "Size": 1, "Storage": "local"},
            {"RepoID": 9, "OID": oid('a'), "Size": 10, "Storage": "local"},
            {"RepoID": 1, "OID": oid('e'), "Size": 99, "Storage": "local"},
        ],
    }));
    let mut wanted: Vec<String> = super::map::lfs_objects(&src).into_iter().map(|(o, _)| o).collect();
    wanted.dedup();
    assert_eq!(wanted, [oid('a'), oid('b'), oid('c'), oid('e')], "local objects with valid ids, once");

    // Without an objects directory: no rows, and a word on how to bring them.
    let m = map(&src, NOW);
    assert!(m.rows("lfs_object").is_empty());
    assert_eq!(find(&m, "repository", 1)["size"], 1000);
    let text = m.warnings.join("\n");
    assert!(text.contains("LFSObject: 5 rows not imported: `gogs backup` does not archive Git LFS objects"), "{text}");
    assert!(text.contains("--lfs-path"), "{text}");

    // With the objects copied (c missing, e not of the size its row says): rows for a and b.
    let copied = [(oid('a'), 10), (oid('b'), 20), (oid('e'), 98)].into_iter().collect();
    let m = map_all_with(&src, NOW, Some(&copied));
    assert_complete_rows(&m);
    let rows: Vec<(i64, i64, String, i64)> = m
        .rows("lfs_object")
        .iter()
        .map(|r| {
            let n = |k: &str| r[k].as_i64().unwrap();
            (n("id"), n("repo_id"), r["oid"].as_str().unwrap().to_string(), n("size"))
        })
        .collect();
    assert_eq!(rows, [(1, 1, oid('a'), 10), (2, 1, oid('b'), 20), (3, 2, oid('a'), 10)]);
    assert_eq!(m.rows("lfs_object")[0]["created_unix"], 1_588_568_886);
    assert_eq!(m.rows("lfs_object")[1]["created_unix"], NOW, "Go's zero time");
    assert_eq!(find(&m, "repository", 1)["size"], 1030, "Gogs' size and the repository's LFS objects");
    assert_eq!(find(&m, "repository", 2)["size"], 10);
    let text = m.warnings.join("\n");
    for expected in [
        "LFSObject: 2 rows skipped: its object is missing from the LFS directory, or does not match the row",
        "LFSObject: 1 row skipped: its object is kept in a storage other than Gogs' local one",
        "LFSObject: 1 row skipped: its object id or size is not valid",
        "LFSObject: 1 row skipped: it names a repository that is not imported",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}
