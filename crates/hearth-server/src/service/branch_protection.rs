//! Branch protection (Gitea's rules): who may push to, force-push to, delete and merge into the
//! branches a rule names (one name, or a glob: `*` within a path segment, `**` across them), and
//! what a merge needs (passing statuses, approvals). Enforced here for the API's own writes and,
//! for git pushes, by a pre-receive hook reading a per-push policy this module writes.

use serde::{Deserialize, Serialize};

use hearth_store::protected_branches::{self, RuleRow};
use hearth_store::repos::RepoRow;
use hearth_store::reviews::ReviewState;
use hearth_store::users::{self, UserRow};
use hearth_store::{Conn, orgs};

use super::access::AccessMode;
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// A rule's settings (stored as JSON; people and teams by id so renames keep working).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub enable_push: bool,
    pub enable_push_whitelist: bool,
    pub push_whitelist_users: Vec<i64>,
    pub push_whitelist_teams: Vec<i64>,
    pub push_whitelist_deploy_keys: bool,
    pub enable_force_push: bool,
    pub enable_force_push_allowlist: bool,
    pub force_push_allowlist_users: Vec<i64>,
    pub force_push_allowlist_teams: Vec<i64>,
    pub force_push_allowlist_deploy_keys: bool,
    pub enable_merge_whitelist: bool,
    pub merge_whitelist_users: Vec<i64>,
    pub merge_whitelist_teams: Vec<i64>,
    pub enable_status_check: bool,
    pub status_check_contexts: Vec<String>,
    pub required_approvals: i64,
    pub enable_approvals_whitelist: bool,
    pub approvals_whitelist_users: Vec<i64>,
    pub approvals_whitelist_teams: Vec<i64>,
    pub block_on_rejected_reviews: bool,
    pub block_on_official_review_requests: bool,
    pub block_on_outdated_branch: bool,
    pub dismiss_stale_approvals: bool,
    pub ignore_stale_approvals: bool,
    pub require_signed_commits: bool,
    pub protected_file_patterns: String,
    pub unprotected_file_patterns: String,
}

/// A rule: its name and settings.
#[derive(Debug, Clone)]
pub struct Rule {
    pub row: RuleRow,
    pub settings: Settings,
}

impl Rule {
    pub fn from_row(row: RuleRow) -> Rule {
        let settings = serde_json::from_str(&row.settings).unwrap_or_default();
        Rule { row, settings }
    }

    pub fn is_glob(&self) -> bool {
        is_glob(&self.row.rule_name)
    }
}

fn is_glob(name: &str) -> bool {
    name.contains(['*', '?'])
}

/// Gitea's glob with `/` as the separator: `**` matches anything, `*` anything but `/`, `?` one
/// character but `/`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match p {
            [] => n.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=n.len()).any(|i| go(rest, &n[i..])),
            [b'*', rest @ ..] => {
                let seg = n.iter().position(|b| *b == b'/').unwrap_or(n.len());
                (0..=seg).any(|i| go(rest, &n[i..]))
            }
            [b'?', rest @ ..] => !n.is_empty() && n[0] != b'/' && go(rest, &n[1..]),
            [c, rest @ ..] => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// The file globs of a `;`-separated list (Gitea's protected and unprotected file patterns),
/// trimmed and lower-cased; matching ignores case.
pub fn file_patterns(list: &str) -> Vec<String> {
    list.split(';').map(|p| p.trim().to_lowercase()).filter(|p| !p.is_empty()).collect()
}

/// Whether a file pattern list is one the hook reads as this module does: no whitespace, quotes,
/// brackets, braces or backslashes.
pub fn valid_file_patterns(list: &str) -> bool {
    list.len() <= 1024
        && file_patterns(list)
            .iter()
            .all(|p| !p.chars().any(|c| c.is_whitespace() || c.is_control() || "[]{}\\'\"`$".contains(c)))
}

