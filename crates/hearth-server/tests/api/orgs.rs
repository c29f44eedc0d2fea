//! Organisations, members, memberships and teams.

use serde_json::json as j;

use crate::support::*;

/// Create `name` owned by the token's user; returns the JSON.
async fn create_org(s: &TestServer, token: &str, name: &str) -> serde_json::Value {
    let (status, body) = s.post_json("/user/orgs", token, j!({"username": name, "full_name": "The Org", "description": "d", "website": "https://o.example", "location": "Here"})).await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn create_get_edit_and_list_organisations() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;

    let org = create_org(&s, &alice, "acme").await;
    // The whole Organization: seven fields, no e-mail.
    assert_shape!(s, "organization", org);
    assert!(org.get("email").is_none(), "Organization has no e-mail: {org}");

    // The creator owns it through the Owners team.
    let (status, teams) = s.get_json("/orgs/acme/teams", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(teams, j!([{"id": teams[0]["id"], "name": "Owners", "description": "", "permission": "owner"}]));

    let (status, got) = s.get_json("/orgs/ACME", &bob).await;
    assert_eq!((status, &got), (200, &org));
    assert_eq!(s.get_status("/orgs/acme", Anon).await, 401);
    assert_eq!(s.get_status("/orgs/nope", &bob).await, 404);
    assert_eq!(s.get_status("/orgs/alice", &bob).await, 404, "a user is not an org");

    // Memberships are private by default: listed for the member, not on the public profile.
    let (_, mine) = s.get_json("/user/orgs", &alice).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["username"], "acme");
    let (status, public) = s.get_json("/users/alice/orgs", Anon).await;
    assert_eq!((status, public), (200, j!([])));
    assert_eq!(s.get_status("/users/ghost/orgs", Anon).await, 404);
    let (_, none) = s.get_json("/user/orgs", &bob).await;
    assert_eq!(none, j!([]));

    // PATCH overwrites all four fields; owners only.
    let (status, edited) = s.patch_json("/orgs/acme", &alice, j!({"full_name": "Acme Inc"})).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["full_name"], "Acme Inc");
    assert_eq!(edited["description"], "");
    assert_eq!(edited["website"], "");
    assert_eq!(s.patch_status("/orgs/acme", &bob, j!({"full_name": "x"})).await, 403);

    // An organisation is a user too: `/users/:name` shows it.
    let (status, as_user) = s.get_json("/users/acme", Anon).await;
    assert_eq!(status, 200);
    assert_eq!(as_user["username"], "acme");

    // Bad input: taken (by a user or an org), reserved, invalid, missing.
    for (name, expect) in [("alice", 422), ("Acme", 422), ("admin", 422), ("bad name", 422), ("", 422)] {
        assert_eq!(s.post_status("/user/orgs", &bob, j!({"username": name})).await, expect, "{name}");
    }
    assert_eq!(s.post_status("/user/orgs", Anon, j!({"username": "x"})).await, 401);
    // The form key is user_name.
    assert_eq!(s.post_form("/user/orgs", &bob, &[("user_name", "formorg")]).await.0, 201);
}

