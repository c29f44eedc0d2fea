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
        configure(&mut raw);
        let config = Config::from_raw(&raw, &Overrides { data_dir: Some(dir.path().to_path_buf()), port: None })
            .expect("config");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().unwrap().port();
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(hearth_server::serve(config.clone(), listener, async move {
            let _ = stopped.await;
        }));
        let server = TestServer {
            base: format!("http://127.0.0.1:{port}/"),
            config,
            client: reqwest::Client::builder().build().unwrap(),
            dir: Some(dir),
            stop: Some(stop),
            handle: Some(handle),
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

    /// Stop the server and wait for it to finish cleanly; the data directory is handed back.
    pub async fn stop(mut self) -> TempDir {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.expect("server task").expect("server result");
        }
        self.dir.take().expect("data dir")
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
