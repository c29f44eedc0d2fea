//! Commit statuses (issue #18, Gitea's API): per-commit numbering, lists by sha and by ref, the
//! combined state, and the refusals.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statuses_by_sha_and_ref_and_the_combined_state() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    let (_, branch) = s.get_json("/repos/alice/proj/branches/master", &token).await;
    let sha = branch["commit"]["id"].as_str().unwrap().to_string();

    let (status, first) = s
        .post_json(
            &format!("/repos/alice/proj/statuses/{sha}"),
            &token,
            j!({"state": "success", "context": "ci/build", "target_url": "https://ci.example.com/1", "description": "ok"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["id"], 1);
    assert_eq!(first["status"], "success");
    assert_eq!(first["context"], "ci/build");
    assert_eq!(first["target_url"], "https://ci.example.com/1");
    assert_eq!(first["creator"]["login"], "alice");
    assert!(first["url"].as_str().unwrap().ends_with(&format!("/api/v1/repos/alice/proj/statuses/{sha}")));
    // An abbreviated id names the same commit.
    let short = &sha[..7];
    let (status, second) = s
        .post_json(
            &format!("/repos/alice/proj/statuses/{short}"),
            &token,
            j!({"state": "pending", "context": "ci/lint"}),
        )
        .await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["id"], 2);
    let (_, third) = s
        .post_json(&format!("/repos/alice/proj/statuses/{sha}"), &token, j!({"state": "error", "context": "ci/lint"}))
        .await;
    assert_eq!(third["id"], 3);

    let (status, all) = s.get_json(&format!("/repos/alice/proj/statuses/{sha}"), Anon).await;
    assert_eq!(status, 200);
    let ids: Vec<i64> = all.as_array().unwrap().iter().map(|x| x["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [3, 2, 1], "newest first");
    let (_, oldest) = s.get_json(&format!("/repos/alice/proj/statuses/{sha}?sort=oldest"), Anon).await;
    assert_eq!(oldest[0]["id"], 1);
    let (_, errors) = s.get_json(&format!("/repos/alice/proj/statuses/{sha}?state=error"), Anon).await;
    assert_eq!(errors.as_array().unwrap().len(), 1);
    let reply = s.get_reply(&format!("/repos/alice/proj/statuses/{sha}?limit=1"), Anon).await;
    assert_eq!(reply.body.as_array().unwrap().len(), 1);
    assert_eq!(reply.header("x-total-count"), "3");

    let (status, by_ref) = s.get_json("/repos/alice/proj/commits/master/statuses", &token).await;
    assert_eq!(status, 200);
    assert_eq!(by_ref.as_array().unwrap().len(), 3);
    let (status, combined) = s.get_json("/repos/alice/proj/commits/master/status", &token).await;
    assert_eq!(status, 200, "{combined}");
    assert_eq!(combined["state"], "failure", "error counts as failure: {combined}");
    assert_eq!(combined["sha"], sha.as_str());
    assert_eq!(combined["total_count"], 2, "the newest of each context");
    let contexts: Vec<(&str, &str)> = combined["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["context"].as_str().unwrap(), x["status"].as_str().unwrap()))
        .collect();
    assert_eq!(contexts, [("ci/build", "success"), ("ci/lint", "error")]);
    assert_eq!(combined["repository"]["full_name"], "alice/proj");

    // Fixing lint makes the combined state success.
    s.post_json(&format!("/repos/alice/proj/statuses/{sha}"), &token, j!({"state": "success", "context": "ci/lint"}))
        .await;
    let (_, combined) = s.get_json(&format!("/repos/alice/proj/commits/{sha}/status"), &token).await;
    assert_eq!(combined["state"], "success");

    // A ref that names nothing: empty answers, as Gitea gives them.
    let (status, none) = s.get_json("/repos/alice/proj/commits/nobranch/statuses", &token).await;
    assert_eq!((status, none), (200, j!([])));
    let (_, none) = s.get_json("/repos/alice/proj/commits/nobranch/status", &token).await;
    assert_eq!((none["state"].as_str(), none["statuses"].is_null()), (Some(""), true));

    // Refusals.
    let path = format!("/repos/alice/proj/statuses/{sha}");
    let (status, body) = s.post_json(&path, &token, j!({"state": "great"})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(s.post_status(&path, &token, j!({"state": "success", "target_url": "javascript:alert(1)"})).await, 422);
    assert_eq!(s.post_status(&path, &token, j!({"state": "success", "context": "c".repeat(256)})).await, 422);
    let (_, all) = s.get_json(&format!("/repos/alice/proj/statuses/{sha}"), Anon).await;
    assert_eq!(all.as_array().unwrap().len(), 4, "refused statuses left nothing");
    assert_eq!(
        s.post_status("/repos/alice/proj/statuses/0123456789abcdef", &token, j!({"state": "success"})).await,
        404
    );
    assert_eq!(s.post_status(&path, &bob, j!({"state": "success"})).await, 403);
    assert_eq!(s.post_status(&path, Anon, j!({"state": "success"})).await, 401);
    s.create_repo(&token, j!({"name": "secret", "private": true, "auto_init": true})).await;
    assert_eq!(s.get_status(&format!("/repos/alice/secret/statuses/{sha}"), &bob).await, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_status_is_sent_to_hooks_that_choose_it() {
    let s = hook_server().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    let hooks = Receiver::start().await;
    let chosen = j!({"type": "gitea", "config": {"url": hooks.url(), "content_type": "json"}, "events": ["status"], "active": true});
    let (status, hook) = s.post_json("/repos/alice/proj/hooks", &token, chosen).await;
    assert_eq!(status, 201, "{hook}");
    assert_eq!(hook["events"], j!(["status"]));
    // A push-only hook does not receive it.
    let pushes = Receiver::start().await;
    let push_only = j!({"type": "gitea", "config": {"url": pushes.url(), "content_type": "json"}, "events": ["push"], "active": true});
    assert_eq!(s.post_status("/repos/alice/proj/hooks", &token, push_only).await, 201);
    let (_, branch) = s.get_json("/repos/alice/proj/branches/master", &token).await;
    let sha = branch["commit"]["id"].as_str().unwrap().to_string();

    let (status, created) = s
        .post_json(
            &format!("/repos/alice/proj/statuses/{}", &sha[..8]),
            &token,
            j!({"state": "failure", "context": "ci/test", "target_url": "https://ci.example.com/7", "description": "2 failed"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let got = hooks.wait_for(1).await;
    assert_eq!(got[0].header("X-Gitea-Event"), "status");
    assert_eq!(got[0].header("X-Gitea-Event-Type"), "status");
    let p = got[0].payload();
    assert_eq!(p["sha"], sha.as_str());
    assert_eq!(p["state"], "failure");
    assert_eq!(p["context"], "ci/test");
    assert_eq!(p["description"], "2 failed");
    assert_eq!(p["target_url"], "https://ci.example.com/7");
    assert_eq!(p["commit"]["id"], sha.as_str());
    assert!(p["commit"]["url"].as_str().unwrap().ends_with(&format!("/alice/proj/commit/{sha}")), "{p}");
    assert_eq!(p["repository"]["full_name"], "alice/proj");
    assert_eq!(p["sender"]["login"], "alice");
    assert!(p["id"].as_i64().unwrap() > 0);
    // A refused status sends nothing.
    let bad = j!({"state": "unknown", "context": "ci/test"});
    assert_eq!(s.post_status(&format!("/repos/alice/proj/statuses/{sha}"), &token, bad).await, 422);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(hooks.got().len(), 1);
    assert!(pushes.got().is_empty());
}
