//! Starring (Gitea's routes): stars, stargazers, starred lists limited to readable repositories,
//! and `stars_count` kept exact under concurrency and deletions.

use reqwest::Method;
use serde_json::json;

use crate::support::*;

fn names(body: &serde_json::Value, key: &str) -> Vec<String> {
    body.as_array().unwrap().iter().map(|v| v[key].as_str().unwrap().to_string()).collect()
}

async fn stars_count(s: &TestServer, repo: &str, who: impl Caller) -> i64 {
    let (status, body) = s.get_json(&format!("/repos/{repo}"), who).await;
    assert_eq!(status, 200, "{body}");
    body["stars_count"].as_i64().unwrap()
}

#[tokio::test]
async fn star_check_unstar_and_lists() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, json!({ "name": "r" })).await;
    s.create_repo(&alice, json!({ "name": "q" })).await;

    assert_eq!(s.get_json("/user/starred/alice/r", &bob).await, (404, json!({ "message": "Not Found" })));
    assert_eq!(s.put_status("/user/starred/alice/r", &bob).await, 204);
    assert_eq!(s.put_status("/user/starred/alice/r", &bob).await, 204, "idempotent");
    assert_eq!(s.put_status("/user/starred/ALICE/R", &bob).await, 204, "names are case-insensitive");
    assert_eq!(s.put_status("/user/starred/alice/q", &bob).await, 204);
    assert_eq!(s.get_status("/user/starred/alice/r", &bob).await, 204);
    assert_eq!(s.get_status("/user/starred/alice/r", &alice).await, 404);
    assert_eq!(stars_count(&s, "alice/r", &alice).await, 1);

    let page = s.get_reply("/repos/alice/r/stargazers", &alice).await;
    assert_eq!(page.status, 200);
    assert_eq!(names(&page.body, "username"), vec!["bob"]);
    assert_eq!(page.body[0]["email"], "bob@example.com");
    assert_eq!(page.header("x-total-count"), "1");
    // Anonymous callers see public repositories' stargazers, without e-mails.
    let (status, body) = s.get_json("/repos/alice/r/stargazers", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(body[0]["username"], "bob");
    assert_eq!(body[0]["email"], "");

    let page = s.get_reply("/user/starred", &bob).await;
    assert_eq!(page.status, 200);
    assert_eq!(names(&page.body, "full_name"), vec!["alice/q", "alice/r"], "newest star first");
    assert_eq!(page.header("x-total-count"), "2");
    assert_eq!(page.body[1]["stars_count"], 1);
    assert_eq!(page.body[1]["permissions"], json!({ "admin": false, "push": false, "pull": true }));
    assert_eq!(page.body[1]["owner"]["username"], "alice");

    let (status, body) = s.get_json("/users/bob/starred", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(names(&body, "full_name"), vec!["alice/q", "alice/r"]);
    let (_, body) = s.get_json("/users/bob/starred", &alice).await;
    assert_eq!(body[0]["permissions"], json!({ "admin": true, "push": true, "pull": true }), "the caller's");

    assert_eq!(s.delete_status("/user/starred/alice/r", &bob).await, 204);
    assert_eq!(s.delete_status("/user/starred/alice/r", &bob).await, 204, "idempotent");
    assert_eq!(s.get_status("/user/starred/alice/r", &bob).await, 404);
    assert_eq!(stars_count(&s, "alice/r", &alice).await, 0);
    let page = s.get_reply("/repos/alice/r/stargazers", &alice).await;
    assert_eq!(page.body, json!([]));
    assert_eq!(page.header("x-total-count"), "0");
    let (_, body) = s.get_json("/user/starred", &bob).await;
    assert_eq!(names(&body, "full_name"), vec!["alice/q"]);
}

#[tokio::test]
async fn starred_lists_show_only_readable_repositories() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_repo(&alice, json!({ "name": "open" })).await;
    s.create_repo(&alice, json!({ "name": "secret", "private": true })).await;
    assert_eq!(s.put_status("/user/starred/alice/open", &alice).await, 204);
    assert_eq!(s.put_status("/user/starred/alice/secret", &alice).await, 204);

    let mine = s.get_reply("/user/starred", &alice).await;
    assert_eq!(names(&mine.body, "name"), vec!["secret", "open"]);
    assert_eq!(mine.header("x-total-count"), "2");
    for who in [Some(&bob), None] {
        let page = s.get_reply("/users/alice/starred", who).await;
        assert_eq!(page.status, 200);
        assert_eq!(names(&page.body, "name"), vec!["open"]);
        assert_eq!(page.header("x-total-count"), "1", "the total counts only what the caller may read");
    }
    let (_, body) = s.get_json("/users/alice/starred", &root).await;
    assert_eq!(names(&body, "name"), vec!["secret", "open"], "site admins read everything");

    // A collaborator may read the private repository, so it is listed for them.
    assert_eq!(
        s.put_json("/repos/alice/secret/collaborators/bob", &alice, json!({ "permission": "read" })).await.0,
        204
    );
    let (_, body) = s.get_json("/users/alice/starred", &bob).await;
    assert_eq!(names(&body, "name"), vec!["secret", "open"]);
    assert_eq!(body[0]["permissions"], json!({ "admin": false, "push": false, "pull": true }));
}

