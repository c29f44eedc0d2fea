//! What the CLI tests share: the binary, a database per test on either backend, a server
//! started as a child process.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary under test, with cheap password hashing and no `RUST_LOG` from the caller.
pub fn hearth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.env_remove("RUST_LOG").env("HEARTH__SECURITY__ARGON2_MEMORY_KIB", "256");
    cmd
}

/// With `HEARTH_TEST_POSTGRES_URL` set, a fresh PostgreSQL database for one test, handed to the
/// binary through the environment (`HEARTH__DATABASE__*`); dropped at the end.
pub struct Backend {
    pub env: Vec<(String, String)>,
    pub pg: Option<(String, String)>,
}

impl Backend {
    pub async fn new() -> Backend {
        let Some(admin) = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
            return Backend { env: vec![], pg: None };
        };
        let name = format!("hearth_cli_{}_{}", std::process::id(), free_port());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let (base, query) = admin
            .split_once('?')
            .map(|(b, q)| (b.to_string(), format!("?{q}")))
            .unwrap_or((admin.clone(), String::new()));
        let host_end = base[base.find("://").unwrap() + 3..]
            .find('/')
            .map(|i| i + base.find("://").unwrap() + 3)
            .unwrap_or(base.len());
        let url = format!("{}/{name}{query}", &base[..host_end]);
        let env = vec![("HEARTH__DATABASE__TYPE".into(), "postgres".into()), ("HEARTH__DATABASE__URL".into(), url)];
        Backend { env, pg: Some((admin, name)) }
    }

    pub fn apply(&self, cmd: &mut Command) {
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
    }

    pub async fn drop_db(self) {
        if let Some((admin, name)) = self.pg {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
        }
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

pub fn create_user(backend: &Backend, data: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.args(["admin", "create-user", "--data"]).arg(data).args(args).output().unwrap()
}

/// Start `hearth web` and wait for its `listening on` line.
pub fn start_web(backend: &Backend, args: &[&str]) -> (Child, String) {
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.arg("web").args(args);
    wait_listening(cmd)
}

pub fn wait_listening(cmd: Command) -> (Child, String) {
    let (child, url, _) = wait_listening_lines(cmd);
    (child, url)
}

/// [`wait_listening`], also returning the lines the server logged until then.
pub fn wait_listening_lines(mut cmd: Command) -> (Child, String, Vec<String>) {
    let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
            if let Some(idx) = line.find("listening on http") {
                let url = line[idx + "listening on ".len()..].trim().to_string();
                return (child, url, lines);
            }
            lines.push(line);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("hearth web did not report listening: {lines:?}");
}

pub fn terminate(mut child: Child) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("hearth web did not stop on SIGTERM");
}

/// `len` bytes of deterministic noise (xorshift), different per `seed`: LFS objects for tests.
pub fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// An LFS object id: the hex SHA-256 of its content.
pub fn oid_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// `a/b/<oid>` under an objects directory (Gogs' layout, and hearth's).
pub fn lfs_file(objects: &std::path::Path, oid: &str) -> std::path::PathBuf {
    objects.join(&oid[0..1]).join(&oid[1..2]).join(oid)
}

/// The database URL the binary is given (`sqlite://` for the data directory's file).
fn db_url(backend: &Backend, data: &std::path::Path) -> String {
    match backend.env.iter().find(|(k, _)| k == "HEARTH__DATABASE__URL") {
        Some((_, url)) => url.clone(),
        None => format!("sqlite://{}", data.join("hearth.db").display()),
    }
}

/// One row's first column, read through a connection of the test's own (to check what was stored).
pub async fn sql_row<T>(backend: &Backend, data: &std::path::Path, query: &str) -> Option<T>
where
    T: Send + Unpin + for<'r> sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    use sqlx::Connection;
    let url = db_url(backend, data);
    let sql = sqlx::AssertSqlSafe(query.to_string());
    if backend.pg.is_some() {
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        let v = sqlx::query_scalar::<_, T>(sql).fetch_optional(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        v
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        let v = sqlx::query_scalar::<_, T>(sql).fetch_optional(&mut conn).await.unwrap();
        conn.close().await.unwrap();
        v
    }
}
