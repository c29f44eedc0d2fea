//! The browser suite's collaboration flows (issue #20): pull requests from a fork reviewed and
//! merged, a protected branch waiting for its status, issues triaged, a webhook redelivered, an
//! account disabled, all through the pages in headless Chromium.

use std::time::Duration;

use serde_json::json as j;
use tokio::net::TcpListener;

use crate::support::*;
use crate::web_browser::{check_page, sign_in, start_with};

/// alice (site admin, with a token) owns `proj`: `master` holds `a.txt` (five lines); `wt` is a
/// clone with `origin` as alice.
async fn fixture(s: &TestServer) -> (TestUser, String, Git, std::path::PathBuf) {
    let (alice, token) = s.user_with_token("alice", true).await;
    s.create_repo(&token, j!({"name": "proj"})).await;
    let git = Git::new();
    let wt = git.work_tree("proj", "a.txt", "1\n2\n3\n4\n5\n");
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "proj");
    git.ok(Some(&wt), &["remote", "add", "origin", &url]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    (alice, token, git, wt)
}

/// Commit `file` = `content` on `branch` (made from `from` when new) and push it to `remote`.
fn push(git: &Git, wt: &std::path::Path, remote: &str, branch: &str, from: &str, file: &str, content: &str) {
    git.ok(Some(wt), &["checkout", "-q", "-B", branch, from]);
    std::fs::write(wt.join(file), content).unwrap();
    git.ok(Some(wt), &["add", "."]);
    git.ok(Some(wt), &["commit", "-q", "-m", &format!("Change {file} on {branch}")]);
    git.ok(Some(wt), &["push", "-q", remote, branch]);
}

/// Open a pull request from the compare page `range` (`master...bob:fix`); its number.
async fn open_pull(b: &Session, base: &str, range: &str, title: &str) -> i64 {
    b.goto(&format!("{base}/alice/proj/compare/{range}")).await;
    check_page(b, "compare").await;
    b.type_into("#title", title).await;
    b.press("Create pull request").await;
    let url = b.current_url().await;
    let index = url.rsplit('/').next().and_then(|n| n.parse().ok());
    assert!(url.starts_with(&format!("{base}/alice/proj/pulls/")), "{url}: {}", b.source().await);
    check_page(b, "new pull request").await;
    index.unwrap()
}

/// Merge pull request `index` with `style` from its conversation page.
async fn merge(b: &Session, base: &str, index: i64, style: &str) {
    b.goto(&format!("{base}/alice/proj/pulls/{index}")).await;
    b.click(&format!("input[name=style][value={style}]")).await;
    b.press("Merge pull request").await;
    assert!(b.text(".merge-box").await.contains("Merged"), "{}", b.source().await);
    check_page(b, "merged pull request").await;
}

