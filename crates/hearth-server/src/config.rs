//! Configuration: Gogs-style `app.ini`, overridden by `HEARTH__SECTION__KEY` environment
//! variables, overridden by command-line flags. Sections and keys are case-insensitive.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, bail};

mod gogs;

/// `${NAME}` replaced by `env(NAME)` (empty when unset); a `$` not followed by `{…}` stays as it
/// is (passwords may hold one).
fn expand_env(value: &str, env: &impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else { break };
        let name = &rest[start + 2..start + 2 + len];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push_str(&rest[..start + 2]);
            rest = &rest[start + 2..];
            continue;
        }
        out.push_str(&rest[..start]);
        out.push_str(&env(name).unwrap_or_default());
        rest = &rest[start + 3 + len..];
    }
    out.push_str(rest);
    out
}

/// Where a raw value came from: the config file, or the environment variable named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File,
    Env(String),
}

/// Values as read, before typing: (lower-case section, upper-case key) → value and its origin.
/// Every key the typed configuration asks for is remembered, so that what is left over after
/// [`Config::from_raw`] can be reported (see [`RawConfig::unknown_settings`]).
#[derive(Debug, Default)]
pub struct RawConfig {
    values: HashMap<(String, String), (String, Origin)>,
    /// Sections the file names, also those without keys.
    sections: Vec<String>,
    asked: Mutex<HashSet<(String, String)>>,
}

impl Clone for RawConfig {
    fn clone(&self) -> RawConfig {
        RawConfig {
            values: self.values.clone(),
            sections: self.sections.clone(),
            asked: Mutex::new(self.asked.lock().unwrap().clone()),
        }
    }
}

/// The section `[DEFAULT]` (Gogs' name for the top level, and `HEARTH__DEFAULT__KEY`'s) is the
/// top level.
fn section_name(section: &str) -> String {
    if section.eq_ignore_ascii_case("default") { String::new() } else { section.to_lowercase() }
}

impl RawConfig {
    /// Parse `app.ini` text. Keys before any section belong to the section `""`. Values are read
    /// literally, as Gogs' INI reader does: a backslash is a backslash (`PASSWORD = a\b`), and
    /// `;` or `#` after a value is part of it (only whole lines are comments). `${NAME}` in a value
    /// is replaced by the environment variable `NAME` (empty when unset).
    pub fn parse_ini(text: &str) -> anyhow::Result<RawConfig> {
        RawConfig::parse_ini_with(text, |name| std::env::var(name).ok())
    }

    /// [`RawConfig::parse_ini`] with the environment given as a lookup.
    pub fn parse_ini_with(text: &str, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<RawConfig> {
        let options = ini::ParseOption { enabled_escape: false, ..ini::ParseOption::default() };
        let ini = ini::Ini::load_from_str_opt(text, options).context("parsing app.ini")?;
        let mut raw = RawConfig::default();
        for (section, props) in ini.iter() {
            let name = section_name(section.unwrap_or(""));
            if !raw.sections.contains(&name) {
                raw.sections.push(name);
            }
            for (key, value) in props.iter() {
                raw.set(section.unwrap_or(""), key, &expand_env(value, &env));
            }
        }
        Ok(raw)
    }

    /// Apply `HEARTH__<SECTION>__<KEY>=value` pairs (other variables are ignored).
    /// `HEARTH__<SECTION>__<KEY>__FILE=/path` reads the value from a file (Docker secrets; one
    /// trailing newline dropped), `_0X2E_` in a section name stands for a dot (Gitea's
    /// convention, for sections such as `log.console`), and the section `DEFAULT` is the top level
    /// (`HEARTH__DEFAULT__RUN_USER`).
    pub fn apply_env<I: IntoIterator<Item = (String, String)>>(&mut self, vars: I) -> anyhow::Result<()> {
        for (name, value) in vars {
            let Some(rest) = name.strip_prefix("HEARTH__").or_else(|| name.strip_prefix("hearth__")) else {
                continue;
            };
            let Some((section, key)) = rest.split_once("__") else { continue };
            let section = section.replace("_0X2E_", ".").replace("_0x2e_", ".");
            let origin = Origin::Env(name.clone());
            match key.strip_suffix("__FILE").or_else(|| key.strip_suffix("__file")) {
                Some(key) => {
                    let text = std::fs::read_to_string(&value).with_context(|| format!("{name}: reading {value}"))?;
                    let text = text.strip_suffix('\n').unwrap_or(&text);
                    self.set_from(&section, key, text.strip_suffix('\r').unwrap_or(text), origin);
                }
                None => self.set_from(&section, key, &value, origin),
            }
        }
        Ok(())
    }

    /// Set a value as if the config file held it.
    pub fn set(&mut self, section: &str, key: &str, value: &str) {
        self.set_from(section, key, value, Origin::File);
    }

    fn set_from(&mut self, section: &str, key: &str, value: &str, origin: Origin) {
        self.values.insert((section_name(section), key.to_uppercase()), (value.trim().to_string(), origin));
    }

    /// The value of `[section] KEY` (`section` lower-case, `key` upper-case; `""` is the top level).
    pub fn get(&self, section: &str, key: &str) -> Option<&str> {
        let id = (section.to_string(), key.to_string());
        let value = self.values.get(&id).map(|(v, _)| v.as_str());
        self.asked.lock().unwrap().insert(id);
        value
    }

    /// The first of several names for one setting that is set, the environment's before the
    /// file's (an override wins whichever name it uses), else in the order given.
    fn first_set<'n>(&self, names: &[(&'n str, &'n str)]) -> Option<(&'n str, &'n str, &str)> {
        let found: Vec<((&str, &str, &str), bool)> = names
            .iter()
            .filter_map(|&(s, k)| {
                let from_env = matches!(self.values.get(&(s.to_string(), k.to_string())), Some((_, Origin::Env(_))));
                self.get(s, k).map(|v| ((s, k, v), from_env))
            })
            .collect();
        found.iter().find(|(_, env)| *env).or(found.first()).map(|(named, _)| *named)
    }

