//! Pull requests (issue #18): opening, the background mergeability check, `refs/pull/N/head`,
//! and every merge style, checked with the git CLI.

use std::path::{Path, PathBuf};

use serde_json::json as j;

use crate::support::*;

/// alice/proj: master with a.txt; `feature` adds b.txt; `clash` and `other` change a.txt apart.
async fn fixture() -> (TestServer, TestUser, String, Git, PathBuf, String) {
    fixture_on(TestServer::start().await).await
}

pub(crate) async fn fixture_on(s: TestServer) -> (TestServer, TestUser, String, Git, PathBuf, String) {
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "proj"})).await;
    let git = Git::new();
    let wt = git.work_tree("proj", "a.txt", "1\n");
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "proj");
    git.ok(Some(&wt), &["remote", "add", "origin", &url]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    branch(&git, &wt, "feature", "master", "b.txt", "b\n", "Add b");
    branch(&git, &wt, "clash", "master", "a.txt", "clash\n", "Clash a");
    branch(&git, &wt, "other", "master", "a.txt", "other\n", "Other a");
    (s, alice, token, git, wt, url)
}

/// A branch `name` from `from` with one commit writing `file`, pushed.
fn branch(git: &Git, wt: &Path, name: &str, from: &str, file: &str, body: &str, msg: &str) -> String {
    git.ok(Some(wt), &["checkout", "-q", "-B", name, &format!("origin/{from}")]);
    std::fs::write(wt.join(file), body).unwrap();
    git.ok(Some(wt), &["add", file]);
    git.ok(Some(wt), &["commit", "-q", "-m", msg]);
    git.ok(Some(wt), &["push", "-q", "origin", name]);
    git.ok(Some(wt), &["rev-parse", "HEAD"]).trim().to_string()
}

