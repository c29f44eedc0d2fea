//! Test harness: a real server on 127.0.0.1:0 with a temporary data directory.

#![allow(dead_code)]

use std::path::PathBuf;

use base64::Engine;
use hearth_server::config::RawConfig;
use hearth_server::{Config, Overrides};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestServer {
    /// `http://127.0.0.1:PORT/`
    pub base: String,
    pub config: Config,
    pub client: reqwest::Client,
    dir: Option<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<anyhow::Result<()>>>,
    /// The per-test PostgreSQL database, dropped with the server.
    pg: Option<PgTestDb>,
    /// The built-in SSH server's port, when started with `[server] START_SSH_SERVER = true`.
    pub ssh_port: Option<u16>,
}

/// A fresh PostgreSQL database for one test, when `HEARTH_TEST_POSTGRES_URL` is set (an URL whose
/// user may create databases). Every test gets its own, so tests run in parallel.
struct PgTestDb {
    admin_url: String,
    name: String,
}

impl PgTestDb {
    async fn create() -> Option<PgTestDb> {
        let admin_url = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("hearth_test_{}_{}", std::process::id(), rand_suffix());
        let mut conn =
            <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await.expect("connect to PostgreSQL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        Some(PgTestDb { admin_url, name })
    }

    /// The admin URL with the database name replaced.
    fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }
}

/// Replace the database (path) of a PostgreSQL URL, keeping its query.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..host_end])
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime guarantee: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}

/// What a stopped server leaves behind.
pub struct Leftovers {
    pub dir: TempDir,
    _pg: Option<PgTestDb>,
}

pub struct TestUser {
    pub name: String,
    pub password: String,
    pub email: String,
}

impl TestServer {
    pub async fn start() -> TestServer {
        TestServer::start_with(|_| {}).await
    }

