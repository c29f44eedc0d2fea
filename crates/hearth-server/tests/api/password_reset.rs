//! Password reset by e-mail (issue #19): the forgot-password form, the mailed one-time link, the
//! new password, and what cannot be done with a link that is used, unknown or sent to nobody.

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailed_link_sets_a_new_password_once() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |_| {}).await;
    let (alice, _token) = s.user_with_token("alice", false).await;
    let mut signed_in = Browser::new(&s);
    signed_in.sign_in(&alice).await;
    assert_eq!(signed_in.get("/user/settings").await.status, 200);
    let mut b = Browser::new(&s);
    let login = b.get("/user/login").await;
    assert!(login.body.contains("href=\"/user/forget_password\""), "offered when mail is on");

    // An address without an account: the same answer, no mail.
    let page = b.submit("/user/forget_password", "/user/forget_password", &[("email", "nobody@example.com")]).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("a link to choose a new password is on its way"), "{}", page.body);
    let page =
        b.submit("/user/forget_password", "/user/forget_password", &[("email", &alice.email.to_uppercase())]).await;
    assert!(page.body.contains("on its way"));
    // A second request at once is answered the same and mails nothing more.
    let page = b.submit("/user/forget_password", "/user/forget_password", &[("email", &alice.email)]).await;
    assert!(page.body.contains("on its way"));
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, [format!("<{}>", alice.email)]);
    assert!(mail.header("Subject").ends_with("Reset your password"), "{}", mail.data);
    let body = mail.body();
    let link = body.lines().find(|l| l.contains("/user/reset_password?code=")).expect("a link").trim().to_string();
    let path = &link[link.find("/user/reset_password").unwrap()..];
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(sink.got().len(), 1, "nothing for the unknown address");

    // The form names the account; mismatched passwords are refused and keep the code usable.
    let form = b.get(path).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<strong>alice</strong>"), "{}", form.body);
    let code = path.split("code=").nth(1).unwrap();
    let page = b
        .submit(path, "/user/reset_password", &[("code", code), ("password", "new-pass-1"), ("retype", "other")])
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("The passwords do not match."));
    let page = b
        .submit(path, "/user/reset_password", &[("code", code), ("password", "new-pass-1"), ("retype", "new-pass-1")])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.location(), "/user/login");
    // Every session of the account ended with the reset.
    assert_ne!(signed_in.get("/user/settings").await.status, 200);

    // The new password works, the old one does not; the link is used up.
    let new = TestUser { name: alice.name.clone(), password: "new-pass-1".into(), email: alice.email.clone() };
    let mut fresh = Browser::new(&s);
    fresh.sign_in(&new).await;
    let old = Browser::new(&s)
        .submit("/user/login", "/user/login", &[("user_name", "alice"), ("password", &alice.password)])
        .await;
    assert_eq!(old.status, 422);
    let again = b.get(path).await;
    assert_eq!(again.status, 404);
    assert!(again.body.contains("expired or was already used"));
    let reuse = b
        .submit(
            "/user/forget_password",
            "/user/reset_password",
            &[("code", code), ("password", "x2"), ("retype", "x2")],
        )
        .await;
    assert_eq!(reuse.status, 404);
    assert_eq!(b.get("/user/reset_password?code=0000").await.status, 404);
    // A POST without the CSRF token changes nothing.
    assert_eq!(b.post("/user/forget_password", &[("email", alice.email.as_str())]).await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_email_the_form_says_to_ask_an_admin() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    assert!(!b.get("/user/login").await.body.contains("forget_password"));
    let page = b.get("/user/forget_password").await;
    assert!(page.body.contains("does not send e-mail"), "{}", page.body);
    let page = b.submit("/user/login", "/user/forget_password", &[("email", "a@example.com")]).await;
    assert_eq!(page.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_waits_for_the_mailed_activation_link() {
    let sink = SmtpSink::start().await;
    let s = mail_server(&sink, |raw| raw.set("auth", "REQUIRE_EMAIL_CONFIRMATION", "true")).await;
    let _ = s.user_with_token("root", true).await;
    let mut b = Browser::new(&s);
    let form =
        [("user_name", "newbie"), ("email", "newbie@example.com"), ("password", "pw-123456"), ("retype", "pw-123456")];
    let page = b.submit("/user/sign_up", "/user/sign_up", &form).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("on its way to <strong>newbie@example.com</strong>"), "{}", page.body);
    // Not signed in, and not able to sign in yet.
    let newbie = TestUser { name: "newbie".into(), password: "pw-123456".into(), email: "newbie@example.com".into() };
    let refused = Browser::new(&s)
        .submit("/user/login", "/user/login", &[("user_name", "newbie"), ("password", "pw-123456")])
        .await;
    assert_eq!(refused.status, 200);
    assert!(refused.body.contains("not activated yet"), "{}", refused.body);
    assert!(refused.body.contains("Resend activation e-mail"));
    // A wrong password says nothing about the account.
    let wrong = Browser::new(&s)
        .submit("/user/login", "/user/login", &[("user_name", "newbie"), ("password", "nope-nope")])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(!wrong.body.contains("activated"));

    // Asking again at once sends nothing more (one mail per three minutes).
    let resent = refused_resend(&s, "newbie@example.com").await;
    assert!(resent.contains("on its way"), "{resent}");
    let first = sink.wait_for(1).await.remove(0);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(sink.got().len(), 1, "throttled");
    // Three minutes later (the code aged by hand) another link goes out and replaces the first.
    s.sql("UPDATE account_code SET expires_unix = expires_unix - 200").await;
    refused_resend(&s, "newbie@example.com").await;
    let mail = sink.wait_for(2).await.remove(1);
    assert_ne!(mail.body(), first.body());
    let old_link = first.body().lines().find(|l| l.contains("/user/activate?code=")).unwrap().trim().to_string();
    assert_eq!(b.get(&old_link[old_link.find("/user/activate").unwrap()..]).await.status, 404, "replaced");

    assert_eq!(mail.to, ["<newbie@example.com>"]);
    assert!(mail.header("Subject").ends_with("Activate your account"));
    let body = mail.body();
    let link = body.lines().find(|l| l.contains("/user/activate?code=")).expect("a link").trim().to_string();
    let path = &link[link.find("/user/activate").unwrap()..];
    let activated = b.get(path).await;
    assert_eq!(activated.status, 303, "{}", activated.body);
    assert_eq!(b.get("/user/settings").await.status, 200, "signed in by the link");
    assert_eq!(b.get(path).await.status, 404, "used up");
    Browser::new(&s).sign_in(&newbie).await;
}

/// Sign in as the inactive `newbie` and press "Resend activation e-mail": the page's text.
async fn refused_resend(s: &TestServer, email: &str) -> String {
    let mut b = Browser::new(s);
    let page = b.submit("/user/login", "/user/login", &[("user_name", "newbie"), ("password", "pw-123456")]).await;
    assert!(page.body.contains(&format!("value=\"{email}\"")), "{}", page.body);
    // The form on that page: submit it from the sign-in page's session.
    let sent = b.submit("/user/login", "/user/activate", &[("email", email)]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    sent.body
}
