//! Site administration beyond Gogs' API: `/admin/stats`, `/admin/config`, `/admin/auths`,
//! `/admin/users`, `/admin/orgs` paging, and `/admin/notices` with what writes them.

use serde_json::json as j;

use crate::support::*;

/// Every route here: 401 without credentials, 403 for a plain user (JSON bodies), 200 for admins.
#[tokio::test]
async fn admin_extras_are_for_site_admins_only() {
    let s = TestServer::start().await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    for path in ["/admin/stats", "/admin/config", "/admin/auths", "/admin/users", "/admin/orgs", "/admin/notices"] {
        let (status, body) = s.get_json(path, Anon).await;
        assert_eq!((status, &body), (401, &j!({"message": "Unauthorized"})), "{path}");
        let (status, body) = s.get_json(path, &alice_token).await;
        assert_eq!((status, &body), (403, &j!({"message": "Forbidden"})), "{path}");
        assert_eq!(s.get_status(path, &alice).await, 403, "{path} with Basic auth");
        assert_eq!(s.get_status(path, &root).await, 200, "{path}");
        // A revoked or unknown token is anonymous.
        assert_eq!(s.get_status(path, "0123456789abcdef").await, 401, "{path}");
    }
    for path in ["/admin/notices", "/admin/notices/1"] {
        let (status, body) = s.delete_json(path, Anon).await;
        assert_eq!((status, &body), (401, &j!({"message": "Unauthorized"})), "{path}");
        let (status, body) = s.delete_json(path, &alice_token).await;
        assert_eq!((status, &body), (403, &j!({"message": "Forbidden"})), "{path}");
    }
}

#[tokio::test]
async fn admin_stats_count_what_the_site_holds() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;

    let (status, empty) = s.get_json("/admin/stats", &root).await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["user"], 3);
    assert_eq!(empty["org"], 0);
    assert_eq!(empty["repo"], 0);
    assert_eq!(empty["login_source"], 1, "the local source, as /admin/auths lists it");
    // Gogs' dashboard names, every one an integer.
    let names = [
        "user",
        "org",
        "public_key",
        "repo",
        "watch",
        "star",
        "action",
        "access",
        "issue",
        "comment",
        "oauth",
        "follow",
        "mirror",
        "release",
        "login_source",
        "webhook",
        "milestone",
        "label",
        "hook_task",
        "team",
        "update_task",
        "attachment",
        "public_repo",
        "private_repo",
        "pull",
        "fork",
        "deploy_key",
        "collaboration",
        "access_token",
        "email",
    ];
    let obj = empty.as_object().unwrap();
    assert_eq!(obj.len(), names.len(), "{empty}");
    for n in names {
        assert!(obj[n].is_i64(), "{n}: {empty}");
    }

    s.create_repo(&alice, j!({"name": "pub", "issue_labels": "Default"})).await;
    s.create_repo(&alice, j!({"name": "priv", "private": true})).await;
    assert_eq!(s.post_status("/user/orgs", &alice, j!({"username": "acme"})).await, 201);
    let (status, _) = s.post_json("/repos/alice/pub/issues", &alice, j!({"title": "t"})).await;
    assert_eq!(status, 201);
    let (status, _) = s.post_json("/repos/alice/pub/issues/1/comments", &alice, j!({"body": "c"})).await;
    assert_eq!(status, 201);
    let (status, _) = s.post_json("/repos/alice/pub/milestones", &alice, j!({"title": "m"})).await;
    assert_eq!(status, 201);
    let hook = j!({"type": "gogs", "config": {"url": "http://127.0.0.1:9/", "content_type": "json"}});
    assert_eq!(s.post_status("/repos/alice/pub/hooks", &alice, &hook).await, 201);
    assert_eq!(s.put_status("/user/following/bob", &alice).await, 204);
    assert_eq!(s.put_json("/repos/alice/pub/collaborators/bob", &alice, j!({})).await.0, 204);
    let key = ed25519_key(3, "k");
    assert_eq!(s.post_status("/user/keys", &alice, j!({"title": "k", "key": key})).await, 201);

    let (_, stats) = s.get_json("/admin/stats", &root).await;
    let want = j!({"user": 3, "org": 1, "repo": 2, "public_repo": 1, "private_repo": 1, "issue": 1, "pull": 0,
        "comment": 1, "milestone": 1, "label": 7, "webhook": 1, "follow": 1, "collaboration": 1, "public_key": 1,
        "team": 1, "mirror": 0, "release": 0, "fork": 0, "star": 0, "action": 0, "access": 0});
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&stats[k], v, "{k}: {stats}");
    }
    assert!(stats["access_token"].as_i64().unwrap() >= 2);
}

