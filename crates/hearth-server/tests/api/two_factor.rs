//! Two-factor authentication (TOTP): enrolment from the settings pages, the second step of web
//! sign-in with a passcode or a recovery code, replay protection, `X-Gitea-OTP` on the API, Git
//! over HTTP refusing the password of an enrolled account, and the administrator's reset.

use serde_json::json as j;

use crate::support::*;

fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let at = body.find(start).unwrap_or_else(|| panic!("{start} in {body}")) + start.len();
    &body[at..at + body[at..].find(end).unwrap()]
}

/// Enrol `user` from the settings pages: the secret and the recovery codes.
async fn enroll(b: &mut Browser) -> (Vec<u8>, Vec<String>) {
    let page = b.get("/user/settings/two_factor_enable").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<svg") && page.body.contains("aria-label=\"QR code\""), "{}", page.body);
    let secret = unbase32(between(&page.body, "<code id=\"totp-secret\">", "</code>"));
    assert_eq!(secret.len(), 20);
    let token = between(&page.body, "name=\"token\" value=\"", "\"").to_string();
    let csrf = page.csrf();
    let done = b
        .post(
            "/user/settings/two_factor_enable",
            &[("_csrf", &csrf), ("token", &token), ("passcode", &totp_code(&secret, 0))],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(status_message(&done), "Two-factor authentication is now enabled.");
    let codes: Vec<String> =
        done.body.split("<li><code>").skip(1).map(|c| c[..c.find("</code>").unwrap()].to_string()).collect();
    assert_eq!(codes.len(), 10, "{}", done.body);
    (secret, codes)
}

