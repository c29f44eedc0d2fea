//! Watching (Gitea's routes): the owner watches what they create, subscriptions (Gitea's
//! WatchInfo), subscribers, and watched lists limited to readable repositories.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::*;

fn names(body: &Value, key: &str) -> Vec<String> {
    body.as_array().unwrap().iter().map(|v| v[key].as_str().unwrap().to_string()).collect()
}

async fn watch(s: &TestServer, path: &str, who: impl Caller) -> (u16, Value) {
    json(s.request(Method::PUT, path, who).send().await.unwrap()).await
}

#[tokio::test]
async fn the_owner_watches_a_new_repository() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let created = s.create_repo(&alice, json!({ "name": "r" })).await;
    assert_eq!(created["watchers_count"], 1);

    let (status, body) = s.get_json("/repos/alice/r/subscription", &alice).await;
    assert_eq!(status, 200);
    let api = format!("{}api/v1/repos/alice/r", s.base);
    let (_, repo) = s.get_json("/repos/alice/r", &alice).await;
    assert_eq!(
        body,
        json!({
            "subscribed": true,
            "ignored": false,
            "reason": null,
            "created_at": repo["created_at"],
            "url": format!("{api}/subscription"),
            "repository_url": api,
        })
    );
    let page = s.get_reply("/repos/alice/r/subscribers", &alice).await;
    assert_eq!(names(&page.body, "username"), vec!["alice"]);
    assert_eq!(page.header("x-total-count"), "1");
    let (_, body) = s.get_json("/user/subscriptions", &alice).await;
    assert_eq!(names(&body, "full_name"), vec!["alice/r"]);
}

#[tokio::test]
async fn watch_and_unwatch() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, json!({ "name": "r" })).await;

    assert_eq!(s.get_json("/repos/alice/r/subscription", &bob).await, (404, json!({ "message": "Not Found" })));
    let (status, body) = watch(&s, "/repos/alice/r/subscription", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(body["subscribed"], true);
    assert_eq!(body["repository_url"], format!("{}api/v1/repos/alice/r", s.base));
    assert_eq!(watch(&s, "/repos/alice/r/subscription", &bob).await.0, 200, "idempotent");
    assert_eq!(s.get_status("/repos/alice/r/subscription", &bob).await, 200);
    let (_, repo) = s.get_json("/repos/alice/r", &bob).await;
    assert_eq!(repo["watchers_count"], 2);

    let page = s.get_reply("/repos/alice/r/subscribers", Anon).await;
    assert_eq!(page.status, 200);
    assert_eq!(names(&page.body, "username"), vec!["alice", "bob"], "oldest watch first");
    assert_eq!(page.header("x-total-count"), "2");
    let page = s.get_reply("/user/subscriptions", &bob).await;
    assert_eq!(names(&page.body, "full_name"), vec!["alice/r"]);
    assert_eq!(page.body[0]["watchers_count"], 2);
    assert_eq!(page.body[0]["permissions"], json!({ "admin": false, "push": false, "pull": true }));
    let (_, body) = s.get_json("/users/bob/subscriptions", Anon).await;
    assert_eq!(names(&body, "full_name"), vec!["alice/r"]);

    assert_eq!(s.delete_json("/repos/alice/r/subscription", &bob).await, (204, Value::Null));
    assert_eq!(s.delete_status("/repos/alice/r/subscription", &bob).await, 204, "idempotent");
    assert_eq!(s.get_status("/repos/alice/r/subscription", &bob).await, 404);
    let (_, repo) = s.get_json("/repos/alice/r", &bob).await;
    assert_eq!(repo["watchers_count"], 1);
    let page = s.get_reply("/user/subscriptions", &bob).await;
    assert_eq!(page.body, json!([]));
    assert_eq!(page.header("x-total-count"), "0");

    // The owner may stop watching too.
    assert_eq!(s.delete_status("/repos/alice/r/subscription", &alice).await, 204);
    let (_, repo) = s.get_json("/repos/alice/r", &alice).await;
    assert_eq!(repo["watchers_count"], 0);
}

#[tokio::test]
async fn watched_lists_show_only_readable_repositories() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, json!({ "name": "open" })).await;
    s.create_repo(&alice, json!({ "name": "secret", "private": true })).await;

    let mine = s.get_reply("/user/subscriptions", &alice).await;
    assert_eq!(names(&mine.body, "name"), vec!["secret", "open"], "newest watch first");
    assert_eq!(mine.header("x-total-count"), "2");
    let theirs = s.get_reply("/users/alice/subscriptions", &bob).await;
    assert_eq!(names(&theirs.body, "name"), vec!["open"]);
    assert_eq!(theirs.header("x-total-count"), "1");
    let (_, body) = s.get_json("/users/alice/subscriptions", Anon).await;
    assert_eq!(names(&body, "name"), vec!["open"]);
}

#[tokio::test]
async fn watch_failures() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, json!({ "name": "open" })).await;
    s.create_repo(&alice, json!({ "name": "secret", "private": true })).await;

    let unauthorized = json!({ "message": "Unauthorized" });
    let not_found = json!({ "message": "Not Found" });
    assert_eq!(s.get_json("/user/subscriptions", Anon).await, (401, unauthorized.clone()));
    assert_eq!(s.get_json("/repos/alice/open/subscription", Anon).await, (401, unauthorized.clone()));
    assert_eq!(watch(&s, "/repos/alice/open/subscription", Anon).await, (401, unauthorized.clone()));
    assert_eq!(s.delete_json("/repos/alice/open/subscription", Anon).await, (401, unauthorized.clone()));
    assert_eq!(watch(&s, "/repos/alice/secret/subscription", &bob).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/alice/secret/subscription", &bob).await, (404, not_found.clone()));
    assert_eq!(s.delete_json("/repos/alice/secret/subscription", &bob).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/alice/secret/subscribers", &bob).await, (404, not_found.clone()));
    assert_eq!(watch(&s, "/repos/alice/nothing/subscription", &bob).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/users/ghost/subscriptions", &bob).await, (404, not_found.clone()));
    let (_, repo) = s.get_json("/repos/alice/secret", &alice).await;
    assert_eq!(repo["watchers_count"], 1);
}