fn tip(git: &Git, wt: &Path, rev: &str) -> String {
    git.ok(Some(wt), &["fetch", "-q", "origin"]);
    git.ok(Some(wt), &["rev-parse", rev]).trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn open_check_fetch_and_merge_a_pull() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    let feature = tip(&git, &wt, "origin/feature");
    let master = tip(&git, &wt, "origin/master");
    let (status, pr) = s
        .post_json(
            "/repos/alice/proj/pulls",
            &token,
            j!({"head": "feature", "base": "master", "title": "Add b", "body": "Adds <b>"}),
        )
        .await;
    assert_eq!(status, 201, "{pr}");
    assert_eq!(pr["number"], 1);
    assert_eq!(pr["state"], "open");
    assert_eq!(pr["title"], "Add b");
    assert_eq!(pr["user"]["login"], "alice");
    assert_eq!(pr["head"]["ref"], "feature");
    assert_eq!(pr["head"]["sha"], feature.as_str());
    assert_eq!(pr["head"]["repo"]["full_name"], "alice/proj");
    assert_eq!(pr["base"]["ref"], "master");
    assert_eq!(pr["base"]["sha"], master.as_str());
    assert_eq!(pr["head_branch"], "feature");
    assert_eq!(pr["base_repo"]["full_name"], "alice/proj");
    assert!(pr["html_url"].as_str().unwrap().ends_with("/alice/proj/pulls/1"));
    assert_eq!(
        (pr["merged"].clone(), pr["merged_at"].clone(), pr["merged_by"].clone()),
        (j!(false), j!(null), j!(null))
    );

    // Settled by the background check before the answer: mergeable, with its merge base.
    let (status, got) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(got["mergeable"], true, "{got}");
    assert_eq!(got["merge_base"], master.as_str());

    // refs/pull/1/head is fetchable.
    git.ok(Some(&wt), &["fetch", "-q", "origin", "pull/1/head"]);
    assert_eq!(git.ok(Some(&wt), &["rev-parse", "FETCH_HEAD"]).trim(), feature);

    // The list has it; the issue list does not (pulls are asked for by type).
    let (_, list) = s.get_json("/repos/alice/proj/pulls", Anon).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["number"], 1);
    let (_, issues) = s.get_json("/repos/alice/proj/issues", &token).await;
    assert_eq!(issues, j!([]));
    let (_, closed) = s.get_json("/repos/alice/proj/pulls?state=closed", Anon).await;
    assert_eq!(closed, j!([]));
    let (_, mine) = s.get_json("/repos/alice/proj/pulls?poster=alice", Anon).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let (_, theirs) = s.get_json("/repos/alice/proj/pulls?poster=nobody", Anon).await;
    assert_eq!(theirs, j!([]));
    let (_, labelled) = s.get_json("/repos/alice/proj/pulls?labels=999", Anon).await;
    assert_eq!(labelled, j!([]), "an unknown label matches nothing");

    // Its commits, files, diff and patch (merge base to head).
    let (status, commits) = s.get_json("/repos/alice/proj/pulls/1/commits", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(commits.as_array().unwrap().len(), 1);
    assert_eq!(commits[0]["sha"], feature.as_str());
    let (_, files) = s.get_json("/repos/alice/proj/pulls/1/files", Anon).await;
    assert_eq!(files.as_array().unwrap().len(), 1, "{files}");
    assert_eq!((files[0]["filename"].as_str(), files[0]["status"].as_str()), (Some("b.txt"), Some("added")));
    assert_eq!((files[0]["additions"].as_i64(), files[0]["deletions"].as_i64()), (Some(1), Some(0)));
    let diff = s.get("/repos/alice/proj/pulls/1.diff").send().await.unwrap();
    assert_eq!(diff.headers()["content-type"], "text/plain; charset=utf-8");
    let diff = diff.text().await.unwrap();
    assert!(diff.starts_with("diff --git a/b.txt b/b.txt\nnew file mode 100644\n") && diff.contains("+b\n"), "{diff}");
    let patch = s.get("/repos/alice/proj/pulls/1.patch").send().await.unwrap().text().await.unwrap();
    assert!(patch.starts_with(&format!("From {feature} ")) && patch.contains("Subject: [PATCH] Add b\n"), "{patch}");
    // git itself applies the diff.
    std::fs::write(wt.join("pr.diff"), &diff).unwrap();
    git.ok(Some(&wt), &["checkout", "-q", "origin/master"]);
    git.ok(Some(&wt), &["apply", "--check", "pr.diff"]);
    std::fs::remove_file(wt.join("pr.diff")).unwrap();
    assert_eq!(s.get_status("/repos/alice/proj/pulls/1.txt", Anon).await, 404);

    // Refusals.
    let again = j!({"head": "feature", "base": "master", "title": "Again"});
    let (status, body) = s.post_json("/repos/alice/proj/pulls", &token, &again).await;
    assert_eq!(status, 409);
    assert!(body["message"].as_str().unwrap().starts_with("pull request already exists"), "{body}");
    let same = j!({"head": "master", "base": "master", "title": "Same"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &same).await, 422);
    let nobase = j!({"head": "feature", "base": "nope", "title": "x"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &nobase).await, 404);
    let nohead = j!({"head": "nope", "base": "master", "title": "x"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &nohead).await, 404);
    let untitled = j!({"head": "clash", "base": "master", "title": " "});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &untitled).await, 422);
    assert_eq!(s.post_status("/repos/alice/proj/pulls", Anon, &again).await, 401);
    assert_eq!(s.get_status("/repos/alice/proj/pulls/9", Anon).await, 404);

    // A reader may not merge; an unknown style is invalid.
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &bob, j!({"Do": "merge"})).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["message"], "User not allowed to merge PR");
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "octopus"})).await, 422);
    assert_eq!(
        s.post_status("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge", "head_commit_id": master})).await,
        409
    );

    assert_eq!(s.get_status("/repos/alice/proj/pulls/1/merge", Anon).await, 404);
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.get_status("/repos/alice/proj/pulls/1/merge", Anon).await, 204);
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await, 405, "merged once");

    let merged = tip(&git, &wt, "origin/master");
    let parents = git.ok(Some(&wt), &["log", "-1", "--format=%P", &merged]);
    assert_eq!(parents.trim(), format!("{master} {feature}"), "a merge commit of base and head");
    let subject = git.ok(Some(&wt), &["log", "-1", "--format=%s", &merged]);
    assert_eq!(subject.trim(), "Merge pull request 'Add b' (#1) from feature into master");
    let (_, got) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(got["merged"], true);
    assert_eq!(got["state"], "closed");
    assert_eq!(got["merge_commit_sha"], merged.as_str());
    assert_eq!(got["merged_by"]["login"], "alice");
    assert!(got["merged_at"].is_string() && got["closed_at"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn squash_rebase_fast_forward_and_conflicts() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    let open = |head: &str, base: &str, title: &str| j!({"head": head, "base": base, "title": title});
    let master = tip(&git, &wt, "origin/master");

    // Fast-forward only: master is an ancestor of feature.
    let feature = tip(&git, &wt, "origin/feature");
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("feature", "master", "ff")).await, 201);
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "fast-forward-only"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(tip(&git, &wt, "origin/master"), feature, "master moved to the head, no new commit");

    // Fast-forward of a branch that diverged from master is refused; squash makes one commit.
    branch(&git, &wt, "two", "feature", "c.txt", "c\n", "Add c");
    branch(&git, &wt, "sq", "clash", "d.txt", "d\n", "Add d");
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("sq", "master", "Squash me")).await, 201);
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/2", Anon).await;
    assert_eq!(pr["mergeable"], true, "{pr}");
    let (status, _) = s.post_json("/repos/alice/proj/pulls/2/merge", &token, j!({"Do": "fast-forward-only"})).await;
    assert_eq!(status, 409, "diverged");
    let before = tip(&git, &wt, "origin/master");
    let (status, body) = s.post_json("/repos/alice/proj/pulls/2/merge", &token, j!({"Do": "squash"})).await;
    assert_eq!(status, 200, "{body}");
    let squashed = tip(&git, &wt, "origin/master");
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%P", &squashed]).trim(), before, "one parent");
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%s", &squashed]).trim(), "Squash me (#2)");
    assert_eq!(git.ok(Some(&wt), &["show", &format!("{squashed}:d.txt")]), "d\n");
    assert_eq!(git.ok(Some(&wt), &["show", &format!("{squashed}:a.txt")]), "clash\n");

    // Rebase: the head's commits replayed onto master, no merge commit.
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("two", "master", "Rebase me")).await, 201);
    let (status, body) = s.post_json("/repos/alice/proj/pulls/3/merge", &token, j!({"Do": "rebase"})).await;
    assert_eq!(status, 200, "{body}");
    let rebased = tip(&git, &wt, "origin/master");
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%s %P", &rebased]).trim(), format!("Add c {squashed}"));
    let merges = git.ok(Some(&wt), &["rev-list", "--merges", &format!("{master}..{rebased}")]);
    assert!(merges.trim().is_empty(), "a linear history: {merges}");

    // clash into other: both change a.txt.
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("clash", "other", "Conflict")).await, 201);
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/4", Anon).await;
    assert_eq!(pr["mergeable"], false, "{pr}");
    let (status, body) = s.post_json("/repos/alice/proj/pulls/4/merge", &token, j!({"Do": "merge"})).await;
    assert_eq!(status, 405, "{body}");
    let other = tip(&git, &wt, "origin/other");
    assert_eq!(other, tip(&git, &wt, "origin/other"), "nothing changed");

    // A push to the head is checked again: `other` gets clash's content and merges cleanly.
    git.ok(Some(&wt), &["checkout", "-q", "-B", "clash", "origin/clash"]);
    git.ok(Some(&wt), &["merge", "-q", "-X", "ours", "-m", "Resolve", "origin/other"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "clash"]);
    let resolved = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/4", Anon).await;
    assert_eq!(pr["head"]["sha"], resolved.as_str());
    assert_eq!(pr["mergeable"], true, "{pr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_from_a_fork_and_private_repositories() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    assert_eq!(s.post_status("/repos/alice/proj/forks", &bob, j!({})).await, 202);
    let bob_url = s.git_url(Some((&bob_user.name, &bob_user.password)), "bob", "proj");
    git.ok(Some(&wt), &["remote", "add", "bob", &bob_url]);
    git.ok(Some(&wt), &["checkout", "-q", "-B", "fix", "origin/master"]);
    std::fs::write(wt.join("fix.txt"), "fixed\n").unwrap();
    git.ok(Some(&wt), &["add", "fix.txt"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Fix"]);
    git.ok(Some(&wt), &["push", "-q", "bob", "fix"]);
    let fix = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();

    let (status, pr) = s
        .post_json("/repos/alice/proj/pulls", &bob, j!({"head": "bob:fix", "base": "master", "title": "Fix it"}))
        .await;
    assert_eq!(status, 201, "{pr}");
    assert_eq!(pr["head"]["repo"]["full_name"], "bob/proj");
    assert_eq!(pr["user"]["login"], "bob");
    // The fork's commit is in the base repository under refs/pull/1/head.
    git.ok(Some(&wt), &["fetch", "-q", "origin", "pull/1/head"]);
    assert_eq!(git.ok(Some(&wt), &["rev-parse", "FETCH_HEAD"]).trim(), fix);
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await;
    assert_eq!(status, 200, "{body}");
    let merged = tip(&git, &wt, "origin/master");
    let subject = git.ok(Some(&wt), &["log", "-1", "--format=%s", &merged]);
    assert_eq!(subject.trim(), "Merge pull request 'Fix it' (#1) from bob/proj:fix into master");

    // A head in someone else's repository that is not a fork of the base: not found.
    let (_carol_user, carol) = s.user_with_token("carol", false).await;
    assert_eq!(
        s.post_status("/repos/alice/proj/pulls", &carol, j!({"head": "carol:fix", "base": "master", "title": "x"}))
            .await,
        404
    );

    // Private: strangers and anonymous visitors see nothing.
    s.create_repo(&token, j!({"name": "secret", "private": true, "auto_init": true})).await;
    assert_eq!(s.get_status("/repos/alice/secret/pulls", Anon).await, 404);
    assert_eq!(s.get_status("/repos/alice/secret/pulls", &carol).await, 404);
    assert_eq!(s.get_status("/repos/alice/secret/pulls", &token).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_edits_counters_and_forbidden_styles() {
    let (s, _alice, token, git, wt, _url) = fixture_on(hook_server().await).await;
    let hooks = Receiver::start().await;
    let (status, hook) = s
        .post_json(
            "/repos/alice/proj/hooks",
            &token,
            j!({"type": "gitea", "config": {"url": hooks.url(), "content_type": "json"}, "events": ["pull_request"], "active": true}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let open = j!({"head": "feature", "base": "master", "title": "Add b"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    let (_, repo) = s.get_json("/repos/alice/proj", &token).await;
    assert_eq!(repo["open_pr_counter"], 1);
    assert_eq!(repo["open_issues_count"], 0, "a pull is not an issue");

    // Edit: title (edited), retarget (edited, changes.ref), close and reopen.
    let (status, pr) = s.patch_json("/repos/alice/proj/pulls/1", &token, j!({"title": "Add b.txt"})).await;
    assert_eq!(status, 201, "{pr}");
    assert_eq!(pr["title"], "Add b.txt");
    let (status, pr) = s.patch_json("/repos/alice/proj/pulls/1", &token, j!({"base": "other"})).await;
    assert_eq!(status, 201, "{pr}");
    assert_eq!(pr["base"]["ref"], "other");
    assert_eq!(s.patch_status("/repos/alice/proj/pulls/1", &token, j!({"base": "nope"})).await, 404);
    let (_, pr) = s.patch_json("/repos/alice/proj/pulls/1", &token, j!({"base": "master", "state": "closed"})).await;
    assert_eq!((pr["state"].as_str(), pr["base"]["ref"].as_str()), (Some("closed"), Some("master")));
    let (_, repo) = s.get_json("/repos/alice/proj", &token).await;
    assert_eq!(repo["open_pr_counter"], 0);
    let (_, pr) = s.patch_json("/repos/alice/proj/pulls/1", &token, j!({"state": "open"})).await;
    assert_eq!(pr["state"], "open");
    assert_eq!(s.patch_status("/repos/alice/proj/pulls/1", &token, j!({"state": "bogus"})).await, 412);
    let (_bob, bob) = s.user_with_token("bob", false).await;
    assert_eq!(s.patch_status("/repos/alice/proj/pulls/1", &bob, j!({"title": "mine"})).await, 403);

    // A push to the head: synchronized.
    git.ok(Some(&wt), &["checkout", "-q", "-B", "feature", "origin/feature"]);
    std::fs::write(wt.join("b.txt"), "b2\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "More b"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "feature"]);

    // Styles the repository forbids are refused.
    let (status, repo) = s.patch_json("/repos/alice/proj", &token, j!({"allow_squash_merge": false})).await;
    assert_eq!(status, 200);
    assert_eq!(repo["allow_squash_merge"], false, "{repo}");
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "squash"})).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["message"], "squash is not allowed an allowed merge style for this repository");
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await, 200);
    assert_eq!(s.patch_status("/repos/alice/proj/pulls/1", &token, j!({"state": "open"})).await, 412);
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!(issue["pull_request"]["merged"], true, "{issue}");
    assert!(issue["pull_request"]["merged_at"].is_string());

    let got = hooks.wait_for(8).await;
    let actions: Vec<&str> = got.iter().map(|g| g.header("X-Gitea-Event-Type")).collect();
    assert_eq!(actions.len(), 8);
    let payloads: Vec<serde_json::Value> = got.iter().map(|g| g.payload()).collect();
    let actions: Vec<&str> = payloads.iter().map(|p| p["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["opened", "edited", "edited", "edited", "closed", "reopened", "synchronized", "closed"]);
    assert!(got.iter().all(|g| g.header("X-Gitea-Event") == "pull_request"));
    assert_eq!(got[6].header("X-Gitea-Event-Type"), "pull_request_sync");
    assert_eq!(payloads[0]["number"], 1);
    assert_eq!(payloads[0]["pull_request"]["head"]["ref"], "feature");
    assert_eq!(payloads[0]["repository"]["full_name"], "alice/proj");
    assert_eq!(payloads[1]["changes"]["title"]["from"], "Add b");
    assert_eq!(payloads[2]["changes"]["ref"]["from"], "master");
    assert_eq!(payloads[4]["pull_request"]["merged"], false, "closed without a merge");
    assert_eq!(payloads[7]["pull_request"]["merged"], true, "merged: closed with merged true");
    assert_eq!(payloads[7]["sender"]["login"], "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_merges_and_deleting_the_head_branch() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    let open = |head: &str, base: &str| j!({"head": head, "base": base, "title": format!("{head} into {base}")});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("feature", "master")).await, 201);
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(pr["mergeable"], true);

    // Pushing the head into the base by hand merges the pull.
    let feature = tip(&git, &wt, "origin/feature");
    git.ok(Some(&wt), &["push", "-q", "origin", "origin/feature:refs/heads/master"]);
    let mut merged = j!(null);
    for _ in 0..100 {
        merged = s.get_json("/repos/alice/proj/pulls/1", Anon).await.1;
        if merged["merged"] == true {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(merged["merged"], true, "{merged}");
    assert_eq!(merged["state"], "closed");
    assert_eq!(merged["merge_commit_sha"], feature.as_str());
    assert_eq!(merged["merged_by"]["login"], "alice", "the base repository's owner");
    assert_eq!(s.get_status("/repos/alice/proj/pulls/1/merge", Anon).await, 204);

    // delete_branch_after_merge: the head branch goes...
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("clash", "master")).await, 201);
    let (status, body) = s
        .post_json("/repos/alice/proj/pulls/2/merge", &token, j!({"Do": "merge", "delete_branch_after_merge": true}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(s.get_status("/repos/alice/proj/branches/clash", &token).await, 404);
    // ...unless another open pull still uses it.
    branch(&git, &wt, "twin", "master", "t.txt", "t\n", "Add t");
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("twin", "master")).await, 201);
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("twin", "other")).await, 201);
    let (status, _) = s
        .post_json("/repos/alice/proj/pulls/3/merge", &token, j!({"Do": "merge", "delete_branch_after_merge": true}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(s.get_status("/repos/alice/proj/branches/twin", &token).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_merges_into_one_base_lose_no_commit() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    branch(&git, &wt, "one", "master", "one.txt", "1\n", "Add one");
    branch(&git, &wt, "two", "master", "two.txt", "2\n", "Add two");
    for head in ["one", "two"] {
        let open = j!({"head": head, "base": "master", "title": head});
        assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open).await, 201);
    }
    for n in 1..=2 {
        let (_, pr) = s.get_json(&format!("/repos/alice/proj/pulls/{n}"), Anon).await;
        assert_eq!(pr["mergeable"], true);
    }
    let merge = |n: i64| {
        let (s, token) = (&s, token.clone());
        async move { s.post_json(&format!("/repos/alice/proj/pulls/{n}/merge"), &token, j!({"Do": "merge"})).await }
    };
    let ((a, _), (b, _)) = tokio::join!(merge(1), merge(2));
    // Each merge either happened or was refused cleanly (the base moved under it).
    for status in [a, b] {
        assert!(status == 200 || status == 409, "{status}");
    }
    let master = tip(&git, &wt, "origin/master");
    for (n, status, file) in [(1, a, "one.txt"), (2, b, "two.txt")] {
        let (_, pr) = s.get_json(&format!("/repos/alice/proj/pulls/{n}"), Anon).await;
        let present = git.run(Some(&wt), &["cat-file", "-e", &format!("{master}:{file}")]).ok;
        assert_eq!(present, status == 200, "pull {n}: on the branch exactly when merged");
        assert_eq!(pr["merged"], status == 200, "pull {n}: the record agrees with the branch");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updating_a_head_branch_from_its_base() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    let open = |head: &str, base: &str| j!({"head": head, "base": base, "title": format!("{head} into {base}")});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("feature", "master")).await, 201);
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("clash", "master")).await, 201);
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open("other", "clash")).await, 201);
    let master = branch(&git, &wt, "master", "master", "c.txt", "c\n", "Add c");
    let feature = tip(&git, &wt, "origin/feature");

    // Merge style: a merge commit of the base into the head.
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/update", &token, j!({})).await;
    assert_eq!(status, 200, "{body}");
    let updated = tip(&git, &wt, "origin/feature");
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%P", &updated]).trim(), format!("{feature} {master}"));
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%s", &updated]).trim(), "Merge branch 'master' into feature");
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(pr["head"]["sha"], updated.as_str(), "the pull follows its head");
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/update", &token, j!({})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("HeadBranch of PR 1 is up to date")));

    // Rebase style: the head's commit replayed onto the base.
    assert_eq!(s.post_status("/repos/alice/proj/pulls/2/update?style=rebase", &token, j!({})).await, 200);
    let clash = tip(&git, &wt, "origin/clash");
    assert_eq!(git.ok(Some(&wt), &["log", "-1", "--format=%s %P", &clash]).trim(), format!("Clash a {master}"));

    // Conflicts, readers and unknown styles are refused.
    let (status, body) = s.post_json("/repos/alice/proj/pulls/3/update", &token, j!({})).await;
    assert_eq!((status, body["message"].as_str()), (409, Some("merge failed because of conflict")));
    let (_bob, bob) = s.user_with_token("bob", false).await;
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/update", &bob, j!({})).await, 403);
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/update?style=squash", &token, j!({})).await, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_without_its_branches_is_listed_but_not_served() {
    // What `hearth import gogs` leaves: the issue row of a pull, without Gogs' branch details.
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let repo = s.create_repo(&token, j!({"name": "old", "auto_init": true})).await;
    let id = repo["id"].as_i64().unwrap();
    s.sql(&format!(
        "INSERT INTO issue (repo_id, idx, poster_id, title, body, is_pull, created_unix, updated_unix) \
         VALUES ({id}, 1, 1, 'imported', '', TRUE, 1700000000, 1700000000)"
    ))
    .await;
    let (status, list) = s.get_json("/repos/alice/old/pulls", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!((list[0]["title"].as_str(), list[0]["head"]["repo_id"].as_i64()), (Some("imported"), Some(-1)));
    assert_eq!(list[0]["mergeable"], false);
    assert_eq!(s.get_status("/repos/alice/old/pulls/1", Anon).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_sorts_as_gitea_does() {
    let (s, _alice, token, _git, _wt, _url) = fixture().await;
    for head in ["feature", "other"] {
        let open = j!({"head": head, "base": "master", "title": head});
        assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    }
    let numbers = |list: &serde_json::Value| -> Vec<i64> {
        list.as_array().unwrap().iter().map(|p| p["number"].as_i64().unwrap()).collect()
    };
    let (_, newest) = s.get_json("/repos/alice/proj/pulls", Anon).await;
    assert_eq!(numbers(&newest), [2, 1]);
    let (_, oldest) = s.get_json("/repos/alice/proj/pulls?sort=oldest", Anon).await;
    assert_eq!(numbers(&oldest), [1, 2]);
    // The older pull gets a comment a second later: most commented and most recently updated.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (status, _) = s.post_json("/repos/alice/proj/issues/1/comments", &token, j!({"body": "ping"})).await;
    assert_eq!(status, 201);
    for (sort, expect) in
        [("mostcomment", [1, 2]), ("leastcomment", [2, 1]), ("recentupdate", [1, 2]), ("leastupdate", [2, 1])]
    {
        let (status, list) = s.get_json(&format!("/repos/alice/proj/pulls?sort={sort}"), Anon).await;
        assert_eq!(status, 200);
        assert_eq!(numbers(&list), expect, "{sort}");
    }
    let (_, unknown) = s.get_json("/repos/alice/proj/pulls?sort=bogus", Anon).await;
    assert_eq!(numbers(&unknown), [2, 1], "an unknown sort is newest first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_by_its_base_and_head() {
    let (s, _alice, token, git, wt, _url) = fixture().await;
    branch(&git, &wt, "topic/deep", "master", "c.txt", "c\n", "Add c");
    for head in ["feature", "topic/deep"] {
        let open = j!({"head": head, "base": "master", "title": head});
        assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    }
    let (status, pr) = s.get_json("/repos/alice/proj/pulls/master/feature", Anon).await;
    assert_eq!(status, 200, "{pr}");
    assert_eq!(pr["number"], 1);
    let (status, pr) = s.get_json("/repos/alice/proj/pulls/master/topic/deep", Anon).await;
    assert_eq!((status, pr["number"].as_i64()), (200, Some(2)), "a head with a slash: {pr}");
    let (status, pr) = s.get_json("/repos/alice/proj/pulls/master/alice:feature", Anon).await;
    assert_eq!((status, pr["number"].as_i64()), (200, Some(1)), "owner:branch");
    // The numbered routes beside it still answer.
    assert_eq!(s.get_status("/repos/alice/proj/pulls/1/commits", Anon).await, 200);
    assert_eq!(s.get_status("/repos/alice/proj/pulls/1/files", Anon).await, 200);
    for missing in ["master/other", "other/feature", "master/ghost:feature", "master/a:b:c"] {
        assert_eq!(s.get_status(&format!("/repos/alice/proj/pulls/{missing}"), Anon).await, 404, "{missing}");
    }
    // Closed pulls are not found by it (Gitea finds the open one).
    s.patch_json("/repos/alice/proj/pulls/1", &token, j!({"state": "closed"})).await;
    assert_eq!(s.get_status("/repos/alice/proj/pulls/master/feature", Anon).await, 404);
}

/// A check queued by another process, which cannot wake this one, is found by the next poll,
/// also after the job has looked and found nothing for a while (its timed polls leave an
/// unchanged SQLite database alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_check_queued_elsewhere_is_found_by_the_next_poll() {
    let (s, _alice, token, _git, _wt, _url) = fixture().await;
    let open = j!({"head": "feature", "base": "master", "title": "feature"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, open).await, 201);
    assert_eq!(s.get_json("/repos/alice/proj/pulls/1", Anon).await.1["mergeable"], true);
    let status =
        "SELECT CAST(status AS BIGINT) FROM pull_request WHERE issue_id = (SELECT id FROM issue WHERE idx = 1)";
    let checked = s.sql_i64(status).await;
    assert_ne!(checked, 0);
    // Idle past a poll or two, then queued behind the server's back.
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    s.sql("UPDATE pull_request SET status = 0").await;
    let since = std::time::Instant::now();
    while s.sql_i64(status).await == 0 {
        assert!(since.elapsed() < std::time::Duration::from_secs(12), "the queued check was not made");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(s.sql_i64(status).await, checked);
}
