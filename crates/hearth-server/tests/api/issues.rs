//! The issue tracker: issues, comments, labels, milestones, their counters and events.

use serde_json::{Value, json as j};

use crate::support::*;

async fn new_issue(s: &TestServer, token: &str, repo: &str, body: Value) -> Value {
    let (status, issue) = s.post_json(&format!("/repos/{repo}/issues"), token, &body).await;
    assert_eq!(status, 201, "{issue}");
    issue
}

async fn get(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    s.get_json(path, token).await
}

/// Owner alice, writer bob, reader carol (collaborators), stranger dave; repo alice/r.
async fn setup(s: &TestServer) -> (String, String, String, String) {
    let (_a, alice) = s.user_with_token("alice", false).await;
    let (_b, bob) = s.user_with_token("bob", false).await;
    let (_c, carol) = s.user_with_token("carol", false).await;
    let (_d, dave) = s.user_with_token("dave", false).await;
    s.create_repo(&alice, j!({"name": "r", "private": true})).await;
    for (u, p) in [("bob", "write"), ("carol", "read")] {
        let resp = s.put(&format!("/repos/alice/r/collaborators/{u}")).token(&alice).json(&j!({"permission": p}));
        assert_eq!(resp.send().await.unwrap().status(), 204);
    }
    (alice, bob, carol, dave)
}

