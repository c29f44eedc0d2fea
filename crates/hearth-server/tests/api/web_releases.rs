//! Release pages (web-ui.md §5: `/OWNER/REPO/releases`, `/releases/tag/TAG`) and profile links.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_release_list_and_single_release() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (bob, _) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "site", "auto_init": true})).await;
    s.create_repo(&token, j!({"name": "secret", "private": true, "auto_init": true})).await;
    let make = |body: serde_json::Value| {
        let s = &s;
        let token = token.clone();
        async move {
            let (status, rel) = s.post_json("/repos/alice/site/releases", &token, body).await;
            assert_eq!(status, 201, "{rel}");
        }
    };
    make(j!({"tag_name": "v1.0", "name": "First <i>one</i>", "body": "**bold** <script>alert(1)</script>"})).await;
    make(j!({"tag_name": "v2.0", "name": "Second"})).await;
    make(j!({"tag_name": "v3.0-rc1", "name": "Third", "prerelease": true})).await;
    make(j!({"tag_name": "v4.0", "name": "Unpublished", "draft": true})).await;
    let (_, _) = s.post_json("/repos/alice/secret/releases", &token, j!({"tag_name": "s1"})).await;

    let mut anon = Browser::new(&s);
    let list = anon.get("/alice/site/releases").await;
    assert_eq!(list.status, 200);
    assert_html(&list);
    assert!(list.body.contains("<h1>Releases</h1>"));
    let (third, second, first) = (
        list.body.find(">Third</a>").unwrap(),
        list.body.find(">Second</a>").unwrap(),
        list.body.find(">First &lt;i&gt;one&lt;/i&gt;</a>").unwrap(),
    );
    assert!(third < second && second < first, "newest first");
    assert!(!list.body.contains("Unpublished"), "drafts are hidden from readers");
    let latest = list.body.find(">Latest<").unwrap();
    assert!(latest > second && latest < first, "Latest marks the newest full release");
    assert!(list.body.contains(">Pre-release<"));
    assert!(list.body.contains("<strong>bold</strong>") && !list.body.contains("<script>alert"), "notes are sanitised");
    assert!(list.body.contains("href=\"/alice/site/releases/tag/v1.0\""));
    assert!(list.body.contains("href=\"/alice/site/archive/v2.0.zip\">Source code (ZIP)</a>"));
    assert!(list.body.contains("href=\"/alice/site/archive/v2.0.tar.gz\">Source code (TAR.GZ)</a>"));

    let mut owner = Browser::new(&s);
    owner.sign_in(&alice).await;
    let own = owner.get("/alice/site/releases").await;
    assert!(own.body.contains("Unpublished") && own.body.contains(">Draft<"), "writers see drafts");
    let mut reader = Browser::new(&s);
    reader.sign_in(&bob).await;
    assert!(!reader.get("/alice/site/releases").await.body.contains("Unpublished"));

    let one = anon.get("/alice/site/releases/tag/v1.0").await;
    assert_eq!(one.status, 200);
    assert_html(&one);
    assert!(one.body.contains("<h1>First &lt;i&gt;one&lt;/i&gt;</h1>"));
    assert_eq!(anon.get("/alice/site/releases/tag/V1.0").await.status, 200, "tags match without case");
    assert_eq!(anon.get("/alice/site/releases/tag/nope").await.status, 404);
    assert_eq!(anon.get("/alice/site/releases/tag/v4.0").await.status, 404, "a draft is not found by readers");
    assert_eq!(owner.get("/alice/site/releases/tag/v4.0").await.status, 200);
    assert_eq!(anon.get("/alice/secret/releases").await.status, 404);
    assert_eq!(anon.get("/alice/secret/releases/tag/s1").await.status, 404);
    assert!(anon.get("/alice/site/releases?page=2").await.body.contains("No releases yet."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_profile_links_only_web_addresses() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("alice", false).await;
    let (status, _) =
        s.post_json("/user/orgs", &token, j!({"username": "evil", "website": "javascript:alert(1)"})).await;
    assert_eq!(status, 201);
    s.post_json("/user/orgs", &token, j!({"username": "good", "website": "https://good.example/"})).await;
    let mut anon = Browser::new(&s);
    let evil = anon.get("/evil").await;
    assert_eq!(evil.status, 200);
    assert!(!evil.body.contains("href=\"javascript:"), "never a javascript: link");
    assert!(evil.body.contains("<li>javascript:alert(1)</li>"), "shown as text");
    // The server's own avatar (used when Gravatar is off): a picture, never an error.
    let (_, evil_org) = s.get_json("/orgs/evil", &token).await;
    let avatar = anon.get(&format!("/avatars/{}", evil_org["id"])).await;
    assert_eq!(avatar.status, 200);
    assert_eq!(avatar.header("content-type"), "image/svg+xml");
    assert!(avatar.body.starts_with("<svg") && avatar.body.contains(">E</text>"));
    assert_eq!(anon.get("/avatars/999999").await.status, 404);
    assert_eq!(anon.get("/avatars/x").await.status, 404);
    let good = anon.get("/good").await;
    assert!(good.body.contains("<a href=\"https://good.example/\" rel=\"nofollow noopener\">"));
}

/// The release of `tag` as the API lists it (drafts included for the owner), or null.
async fn release(s: &TestServer, token: &str, tag: &str) -> serde_json::Value {
    let (_, list) = s.get_json("/repos/alice/site/releases", token).await;
    list.as_array().unwrap().iter().find(|r| r["tag_name"] == tag).cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_release_forms_publish_draft_edit_and_delete() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "site", "auto_init": true})).await;
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let list = a.get("/alice/site/releases").await;
    assert!(list.body.contains("href=\"/alice/site/releases/new\">New release</a>"));
    let form = a.get("/alice/site/releases/new").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<h1>New release</h1>") && form.body.contains("<option value=\"master\" selected>"));
    let bad = a
        .submit(
            "/alice/site/releases/new",
            "/alice/site/releases/new",
            &[("tag_name", "bad..tag"), ("action", "publish")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\"") && bad.body.contains("value=\"bad..tag\""));
    let preview = a
        .submit(
            "/alice/site/releases/new",
            "/alice/site/releases/new",
            &[("tag_name", "v1.0"), ("content", "**notes**"), ("action", "preview")],
        )
        .await;
    assert_eq!(preview.status, 200);
    assert!(preview.body.contains("<strong>notes</strong>") && preview.body.contains("value=\"v1.0\""));
    assert!(release(&s, &token, "v1.0").await.is_null(), "a preview saves nothing");
    let done = a
        .submit(
            "/alice/site/releases/new",
            "/alice/site/releases/new",
            &[
                ("tag_name", "v1.0"),
                ("target", "master"),
                ("title", "One <i>"),
                ("content", "**notes**"),
                ("action", "publish"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/alice/site/releases/tag/v1%2E0");
    let rel = release(&s, &token, "v1.0").await;
    assert_eq!((rel["name"].as_str(), rel["draft"].as_bool()), (Some("One <i>"), Some(false)));
    let taken = a
        .submit("/alice/site/releases/new", "/alice/site/releases/new", &[("tag_name", "v1.0"), ("action", "publish")])
        .await;
    assert_eq!(taken.status, 422);
    // A draft, then published from its edit page.
    let done = a
        .submit(
            "/alice/site/releases/new",
            "/alice/site/releases/new",
            &[("tag_name", "v2.0"), ("title", "Two"), ("prerelease", "on"), ("action", "draft")],
        )
        .await;
    assert_eq!(done.status, 303);
    let rel = release(&s, &token, "v2.0").await;
    assert_eq!((rel["draft"].as_bool(), rel["prerelease"].as_bool()), (Some(true), Some(true)));
    let edit = a.get("/alice/site/releases/edit/v2.0").await;
    assert_eq!(edit.status, 200);
    assert!(edit.body.contains("<h1>Edit release</h1>") && edit.body.contains(">Delete release</button>"));
    let done = a
        .submit(
            "/alice/site/releases/edit/v2.0",
            "/alice/site/releases/edit/v2.0",
            &[("tag_name", "v2.0"), ("title", "Two!"), ("action", "publish")],
        )
        .await;
    assert_eq!(done.status, 303);
    let rel = release(&s, &token, "v2.0").await;
    assert_eq!(
        (rel["name"].as_str(), rel["draft"].as_bool(), rel["prerelease"].as_bool()),
        (Some("Two!"), Some(false), Some(false))
    );
    let done =
        a.submit("/alice/site/releases/edit/v2.0", "/alice/site/releases/edit/v2.0", &[("action", "delete")]).await;
    assert_eq!(done.status, 303);
    assert!(release(&s, &token, "v2.0").await.is_null());
    // Readers have no form; anonymous visitors are sent to sign in.
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    assert!(!b.get("/alice/site/releases").await.body.contains("New release"));
    assert_eq!(b.get("/alice/site/releases/new").await.status, 404);
    assert_eq!(b.get("/alice/site/releases/edit/v1.0").await.status, 404);
    assert_eq!(b.submit("/alice/site/releases", "/alice/site/releases/new", &[("tag_name", "x")]).await.status, 404);
    assert_eq!(Browser::new(&s).get("/alice/site/releases/new").await.status, 303);
    assert_eq!(a.get("/alice/site/releases/edit/nope").await.status, 404);
}