/// The parents of `origin/master`'s tip, fetched afresh.
fn master_parents(git: &Git, wt: &std::path::Path) -> usize {
    git.ok(Some(wt), &["fetch", "-q", "origin"]);
    git.ok(Some(wt), &["log", "-1", "--format=%P", "origin/master"]).split_whitespace().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_pull_requests_from_a_fork_reviewed_and_merged() {
    let Some((s, base, driver, a)) = start_with(390, true, |_| {}).await else { return };
    let (alice, token, git, wt) = fixture(&s).await;
    let (bob, bob_token) = s.user_with_token("bob", false).await;
    assert_eq!(s.post_status("/repos/alice/proj/forks", &bob_token, j!({})).await, 202);
    let bob_url = s.git_url(Some((&bob.name, &bob.password)), "bob", "proj");
    git.ok(Some(&wt), &["remote", "add", "bob", &bob_url]);
    push(&git, &wt, "bob", "fix", "origin/master", "a.txt", "1\ntwo\n3\n4\n5\n");

    // bob opens the pull request from his fork.
    let b = driver.session(390, true).await;
    sign_in(&b, &base, "bob", &bob.password).await;
    let one = open_pull(&b, &base, "master...bob:fix", "Spell two").await;
    assert!(b.source().await.contains("wants to merge"));

    // alice comments on a line and asks for changes.
    sign_in(&a, &base, "alice", &alice.password).await;
    a.goto(&format!("{base}/alice/proj/pulls/{one}/files")).await;
    check_page(&a, "files changed").await;
    a.select("#path", "a.txt").await;
    a.type_into("#line", "2").await;
    a.type_into("#content", "Digits, please").await;
    a.press("Add review comment").await;
    assert!(a.source().await.contains("Digits, please"), "{}", a.source().await);
    check_page(&a, "files changed with a comment").await;
    a.goto(&format!("{base}/alice/proj/pulls/{one}")).await;
    check_page(&a, "conversation").await;
    a.click("input[name=event][value=request_changes]").await;
    a.type_into("#review-body", "Not yet").await;
    a.press("Submit review").await;
    let reviews = a.text(".timeline").await;
    assert!(reviews.contains("alice") && reviews.contains("Not yet"), "{reviews}");
    check_page(&a, "changes requested").await;

    // bob, the author, is told.
    b.goto(&format!("{base}/notifications")).await;
    assert!(b.text("main").await.contains("Spell two"), "{}", b.source().await);
    check_page(&b, "notifications").await;

    // bob pushes again; alice sees the new commit, approves and merges with a merge commit.
    push(&git, &wt, "bob", "fix", "fix", "a.txt", "1\n2\n3\n4\n5\n6\n");
    a.goto(&format!("{base}/alice/proj/pulls/{one}/commits")).await;
    assert_eq!(a.count("ul.commits li").await, 2, "{}", a.source().await);
    check_page(&a, "commits").await;
    a.goto(&format!("{base}/alice/proj/pulls/{one}")).await;
    a.click("input[name=event][value=approve]").await;
    a.press("Submit review").await;
    merge(&a, &base, one, "merge").await;
    let (_, pr) = s.get_json(&format!("/repos/alice/proj/pulls/{one}"), &token).await;
    assert_eq!(pr["merged"], true, "{pr}");
    assert_eq!(master_parents(&git, &wt), 2, "a merge commit");
    assert_eq!(git.ok(Some(&wt), &["show", "origin/master:a.txt"]), "1\n2\n3\n4\n5\n6\n");

    // Squash, then rebase, each from its own branch.
    push(&git, &wt, "bob", "squashed", "origin/master", "b.txt", "b\n");
    let two = open_pull(&b, &base, "master...bob:squashed", "Add b").await;
    merge(&a, &base, two, "squash").await;
    assert_eq!(master_parents(&git, &wt), 1, "squashed");
    assert_eq!(git.ok(Some(&wt), &["show", "origin/master:b.txt"]), "b\n");
    push(&git, &wt, "bob", "rebased", "origin/master", "c.txt", "c\n");
    let three = open_pull(&b, &base, "master...bob:rebased", "Add c").await;
    merge(&a, &base, three, "rebase").await;
    assert_eq!(master_parents(&git, &wt), 1, "rebased");
    assert_eq!(git.ok(Some(&wt), &["show", "origin/master:c.txt"]), "c\n");
    let (_, pulls) = s.get_json("/repos/alice/proj/pulls?state=closed", &token).await;
    assert_eq!(pulls.as_array().map(Vec::len), Some(3), "{pulls}");
    b.goto(&format!("{base}/alice/proj/pulls?state=closed")).await;
    assert!(b.source().await.contains("3 closed"));
    check_page(&b, "closed pull requests").await;
    b.close().await;
    a.close().await;
}

/// Without JavaScript: every form here is a plain form.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_protected_branch_waits_for_its_status() {
    let Some((s, base, _driver, a)) = start_with(390, false, |_| {}).await else { return };
    let (alice, token, git, wt) = fixture(&s).await;
    let rule = j!({"rule_name": "master", "enable_status_check": true, "status_check_contexts": ["ci/build"]});
    assert_eq!(s.post_json("/repos/alice/proj/branch_protections", &token, &rule).await.0, 201);
    push(&git, &wt, "origin", "feature", "master", "a.txt", "1\n2\n3\n4\n5\nsix\n");
    let sha = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();

    sign_in(&a, &base, "alice", &alice.password).await;
    a.goto(&format!("{base}/alice/proj/settings/branches")).await;
    check_page(&a, "protected branches").await;
    // The page (web-ui.md §6) edits only part of a rule: saving it keeps the rest.
    a.goto(&format!("{base}/alice/proj/settings/branches/master")).await;
    check_page(&a, "branch protection").await;
    a.press("Save").await;
    check_page(&a, "branch protection saved").await;
    let (_, kept) = s.get_json("/repos/alice/proj/branch_protections/master", &token).await;
    assert_eq!(
        (kept["enable_status_check"].clone(), kept["status_check_contexts"].clone()),
        (j!(true), j!(["ci/build"])),
        "{kept}"
    );
    let one = open_pull(&a, &base, "master...feature", "Six").await;
    let merge_box = a.text(".merge-box").await;
    assert!(merge_box.contains("Merging is blocked:") && merge_box.contains("status checks"), "{merge_box}");
    assert_eq!(a.count_buttons("Merge pull request").await, 0);

    let status = j!({"state": "success", "context": "ci/build", "description": "ok"});
    assert_eq!(s.post_json(&format!("/repos/alice/proj/statuses/{sha}"), &token, status).await.0, 201);
    merge(&a, &base, one, "merge").await;
    assert_eq!(git.ok(Some(&wt), &["fetch", "-q", "origin"]), "");
    assert_eq!(git.ok(Some(&wt), &["show", "origin/master:a.txt"]), "1\n2\n3\n4\n5\nsix\n");
    // Same-repository head: its branch may go now.
    a.press("Delete branch").await;
    check_page(&a, "branch deleted").await;
    assert_eq!(s.get_status("/repos/alice/proj/branches/feature", &token).await, 404);
    a.close().await;
}