#[tokio::test]
async fn issues_create_list_get_edit() {
    let s = TestServer::start().await;
    let (alice, bob, carol, dave) = setup(&s).await;
    let (_, label) = s.post_json("/repos/alice/r/labels", &alice, j!({"name": "bug", "color": "#ee0701"})).await;
    let (_, ms) = s.post_json("/repos/alice/r/milestones", &alice, j!({"title": "v1"})).await;

    // A writer's issue keeps assignee, milestone and labels; foreign label ids are dropped.
    let issue = new_issue(
        &s,
        &bob,
        "alice/r",
        j!({"title": "  First  ", "body": "text", "assignee": "carol", "milestone": ms["id"], "labels": [label["id"], 9999]}),
    )
    .await;
    // The whole Issue: the trimmed title, poster, assignee, milestone (counting it), the label.
    assert_shape!(s, "issue", issue);
    assert_eq!(issue["labels"], j!([label]));

    // A reader's issue drops them silently.
    let by_reader =
        new_issue(&s, &carol, "alice/r", j!({"title": "Second", "assignee": "bob", "labels": [label["id"]]})).await;
    assert_eq!(by_reader["number"], 2);
    assert_eq!(by_reader["assignee"], Value::Null);
    assert_eq!(by_reader["labels"], j!([]));

    // `closed: true` creates then closes.
    let closed = new_issue(&s, &alice, "alice/r", j!({"title": "Third", "closed": true})).await;
    assert_eq!((closed["number"].as_i64(), closed["state"].as_str()), (Some(3), Some("closed")));
    assert_eq!(closed["comments"], 0, "the close event is not a comment");

    let (_, repo) = get(&s, &alice, "/repos/alice/r").await;
    assert_eq!(repo["open_issues_count"], 2);

    // Lists: open by default (newest first), closed, all (extension), filters (extensions).
    let (status, open) = get(&s, &carol, "/repos/alice/r/issues").await;
    assert_eq!(status, 200);
    let numbers = |v: &Value| v.as_array().unwrap().iter().map(|i| i["number"].as_i64().unwrap()).collect::<Vec<_>>();
    assert_eq!(numbers(&open), [2, 1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?state=closed").await.1), [3]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?state=bogus").await.1), [2, 1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?state=all").await.1), [3, 2, 1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?labels=bug").await.1), [1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?labels=nope").await.1), Vec::<i64>::new());
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?milestone=v1").await.1), [1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?assignee=carol").await.1), [1]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?created_by=carol").await.1), [2]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?q=SEC").await.1), [2]);
    assert_eq!(numbers(&get(&s, &carol, "/repos/alice/r/issues?type=pulls").await.1), Vec::<i64>::new());

    // Assigned to me.
    for path in ["/user/issues", "/issues"] {
        let (status, mine) = get(&s, &carol, path).await;
        assert_eq!((status, numbers(&mine)), (200, vec![1]), "{path}");
        assert_eq!(mine[0]["labels"][0]["name"], "bug");
    }

    // Get, and the failures.
    let (status, one) = get(&s, &carol, "/repos/alice/r/issues/1").await;
    assert_eq!((status, &one), (200, &issue));
    assert_eq!(get(&s, &carol, "/repos/alice/r/issues/99").await.0, 404);
    assert_eq!(get(&s, &dave, "/repos/alice/r/issues").await.0, 404, "private repo");
    assert_eq!(s.get_status("/repos/alice/r/issues", Anon).await, 401);
    for body in [j!({"title": ""}), j!({"title": "   "}), j!({})] {
        let resp = s.post("/repos/alice/r/issues").token(&bob).json(&body).send().await.unwrap();
        let (status, err) = json(resp).await;
        assert_eq!((status, err[0]["fieldNames"].clone()), (422, j!(["Title"])), "{body}");
    }
    let resp = s.post("/repos/alice/r/issues").token(&bob).json(&j!({"title": "x", "assignee": "ghost"})).send();
    let (status, err) = json(resp.await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(err["message"].as_str().unwrap().contains("assignee does not exist"), "{err}");
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM issue").await, 3, "nothing half-created");

    // Edit: 201; the poster may edit title/body, not assignee/milestone; others 403.
    let resp = s.patch("/repos/alice/r/issues/2").token(&carol).json(&j!({"title": "Second!", "assignee": "carol"}));
    let (status, edited) = json(resp.send().await.unwrap()).await;
    assert_eq!(status, 201, "{edited}");
    assert_eq!(edited["title"], "Second!");
    assert_eq!(edited["assignee"], Value::Null, "ignored for non-writers");
    assert_eq!(s.patch_status("/repos/alice/r/issues/1", &carol, j!({"title": "mine now"})).await, 403);
    let resp =
        s.patch("/repos/alice/r/issues/1").token(&bob).json(&j!({"assignee": "", "milestone": 0, "state": "closed"}));
    let (status, edited) = json(resp.send().await.unwrap()).await;
    assert_eq!(status, 201);
    assert_eq!(
        (edited["assignee"].clone(), edited["milestone"].clone(), edited["state"].as_str()),
        (Value::Null, Value::Null, Some("closed"))
    );
    assert_eq!(s.patch_status("/repos/alice/r/issues/2", &bob, j!({"milestone": 4242})).await, 422);
    assert_eq!(s.patch_status("/repos/alice/r/issues/2", &bob, j!({"assignee": "ghost"})).await, 422);
    assert_eq!(s.patch_status("/repos/alice/r/issues/9", &bob, j!({"title": "x"})).await, 404);
    // Any state but `closed` reopens.
    let resp = s.patch("/repos/alice/r/issues/3").token(&bob).json(&j!({"state": "whatever"})).send().await.unwrap();
    assert_eq!(json(resp).await.1["state"], "open");
    let (_, repo) = get(&s, &alice, "/repos/alice/r").await;
    assert_eq!(repo["open_issues_count"], 2, "1 closed, 2 and 3 open");
    let (_, m) = get(&s, &alice, &format!("/repos/alice/r/milestones/{}", ms["id"])).await;
    assert_eq!((m["open_issues"].as_i64(), m["closed_issues"].as_i64()), (Some(0), Some(0)));

    // A disabled tracker hides every issue route but not labels and milestones.
    let resp = s.patch("/repos/alice/r/issue-tracker").token(&alice).json(&j!({"enable_issues": false})).send();
    assert_eq!(resp.await.unwrap().status(), 204);
    assert_eq!(get(&s, &alice, "/repos/alice/r/issues").await.0, 404);
    assert_eq!(get(&s, &alice, "/repos/alice/r/issues/1").await.0, 404);
    assert_eq!(get(&s, &alice, "/repos/alice/r/issues/1/comments").await.0, 404);
    assert_eq!(get(&s, &alice, "/repos/alice/r/labels").await.0, 200);
    assert_eq!(get(&s, &alice, "/repos/alice/r/milestones").await.0, 200);
}

