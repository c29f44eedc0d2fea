//! `POST /repos/:owner/:repo/transfer` and its `accept` / `reject` (Gitea's TransferRepoOption):
//! at once into the caller's account or an organisation it owns, else pending for the recipient.

use serde_json::{Value, json as j};

use crate::support::*;

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn create_org(s: &TestServer, token: &str, name: &str) {
    let (status, body) = s.post_json("/user/orgs", token, j!({"username": name})).await;
    assert_eq!(status, 201, "{body}");
}

async fn create_team(s: &TestServer, token: &str, org: &str, name: &str, permission: &str) -> i64 {
    let (status, team) =
        s.post_json(&format!("/orgs/{org}/teams"), token, j!({"name": name, "permission": permission})).await;
    assert_eq!(status, 201, "{team}");
    team["id"].as_i64().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn into_an_organisation_the_caller_owns_at_once() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    create_org(&s, &token, "acme").await;
    let devs = create_team(&s, &token, "acme", "devs", "write").await;
    assert_eq!(s.put_status(&format!("/teams/{devs}/members/carol"), &token).await, 204);
    s.create_repo(&token, j!({"name": "demo", "private": true, "auto_init": true})).await;
    assert_eq!(s.put_json("/repos/alice/demo/collaborators/bob", &token, j!({"permission": "read"})).await.0, 204);
    assert_eq!(s.get_status("/repos/alice/demo", &carol).await, 404);

    let (status, repo) =
        s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "acme", "team_ids": [devs]})).await;
    assert_eq!(status, 202, "{repo}");
    assert_eq!(repo["full_name"], "acme/demo");
    assert_eq!(repo["owner"]["username"], "acme");
    assert_eq!(repo["permissions"], j!({"admin": true, "push": true, "pull": true}));
    assert_eq!(repo["repo_transfer"], Value::Null);
    let root = &s.config.repository.root;
    assert!(root.join("acme/demo.git/HEAD").exists());
    assert!(!root.join("alice/demo.git").exists());
    assert!(!root.join("acme/demo.git/hearth-moved-from").exists());

    // The named team reaches it; the collaboration (not an org member) stays.
    let (status, got) = s.get_json("/repos/acme/demo", &carol).await;
    assert_eq!((status, got["permissions"]["push"].clone()), (200, j!(true)));
    assert_eq!(s.get_status("/repos/acme/demo", &bob).await, 200);
    let (_, mine) = s.get_json("/user/repos", &token).await;
    assert!(mine.as_array().unwrap().iter().any(|r| r["full_name"] == "acme/demo"), "{mine}");
    assert_eq!(s.sql_i64("SELECT num_repos FROM \"user\" WHERE lower_name = 'alice'").await, 0);
    assert_eq!(s.sql_i64("SELECT num_repos FROM \"user\" WHERE lower_name = 'acme'").await, 1);

    // The old path redirects like a rename; Git works at the new path and through the old one.
    let resp = no_redirects()
        .get(s.url("/repos/alice/demo/branches"))
        .header("Authorization", token_header(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 307);
    assert_eq!(resp.headers()["location"], "/api/v1/repos/acme/demo/branches");
    let git = Git::new();
    let creds = Some((alice.name.as_str(), alice.password.as_str()));
    git.ok(None, &["clone", "-q", &s.git_url(creds, "acme", "demo"), "new"]);
    git.ok(None, &["clone", "-q", &s.git_url(creds, "alice", "demo"), "old"]);
    assert!(git.path("old/README.md").exists());

    // Back into the caller's own account: at once too; the org's team grant goes.
    let (status, repo) = s.post_json("/repos/acme/demo/transfer", &token, j!({"new_owner": "alice"})).await;
    assert_eq!((status, repo["full_name"].clone()), (202, j!("alice/demo")));
    assert_eq!(s.get_status("/repos/alice/demo", &carol).await, 404);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM team_repo").await, 0);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_redirect WHERE lower_name = 'demo'").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn to_another_user_it_waits_for_acceptance() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (bob_user, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&token, j!({"name": "demo", "private": true, "auto_init": true})).await;
    assert_eq!(s.get_status("/repos/alice/demo", &bob).await, 404);

    let (status, repo) = s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "bob"})).await;
    assert_eq!(status, 201, "{repo}");
    assert_eq!(repo["full_name"], "alice/demo");
    assert_eq!(repo["repo_transfer"]["doer"]["username"], "alice");
    assert_eq!(repo["repo_transfer"]["recipient"]["username"], "bob");
    assert_eq!(repo["repo_transfer"]["teams"], j!([]));
    // The recipient may read it meanwhile; the single-repository answer shows the transfer.
    let (status, got) = s.get_json("/repos/alice/demo", &bob).await;
    assert_eq!((status, got["repo_transfer"]["recipient"]["username"].clone()), (200, j!("bob")));
    let (status, body) = s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "carol"})).await;
    assert_eq!(status, 409);
    assert_eq!(body["message"], "repository is already being transferred [uname: alice, name: demo]");
    // Only the recipient answers it.
    let (status, body) = s.post_json("/repos/alice/demo/transfer/accept", &token, j!({})).await;
    assert_eq!((status, body["message"].clone()), (403, j!("permission denied")));
    assert_eq!(s.post_status("/repos/alice/demo/transfer/reject", &carol, j!({})).await, 404);
    assert_eq!(s.post_json("/repos/alice/demo/transfer/accept", Anon, j!({})).await.0, 401);

    // Rejected: nothing moves.
    let (status, repo) = s.post_json("/repos/alice/demo/transfer/reject", &bob, j!({})).await;
    assert_eq!(
        (status, repo["full_name"].clone(), repo["repo_transfer"].clone()),
        (200, j!("alice/demo"), Value::Null)
    );
    let (status, body) = s.post_json("/repos/alice/demo/transfer/accept", &bob, j!({})).await;
    assert_eq!((status, body["message"].clone()), (404, j!("repository doesn't have a pending transfer")));

    // Again, accepted: the repository moves and the old path leads there.
    assert_eq!(s.post_status("/repos/alice/demo/transfer", &token, j!({"new_owner": "bob"})).await, 201);
    let (status, repo) = s.post_json("/repos/alice/demo/transfer/accept", &bob, j!({})).await;
    assert_eq!(status, 202, "{repo}");
    assert_eq!(repo["full_name"], "bob/demo");
    assert_eq!(repo["owner"]["username"], "bob");
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_transfer").await, 0);
    // Bob's read collaboration on his own repository is gone; alice no longer sees it.
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM collaboration").await, 0);
    assert_eq!(s.get_status("/repos/bob/demo", &token).await, 404);
    let (status, got) = s.get_json("/repos/alice/demo", &bob).await;
    assert_eq!((status, got["full_name"].clone()), (200, j!("bob/demo")));
    let git = Git::new();
    let creds = Some((bob_user.name.as_str(), bob_user.password.as_str()));
    git.ok(None, &["clone", "-q", &s.git_url(creds, "bob", "demo"), "new"]);
    git.ok(None, &["clone", "-q", &s.git_url(creds, "alice", "demo"), "old"]);
    assert!(git.path("old/README.md").exists());
}

