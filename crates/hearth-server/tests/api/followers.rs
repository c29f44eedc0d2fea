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

    assert_eq!(s.get_status("/user/following/bob", &alice).await, 404);
    assert_eq!(s.put_status("/user/following/bob", &alice).await, 204);
    assert_eq!(s.put_status("/user/following/bob", &alice).await, 204, "idempotent");
    assert_eq!(s.put_status("/user/following/carol", &alice).await, 204);
    assert_eq!(s.put_status("/user/following/alice", &alice).await, 204, "self is a no-op");
    assert_eq!(s.get_status("/user/following/bob", &alice).await, 204);
    assert_eq!(s.get_status("/users/alice/following/bob", &bob).await, 204);
    assert_eq!(s.get_status("/users/bob/following/alice", &bob).await, 404);
    assert_eq!(s.get_status("/users/alice/following/alice", &bob).await, 404);

    let (status, body) = s.get_json("/user/following", &alice).await;
    assert_eq!(status, 200);
    assert_eq!(names(&body), vec!["carol", "bob"], "newest follow first");
    assert_eq!(body[0]["email"], "carol@example.com");

    let (_, body) = s.get_json("/user/followers", &bob).await;
    assert_eq!(names(&body), vec!["alice"]);
    let (_, body) = s.get_json("/users/bob/followers", &alice).await;
    assert_eq!(names(&body), vec!["alice"]);
    let (_, body) = s.get_json("/users/alice/following", &bob).await;
    assert_eq!(names(&body), vec!["carol", "bob"]);

    assert_eq!(s.delete_status("/user/following/bob", &alice).await, 204);
    assert_eq!(s.delete_status("/user/following/bob", &alice).await, 204);
    let (_, body) = s.get_json("/user/followers", &bob).await;
    assert_eq!(body, serde_json::json!([]));
}

#[tokio::test]
async fn follower_failures() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    assert_eq!(s.get_status("/user/followers", Anon).await, 401);
    assert_eq!(s.put_status("/user/following/alice", Anon).await, 401);
    assert_eq!(s.put_status("/user/following/ghost", &alice).await, 404);
    assert_eq!(s.get_status("/users/ghost/followers", &alice).await, 404);
    assert_eq!(s.get_status("/users/ghost/following/alice", &alice).await, 404);
}

#[tokio::test]
async fn follower_pages_have_link_headers() {
    let s = TestServer::start().await;
    let (_star, star) = s.user_with_token("star", false).await;
    for i in 0..5 {
        let (_u, t) = s.user_with_token(&format!("fan{i}"), false).await;
        assert_eq!(s.put_status("/user/following/star", &t).await, 204);
    }
    let page = s.get_reply("/user/followers?limit=2&page=2&x=y", &star).await;
    assert_eq!(page.header("x-total-count"), "5");
    let link = page.header("link");
    let base = format!("{}api/v1/user/followers", s.base);
    assert_eq!(
        link,
        format!(
            "<{base}?limit=2&x=y&page=3>; rel=\"next\",<{base}?limit=2&x=y&page=3>; rel=\"last\",\
             <{base}?limit=2&x=y&page=1>; rel=\"first\",<{base}?limit=2&x=y&page=1>; rel=\"prev\""
        )
    );
    assert_eq!(names(&page.body), vec!["fan2", "fan1"]);

    // Default page size is Gogs' 40: one page, no Link header.
    let page = s.get_reply("/user/followers", &star).await;
    assert!(page.headers.get("link").is_none());
    assert_eq!(page.body.as_array().unwrap().len(), 5);
}