#[tokio::test]
async fn issue_pages_are_ten_long_with_links() {
    let s = TestServer::start().await;
    let (alice, ..) = setup(&s).await;
    for n in 0..12 {
        new_issue(&s, &alice, "alice/r", j!({"title": format!("i{n}")})).await;
    }
    let resp = s.get("/repos/alice/r/issues").token(&alice).send().await.unwrap();
    assert_eq!(resp.headers()["x-total-count"], "12");
    assert!(resp.headers()["link"].to_str().unwrap().contains("page=2"));
    let (_, page1) = json(resp).await;
    assert_eq!(page1.as_array().unwrap().len(), 10);
    assert_eq!(page1[0]["number"], 12);
    let (_, page2) = get(&s, &alice, "/repos/alice/r/issues?page=2").await;
    assert_eq!(page2.as_array().unwrap().len(), 2);
    let (_, limited) = get(&s, &alice, "/repos/alice/r/issues?limit=3&page=2").await;
    let numbers: Vec<i64> = limited.as_array().unwrap().iter().map(|i| i["number"].as_i64().unwrap()).collect();
    assert_eq!(numbers, [9, 8, 7]);
}

/// Numbers are gap-free and unique under concurrent creation (16 clients).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creation_numbers_without_gaps() {
    let s = std::sync::Arc::new(TestServer::start().await);
    let (_a, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "busy"})).await;
    let mut tasks = Vec::new();
    for client in 0..16 {
        let (s, alice) = (s.clone(), alice.clone());
        tasks.push(tokio::spawn(async move {
            for n in 0..8 {
                let resp =
                    s.post("/repos/alice/busy/issues").token(&alice).json(&j!({"title": format!("{client}-{n}")}));
                assert_eq!(resp.send().await.unwrap().status(), 201);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(s.sql_i64("SELECT COUNT(DISTINCT idx) FROM issue").await, 128);
    assert_eq!(s.sql_i64("SELECT MIN(idx) FROM issue").await, 1);
    assert_eq!(s.sql_i64("SELECT MAX(idx) FROM issue").await, 128);
    let (_, repo) = s.get_json("/repos/alice/busy", Anon).await;
    assert_eq!(repo["open_issues_count"], 128);
}

#[tokio::test]
async fn comments() {
    let s = TestServer::start().await;
    let (alice, bob, carol, dave) = setup(&s).await;
    new_issue(&s, &carol, "alice/r", j!({"title": "one"})).await;
    new_issue(&s, &carol, "alice/r", j!({"title": "two"})).await;

    let (status, c1) = s.post_json("/repos/alice/r/issues/1/comments", &carol, j!({"body": "first!"})).await;
    assert_eq!(status, 201, "{c1}");
    // The whole Comment: its six fields, the poster, the issue page's anchor.
    assert_shape!(s, "comment", c1);
    assert!(c1["html_url"].as_str().unwrap().ends_with(&format!("/alice/r/issues/1#issuecomment-{}", c1["id"])));
    let (_, c2) = s.post_json("/repos/alice/r/issues/2/comments", &bob, j!({"body": "b"})).await;

    // Closing adds a timeline entry that lists leave out; `comments` counts plain comments only.
    s.patch("/repos/alice/r/issues/1").token(&alice).json(&j!({"state": "closed"})).send().await.unwrap();
    let (_, list) = get(&s, &carol, "/repos/alice/r/issues/1/comments").await;
    assert_eq!(list, j!([c1]));
    let (_, issue) = get(&s, &carol, "/repos/alice/r/issues/1").await;
    assert_eq!(issue["comments"], 1);
    let (_, all) = get(&s, &carol, "/repos/alice/r/issues/comments").await;
    assert_eq!(all, j!([c1, c2]));
    let (_, none) = get(&s, &carol, "/repos/alice/r/issues/comments?since=2999-01-01T00:00:00Z").await;
    assert_eq!(none, j!([]));
    let (_, since) = get(&s, &carol, "/repos/alice/r/issues/1/comments?since=2000-01-01T00:00:00%2B02:00").await;
    assert_eq!(since, j!([c1]));
    let (status, err) = get(&s, &carol, "/repos/alice/r/issues/comments?since=yesterday").await;
    assert_eq!(status, 422);
    assert!(err["message"].is_string());

    // Edit and delete: the poster or a repository admin; writers may not touch others' comments.
    let url = format!("/repos/alice/r/issues/1/comments/{}", c1["id"]);
    assert_eq!(s.patch_status(&url, &bob, j!({"body": "x"})).await, 403);
    assert_eq!(s.delete_status(&url, &bob).await, 403);
    let (status, edited) = s.patch_json(&url, &carol, j!({"body": "edited"})).await;
    assert_eq!((status, edited["body"].as_str()), (200, Some("edited")));
    let short = format!("/repos/alice/r/issues/comments/{}", c1["id"]);
    let (status, edited) = s.patch_json(&short, &alice, j!({"body": "by admin"})).await;
    assert_eq!((status, edited["body"].as_str()), (200, Some("by admin")));
    assert_eq!(s.patch_status(&url, &carol, j!({"body": ""})).await, 422);
    assert_eq!(s.delete_status(&url, &carol).await, 204);
    assert_eq!(get(&s, &carol, "/repos/alice/r/issues/1").await.1["comments"], 0);
    assert_eq!(s.delete_status(&url, &carol).await, 404);
    // A timeline entry (the close event) is left alone with a 204.
    let event_id = s.sql_i64("SELECT id FROM comment WHERE type = 2").await;
    let event_url = format!("/repos/alice/r/issues/1/comments/{event_id}");
    assert_eq!(s.delete_status(&event_url, &alice).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM comment WHERE type = 2").await, 1);

    // Failures: unknown issue 404, empty body 422, outsiders 404, anonymous 401.
    assert_eq!(s.post_status("/repos/alice/r/issues/9/comments", &carol, j!({"body": "x"})).await, 404);
    assert_eq!(get(&s, &carol, "/repos/alice/r/issues/9/comments").await.0, 404);
    assert_eq!(s.post_status("/repos/alice/r/issues/1/comments", &carol, j!({"body": ""})).await, 422);
    assert_eq!(s.post_status("/repos/alice/r/issues/1/comments", &dave, j!({"body": "x"})).await, 404);
    assert_eq!(s.get_status("/repos/alice/r/issues/comments", Anon).await, 401);
}

#[tokio::test]
async fn labels_and_issue_labels() {
    let s = TestServer::start().await;
    let (alice, bob, carol, _dave) = setup(&s).await;
    s.create_repo(&alice, j!({"name": "other"})).await;
    let mk = |repo: &'static str, name: &'static str, color: &'static str| {
        let s = &s;
        let alice = alice.clone();
        async move {
            let resp =
                s.post(&format!("/repos/alice/{repo}/labels")).token(&alice).json(&j!({"name": name, "color": color}));
            json(resp.send().await.unwrap()).await
        }
    };
    let (status, bug) = mk("r", "bug", "#ee0701").await;
    assert_eq!(status, 201, "{bug}");
    // The whole Label: the colour without its `#`, the API URL.
    assert_shape!(s, "label", bug);
    assert!(bug["url"].as_str().unwrap().ends_with(&format!("/repos/alice/r/labels/{}", bug["id"])));
    let (_, feature) = mk("r", "feature", "#84b6eb").await;
    let (_, foreign) = mk("other", "x", "#000000").await;
    for (name, color) in [("", "#000000"), ("n", ""), ("n", "#00000"), ("n", "#0000000")] {
        let (status, err) = mk("r", name, color).await;
        assert_eq!(status, 422, "{name} {color}: {err}");
        assert!(err.is_array());
    }
    assert_eq!(mk("r", "n", "#zzzzzz").await.0, 422, "hearth checks hex");

    // Read by id or by name; sorted by name; edit without validation; writers only.
    let (_, list) = get(&s, &carol, "/repos/alice/r/labels").await;
    assert_eq!(list, j!([bug, feature]));
    assert_eq!(get(&s, &carol, "/repos/alice/r/labels/feature").await.1, feature);
    assert_eq!(get(&s, &carol, &format!("/repos/alice/r/labels/{}", foreign["id"])).await.0, 404);
    let url = format!("/repos/alice/r/labels/{}", feature["id"]);
    let (status, edited) = s.patch_json(&url, &bob, j!({"name": "enhancement"})).await;
    assert_eq!((status, edited["name"].as_str(), edited["color"].as_str()), (200, Some("enhancement"), Some("84b6eb")));
    assert_eq!(s.patch_status(&url, &carol, j!({"name": "x"})).await, 403);
    assert_eq!(mk("r", "z", "#000000").await.0, 201);

    // Issue labels.
    new_issue(&s, &carol, "alice/r", j!({"title": "t"})).await;
    let il = "/repos/alice/r/issues/1/labels";
    let (status, got) = s.post_json(il, &bob, j!({"labels": [feature["id"], foreign["id"], 777]})).await;
    assert_eq!(status, 200);
    assert_eq!(got.as_array().unwrap().len(), 1, "foreign and unknown ids dropped: {got}");
    let (_, got) = s.post_json(il, &bob, j!({"labels": [bug["id"], feature["id"]]})).await;
    let names: Vec<&str> = got.as_array().unwrap().iter().map(|l| l["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["bug", "enhancement"]);
    assert_eq!(get(&s, &carol, il).await.1, got);
    let (_, got) = s.put_json(il, &bob, j!({"labels": [bug["id"]]})).await;
    assert_eq!(got.as_array().unwrap().len(), 1);
    assert_eq!(s.post_status(il, &carol, j!({"labels": [bug["id"]]})).await, 403);
    // Removing: a foreign label 422, a label not attached 204, then clear.
    let resp = s.delete(&format!("{il}/{}", foreign["id"])).token(&bob).send().await.unwrap();
    let (status, err) = json(resp).await;
    assert_eq!(status, 422);
    assert!(err["message"].as_str().unwrap().contains("label does not exist"));
    assert_eq!(s.delete_status(&format!("{il}/{}", feature["id"]), &bob).await, 204);
    assert_eq!(s.delete_status(&format!("{il}/{}", bug["id"]), &bob).await, 204);
    assert_eq!(get(&s, &carol, il).await.1, j!([]));
    s.put(il).token(&bob).json(&j!({"labels": [bug["id"], feature["id"]]})).send().await.unwrap();
    assert_eq!(s.delete_status(il, &bob).await, 204);
    assert_eq!(get(&s, &carol, il).await.1, j!([]));
    assert_eq!(get(&s, &carol, "/repos/alice/r/issues/5/labels").await.0, 404);

    // Deleting a label detaches it; unknown ids are 204.
    s.put(il).token(&bob).json(&j!({"labels": [bug["id"]]})).send().await.unwrap();
    assert_eq!(s.delete_status(&format!("/repos/alice/r/labels/{}", bug["id"]), &bob).await, 204);
    assert_eq!(s.delete_status("/repos/alice/r/labels/123456", &bob).await, 204);
    assert_eq!(get(&s, &carol, il).await.1, j!([]));
}

#[tokio::test]
async fn milestones() {
    let s = TestServer::start().await;
    let (alice, bob, carol, _dave) = setup(&s).await;
    let (status, m) = s
        .post_json(
            "/repos/alice/r/milestones",
            &bob,
            j!({"title": "v1", "description": "first", "due_on": "2030-01-02T03:04:05Z"}),
        )
        .await;
    assert_eq!(status, 201, "{m}");
    // The whole Milestone, open: no closed_at, the deadline as given.
    assert_shape!(s, "milestone", m);
    let (status, untitled) = s.post_json("/repos/alice/r/milestones", &bob, j!({})).await;
    assert_eq!((status, untitled["title"].as_str(), untitled["due_on"].clone()), (201, Some(""), Value::Null));
    let resp = s.post("/repos/alice/r/milestones").token(&bob).json(&j!({"title": "x", "due_on": "next week"})).send();
    assert_eq!(resp.await.unwrap().status(), 422);
    assert_eq!(s.post_status("/repos/alice/r/milestones", &carol, j!({})).await, 403);

    // Counters follow issues in and out, open and closed.
    let url = format!("/repos/alice/r/milestones/{}", m["id"]);
    for n in 0..3 {
        new_issue(&s, &alice, "alice/r", j!({"title": format!("i{n}"), "milestone": m["id"]})).await;
    }
    s.patch("/repos/alice/r/issues/1").token(&alice).json(&j!({"state": "closed"})).send().await.unwrap();
    s.patch("/repos/alice/r/issues/2").token(&alice).json(&j!({"milestone": untitled["id"]})).send().await.unwrap();
    let (_, got) = get(&s, &carol, &url).await;
    assert_eq!((got["open_issues"].as_i64(), got["closed_issues"].as_i64()), (Some(1), Some(1)));

    // Edit: empty title unchanged, state closes with a real closed_at, anything else reopens.
    let (status, edited) = s.patch_json(&url, &bob, j!({"title": "", "state": "closed", "description": "d"})).await;
    assert_eq!(status, 200);
    // Closed: the title kept, the new description, the counters, a closed_at.
    assert_shape!(s, "milestone_closed", edited);
    assert!(edited["closed_at"].as_str().unwrap().starts_with("20"), "{edited}");
    let (_, reopened) = s.patch_json(&url, &bob, j!({"state": "open"})).await;
    assert_eq!((reopened["state"].as_str(), reopened["closed_at"].clone()), (Some("open"), Value::Null));
    assert_eq!(reopened["due_on"], "2030-01-02T03:04:05Z", "a deadline stays");
    assert_eq!(s.patch_status(&url, &bob, j!({"due_on": "bad"})).await, 422);
    let (_, all) = get(&s, &carol, "/repos/alice/r/milestones").await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    let (_, closed_only) = get(&s, &carol, "/repos/alice/r/milestones?state=closed").await;
    assert_eq!(closed_only, j!([]));

    // Delete detaches issues; unknown ids 204; other repositories' ids 404 on read.
    assert_eq!(s.delete_status(&url, &bob).await, 204);
    assert_eq!(s.delete_status(&url, &bob).await, 204);
    assert_eq!(get(&s, &carol, &url).await.0, 404);
    assert_eq!(get(&s, &carol, "/repos/alice/r/issues/3").await.1["milestone"], Value::Null);
}

#[tokio::test]
async fn tracker_changes_fire_events() {
    let s = hook_server().await;
    let (_a, alice) = s.user_with_token("alice", false).await;
    let (_b, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r"})).await;
    let rx = Receiver::start().await;
    let resp = s.post("/repos/alice/r/hooks").token(&alice).json(&j!({
        "type": "gogs", "config": {"url": rx.url(), "content_type": "json"},
        "events": ["issues", "issue_comment"], "active": true
    }));
    assert_eq!(resp.send().await.unwrap().status(), 201);
    let (_, label) = s.post_json("/repos/alice/r/labels", &alice, j!({"name": "bug", "color": "#ee0701"})).await;

    new_issue(&s, &bob, "alice/r", j!({"title": "t", "body": "b"})).await;
    s.patch("/repos/alice/r/issues/1").token(&alice).json(&j!({"title": "t2"})).send().await.unwrap();
    s.patch("/repos/alice/r/issues/1").token(&alice).json(&j!({"assignee": "bob"})).send().await.unwrap();
    s.post("/repos/alice/r/issues/1/labels").token(&alice).json(&j!({"labels": [label["id"]]})).send().await.unwrap();
    s.delete("/repos/alice/r/issues/1/labels").token(&alice).send().await.unwrap();
    let (_, c) = s.post_json("/repos/alice/r/issues/1/comments", &bob, j!({"body": "hi"})).await;
    let curl = format!("/repos/alice/r/issues/1/comments/{}", c["id"]);
    s.patch(&curl).token(&bob).json(&j!({"body": "hello"})).send().await.unwrap();
    s.patch("/repos/alice/r/issues/1").token(&alice).json(&j!({"state": "closed"})).send().await.unwrap();
    s.delete(&curl).token(&bob).send().await.unwrap();

    let got = rx.wait_for(9).await;
    let seen: Vec<(String, String)> = got
        .iter()
        .map(|r| (r.header("x-gogs-event").to_string(), r.payload()["action"].as_str().unwrap_or("").to_string()))
        .collect();
    let want = [
        ("issues", "opened"),
        ("issues", "edited"),
        ("issues", "assigned"),
        ("issues", "label_updated"),
        ("issues", "label_cleared"),
        ("issue_comment", "created"),
        ("issue_comment", "edited"),
        ("issues", "closed"),
        ("issue_comment", "deleted"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    assert_eq!(seen, want);
    let opened = got[0].payload();
    assert_eq!(opened["number"], 1);
    assert_eq!(opened["issue"]["title"], "t");
    assert_eq!(opened["sender"]["username"], "bob");
    assert_eq!(opened["repository"]["full_name"], "alice/r");
    assert!(opened.get("changes").is_none());
    let edited = got[1].payload();
    assert_eq!(edited["changes"], j!({"title": {"from": "t"}}));
    assert_eq!(edited["sender"]["username"], "alice");
    assert_eq!(got[3].payload()["issue"]["labels"][0]["name"], "bug");
    let c_edit = got[6].payload();
    assert_eq!(c_edit["changes"], j!({"body": {"from": "hi"}}));
    assert_eq!(c_edit["comment"]["body"], "hello");
    assert_eq!(got[8].payload()["comment"]["body"], "hello", "a deleted comment carries its last content");
}

#[tokio::test]
async fn assignees_are_the_writers() {
    let s = TestServer::start().await;
    let (alice, _bob, carol, dave) = setup(&s).await;
    let (status, list) = get(&s, &carol, "/repos/alice/r/assignees").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"], "owner and the write collaborator, not the reader");
    assert_eq!(get(&s, &carol, "/repos/alice/r/assignees/bob").await.0, 204);
    assert_eq!(get(&s, &carol, "/repos/alice/r/assignees/carol").await.0, 404);
    assert_eq!(get(&s, &dave, "/repos/alice/r/assignees").await.0, 404, "private repo");

    // An organisation's repository: Owners and write teams, not the organisation itself.
    s.post("/user/orgs").token(&alice).json(&j!({"username": "acme"})).send().await.unwrap();
    s.post("/org/acme/repos").token(&alice).json(&j!({"name": "app"})).send().await.unwrap();
    let (_root, root) = s.user_with_token("root", true).await;
    let (_, team) = s.post_json("/admin/orgs/acme/teams", &root, j!({"name": "w", "permission": "write"})).await;
    let (_, readers) = s.post_json("/admin/orgs/acme/teams", &root, j!({"name": "r"})).await;
    s.put(&format!("/admin/teams/{}/members/dave", team["id"])).token(&root).send().await.unwrap();
    s.put(&format!("/admin/teams/{}/repos/app", team["id"])).token(&root).send().await.unwrap();
    s.put(&format!("/admin/teams/{}/members/carol", readers["id"])).token(&root).send().await.unwrap();
    s.put(&format!("/admin/teams/{}/repos/app", readers["id"])).token(&root).send().await.unwrap();
    let (_, list) = get(&s, &carol, "/repos/acme/app/assignees").await;
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "dave"]);
}

/// `/user/issues` spans repositories, newest first, each issue rendered with its own repository.
#[tokio::test]
async fn assigned_issues_across_repositories() {
    let s = TestServer::start().await;
    let (alice, _bob, carol, _dave) = setup(&s).await;
    s.create_repo(&alice, j!({"name": "second"})).await;
    s.put("/repos/alice/second/collaborators/carol").token(&alice).json(&j!({})).send().await.unwrap();
    let (_, l1) = s.post_json("/repos/alice/r/labels", &alice, j!({"name": "a", "color": "#000000"})).await;
    let (_, l2) = s.post_json("/repos/alice/second/labels", &alice, j!({"name": "b", "color": "#111111"})).await;
    new_issue(&s, &alice, "alice/r", j!({"title": "in r", "assignee": "carol", "labels": [l1["id"]]})).await;
    new_issue(&s, &alice, "alice/second", j!({"title": "not mine"})).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    new_issue(&s, &alice, "alice/second", j!({"title": "in second", "assignee": "carol", "labels": [l2["id"]]})).await;
    let (status, mine) = get(&s, &carol, "/user/issues").await;
    assert_eq!(status, 200);
    let titles: Vec<&str> = mine.as_array().unwrap().iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["in second", "in r"]);
    assert!(mine[0]["labels"][0]["url"].as_str().unwrap().contains("/repos/alice/second/labels/"));
    assert!(mine[1]["labels"][0]["url"].as_str().unwrap().contains("/repos/alice/r/labels/"));
}
