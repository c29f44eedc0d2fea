use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn list_add_delete_emails() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;

    let (status, body) = json(s.get("/user/emails").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(body, j!([{"email": "alice@example.com", "verified": true, "primary": true}]));

    let (status, body) = json(
        s.post("/user/emails")
            .token(&token)
            .json(&j!({"emails": ["Alt@Example.com", "b@example.org"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(
        body,
        j!([
            {"email": "Alt@Example.com", "verified": true, "primary": false},
            {"email": "b@example.org", "verified": true, "primary": false}
        ])
    );

    let (_, body) = json(s.get("/user/emails").token(&token).send().await.unwrap()).await;
    let emails: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["email"].as_str().unwrap()).collect();
    assert_eq!(emails, vec!["alt@example.com", "b@example.org", "alice@example.com"]);

    let resp = s
        .delete("/user/emails")
        .token(&token)
        .json(&j!({"emails": ["alt@example.com", "unknown@x.io"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (_, body) = json(s.get("/user/emails").token(&token).send().await.unwrap()).await;
    assert_eq!(body.as_array().unwrap().len(), 2);

    // Forms with repeated keys work too.
    let resp = s
        .post("/user/emails")
        .token(&token)
        .form(&[("emails", "c@example.net"), ("emails", "d@example.net")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let (_, body) = json(s.get("/user/emails").token(&token).send().await.unwrap()).await;
    assert_eq!(body.as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn email_failures_are_atomic() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_user("bob", false).await;

    assert_eq!(s.get("/user/emails").send().await.unwrap().status(), 401);

    let (status, _) = json(s.post("/user/emails").token(&token).json(&j!({"emails": []})).send().await.unwrap()).await;
    assert_eq!(status, 422);

    // The second address belongs to bob: nothing is added (a listed difference from Gogs).
    let (status, body) = json(
        s.post("/user/emails")
            .token(&token)
            .json(&j!({"emails": ["new@example.com", "BOB@example.com"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "email address has been used: BOB@example.com");
    let (_, body) = json(s.get("/user/emails").token(&token).send().await.unwrap()).await;
    assert_eq!(body.as_array().unwrap().len(), 1);

    let (status, _) =
        json(s.post("/user/emails").token(&token).json(&j!({"emails": ["not-an-email"]})).send().await.unwrap()).await;
    assert_eq!(status, 422);

    let (status, body) =
        json(s.delete("/user/emails").token(&token).json(&j!({"emails": ["alice@example.com"]})).send().await.unwrap())
            .await;
    assert_eq!(status, 400);
    assert_eq!(body["message"], "cannot delete primary email \"alice@example.com\"");

    let resp = s.delete("/user/emails").token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 415);
}
