//! The web UI over plain HTTP (web-ui.md): pages, sessions, CSRF, access and escaping. A small
//! cookie-keeping client ([`Browser`]) stands in for the browser.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_landing_page_and_assets() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    let home = b.get("/").await;
    assert_eq!(home.status, 200);
    assert_html(&home);
    for link in ["href=\"/explore/repos\"", "href=\"/user/login\"", "href=\"/user/sign_up\""] {
        assert!(home.body.contains(link), "{link}");
    }
    let css = home.body.split("rel=\"stylesheet\" href=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(css.starts_with("/assets/style.") && css.ends_with(".css"), "{css}");
    let sheet = b.get(&css).await;
    assert_eq!(sheet.status, 200);
    assert_eq!(sheet.header("content-type"), "text/css; charset=utf-8");
    assert!(sheet.header("cache-control").contains("immutable"));
    assert!(sheet.body.contains("prefers-color-scheme: dark"));
    assert_eq!(b.get("/assets/style.000000000000.css").await.status, 404);
    let js = home.body.split("<script src=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    assert!(js.starts_with("/assets/app.") && js.ends_with(".js"), "{js}");
    let script = b.get(&js).await;
    assert_eq!(script.header("content-type"), "text/javascript; charset=utf-8");
    assert!(script.header("cache-control").contains("immutable"));
    assert!(script.body.contains("data-copy"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_sign_up_makes_the_first_account_an_admin_and_signs_in() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    let form = b.get("/user/sign_up").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    for label in ["Username", "Email", "Password", "Confirm password", "Create account"] {
        assert!(form.body.contains(&format!(">{label}<")), "{label}");
    }
    let csrf_cookie = form.header("set-cookie").to_string();
    assert!(csrf_cookie.contains("HttpOnly") && csrf_cookie.contains("SameSite=Lax"), "{csrf_cookie}");

    let done = b
        .post(
            "/user/sign_up",
            &[
                ("_csrf", &form.csrf()),
                ("user_name", "first"),
                ("email", "first@example.com"),
                ("password", "secret-pw-1"),
                ("retype", "secret-pw-1"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.location(), "/");
    let session = done.header("set-cookie");
    assert!(session.starts_with("hearth_session=") && session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("Max-Age"), "ends with the browser session: {session}");

    let dash = b.get("/").await;
    assert_html(&dash);
    assert!(dash.body.contains("<h1>Dashboard</h1>"));
    assert!(dash.body.contains("Site administration"), "the first account is a site admin");
    assert_eq!(dash.header("cache-control"), "no-store");

    // The API sees the account (and it is an admin); a second sign-up is not.
    let mut other = Browser::new(&s);
    let second = other
        .submit(
            "/user/sign_up",
            "/user/sign_up",
            &[("user_name", "second"), ("email", "second@example.com"), ("password", "pw-2-pw"), ("retype", "pw-2-pw")],
        )
        .await;
    assert_eq!(second.status, 303);
    assert!(!other.get("/").await.body.contains("Site administration"));
    let (status, body) = json(s.get("/users/first").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body["login"], "first");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_sign_up_errors_keep_the_form() {
    let s = TestServer::start().await;
    s.create_user("taken", false).await;
    let mut b = Browser::new(&s);
    let page = b
        .submit(
            "/user/sign_up",
            "/user/sign_up",
            &[("user_name", "newbie"), ("email", "n@example.com"), ("password", "pw-one-1"), ("retype", "pw-two-2")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("role=\"alert\""));
    assert!(page.body.contains("The passwords do not match."));
    assert!(page.body.contains("value=\"newbie\""), "the username is kept");
    assert!(!page.body.contains("pw-one-1"), "passwords are never sent back");
    assert!(page.body.contains("aria-invalid=\"true\" aria-describedby=\"retype-error\""));

    let dup = b
        .submit(
            "/user/sign_up",
            "/user/sign_up",
            &[("user_name", "taken"), ("email", "x@example.com"), ("password", "pw-one-1"), ("retype", "pw-one-1")],
        )
        .await;
    assert_eq!(dup.status, 422);
    assert!(dup.body.contains("User already exists."), "{}", dup.body);
    assert!(!b.cookies.contains_key("hearth_session"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_registration_can_be_disabled() {
    let s = TestServer::start_with(|raw| raw.set("service", "DISABLE_REGISTRATION", "true")).await;
    let mut b = Browser::new(&s);
    let page = b.get("/user/sign_up").await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("Registration is disabled"));
    assert!(!page.body.contains("<form method=\"post\" action=\"/user/sign_up\""));
    let csrf = b.get("/user/login").await.csrf();
    let post = b
        .post(
            "/user/sign_up",
            &[
                ("_csrf", &csrf),
                ("user_name", "x"),
                ("email", "x@example.com"),
                ("password", "p-p-p-p"),
                ("retype", "p-p-p-p"),
            ],
        )
        .await;
    assert_eq!(post.status, 403);
    assert!(!b.get("/").await.body.contains("/user/sign_up"), "no page links to it");
    assert_eq!(json(s.get("/users/x").send().await.unwrap()).await.0, 404, "nothing was created");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_sign_in_failures_redirects_and_sign_out() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    for (login, password) in [("alice", "wrong"), ("nobody", "whatever")] {
        let page = b.submit("/user/login", "/user/login", &[("user_name", login), ("password", password)]).await;
        assert_eq!(page.status, 422);
        assert!(page.body.contains("Incorrect username or password."));
        assert!(page.body.contains(&format!("value=\"{login}\"")));
        assert!(!page.body.contains(&format!("value=\"{password}\"")), "the password is not sent back");
    }
    // A safe redirect_to is followed; an off-site one is not.
    let page = b
        .submit(
            "/user/login",
            "/user/login",
            &[("user_name", "alice@example.com"), ("password", &alice.password), ("redirect_to", "/explore/users")],
        )
        .await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/explore/users");
    let first_session = b.cookies["hearth_session"].clone();
    assert_eq!(b.get("/user/login").await.location(), "/", "a signed-in viewer is sent home from the form");
    let mut other = Browser::new(&s);
    let page = other
        .submit(
            "/user/login",
            "/user/login",
            &[("user_name", "alice"), ("password", &alice.password), ("redirect_to", "//evil.example/")],
        )
        .await;
    assert_eq!(page.location(), "/", "an off-site redirect_to is not followed");

    // GET /user/logout signs nobody out; the POST ends the session on the server.
    assert_ne!(b.get("/user/logout").await.status, 303);
    assert!(b.get("/").await.body.contains("Dashboard"));
    let csrf = b.get("/").await.csrf();
    let out = b.post("/user/logout", &[("_csrf", &csrf)]).await;
    assert_eq!(out.status, 303);
    assert!(!b.get("/").await.body.contains("Dashboard"));
    let mut replay = Browser::new(&s);
    replay.cookies.insert("hearth_session".into(), first_session);
    assert!(!replay.get("/").await.body.contains("Dashboard"), "the old cookie signs nobody in");

    // Pages that need an account send anonymous visitors to sign in and back.
    let mut anon = Browser::new(&s);
    anon.get("/").await;
    let csrf = anon.cookies["hearth_csrf"].clone();
    let star = anon.post("/alice/none/action/star", &[("_csrf", &csrf)]).await;
    assert_eq!(star.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_posts_without_the_csrf_token_or_from_another_origin_change_nothing() {
    let s = TestServer::start().await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let missing = b.post("/user/logout", &[]).await;
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("<h1>Forbidden</h1>"));
    let wrong = b.post("/user/logout", &[("_csrf", "0000000000000000000000000000000000000000")]).await;
    assert_eq!(wrong.status, 403);
    let csrf = b.get("/").await.csrf();
    let cross = b
        .client
        .post(format!("{}/user/logout", b.base))
        .header("Cookie", b.cookie_header())
        .header("Origin", "https://evil.example")
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
    assert!(b.get("/").await.body.contains("Dashboard"), "still signed in");
}

/// alice/site: a README with markup and a script, a source file, a nested file, two commits.
async fn repo_fixture() -> (TestServer, TestUser, String, Git) {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "site", "description": "<b>bold</b> & <script>alert(1)</script>"})).await;
    let git = Git::new();
    let wt = git.work_tree("site", "README.md", "# Hello\n\nSome *text*.\n\n<script>alert('readme')</script>\n");
    std::fs::create_dir_all(wt.join("src")).unwrap();
    std::fs::write(wt.join("src/main.rs"), "fn main() {\n    println!(\"<hi>\");\n}\n").unwrap();
    std::fs::write(wt.join("notes.txt"), "one\ntwo\nthree\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Add <main> & notes\n\nThe body <i>line</i>."]);
    std::fs::write(wt.join("notes.txt"), "one\n2\nthree\nfour\n").unwrap();
    git.ok(Some(&wt), &["commit", "-q", "-am", "Change notes"]);
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "site");
    git.ok(Some(&wt), &["push", "-q", &url, "master"]);
    (s, alice, token, git)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_repository_home_tree_file_and_raw() {
    let (s, _alice, token, _git) = repo_fixture().await;
    let mut b = Browser::new(&s);
    let home = b.get("/alice/site").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert_html(&home);
    assert!(home.body.contains("<title>alice/site · hearth</title>"));
    assert!(home.body.contains("<h1>alice/site</h1>"));
    assert!(home.body.contains("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;"), "the description is text");
    let (_, api) = json(s.get("/repos/alice/site").token(&token).send().await.unwrap()).await;
    assert!(home.body.contains(&format!("value=\"{}\"", api["clone_url"].as_str().unwrap())));
    assert!(home.body.contains("aria-label=\"Files\""));
    assert!(home.body.contains("href=\"/alice/site/src/master/src\""), "directories link into the tree");
    assert!(home.body.contains("href=\"/alice/site/src/master/notes.txt\""));
    assert!(home.body.find(">src</a>").unwrap() < home.body.find(">notes.txt</a>").unwrap(), "directories first");
    assert!(home.body.contains("<em>text</em>"), "the README is rendered");
    assert!(!home.body.contains("alert('readme')"), "and sanitised");
    assert!(home.body.contains(">3 commits<"), "the initial commit, then two");
    assert!(home.body.contains("<button type=\"button\" data-copy=\"clone-http\" hidden>Copy</button>"));
    // The last commit of each entry: notes.txt changed last, src/ in the commit before.
    let row = |name: &str| {
        home.body.split(&format!(">{name}</a>")).nth(1).unwrap().split("</tr>").next().unwrap().to_string()
    };
    let (_, commits) = json(s.get("/repos/alice/site/commits").token(&token).send().await.unwrap()).await;
    let (newest, middle) = (commits[0]["sha"].as_str().unwrap(), commits[1]["sha"].as_str().unwrap());
    assert!(row("notes.txt").contains(&format!("href=\"/alice/site/commit/{newest}\">Change notes</a>")));
    assert!(row("src").contains(&format!("href=\"/alice/site/commit/{middle}\">Add &lt;main&gt; &amp; notes</a>")));
    assert!(row("README.md").contains(">add README.md</a>"), "{}", row("README.md"));
    assert!(home.body.contains("1 branches") && home.body.contains("0 tags"));

    let dir = b.get("/alice/site/src/master/src").await;
    assert_eq!(dir.status, 200);
    assert!(dir.body.contains("aria-label=\"Breadcrumb\""));
    assert!(dir.body.contains("href=\"/alice/site/src/master/src/main.rs\""));

    let file = b.get("/alice/site/src/master/src/main.rs").await;
    assert_eq!(file.status, 200);
    assert_html(&file);
    assert!(file.body.contains("aria-label=\"File content\""));
    assert!(file.body.contains("id=\"L2\"><a href=\"#L2\">2</a>"));
    assert!(file.body.contains("&lt;hi&gt;") && !file.body.contains("<hi>"), "file contents are escaped");
    assert!(file.body.contains("<span class=\"hl-"), "Rust is highlighted");
    assert!(file.body.contains("href=\"/alice/site/raw/master/src/main.rs\">Raw<"));
    assert!(file.body.contains("3 lines"));

    let md = b.get("/alice/site/src/master/README.md").await;
    assert!(md.body.contains("<article class=\"markdown\">") && md.body.contains(">Source<"));
    let source = b.get("/alice/site/src/master/README.md?display=source").await;
    assert!(source.body.contains("aria-label=\"File content\"") && source.body.contains("&lt;"));
    assert!(!source.body.contains("<script>"), "the source is text, also when highlighted");

    let raw = b.get("/alice/site/raw/master/src/main.rs").await;
    assert_eq!(raw.status, 200);
    assert_eq!(raw.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(raw.header("x-content-type-options"), "nosniff");
    assert_eq!(raw.body, "fn main() {\n    println!(\"<hi>\");\n}\n");

    assert_eq!(b.get("/alice/site/src/master/missing.txt").await.status, 404);
    assert_eq!(b.get("/alice/site/src/nobranch/README.md").await.status, 404);
    let git_url = b.get("/alice/site.git").await;
    assert_eq!(git_url.status, 303);
    assert_eq!(git_url.location(), "/alice/site");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_commit_history_and_diff() {
    let (s, _alice, token, _git) = repo_fixture().await;
    let mut b = Browser::new(&s);
    let list = b.get("/alice/site/commits/master").await;
    assert_eq!(list.status, 200);
    assert_html(&list);
    assert!(list.body.contains("<h1>Commits</h1>"));
    assert!(list.body.contains("Add &lt;main&gt; &amp; notes"), "subjects are escaped");
    let (_, commits) = json(s.get("/repos/alice/site/commits").token(&token).send().await.unwrap()).await;
    let head = commits[0]["sha"].as_str().unwrap().to_string();
    let first = commits[1]["sha"].as_str().unwrap().to_string();
    assert!(list.body.contains(&format!("href=\"/alice/site/commit/{head}\"")));
    assert!(list.body.contains(&head[..7]));
    let touching = b.get("/alice/site/commits/master/src/main.rs").await;
    assert!(touching.body.contains("Add &lt;main&gt;") && !touching.body.contains("Change notes"));

    let commit = b.get(&format!("/alice/site/commit/{head}")).await;
    assert_eq!(commit.status, 200);
    assert_html(&commit);
    assert!(commit.body.contains("<h1>Change notes</h1>"));
    assert!(commit.body.contains(&format!("href=\"/alice/site/commit/{first}\"")), "the parent links");
    assert!(commit.body.contains("1 changed files"));
    assert!(
        commit.body.contains("<pre>-two</pre>")
            && commit.body.contains("<pre>+2</pre>")
            && commit.body.contains("<pre>+four</pre>")
    );
    assert!(commit.body.contains("@@ -1,3 +1,4 @@"));

    let diff = b.get(&format!("/alice/site/commit/{head}.diff")).await;
    assert_eq!(diff.header("content-type"), "text/plain; charset=utf-8");
    assert!(diff.body.starts_with("diff --git a/notes.txt b/notes.txt\n--- a/notes.txt\n+++ b/notes.txt\n@@ -1,3 +1,4 @@\n one\n-two\n+2\n three\n+four\n"), "{}", diff.body);
    let patch = b.get(&format!("/alice/site/commit/{first}.patch")).await;
    assert!(patch.body.contains("Subject: [PATCH] Add <main> & notes"));
    assert!(patch.body.contains("new file mode 100644"));
    let root = b.get(&format!("/alice/site/commit/{first}")).await;
    assert!(root.body.contains("The body &lt;i&gt;line&lt;/i&gt;."));
    assert!(root.body.contains("added"));
    assert_eq!(b.get("/alice/site/commit/0123456789abcdef0123456789abcdef01234567").await.status, 404);
    assert_eq!(b.get("/alice/site/commit/not-a-sha").await.status, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_private_repositories_are_not_found_for_others() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "secret", "private": true, "auto_init": true, "readme": "Default"})).await;
    let mut anon = Browser::new(&s);
    let missing = anon.get("/alice/nothing-here").await;
    let hidden = anon.get("/alice/secret").await;
    assert_eq!(hidden.status, 404);
    assert_html(&hidden);
    assert!(hidden.body.contains("<h1>Page not found</h1>"));
    assert_eq!(hidden.body, missing.body, "a private repository looks exactly like a missing one");
    assert_eq!(anon.get("/alice/secret/src/master/README.md").await.status, 404);
    assert_eq!(anon.get("/alice/secret/raw/master/README.md").await.status, 404);
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    assert_eq!(b.get("/alice/secret").await.status, 404);
    assert!(!b.get("/alice").await.body.contains("secret"), "the profile does not list it to others");
    let mut a = Browser::new(&s);
    a.sign_in(&alice).await;
    let own = a.get("/alice/secret").await;
    assert_eq!(own.status, 200);
    assert!(own.body.contains(">Private<"));
    assert!(a.get("/alice").await.body.contains("href=\"/alice/secret\""));
    assert!(a.get("/").await.body.contains("href=\"/alice/secret\""), "the dashboard lists it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_star_and_watch_buttons() {
    let (s, alice, token, _git) = repo_fixture().await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let home = b.get("/alice/site").await;
    assert!(home.body.contains(">Star 0<"));
    let starred = b.post("/alice/site/action/star", &[("_csrf", &home.csrf())]).await;
    assert_eq!(starred.status, 303);
    let (_, repo) = json(s.get("/repos/alice/site").token(&token).send().await.unwrap()).await;
    assert_eq!(repo["stars_count"], 1);
    let home = b.get("/alice/site").await;
    assert!(home.body.contains(">Unstar 1<"));
    let unwatch = b.post("/alice/site/action/unwatch", &[("_csrf", &home.csrf())]).await;
    assert_eq!(unwatch.status, 303);
    assert!(b.get("/alice/site").await.body.contains(">Watch 0<"));
    assert_eq!(b.post("/alice/site/action/explode", &[("_csrf", &home.csrf())]).await.status, 404);
    let mut anon = Browser::new(&s);
    anon.get("/alice/site").await;
    let csrf = anon.cookies["hearth_csrf"].clone();
    let page = anon.post("/alice/site/action/star", &[("_csrf", &csrf)]).await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/user/login?redirect_to="), "{}", page.location());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_every_html_url_the_api_hands_out_is_a_page() {
    let (s, _alice, token, _git) = repo_fixture().await;
    let (_, repo) = json(s.get("/repos/alice/site").token(&token).send().await.unwrap()).await;
    let (_, commits) = json(s.get("/repos/alice/site/commits").token(&token).send().await.unwrap()).await;
    let (_, readme) = json(s.get("/repos/alice/site/contents/README.md").token(&token).send().await.unwrap()).await;
    let (_, dir) = json(s.get("/repos/alice/site/contents/src").token(&token).send().await.unwrap()).await;
    let urls = [
        repo["html_url"].as_str().unwrap().to_string(),
        repo["owner"]["html_url"].as_str().map(str::to_string).unwrap_or_else(|| format!("{}alice", s.base)),
        commits[0]["html_url"].as_str().unwrap().to_string(),
        readme["html_url"].as_str().unwrap().to_string(),
        dir[0]["html_url"].as_str().unwrap().to_string(),
    ];
    let client = reqwest::Client::new();
    for url in urls {
        let resp = client.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8", "{url}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_unknown_paths_are_html_404_and_the_api_keeps_json() {
    let s = TestServer::start().await;
    let mut b = Browser::new(&s);
    for path in ["/no-such-user", "/no/such/deep/path/here", "/explore/nothing"] {
        let page = b.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert_html(&page);
        assert!(page.body.contains("Page not found"));
    }
    let api = b.get("/api/v1/no-such-route").await;
    assert_eq!(api.status, 404);
    assert!(api.header("content-type").starts_with("application/json"));
    let api = b.get("/api/v2/x").await;
    assert_eq!(api.status, 404);
    assert!(api.header("content-type").starts_with("application/json"), "{}", api.header("content-type"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_require_signin_view_sends_visitors_to_sign_in() {
    let s = TestServer::start_with(|raw| raw.set("auth", "REQUIRE_SIGNIN_VIEW", "true")).await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    let page = b.get("/explore/repos?q=x").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/user/login?redirect_to=%2Fexplore%2Frepos%3Fq%3Dx");
    assert_eq!(b.get("/user/login").await.status, 200);
    b.sign_in(&alice).await;
    assert_eq!(b.get("/explore/repos").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_explore_and_profiles() {
    let (s, _alice, token, _git) = repo_fixture().await;
    s.create_repo(&token, j!({"name": "hidden", "private": true})).await;
    let (status, _) = json(s.post("/orgs").token(&token).json(&j!({"username": "acme"})).send().await.unwrap()).await;
    assert_eq!(status, 201);
    let mut b = Browser::new(&s);
    let repos = b.get("/explore/repos").await;
    assert_html(&repos);
    assert!(repos.body.contains("href=\"/alice/site\">alice/site</a>"));
    assert!(!repos.body.contains("hidden"));
    assert!(b.get("/explore/repos?q=nomatch").await.body.contains("No repositories yet."));
    let users = b.get("/explore/users").await;
    assert!(users.body.contains("href=\"/alice\"") && !users.body.contains("href=\"/acme\""));
    let orgs = b.get("/explore/organizations").await;
    assert!(orgs.body.contains("href=\"/acme\"") && !orgs.body.contains("href=\"/alice\""));
    let profile = b.get("/alice").await;
    assert_html(&profile);
    assert!(profile.body.contains("<h1>alice"));
    assert!(profile.body.contains("alt=\"alice's avatar\"") || profile.body.contains("alt=\"alice&#x27;s avatar\""));
    assert!(profile.body.contains("href=\"/alice/site\"") && !profile.body.contains("hidden"));
    assert!(profile.body.contains(">Followers 0<"));
    assert_eq!(b.get("/acme").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_new_repository_form_creates_through_the_service() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (status, _) = json(s.post("/orgs").token(&token).json(&j!({"username": "acme"})).send().await.unwrap()).await;
    assert_eq!(status, 201);
    let mut anon = Browser::new(&s);
    let page = anon.get("/repo/create").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.location(), "/user/login?redirect_to=%2Frepo%2Fcreate");

    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let form = b.get("/repo/create").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    for label in ["Owner", "Repository name", "Description (optional)", ".gitignore", "License", "Create repository"] {
        assert!(form.body.contains(&format!(">{label}<")), "{label}");
    }
    assert!(form.body.contains("<option selected>alice</option>") && form.body.contains("<option>acme</option>"));

    let bad = b.post("/repo/create", &[("_csrf", &form.csrf()), ("owner", "alice"), ("name", "bad name!")]).await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("role=\"alert\"") && bad.body.contains("value=\"bad name!\""));
    assert!(bad.body.contains("aria-invalid=\"true\""));
    let foreign = b.post("/repo/create", &[("_csrf", &form.csrf()), ("owner", "bob"), ("name", "x")]).await;
    assert_eq!(foreign.status, 422);

    let made = b
        .post(
            "/repo/create",
            &[
                ("_csrf", &form.csrf()),
                ("owner", "acme"),
                ("name", "tools"),
                ("description", "Team <tools>"),
                ("private", "on"),
                ("auto_init", "on"),
            ],
        )
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    assert_eq!(made.location(), "/acme/tools");
    let (status, repo) = json(s.get("/repos/acme/tools").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(repo["private"], true);
    assert_eq!(repo["description"], "Team <tools>");
    let home = b.get("/acme/tools").await;
    assert!(home.body.contains("aria-label=\"Files\"") && home.body.contains("README.md"), "initialised with a README");
    let again = b.post("/repo/create", &[("_csrf", &form.csrf()), ("owner", "acme"), ("name", "tools")]).await;
    assert_eq!(again.status, 422, "a duplicate name is refused");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_branch_and_tag_lists() {
    let (s, alice, _token, git) = repo_fixture().await;
    let wt = git.path("site");
    git.ok(Some(&wt), &["tag", "v1.0"]);
    git.ok(Some(&wt), &["branch", "feature/x"]);
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "site");
    git.ok(Some(&wt), &["push", "-q", &url, "v1.0", "feature/x"]);
    let mut b = Browser::new(&s);
    let branches = b.get("/alice/site/branches").await;
    assert_eq!(branches.status, 200);
    assert_html(&branches);
    assert!(branches.body.contains("<h1>Branches</h1>"));
    let master = branches.body.find(">master</a>").unwrap();
    assert!(master < branches.body.find(">feature/x</a>").unwrap(), "the default branch first");
    assert!(branches.body.contains(">Default<"));
    assert!(branches.body.contains("href=\"/alice/site/src/feature/x\""));
    assert!(branches.body.contains("href=\"/alice/site/compare/master...feature/x\">New pull request<"));
    let tags = b.get("/alice/site/tags").await;
    assert!(tags.body.contains("<h1>Tags</h1>") && tags.body.contains("href=\"/alice/site/archive/v1.0.zip\">ZIP<"));
    let zip = b.client.get(format!("{}/alice/site/archive/v1.0.zip", b.base)).send().await.unwrap();
    assert_eq!(zip.status(), 200);
    assert!(zip.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(&zip.bytes().await.unwrap()[..2], b"PK");
    assert_eq!(b.get("/alice/site/archive/nope.zip").await.status, 404);
    let file = b.get("/alice/site/src/feature/x/notes.txt").await;
    assert_eq!(file.status, 200, "a branch with a slash resolves");
    assert!(file.body.contains("href=\"/alice/site/raw/feature/x/notes.txt\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_follow_buttons_and_people_lists() {
    let (s, alice, _token, _git) = repo_fixture().await;
    let bob = s.create_user("bob", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&bob).await;
    let profile = b.get("/alice").await;
    assert!(profile.body.contains(">Follow<"));
    let followed = b.post("/alice/action/follow", &[("_csrf", &profile.csrf())]).await;
    assert_eq!(followed.status, 303);
    assert_eq!(followed.location(), "/alice");
    assert!(b.get("/alice").await.body.contains(">Unfollow<"));
    assert!(!b.get("/bob").await.body.contains(">Follow<"), "no button on one's own profile");
    let followers = b.get("/alice/followers").await;
    assert_eq!(followers.status, 200);
    assert_html(&followers);
    assert!(followers.body.contains("<h1>Followers</h1>") && followers.body.contains("href=\"/bob\""));
    assert!(b.get("/bob/following").await.body.contains("href=\"/alice\""));

    let home = b.get("/alice/site").await;
    b.post("/alice/site/action/star", &[("_csrf", &home.csrf())]).await;
    let stargazers = b.get("/alice/site/stars").await;
    assert!(stargazers.body.contains("<h1>Stargazers</h1>") && stargazers.body.contains("href=\"/bob\""));
    let watchers = b.get("/alice/site/watchers").await;
    assert!(watchers.body.contains("<h1>Watchers</h1>") && watchers.body.contains("href=\"/alice\""));
    let stars = b.get("/bob/stars").await;
    assert!(stars.body.contains("href=\"/alice/site\""));
    assert_eq!(b.get("/nobody/followers").await.status, 404);
    let _ = alice;
}