    /// [`RawConfig::first_set`]'s value.
    fn first_value(&self, names: &[(&str, &str)]) -> Option<&str> {
        self.first_set(names).map(|(_, _, v)| v)
    }

    /// One line per setting that neither hearth (it was never asked for) nor Gogs knows, naming
    /// it, and where it came from (`file` names the config file). A section unknown to both is
    /// reported once, not key by key. Meaningful after [`Config::from_raw`], which asks for every
    /// setting hearth reads.
    pub fn unknown_settings(&self, file: &str) -> Vec<String> {
        let asked = self.asked.lock().unwrap();
        let known_section = |s: &str| gogs::knows_section(s) || asked.iter().any(|(a, _)| a == s);
        let name = |s: &str, k: &str| if s.is_empty() { format!("{k} (top level)") } else { format!("[{s}] {k}") };
        let mut out = Vec::new();
        let mut sections: Vec<&String> = self.sections.iter().filter(|s| !s.is_empty() && !known_section(s)).collect();
        sections.sort();
        for section in sections {
            out.push(format!("unknown section [{section}] in {file}, ignored"));
        }
        let mut keys: Vec<_> = self.values.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        for ((section, key), (_, origin)) in keys {
            if asked.contains(&(section.clone(), key.clone())) || gogs::knows(section, key) {
                continue;
            }
            match origin {
                Origin::File if !known_section(section) => {}
                Origin::File => out.push(format!("unknown setting {} in {file}, ignored", name(section, key))),
                Origin::Env(var) => out.push(format!("unknown setting {} from {var}, ignored", name(section, key))),
            }
        }
        out
    }

    fn string(&self, section: &str, key: &str, default: &str) -> String {
        self.get(section, key).unwrap_or(default).to_string()
    }

    fn boolean(&self, section: &str, key: &str, default: bool) -> anyhow::Result<bool> {
        match self.get(section, key) {
            None => Ok(default),
            Some(v) => parse_bool(section, key, v),
        }
    }

    /// A boolean under the first of several names that is set (see [`RawConfig::first_set`]);
    /// false when none is.
    fn first_boolean(&self, names: &[(&str, &str)]) -> anyhow::Result<bool> {
        match self.first_set(names) {
            None => Ok(false),
            Some((section, key, v)) => parse_bool(section, key, v),
        }
    }

    fn number<T: std::str::FromStr>(&self, section: &str, key: &str, default: T) -> anyhow::Result<T> {
        match self.get(section, key) {
            None | Some("") => Ok(default),
            Some(v) => v.parse().map_err(|_| anyhow::anyhow!("[{section}] {key}: `{v}` is not a number")),
        }
    }
}

fn parse_bool(section: &str, key: &str, v: &str) -> anyhow::Result<bool> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "on" | "yes" => Ok(true),
        "false" | "0" | "off" | "no" | "" => Ok(false),
        _ => bail!("[{section}] {key}: `{v}` is not a boolean"),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

#[derive(Debug, Clone)]
pub struct DatabaseConfig {
    pub kind: DatabaseKind,
    /// SQLite file.
    pub path: PathBuf,
    pub host: String,
    pub name: String,
    pub user: String,
    pub password: String,
    pub ssl_mode: String,
    /// A full PostgreSQL URL; wins over host/name/user/password when set.
    pub url: String,
    pub max_connections: u32,
}

impl DatabaseConfig {
    /// The PostgreSQL connection URL from `URL` or Gogs' separate keys.
    pub fn postgres_url(&self) -> String {
        if !self.url.is_empty() {
            return self.url.clone();
        }
        let enc = |s: &str| percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string();
        let auth = match (self.user.is_empty(), self.password.is_empty()) {
            (true, _) => String::new(),
            (false, true) => format!("{}@", enc(&self.user)),
            (false, false) => format!("{}:{}@", enc(&self.user), enc(&self.password)),
        };
        let ssl = if self.ssl_mode.is_empty() { "disable" } else { &self.ssl_mode };
        format!("postgres://{auth}{}/{}?sslmode={ssl}", self.host, self.name)
    }
}

/// `[database] SSL_MODE`: one of libpq's modes, so that a typo (or a trailing comment, which is
/// part of the value) is a start-up error rather than a connection string PostgreSQL rejects.
fn ssl_mode(raw: &RawConfig) -> anyhow::Result<String> {
    const MODES: [&str; 6] = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"];
    let value = raw.string("database", "SSL_MODE", "disable");
    if value.is_empty() {
        return Ok("disable".into());
    }
    if !MODES.contains(&value.as_str()) {
        bail!("[database] SSL_MODE: `{value}` is not one of {}", MODES.join(", "));
    }
    Ok(value)
}

/// Typed configuration with Gogs' defaults (and hearth's where the spec says so), one struct per
/// `app.ini` section (a few sections are grouped by what they configure: the SSH keys live in
/// Gogs' `[server]`, the password-hashing and login-limit keys in `[security]`).
#[derive(Debug, Clone)]
pub struct Config {
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub repository: RepositoryConfig,
    pub ssh: SshConfig,
    pub security: SecurityConfig,
    pub password: PasswordConfig,
    pub auth: AuthConfig,
    pub webhook: WebhookConfig,
    pub email: EmailConfig,
    pub mirror: MirrorConfig,
    pub git: GitConfig,
    pub api: ApiConfig,
    pub ui: UiConfig,
    pub picture: PictureConfig,
    pub admin: AdminConfig,
    pub http: HttpConfig,
    pub metrics: MetricsConfig,
    pub oauth2: OAuth2Config,
    pub log: LogConfig,
    pub lfs: LfsConfig,
    /// Settings in the file or the environment that neither hearth nor Gogs knows, one line each
    /// (filled by [`Config::load`]; see [`Config::warn_unknown_settings`]).
    pub unknown_settings: Vec<String>,
}

