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
