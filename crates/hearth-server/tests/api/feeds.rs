//! Activity feeds (issue #19, Gitea's routes): what is recorded, per user, repository,
//! organisation and dashboard, and who sees private activity.

use serde_json::json as j;

use crate::support::*;

fn ops(feed: &serde_json::Value) -> Vec<String> {
    feed.as_array().unwrap().iter().map(|a| a["op_type"].as_str().unwrap().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_feed_records_what_happened() {
    let (s, _alice, token, git, wt, _url) = crate::pulls::fixture_on(TestServer::start().await).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    git.ok(Some(&wt), &["tag", "v1", "origin/master"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "v1"]);
    git.ok(Some(&wt), &["push", "-q", "origin", ":other"]);
    assert_eq!(s.post_status("/repos/alice/proj/issues", &token, j!({"title": "Bug"})).await, 201);
    let (_, comment) = s.post_json("/repos/alice/proj/issues/1/comments", &bob, j!({"body": "me too"})).await;
    s.patch_json("/repos/alice/proj/issues/1", &token, j!({"state": "closed"})).await;
    assert_eq!(s.put_status("/user/starred/alice/proj", &bob).await, 204);
    let release = j!({"tag_name": "v1", "name": "First", "body": ""});
    assert_eq!(s.post_status("/repos/alice/proj/releases", &token, release).await, 201);

    let (status, feed) = s.get_json("/repos/alice/proj/activities/feeds", Anon).await;
    assert_eq!(status, 200, "{feed}");
    let got = ops(&feed);
    assert_eq!(
        got[..8],
        [
            "publish_release",
            "star_repo",
            "close_issue",
            "comment_issue",
            "create_issue",
            "delete_branch",
            "push_tag",
            "commit_repo"
        ],
        "{got:?}"
    );
    assert_eq!(got.last().unwrap(), "create_repo");
    let commented = &feed[3];
    assert_eq!(commented["act_user"]["login"], "bob");
    assert_eq!(commented["content"], "1|me too");
    assert_eq!(commented["comment_id"], comment["id"]);
    assert_eq!(commented["comment"]["body"], "me too");
    assert_eq!(commented["comment"]["html_url"], comment["html_url"]);
    assert_eq!(feed[4]["content"], "1|Bug");
    assert_eq!(
        (feed[5]["ref_name"].as_str(), feed[6]["ref_name"].as_str()),
        (Some("refs/heads/other"), Some("refs/tags/v1"))
    );
    assert_eq!(feed[0]["ref_name"], "v1");
    assert_eq!(feed[0]["content"], "First");
    assert_eq!(feed[0]["repo"]["full_name"], "alice/proj");
    assert_eq!(feed[0]["is_private"], false);
    // A push's commits, in Gitea's PushCommits JSON.
    let push = feed.as_array().unwrap().iter().find(|a| a["op_type"] == "commit_repo").unwrap();
    let content: serde_json::Value = serde_json::from_str(push["content"].as_str().unwrap()).unwrap();
    assert!(content["Commits"][0]["Sha1"].as_str().unwrap().len() == 40, "{content}");
    assert_eq!(content["HeadCommit"]["Sha1"], content["Commits"][0]["Sha1"]);
    assert!(content["Len"].as_i64().unwrap() >= 1);

    // Paged, with X-Total-Count; one day at a time.
    let reply = s.get_reply("/repos/alice/proj/activities/feeds?limit=2", Anon).await;
    assert_eq!(reply.body.as_array().unwrap().len(), 2);
    assert_eq!(reply.header("x-total-count"), got.len().to_string());
    let today = time::OffsetDateTime::now_utc().date();
    let (_, same_day) = s.get_json(&format!("/repos/alice/proj/activities/feeds?date={today}"), Anon).await;
    assert_eq!(same_day.as_array().unwrap().len(), got.len());
    let (_, long_ago) = s.get_json("/repos/alice/proj/activities/feeds?date=2001-01-01", Anon).await;
    assert_eq!(long_ago, j!([]));
    assert_eq!(s.get_status("/repos/alice/proj/activities/feeds?date=yesterday", Anon).await, 422);

    // A user's feed is what they did.
    let (_, bobs) = s.get_json("/users/bob/activities/feeds", Anon).await;
    assert_eq!(ops(&bobs), ["star_repo", "comment_issue"]);
    assert_eq!(bobs[0]["user_id"], bobs[0]["act_user_id"]);
    assert_eq!(s.get_status("/users/ghost/activities/feeds", Anon).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_activity_is_for_readers_only() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "open", "auto_init": true})).await;
    s.create_repo(&alice, j!({"name": "secret", "private": true, "auto_init": true})).await;
    assert_eq!(s.post_status("/repos/alice/secret/issues", &alice, j!({"title": "Hidden"})).await, 201);
    assert_eq!(s.post_status("/repos/alice/open/issues", &alice, j!({"title": "Shown"})).await, 201);

    let names = |feed: &serde_json::Value| -> Vec<String> {
        feed.as_array().unwrap().iter().map(|a| a["repo"]["name"].as_str().unwrap().to_string()).collect()
    };
    let (_, seen_by_bob) = s.get_json("/users/alice/activities/feeds", &bob).await;
    assert!(names(&seen_by_bob).iter().all(|n| n == "open"), "{seen_by_bob}");
    let (_, seen_by_anon) = s.get_json("/users/alice/activities/feeds", Anon).await;
    assert_eq!(names(&seen_by_anon), names(&seen_by_bob));
    let (_, own) = s.get_json("/users/alice/activities/feeds?only-performed-by=true", &alice).await;
    assert!(names(&own).contains(&"secret".to_string()), "{own}");
    assert!(own.as_array().unwrap().iter().any(|a| a["is_private"] == true));
    assert_eq!(s.get_status("/repos/alice/secret/activities/feeds", &bob).await, 404);

    // bob's dashboard: what happens where he watches and whom he follows; the private repository
    // only while he can read it.
    assert_eq!(s.put_status("/user/following/alice", &bob).await, 204);
    assert_eq!(s.put_json("/repos/alice/secret/collaborators/bob", &alice, j!({"permission": "read"})).await.0, 204);
    let (status, dash) = s.get_json("/feeds", &bob).await;
    assert_eq!(status, 200);
    assert!(names(&dash).contains(&"secret".to_string()), "{dash}");
    assert_eq!(s.delete_status("/repos/alice/secret/collaborators/bob", &alice).await, 204);
    let (_, dash) = s.get_json("/feeds", &bob).await;
    assert!(!names(&dash).contains(&"secret".to_string()), "{dash}");
    assert!(names(&dash).contains(&"open".to_string()), "{dash}");
    assert_eq!(s.get_status("/feeds", Anon).await, 401);

    // An organisation's feed: private repositories for members.
    assert_eq!(s.post_status("/user/orgs", &alice, j!({"username": "acme"})).await, 201);
    assert_eq!(s.post_status("/org/acme/repos", &alice, j!({"name": "inner", "private": true})).await, 201);
    let (_, members) = s.get_json("/orgs/acme/activities/feeds", &alice).await;
    assert_eq!(ops(&members), ["create_repo"]);
    let (_, outsiders) = s.get_json("/orgs/acme/activities/feeds", &bob).await;
    assert_eq!(outsiders, j!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn atom_and_rss_for_feed_readers() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "proj", "auto_init": true})).await;
    s.create_repo(&alice, j!({"name": "secret", "private": true, "auto_init": true})).await;
    let issue = j!({"title": "Tags <b>& things</b>"});
    assert_eq!(s.post_status("/repos/alice/proj/issues", &alice, issue).await, 201);
    let mut b = Browser::new(&s);

    let atom = b.get("/alice.atom").await;
    assert_eq!(atom.status, 200);
    assert_eq!(atom.header("content-type"), "application/atom+xml; charset=utf-8");
    assert!(
        atom.body
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">")
    );
    assert!(atom.body.contains("<title>alice opened issue alice/proj#1</title>"), "{}", atom.body);
    assert!(
        atom.body.contains("<content type=\"text\">Tags &lt;b&gt;&amp; things&lt;/b&gt;</content>"),
        "escaped: {}",
        atom.body
    );
    assert!(atom.body.contains("/alice/proj/issues/1\"/>"), "{}", atom.body);
    assert!(!atom.body.contains("secret"), "private activity stays out of a public feed");
    assert_eq!(atom.body.matches("<entry>").count(), 2, "{}", atom.body);

    let rss = b.get("/alice/proj.rss").await;
    assert_eq!(rss.status, 200);
    assert_eq!(rss.header("content-type"), "application/rss+xml; charset=utf-8");
    assert!(rss.body.contains("<rss version=\"2.0\">"));
    assert!(rss.body.contains("<title>alice created repository alice/proj</title>"), "{}", rss.body);
    assert!(rss.body.contains("<pubDate>"), "{}", rss.body);
    assert_eq!(rss.body.matches("<item>").count(), 2);

    assert_eq!(b.get("/alice/secret.atom").await.status, 404);
    assert_eq!(b.get("/ghost.rss").await.status, 404);
    // The pages themselves are still there.
    assert_eq!(b.get("/alice").await.status, 200);
    assert_eq!(b.get("/alice/proj").await.status, 200);
}
