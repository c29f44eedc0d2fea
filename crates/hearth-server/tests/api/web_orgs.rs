//! The organisation pages (web-ui.md §6: `/org/…`): creating an organisation, its settings,
//! people and teams through the services the org and team API use (checked over the API), who may
//! see and change what (404, never 403, for a signed-in viewer who may not), escaping and forgery.

use serde_json::json as j;

use crate::support::*;

/// The `<li>` that contains `needle`.
fn item<'a>(body: &'a str, needle: &str) -> &'a str {
    let at = body.find(needle).unwrap_or_else(|| panic!("{needle} in {body}"));
    let start = body[..at].rfind("<li").unwrap();
    let end = at + body[at..].find("</li>").unwrap();
    &body[start..end]
}

/// Follow a 303 and return the page it leads to.
async fn follow(b: &mut Browser, p: &Page) -> Page {
    assert_eq!(p.status, 303, "{}", p.body);
    let next = b.get(p.location()).await;
    assert_eq!(next.status, 200, "{}", next.body);
    assert_html(&next);
    next
}

/// alice owns `acme` (created through the page), bob is a plain member, carol an outsider.
async fn fixture(s: &TestServer) -> (Browser, String, String, String) {
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let (_, bob_token) = s.user_with_token("bob", false).await;
    let (_, carol_token) = s.user_with_token("carol", false).await;
    let mut b = Browser::new(s);
    b.sign_in(&alice).await;
    let p = b.submit("/org/create", "/org/create", &[("org_name", "acme"), ("description", "Tools")]).await;
    assert_eq!(p.location(), "/acme");
    let (status, _) = s.put_json("/orgs/acme/memberships/bob", &alice_token, j!({"role": "member"})).await;
    assert_eq!(status, 200);
    (b, alice_token, bob_token, carol_token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_create_and_its_errors() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    let form = b.get("/org/create").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<h1>New organization</h1>"));
    assert!(form.body.contains(">Organization name</label>") && form.body.contains(">Create organization</button>"));

    let p = b.submit("/org/create", "/org/create", &[("org_name", "acme"), ("description", "<b>d</b>")]).await;
    assert_eq!(p.location(), "/acme");
    let home = follow(&mut b, &p).await;
    assert!(status_message(&home).contains("acme"));
    assert!(home.body.contains("&lt;b&gt;d&lt;/b&gt;"));
    for link in
        ["/org/acme/members\">People", "/org/acme/teams\">Teams", "/org/acme/settings\">Settings", "New repository"]
    {
        assert!(home.body.contains(link), "{link}");
    }
    let (status, org) = s.get_json("/orgs/acme", &token).await;
    assert_eq!(status, 200);
    assert_eq!(org["description"], "<b>d</b>");

    // Taken, reserved or malformed names: 422, the form again with the values kept.
    for name in ["acme", "alice", "bad name", ""] {
        let p = b.submit("/org/create", "/org/create", &[("org_name", name), ("description", "kept")]).await;
        assert_eq!(p.status, 422, "{name}");
        assert_html(&p);
        assert!(!alert(&p).is_empty());
        assert!(p.body.contains("aria-invalid=\"true\" aria-describedby=\"org_name-error\""), "{name}");
        assert!(p.body.contains("value=\"kept\""));
    }
    let (_, mine) = s.get_json("/user/orgs", &token).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // Anonymous visitors sign in first.
    let mut anon = Browser::new(&s);
    let p = anon.get("/org/create").await;
    assert_eq!(p.status, 303);
    assert!(p.location().starts_with("/user/login?redirect_to="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_creation_disabled_is_not_found_for_regular_users() {
    let s = TestServer::start_with(|c| c.set("admin", "DISABLE_REGULAR_ORG_CREATION", "true")).await;
    let (root, root_token) = s.user_with_token("root", true).await;
    let alice = s.create_user("alice", false).await;
    let mut b = Browser::new(&s);
    b.sign_in(&alice).await;
    // 404 as every page a signed-in viewer may not use (web-ui.md §2), GET and POST.
    assert_eq!(b.get("/org/create").await.status, 404);
    let csrf = b.get("/").await.csrf();
    assert_eq!(b.post("/org/create", &[("_csrf", &csrf), ("org_name", "nope")]).await.status, 404);
    assert_eq!(s.get_status("/orgs/nope", &root_token).await, 404);
    // Site admins still may.
    let mut a = Browser::new(&s);
    a.sign_in(&root).await;
    let p = a.submit("/org/create", "/org/create", &[("org_name", "adminorg")]).await;
    assert_eq!(p.location(), "/adminorg");
    // The header offers "New organization" only to who may use it.
    assert!(!b.get("/").await.body.contains("New organization"));
    assert!(a.get("/").await.body.contains("<a href=\"/org/create\">New organization</a>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_settings_update_and_escape() {
    let s = TestServer::start().await;
    let (mut b, token, _, _) = fixture(&s).await;
    let form = b.get("/org/acme/settings").await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    for label in ["Full name", "Description", "Website", "Location"] {
        assert!(form.body.contains(&format!(">{label}</label>")), "{label}");
    }
    let probe = "<script>alert(1)</script>";
    let p = b
        .submit(
            "/org/acme/settings",
            "/org/acme/settings",
            &[
                ("full_name", "Acme Inc"),
                ("description", probe),
                ("website", "https://acme.example"),
                ("location", "Here"),
            ],
        )
        .await;
    let next = follow(&mut b, &p).await;
    assert!(status_message(&next).contains("updated"));
    assert!(!next.body.contains(probe));
    assert!(next.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let (_, org) = s.get_json("/orgs/acme", &token).await;
    assert_eq!(org["full_name"], "Acme Inc");
    assert_eq!(org["description"], probe);
    assert_eq!(org["website"], "https://acme.example");
    assert_eq!(org["location"], "Here");
    let profile = b.get("/acme").await;
    assert!(!profile.body.contains(probe));

    let long = "x".repeat(256);
    let p = b.submit("/org/acme/settings", "/org/acme/settings", &[("location", &long), ("full_name", "Kept")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("aria-describedby=\"location-error\""));
    assert!(p.body.contains("value=\"Kept\""));
    assert_eq!(s.get_json("/orgs/acme", &token).await.1["location"], "Here");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_members_list_and_remove() {
    let s = TestServer::start().await;
    let (mut b, token, bob_token, _) = fixture(&s).await;
    let page = b.get("/org/acme/members").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("<h1>People</h1>"));
    assert!(item(&page.body, "href=\"/bob\"").contains(">Remove</button>"));
    // The memberships are private (as the API makes them): only members see them.
    let mut anon = Browser::new(&s);
    let outside = anon.get("/org/acme/members").await;
    assert_eq!(outside.status, 200);
    assert!(!outside.body.contains("href=\"/bob\""));
    assert!(!outside.body.contains(">Remove</button>"));

    // The last owner stays.
    let p = b.submit("/org/acme/members", "/org/acme/members/remove", &[("user", "alice")]).await;
    assert_eq!(p.status, 422);
    assert!(alert(&p).contains("last member"));
    let p = b.submit("/org/acme/members", "/org/acme/members/remove", &[("user", "bob")]).await;
    let next = follow(&mut b, &p).await;
    assert!(status_message(&next).contains("bob"));
    assert!(!next.body.contains("href=\"/bob\""));
    assert_eq!(s.get_status("/orgs/acme/members/bob", &token).await, 404);
    assert_eq!(s.get_json("/user/orgs", &bob_token).await.1.as_array().unwrap().len(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_teams_create_edit_members_repos_delete() {
    let s = TestServer::start().await;
    let (mut b, token, _, _) = fixture(&s).await;
    let (status, _) = s.post_json("/org/acme/repos", &token, j!({"name": "widget"})).await;
    assert_eq!(status, 201);

    let list = b.get("/org/acme/teams").await;
    assert_eq!(list.status, 200);
    assert_html(&list);
    assert!(list.body.contains("href=\"/org/acme/teams/new\">New team"));
    assert!(item(&list.body, ">Owners</a>").contains("1 member"));

    let form = b.get("/org/acme/teams/new").await;
    assert_html(&form);
    assert!(form.body.contains("<legend>Permission</legend>"));
    for label in ["Read", "Write", "Admin"] {
        assert!(form.body.contains(&format!(">{label}</label>")), "{label}");
    }
    let p = b
        .submit(
            "/org/acme/teams/new",
            "/org/acme/teams/new",
            &[("team_name", "new"), ("description", "kept"), ("permission", "write")],
        )
        .await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("value=\"kept\""));
    assert!(p.body.contains("value=\"write\" checked"));
    let p = b
        .submit(
            "/org/acme/teams/new",
            "/org/acme/teams/new",
            &[("team_name", "devs"), ("description", "<i>d</i>"), ("permission", "write")],
        )
        .await;
    assert_eq!(p.location(), "/org/acme/teams/devs");
    let team = follow(&mut b, &p).await;
    assert!(status_message(&team).contains("devs"));
    assert!(team.body.contains("&lt;i&gt;d&lt;/i&gt;"));
    let (_, teams) = s.get_json("/orgs/acme/teams", &token).await;
    let devs = teams.as_array().unwrap().iter().find(|t| t["name"] == "devs").unwrap().clone();
    assert_eq!(devs["permission"], "write");
    let tid = devs["id"].as_i64().unwrap();

    // Edit: the permission radios carry the team's mode.
    let edit = b.get("/org/acme/teams/devs/edit").await;
    assert!(edit.body.contains("value=\"write\" checked"));
    let p = b
        .submit(
            "/org/acme/teams/devs/edit",
            "/org/acme/teams/devs/edit",
            &[("team_name", "builders"), ("description", "D"), ("permission", "admin")],
        )
        .await;
    assert_eq!(p.location(), "/org/acme/teams/builders");
    let (_, t) = s.get_json(&format!("/teams/{tid}"), &token).await;
    assert_eq!((t["name"].as_str(), t["permission"].as_str()), (Some("builders"), Some("admin")));

    // Members.
    let page = "/org/acme/teams/builders";
    let p = b.submit(page, "/org/acme/teams/builders/members/add", &[("user_name", "nobody")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("value=\"nobody\""));
    let p = b.submit(page, "/org/acme/teams/builders/members/add", &[("user_name", "carol")]).await;
    let next = follow(&mut b, &p).await;
    assert!(item(&next.body, "href=\"/carol\"").contains(">Remove</button>"));
    let (_, members) = s.get_json(&format!("/teams/{tid}/members"), &token).await;
    assert_eq!(members[0]["username"], "carol");
    assert_eq!(s.get_status("/orgs/acme/members/carol", &token).await, 204);
    let p = b.submit(page, "/org/acme/teams/builders/members/remove", &[("user_name", "carol")]).await;
    follow(&mut b, &p).await;
    assert_eq!(s.get_json(&format!("/teams/{tid}/members"), &token).await.1.as_array().unwrap().len(), 0);

    // Repositories.
    let repos = "/org/acme/teams/builders/repositories";
    let p = b.submit(repos, "/org/acme/teams/builders/repositories/add", &[("repo_name", "missing")]).await;
    assert_eq!(p.status, 422);
    assert!(p.body.contains("aria-describedby=\"repo_name-error\""));
    let p = b.submit(repos, "/org/acme/teams/builders/repositories/add", &[("repo_name", "widget")]).await;
    let next = follow(&mut b, &p).await;
    assert!(item(&next.body, "href=\"/acme/widget\"").contains(">Remove</button>"));
    assert_eq!(s.get_json(&format!("/teams/{tid}/repos"), &token).await.1[0]["name"], "widget");
    let p = b.submit(repos, "/org/acme/teams/builders/repositories/remove", &[("repo_name", "widget")]).await;
    follow(&mut b, &p).await;
    assert_eq!(s.get_json(&format!("/teams/{tid}/repos"), &token).await.1.as_array().unwrap().len(), 0);

    // Delete (never Owners).
    let p = b.submit(page, "/org/acme/teams/builders/delete", &[]).await;
    let next = follow(&mut b, &p).await;
    assert!(status_message(&next).contains("deleted"));
    assert_eq!(s.get_status(&format!("/teams/{tid}"), &token).await, 404);
    assert!(!b.get("/org/acme/teams/Owners").await.body.contains(">Delete team</button>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_who_may_see_and_change_what() {
    let s = TestServer::start().await;
    let (mut owner, token, _, _) = fixture(&s).await;
    let p = owner
        .submit("/org/acme/teams/new", "/org/acme/teams/new", &[("team_name", "devs"), ("permission", "read")])
        .await;
    assert_eq!(p.status, 303);
    let owner_pages = ["/org/acme/settings", "/org/acme/teams/new", "/org/acme/teams/devs/edit"];
    let member_pages = ["/org/acme/teams", "/org/acme/teams/devs", "/org/acme/teams/devs/repositories"];
    let posts: [(&str, &[(&str, &str)]); 7] = [
        ("/org/acme/settings", &[("description", "hacked")]),
        ("/org/acme/members/remove", &[("user", "bob")]),
        ("/org/acme/teams/new", &[("team_name", "evil"), ("permission", "admin")]),
        ("/org/acme/teams/devs/edit", &[("team_name", "devs"), ("description", "hacked"), ("permission", "admin")]),
        ("/org/acme/teams/devs/members/add", &[("user_name", "carol")]),
        ("/org/acme/teams/devs/repositories/add", &[("repo_name", "x")]),
        ("/org/acme/teams/devs/delete", &[]),
    ];

    let mut anon = Browser::new(&s);
    for page in owner_pages.iter().chain(&member_pages).chain(["/org/create"].iter()) {
        let p = anon.get(page).await;
        assert_eq!(p.status, 303, "{page}");
        assert!(p.location().starts_with("/user/login?redirect_to="), "{page}");
    }

    for (who, sees_member_pages) in [("bob", true), ("carol", false)] {
        let user =
            TestUser { name: who.into(), password: format!("pw-{who}-secret"), email: format!("{who}@example.com") };
        let mut b = Browser::new(&s);
        b.sign_in(&user).await;
        for page in owner_pages {
            assert_eq!(b.get(page).await.status, 404, "{who} {page}");
        }
        for page in member_pages {
            let p = b.get(page).await;
            assert_eq!(p.status, if sees_member_pages { 200 } else { 404 }, "{who} {page}");
            assert!(!p.body.contains(">Remove</button>") && !p.body.contains(">Delete team</button>"));
        }
        let profile = b.get("/acme").await;
        assert!(profile.body.contains("/org/acme/members\">People"));
        assert_eq!(profile.body.contains("/org/acme/teams\">Teams"), sees_member_pages, "{who}");
        assert!(!profile.body.contains("/org/acme/settings"));
        let csrf = b.get("/").await.csrf();
        for (action, fields) in posts {
            let mut form = vec![("_csrf", csrf.as_str())];
            form.extend_from_slice(fields);
            assert_eq!(b.post(action, &form).await.status, 404, "{who} {action}");
        }
    }
    // Nothing changed.
    assert_eq!(s.get_json("/orgs/acme", &token).await.1["description"], "Tools");
    assert_eq!(s.get_status("/orgs/acme/members/bob", &token).await, 204);
    let (_, teams) = s.get_json("/orgs/acme/teams", &token).await;
    let names: Vec<&str> = teams.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Owners", "devs"]);
    assert_eq!(teams[1]["permission"], "read");

    // Without the CSRF token: 403, nothing changes.
    let p = owner.post("/org/acme/settings", &[("description", "forged")]).await;
    assert_eq!(p.status, 403);
    let p = owner.post("/org/acme/teams/devs/delete", &[]).await;
    assert_eq!(p.status, 403);
    assert_eq!(s.get_json("/orgs/acme", &token).await.1["description"], "Tools");
    assert_eq!(s.get_json("/orgs/acme/teams", &token).await.1.as_array().unwrap().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_delete_needs_the_password_and_no_repositories() {
    let s = TestServer::start().await;
    let (mut b, token, bob_token, _) = fixture(&s).await;
    let (status, _) = s.post_json("/org/acme/repos", &token, j!({"name": "widget"})).await;
    assert_eq!(status, 201);
    let page = "/org/acme/settings/delete";
    let form = b.get(page).await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains(">Password</label>") && form.body.contains(">Delete this organization</button>"));

    // A plain member may not.
    let bob = TestUser { name: "bob".into(), password: "pw-bob-secret".into(), email: "bob@example.com".into() };
    let mut m = Browser::new(&s);
    m.sign_in(&bob).await;
    assert_eq!(m.get(page).await.status, 404);
    let csrf = m.get("/").await.csrf();
    assert_eq!(m.post(page, &[("_csrf", &csrf), ("password", "pw-bob-secret")]).await.status, 404);

    let p = b.submit(page, page, &[("password", "wrong")]).await;
    assert_eq!(p.status, 422);
    assert!(alert(&p).contains("password"));
    assert!(p.body.contains("aria-describedby=\"password-error\""));
    assert!(!p.body.contains("value=\"wrong\""));
    let p = b.submit(page, page, &[("password", "pw-alice-secret")]).await;
    assert_eq!(p.status, 422);
    assert!(alert(&p).contains("repositories"));
    assert_eq!(s.get_status("/orgs/acme", &token).await, 200);

    assert_eq!(s.delete_status("/repos/acme/widget", &token).await, 204);
    let p = b.submit(page, page, &[("password", "pw-alice-secret")]).await;
    assert_eq!(p.location(), "/");
    let home = follow(&mut b, &p).await;
    assert!(status_message(&home).contains("acme"));
    assert_eq!(s.get_status("/orgs/acme", &token).await, 404);
    assert_eq!(s.get_json("/user/orgs", &bob_token).await.1.as_array().unwrap().len(), 0);
    assert_eq!(b.get("/acme").await.status, 404);
}

/// The `<ul>` named `label`.
fn list<'a>(body: &'a str, label: &str) -> &'a str {
    let at = body.find(&format!("aria-label=\"{label}\"")).unwrap_or_else(|| panic!("{label} in {body}"));
    let start = body[..at].rfind("<ul").unwrap();
    let end = at + body[at..].find("</ul>").unwrap();
    &body[start..end]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_new_organization_link_and_owner_preselected() {
    let s = TestServer::start().await;
    let (mut b, token, _, _) = fixture(&s).await;
    assert!(b.get("/").await.body.contains("<a href=\"/org/create\">New organization</a>"));
    assert!(b.get("/acme").await.body.contains("<a href=\"/org/create\">New organization</a>"), "on every page");
    let mut anon = Browser::new(&s);
    assert!(!anon.get("/").await.body.contains("New organization"));
    assert!(!anon.get("/acme").await.body.contains("New organization"));

    // The organisation page's "New repository" preselects it (Gogs' `?org=ID`).
    let id = s.get_json("/orgs/acme", &token).await.1["id"].as_i64().unwrap();
    let alice_id = s.get_json("/user", &token).await.1["id"].as_i64().unwrap();
    let new_repo = format!("/repo/create?org={id}");
    assert!(b.get("/acme").await.body.contains(&format!("<a href=\"{new_repo}\">New repository</a>")));
    let form = b.get(&new_repo).await;
    assert_eq!(form.status, 200);
    assert_html(&form);
    assert!(form.body.contains("<option selected>acme</option>"), "{}", form.body);
    assert!(form.body.contains("<option>alice</option>"));
    // Without it, or with an account the viewer may not create in, the viewer is preselected.
    for query in [String::new(), "?org=garbage".into(), "?org=999999".into(), format!("?org={alice_id}")] {
        let form = b.get(&format!("/repo/create{query}")).await;
        assert_eq!(form.status, 200, "{query}");
        assert!(form.body.contains("<option selected>alice</option>"), "{query}");
        assert!(form.body.contains("<option>acme</option>"), "{query}");
    }
    let p = b.submit(&new_repo, "/repo/create", &[("owner", "acme"), ("name", "gadget")]).await;
    assert_eq!(p.location(), "/acme/gadget");

    // A member who does not own it: not offered, nothing preselected but the member.
    let bob = TestUser { name: "bob".into(), password: "pw-bob-secret".into(), email: "bob@example.com".into() };
    let mut m = Browser::new(&s);
    m.sign_in(&bob).await;
    assert!(!m.get("/acme").await.body.contains("/repo/create?org="));
    let form = m.get(&new_repo).await;
    assert_eq!(form.status, 200);
    assert!(form.body.contains("<option selected>bob</option>") && !form.body.contains(">acme</option>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_members_and_teams_are_paged() {
    let s = TestServer::start().await;
    let (mut b, token, _, _) = fixture(&s).await;
    // alice and bob, then m00..m18: 21 members, in the order they joined (user id).
    for i in 0..19 {
        let name = format!("m{i:02}");
        s.create_user(&name, false).await;
        let (status, _) = s.put_json(&format!("/orgs/acme/memberships/{name}"), &token, j!({"role": "member"})).await;
        assert_eq!(status, 200);
    }
    let first = b.get("/org/acme/members").await;
    assert_html(&first);
    let members = list(&first.body, "Members");
    assert_eq!(members.matches("<li>").count(), 20);
    assert!(members.contains("href=\"/alice\"") && members.contains("href=\"/m17\"") && !members.contains("/m18"));
    assert!(first.body.contains("<a href=\"?page=2\">Next</a>") && !first.body.contains(">Previous</a>"));
    let second = b.get("/org/acme/members?page=2").await;
    let members = list(&second.body, "Members");
    assert_eq!(members.matches("<li>").count(), 1);
    assert!(members.contains("href=\"/m18\""));
    assert!(second.body.contains("<a href=\"?page=1\">Previous</a>") && !second.body.contains(">Next</a>"));
    // A garbled page number is the first page.
    let garbled = b.get("/org/acme/members?page=x%3Cy").await;
    assert_eq!(garbled.status, 200);
    assert!(list(&garbled.body, "Members").contains("href=\"/alice\""));
    let beyond = b.get("/org/acme/members?page=99999999999999").await;
    assert_eq!(beyond.status, 200);
    let members = list(&beyond.body, "Members");
    assert_eq!(members.matches("<li>").count(), 0);
    assert!(members.contains("<li class=\"none\">"));

    // Owners, then t00..t20: 22 teams.
    for i in 0..21 {
        let (status, _) =
            s.post_json("/orgs/acme/teams", &token, j!({"name": format!("t{i:02}"), "permission": "read"})).await;
        assert_eq!(status, 201);
    }
    let first = b.get("/org/acme/teams").await;
    assert_html(&first);
    let teams = list(&first.body, "Teams");
    assert_eq!(teams.matches("<li>").count(), 20);
    assert!(teams.contains(">Owners</a>") && teams.contains(">t18</a>") && !teams.contains(">t19</a>"));
    assert!(first.body.contains("<a href=\"?page=2\">Next</a>"));
    let second = b.get("/org/acme/teams?page=2").await;
    let teams = list(&second.body, "Teams");
    assert_eq!(teams.matches("<li>").count(), 2);
    assert!(teams.contains(">t19</a>") && teams.contains(">t20</a>") && !teams.contains(">Owners</a>"));
    assert!(second.body.contains("<a href=\"?page=1\">Previous</a>") && !second.body.contains(">Next</a>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn web_orgs_site_admins_manage_every_organisation() {
    let s = TestServer::start().await;
    let (_, token, _, _) = fixture(&s).await;
    let root = s.create_user("root", true).await;
    let mut a = Browser::new(&s);
    a.sign_in(&root).await;
    for page in ["/org/acme/settings", "/org/acme/settings/hooks", "/org/acme/members", "/org/acme/teams"] {
        assert_eq!(a.get(page).await.status, 200, "{page}");
    }
    let p = a.submit("/org/acme/settings", "/org/acme/settings", &[("full_name", "Acme by root")]).await;
    assert_eq!(p.status, 303, "{}", p.body);
    assert_eq!(s.get_json("/orgs/acme", &token).await.1["full_name"], "Acme by root");
}
