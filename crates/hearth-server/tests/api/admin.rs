use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn admin_creates_edits_and_deletes_users() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;

    let (status, body) = s
        .post_json(
            "/admin/users",
            &root,
            j!({"username": "dave", "email": "Dave@Example.com", "password": "dave-secret", "full_name": "Dave D"}),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["username"], "dave");
    assert_eq!(body["email"], "dave@example.com", "e-mails are stored lower-cased");
    assert_eq!(body["full_name"], "Dave D");

    // The new account works at once.
    let resp = s.get("/user").header("Authorization", basic("dave", "dave-secret")).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    let (status, body) = s.patch_json("/admin/users/dave", &root, j!({"email": "dave2@example.com", "full_name": "Dave Two", "website": "https://d.io", "admin": true, "password": "new-secret"})).await;
    assert_eq!(status, 200);
    assert_eq!(body["email"], "dave2@example.com");
    assert_eq!(body["full_name"], "Dave Two");
    assert_eq!(
        s.get("/user").header("Authorization", basic("dave", "dave-secret")).send().await.unwrap().status(),
        401
    );
    let resp = s.get("/user").header("Authorization", basic("dave", "new-secret")).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    // Now an admin: may use admin routes.
    let dave = TestUser { name: "dave".into(), password: "new-secret".into(), email: String::new() };
    let dave_token = s.token(&dave).await;
    assert_eq!(s.post_status("/admin/users", &dave_token, j!({})).await, 422);

    let key = ed25519_key(9, "k");
    let (status, body) = s.post_json("/admin/users/dave/keys", &root, j!({"title": "k", "key": key})).await;
    assert_eq!(status, 201);
    assert_eq!(body["title"], "k");
    let (_, keys) = s.get_json("/user/keys", &dave_token).await;
    assert_eq!(keys.as_array().unwrap().len(), 1);

    assert_eq!(s.delete_status("/admin/users/dave", &root).await, 204);
    assert_eq!(s.get_status("/users/dave", Anon).await, 404);
    assert_eq!(s.get_status("/user", &dave_token).await, 401, "tokens die with the account");
    assert_eq!(s.delete_status("/admin/users/dave", &root).await, 404);
}

#[tokio::test]
async fn admin_routes_are_for_admins() {
    let s = TestServer::start().await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let body = j!({"username": "eve", "email": "eve@example.com", "password": "x"});
    assert_eq!(s.post_status("/admin/users", Anon, &body).await, 403);
    assert_eq!(s.post_status("/admin/users", &alice_token, &body).await, 403);
    assert_eq!(s.post_status("/admin/users", &alice, &body).await, 403);
    assert_eq!(s.delete_status("/admin/users/alice", &alice_token).await, 403);
    assert_eq!(s.patch_status("/admin/users/alice", &alice_token, j!({"email": "a@b.io"})).await, 403);
}

#[tokio::test]
async fn admin_create_user_validation() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_user("taken", false).await;
    let post = |body: serde_json::Value| s.post("/admin/users").token(&root).json(&body).send();

    let (status, body) = json(post(j!({})).await.unwrap()).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["fieldNames"][0].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["Username", "Email", "Password"]);
    assert_eq!(body[0]["classification"], "RequiredError");

    for (name, class) in [
        ("a b", "AlphaDashDotError"),
        ("a/b", "AlphaDashDotError"),
        ("x\u{7}", "AlphaDashDotError"),
        (&"n".repeat(36)[..], "MaxSizeError"),
    ] {
        let (status, body) =
            json(post(j!({"username": name, "email": "n@example.com", "password": "p"})).await.unwrap()).await;
        assert_eq!(status, 422, "{name}");
        assert_eq!(body[0]["fieldNames"][0], "Username");
        assert_eq!(body[0]["classification"], class, "{name}");
    }
    for reserved in ["admin", "API", "assets", "x.keys", "-dash", ".dot", ".."] {
        let (status, body) =
            json(post(j!({"username": reserved, "email": "r@example.com", "password": "p"})).await.unwrap()).await;
        assert_eq!(status, 422, "{reserved}");
        assert!(body["message"].as_str().unwrap().contains("name is not allowed"), "{reserved}: {body}");
    }
    let (status, body) =
        json(post(j!({"username": "Taken", "email": "t2@example.com", "password": "p"})).await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("user already exists"), "{body}");

    let (status, body) =
        json(post(j!({"username": "fresh", "email": "TAKEN@example.com", "password": "p"})).await.unwrap()).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("email has been used"), "{body}");

    let (status, body) = json(post(j!({"username": "fresh", "email": "nope", "password": "p"})).await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["classification"], "EmailError");

    let (status, _) = json(post(j!({"username": 5})).await.unwrap()).await;
    assert_eq!(status, 400);

    let resp = s
        .post("/admin/users")
        .token(&root)
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);

    // Nothing half-created.
    let (_, body) = s.get_json("/users/search?q=fresh", Anon).await;
    assert_eq!(body["data"], j!([]));
}

#[tokio::test]
async fn admin_edit_user_validation() {
    let s = TestServer::start().await;
    let (_root, root) = s.user_with_token("root", true).await;
    s.create_user("alice", false).await;
    s.create_user("bob", false).await;
    let (status, body) = s.patch_json("/admin/users/alice", &root, j!({"full_name": "A"})).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"][0], "Email");
    let (status, body) = s.patch_json("/admin/users/alice", &root, j!({"email": "bob@example.com"})).await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("email has been used"));
    assert_eq!(s.patch_status("/admin/users/ghost", &root, j!({"email": "g@example.com"})).await, 404);
    // Form bodies with Gogs' boolean spellings.
    let resp = s
        .patch("/admin/users/alice")
        .token(&root)
        .form(&[("email", "alice@example.com"), ("admin", "on")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let (status, body) = json(
        s.patch("/admin/users/alice")
            .token(&root)
            .form(&[("email", "alice@example.com"), ("admin", "maybe")])
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(
        body[0],
        j!({"fieldNames": ["admin"], "classification": "BooleanTypeError", "message": "Value could not be parsed as boolean"})
    );
}

/// `[security] MIN_PASSWORD_LENGTH` (Gitea's key) holds for new passwords the API sets.
#[tokio::test]
async fn the_minimum_password_length_applies_to_new_passwords() {
    let s = TestServer::start_with(|raw| raw.set("security", "MIN_PASSWORD_LENGTH", "8")).await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (status, body) = s
        .post_json("/admin/users", &root, j!({"username": "eve", "email": "eve@example.com", "password": "short"}))
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "password is too short: at least 8 characters");
    let (status, _) = s
        .post_json(
            "/admin/users",
            &root,
            j!({"username": "eve", "email": "eve@example.com", "password": "long enough"}),
        )
        .await;
    assert_eq!(status, 201);
    let (status, body) =
        s.patch_json("/admin/users/eve", &root, j!({"email": "eve@example.com", "password": "1234567"})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "password is too short: at least 8 characters");
    // No password in an edit leaves it as it was.
    let (status, _) = s.patch_json("/admin/users/eve", &root, j!({"email": "eve@example.com"})).await;
    assert_eq!(status, 200);
}
