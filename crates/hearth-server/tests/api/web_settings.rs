//! The account settings pages (web-ui.md §5: `/user/settings…`): each form's success through the
//! service the API uses (checked over the API), its refusals with the form again, and escaping.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_settings_need_an_account() {
    let s = TestServer::start().await;
    let mut anon = Browser::new(&s);
    for page in ["/user/settings", "/user/settings/password", "/user/settings/email", "/user/settings/ssh"] {
        let p = anon.get(page).await;
        assert_eq!(p.status, 303, "{page}");
        assert!(p.location().starts_with("/user/login?redirect_to=%2Fuser%2Fsettings"), "{}", p.location());
    }
    let p = anon.get("/user/settings/applications").await;
    assert_eq!(p.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_profile_settings() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = b.get("/user/settings").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("<h1>Settings</h1>"));
    assert!(page.body.contains("aria-label=\"Settings\""));
    for link in ["Profile", "Password", "Emails", "SSH keys", "Applications"] {
        assert!(page.body.contains(&format!(">{link}</a>")), "{link}");
    }

    let name = "Alice <script>alert(1)</script>";
    let done = b
        .submit(
            "/user/settings",
            "/user/settings",
            &[("full_name", name), ("website", "https://alice.example/"), ("location", "Lyon")],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/user/settings");
    let after = b.get("/user/settings").await;
    assert_eq!(status_message(&after), "Your profile has been updated.");
    assert!(after.body.contains("value=\"Alice &lt;script&gt;alert(1)&lt;/script&gt;\""), "escaped as text");
    assert!(!after.body.contains("<script>alert"));
    let again = b.get("/user/settings").await;
    assert!(!again.body.contains("role=\"status\""), "the message shows once");
    let (_, user) = s.get_json("/users/alice", Anon).await;
    assert_eq!(user["full_name"], name);
    assert!(after.body.contains("value=\"https://alice.example/\"") && after.body.contains("value=\"Lyon\""));

    let bad = b
        .submit(
            "/user/settings",
            "/user/settings",
            &[("full_name", "A"), ("website", "javascript:alert(1)"), ("location", "")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_html(&bad);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(
        bad.body.contains("id=\"website\" name=\"website\" type=\"url\" value=\"javascript:alert(1)\""),
        "the value is kept"
    );
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"website-error\""));
    let kept = b.get("/user/settings").await;
    assert!(kept.body.contains("value=\"https://alice.example/\""), "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_password_change_ends_other_sessions() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let (mut here, mut elsewhere) = (Browser::new(&s), Browser::new(&s));
    here.sign_in(&alice).await;
    elsewhere.sign_in(&alice).await;
    fn form<'a>(old: &'a str, new: &'a str, retype: &'a str) -> [(&'static str, &'a str); 3] {
        [("old_password", old), ("password", new), ("retype", retype)]
    }

    let wrong = here
        .submit("/user/settings/password", "/user/settings/password", &form("nope", "n3w-Passw0rd", "n3w-Passw0rd"))
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("The current password is not correct."));
    assert!(wrong.body.contains("aria-describedby=\"old_password-error\""));
    assert!(!wrong.body.contains("n3w-Passw0rd"), "passwords are never sent back");
    let mismatch = here
        .submit("/user/settings/password", "/user/settings/password", &form("", "n3w-Passw0rd", "other-passw0rd"))
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("The new passwords do not match."));
    assert_eq!(s.get_status("/user", &alice).await, 200, "the old password still works");

    let done = here
        .submit(
            "/user/settings/password",
            "/user/settings/password",
            &form(&alice.password, "n3w-Passw0rd", "n3w-Passw0rd"),
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(status_message(&here.get("/user/settings/password").await), "Your password has been changed.");
    assert_eq!(here.get("/user/settings").await.status, 200, "the session that changed it stays");
    assert_eq!(elsewhere.get("/user/settings").await.status, 303, "every other session ended");
    assert_eq!(s.get_status("/user", &alice).await, 401, "the old password no longer works");
    let renewed = TestUser { password: "n3w-Passw0rd".into(), ..alice };
    assert_eq!(s.get_status("/user", &renewed).await, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_email_addresses() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = b.get("/user/settings/email").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains(&alice.email) && page.body.contains(">Primary<"));
    assert!(!page.body.contains(">Delete</button>"), "the primary address has no Delete button");

    let added = b.submit("/user/settings/email", "/user/settings/email", &[("email", "alice2@example.com")]).await;
    assert_eq!(added.status, 303);
    let page = b.get("/user/settings/email").await;
    assert_eq!(status_message(&page), "The e-mail address has been added.");
    assert!(page.body.contains("alice2@example.com") && page.body.contains("Set as primary"));

    let taken = b.submit("/user/settings/email", "/user/settings/email", &[("email", "alice2@example.com")]).await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("Email address has been used"), "{}", taken.body);
    assert!(taken.body.contains("value=\"alice2@example.com\""));
    let invalid = b.submit("/user/settings/email", "/user/settings/email", &[("email", "not an address")]).await;
    assert_eq!(invalid.status, 422);

    let primary =
        b.submit("/user/settings/email", "/user/settings/email/primary", &[("email", "alice2@example.com")]).await;
    assert_eq!(primary.status, 303);
    let (_, list) = s.get_json("/user/emails", &token).await;
    let primaries: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["primary"] == true)
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(primaries, ["alice2@example.com"]);
    assert!(list.as_array().unwrap().iter().any(|e| e["email"] == alice.email.as_str()), "the former one stays");
    assert_eq!(
        b.submit("/user/settings/email", "/user/settings/email/primary", &[("email", "nobody@example.com")])
            .await
            .status,
        404
    );

    let deleted = b.submit("/user/settings/email", "/user/settings/email/delete", &[("email", &alice.email)]).await;
    assert_eq!(deleted.status, 303);
    let (_, list) = s.get_json("/user/emails", &token).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let refused =
        b.submit("/user/settings/email", "/user/settings/email/delete", &[("email", "alice2@example.com")]).await;
    assert_eq!(refused.status, 422, "the primary address cannot be deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_ssh_keys() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (_, bob_token) = s.user_with_token("bob", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let key = ed25519_key(7, "alice@laptop");
    let added =
        b.submit("/user/settings/ssh", "/user/settings/ssh", &[("title", "laptop <b>"), ("content", &key)]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let page = b.get("/user/settings/ssh").await;
    assert_html(&page);
    assert_eq!(status_message(&page), "The SSH key has been added.");
    let (_, keys) = s.get_json("/user/keys", &token).await;
    assert!(page.body.contains("laptop &lt;b&gt;"));
    assert!(page.body.contains("SHA256:"), "{}", page.body);
    assert_eq!(keys.as_array().unwrap().len(), 1, "{keys}");

    let bad = b
        .submit("/user/settings/ssh", "/user/settings/ssh", &[("title", "junk"), ("content", "ssh-rsa nonsense")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"content-error\""));
    assert!(bad.body.contains(">ssh-rsa nonsense</textarea>"), "the key text is kept");
    let again = b.submit("/user/settings/ssh", "/user/settings/ssh", &[("title", "other"), ("content", &key)]).await;
    assert_eq!(again.status, 422, "a key already in use");

    let bob_key =
        s.post_json("/user/keys", &bob_token, serde_json::json!({"title": "b", "key": ed25519_key(8, "bob")})).await;
    let bob_key_id = bob_key.1["id"].as_i64().unwrap().to_string();
    let foreign = b.submit("/user/settings/ssh", "/user/settings/ssh/delete", &[("id", &bob_key_id)]).await;
    assert_eq!(foreign.status, 404);
    let (_, bob_keys) = s.get_json("/user/keys", &bob_token).await;
    assert_eq!(bob_keys.as_array().unwrap().len(), 1, "someone else's key stays");

    for hostile in ["", "abc", "1 OR 1=1", "99999999999999999999"] {
        let p = b.submit("/user/settings/ssh", "/user/settings/ssh/delete", &[("id", hostile)]).await;
        assert_eq!(p.status, 404, "{hostile:?}");
        assert!(p.body.contains("<h1>Page not found</h1>"));
    }
    let id = keys[0]["id"].as_i64().unwrap().to_string();
    let deleted = b.submit("/user/settings/ssh", "/user/settings/ssh/delete", &[("id", &id)]).await;
    assert_eq!(deleted.status, 303);
    let (_, keys) = s.get_json("/user/keys", &token).await;
    assert_eq!(keys.as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_access_tokens_show_once() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;

    // A cross-site POST without the token creates nothing.
    let forged = b.post("/user/settings/applications", &[("name", "forged")]).await;
    assert_eq!(forged.status, 403);

    let made = b.submit("/user/settings/applications", "/user/settings/applications", &[("name", "ci <bot>")]).await;
    assert_eq!(made.status, 303);
    let page = b.get("/user/settings/applications").await;
    assert_html(&page);
    let message = status_message(&page).to_string();
    let token = message.split("token: ").nth(1).unwrap()[..40].to_string();
    assert!(token.bytes().all(|c| c.is_ascii_hexdigit()), "{message}");
    assert!(page.body.contains("ci &lt;bot&gt;") && page.body.contains(&token[32..]));
    let (status, me) = s.get_json("/user", &token).await;
    assert_eq!((status, me["login"].as_str()), (200, Some("alice")));
    let again = b.get("/user/settings/applications").await;
    assert!(!again.body.contains(&token), "the token is shown once");
    let (_, list) = s.get_json("/users/alice/tokens", &alice).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only the token made with the CSRF token: {list}");

    let dup = b.submit("/user/settings/applications", "/user/settings/applications", &[("name", "ci <bot>")]).await;
    assert_eq!(dup.status, 422);
    let empty = b.submit("/user/settings/applications", "/user/settings/applications", &[("name", " ")]).await;
    assert_eq!(empty.status, 422);

    let id = list[0]["id"].as_i64().unwrap().to_string();
    let deleted = b.submit("/user/settings/applications", "/user/settings/applications/delete", &[("id", &id)]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(s.get_status("/user", &token).await, 401);
    assert_eq!(
        b.submit("/user/settings/applications", "/user/settings/applications/delete", &[("id", &id)]).await.status,
        404
    );
}
