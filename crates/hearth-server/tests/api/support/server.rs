//! The server under test: the real `hearth_server::serve` on 127.0.0.1:0 with a temporary data
//! directory (and its own PostgreSQL database when `HEARTH_TEST_POSTGRES_URL` is set), plus the
//! accounts and repositories most tests start from.

use std::path::PathBuf;

use hearth_server::config::RawConfig;
use hearth_server::{Config, Overrides};
use reqwest::{Method, RequestBuilder};
use serde_json::Value;
use tempfile::TempDir;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::postgres::PgTestDb;
use super::requests::{Authed, basic, json};

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

/// What a stopped server leaves behind.
pub struct Leftovers {
    pub dir: TempDir,
    _pg: Option<PgTestDb>,
}

/// What is left in the scratch area `<data>/tmp` (every entry, and every entry in a server's own
/// `p-*` directory but its lock file): nothing, once work has finished.
pub fn scratch_left(data: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(data.join("tmp")) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && entry.file_name().to_string_lossy().starts_with("p-") {
            let inner = std::fs::read_dir(&path).into_iter().flatten().flatten();
            out.extend(inner.filter(|e| e.file_name() != ".lock").map(|e| e.path()));
        } else {
            out.push(path);
        }
    }
    out
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
        TestServer::spawn(config, self.client.clone(), self.dir.take(), self.pg.take()).await
    }

    /// Serve `config` (data already in place) on a new port, owning `dir` and `pg` if given.
    async fn spawn(config: Config, client: reqwest::Client, dir: Option<TempDir>, pg: Option<PgTestDb>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(hearth_server::serve(config.clone(), listener, async move {
            let _ = stopped.await;
        }));
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}/"),
            config,
            client,
            dir,
            stop: Some(stop),
            handle: Some(handle),
            pg,
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

    /// Make the database unreachable: PostgreSQL refuses new connections to it and its open ones
    /// are terminated; SQLite's file is moved away (a directory takes its place). [`TestServer::restore_db`] undoes it.
    pub async fn break_db(&self) {
        match &self.pg {
            Some(pg) => {
                pg_admin(pg, &format!("ALTER DATABASE {} ALLOW_CONNECTIONS false", pg.name)).await;
                self.terminate_db_connections().await;
            }
            None => {
                let path = &self.config.database.path;
                std::fs::rename(path, path.with_extension("moved")).unwrap();
                // A directory in its place: a new connection cannot create an empty file there.
                std::fs::create_dir(path).unwrap();
            }
        }
    }

    pub async fn restore_db(&self) {
        match &self.pg {
            Some(pg) => pg_admin(pg, &format!("ALTER DATABASE {} ALLOW_CONNECTIONS true", pg.name)).await,
            None => {
                let path = &self.config.database.path;
                std::fs::remove_dir(path).unwrap();
                std::fs::rename(path.with_extension("moved"), path).unwrap();
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Run one SQL statement on the server's database through a separate connection (for setting
    /// up states no API can make, and for checking what was stored).
    pub async fn sql(&self, statement: &str) {
        let db = hearth_server::open_db(&self.config).await.expect("open db");
        let sql = sqlx::AssertSqlSafe(statement.to_string());
        match db.pool() {
            hearth_store::Pool::Sqlite(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
            hearth_store::Pool::Postgres(p) => sqlx::raw_sql(sql).execute(p).await.map(|_| ()),
        }
        .expect("sql");
        db.close().await;
    }

    /// Fetch one integer with a separate connection.
    pub async fn sql_i64(&self, query: &str) -> i64 {
        let db = hearth_server::open_db(&self.config).await.expect("open db");
        let sql = sqlx::AssertSqlSafe(query.to_string());
        let v = match db.pool() {
            hearth_store::Pool::Sqlite(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
            hearth_store::Pool::Postgres(p) => sqlx::query_scalar::<_, i64>(sql).fetch_one(p).await,
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
        let secret = hearth_server::cli::admin::Secret::Given(user.password.clone());
        hearth_server::cli::admin::create_user(&self.config, &user.name, &user.email, admin, secret)
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

async fn pg_admin(pg: &PgTestDb, sql: &str) {
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&pg.admin_url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string())).execute(&mut conn).await.unwrap();
}

pub(super) fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

impl TestServer {
    /// Create a repository through the API as `token`'s user.
    pub async fn create_repo(&self, token: &str, body: serde_json::Value) -> serde_json::Value {
        let resp = self.post("/user/repos").token(token).json(&body).send().await.unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, 201, "{body}");
        body
    }
}
