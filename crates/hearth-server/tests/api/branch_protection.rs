//! Branch protection (issue #18): the rules' API, and their enforcement on git pushes (the
//! pre-receive hook), on the API's own writes and on merges.

use serde_json::json as j;

use crate::pulls::fixture_on;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rules_crud_and_who_may_manage_them() {
    let (s, _alice, token, _git, _wt, _url) = fixture_on(TestServer::start().await).await;
    let (_bob_user, bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    let rule = j!({"rule_name": "master", "enable_push": true, "enable_push_whitelist": true,
        "push_whitelist_usernames": ["alice"], "required_approvals": 2, "enable_status_check": true,
        "status_check_contexts": ["ci/*"]});
    let (status, made) = s.post_json("/repos/alice/proj/branch_protections", &token, &rule).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!((made["rule_name"].as_str(), made["branch_name"].as_str()), (Some("master"), Some("master")));
    assert_eq!(made["push_whitelist_usernames"], j!(["alice"]));
    assert_eq!(made["status_check_contexts"], j!(["ci/*"]));
    assert_eq!(made["required_approvals"], 2);
    let (status, body) = s.post_json("/repos/alice/proj/branch_protections", &token, &rule).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Branch protection already exist")));
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, j!({"enable_push": true})).await, 400);
    let ghost = j!({"rule_name": "dev", "enable_push": true, "enable_push_whitelist": true, "push_whitelist_usernames": ["ghost"]});
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, ghost).await, 422);
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, j!({"rule_name": "a b"})).await, 422);
    let (status, glob) =
        s.post_json("/repos/alice/proj/branch_protections", &token, j!({"rule_name": "release/*"})).await;
    assert_eq!(status, 201);
    assert_eq!(glob["branch_name"], "", "a glob names no single branch");

    // Writers may not manage rules.
    assert_eq!(s.get_status("/repos/alice/proj/branch_protections", &bob).await, 403);
    let (_, list) = s.get_json("/repos/alice/proj/branch_protections", &token).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (status, edited) =
        s.patch_json("/repos/alice/proj/branch_protections/master", &token, j!({"required_approvals": 1})).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["required_approvals"], 1);
    assert_eq!(edited["push_whitelist_usernames"], j!(["alice"]), "fields left out keep their values");
    assert_eq!(s.get_status("/repos/alice/proj/branch_protections/nope", &token).await, 404);
    assert_eq!(s.delete_status("/repos/alice/proj/branch_protections/release%2F*", &token).await, 204);
    assert_eq!(s.get_status("/repos/alice/proj/branch_protections/release%2F*", &token).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_branches_refuse_pushes_deletions_and_api_writes() {
    let (s, _alice, token, git, wt, _url) = fixture_on(TestServer::start().await).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    let rule = j!({"rule_name": "master", "enable_push": true, "enable_push_whitelist": true, "push_whitelist_usernames": ["alice"]});
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, rule).await, 201);
    assert_eq!(
        s.post_status("/repos/alice/proj/branch_protections", &token, j!({"rule_name": "release/*"})).await,
        201
    );

    // Branch objects say so (the rule's name only to admins).
    let (_, master) = s.get_json("/repos/alice/proj/branches/master", &bob).await;
    assert_eq!(master["protected"], true, "{master}");
    assert_eq!((master["user_can_push"].as_bool(), master["user_can_merge"].as_bool()), (Some(false), Some(true)));
    assert_eq!(master["effective_branch_protection_name"], "");
    let (_, master) = s.get_json("/repos/alice/proj/branches/master", &token).await;
    assert_eq!(
        (master["user_can_push"].as_bool(), master["effective_branch_protection_name"].as_str()),
        (Some(true), Some("master"))
    );
    let (_, list) = s.get_json("/repos/alice/proj/branches", &bob).await;
    let feature = list.as_array().unwrap().iter().find(|b| b["name"] == "feature").unwrap().clone();
    assert_eq!((feature["protected"].as_bool(), feature["user_can_push"].as_bool()), (Some(false), Some(true)));

    // alice (whitelisted) pushes a fast-forward; bob (a writer, not listed) may not.
    git.ok(Some(&wt), &["checkout", "-q", "-B", "master", "origin/master"]);
    std::fs::write(wt.join("a.txt"), "2\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "Two"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    let bob_url = s.git_url(Some((&bob_user.name, &bob_user.password)), "alice", "proj");
    std::fs::write(wt.join("a.txt"), "3\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "Three"]);
    let refused = git.run(Some(&wt), &["push", &bob_url, "master"]);
    assert!(!refused.ok);
    assert!(refused.stderr.contains("not allowed to push to protected branch master"), "{}", refused.stderr);
    assert!(refused.stderr.contains("pre-receive hook declined"), "{}", refused.stderr);

    // Not even alice force-pushes or deletes it.
    git.ok(Some(&wt), &["reset", "-q", "--hard", "HEAD~2"]);
    std::fs::write(wt.join("a.txt"), "other\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "Rewrite"]);
    let forced = git.run(Some(&wt), &["push", "-f", "origin", "master"]);
    assert!(
        !forced.ok && forced.stderr.contains("force push to protected branch master is not allowed"),
        "{}",
        forced.stderr
    );
    let deleted = git.run(Some(&wt), &["push", "origin", ":master"]);
    assert!(!deleted.ok && deleted.stderr.contains("can not be deleted"), "{}", deleted.stderr);

    // The glob: release/1 is protected (push disabled), release/1/x is not (`*` stays in a segment).
    let glob = git.run(Some(&wt), &["push", "origin", "HEAD:refs/heads/release/1"]);
    assert!(!glob.ok && glob.stderr.contains("protected branch release/1"), "{}", glob.stderr);
    git.ok(Some(&wt), &["push", "-q", "origin", "HEAD:refs/heads/release/1/x"]);
    // Other branches are free.
    git.ok(Some(&wt), &["push", "-q", "-f", "origin", "HEAD:refs/heads/feature"]);

    // The API's own writes: contents and branch deletion.
    let put = j!({"content": "aGk=", "message": "hi", "branch": "master"});
    let (status, body) = s.put_json("/repos/alice/proj/contents/new.txt", &bob, &put).await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = s.put_json("/repos/alice/proj/contents/new.txt", &token, &put).await;
    assert!(status == 200 || status == 201, "alice is listed: {status}");
    assert_eq!(s.delete_status("/repos/alice/proj/branches/release%2F1%2Fx", &token).await, 204, "unprotected");
    s.post_json(
        "/repos/alice/proj/branches",
        &token,
        j!({"new_branch_name": "release/2", "old_branch_name": "master"}),
    )
    .await;
    assert_eq!(s.delete_status("/repos/alice/proj/branches/release%2F2", &token).await, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merges_wait_for_statuses_and_approvals() {
    let (s, _alice, token, git, wt, _url) = fixture_on(TestServer::start().await).await;
    let (_bob_user, bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    let rule = j!({"rule_name": "master", "enable_push": true, "enable_status_check": true,
        "status_check_contexts": ["ci/*"], "required_approvals": 1, "block_on_rejected_reviews": true});
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, rule).await, 201);
    let open = j!({"head": "feature", "base": "master", "title": "Add b"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    git.ok(Some(&wt), &["fetch", "-q", "origin"]);
    let head = git.ok(Some(&wt), &["rev-parse", "origin/feature"]).trim().to_string();
    let merge = |who: &str| {
        let who = who.to_string();
        let s = &s;
        async move { s.post_json("/repos/alice/proj/pulls/1/merge", &who, j!({"Do": "merge"})).await }
    };

    let (status, body) = merge(&token).await;
    assert_eq!(status, 405);
    assert_eq!(body["message"], "not allowed to merge [reason: Not all required status checks successful]");
    s.post_json(&format!("/repos/alice/proj/statuses/{head}"), &token, j!({"state": "pending", "context": "ci/build"}))
        .await;
    assert_eq!(merge(&token).await.0, 405, "pending is not success");
    s.post_json(&format!("/repos/alice/proj/statuses/{head}"), &token, j!({"state": "success", "context": "ci/build"}))
        .await;
    let (status, body) = merge(&token).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (405, Some("not allowed to merge [reason: Does not have enough approvals]"))
    );

    // Bob asks for changes, then approves: his newest review counts.
    let reviews = "/repos/alice/proj/pulls/1/reviews";
    s.post_json(reviews, &bob, j!({"event": "REQUEST_CHANGES", "body": "not yet"})).await;
    let (status, _) = s.post_json(reviews, &bob, j!({"event": "APPROVED"})).await;
    assert_eq!(status, 200);
    // A push to the head dismisses the approval (the rule asks for it); a new one is needed.
    let patch = j!({"dismiss_stale_approvals": true});
    assert_eq!(s.patch_json("/repos/alice/proj/branch_protections/master", &token, patch).await.0, 200);
    git.ok(Some(&wt), &["checkout", "-q", "-B", "feature", "origin/feature"]);
    std::fs::write(wt.join("b.txt"), "b2\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "More b"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "feature"]);
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    s.post_json(&format!("/repos/alice/proj/statuses/{head}"), &token, j!({"state": "success", "context": "ci/build"}))
        .await;
    let (_, list) = s.get_json(reviews, &token).await;
    let approval = list.as_array().unwrap().iter().find(|r| r["state"] == "APPROVED").unwrap().clone();
    assert_eq!((approval["dismissed"].as_bool(), approval["stale"].as_bool()), (Some(true), Some(true)));
    let (status, body) = merge(&token).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (405, Some("not allowed to merge [reason: Does not have enough approvals]"))
    );
    assert_eq!(s.post_json(reviews, &bob, j!({"event": "APPROVED"})).await.0, 200);
    let (status, body) = merge(&token).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_rules_hold_over_ssh() {
    use crate::ssh::{add_user_key, keypair, ssh_server, ssh_url};
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (key, public) = keypair(keys.path(), "alice");
    add_user_key(&s, &token, "laptop", &public).await;
    s.create_repo(&token, j!({"name": "proj"})).await;
    let git = Git::with_ssh(&key);
    let wt = git.work_tree("src", "a.txt", "a\n");
    let url = ssh_url(&s, "alice", "proj");
    git.ok(Some(&wt), &["push", "-q", &url, "master"]);
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, j!({"rule_name": "master"})).await, 201);

    std::fs::write(wt.join("a.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "B"]);
    let refused = git.run(Some(&wt), &["push", &url, "master"]);
    assert!(
        !refused.ok && refused.stderr.contains("not allowed to push to protected branch master"),
        "{}",
        refused.stderr
    );
    // Other branches still take pushes.
    git.ok(Some(&wt), &["push", "-q", &url, "master:topic"]);
    let (_, branch) = s.get_json("/repos/alice/proj/branches/master", &token).await;
    assert_ne!(branch["commit"]["id"], git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim(), "master did not move");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protected_and_unprotected_files() {
    let (s, _alice, token, git, wt, _url) = fixture_on(TestServer::start().await).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    // Pushing is alice's alone, except docs anyone may change; nobody changes *.lock directly.
    let rule = j!({"rule_name": "master", "enable_push": true, "enable_push_whitelist": true,
        "push_whitelist_usernames": ["alice"], "protected_file_patterns": "*.lock; CI/**",
        "unprotected_file_patterns": "docs/**;*.md"});
    let (status, made) = s.post_json("/repos/alice/proj/branch_protections", &token, &rule).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["protected_file_patterns"], "*.lock; CI/**");
    let bad = j!({"rule_name": "dev", "protected_file_patterns": "a b;c"});
    assert_eq!(s.post_status("/repos/alice/proj/branch_protections", &token, bad).await, 422);

    let bob_url = s.git_url(Some((&bob_user.name, &bob_user.password)), "alice", "proj");
    let commit = |files: &[(&str, &str)], msg: &str| {
        git.ok(Some(&wt), &["checkout", "-q", "-B", "work", "origin/master"]);
        for (path, body) in files {
            let full = wt.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, body).unwrap();
            git.ok(Some(&wt), &["add", path]);
        }
        git.ok(Some(&wt), &["commit", "-q", "-m", msg]);
    };
    git.ok(Some(&wt), &["fetch", "-q", "origin"]);
    // bob may change only unprotected files.
    commit(&[("docs/guide.txt", "g\n"), ("NOTES.md", "n\n")], "Docs");
    git.ok(Some(&wt), &["push", "-q", &bob_url, "work:master"]);
    git.ok(Some(&wt), &["fetch", "-q", "origin"]);
    commit(&[("docs/guide.txt", "g2\n"), ("a.txt", "bob\n")], "Docs and code");
    let refused = git.run(Some(&wt), &["push", &bob_url, "work:master"]);
    assert!(
        !refused.ok && refused.stderr.contains("not allowed to push to protected branch master"),
        "{}",
        refused.stderr
    );
    // Not even alice changes a protected file (case-insensitive, `**` across directories).
    for (path, shown) in [("Cargo.LOCK", "Cargo.LOCK"), ("ci/jobs/build.yml", "ci/jobs/build.yml")] {
        commit(&[(path, "x\n")], "Protected");
        let refused = git.run(Some(&wt), &["push", "origin", "work:master"]);
        assert!(
            !refused.ok && refused.stderr.contains(&format!("protected from changing file {shown}")),
            "{path}: {}",
            refused.stderr
        );
    }
    // `*` stays within a path segment: sub/Cargo.lock is not `*.lock`.
    commit(&[("sub/Cargo.lock", "x\n")], "Nested lock");
    git.ok(Some(&wt), &["push", "-q", "origin", "work:master"]);
    git.ok(Some(&wt), &["fetch", "-q", "origin"]);

    // The contents API holds the same line.
    let put = |branch: &str| j!({"content": "aGk=", "message": "hi", "branch": branch});
    let (status, body) = s.put_json("/repos/alice/proj/contents/docs/api.txt", &bob, put("master")).await;
    assert!(status == 200 || status == 201, "an unprotected file: {status} {body}");
    let (status, body) = s.put_json("/repos/alice/proj/contents/x.lock", &token, put("master")).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["message"].as_str().unwrap().contains("protected from changing file x.lock"), "{body}");
    assert_eq!(s.put_json("/repos/alice/proj/contents/code.rs", &bob, put("master")).await.0, 403);

    // A pull that changes a protected file cannot be merged.
    git.ok(Some(&wt), &["fetch", "-q", "origin"]);
    commit(&[("deps.lock", "1\n")], "Lock");
    git.ok(Some(&wt), &["push", "-q", "origin", "work:locks"]);
    let open = j!({"head": "locks", "base": "master", "title": "Lock"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (405, Some("not allowed to merge [reason: Changed protected files]"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn force_pushes_only_for_the_allowlist() {
    let (s, _alice, token, git, wt, _url) = fixture_on(TestServer::start().await).await;
    let (bob_user, _bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    let rule = j!({"rule_name": "feature", "enable_push": true, "enable_force_push": true,
        "enable_force_push_allowlist": true, "force_push_allowlist_usernames": ["alice"]});
    let (status, made) = s.post_json("/repos/alice/proj/branch_protections", &token, &rule).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made["force_push_allowlist_usernames"], j!(["alice"]));
    assert_eq!(made["enable_force_push_allowlist"], true);
    let unsigned = j!({"rule_name": "other", "require_signed_commits": true});
    let (status, body) = s.post_json("/repos/alice/proj/branch_protections", &token, &unsigned).await;
    assert_eq!(status, 422, "refused, not stored and ignored: {body}");

    let rewrite = |msg: &str| {
        git.ok(Some(&wt), &["fetch", "-q", "origin"]);
        git.ok(Some(&wt), &["checkout", "-q", "-B", "rewrite", "origin/feature~1"]);
        std::fs::write(wt.join("r.txt"), msg).unwrap();
        git.ok(Some(&wt), &["add", "r.txt"]);
        git.ok(Some(&wt), &["commit", "-q", "-m", msg]);
    };
    // bob may push to feature but not rewrite it.
    rewrite("bob's rewrite");
    let bob_url = s.git_url(Some((&bob_user.name, &bob_user.password)), "alice", "proj");
    let refused = git.run(Some(&wt), &["push", "-f", &bob_url, "rewrite:feature"]);
    assert!(!refused.ok && refused.stderr.contains("force push to protected branch feature"), "{}", refused.stderr);
    // alice is on the list.
    rewrite("alice's rewrite");
    git.ok(Some(&wt), &["push", "-q", "-f", "origin", "rewrite:feature"]);
    let (_, got) = s.get_json("/repos/alice/proj/branch_protections/feature", &token).await;
    assert_eq!(got["force_push_allowlist_usernames"], j!(["alice"]));
}