#[tokio::test]
async fn admin_config_shows_settings_and_hides_secrets() {
    const SECRETS: [&str; 3] = ["db-password-s3cr3t", "url-password-s3cr3t", "query-password-s3cr3t"];
    let s = TestServer::start_with(|raw| {
        raw.set("database", "PASSWORD", SECRETS[0]);
        match raw.get("database", "URL").map(str::to_string) {
            // PostgreSQL tests connect by URL (trust authentication: a password is not checked).
            Some(url) if url.contains("://postgres@") => {
                let url = url.replacen("://postgres@", &format!("://postgres:{}@", SECRETS[1]), 1);
                let sep = if url.contains('?') { '&' } else { '?' };
                raw.set("database", "URL", &format!("{url}{sep}sslpassword={}", SECRETS[2]));
            }
            _ => raw.set(
                "database",
                "URL",
                &format!("postgres://hearth:{}@db.invalid/hearth?sslpassword={}", SECRETS[1], SECRETS[2]),
            ),
        }
        raw.set("repository", "MAX_CREATION_LIMIT", "7");
        raw.set("webhook", "MAX_ATTEMPTS", "2");
    })
    .await;
    let (_root, root) = s.user_with_token("root", true).await;
    let reply = s.get_reply("/admin/config", &root).await;
    assert_eq!(reply.status, 200);
    let text = reply.body.to_string();
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} appears in {text}");
    }
    let c = &reply.body;
    assert_eq!(c["database"]["PASSWORD"], "******");
    let url = c["database"]["URL"].as_str().unwrap();
    assert!(url.contains(":******@") && url.contains("sslpassword=******"), "{url}");
    assert_eq!(c["repository"]["MAX_CREATION_LIMIT"], 7);
    assert_eq!(c["webhook"]["MAX_ATTEMPTS"], 2);
    assert_eq!(c["webhook"]["DELIVER_TIMEOUT"], 15);
    assert_eq!(c["server"]["EXTERNAL_URL"], s.base);
    assert_eq!(c["server"]["APP_DATA_PATH"], s.data_dir().to_str().unwrap());
    assert_eq!(c["security"]["ARGON2_ITERATIONS"], 1);
    assert_eq!(c["admin"]["DISABLE_REGULAR_ORG_CREATION"], false);
    assert_eq!(c["api"]["MAX_RESPONSE_ITEMS"], 50);
}

#[tokio::test]
async fn admin_auths_list_the_local_source() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (status, auths) = s.get_json("/admin/auths", &root).await;
    assert_eq!(status, 200);
    let created = auths[0]["created_at"].as_str().unwrap();
    assert!(time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).is_ok());
    assert_eq!(
        auths,
        j!([{"id": 0, "type": 0, "name": "Local", "is_actived": true, "created_at": created, "updated_at": created}])
    );
}