    /// Start with extra configuration (`raw.set("section", "KEY", "value")`).
    pub async fn start_with(configure: impl FnOnce(&mut RawConfig)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut raw = RawConfig::default();
        // Cheap password hashing keeps the suite fast; production uses Argon2id's defaults.
        raw.set("security", "ARGON2_MEMORY_KIB", "256");
        raw.set("security", "ARGON2_ITERATIONS", "1");
        let pg = PgTestDb::create().await;
        if let Some(pg) = &pg {
            raw.set("database", "TYPE", "postgres");
            raw.set("database", "URL", &pg.url());
        }
        configure(&mut raw);
        // SSH on a free port, which is also the port `ssh_url` shows.
        let ssh = if raw.get("server", "START_SSH_SERVER") == Some("true") {
            let l = TcpListener::bind("127.0.0.1:0").await.expect("bind ssh");
            raw.set("server", "SSH_PORT", &l.local_addr().unwrap().port().to_string());
            Some(l)
        } else {
            None
        };
        let ssh_port = ssh.as_ref().map(|l| l.local_addr().unwrap().port());
        let config = Config::from_raw(&raw, &Overrides { data_dir: Some(dir.path().to_path_buf()), port: None })
            .expect("config");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(hearth_server::serve_with_ssh(config.clone(), listener, ssh, async move {
            let _ = stopped.await;
        }));
        hearth_server::install_crypto_provider();
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}/"),
            config,
            client: reqwest::Client::builder().build().unwrap(),
            dir: Some(dir),
            stop: Some(stop),
            handle: Some(handle),
            pg,
            ssh_port,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            if self.client.get(format!("{}api/v1/version", self.base)).send().await.is_ok() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("server did not start");
    }

    /// Stop the server and wait for it to finish cleanly; its data (directory and database) is
    /// handed back and lives as long as the returned value.
    pub async fn stop(mut self) -> Leftovers {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server result");
        }
        Leftovers { dir: self.dir.take().expect("data dir"), _pg: self.pg.take() }
    }

    /// Stop the server and start a new one on the same data (directory and database), with the
    /// configuration changed by `configure`; it listens on a new port.
    pub async fn restart(mut self, configure: impl FnOnce(&mut Config)) -> TestServer {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server result");
        }
        let mut config = self.config.clone();
        configure(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(hearth_server::serve(config.clone(), listener, async move {
            let _ = stopped.await;
        }));
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}/"),
            config,
            client: self.client.clone(),
            dir: self.dir.take(),
            stop: Some(stop),
            handle: Some(handle),
            pg: self.pg.take(),
            ssh_port: None,
        };
        server.wait_ready().await;
        server
    }

    /// Kill every server connection to the test database, as a PostgreSQL restart would.
    pub async fn terminate_db_connections(&self) {
        let pg = self.pg.as_ref().expect("a PostgreSQL test");
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&pg.admin_url).await.unwrap();
        let sql = format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}' AND pid <> pg_backend_pid()",
            pg.name
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Run one SQL statement on the server's database through a separate connection (for setting
    /// up states no API can make, and for checking what was stored).
    pub async fn sql(&self, statement: &str) {
        let db = hearth_server::open_db(&self.config).await.expect("open db");
        let sql = sqlx::AssertSqlSafe(statement.to_string());
        match &db {
            hearth_store::Db::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            hearth_store::Db::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .expect("sql");
        db.close().await;
    }

    /// Fetch one integer with a separate connection.
    pub async fn sql_i64(&self, query: &str) -> i64 {
        let db = hearth_server::open_db(&self.config).await.expect("open db");
        let sql = sqlx::AssertSqlSafe(query.to_string());
        let v = match &db {
            hearth_store::Db::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
            hearth_store::Db::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
        }
        .expect("sql");
        db.close().await;
        v
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.as_ref().expect("data dir").path().to_path_buf()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}api/v1{}", self.base, path)
    }

    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.client.request(method, self.url(path))
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.req(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.req(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.req(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> RequestBuilder {
        self.req(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.req(Method::DELETE, path)
    }

    /// Create a user the way `hearth admin create-user` does.
    pub async fn create_user(&self, name: &str, admin: bool) -> TestUser {
        let user =
            TestUser { name: name.into(), password: format!("pw-{name}-secret"), email: format!("{name}@example.com") };
        hearth_server::cli::create_user(&self.config, &user.name, &user.password, &user.email, admin)
            .await
            .expect("create user");
        user
    }

    /// A new access token for `user` (through the API, with Basic auth).
    pub async fn token(&self, user: &TestUser) -> String {
        let name = format!("t{}", rand_suffix());
        let resp = self
            .post(&format!("/users/{}/tokens", user.name))
            .header("Authorization", basic(&user.name, &user.password))
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let body: Value = resp.json().await.unwrap();
        body["sha1"].as_str().unwrap().to_string()
    }

    /// A user plus a token for it.
    pub async fn user_with_token(&self, name: &str, admin: bool) -> (TestUser, String) {
        let user = self.create_user(name, admin).await;
        let token = self.token(&user).await;
        (user, token)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

pub fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

pub fn token_header(token: &str) -> String {
    format!("token {token}")
}

/// Status and JSON body (Null when the body is empty or not JSON).
pub async fn json(resp: Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Extension for sending a token.
pub trait Authed {
    fn token(self, token: &str) -> Self;
    fn basic_auth_as(self, user: &TestUser) -> Self;
}

impl Authed for RequestBuilder {
    fn token(self, token: &str) -> Self {
        self.header("Authorization", token_header(token))
    }
    fn basic_auth_as(self, user: &TestUser) -> Self {
        self.header("Authorization", basic(&user.name, &user.password))
    }
}

/// Two valid ed25519 public keys (random material, correct structure).
pub fn ed25519_key(seed: u8, comment: &str) -> String {
    let mut blob = Vec::new();
    blob.extend_from_slice(&11u32.to_be_bytes());
    blob.extend_from_slice(b"ssh-ed25519");
    blob.extend_from_slice(&32u32.to_be_bytes());
    blob.extend((0..32u8).map(|i| i.wrapping_mul(31).wrapping_add(seed)));
    format!("ssh-ed25519 {} {comment}", base64::engine::general_purpose::STANDARD.encode(blob))
}

/// The `git` CLI, isolated from the machine's configuration. It blocks: tests that use it run on
/// a multi-threaded runtime (`#[tokio::test(flavor = "multi_thread")]`) so the server keeps serving.
pub struct Git {
    pub home: TempDir,
    /// `GIT_SSH_COMMAND` for SSH remotes (see [`Git::with_ssh`]).
    ssh_command: Option<String>,
}

pub struct GitOutput {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Git {
    pub fn new() -> Git {
        Git { home: tempfile::tempdir().unwrap(), ssh_command: None }
    }

    /// A git that reaches SSH remotes with this private key, trusting any host key.
    pub fn with_ssh(key: &std::path::Path) -> Git {
        let mut git = Git::new();
        git.ssh_command = Some(format!(
            "ssh -i {} -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
             -o BatchMode=yes -o LogLevel=ERROR -F /dev/null",
            key.display()
        ));
        git
    }

    /// Run git in `dir` (or the home directory).
    pub fn run(&self, dir: Option<&std::path::Path>, args: &[&str]) -> GitOutput {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=Tester", "-c", "user.email=tester@example.com", "-c", "init.defaultBranch=master"])
            .args(args)
            .current_dir(dir.unwrap_or(self.home.path()))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_ASKPASS", "/bin/false")
            .envs(self.ssh_command.iter().map(|c| ("GIT_SSH_COMMAND", c)))
            .output()
            .expect("run git");
        GitOutput {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Like `run`, but the command must succeed.
    pub fn ok(&self, dir: Option<&std::path::Path>, args: &[&str]) -> String {
        let out = self.run(dir, args);
        assert!(out.ok, "git {args:?} failed: {}", out.stderr);
        out.stdout
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.home.path().join(name)
    }

    /// A work tree with one commit (file `name` holding `content`).
    pub fn work_tree(&self, dir: &str, name: &str, content: &str) -> std::path::PathBuf {
        let path = self.path(dir);
        std::fs::create_dir_all(&path).unwrap();
        self.ok(Some(&path), &["init", "-q"]);
        std::fs::write(path.join(name), content).unwrap();
        self.ok(Some(&path), &["add", "."]);
        self.ok(Some(&path), &["commit", "-q", "-m", &format!("add {name}")]);
        path
    }
}

impl TestServer {
    /// `http://[user:secret@]127.0.0.1:PORT/owner/repo.git`
    pub fn git_url(&self, creds: Option<(&str, &str)>, owner: &str, repo: &str) -> String {
        let base = self.base.trim_start_matches("http://");
        match creds {
            Some((u, p)) => format!("http://{u}:{p}@{base}{owner}/{repo}.git"),
            None => format!("http://{base}{owner}/{repo}.git"),
        }
    }

    /// Create a repository through the API as `token`'s user.
    pub async fn create_repo(&self, token: &str, body: serde_json::Value) -> serde_json::Value {
        let resp = self.post("/user/repos").token(token).json(&body).send().await.unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, 201, "{body}");
        body
    }
}
