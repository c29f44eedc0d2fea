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

/// Gitea's clients send personal access tokens as `Authorization: bearer <token>`, in any case.
#[tokio::test]
async fn bearer_tokens_are_tokens() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    for scheme in ["bearer", "Bearer", "BEARER"] {
        let auth = format!("{scheme} {token}");
        let (status, body) = json(s.get("/user").header("Authorization", &auth).send().await.unwrap()).await;
        assert_eq!((status, body["username"].as_str()), (200, Some("alice")), "{scheme}");
    }
    // A token-only route takes it as a token (not Basic), and an unknown one is still a 401.
    let (status, body) = json(
        s.post("/user/repos")
            .header("Authorization", format!("Bearer {token}"))
            .json(&serde_json::json!({"name": "viaBearer"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["full_name"].as_str()), (201, Some("alice/viaBearer")), "{body}");
    let resp = s.get("/user").header("Authorization", "Bearer nope").send().await.unwrap();
    assert_eq!(resp.status(), 401);
    // Gogs' scheme stays case-sensitive, as in Gogs and Gitea.
    let resp = s.get("/user").header("Authorization", format!("Token {token}")).send().await.unwrap();
    assert_eq!(resp.status(), 401);
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
    let updated: i64 = match db.pool() {
        hearth_store::Pool::Sqlite(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
        hearth_store::Pool::Postgres(p) => sqlx::query_scalar(q).fetch_one(p).await.unwrap(),
    };
    db.close().await;
    drop(kept);
    assert!(updated > 1_700_000_000, "{updated}");
}

// Failed password logins are throttled per name tried and per client address (login_throttle.rs).

const TOO_MANY: &str = "Too many failed login attempts, please try again later.";

/// Status, `Retry-After` (as a number) and JSON body.
async fn answer(resp: reqwest::Response) -> (u16, Option<u64>, serde_json::Value) {
    let retry_after = resp.headers().get("retry-after").map(|v| v.to_str().unwrap().parse::<u64>().unwrap());
    let (status, body) = json(resp).await;
    (status, retry_after, body)
}

async fn get_user_with(s: &TestServer, login: &str, password: &str) -> (u16, Option<u64>, serde_json::Value) {
    answer(s.get("/user").header("Authorization", basic(login, password)).send().await.unwrap()).await
}

fn assert_throttled(answer: &(u16, Option<u64>, serde_json::Value), max_wait: u64) {
    let (status, retry_after, body) = answer;
    assert_eq!(*status, 429, "{body}");
    let retry_after = retry_after.expect("Retry-After");
    assert!((1..=max_wait).contains(&retry_after), "{retry_after}");
    assert_eq!(*body, serde_json::json!({ "message": TOO_MANY, "url": "https://github.com/gogs/docs-api" }));
}

#[tokio::test]
async fn wrong_passwords_for_a_name_are_throttled() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let bob = s.create_user("bob", false).await;
    for i in 0..10 {
        let (status, retry_after, body) = get_user_with(&s, "alice", &format!("wrong{i}")).await;
        assert_eq!((status, retry_after), (401, None), "attempt {i}: {body}");
        assert_eq!(body["message"], "Unauthorized");
    }
    // The right password does not help now: the answer comes before any password check.
    assert_throttled(&get_user_with(&s, "alice", &alice.password).await, 60);
    // On routes open to anonymous callers too, and under the name in another case.
    let resp = s.get("/users/bob").header("Authorization", basic("ALICE", &alice.password)).send().await.unwrap();
    let throttled = answer(resp).await;
    assert_throttled(&throttled, 60);
    assert_eq!(
        s.get("/users/bob").header("Authorization", basic("alice", "x")).send().await.unwrap().headers()["content-type"],
        "application/json; charset=utf-8"
    );
    // Another name from the same address is not limited yet.
    let (status, _, body) = get_user_with(&s, "bob", &bob.password).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("bob")));
}

#[tokio::test]
async fn unknown_names_are_throttled_like_known_ones() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOGIN_FAILURE_IP_BURST", "100")).await;
    s.create_user("alice", false).await;
    let mut answers = Vec::new();
    for login in ["alice", "ghost", "ghost@example.com"] {
        let mut statuses = Vec::new();
        for _ in 0..11 {
            let (status, _, _) = get_user_with(&s, login, "wrong").await;
            statuses.push(status);
        }
        let (status, retry_after, body) = get_user_with(&s, login, "wrong").await;
        assert_throttled(&(status, retry_after, body.clone()), 60);
        answers.push((statuses, status, body));
    }
    let mut expected = vec![401; 10];
    expected.push(429);
    assert_eq!(answers[0].0, expected);
    assert_eq!(answers[0], answers[1], "an unknown name counts as a known one");
    assert_eq!(answers[0], answers[2], "so does an unknown e-mail");
}