#[tokio::test]
async fn transfer_refusals() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    create_org(&s, &token, "acme").await;
    create_org(&s, &carol, "other").await;
    let foreign = create_team(&s, &carol, "other", "t", "read").await;
    s.create_repo(&token, j!({"name": "demo"})).await;
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    s.create_repo(&bob, j!({"name": "demo"})).await;
    assert_eq!(s.put_json("/repos/alice/demo/collaborators/carol", &token, j!({"permission": "admin"})).await.0, 204);

    let to_bob = j!({"new_owner": "bob"});
    let (status, body) = s.post_json("/repos/alice/demo/transfer", Anon, &to_bob).await;
    assert_eq!((status, body["message"].clone()), (401, j!("Unauthorized")));
    // Admins that are not owners may not; strangers do not see private repositories.
    let (status, body) = s.post_json("/repos/alice/demo/transfer", &carol, &to_bob).await;
    assert_eq!((status, body["message"].clone()), (403, j!("Forbidden")));
    let (status, body) = s.post_json("/repos/alice/secret/transfer", &bob, &to_bob).await;
    assert_eq!((status, body["message"].clone()), (404, j!("Not Found")));
    let (status, body) = s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "nobody"})).await;
    assert_eq!((status, body["message"].clone()), (404, j!("The new owner does not exist or cannot be found")));

    let (status, body) = s.post_json("/repos/alice/demo/transfer", &token, j!({})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"], j!(["NewOwner"]));
    assert_eq!(body[0]["classification"], "RequiredError");
    let (status, body) = s.post_json("/repos/alice/demo/transfer", &token, &to_bob).await;
    assert_eq!((status, body["message"].clone()), (422, j!("repository already exists [uname: bob, name: demo]")));
    let (status, body) = s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "alice"})).await;
    assert_eq!((status, body["message"].clone()), (422, j!("repository already exists [uname: alice, name: demo]")));
    let (status, body) =
        s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "carol", "team_ids": [1]})).await;
    assert_eq!(
        (status, body["message"].clone()),
        (422, j!("Teams can only be added to organization-owned repositories"))
    );
    let (status, body) =
        s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "acme", "team_ids": [99999]})).await;
    assert_eq!((status, body["message"].clone()), (422, j!("team 99999 not found")));
    let (status, body) =
        s.post_json("/repos/alice/demo/transfer", &token, j!({"new_owner": "acme", "team_ids": [foreign]})).await;
    assert_eq!(status, 403);
    assert!(body["message"].as_str().unwrap().starts_with(&format!("team {foreign} belongs not to org ")), "{body}");
    // Nothing moved.
    let (_, repo) = s.get_json("/repos/alice/demo", &token).await;
    assert_eq!((repo["full_name"].clone(), repo["repo_transfer"].clone()), (j!("alice/demo"), Value::Null));
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repo_transfer").await, 0);
}
