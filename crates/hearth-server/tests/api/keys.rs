use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn add_list_get_delete_keys() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let key = ed25519_key(1, "alice@laptop");

    let (status, body) =
        json(s.post("/user/keys").token(&alice).json(&j!({"title": "laptop", "key": key})).send().await.unwrap()).await;
    assert_eq!(status, 201);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["key"], key.as_str());
    assert_eq!(body["title"], "laptop");
    assert_eq!(body["url"], format!("{}api/v1/user/keys/{id}", s.base));
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));

    let (status, list) = json(s.get("/user/keys").token(&alice).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);

    let (status, list) = json(s.get("/users/alice/keys").token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["key"], key.as_str());

    let (status, one) = json(s.get(&format!("/user/keys/{id}")).token(&alice).send().await.unwrap()).await;
    assert_eq!((status, one["title"].as_str()), (200, Some("laptop")));
    // Another user's key is not visible through /user/keys/:id (hearth fixes Gogs' leak).
    assert_eq!(s.get(&format!("/user/keys/{id}")).token(&bob).send().await.unwrap().status(), 404);

    let (status, body) = json(s.delete(&format!("/user/keys/{id}")).token(&bob).send().await.unwrap()).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "You do not have access to this key.");
    assert_eq!(s.delete(&format!("/user/keys/{id}")).token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.delete(&format!("/user/keys/{id}")).token(&alice).send().await.unwrap().status(), 204, "idempotent");
    assert_eq!(s.get(&format!("/user/keys/{id}")).token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/user/keys/abc").token(&alice).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn key_validation() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let key = ed25519_key(2, "");

    assert_eq!(s.get("/user/keys").send().await.unwrap().status(), 401);
    assert_eq!(s.get("/users/ghost/keys").token(&alice).send().await.unwrap().status(), 404);

    let (status, body) = json(s.post("/user/keys").token(&alice).json(&j!({})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        j!([
            {"fieldNames": ["Title"], "classification": "RequiredError", "message": "Required"},
            {"fieldNames": ["Key"], "classification": "RequiredError", "message": "Required"}
        ])
    );

    for bad in ["ssh-ed25519 AAAA", "not a key", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIA=="] {
        let (status, body) =
            json(s.post("/user/keys").token(&alice).json(&j!({"title": "t", "key": bad})).send().await.unwrap()).await;
        assert_eq!(status, 422, "{bad}");
        assert!(body["message"].as_str().unwrap().starts_with("Invalid key content"), "{body}");
    }
    let two = format!("{}\n{}", ed25519_key(3, ""), ed25519_key(4, ""));
    assert_eq!(
        s.post("/user/keys").token(&alice).json(&j!({"title": "t", "key": two})).send().await.unwrap().status(),
        422
    );

    assert_eq!(
        s.post("/user/keys").token(&alice).json(&j!({"title": "one", "key": key})).send().await.unwrap().status(),
        201
    );
    let (status, body) =
        json(s.post("/user/keys").token(&bob).json(&j!({"title": "x", "key": key})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "Key content has been used as non-deploy key");
    let (status, body) = json(
        s.post("/user/keys").token(&alice).json(&j!({"title": "one", "key": ed25519_key(5, "")})).send().await.unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "Key title has been used");
}