/// Without JavaScript too.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_an_issue_triaged_closed_and_reopened() {
    let Some((s, base, _driver, a)) = start_with(390, false, |_| {}).await else { return };
    let (alice, token, _git, _wt) = fixture(&s).await;
    let (_, label) = s.post_json("/repos/alice/proj/labels", &token, j!({"name": "bug", "color": "#ee0701"})).await;
    let (_, milestone) = s.post_json("/repos/alice/proj/milestones", &token, j!({"title": "v1"})).await;

    sign_in(&a, &base, "alice", &alice.password).await;
    a.goto(&format!("{base}/alice/proj/issues/new")).await;
    check_page(&a, "new issue").await;
    a.type_into("#title", "It <b>breaks</b>").await;
    a.type_into("#content", "Steps: *none*").await;
    a.press("Create issue").await;
    assert_eq!(a.current_url().await, format!("{base}/alice/proj/issues/1"));
    assert!(a.source().await.contains("It &lt;b&gt;breaks&lt;/b&gt;"));
    check_page(&a, "issue").await;

    a.click(&format!("input[name=label][value=\"{}\"]", label["id"])).await;
    a.press("Update labels").await;
    a.select("#milestone", &milestone["id"].to_string()).await;
    a.press("Set milestone").await;
    a.select("#assignee", "alice").await;
    a.press("Set assignee").await;
    let sidebar = a.text("aside.sidebar").await;
    assert!(sidebar.contains("bug") && sidebar.contains("v1") && sidebar.contains("alice"), "{sidebar}");
    check_page(&a, "issue triaged").await;

    a.type_into("#content", "Cannot reproduce").await;
    a.press("Close issue").await;
    let timeline = a.text(".timeline").await;
    assert!(timeline.contains("added the label bug"), "{timeline}");
    assert!(timeline.contains("Cannot reproduce") && timeline.contains("closed this"), "{timeline}");
    assert_eq!(a.text(".meta .state").await, "Closed");
    a.goto(&format!("{base}/alice/proj/issues")).await;
    assert!(a.source().await.contains(">0 open</a>") && a.source().await.contains(">1 closed</a>"));
    check_page(&a, "issue list").await;

    a.goto(&format!("{base}/alice/proj/issues/1")).await;
    a.press("Reopen issue").await;
    assert!(a.text(".timeline").await.contains("reopened this"));
    assert_eq!(a.text(".meta .state").await, "Open");
    a.goto(&format!("{base}/alice/proj/issues")).await;
    assert!(a.source().await.contains(">1 open</a>") && a.source().await.contains(">0 closed</a>"));
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!((issue["state"].clone(), issue["milestone"]["title"].clone()), (j!("open"), j!("v1")), "{issue}");
    assert_eq!((issue["assignee"]["login"].clone(), issue["labels"][0]["name"].clone()), (j!("alice"), j!("bug")));
    a.close().await;
}

