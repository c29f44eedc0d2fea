//! The browser suite's account flows (issue #21): enrolling in two-factor authentication from
//! the settings pages and signing in with a passcode, in headless Chromium.

use crate::support::{totp_code as code, unbase32};
use crate::web_browser::{check_page, start_with};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_two_factor_enrolment_and_sign_in() {
    let Some((s, base, _driver, b)) = start_with(390, true, |_| {}).await else { return };
    let alice = s.create_user("alice", false).await;
    crate::web_browser::sign_in(&b, &base, "alice", &alice.password).await;

    b.goto(&format!("{base}/user/settings")).await;
    b.click_to_next_page("nav[aria-label=Settings] a[href='/user/settings/security']").await;
    check_page(&b, "security settings").await;
    b.click_to_next_page("a[href='/user/settings/two_factor_enable']").await;
    check_page(&b, "enrolment with its QR code").await;
    assert_eq!(b.count("figure.qr svg").await, 1);
    let secret = unbase32(&b.text("#totp-secret").await);
    b.type_into("#passcode", &code(&secret, 0)).await;
    b.press("Enable two-factor authentication").await;
    assert_eq!(b.count("ul.codes li").await, 10, "{}", b.source().await);
    check_page(&b, "recovery codes").await;

    // Signing in again: password, then the next passcode.
    b.press("Sign out").await;
    b.goto(&format!("{base}/user/login")).await;
    b.type_into("#user_name", "alice").await;
    b.type_into("#password", &alice.password).await;
    b.press("Sign in").await;
    assert_eq!(b.current_url().await, format!("{base}/user/login/two_factor"));
    check_page(&b, "passcode step").await;
    b.type_into("#passcode", &code(&secret, 1)).await;
    b.press("Verify").await;
    assert_eq!(b.current_url().await, format!("{base}/"), "{}", b.source().await);
    b.goto(&format!("{base}/user/settings/security")).await;
    assert!(b.text("#two-factor-state").await.contains("Enabled"));
    b.close().await;
}
