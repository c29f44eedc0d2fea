use crate::support::*;

#[tokio::test]
async fn unknown_routes_and_wrong_methods_are_json_404() {
    let s = TestServer::start().await;
    for (method, path) in [("GET", "/nope"), ("DELETE", "/user"), ("POST", "/users/x"), ("GET", "/users/a/b/c")] {
        let resp = s.req(method.parse().unwrap(), path).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{method} {path}");
        let (_, body) = json(resp).await;
        assert_eq!(body["message"], "Not Found");
    }
    let resp = s.client.get(format!("{}nothing/here", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 404);
}

#[tokio::test]
async fn options_preflight_and_security_headers() {
    let s = TestServer::start().await;
    let resp = s.req(reqwest::Method::OPTIONS, "/anything/at/all").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.headers()["x-frame-options"], "deny");
    assert!(resp.text().await.unwrap().is_empty());
    assert!(s.get("/version").send().await.unwrap().headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn cors_headers_when_configured() {
    let s = TestServer::start_with(|raw| raw.set("http", "ACCESS_CONTROL_ALLOW_ORIGIN", "https://app.example")).await;
    let resp = s.get("/version").send().await.unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "https://app.example");
    assert_eq!(resp.headers()["access-control-allow-credentials"], "true");
    assert!(resp.headers()["access-control-expose-headers"].to_str().unwrap().contains("X-Total-Count"));
    let resp = s.req(reqwest::Method::OPTIONS, "/user").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "https://app.example");
    // Gitea's passcode headers may be sent across origins with Basic auth.
    let allowed = resp.headers()["access-control-allow-headers"].to_str().unwrap();
    assert!(allowed.contains("X-Gitea-OTP") && allowed.contains("X-Forgejo-OTP"), "{allowed}");
}

#[tokio::test]
async fn head_answers_every_get() {
    let s = TestServer::start().await;
    s.create_user("alice", false).await;
    let resp = s.req(reqwest::Method::HEAD, "/users/alice").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().is_empty());
}

