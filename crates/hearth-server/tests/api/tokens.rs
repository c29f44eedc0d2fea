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

#[tokio::test]
async fn tokens_show_gitea_fields_and_page_on_request() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;

    let (status, created) = s.post_json("/users/alice/tokens", &alice, j!({"name": "ci"})).await;
    assert_eq!(status, 201);
    let raw = created["sha1"].as_str().unwrap().to_string();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created, j!({"id": id, "name": "ci", "sha1": raw, "token_last_eight": &raw[32..], "scopes": []}));

    // The list: Gogs' `sha1` (an identifier, not the token) plus Gitea's fields.
    let (status, list) = s.get_json("/users/alice/tokens", &alice).await;
    assert_eq!(status, 200);
    let sha1 = list[0]["sha1"].as_str().unwrap().to_string();
    assert_ne!(sha1, raw);
    assert_eq!(list, j!([{"id": id, "name": "ci", "sha1": sha1, "token_last_eight": &raw[32..], "scopes": []}]));

    for name in ["b", "c"] {
        assert_eq!(s.post_status("/users/alice/tokens", &alice, j!({"name": name})).await, 201);
    }
    // Everything without `page`/`limit` (as Gogs), with the total.
    let all = s.get_reply("/users/alice/tokens", &alice).await;
    assert_eq!((all.status, all.body.as_array().unwrap().len()), (200, 3));
    assert_eq!(all.header("x-total-count"), "3");
    assert!(all.headers.get("link").is_none());
    // Paged on request (as Gitea).
    let page = s.get_reply("/users/alice/tokens?limit=2&page=2", &alice).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.as_array().unwrap().iter().map(|t| t["name"].clone()).collect::<Vec<_>>(), [j!("c")]);
    assert_eq!(page.header("x-total-count"), "3");
    assert!(page.header("link").contains("rel=\"first\""), "{:?}", page.headers);
}

#[tokio::test]
async fn deleted_tokens_stop_working_at_once() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let by_id = s.token(&alice).await;
    let by_name = {
        let (_, body) = s.post_json("/users/alice/tokens", &alice, j!({"name": "deploy"})).await;
        body["sha1"].as_str().unwrap().to_string()
    };
    // Both work (and are now in the token cache).
    for t in [&by_id, &by_name] {
        assert_eq!(s.get_json("/user", t).await.1["username"], "alice");
    }
    let (_, list) = s.get_json("/users/alice/tokens", &alice).await;
    let id = list[0]["id"].as_i64().unwrap();

    let (status, body) = s.delete_json(&format!("/users/alice/tokens/{id}"), &alice).await;
    assert_eq!((status, body), (204, serde_json::Value::Null));
    assert_eq!(s.get_json("/user", &by_id).await, (401, j!({"message": "Unauthorized"})));
    assert_eq!(s.get_json("/user", &by_name).await.0, 200);

    assert_eq!(s.delete_status("/users/alice/tokens/deploy", &alice).await, 204);
    assert_eq!(s.get_json("/user", &by_name).await, (401, j!({"message": "Unauthorized"})));
    let (_, list) = s.get_json("/users/alice/tokens", &alice).await;
    assert_eq!(list, j!([]));
}

#[tokio::test]
async fn token_delete_failures() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let (bob, bobs_token) = s.user_with_token("bob", false).await;
    let (_, list) = s.get_json("/users/bob/tokens", &bob).await;
    let bobs_id = list[0]["id"].as_i64().unwrap();
    let bobs_name = list[0]["name"].as_str().unwrap().to_string();

    // Basic auth only: a token (even for itself) or nothing is 401.
    let path = format!("/users/bob/tokens/{bobs_id}");
    assert_eq!(s.delete_json(&path, &bobs_token).await, (401, j!({"message": "Unauthorized"})));
    assert_eq!(s.delete_json(&path, Anon).await, (401, j!({"message": "Unauthorized"})));

    // Someone else's token, by id or by name, is not found (the path's user name is ignored).
    assert_eq!(s.delete_json(&path, &alice).await, (404, j!({"message": "Not Found"})));
    let by_name = format!("/users/bob/tokens/{bobs_name}");
    assert_eq!(s.delete_json(&by_name, &alice).await, (404, j!({"message": "Not Found"})));
    assert_eq!(s.delete_json("/users/alice/tokens/nothing", &alice).await, (404, j!({"message": "Not Found"})));
    assert_eq!(s.get_json("/user", &bobs_token).await.0, 200);

    // As in Gitea, a number is an id: a token named "123456" cannot be deleted by that name.
    assert_eq!(s.post_status("/users/alice/tokens", &alice, j!({"name": "123456"})).await, 201);
    assert_eq!(s.delete_json("/users/alice/tokens/123456", &alice).await, (404, j!({"message": "Not Found"})));
    assert_eq!(s.get_json("/users/alice/tokens", &alice).await.1.as_array().unwrap().len(), 1);
}
