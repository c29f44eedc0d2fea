//! `POST /repos/migrate` and pull mirrors (behaviours.md §6.6). The clone happens in a scratch
//! directory under `<data>/tmp/` before anything is recorded, so a failed or slow clone never holds
//! a database transaction and never leaves a row behind; only a finished clone is moved into place
//! together with its row.

use std::net::IpAddr;
use std::path::Path;

use hearth_git::remote::{self, Pin, Source};
use hearth_store::repos::{self, NewRepo, RepoRow};
use hearth_store::users::{self, UserRow};
use hearth_store::{UserKind, mirrors};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::disk;
use super::net_guard::{Allowlist, Refusal};
use super::notices::{self, NoticeKind};
use super::repos::{check_repo_name, repo_exists, repo_path};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

/// What the client asked for (schemas.md B5).
#[derive(Debug, Clone, Default)]
pub struct Migrate {
    pub clone_addr: String,
    pub auth_username: String,
    pub auth_password: String,
    pub uid: i64,
    pub repo_name: String,
    pub mirror: bool,
    pub private: bool,
    pub description: String,
}

fn invalid(msg: &str) -> ServiceError {
    ServiceError::Invalid(msg.to_string())
}

/// An `http(s)://` address taken apart: the host in canonical form (lower case, no trailing dot),
/// so that what is resolved and checked here is what git connects to.
#[derive(Debug, PartialEq)]
struct HttpAddr {
    scheme: &'static str,
    /// As given (RFC 3986 characters only), without the `@`.
    userinfo: Option<String>,
    host: String,
    port: u16,
    /// Everything from the first `/`, `?` or `#` after the authority.
    rest: String,
}

impl HttpAddr {
    /// `Ok(None)` when the address is not http(s).
    fn parse(addr: &str) -> ServiceResult<Option<HttpAddr>> {
        let bad = || invalid("Invalid clone address.");
        let lower = addr.to_ascii_lowercase();
        let scheme = if lower.starts_with("http://") {
            "http"
        } else if lower.starts_with("https://") {
            "https"
        } else {
            return Ok(None);
        };
        let rest = &addr[scheme.len() + 3..];
        let (authority, path) = rest.split_at(rest.find(['/', '?', '#']).unwrap_or(rest.len()));
        let (userinfo, host_port) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        // Only what RFC 3986 allows in userinfo: anything else (another `@`, a backslash, …) could
        // make git's URL parser see a different host than this one.
        if let Some(u) = userinfo
            && !u.chars().all(|c| c.is_ascii_alphanumeric() || "-._~%!$&'()*+,;=:".contains(c))
        {
            return Err(bad());
        }
        let (host, port) = split_host_port(host_port, default_port(scheme))?;
        Ok(Some(HttpAddr { scheme, userinfo: userinfo.map(str::to_string), host, port, rest: path.to_string() }))
    }

    /// The address rebuilt from its checked parts, with `userinfo` in place of the given one.
    fn url(&self, userinfo: Option<&str>) -> String {
        let mut url = format!("{}://", self.scheme);
        if let Some(u) = userinfo {
            url.push_str(u);
            url.push('@');
        }
        if self.host.contains(':') {
            url.push_str(&format!("[{}]", self.host));
        } else {
            url.push_str(&self.host);
        }
        if self.port != default_port(self.scheme) {
            url.push_str(&format!(":{}", self.port));
        }
        url.push_str(&self.rest);
        url
    }

    /// Resolve the host once and check every address; the pin makes git use exactly those.
    async fn check(&self, state: &AppState) -> ServiceResult<Option<Pin>> {
        let allow = Allowlist::parse(&state.config.security.local_network_allowlist);
        let addrs = allow.resolve(&self.host, self.port).await.map_err(|e| match e {
            Refusal::Unresolved => invalid("Clone address could not be resolved."),
            Refusal::Blocked => invalid(BLOCKED),
        })?;
        if self.host.parse::<IpAddr>().is_ok() {
            // An address literal is connected to as it is; there is nothing to resolve.
            return Ok(None);
        }
        Ok(Some(Pin { host: self.host.clone(), port: self.port, addrs }))
    }
}

fn default_port(scheme: &str) -> u16 {
    if scheme == "https" { 443 } else { 80 }
}

const BLOCKED: &str = "Clone address resolved to a local network address that is implicitly blocked.";

