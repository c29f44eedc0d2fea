//! Site administration: the dashboard's counts, the effective configuration (secrets redacted),
//! the login sources and the list of accounts.

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::stats::{self, Counts};
use hearth_store::users::{self, UserRow};
use hearth_store::{Db, UserKind, Window, orgs as org_store};
use serde_json::{Value, json};

use super::{ServiceResult, now_unix};
use crate::config::{Config, DatabaseKind};
use crate::types::LoginSource;

/// What every secret reads as in the configuration view.
pub const REDACTED: &str = "******";

pub async fn counts(db: &Db) -> ServiceResult<Counts> {
    let mut h = db.acquire().await?;
    Ok(stats::counts(h.conn()).await?)
}

/// The login sources: hearth has only the local password check.
pub async fn login_sources(db: &Db) -> ServiceResult<Vec<LoginSource>> {
    let mut h = db.acquire().await?;
    let since = users::first_created(h.conn()).await?.unwrap_or_else(now_unix);
    Ok(vec![LoginSource::local(since)])
}

/// When this process began serving; touched when the routes are built, read by the dashboard.
static STARTED: LazyLock<Instant> = LazyLock::new(Instant::now);

/// Note the start (the first call wins; later servers in the same process share it).
pub fn mark_started() {
    LazyLock::force(&STARTED);
}

/// How long the process has been up.
pub fn uptime() -> Duration {
    STARTED.elapsed()
}

/// A page of accounts of one kind whose name or full name contains `q` (the admin pages' search).
pub async fn find_accounts(db: &Db, kind: UserKind, q: &str, w: Window) -> ServiceResult<(Vec<UserRow>, i64)> {
    let mut h = db.acquire().await?;
    Ok(users::explore(h.conn(), kind, q.trim(), w).await?)
}

/// An organisation on the admin list, with its member count.
pub struct OrgEntry {
    pub org: UserRow,
    pub members: i64,
}

/// A page of organisations matching `q`, each with its member count (two queries a page).
pub async fn find_orgs(db: &Db, q: &str, w: Window) -> ServiceResult<(Vec<OrgEntry>, i64)> {
    let mut h = db.acquire().await?;
    let (orgs, total) = users::explore(h.conn(), UserKind::Organization, q.trim(), w).await?;
    let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
    let counts = org_store::member_counts(h.conn(), &ids).await?;
    let entries = orgs
        .into_iter()
        .map(|org| {
            let members = counts.iter().find(|(id, _)| *id == org.id).map_or(0, |(_, n)| *n);
            OrgEntry { org, members }
        })
        .collect();
    Ok((entries, total))
}

/// A repository on the admin list, with its owner's name.
pub struct RepoEntry {
    pub repo: RepoRow,
    pub owner: String,
}

/// A page of every repository (private ones too) matching `q`, with owner names (two queries).
pub async fn find_repos(db: &Db, q: &str, w: Window) -> ServiceResult<(Vec<RepoEntry>, i64)> {
    let mut h = db.acquire().await?;
    let (repos, total) = repo_store::search_all(h.conn(), q.trim(), w).await?;
    let mut owner_ids: Vec<i64> = repos.iter().map(|r| r.owner_id).collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners = users::by_ids(h.conn(), &owner_ids).await?;
    let entries = repos
        .into_iter()
        .map(|repo| {
            let owner = owners.iter().find(|o| o.id == repo.owner_id).map(|o| o.name.clone()).unwrap_or_default();
            RepoEntry { repo, owner }
        })
        .collect();
    Ok((entries, total))
}

/// An individual account by id (the admin pages address accounts by id, as Gogs' do).
pub async fn account_by_id(db: &Db, id: i64) -> ServiceResult<UserRow> {
    let mut h = db.acquire().await?;
    match users::by_id(h.conn(), id).await? {
        Some(u) if u.kind == UserKind::Individual => Ok(u),
        _ => Err(super::ServiceError::NotFound),
    }
}

/// A page of individual accounts, by name, filtered like Gitea's admin search.
pub async fn search_users(
    db: &Db,
    login_name: &str,
    source_id: i64,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<UserRow>, i64)> {
    let mut h = db.acquire().await?;
    Ok(users::admin_search(h.conn(), login_name, source_id, limit, offset).await?)
}

