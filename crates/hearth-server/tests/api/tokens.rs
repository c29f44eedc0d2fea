use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn create_and_list_tokens() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;

    let (status, body) = s.post_json("/users/alice/tokens", &alice, j!({"name": "ci"})).await;
    assert_eq!(status, 201);
    assert_eq!(body["name"], "ci");
    let raw = body["sha1"].as_str().unwrap().to_string();
    assert_eq!(raw.len(), 40);
    assert!(raw.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));

    // The token works.
    let (status, me) = s.get_json("/user", &raw).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("alice")));

    // Listing shows an identifier, never the token.
    let (status, list) = s.get_json("/users/alice/tokens", &alice).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["name"], "ci");
    assert_eq!(list[0]["sha1"].as_str().unwrap().len(), 40);
    assert_ne!(list[0]["sha1"], raw.as_str());

    // Form bodies work too (the Python client sends forms).
    assert_eq!(s.post_form("/users/alice/tokens", &alice, &[("name", "form")]).await.0, 201);
}

#[tokio::test]
async fn token_routes_need_basic_auth_and_act_on_the_caller() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;

    // A token cannot mint tokens.
    assert_eq!(s.get_status("/users/alice/tokens", &token).await, 401);
    assert_eq!(s.post_status("/users/alice/tokens", Anon, j!({"name": "x"})).await, 401);

    // The path's user name is ignored: alice's tokens are listed.
    let (status, list) = s.get_json("/users/bob/tokens", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn token_validation() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let post = |body: serde_json::Value| s.post_json("/users/alice/tokens", &alice, body);

    let (status, body) = post(j!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body, j!([{"fieldNames": ["Name"], "classification": "RequiredError", "message": "Required"}]));

    assert_eq!(post(j!({"name": "dup"})).await.0, 201);
    let (status, body) = post(j!({"name": "dup"})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("access token already exists"), "{body}");
    assert_eq!(body["url"], "https://github.com/gogs/docs-api");

    let (status, body) = post(j!({"name": 5})).await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["classification"], "DeserializationError");

    let resp = s.post("/users/alice/tokens").basic_auth_as(&alice).body("name=x").send().await.unwrap();
    assert_eq!(resp.status(), 415);
    let (_, body) = json(resp).await;
    assert_eq!(body[0]["classification"], "ContentTypeError");
    assert_eq!(body[0]["message"], "Empty Content-Type");
}
