//! Gists (GitHub's gists API shape): the routes, and each gist as a Git repository clonable and
//! pushable over Smart HTTP and SSH at `gists/<id>.git`.

use serde_json::{Value, json as j};

use crate::support::*;

async fn new_gist(s: &TestServer, token: &str, body: Value) -> Value {
    let (status, gist) = s.post_json("/gists", token, body).await;
    assert_eq!(status, 201, "{gist}");
    gist
}

fn file_names(gist: &Value) -> Vec<String> {
    gist["files"].as_object().unwrap().keys().cloned().collect()
}

#[tokio::test]
async fn gists_create_read_list_edit_delete() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;

    let gist = new_gist(
        &s,
        &token,
        j!({"description": "notes", "public": true, "files": {"a.md": {"content": "# A\n"}, "b.rs": {"content": "fn main() {}\n"}}}),
    )
    .await;
    let id = gist["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);
    assert_eq!(gist["url"], j!(s.url(&format!("/gists/{id}"))));
    assert!(gist["git_pull_url"].as_str().unwrap().ends_with(&format!("/gists/{id}.git")));
    assert_eq!(gist["git_push_url"], gist["git_pull_url"]);
    assert_eq!(gist["public"], true);
    assert_eq!(gist["description"], "notes");
    assert_eq!(gist["comments"], 0);
    assert_eq!(gist["truncated"], false);
    assert_eq!(gist["owner"]["username"], "alice");
    assert_eq!(file_names(&gist), vec!["a.md", "b.rs"]);
    assert_eq!(
        gist["files"]["a.md"],
        j!({"filename": "a.md", "type": "text/markdown", "language": "Markdown",
            "raw_url": s.url(&format!("/gists/{id}/raw/a.md")), "size": 4, "truncated": false, "content": "# A\n"})
    );
    let secret = new_gist(&s, &token, j!({"files": {"s.txt": {"content": "hidden"}}})).await;
    let secret_id = secret["id"].as_str().unwrap().to_string();
    assert_eq!(secret["public"], false);

    // Anyone who knows the id reads a gist, secret ones too; raw content.
    let (status, body) = s.get_json(&format!("/gists/{secret_id}"), Anon).await;
    assert_eq!((status, body["files"]["s.txt"]["content"].clone()), (200, j!("hidden")));
    assert_eq!(body["owner"]["email"], "", "no e-mail for anonymous callers");
    let raw = s.get(&format!("/gists/{id}/raw/b.rs")).send().await.unwrap();
    assert_eq!(raw.status(), 200);
    assert_eq!(raw.text().await.unwrap(), "fn main() {}\n");
    assert_eq!(s.get_json(&format!("/gists/{id}/raw/nope.txt"), Anon).await, (404, j!({"message": "Not Found"})));

    // Lists: the caller's (all), a user's (public, plus secret for the owner), paged.
    let page = s.get_reply("/gists", &token).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-total-count"), "2");
    let ids: Vec<&str> = page.body.as_array().unwrap().iter().map(|g| g["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 2);
    assert!(
        page.body[0]["files"].as_object().unwrap().values().all(|f| f.get("content").is_none()),
        "no content in lists"
    );
    let (status, body) = s.get_json("/users/alice/gists", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(body.as_array().unwrap().len(), 1);
    assert_eq!(body[0]["id"], j!(id));
    let (_, body) = s.get_json("/users/alice/gists", &token).await;
    assert_eq!(body.as_array().unwrap().len(), 2);
    let page = s.get_reply("/users/alice/gists?limit=1", &token).await;
    assert_eq!(page.body.as_array().unwrap().len(), 1);
    assert_eq!(page.header("x-total-count"), "2");
    assert!(page.header("link").contains("rel=\"next\""), "{}", page.header("link"));
    let (_, body) = s.get_json("/users/bob/gists", Anon).await;
    assert_eq!(body, j!([]));

    // Edit: description, rename, delete, add, edit.
    let (status, body) = s
        .patch_json(
            &format!("/gists/{id}"),
            &token,
            j!({"description": "renamed", "files": {"a.md": {"filename": "readme.md"}, "b.rs": null, "c.txt": {"content": "c"}}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["description"], "renamed");
    assert_eq!(file_names(&body), vec!["c.txt", "readme.md"]);
    assert_eq!(body["files"]["readme.md"]["content"], "# A\n");
    let (status, body) =
        s.patch_json(&format!("/gists/{id}"), &token, j!({"files": {"c.txt": {"content": "changed"}}})).await;
    assert_eq!((status, body["files"]["c.txt"]["content"].clone()), (200, j!("changed")));
    assert_eq!(body["description"], "renamed", "kept when not given");

    // Delete.
    assert_eq!(s.delete_status(&format!("/gists/{secret_id}"), &token).await, 204);
    assert_eq!(s.get_json(&format!("/gists/{secret_id}"), Anon).await, (404, j!({"message": "Not Found"})));
    assert!(!s.data_dir().join(format!("gists/{secret_id}.git")).exists());
    assert!(s.data_dir().join(format!("gists/{id}.git")).exists());
    let _ = alice;
}

#[tokio::test]
async fn gists_refusals() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let gist = new_gist(&s, &token, j!({"public": true, "files": {"a.txt": {"content": "a"}}})).await;
    let id = gist["id"].as_str().unwrap();
    let path = format!("/gists/{id}");
    let unknown = "/gists/0123456789abcdef0123456789abcdef";

    // 401 without credentials.
    let unauthorized =
        |(status, body): (u16, Value)| assert_eq!((status, body["message"].clone()), (401, j!("Unauthorized")));
    unauthorized(s.post_json("/gists", Anon, j!({"files": {"a": {"content": "a"}}})).await);
    unauthorized(s.get_json("/gists", Anon).await);
    unauthorized(s.patch_json(&path, Anon, j!({"description": "x"})).await);
    unauthorized(s.delete_json(&path, Anon).await);

    // 403 for someone else's gist.
    let forbidden = (403, j!("only the owner of the gist may change it"));
    let (status, body) = s.patch_json(&path, &bob, j!({"description": "x"})).await;
    assert_eq!((status, body["message"].clone()), forbidden);
    let (status, body) = s.delete_json(&path, &bob).await;
    assert_eq!((status, body["message"].clone()), forbidden);

    // 404 for unknown ids and users.
    let not_found = (404, j!({"message": "Not Found"}));
    assert_eq!(s.get_json(unknown, Anon).await, not_found);
    assert_eq!(s.get_json("/gists/not-an-id", Anon).await, not_found);
    assert_eq!(s.patch_json(unknown, &token, j!({"description": "x"})).await, not_found);
    assert_eq!(s.delete_json(unknown, &token).await, not_found);
    assert_eq!(s.get_json("/users/nobody/gists", Anon).await, not_found);

    // 422: no file with content, bad names, deleting a missing file or every file.
    let invalid =
        |(status, body): (u16, Value), message: &str| assert_eq!((status, body["message"].clone()), (422, j!(message)));
    let no_files = "files: at least one file with content is required";
    invalid(s.post_json("/gists", &token, j!({"description": "x"})).await, no_files);
    invalid(s.post_json("/gists", &token, j!({"files": {}})).await, no_files);
    invalid(s.post_json("/gists", &token, j!({"files": {"a.txt": {"content": ""}}})).await, no_files);
    invalid(
        s.post_json("/gists", &token, j!({"files": {"d/a.txt": {"content": "x"}}})).await,
        "file name is not valid [name: d/a.txt]",
    );
    invalid(
        s.patch_json(&path, &token, j!({"files": {"nope.txt": null}})).await,
        "file does not exist in the gist [name: nope.txt]",
    );
    invalid(s.patch_json(&path, &token, j!({"files": {"a.txt": null}})).await, "files: a gist needs at least one file");
    invalid(
        s.patch_json(&path, &token, j!({"files": {"a.txt": {"filename": "../x"}}})).await,
        "file name is not valid [name: ../x]",
    );
    // Nothing changed by the refusals.
    let (_, body) = s.get_json(&path, Anon).await;
    assert_eq!(body["files"]["a.txt"]["content"], "a");
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM gist").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gists_clone_and_push_over_http() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (bob, _) = s.user_with_token("bob", false).await;
    let gist = new_gist(&s, &token, j!({"files": {"a.txt": {"content": "one\n"}}})).await;
    let id = gist["id"].as_str().unwrap().to_string();
    let git = Git::new();

    // Anyone who knows the id clones (a secret gist here), without credentials.
    git.ok(None, &["clone", "-q", &s.git_url(None, "gists", &id), "g"]);
    let wt = git.path("g");
    assert_eq!(std::fs::read_to_string(wt.join("a.txt")).unwrap(), "one\n");

    // The owner pushes: the API shows the pushed branch's files.
    std::fs::write(wt.join("a.txt"), "two\n").unwrap();
    std::fs::write(wt.join("new.md"), "# new\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "edit"]);
    let before = s.get_json(&format!("/gists/{id}"), Anon).await.1;
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "gists", &id), "master"]);
    let (status, after) = s.get_json(&format!("/gists/{id}"), Anon).await;
    assert_eq!(status, 200);
    assert_eq!(file_names(&after), vec!["a.txt", "new.md"]);
    assert_eq!(after["files"]["a.txt"]["content"], "two\n");
    assert_eq!(after["files"]["new.md"]["content"], "# new\n");
    assert!(after["updated_at"].as_str() >= before["updated_at"].as_str());

    // Someone else cannot push; anonymous pushes are challenged; unknown gists are not found.
    std::fs::write(wt.join("a.txt"), "three\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "bob's"]);
    let refused =
        git.run(Some(&wt), &["push", "-q", &s.git_url(Some((&bob.name, &bob.password)), "gists", &id), "master"]);
    assert!(!refused.ok, "{}", refused.stderr);
    assert!(refused.stderr.contains("403"), "{}", refused.stderr);
    let anon = git.run(Some(&wt), &["push", "-q", &s.git_url(None, "gists", &id), "master"]);
    assert!(!anon.ok);
    // As for repositories, an unknown gist asks for credentials first, then is not found.
    let unknown = "0123456789abcdef0123456789abcdef";
    let missing = git.run(None, &["clone", "-q", &s.git_url(None, "gists", unknown), "m"]);
    assert!(!missing.ok && missing.stderr.contains("could not read Username"), "{}", missing.stderr);
    let missing = git.run(None, &["clone", "-q", &s.git_url(Some((&bob.name, &bob.password)), "gists", unknown), "m"]);
    assert!(!missing.ok && missing.stderr.contains("not found"), "{}", missing.stderr);
    let (_, body) = s.get_json(&format!("/gists/{id}"), Anon).await;
    assert_eq!(body["files"]["a.txt"]["content"], "two\n", "the refused push changed nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gists_clone_and_push_over_ssh() {
    let s = crate::ssh::ssh_server().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    let keys = tempfile::tempdir().unwrap();
    let (alice_key, alice_pub) = crate::ssh::keypair(keys.path(), "alice");
    let (bob_key, bob_pub) = crate::ssh::keypair(keys.path(), "bob");
    crate::ssh::add_user_key(&s, &token, "k", &alice_pub).await;
    crate::ssh::add_user_key(&s, &bob_token, "k", &bob_pub).await;
    let gist = new_gist(&s, &token, j!({"public": true, "files": {"a.txt": {"content": "one\n"}}})).await;
    let id = gist["id"].as_str().unwrap().to_string();
    let url = crate::ssh::ssh_url(&s, "gists", &id);

    let bob_git = Git::with_ssh(&bob_key);
    bob_git.ok(None, &["clone", "-q", &url, "g"]);
    let wt = bob_git.path("g");
    assert_eq!(std::fs::read_to_string(wt.join("a.txt")).unwrap(), "one\n");
    std::fs::write(wt.join("a.txt"), "bob\n").unwrap();
    bob_git.ok(Some(&wt), &["commit", "-q", "-am", "bob's"]);
    let refused = bob_git.run(Some(&wt), &["push", "-q", &url, "master"]);
    assert!(!refused.ok);
    assert!(refused.stderr.contains("You do not have sufficient authorization for this action"), "{}", refused.stderr);

    let git = Git::with_ssh(&alice_key);
    git.ok(None, &["clone", "-q", &url, "a"]);
    let wt = git.path("a");
    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "b"]);
    git.ok(Some(&wt), &["push", "-q", &url, "master"]);
    let (_, body) = s.get_json(&format!("/gists/{id}"), Anon).await;
    assert_eq!(file_names(&body), vec!["a.txt", "b.txt"]);
    assert_eq!(body["files"]["a.txt"]["content"], "one\n");
}

#[tokio::test]
async fn gists_go_with_their_deleted_owner() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let gist = new_gist(&s, &bob, j!({"files": {"a.txt": {"content": "a"}}})).await;
    let id = gist["id"].as_str().unwrap();
    assert!(s.data_dir().join(format!("gists/{id}.git")).exists());
    assert_eq!(s.delete_status("/admin/users/bob", &root).await, 204);
    assert_eq!(s.get_json(&format!("/gists/{id}"), Anon).await, (404, j!({"message": "Not Found"})));
    assert!(!s.data_dir().join(format!("gists/{id}.git")).exists());
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM gist").await, 0);
}
