//! The in-memory row cache (users, repositories, grants, pending transfers) never answers with a
//! row older than a write this server made: each read below follows a write at once, after the
//! same row was read (and cached) just before it.

use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn every_write_is_seen_by_the_next_read() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;

    // Repository settings: description, and visibility (anonymous readers lose it at once).
    assert_eq!(s.get_json("/repos/alice/r", Anon).await.1["description"], "");
    let (status, _) = s.patch_json("/repos/alice/r", &alice, j!({"description": "new words"})).await;
    assert_eq!(status, 200);
    assert_eq!(s.get_json("/repos/alice/r", Anon).await.1["description"], "new words");
    assert_eq!(s.patch_json("/repos/alice/r", &alice, j!({"private": true})).await.0, 200);
    assert_eq!(s.get_json("/repos/alice/r", Anon).await.0, 404);

    // Grants: bob cannot see the private repository until he is a collaborator, then can push.
    assert_eq!(s.get_json("/repos/alice/r", &bob).await.0, 404);
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &alice, j!({"permission": "write"})).await.0, 204);
    let (status, repo) = s.get_json("/repos/alice/r", &bob).await;
    assert_eq!((status, repo["permissions"]["push"].clone()), (200, j!(true)), "{repo}");
    assert_eq!(s.delete_status("/repos/alice/r/collaborators/bob", &alice).await, 204);
    assert_eq!(s.get_json("/repos/alice/r", &bob).await.0, 404);

    // Counters kept on the repository row.
    assert_eq!(s.get_json("/repos/alice/r", &alice).await.1["stars_count"], 0);
    assert_eq!(s.put_json("/user/starred/alice/r", &alice, j!({})).await.0, 204);
    assert_eq!(s.get_json("/repos/alice/r", &alice).await.1["stars_count"], 1);
    let (status, _) = s.post_json("/repos/alice/r/issues", &alice, j!({"title": "one"})).await;
    assert_eq!(status, 201);
    assert_eq!(s.get_json("/repos/alice/r", &alice).await.1["open_issues_count"], 1);

    // A pending transfer shows on the repository, and goes when rejected.
    assert!(s.get_json("/repos/alice/r", &alice).await.1["repo_transfer"].is_null());
    assert_eq!(s.post_json("/repos/alice/r/transfer", &alice, j!({"new_owner": "bob"})).await.0, 201);
    assert_eq!(s.get_json("/repos/alice/r", &alice).await.1["repo_transfer"]["recipient"]["username"], "bob");
    assert_eq!(s.post_json("/repos/alice/r/transfer/reject", &bob, j!({})).await.0, 200);
    assert!(s.get_json("/repos/alice/r", &alice).await.1["repo_transfer"].is_null());

    // Renamed and deleted repositories.
    assert_eq!(s.patch_json("/repos/alice/r", &alice, j!({"name": "renamed"})).await.0, 200);
    assert_eq!(s.get_json("/repos/alice/renamed", &alice).await.0, 200);
    assert_eq!(s.delete_status("/repos/alice/renamed", &alice).await, 204);
    assert_eq!(s.get_json("/repos/alice/renamed", &alice).await.0, 404);
    assert_eq!(s.get_json("/repos/alice/r", &alice).await.0, 404);

    // Users: an administrator's edit of a profile shows at once, also to the user's own token
    // (whose owner was cached with it).
    let (_root, root) = s.user_with_token("root", true).await;
    assert_eq!(s.get_json("/users/alice", Anon).await.1["full_name"], "");
    let (status, body) =
        s.patch_json("/admin/users/alice", &root, j!({"email": "alice@example.com", "full_name": "Alice A."})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.get_json("/users/alice", Anon).await.1["full_name"], "Alice A.");
    assert_eq!(s.get_json("/user", &bob).await.1["full_name"], "");
    let (status, body) =
        s.patch_json("/admin/users/bob", &root, j!({"email": "bob@example.com", "full_name": "B"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.get_json("/user", &bob).await.1["full_name"], "B");
}

/// The repository answer is kept per permission: callers with other rights never get each
/// other's `permissions`, and a push (which changes `size` and `updated_at`) shows at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_repository_answers_follow_the_caller_and_the_rows() {
    let s = TestServer::start().await;
    let (alice_user, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &alice, j!({"permission": "write"})).await.0, 204);
    for _ in 0..2 {
        let perms = |v: serde_json::Value| v["permissions"].clone();
        assert_eq!(
            perms(s.get_json("/repos/alice/r", &alice).await.1),
            j!({"admin": true, "push": true, "pull": true})
        );
        assert_eq!(perms(s.get_json("/repos/alice/r", &bob).await.1), j!({"admin": false, "push": true, "pull": true}));
        assert_eq!(
            perms(s.get_json("/repos/alice/r", Anon).await.1),
            j!({"admin": false, "push": false, "pull": true})
        );
    }
    let before = s.get_json("/repos/alice/r", Anon).await.1;
    let git = Git::new();
    let url = s.git_url(Some((&alice_user.name, &alice_user.password)), "alice", "r");
    git.ok(None, &["clone", "-q", &url, "wt"]);
    let wt = git.path("wt");
    std::fs::write(wt.join("big.bin"), vec![7u8; 300_000].iter().map(|b| b ^ 0x5a).collect::<Vec<u8>>()).unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "big"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    let after = s.get_json("/repos/alice/r", Anon).await.1;
    assert_ne!(after["size"], before["size"], "{after}");
}

/// The user answer is kept per kind of caller: an anonymous caller never gets the e-mail a
/// signed-in one sees, and an edit shows at once to both.
#[tokio::test]
async fn kept_user_answers_follow_the_caller_and_the_row() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    let email = s.get_json("/user", &alice).await.1["email"].clone();
    assert!(email.as_str().is_some_and(|e| e.contains('@')), "{email}");
    for _ in 0..2 {
        assert_eq!(s.get_json("/users/alice", Anon).await.1["email"], "");
        assert_eq!(s.get_json("/users/alice", &bob).await.1["email"], email);
        assert_eq!(s.get_json("/users/ALICE", &bob).await.1["login"], "alice");
    }
    let (status, body) =
        s.patch_json("/admin/users/alice", &root, j!({"email": "new@example.com", "full_name": "A"})).await;
    assert_eq!(status, 200, "{body}");
    let (anon, signed) = (s.get_json("/users/alice", Anon).await.1, s.get_json("/users/alice", &bob).await.1);
    assert_eq!((anon["email"].clone(), anon["full_name"].clone()), (j!(""), j!("A")));
    assert_eq!((signed["email"].clone(), signed["full_name"].clone()), (j!("new@example.com"), j!("A")));
    assert_eq!(s.get_json("/users/nobody", &bob).await.0, 404);
}