/// The hook page's reload until `text` shows (deliveries run in the background).
async fn wait_for_text(b: &Session, url: &str, text: &str) {
    for _ in 0..100 {
        b.goto(url).await;
        if b.source().await.contains(text) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {text} on {url}: {}", b.source().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_failed_webhook_delivery_redelivered() {
    let Some((s, base, _driver, a)) = start_with(390, true, |raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        raw.set("webhook", "RETRY_BACKOFF_MS", "50");
    })
    .await
    else {
        return;
    };
    let (alice, token, _git, _wt) = fixture(&s).await;
    // The first delivery fails (500), later ones succeed.
    let rx = Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), vec![500], Duration::ZERO);
    let hook =
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json"}, "events": ["push"], "active": true});
    let (status, hook) = s.post_json("/repos/alice/proj/hooks", &token, hook).await;
    assert_eq!(status, 201, "{hook}");
    let page = format!("{base}/alice/proj/settings/hooks/{}", hook["id"]);

    sign_in(&a, &base, "alice", &alice.password).await;
    a.goto(&page).await;
    check_page(&a, "webhook").await;
    a.press("Test delivery").await;
    rx.wait_for(1).await;
    wait_for_text(&a, &page, "Invalid HTTP Response: 500").await;
    check_page(&a, "failed delivery").await;
    a.press("Redeliver").await;
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].header("X-Gogs-Delivery"), got[0].header("X-Gogs-Delivery"));
    wait_for_text(&a, &page, "OK (200)").await;
    assert!(a.source().await.contains("Redelivery"));
    check_page(&a, "redelivered").await;
    a.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_an_admin_disables_a_signed_in_user() {
    let Some((s, base, driver, a)) = start_with(390, true, |_| {}).await else { return };
    let alice = s.create_user("alice", true).await;
    let (bob, bob_token) = s.user_with_token("bob", false).await;
    let (_, me) = s.get_json("/user", &bob_token).await;

    let b = driver.session(390, true).await;
    sign_in(&b, &base, "bob", &bob.password).await;
    b.goto(&format!("{base}/user/settings")).await;
    assert_eq!(b.current_url().await, format!("{base}/user/settings"));

    sign_in(&a, &base, "alice", &alice.password).await;
    for page in ["/admin", "/admin/users"] {
        a.goto(&format!("{base}{page}")).await;
        check_page(&a, page).await;
    }
    a.goto(&format!("{base}/admin/users/{}", me["id"])).await;
    check_page(&a, "admin user").await;
    a.click("#active").await;
    a.click("#prohibit_login").await;
    a.press("Update account").await;
    assert!(a.source().await.contains("role=\"status\""), "{}", a.source().await);
    check_page(&a, "admin user updated").await;

    // bob's session no longer counts: the next page asks him to sign in.
    b.goto(&format!("{base}/user/settings")).await;
    let url = b.current_url().await;
    assert!(url.starts_with(&format!("{base}/user/login")), "{url}: {}", b.source().await);
    check_page(&b, "signed out").await;
    b.close().await;
    a.close().await;
}