#[tokio::test]
async fn org_creation_can_be_reserved_for_admins() {
    let s = TestServer::start_with(|c| c.set("admin", "DISABLE_REGULAR_ORG_CREATION", "true")).await;
    let (_u, user) = s.user_with_token("plain", false).await;
    let (_a, admin) = s.user_with_token("root", true).await;
    assert_eq!(s.post_status("/user/orgs", &user, j!({"username": "o1"})).await, 403);
    create_org(&s, &admin, "o2").await;
    // Admins create organisations for others.
    let (status, org) = s.post_json("/admin/users/plain/orgs", &admin, j!({"username": "o3"})).await;
    assert_eq!(status, 201, "{org}");
    let (_, mine) = s.get_json("/user/orgs", &user).await;
    assert_eq!(mine[0]["username"], "o3");
    assert_eq!(s.post_status("/admin/users/plain/orgs", &user, j!({"username": "o4"})).await, 403);
    assert_eq!(s.post_status("/admin/users/nobody/orgs", &admin, j!({"username": "o5"})).await, 404);
    let (status, all) = s.get_json("/admin/orgs", &admin).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|o| o["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["o2", "o3"]);
}

#[tokio::test]
async fn gitea_post_orgs_creates_like_user_orgs() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;

    let (status, org) = s
        .post_json(
            "/orgs",
            &alice,
            j!({"username": "gitea-org", "full_name": "G", "description": "d", "website": "https://g.example",
                "location": "There", "visibility": "public", "repo_admin_change_team_access": false}),
        )
        .await;
    assert_eq!(status, 201, "{org}");
    // Gogs' seven fields as GET shows them, plus Gitea's four.
    let (status, got) = s.get_json("/orgs/gitea-org", &bob).await;
    assert_eq!(status, 200);
    let mut gitea = got.as_object().unwrap().clone();
    gitea.insert("name".into(), j!("gitea-org"));
    gitea.insert("email".into(), j!(""));
    gitea.insert("visibility".into(), j!("public"));
    gitea.insert("repo_admin_change_team_access".into(), j!(false));
    assert_eq!(org, serde_json::Value::Object(gitea));
    assert_eq!(org["full_name"], "G");
    assert_eq!(org["location"], "There");
    // The creator owns it (the same service as POST /user/orgs).
    let (_, teams) = s.get_json("/orgs/gitea-org/teams", &alice).await;
    assert_eq!(teams[0]["name"], "Owners");
    let (_, mine) = s.get_json("/user/orgs", &alice).await;
    assert_eq!(mine[0]["username"], "gitea-org");

    // Visibility defaults to public; limited/private orgs do not exist in hearth.
    assert_eq!(s.post_status("/orgs", &bob, j!({"username": "bobs"})).await, 201);
    let (status, body) = s.post_json("/orgs", &bob, j!({"username": "hidden", "visibility": "private"})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["message"],
        "visibility private is not supported: every organization is public [visibility: private]"
    );
    let (status, body) = s.post_json("/orgs", &bob, j!({"username": "odd", "visibility": "secret"})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("visibility is not valid [visibility: secret]")));
    let (status, body) =
        s.post_json("/orgs", &bob, j!({"username": "rac", "repo_admin_change_team_access": true})).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("repo_admin_change_team_access is not supported"));
    assert_eq!(s.get_status("/orgs/hidden", &bob).await, 404, "nothing was created");

    // Taken and invalid names.
    let (status, body) = s.post_json("/orgs", &bob, j!({"username": "Gitea-Org"})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("user already exists [name: Gitea-Org]")));
    let (status, body) = s.post_json("/orgs", &bob, j!({"username": "alice"})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("user already exists [name: alice]")));
    let (status, body) = s.post_json("/orgs", &bob, j!({"username": "bad name"})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"], j!(["UserName"]), "{body}");
    let (status, body) = s.post_json("/orgs", &bob, j!({})).await;
    assert_eq!((status, body[0]["classification"].as_str()), (422, Some("RequiredError")), "{body}");

    let (status, body) = s.post_json("/orgs", Anon, j!({"username": "anon"})).await;
    assert_eq!((status, body), (401, j!({"message": "Unauthorized"})));
}

#[tokio::test]
async fn gitea_post_orgs_honours_disabled_regular_creation() {
    let s = TestServer::start_with(|c| c.set("admin", "DISABLE_REGULAR_ORG_CREATION", "true")).await;
    let (_u, user) = s.user_with_token("plain", false).await;
    let (_a, admin) = s.user_with_token("root", true).await;
    let (status, body) = s.post_json("/orgs", &user, j!({"username": "o1"})).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "Organization creation is disabled.");
    assert_eq!(s.get_status("/orgs/o1", &admin).await, 404);
    let (status, body) = s.post_json("/orgs", &admin, j!({"username": "o1"})).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "o1");
}

