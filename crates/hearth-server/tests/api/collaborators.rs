//! Collaborators and deploy keys.

use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn collaborators_add_change_list_remove() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (_carol, carol) = s.user_with_token("carol", false).await;
    s.create_repo(&alice, j!({"name": "r", "private": true})).await;
    s.post("/user/orgs").token(&carol).json(&j!({"username": "corg"})).send().await.unwrap();

    // Default permission is write; `{}` and an empty body both work.
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &alice, j!({})).await.0, 204);
    let (status, list) = s.get_json("/repos/alice/r/collaborators", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    // The whole collaborator: User fields plus the permissions of the default (write) mode.
    assert_shape!(s, "collaborator", list[0]);

    // bob now sees and may push, not administer.
    let (status, repo) = s.get_json("/repos/alice/r", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(repo["permissions"], j!({"admin": false, "push": true, "pull": true}));
    let (_, bobs) = s.get_json("/user/repos", &bob).await;
    assert_eq!(bobs[0]["full_name"], "alice/r");
    assert_eq!(bobs[0]["permissions"], j!({"admin": false, "push": true, "pull": true}));
    assert_eq!(s.get_status("/repos/alice/r/collaborators", &bob).await, 403);

    // Re-adding keeps the mode; a permission changes it; unknown strings are read.
    s.put("/repos/alice/r/collaborators/bob").token(&alice).json(&j!({})).send().await.unwrap();
    assert_eq!(s.sql_i64("SELECT mode FROM collaboration").await, 2);
    for (perm, mode) in [("admin", 3), ("read", 1), ("owner", 1), ("bogus", 1), ("write", 2)] {
        assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &alice, j!({"permission": perm})).await.0, 204);
        assert_eq!(s.sql_i64("SELECT mode FROM collaboration").await, mode, "{perm}");
    }
    let resp = s.put("/repos/alice/r/collaborators/bob").token(&alice).json(&j!({"permission": "admin"})).send();
    assert_eq!(resp.await.unwrap().status(), 204);

    // An admin collaborator manages collaborators but cannot grant above its own mode... which is
    // admin, the ceiling; and cannot delete the repository.
    assert_eq!(s.put_json("/repos/alice/r/collaborators/carol", &bob, j!({})).await.0, 204);
    assert_eq!(s.get_status("/repos/alice/r/collaborators/carol", &bob).await, 204);
    assert_eq!(s.delete_status("/repos/alice/r", &bob).await, 403);
    // A write collaborator granting admin is silently capped... but may not manage at all.
    s.put("/repos/alice/r/collaborators/carol").token(&alice).json(&j!({"permission": "write"})).send().await.unwrap();
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &carol, j!({})).await.0, 403);

    // Check, remove (idempotent).
    assert_eq!(s.delete_status("/repos/alice/r/collaborators/carol", &alice).await, 204);
    assert_eq!(s.delete_status("/repos/alice/r/collaborators/carol", &alice).await, 204);
    assert_eq!(s.get_status("/repos/alice/r/collaborators/carol", &alice).await, 404);
    assert_eq!(s.get_status("/repos/alice/r", &carol).await, 404);

    // Bad input: unknown users are a 422 (Gogs: empty body; hearth: a message), as are the owner,
    // an org and oneself.
    for method in ["GET", "PUT", "DELETE"] {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = s.req(m, "/repos/alice/r/collaborators/nobody").token(&alice).json(&j!({})).send().await.unwrap();
        let (status, body) = json(resp).await;
        assert_eq!(status, 422, "{method}");
        assert_eq!(body["message"], "user does not exist [name: nobody]", "{method}");
    }
    for name in ["alice", "corg"] {
        let (status, body) = s.put_json(&format!("/repos/alice/r/collaborators/{name}"), &alice, j!({})).await;
        assert_eq!(status, 422, "{name}");
        assert!(body["message"].is_string(), "{body}");
    }
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &bob, j!({})).await.0, 422, "oneself");
    // Outsiders do not learn the repository exists; anonymous callers need a token.
    assert_eq!(s.get_status("/repos/alice/r/collaborators", &carol).await, 404);
    assert_eq!(s.get_status("/repos/alice/r/collaborators", Anon).await, 401);
    assert_eq!(s.get_status("/repos/alice/nope/collaborators", &alice).await, 404);
}

