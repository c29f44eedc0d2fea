use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn add_list_get_delete_keys() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let key = ed25519_key(1, "alice@laptop");

    let (status, body) = s.post_json("/user/keys", &alice, j!({"title": "laptop", "key": key})).await;
    assert_eq!(status, 201);
    let id = body["id"].as_i64().unwrap();
    // The whole PublicKey: the material as given, the title, its API URL.
    assert_shape!(s, "public_key", body);
    assert_eq!(body["key"], key.as_str());
    assert_eq!(body["url"], format!("{}api/v1/user/keys/{id}", s.base));
    assert!(body["created_at"].as_str().unwrap().ends_with('Z'));

    let (status, list) = s.get_json("/user/keys", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);

    let (status, list) = s.get_json("/users/alice/keys", &bob).await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["key"], key.as_str());

    let (status, one) = s.get_json(&format!("/user/keys/{id}"), &alice).await;
    assert_eq!((status, one["title"].as_str()), (200, Some("laptop")));
    // Another user's key is not visible through /user/keys/:id (hearth fixes Gogs' leak).
    assert_eq!(s.get_status(&format!("/user/keys/{id}"), &bob).await, 404);

    let (status, body) = s.delete_json(&format!("/user/keys/{id}"), &bob).await;
    assert_eq!(status, 403);
    assert_eq!(body["message"], "You do not have access to this key.");
    assert_eq!(s.delete_status(&format!("/user/keys/{id}"), &alice).await, 204);
    assert_eq!(s.delete_status(&format!("/user/keys/{id}"), &alice).await, 204, "idempotent");
    assert_eq!(s.get_status(&format!("/user/keys/{id}"), &alice).await, 404);
    assert_eq!(s.get_status("/user/keys/abc", &alice).await, 404);
}

#[tokio::test]
async fn key_validation() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let key = ed25519_key(2, "");

    assert_eq!(s.get_status("/user/keys", Anon).await, 401);
    assert_eq!(s.get_status("/users/ghost/keys", &alice).await, 404);

    let (status, body) = s.post_json("/user/keys", &alice, j!({})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        j!([
            {"fieldNames": ["Title"], "classification": "RequiredError", "message": "Required"},
            {"fieldNames": ["Key"], "classification": "RequiredError", "message": "Required"}
        ])
    );

    for bad in ["ssh-ed25519 AAAA", "not a key", "ssh-rsa AAAAC3NzaC1lZDI1NTE5AAAAIA=="] {
        let (status, body) = s.post_json("/user/keys", &alice, j!({"title": "t", "key": bad})).await;
        assert_eq!(status, 422, "{bad}");
        assert!(body["message"].as_str().unwrap().starts_with("Invalid key content"), "{body}");
    }
    let two = format!("{}\n{}", ed25519_key(3, ""), ed25519_key(4, ""));
    assert_eq!(s.post_status("/user/keys", &alice, j!({"title": "t", "key": two})).await, 422);

    assert_eq!(s.post_status("/user/keys", &alice, j!({"title": "one", "key": key})).await, 201);
    let (status, body) = s.post_json("/user/keys", &bob, j!({"title": "x", "key": key})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "Key content has been used as non-deploy key");
    let (status, body) = s.post_json("/user/keys", &alice, j!({"title": "one", "key": ed25519_key(5, "")})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "Key title has been used");
}