#[tokio::test]
async fn version_and_openapi() {
    let s = TestServer::start().await;
    let (status, body) = json(s.get("/version").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));

    let (status, doc) = json(s.client.get(format!("{}swagger.v1.json", s.base)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/user",
        "/users/{username}",
        "/users/search",
        "/users/{username}/tokens",
        "/user/emails",
        "/user/keys/{id}",
        "/admin/users/{username}",
        "/markdown/raw",
    ] {
        assert!(paths.contains_key(p), "missing {p}");
    }
    assert!(paths["/user/emails"].get("delete").is_some());
    assert!(doc["components"]["schemas"]["User"]["properties"]["avatar_url"].is_object());

    let resp = s.client.get(format!("{}api/swagger/", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn swagger_ui_answers_without_a_redirect() {
    let s = TestServer::start().await;
    let plain = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let resp = plain.get(format!("{}api/swagger", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let page = resp.text().await.unwrap();
    // Relative asset links resolve under /api/swagger/ from the address without the slash.
    assert!(page.contains("<base href=\"swagger/\">"), "{page}");
    assert!(page.contains("swagger-ui-bundle.js"));
    let asset = plain.get(format!("{}api/swagger/swagger-ui-bundle.js", s.base)).send().await.unwrap();
    assert_eq!(asset.status(), 200);
    let init = plain.get(format!("{}api/swagger/swagger-initializer.js", s.base)).send().await.unwrap();
    assert!(init.text().await.unwrap().contains("/swagger.v1.json"));
    assert_eq!(plain.get(format!("{}api/swagger/nope.js", s.base)).send().await.unwrap().status(), 404);

    // Gitea's address redirects to it.
    let resp = plain.get(s.url("/swagger")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/api/swagger");
}

#[tokio::test]
async fn server_stops_cleanly_and_keeps_data() {
    let s = TestServer::start().await;
    s.create_user("alice", false).await;
    let config = s.config.clone();
    let _dir = s.stop().await;
    // A new server on the same data directory sees the same account.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(hearth_server::serve(config, listener, async move {
        let _ = rx.await;
    }));
    let url = format!("http://127.0.0.1:{port}/api/v1/users/alice");
    let mut ok = false;
    for _ in 0..100 {
        if let Ok(r) = reqwest::get(&url).await {
            assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ok);
    tx.send(()).unwrap();
    handle.await.unwrap().unwrap();
}

/// The generated OpenAPI document is committed, so every API change shows up in review.
/// `HEARTH_UPDATE_SNAPSHOTS=1 cargo nextest run openapi_document` rewrites it.
#[tokio::test]
async fn openapi_document_matches_the_committed_snapshot() {
    let s = TestServer::start().await;
    let doc: serde_json::Value =
        s.client.get(format!("{}swagger.v1.json", s.base)).send().await.unwrap().json().await.unwrap();
    let pretty = serde_json::to_string_pretty(&doc).unwrap() + "\n";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/api/snapshots/swagger.v1.json");
    if std::env::var_os("HEARTH_UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &pretty).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == pretty,
        "the OpenAPI document changed: rerun with HEARTH_UPDATE_SNAPSHOTS=1 and review {}",
        path.display()
    );
}

/// Go's JSON decoder ignores `null` for plain fields (the PyPI client sends `null` for every
/// optional argument left out): such bodies are accepted with the defaults.
#[tokio::test]
async fn json_nulls_mean_absent() {
    let s = TestServer::start().await;
    let (_u, token) = s.user_with_token("nully", false).await;
    let body = serde_json::json!({"name": "n1", "description": null, "private": null, "auto_init": null});
    let (status, repo) = json(s.post("/user/repos").token(&token).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 201, "{repo}");
    assert_eq!(repo["description"], "");
    assert_eq!(repo["private"], false);
    let body = serde_json::json!({"username": "nullorg", "full_name": null, "website": null});
    let resp = s.post("/user/orgs").token(&token).json(&body).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    // A type mismatch is still a 400.
    let resp = s.post("/user/repos").token(&token).json(&serde_json::json!({"name": 5})).send().await.unwrap();
    assert_eq!(resp.status(), 400);
}

/// A request refused before its body is read (401/403 guards) must leave the keep-alive
/// connection usable for the next request. Raw HTTP/1.1 on one socket: an HTTP client library
/// would silently retry on a fresh connection and hide the failure.
#[tokio::test]
async fn refused_requests_keep_the_connection_alive() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let s = TestServer::start().await;
    let (_u, token) = s.user_with_token("plainuser", false).await;
    let addr = s.url("/").trim_start_matches("http://").split('/').next().unwrap().to_string();
    let body =
        format!(r#"{{"username":"x","email":"x@example.com","password":"secret-pass","pad":"{}"}}"#, "p".repeat(4000));
    let mut sock = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let read_response = async |sock: &mut tokio::net::TcpStream| -> String {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            let n = tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut chunk))
                .await
                .expect("response in time")
                .unwrap();
            assert!(n > 0, "the server closed the connection");
            buf.extend_from_slice(&chunk[..n]);
            let text = String::from_utf8_lossy(&buf).to_string();
            if let Some((head, rest)) = text.split_once("\r\n\r\n") {
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if rest.len() >= len {
                    return head.to_string();
                }
            }
        }
    };
    for i in 0..30 {
        let (path, auth) = if i % 2 == 0 {
            ("/api/v1/admin/users", format!("Authorization: token {token}\r\n"))
        } else {
            ("/api/v1/user/repos", String::new())
        };
        // Head and body in separate segments, as Python's `requests` sends them: the guard can
        // answer before the body has arrived.
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        sock.write_all(body.as_bytes()).await.unwrap();
        let head = read_response(&mut sock).await;
        assert!(head.starts_with("HTTP/1.1 403") || head.starts_with("HTTP/1.1 401"), "{head}");
        assert!(!head.to_ascii_lowercase().contains("connection: close"), "{head}");
        sock.write_all(format!("GET /api/v1/users/plainuser HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
            .await
            .unwrap();
        let head = read_response(&mut sock).await;
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    }
}