/// Password, then passcode: the answer to the second step.
async fn sign_in_with(b: &mut Browser, user: &TestUser, path: &str, field: &str, value: &str) -> Page {
    let first =
        b.submit("/user/login", "/user/login", &[("user_name", &user.name), ("password", &user.password)]).await;
    assert_eq!((first.status, first.location()), (303, "/user/login/two_factor"), "{}", first.body);
    let step = b.get(path).await;
    assert_eq!(step.status, 200, "{}", step.body);
    let csrf = step.csrf();
    b.post(path, &[("_csrf", &csrf), (field, value)]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_enrolment_and_sign_in() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let security = b.get("/user/settings/security").await;
    assert!(security.body.contains("<span class=\"tag\">Not enabled</span>"), "{}", security.body);

    // A wrong passcode: the same secret again, with the error; nothing enrolled.
    let page = b.get("/user/settings/two_factor_enable").await;
    let secret = between(&page.body, "<code id=\"totp-secret\">", "</code>").to_string();
    let token = between(&page.body, "name=\"token\" value=\"", "\"").to_string();
    let bad = b
        .post("/user/settings/two_factor_enable", &[("_csrf", &page.csrf()), ("token", &token), ("passcode", "12345")])
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains(&secret), "the same secret is offered again");
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"passcode-error\""), "{}", bad.body);
    // Another account's enrolment token does not enrol this one.
    let forged = b
        .post("/user/settings/two_factor_enable", &[("_csrf", &page.csrf()), ("token", "AAAA"), ("passcode", "123456")])
        .await;
    assert_eq!(forged.status, 422);
    // Without the CSRF token: refused, nothing changes.
    let no_csrf = b.post("/user/settings/two_factor_enable", &[("token", &token), ("passcode", "123456")]).await;
    assert_eq!(no_csrf.status, 403);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM two_factor").await, 0);

    let (secret, codes) = enroll(&mut b).await;
    let security = b.get("/user/settings/security").await;
    assert!(security.body.contains("<span class=\"tag\">Enabled</span>") && security.body.contains("10 of 10"));
    assert_eq!(b.get("/user/settings/two_factor_enable").await.status, 303, "already enabled");

    // Signing in now takes a passcode; the one used to enrol does not work again.
    let mut c = Browser::new(&s);
    let replay = sign_in_with(&mut c, &alice, "/user/login/two_factor", "passcode", &totp_code(&secret, 0)).await;
    assert_eq!(replay.status, 422, "{}", replay.body);
    assert_eq!(alert(&replay), "The passcode is not correct (or it has been used already).");
    assert!(!c.cookies.contains_key("hearth_session"));
    // Nor a passcode from two steps away; the next step's is accepted once.
    let step = c.get("/user/login/two_factor").await;
    let far = c.post("/user/login/two_factor", &[("_csrf", &step.csrf()), ("passcode", &totp_code(&secret, -3))]).await;
    assert_eq!(far.status, 422);
    let ok = c.post("/user/login/two_factor", &[("_csrf", &step.csrf()), ("passcode", &totp_code(&secret, 1))]).await;
    assert_eq!((ok.status, ok.location()), (303, "/"), "{}", ok.body);
    assert!(c.get("/user/settings").await.status == 200);
    assert!(!c.cookies.contains_key("hearth_2fa"), "the pending sign-in is over");

    // A recovery code signs in once.
    let mut d = Browser::new(&s);
    let used = sign_in_with(&mut d, &alice, "/user/login/two_factor_recovery_code", "recovery_code", &codes[3]).await;
    assert_eq!(used.status, 303, "{}", used.body);
    let mut e = Browser::new(&s);
    let again = sign_in_with(&mut e, &alice, "/user/login/two_factor_recovery_code", "recovery_code", &codes[3]).await;
    assert_eq!(again.status, 422);
    assert!(b.get("/user/settings/security").await.body.contains("9 of 10"));

    // New recovery codes replace the old ones.
    let fresh = b.submit("/user/settings/security", "/user/settings/two_factor_recovery_codes", &[]).await;
    assert_eq!(fresh.status, 200);
    let mut f = Browser::new(&s);
    let old = sign_in_with(&mut f, &alice, "/user/login/two_factor_recovery_code", "recovery_code", &codes[4]).await;
    assert_eq!(old.status, 422);

    // Disabled: the password alone signs in again.
    let off = b.submit("/user/settings/security", "/user/settings/two_factor_disable", &[]).await;
    assert_eq!(off.status, 303);
    assert_eq!(status_message(&b.get("/user/settings/security").await), "Two-factor authentication is now disabled.");
    Browser::new(&s).sign_in(&alice).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_pending_sign_in_cannot_be_forged_or_skipped() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let (secret, _) = enroll(&mut b).await;

    // No pending sign-in, or a forged one: back to the password.
    let mut anon = Browser::new(&s);
    assert_eq!(anon.get("/user/login/two_factor").await.location(), "/user/login");
    anon.cookies.insert("hearth_2fa".into(), "MQo5OTk5OTk5OTk5CjAKLw.deadbeef".into());
    assert_eq!(anon.get("/user/login/two_factor").await.location(), "/user/login");
    let csrf = anon.get("/user/login").await.csrf();
    let p = anon.post("/user/login/two_factor", &[("_csrf", &csrf), ("passcode", &totp_code(&secret, 1))]).await;
    assert_eq!((p.status, p.location()), (303, "/user/login"));
    assert!(!anon.cookies.contains_key("hearth_session"));

    // The password step alone gives no session: pages still ask to sign in.
    let mut c = Browser::new(&s);
    let first = c.submit("/user/login", "/user/login", &[("user_name", "alice"), ("password", &alice.password)]).await;
    assert_eq!(first.location(), "/user/login/two_factor");
    assert!(!c.cookies.contains_key("hearth_session"));
    assert_eq!(c.get("/user/settings").await.status, 303);
    // A wrong password never reaches the passcode step.
    let mut d = Browser::new(&s);
    let wrong = d.submit("/user/login", "/user/login", &[("user_name", "alice"), ("password", "nope")]).await;
    assert_eq!(wrong.status, 422);
    assert!(!d.cookies.contains_key("hearth_2fa"));

    // Barred between the two steps: start again.
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'alice'").await;
    let step = c.get("/user/login/two_factor").await;
    let p = c.post("/user/login/two_factor", &[("_csrf", &step.csrf()), ("passcode", &totp_code(&secret, 1))]).await;
    assert_eq!(p.location(), "/user/login");
    assert!(!c.cookies.contains_key("hearth_session"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_on_the_api_and_git() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let token = s.token(&alice).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let (secret, _) = enroll(&mut b).await;
    // The steps around now are taken by the tests below one at a time.
    let reset_steps = || s.sql("UPDATE two_factor SET last_step = 0");

    let user = |otp: Option<(&'static str, String)>| {
        let mut r = s.get("/user").header("Authorization", basic(&alice.name, &alice.password));
        if let Some((name, value)) = otp {
            r = r.header(name, value);
        }
        r
    };
    // Basic auth without a passcode, or a wrong one: 401 with Gitea's message.
    let resp = user(None).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    assert_eq!(resp.json::<serde_json::Value>().await.unwrap()["message"], "invalid provided OTP");
    let resp = user(Some(("X-Gitea-OTP", "000000".into()))).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    // The right one passes, once.
    reset_steps().await;
    let passcode = totp_code(&secret, 0);
    let resp = user(Some(("X-Gitea-OTP", passcode.clone()))).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.json::<serde_json::Value>().await.unwrap()["login"], "alice");
    assert_eq!(user(Some(("X-Gitea-OTP", passcode))).send().await.unwrap().status(), 401, "replayed");
    // Forgejo's header name too; token creation (Basic only) works with it.
    reset_steps().await;
    let resp = s
        .post("/users/alice/tokens")
        .header("Authorization", basic(&alice.name, &alice.password))
        .header("X-Forgejo-OTP", totp_code(&secret, 0))
        .json(&j!({"name": "ci"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    // Tokens and accounts without a second factor are unaffected.
    assert_eq!(s.get_json("/user", &token).await.0, 200);
    let resp = s.get("/user").header("Authorization", basic(&bob.name, &bob.password)).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    // Git over HTTP: the password is refused with the reason; a token works.
    let (status, _) =
        s.post_json("/user/repos", &token, j!({"name": "priv", "private": true, "auto_init": true})).await;
    assert_eq!(status, 201);
    let git = Git::new();
    let out = git.run(None, &["clone", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "priv"), "p1"]);
    assert!(!out.ok, "{}", out.stderr);
    let resp = s
        .client
        .get(format!("{}alice/priv.git/info/refs?service=git-upload-pack", s.base))
        .header("Authorization", basic(&alice.name, &alice.password))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(
        resp.text().await.unwrap().contains("two-factor authentication enabled cannot perform HTTP/HTTPS operations")
    );
    git.ok(None, &["clone", "-q", &s.git_url(Some((&alice.name, &token)), "alice", "priv"), "p2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_factor_seen_and_reset_by_admins_only() {
    let s = TestServer::start().await;
    let root = s.create_user("root", true).await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    enroll(&mut b).await;
    let alice_id = s.sql_i64("SELECT id FROM \"user\" WHERE lower_name = 'alice'").await;

    let mut admin = Browser::new(&s);
    admin.sign_in(&root).await;
    let list = admin.get("/admin/users").await;
    let row = between(&list.body, ">alice</a>", "</tr>");
    assert!(row.contains("<span class=\"tag\">2FA</span>"), "{row}");
    let edit = format!("/admin/users/{alice_id}");
    assert!(admin.get(&edit).await.body.contains("<p id=\"two-factor-state\"><span class=\"tag\">Enabled</span>"));

    // Not for alice herself, nor without the CSRF token.
    let reset = format!("/admin/users/{alice_id}/two_factor/delete");
    let csrf = b.get("/user/settings").await.csrf();
    assert_eq!(b.post(&reset, &[("_csrf", &csrf)]).await.status, 404);
    assert_eq!(admin.post(&reset, &[]).await.status, 403);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM two_factor").await, 1);

    let done = admin.submit(&edit, &reset, &[]).await;
    assert_eq!((done.status, done.location()), (303, edit.as_str()));
    assert_eq!(status_message(&admin.get(&edit).await), "Two-factor authentication of alice has been reset.");
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM two_factor_recovery").await, 0);
    Browser::new(&s).sign_in(&alice).await;
}
