use crate::support::*;

#[tokio::test]
async fn query_tokens_on_by_default() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    for param in ["token", "access_token"] {
        let (status, body) = json(s.get(&format!("/user?{param}={token}")).send().await.unwrap()).await;
        assert_eq!(status, 200, "{param}");
        assert_eq!(body["username"], "alice");
    }
}

#[tokio::test]
async fn query_tokens_can_be_disabled() {
    let s = TestServer::start_with(|raw| raw.set("security", "DISABLE_QUERY_AUTH_TOKEN", "true")).await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    assert_eq!(s.get(&format!("/user?token={token}")).send().await.unwrap().status(), 401);
    assert_eq!(s.get(&format!("/user?access_token={token}")).send().await.unwrap().status(), 401);
    assert_eq!(s.get("/user").token(&token).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn empty_or_unknown_token_is_anonymous_not_an_error() {
    let s = TestServer::start().await;
    s.create_user("bob", false).await;
    let (status, body) = json(s.get("/users/bob").header("Authorization", "token ").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "");
    let (status, body) = json(s.get("/users/bob").header("Authorization", "token nope").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "");
}

#[tokio::test]
async fn basic_auth_by_email() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let (status, body) =
        json(s.get("/user").header("Authorization", basic(&alice.email, &alice.password)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "alice");
}

#[tokio::test]
async fn sudo_for_admins_only() {
    let s = TestServer::start().await;
    let (_admin, admin_token) = s.user_with_token("root", true).await;
    let (_alice, alice_token) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;

    let (status, body) = json(s.get("/user").token(&admin_token).header("Sudo", "bob").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["username"], "bob");
    let (status, body) = json(s.get("/user?sudo=bob").token(&admin_token).send().await.unwrap()).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("bob")));

    let (status, body) = json(s.get("/user").token(&alice_token).header("Sudo", "bob").send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "Only administrators allowed to sudo.");
    assert_eq!(s.get("/users/bob?sudo=alice").send().await.unwrap().status(), 403);

    assert_eq!(s.get("/user").token(&admin_token).header("Sudo", "ghost").send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn prohibited_users_get_403() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    // No API sets prohibit_login; set it in the database as an administrator's tool would.
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'alice'").await;
    let (status, body) = json(s.get("/user").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().contains("prohibited"));
}

#[tokio::test]
async fn require_signin_view() {
    let s = TestServer::start_with(|raw| raw.set("auth", "REQUIRE_SIGNIN_VIEW", "true")).await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (status, body) = json(s.get("/users/alice").send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "Only authenticated user is allowed to call APIs.");
    assert_eq!(s.get("/users/alice").token(&token).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn token_last_used_is_written_in_batches() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.sql("UPDATE access_token SET updated_unix = 1").await;

    assert_eq!(s.get("/user").token(&token).send().await.unwrap().status(), 200);
    // The read path does not write: the time is still the old one until the next flush.
    assert_eq!(s.sql_i64("SELECT updated_unix FROM access_token").await, 1);

    // Shutdown flushes what was collected.
    let config = s.config.clone();
    let kept = s.stop().await;
    let db = hearth_server::open_db(&config).await.unwrap();
    let q = "SELECT updated_unix FROM access_token";
    let updated: i64 = match &db {
        hearth_store::Db::Sqlite(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
        hearth_store::Db::Postgres(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
    };
    db.close().await;
    drop(kept);
    assert!(updated > 1_700_000_000, "{updated}");
}
