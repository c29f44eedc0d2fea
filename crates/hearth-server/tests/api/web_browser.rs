//! The browser suite (issue #17): real headless Chromium, driven over WebDriver, against the real
//! server. Skipped with a message where Chromium and chromedriver are not installed, unless
//! `HEARTH_REQUIRE_BROWSER=1` (CI) makes that a failure.

use crate::support::*;
use hearth_server::config::RawConfig;

pub(crate) const PASSWORD: &str = "correct-horse-9";

/// What every page visited must satisfy: nothing failed in the console (no failed request, no
/// policy violation, no script error) and, at a phone's width, no sideways scrolling.
pub(crate) async fn check_page(b: &Session, what: &str) {
    let errors = b.console_errors().await;
    assert!(errors.is_empty(), "{what}: console errors: {errors:?}");
    let fits = b.script("return document.documentElement.scrollWidth <= window.innerWidth + 1").await;
    assert_eq!(fits, true, "{what}: the page scrolls sideways at 390 px");
}

pub(crate) async fn submit(b: &Session) {
    b.click_to_next_page("main > form button[type=submit]").await;
}

async fn sign_up(b: &Session, base: &str, name: &str) {
    b.goto(&format!("{base}/user/sign_up")).await;
    check_page(b, "sign up").await;
    b.type_into("#user_name", name).await;
    b.type_into("#email", &format!("{name}@example.com")).await;
    b.type_into("#password", PASSWORD).await;
    b.type_into("#retype", PASSWORD).await;
    submit(b).await;
    assert_eq!(b.current_url().await, format!("{base}/"));
}

async fn sign_out(b: &Session, base: &str) {
    b.click_to_next_page("form[action=\"/user/logout\"] button").await;
    assert_eq!(b.current_url().await, format!("{base}/"));
    assert!(b.source().await.contains("href=\"/user/login\""));
}

/// Sign `name` in through the login page.
pub(crate) async fn sign_in(b: &Session, base: &str, name: &str, password: &str) {
    b.goto(&format!("{base}/user/login")).await;
    b.type_into("#user_name", name).await;
    b.type_into("#password", password).await;
    submit(b).await;
    assert_eq!(b.current_url().await, format!("{base}/"), "{name} signed in: {}", b.source().await);
}

/// A server and a browser window `width` pixels wide, or None (skipped) without a browser.
async fn start(width: u32, javascript: bool) -> Option<(TestServer, String, Driver, Session)> {
    start_with(width, javascript, |_| {}).await
}

