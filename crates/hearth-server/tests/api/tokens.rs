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

/// A token for `user` with Gitea's `scopes`.
async fn scoped(s: &TestServer, user: &TestUser, name: &str, scopes: serde_json::Value) -> String {
    let (status, body) =
        s.post_json(&format!("/users/{}/tokens", user.name), user, j!({"name": name, "scopes": scopes})).await;
    assert_eq!(status, 201, "{body}");
    body["sha1"].as_str().unwrap().to_string()
}

fn missing(scopes: &str) -> serde_json::Value {
    j!({"message": format!("token does not have at least one of required scope(s): [{scopes}]"),
        "url": "https://github.com/gogs/docs-api"})
}

#[tokio::test]
async fn token_scopes_are_normalised_listed_and_validated() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;

    let (status, body) = s
        .post_json(
            "/users/alice/tokens",
            &alice,
            j!({"name": "ci", "scopes": ["read:user", "write:repository", "read:repository", "read:user"]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["scopes"], j!(["write:repository", "read:user"]));
    let (status, body) =
        s.post_json("/users/alice/tokens", &alice, j!({"name": "everything", "scopes": ["all"]})).await;
    assert_eq!((status, body["scopes"].clone()), (201, j!(["all"])));
    // Forms repeat the key (the Python client's style); commas split as in Gitea.
    let (status, body) = s
        .post_form(
            "/users/alice/tokens",
            &alice,
            &[("name", "form"), ("scopes", "public-only,read:issue"), ("scopes", "read:admin")],
        )
        .await;
    assert_eq!((status, body["scopes"].clone()), (201, j!(["public-only", "read:admin", "read:issue"])));

    let (_, list) = s.get_json("/users/alice/tokens", &alice).await;
    let scopes: Vec<serde_json::Value> = list.as_array().unwrap().iter().map(|t| t["scopes"].clone()).collect();
    assert_eq!(
        scopes,
        [j!(["write:repository", "read:user"]), j!(["all"]), j!(["public-only", "read:admin", "read:issue"])]
    );

    // An unknown scope: 400 as Gitea, and nothing is created.
    let (status, body) = s
        .post_json("/users/alice/tokens", &alice, j!({"name": "bad", "scopes": ["read:repository", "read:code"]}))
        .await;
    assert_eq!(
        (status, body),
        (
            400,
            j!({"message": "invalid access token scope provided: invalid access token scope: read:code",
                "url": "https://github.com/gogs/docs-api"})
        )
    );
    let (status, body) = s.post_json("/users/alice/tokens", &alice, j!({"name": "bad", "scopes": "all"})).await;
    assert_eq!((status, body[0]["classification"].as_str()), (400, Some("DeserializationError")));
    assert_eq!(s.get_json("/users/alice/tokens", &alice).await.1.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn each_scope_category_is_enforced() {
    let s = TestServer::start().await;
    let (ada, full) = s.user_with_token("ada", true).await;
    s.create_repo(&full, j!({"name": "engine"})).await;
    s.create_repo(&full, j!({"name": "secret", "private": true})).await;
    assert_eq!(s.post_status("/user/orgs", &full, j!({"username": "acme"})).await, 201);

    let user = scoped(&s, &ada, "user", j!(["read:user"])).await;
    let repo_read = scoped(&s, &ada, "repo-r", j!(["read:repository"])).await;
    let repo_write = scoped(&s, &ada, "repo-w", j!(["write:repository"])).await;
    let issue_read = scoped(&s, &ada, "issue-r", j!(["read:issue"])).await;
    let issue_write = scoped(&s, &ada, "issue-w", j!(["write:issue"])).await;
    let org = scoped(&s, &ada, "org", j!(["read:organization"])).await;
    let admin = scoped(&s, &ada, "admin", j!(["read:admin"])).await;
    let public = scoped(&s, &ada, "public", j!(["public-only", "read:repository"])).await;

    // user: GET /user
    assert_eq!(s.get_json("/user", &user).await.1["username"], "ada");
    assert_eq!(s.get_json("/user", &repo_read).await, (403, missing("read:user")));
    // repository: read a repository; write (create a hook) needs write:repository.
    assert_eq!(s.get_json("/repos/ada/engine", &repo_read).await.1["full_name"], "ada/engine");
    assert_eq!(s.get_json("/repos/ada/engine", &user).await, (403, missing("read:repository")));
    let hook = j!({"type": "gitea", "config": {"url": "http://example.com/h", "content_type": "json"}});
    assert_eq!(s.post_json("/repos/ada/engine/hooks", &repo_read, &hook).await, (403, missing("write:repository")));
    assert_eq!(s.post_json("/repos/ada/engine/hooks", &repo_write, &hook).await.1["type"], "gitea");
    // issue: issue routes are not repository routes.
    assert_eq!(s.get_json("/repos/ada/engine/issues", &issue_read).await, (200, j!([])));
    assert_eq!(s.get_json("/repos/ada/engine/issues", &repo_write).await, (403, missing("read:issue")));
    let bug = j!({"title": "Bug"});
    assert_eq!(s.post_json("/repos/ada/engine/issues", &issue_read, &bug).await, (403, missing("write:issue")));
    assert_eq!(s.post_json("/repos/ada/engine/issues", &issue_write, &bug).await.1["title"], "Bug");
    // organization
    assert_eq!(s.get_json("/orgs/acme", &org).await.1["username"], "acme");
    assert_eq!(s.get_json("/orgs/acme", &user).await, (403, missing("read:organization")));
    // admin
    assert_eq!(s.get_json("/admin/orgs", &admin).await.0, 200);
    assert_eq!(s.get_json("/admin/orgs", &user).await, (403, missing("read:admin")));
    // Routes of two groups need both; public routes need none; unknown ones need misc.
    assert_eq!(s.get_json("/user/repos", &user).await, (403, missing("read:user read:repository")));
    assert_eq!(s.get_json("/version", &issue_read).await.0, 200);
    assert_eq!(s.get_json("/no/such/route", &user).await, (403, missing("read:misc")));
    // public-only: public repositories only.
    assert_eq!(s.get_json("/repos/ada/engine", &public).await.0, 200);
    assert_eq!(
        s.get_json("/repos/ada/secret", &public).await,
        (403, j!({"message": "token scope is limited to public repos", "url": "https://github.com/gogs/docs-api"}))
    );
    assert_eq!(s.get_json("/repos/ada/secret", &repo_read).await.0, 200);

    // A token made without scopes keeps full access (Gogs' tokens), and Basic auth is not scoped.
    for path in ["/user", "/user/repos", "/repos/ada/secret", "/repos/ada/engine/issues", "/orgs/acme", "/admin/orgs"] {
        assert_eq!(s.get_status(path, &full).await, 200, "{path}");
        assert_eq!(s.get_status(path, &ada).await, 200, "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scopes_apply_to_git_over_http() {
    let s = TestServer::start().await;
    let (ada, full) = s.user_with_token("ada", false).await;
    s.create_repo(&full, j!({"name": "secret", "private": true, "auto_init": true})).await;
    let read = scoped(&s, &ada, "read", j!(["read:repository"])).await;
    let write = scoped(&s, &ada, "write", j!(["write:repository"])).await;
    let issues = scoped(&s, &ada, "issues", j!(["write:issue"])).await;
    let git = Git::new();

    let url = |token: &str| s.git_url(Some(("ada", token)), "ada", "secret");
    assert!(git.run(None, &["ls-remote", &url(&read)]).stdout.contains("refs/heads/master"));
    let refused = git.run(None, &["ls-remote", &url(&issues)]);
    assert!(!refused.ok && refused.stderr.contains("403"), "{}", refused.stderr);

    let wt = git.path("wt");
    git.ok(None, &["clone", "-q", &url(&read), wt.to_str().unwrap()]);
    std::fs::write(wt.join("new.txt"), "x\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "new"]);
    let refused = git.run(Some(&wt), &["push", "-q", &url(&read), "HEAD:master"]);
    assert!(!refused.ok && refused.stderr.contains("403"), "{}", refused.stderr);
    git.ok(Some(&wt), &["push", "-q", &url(&write), "HEAD:master"]);
    // Unscoped tokens still push.
    std::fs::write(wt.join("more.txt"), "y\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "more"]);
    git.ok(Some(&wt), &["push", "-q", &url(&full), "HEAD:master"]);
}
