//! Commit comments (GitHub's shape): `GET …/comments`, `GET|POST …/commits/:sha/comments`,
//! `GET|PATCH|DELETE …/comments/:id`.

use serde_json::{Value, json};

use crate::support::*;

const DOCS: &str = "https://github.com/gogs/docs-api";

/// `ada/r` (public) with two pushed commits (`src/lib.rs` added by the second); returns ada, her
/// token and the two commit ids.
async fn setup(s: &TestServer) -> (TestUser, String, [String; 2]) {
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, json!({ "name": "r" })).await;
    let git = Git::new();
    let wt = git.work_tree("wt", "README.md", "one\ntwo\n");
    let first = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::create_dir_all(wt.join("src")).unwrap();
    std::fs::write(wt.join("src/lib.rs"), "fn a() {}\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Second"]);
    let second = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    git.ok(Some(&wt), &["branch", "topic/comments"]);
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "r");
    git.ok(Some(&wt), &["push", "-q", &url, "master", "topic/comments"]);
    (ada, token, [first, second])
}

fn message(m: &str) -> Value {
    json!({ "message": m, "url": DOCS })
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_create_and_list() {
    let s = TestServer::start().await;
    let (_ada, ada, [first, second]) = setup(&s).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let api = format!("{}api/v1/repos/ada/r", s.base);
    let html = format!("{}ada/r", s.base);

    // A comment on a file and line, by an abbreviated id: the full id is stored.
    let short = &second[..7];
    let (status, c1) = s
        .post_json(
            &format!("/repos/ada/r/commits/{short}/comments"),
            &ada,
            json!({ "body": "nice", "path": "src/lib.rs", "line": 1 }),
        )
        .await;
    assert_eq!(status, 201, "{c1}");
    let id1 = c1["id"].as_i64().unwrap();
    let created = c1["created_at"].as_str().unwrap().to_string();
    assert!(created.ends_with('Z'), "{created}");
    assert_eq!(c1["user"]["login"], "ada");
    assert_eq!(c1["user"]["id"], s.sql_i64("SELECT id FROM \"user\" WHERE name = 'ada'").await);
    let mut expected = c1.clone();
    expected["user"] = json!("redacted");
    assert_eq!(
        expected,
        json!({
            "html_url": format!("{html}/commit/{second}#commitcomment-{id1}"),
            "url": format!("{api}/comments/{id1}"),
            "id": id1,
            "body": "nice",
            "path": "src/lib.rs",
            "position": null,
            "line": 1,
            "commit_id": second,
            "user": "redacted",
            "created_at": created,
            "updated_at": created,
        })
    );

    // Any signed-in reader may comment; without a path, path and line are null.
    let (status, c2) =
        s.post_json(&format!("/repos/ada/r/commits/{first}/comments"), &bob, json!({ "body": "hm" })).await;
    assert_eq!(status, 201, "{c2}");
    assert_eq!(
        (c2["path"].clone(), c2["line"].clone(), c2["position"].clone()),
        (Value::Null, Value::Null, Value::Null)
    );
    assert_eq!((c2["commit_id"].as_str(), c2["user"]["login"].as_str()), (Some(first.as_str()), Some("bob")));
    let (status, c3) = s
        .post_json(
            &format!("/repos/ada/r/commits/{second}/comments"),
            &bob,
            json!({ "body": "dir", "path": "src/", "position": 2 }),
        )
        .await;
    assert_eq!((status, c3["path"].clone(), c3["position"].clone()), (201, json!("src"), json!(2)), "{c3}");

    // The repository's list, oldest first, paged.
    let (status, all) = s.get_json("/repos/ada/r/comments", &ada).await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = all.as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![id1, c2["id"].as_i64().unwrap(), c3["id"].as_i64().unwrap()]);
    assert_eq!(all[0], c1);
    let reply = s.get_reply("/repos/ada/r/comments?page=2&limit=1", &ada).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("x-total-count"), "3");
    assert!(reply.header("link").contains("rel=\"next\""), "{}", reply.header("link"));
    assert_eq!(reply.body[0]["id"], c2["id"]);

    // One commit's list, by full or abbreviated id.
    let (status, of_second) = s.get_json(&format!("/repos/ada/r/commits/{second}/comments"), &bob).await;
    assert_eq!(status, 200);
    assert_eq!(of_second, json!([c1, c3]));
    let reply = s.get_reply(&format!("/repos/ada/r/commits/{short}/comments?limit=1"), &bob).await;
    assert_eq!((reply.status, reply.header("x-total-count")), (200, "2"));
    assert_eq!(reply.body, json!([c1]));
    let (_, of_first) = s.get_json(&format!("/repos/ada/r/commits/{first}/comments"), &bob).await;
    assert_eq!(of_first, json!([c2]));

    // One comment.
    assert_eq!(s.get_json(&format!("/repos/ada/r/comments/{id1}"), &bob).await, (200, c1.clone()));
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_beside_commit_lookup() {
    let s = TestServer::start().await;
    let (_ada, ada, [_first, second]) = setup(&s).await;
    // The commit lookup still answers, also for names with slashes…
    let (status, commit) = s.get_json(&format!("/repos/ada/r/commits/{second}"), &ada).await;
    assert_eq!((status, commit["sha"].as_str()), (200, Some(second.as_str())));
    let text = |path: &'static str| {
        let req = s.request(reqwest::Method::GET, path, &ada);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(text("/repos/ada/r/commits/refs/heads/master").await, (200, second.clone()));
    // …and for a branch whose name ends in `/comments`.
    assert_eq!(text("/repos/ada/r/commits/topic/comments").await, (200, second.clone()));
    let reply = s
        .request(reqwest::Method::GET, &format!("/repos/ada/r/commits/{second}/comments"), &ada)
        .header("Accept", "application/vnd.gogs.sha")
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 404, "no reference `<sha>/comments`");
    let (status, list) = s.get_json(&format!("/repos/ada/r/commits/{second}/comments"), &ada).await;
    assert_eq!((status, list), (200, json!([])));
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_failures() {
    let s = TestServer::start().await;
    let (_ada, ada, [first, second]) = setup(&s).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&ada, json!({ "name": "secret", "private": true })).await;
    let post = format!("/repos/ada/r/commits/{second}/comments");
    let not_found = json!({ "message": "Not Found" });

    // 401 anonymous for writes and the commit routes (token+repo-read, as Gogs' commit lookup);
    // the repository-wide list is anonymous for a public repository (routes.tsv: repo-read) and
    // 404 for a private one.
    assert_eq!(s.post_json(&post, Anon, json!({ "body": "x" })).await.0, 401);
    assert_eq!(s.get_json("/repos/ada/r/comments", Anon).await, (200, json!([])));
    assert_eq!(s.get_json("/repos/ada/secret/comments", Anon).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/ada/r/comments/999", Anon).await, (404, not_found.clone()));
    assert_eq!(s.get_status(&post, Anon).await, 401);

    // 404: a repository the caller cannot see, a commit that does not exist, a branch name.
    assert_eq!(s.get_json("/repos/ada/secret/comments", &carol).await, (404, not_found.clone()));
    assert_eq!(
        s.post_json(&format!("/repos/ada/secret/commits/{second}/comments"), &carol, json!({"body": "x"})).await.0,
        404
    );
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    for sha in [unknown, "master", "zzzz"] {
        let url = format!("/repos/ada/r/commits/{sha}/comments");
        assert_eq!(s.post_json(&url, &ada, json!({ "body": "x" })).await, (404, not_found.clone()), "{sha}");
        assert_eq!(s.get_json(&url, &ada).await, (404, not_found.clone()), "{sha}");
    }
    assert_eq!(s.get_json("/repos/ada/r/comments/999", &ada).await, (404, not_found.clone()));

    // 422: no body, a path that the commit does not have, a line below 1 or without a path.
    let (status, body) = s.post_json(&post, &ada, json!({ "body": "" })).await;
    assert_eq!(status, 422);
    assert_eq!(body, json!([{ "fieldNames": ["Body"], "classification": "RequiredError", "message": "Required" }]));
    assert_eq!(
        s.post_json(
            &format!("/repos/ada/r/commits/{first}/comments"),
            &ada,
            json!({ "body": "x", "path": "src/lib.rs" })
        )
        .await,
        (422, message(&format!("path does not exist in commit {first} [path: src/lib.rs]")))
    );
    assert_eq!(
        s.post_json(&post, &ada, json!({ "body": "x", "path": "README.md", "line": 0 })).await,
        (422, message("line must be at least 1"))
    );
    assert_eq!(
        s.post_json(&post, &ada, json!({ "body": "x", "line": 3 })).await,
        (422, message("line and position need a path"))
    );
    // A mistyped field is an unreadable body (400), as everywhere in hearth.
    assert_eq!(s.post_json(&post, &ada, json!({ "body": "x", "path": "README.md", "line": "one" })).await.0, 400);
    assert_eq!(s.get_json("/repos/ada/r/comments", &ada).await, (200, json!([])), "nothing stored");
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_edit_and_delete() {
    let s = TestServer::start().await;
    let (_ada, ada, [_first, second]) = setup(&s).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    let post = format!("/repos/ada/r/commits/{second}/comments");
    let (_, c) = s.post_json(&post, &bob, json!({ "body": "first" })).await;
    let url = format!("/repos/ada/r/comments/{}", c["id"]);
    let forbidden = message("only the poster or a repository admin may change a comment");

    // The poster edits; someone else may not (403); the repository admin may.
    let (status, edited) = s.patch_json(&url, &bob, json!({ "body": "second" })).await;
    assert_eq!((status, edited["body"].clone(), edited["id"].clone()), (200, json!("second"), c["id"].clone()));
    assert_eq!(edited["commit_id"], second.as_str());
    assert_eq!(s.patch_json(&url, &carol, json!({ "body": "x" })).await, (403, forbidden.clone()));
    assert_eq!(s.delete_json(&url, &carol).await, (403, forbidden));
    assert_eq!(s.patch_json(&url, Anon, json!({ "body": "x" })).await.0, 401);
    let (status, body) = s.patch_json(&url, &bob, json!({ "body": "" })).await;
    assert_eq!((status, body[0]["classification"].clone()), (422, json!("RequiredError")));
    let (status, by_admin) = s.patch_json(&url, &ada, json!({ "body": "third" })).await;
    assert_eq!((status, by_admin["body"].clone()), (200, json!("third")));
    assert_eq!(s.get_json(&url, &carol).await.1["body"], "third");
    assert_eq!(s.patch_json("/repos/ada/r/comments/999", &ada, json!({ "body": "x" })).await.0, 404);

    // Delete: 204, then gone.
    assert_eq!(s.delete_status(&url, &bob).await, 204);
    assert_eq!(s.get_status(&url, &bob).await, 404);
    assert_eq!(s.delete_status(&url, &ada).await, 404);
    assert_eq!(s.get_json("/repos/ada/r/comments", &ada).await, (200, json!([])));
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_on_an_archived_repository() {
    let s = TestServer::start().await;
    let (_ada, ada, [_first, second]) = setup(&s).await;
    let post = format!("/repos/ada/r/commits/{second}/comments");
    let (_, c) = s.post_json(&post, &ada, json!({ "body": "before" })).await;
    let url = format!("/repos/ada/r/comments/{}", c["id"]);
    assert_eq!(s.patch_json("/repos/ada/r", &ada, json!({ "archived": true })).await.0, 200);
    let locked = message("repo is archived");
    assert_eq!(s.post_json(&post, &ada, json!({ "body": "x" })).await, (423, locked.clone()));
    assert_eq!(s.patch_json(&url, &ada, json!({ "body": "x" })).await, (423, locked.clone()));
    assert_eq!(s.delete_json(&url, &ada).await, (423, locked));
    // Reads still work.
    assert_eq!(s.get_json(&post, &ada).await.1, json!([c]));
}

#[tokio::test(flavor = "multi_thread")]
async fn commit_comments_need_the_repository_scope() {
    let s = TestServer::start().await;
    let (ada_user, ada, [_first, second]) = setup(&s).await;
    let scoped = |scopes: Value| {
        let (s, user) = (&s, &ada_user);
        async move {
            let (status, body) = s
                .post_json(
                    &format!("/users/{}/tokens", user.name),
                    user,
                    json!({"name": scopes.to_string(), "scopes": scopes}),
                )
                .await;
            assert_eq!(status, 201, "{body}");
            body["sha1"].as_str().unwrap().to_string()
        }
    };
    let read_only = scoped(json!(["read:repository"])).await;
    let user_only = scoped(json!(["read:user"])).await;
    let post = format!("/repos/ada/r/commits/{second}/comments");
    let (_, c) = s.post_json(&post, &ada, json!({ "body": "x" })).await;
    let url = format!("/repos/ada/r/comments/{}", c["id"]);
    let missing = |scope: &str| message(&format!("token does not have at least one of required scope(s): [{scope}]"));

    // Reading needs read:repository; writing write:repository (403 otherwise).
    assert_eq!(s.get_json(&post, &read_only).await, (200, json!([c])));
    assert_eq!(s.get_json("/repos/ada/r/comments", &user_only).await, (403, missing("read:repository")));
    assert_eq!(s.post_json(&post, &read_only, json!({ "body": "y" })).await, (403, missing("write:repository")));
    assert_eq!(s.patch_json(&url, &read_only, json!({ "body": "y" })).await, (403, missing("write:repository")));
    assert_eq!(s.delete_json(&url, &read_only).await, (403, missing("write:repository")));
}