#[tokio::test]
async fn admin_users_pages_and_filters() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    for name in ["dora", "Carl", "bea", "al"] {
        s.create_user(name, false).await;
    }
    let (_a, al) = s.user_with_token("al2", false).await;
    assert_eq!(s.post_status("/user/orgs", &al, j!({"username": "anorg"})).await, 201);

    // Individuals only, by name, with e-mails (an admin's view), 30 a page by default.
    let reply = s.get_reply("/admin/users", &root).await;
    assert_eq!(reply.status, 200);
    let names: Vec<&str> = reply.body.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["al", "al2", "bea", "Carl", "dora", "root"]);
    assert_eq!(reply.body[0]["email"], "al@example.com");
    assert_eq!(reply.header("x-total-count"), "6");
    assert!(reply.headers.get("link").is_none());

    let reply = s.get_reply("/admin/users?limit=2&page=2", &root).await;
    let names: Vec<&str> = reply.body.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["bea", "Carl"]);
    assert_eq!(reply.header("x-total-count"), "6");
    let link = reply.header("link");
    assert!(link.contains("/api/v1/admin/users?limit=2&page=3>; rel=\"next\""), "{link}");
    assert!(link.contains("page=1>; rel=\"prev\""), "{link}");

    // Filters: login_name (exact) and source_id (0 means any, as Gitea).
    s.sql("UPDATE \"user\" SET login_name = 'dora@ldap', login_source = 3 WHERE lower_name = 'dora'").await;
    let (_, found) = s.get_json("/admin/users?login_name=dora@ldap", &root).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(found[0]["username"], "dora");
    let (_, found) = s.get_json("/admin/users?source_id=3", &root).await;
    assert_eq!(found[0]["username"], "dora");
    assert_eq!(found.as_array().unwrap().len(), 1);
    let reply = s.get_reply("/admin/users?source_id=4", &root).await;
    assert_eq!((reply.status, &reply.body), (200, &j!([])));
    assert_eq!(reply.header("x-total-count"), "0");
    let (_, all) = s.get_json("/admin/users?source_id=0", &root).await;
    assert_eq!(all.as_array().unwrap().len(), 6);
    let (_, none) = s.get_json("/admin/users?login_name=nobody", &root).await;
    assert_eq!(none, j!([]));
}

