//! Operations (#16): health checks, metrics, request logs.

use serde_json::Value;

use crate::support::*;

async fn health(s: &TestServer, path: &str) -> (u16, Value) {
    let resp = s.client.get(format!("{}{path}", s.base)).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/json; charset=UTF-8");
    json(resp).await
}

#[tokio::test]
async fn ops_health_passes_without_auth() {
    let s = TestServer::start_with(|raw| raw.set("auth", "REQUIRE_SIGNIN_VIEW", "true")).await;
    for path in ["healthcheck", "api/healthz"] {
        let (status, body) = health(&s, path).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body["status"], "pass", "{body}");
        assert!(body["description"].as_str().unwrap().starts_with("hearth"), "{body}");
        let db = &body["checks"]["database:ping"];
        assert_eq!(db.as_array().unwrap().len(), 1, "{body}");
        assert_eq!(db[0]["status"], "pass", "{body}");
        assert!(db[0]["time"].as_str().unwrap().ends_with('Z'), "{body}");
        assert!(db[0].get("output").is_none(), "{body}");
    }
}

#[tokio::test]
async fn ops_health_fails_when_the_database_is_unreachable() {
    let s = TestServer::start().await;
    s.break_db().await;
    for path in ["healthcheck", "api/healthz"] {
        let (status, body) = health(&s, path).await;
        assert_eq!(status, 503, "{path}: {body}");
        assert_eq!(body["status"], "fail", "{body}");
        assert_eq!(body["checks"]["database:ping"][0]["status"], "fail", "{body}");
        // The reason goes to the log, not to anonymous callers.
        assert!(body["checks"]["database:ping"][0].get("output").is_none(), "{body}");
    }
    s.restore_db().await;
    let (status, body) = health(&s, "api/healthz").await;
    assert_eq!((status, &body["status"]), (200, &Value::from("pass")), "{body}");
}

