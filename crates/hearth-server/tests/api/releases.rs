use serde_json::json as j;

use crate::support::*;

#[tokio::test]
async fn create_list_edit_and_delete_releases() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;
    s.create_repo(&alice, j!({"name": "other", "auto_init": true})).await;

    let (status, rel) = s
        .post_json(
            "/repos/alice/r/releases",
            &alice,
            j!({"tag_name": "v1.0", "name": "First", "body": "notes", "prerelease": true}),
        )
        .await;
    assert_eq!(status, 201, "{rel}");
    // The whole Release: tag, target, name, notes, flags, author.
    assert_shape!(s, "release", rel);
    let id = rel["id"].as_i64().unwrap();
    // Publishing created the tag.
    let (_, tags) = s.get_json("/repos/alice/r/tags", &alice).await;
    assert_eq!(tags[0]["name"], "v1.0");

    // A draft: no tag, visible only to writers.
    let (status, draft) = s.post_json("/repos/alice/r/releases", &alice, j!({"tag_name": "v2.0", "draft": true})).await;
    assert_eq!(status, 201, "{draft}");
    let (_, tags) = s.get_json("/repos/alice/r/tags", &alice).await;
    assert_eq!(tags.as_array().unwrap().len(), 1);
    let (status, list) = s.get_json("/repos/alice/r/releases", Anon).await;
    assert_eq!(status, 200, "anonymous callers may list public releases");
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (_, list) = s.get_json("/repos/alice/r/releases", &alice).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let draft_id = draft["id"].as_i64().unwrap();
    assert_eq!(s.get_status(&format!("/repos/alice/r/releases/{draft_id}"), &bob).await, 404);

    // Edit; publishing the draft creates its tag.
    let (status, edited) = s
        .patch_json(&format!("/repos/alice/r/releases/{draft_id}"), &alice, j!({"draft": false, "name": "Second"}))
        .await;
    assert_eq!(status, 200, "{edited}");
    assert_eq!((edited["draft"].as_bool(), edited["name"].as_str()), (Some(false), Some("Second")));
    let (_, tags) = s.get_json("/repos/alice/r/tags", &alice).await;
    assert_eq!(tags.as_array().unwrap().len(), 2);

    let (status, one) = s.get_json(&format!("/repos/alice/r/releases/{id}"), Anon).await;
    assert_eq!((status, one["tag_name"].as_str()), (200, Some("v1.0")));
    // Ids belong to their repository.
    assert_eq!(s.get_status(&format!("/repos/alice/other/releases/{id}"), &alice).await, 404);
    assert_eq!(s.delete_status(&format!("/repos/alice/other/releases/{id}"), &alice).await, 404);

    assert_eq!(s.delete_status(&format!("/repos/alice/r/releases/{id}"), &alice).await, 204);
    assert_eq!(s.delete_status(&format!("/repos/alice/r/releases/{id}"), &alice).await, 404);
    let (_, tags) = s.get_json("/repos/alice/r/tags", &alice).await;
    assert_eq!(tags.as_array().unwrap().len(), 2, "the tag stays");
}

#[tokio::test]
async fn release_failures() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;
    s.create_repo(&alice, j!({"name": "secret", "auto_init": true, "private": true})).await;
    let post = |body: serde_json::Value| s.post_json("/repos/alice/r/releases", &alice, body);

    assert_eq!(post(j!({"tag_name": "v1"})).await.0, 201);
    let (status, body) = post(j!({"tag_name": "V1"})).await;
    assert_eq!(status, 409, "{body}");
    let (status, body) = post(j!({})).await;
    assert_eq!((status, body[0]["fieldNames"][0].as_str()), (422, Some("TagName")));
    for bad in [j!({"tag_name": "-x"}), j!({"tag_name": "a..b"}), j!({"tag_name": "v9", "target_commitish": "nope"})] {
        assert_eq!(post(bad.clone()).await.0, 422, "{bad}");
    }
    assert_eq!(s.post_status("/repos/alice/r/releases", &bob, j!({"tag_name": "b"})).await, 403);
    assert_eq!(s.post_status("/repos/alice/r/releases", Anon, j!({"tag_name": "b"})).await, 401);
    assert_eq!(s.get_status("/repos/alice/secret/releases", &bob).await, 404);
    assert_eq!(s.get_status("/repos/alice/r/releases/abc", Anon).await, 404);
}