/// Gitea's file glob, case-insensitive, with `/` and `.` as separators: `**` matches anything,
/// `*` anything but a separator, `?` one character but a separator.
pub fn file_glob_match(pattern: &str, path: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        let sep = |b: &u8| *b == b'/' || *b == b'.';
        match p {
            [] => n.is_empty(),
            [b'*', b'*', rest @ ..] => (0..=n.len()).any(|i| go(rest, &n[i..])),
            [b'*', rest @ ..] => {
                let seg = n.iter().position(sep).unwrap_or(n.len());
                (0..=seg).any(|i| go(rest, &n[i..]))
            }
            [b'?', rest @ ..] => !n.is_empty() && !sep(&n[0]) && go(rest, &n[1..]),
            [c, rest @ ..] => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    go(pattern.to_lowercase().as_bytes(), path.to_lowercase().as_bytes())
}

fn any_matches(patterns: &[String], path: &str) -> bool {
    patterns.iter().any(|p| file_glob_match(p, path))
}

/// A rule name: a branch name or a glob of them; brackets, braces, backslashes and whitespace are
/// refused (they would mean different things to the hook's shell and to this matcher).
pub fn valid_rule_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 255
        && !name.chars().any(|c| c.is_whitespace() || c.is_control() || "[]{}\\'\"`$".contains(c))
        && hearth_git::names::is_valid_ref_name(&name.replace("**", "x").replace(['*', '?'], "x"))
}

pub async fn rules(state: &AppState, repo_id: i64) -> ServiceResult<Vec<Rule>> {
    let mut h = state.db.acquire().await?;
    Ok(protected_branches::of_repo(h.conn(), repo_id).await?.into_iter().map(Rule::from_row).collect())
}

/// The rule that applies to `branch`: an exact name wins over globs; globs by priority.
pub fn rule_for<'a>(rules: &'a [Rule], branch: &str) -> Option<&'a Rule> {
    rules
        .iter()
        .find(|r| !r.is_glob() && r.row.rule_name == branch)
        .or_else(|| rules.iter().find(|r| r.is_glob() && glob_match(&r.row.rule_name, branch)))
}