#[tokio::test]
async fn deploy_keys_crud_and_sharing_rules() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r1"})).await;
    s.create_repo(&alice, j!({"name": "r2"})).await;
    let key = ed25519_key(7, "deploy@ci");

    let (status, created) = s.post_json("/repos/alice/r1/keys", &alice, j!({"title": "ci", "key": key})).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["title"], "ci");
    assert_eq!(created["key"], key);
    assert_eq!(created["read_only"], true);
    assert!(created["url"].as_str().unwrap().ends_with(&format!("/api/v1/repos/alice/r1/keys/{id}")));
    assert!(created["created_at"].as_str().unwrap().starts_with("20"));
    let (_, got) = s.get_json(&format!("/repos/alice/r1/keys/{id}"), &alice).await;
    assert_eq!(got, created);
    let (_, list) = s.get_json("/repos/alice/r1/keys", &alice).await;
    assert_eq!(list, j!([created]));

    // The same material may serve another repository, not twice the same one, never as a user key.
    let resp =
        s.post("/repos/alice/r2/keys").token(&alice).json(&j!({"title": "ci", "key": key})).send().await.unwrap();
    assert_eq!(resp.status(), 201);
    let (status, body) = s.post_json("/repos/alice/r1/keys", &alice, j!({"title": "again", "key": key})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("Key content has been used as deploy key")));
    let other = ed25519_key(8, "x");
    let (status, body) = s.post_json("/repos/alice/r1/keys", &alice, j!({"title": "ci", "key": other})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("Key title has been used")));
    assert_eq!(
        s.post_status("/user/keys", &bob, j!({"title": "mine", "key": key})).await,
        422,
        "a deploy key cannot become a user key"
    );
    let user_key = ed25519_key(9, "user");
    s.post("/user/keys").token(&bob).json(&j!({"title": "mine", "key": user_key})).send().await.unwrap();
    let (status, body) = s.post_json("/repos/alice/r1/keys", &alice, j!({"title": "u", "key": user_key})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("Key content has been used as non-deploy key")));
    let resp = s.post("/repos/alice/r1/keys").token(&alice).json(&j!({"title": "bad", "key": "ssh-rsa nope"})).send();
    assert_eq!(resp.await.unwrap().status(), 422);
    let resp = s.post("/repos/alice/r1/keys").token(&alice).json(&j!({"title": "", "key": ""})).send().await.unwrap();
    let (status, body) = json(resp).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"], j!(["Title"]));

    // A key of another repository is 404 here; delete is by relation id, the other stays.
    let r2_id =
        s.sql_i64("SELECT id FROM deploy_key WHERE repo_id = (SELECT id FROM repository WHERE name = 'r2')").await;
    assert_eq!(s.get_status(&format!("/repos/alice/r1/keys/{r2_id}"), &alice).await, 404);
    assert_eq!(s.delete_status(&format!("/repos/alice/r1/keys/{r2_id}"), &alice).await, 404);
    assert_eq!(s.delete_status(&format!("/repos/alice/r1/keys/{id}"), &alice).await, 204);
    assert_eq!(s.get_status(&format!("/repos/alice/r1/keys/{id}"), &alice).await, 404);
    assert_eq!(s.get_status(&format!("/repos/alice/r2/keys/{r2_id}"), &alice).await, 200);

    // Admins of the repository only.
    assert_eq!(s.get_status("/repos/alice/r1/keys", &bob).await, 403);
    assert_eq!(s.get_status("/repos/alice/r1/keys", Anon).await, 401);
    // Deleting the repository takes its keys along.
    assert_eq!(s.delete_status("/repos/alice/r2", &alice).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM deploy_key").await, 0);
}
