//! Webhooks: CRUD as Gogs, and delivery to a real receiver on 127.0.0.1 (payloads, signatures,
//! content types, event selection, retries, restarts, the local-network guard, history).

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json as j};
use sha2::Sha256;
use tokio::net::TcpListener;

use crate::support::*;

const ZEROS: &str = "0000000000000000000000000000000000000000";

/// The keys appear in this order in the JSON text (each after the previous one).
fn assert_key_order(text: &str, keys: &[&str]) {
    let mut at = 0;
    for k in keys {
        let needle = format!("\"{k}\":");
        match text[at..].find(&needle) {
            Some(i) => at += i + needle.len(),
            None => panic!("key {k} not found after position {at} in {text}"),
        }
    }
}

async fn text_of(resp: reqwest::Response) -> (u16, String) {
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn hmac_hex(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn create_hook(s: &TestServer, token: &str, repo: &str, body: Value) -> Value {
    let resp = s.post(&format!("/repos/{repo}/hooks")).token(token).json(&body).send().await.unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 201, "{body}");
    body
}

/// A work tree with one commit by `email`, pushed as `user` to `owner/repo`'s `master`.
fn push_first(s: &TestServer, git: &Git, user: &TestUser, repo: &str) -> std::path::PathBuf {
    let wt = git.path(repo);
    std::fs::create_dir_all(&wt).unwrap();
    git.ok(Some(&wt), &["init", "-q"]);
    std::fs::write(wt.join("README.md"), "hello\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["-c", &format!("user.email={}", user.email), "commit", "-q", "-m", "Add README"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&user.name, &user.password)), &user.name, repo), "master"]);
    wt
}

async fn task_i64(s: &TestServer, query: &str) -> i64 {
    s.sql_i64(query).await
}

/// Poll a SQL count until it reaches `want` (at most 10 s).
async fn wait_sql(s: &TestServer, query: &str, want: i64) {
    for _ in 0..500 {
        if task_i64(s, query).await >= want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{query} never reached {want}");
}

#[tokio::test]
async fn crud_as_gogs() {
    let s = hook_server().await;
    let (_ada, token) = s.user_with_token("ada", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;

    // Defaults: inactive, push only; the secret is never shown; config keys sorted.
    let h = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": "http://example.com/h", "content_type": "json", "secret": "s3"}}),
    )
    .await;
    assert_shape!(s, "webhook", h);
    let (_, raw) = text_of(s.get("/repos/ada/engine/hooks").token(&token).send().await.unwrap()).await;
    assert_key_order(&raw, &["id", "type", "config", "events", "active", "updated_at", "created_at"]);
    let id = h["id"].as_i64().unwrap();

    // Events in canonical order, unknown names dropped.
    let h2 = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "slack", "config": {"url": "http://example.com/s", "content_type": "form", "channel": "#dev"},
            "events": ["release", "nope", "create", "push"], "active": true}),
    )
    .await;
    assert_shape!(s, "webhook_slack", h2);

    // Gogs' 422 messages and the binding array.
    for (body, message) in [
        (j!({"type": "teams", "config": {"url": "u", "content_type": "json"}}), "Invalid hook type."),
        (j!({"type": "gogs", "config": {"content_type": "json"}}), "Missing config option: url"),
        (j!({"type": "gogs", "config": {"url": "u"}}), "Missing config option: content_type"),
        (j!({"type": "gogs", "config": {"url": "u", "content_type": "xml"}}), "Invalid content type."),
        (j!({"type": "slack", "config": {"url": "u", "content_type": "json"}}), "Missing config option: channel"),
    ] {
        let (status, body) = s.post_json("/repos/ada/engine/hooks", &token, &body).await;
        assert_eq!((status, body["message"].as_str()), (422, Some(message)), "{body}");
    }
    let (status, body) = s.post_json("/repos/ada/engine/hooks", &token, j!({})).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["fieldNames"][0].as_str().unwrap()).collect();
    assert_eq!(fields, ["Type", "Config"]);

    // List, and the GitHub-style single GET.
    let (status, list) = s.get_json("/repos/ada/engine/hooks", &token).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0], h);
    let (status, one) = s.get_json(&format!("/repos/ada/engine/hooks/{id}"), &token).await;
    assert_eq!((status, one["id"].as_i64()), (200, Some(id)));

    // PATCH: omitted events reset to push, active only when present, content type checked.
    let (status, e) = s
        .patch_json(
            &format!("/repos/ada/engine/hooks/{}", h2["id"]),
            &token,
            j!({"config": {"url": "http://example.com/s2"}}),
        )
        .await;
    assert_eq!(status, 200, "{e}");
    assert_eq!(e["events"], j!(["push"]));
    assert_eq!(e["active"], true);
    assert_eq!(e["config"]["url"], "http://example.com/s2");
    assert_eq!(e["config"]["channel"], "#dev");
    let (status, e) = s
        .patch_json(
            &format!("/repos/ada/engine/hooks/{id}"),
            &token,
            j!({"config": {"content_type": "form", "secret": "changed"}, "events": ["fork"], "active": true}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (e["events"].clone(), e["active"].clone(), e["config"]["content_type"].clone()),
        (j!(["fork"]), j!(true), j!("form"))
    );
    assert_eq!(s.sql_i64(&format!("SELECT COUNT(*) FROM webhook WHERE id = {id} AND secret = 's3'")).await, 1);
    let (status, body) =
        s.patch_json(&format!("/repos/ada/engine/hooks/{id}"), &token, j!({"config": {"content_type": "xml"}})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("Invalid content type.")));
    assert_eq!(s.patch_status("/repos/ada/engine/hooks/999999", &token, j!({})).await, 404);

    // Others: 403 with an empty body for a reader of a public repository, 404 for a private one.
    assert_eq!(s.get_status("/repos/ada/engine/hooks", &bob_token).await, 403);
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    assert_eq!(s.get_status("/repos/ada/secret/hooks", &bob_token).await, 404);

    // DELETE: 204, also for an id that does not exist.
    assert_eq!(s.delete_status(&format!("/repos/ada/engine/hooks/{id}"), &token).await, 204);
    assert_eq!(s.delete_status(&format!("/repos/ada/engine/hooks/{id}"), &token).await, 204);
    let (_, list) = s.get_json("/repos/ada/engine/hooks", &token).await;
    assert_eq!(list.as_array().unwrap().len(), 1);

    // Hooks go with their repository.
    assert_eq!(s.delete_status("/repos/ada/engine", &token).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM webhook").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_delivers_signed_payloads() {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let rx = Receiver::start().await;
    let hook = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json", "secret": "sesame"},
            "events": ["create", "delete", "push"], "active": true}),
    )
    .await;
    // An inactive hook and a hook that does not select push get nothing.
    let idle = Receiver::start().await;
    create_hook(&s, &token, "ada/engine", j!({"type": "gogs", "config": {"url": idle.url(), "content_type": "json"}}))
        .await;
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": idle.url(), "content_type": "json"}, "events": ["release"], "active": true}),
    )
    .await;

    let git = Git::new();
    let wt = push_first(&s, &git, &ada, "engine");
    let got = rx.wait_for(2).await;
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();

    // First `create` (branch), then `push`.
    let create = &got[0];
    assert_eq!(create.header("X-Gogs-Event"), "create");
    let c = create.payload();
    assert_eq!(
        (c["ref"].as_str(), c["ref_type"].as_str(), c["sha"].as_str()),
        (Some("master"), Some("branch"), Some(""))
    );

    let push = &got[1];
    for (name, value) in [
        ("X-Gogs-Event", "push"),
        ("X-Github-Event", "push"),
        ("X-Gitea-Event", "push"),
        ("Content-Type", "application/json"),
        ("User-Agent", "GogsServer"),
    ] {
        assert_eq!(push.header(name), value, "{name}");
    }
    let uuid = push.header("X-Gogs-Delivery").to_string();
    assert_eq!(uuid.len(), 36);
    assert_eq!(push.header("X-Github-Delivery"), uuid);
    assert_ne!(uuid, create.header("X-Gogs-Delivery"));
    // The signature verifies over the exact body; the body is Go-style pretty JSON.
    assert_eq!(push.header("X-Gogs-Signature"), hmac_hex("sesame", &push.body));
    assert_eq!(push.header("X-Gitea-Signature"), push.header("X-Gogs-Signature"));
    assert!(push.body.starts_with("{\n  \"ref\": \"refs/heads/master\",\n  \"before\": "), "{}", push.body);

    let p = push.payload();
    assert_key_order(
        &push.body,
        &["ref", "before", "after", "compare_url", "commits", "repository", "pusher", "sender"],
    );
    assert_eq!(p["before"], ZEROS);
    assert_eq!(p["after"], head.as_str());
    assert_eq!(p["compare_url"], "");
    let commit = &p["commits"][0];
    assert_eq!(p["commits"].as_array().unwrap().len(), 1);
    assert_eq!(commit["id"], head.as_str());
    assert_eq!(commit["message"], "Add README\n");
    assert_eq!(commit["url"], format!("{}ada/engine/commit/{head}", s.base));
    assert_eq!(commit["author"], j!({"name": "Tester", "email": "ada@example.com", "username": "ada"}));
    assert_eq!(commit["added"], j!(["README.md"]));
    assert_eq!(commit["removed"], Value::Null);
    assert_eq!(commit["modified"], Value::Null);
    assert!(commit["timestamp"].as_str().unwrap().len() >= 20);
    let r = &p["repository"];
    let repo_text = &push.body[push.body.find("\"repository\": {").unwrap()..];
    assert_key_order(
        repo_text,
        &[
            "id",
            "owner",
            "name",
            "full_name",
            "description",
            "private",
            "fork",
            "parent",
            "empty",
            "mirror",
            "size",
            "html_url",
            "ssh_url",
            "clone_url",
            "website",
            "stars_count",
            "forks_count",
            "watchers_count",
            "open_issues_count",
            "default_branch",
            "created_at",
            "updated_at",
            "pusher",
        ],
    );
    assert!(!r.as_object().unwrap().contains_key("permissions") && !r.as_object().unwrap().contains_key("unlisted"));
    assert_eq!(r["full_name"], "ada/engine");
    assert_eq!(r["empty"], true, "the repository as it was before the push");
    assert!(r["size"].as_i64().unwrap() > 0, "but its new size");
    assert_eq!(r["parent"], Value::Null);
    assert_eq!(r["owner"]["email"], "ada@example.com");
    assert_eq!(p["pusher"]["login"], "ada");
    assert_eq!(p["sender"], p["pusher"]);

    // An update: compare URL and name-status lists.
    std::fs::write(wt.join("README.md"), "hello again\n").unwrap();
    std::fs::write(wt.join("NEW.txt"), "new\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Second"]);
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "engine");
    git.ok(Some(&wt), &["push", "-q", &url, "master"]);
    let got = rx.wait_for(3).await;
    let p = got[2].payload();
    assert_eq!(got[2].header("X-Gogs-Event"), "push");
    assert_eq!(p["before"], head.as_str());
    let after = p["after"].as_str().unwrap().to_string();
    assert_eq!(p["compare_url"], format!("{}ada/engine/compare/{head}...{after}", s.base));
    assert_eq!(p["commits"][0]["added"], j!(["NEW.txt"]));
    assert_eq!(p["commits"][0]["modified"], j!(["README.md"]));
    assert_eq!(p["commits"][0]["author"]["username"], "", "an e-mail no account owns");
    assert_eq!(p["repository"]["empty"], false);

    // A tag (create, with its sha; no push) and a branch deletion (delete, no push).
    git.ok(Some(&wt), &["tag", "v1"]);
    git.ok(Some(&wt), &["push", "-q", &url, "v1", "master:side"]);
    git.ok(Some(&wt), &["push", "-q", &url, "--delete", "side"]);
    let got = rx.wait_for(7).await;
    let events: Vec<&str> = got[3..].iter().map(|g| g.header("X-Gogs-Event")).collect();
    let tag = got[3..].iter().map(Received::payload).find(|p| p["ref_type"] == "tag").unwrap();
    assert_eq!((tag["ref"].as_str(), tag["sha"].as_str()), (Some("v1"), Some(after.as_str())));
    assert_eq!(events.iter().filter(|e| **e == "create").count(), 2, "{events:?}");
    assert_eq!(events.iter().filter(|e| **e == "push").count(), 1, "{events:?}");
    assert_eq!(events.last(), Some(&"delete"));
    let del = got[6].payload();
    assert_eq!(
        del,
        j!({"ref": "side", "ref_type": "branch", "pusher_type": "user", "repository": del["repository"], "sender": del["sender"]})
    );

    // Nothing reached the inactive or release-only hooks.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(idle.got().is_empty());

    // The history through the API: newest first, with request and response.
    let id = hook["id"].as_i64().unwrap();
    let (status, list) = s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries"), &token).await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap().clone();
    assert_eq!(list.len(), 7);
    assert!(list[0]["id"].as_i64() > list[1]["id"].as_i64());
    let first = list.last().unwrap();
    assert_eq!(
        (first["event"].as_str(), first["status"].as_str(), first["status_code"].as_i64()),
        (Some("create"), Some("OK"), Some(200))
    );
    let push_delivery = &list[5];
    assert_eq!(push_delivery["guid"], uuid.as_str());
    let (status, d) =
        s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries/{}", push_delivery["id"]), &token).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["url"], rx.url());
    assert_eq!(d["request"]["headers"]["X-Gogs-Signature"], push.header("X-Gogs-Signature"));
    assert_eq!(d["request"]["payload"]["after"], head.as_str());
    assert_eq!(d["response"]["payload"], "thanks");
    assert_eq!(d["response"]["headers"]["Content-Length"], "6");

    // Redelivery sends the same delivery again (same uuid and signature).
    let resp = s
        .post(&format!("/repos/ada/engine/hooks/{id}/deliveries/{}/attempts", push_delivery["id"]))
        .token(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let got = rx.wait_for(8).await;
    assert_eq!(got[7].header("X-Gogs-Delivery"), uuid);
    assert_eq!(got[7].body, push.body);
    assert_eq!(got[7].header("X-Gogs-Signature"), push.header("X-Gogs-Signature"));

    // A test delivery: a push of the default branch's latest commit.
    let resp = s.post(&format!("/repos/ada/engine/hooks/{id}/tests")).token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 204);
    let got = rx.wait_for(9).await;
    let t = got[8].payload();
    assert_eq!(t["ref"], "refs/heads/master");
    assert_eq!((t["before"].clone(), t["after"].clone()), (j!(after), j!(after)));
    assert_eq!(t["commits"][0]["timestamp"], "0001-01-01T00:00:00Z");
    assert_eq!(s.sql_i64(&format!("SELECT last_status FROM webhook WHERE id = {id}")).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn form_content_type_signs_the_json() {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let rx = Receiver::start().await;
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "form", "secret": "k"}, "active": true}),
    )
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "engine");
    let got = rx.wait_for(1).await;
    let g = &got[0];
    assert_eq!(g.header("content-type"), "application/x-www-form-urlencoded");
    assert!(g.body.starts_with("payload=%7B%0A++%22ref%22"), "{}", g.body);
    let payload = g.payload_text();
    assert_eq!(g.header("X-Gogs-Signature"), hmac_hex("k", &payload));
    assert_eq!(g.payload()["ref"], "refs/heads/master");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_and_release_events() {
    let s = hook_server().await;
    let (_ada, token) = s.user_with_token("ada", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "engine", "auto_init": true})).await;
    let rx = Receiver::start().await;
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json"}, "events": ["fork", "release"], "active": true}),
    )
    .await;

    let resp = s.post("/repos/ada/engine/forks").token(&bob_token).send().await.unwrap();
    assert_eq!(resp.status(), 202);
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].header("X-Gogs-Event"), "fork");
    assert_eq!(got[0].header("X-Gogs-Signature"), "", "no secret: an empty signature header");
    let f = got[0].payload();
    assert_eq!(f["forkee"]["full_name"], "bob/engine");
    assert_eq!(f["forkee"]["fork"], true);
    assert_eq!(f["forkee"]["parent"]["full_name"], "ada/engine");
    assert_eq!(f["forkee"]["parent"]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    assert_eq!(f["repository"]["full_name"], "ada/engine");
    assert_eq!(f["sender"]["username"], "bob");

    // A draft publishes nothing; editing it into a release does; so does a direct release.
    let (status, draft) = s
        .post_json("/repos/ada/engine/releases", &token, j!({"tag_name": "v0.9", "name": "Draft", "draft": true}))
        .await;
    assert_eq!(status, 201, "{draft}");
    let (status, _) = s
        .post_json("/repos/ada/engine/releases", &token, j!({"tag_name": "v1.0", "name": "One", "body": "notes"}))
        .await;
    assert_eq!(status, 201);
    let got = rx.wait_for(2).await;
    let r = got[1].payload();
    assert_eq!(got[1].header("X-Gogs-Event"), "release");
    assert_eq!(r["action"], "published");
    assert_eq!(r["release"]["tag_name"], "v1.0");
    assert_eq!(r["release"]["name"], "One");
    assert_eq!(r["release"]["body"], "notes");
    assert_eq!(r["release"]["target_commitish"], "master");
    assert_eq!(r["release"]["author"]["username"], "ada");
    assert_eq!(r["repository"]["full_name"], "ada/engine");
    assert_eq!(r["sender"]["username"], "ada");
    assert_eq!(
        s.patch_status(&format!("/repos/ada/engine/releases/{}", draft["id"]), &token, j!({"draft": false})).await,
        200
    );
    let got = rx.wait_for(3).await;
    assert_eq!(got[2].payload()["release"]["tag_name"], "v0.9");
    assert_eq!(got.len(), 3);
}