#[tokio::test]
async fn an_address_is_throttled_across_names() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOGIN_FAILURE_IP_BURST", "5")).await;
    let alice = s.create_user("alice", false).await;
    for i in 0..5 {
        let (status, _, _) = get_user_with(&s, &format!("guess{i}"), "wrong").await;
        assert_eq!(status, 401);
    }
    // A name never tried before, with the right password, from the same address.
    assert_throttled(&get_user_with(&s, "alice", &alice.password).await, 60);
    assert_throttled(&get_user_with(&s, &alice.email, &alice.password).await, 60);
}

#[tokio::test]
async fn successful_logins_are_not_counted() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOGIN_FAILURE_NAME_BURST", "2")).await;
    let alice = s.create_user("alice", false).await;
    for _ in 0..5 {
        assert_eq!(get_user_with(&s, "alice", &alice.password).await.0, 200);
    }
    assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    assert_eq!(get_user_with(&s, "alice", &alice.password).await.0, 200);
    assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    assert_throttled(&get_user_with(&s, "alice", &alice.password).await, 60);
}

#[tokio::test]
async fn tokens_still_work_while_a_name_is_limited() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOGIN_FAILURE_NAME_BURST", "3")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    for _ in 0..3 {
        assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    }
    assert_throttled(&get_user_with(&s, "alice", &alice.password).await, 60);
    let (status, body) = json(s.get("/user").token(&token).send().await.unwrap()).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("alice")));
    let (status, body) = json(s.get(&format!("/user?token={token}")).send().await.unwrap()).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("alice")));
}

#[tokio::test]
async fn attempts_are_regained_after_the_refill_interval() {
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOGIN_FAILURE_NAME_BURST", "2");
        raw.set("security", "LOGIN_FAILURE_REFILL_SECONDS", "0.5");
    })
    .await;
    let alice = s.create_user("alice", false).await;
    assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    let throttled = get_user_with(&s, "alice", &alice.password).await;
    assert_throttled(&throttled, 1);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    let (status, _, body) = get_user_with(&s, "alice", &alice.password).await;
    assert_eq!((status, body["username"].as_str()), (200, Some("alice")));
    // One attempt was regained, and only one.
    assert_eq!(get_user_with(&s, "alice", "wrong").await.0, 401);
    assert_throttled(&get_user_with(&s, "alice", "wrong").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_http_password_guessing_is_throttled() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, serde_json::json!({"name": "priv", "auto_init": true, "private": true})).await;
    let refs = |service: &str, login: &str, password: &str| {
        s.client
            .get(format!("{}alice/priv/info/refs?service={service}", s.base))
            .header("Authorization", basic(login, password))
            .send()
    };
    for i in 0..10 {
        let resp = refs("git-upload-pack", "alice", &format!("wrong{i}")).await.unwrap();
        assert_eq!(resp.status(), 401, "attempt {i}");
        assert_eq!(resp.headers()["www-authenticate"], "Basic realm=\".\"");
    }
    for service in ["git-upload-pack", "git-receive-pack"] {
        let resp = refs(service, "alice", &alice.password).await.unwrap();
        assert_eq!(resp.status(), 429, "{service}");
        let retry_after: u64 = resp.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry_after), "{retry_after}");
        assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
        assert!(resp.headers().get("www-authenticate").is_none(), "no new credentials will help");
        assert_eq!(resp.text().await.unwrap(), format!("{TOO_MANY}\n"));
    }
    // A real client is told so.
    let git = Git::new();
    let out = git.run(None, &["clone", "-q", &s.git_url(Some(("alice", &alice.password)), "alice", "priv"), "c1"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("429"), "{}", out.stderr);
    // Tokens are not throttled, as password or as user name.
    let resp = refs("git-upload-pack", "alice", &token).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-git-upload-pack-advertisement");
    assert_eq!(refs("git-receive-pack", &token, "").await.unwrap().status(), 200);
    git.ok(None, &["clone", "-q", &s.git_url(Some(("alice", &token)), "alice", "priv"), "c2"]);
    // The API shares the limit: the same name is limited there too.
    assert_throttled(&get_user_with(&s, "alice", &alice.password).await, 60);
}
