//! The site administration pages (web-ui.md §6: `/admin…`): who may see them, each page's
//! content, the account forms through the services the admin API uses (checked over the API), the
//! end of a barred account's sessions, notices, escaping and forgery.

use serde_json::json as j;

use crate::support::*;

/// The `<table aria-label="NAME">…</table>` of the page.
fn table<'a>(page: &'a Page, name: &str) -> &'a str {
    let open = format!("<table aria-label=\"{name}\"");
    let at = page.body.find(&open).unwrap_or_else(|| panic!("a table {name} in {}", page.body));
    let rest = &page.body[at..];
    &rest[..rest.find("</table>").unwrap()]
}

/// The table row that contains `needle`.
fn row<'a>(table: &'a str, needle: &str) -> &'a str {
    let at = table.find(needle).unwrap_or_else(|| panic!("{needle} in {table}"));
    let start = table[..at].rfind("<tr").unwrap();
    let end = at + table[at..].find("</tr>").unwrap();
    &table[start..end]
}

async fn user_id(s: &TestServer, token: &str, name: &str) -> i64 {
    let (status, user) = s.get_json(&format!("/users/{name}"), token).await;
    assert_eq!(status, 200, "{user}");
    user["id"].as_i64().unwrap()
}

/// An administrator signed in, with a token for API checks.
async fn admin_browser(s: &TestServer) -> (Browser, TestUser, String) {
    let (root, token) = s.user_with_token("root", true).await;
    let mut b = Browser::new(s);
    b.sign_in(&root).await;
    (b, root, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_pages_are_for_site_admins_only() {
    let s = TestServer::start().await;
    let (_, token) = s.user_with_token("root", true).await;
    let alice = s.create_user("alice", false).await;
    let alice_id = user_id(&s, &token, "alice").await;
    let pages = [
        "/admin".to_string(),
        "/admin/users".into(),
        "/admin/users?q=a&page=2".into(),
        "/admin/users/new".into(),
        format!("/admin/users/{alice_id}"),
        "/admin/orgs".into(),
        "/admin/repos".into(),
        "/admin/notices".into(),
    ];
    let mut anon = Browser::new(&s);
    for page in &pages {
        let p = anon.get(page).await;
        assert_eq!(p.status, 303, "{page}");
        assert_eq!(p.location(), format!("/user/login?redirect_to={}", urlencode(page)), "{page}");
    }

    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let home = b.get("/").await;
    assert!(!home.body.contains("href=\"/admin\""), "no admin link for a non-admin");
    for page in &pages {
        let p = b.get(page).await;
        assert_eq!(p.status, 404, "{page}");
        assert_html(&p);
        assert!(p.body.contains("Page not found"));
    }
    let csrf = home.csrf();
    let alice_path = format!("/admin/users/{alice_id}");
    let alice_delete = format!("{alice_path}/delete");
    let posts: [(&str, Vec<(&str, &str)>); 5] = [
        ("/admin/users/new", vec![("user_name", "mallory"), ("email", "m@example.com"), ("password", "pw-12345678")]),
        (&alice_path, vec![("email", "alice@example.com"), ("admin", "on"), ("active", "on")]),
        (&alice_delete, vec![]),
        ("/admin/notices/empty", vec![]),
        ("/admin/users/x/delete", vec![]),
    ];
    for (path, fields) in posts {
        let mut form = vec![("_csrf", csrf.as_str())];
        form.extend(fields);
        assert_eq!(b.post(path, &form).await.status, 404, "POST {path}");
    }
    assert_eq!(s.get_status("/admin/stats", &alice).await, 403, "alice did not make herself an admin");
    assert_eq!(s.get_status("/users/mallory", &token).await, 404, "nobody was created");
    assert_eq!(s.get_status("/users/alice", &token).await, 200, "nobody was deleted");
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_dashboard_shows_the_counts() {
    let s = TestServer::start().await;
    let (mut b, root, token) = admin_browser(&s).await;
    s.create_user("alice", false).await;
    s.create_repo(&token, j!({"name": "tools", "private": true})).await;
    assert_eq!(s.post_status("/user/orgs", &root, j!({"username": "acme"})).await, 201);
    let (status, _) = s.post_json("/repos/root/tools/issues", &token, j!({"title": "First"})).await;
    assert_eq!(status, 201);

    let home = b.get("/").await;
    assert!(home.body.contains("<a href=\"/admin\">Site administration</a>"));
    let page = b.get("/admin").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("<h1>Site administration</h1>"));
    assert!(page.body.contains("<nav aria-label=\"Administration\""));
    for (href, link) in [
        ("/admin", "Dashboard"),
        ("/admin/users", "Users"),
        ("/admin/orgs", "Organizations"),
        ("/admin/repos", "Repositories"),
        ("/admin/notices", "Notices"),
    ] {
        assert!(
            page.body.contains(&format!("href=\"{href}\"")) && page.body.contains(&format!(">{link}</a>")),
            "{link}"
        );
    }
    let stats = table(&page, "Statistics");
    for (label, n) in [
        ("Users", 2),
        ("Organizations", 1),
        ("Repositories", 1),
        ("Issues", 1),
        ("Pull requests", 0),
        ("Public keys", 0),
        ("Webhooks", 0),
    ] {
        assert!(stats.contains(&format!("<th scope=\"row\">{label}</th><td>{n}</td>")), "{label} = {n} in {stats}");
    }
    assert!(page.body.contains(env!("CARGO_PKG_VERSION")), "the version");
    assert!(page.body.contains("Uptime"));
    assert_eq!(page.header("cache-control"), "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_creates_accounts() {
    let s = TestServer::start().await;
    let (mut b, _, token) = admin_browser(&s).await;
    let list = b.get("/admin/users").await;
    assert!(list.body.contains("<a href=\"/admin/users/new\" class=\"button\">Create user account</a>"));
    let form = b.get("/admin/users/new").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    for label in ["Username", "Email", "Password"] {
        assert!(form.body.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(form.body.contains(">Create user account</button>"));

    let done = b
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[("user_name", "bob"), ("email", "bob@example.com"), ("password", "bob-passw0rd")],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let id = user_id(&s, &token, "bob").await;
    assert_eq!(done.location(), format!("/admin/users/{id}"));
    let after = b.get(done.location()).await;
    assert_eq!(after.status, 200);
    assert_eq!(status_message(&after), "The account bob has been created.");
    let bob = TestUser { name: "bob".into(), password: "bob-passw0rd".into(), email: "bob@example.com".into() };
    assert_eq!(s.get_status("/user", &bob).await, 200, "bob can sign in with his password");
    assert_eq!(s.get_status("/admin/stats", &bob).await, 403, "a new account is no admin");

    let taken = b
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[("user_name", "bob"), ("email", "other@example.com"), ("password", "secret-passw0rd")],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert_html(&taken);
    assert_eq!(alert(&taken), "User already exists.");
    assert!(taken.body.contains("id=\"user_name\" name=\"user_name\" type=\"text\" value=\"bob\""), "the name is kept");
    assert!(taken.body.contains("value=\"other@example.com\""), "the e-mail is kept");
    assert!(taken.body.contains("aria-invalid=\"true\" aria-describedby=\"user_name-error\""));
    assert!(!taken.body.contains("secret-passw0rd"), "the password is never sent back");

    let bad = b
        .submit(
            "/admin/users/new",
            "/admin/users/new",
            &[("user_name", "carol"), ("email", "not an address"), ("password", "secret-passw0rd")],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("aria-describedby=\"email-error\""), "{}", bad.body);
    let bad_name = b
        .submit("/admin/users/new", "/admin/users/new", &[("user_name", "no spaces"), ("email", "c@example.com")])
        .await;
    assert_eq!(bad_name.status, 422);
    assert!(bad_name.body.contains("aria-describedby=\"user_name-error\""));
    assert_eq!(s.get_status("/users/carol", &token).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_edits_accounts() {
    let s = TestServer::start().await;
    let (mut b, _, token) = admin_browser(&s).await;
    let bob = s.create_user("bob", false).await;
    let id = user_id(&s, &token, "bob").await;
    let path = format!("/admin/users/{id}");
    let form = b.get(&path).await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("value=\"bob@example.com\""));
    for label in ["Email", "Full name", "Password", "Administrator", "Active", "Prohibit login"] {
        assert!(form.body.contains(&format!(">{label}</label>")), "{label}");
    }
    assert!(form.body.contains("id=\"active\" name=\"active\" checked"));
    assert!(form.body.contains(">Update account</button>") && form.body.contains(">Delete account</button>"));

    let done = b
        .submit(
            &path,
            &path,
            &[
                ("email", "robert@example.com"),
                ("full_name", "Robert"),
                ("password", ""),
                ("admin", "on"),
                ("active", "on"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), path);
    let after = b.get(&path).await;
    assert_eq!(status_message(&after), "The account bob has been updated.");
    let (_, user) = s.get_json("/users/bob", &token).await;
    assert_eq!(user["email"], "robert@example.com");
    assert_eq!(user["full_name"], "Robert");
    assert_eq!(s.get_status("/admin/stats", &bob).await, 200, "bob is an admin now, and his password was kept");
    let list = b.get("/admin/users").await;
    assert!(row(table(&list, "Users"), ">bob</a>").contains(">Admin<"), "the Admin marker");

    // A new password; then the admin flag taken away again.
    let done = b
        .submit(&path, &path, &[("email", "robert@example.com"), ("password", "n3w-passw0rd"), ("active", "on")])
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(s.get_status("/user", &bob).await, 401, "the old password stopped working");
    let renewed = TestUser { password: "n3w-passw0rd".into(), ..bob };
    assert_eq!(s.get_status("/admin/stats", &renewed).await, 403, "no longer an admin");
    let (_, user) = s.get_json("/users/bob", &token).await;
    assert_eq!(user["full_name"], "", "an emptied full name is written");

    // Refusals: the form again with the values, nothing changed.
    let taken = b
        .submit(&path, &path, &[("email", "root@example.com"), ("full_name", "Bobby"), ("password", "x-passw0rd-x")])
        .await;
    assert_eq!(taken.status, 422);
    assert_html(&taken);
    assert!(alert(&taken).starts_with("Email has been used"), "{}", alert(&taken));
    assert!(taken.body.contains("aria-describedby=\"email-error\""));
    assert!(taken.body.contains("value=\"Bobby\"") && taken.body.contains("value=\"root@example.com\""));
    assert!(!taken.body.contains("x-passw0rd-x"));
    let long = "x".repeat(101);
    let too_long = b.submit(&path, &path, &[("email", "robert@example.com"), ("full_name", &long)]).await;
    assert_eq!(too_long.status, 422);
    assert!(too_long.body.contains("aria-describedby=\"full_name-error\""));
    let (_, user) = s.get_json("/users/bob", &token).await;
    assert_eq!(user["email"], "robert@example.com");
    assert_eq!(s.get_status("/user", &renewed).await, 200, "the refused password was not set");

    // An administrator cannot lock themselves out here.
    let root_id = user_id(&s, &token, "root").await;
    let own = format!("/admin/users/{root_id}");
    for (fields, field) in [
        (vec![("email", "root@example.com"), ("active", "on")], "admin"),
        (vec![("email", "root@example.com"), ("admin", "on")], "active"),
        (
            vec![("email", "root@example.com"), ("admin", "on"), ("active", "on"), ("prohibit_login", "on")],
            "prohibit_login",
        ),
    ] {
        let refused = b.submit(&own, &own, &fields).await;
        assert_eq!(refused.status, 422, "{field}");
        assert!(refused.body.contains(&format!("aria-describedby=\"{field}-error\"")), "{field}");
    }
    let refused = b.submit(&own, &format!("{own}/delete"), &[]).await;
    assert_eq!(refused.status, 422);
    assert_eq!(alert(&refused), "You cannot delete your own account.");
    assert_eq!(b.get("/admin").await.status, 200, "still signed in, still an admin");

    assert_eq!(b.get("/admin/users/999999").await.status, 404);
    assert_eq!(b.get("/admin/users/nope").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_barring_an_account_ends_its_sessions() {
    let s = TestServer::start().await;
    let (mut admin, _, token) = admin_browser(&s).await;
    let bob = s.create_user("bob", false).await;
    let id = user_id(&s, &token, "bob").await;
    let path = format!("/admin/users/{id}");
    let sessions = format!("SELECT COUNT(*) FROM web_session WHERE user_id = {id}");

    // Deactivated: the session ends at once.
    let mut bobs = Browser::new(&s);
    bobs.sign_in(&bob).await;
    assert_eq!(bobs.get("/user/settings").await.status, 200);
    let done = admin.submit(&path, &path, &[("email", "bob@example.com")]).await;
    assert_eq!(done.status, 303);
    assert_eq!(s.sql_i64(&sessions).await, 0, "the session rows went in the same change");
    let gone = bobs.get("/user/settings").await;
    assert_eq!(gone.status, 303);
    assert!(gone.location().starts_with("/user/login?redirect_to="));
    let form = admin.get(&path).await;
    assert!(!form.body.contains("id=\"active\" name=\"active\" checked"));
    assert!(row(table(&admin.get("/admin/users").await, "Users"), ">bob</a>").contains(">Inactive<"));

    // Active again: bob signs in; then login prohibited ends that session too.
    assert_eq!(admin.submit(&path, &path, &[("email", "bob@example.com"), ("active", "on")]).await.status, 303);
    let mut bobs = Browser::new(&s);
    bobs.sign_in(&bob).await;
    assert_eq!(bobs.get("/user/settings").await.status, 200);
    let done =
        admin.submit(&path, &path, &[("email", "bob@example.com"), ("active", "on"), ("prohibit_login", "on")]).await;
    assert_eq!(done.status, 303);
    assert_eq!(bobs.get("/user/settings").await.status, 303, "a prohibited account is signed out at once");
    assert_eq!(s.get_status("/user", &bob).await, 403, "and the API refuses it");
    let again = bobs.submit("/user/login", "/user/login", &[("user_name", "bob"), ("password", &bob.password)]).await;
    assert_eq!(again.status, 422, "no new session either");

    // The session check itself refuses an inactive account, even if its session row survived.
    assert_eq!(admin.submit(&path, &path, &[("email", "bob@example.com"), ("active", "on")]).await.status, 303);
    let mut bobs = Browser::new(&s);
    bobs.sign_in(&bob).await;
    s.sql(&format!("UPDATE \"user\" SET is_active = FALSE WHERE id = {id}")).await;
    assert_eq!(s.sql_i64(&sessions).await, 1);
    assert_eq!(bobs.get("/user/settings").await.status, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_deletes_accounts_without_repositories() {
    let s = TestServer::start().await;
    let (mut admin, _, token) = admin_browser(&s).await;
    let (bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&bob_token, j!({"name": "keep"})).await;
    let id = user_id(&s, &token, "bob").await;
    let path = format!("/admin/users/{id}");
    let delete = format!("{path}/delete");

    let refused = admin.submit(&path, &delete, &[]).await;
    assert_eq!(refused.status, 422);
    assert_html(&refused);
    assert!(alert(&refused).contains("still owns repositories"), "{}", alert(&refused));
    assert!(refused.body.contains("<h1>Edit account bob</h1>"));
    assert_eq!(s.get_status("/users/bob", &token).await, 200, "still there");

    // A member of an organisation is refused too.
    let carol = s.create_user("carol", false).await;
    assert_eq!(s.post_status("/user/orgs", &carol, j!({"username": "acme"})).await, 201);
    let carol_id = user_id(&s, &token, "carol").await;
    let carol_path = format!("/admin/users/{carol_id}");
    let refused = admin.submit(&carol_path, &format!("{carol_path}/delete"), &[]).await;
    assert_eq!(refused.status, 422);
    assert!(alert(&refused).contains("organizations"));

    assert_eq!(s.delete_status("/repos/bob/keep", &bob_token).await, 204);
    let mut bobs = Browser::new(&s);
    bobs.sign_in(&bob).await;
    let done = admin.submit(&path, &delete, &[]).await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/admin/users");
    let list = admin.get("/admin/users").await;
    assert_eq!(status_message(&list), "The account bob has been deleted.");
    assert!(!table(&list, "Users").contains(">bob</a>"));
    assert_eq!(s.get_status("/users/bob", &token).await, 404);
    assert_eq!(bobs.get("/user/settings").await.status, 303, "the deleted account's session ended");
    assert_eq!(admin.get(&path).await.status, 404);
    let (_, acme) = s.get_json("/orgs/acme", &token).await;
    let acme_page = format!("/admin/users/{}", acme["id"].as_i64().unwrap());
    assert_eq!(admin.get(&acme_page).await.status, 404, "organisations are no accounts here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_lists_and_searches() {
    let s = TestServer::start().await;
    let (mut b, root, token) = admin_browser(&s).await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    s.create_user("albert", false).await;
    s.create_user("zed", false).await;
    s.create_repo(&alice_token, j!({"name": "secret-plans", "private": true, "description": "hidden"})).await;
    s.create_repo(&token, j!({"name": "public-site", "description": "<script>alert(1)</script>"})).await;
    assert_eq!(s.post_status("/user/orgs", &alice, j!({"username": "acme"})).await, 201);
    assert_eq!(s.post_status("/user/orgs", &root, j!({"username": "zeta"})).await, 201);
    s.create_repo(&alice_token, j!({"name": "acme-repo"})).await;
    let (status, _) = s.post_json("/org/acme/repos", &alice_token, j!({"name": "widgets"})).await;
    assert_eq!(status, 201);

    // Accounts: all of them, organisations left out; the search narrows by name.
    let users = b.get("/admin/users").await;
    assert_eq!(users.status, 200);
    assert_html(&users);
    assert!(users.body.contains("<label for=\"q\">Search</label>") && users.body.contains("name=\"q\""));
    let t = table(&users, "Users");
    for name in ["root", "alice", "albert", "zed"] {
        let id = user_id(&s, &token, name).await;
        assert!(t.contains(&format!("<a href=\"/admin/users/{id}\">{name}</a>")), "{name}");
        assert!(row(t, &format!(">{name}</a>")).contains(&format!("{name}@example.com")), "e-mail of {name}");
    }
    assert!(row(t, ">root</a>").contains(">Admin<") && !row(t, ">alice</a>").contains(">Admin<"));
    assert!(!t.contains("acme"), "organisations are not accounts");
    let found = b.get("/admin/users?q=AL").await;
    let t = table(&found, "Users");
    assert!(
        t.contains(">alice</a>") && t.contains(">albert</a>") && !t.contains(">zed</a>") && !t.contains(">root</a>")
    );
    assert!(found.body.contains("value=\"AL\""), "the search is kept");
    let none = b.get("/admin/users?q=nobody").await;
    assert!(table(&none, "Users").contains("No accounts found."));

    // Organisations, with member and repository counts.
    let orgs = b.get("/admin/orgs").await;
    assert_eq!(orgs.status, 200);
    assert_html(&orgs);
    let t = table(&orgs, "Organizations");
    assert!(row(t, "<a href=\"/acme\">acme</a>").contains("<td>1</td><td>1</td>"), "{t}");
    assert!(t.contains("<a href=\"/zeta\">zeta</a>"));
    let found = b.get("/admin/orgs?q=ze").await;
    let t = table(&found, "Organizations");
    assert!(t.contains(">zeta</a>") && !t.contains(">acme</a>"));

    // Repositories: private ones too, marked, each with its settings link.
    let repos = b.get("/admin/repos").await;
    assert_eq!(repos.status, 200);
    assert_html(&repos);
    let t = table(&repos, "Repositories");
    for full in ["alice/secret-plans", "root/public-site", "alice/acme-repo", "acme/widgets"] {
        let r = row(t, &format!("<a href=\"/{full}\">{full}</a>"));
        assert!(r.contains(&format!("<a href=\"/{full}/settings\">Settings</a>")), "{full}");
    }
    assert!(row(t, ">alice/secret-plans</a>").contains("<span class=\"tag\">Private</span>"));
    assert!(!row(t, ">root/public-site</a>").contains("Private"));
    assert!(t.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "descriptions are text");
    assert!(!repos.body.contains("<script>alert"));
    let found = b.get("/admin/repos?q=SECRET").await;
    let t = table(&found, "Repositories");
    assert!(t.contains(">alice/secret-plans</a>") && !t.contains(">root/public-site</a>"));
    let garbled = b.get("/admin/repos?page=abc").await;
    assert_eq!(garbled.status, 200, "a garbled page number is the first page");
    assert!(table(&garbled, "Repositories").contains(">alice/secret-plans</a>"));
    assert_eq!(b.get("/admin/repos?page=9223372036854775807").await.status, 200);
    let past = b.get("/admin/repos?page=5").await;
    assert!(table(&past, "Repositories").contains("No repositories found."));
    assert!(past.body.contains(">Previous</a>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_notices() {
    let s = TestServer::start().await;
    let (mut b, _, token) = admin_browser(&s).await;
    let empty = b.get("/admin/notices").await;
    assert_eq!(empty.status, 200);
    assert_html(&empty);
    assert!(empty.body.contains("<h1>Notices</h1>") && empty.body.contains("No notices"));
    assert!(!empty.body.contains("aria-label=\"Notices\""));

    for i in 0..27 {
        let kind = if i == 26 { 1 } else { 2 };
        let description = if i == 26 { "<script>alert(1)</script> mirror failed".to_string() } else { format!("n{i}") };
        s.sql(&format!(
            "INSERT INTO notice (type, description, created_unix) VALUES ({kind}, '{description}', {})",
            1_700_000_000 + i
        ))
        .await;
    }
    let page = b.get("/admin/notices").await;
    assert_html(&page);
    let t = table(&page, "Notices");
    let newest = row(t, "mirror failed");
    assert!(newest.contains("<td>Repository</td>") && newest.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(newest.contains("<time datetime=\"2023-11-14T22:13:46Z\">"), "{newest}");
    assert!(row(t, ">n25<").contains("<td>Task</td>"));
    assert!(!t.contains(">n0<"), "25 a page, newest first");
    assert!(page.body.contains("<a href=\"?page=2\">Next</a>"));
    let second = b.get("/admin/notices?page=2").await;
    let t = table(&second, "Notices");
    assert!(t.contains(">n0<") && t.contains(">n1<") && !t.contains(">n2<"));
    assert!(!page.body.contains("<script>alert"));

    let done = b.submit("/admin/notices", "/admin/notices/empty", &[]).await;
    assert_eq!(done.status, 303);
    assert_eq!(done.location(), "/admin/notices");
    let after = b.get("/admin/notices").await;
    assert_eq!(status_message(&after), "All notices have been deleted.");
    assert!(after.body.contains("No notices"));
    let (_, list) = s.get_json("/admin/notices", &token).await;
    assert_eq!(list, j!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_escapes_account_names() {
    let s = TestServer::start().await;
    let (mut b, _, token) = admin_browser(&s).await;
    s.create_user("bob", false).await;
    let id = user_id(&s, &token, "bob").await;
    let path = format!("/admin/users/{id}");
    let probe = "Bob <script>alert(1)</script>\" onmouseover=\"x";
    assert_eq!(
        b.submit(&path, &path, &[("email", "bob@example.com"), ("full_name", probe), ("active", "on")]).await.status,
        303
    );
    for page in [b.get(&path).await, b.get("/admin/users").await] {
        assert_html(&page);
        assert!(!page.body.contains("<script>alert") && !page.body.contains("\" onmouseover"), "{}", page.body);
        assert!(page.body.contains("Bob &lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_admin_posts_without_the_csrf_token_change_nothing() {
    let s = TestServer::start().await;
    let (mut b, _, token) = admin_browser(&s).await;
    let bob = s.create_user("bob", false).await;
    let id = user_id(&s, &token, "bob").await;
    s.sql("INSERT INTO notice (type, description, created_unix) VALUES (1, 'kept', 1700000000)").await;

    let create = b
        .post("/admin/users/new", &[("user_name", "eve"), ("email", "eve@example.com"), ("password", "eve-passw0rd")])
        .await;
    assert_eq!(create.status, 403);
    assert_html(&create);
    let edit = b.post(&format!("/admin/users/{id}"), &[("email", "bob@example.com"), ("admin", "on")]).await;
    assert_eq!(edit.status, 403);
    let wrong = [("_csrf", "0000000000000000000000000000000000000000")];
    assert_eq!(b.post(&format!("/admin/users/{id}/delete"), &wrong).await.status, 403);
    assert_eq!(b.post("/admin/notices/empty", &[]).await.status, 403);

    assert_eq!(s.get_status("/users/eve", &token).await, 404);
    assert_eq!(s.get_status("/admin/stats", &bob).await, 403, "bob is no admin");
    assert_eq!(s.get_status("/users/bob", &token).await, 200);
    let (_, list) = s.get_json("/admin/notices", &token).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}