/// Turn the address into a clone source, refusing every transport but http(s) (and local paths
/// for those allowed), and hosts that resolve to non-public addresses unless the allowlist names
/// them. For a host name, the addresses it was checked with come back as the pin for git.
async fn source(state: &AppState, doer: &UserRow, m: &Migrate) -> ServiceResult<(Source, String, Option<Pin>)> {
    let addr = m.clone_addr.trim();
    if addr.chars().any(|c| c.is_control()) {
        return Err(invalid("Invalid clone address."));
    }
    let Some(http) = HttpAddr::parse(addr)? else {
        let (src, secret) = local_source(state, doer, addr)?;
        return Ok((src, secret, None));
    };
    let pin = http.check(state).await?;
    // Credentials may come in the address itself (the Python client's only way) or in the
    // auth fields, which replace them (as Gogs does).
    let (userinfo, secret) = if !m.auth_username.is_empty() || !m.auth_password.is_empty() {
        let user = utf8_percent_encode(&m.auth_username, NON_ALPHANUMERIC);
        let pass = utf8_percent_encode(&m.auth_password, NON_ALPHANUMERIC);
        (Some(format!("{user}:{pass}")), m.auth_password.clone())
    } else {
        let given = http.userinfo.clone();
        let secret = given.as_deref().and_then(|u| u.split_once(':')).map(|(_, p)| p.to_string()).unwrap_or_default();
        (given, secret)
    };
    Ok((Source::Url(http.url(userinfo.as_deref())), secret, pin))
}

/// `host[:port]` or `[v6]:port`; the host lower-cased and without a trailing dot.
fn split_host_port(authority: &str, default_port: u16) -> ServiceResult<(String, u16)> {
    let bad = || invalid("Invalid clone address.");
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (h, after) = rest.split_once(']').ok_or_else(bad)?;
        h.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
        if !after.is_empty() && !after.starts_with(':') {
            return Err(bad());
        }
        (h.to_ascii_lowercase(), after.strip_prefix(':'))
    } else {
        let (h, p) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let h = h.to_ascii_lowercase();
        let h = h.strip_suffix('.').unwrap_or(&h).to_string();
        if h.is_empty()
            || h.starts_with('.')
            || h.contains("..")
            || h.chars().any(|c| !(c.is_ascii_alphanumeric() || "-._".contains(c)))
        {
            return Err(bad());
        }
        (h, p)
    };
    let port = match port {
        Some(p) if !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()) => p.parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
        None => default_port,
    };
    Ok((host, port))
}

fn local_source(state: &AppState, doer: &UserRow, addr: &str) -> ServiceResult<(Source, String)> {
    if !state.config.repository.enable_local_path_migration || !(doer.is_admin || doer.allow_import_local) {
        return Err(invalid("You are not allowed to import local repositories."));
    }
    let path = Path::new(addr);
    let canonical = path.canonicalize().ok().filter(|p| path.is_absolute() && p.is_dir());
    match canonical {
        Some(p) => Ok((Source::Local(p), String::new())),
        None => Err(invalid("Invalid local path, it does not exist or not a directory.")),
    }
}

pub async fn migrate(state: &AppState, doer: &UserRow, m: &Migrate) -> ServiceResult<RepoRow> {
    let owner = if m.uid == doer.id {
        doer.clone()
    } else {
        let mut h = state.db.acquire().await?;
        let owner = users::by_id(h.conn(), m.uid).await?.ok_or_else(|| invalid("user does not exist"))?;
        if owner.kind == UserKind::Organization {
            if !doer.is_admin && !hearth_store::orgs::is_owner(h.conn(), owner.id, doer.id).await? {
                return Err(ServiceError::Forbidden("Given user is not owner of organization.".into()));
            }
        } else if !doer.is_admin {
            return Err(ServiceError::Forbidden("Given user is not an organization.".into()));
        }
        owner
    };
    check_repo_name(&m.repo_name)?;
    {
        let mut h = state.db.acquire().await?;
        if repos::by_name(h.conn(), owner.id, &m.repo_name).await?.is_some() {
            return Err(repo_exists(&owner, &m.repo_name));
        }
    }
    let (src, secret, pin) = source(state, doer, m).await?;
    let remote_is_local = matches!(src, Source::Local(_));
    let scratch = disk::scratch_repo(&state.config, "migrate");
    let timeout = state.config.git.migrate_timeout;
    if let Err(e) = remote::clone_mirror(&src, &scratch, timeout, &secret, pin.as_ref()).await {
        disk::remove_scratch(&state.config, &scratch).await;
        tracing::warn!(error = %e, "migration clone failed");
        return Err(ServiceError::Invalid(format!(
            "Failed to clone the repository: {}",
            redact_userinfo(&e.to_string())
        )));
    }
    match finish(state, &owner, m, &scratch, remote_is_local, None).await {
        Ok(row) => Ok(row),
        Err(e) => {
            disk::remove_scratch(&state.config, &scratch).await;
            Err(e)
        }
    }
}

