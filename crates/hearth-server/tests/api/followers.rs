use crate::support::*;

fn names(body: &serde_json::Value) -> Vec<String> {
    body.as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn follow_unfollow_and_lists() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_user("carol", false).await;

    assert_eq!(s.get("/user/following/bob").token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.put("/user/following/bob").token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.put("/user/following/bob").token(&alice).send().await.unwrap().status(), 204, "idempotent");
    assert_eq!(s.put("/user/following/carol").token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.put("/user/following/alice").token(&alice).send().await.unwrap().status(), 204, "self is a no-op");
    assert_eq!(s.get("/user/following/bob").token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.get("/users/alice/following/bob").token(&bob).send().await.unwrap().status(), 204);
    assert_eq!(s.get("/users/bob/following/alice").token(&bob).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/users/alice/following/alice").token(&bob).send().await.unwrap().status(), 404);

    let (status, body) = json(s.get("/user/following").token(&alice).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(names(&body), vec!["carol", "bob"], "newest follow first");
    assert_eq!(body[0]["email"], "carol@example.com");

    let (_, body) = json(s.get("/user/followers").token(&bob).send().await.unwrap()).await;
    assert_eq!(names(&body), vec!["alice"]);
    let (_, body) = json(s.get("/users/bob/followers").token(&alice).send().await.unwrap()).await;
    assert_eq!(names(&body), vec!["alice"]);
    let (_, body) = json(s.get("/users/alice/following").token(&bob).send().await.unwrap()).await;
    assert_eq!(names(&body), vec!["carol", "bob"]);

    assert_eq!(s.delete("/user/following/bob").token(&alice).send().await.unwrap().status(), 204);
    assert_eq!(s.delete("/user/following/bob").token(&alice).send().await.unwrap().status(), 204);
    let (_, body) = json(s.get("/user/followers").token(&bob).send().await.unwrap()).await;
    assert_eq!(body, serde_json::json!([]));
}

#[tokio::test]
async fn follower_failures() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    assert_eq!(s.get("/user/followers").send().await.unwrap().status(), 401);
    assert_eq!(s.put("/user/following/alice").send().await.unwrap().status(), 401);
    assert_eq!(s.put("/user/following/ghost").token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/users/ghost/followers").token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/users/ghost/following/alice").token(&alice).send().await.unwrap().status(), 404);
}

#[tokio::test]
async fn follower_pages_have_link_headers() {
    let s = TestServer::start().await;
    let (_star, star) = s.user_with_token("star", false).await;
    for i in 0..5 {
        let (_u, t) = s.user_with_token(&format!("fan{i}"), false).await;
        assert_eq!(s.put("/user/following/star").token(&t).send().await.unwrap().status(), 204);
    }
    let resp = s.get("/user/followers?limit=2&page=2&x=y").token(&star).send().await.unwrap();
    assert_eq!(resp.headers()["x-total-count"], "5");
    let link = resp.headers()["link"].to_str().unwrap().to_string();
    let base = format!("{}api/v1/user/followers", s.base);
    assert_eq!(
        link,
        format!(
            "<{base}?limit=2&x=y&page=3>; rel=\"next\",<{base}?limit=2&x=y&page=3>; rel=\"last\",\
             <{base}?limit=2&x=y&page=1>; rel=\"first\",<{base}?limit=2&x=y&page=1>; rel=\"prev\""
        )
    );
    let (_, body) = json(resp).await;
    assert_eq!(names(&body), vec!["fan2", "fan1"]);

    // Default page size is Gogs' 40: one page, no Link header.
    let resp = s.get("/user/followers").token(&star).send().await.unwrap();
    assert!(resp.headers().get("link").is_none());
    let (_, body) = json(resp).await;
    assert_eq!(body.as_array().unwrap().len(), 5);
}