/// The configuration in effect, by `app.ini` section and key, with values typed (durations in the
/// unit their key takes). Built field by field, so a new setting appears only once it is added here
/// (and a new secret cannot leak by default); secrets read [`REDACTED`] when set.
pub fn effective_config(c: &Config, external_url: &str) -> Value {
    let secs = |d: std::time::Duration| d.as_secs();
    let secret = |s: &str| if s.is_empty() { "" } else { REDACTED };
    json!({
        "server": {
            "APP_DATA_PATH": c.server.data_dir,
            "HTTP_ADDR": c.server.http_addr,
            "HTTP_PORT": c.server.http_port,
            "EXTERNAL_URL": external_url,
            "MAX_API_BODY_BYTES": c.server.max_body_bytes,
            "SSH_DOMAIN": c.ssh.domain,
            "SSH_PORT": c.ssh.port,
            "RUN_USER": c.ssh.run_user,
            "START_SSH_SERVER": c.ssh.start,
            "SSH_LISTEN_HOST": c.ssh.listen_host,
            "SSH_LISTEN_PORT": c.ssh.listen_port,
            "SSH_SERVER_CIPHERS": c.ssh.ciphers,
            "SSH_HANDSHAKE_TIMEOUT": secs(c.ssh.handshake_timeout),
            "SSH_IDLE_TIMEOUT": secs(c.ssh.idle_timeout),
            "SSH_MAX_SESSIONS": c.ssh.max_sessions,
        },
        "database": {
            "TYPE": match c.database.kind { DatabaseKind::Sqlite => "sqlite3", DatabaseKind::Postgres => "postgres" },
            "PATH": c.database.path,
            "HOST": c.database.host,
            "NAME": c.database.name,
            "USER": c.database.user,
            "PASSWORD": secret(&c.database.password),
            "SSL_MODE": c.database.ssl_mode,
            "URL": redact_url(&c.database.url),
            "MAX_OPEN_CONNS": c.database.max_connections,
        },
        "repository": {
            "ROOT": c.repository.root,
            "DEFAULT_BRANCH": c.repository.default_branch,
            "FORCE_PRIVATE": c.repository.force_private,
            "MAX_CREATION_LIMIT": c.repository.max_creation_limit,
            "ENABLE_LOCAL_PATH_MIGRATION": c.repository.enable_local_path_migration,
        },
        "security": {
            "DISABLE_QUERY_AUTH_TOKEN": c.security.disable_query_auth_token,
            "STRICT_TOKEN_AUTH": c.security.strict_token_auth,
            "LOCAL_NETWORK_ALLOWLIST": c.security.local_network_allowlist,
            "LOGIN_FAILURE_NAME_BURST": c.security.login_failure_name_burst,
            "LOGIN_FAILURE_IP_BURST": c.security.login_failure_ip_burst,
            "LOGIN_FAILURE_REFILL_SECONDS": c.security.login_failure_refill.as_secs_f64(),
            "SECRET_KEY": secret(&c.security.secret_key),
            "ARGON2_MEMORY_KIB": c.password.argon2_memory_kib,
            "ARGON2_ITERATIONS": c.password.argon2_iterations,
            "MIN_PASSWORD_LENGTH": c.password.min_length,
        },
        "auth": {
            "REQUIRE_SIGNIN_VIEW": c.auth.require_signin_view,
            "REQUIRE_EMAIL_CONFIRMATION": c.auth.require_email_confirmation,
        },
        "webhook": {
            "DELIVER_TIMEOUT": secs(c.webhook.deliver_timeout),
            "SKIP_TLS_VERIFY": c.webhook.skip_tls_verify,
            "MAX_ATTEMPTS": c.webhook.max_attempts,
            "RETRY_BACKOFF_MS": c.webhook.retry_backoff.as_millis() as u64,
            "DELIVER_CONCURRENCY": c.webhook.concurrency,
        },
        "mirror": {
            "DEFAULT_INTERVAL": c.mirror.default_interval_hours,
            "CHECK_INTERVAL_SECONDS": secs(c.mirror.check_interval),
        },
        "git.timeout": {
            "MIGRATE": secs(c.git.migrate_timeout),
            "MIRROR": secs(c.git.mirror_timeout),
        },
        "api": { "MAX_RESPONSE_ITEMS": c.api.max_response_items },
        "ui": { "ISSUE_PAGING_NUM": c.ui.issue_paging_num },
        "picture": {
            "DISABLE_GRAVATAR": c.picture.disable_gravatar,
            "GRAVATAR_SOURCE": redact_url(&c.picture.gravatar_source),
        },
        "admin": { "DISABLE_REGULAR_ORG_CREATION": c.admin.disable_regular_org_creation },
        "http": { "ACCESS_CONTROL_ALLOW_ORIGIN": c.http.access_control_allow_origin },
    })
}

/// A URL with the password of its user part and the values of password-like query parameters
/// replaced by [`REDACTED`] (`postgres://u:******@h/db?sslmode=disable`).
pub fn redact_url(url: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let mut out = match base.find("://") {
        Some(i) => {
            let (scheme, rest) = base.split_at(i + 3);
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, host)) => {
                    let user = match userinfo.split_once(':') {
                        Some((user, _)) => format!("{user}:{REDACTED}"),
                        None => userinfo.to_string(),
                    };
                    format!("{scheme}{user}@{host}{path}")
                }
                None => base.to_string(),
            }
        }
        None => base.to_string(),
    };
    if let Some(q) = query {
        let pairs: Vec<String> = q
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_secret_key(k) => format!("{k}={REDACTED}"),
                _ => pair.to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Query keys that carry secrets (libpq's `password`, `sslpassword`, and token-like names).
fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["password", "passwd", "secret", "token", "key"].iter().any(|s| k.contains(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_secrets() {
        assert_eq!(redact_url(""), "");
        assert_eq!(
            redact_url("postgres://u:p@h:5432/db?sslmode=disable"),
            "postgres://u:******@h:5432/db?sslmode=disable"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("postgres://u:p:q@x@h/db"), "postgres://u:******@h/db");
        assert_eq!(
            redact_url("postgres://h/db?user=u&password=p&sslpassword=s&sslmode=require"),
            "postgres://h/db?user=u&password=******&sslpassword=******&sslmode=require"
        );
        assert_eq!(redact_url("https://secure.gravatar.com/avatar/"), "https://secure.gravatar.com/avatar/");
    }

    #[test]
    fn the_database_password_is_never_shown() {
        let mut raw = crate::config::RawConfig::default();
        raw.set("database", "PASSWORD", "hunter2-secret");
        raw.set("database", "URL", "postgres://hearth:url-secret@db.example/hearth?password=q-secret");
        let config = Config::from_raw(&raw, &crate::config::Overrides::default()).unwrap();
        let text = effective_config(&config, "http://h/").to_string();
        for secret in ["hunter2-secret", "url-secret", "q-secret"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let view = effective_config(&config, "http://h/");
        assert_eq!(view["database"]["PASSWORD"], REDACTED);
        assert_eq!(view["database"]["URL"], "postgres://hearth:******@db.example/hearth?password=******");
        assert_eq!(view["server"]["EXTERNAL_URL"], "http://h/");
    }
}