/// Inspect the clone, record the row and move the directory into place, all or nothing.
async fn finish(
    state: &AppState,
    owner: &UserRow,
    m: &Migrate,
    scratch: &Path,
    remote_is_local: bool,
    fork_of: Option<(i64, &UserRow)>,
) -> ServiceResult<RepoRow> {
    if !m.mirror {
        remote::remove_origin(scratch).await.map_err(anyhow::Error::from)?;
    }
    let dir = scratch.to_path_buf();
    let configured = state.config.repository.default_branch.clone();
    let (default_branch, has_branches, size) =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(String, bool, u64)> {
            let branches = hearth_git::list_branches(&dir)?;
            let head = hearth_git::head_branch(&dir)?;
            let default = match head {
                Some(h) if branches.iter().any(|b| b.name == h) => h,
                _ => branches.first().map(|b| b.name.clone()).unwrap_or(configured),
            };
            hearth_git::set_head(&dir, &default)?;
            Ok((default, !branches.is_empty(), hearth_git::repository_size(&dir)?))
        })
        .await
        .map_err(anyhow::Error::from)??;

    let final_path = repo_path(&state.config.repository.root, &owner.name, &m.repo_name);
    let now = now_unix();
    let mut tx = state.db.begin().await?;
    if repos::by_name(tx.conn(), owner.id, &m.repo_name).await?.is_some() {
        return Err(repo_exists(owner, &m.repo_name));
    }
    let new = NewRepo {
        owner_id: owner.id,
        name: &m.repo_name,
        description: &m.description,
        default_branch: &default_branch,
        is_private: m.private || state.config.repository.force_private,
        is_unlisted: false,
        is_bare: !has_branches,
        is_mirror: m.mirror,
        now,
    };
    // Two migrations or forks of one name race past the check above on PostgreSQL.
    let row = repos::insert(tx.conn(), &new).await.map_err(|e| match e {
        hearth_store::StoreError::Conflict(_) => repo_exists(owner, &m.repo_name),
        other => other.into(),
    })?;
    if let Some((parent, _)) = fork_of {
        // The fork references the source's Git LFS objects too (as Gitea's forks do; the forker
        // can read them in the source already), linked before its size is recorded, which
        // counts them.
        hearth_store::lfs::copy_links(tx.conn(), parent, row.id, now).await?;
    }
    repos::set_git_state(tx.conn(), row.id, !has_branches, &default_branch, size as i64, now).await?;
    if m.mirror {
        mirrors::insert(tx.conn(), row.id, state.config.mirror.default_interval_hours, remote_is_local, now).await?;
    }
    let mut hook_tasks = 0;
    if let Some((parent, doer)) = fork_of {
        repos::mark_fork(tx.conn(), row.id, parent).await?;
        // Forks go into the caller's own account: the new owner is the sender.
        hook_tasks = super::webhooks::payload::enqueue_fork(state, tx.conn(), parent, &row, owner, doer).await?;
        super::feeds::record(tx.conn(), hearth_store::actions::Op::CreateRepo, doer, row.id, "", 0, "").await?;
    }
    super::repos::place(scratch, &final_path, &m.repo_name).await?;
    if let Err(e) = tx.commit().await {
        if let Err(back) = disk::move_dir(&final_path, scratch) {
            tracing::error!(error = %back, "moving a repository back out after a failed commit");
        }
        hearth_git::forget(&final_path);
        return Err(e.into());
    }
    if hook_tasks > 0 {
        super::webhooks::wake(state);
    }
    let mut h = state.db.acquire().await?;
    Ok(repos::by_id(h.conn(), row.id).await?.unwrap_or(row))
}

