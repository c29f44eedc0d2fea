use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn markdown_renders_gfm_and_sanitizes() {
    let s = TestServer::start().await;
    let resp = s
        .post("/markdown")
        .json(&j!({"text": "# Hi\n\n~~x~~ see #3\n\n<script>alert(1)</script>\n\n[a](javascript:alert(1)) <a href=\"javascript:x()\">b</a>", "context": "https://h/o/r"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=UTF-8");
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>Hi</h1>"), "{html}");
    assert!(html.contains("<del>x</del>"), "{html}");
    assert!(html.contains("href=\"https://h/o/r/issues/3\""), "{html}");
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("href=\"javascript"), "{html}");
    assert!(html.contains(">b</a>"), "{html}");

    // Keys are case-insensitive, as Go's decoder; empty text gives an empty body.
    let resp = s.post("/markdown").json(&j!({"Text": "*a*"})).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap().trim(), "<p><em>a</em></p>");
    let resp = s.post("/markdown").json(&j!({"text": ""})).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().await.unwrap(), "");

    assert_eq!(s.post("/markdown").body("x").send().await.unwrap().status(), 415);
}

#[tokio::test]
async fn markdown_raw_and_body_limit() {
    let s = TestServer::start_with(|raw| raw.set("server", "MAX_API_BODY_BYTES", "1024")).await;
    let resp = s.post("/markdown/raw").body("**bold** <img src=x onerror=alert(1)>").send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<strong>bold</strong>"), "{html}");
    assert!(!html.contains("onerror"), "{html}");

    let resp = s.post("/markdown/raw").body("a".repeat(5000)).send().await.unwrap();
    assert_eq!(resp.status(), 413);
    let (_, body) = json(resp).await;
    assert!(body["message"].is_string());
    let resp = s.post("/markdown").json(&j!({"text": "a".repeat(5000)})).send().await.unwrap();
    assert_eq!(resp.status(), 413);
}