/// Reserve a port nobody listens on (yet). It is taken below the ephemeral range (32768–60999 by
/// default) so that, between the test dropping it and binding it again, no other test's `bind(0)`
/// or outgoing connection can be handed the same port.
async fn free_port() -> TcpListener {
    let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    for i in 0..500u32 {
        let port = 20000 + ((seed / 7 + i * 7919) % 10000) as u16;
        if let Ok(listener) = TcpListener::bind(("127.0.0.1", port)).await {
            return listener;
        }
    }
    TcpListener::bind("127.0.0.1:0").await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_only_where_the_receiver_cannot_have_acted() {
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        raw.set("webhook", "RETRY_BACKOFF_MS", "300");
        raw.set("webhook", "MAX_ATTEMPTS", "6");
    })
    .await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "down"})).await;
    s.create_repo(&token, j!({"name": "flaky"})).await;
    s.create_repo(&token, j!({"name": "broken"})).await;

    // Down (connection refused), then up.
    let reserved = free_port().await;
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    create_hook(
        &s,
        &token,
        "ada/down",
        j!({"type": "gogs", "config": {"url": format!("http://{addr}/hook"), "content_type": "json"}, "active": true}),
    )
    .await;
    // 503 then 200; and 500, which is final.
    let flaky = Receiver::on(free_port().await, vec![503], Duration::ZERO);
    create_hook(
        &s,
        &token,
        "ada/flaky",
        j!({"type": "gogs", "config": {"url": flaky.url(), "content_type": "json"}, "active": true}),
    )
    .await;
    let broken = Receiver::on(free_port().await, vec![500], Duration::ZERO);
    create_hook(
        &s,
        &token,
        "ada/broken",
        j!({"type": "gogs", "config": {"url": broken.url(), "content_type": "json"}, "active": true}),
    )
    .await;

    let git = Git::new();
    push_first(&s, &git, &ada, "down");
    push_first(&s, &git, &ada, "flaky");
    push_first(&s, &git, &ada, "broken");

    let down = "SELECT COALESCE(MAX(attempts), 0) FROM hook_task t JOIN repository r ON r.id = t.repo_id WHERE r.name = 'down'";
    wait_sql(&s, down, 1).await;
    let up = Receiver::on(TcpListener::bind(addr).await.unwrap(), Vec::new(), Duration::ZERO);
    let got = up.wait_for(1).await;
    assert_eq!(got[0].header("X-Gogs-Event"), "push");
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE is_succeed", 1).await;
    assert!(s.sql_i64(down).await >= 2);

    let got = flaky.wait_for(2).await;
    assert_eq!(got[0].header("X-Gogs-Delivery"), got[1].header("X-Gogs-Delivery"), "the same delivery again");
    assert_eq!(got[0].body, got[1].body);

    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE is_succeed", 3 - 1).await;
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE is_delivered", 3).await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(broken.got().len(), 1, "a 500 is not retried");
    let broken_row = "SELECT attempts FROM hook_task t JOIN repository r ON r.id = t.repo_id WHERE r.name = 'broken'";
    assert_eq!(s.sql_i64(broken_row).await, 1);
    assert_eq!(flaky.got().len(), 2);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM webhook WHERE last_status = 2").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_deliveries_survive_a_restart() {
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        // The retry would only come in ten minutes: the restart must pick it up.
        raw.set("webhook", "RETRY_BACKOFF_MS", "600000");
    })
    .await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let reserved = free_port().await;
    let addr = reserved.local_addr().unwrap();
    drop(reserved);
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": format!("http://{addr}/hook"), "content_type": "json"}, "events": ["create", "push"], "active": true}),
    )
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "engine");
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE attempts = 1", 1).await;
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task WHERE NOT is_delivered").await, 2);

    let rx = Receiver::on(TcpListener::bind(addr).await.unwrap(), Vec::new(), Duration::ZERO);
    let s = s.restart(|_| {}).await;
    let got = rx.wait_for(2).await;
    let events: Vec<&str> = got.iter().map(|g| g.header("X-Gogs-Event")).collect();
    assert_eq!(events, ["create", "push"], "in order");
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE is_succeed", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.got().len(), 2, "each delivered once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_network_is_refused_unless_allowed() {
    let s = TestServer::start().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let rx = Receiver::start().await;
    // Accepted at create time (as Gogs), refused at delivery.
    let by_name = format!("http://localhost:{}/hook", rx.addr.port());
    let h1 = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json"}, "active": true}),
    )
    .await;
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": by_name, "content_type": "json"}, "active": true}),
    )
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "engine");
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE response_content LIKE '%implicitly blocked%'", 2).await;
    assert!(rx.got().is_empty());
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task WHERE is_delivered OR attempts > 0").await, 0);
    let id = h1["id"].as_i64().unwrap();
    let (_, list) = s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries"), &token).await;
    assert_eq!(list[0]["status"], "Payload URL resolved to a local network address that is implicitly blocked.");
    assert_eq!(list[0]["pending"], true);
    assert_eq!(list[0]["delivered_at"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_addresses_are_refused_at_delivery_even_with_loopback_and_private_allowed() {
    // A short timeout: before the guard knew these ranges, the deliverer tried to connect to them.
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback, private");
        raw.set("webhook", "DELIVER_TIMEOUT", "2");
        raw.set("webhook", "MAX_ATTEMPTS", "1");
    })
    .await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let urls = [
        "http://192.0.2.1/hook",
        "http://198.51.100.7:8080/hook",
        "http://[2001:db8::1]/hook",
        "http://[::ffff:203.0.113.5]/hook",
        "http://[64:ff9b::c000:201]/hook",
    ];
    let mut ids = Vec::new();
    for url in urls {
        // Accepted at create time (as Gogs), refused at delivery.
        let h = create_hook(
            &s,
            &token,
            "ada/engine",
            j!({"type": "gogs", "config": {"url": url, "content_type": "json"}, "active": true}),
        )
        .await;
        assert_eq!(h["config"]["url"], url);
        ids.push(h["id"].as_i64().unwrap());
    }
    let git = Git::new();
    push_first(&s, &git, &ada, "engine");
    // One push event for every hook (hooks subscribe to pushes only by default).
    let want = urls.len() as i64;
    wait_sql(&s, "SELECT COUNT(*) FROM hook_task WHERE response_content LIKE '%implicitly blocked%'", want).await;
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task").await, want);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task WHERE is_delivered OR attempts > 0").await, 0);
    for (id, url) in ids.iter().zip(urls) {
        let (status, list) = s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries"), &token).await;
        assert_eq!(status, 200, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 1, "{url}: {list}");
        for d in list.as_array().unwrap() {
            assert_eq!(
                d["status"], "Payload URL resolved to a local network address that is implicitly blocked.",
                "{url}"
            );
            assert_eq!(d["pending"], true, "{url}");
            assert_eq!(d["delivered_at"], Value::Null, "{url}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_receiver_does_not_hold_up_other_repositories() {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "slow"})).await;
    s.create_repo(&token, j!({"name": "fast"})).await;
    let slow = Receiver::on(free_port().await, Vec::new(), Duration::from_secs(3));
    let fast = Receiver::start().await;
    create_hook(
        &s,
        &token,
        "ada/slow",
        j!({"type": "gogs", "config": {"url": slow.url(), "content_type": "json"}, "active": true}),
    )
    .await;
    create_hook(
        &s,
        &token,
        "ada/fast",
        j!({"type": "gogs", "config": {"url": fast.url(), "content_type": "json"}, "active": true}),
    )
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "slow");
    slow.wait_for(1).await;
    let started = std::time::Instant::now();
    push_first(&s, &git, &ada, "fast");
    fast.wait_for(1).await;
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_hooks_get_their_format() {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let rx = Receiver::start().await;
    // Discord created through the API keeps its settings (Gogs stores none and then fails).
    let discord = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "discord", "config": {"url": format!("{}?d", rx.url()), "content_type": "json", "secret": "x",
            "username": "bot", "color": "#00ff00"}, "active": true}),
    )
    .await;
    assert_eq!(discord["config"], j!({"content_type": "json", "url": format!("{}?d", rx.url())}));
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "slack", "config": {"url": rx.url(), "content_type": "json", "channel": "#dev"}, "active": true}),
    )
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "engine");
    let got = rx.wait_for(2).await;
    let d = got[0].payload();
    assert_eq!(got[0].header("X-Gogs-Event"), "push");
    assert_eq!(got[0].header("X-Gogs-Signature"), hmac_hex("x", &got[0].body));
    assert_eq!(d["username"], "bot");
    assert_eq!(d["embeds"][0]["color"], 0x00ff00);
    assert!(d["embeds"][0]["description"].as_str().unwrap().contains("Add README"), "{d}");
    let m = got[1].payload();
    assert_eq!(m["channel"], "#dev");
    assert!(m["text"].as_str().unwrap().contains("1 new commit"), "{m}");
}

/// Organisation hooks (`repo_id` 0, `org_id` = owner) fire for every repository of the owner; the
/// routes come with organisations, the store already selects them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn owner_level_hooks_fire_for_every_repository() {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "one"})).await;
    s.create_repo(&token, j!({"name": "two"})).await;
    let rx = Receiver::start().await;
    let ada_id = s.sql_i64("SELECT id FROM \"user\" WHERE lower_name = 'ada'").await;
    let events = r#"{"push_only":false,"send_everything":false,"choose_events":true,"events":{"push":true}}"#;
    s.sql(&format!(
        "INSERT INTO webhook (repo_id, org_id, url, content_type, events, is_active, created_unix, updated_unix) \
         VALUES (0, {ada_id}, '{}', 1, '{events}', TRUE, 0, 0)",
        rx.url()
    ))
    .await;
    let git = Git::new();
    push_first(&s, &git, &ada, "one");
    push_first(&s, &git, &ada, "two");
    let got = rx.wait_for(2).await;
    let mut names: Vec<String> =
        got.iter().map(|g| g.payload()["repository"]["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    assert_eq!(names, ["one", "two"]);
    assert_eq!(s.sql_i64("SELECT COUNT(DISTINCT repo_id) FROM hook_task").await, 2);
}