/// `[server]`: where to listen and where data lives.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// `APP_DATA_PATH` (`--data`).
    pub data_dir: PathBuf,
    pub http_addr: String,
    pub http_port: u16,
    /// `EXTERNAL_URL` (alias `ROOT_URL`), always ending in `/`; `None` means
    /// `http://127.0.0.1:<bound port>/`, resolved when the listener is known.
    pub external_url: Option<String>,
    /// `MAX_API_BODY_BYTES`: larger API request bodies get 413.
    pub max_body_bytes: usize,
    /// This server process's own scratch directory under `<data>/tmp/`, once `hearth web` has
    /// claimed it (see `service::disk::claim_scratch`); other processes use `<data>/tmp` itself.
    pub scratch_dir: Option<PathBuf>,
    /// `REPLICA_NAME`: how this process is named among servers sharing one database (in its
    /// leases and its scratch directory; a random suffix keeps two processes apart). Default: `hearth`.
    pub replica_name: String,
}

/// `[repository]` (and `[admin]`'s organisation switch lives in [`AdminConfig`]).
#[derive(Debug, Clone)]
pub struct RepositoryConfig {
    /// `ROOT`: where repositories live.
    pub root: PathBuf,
    pub default_branch: String,
    /// `FORCE_PRIVATE`: every new repository is private.
    pub force_private: bool,
    /// `MAX_CREATION_LIMIT` (-1: unlimited), overridden per user.
    pub max_creation_limit: i64,
    /// `ENABLE_LOCAL_PATH_MIGRATION`: admins (and users allowed to) may migrate from a directory
    /// on this host.
    pub enable_local_path_migration: bool,
}

/// SSH: the `ssh_url` of repositories (`[server] SSH_DOMAIN`, `SSH_PORT`, and `RUN_USER`, read at
/// the top level as Gogs has it or under `[server]`; the domain defaults to the external URL's host) and the built-in server (`START_SSH_SERVER`,
/// `SSH_LISTEN_HOST` (default HTTP_ADDR), `SSH_LISTEN_PORT` (default SSH_PORT), its limits and
/// `SSH_SERVER_CIPHERS`).
#[derive(Debug, Clone)]
pub struct SshConfig {
    pub domain: Option<String>,
    pub port: u16,
    pub run_user: String,
    pub start: bool,
    pub listen_host: String,
    pub listen_port: u16,
    pub handshake_timeout: Duration,
    pub idle_timeout: Duration,
    pub max_sessions: usize,
    /// In preference order (empty: russh's defaults).
    pub ciphers: Vec<String>,
}

/// `[security]`: token transport, outbound requests, login limits.
#[derive(Debug, Clone)]
pub struct SecurityConfig {
    pub disable_query_auth_token: bool,
    /// Refuse Basic auth on routes Gogs reserves for tokens (Gogs' strict behaviour).
    pub strict_token_auth: bool,
    pub local_network_allowlist: String,
    /// `LOGIN_FAILURE_NAME_BURST` and `LOGIN_FAILURE_IP_BURST`: failed password logins allowed in
    /// a row per login name tried and per client address (0: no limit) before logins there get
    /// 429; one more is regained every `LOGIN_FAILURE_REFILL_SECONDS` (fractions allowed).
    pub login_failure_name_burst: u32,
    pub login_failure_ip_burst: u32,
    pub login_failure_refill: Duration,
    /// `LOGIN_REMEMBER_DAYS`: how long a web session lasts ("Remember me" keeps the cookie as long).
    pub login_remember_days: i64,
    /// `SECRET_KEY`: the key secrets at rest (TOTP secrets) are sealed with. Empty: a random key
    /// kept in `secret_key` under the data directory, made on first start.
    pub secret_key: String,
}

/// Argon2id cost of new password hashes (`[security] ARGON2_MEMORY_KIB`, `ARGON2_ITERATIONS`) and
/// the shortest new password (`[security] MIN_PASSWORD_LENGTH`, Gitea's key; default 1: any
/// non-empty password, as Gogs).
#[derive(Debug, Clone)]
pub struct PasswordConfig {
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub min_length: usize,
}

/// `[auth]`.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    pub require_signin_view: bool,
    pub require_email_confirmation: bool,
    /// `[service] DISABLE_REGISTRATION`: no sign-up page (accounts come from admins only).
    pub disable_registration: bool,
    /// `TRUSTED_PROXY_IPS`: peers whose `X-Forwarded-For` names the client (IPs or CIDRs).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `RESET_PASSWORD_CODE_LIVES`: minutes a password-reset link works (Gogs' 180).
    pub reset_password_code_lives: i64,
    /// `ACTIVATE_CODE_LIVES`: minutes an activation link works (Gogs' 180).
    pub activate_code_lives: i64,
}

/// `[metrics]`: Prometheus text at `/metrics` when `ENABLED`, behind `Bearer TOKEN` when set.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    pub enabled: bool,
    pub token: String,
}

/// `[oauth2]`: the OAuth2 provider (Gitea's section and defaults).
#[derive(Debug, Clone)]
pub struct OAuth2Config {
    /// `ENABLED`: serve `/login/oauth/…` and `/.well-known/openid-configuration` (404 otherwise).
    pub enabled: bool,
    /// `ACCESS_TOKEN_EXPIRATION_TIME`: seconds an access token (and an ID token) lives (3600).
    pub access_token_lifetime: i64,
    /// `REFRESH_TOKEN_EXPIRATION_TIME`: hours a refresh token lives (730).
    pub refresh_token_lifetime_hours: i64,
    /// `INVALIDATE_REFRESH_TOKENS`: a refresh token works once (rotation); default true.
    pub invalidate_refresh_tokens: bool,
    /// `JWT_SIGNING_PRIVATE_KEY_FILE`: the RS256 key that signs ID tokens, PKCS#8 PEM; made when
    /// missing (`<data>/jwt/private.pem`).
    pub signing_key_file: PathBuf,
}

