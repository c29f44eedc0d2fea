//! The issue tracker's pages (web-ui.md §6): the list with its filters, a new issue with a
//! preview, the issue page's timeline and controls, labels and milestones; who may do what, and
//! that every change is the API's (checked over the API).

use serde_json::json as j;

use crate::support::*;

/// alice owns the public `alice/proj`; bob and carol are other users; bob has write access.
async fn tracker() -> (TestServer, TestUser, String, TestUser, TestUser) {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let carol = s.create_user("carol", false).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    (s, alice, token, bob, carol)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_issue_filed_previewed_labelled_assigned_closed_and_reopened() {
    let (s, alice, token, _bob, carol) = tracker().await;
    let mut owner = Browser::new(&s);
    owner.sign_in(&alice).await;
    let mut reader = Browser::new(&s);
    reader.sign_in(&carol).await;

    // Labels: the default set, then one of our own.
    let labels = owner.get("/alice/proj/labels").await;
    assert_eq!(labels.status, 200);
    assert_html(&labels);
    assert!(labels.body.contains("<h1>Labels</h1>") && labels.body.contains(">Use default labels</button>"));
    let done = owner.submit("/alice/proj/labels", "/alice/proj/labels/initialize", &[]).await;
    assert_eq!(done.status, 303);
    let done = owner
        .submit("/alice/proj/labels", "/alice/proj/labels", &[("name", "needs <triage>"), ("color", "#00aabb")])
        .await;
    assert_eq!(done.status, 303);
    let (_, all) = s.get_json("/repos/alice/proj/labels", &token).await;
    let all = all.as_array().unwrap().clone();
    assert!(all.len() > 2, "{all:?}");
    let bug = all.iter().find(|l| l["name"] == "bug").expect("the default set has bug")["id"].as_i64().unwrap();
    let triage = all.iter().find(|l| l["name"] == "needs <triage>").unwrap()["id"].as_i64().unwrap();
    let page = owner.get("/alice/proj/labels").await;
    assert!(page.body.contains("needs &lt;triage&gt;") && !page.body.contains("needs <triage>"));
    assert!(!page.body.contains("Use default labels"), "offered only while there are none");
    let bad = owner.submit("/alice/proj/labels", "/alice/proj/labels", &[("name", "x"), ("color", "red")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("aria-invalid=\"true\""));

    // A reader files an issue, previewing it first.
    let form = reader.get("/alice/proj/issues/new").await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<h1>New issue</h1>"));
    assert!(!form.body.contains("<legend>Labels</legend>"), "readers pick no labels");
    let body = "It **breaks** when @alice and @nobody <script>alert(1)</script> see #1";
    let preview = reader
        .submit(
            "/alice/proj/issues/new",
            "/alice/proj/issues/new",
            &[("title", "Crash <b>on</b> start"), ("content", body), ("action", "preview")],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<strong>breaks</strong>"), "{}", preview.body);
    assert!(preview.body.contains("value=\"Crash &lt;b&gt;on&lt;/b&gt; start\""), "the title is kept");
    let (_, none) = s.get_json("/repos/alice/proj/issues?state=all", &token).await;
    assert_eq!(none.as_array().unwrap().len(), 0, "a preview creates nothing");
    let empty = reader.submit("/alice/proj/issues/new", "/alice/proj/issues/new", &[("title", " ")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Title is required."));
    let created = reader
        .submit(
            "/alice/proj/issues/new",
            "/alice/proj/issues/new",
            &[("title", "Crash <b>on</b> start"), ("content", body), ("action", "create")],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    assert_eq!(created.location(), "/alice/proj/issues/1");
    let page = reader.get("/alice/proj/issues/1").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert_eq!(status_message(&page), "Issue #1 has been created.");
    assert!(page.body.contains("<h1>Crash &lt;b&gt;on&lt;/b&gt; start <span class=\"muted\">#1</span></h1>"));
    assert!(page.body.contains(">Open</span>"));
    assert!(page.body.contains("<a href=\"/alice\" rel=\"nofollow noopener\">@alice</a>"), "a reader is linked");
    assert!(page.body.contains("@nobody") && !page.body.contains("href=\"/nobody\""), "no such user");
    assert!(!page.body.contains("<script>alert"));
    assert!(page.body.contains(">Close issue</button>"), "the poster may close");
    assert!(!page.body.contains(">Update labels</button>"), "a reader has no writer controls");
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!(issue["user"]["login"], "carol");
    assert_eq!(issue["body"], body);

    // The owner labels, milestones and assigns it from the page.
    let (_, ms) = s.post_json("/repos/alice/proj/milestones", &token, j!({"title": "v1"})).await;
    let ms_id = ms["id"].as_i64().unwrap().to_string();
    let (bug_s, triage_s) = (bug.to_string(), triage.to_string());
    let page = owner.get("/alice/proj/issues/1").await;
    assert!(page.body.contains(">Update labels</button>") && page.body.contains(">Set milestone</button>"));
    let done = owner
        .submit("/alice/proj/issues/1", "/alice/proj/issues/1/labels", &[("label", &bug_s), ("label", &triage_s)])
        .await;
    assert_eq!(done.status, 303);
    let done = owner.submit("/alice/proj/issues/1", "/alice/proj/issues/1/milestone", &[("milestone", &ms_id)]).await;
    assert_eq!(done.status, 303);
    let done = owner.submit("/alice/proj/issues/1", "/alice/proj/issues/1/assignee", &[("assignee", "alice")]).await;
    assert_eq!(done.status, 303);
    let bad = owner.submit("/alice/proj/issues/1", "/alice/proj/issues/1/assignee", &[("assignee", "ghost")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("role=\"alert\""));
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    let names: Vec<&str> = issue["labels"].as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_eq!(issue["milestone"]["title"], "v1");
    assert_eq!(issue["assignee"]["login"], "alice");
    let page = owner.get("/alice/proj/issues/1").await;
    for event in ["added the label bug", "set the milestone to v1", "assigned alice"] {
        assert!(page.body.contains(event), "{event}: {}", page.body);
    }
    // Readers may not use those forms.
    let refused = reader.submit("/alice/proj/issues/1", "/alice/proj/issues/1/labels", &[("label", &bug_s)]).await;
    assert_eq!(refused.status, 404);
    let refused = reader.submit("/alice/proj/issues/1", "/alice/proj/issues/1/milestone", &[("milestone", "0")]).await;
    assert_eq!(refused.status, 404);

    // Comment, then close with a comment, then reopen; the list follows.
    let empty = owner.submit("/alice/proj/issues/1", "/alice/proj/issues/1/comments", &[("content", "")]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("The comment is empty."));
    let done = owner
        .submit(
            "/alice/proj/issues/1",
            "/alice/proj/issues/1/comments",
            &[("content", "Looking"), ("action", "comment")],
        )
        .await;
    assert_eq!(done.status, 303);
    assert!(done.location().starts_with("/alice/proj/issues/1#issuecomment-"), "{}", done.location());
    let done = owner
        .submit("/alice/proj/issues/1", "/alice/proj/issues/1/comments", &[("content", "Fixed"), ("action", "close")])
        .await;
    assert_eq!(done.status, 303);
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!(issue["state"], "closed");
    assert_eq!(issue["comments"], 2);
    let page = owner.get("/alice/proj/issues/1").await;
    assert!(page.body.contains(">Closed</span>") && page.body.contains("closed this"));
    assert!(page.body.contains("<p>Looking</p>") && page.body.contains("<p>Fixed</p>"), "comment bodies are shown");
    assert!(page.body.contains(">Reopen issue</button>"));
    let (_, comments) = s.get_json("/repos/alice/proj/issues/1/comments", &token).await;
    let fixed = comments.as_array().unwrap().iter().find(|c| c["body"] == "Fixed").unwrap()["id"].as_i64().unwrap();
    assert!(page.body.contains(&format!("id=\"issuecomment-{fixed}\"")));
    let list = owner.get("/alice/proj/issues").await;
    assert!(list.body.contains(">0 open</a>") && list.body.contains(">1 closed</a>"), "{}", list.body);
    let list = owner.get("/alice/proj/issues?state=closed").await;
    assert!(list.body.contains("href=\"/alice/proj/issues/1\">Crash &lt;b&gt;on&lt;/b&gt; start</a>"));
    let done = reader
        .submit("/alice/proj/issues/1", "/alice/proj/issues/1/comments", &[("content", ""), ("action", "reopen")])
        .await;
    assert_eq!(done.status, 303, "the poster may reopen");
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!(issue["state"], "open");

    // Filters: by label id, milestone, assignee, poster and words.
    let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": "Other thing"})).await;
    let by_label = owner.get(&format!("/alice/proj/issues?labels={bug}")).await;
    assert!(by_label.body.contains(">Crash &lt;b&gt;on&lt;/b&gt; start</a>") && !by_label.body.contains("Other thing"));
    let by_ms = owner.get(&format!("/alice/proj/issues?milestone={ms_id}")).await;
    assert!(by_ms.body.contains(">Crash") && !by_ms.body.contains("Other thing"));
    let by_words = owner.get("/alice/proj/issues?q=other").await;
    assert!(!by_words.body.contains(">Crash") && by_words.body.contains("Other thing"));
    let all = owner.get("/alice/proj/issues").await;
    assert!(all.body.contains(">2 open</a>"));
    let labels = owner.get("/alice/proj/labels").await;
    assert!(labels.body.contains(&format!("href=\"/alice/proj/issues?labels={bug}\">1 open issue</a>")));

    // The title, by the poster.
    let done =
        reader.submit("/alice/proj/issues/1", "/alice/proj/issues/1/title", &[("title", "Crash at start")]).await;
    assert_eq!(done.status, 303);
    let page = reader.get("/alice/proj/issues/1").await;
    assert!(page.body.contains("<h1>Crash at start") && page.body.contains("changed the title from"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_issue_comments_are_edited_and_deleted_by_their_authors() {
    let (s, alice, token, bob, carol) = tracker().await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": "T"})).await;
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    let done = b
        .submit("/alice/proj/issues/1", "/alice/proj/issues/1/comments", &[("content", "first"), ("action", "comment")])
        .await;
    assert_eq!(done.status, 303);
    let (_, comments) = s.get_json("/repos/alice/proj/issues/1/comments", &token).await;
    let id = comments[0]["id"].as_i64().unwrap();
    let page = b.get("/alice/proj/issues/1").await;
    assert!(page.body.contains(&format!("action=\"/alice/proj/issues/comments/{id}/edit\"")));
    // Another reader sees no controls and cannot use them.
    let mut c = Browser::new(&s);
    c.sign_in(&carol).await;
    assert!(!c.get("/alice/proj/issues/1").await.body.contains("/edit\""));
    let refused =
        c.submit("/alice/proj/issues/1", &format!("/alice/proj/issues/comments/{id}/edit"), &[("content", "x")]).await;
    assert_eq!(refused.status, 404);
    let refused = c.submit("/alice/proj/issues/1", &format!("/alice/proj/issues/comments/{id}/delete"), &[]).await;
    assert_eq!(refused.status, 404);
    // And a reader may not close someone else's issue (nothing is posted either).
    let refused = c
        .submit("/alice/proj/issues/1", "/alice/proj/issues/1/comments", &[("content", "bye"), ("action", "close")])
        .await;
    assert_eq!(refused.status, 404);
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!((issue["state"].as_str(), issue["comments"].as_i64()), (Some("open"), Some(1)));

    let done = b
        .submit("/alice/proj/issues/1", &format!("/alice/proj/issues/comments/{id}/edit"), &[("content", "edited")])
        .await;
    assert_eq!(done.status, 303);
    let (_, comments) = s.get_json("/repos/alice/proj/issues/1/comments", &token).await;
    assert_eq!(comments[0]["body"], "edited");
    // The repository's owner (an admin of it) may delete it.
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let done = a.submit("/alice/proj/issues/1", &format!("/alice/proj/issues/comments/{id}/delete"), &[]).await;
    assert_eq!(done.status, 303);
    let (_, comments) = s.get_json("/repos/alice/proj/issues/1/comments", &token).await;
    assert_eq!(comments.as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_issue_pages_follow_the_repository_permissions() {
    let (s, alice, token, bob, _carol) = tracker().await;
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    let (_, _) = s.post_json("/repos/alice/secret/issues", &token, j!({"title": "hidden"})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": "open one"})).await;
    let mut anon = Browser::new(&s);
    assert_eq!(anon.get("/alice/proj/issues").await.status, 200);
    assert_eq!(anon.get("/alice/proj/issues/1").await.status, 200);
    assert!(!anon.get("/alice/proj/issues/1").await.body.contains("name=\"content\""), "no comment form for anon");
    let new = anon.get("/alice/proj/issues/new").await;
    assert_eq!(new.status, 303);
    assert!(new.location().starts_with("/user/login?redirect_to="));
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    for path in ["/alice/secret/issues", "/alice/secret/issues/1", "/alice/secret/labels", "/alice/secret/milestones"] {
        let p = b.get(path).await;
        assert_eq!(p.status, 404, "{path}");
        assert!(p.body.contains("Page not found"));
    }
    for path in ["/alice/proj/issues/abc", "/alice/proj/issues/99", "/alice/proj/milestones/7/edit"] {
        assert_eq!(b.get(path).await.status, 404, "{path}");
    }
    // Writer-only pages and forms answer 404 to readers.
    assert_eq!(b.get("/alice/proj/milestones/new").await.status, 404);
    let refused = b.submit("/alice/proj/labels", "/alice/proj/labels", &[("name", "x"), ("color", "#000000")]).await;
    assert_eq!(refused.status, 404);
    // A POST without the CSRF token changes nothing.
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let forged = a.post("/alice/proj/issues/1/comments", &[("content", "forged"), ("action", "close")]).await;
    assert_eq!(forged.status, 403);
    let (_, issue) = s.get_json("/repos/alice/proj/issues/1", &token).await;
    assert_eq!((issue["state"].as_str(), issue["comments"].as_i64()), (Some("open"), Some(0)));
    // With the tracker off the pages are gone, as the API's routes.
    let (status, _) = s.patch_json("/repos/alice/proj", &token, j!({"has_issues": false})).await;
    assert_eq!(status, 200);
    assert_eq!(a.get("/alice/proj/issues").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_milestones_are_created_closed_and_deleted() {
    let (s, alice, token, _bob, _carol) = tracker().await;
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let page = a.get("/alice/proj/milestones").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<h1>Milestones</h1>") && page.body.contains(">New milestone</a>"));
    let form = a.get("/alice/proj/milestones/new").await;
    assert!(form.body.contains("type=\"date\""));
    let bad = a
        .submit(
            "/alice/proj/milestones/new",
            "/alice/proj/milestones/new",
            &[("title", "v1"), ("deadline", "2027-02-30")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("value=\"v1\""));
    let done = a
        .submit(
            "/alice/proj/milestones/new",
            "/alice/proj/milestones/new",
            &[("title", "v1 <beta>"), ("content", "first"), ("deadline", "2027-01-31")],
        )
        .await;
    assert_eq!(done.status, 303);
    let (_, list) = s.get_json("/repos/alice/proj/milestones", &token).await;
    let m = &list[0];
    assert_eq!(m["title"], "v1 <beta>");
    assert!(m["due_on"].as_str().unwrap().starts_with("2027-01-31"), "{m}");
    let id = m["id"].as_i64().unwrap();
    // Half done: one of two issues closed.
    for title in ["a", "b"] {
        let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": title, "milestone": id})).await;
    }
    let (_, _) = s.patch_json("/repos/alice/proj/issues/1", &token, j!({"state": "closed"})).await;
    let page = a.get("/alice/proj/milestones").await;
    assert!(page.body.contains("v1 &lt;beta&gt;") && page.body.contains("50% completed"), "{}", page.body);
    assert!(page.body.contains("Due by <time datetime=\"2027-01-31T23:59:59Z\">"));
    assert!(page.body.contains(&format!("href=\"/alice/proj/issues?milestone={id}\"")));

    let edit = a.get(&format!("/alice/proj/milestones/{id}/edit")).await;
    assert!(edit.body.contains("value=\"2027-01-31\""));
    let done = a
        .submit(
            &format!("/alice/proj/milestones/{id}/edit"),
            &format!("/alice/proj/milestones/{id}/edit"),
            &[("title", "v1.0"), ("content", ""), ("deadline", "")],
        )
        .await;
    assert_eq!(done.status, 303);
    let done = a.submit("/alice/proj/milestones", &format!("/alice/proj/milestones/{id}/close"), &[]).await;
    assert_eq!(done.status, 303);
    let (_, m) = s.get_json(&format!("/repos/alice/proj/milestones/{id}"), &token).await;
    assert_eq!((m["title"].as_str(), m["state"].as_str()), (Some("v1.0"), Some("closed")));
    let closed = a.get("/alice/proj/milestones?state=closed").await;
    assert!(closed.body.contains(">Reopen</button>") && closed.body.contains(">1 closed</a>"));
    let done = a.submit("/alice/proj/milestones", &format!("/alice/proj/milestones/{id}/delete"), &[]).await;
    assert_eq!(done.status, 303);
    let (status, _) = s.get_json(&format!("/repos/alice/proj/milestones/{id}"), &token).await;
    assert_eq!(status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_opening_an_issue_reads_its_notification() {
    let (s, alice, token, bob, _carol) = tracker().await;
    let bob_token = s.token(&bob).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &bob_token, j!({"title": "ping @alice"})).await;
    let mut unread = 0;
    for _ in 0..50 {
        let (_, n) = s.get_json("/notifications/new", &token).await;
        unread = n["new"].as_i64().unwrap();
        if unread > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(unread, 1);
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    assert_eq!(a.get("/alice/proj/issues/1").await.status, 200);
    let (_, n) = s.get_json("/notifications/new", &token).await;
    assert_eq!(n["new"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_notifications_page_lists_and_marks_threads() {
    let (s, alice, token, bob, carol) = tracker().await;
    let bob_token = s.token(&bob).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &bob_token, j!({"title": "first <b>one</b>"})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &bob_token, j!({"title": "second"})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues/1/comments", &bob_token, j!({"body": "hi @alice"})).await;
    for _ in 0..50 {
        let (_, n) = s.get_json("/notifications/new", &token).await;
        if n["new"] == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut anon = Browser::new(&s);
    let p = anon.get("/notifications").await;
    assert_eq!(p.status, 303);
    assert!(p.location().starts_with("/user/login?redirect_to=%2Fnotifications"));
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let page = a.get("/notifications").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("<h1>Notifications</h1>"));
    assert!(page.body.contains(">Notifications <span class=\"count\">2</span></a>"), "the header counts unread");
    assert!(page.body.contains("first &lt;b&gt;one&lt;/b&gt;</a>") && page.body.contains(">second</a>"));
    let (_, comments) = s.get_json("/repos/alice/proj/issues/1/comments", &token).await;
    let cid = comments[0]["id"].as_i64().unwrap();
    assert!(page.body.contains(&format!("href=\"/alice/proj/issues/1#issuecomment-{cid}\"")), "{}", page.body);
    let (_, threads) = s.get_json("/notifications", &token).await;
    let first =
        threads.as_array().unwrap().iter().find(|t| t["subject"]["title"] == "second").unwrap()["id"].as_i64().unwrap();
    // Another user cannot touch alice's thread.
    let mut c = Browser::new(&s);
    c.sign_in(&carol).await;
    assert_eq!(c.submit("/notifications", &format!("/notifications/{first}/read"), &[]).await.status, 404);
    let done = a.submit("/notifications", &format!("/notifications/{first}/read"), &[]).await;
    assert_eq!(done.status, 303);
    let page = a.get("/notifications").await;
    assert!(!page.body.contains(">second</a>") && page.body.contains(">Notifications <span class=\"count\">1</span>"));
    let read = a.get("/notifications?state=read").await;
    assert!(read.body.contains(">second</a>") && read.body.contains(">Mark as unread</button>"));
    let done = a.submit("/notifications", "/notifications/read-all", &[]).await;
    assert_eq!(done.status, 303);
    let page = a.get("/notifications").await;
    assert!(page.body.contains("You have no unread notifications.") && page.body.contains(">Notifications</a>"));
    let (_, n) = s.get_json("/notifications/new", &token).await;
    assert_eq!(n["new"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_dashboards_list_my_issues_across_repositories() {
    let (s, alice, token, bob, carol) = tracker().await;
    let bob_token = s.token(&bob).await;
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &bob_token, j!({"title": "by bob"})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues", &token, j!({"title": "for bob", "assignee": "alice"})).await;
    let (_, _) = s.post_json("/repos/alice/proj/issues/2/comments", &token, j!({"body": "cc @bob"})).await;
    let (_, _) = s.post_json("/repos/alice/secret/issues", &token, j!({"title": "hidden @bob"})).await;
    let (_, _) = s.patch_json("/repos/alice/proj/issues/1", &bob_token, j!({"state": "closed"})).await;

    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    let mine = b.get("/issues").await;
    assert_eq!(mine.status, 200);
    assert_html(&mine);
    assert!(mine.body.contains("<h1>Issues</h1>") && mine.body.contains(">Created by you</a>"));
    assert!(mine.body.contains(">0 open</a>") && mine.body.contains(">1 closed</a>"), "{}", mine.body);
    let closed = b.get("/issues?type=created_by&state=closed").await;
    assert!(closed.body.contains("href=\"/alice/proj/issues/1\">by bob</a>"));
    let mentioned = b.get("/issues?type=mentioned").await;
    assert!(mentioned.body.contains(">for bob</a>"), "{}", mentioned.body);
    assert!(!mentioned.body.contains(">hidden @bob<"), "a private repository bob cannot read stays hidden");
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let assigned = a.get("/issues?type=assigned").await;
    assert!(assigned.body.contains(">for bob</a>") && !assigned.body.contains(">by bob</a>"));
    let pulls = a.get("/pulls").await;
    assert!(pulls.body.contains("<h1>Pull requests</h1>") && pulls.body.contains("Nothing here."));
    let mut c = Browser::new(&s);
    c.sign_in(&carol).await;
    assert!(c.get("/issues?type=mentioned").await.body.contains("Nothing here."));
    let anon = Browser::new(&s).get("/issues").await;
    assert_eq!(anon.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_lists_read_a_garbled_or_huge_page_as_a_page() {
    let (s, alice, _token, _bob, _carol) = tracker().await;
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    for path in [
        "/alice/proj/issues?page=abc",
        "/alice/proj/issues?page=99999999999999999",
        "/alice/proj/pulls?page=-3",
        "/notifications?page=x",
        "/issues?page=9223372036854775807",
    ] {
        let p = a.get(path).await;
        assert_eq!(p.status, 200, "{path}: {}", p.body);
        assert_html(&p);
    }
}
