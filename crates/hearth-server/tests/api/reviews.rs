//! Pull request reviews and review requests (issue #18): pending reviews with line comments,
//! submitting, who sees what, dismissal, and the review events as Gitea sends them.

use serde_json::json as j;

use crate::pulls::fixture_on;
use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_a_pull_request() {
    let (s, _alice, token, _git, _wt, _url) = fixture_on(hook_server().await).await;
    let hooks = Receiver::start().await;
    let hook = j!({"type": "gitea", "config": {"url": hooks.url(), "content_type": "json"}, "events": ["pull_request"], "active": true});
    assert_eq!(s.post_status("/repos/alice/proj/hooks", &token, hook).await, 201);
    let (_bob_user, bob) = s.user_with_token("bob", false).await;
    let (_carol_user, carol) = s.user_with_token("carol", false).await;
    let (status, _) = s.put_json("/repos/alice/proj/collaborators/bob", &token, j!({"permission": "write"})).await;
    assert_eq!(status, 204);
    let open = j!({"head": "feature", "base": "master", "title": "Add b"});
    assert_eq!(s.post_status("/repos/alice/proj/pulls", &token, &open).await, 201);
    let reviews = "/repos/alice/proj/pulls/1/reviews";

    // Requests.
    let (status, asked) =
        s.post_json("/repos/alice/proj/pulls/1/requested_reviewers", &token, j!({"reviewers": ["bob", "carol"]})).await;
    assert_eq!(status, 201, "{asked}");
    assert_eq!(asked.as_array().unwrap().len(), 2);
    assert_eq!(asked[0]["state"], "REQUEST_REVIEW");
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    let logins: Vec<&str> =
        pr["requested_reviewers"].as_array().unwrap().iter().map(|u| u["login"].as_str().unwrap()).collect();
    assert_eq!(logins, ["bob", "carol"]);
    let (status, body) =
        s.post_json("/repos/alice/proj/pulls/1/requested_reviewers", &token, j!({"reviewers": ["nobody"]})).await;
    assert_eq!((status, body["message"].as_str()), (404, Some("User 'nobody' not exist")));
    assert_eq!(
        s.post_status("/repos/alice/proj/pulls/1/requested_reviewers", &token, j!({"reviewers": ["alice"]})).await,
        422
    );

    // The poster may not approve; bob starts a pending review with a line comment.
    let (status, body) = s.post_json(reviews, &token, j!({"event": "APPROVED"})).await;
    assert_eq!((status, body["message"].as_str()), (422, Some("approve your own pull is not allowed")));
    let (status, pending) =
        s.post_json(reviews, &bob, j!({"comments": [{"path": "b.txt", "body": "a nit", "new_position": 1}]})).await;
    assert_eq!(status, 200, "{pending}");
    assert_eq!(pending["state"], "PENDING");
    assert_eq!(pending["comments_count"], 1);
    assert_eq!(pending["user"]["login"], "bob");
    let id = pending["id"].as_i64().unwrap();
    // Bad line comments and commit ids are refused, and leave nothing behind.
    let bad =
        j!({"event": "COMMENT", "body": "x", "comments": [{"path": "../etc/passwd", "body": "b", "new_position": 1}]});
    assert_eq!(s.post_status(reviews, &bob, bad).await, 422);
    assert_eq!(s.post_status(reviews, &bob, j!({"event": "COMMENT", "body": "x", "commit_id": "--exec"})).await, 422);
    // Others do not see it.
    let (_, seen) = s.get_json(reviews, &carol).await;
    assert!(seen.as_array().unwrap().iter().all(|r| r["state"] != "PENDING"), "{seen}");
    assert_eq!(s.get_status(&format!("{reviews}/{id}"), &carol).await, 404);

    // Submitted: approved, official (bob can write), his request answered.
    let (status, approved) =
        s.post_json(&format!("{reviews}/{id}"), &bob, j!({"event": "APPROVED", "body": "LGTM"})).await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!((approved["state"].as_str(), approved["official"].as_bool()), (Some("APPROVED"), Some(true)));
    assert_eq!(approved["body"], "LGTM");
    assert_eq!(s.post_status(&format!("{reviews}/{id}"), &bob, j!({"event": "APPROVED"})).await, 422, "once");
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(pr["requested_reviewers"].as_array().unwrap().len(), 1);
    let (_, comments) = s.get_json(&format!("{reviews}/{id}/comments"), &carol).await;
    assert_eq!(comments.as_array().unwrap().len(), 1);
    assert_eq!((comments[0]["path"].as_str(), comments[0]["position"].as_i64()), (Some("b.txt"), Some(1)));
    assert_eq!(comments[0]["pull_request_review_id"], id);

    // Carol (a reader): a comment needs a body; changes need a reason; hers are not official.
    assert_eq!(s.post_status(reviews, &carol, j!({"event": "COMMENT"})).await, 422);
    assert_eq!(s.post_status(reviews, &carol, j!({"event": "REQUEST_CHANGES"})).await, 422);
    let (status, rejected) = s.post_json(reviews, &carol, j!({"event": "REQUEST_CHANGES", "body": "Please no"})).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(rejected["official"], false);
    let rid = rejected["id"].as_i64().unwrap();

    // Dismissal: repository admins only.
    let (status, body) = s.post_json(&format!("{reviews}/{id}/dismissals"), &bob, j!({"message": "stale"})).await;
    assert_eq!((status, body["message"].as_str()), (403, Some("Must be repo admin")));
    let (status, dismissed) =
        s.post_json(&format!("{reviews}/{id}/dismissals"), &token, j!({"message": "stale"})).await;
    assert_eq!((status, dismissed["dismissed"].as_bool()), (200, Some(true)));
    let (_, back) = s.post_json(&format!("{reviews}/{id}/undismissals"), &token, j!({})).await;
    assert_eq!(back["dismissed"], false);

    // Deleting: the reviewer, not others.
    assert_eq!(s.delete_status(&format!("{reviews}/{rid}"), &bob).await, 403);
    assert_eq!(s.delete_status(&format!("{reviews}/{rid}"), &carol).await, 204);
    // Withdrawing a request.
    s.post_json("/repos/alice/proj/pulls/1/requested_reviewers", &token, j!({"reviewers": ["carol"]})).await;
    let status = s
        .request(reqwest::Method::DELETE, "/repos/alice/proj/pulls/1/requested_reviewers", &token)
        .json(&j!({"reviewers": ["carol"]}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let (_, pr) = s.get_json("/repos/alice/proj/pulls/1", Anon).await;
    assert_eq!(pr["requested_reviewers"], j!([]));

    // The events: opened, two requests, bob's approval, carol's rejection, the request and its withdrawal.
    let got = hooks.wait_for(7).await;
    let seen: Vec<(&str, &str)> =
        got.iter().map(|g| (g.header("X-Gitea-Event"), g.header("X-Gitea-Event-Type"))).collect();
    assert_eq!(
        seen,
        [
            ("pull_request", "pull_request"),
            ("pull_request", "pull_request_review_request"),
            ("pull_request", "pull_request_review_request"),
            ("pull_request_approved", "pull_request_review_approved"),
            ("pull_request_rejected", "pull_request_review_rejected"),
            ("pull_request", "pull_request_review_request"),
            ("pull_request", "pull_request_review_request"),
        ]
    );
    let approval = got[3].payload();
    assert_eq!(approval["action"], "reviewed");
    assert_eq!(approval["review"], j!({"type": "pull_request_review_approved", "content": "LGTM"}));
    assert_eq!(approval["sender"]["login"], "bob");
    let request = got[1].payload();
    assert_eq!(
        (request["action"].as_str(), request["requested_reviewer"]["login"].as_str()),
        (Some("review_requested"), Some("bob"))
    );
    assert_eq!(got[6].payload()["action"], "review_request_removed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn teams_are_asked_for_reviews_in_organisations() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    assert_eq!(s.post_status("/user/orgs", &token, j!({"username": "acme"})).await, 201);
    assert_eq!(s.post_status("/org/acme/repos", &token, j!({"name": "app"})).await, 201);
    let git = Git::new();
    let wt = git.work_tree("app", "a.txt", "1\n");
    let url = s.git_url(Some((&alice.name, &alice.password)), "acme", "app");
    git.ok(Some(&wt), &["remote", "add", "origin", &url]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    git.ok(Some(&wt), &["checkout", "-q", "-b", "feature"]);
    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["add", "b.txt"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "Add b"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "feature"]);
    let open = j!({"head": "feature", "base": "master", "title": "Add b"});
    assert_eq!(s.post_status("/repos/acme/app/pulls", &token, &open).await, 201);

    let (_, reviewers) = s.post_json("/orgs/acme/teams", &token, j!({"name": "reviewers"})).await;
    let tid = reviewers["id"].as_i64().unwrap();
    assert_eq!(s.put_status(&format!("/teams/{tid}/repos/acme/app"), &token).await, 204);
    assert_eq!(s.post_status("/orgs/acme/teams", &token, j!({"name": "outsiders"})).await, 201);

    let asks = "/repos/acme/app/pulls/1/requested_reviewers";
    let (status, made) = s.post_json(asks, &token, j!({"team_reviewers": ["reviewers"]})).await;
    assert_eq!(status, 201, "{made}");
    assert_eq!(made[0]["state"], "REQUEST_REVIEW");
    assert_eq!(made[0]["team"]["name"], "reviewers");
    assert_eq!(made[0]["user"], serde_json::Value::Null);
    // Asking again makes nothing new.
    let (_, again) = s.post_json(asks, &token, j!({"team_reviewers": ["reviewers"]})).await;
    assert_eq!(again, j!([]));
    let (_, pr) = s.get_json("/repos/acme/app/pulls/1", &token).await;
    assert_eq!(pr["requested_reviewers_teams"][0]["name"], "reviewers", "{pr}");
    assert_eq!(pr["requested_reviewers"], j!([]));
    let (_, list) = s.get_json("/repos/acme/app/pulls/1/reviews", &token).await;
    assert_eq!(list[0]["team"]["id"], tid);

    // A team without the repository, and an unknown team.
    let (status, body) = s.post_json(asks, &token, j!({"team_reviewers": ["outsiders"]})).await;
    assert_eq!(status, 422, "{body}");
    let (status, body) = s.post_json(asks, &token, j!({"team_reviewers": ["ghosts"]})).await;
    assert_eq!(status, 404, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("ghosts"), "{body}");

    // Withdrawn.
    let withdraw = s
        .request(reqwest::Method::DELETE, asks, &token)
        .json(&j!({"team_reviewers": ["reviewers"]}))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(withdraw, 204);
    let (_, pr) = s.get_json("/repos/acme/app/pulls/1", &token).await;
    assert_eq!(pr["requested_reviewers_teams"], j!([]));
}
