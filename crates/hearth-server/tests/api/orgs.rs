//! Organisations, members, memberships and teams.

use serde_json::json as j;

use crate::support::*;

/// Create `name` owned by the token's user; returns the JSON.
async fn create_org(s: &TestServer, token: &str, name: &str) -> serde_json::Value {
    let (status, body) = json(
        s.post("/user/orgs")
            .token(token)
            .json(&j!({"username": name, "full_name": "The Org", "description": "d", "website": "https://o.example", "location": "Here"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn create_get_edit_and_list_organisations() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;

    let org = create_org(&s, &alice, "acme").await;
    assert_eq!(org["username"], "acme");
    assert_eq!(org["full_name"], "The Org");
    assert_eq!(org["description"], "d");
    assert_eq!(org["website"], "https://o.example");
    assert_eq!(org["location"], "Here");
    assert!(org["avatar_url"].as_str().unwrap().starts_with("http"));
    assert!(org.get("email").is_none(), "Organization has no e-mail: {org}");
    let keys: Vec<&String> = org.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 7, "{keys:?}");

    // The creator owns it through the Owners team.
    let (status, teams) = json(s.get("/orgs/acme/teams").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(teams, j!([{"id": teams[0]["id"], "name": "Owners", "description": "", "permission": "owner"}]));

    let (status, got) = json(s.get("/orgs/ACME").token(&bob).send().await.unwrap()).await;
    assert_eq!((status, &got), (200, &org));
    assert_eq!(s.get("/orgs/acme").send().await.unwrap().status(), 401);
    assert_eq!(s.get("/orgs/nope").token(&bob).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/orgs/alice").token(&bob).send().await.unwrap().status(), 404, "a user is not an org");

    // Memberships are private by default: listed for the member, not on the public profile.
    let (_, mine) = json(s.get("/user/orgs").token(&alice).send().await.unwrap()).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(mine[0]["username"], "acme");
    let (status, public) = json(s.get("/users/alice/orgs").send().await.unwrap()).await;
    assert_eq!((status, public), (200, j!([])));
    assert_eq!(s.get("/users/ghost/orgs").send().await.unwrap().status(), 404);
    let (_, none) = json(s.get("/user/orgs").token(&bob).send().await.unwrap()).await;
    assert_eq!(none, j!([]));

    // PATCH overwrites all four fields; owners only.
    let (status, edited) =
        json(s.patch("/orgs/acme").token(&alice).json(&j!({"full_name": "Acme Inc"})).send().await.unwrap()).await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!(edited["full_name"], "Acme Inc");
    assert_eq!(edited["description"], "");
    assert_eq!(edited["website"], "");
    let resp = s.patch("/orgs/acme").token(&bob).json(&j!({"full_name": "x"})).send().await.unwrap();
    assert_eq!(resp.status(), 403);

    // An organisation is a user too: `/users/:name` shows it.
    let (status, as_user) = json(s.get("/users/acme").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(as_user["username"], "acme");

    // Bad input: taken (by a user or an org), reserved, invalid, missing.
    for (name, expect) in [("alice", 422), ("Acme", 422), ("admin", 422), ("bad name", 422), ("", 422)] {
        let resp = s.post("/user/orgs").token(&bob).json(&j!({"username": name})).send().await.unwrap();
        assert_eq!(resp.status(), expect, "{name}");
    }
    assert_eq!(s.post("/user/orgs").json(&j!({"username": "x"})).send().await.unwrap().status(), 401);
    // The form key is user_name.
    let resp = s.post("/user/orgs").token(&bob).form(&[("user_name", "formorg")]).send().await.unwrap();
    assert_eq!(resp.status(), 201);
}

#[tokio::test]
async fn org_creation_can_be_reserved_for_admins() {
    let s = TestServer::start_with(|c| c.set("admin", "DISABLE_REGULAR_ORG_CREATION", "true")).await;
    let (_u, user) = s.user_with_token("plain", false).await;
    let (_a, admin) = s.user_with_token("root", true).await;
    let resp = s.post("/user/orgs").token(&user).json(&j!({"username": "o1"})).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    create_org(&s, &admin, "o2").await;
    // Admins create organisations for others.
    let (status, org) =
        json(s.post("/admin/users/plain/orgs").token(&admin).json(&j!({"username": "o3"})).send().await.unwrap()).await;
    assert_eq!(status, 201, "{org}");
    let (_, mine) = json(s.get("/user/orgs").token(&user).send().await.unwrap()).await;
    assert_eq!(mine[0]["username"], "o3");
    let resp = s.post("/admin/users/plain/orgs").token(&user).json(&j!({"username": "o4"})).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let resp = s.post("/admin/users/nobody/orgs").token(&admin).json(&j!({"username": "o5"})).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let (status, all) = json(s.get("/admin/orgs").token(&admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|o| o["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["o2", "o3"]);
}

#[tokio::test]
async fn teams_members_and_the_last_owner() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_admin, admin) = s.user_with_token("root", true).await;
    create_org(&s, &alice, "acme").await;

    // Admin API: create a team; the permission string maps like Gogs'.
    let (status, team) = json(
        s.post("/admin/orgs/acme/teams")
            .token(&admin)
            .json(&j!({"name": "devs", "description": "Developers", "permission": "write"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{team}");
    assert_eq!(team, j!({"id": team["id"], "name": "devs", "description": "Developers", "permission": "write"}));
    let tid = team["id"].as_i64().unwrap();
    let (_, odd) = json(
        s.post("/admin/orgs/acme/teams")
            .token(&admin)
            .json(&j!({"name": "odd", "permission": "owner"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(odd["permission"], "read", "unknown strings (and owner) map to read");
    for (body, expect) in
        [(j!({"name": "DEVS"}), 422), (j!({"name": "new"}), 422), (j!({"name": ""}), 422), (j!({"name": "a b"}), 422)]
    {
        let resp = s.post("/admin/orgs/acme/teams").token(&admin).json(&body).send().await.unwrap();
        assert_eq!(resp.status(), expect, "{body}");
    }
    assert_eq!(
        s.post("/admin/orgs/nope/teams").token(&admin).json(&j!({"name": "x"})).send().await.unwrap().status(),
        404
    );
    assert_eq!(
        s.post("/admin/orgs/acme/teams").token(&bob).json(&j!({"name": "x"})).send().await.unwrap().status(),
        403
    );

    // Members: PUT is idempotent and makes bob an org member.
    for _ in 0..2 {
        let resp = s.put(&format!("/admin/teams/{tid}/members/bob")).token(&admin).send().await.unwrap();
        assert_eq!(resp.status(), 204);
    }
    let (status, members) =
        json(s.get(&format!("/admin/teams/{tid}/members")).token(&admin).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(members.as_array().unwrap().len(), 1);
    assert_eq!(members[0]["username"], "bob");
    let (_, bobs) = json(s.get("/user/orgs").token(&bob).send().await.unwrap()).await;
    assert_eq!(bobs[0]["username"], "acme");
    assert_eq!(s.put(&format!("/admin/teams/{tid}/members/nobody")).token(&admin).send().await.unwrap().status(), 404);
    assert_eq!(s.put("/admin/teams/99999/members/bob").token(&admin).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/admin/teams/99999/members").token(&admin).send().await.unwrap().status(), 404);
    assert_eq!(s.put(&format!("/admin/teams/{tid}/members/bob")).token(&bob).send().await.unwrap().status(), 403);

    // Org members (Gitea routes): members see all, including private memberships.
    let (status, list) = json(s.get("/orgs/acme/members").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert_eq!(s.get("/orgs/acme/members/bob").token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.get("/orgs/acme/members/root").token(&alice).send().await.unwrap().status(), 404);

    // Non-admin team routes for owners; members may look but not change.
    let (status, t) = json(s.get(&format!("/teams/{tid}")).token(&bob).send().await.unwrap()).await;
    assert_eq!((status, t["name"].as_str()), (200, Some("devs")));
    let (status, t) =
        json(s.patch(&format!("/teams/{tid}")).token(&alice).json(&j!({"permission": "admin"})).send().await.unwrap())
            .await;
    assert_eq!((status, t["permission"].as_str(), t["name"].as_str()), (200, Some("admin"), Some("devs")));
    assert_eq!(s.patch(&format!("/teams/{tid}")).token(&bob).json(&j!({})).send().await.unwrap().status(), 403);
    let (status, created) =
        json(s.post("/orgs/acme/teams").token(&alice).json(&j!({"name": "ops"})).send().await.unwrap()).await;
    assert_eq!((status, created["permission"].as_str()), (201, Some("read")));
    assert_eq!(s.post("/orgs/acme/teams").token(&bob).json(&j!({"name": "x"})).send().await.unwrap().status(), 403);
    let ops = created["id"].as_i64().unwrap();
    assert_eq!(s.delete(&format!("/teams/{ops}")).token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.get(&format!("/teams/{ops}")).token(&alice).send().await.unwrap().status(), 404);

    // Team repositories: only the org's own, idempotent.
    let (status, _) =
        json(s.post("/org/acme/repos").token(&alice).json(&j!({"name": "app", "private": true})).send().await.unwrap())
            .await;
    assert_eq!(status, 201);
    s.create_repo(&bob, j!({"name": "mine"})).await;
    for _ in 0..2 {
        assert_eq!(s.put(&format!("/admin/teams/{tid}/repos/app")).token(&admin).send().await.unwrap().status(), 204);
    }
    assert_eq!(s.put(&format!("/admin/teams/{tid}/repos/mine")).token(&admin).send().await.unwrap().status(), 404);
    let (_, repos) = json(s.get(&format!("/teams/{tid}/repos")).token(&bob).send().await.unwrap()).await;
    assert_eq!(repos.as_array().unwrap().len(), 1);
    assert_eq!(repos[0]["full_name"], "acme/app");
    assert_eq!(repos[0]["permissions"], j!({"admin": true, "push": true, "pull": true}));
    // bob reaches the private repository through the team.
    let (status, app) = json(s.get("/repos/acme/app").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(app["permissions"], j!({"admin": true, "push": true, "pull": true}));
    assert_eq!(s.delete(&format!("/admin/teams/{tid}/repos/app")).token(&admin).send().await.unwrap().status(), 204);
    assert_eq!(s.get("/repos/acme/app").token(&bob).send().await.unwrap().status(), 404);

    // The last owner cannot leave, by any route; a second owner unlocks it.
    let owners = s.sql_i64("SELECT id FROM team WHERE name = 'Owners'").await;
    let (status, body) =
        json(s.delete(&format!("/admin/teams/{owners}/members/alice")).token(&admin).send().await.unwrap()).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("last"));
    assert_eq!(s.delete("/orgs/acme/members/alice").token(&alice).send().await.unwrap().status(), 422);
    let resp = s.put("/orgs/acme/memberships/bob").token(&alice).json(&j!({"role": "admin"})).send().await.unwrap();
    let (status, membership) = json(resp).await;
    assert_eq!(status, 200, "{membership}");
    assert_eq!(membership["role"], "admin");
    assert_eq!(membership["organization"]["username"], "acme");
    assert_eq!(s.delete("/orgs/acme/members/alice").token(&alice).send().await.unwrap().status(), 204);
    let (_, alices) = json(s.get("/user/orgs").token(&alice).send().await.unwrap()).await;
    assert_eq!(alices, j!([]));
    // The go-client spelling, and a bad role.
    let resp = s.put("/orgs/acme/membership/alice").token(&bob).json(&j!({"role": "member"})).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let resp = s.put("/orgs/acme/membership/alice").token(&bob).json(&j!({"role": "boss"})).send().await.unwrap();
    assert_eq!(resp.status(), 422);
    let resp = s.put("/orgs/acme/membership/bob").token(&alice).json(&j!({"role": "admin"})).send().await.unwrap();
    assert_eq!(resp.status(), 403, "members are not owners");

    // A user in an organisation cannot be deleted.
    let (status, body) = json(s.delete("/admin/users/alice").token(&admin).send().await.unwrap()).await;
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
    let (status, repo) = json(
        s.post("/org/acme/repos").token(&alice).json(&j!({"name": "one", "auto_init": true})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{repo}");
    assert_eq!(repo["full_name"], "acme/one");
    assert_eq!(repo["owner"]["username"], "acme");
    let (status, _) = json(
        s.post("/orgs/acme/repos").token(&alice).json(&j!({"name": "two", "private": true})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 201);

    // Non-owners, unknown orgs, users' names, bad bodies.
    let (status, body) =
        json(s.post("/org/acme/repos").token(&bob).json(&j!({"name": "x"})).send().await.unwrap()).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Given user is not owner of organization.")));
    let (status, _) = json(s.post("/org/acme/repos").token(&root).json(&j!({"name": "x"})).send().await.unwrap()).await;
    assert_eq!(status, 403, "site admins are not exempt, as in Gogs");
    assert_eq!(s.post("/org/nope/repos").token(&alice).json(&j!({"name": "x"})).send().await.unwrap().status(), 404);
    assert_eq!(s.post("/org/bob/repos").token(&bob).json(&j!({"name": "x"})).send().await.unwrap().status(), 404);
    assert_eq!(s.post("/org/acme/repos").token(&alice).json(&j!({"name": ""})).send().await.unwrap().status(), 422);
    assert_eq!(s.post("/org/acme/repos").token(&alice).json(&j!({"name": "one"})).send().await.unwrap().status(), 422);

    // Listing: outsiders see public repositories only, owners everything.
    let (status, list) = json(s.get("/orgs/acme/repos").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["one"]);
    assert_eq!(list[0]["permissions"], j!({"admin": false, "push": false, "pull": true}));
    let (_, list) = json(s.get("/orgs/acme/repos").token(&alice).send().await.unwrap()).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["permissions"], j!({"admin": true, "push": true, "pull": true}));
    let (_, via_users) = json(s.get("/users/acme/repos").token(&alice).send().await.unwrap()).await;
    assert_eq!(via_users, list);
    assert_eq!(s.get("/orgs/nope/repos").token(&alice).send().await.unwrap().status(), 404);

    // Search with `uid` = the org: its owners see the private repository too.
    let oid = repo["owner"]["id"].as_i64().unwrap();
    for (token, expect) in [(&alice, 2), (&bob, 1)] {
        let (_, found) = json(s.get(&format!("/repos/search?uid={oid}")).token(token).send().await.unwrap()).await;
        assert_eq!(found["data"].as_array().unwrap().len(), expect, "{found}");
    }

    // `/user/repos`: own first, then org repositories through the Owners team.
    s.create_repo(&alice, j!({"name": "personal"})).await;
    let (_, mine) = json(s.get("/user/repos").token(&alice).send().await.unwrap()).await;
    let names: Vec<&str> = mine.as_array().unwrap().iter().map(|r| r["full_name"].as_str().unwrap()).collect();
    assert_eq!(names, ["alice/personal", "acme/one", "acme/two"]);

    // Deleting an org repository: org owners only.
    assert_eq!(s.delete("/repos/acme/two").token(&bob).send().await.unwrap().status(), 404);
    assert_eq!(s.delete("/repos/acme/two").token(&alice).send().await.unwrap().status(), 204);

    // Forking into an organisation one owns (Gitea's `organization` field).
    s.create_repo(&bob, j!({"name": "lib", "auto_init": true})).await;
    let (status, fork) =
        json(s.post("/repos/bob/lib/forks").token(&alice).json(&j!({"organization": "acme"})).send().await.unwrap())
            .await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(fork["full_name"], "acme/lib");
    let resp = s.post("/repos/bob/lib/forks").token(&bob).json(&j!({"organization": "acme"})).send().await.unwrap();
    assert_eq!(resp.status(), 403);

    // Migrating into an organisation: its owners only.
    let resp = s
        .post("/repos/migrate")
        .token(&bob)
        .json(&j!({"clone_addr": "https://example.invalid/x.git", "uid": repo["owner"]["id"], "repo_name": "m"}))
        .send()
        .await
        .unwrap();
    let (status, body) = json(resp).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Given user is not owner of organization.")));
}

#[tokio::test]
async fn organisation_hooks_fire_for_every_repository() {
    let s = hook_server().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    create_org(&s, &alice, "acme").await;
    for name in ["one", "two"] {
        let resp = s.post("/org/acme/repos").token(&alice).json(&j!({"name": name})).send().await.unwrap();
        assert_eq!(resp.status(), 201);
    }
    let rx = Receiver::start().await;
    let body =
        j!({"type": "gogs", "config": {"url": rx.url(), "content_type": "json"}, "events": ["issues"], "active": true});
    let (status, hook) = json(s.post("/orgs/acme/hooks").token(&alice).json(&body).send().await.unwrap()).await;
    assert_eq!(status, 201, "{hook}");
    assert_eq!(hook["events"], j!(["issues"]));
    let id = hook["id"].as_i64().unwrap();

    // Owners only; outsiders 403 (organisations are public), unknown organisations 404.
    assert_eq!(s.post("/orgs/acme/hooks").token(&bob).json(&body).send().await.unwrap().status(), 403);
    assert_eq!(s.get("/orgs/acme/hooks").token(&bob).send().await.unwrap().status(), 403);
    assert_eq!(s.get("/orgs/nope/hooks").token(&alice).send().await.unwrap().status(), 404);
    let (_, list) = json(s.get("/orgs/acme/hooks").token(&alice).send().await.unwrap()).await;
    assert_eq!(list, j!([hook]));
    // The organisation's hook is not one of its repositories' hooks.
    let (_, repo_hooks) = json(s.get("/repos/acme/one/hooks").token(&alice).send().await.unwrap()).await;
    assert_eq!(repo_hooks, j!([]));
    assert_eq!(s.get(&format!("/repos/acme/one/hooks/{id}")).token(&alice).send().await.unwrap().status(), 404);

    // It fires for every repository of the organisation.
    for name in ["one", "two"] {
        let resp = s.post(&format!("/repos/acme/{name}/issues")).token(&alice).json(&j!({"title": "t"}));
        assert_eq!(resp.send().await.unwrap().status(), 201);
    }
    let got = rx.wait_for(2).await;
    let repos: Vec<String> =
        got.iter().map(|r| r.payload()["repository"]["full_name"].as_str().unwrap().to_string()).collect();
    assert_eq!(repos, ["acme/one", "acme/two"]);

    // Edit and delete.
    let url = format!("/orgs/acme/hooks/{id}");
    let (status, edited) = json(s.patch(&url).token(&alice).json(&j!({"active": false})).send().await.unwrap()).await;
    assert_eq!((status, edited["active"].as_bool(), edited["events"].clone()), (200, Some(false), j!(["push"])));
    assert_eq!(s.get(&url).token(&alice).send().await.unwrap().status(), 200);
    assert_eq!(s.delete(&url).token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.get(&url).token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.delete(&url).token(&alice).send().await.unwrap().status(), 204);
}
