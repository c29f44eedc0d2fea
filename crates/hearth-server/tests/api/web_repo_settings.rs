//! The repository settings pages (web-ui.md §6: `/OWNER/REPO/settings…`): who may see them, each
//! form's success through the service the API uses (checked over the API), its refusals with the
//! form again, escaping, and the effects (pushes refused, webhooks delivered and redelivered).

use std::time::Duration;

use serde_json::{Value, json as j};
use tokio::net::TcpListener;

use crate::support::*;

/// alice's `site` with `master` (two commits) and `dev`, on a server whose webhooks may reach
/// loopback receivers; the work tree's `origin` is the repository, with alice's credentials.
async fn fixture() -> (TestServer, TestUser, String, Git, std::path::PathBuf) {
    let s = hook_server().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "site", "description": "A site"})).await;
    let git = Git::new();
    let wt = git.work_tree("site", "README.md", "# Site\n");
    std::fs::write(wt.join("a.txt"), "1\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "One"]);
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "site");
    git.ok(Some(&wt), &["remote", "add", "origin", &url]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master", "master:dev"]);
    (s, alice, token, git, wt)
}

const PAGES: [&str; 7] = [
    "/alice/site/settings",
    "/alice/site/settings/collaboration",
    "/alice/site/settings/branches",
    "/alice/site/settings/branches/master",
    "/alice/site/settings/hooks",
    "/alice/site/settings/hooks/gogs/new",
    "/alice/site/settings/keys",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_settings_pages_render_for_the_owner() {
    let (s, alice, _token, _git, _wt) = fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let home = b.get("/alice/site").await;
    assert!(home.body.contains("href=\"/alice/site/settings\">Settings</a>"), "the header links the settings");
    for path in PAGES {
        let page = b.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_html(&page);
        assert!(page.body.contains("aria-label=\"Repository settings\""), "{path}");
        for link in ["Options", "Collaborators", "Branches", "Webhooks", "Deploy keys"] {
            assert!(page.body.contains(&format!(">{link}</a>")), "{path}: {link}");
        }
        assert!(page.body.contains("<title>"), "{path}");
        assert!(page.body.contains("aria-current=\"page\">Settings</a>"), "{path}: the header's tab");
    }
    let options = b.get("/alice/site/settings").await;
    assert!(options.body.contains("<h1>Settings</h1>"));
    for label in ["Repository name", "Description", "Website", "Private", "New owner", "Confirm repository name"] {
        assert!(options.body.contains(&format!(">{label}</label>")), "{label}");
    }
    for button in ["Update settings", "Transfer ownership", "Delete this repository"] {
        assert!(options.body.contains(&format!(">{button}</button>")), "{button}");
    }
    assert!(options.body.contains("value=\"A site\"") || options.body.contains(">A site</textarea>"));
    let new_hook = b.get("/alice/site/settings/hooks/gogs/new").await;
    for label in [
        "Payload URL",
        "Content type",
        "Secret",
        "Just the push event",
        "Send me everything",
        "Let me choose",
        "Active",
    ] {
        assert!(new_hook.body.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(new_hook.body.contains(">application/x-www-form-urlencoded</option>"));
    let branches = b.get("/alice/site/settings/branches").await;
    assert!(
        branches.body.contains(">Default branch</label>") && branches.body.contains(">Update default branch</button>")
    );
    assert!(branches.body.contains("href=\"/alice/site/settings/branches/dev\">Protect</a>"));
    let keys = b.get("/alice/site/settings/keys").await;
    for label in ["Title", "Key", "Allow write access"] {
        assert!(keys.body.contains(&format!(">{label}</label>")), "{label}");
    }
    // A branch that does not exist, a hook that does not exist.
    assert_eq!(b.get("/alice/site/settings/branches/nope").await.status, 404);
    assert_eq!(b.get("/alice/site/settings/hooks/999").await.status, 404);
    assert_eq!(b.get("/alice/site/settings/hooks/x").await.status, 404);
}

/// Every settings POST with fields that would change something if it were taken.
fn posts() -> Vec<(&'static str, Vec<(&'static str, &'static str)>)> {
    vec![
        ("/alice/site/settings", vec![("repo_name", "taken"), ("description", "changed")]),
        ("/alice/site/settings/transfer", vec![("new_owner", "dave"), ("transfer_confirm", "site")]),
        ("/alice/site/settings/delete", vec![("delete_confirm", "site")]),
        ("/alice/site/settings/collaboration", vec![("collaborator", "dave")]),
        ("/alice/site/settings/collaboration/access", vec![("name", "bob"), ("mode", "admin")]),
        ("/alice/site/settings/collaboration/delete", vec![("name", "bob")]),
        ("/alice/site/settings/branches", vec![("default_branch", "dev")]),
        ("/alice/site/settings/branches/master", vec![("protect", "on"), ("require_pr", "on")]),
        ("/alice/site/settings/hooks/gogs/new", vec![("url", "http://example.com/"), ("content_type", "json")]),
        ("/alice/site/settings/hooks/1", vec![("url", "http://example.com/x"), ("content_type", "json")]),
        ("/alice/site/settings/hooks/1/test", vec![]),
        ("/alice/site/settings/hooks/1/delete", vec![]),
        ("/alice/site/settings/hooks/1/deliveries/1/redeliver", vec![]),
        ("/alice/site/settings/keys", vec![("title", "k"), ("content", "ssh-ed25519 AAAA")]),
        ("/alice/site/settings/keys/delete", vec![("id", "1")]),
    ]
}

/// What the API shows of alice's `site`, to see that nothing changed.
async fn snapshot(s: &TestServer, token: &str) -> Value {
    let (_, repo) = s.get_json("/repos/alice/site", token).await;
    let (_, collaborators) = s.get_json("/repos/alice/site/collaborators", token).await;
    let (_, hooks) = s.get_json("/repos/alice/site/hooks", token).await;
    let (_, keys) = s.get_json("/repos/alice/site/keys", token).await;
    let (_, rules) = s.get_json("/repos/alice/site/branch_protections", token).await;
    let tasks = s.sql_i64("SELECT COUNT(*) FROM hook_task").await;
    j!({"name": repo["name"], "description": repo["description"], "owner": repo["owner"]["login"],
        "default_branch": repo["default_branch"], "collaborators": collaborators, "hooks": hooks,
        "keys": keys, "rules": rules, "tasks": tasks})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_settings_are_for_repo_admins_only() {
    let (s, _alice, token, _git, _wt) = fixture().await;
    let bob = s.create_user("bob", false).await;
    let carol = s.create_user("carol", false).await;
    let dave = s.create_user("dave", false).await;
    let erin = s.create_user("erin", false).await;
    s.put_json("/repos/alice/site/collaborators/bob", &token, j!({"permission": "read"})).await;
    s.put_json("/repos/alice/site/collaborators/carol", &token, j!({"permission": "write"})).await;
    s.put_json("/repos/alice/site/collaborators/erin", &token, j!({"permission": "admin"})).await;
    s.post_json(
        "/repos/alice/site/hooks",
        &token,
        j!({"type": "gogs", "config": {"url": "http://127.0.0.1:9/h", "content_type": "json"}}),
    )
    .await;
    let before = snapshot(&s, &token).await;

    // Anonymous visitors sign in first, for a missing repository too.
    let mut anon = Browser::new(&s);
    for path in PAGES.iter().chain(&["/alice/nothing/settings"]) {
        let p = anon.get(path).await;
        assert_eq!(p.status, 303, "{path}");
        assert!(p.location().starts_with("/user/login?redirect_to=%2Falice%2F"), "{}", p.location());
    }

    // Readers, writers and strangers: 404 on every page and every POST; nothing changes.
    for user in [&bob, &carol, &dave] {
        let mut b = Browser::new(&s);
        b.sign_in(user).await;
        let csrf = b.get("/").await.csrf();
        for path in PAGES {
            let p = b.get(path).await;
            assert_eq!(p.status, 404, "{} {path}", user.name);
            assert!(p.body.contains("Page not found"));
        }
        let home = b.get("/alice/site").await;
        assert!(!home.body.contains("/alice/site/settings"), "no Settings link for {}", user.name);
        for (path, fields) in posts() {
            let mut form = vec![("_csrf", csrf.as_str())];
            form.extend(fields);
            assert_eq!(b.post(path, &form).await.status, 404, "{} POST {path}", user.name);
        }
    }
    assert_eq!(snapshot(&s, &token).await, before, "nothing changed");

    // A private repository answers a stranger exactly like a missing one.
    s.patch_json("/repos/alice/site", &token, j!({"private": true})).await;
    let mut b = Browser::new(&s);
    b.sign_in(&dave).await;
    let private = b.get("/alice/site/settings").await;
    let missing = b.get("/alice/nothing/settings").await;
    assert_eq!((private.status, missing.status), (404, 404));
    assert_eq!(private.body.replace("site", "nothing"), missing.body.replace("site", "nothing"));

    // A collaborator with admin access manages the repository, but transfer and deletion are the
    // owner's (as the API's routes).
    let mut b = Browser::new(&s);
    b.sign_in(&erin).await;
    let page = b.get("/alice/site/settings").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("Delete this repository"));
    let csrf = page.csrf();
    for (path, fields) in &posts()[1..3] {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields.iter().copied());
        assert_eq!(b.post(path, &form).await.status, 404, "erin POST {path}");
    }
    assert_eq!(s.get_status("/repos/alice/site", &token).await, 200);
    for path in PAGES {
        assert_eq!(b.get(path).await.status, 200, "erin {path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_settings_post_without_csrf_is_forbidden() {
    let (s, alice, token, _git, _wt) = fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let before = snapshot(&s, &token).await;
    for (path, fields) in posts() {
        let p = b.post(path, &fields).await;
        assert_eq!(p.status, 403, "POST {path}");
    }
    assert_eq!(snapshot(&s, &token).await, before, "nothing changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_options_update_rename_and_private() {
    let (s, alice, token, _git, _wt) = fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let xss = "<script>alert(1)</script> & more";
    let done = b
        .submit(
            "/alice/site/settings",
            "/alice/site/settings",
            &[("repo_name", "site"), ("description", xss), ("website", "https://site.example/"), ("private", "on")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/alice/site/settings");
    let after = b.get("/alice/site/settings").await;
    assert_eq!(status_message(&after), "The repository settings have been updated.");
    assert!(after.body.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; more"), "escaped as text");
    assert!(!after.body.contains("<script>alert"));
    assert!(after.body.contains("id=\"private\" name=\"private\" type=\"checkbox\" checked"));
    let (_, repo) = s.get_json("/repos/alice/site", &token).await;
    assert_eq!((repo["description"].as_str(), repo["website"].as_str()), (Some(xss), Some("https://site.example/")));
    assert_eq!(repo["private"], true);
    let home = b.get("/alice/site").await;
    assert!(!home.body.contains("<script>alert"));

    // Public again (the checkbox left out).
    let done = b
        .submit("/alice/site/settings", "/alice/site/settings", &[("repo_name", "site"), ("description", "plain")])
        .await;
    assert_eq!(done.status, 303);
    let (_, repo) = s.get_json("/repos/alice/site", &token).await;
    assert_eq!((repo["private"].as_bool(), repo["description"].as_str()), (Some(false), Some("plain")));

    // A bad name: 422, the form kept, nothing changed.
    let bad = b
        .submit("/alice/site/settings", "/alice/site/settings", &[("repo_name", "bad name"), ("description", "kept")])
        .await;
    assert_eq!(bad.status, 422);
    assert_html(&bad);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(bad.body.contains("value=\"bad name\""));
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"repo_name-error\""));
    assert!(bad.body.contains(">kept</textarea>"));
    let (_, repo) = s.get_json("/repos/alice/site", &token).await;
    assert_eq!((repo["name"].as_str(), repo["description"].as_str()), (Some("site"), Some("plain")));

    // A rename goes to the new URL; the old one redirects.
    let done = b
        .submit("/alice/site/settings", "/alice/site/settings", &[("repo_name", "web"), ("description", "plain")])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/alice/web/settings");
    assert_eq!(b.get("/alice/web/settings").await.status, 200);
    assert_eq!(s.get_json("/repos/alice/web", &token).await.1["name"], "web");
    let old = b.get("/alice/site/settings").await;
    assert_eq!((old.status, old.location()), (303, "/alice/web/settings"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_transfer_and_delete_need_the_name() {
    let (s, alice, token, _git, _wt) = fixture().await;
    let bob = s.create_user("bob", false).await;
    assert_eq!(s.post_status("/user/orgs", &token, j!({"username": "acme"})).await, 201);
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let before = snapshot(&s, &token).await;

    // Wrong confirmations: 422, nothing changes.
    let bad = b
        .submit(
            "/alice/site/settings",
            "/alice/site/settings/transfer",
            &[("new_owner", "acme"), ("transfer_confirm", "other")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert_html(&bad);
    assert!(bad.body.contains("role=\"alert\""));
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"transfer_confirm-error\""));
    assert!(bad.body.contains("id=\"new_owner\" name=\"new_owner\" type=\"text\" value=\"acme\""), "kept");
    let bad = b.submit("/alice/site/settings", "/alice/site/settings/delete", &[("delete_confirm", "sit")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"delete_confirm-error\""));
    let bad = b
        .submit(
            "/alice/site/settings",
            "/alice/site/settings/transfer",
            &[("new_owner", "nobody"), ("transfer_confirm", "site")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"new_owner-error\""));
    assert_eq!(snapshot(&s, &token).await, before, "nothing changed");

    // To another user: pending until they accept.
    let done = b
        .submit(
            "/alice/site/settings",
            "/alice/site/settings/transfer",
            &[("new_owner", "bob"), ("transfer_confirm", "site")],
        )
        .await;
    assert_eq!((done.status, done.location()), (303, "/alice/site/settings"));
    assert_eq!(status_message(&b.get("/alice/site/settings").await), "The transfer waits for bob to accept it.");
    let (_, repo) = s.get_json("/repos/alice/site", &token).await;
    assert_eq!(repo["repo_transfer"]["recipient"]["login"], "bob", "{repo}");
    let bob_token = s.token(&bob).await;
    assert_eq!(s.post_json("/repos/alice/site/transfer/reject", &bob_token, j!({})).await.0, 200);

    // Into an organisation alice owns: at once.
    let done = b
        .submit(
            "/alice/site/settings",
            "/alice/site/settings/transfer",
            &[("new_owner", "acme"), ("transfer_confirm", "site")],
        )
        .await;
    assert_eq!((done.status, done.location()), (303, "/acme/site"), "{}", done.body);
    assert_eq!(s.get_json("/repos/acme/site", &token).await.1["owner"]["login"], "acme");

    // Deletion with the right name.
    let done = b.submit("/acme/site/settings", "/acme/site/settings/delete", &[("delete_confirm", "site")]).await;
    assert_eq!((done.status, done.location()), (303, "/"));
    assert_eq!(status_message(&b.get("/").await), "The repository acme/site has been deleted.");
    assert_eq!(s.get_status("/repos/acme/site", &token).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_collaborators() {
    let (s, alice, token, _git, _wt) = fixture().await;
    s.create_user("bob", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = "/alice/site/settings/collaboration";

    let done = b.submit(page, page, &[("collaborator", "bob")]).await;
    assert_eq!((done.status, done.location()), (303, page));
    let after = b.get(page).await;
    assert_eq!(status_message(&after), "bob is now a collaborator.");
    assert!(after.body.contains("<a href=\"/bob\">bob</a>"));
    assert!(after.body.contains("<option value=\"write\" selected>Write</option>"), "write access by default");
    let (_, list) = s.get_json("/repos/alice/site/collaborators", &token).await;
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": true, "pull": true}), "{list}");

    let done = b.submit(page, "/alice/site/settings/collaboration/access", &[("name", "bob"), ("mode", "read")]).await;
    assert_eq!(done.status, 303);
    assert!(b.get(page).await.body.contains("<option value=\"read\" selected>Read</option>"));
    let (_, list) = s.get_json("/repos/alice/site/collaborators", &token).await;
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    b.submit(page, "/alice/site/settings/collaboration/access", &[("name", "bob"), ("mode", "admin")]).await;
    let (_, list) = s.get_json("/repos/alice/site/collaborators", &token).await;
    assert_eq!(list[0]["permissions"]["admin"], true);

    // Unknown users and the owner: 422 with the name kept.
    for (name, field_kept) in [("nobody<b>", "value=\"nobody&lt;b&gt;\""), ("alice", "value=\"alice\"")] {
        let bad = b.submit(page, page, &[("collaborator", name)]).await;
        assert_eq!(bad.status, 422, "{name}");
        assert_html(&bad);
        assert!(bad.body.contains("role=\"alert\"") && bad.body.contains(field_kept), "{name}");
        assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"collaborator-error\""));
    }

    let done = b.submit(page, "/alice/site/settings/collaboration/delete", &[("name", "bob")]).await;
    assert_eq!(done.status, 303);
    assert_eq!(status_message(&b.get(page).await), "bob is no longer a collaborator.");
    let (_, list) = s.get_json("/repos/alice/site/collaborators", &token).await;
    assert_eq!(list, j!([]));
    // Someone who is not a collaborator cannot be changed or removed.
    let gone = b.submit(page, "/alice/site/settings/collaboration/delete", &[("name", "bob")]).await;
    assert_eq!(gone.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_deploy_keys() {
    let (s, alice, token, _git, _wt) = fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = "/alice/site/settings/keys";
    let ro = ed25519_key(1, "ro@host");
    let rw = ed25519_key(2, "rw@host");
    let done = b.submit(page, page, &[("title", "CI <read>"), ("content", &ro)]).await;
    assert_eq!((done.status, done.location()), (303, page));
    let done = b.submit(page, page, &[("title", "Deployer"), ("content", &rw), ("allow_write", "on")]).await;
    assert_eq!(done.status, 303);
    let after = b.get(page).await;
    assert_eq!(status_message(&after), "The deploy key has been added.");
    assert!(after.body.contains("CI &lt;read&gt;") && after.body.contains("SHA256:"));
    assert!(after.body.contains("Read-only") && after.body.contains("Read-write"));
    let (_, keys) = s.get_json("/repos/alice/site/keys", &token).await;
    let by_title = |t: &str| keys.as_array().unwrap().iter().find(|k| k["title"] == t).unwrap().clone();
    assert_eq!(by_title("CI <read>")["read_only"], true);
    assert_eq!(by_title("Deployer")["read_only"], false);

    // An invalid key, a used title: 422 with the form kept.
    let bad = b.submit(page, page, &[("title", "Broken"), ("content", "ssh-ed25519 nonsense")]).await;
    assert_eq!(bad.status, 422);
    assert_html(&bad);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("value=\"Broken\""));
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"content-error\""));
    assert!(bad.body.contains(">ssh-ed25519 nonsense</textarea>"));
    let bad = b.submit(page, page, &[("title", "Deployer"), ("content", &ed25519_key(3, "x"))]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"title-error\""));

    let id = by_title("Deployer")["id"].as_i64().unwrap().to_string();
    let done = b.submit(page, "/alice/site/settings/keys/delete", &[("id", &id)]).await;
    assert_eq!(done.status, 303);
    assert_eq!(status_message(&b.get(page).await), "The deploy key has been deleted.");
    let (_, keys) = s.get_json("/repos/alice/site/keys", &token).await;
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(b.submit(page, "/alice/site/settings/keys/delete", &[("id", &id)]).await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_branches_default_and_protection() {
    let (s, alice, token, git, wt) = fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let page = "/alice/site/settings/branches";

    let done = b.submit(page, page, &[("default_branch", "dev")]).await;
    assert_eq!((done.status, done.location()), (303, page));
    assert_eq!(status_message(&b.get(page).await), "The default branch is now dev.");
    assert_eq!(s.get_json("/repos/alice/site", &token).await.1["default_branch"], "dev");
    let bad = b.submit(page, page, &[("default_branch", "nope")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"default_branch-error\""));
    assert_eq!(s.get_json("/repos/alice/site", &token).await.1["default_branch"], "dev");

    // Require pull requests: direct pushes are refused, naming the branch.
    let master = "/alice/site/settings/branches/master";
    let done = b.submit(master, master, &[("protect", "on"), ("require_pr", "on")]).await;
    assert_eq!((done.status, done.location()), (303, master));
    let after = b.get(master).await;
    assert_eq!(status_message(&after), "The protection of branch master has been saved.");
    assert!(after.body.contains("id=\"protect\" name=\"protect\" type=\"checkbox\" checked"));
    assert!(after.body.contains("id=\"require_pr\" name=\"require_pr\" type=\"checkbox\" checked"));
    let (_, rule) = s.get_json("/repos/alice/site/branch_protections/master", &token).await;
    assert_eq!((rule["enable_push"].as_bool(), rule["enable_force_push"].as_bool()), (Some(false), Some(false)));
    std::fs::write(wt.join("a.txt"), "2\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "Two"]);
    let refused = git.run(Some(&wt), &["push", "origin", "master"]);
    assert!(!refused.ok && refused.stderr.contains("protected branch master"), "{}", refused.stderr);
    assert!(b.get(page).await.body.contains("<span class=\"tag\">Protected</span>"));

    // Users allowed to push are the exceptions; without "Require pull requests" they are refused.
    let bad = b.submit(master, master, &[("protect", "on"), ("push_users", "alice")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"push_users-error\""));
    assert!(bad.body.contains("value=\"alice\""));
    let bad = b.submit(master, master, &[("protect", "on"), ("require_pr", "on"), ("push_users", "nobody")]).await;
    assert_eq!(bad.status, 422);
    let done = b.submit(master, master, &[("protect", "on"), ("require_pr", "on"), ("push_users", "alice")]).await;
    assert_eq!(done.status, 303);
    assert!(b.get(master).await.body.contains("value=\"alice\""));
    let (_, rule) = s.get_json("/repos/alice/site/branch_protections/master", &token).await;
    assert_eq!(rule["push_whitelist_usernames"], j!(["alice"]));
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);

    // Protected only: pushes pass, force pushes and deletion do not.
    let done = b.submit(master, master, &[("protect", "on")]).await;
    assert_eq!(done.status, 303);
    git.ok(Some(&wt), &["reset", "-q", "--hard", "HEAD~1"]);
    let forced = git.run(Some(&wt), &["push", "-f", "origin", "master"]);
    assert!(!forced.ok && forced.stderr.contains("protected branch master"), "{}", forced.stderr);
    let deleted = git.run(Some(&wt), &["push", "origin", ":master"]);
    assert!(!deleted.ok, "{}", deleted.stderr);

    // Required status checks and approvals: shown again, stored as the API has them, checked.
    let bad = b.submit(master, master, &[("protect", "on"), ("status_check", "on"), ("status_contexts", " ")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"status_contexts-error\""), "{}", bad.body);
    let bad = b.submit(master, master, &[("protect", "on"), ("approvals", "two")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("value=\"two\" inputmode=\"numeric\" aria-invalid=\"true\""), "{}", bad.body);
    let fields =
        [("protect", "on"), ("status_check", "on"), ("status_contexts", "ci/build\r\nlint/<b>*"), ("approvals", "1")];
    let done = b.submit(master, master, &fields).await;
    assert_eq!(done.status, 303);
    let (_, rule) = s.get_json("/repos/alice/site/branch_protections/master", &token).await;
    assert_eq!((rule["enable_status_check"].as_bool(), rule["required_approvals"].as_i64()), (Some(true), Some(1)));
    assert_eq!(rule["status_check_contexts"], j!(["ci/build", "lint/<b>*"]));
    let shown = b.get(master).await.body;
    assert!(shown.contains("id=\"status_check\" name=\"status_check\" type=\"checkbox\" checked"), "{shown}");
    assert!(shown.contains(">ci/build\nlint/&lt;b&gt;*</textarea>"), "{shown}");
    assert!(shown.contains("id=\"approvals\" name=\"approvals\" type=\"text\" value=\"1\""), "{shown}");
    let done = b.submit(master, master, &[("protect", "on")]).await;
    assert_eq!(done.status, 303);
    let (_, rule) = s.get_json("/repos/alice/site/branch_protections/master", &token).await;
    assert_eq!((rule["enable_status_check"].as_bool(), rule["required_approvals"].as_i64()), (Some(false), Some(0)));

    // A pattern rule made over the API is named on the branches it covers.
    assert_eq!(s.post_status("/repos/alice/site/branch_protections", &token, j!({"rule_name": "d*"})).await, 201);
    let dev = b.get("/alice/site/settings/branches/dev").await;
    assert!(dev.body.contains("The pattern rule <code>d*</code> applies to this branch."), "{}", dev.body);

    // Unprotected: the rule is gone, the force push passes.
    let done = b.submit(master, master, &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(s.get_status("/repos/alice/site/branch_protections/master", &token).await, 404);
    git.ok(Some(&wt), &["push", "-q", "-f", "origin", "master"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repo_webhooks_deliveries_and_redelivery() {
    let (s, alice, token, _git, _wt) = fixture().await;
    // The first delivery fails (500), later ones succeed.
    let rx = Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), vec![500], Duration::ZERO);
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let new = "/alice/site/settings/hooks/gogs/new";

    // Refused URLs: 422 with the form kept and the secret not echoed.
    for url in ["not a url", "ftp://example.com/x", "http://10.1.2.3/hook", "http://169.254.169.254/"] {
        let bad = b
            .submit(
                new,
                new,
                &[("url", url), ("content_type", "form"), ("secret", "hunter2"), ("events_mode", "send_everything")],
            )
            .await;
        assert_eq!(bad.status, 422, "{url}");
        assert_html(&bad);
        assert!(bad.body.contains("role=\"alert\""), "{url}");
        assert!(bad.body.contains(&format!("value=\"{url}\"")), "{url} kept");
        assert!(bad.body.contains("aria-invalid=\"true\" aria-describedby=\"url-error\""), "{url}");
        assert!(bad.body.contains("<option value=\"form\" selected>"), "{url}");
        assert!(bad.body.contains("value=\"send_everything\" checked"), "{url}");
        assert!(!bad.body.contains("hunter2"), "the secret is not echoed");
    }
    let blocked = b
        .submit(new, new, &[("url", "http://10.1.2.3/hook"), ("content_type", "json"), ("events_mode", "push_only")])
        .await;
    assert!(blocked.body.contains("local network address"), "{}", blocked.body);
    assert_eq!(s.get_json("/repos/alice/site/hooks", &token).await.1, j!([]), "nothing created");

    // Added: push only, active, with a secret.
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
    let hook_page = done.location().to_string();
    assert!(hook_page.starts_with("/alice/site/settings/hooks/"), "{hook_page}");
    let shown = b.get(&hook_page).await;
    assert_eq!(status_message(&shown), "The webhook has been added.");
    assert!(!shown.body.contains("s3cr3t"));
    assert!(shown.body.contains("<h2 id=\"recent-deliveries\">Recent deliveries</h2>"));
    let (_, hooks) = s.get_json("/repos/alice/site/hooks", &token).await;
    assert_eq!(hooks[0]["config"]["url"], rx.url());
    assert_eq!((hooks[0]["events"].clone(), hooks[0]["active"].clone()), (j!(["push"]), j!(true)));
    let id = hooks[0]["id"].as_i64().unwrap();
    assert_eq!(hook_page, format!("/alice/site/settings/hooks/{id}"));
    assert_eq!(s.sql_i64(&format!("SELECT COUNT(*) FROM webhook WHERE id = {id} AND secret = 's3cr3t'")).await, 1);
    let list = b.get("/alice/site/settings/hooks").await;
    assert!(list.body.contains(&format!("href=\"{hook_page}\">{}</a>", rx.url())));
    assert!(list.body.contains("Not delivered yet"));

    // Test delivery: the receiver answers 500, shown under "Recent deliveries".
    let done = b.submit(&hook_page, &format!("{hook_page}/test"), &[]).await;
    assert_eq!((done.status, done.location()), (303, hook_page.as_str()));
    let got = rx.wait_for(1).await;
    assert_eq!(got[0].header("X-Gogs-Event"), "push");
    let uuid = got[0].header("X-Gogs-Delivery").to_string();
    let mut page = b.get(&hook_page).await;
    for _ in 0..100 {
        if page.body.contains("Invalid HTTP Response: 500") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = b.get(&hook_page).await;
    }
    assert!(page.body.contains("Invalid HTTP Response: 500"), "{}", page.body);
    assert!(page.body.contains(&format!("<code>{uuid}</code>")));
    assert!(page.body.contains("<details><summary>Request</summary>") && page.body.contains("X-Gogs-Event: push"));
    assert!(page.body.contains("<details><summary>Response</summary>") && page.body.contains("thanks"));
    assert!(page.body.contains("<time datetime=\""));
    assert!(b.get("/alice/site/settings/hooks").await.body.contains("Last delivery failed"));

    // Redeliver: the receiver gets the same delivery again, which now succeeds.
    let task = s.sql_i64(&format!("SELECT id FROM hook_task WHERE hook_id = {id}")).await;
    let action = format!("{hook_page}/deliveries/{task}/redeliver");
    assert!(page.body.contains(&format!("action=\"{action}\"")));
    let done = b.submit(&hook_page, &action, &[]).await;
    assert_eq!(done.status, 303);
    let got = rx.wait_for(2).await;
    assert_eq!(got[1].header("X-Gogs-Delivery"), uuid);
    let mut page = b.get(&hook_page).await;
    for _ in 0..100 {
        if page.body.contains("OK (200)") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = b.get(&hook_page).await;
    }
    assert!(page.body.contains("OK (200)") && page.body.contains("Redelivery"), "{}", page.body);

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
                ("events", "create"),
                ("events", "release"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (_, hook) = s.get_json(&format!("/repos/alice/site/hooks/{id}"), &token).await;
    assert_eq!(hook["events"], j!(["create", "release"]));
    assert_eq!((hook["active"].as_bool(), hook["config"]["content_type"].as_str()), (Some(false), Some("form")));
    assert_eq!(hook["config"]["url"], xss);
    assert_eq!(s.sql_i64(&format!("SELECT COUNT(*) FROM webhook WHERE id = {id} AND secret = 's3cr3t'")).await, 1);
    let edited = b.get(&hook_page).await;
    assert!(!edited.body.contains("<script>alert") && edited.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(edited.body.contains("id=\"event-create\" name=\"events\" type=\"checkbox\" value=\"create\" checked"));
    assert!(!b.get("/alice/site/settings/hooks").await.body.contains("<script>alert"));
    // "Let me choose" without any event: 422.
    let bad = b
        .submit(
            &hook_page,
            &hook_page,
            &[("url", &rx.url()), ("content_type", "json"), ("events_mode", "choose_events")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"events-error\""));
    // A hook that does not take pushes sends no test.
    let done = b.submit(&hook_page, &format!("{hook_page}/test"), &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(
        status_message(&b.get(&hook_page).await),
        "This webhook does not take push events, so no test delivery was sent."
    );

    // Delete.
    let done = b.submit(&hook_page, &format!("{hook_page}/delete"), &[]).await;
    assert_eq!((done.status, done.location()), (303, "/alice/site/settings/hooks"));
    assert_eq!(s.get_json("/repos/alice/site/hooks", &token).await.1, j!([]));
    assert_eq!(b.get(&hook_page).await.status, 404);
}