/// `[lfs]`: Git LFS over HTTP. `ENABLED` (default true), `OBJECTS_PATH` (Gogs' key; `PATH` is
/// read too; default `lfs-objects` under the data directory) where objects live content-addressed,
/// and `MAX_FILE_SIZE` in bytes (0: no limit).
#[derive(Debug, Clone)]
pub struct LfsConfig {
    pub enabled: bool,
    pub objects_path: PathBuf,
    pub max_file_size: u64,
}

/// `[log]`: `LEVEL` (a tracing filter: `info`, `debug`, `info,hearth_server=debug`, …) and
/// `FORMAT` (`text` or `json`).
#[derive(Debug, Clone)]
pub struct LogConfig {
    pub level: String,
    pub json: bool,
}

/// `[webhook]`: `DELIVER_TIMEOUT`, `SKIP_TLS_VERIFY`, and hearth's retry policy (`MAX_ATTEMPTS`,
/// `RETRY_BACKOFF_MS`) and `DELIVER_CONCURRENCY` (repositories at once).
#[derive(Debug, Clone)]
pub struct WebhookConfig {
    pub deliver_timeout: Duration,
    pub skip_tls_verify: bool,
    pub max_attempts: i64,
    pub retry_backoff: Duration,
    pub concurrency: usize,
}

/// `[email]` (Gogs 0.12+; 0.11's `[mailer]` names are read too): the SMTP server notification
/// e-mail goes through. `HOST` is `host:port`; port 465 speaks TLS from the start, any other port
/// upgrades with STARTTLS when the server offers it (as Gogs).
#[derive(Debug, Clone)]
pub struct EmailConfig {
    pub enabled: bool,
    pub host: String,
    pub port: u16,
    pub from: String,
    pub user: String,
    pub password: String,
    pub subject_prefix: String,
    pub skip_verify: bool,
}

/// `[mirror]`: `DEFAULT_INTERVAL` in hours (stored per mirror), and how often the updater looks
/// for due mirrors (`CHECK_INTERVAL_SECONDS`).
#[derive(Debug, Clone)]
pub struct MirrorConfig {
    pub default_interval_hours: i64,
    pub check_interval: Duration,
}

/// `[git.timeout]`: `MIGRATE` and `MIRROR`.
#[derive(Debug, Clone)]
pub struct GitConfig {
    pub migrate_timeout: Duration,
    pub mirror_timeout: Duration,
}

/// `[api] MAX_RESPONSE_ITEMS`: the largest `limit`.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    pub max_response_items: i64,
}

/// `[ui] ISSUE_PAGING_NUM`.
#[derive(Debug, Clone)]
pub struct UiConfig {
    pub issue_paging_num: i64,
}

/// `[picture]`: avatar URLs.
#[derive(Debug, Clone)]
pub struct PictureConfig {
    pub disable_gravatar: bool,
    pub gravatar_source: String,
}

/// `[admin] DISABLE_REGULAR_ORG_CREATION`: only site admins may create organisations.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    pub disable_regular_org_creation: bool,
}

/// `[http] ACCESS_CONTROL_ALLOW_ORIGIN`: CORS headers on every response when set.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    pub access_control_allow_origin: String,
}

/// `[auth] TRUSTED_PROXY_IPS`: comma-separated IPs and CIDRs.
fn trusted_proxies(text: &str) -> anyhow::Result<Vec<ipnet::IpNet>> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| anyhow::anyhow!("[auth] TRUSTED_PROXY_IPS: `{t}` is not an IP address or CIDR"))
        })
        .collect()
}

/// Command-line flags, which override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub port: Option<u16>,
}

