use crate::support::*;

#[tokio::test]
async fn get_authenticated_user_with_token_and_basic() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;

    let reply = s.get_reply("/user", &token).await;
    assert_eq!(reply.header("content-type"), "application/json; charset=UTF-8");
    let (status, body) = (reply.status, reply.body);
    assert_eq!(status, 200);
    // The whole User: id, both name fields, the e-mail (the caller's own), the Gravatar URL.
    assert_shape!(s, "user", body);

    // hearth accepts Basic auth where Gogs wants a token (a Gitea superset).
    let (status, body) = s.get_json("/user", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "alice");
}

#[tokio::test]
async fn get_authenticated_user_failures() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;

    let (status, body) = s.get_json("/user", Anon).await;
    assert_eq!(status, 401);
    assert_eq!(body["message"], "Unauthorized");

    assert_eq!(s.get_status("/user", "0000000000000000000000000000000000000000").await, 401);

    let wrong = TestUser { password: "wrong".into(), ..alice };
    assert_eq!(s.get_status("/user", &wrong).await, 401);
    // Unknown user and wrong password answer alike.
    let nobody = TestUser { name: "nobody".into(), ..wrong };
    assert_eq!(s.get_status("/user", &nobody).await, 401);
}

#[tokio::test]
async fn strict_token_auth_refuses_basic_on_token_routes() {
    let s = TestServer::start_with(|raw| raw.set("security", "STRICT_TOKEN_AUTH", "true")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    assert_eq!(s.get_status("/user", &alice).await, 401);
    assert_eq!(s.get_status("/user", &token).await, 200);
}

#[tokio::test]
async fn get_user_hides_email_from_anonymous() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("Alice", false).await;
    s.create_user("bob", false).await;

    let (status, body) = s.get_json("/users/BOB", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "bob");
    assert_eq!(body["email"], "");

    let (status, body) = s.get_json("/users/bob", &token).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "bob@example.com");

    // Stored case is kept, lookups are case-insensitive.
    let (_, body) = s.get_json("/users/alice", Anon).await;
    assert_eq!(body["username"], "Alice");

    let (status, body) = s.get_json("/users/nobody", Anon).await;
    assert_eq!(status, 404);
    assert_eq!(body["message"], "Not Found");
}

#[tokio::test]
async fn search_users() {
    let s = TestServer::start().await;
    let (_u, token) = s.user_with_token("searcher", false).await;
    for name in ["anna", "annabel", "bob", "hannah"] {
        s.create_user(name, false).await;
    }

    let (status, body) = s.get_json("/users/search?q=ANN", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(body["ok"], true);
    let names: Vec<&str> = body["data"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["anna", "annabel", "hannah"]);
    assert_eq!(body["data"][0]["email"], "", "anonymous callers see no e-mail");

    let (_, body) = s.get_json("/users/search?q=ann&limit=2", &token).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"][0]["email"], "anna@example.com");

    let (status, body) = s.get_json("/users/search?q=", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(body, serde_json::json!({"data": [], "ok": true}));

    // LIKE wildcards in q are literal.
    let (_, body) = s.get_json("/users/search?q=%25", Anon).await;
    assert_eq!(body["data"].as_array().unwrap().len(), 0);
}
