//! Notifications (issue #19, Gitea's API): who is notified of what, read state, threads, and
//! what losing access hides. The fan-out runs in the background: tests wait for its rows.

use serde_json::json as j;

use crate::support::*;

/// Wait until `token`'s unread count is `n` (the fan-out job is asynchronous).
async fn wait_unread(s: &TestServer, token: &str, n: i64) {
    for _ in 0..250 {
        let (status, body) = s.get_json("/notifications/new", token).await;
        assert_eq!(status, 200, "{body}");
        if body["new"] == n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let (_, body) = s.get_json("/notifications?all=true", token).await;
    panic!("expected {n} unread, have {body}");
}

/// Wait until the fan-out queue is empty (every change so far has reached its recipients).
async fn settle(s: &TestServer) {
    for _ in 0..250 {
        if s.sql_i64("SELECT COUNT(*) FROM notification_task").await == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the notification queue did not drain");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchers_participants_and_mentions_are_notified() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    let (_dave, dave) = s.user_with_token("dave", false).await;
    s.create_repo(&alice, j!({"name": "proj", "auto_init": true})).await;
    assert_eq!(s.put_status("/repos/alice/proj/subscription", &bob).await, 200);

    // alice opens an issue naming carol (and nobody real as @ghost, and an address as no one).
    let issue = j!({"title": "Broken build", "body": "cc @carol and @ghost, mail dave@example.com"});
    assert_eq!(s.post_status("/repos/alice/proj/issues", &alice, issue).await, 201);
    wait_unread(&s, &bob, 1).await;
    wait_unread(&s, &carol, 1).await;
    settle(&s).await;
    let (_, none) = s.get_json("/notifications/new", &alice).await;
    assert_eq!(none["new"], 0, "never the actor");
    let (_, none) = s.get_json("/notifications/new", &dave).await;
    assert_eq!(none["new"], 0, "an e-mail address is no mention");

    let (status, list) = s.get_json("/notifications", &bob).await;
    assert_eq!(status, 200);
    let t = &list[0];
    assert_eq!(t["subject"]["title"], "Broken build");
    assert_eq!(t["subject"]["type"], "Issue");
    assert_eq!(t["subject"]["state"], "open");
    assert!(t["subject"]["url"].as_str().unwrap().ends_with("/api/v1/repos/alice/proj/issues/1"), "{t}");
    assert!(t["subject"]["html_url"].as_str().unwrap().ends_with("/alice/proj/issues/1"), "{t}");
    assert_eq!(t["subject"]["latest_comment_url"], "");
    assert_eq!((t["unread"].as_bool(), t["pinned"].as_bool()), (Some(true), Some(false)));
    assert_eq!(t["repository"]["full_name"], "alice/proj");
    let tid = t["id"].as_i64().unwrap();
    assert!(t["url"].as_str().unwrap().ends_with(&format!("/api/v1/notifications/threads/{tid}")));

    // carol reads hers; bob comments: alice (poster, watcher) hears of it, carol (only mentioned
    // before) does not, bob (the actor) keeps his thread as it was.
    let (_, carols) = s.get_json("/notifications", &carol).await;
    let carol_thread = carols[0]["id"].as_i64().unwrap();
    let (status, read) = s.patch_json(&format!("/notifications/threads/{carol_thread}"), &carol, j!({})).await;
    assert_eq!(status, 205, "{read}");
    assert_eq!(read["unread"], false);
    let (status, comment) = s.post_json("/repos/alice/proj/issues/1/comments", &bob, j!({"body": "On it"})).await;
    assert_eq!(status, 201);
    wait_unread(&s, &alice, 1).await;
    let (_, alices) = s.get_json("/notifications", &alice).await;
    let cid = comment["id"].as_i64().unwrap();
    assert!(alices[0]["subject"]["latest_comment_url"].as_str().unwrap().ends_with(&format!("/issues/comments/{cid}")));
    assert!(
        alices[0]["subject"]["latest_comment_html_url"].as_str().unwrap().ends_with(&format!("#issuecomment-{cid}"))
    );
    settle(&s).await;
    let (_, carol_new) = s.get_json("/notifications/new", &carol).await;
    assert_eq!(carol_new["new"], 0);

    // Read state: the default list is unread and pinned; all=true shows read ones too.
    let (_, unread) = s.get_json("/notifications", &carol).await;
    assert_eq!(unread, j!([]));
    let (_, all) = s.get_json("/notifications?all=true", &carol).await;
    assert_eq!(all.as_array().unwrap().len(), 1);
    let (_, read_only) = s.get_json("/notifications?status-types=read", &carol).await;
    assert_eq!(read_only.as_array().unwrap().len(), 1);
    let (_, pulls_only) = s.get_json("/notifications?all=true&subject-type=pull", &carol).await;
    assert_eq!(pulls_only, j!([]));

    // Pinned stays pinned through new activity; bob's read thread turns unread again.
    let (status, pinned) = s.patch_json(&format!("/notifications/threads/{tid}?to-status=pinned"), &bob, j!({})).await;
    assert_eq!((status, pinned["pinned"].as_bool()), (205, Some(true)));
    s.post_json("/repos/alice/proj/issues/1/comments", &alice, j!({"body": "thanks"})).await;
    settle(&s).await;
    let (_, t) = s.get_json(&format!("/notifications/threads/{tid}"), &bob).await;
    assert_eq!((t["pinned"].as_bool(), t["unread"].as_bool()), (Some(true), Some(false)), "{t}");

    // Mark everything read, overall and per repository.
    let (status, changed) = s.put_json("/notifications", &alice, j!({})).await;
    assert_eq!(status, 205, "{changed}");
    assert_eq!(changed.as_array().unwrap().len(), 1);
    assert_eq!(changed[0]["unread"], false);
    let (_, count) = s.get_json("/notifications/new", &alice).await;
    assert_eq!(count["new"], 0);
    let (status, repo_list) = s.get_json("/repos/alice/proj/notifications?all=true", &alice).await;
    assert_eq!((status, repo_list.as_array().unwrap().len()), (200, 1));
    let (status, changed) =
        s.put_json("/repos/alice/proj/notifications?all=true&to-status=unread", &alice, j!({})).await;
    assert_eq!((status, changed.as_array().unwrap().len()), (205, 1));
    wait_unread(&s, &alice, 1).await;

    // Someone else's thread, a missing one, no credentials, a bad time.
    assert_eq!(s.get_status(&format!("/notifications/threads/{tid}"), &carol).await, 403);
    assert_eq!(s.get_status("/notifications/threads/99999", &carol).await, 404);
    assert_eq!(s.get_status("/notifications", Anon).await, 401);
    assert_eq!(s.get_status("/notifications?since=yesterday", &bob).await, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_repositories_notify_readers_only() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&alice, j!({"name": "secret", "private": true, "auto_init": true})).await;
    assert_eq!(s.put_json("/repos/alice/secret/collaborators/bob", &alice, j!({"permission": "read"})).await.0, 204);
    assert_eq!(s.put_status("/repos/alice/secret/subscription", &bob).await, 200);

    let issue = j!({"title": "Keys leaked", "body": "@carol @bob look"});
    assert_eq!(s.post_status("/repos/alice/secret/issues", &alice, issue).await, 201);
    wait_unread(&s, &bob, 1).await;
    settle(&s).await;
    let (_, carols) = s.get_json("/notifications/new", &carol).await;
    assert_eq!(carols["new"], 0, "a mention does not reach a user who cannot read the repository");

    // bob loses access: his thread is hidden.
    assert_eq!(s.delete_status("/repos/alice/secret/collaborators/bob", &alice).await, 204);
    let (_, list) = s.get_json("/notifications?all=true", &bob).await;
    assert_eq!(list, j!([]));
    assert_eq!(s.get_status("/repos/alice/secret/notifications", &bob).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_and_reviews_are_threads_too() {
    let (s, _alice, token, _git, _wt, _url) = crate::pulls::fixture_on(TestServer::start().await).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    let open = j!({"head": "feature", "base": "master", "title": "Add b"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    // Asked for a review, bob hears of it.
    let asks = j!({"reviewers": ["bob"]});
    assert_eq!(s.post_status("/repos/alice/proj/pulls/1/requested_reviewers", &token, asks).await, 201);
    wait_unread(&s, &bob, 1).await;
    let (_, list) = s.get_json("/notifications?subject-type=pull", &bob).await;
    assert_eq!(list[0]["subject"]["type"], "Pull");
    assert!(list[0]["subject"]["url"].as_str().unwrap().ends_with("/repos/alice/proj/pulls/1"));
    // His review reaches alice; the merge shows as merged.
    assert_eq!(s.post_json("/repos/alice/proj/pulls/1/reviews", &bob, j!({"event": "APPROVED"})).await.0, 200);
    wait_unread(&s, &token, 1).await;
    let (status, body) = s.post_json("/repos/alice/proj/pulls/1/merge", &token, j!({"Do": "merge"})).await;
    assert_eq!(status, 200, "{body}");
    let (_, list) = s.get_json("/notifications?all=true", &bob).await;
    assert_eq!(list[0]["subject"]["state"], "merged", "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notification_email_is_threaded_and_follows_preferences() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |raw| raw.set("email", "FROM", "hearth <noreply@example.com>")).await;
    let (alice_user, alice) = s.user_with_token("alice", false).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    let (_carol_user, carol) = s.user_with_token("carol", false).await;
    let (dave_user, dave) = s.user_with_token("dave", false).await;
    s.create_repo(&alice, j!({"name": "proj", "auto_init": true})).await;
    for who in [&bob, &carol, &dave] {
        assert_eq!(s.put_status("/repos/alice/proj/subscription", who).await, 200);
    }
    // carol wants no e-mail, dave only when mentioned.
    let id_of = |name: &str| format!("(SELECT id FROM \"user\" WHERE lower_name = '{name}')");
    s.sql(&format!(
        "INSERT INTO mail_preference (user_id, mode) VALUES ({}, 2), ({}, 1)",
        id_of("carol"),
        id_of("dave")
    ))
    .await;

    let issue = j!({"title": "Broken build", "body": "cc @dave"});
    assert_eq!(s.post_status("/repos/alice/proj/issues", &alice, issue).await, 201);
    let got = sink.wait_for(2).await;
    let mut to: Vec<String> = got.iter().flat_map(|m| m.to.clone()).collect();
    to.sort();
    assert_eq!(to, [format!("<{}>", bob_user.email), format!("<{}>", dave_user.email)]);
    let first = got.iter().find(|m| m.to[0].contains(&bob_user.email)).unwrap();
    assert_eq!(first.header("Subject"), "[hearth] [alice/proj] Broken build (#1)");
    assert_eq!(first.header("Message-ID"), "<alice/proj/issues/1@127.0.0.1>");
    assert_eq!(first.header("In-Reply-To"), "");
    assert!(first.header("From").contains("noreply@example.com"), "{}", first.data);
    let body = first.body();
    assert!(body.contains("alice opened alice/proj#1.") && body.contains("cc @dave"), "{body}");
    assert!(body.contains("/alice/proj/issues/1"), "{body}");

    // bob's comment: alice hears of it (her issue, her repository); dave is not mentioned this time.
    let (_, comment) = s.post_json("/repos/alice/proj/issues/1/comments", &bob, j!({"body": "On it"})).await;
    let got = sink.wait_for(3).await;
    let reply = &got[2];
    assert_eq!(reply.to, [format!("<{}>", alice_user.email)]);
    assert_eq!(reply.header("Subject"), "[hearth] Re: [alice/proj] Broken build (#1)");
    assert_eq!(reply.header("In-Reply-To"), "<alice/proj/issues/1@127.0.0.1>");
    assert_eq!(reply.header("References"), "<alice/proj/issues/1@127.0.0.1>");
    assert_ne!(reply.header("Message-ID"), first.header("Message-ID"));
    assert!(reply.body().contains(&format!("#issuecomment-{}", comment["id"])), "{}", reply.body());
    // Nothing more is on its way.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.got().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_made_by_an_admin_can_be_announced_by_email() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |raw| raw.set("email", "SUBJECT_PREFIX", "[Forge] ")).await;
    let (_root, root) = s.user_with_token("root", true).await;
    let quiet = j!({"username": "quiet", "email": "quiet@example.com", "password": "secret-pass-1"});
    assert_eq!(s.post_status("/admin/users", &root, quiet).await, 201);
    let told = j!({"username": "told", "email": "Told@Example.com", "password": "secret-pass-1", "send_notify": true});
    assert_eq!(s.post_status("/admin/users", &root, told).await, 201);
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, ["<told@example.com>"]);
    assert_eq!(got[0].header("Subject"), "[Forge] Your account on hearth");
    assert!(got[0].body().contains("Sign in as \"told\""), "{}", got[0].body());
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.got().len(), 1, "send_notify false sends nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_email_preference_is_set_on_the_settings_page() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |_| {}).await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "proj", "auto_init": true})).await;
    assert_eq!(s.put_status("/repos/alice/proj/subscription", &bob).await, 200);
    let mut b = Browser::new(&s);
    b.sign_in(&bob_user).await;
    let page = b.get("/user/settings/email").await;
    assert!(page.body.contains("value=\"enabled\" checked"), "every notification by default");

    let set = |value: &'static str| [("preference", value)];
    let saved = b.submit("/user/settings/email", "/user/settings/email/notifications", &set("disabled")).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(b.get("/user/settings/email").await.body.contains("value=\"disabled\" checked"));
    let mode = "SELECT CAST(mode AS BIGINT) FROM mail_preference \
        WHERE user_id = (SELECT id FROM \"user\" WHERE lower_name = 'bob')";
    assert_eq!(s.sql_i64(mode).await, 2);
    let bad = b.submit("/user/settings/email", "/user/settings/email/notifications", &set("sometimes")).await;
    assert_eq!(bad.status, 422);

    // bob watches but wants no mail: an issue reaches his notifications, not his inbox.
    assert_eq!(s.post_status("/repos/alice/proj/issues", &alice, j!({"title": "Quiet"})).await, 201);
    wait_unread(&s, &bob, 1).await;
    settle(&s).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(sink.got().is_empty(), "{:?}", sink.got());

    // Back to every notification: the row goes.
    b.submit("/user/settings/email", "/user/settings/email/notifications", &set("enabled")).await;
    let rows = "SELECT COUNT(*) FROM mail_preference";
    assert_eq!(s.sql_i64(rows).await, 0);
    assert_eq!(s.post_status("/repos/alice/proj/issues", &alice, j!({"title": "Loud"})).await, 201);
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, [format!("<{}>", bob_user.email)]);
    // Signed out, the form is not there to post to.
    let anon = Browser::new(&s).post("/user/settings/email/notifications", &set("disabled")).await;
    assert_ne!(anon.status, 303);
}

/// Mail queued by another process, which cannot wake this one, is sent at the next poll, also
/// after the mailer has found its queue empty for a while (its timed polls leave an unchanged
/// SQLite database alone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mail_queued_elsewhere_is_sent_at_the_next_poll() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |_| {}).await;
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    s.sql(
        "INSERT INTO mail_task (to_addr, subject, body, message_id, in_reply_to, attempts, next_try_unix, created_unix) \
         VALUES ('someone@example.com', 'Queued elsewhere', 'Hello.', '<queued.1@example.com>', '', 0, 0, 0)",
    )
    .await;
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, ["<someone@example.com>"]);
    assert_eq!(got[0].header("Subject"), "Queued elsewhere");
}