#[tokio::test]
async fn teams_members_and_the_last_owner() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_admin, admin) = s.user_with_token("root", true).await;
    create_org(&s, &alice, "acme").await;

    // Admin API: create a team; the permission string maps like Gogs'.
    let (status, team) = s
        .post_json(
            "/admin/orgs/acme/teams",
            &admin,
            j!({"name": "devs", "description": "Developers", "permission": "write"}),
        )
        .await;
    assert_eq!(status, 201, "{team}");
    // The whole Team: the permission string as Gogs names it.
    assert_shape!(s, "team", team);
    let tid = team["id"].as_i64().unwrap();
    let (_, odd) = s.post_json("/admin/orgs/acme/teams", &admin, j!({"name": "odd", "permission": "owner"})).await;
    assert_eq!(odd["permission"], "read", "unknown strings (and owner) map to read");
    for (body, expect) in
        [(j!({"name": "DEVS"}), 422), (j!({"name": "new"}), 422), (j!({"name": ""}), 422), (j!({"name": "a b"}), 422)]
    {
        assert_eq!(s.post_status("/admin/orgs/acme/teams", &admin, &body).await, expect, "{body}");
    }
    assert_eq!(s.post_status("/admin/orgs/nope/teams", &admin, j!({"name": "x"})).await, 404);
    assert_eq!(s.post_status("/admin/orgs/acme/teams", &bob, j!({"name": "x"})).await, 403);

    // Members: PUT is idempotent and makes bob an org member.
    for _ in 0..2 {
        assert_eq!(s.put_status(&format!("/admin/teams/{tid}/members/bob"), &admin).await, 204);
    }
    let (status, members) = s.get_json(&format!("/admin/teams/{tid}/members"), &admin).await;
    assert_eq!(status, 200);
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["username"], "bob");
    let (_, bobs) = s.get_json("/user/orgs", &bob).await;
    assert_eq!(bobs[0]["username"], "acme");
    assert_eq!(s.put_status(&format!("/admin/teams/{tid}/members/nobody"), &admin).await, 404);
    assert_eq!(s.put_status("/admin/teams/99999/members/bob", &admin).await, 404);
    assert_eq!(s.get_status("/admin/teams/99999/members", &admin).await, 404);
    assert_eq!(s.put_status(&format!("/admin/teams/{tid}/members/bob"), &bob).await, 403);

    // Org members (Gitea routes): members see all, including private memberships.
    let (status, list) = s.get_json("/orgs/acme/members", &bob).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(s.get_status("/orgs/acme/members/bob", &alice).await, 204);
    assert_eq!(s.get_status("/orgs/acme/members/root", &alice).await, 404);

    // Non-admin team routes for owners; members may look but not change.
    let (status, t) = s.get_json(&format!("/teams/{tid}"), &bob).await;
    assert_eq!((status, t["name"].as_str()), (200, Some("devs")));
    let (status, t) = s.patch_json(&format!("/teams/{tid}"), &alice, j!({"permission": "admin"})).await;
    assert_eq!((status, t["permission"].as_str(), t["name"].as_str()), (200, Some("admin"), Some("devs")));
    assert_eq!(s.patch_status(&format!("/teams/{tid}"), &bob, j!({})).await, 403);
    let (status, created) = s.post_json("/orgs/acme/teams", &alice, j!({"name": "ops"})).await;
    assert_eq!((status, created["permission"].as_str()), (201, Some("read")));
    assert_eq!(s.post_status("/orgs/acme/teams", &bob, j!({"name": "x"})).await, 403);
    let ops = created["id"].as_i64().unwrap();
    assert_eq!(s.delete_status(&format!("/teams/{ops}"), &alice).await, 204);
    assert_eq!(s.get_status(&format!("/teams/{ops}"), &alice).await, 404);

    // Team repositories: only the org's own, idempotent.
    let (status, _) = s.post_json("/org/acme/repos", &alice, j!({"name": "app", "private": true})).await;
    assert_eq!(status, 201);
    s.create_repo(&bob, j!({"name": "mine"})).await;
    for _ in 0..2 {
        assert_eq!(s.put_status(&format!("/admin/teams/{tid}/repos/app"), &admin).await, 204);
    }
    assert_eq!(s.put_status(&format!("/admin/teams/{tid}/repos/mine"), &admin).await, 404);
    let (_, repos) = s.get_json(&format!("/teams/{tid}/repos"), &bob).await;
    assert_eq!(repos.as_array().unwrap().len(), 1);
    assert_eq!(repos[0]["full_name"], "acme/app");
    assert_eq!(repos[0]["permissions"], j!({"admin": true, "push": true, "pull": true}));
    // bob reaches the private repository through the team.
    let (status, app) = s.get_json("/repos/acme/app", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(app["permissions"], j!({"admin": true, "push": true, "pull": true}));
    assert_eq!(s.delete_status(&format!("/admin/teams/{tid}/repos/app"), &admin).await, 204);
    assert_eq!(s.get_status("/repos/acme/app", &bob).await, 404);

    // The last owner cannot leave, by any route; a second owner unlocks it.
    let owners = s.sql_i64("SELECT id FROM team WHERE name = 'Owners'").await;
    let (status, body) = s.delete_json(&format!("/admin/teams/{owners}/members/alice"), &admin).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("last"));
    assert_eq!(s.delete_status("/orgs/acme/members/alice", &alice).await, 422);
    let (status, membership) = s.put_json("/orgs/acme/memberships/bob", &alice, j!({"role": "admin"})).await;
    assert_eq!(status, 200, "{membership}");
    // The whole Membership: the role and the organisation.
    assert_shape!(s, "membership", membership);
    assert_eq!(s.delete_status("/orgs/acme/members/alice", &alice).await, 204);
    let (_, alices) = s.get_json("/user/orgs", &alice).await;
    assert_eq!(alices, j!([]));
    // The go-client spelling, and a bad role.
    assert_eq!(s.put_json("/orgs/acme/membership/alice", &bob, j!({"role": "member"})).await.0, 200);
    assert_eq!(s.put_json("/orgs/acme/membership/alice", &bob, j!({"role": "boss"})).await.0, 422);
    assert_eq!(
        s.put_json("/orgs/acme/membership/bob", &alice, j!({"role": "admin"})).await.0,
        403,
        "members are not owners"
    );

    // A user in an organisation cannot be deleted.
    let (status, body) = s.delete_json("/admin/users/alice", &admin).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test]
