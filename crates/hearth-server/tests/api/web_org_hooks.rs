//! The organisation webhook pages (web-ui.md §6: `/org/ORG/settings/hooks…`, "org webhooks as
//! repository webhooks"): an owner adds, tests, redelivers, edits and deletes a hook (checked over
//! the org hooks API and a receiver), the hook fires for the organisation's repositories, and
//! nobody else may see or change anything (404; anonymous visitors sign in first; no CSRF, 403).

use std::time::Duration;

use serde_json::{Value, json as j};
use tokio::net::TcpListener;

use crate::support::*;

/// alice owns `acme` (created through the page) with the repository `widget`; bob is a plain
/// member, carol an outsider. Webhooks may reach loopback receivers.
async fn fixture() -> (TestServer, Browser, String) {
    let s = hook_server().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;
    s.create_user("carol", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let p = b.submit("/org/create", "/org/create", &[("org_name", "acme")]).await;
    assert_eq!(p.location(), "/acme");
    let (status, _) = s.put_json("/orgs/acme/memberships/bob", &token, j!({"role": "member"})).await;
    assert_eq!(status, 200);
    let (status, _) = s.post_json("/org/acme/repos", &token, j!({"name": "widget", "auto_init": true})).await;
    assert_eq!(status, 201);
    (s, b, token)
}

fn user(name: &str) -> TestUser {
    TestUser { name: name.into(), password: format!("pw-{name}-secret"), email: format!("{name}@example.com") }
}

/// The page at `path` once it contains `needle` (deliveries are recorded in the background).
async fn page_with(b: &mut Browser, path: &str, needle: &str) -> Page {
    let mut page = b.get(path).await;
    for _ in 0..100 {
        if page.body.contains(needle) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = b.get(path).await;
    }
    assert!(page.body.contains(needle), "{needle} in {}", page.body);
    page
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_org_hooks_add_test_redeliver_edit_delete() {
    let (s, mut b, token) = fixture().await;
    // The first delivery fails (500), later ones succeed.
    let rx = Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), vec![500], Duration::ZERO);
    let list_path = "/org/acme/settings/hooks";
    let new = "/org/acme/settings/hooks/gogs/new";

    // The settings nav links the hooks; the list starts empty.
    let settings = b.get("/org/acme/settings").await;
    assert!(settings.body.contains("aria-label=\"Organization settings\""));
    assert!(settings.body.contains("href=\"/org/acme/settings/hooks\">Webhooks</a>"));
    let list = b.get(list_path).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_html(&list);
    assert!(list.body.contains("<h1>Webhooks</h1>"));
    assert!(list.body.contains("<title>Webhooks · acme · hearth</title>"));
    assert!(list.body.contains("href=\"/org/acme/settings/hooks\" aria-current=\"page\">Webhooks</a>"));
    assert!(list.body.contains(&format!("href=\"{new}\">Add webhook</a>")));
    assert!(list.body.contains("No webhooks yet."));
    assert!(!list.body.contains("aria-label=\"Repository settings\""), "no repository chrome");

    let form = b.get(new).await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<h1>Add webhook</h1>"));
    assert!(form.body.contains(&format!("action=\"{new}\"")));
    for label in [
        "Payload URL",
        "Content type",
        "Secret",
        "Just the push event",
        "Send me everything",
        "Let me choose",
        "Active",
    ] {
        assert!(form.body.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(form.body.contains(">application/x-www-form-urlencoded</option>"));
    assert!(form.body.contains(">Add webhook</button>"));

    // Refused URLs: 422 with the form kept and the secret not echoed.
    for url in ["not a url", "ftp://example.com/x", "http://10.1.2.3/hook"] {
        let bad = b
            .submit(
                new,
                new,
                &[
                    ("url", url),
                    ("content_type", "form"),
                    ("secret", "<script>alert(2)</script>"),
                    ("events_mode", "send_everything"),
                ],
            )
            .await;
        assert_eq!(bad.status, 422, "{url}");
        assert_html(&bad);
        assert!(!alert(&bad).is_empty(), "{url}");
        assert!(bad.body.contains(&format!("value=\"{url}\"")), "{url} kept");
        assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"url-error\""), "{url}");
        assert!(bad.body.contains("<option value=\"form\" selected>"), "{url}");
        assert!(bad.body.contains("value=\"send_everything\" checked"), "{url}");
        assert!(!bad.body.contains("alert(2)"), "the secret is not echoed");
        assert!(bad.body.contains("aria-label=\"Organization settings\""), "the org's chrome");
    }
    assert_eq!(s.get_json("/orgs/acme/hooks", &token).await.1, j!([]), "nothing created");

    // Added: push only, active, with a secret; an org hook, not the repository's.
    let done = b
        .submit(
            new,
            new,
            &[
                ("url", &rx.url()),
                ("content_type", "json"),
                ("secret", "s3cr3t"),
                ("events_mode", "push_only"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (_, hooks) = s.get_json("/orgs/acme/hooks", &token).await;
    assert_eq!(hooks[0]["config"]["url"], rx.url());
    assert_eq!((hooks[0]["events"].clone(), hooks[0]["active"].clone()), (j!(["push"]), j!(true)));
    let id = hooks[0]["id"].as_i64().unwrap();
    let hook_page = format!("/org/acme/settings/hooks/{id}");
    assert_eq!(done.location(), hook_page);
    assert_eq!(s.get_json("/repos/acme/widget/hooks", &token).await.1, j!([]));
    assert_eq!(
        s.sql_i64(&format!(
            "SELECT COUNT(*) FROM webhook WHERE id = {id} AND org_id > 0 AND repo_id = 0 AND secret = 's3cr3t'"
        ))
        .await,
        1
    );
    let shown = b.get(&hook_page).await;
    assert_html(&shown);
    assert_eq!(status_message(&shown), "The webhook has been added.");
    assert!(!shown.body.contains("s3cr3t"));
    assert!(shown.body.contains(&format!("value=\"{}\"", rx.url())));
    for button in ["Update webhook", "Test delivery", "Delete webhook"] {
        assert!(shown.body.contains(&format!(">{button}</button>")), "{button}");
    }
    assert!(shown.body.contains("<h2 id=\"recent-deliveries\">Recent deliveries</h2>"));
    assert!(shown.body.contains("No deliveries yet."));
    let list = b.get(list_path).await;
    assert!(list.body.contains(&format!("href=\"{hook_page}\">{}</a>", rx.url())));
    assert!(list.body.contains("Not delivered yet"));

    // Test delivery: a push of the organisation's repository, failing with 500.
    let done = b.submit(&hook_page, &format!("{hook_page}/test"), &[]).await;
    assert_eq!((done.status, done.location()), (303, hook_page.as_str()));
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].header("X-Gogs-Event"), "push");
    let payload: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(payload["repository"]["full_name"], "acme/widget");
    assert!(payload["ref"].as_str().unwrap().starts_with("refs/heads/"), "{payload}");
    let commit = payload["commits"][0]["id"].as_str().unwrap();
    assert!(commit.len() == 40 && commit != "0".repeat(40), "the repository's latest commit: {payload}");
    assert_eq!(payload["sender"]["username"], "alice");
    assert!(!got[0].header("X-Gogs-Signature").is_empty(), "signed with the secret");
    let uuid = got[0].header("X-Gogs-Delivery").to_string();
    // The message is shown once, by the page the redirect leads to; the delivery may come later.
    assert_eq!(status_message(&b.get(&hook_page).await), "A test push delivery has been queued.");
    let page = page_with(&mut b, &hook_page, "Invalid HTTP Response: 500").await;
    assert!(page.body.contains(&format!("<code>{uuid}</code>")));
    assert!(page.body.contains("<details><summary>Request</summary>") && page.body.contains("X-Gogs-Event: push"));
    assert!(page.body.contains("<time datetime=\""));
    assert!(b.get(list_path).await.body.contains("Last delivery failed"));

    // Redeliver: the same delivery again, which now succeeds.
    let task = s.sql_i64(&format!("SELECT id FROM hook_task WHERE hook_id = {id}")).await;
    let action = format!("{hook_page}/deliveries/{task}/redeliver");
    assert!(page.body.contains(&format!("action=\"{action}\"")));
    let done = b.submit(&hook_page, &action, &[]).await;
    assert_eq!((done.status, done.location()), (303, hook_page.as_str()));
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].header("X-Gogs-Delivery"), uuid);
    assert!(status_message(&b.get(&hook_page).await).contains(&uuid));
    let page = page_with(&mut b, &hook_page, "OK (200)").await;
    assert!(page.body.contains("Redelivery"));
    assert!(page_with(&mut b, list_path, "Last delivery succeeded").await.status == 200);

    // Edit: chosen events, form content, the secret kept when left empty; a URL with markup is text.
    let xss = format!("http://127.0.0.1:{}/h?<script>alert(1)</script>", rx.addr.port());
    let done = b
        .submit(
            &hook_page,
            &hook_page,
            &[
                ("url", &xss),
                ("content_type", "form"),
                ("secret", ""),
                ("events_mode", "choose_events"),
                ("events", "issues"),
                ("events", "release"),
            ],
        )
        .await;
    assert_eq!((done.status, done.location()), (303, hook_page.as_str()), "{}", done.body);
    let (_, hook) = s.get_json(&format!("/orgs/acme/hooks/{id}"), &token).await;
    assert_eq!(hook["events"], j!(["issues", "release"]));
    assert_eq!((hook["active"].as_bool(), hook["config"]["content_type"].as_str()), (Some(false), Some("form")));
    assert_eq!(hook["config"]["url"], xss);
    assert_eq!(s.sql_i64(&format!("SELECT COUNT(*) FROM webhook WHERE id = {id} AND secret = 's3cr3t'")).await, 1);
    let edited = b.get(&hook_page).await;
    assert_eq!(status_message(&edited), "The webhook has been updated.");
    assert!(!edited.body.contains("<script>alert") && edited.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(edited.body.contains("id=\"event-issues\" name=\"events\" type=\"checkbox\" value=\"issues\" checked"));
    assert!(edited.body.contains("<option value=\"form\" selected>"));
    let list = b.get(list_path).await;
    assert!(!list.body.contains("<script>alert") && list.body.contains("Inactive"));
    // Invalid edits: 422 with the form as typed, nothing stored.
    let bad = b
        .submit(
            &hook_page,
            &hook_page,
            &[("url", &rx.url()), ("content_type", "json"), ("events_mode", "choose_events")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"events-error\""));
    assert!(bad.body.contains("<h2 id=\"recent-deliveries\">Recent deliveries</h2>"));
    let bad = b
        .submit(
            &hook_page,
            &hook_page,
            &[("url", "javascript:alert(1)"), ("content_type", "json"), ("events_mode", "push_only")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"url-error\""));
    assert_eq!(s.get_json(&format!("/orgs/acme/hooks/{id}"), &token).await.1["config"]["url"], xss);
    // A hook that does not take pushes sends no test.
    let done = b.submit(&hook_page, &format!("{hook_page}/test"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(
        status_message(&b.get(&hook_page).await),
        "This webhook does not take push events, so no test delivery was sent."
    );

    // Active again: an issue in any of the organisation's repositories reaches it.
    let done = b
        .submit(
            &hook_page,
            &hook_page,
            &[
                ("url", &xss),
                ("content_type", "json"),
                ("events_mode", "choose_events"),
                ("events", "issues"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    let (status, _) = s.post_json("/repos/acme/widget/issues", &token, j!({"title": "Broken"})).await;
    assert_eq!(status, 201);
    let got = rx.wait_for(3).await;
    assert_eq!(got[2].header("X-Gogs-Event"), "issues");
    let page = page_with(&mut b, &hook_page, "<strong>issues</strong>").await;
    assert!(page.body.contains(got[2].header("X-Gogs-Delivery")));

    // Delete.
    let done = b.submit(&hook_page, &format!("{hook_page}/delete"), &[]).await;
    assert_eq!((done.status, done.location()), (303, list_path));
    let after = b.get(list_path).await;
    assert_eq!(status_message(&after), "The webhook has been deleted.");
    assert!(after.body.contains("No webhooks yet."));
    assert_eq!(s.get_json("/orgs/acme/hooks", &token).await.1, j!([]));
    assert_eq!(s.sql_i64(&format!("SELECT COUNT(*) FROM hook_task WHERE hook_id = {id}")).await, 0);
    assert_eq!(b.get(&hook_page).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_org_hooks_test_without_repositories_says_so() {
    let s = hook_server().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    b.submit("/org/create", "/org/create", &[("org_name", "empty")]).await;
    let rx = Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), vec![], Duration::ZERO);
    let new = "/org/empty/settings/hooks/gogs/new";
    let done = b
        .submit(
            new,
            new,
            &[("url", &rx.url()), ("content_type", "json"), ("events_mode", "push_only"), ("active", "on")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let hook_page = done.location().to_string();
    let done = b.submit(&hook_page, &format!("{hook_page}/test"), &[]).await;
    assert_eq!((done.status, done.location()), (303, hook_page.as_str()));
    let page = b.get(&hook_page).await;
    assert_eq!(status_message(&page), "The organization has no repository to send a test push from.");
    assert!(page.body.contains("No deliveries yet."));
    let (_, hooks) = s.get_json("/orgs/empty/hooks", &token).await;
    assert_eq!(hooks.as_array().unwrap().len(), 1);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_org_hooks_who_may_see_and_change_what() {
    let (s, mut owner, token) = fixture().await;
    let (status, hook) = s
        .post_json(
            "/orgs/acme/hooks",
            &token,
            j!({"type": "gogs", "config": {"url": "https://hooks.example/secret-place", "content_type": "json"}, "events": ["push"], "active": true}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let id = hook["id"].as_i64().unwrap();
    // A repository hook's id is not the organisation's.
    let (status, repo_hook) = s
        .post_json(
            "/repos/acme/widget/hooks",
            &token,
            j!({"type": "gogs", "config": {"url": "https://hooks.example/repo", "content_type": "json"}, "active": true}),
        )
        .await;
    assert_eq!(status, 201);
    let repo_hook = repo_hook["id"].as_i64().unwrap();
    assert_eq!(owner.get(&format!("/org/acme/settings/hooks/{repo_hook}")).await.status, 404);
    assert_eq!(owner.get(&format!("/acme/widget/settings/hooks/{id}")).await.status, 404);
    assert_eq!(owner.get("/org/acme/settings/hooks/999999").await.status, 404);
    assert_eq!(owner.get("/org/acme/settings/hooks/nope").await.status, 404);
    assert_eq!(owner.get("/org/nobody/settings/hooks").await.status, 404);
    assert_eq!(owner.get("/org/alice/settings/hooks").await.status, 404, "a user is no organisation");
    let shown = owner.get(&format!("/org/acme/settings/hooks/{id}")).await;
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains("https://hooks.example/secret-place"));

    let pages = [
        "/org/acme/settings/hooks".to_string(),
        "/org/acme/settings/hooks/gogs/new".to_string(),
        format!("/org/acme/settings/hooks/{id}"),
    ];
    let hook_form: &[(&str, &str)] = &[
        ("url", "https://evil.example/h"),
        ("content_type", "json"),
        ("events_mode", "send_everything"),
        ("active", "on"),
    ];
    let posts: Vec<(String, &[(&str, &str)])> = vec![
        ("/org/acme/settings/hooks/gogs/new".to_string(), hook_form),
        (format!("/org/acme/settings/hooks/{id}"), hook_form),
        (format!("/org/acme/settings/hooks/{id}/test"), &[]),
        (format!("/org/acme/settings/hooks/{id}/deliveries/1/redeliver"), &[]),
        (format!("/org/acme/settings/hooks/{id}/delete"), &[]),
    ];

    let mut anon = Browser::new(&s);
    for page in &pages {
        let p = anon.get(page).await;
        assert_eq!(p.status, 303, "{page}");
        assert!(p.location().starts_with("/user/login?redirect_to="), "{page}");
        assert!(p.location().contains("settings%2Fhooks"), "{page}: {}", p.location());
    }
    let csrf = anon.get("/user/login").await.csrf();
    for (action, fields) in &posts {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend_from_slice(fields);
        let p = anon.post(action, &form).await;
        assert_eq!(p.status, 303, "{action}");
        assert!(p.location().starts_with("/user/login"), "{action}");
    }

    // A plain member and an outsider: 404 everywhere, nothing shown.
    for who in ["bob", "carol"] {
        let mut b = Browser::new(&s);
        b.sign_in(&user(who)).await;
        for page in &pages {
            let p = b.get(page).await;
            assert_eq!(p.status, 404, "{who} {page}");
            assert!(!p.body.contains("secret-place"), "{who} {page}");
        }
        let csrf = b.get("/").await.csrf();
        for (action, fields) in &posts {
            let mut form = vec![("_csrf", csrf.as_str())];
            form.extend_from_slice(fields);
            assert_eq!(b.post(action, &form).await.status, 404, "{who} {action}");
        }
        assert!(!b.get("/acme").await.body.contains("/org/acme/settings"), "{who}");
    }

    // The owner without the CSRF token: 403, nothing changes.
    for (action, fields) in &posts {
        assert_eq!(owner.post(action, fields).await.status, 403, "{action}");
    }

    // Nothing changed: the one hook as created, no deliveries.
    let (_, hooks) = s.get_json("/orgs/acme/hooks", &token).await;
    assert_eq!(hooks.as_array().unwrap().len(), 1);
    assert_eq!(hooks[0]["config"]["url"], "https://hooks.example/secret-place");
    assert_eq!(hooks[0]["events"], j!(["push"]));
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM hook_task").await, 0);
}
