use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_get_and_delete_a_repository() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;

    let body = s
        .create_repo(&token, j!({"name": "Demo", "description": "A demo", "auto_init": true, "gitignores": "Rust", "license": "MIT License"}))
        .await;
    // The whole Repository: owner, flags, counters, URLs, the creator's permissions.
    assert_shape!(s, "repository", body);
    assert!(!body["created_at"].as_str().unwrap().starts_with("0001"));
    assert!(s.data_dir().join("repositories/alice/demo.git/HEAD").exists());

    // Anonymous callers see public repositories, with read-only permissions.
    let (status, got) = s.get_json("/repos/ALICE/demo", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(got["id"], body["id"]);
    assert_eq!(got["permissions"], j!({"admin": false, "push": false, "pull": true}));

    // The initial commit holds the templates, authored by the creator.
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "Demo"), "demo"]);
    let readme = std::fs::read_to_string(git.path("demo/README.md")).unwrap();
    assert_eq!(readme, "# Demo\n\nA demo");
    assert!(std::fs::read_to_string(git.path("demo/.gitignore")).unwrap().starts_with("# ---> Rust\n"));
    assert!(std::fs::read_to_string(git.path("demo/LICENSE")).unwrap().contains("Permission is hereby granted"));
    let log = git.ok(Some(&git.path("demo")), &["log", "--format=%an <%ae>|%cn <%ce>|%s"]);
    assert_eq!(log.trim(), "alice <alice@example.com>|Gogs <gogs@fake.local>|Initial commit");

    assert_eq!(s.delete_status("/repos/alice/demo", &token).await, 204);
    assert_eq!(s.get_status("/repos/alice/demo", Anon).await, 404);
    assert!(!s.data_dir().join("repositories/alice/demo.git").exists());
    // The name is free again.
    s.create_repo(&token, j!({"name": "demo"})).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_repository_without_auto_init() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let body = s.create_repo(&token, j!({"name": "bare", "private": true})).await;
    assert_eq!(body["empty"], true);
    assert_eq!(body["private"], true);
    assert_eq!(body["default_branch"], "master");
    let (status, branches) = s.get_json("/repos/alice/bare/branches", &token).await;
    assert_eq!(status, 200);
    assert_eq!(branches, j!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_repository_failures() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "taken"})).await;
    let post = |body: serde_json::Value| s.post_json("/user/repos", &token, body);

    assert_eq!(s.post_status("/user/repos", Anon, j!({"name": "x"})).await, 401);

    let (status, body) = post(j!({"name": "TAKEN"})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("repository already exists"), "{body}");

    let (status, body) = post(j!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"][0], "Name");
    for (name, class) in [
        ("a b", "AlphaDashDotError"),
        ("a/b", "AlphaDashDotError"),
        ("../x", "AlphaDashDotError"),
        (&"n".repeat(101)[..], "MaxSizeError"),
    ] {
        let (status, body) = post(j!({"name": name})).await;
        assert_eq!((status, body[0]["classification"].as_str()), (422, Some(class)), "{name}");
    }
    for reserved in [".", "..", "x.git", "x.wiki", "--upload-pack", "-x", ".hidden"] {
        let (status, body) = post(j!({"name": reserved})).await;
        assert_eq!(status, 422, "{reserved}");
        assert!(body["message"].as_str().unwrap().contains("not allowed"), "{reserved}: {body}");
    }
    let (status, _) = post(j!({"name": "--upload-pack=evil"})).await;
    assert_eq!(status, 422);
    let (status, body) = post(j!({"name": "d", "description": "x".repeat(256)})).await;
    assert_eq!((status, body[0]["fieldNames"][0].as_str()), (422, Some("Description")));

    // Unknown templates are a 422 and leave nothing behind.
    for body in [
        j!({"name": "t1", "auto_init": true, "gitignores": "NoSuchLanguage"}),
        j!({"name": "t1", "auto_init": true, "license": "Apache v2 License"}),
        j!({"name": "t1", "auto_init": true, "readme": "Fancy"}),
    ] {
        let (status, resp) = post(body.clone()).await;
        assert_eq!(status, 422, "{body}");
        assert!(resp["message"].as_str().unwrap().contains("template does not exist"), "{resp}");
    }
    assert_eq!(s.get_status("/repos/alice/t1", Anon).await, 404);
    assert!(!s.data_dir().join("repositories/alice/t1.git").exists());

    // A directory already on disk (a leftover) refuses the creation without a row.
    std::fs::create_dir_all(s.data_dir().join("repositories/alice/stale.git")).unwrap();
    let (status, _) = post(j!({"name": "stale"})).await;
    assert_eq!(status, 422);
    assert_eq!(s.get_status("/repos/alice/stale", Anon).await, 404);
    assert_eq!(s.sql_i64("SELECT num_repos FROM \"user\" WHERE lower_name = 'alice'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_repositories_are_invisible() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_repo(&alice, j!({"name": "secret", "private": true})).await;

    let (missing_status, missing) = s.get_json("/repos/alice/nothing", &bob).await;
    let (status, body) = s.get_json("/repos/alice/secret", &bob).await;
    assert_eq!((status, &body), (missing_status, &missing), "same answer as a missing repository");
    assert_eq!(status, 404);
    assert_eq!(s.get_status("/repos/alice/secret", Anon).await, 404);
    assert_eq!(s.get_status("/repos/alice/secret/branches", &bob).await, 404);
    assert_eq!(s.delete_status("/repos/alice/secret", &bob).await, 404);
    assert_eq!(s.get_status("/repos/ghost/secret", &bob).await, 404);

    // Owner and site admins see it.
    let (status, body) = s.get_json("/repos/alice/secret", &alice).await;
    assert_eq!((status, body["private"].as_bool()), (200, Some(true)));
    let (status, body) = s.get_json("/repos/alice/secret", &root).await;
    assert_eq!((status, &body["permissions"]), (200, &j!({"admin": true, "push": true, "pull": true})));

    // Lists and search hide it from others.
    let (_, list) = s.get_json("/users/alice/repos", &bob).await;
    assert_eq!(list, j!([]));
    let (_, found) = s.get_json("/repos/search?q=secret", &bob).await;
    assert_eq!(found["data"], j!([]));
    let (_, mine) = s.get_json("/user/repos", &alice).await;
    assert_eq!(mine[0]["name"], "secret");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_needs_the_owner() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_repo(&alice, j!({"name": "r1"})).await;
    s.create_repo(&alice, j!({"name": "r2"})).await;
    assert_eq!(s.delete_status("/repos/alice/r1", Anon).await, 401);
    assert_eq!(s.delete_status("/repos/alice/r1", &bob).await, 403);
    assert_eq!(s.delete_status("/repos/alice/r1", &root).await, 204);
    // An account that still owns repositories cannot be deleted.
    let (status, body) = s.delete_json("/admin/users/alice", &root).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(s.delete_status("/repos/alice/r2", &alice).await, 204);
    assert_eq!(s.delete_status("/admin/users/alice", &root).await, 204);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_creates_repositories_for_users() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (status, body) = s.post_json("/admin/users/alice/repos", &root, j!({"name": "given", "auto_init": true})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["owner"]["username"], "alice");
    let (_, list) = s.get_json("/user/repos", &alice).await;
    assert_eq!(list[0]["full_name"], "alice/given");
    assert_eq!(s.post_status("/admin/users/alice/repos", &alice, j!({"name": "x"})).await, 403);
    assert_eq!(s.post_status("/admin/users/ghost/repos", &root, j!({"name": "x"})).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_and_search_repositories() {
    let s = TestServer::start().await;
    let (alice_user, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    for name in ["alpha", "beta", "gamma-ray"] {
        s.create_repo(&alice, j!({"name": name, "description": format!("{name} things")})).await;
    }
    s.create_repo(&alice, j!({"name": "hidden-alpha", "private": true})).await;
    s.create_repo(&bob, j!({"name": "bobs-alpha"})).await;

    let (_, list) = s.get_json("/users/alice/repos", &bob).await;
    assert_eq!(list.as_array().unwrap().len(), 3);
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    let (_, list) = s.get_json("/user/repos", &alice).await;
    assert_eq!(list.as_array().unwrap().len(), 4);
    assert_eq!(s.get_status("/users/ghost/repos", &bob).await, 404);
    assert_eq!(s.get_status("/user/repos", Anon).await, 401);

    let (status, found) = s.get_json("/repos/search?q=ALPHA", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(found["ok"], true);
    let names: Vec<&str> = found["data"].as_array().unwrap().iter().map(|r| r["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["alice/alpha", "bob/bobs-alpha"]);
    assert!(found["data"][0].get("permissions").is_none(), "search results carry no permissions");

    // The owner searching their own uid sees private ones too.
    let uid = s.sql_i64("SELECT id FROM \"user\" WHERE lower_name = 'alice'").await;
    let (_, found) = s.get_json(&format!("/repos/search?q=alpha&uid={uid}"), &alice).await;
    assert_eq!(found["data"].as_array().unwrap().len(), 2);
    let (_, found) = s.get_json(&format!("/repos/search?q=alpha&uid={uid}"), &bob).await;
    assert_eq!(found["data"].as_array().unwrap().len(), 1);
    // `q` takes its last path component; empty matches everything visible.
    let (_, found) = s.get_json("/repos/search?q=alice/beta", Anon).await;
    assert_eq!(found["data"][0]["name"], "beta");
    let page = s.get_reply("/repos/search?limit=2&page=1", Anon).await;
    assert_eq!(page.header("x-total-count"), "4");
    assert!(page.header("link").contains("rel=\"next\""));
    assert_eq!(page.body["data"].as_array().unwrap().len(), 2);
    let _ = alice_user;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn issue_tracker_and_wiki_settings() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r"})).await;
    let status = s
        .patch_status(
            "/repos/alice/r/issue-tracker",
            &alice,
            j!({"enable_issues": false, "external_tracker_url": "https://t.example"}),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        s.sql_i64(
            "SELECT COUNT(*) FROM repository WHERE NOT enable_issues AND external_tracker_url = 'https://t.example'"
        )
        .await,
        1
    );
    assert_eq!(s.patch_status("/repos/alice/r/wiki", &alice, j!({"enable_wiki": false})).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repository WHERE NOT enable_wiki AND NOT enable_issues").await, 1);
    assert_eq!(s.patch_status("/repos/alice/r/wiki", &bob, j!({"enable_wiki": true})).await, 403);
    assert_eq!(s.patch_status("/repos/alice/nope/wiki", &alice, j!({})).await, 404);
    let (status, body) = s.patch_json("/repos/alice/r/wiki", &alice, j!({"enable_wiki": "yes"})).await;
    assert_eq!((status, body[0]["classification"].as_str()), (400, Some("DeserializationError")));
}

/// A crash between creating a repository's directory and committing its row used to leave a
/// directory that blocked the name for good ("repository directory already exists").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftover_directories_are_quarantined_at_start() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "kept", "auto_init": true})).await;
    let data = s.data_dir();
    // What an interrupted creation leaves: a directory under the root with no row, and scratch.
    let ghost = data.join("repositories/alice/ghost.git");
    std::fs::create_dir_all(ghost.join("objects")).unwrap();
    std::fs::write(ghost.join("HEAD"), "ref: refs/heads/master\n").unwrap();
    // (A server's scratch is its own `tmp/p-*` directory; this one's process is gone.)
    std::fs::create_dir_all(data.join("tmp/p-crashed/create-0123.git/objects")).unwrap();
    std::fs::File::create(data.join("tmp/p-crashed/.lock")).unwrap();
    let (status, body) = s.post_json("/user/repos", &token, j!({"name": "ghost"})).await;
    assert_eq!(status, 422, "{body}");

    let s = s.restart(|_| {}).await;
    let (status, body) = s.post_json("/user/repos", &token, j!({"name": "ghost", "auto_init": true})).await;
    assert_eq!(status, 201, "{body}");
    // Moved aside, not deleted; the scratch area is empty; the real repository was left alone.
    let quarantined: Vec<_> = std::fs::read_dir(data.join("quarantine"))
        .unwrap()
        .map(|e| e.unwrap().path().join("alice/ghost.git/HEAD"))
        .collect();
    assert_eq!(quarantined.len(), 1);
    assert!(quarantined[0].exists());
    assert_eq!(scratch_left(&data), Vec::<std::path::PathBuf>::new());
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "kept"), "kept"]);
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "ghost"), "ghost"]);
    assert!(git.path("ghost").join("README.md").exists());
}

/// Creation builds the repository outside the root and leaves no scratch behind, on success or
/// on failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creation_leaves_no_scratch() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "one", "auto_init": true, "license": "MIT License"})).await;
    let status = s.post_status("/user/repos", &token, j!({"name": "two", "auto_init": true, "license": "Nope"})).await;
    assert_eq!(status, 422);
    assert_eq!(s.post_status("/user/repos", &token, j!({"name": "one"})).await, 422);
    assert_eq!(scratch_left(&s.data_dir()), Vec::<std::path::PathBuf>::new());
    let under_root: Vec<_> =
        std::fs::read_dir(s.data_dir().join("repositories/alice")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(under_root, vec![std::ffi::OsString::from("one.git")]);
}