async fn in_lists(mut c: Conn<'_>, user: &UserRow, users: &[i64], teams: &[i64]) -> ServiceResult<bool> {
    if users.contains(&user.id) {
        return Ok(true);
    }
    for t in teams {
        if orgs::is_team_member(c.reborrow(), *t, user.id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `user` is in one of these teams.
pub async fn in_teams(mut c: Conn<'_>, user: &UserRow, teams: &[i64]) -> ServiceResult<bool> {
    for t in teams {
        if orgs::is_team_member(c.reborrow(), *t, user.id).await? {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `user` (or a deploy key, `deploy`) may push to a branch under `rule`.
pub async fn may_push(c: Conn<'_>, rule: &Rule, user: Option<&UserRow>, deploy: bool) -> ServiceResult<bool> {
    let s = &rule.settings;
    if !s.enable_push {
        return Ok(false);
    }
    if !s.enable_push_whitelist {
        return Ok(true);
    }
    if deploy {
        return Ok(s.push_whitelist_deploy_keys);
    }
    match user {
        Some(u) => in_lists(c, u, &s.push_whitelist_users, &s.push_whitelist_teams).await,
        None => Ok(false),
    }
}

/// Whether `user` (or a deploy key) may rewrite a branch under `rule` (on top of pushing to it).
pub async fn may_force(c: Conn<'_>, rule: &Rule, user: Option<&UserRow>, deploy: bool) -> ServiceResult<bool> {
    let s = &rule.settings;
    if !s.enable_force_push {
        return Ok(false);
    }
    if !s.enable_force_push_allowlist {
        return Ok(true);
    }
    if deploy {
        return Ok(s.force_push_allowlist_deploy_keys);
    }
    match user {
        Some(u) => in_lists(c, u, &s.force_push_allowlist_users, &s.force_push_allowlist_teams).await,
        None => Ok(false),
    }
}

/// Refuse an API write of `paths` (contents; empty when not known file by file) to a protected
/// branch: a protected file, or a branch the doer may not push to unless every path is unprotected.
pub async fn check_push(
    state: &AppState,
    repo: &RepoRow,
    doer: &UserRow,
    branch: &str,
    paths: &[&str],
) -> ServiceResult<()> {
    let all = rules(state, repo.id).await?;
    let Some(rule) = rule_for(&all, branch) else { return Ok(()) };
    let protected = file_patterns(&rule.settings.protected_file_patterns);
    if let Some(p) = paths.iter().find(|p| any_matches(&protected, p)) {
        return Err(ServiceError::Forbidden(format!("branch {branch} is protected from changing file {p}")));
    }
    let mut h = state.db.acquire().await?;
    if !may_push(h.conn(), rule, Some(doer), false).await? {
        let unprotected = file_patterns(&rule.settings.unprotected_file_patterns);
        if paths.is_empty() || !paths.iter().all(|p| any_matches(&unprotected, p)) {
            return Err(ServiceError::Forbidden(format!("not allowed to push to protected branch {branch}")));
        }
    }
    Ok(())
}

/// Refuse deleting a protected branch.
pub async fn check_delete(state: &AppState, repo: &RepoRow, branch: &str) -> ServiceResult<()> {
    if rule_for(&rules(state, repo.id).await?, branch).is_some() {
        return Err(ServiceError::Forbidden("branch protected".into()));
    }
    Ok(())
}

/// The pre-receive hook's policy for one push: a line per rule, exact names first, then globs in
/// priority order: `<rule> <push: allow|deny> <force: allow|deny> <protected> <unprotected>`, the
/// file globs `;`-joined or `-`. `None` without rules.
pub async fn push_policy(
    state: &AppState,
    repo: &RepoRow,
    user: Option<&UserRow>,
    deploy: bool,
) -> ServiceResult<Option<String>> {
    let all = rules(state, repo.id).await?;
    if all.is_empty() {
        return Ok(None);
    }
    let mut h = state.db.acquire().await?;
    let mut lines = String::new();
    for rule in all.iter().filter(|r| !r.is_glob()).chain(all.iter().filter(|r| r.is_glob())) {
        let push = may_push(h.conn(), rule, user, deploy).await?;
        let force = push && may_force(h.conn(), rule, user, deploy).await?;
        let word = |b: bool| if b { "allow" } else { "deny" };
        let globs = |list: &str| match file_patterns(list).join(";") {
            joined if joined.is_empty() => "-".to_string(),
            joined => joined,
        };
        lines.push_str(&format!(
            "{} {} {} {} {}\n",
            rule.row.rule_name,
            word(push),
            word(force),
            globs(&rule.settings.protected_file_patterns),
            globs(&rule.settings.unprotected_file_patterns)
        ));
    }
    Ok(Some(lines))
}

/// Why a merge is refused (Gitea's reasons), if it is: writers merge into unprotected branches;
/// a rule may narrow who merges and ask for passing statuses, approvals, an up-to-date head.
#[allow(clippy::too_many_arguments)]
pub async fn merge_refusal(
    state: &AppState,
    repo: &RepoRow,
    doer: &UserRow,
    mode: AccessMode,
    base_branch: &str,
    issue_id: i64,
    head_sha: &str,
    behind: bool,
    changed: impl AsyncFnOnce() -> ServiceResult<Vec<String>>,
) -> ServiceResult<Option<String>> {
    let all = rules(state, repo.id).await?;
    let Some(rule) = rule_for(&all, base_branch) else {
        return Ok((mode < AccessMode::Write).then(|| "User not allowed to merge PR".to_string()));
    };
    let s = &rule.settings;
    let mut h = state.db.acquire().await?;
    if s.enable_merge_whitelist && !in_lists(h.conn(), doer, &s.merge_whitelist_users, &s.merge_whitelist_teams).await?
    {
        return Ok(Some("User not allowed to merge PR".into()));
    }
    if !s.enable_merge_whitelist && mode < AccessMode::Write {
        return Ok(Some("User not allowed to merge PR".into()));
    }
    let reason = |r: &str| Ok(Some(format!("not allowed to merge [reason: {r}]")));
    if s.enable_status_check {
        let latest = hearth_store::statuses::latest(h.conn(), repo.id, head_sha).await?;
        let passing = s.status_check_contexts.iter().all(|pattern| {
            latest.iter().any(|st| glob_match(pattern, &st.context))
                && latest.iter().filter(|st| glob_match(pattern, &st.context)).all(|st| st.state == "success")
        });
        let any = !latest.is_empty() && latest.iter().all(|st| st.state == "success");
        if !(if s.status_check_contexts.is_empty() { any } else { passing }) {
            return reason("Not all required status checks successful");
        }
    }
    let reviews = hearth_store::reviews::of_issue(h.conn(), issue_id).await?;
    let counts =
        |r: &&hearth_store::reviews::ReviewRow| r.official && !r.dismissed && !(s.ignore_stale_approvals && r.stale);
    let mut approvals = 0;
    for r in reviews.iter().filter(counts).filter(|r| r.state() == ReviewState::Approved) {
        let whitelisted = !s.enable_approvals_whitelist || {
            match users::by_id(h.conn(), r.reviewer_id).await? {
                Some(u) => in_lists(h.conn(), &u, &s.approvals_whitelist_users, &s.approvals_whitelist_teams).await?,
                None => false,
            }
        };
        if whitelisted {
            approvals += 1;
        }
    }
    if approvals < s.required_approvals {
        return reason("Does not have enough approvals");
    }
    if s.block_on_rejected_reviews && reviews.iter().filter(counts).any(|r| r.state() == ReviewState::RequestChanges) {
        return reason("There are requested changes");
    }
    if s.block_on_official_review_requests && reviews.iter().any(|r| r.state() == ReviewState::RequestReview) {
        return reason("There are official review requests");
    }
    if s.block_on_outdated_branch && behind {
        return reason("The head branch is behind the base branch");
    }
    let protected = file_patterns(&s.protected_file_patterns);
    if !protected.is_empty() && changed().await?.iter().any(|p| any_matches(&protected, p)) {
        return reason("Changed protected files");
    }
    Ok(None)
}

/// What the API sends and receives for a rule: people and teams by name.
#[derive(Debug, Clone, Default)]
pub struct Named {
    pub rule_name: String,
    pub settings: Settings,
    pub push_users: Vec<String>,
    pub push_teams: Vec<String>,
    pub merge_users: Vec<String>,
    pub merge_teams: Vec<String>,
    pub approvals_users: Vec<String>,
    pub approvals_teams: Vec<String>,
    pub force_users: Vec<String>,
    pub force_teams: Vec<String>,
}

/// Resolve names into the settings' ids (422 for an unknown user or team).
async fn resolve(mut c: Conn<'_>, owner: &UserRow, n: &Named) -> ServiceResult<Settings> {
    let mut s = n.settings.clone();
    if s.require_signed_commits {
        // Signatures would need verified GPG keys, which hearth does not keep: refused rather
        // than stored and not enforced.
        return Err(ServiceError::Invalid("require_signed_commits is not supported".into()));
    }
    for list in [&s.protected_file_patterns, &s.unprotected_file_patterns] {
        if !valid_file_patterns(list) {
            return Err(ServiceError::Invalid(format!("invalid file patterns {list:?}")));
        }
    }
    let mut users_of = Vec::new();
    for list in [&n.push_users, &n.merge_users, &n.approvals_users, &n.force_users] {
        let mut out = Vec::new();
        for name in list {
            match users::by_name(c.reborrow(), name).await? {
                Some(u) if u.kind == hearth_store::UserKind::Individual => out.push(u.id),
                _ => return Err(ServiceError::Invalid(format!("user does not exist [name: {name}]"))),
            }
        }
        users_of.push(out);
    }
    let mut teams_of = Vec::new();
    for list in [&n.push_teams, &n.merge_teams, &n.approvals_teams, &n.force_teams] {
        let mut out = Vec::new();
        for name in list {
            match orgs::team_by_name(c.reborrow(), owner.id, name).await? {
                Some(t) => out.push(t.id),
                None => return Err(ServiceError::Invalid(format!("team does not exist [name: {name}]"))),
            }
        }
        teams_of.push(out);
    }
    s.push_whitelist_users = users_of[0].clone();
    s.merge_whitelist_users = users_of[1].clone();
    s.approvals_whitelist_users = users_of[2].clone();
    s.push_whitelist_teams = teams_of[0].clone();
    s.merge_whitelist_teams = teams_of[1].clone();
    s.approvals_whitelist_teams = teams_of[2].clone();
    s.force_push_allowlist_users = users_of[3].clone();
    s.force_push_allowlist_teams = teams_of[3].clone();
    s.required_approvals = s.required_approvals.max(0);
    if !s.enable_push {
        s.enable_push_whitelist = false;
        s.push_whitelist_deploy_keys = false;
    }
    if !s.enable_force_push {
        s.enable_force_push_allowlist = false;
        s.force_push_allowlist_deploy_keys = false;
    }
    Ok(s)
}

/// The names of a rule's people and teams, for the API: users then teams of the push, merge,
/// approvals and force-push lists.
pub async fn names_of(state: &AppState, s: &Settings) -> ServiceResult<[Vec<String>; 8]> {
    let mut h = state.db.acquire().await?;
    let mut out: [Vec<String>; 8] = Default::default();
    let users_lists = [
        &s.push_whitelist_users,
        &s.merge_whitelist_users,
        &s.approvals_whitelist_users,
        &s.force_push_allowlist_users,
    ];
    for (i, ids) in users_lists.iter().enumerate() {
        out[i] = users::by_ids(h.conn(), ids).await?.into_iter().map(|u| u.name).collect();
    }
    let team_lists = [
        &s.push_whitelist_teams,
        &s.merge_whitelist_teams,
        &s.approvals_whitelist_teams,
        &s.force_push_allowlist_teams,
    ];
    for (i, ids) in team_lists.iter().enumerate() {
        for id in ids.iter() {
            if let Some(t) = orgs::team_by_id(h.conn(), *id).await? {
                out[4 + i].push(t.name);
            }
        }
    }
    Ok(out)
}

pub async fn get(state: &AppState, repo: &RepoRow, name: &str) -> ServiceResult<Rule> {
    let mut h = state.db.acquire().await?;
    protected_branches::by_name(h.conn(), repo.id, name).await?.map(Rule::from_row).ok_or(ServiceError::NotFound)
}

pub async fn create(state: &AppState, owner: &UserRow, repo: &RepoRow, n: &Named) -> ServiceResult<Rule> {
    super::repo_manage::ensure_writable(repo)?;
    if n.rule_name.is_empty() {
        return Err(ServiceError::BadRequest("both rule_name and branch_name are empty".into()));
    }
    if !valid_rule_name(&n.rule_name) {
        return Err(ServiceError::Invalid(format!("invalid rule name {:?}", n.rule_name)));
    }
    let mut tx = state.db.begin().await?;
    if protected_branches::by_name(tx.conn(), repo.id, &n.rule_name).await?.is_some() {
        return Err(ServiceError::Forbidden("Branch protection already exist".into()));
    }
    let settings = resolve(tx.conn(), owner, n).await?;
    let json = serde_json::to_string(&settings).map_err(anyhow::Error::from)?;
    let row = protected_branches::insert(tx.conn(), repo.id, &n.rule_name, 0, &json, now_unix()).await?;
    tx.commit().await?;
    Ok(Rule::from_row(row))
}

pub async fn edit(state: &AppState, owner: &UserRow, repo: &RepoRow, n: &Named) -> ServiceResult<Rule> {
    super::repo_manage::ensure_writable(repo)?;
    let mut tx = state.db.begin().await?;
    let row = protected_branches::by_name(tx.conn(), repo.id, &n.rule_name).await?.ok_or(ServiceError::NotFound)?;
    let settings = resolve(tx.conn(), owner, n).await?;
    let json = serde_json::to_string(&settings).map_err(anyhow::Error::from)?;
    protected_branches::update(tx.conn(), row.id, row.priority, &json, now_unix()).await?;
    let row = protected_branches::by_name(tx.conn(), repo.id, &n.rule_name).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    Ok(Rule::from_row(row))
}

pub async fn delete(state: &AppState, repo: &RepoRow, name: &str) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(repo)?;
    let mut h = state.db.acquire().await?;
    let row = protected_branches::by_name(h.conn(), repo.id, name).await?.ok_or(ServiceError::NotFound)?;
    protected_branches::delete(h.conn(), row.id).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_keep_to_path_segments() {
        assert!(glob_match("main", "main") && !glob_match("main", "main2"));
        assert!(glob_match("release/*", "release/1.0"));
        assert!(!glob_match("release/*", "release/1.0/hotfix"), "* stays within a segment");
        assert!(glob_match("release/**", "release/1.0/hotfix"));
        assert!(glob_match("v?", "v1") && !glob_match("v?", "v/"));
        assert!(glob_match("*", "main") && !glob_match("*", "feature/x"));
    }

    #[test]
    fn file_globs_stop_at_slashes_and_dots() {
        assert!(file_glob_match("*.md", "README.MD"), "case-insensitive");
        assert!(!file_glob_match("*.md", "docs/a.md") && !file_glob_match("*.md", "a.b.md"));
        assert!(file_glob_match("docs/**", "docs/a/b.txt") && file_glob_match("**.lock", "x/Cargo.lock"));
        assert!(file_glob_match(".github/*/*", ".github/workflows/ci"));
        assert!(!file_glob_match("a?c", "a/c") && file_glob_match("a?c", "abc"));
        assert_eq!(file_patterns(" *.md ; ;Docs/** "), ["*.md", "docs/**"]);
        assert!(valid_file_patterns("*.md;docs/**") && valid_file_patterns(""));
        assert!(!valid_file_patterns("a b") && !valid_file_patterns("[ab]") && !valid_file_patterns("$(x)"));
    }

    #[test]
    fn rule_names_that_the_hook_could_misread_are_refused() {
        assert!(valid_rule_name("main") && valid_rule_name("release/*") && valid_rule_name("**"));
        for bad in ["", "a b", "[ab]", "{a,b}", "a\\b", "$(x)", "a'b", "-x"] {
            assert!(!valid_rule_name(bad), "{bad}");
        }
    }
}