impl Config {
    /// Load from an optional `app.ini`, the process environment and the flags.
    pub fn load(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Config> {
        let mut raw = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
                RawConfig::parse_ini(&text)?
            }
            None => RawConfig::default(),
        };
        raw.apply_env(std::env::vars())?;
        let mut config = Config::from_raw(&raw, flags)?.absolute()?;
        let file = file.map(|p| p.display().to_string()).unwrap_or_default();
        config.unknown_settings = raw.unknown_settings(&file);
        Ok(config)
    }

    /// Log one warning per unknown setting (once, at start, after the logger is installed).
    pub fn warn_unknown_settings(&self) {
        for line in &self.unknown_settings {
            tracing::warn!("{line}");
        }
    }

    /// Make every path the server keeps absolute, once, against the current directory: git runs
    /// with the repository as its working directory, where a relative path means something else.
    pub fn absolute(mut self) -> anyhow::Result<Config> {
        let abs = |p: &Path| std::path::absolute(p).with_context(|| format!("resolving {}", p.display()));
        self.server.data_dir = abs(&self.server.data_dir)?;
        self.repository.root = abs(&self.repository.root)?;
        self.database.path = abs(&self.database.path)?;
        self.lfs.objects_path = abs(&self.lfs.objects_path)?;
        Ok(self)
    }

    /// hearth's own git hooks (see `hearth_git::transport::install_hooks`).
    pub fn hooks_dir(&self) -> PathBuf {
        self.server.data_dir.join("hooks")
    }

    /// Scratch space: repositories being created, migrated or forked, uploads, push logs. A
    /// server's own directory under `<data>/tmp/` (removed once its process is gone), else
    /// `<data>/tmp` itself.
    pub fn tmp_dir(&self) -> PathBuf {
        self.server.scratch_dir.clone().unwrap_or_else(|| self.scratch_root())
    }

    /// `<data>/tmp`: every process's scratch space is in it.
    pub fn scratch_root(&self) -> PathBuf {
        self.server.data_dir.join("tmp")
    }

    /// Gists' bare repositories, `<data>/gists/<id>.git`: outside the repository root, so no
    /// owner or repository name can reach them.
    pub fn gists_dir(&self) -> PathBuf {
        self.server.data_dir.join("gists")
    }

    /// Where start-up moves repository directories that have no database row.
    pub fn quarantine_dir(&self) -> PathBuf {
        self.server.data_dir.join("quarantine")
    }

    pub fn from_raw(raw: &RawConfig, flags: &Overrides) -> anyhow::Result<Config> {
        let data_dir =
            flags.data_dir.clone().unwrap_or_else(|| PathBuf::from(raw.string("server", "APP_DATA_PATH", "data")));
        let in_data = |p: String| {
            let p = PathBuf::from(p);
            if p.is_absolute() { p } else { data_dir.join(p) }
        };
        let http_port = match flags.port {
            Some(p) => p,
            None => raw.number("server", "HTTP_PORT", 3000u16)?,
        };
        let external_url = raw
            .get("server", "EXTERNAL_URL")
            .or_else(|| raw.get("server", "ROOT_URL"))
            .filter(|s| !s.is_empty())
            .map(|s| if s.ends_with('/') { s.to_string() } else { format!("{s}/") });
        // Gogs 0.11's names (`DB_TYPE`, `PASSWD`, `[service]`) still count, as they did in Gogs 0.12.
        let kind = match raw
            .first_value(&[("database", "TYPE"), ("database", "DB_TYPE")])
            .unwrap_or("sqlite3")
            .to_lowercase()
            .as_str()
        {
            "sqlite" | "sqlite3" => DatabaseKind::Sqlite,
            "postgres" | "postgresql" => DatabaseKind::Postgres,
            other => bail!("[database] TYPE: `{other}` is not supported (sqlite3 or postgres)"),
        };
        let database = DatabaseConfig {
            kind,
            path: in_data(raw.string("database", "PATH", "hearth.db")),
            host: raw.string("database", "HOST", "127.0.0.1:5432"),
            name: raw.string("database", "NAME", "hearth"),
            user: raw.string("database", "USER", ""),
            password: raw.first_value(&[("database", "PASSWORD"), ("database", "PASSWD")]).unwrap_or("").to_string(),
            ssl_mode: ssl_mode(raw)?,
            url: raw.string("database", "URL", ""),
            max_connections: raw.number("database", "MAX_OPEN_CONNS", 8u32)?.max(1),
        };
        let http_addr = raw.string("server", "HTTP_ADDR", "127.0.0.1");
        let ssh_port = raw.number("server", "SSH_PORT", 22u16)?;
        let secs = |section: &str, key: &str, default: u64| -> anyhow::Result<Duration> {
            Ok(Duration::from_secs(raw.number(section, key, default)?))
        };
        Ok(Config {
            ssh: SshConfig {
                domain: raw.get("server", "SSH_DOMAIN").filter(|s| !s.is_empty()).map(str::to_string),
                port: ssh_port,
                // Gogs reads RUN_USER at the top level; hearth also under [server]. The top level
                // wins when both are set in the same place (file or environment).
                run_user: raw.first_value(&[("", "RUN_USER"), ("server", "RUN_USER")]).unwrap_or("git").to_string(),
                start: raw.boolean("server", "START_SSH_SERVER", false)?,
                listen_host: raw.string("server", "SSH_LISTEN_HOST", &http_addr),
                listen_port: raw.number("server", "SSH_LISTEN_PORT", ssh_port)?,
                handshake_timeout: secs("server", "SSH_HANDSHAKE_TIMEOUT", 15)?.max(Duration::from_secs(1)),
                idle_timeout: secs("server", "SSH_IDLE_TIMEOUT", 600)?.max(Duration::from_secs(1)),
                max_sessions: raw.number("server", "SSH_MAX_SESSIONS", 256usize)?.max(1),
                ciphers: raw
                    .string("server", "SSH_SERVER_CIPHERS", "")
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
            },
            database,
            repository: RepositoryConfig {
                root: in_data(raw.string("repository", "ROOT", "repositories")),
                default_branch: raw.string("repository", "DEFAULT_BRANCH", "master"),
                force_private: raw.boolean("repository", "FORCE_PRIVATE", false)?,
                max_creation_limit: raw.number("repository", "MAX_CREATION_LIMIT", -1i64)?,
                enable_local_path_migration: raw.boolean("repository", "ENABLE_LOCAL_PATH_MIGRATION", false)?,
            },
            security: SecurityConfig {
                disable_query_auth_token: raw.boolean("security", "DISABLE_QUERY_AUTH_TOKEN", false)?,
                strict_token_auth: raw.boolean("security", "STRICT_TOKEN_AUTH", false)?,
                local_network_allowlist: raw.string("security", "LOCAL_NETWORK_ALLOWLIST", ""),
                login_failure_name_burst: raw.number("security", "LOGIN_FAILURE_NAME_BURST", 10u32)?,
                login_failure_ip_burst: raw.number("security", "LOGIN_FAILURE_IP_BURST", 20u32)?,
                login_failure_refill: match raw.number("security", "LOGIN_FAILURE_REFILL_SECONDS", 60f64)? {
                    s if s > 0.0 && s <= 86_400.0 => Duration::from_secs_f64(s),
                    s => bail!("[security] LOGIN_FAILURE_REFILL_SECONDS: `{s}` is not between 0 and 86400 seconds"),
                },
                login_remember_days: raw.number("security", "LOGIN_REMEMBER_DAYS", 7i64)?,
                secret_key: raw.string("security", "SECRET_KEY", ""),
            },
            password: PasswordConfig {
                argon2_memory_kib: raw.number("security", "ARGON2_MEMORY_KIB", 19_456u32)?,
                argon2_iterations: raw.number("security", "ARGON2_ITERATIONS", 2u32)?,
                min_length: raw.number("security", "MIN_PASSWORD_LENGTH", 1usize)?.max(1),
            },
            auth: AuthConfig {
                require_signin_view: raw
                    .first_boolean(&[("auth", "REQUIRE_SIGNIN_VIEW"), ("service", "REQUIRE_SIGNIN_VIEW")])?,
                require_email_confirmation: raw
                    .first_boolean(&[("auth", "REQUIRE_EMAIL_CONFIRMATION"), ("service", "REGISTER_EMAIL_CONFIRM")])?,
                disable_registration: raw.boolean("service", "DISABLE_REGISTRATION", false)?,
                trusted_proxies: trusted_proxies(&raw.string("auth", "TRUSTED_PROXY_IPS", ""))?,
                reset_password_code_lives: raw.number("auth", "RESET_PASSWORD_CODE_LIVES", 180i64)?.max(1),
                activate_code_lives: raw.number("auth", "ACTIVATE_CODE_LIVES", 180i64)?.max(1),
            },
            metrics: MetricsConfig {
                enabled: raw.boolean("metrics", "ENABLED", false)?,
                token: raw.string("metrics", "TOKEN", ""),
            },
            oauth2: OAuth2Config {
                enabled: raw.boolean("oauth2", "ENABLED", true)?,
                access_token_lifetime: raw.number("oauth2", "ACCESS_TOKEN_EXPIRATION_TIME", 3600i64)?.max(1),
                refresh_token_lifetime_hours: raw.number("oauth2", "REFRESH_TOKEN_EXPIRATION_TIME", 730i64)?.max(1),
                invalidate_refresh_tokens: raw.boolean("oauth2", "INVALIDATE_REFRESH_TOKENS", true)?,
                signing_key_file: in_data(raw.string("oauth2", "JWT_SIGNING_PRIVATE_KEY_FILE", "jwt/private.pem")),
            },
            log: LogConfig {
                level: match raw.string("log", "LEVEL", "info").trim() {
                    "" => "info".to_string(),
                    l => l.to_lowercase(),
                },
                json: match raw.string("log", "FORMAT", "text").trim().to_lowercase().as_str() {
                    "text" | "" => false,
                    "json" => true,
                    other => bail!("[log] FORMAT: `{other}` is not supported (text or json)"),
                },
            },
            webhook: WebhookConfig {
                deliver_timeout: secs("webhook", "DELIVER_TIMEOUT", 15)?.max(Duration::from_secs(1)),
                skip_tls_verify: raw.boolean("webhook", "SKIP_TLS_VERIFY", false)?,
                max_attempts: raw.number("webhook", "MAX_ATTEMPTS", 4i64)?.max(1),
                retry_backoff: Duration::from_millis(raw.number("webhook", "RETRY_BACKOFF_MS", 1000u64)?),
                concurrency: raw.number("webhook", "DELIVER_CONCURRENCY", 32usize)?.max(1),
            },
            email: {
                let value = |key: &str, old: &str| {
                    raw.first_value(&[("email", key), ("mailer", old)]).unwrap_or_default().trim().to_string()
                };
                let enabled = raw.first_boolean(&[("email", "ENABLED"), ("mailer", "ENABLED")])?;
                let address = value("HOST", "HOST");
                let (host, port) = match address.rsplit_once(':') {
                    Some((h, p)) => (
                        h.trim_matches(['[', ']']).to_string(),
                        p.parse().map_err(|_| anyhow::anyhow!("[email] HOST: `{address}` has no valid port"))?,
                    ),
                    None => (address.clone(), 25),
                };
                if enabled && (host.is_empty() || value("FROM", "FROM").is_empty()) {
                    bail!("[email] ENABLED needs HOST and FROM");
                }
                let app = raw.string("", "APP_NAME", "hearth");
                EmailConfig {
                    enabled,
                    host,
                    port,
                    from: value("FROM", "FROM"),
                    user: value("USER", "USER"),
                    password: raw
                        .first_value(&[("email", "PASSWORD"), ("mailer", "PASSWD")])
                        .unwrap_or_default()
                        .to_string(),
                    // ini values lose their trailing space: the prefix gets one back.
                    subject_prefix: match raw
                        .first_value(&[("email", "SUBJECT_PREFIX"), ("mailer", "SUBJECT_PREFIX")])
                        .map(str::trim)
                    {
                        Some("") => String::new(),
                        Some(p) => format!("{p} "),
                        None => format!("[{app}] "),
                    },
                    skip_verify: raw.first_boolean(&[("email", "SKIP_VERIFY"), ("mailer", "SKIP_VERIFY")])?,
                }
            },
            mirror: MirrorConfig {
                default_interval_hours: raw.number("mirror", "DEFAULT_INTERVAL", 8i64)?.max(1),
                check_interval: secs("mirror", "CHECK_INTERVAL_SECONDS", 60)?.max(Duration::from_secs(1)),
            },
            git: GitConfig {
                migrate_timeout: secs("git.timeout", "MIGRATE", 600)?,
                mirror_timeout: secs("git.timeout", "MIRROR", 300)?,
            },
            api: ApiConfig { max_response_items: raw.number("api", "MAX_RESPONSE_ITEMS", 50i64)?.max(1) },
            ui: UiConfig { issue_paging_num: raw.number("ui", "ISSUE_PAGING_NUM", 10i64)?.max(1) },
            picture: PictureConfig {
                disable_gravatar: raw.boolean("picture", "DISABLE_GRAVATAR", false)?,
                gravatar_source: raw.string("picture", "GRAVATAR_SOURCE", "https://secure.gravatar.com/avatar/"),
            },
            admin: AdminConfig {
                disable_regular_org_creation: raw.boolean("admin", "DISABLE_REGULAR_ORG_CREATION", false)?,
            },
            http: HttpConfig { access_control_allow_origin: raw.string("http", "ACCESS_CONTROL_ALLOW_ORIGIN", "") },
            lfs: LfsConfig {
                enabled: raw.boolean("lfs", "ENABLED", true)?,
                objects_path: in_data(
                    raw.first_value(&[("lfs", "OBJECTS_PATH"), ("lfs", "PATH")])
                        .filter(|p| !p.is_empty())
                        .unwrap_or("lfs-objects")
                        .to_string(),
                ),
                max_file_size: raw.number("lfs", "MAX_FILE_SIZE", 0u64)?,
            },
            unknown_settings: Vec::new(),
            server: ServerConfig {
                http_addr,
                http_port,
                external_url,
                max_body_bytes: raw.number("server", "MAX_API_BODY_BYTES", 8usize << 20)?,
                scratch_dir: None,
                replica_name: {
                    let name = raw.get("server", "REPLICA_NAME").unwrap_or("hearth").trim().to_string();
                    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                        anyhow::bail!("[server] REPLICA_NAME must be letters, digits, '-' or '_': {name:?}");
                    }
                    name
                },
                data_dir,
            },
        })
    }

    /// The external URL once the listening port is known.
    pub fn resolved_external_url(&self, bound_port: u16) -> String {
        self.server.external_url.clone().unwrap_or_else(|| format!("http://127.0.0.1:{bound_port}/"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_in_values_files_and_dotted_sections() {
        let env = |name: &str| (name == "DB_PASS").then(|| "s3cret".to_string());
        let raw = RawConfig::parse_ini_with(
            "[database]\nPASSWORD = ${DB_PASS}\nUSER = a$b ${} ${not-a-name} ${MISSING}x\nNAME = ${DB_PASS\n",
            env,
        )
        .unwrap();
        assert_eq!(raw.get("database", "PASSWORD"), Some("s3cret"));
        assert_eq!(raw.get("database", "USER"), Some("a$b ${} ${not-a-name} x"));
        assert_eq!(raw.get("database", "NAME"), Some("${DB_PASS"));

        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("pw");
        std::fs::write(&secret, "from-file\n").unwrap();
        let mut raw = RawConfig::default();
        raw.apply_env(vec![
            ("HEARTH__DATABASE__PASSWORD__FILE".to_string(), secret.display().to_string()),
            ("HEARTH__LOG_0X2E_CONSOLE__LEVEL".to_string(), "debug".to_string()),
        ])
        .unwrap();
        assert_eq!(raw.get("database", "PASSWORD"), Some("from-file"));
        assert_eq!(raw.get("log.console", "LEVEL"), Some("debug"));
        let missing = vec![("HEARTH__DATABASE__PASSWORD__FILE".to_string(), "/nonexistent/pw".to_string())];
        let err = RawConfig::default().apply_env(missing).unwrap_err();
        assert!(format!("{err:#}").contains("HEARTH__DATABASE__PASSWORD__FILE"), "{err:#}");
    }

    #[test]
    fn layering_ini_env_flags() {
        let mut raw = RawConfig::parse_ini(
            "[server]\nHTTP_PORT = 4000\nROOT_URL = https://git.example.com\n[Security]\ndisable_query_auth_token = true\n",
        )
        .unwrap();
        raw.apply_env(vec![
            ("HEARTH__server__http_port".to_string(), "5000".to_string()),
            ("HEARTH__DATABASE__PATH".to_string(), "/tmp/x.db".to_string()),
            ("UNRELATED".to_string(), "1".to_string()),
        ])
        .unwrap();
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!(cfg.server.http_port, 5000);
        assert!(cfg.security.disable_query_auth_token);
        assert_eq!(cfg.server.external_url.as_deref(), Some("https://git.example.com/"));
        assert_eq!(cfg.database.path, PathBuf::from("/tmp/x.db"));
        let flags = Overrides { port: Some(6000), data_dir: Some("/srv/h".into()) };
        let cfg = Config::from_raw(&raw, &flags).unwrap();
        assert_eq!(cfg.server.http_port, 6000);
        assert_eq!(cfg.repository.root, PathBuf::from("/srv/h/repositories"));
    }

    #[test]
    fn defaults() {
        let cfg = Config::from_raw(&RawConfig::default(), &Overrides::default()).unwrap();
        assert_eq!(cfg.server.http_port, 3000);
        assert_eq!(cfg.server.http_addr, "127.0.0.1");
        assert_eq!(cfg.database.kind, DatabaseKind::Sqlite);
        assert_eq!(cfg.database.path, PathBuf::from("data/hearth.db"));
        assert_eq!(cfg.resolved_external_url(3000), "http://127.0.0.1:3000/");
        assert!(!cfg.security.disable_query_auth_token);
    }

    #[test]
    fn lfs_settings() {
        let cfg = Config::from_raw(&RawConfig::default(), &Overrides::default()).unwrap();
        assert!(cfg.lfs.enabled);
        assert_eq!(cfg.lfs.objects_path, PathBuf::from("data/lfs-objects"));
        assert_eq!(cfg.lfs.max_file_size, 0);
        let raw = RawConfig::parse_ini("[lfs]\nENABLED = false\nPATH = big\nMAX_FILE_SIZE = 1024\n").unwrap();
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert!(!cfg.lfs.enabled);
        assert_eq!(cfg.lfs.objects_path, PathBuf::from("data/big"));
        assert_eq!(cfg.lfs.max_file_size, 1024);
        let raw = RawConfig::parse_ini("[lfs]\nOBJECTS_PATH = /srv/lfs\nPATH = other\n").unwrap();
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!(cfg.lfs.objects_path, PathBuf::from("/srv/lfs"));
        assert!(raw.unknown_settings("app.ini").is_empty());
    }

    #[test]
    fn bad_values_are_errors() {
        let mut raw = RawConfig::default();
        raw.set("server", "HTTP_PORT", "abc");
        assert!(Config::from_raw(&raw, &Overrides::default()).is_err());
        let mut raw = RawConfig::default();
        raw.set("database", "TYPE", "mssql");
        assert!(Config::from_raw(&raw, &Overrides::default()).is_err());
    }

    #[test]
    fn ssl_mode_is_checked_and_named_in_the_error() {
        let raw = RawConfig::parse_ini("[database]\nTYPE = postgres\nSSL_MODE = disable ; or require\n").unwrap();
        let err = Config::from_raw(&raw, &Overrides::default()).unwrap_err().to_string();
        assert!(err.contains("[database] SSL_MODE") && err.contains("disable ; or require"), "{err}");
        for mode in ["disable", "require", "verify-full", "verify-ca", "prefer", "allow"] {
            let raw = RawConfig::parse_ini(&format!("[database]\nSSL_MODE = {mode}\n")).unwrap();
            assert_eq!(Config::from_raw(&raw, &Overrides::default()).unwrap().database.ssl_mode, mode);
        }
    }

    #[test]
    fn values_are_literal() {
        let raw = RawConfig::parse_ini("[database]\nPASSWORD = a\\b\\\\c\nUSER = \"quoted\"\nNAME = x # y\n").unwrap();
        assert_eq!(raw.get("database", "PASSWORD"), Some("a\\b\\\\c"));
        assert_eq!(raw.get("database", "USER"), Some("quoted"));
        assert_eq!(raw.get("database", "NAME"), Some("x # y"));
    }

    #[test]
    fn paths_become_absolute() {
        let cfg = Config::from_raw(&RawConfig::default(), &Overrides::default()).unwrap().absolute().unwrap();
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(cfg.server.data_dir, cwd.join("data"));
        assert_eq!(cfg.repository.root, cwd.join("data/repositories"));
        assert_eq!(cfg.database.path, cwd.join("data/hearth.db"));
        assert_eq!(cfg.hooks_dir(), cwd.join("data/hooks"));
    }

    #[test]
    fn run_user_at_the_top_level_or_under_server() {
        let user = |ini: &str, env: Vec<(&str, &str)>| {
            let mut raw = RawConfig::parse_ini(ini).unwrap();
            raw.apply_env(env.into_iter().map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
            Config::from_raw(&raw, &Overrides::default()).unwrap().ssh.run_user
        };
        assert_eq!(user("", vec![]), "git");
        assert_eq!(user("RUN_USER = top\n[server]\nHTTP_PORT = 1\n", vec![]), "top");
        assert_eq!(user("[server]\nRUN_USER = srv\n", vec![]), "srv");
        assert_eq!(user("RUN_USER = top\n[server]\nRUN_USER = srv\n", vec![]), "top");
        // The environment beats the file, whichever name either uses.
        assert_eq!(user("RUN_USER = top\n", vec![("HEARTH__SERVER__RUN_USER", "env")]), "env");
        assert_eq!(user("[server]\nRUN_USER = srv\n", vec![("HEARTH__DEFAULT__RUN_USER", "env")]), "env");
        assert_eq!(user("[DEFAULT]\nRUN_USER = explicit\n", vec![]), "explicit");
    }

    #[test]
    fn gogs_0_11_names() {
        let raw = RawConfig::parse_ini(
            "[database]\nDB_TYPE = postgres\nPASSWD = old\n[service]\nREQUIRE_SIGNIN_VIEW = true\nREGISTER_EMAIL_CONFIRM = true\n",
        )
        .unwrap();
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!((cfg.database.kind, cfg.database.password.as_str()), (DatabaseKind::Postgres, "old"));
        assert!(cfg.auth.require_signin_view && cfg.auth.require_email_confirmation);
        let raw = RawConfig::parse_ini("[database]\nTYPE = sqlite3\nDB_TYPE = postgres\n[auth]\nREQUIRE_SIGNIN_VIEW = false\n[service]\nREQUIRE_SIGNIN_VIEW = true\n").unwrap();
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!(cfg.database.kind, DatabaseKind::Sqlite, "the current name wins");
        assert!(!cfg.auth.require_signin_view);
        assert!(raw.unknown_settings("app.ini").is_empty(), "{:?}", raw.unknown_settings("app.ini"));
    }

    #[test]
    fn unknown_settings_are_named_and_gogs_ones_are_not() {
        let mut raw = RawConfig::parse_ini(concat!(
            "APP_NAME = Gogs\nRUN_MODE = prod\nBOGUS_TOP = 1\n",
            "[server]\nOFFLINE_MODE = true\nHTTP_PORT = 3001\nHTTP_PROT = 3002\n",
            "[metrics]\nENABLED = true\nENABLD = true\n",
            "[i18n.datelang]\nxx-YY = xx\n",
            "[nonsense]\nA = 1\nB = 2\n[empty]\n",
        ))
        .unwrap();
        raw.apply_env(vec![
            ("HEARTH__SERVER__NOPE".to_string(), "1".to_string()),
            ("HEARTH__NOWHERE__KEY".to_string(), "1".to_string()),
            ("HEARTH__SERVER__OFFLINE_MODE".to_string(), "true".to_string()),
            ("HEARTH__LOG__LEVEL".to_string(), "info".to_string()),
        ])
        .unwrap();
        Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!(
            raw.unknown_settings("/etc/hearth/app.ini"),
            vec![
                "unknown section [empty] in /etc/hearth/app.ini, ignored",
                "unknown section [nonsense] in /etc/hearth/app.ini, ignored",
                "unknown setting BOGUS_TOP (top level) in /etc/hearth/app.ini, ignored",
                "unknown setting [metrics] ENABLD in /etc/hearth/app.ini, ignored",
                "unknown setting [nowhere] KEY from HEARTH__NOWHERE__KEY, ignored",
                "unknown setting [server] HTTP_PROT in /etc/hearth/app.ini, ignored",
                "unknown setting [server] NOPE from HEARTH__SERVER__NOPE, ignored",
            ]
        );
    }

    #[test]
    fn login_failure_limits() {
        let cfg = Config::from_raw(&RawConfig::default(), &Overrides::default()).unwrap();
        assert_eq!((cfg.security.login_failure_name_burst, cfg.security.login_failure_ip_burst), (10, 20));
        assert_eq!(cfg.security.login_failure_refill, Duration::from_secs(60));
        let mut raw = RawConfig::default();
        raw.set("security", "LOGIN_FAILURE_NAME_BURST", "0");
        raw.set("security", "LOGIN_FAILURE_REFILL_SECONDS", "0.5");
        let cfg = Config::from_raw(&raw, &Overrides::default()).unwrap();
        assert_eq!(
            (cfg.security.login_failure_name_burst, cfg.security.login_failure_refill),
            (0, Duration::from_millis(500))
        );
        for bad in ["0", "-1", "NaN", "inf", "1e9"] {
            raw.set("security", "LOGIN_FAILURE_REFILL_SECONDS", bad);
            assert!(Config::from_raw(&raw, &Overrides::default()).is_err(), "{bad}");
        }
    }
}