#[tokio::test]
async fn admin_orgs_pages_with_headers() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    for i in 0..3 {
        assert_eq!(s.post_status("/user/orgs", &root, j!({"username": format!("org{i}")})).await, 201);
    }
    let reply = s.get_reply("/admin/orgs?limit=2", &root).await;
    assert_eq!(reply.status, 200);
    let names: Vec<&str> = reply.body.as_array().unwrap().iter().map(|o| o["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["org0", "org1"]);
    assert_eq!(reply.header("x-total-count"), "3");
    assert!(reply.header("link").contains("/api/v1/admin/orgs?limit=2&page=2>; rel=\"next\""));
    let (_, page2) = s.get_json("/admin/orgs?limit=2&page=2", &root).await;
    assert_eq!(page2.as_array().unwrap().len(), 1);
    assert_eq!(page2[0]["username"], "org2");
}

/// Poll the notices until one contains `needle` (background work writes them).
async fn wait_for_notice(s: &TestServer, token: &str, needle: &str) -> serde_json::Value {
    for _ in 0..200 {
        let (status, list) = s.get_json("/admin/notices", token).await;
        assert_eq!(status, 200, "{list}");
        if let Some(n) = list.as_array().unwrap().iter().find(|n| n["description"].as_str().unwrap().contains(needle)) {
            return n.clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no notice mentions {needle}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_for_quarantined_directories_list_and_delete() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    let reply = s.get_reply("/admin/notices", &root).await;
    assert_eq!((reply.status, &reply.body), (200, &j!([])));
    assert_eq!(reply.header("x-total-count"), "0");

    // A directory without a row is quarantined at the next start, and an administrator is told.
    std::fs::create_dir_all(s.data_dir().join("repositories/ghost/lost.git/objects")).unwrap();
    let s = s.restart(|_| {}).await;
    let (status, list) = s.get_json("/admin/notices", &root).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let n = &list[0];
    let description = n["description"].as_str().unwrap();
    assert!(description.starts_with("A repository directory without a database row was moved to "), "{n}");
    assert!(description.contains("quarantine") && description.ends_with("ghost/lost.git"), "{n}");
    assert_eq!(n["type"], 1);
    let created = n["created_at"].as_str().unwrap();
    assert!(time::OffsetDateTime::parse(created, &time::format_description::well_known::Rfc3339).is_ok());
    assert_eq!(n.as_object().unwrap().len(), 4, "{n}");
    assert!(!s.data_dir().join("repositories/ghost/lost.git").exists());

    // Paging: newest first, 25 a page, limit, X-Total-Count and Link.
    for i in 0..3 {
        s.sql(&format!(
            "INSERT INTO notice (type, description, created_unix) VALUES (2, 'n{i}', {})",
            1_700_000_000 + i
        ))
        .await;
    }
    let reply = s.get_reply("/admin/notices?limit=2", &root).await;
    let texts: Vec<&str> = reply.body.as_array().unwrap().iter().map(|n| n["description"].as_str().unwrap()).collect();
    assert_eq!(texts, ["n2", "n1"]);
    assert_eq!(reply.header("x-total-count"), "4");
    assert!(reply.header("link").contains("/api/v1/admin/notices?limit=2&page=2>; rel=\"next\""));
    let (_, page2) = s.get_json("/admin/notices?limit=2&page=2", &root).await;
    assert_eq!(page2[0]["description"], "n0");
    assert_eq!(page2[1]["id"], n["id"]);

    // Delete one: 204, then 404; unknown and malformed ids 404.
    let id = reply.body[0]["id"].as_i64().unwrap();
    assert_eq!(s.delete_status(&format!("/admin/notices/{id}"), &root).await, 204);
    let (status, body) = s.delete_json(&format!("/admin/notices/{id}"), &root).await;
    assert_eq!((status, body), (404, j!({"message": "Not Found"})));
    assert_eq!(s.delete_status("/admin/notices/x", &root).await, 404);
    assert_eq!(s.get_reply("/admin/notices", &root).await.header("x-total-count"), "3");

    // Delete all: 204 (also when there are none).
    for _ in 0..2 {
        let (status, body) = s.delete_json("/admin/notices", &root).await;
        assert_eq!((status, body), (204, serde_json::Value::Null));
    }
    let (_, list) = s.get_json("/admin/notices", &root).await;
    assert_eq!(list, j!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_mirror_sync_leaves_a_notice() {
    let s = TestServer::start_with(|raw| raw.set("repository", "ENABLE_LOCAL_PATH_MIGRATION", "true")).await;
    let (_root, root) = s.user_with_token("root", true).await;
    let git = Git::new();
    let wt = git.work_tree("src", "hello.txt", "hi\n");
    let root_id = s.sql_i64("SELECT id FROM \"user\" WHERE lower_name = 'root'").await;
    let body = j!({"clone_addr": wt.to_str().unwrap(), "uid": root_id, "repo_name": "m", "mirror": true});
    let (status, repo) = s.post_json("/repos/migrate", &root, &body).await;
    assert_eq!(status, 201, "{repo}");

    // The source goes away; the next sync fails and says so.
    std::fs::remove_dir_all(&wt).unwrap();
    assert_eq!(s.post("/repos/root/m/mirror-sync").token(&root).send().await.unwrap().status(), 202);
    let n = wait_for_notice(&s, &root, "Mirror root/m could not be updated: ").await;
    assert_eq!(n["type"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_delivery_given_up_leaves_a_notice() {
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        raw.set("webhook", "MAX_ATTEMPTS", "2");
        raw.set("webhook", "RETRY_BACKOFF_MS", "10");
    })
    .await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;
    // A port nobody listens on: connection refused, retried once, then given up.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let hook = j!({"type": "gogs", "active": true,
        "config": {"url": format!("http://127.0.0.1:{port}/hook"), "content_type": "json"}});
    let (status, hook) = s.post_json("/repos/alice/r/hooks", &alice, &hook).await;
    assert_eq!(status, 201, "{hook}");
    let id = hook["id"].as_i64().unwrap();
    assert_eq!(s.post(&format!("/repos/alice/r/hooks/{id}/tests")).token(&alice).send().await.unwrap().status(), 204);
    let n = wait_for_notice(&s, &root, &format!("Webhook {id} of repository ")).await;
    assert_eq!(n["type"], 2);
    let text = n["description"].as_str().unwrap();
    assert!(text.contains("gave up delivering push ") && text.contains(" after 2 attempts: "), "{text}");
    // Exactly one notice for the one delivery.
    let (_, list) = s.get_json("/admin/notices", &root).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
}
