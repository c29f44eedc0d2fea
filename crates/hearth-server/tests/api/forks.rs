use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fork_list_and_survive_the_parent() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&alice, j!({"name": "base", "auto_init": true, "description": "the base"})).await;

    let (status, fork) = json(s.post("/repos/alice/base/forks").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(fork["full_name"], "bob/base");
    assert_eq!(fork["fork"], true);
    assert_eq!(fork["empty"], false);
    assert_eq!(fork["description"], "the base");
    assert_eq!(fork["parent"]["full_name"], "alice/base");
    assert_eq!(fork["parent"]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    assert_eq!(fork["permissions"], j!({"admin": true, "push": true, "pull": true}));

    let (_, base) = s.get_json("/repos/alice/base", Anon).await;
    assert_eq!(base["forks_count"], 1);
    let (_, got) = s.get_json("/repos/bob/base", Anon).await;
    assert_eq!(got["parent"]["full_name"], "alice/base");

    let (status, list) = s.get_json("/repos/alice/base/forks", &carol).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["full_name"], "bob/base");
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": false, "pull": true}));

    // The fork has the history and takes pushes of its own.
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "bob", "base"), "f"]);
    let wt = git.path("f");
    std::fs::write(wt.join("x"), "x").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "on the fork"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&bob_user.name, &bob_user.password)), "bob", "base"), "master"]);
    let (_, base_branch) = s.get_json("/repos/alice/base/branches/master", &alice).await;
    assert_eq!(base_branch["commit"]["message"], "Initial commit\n", "the parent is untouched");

    // Failures: forking into the owner, twice, or what one cannot read.
    assert_eq!(s.post("/repos/alice/base/forks").token(&alice).send().await.unwrap().status(), 422);
    assert_eq!(s.post("/repos/alice/base/forks").token(&bob).send().await.unwrap().status(), 422);
    s.create_repo(&alice, j!({"name": "hidden", "auto_init": true, "private": true})).await;
    assert_eq!(s.post("/repos/alice/hidden/forks").token(&carol).send().await.unwrap().status(), 404);
    assert_eq!(s.post("/repos/alice/base/forks").send().await.unwrap().status(), 401);

    // Deleting the parent leaves a working, independent repository.
    assert_eq!(s.delete_status("/repos/alice/base", &alice).await, 204);
    let (_, orphan) = s.get_json("/repos/bob/base", Anon).await;
    assert_eq!(orphan["fork"], false);
    assert_eq!(orphan["parent"], serde_json::Value::Null);
    git.ok(None, &["clone", "-q", &s.git_url(None, "bob", "base"), "after"]);
    let fsck_dir = s.data_dir().join("repositories/bob/base.git");
    git.ok(None, &["--git-dir", fsck_dir.to_str().unwrap(), "fsck"]);
}

/// Concurrent forks of one name all pass the early name check; on PostgreSQL the losers met the
/// unique index and were answered with its name (`already exists: repository_owner_lower_name`).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_forks_of_one_name_answer_in_the_users_words() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "base", "auto_init": true})).await;
    let forks = (0..6).map(|_| {
        let req = s.post("/repos/alice/base/forks").token(&bob).send();
        async move { json(req.await.unwrap()).await }
    });
    let answers = futures_util::future::join_all(forks).await;
    let won = answers.iter().filter(|(status, _)| *status == 202).count();
    assert_eq!(won, 1, "{answers:?}");
    for (status, body) in answers.iter().filter(|(status, _)| *status != 202) {
        assert_eq!(*status, 422, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.starts_with("repository already exists [uname: bob, name: base]"), "{message}");
    }
    // Exactly one directory, and no scratch left behind.
    let dirs: Vec<_> = std::fs::read_dir(s.data_dir().join("repositories/bob")).unwrap().collect();
    assert_eq!(dirs.len(), 1);
    assert_eq!(scratch_left(&s.data_dir()), Vec::<std::path::PathBuf>::new());
}