#[tokio::test]
async fn star_failures() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, json!({ "name": "secret", "private": true })).await;
    s.create_repo(&alice, json!({ "name": "open" })).await;

    let unauthorized = json!({ "message": "Unauthorized" });
    let not_found = json!({ "message": "Not Found" });
    assert_eq!(s.get_json("/user/starred", Anon).await, (401, unauthorized.clone()));
    assert_eq!(s.put_json("/user/starred/alice/open", Anon, json!({})).await, (401, unauthorized.clone()));
    assert_eq!(s.get_json("/user/starred/alice/open", Anon).await, (401, unauthorized.clone()));
    assert_eq!(s.delete_json("/user/starred/alice/open", Anon).await, (401, unauthorized.clone()));
    // A private repository the caller cannot read is missing, for every route.
    assert_eq!(s.put_json("/user/starred/alice/secret", &bob, json!({})).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/user/starred/alice/secret", &bob).await, (404, not_found.clone()));
    assert_eq!(s.delete_json("/user/starred/alice/secret", &bob).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/alice/secret/stargazers", &bob).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/alice/secret/stargazers", Anon).await, (404, not_found.clone()));
    assert_eq!(s.put_json("/user/starred/alice/nothing", &bob, json!({})).await, (404, not_found.clone()));
    assert_eq!(s.put_json("/user/starred/ghost/open", &bob, json!({})).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/users/ghost/starred", &bob).await, (404, not_found.clone()));
    assert_eq!(stars_count(&s, "alice/secret", &alice).await, 0);
}

#[tokio::test]
async fn stargazer_pages() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, json!({ "name": "r" })).await;
    for i in 0..5 {
        let (_u, t) = s.user_with_token(&format!("fan{i}"), false).await;
        assert_eq!(s.put_status("/user/starred/alice/r", &t).await, 204);
    }
    let page = s.get_reply("/repos/alice/r/stargazers?limit=2&page=2", &alice).await;
    assert_eq!(page.status, 200);
    assert_eq!(names(&page.body, "username"), vec!["fan2", "fan3"], "oldest star first");
    assert_eq!(page.header("x-total-count"), "5");
    let base = format!("{}api/v1/repos/alice/r/stargazers", s.base);
    assert_eq!(
        page.header("link"),
        format!(
            "<{base}?limit=2&page=3>; rel=\"next\",<{base}?limit=2&page=3>; rel=\"last\",\
             <{base}?limit=2&page=1>; rel=\"first\",<{base}?limit=2&page=1>; rel=\"prev\""
        )
    );
    let page = s.get_reply("/repos/alice/r/stargazers", &alice).await;
    assert_eq!(page.body.as_array().unwrap().len(), 5);
    assert!(page.headers.get("link").is_none());
}

/// 32 clients star and unstar at once: the counter always equals the number of rows.
#[tokio::test]
async fn concurrent_star_toggles_keep_the_count_exact() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, json!({ "name": "r" })).await;
    let mut tokens = Vec::new();
    for i in 0..32 {
        tokens.push(s.user_with_token(&format!("u{i}"), false).await.1);
    }
    let send = |method: Method, token: &String| {
        let req = s.request(method, "/user/starred/alice/r", token);
        async move { req.send().await.expect("sent").status().as_u16() }
    };

    let puts: Vec<_> = tokens.iter().map(|t| send(Method::PUT, t)).collect();
    assert!(futures_util::future::join_all(puts).await.iter().all(|s| *s == 204));
    assert_eq!(stars_count(&s, "alice/r", &alice).await, 32);

    // Half of them unstar while the other half star again, and one user toggles both ways.
    let mixed: Vec<_> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| send(if i % 2 == 0 { Method::DELETE } else { Method::PUT }, t))
        .chain((0..16).map(|i| send(if i % 2 == 0 { Method::DELETE } else { Method::PUT }, &tokens[1])))
        .collect();
    assert!(futures_util::future::join_all(mixed).await.iter().all(|s| *s == 204));
    let (_, rows) = s.get_json("/repos/alice/r/stargazers?limit=50", &alice).await;
    let rows = rows.as_array().unwrap().len() as i64;
    assert!((15..=16).contains(&rows), "{rows}");
    assert_eq!(stars_count(&s, "alice/r", &alice).await, rows);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM star").await, rows);
}

#[tokio::test]
async fn deleting_users_and_repositories_keeps_counts_exact() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_repo(&alice, json!({ "name": "r" })).await;
    s.create_repo(&bob, json!({ "name": "b" })).await;
    assert_eq!(s.put_status("/user/starred/alice/r", &bob).await, 204);
    assert_eq!(s.put_status("/user/starred/alice/r", &root).await, 204);
    assert_eq!(s.request(Method::PUT, "/repos/alice/r/subscription", &bob).send().await.unwrap().status(), 200);
    assert_eq!(s.put_status("/user/starred/bob/b", &alice).await, 204);

    // Bob's repository goes: it leaves Alice's starred list.
    assert_eq!(s.delete_status("/repos/bob/b", &bob).await, 204);
    let page = s.get_reply("/user/starred", &alice).await;
    assert_eq!(page.body, json!([]));
    assert_eq!(page.header("x-total-count"), "0");

    // Bob goes: his star and his watch stop counting.
    assert_eq!(s.delete_status("/admin/users/bob", &root).await, 204);
    let (_, repo) = s.get_json("/repos/alice/r", &alice).await;
    assert_eq!(repo["stars_count"], 1);
    assert_eq!(repo["watchers_count"], 1);
    let (_, body) = s.get_json("/repos/alice/r/stargazers", &alice).await;
    assert_eq!(names(&body, "username"), vec!["root"]);
}
