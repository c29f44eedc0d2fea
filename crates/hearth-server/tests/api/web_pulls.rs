//! Pull request pages (web-ui.md §6): comparing branches and opening a pull, its commits and
//! files with line comments, reviews, the merge box and its refusals, branch deletion; each change
//! checked over the API.

use serde_json::json as j;

use crate::pulls::fixture_on;
use crate::support::*;

/// The PR's page as `b` sees it, once its mergeability check has settled.
async fn settled(s: &TestServer, token: &str, b: &mut Browser, path: &str, index: i64) -> Page {
    for _ in 0..100 {
        let (_, pr) = s.get_json(&format!("/repos/alice/proj/pulls/{index}"), token).await;
        if pr["mergeable"].is_boolean() && pr["merge_base"].as_str().is_some_and(|m| !m.is_empty()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    b.get(path).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pull_compared_opened_reviewed_merged_and_its_branch_deleted() {
    let (s, alice, token, _git, _wt, _url) = fixture_on(TestServer::start().await).await;
    let bob = s.create_user("bob", false).await;
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;

    // Picking branches.
    let pick = b.get("/alice/proj/compare").await;
    assert_eq!(pick.status, 200);
    assert_html(&pick);
    assert!(pick.body.contains("<h1>Compare changes</h1>") && pick.body.contains("<option value=\"feature\">"));
    let go = b.get("/alice/proj/compare?base=master&head=feature").await;
    assert_eq!(go.status, 303);
    assert_eq!(go.location(), "/alice/proj/compare/master...feature");

    // The comparison and the form that opens the pull.
    let cmp = b.get("/alice/proj/compare/master...feature").await;
    assert_eq!(cmp.status, 200, "{}", cmp.body);
    assert!(cmp.body.contains(">Add b</a>"), "the head's commit is listed");
    assert!(cmp.body.contains("aria-label=\"Changes to b.txt\""), "and its diff shown");
    assert!(cmp.body.contains("value=\"Add b\""), "the title is the only commit's subject");
    assert!(cmp.body.contains(">Create pull request</button>"));
    let empty = b
        .submit("/alice/proj/compare/master...feature", "/alice/proj/compare/master...feature", &[("title", "")])
        .await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("role=\"alert\""));
    let preview = b
        .submit(
            "/alice/proj/compare/master...feature",
            "/alice/proj/compare/master...feature",
            &[("title", "Add <b>"), ("content", "**Please**"), ("action", "preview")],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<strong>Please</strong>") && preview.body.contains("value=\"Add &lt;b&gt;\""));
    let (_, none) = s.get_json("/repos/alice/proj/pulls?state=all", &token).await;
    assert_eq!(none.as_array().unwrap().len(), 0, "a preview opens nothing");
    let opened = b
        .submit(
            "/alice/proj/compare/master...feature",
            "/alice/proj/compare/master...feature",
            &[("title", "Add <b>"), ("content", "Please @alice")],
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    assert_eq!(opened.location(), "/alice/proj/pulls/1");
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", &token).await;
    assert_eq!((pr["title"].as_str(), pr["user"]["login"].as_str()), (Some("Add <b>"), Some("bob")));
    let again = b.get("/alice/proj/compare/master...feature").await;
    assert!(again.body.contains("href=\"/alice/proj/pulls/1\">#1</a>"), "the open pull is linked");
    assert!(!again.body.contains(">Create pull request</button>"));

    // The conversation: the author sees no merge box controls; the owner does.
    let page = settled(&s, &token, &mut b, "/alice/proj/pulls/1", 1).await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("<h1>Add &lt;b&gt; <span class=\"muted\">#1</span></h1>"));
    assert!(page.body.contains("wants to merge <code>feature</code> into <code>master</code>"));
    for tab in ["Conversation", "Commits", "Files changed"] {
        assert!(page.body.contains(&format!(">{tab}</a>")), "{tab}");
    }
    assert!(!page.body.contains("Merge pull request</button>") && page.body.contains("no conflicts"));
    assert!(!page.body.contains("value=\"approve\""), "the author may not approve");
    assert_eq!(b.get("/alice/proj/issues/1").await.location(), "/alice/proj/pulls/1");
    let owner_view = a.get("/alice/proj/pulls/1").await;
    assert!(owner_view.body.contains(">Merge pull request</button>"), "{}", owner_view.body);
    assert!(
        owner_view.body.contains("<legend>Merge style</legend>") && owner_view.body.contains("Create a merge commit")
    );

    // Commits and files; a line comment lands under its line.
    let commits = a.get("/alice/proj/pulls/1/commits").await;
    assert_eq!(commits.status, 200);
    assert!(commits.body.contains(">Add b</a>") && commits.body.contains("1 commit"));
    let files = a.get("/alice/proj/pulls/1/files").await;
    assert_eq!(files.status, 200);
    assert!(files.body.contains("aria-label=\"Changes to b.txt\"") && files.body.contains("<option value=\"b.txt\">"));
    let bad =
        a.submit("/alice/proj/pulls/1/files", "/alice/proj/pulls/1/files", &[("path", "b.txt"), ("line", "0")]).await;
    assert_eq!(bad.status, 422);
    let done = a
        .submit(
            "/alice/proj/pulls/1/files",
            "/alice/proj/pulls/1/files",
            &[("path", "b.txt"), ("line", "1"), ("content", "Why this? <script>x</script>")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let files = a.get("/alice/proj/pulls/1/files").await;
    assert!(
        files.body.contains("on b.txt, line 1")
            && files.body.contains("Why this?")
            && !files.body.contains("<script>x"),
        "{}",
        files.body
    );
    let (_, reviews) = s.get_json("/repos/alice/proj/pulls/1/reviews", &token).await;
    assert_eq!(reviews[0]["state"], "COMMENT");

    // The diff and the patch as text, as Gogs' web routes give them.
    let diff = a.get("/alice/proj/pulls/1.diff").await;
    assert_eq!(diff.status, 200);
    assert!(
        diff.header("content-type").starts_with("text/plain") && diff.body.contains("+++ b/b.txt"),
        "{}",
        diff.body
    );
    let patch = a.get("/alice/proj/pulls/1.patch").await;
    assert!(patch.body.contains("Subject: [PATCH] Add b"), "{}", patch.body);
    assert_eq!(a.get("/alice/proj/pulls/x.diff").await.status, 404);

    // Reviews from the conversation: changes requested (a body is required), then approved.
    let refused = a
        .submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/reviews", &[("event", "request_changes"), ("content", "")])
        .await;
    assert_eq!(refused.status, 422);
    let done = a
        .submit(
            "/alice/proj/pulls/1",
            "/alice/proj/pulls/1/reviews",
            &[("event", "request_changes"), ("content", "Rename it")],
        )
        .await;
    assert_eq!(done.status, 303);
    let page = a.get("/alice/proj/pulls/1").await;
    assert!(page.body.contains("requested changes") && page.body.contains("Rename it"));
    let done =
        a.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/reviews", &[("event", "approve"), ("content", "")]).await;
    assert_eq!(done.status, 303);
    assert!(a.get("/alice/proj/pulls/1").await.body.contains("approved these changes"));

    // Reviews sit in the timeline by time: a comment older than both reviews comes first, a newer
    // one after them (the page orders by created time across comments and reviews).
    let (_, early) = s.post_json("/repos/alice/proj/issues/1/comments", &token, j!({"body": "Early note"})).await;
    let (_, late) = s.post_json("/repos/alice/proj/issues/1/comments", &token, j!({"body": "Late note"})).await;
    s.sql(&format!("UPDATE comment SET created_unix = created_unix - 100 WHERE id = {}", early["id"])).await;
    s.sql(&format!("UPDATE comment SET created_unix = created_unix + 100 WHERE id = {}", late["id"])).await;
    let body = a.get("/alice/proj/pulls/1").await.body;
    let at = |needle: &str| body.find(needle).unwrap_or_else(|| panic!("{needle} missing: {body}"));
    assert!(at("Early note") < at("Rename it"), "{body}");
    assert!(at("Rename it") < at("approved these changes"), "{body}");
    assert!(at("approved these changes") < at("Late note"), "{body}");
    assert!(at("Late note") < at("aria-label=\"Merge\""), "{body}");

    // Merging: not for readers; a style the repository forbids is refused; then merged.
    let refused = b.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/merge", &[("style", "merge")]).await;
    assert_eq!(refused.status, 404);
    let (status, _) = s.patch_json("/repos/alice/proj", &token, j!({"allow_rebase": false})).await;
    assert_eq!(status, 200);
    let refused = a.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/merge", &[("style", "rebase")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("role=\"alert\""));
    let merged = a
        .submit(
            "/alice/proj/pulls/1",
            "/alice/proj/pulls/1/merge",
            &[("style", "merge"), ("message", "Merge feature\n\nWith b")],
        )
        .await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", &token).await;
    assert_eq!(pr["merged"], true);
    let (_, commit) = s.get_json("/repos/alice/proj/git/commits/master", &token).await;
    assert!(
        commit["commit"]["message"].as_str().unwrap_or_default().starts_with("Merge feature\n\nWith b"),
        "{commit}"
    );
    let page = a.get("/alice/proj/pulls/1").await;
    assert!(page.body.contains(">Merged</span>") && page.body.contains(">Delete branch</button>"));
    assert!(!page.body.contains(">Merge pull request</button>") && !page.body.contains("Close pull request"));
    assert_eq!(b.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/delete-branch", &[]).await.status, 404);
    let deleted = a.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/delete-branch", &[]).await;
    assert_eq!(deleted.status, 303);
    let (status, _) = s.get_json("/repos/alice/proj/branches/feature", &token).await;
    assert_eq!(status, 404);
    assert!(!a.get("/alice/proj/pulls/1").await.body.contains("Delete branch"));

    // The list shows it merged, with its branches.
    let list = a.get("/alice/proj/pulls?state=closed").await;
    assert!(
        list.body.contains(">Merged</span>") && list.body.contains("<code>feature</code> into <code>master</code>")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_pull_conflicts_and_missing_things() {
    let (s, alice, token, _git, _wt, _url) = fixture_on(TestServer::start().await).await;
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    for (head, title) in [("other", "Other"), ("clash", "Clash")] {
        let (status, _) =
            s.post_json("/repos/alice/proj/pulls", &token, j!({"head": head, "base": "master", "title": title})).await;
        assert_eq!(status, 201);
    }
    let _ = settled(&s, &token, &mut a, "/alice/proj/pulls/1", 1).await;
    let merged =
        a.submit("/alice/proj/pulls/1", "/alice/proj/pulls/1/merge", &[("style", "merge"), ("message", "m")]).await;
    assert_eq!(merged.status, 303);
    // The other pull now conflicts on a.txt: no merge button, the reason said.
    let mut page = a.get("/alice/proj/pulls/2").await;
    for _ in 0..100 {
        if page.body.contains("conflicts that must be resolved") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        page = a.get("/alice/proj/pulls/2").await;
    }
    assert!(page.body.contains("This branch has conflicts that must be resolved"), "{}", page.body);
    assert!(page.body.contains("<code>a.txt</code>") && !page.body.contains(">Merge pull request</button>"));

    // Nothing to compare; unknown branches, pulls and ranges are 404 pages.
    let same = a.get("/alice/proj/compare/master...master").await;
    assert!(same.body.contains("Nothing to compare"), "{}", same.body);
    for path in [
        "/alice/proj/compare/master...nope",
        "/alice/proj/compare/nope",
        "/alice/proj/pulls/9",
        "/alice/proj/pulls/x/files",
        "/alice/proj/pulls/9/commits",
    ] {
        let p = a.get(path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(p.body.contains("Page not found"), "{path}");
    }
    // An issue is not a pull and the other way round.
    let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": "plain"})).await;
    assert_eq!(a.get("/alice/proj/pulls/3").await.location(), "/alice/proj/issues/3");
    assert_eq!(a.get("/alice/proj/pulls/3/files").await.status, 404);
    // Private repositories stay hidden.
    let carol = s.create_user("carol", false).await;
    let (status, _) = s.patch_json("/repos/alice/proj", &token, j!({"private": true})).await;
    assert_eq!(status, 200);
    let mut c = Browser::new(&s);
    c.sign_in(&carol).await;
    for path in ["/alice/proj/pulls", "/alice/proj/pulls/1", "/alice/proj/compare", "/alice/proj/pulls/1/files"] {
        assert_eq!(c.get(path).await.status, 404, "{path}");
    }
}