async fn organisation_repositories() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_root, root) = s.user_with_token("root", true).await;
    create_org(&s, &alice, "acme").await;

    // Gogs' path and the GitHub/Gitea alias.
    let (status, repo) = s.post_json("/org/acme/repos", &alice, j!({"name": "one", "auto_init": true})).await;
    assert_eq!(status, 201, "{repo}");
    assert_eq!(repo["full_name"], "acme/one");
    assert_eq!(repo["owner"]["username"], "acme");
    let (status, _) = s.post_json("/orgs/acme/repos", &alice, j!({"name": "two", "private": true})).await;
    assert_eq!(status, 201);

    // Non-owners, unknown orgs, users' names, bad bodies.
    let (status, body) = s.post_json("/org/acme/repos", &bob, j!({"name": "x"})).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Given user is not owner of organization.")));
    let (status, _) = s.post_json("/org/acme/repos", &root, j!({"name": "x"})).await;
    assert_eq!(status, 403, "site admins are not exempt, as in Gogs");
    assert_eq!(s.post_status("/org/nope/repos", &alice, j!({"name": "x"})).await, 404);
    assert_eq!(s.post_status("/org/bob/repos", &bob, j!({"name": "x"})).await, 404);
    assert_eq!(s.post_status("/org/acme/repos", &alice, j!({"name": ""})).await, 422);
    assert_eq!(s.post_status("/org/acme/repos", &alice, j!({"name": "one"})).await, 422);

    // Listing: outsiders see public repositories only, owners everything.
    let (status, list) = s.get_json("/orgs/acme/repos", &bob).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["one"]);
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    let (_, list) = s.get_json("/orgs/acme/repos", &alice).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["permissions"], j!({"admin": true, "push": true, "pull": true}));
    let (_, via_users) = s.get_json("/users/acme/repos", &alice).await;
    assert_eq!(via_users, list);
    assert_eq!(s.get_status("/orgs/nope/repos", &alice).await, 404);

    // Search with `uid` = the org: its owners see the private repository too.
    let oid = repo["owner"]["id"].as_i64().unwrap();
    for (token, expect) in [(&alice, 2), (&bob, 1)] {
        let (_, found) = s.get_json(&format!("/repos/search?uid={oid}"), token).await;
        assert_eq!(found["data"].as_array().unwrap().len(), expect, "{found}");
    }

    // `/user/repos`: own first, then org repositories through the Owners team.
    s.create_repo(&alice, j!({"name": "personal"})).await;
    let (_, mine) = s.get_json("/user/repos", &alice).await;
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|r| r["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice/personal", "acme/one", "acme/two"]);

    // Deleting an org repository: org owners only.
    assert_eq!(s.delete_status("/repos/acme/two", &bob).await, 404);
    assert_eq!(s.delete_status("/repos/acme/two", &alice).await, 204);

    // Forking into an organisation one owns (Gitea's `organization` field).
    s.create_repo(&bob, j!({"name": "lib", "auto_init": true})).await;
    let (status, fork) = s.post_json("/repos/bob/lib/forks", &alice, j!({"organization": "acme"})).await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(fork["full_name"], "acme/lib");
    assert_eq!(s.post_status("/repos/bob/lib/forks", &bob, j!({"organization": "acme"})).await, 403);

    // Migrating into an organisation: its owners only.
    let migrate = j!({"clone_addr": "https://example.invalid/x.git", "uid": repo["owner"]["id"], "repo_name": "m"});
    let (status, body) = s.post_json("/repos/migrate", &bob, migrate).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Given user is not owner of organization.")));
}