/// What a fork may change about its source: the name and description (the web form's fields;
/// both default to the source's).
#[derive(Debug, Clone, Default)]
pub struct ForkAs {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// Fork `base` (owned by `base_owner`) into `owner`: a bare copy whose objects are hard links of
/// the parent's (git's local clone), independent of it afterwards, and a row marked as a fork that
/// references the parent's Git LFS objects (linked in the transaction that records the row).
pub async fn fork(
    state: &AppState,
    base_owner: &UserRow,
    base: &RepoRow,
    owner: &UserRow,
    doer: &UserRow,
    fork_as: &ForkAs,
) -> ServiceResult<RepoRow> {
    if owner.id == base.owner_id {
        return Err(invalid("A repository cannot be forked into its own owner."));
    }
    let name = fork_as.name.as_deref().map(str::trim).filter(|n| !n.is_empty()).unwrap_or(&base.name).to_string();
    check_repo_name(&name)?;
    let description = fork_as.description.clone().unwrap_or_else(|| base.description.clone());
    if description.chars().count() > 255 {
        return Err(ServiceError::Invalid("description must be at most 255 characters".into()));
    }
    {
        let mut h = state.db.acquire().await?;
        if repos::by_name(h.conn(), owner.id, &name).await?.is_some() {
            return Err(repo_exists(owner, &name));
        }
    }
    let limit =
        if owner.max_repo_creation >= 0 { owner.max_repo_creation } else { state.config.repository.max_creation_limit };
    if limit >= 0 && owner.num_repos >= limit {
        return Err(ServiceError::Invalid(format!("user has reached maximum limit of repositories [limit: {limit}]")));
    }
    let source = repo_path(&state.config.repository.root, &base_owner.name, &base.name);
    let scratch = disk::scratch_repo(&state.config, "fork");
    let timeout = state.config.git.migrate_timeout;
    if let Err(e) = remote::clone_mirror(&Source::Local(source), &scratch, timeout, "", None).await {
        disk::remove_scratch(&state.config, &scratch).await;
        return Err(ServiceError::Internal(anyhow::anyhow!("forking: {e}")));
    }
    let m = Migrate { repo_name: name, private: base.is_private, description, ..Migrate::default() };
    let made = finish(state, owner, &m, &scratch, false, Some((base.id, doer))).await;
    if made.is_err() {
        disk::remove_scratch(&state.config, &scratch).await;
    }
    made
}

/// Remove `user:password@` from any URL in a message.
pub(crate) fn redact_userinfo(message: &str) -> String {
    message
        .split(' ')
        .map(|word| match (word.find("://"), word.find('@')) {
            (Some(s), Some(at)) if at > s => format!("{}****{}", &word[..s + 3], &word[at..]),
            _ => word.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Fetch a pull mirror now and record the result.
pub async fn sync_mirror(state: &AppState, repo_id: i64) -> ServiceResult<()> {
    let (repo, owner, mirror) = {
        let mut h = state.db.acquire().await?;
        let repo = repos::by_id(h.conn(), repo_id).await?.ok_or(ServiceError::NotFound)?;
        let owner = users::by_id(h.conn(), repo.owner_id).await?.ok_or(ServiceError::NotFound)?;
        let mirror = mirrors::of_repo(h.conn(), repo_id).await?.ok_or(ServiceError::NotFound)?;
        (repo, owner, mirror)
    };
    let path = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    let timeout = state.config.git.mirror_timeout;
    // The remote is checked again on every sync (it may resolve elsewhere by now, and the
    // allowlist may have changed); a refused one is not contacted and counts as a failed sync.
    let fetched = match mirror_pin(state, &path, mirror.remote_is_local).await {
        Ok(pin) => remote::fetch_mirror(&path, mirror.enable_prune, mirror.remote_is_local, timeout, pin.as_ref())
            .await
            .map_err(|e| e.to_string()),
        Err(refused) => Err(refused),
    };
    let now = now_unix();
    if let Err(e) = &fetched {
        tracing::warn!(error = %redact_userinfo(e), repo = repo.id, "mirror update failed");
    }
    let dir = path.clone();
    let (has_branches, size) = tokio::task::spawn_blocking(move || -> anyhow::Result<(bool, u64)> {
        Ok((!hearth_git::list_branches(&dir)?.is_empty(), hearth_git::repository_size(&dir)?))
    })
    .await
    .map_err(anyhow::Error::from)??;
    let mut tx = state.db.begin().await?;
    if fetched.is_ok() {
        repos::set_git_state(tx.conn(), repo.id, !has_branches, &repo.default_branch, size as i64, now).await?;
    }
    mirrors::mark_synced(tx.conn(), repo.id, now).await?;
    if let Err(e) = &fetched {
        let text = format!("Mirror {}/{} could not be updated: {}", owner.name, repo.name, redact_userinfo(e));
        notices::record_on(tx.conn(), NoticeKind::Repository, &text).await?;
    }
    tx.commit().await?;
    fetched.map_err(|e| ServiceError::Internal(anyhow::anyhow!(redact_userinfo(&e))))
}

/// Check a mirror's remote as a migration's address is checked: the pin to fetch with, or why
/// the fetch may not happen. Mirrors of local paths need no network.
async fn mirror_pin(state: &AppState, repo: &Path, remote_is_local: bool) -> Result<Option<Pin>, String> {
    if remote_is_local {
        return Ok(None);
    }
    let url = remote::origin_url(repo)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the mirror has no remote".to_string())?;
    let http = HttpAddr::parse(&url)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| "the mirror's remote is not an http(s) address".to_string())?;
    http.check(state).await.map_err(|e| e.to_string())
}

/// When the next mirror falls due (unix seconds), if there is any mirror.
pub async fn next_mirror_due(state: &AppState) -> ServiceResult<Option<i64>> {
    let mut h = state.db.acquire().await?;
    Ok(mirrors::next_due(h.conn()).await?)
}

/// The background updater: fetch every mirror whose interval has passed.
pub async fn update_due_mirrors(state: &AppState) -> ServiceResult<usize> {
    let due = {
        let mut h = state.db.acquire().await?;
        mirrors::due(h.conn(), now_unix(), 20).await?
    };
    for m in &due {
        if let Err(e) = sync_mirror(state, m.repo_id).await {
            tracing::warn!(error = %e, repo = m.repo_id, "mirror update");
        }
    }
    Ok(due.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        assert_eq!(redact_userinfo("fatal: https://u:p@h/x failed"), "fatal: https://****@h/x failed");
        assert_eq!(redact_userinfo("no url here"), "no url here");
    }

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_port("h.example:8080", 80).unwrap(), ("h.example".to_string(), 8080));
        assert_eq!(split_host_port("h", 443).unwrap(), ("h".to_string(), 443));
        assert_eq!(split_host_port("[::1]:3000", 80).unwrap(), ("::1".to_string(), 3000));
        assert_eq!(split_host_port("H.Example.:8080", 80).unwrap(), ("h.example".to_string(), 8080));
        for bad in ["::1:80", "[::1]x", "[h]:80", ".h", "h..x", "h:", "h:+80", "h%2e", "h\\x"] {
            assert!(split_host_port(bad, 80).is_err(), "{bad}");
        }
        assert!(split_host_port("", 80).is_err());
        assert!(split_host_port("h:x", 80).is_err());
        assert!(split_host_port("a b", 80).is_err());
    }

    #[test]
    fn http_addresses_are_rebuilt_from_checked_parts() {
        let a = HttpAddr::parse("HTTPS://u:p%40ss@Git.Example.COM./o/r.git?x#y").unwrap().unwrap();
        assert_eq!((a.scheme, a.host.as_str(), a.port), ("https", "git.example.com", 443));
        assert_eq!(a.url(a.userinfo.as_deref()), "https://u:p%40ss@git.example.com/o/r.git?x#y");
        assert_eq!(a.url(Some("x:y")), "https://x:y@git.example.com/o/r.git?x#y");
        let b = HttpAddr::parse("http://[::1]:3000/x").unwrap().unwrap();
        assert_eq!((b.host.as_str(), b.url(None)), ("::1", "http://[::1]:3000/x".to_string()));
        assert_eq!(HttpAddr::parse("http://h:80").unwrap().unwrap().url(None), "http://h");
        assert_eq!(HttpAddr::parse("http://h:8080/").unwrap().unwrap().url(None), "http://h:8080/");
        assert!(HttpAddr::parse("/srv/git/x").unwrap().is_none());
        assert!(HttpAddr::parse("ssh://h/x").unwrap().is_none());
        // Userinfo that another URL parser could read differently is refused.
        for bad in ["http://a@b@h/", "http://a\\@h/", "http://a b@h/", "http://u:p@h:1:2/", "http://@/"] {
            assert!(HttpAddr::parse(bad).is_err(), "{bad}");
        }
    }
}