#[tokio::test]
async fn ops_health_answers_get_only() {
    let s = TestServer::start().await;
    let resp = s.client.post(format!("{}api/healthz", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

async fn scrape(s: &TestServer, auth: Option<&str>) -> (u16, String) {
    let mut req = s.client.get(format!("{}metrics", s.base));
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

#[tokio::test]
async fn ops_metrics_are_off_by_default() {
    let s = TestServer::start().await;
    let (status, body) = scrape(&s, None).await;
    assert_eq!(status, 404, "{body}");
    assert!(!body.contains("hearth_"), "{body}");
}

#[tokio::test]
async fn ops_metrics_need_the_token() {
    let s = TestServer::start_with(|raw| {
        raw.set("metrics", "ENABLED", "true");
        raw.set("metrics", "TOKEN", "s3cret-metrics");
    })
    .await;
    for auth in [None, Some("Bearer wrong"), Some("token s3cret-metrics"), Some("Basic czNjcmV0LW1ldHJpY3M6")] {
        let (status, body) = scrape(&s, auth).await;
        assert_eq!(status, 401, "{auth:?}: {body}");
        assert_eq!(body, "Unauthorized\n");
    }
    let (status, body) = scrape(&s, Some("Bearer s3cret-metrics")).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("# TYPE hearth_http_requests counter"), "{body}");
}

#[tokio::test]
async fn ops_metrics_label_requests_with_route_templates() {
    let s = TestServer::start_with(|raw| raw.set("metrics", "ENABLED", "true")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    for _ in 0..3 {
        let resp = s.get(&format!("/users/{}", alice.name)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    s.create_repo(&token, serde_json::json!({ "name": "demo" })).await;
    let resp = s.get("/repos/alice/demo").token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = s.client.get(format!("{}no/such/thing/here", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let (status, body) = scrape(&s, None).await;
    assert_eq!(status, 200, "{body}");
    let line = |needle: &str| body.lines().find(|l| l.starts_with("hearth_http_requests_total") && l.contains(needle));
    let users = line(r#"route="/api/v1/users/{username}""#).unwrap_or_else(|| panic!("{body}"));
    assert!(users.contains(r#"method="GET""#) && users.contains(r#"status="200""#), "{users}");
    assert!(users.ends_with(" 3"), "{users}");
    assert!(line(r#"route="/api/v1/repos/{owner}/{repo}""#).is_some(), "{body}");
    assert!(line(r#"route="unmatched""#).unwrap_or_else(|| panic!("{body}")).contains(r#"status="404""#));
    // Never a raw path with a user or repository name in it.
    assert!(!body.contains("/users/alice") && !body.contains("alice/demo"), "{body}");
    assert!(body.contains("hearth_http_request_duration_seconds_bucket{"), "{body}");
    for name in [
        "hearth_db_pool_connections{state=\"idle\"}",
        "hearth_db_pool_max_connections ",
        "hearth_process_resident_memory_bytes ",
        "hearth_process_start_time_seconds ",
    ] {
        assert!(body.contains(name), "{name}: {body}");
    }
    let rss = body.lines().find(|l| l.starts_with("hearth_process_resident_memory_bytes ")).unwrap();
    assert!(rss.split(' ').nth(1).unwrap().parse::<f64>().unwrap() > 1e6, "{rss}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_metrics_count_git_operations() {
    let s = TestServer::start_with(|raw| raw.set("metrics", "ENABLED", "true")).await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, serde_json::json!({ "name": "demo", "auto_init": true, "private": true })).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{}alice/demo.git", s.base).replace("http://", &format!("http://alice:{token}@"));
    let out = tokio::process::Command::new("git")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["clone", "-q", &url, dir.path().join("c").to_str().unwrap()])
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Anonymous: refused.
    let resp = s
        .client
        .post(format!("{}alice/demo.git/git-upload-pack", s.base))
        .header("Content-Type", "application/x-git-upload-pack-request")
        .send()
        .await
        .unwrap();
    assert!(resp.status() == 401 || resp.status() == 404, "{}", resp.status());
    let (_, body) = scrape(&s, None).await;
    let ok = body
        .lines()
        .find(|l| l.starts_with("hearth_git_operations_total") && l.contains(r#"outcome="success""#))
        .unwrap_or_else(|| panic!("{body}"));
    assert!(ok.contains(r#"protocol="http""#) && ok.contains(r#"service="upload-pack""#), "{ok}");
    assert!(
        body.lines().any(|l| l.starts_with("hearth_git_operations_total") && l.contains(r#"outcome="refused""#)),
        "{body}"
    );
    assert!(body.contains(r#"route="/{owner}/{repo}/git-upload-pack""#), "{body}");
}

/// Log lines (JSON) written while the returned guard lives, on this test's thread (the server
/// under test runs on the same single-threaded runtime).
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn start() -> (Captured, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .json()
            .with_env_filter(hearth_server::logging::filter("info").unwrap())
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// The request lines' fields.
    fn requests(&self) -> Vec<Value> {
        let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|v| v["target"] == "hearth::request")
            .map(|v| v["fields"].clone())
            .collect()
    }

    fn raw(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

#[tokio::test]
async fn ops_request_log_lines() {
    let (log, _guard) = Captured::start();
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let resp = s.client.get(format!("{}?token={token}&page=2", s.url("/user"))).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = s.client.get(format!("{}?access_token=secret-value", s.url("/user"))).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = s.client.get(format!("{}?password=hunter2", s.url("/users/alice"))).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let lines = log.requests();
    let line = lines
        .iter()
        .find(|l| l["path"].as_str().unwrap().starts_with("/api/v1/user?"))
        .unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(line["method"], "GET", "{line}");
    assert_eq!(line["path"], "/api/v1/user?token=REDACTED&page=2", "{line}");
    assert_eq!(line["status"], 200, "{line}");
    assert_eq!(line["user"], "alice", "{line}");
    assert_eq!(line["ip"], "127.0.0.1", "{line}");
    assert!(line["duration_ms"].as_f64().unwrap() >= 0.0, "{line}");
    let anon = lines.iter().find(|l| l["status"] == 401).unwrap_or_else(|| panic!("{lines:?}"));
    assert_eq!(anon["path"], "/api/v1/user?access_token=REDACTED", "{anon}");
    assert_eq!(anon["user"], "-", "{anon}");
    let raw = log.raw();
    for secret in [token.as_str(), "secret-value", "hunter2"] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }
}

#[tokio::test]
async fn ops_forwarded_for_only_from_trusted_proxies() {
    let (log, _guard) = Captured::start();
    let untrusted = TestServer::start_with(|raw| raw.set("auth", "TRUSTED_PROXY_IPS", "10.0.0.0/8")).await;
    let resp = untrusted.get("/users/search?q=x").header("X-Forwarded-For", "203.0.113.9").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let trusted = TestServer::start_with(|raw| raw.set("auth", "TRUSTED_PROXY_IPS", "10.1.2.3, 127.0.0.0/8")).await;
    // The right-most address that is not a trusted proxy is the client.
    let resp = trusted
        .get("/users/search?q=y")
        .header("X-Forwarded-For", "198.51.100.7, 203.0.113.9, 10.1.2.3")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // The access line is written as the response finishes: wait for both.
    let mut lines = log.requests();
    for _ in 0..100 {
        if lines.iter().filter(|l| l["path"].as_str().is_some_and(|p| p.starts_with("/api/v1/users/search"))).count()
            >= 2
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        lines = log.requests();
    }
    let ip_of = |q: &str| {
        lines.iter().find(|l| l["path"] == format!("/api/v1/users/search?q={q}")).unwrap_or_else(|| panic!("{lines:?}"))
            ["ip"]
            .clone()
    };
    assert_eq!(ip_of("x"), "127.0.0.1");
    assert_eq!(ip_of("y"), "203.0.113.9");
}

/// `git` run without blocking the single-threaded runtime the server under test shares.
async fn git_async(args: &[&str]) -> std::process::Output {
    tokio::process::Command::new("git").env("GIT_TERMINAL_PROMPT", "0").args(args).output().await.unwrap()
}

#[tokio::test]
async fn ops_request_log_names_the_git_user() {
    let (log, _guard) = Captured::start();
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&token, serde_json::json!({ "name": "secret", "auto_init": true, "private": true })).await;
    s.create_repo(&token, serde_json::json!({ "name": "open", "auto_init": true })).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = |name: &str| dir.path().join(name).to_str().unwrap().to_string();

    // A token as the password: the log names its account, never the token.
    let out = git_async(&["clone", "-q", &s.git_url(Some(("alice", &token)), "alice", "secret"), &dest("a")]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // A token as the login name (Gogs accepts either place).
    let resp = s
        .client
        .get(format!("{}alice/secret.git/info/refs?service=git-upload-pack&via=login", s.base))
        .header("Authorization", basic(&token, "x-oauth-basic"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    // Public repositories are served anonymously: no account to name.
    let out = git_async(&["clone", "-q", &s.git_url(None, "alice", "open"), &dest("b")]).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Signed in but not allowed to push: refused, under bob's name.
    let resp = s
        .client
        .get(format!("{}alice/open.git/info/refs?service=git-receive-pack", s.base))
        .header("Authorization", basic("bob", &bob_token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Wrong credentials: nobody signed in.
    let resp = s
        .client
        .get(format!("{}alice/secret.git/info/refs?service=git-upload-pack", s.base))
        .header("Authorization", basic("alice", "wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);

    let lines = log.requests();
    let of = |path: &str, status: u64| -> Vec<&Value> {
        lines.iter().filter(|l| l["path"].as_str().unwrap().starts_with(path) && l["status"] == status).collect()
    };
    let fetched = of("/alice/secret.git/info/refs?service=git-upload-pack", 200);
    assert_eq!(fetched.len(), 2, "{lines:?}");
    assert!(fetched.iter().all(|l| l["user"] == "alice"), "{fetched:?}");
    let packs = of("/alice/secret.git/git-upload-pack", 200);
    assert!(!packs.is_empty() && packs.iter().all(|l| l["user"] == "alice"), "{lines:?}");
    let anonymous = of("/alice/open.git/", 200);
    assert!(anonymous.len() >= 2 && anonymous.iter().all(|l| l["user"] == "-"), "{lines:?}");
    let refused = of("/alice/open.git/info/refs?service=git-receive-pack", 403);
    assert_eq!(refused.len(), 1, "{lines:?}");
    assert_eq!(refused[0]["user"], "bob", "{lines:?}");
    let failed = of("/alice/secret.git/info/refs", 401);
    assert!(!failed.is_empty() && failed.iter().all(|l| l["user"] == "-"), "{lines:?}");
    let raw = log.raw();
    for secret in [token.as_str(), bob_token.as_str()] {
        assert!(!raw.contains(secret), "{secret} in {raw}");
    }
}

fn gauge(body: &str, name: &str) -> Option<i64> {
    body.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ops_metrics_webhook_queue_counts_undelivered_tasks() {
    let s = TestServer::start_with(|raw| {
        raw.set("metrics", "ENABLED", "true");
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
    })
    .await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, serde_json::json!({ "name": "demo", "auto_init": true })).await;
    let (_, body) = scrape(&s, None).await;
    assert_eq!(gauge(&body, "hearth_webhook_queue_tasks"), Some(0), "{body}");
    // The old gauge counted repositories, not deliveries.
    assert!(!body.contains("hearth_webhook_queue_repositories"), "{body}");

    // Two hooks on one repository: one delivers, one is refused before sending and stays queued.
    let rx = Receiver::start().await;
    for url in [rx.url(), "http://192.0.2.1/hook".to_string()] {
        let (status, hook) = s
            .post_json(
                "/repos/alice/demo/hooks",
                &token,
                serde_json::json!({ "type": "gogs", "config": { "url": url, "content_type": "json" }, "active": true }),
            )
            .await;
        assert_eq!(status, 201, "{hook}");
    }
    for (round, file) in ["one.txt", "two.txt", "three.txt"].into_iter().enumerate() {
        let put = s.put(&format!("/repos/alice/demo/contents/{file}")).token(&token);
        let (status, created) =
            json(put.json(&serde_json::json!({ "content": "aGk=", "message": file })).send().await.unwrap()).await;
        assert_eq!(status, 201, "{created}");
        rx.wait_for(round + 1).await;
    }
    let parked = "SELECT COUNT(*) FROM hook_task WHERE response_content LIKE '%implicitly blocked%'";
    for _ in 0..500 {
        if s.sql_i64(parked).await == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task").await, 6);
    let (_, body) = scrape(&s, None).await;
    assert_eq!(gauge(&body, "hearth_webhook_queue_tasks"), Some(3), "{body}");
    assert!(body.contains("# TYPE hearth_webhook_queue_tasks gauge"), "{body}");

    // Counted when scraped: a delivery that leaves the queue shows at the next scrape.
    s.sql("UPDATE hook_task SET is_delivered = TRUE WHERE id = (SELECT MIN(id) FROM hook_task WHERE is_delivered = FALSE)")
        .await;
    let (_, body) = scrape(&s, None).await;
    assert_eq!(gauge(&body, "hearth_webhook_queue_tasks"), Some(2), "{body}");
}