#[tokio::test]
async fn organisation_hooks_fire_for_every_repository() {
    let s = hook_server().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    create_org(&s, &alice, "acme").await;
    for name in ["one", "two"] {
        assert_eq!(s.post_status("/org/acme/repos", &alice, j!({"name": name})).await, 201);
    }
    let rx = Receiver::start().await;
    let body =
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json"}, "events": ["issues"], "active": true});
    let (status, hook) = s.post_json("/orgs/acme/hooks", &alice, &body).await;
    assert_eq!(status, 201, "{hook}");
    assert_eq!(hook["events"], j!(["issues"]));
    let id = hook["id"].as_i64().unwrap();

    // Owners only; outsiders 403 (organisations are public), unknown organisations 404.
    assert_eq!(s.post_status("/orgs/acme/hooks", &bob, &body).await, 403);
    assert_eq!(s.get_status("/orgs/acme/hooks", &bob).await, 403);
    assert_eq!(s.get_status("/orgs/nope/hooks", &alice).await, 404);
    let (_, list) = s.get_json("/orgs/acme/hooks", &alice).await;
    assert_eq!(list, j!([hook]));
    // The organisation's hook is not one of its repositories' hooks.
    let (_, repo_hooks) = s.get_json("/repos/acme/one/hooks", &alice).await;
    assert_eq!(repo_hooks, j!([]));
    assert_eq!(s.get_status(&format!("/repos/acme/one/hooks/{id}"), &alice).await, 404);

    // It fires for every repository of the organisation.
    for name in ["one", "two"] {
        assert_eq!(s.post_status(&format!("/repos/acme/{name}/issues"), &alice, j!({"title": "t"})).await, 201);
    }
    let got = rx.wait_for(2).await;
    let mut repos: Vec<String> =
        got.iter().map(|r| r.payload()["repository"]["full_name"].as_str().unwrap().to_string()).collect();
    // Repositories deliver concurrently: order holds within one repository, not across them.
    repos.sort();
    assert_eq!(repos, ["acme/one", "acme/two"]);

    // Edit and delete.
    let url = format!("/orgs/acme/hooks/{id}");
    let (status, edited) = s.patch_json(&url, &alice, j!({"active": false})).await;
    assert_eq!((status, edited["active"].as_bool(), edited["events"].clone()), (200, Some(false), j!(["push"])));
    assert_eq!(s.get_status(&url, &alice).await, 200);
    assert_eq!(s.delete_status(&url, &alice).await, 204);
    assert_eq!(s.get_status(&url, &alice).await, 404);
    assert_eq!(s.delete_status(&url, &alice).await, 204);
}
