use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn list_add_delete_emails() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;

    let (status, body) = s.get_json("/user/emails", &token).await;
    assert_eq!(status, 200);
    assert_eq!(body, j!([{"email": "alice@example.com", "verified": true, "primary": true}]));

    let (status, body) =
        s.post_json("/user/emails", &token, j!({"emails": ["Alt@Example.com", "b@example.org"]})).await;
    assert_eq!(status, 201);
    assert_eq!(
        body,
        j!([
            {"email": "Alt@Example.com", "verified": true, "primary": false},
            {"email": "b@example.org", "verified": true, "primary": false}
        ])
    );

    let (_, body) = s.get_json("/user/emails", &token).await;
    let emails: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["alt@example.com", "b@example.org", "alice@example.com"]);

    let (status, _) =
        s.delete_with_body("/user/emails", &token, j!({"emails": ["alt@example.com", "unknown@x.io"]})).await;
    assert_eq!(status, 204);
    let (_, body) = s.get_json("/user/emails", &token).await;
    assert_eq!(body.as_array().unwrap().len(), 2);

    // Forms with repeated keys work too.
    let (status, _) =
        s.post_form("/user/emails", &token, &[("emails", "c@example.net"), ("emails", "d@example.net")]).await;
    assert_eq!(status, 201);
    let (_, body) = s.get_json("/user/emails", &token).await;
    assert_eq!(body.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn email_failures_are_atomic() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;

    assert_eq!(s.get_status("/user/emails", Anon).await, 401);

    assert_eq!(s.post_status("/user/emails", &token, j!({"emails": []})).await, 422);

    // The second address belongs to bob: nothing is added (a listed difference from Gogs).
    let (status, body) =
        s.post_json("/user/emails", &token, j!({"emails": ["new@example.com", "BOB@example.com"]})).await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "email address has been used: BOB@example.com");
    let (_, body) = s.get_json("/user/emails", &token).await;
    assert_eq!(body.as_array().unwrap().len(), 1);

    assert_eq!(s.post_status("/user/emails", &token, j!({"emails": ["not-an-email"]})).await, 422);

    let (status, body) = s.delete_with_body("/user/emails", &token, j!({"emails": ["alice@example.com"]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "cannot delete primary email \"alice@example.com\"");

    assert_eq!(s.delete_status("/user/emails", &token).await, 415);
}