/// `start`, with more settings for the server.
pub(crate) async fn start_with(
    width: u32,
    javascript: bool,
    configure: impl FnOnce(&mut RawConfig),
) -> Option<(TestServer, String, Driver, Session)> {
    if let Some(why) = browser_missing() {
        eprintln!("skipped: {why}");
        return None;
    }
    // The machine may be offline: avatars from the server itself, not Gravatar.
    let s = TestServer::start_with(|c| {
        c.set("picture", "DISABLE_GRAVATAR", "true");
        configure(c)
    })
    .await;
    let base = s.base.trim_end_matches('/').to_string();
    let driver = Driver::start().await;
    let b = driver.session(width, javascript).await;
    Some((s, base, driver, b))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_a_newcomers_journey() {
    let Some((s, base, _driver, b)) = start(390, true).await else { return };

    b.goto(&format!("{base}/")).await;
    check_page(&b, "landing page").await;
    sign_up(&b, &base, "alice").await;
    assert!(b.source().await.contains("Site administration"), "the first account is the site admin");
    check_page(&b, "dashboard").await;

    // A repository with a README, and an XSS probe in its description.
    b.goto(&format!("{base}/repo/create")).await;
    check_page(&b, "new repository").await;
    b.type_into("#name", "site").await;
    b.type_into("#description", "<svg onload=\"window.__xss=1\"><script>window.__xss=1</script>").await;
    b.click("input[name=auto_init]").await;
    submit(&b).await;
    assert_eq!(b.current_url().await, format!("{base}/alice/site"));
    let home = b.source().await;
    assert!(home.contains("&lt;svg onload="), "the description is text");
    assert!(home.contains("README.md"));
    assert_eq!(b.script("return window.__xss === undefined").await, true, "no injected script ran");
    check_page(&b, "repository home").await;

    // A push with the git CLI, then browsing what it brought.
    let git = Git::new();
    let url = s.git_url(Some(("alice", PASSWORD)), "alice", "site");
    let wt = git.path("site");
    git.ok(None, &["clone", "-q", &url, wt.to_str().unwrap()]);
    std::fs::create_dir_all(wt.join("src")).unwrap();
    std::fs::write(wt.join("src/lib.rs"), "pub fn answer() -> u32 {\n    42\n}\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Add <the> answer"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "HEAD"]);

    b.goto(&format!("{base}/alice/site")).await;
    // The script shows the clone URL's copy button; a click copies (or asks for Ctrl+C where the
    // browser refuses the clipboard) and says so.
    let copy = "button[data-copy=\"clone-http\"]";
    assert_eq!(b.script(&format!("return !document.querySelector('{copy}').hidden")).await, true);
    b.click(copy).await;
    let mut label = String::new();
    for _ in 0..80 {
        label = b.text(copy).await;
        if label != "Copy" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert!(label == "Copied" || label == "Press Ctrl+C", "{label}");
    b.click_to_next_page("a[href=\"/alice/site/src/master/src\"]").await;
    assert_eq!(b.current_url().await, format!("{base}/alice/site/src/master/src"));
    check_page(&b, "directory").await;
    b.click_to_next_page("a[href=\"/alice/site/src/master/src/lib.rs\"]").await;
    let file = b.text("table.code").await;
    assert!(file.contains("pub fn answer()"), "{file}");
    assert!(b.source().await.contains("id=\"L2\""));
    let coloured = b
        .script(
            "const k = document.querySelector('.hl-keyword'); \
             return !!k && getComputedStyle(k).color !== getComputedStyle(document.body).color",
        )
        .await;
    assert_eq!(coloured, true, "keywords are drawn in another colour than the text");
    check_page(&b, "file view").await;
    b.goto(&format!("{base}/alice/site/commits/master")).await;
    check_page(&b, "commit list").await;
    b.click_to_next_page("a[href^=\"/alice/site/commit/\"]").await;
    let commit = b.source().await;
    assert!(commit.contains("Add &lt;the&gt; answer") && commit.contains("+    42"));
    check_page(&b, "commit").await;

    // Star it.
    b.goto(&format!("{base}/alice/site")).await;
    b.click_to_next_page("form[action=\"/alice/site/action/star\"] button").await;
    assert!(b.source().await.contains("Unstar 1"));

    // A token and an SSH key from the settings pages.
    b.goto(&format!("{base}/user/settings/applications")).await;
    check_page(&b, "applications").await;
    b.type_into("#name", "laptop").await;
    submit(&b).await;
    let flash = b.text("[role=status]").await;
    let token = flash.split("token: ").nth(1).map(|t| t[..40].to_string()).unwrap_or_default();
    assert_eq!(s.get_status("/user", &token).await, 200, "the token from the page works: {flash}");
    b.goto(&format!("{base}/user/settings/ssh")).await;
    b.type_into("#title", "laptop").await;
    b.type_into("#content", &ed25519_key(11, "alice@laptop")).await;
    submit(&b).await;
    assert!(b.source().await.contains("SHA256:"));
    check_page(&b, "ssh keys").await;
    sign_out(&b, &base).await;

    // Someone else forks it.
    sign_up(&b, &base, "bob").await;
    b.goto(&format!("{base}/alice/site")).await;
    b.click_to_next_page("a[href^=\"/repo/fork/\"]").await;
    check_page(&b, "fork form").await;
    submit(&b).await;
    assert_eq!(b.current_url().await, format!("{base}/bob/site"));
    assert!(b.source().await.contains("forked from"));
    check_page(&b, "fork").await;
    b.goto(&format!("{base}/alice")).await;
    check_page(&b, "profile").await;
    b.goto(&format!("{base}/explore/repos")).await;
    check_page(&b, "explore").await;
    sign_out(&b, &base).await;

    // Private repositories are not found by strangers.
    let alice = TestUser { name: "alice".into(), password: PASSWORD.into(), email: "alice@example.com".into() };
    let token = s.token(&alice).await;
    s.create_repo(&token, serde_json::json!({"name": "secret", "private": true})).await;
    b.goto(&format!("{base}/alice/secret")).await;
    assert!(b.source().await.contains("Page not found"));
    b.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_forms_work_without_javascript() {
    let Some((_server, base, _driver, b)) = start(1024, false).await else { return };
    sign_up(&b, &base, "carol").await;
    sign_out(&b, &base).await;
    b.goto(&format!("{base}/user/login")).await;
    b.type_into("#user_name", "carol").await;
    b.type_into("#password", PASSWORD).await;
    submit(&b).await;
    assert_eq!(b.current_url().await, format!("{base}/"), "{}", b.source().await);
    assert!(b.source().await.contains("href=\"/carol\""), "signed in");
    b.close().await;
}
