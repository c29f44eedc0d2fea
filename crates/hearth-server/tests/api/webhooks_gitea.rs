//! Webhooks as Gitea clients see them: the hook type `gitea` (Gogs' payloads), and Gitea's and
//! GitHub's delivery headers (`X-Gitea-*`, `X-GitHub-*`, `X-Hub-Signature[-256]`) on every hook,
//! recorded in the delivery history.

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json as j};

use crate::support::*;

fn hmac_sha256(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn hmac_sha1(secret: &str, payload: &str) -> String {
    let mut mac = <Hmac<sha1::Sha1> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

async fn create_hook(s: &TestServer, token: &str, repo: &str, body: Value) -> Value {
    let (status, body) = s.post_json(&format!("/repos/{repo}/hooks"), token, body).await;
    assert_eq!(status, 201, "{body}");
    body
}

#[tokio::test]
async fn gitea_hook_type_crud() {
    let s = hook_server().await;
    let (_ada, token) = s.user_with_token("ada", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;

    let h = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gitea", "config": {"url": "http://example.com/h", "content_type": "json", "secret": "s"},
            "events": ["issues", "push"], "active": true}),
    )
    .await;
    let id = h["id"].as_i64().unwrap();
    assert_eq!(
        h,
        j!({"id": id, "type": "gitea", "config": {"content_type": "json", "url": "http://example.com/h"},
            "events": ["push", "issues"], "active": true, "updated_at": h["updated_at"], "created_at": h["created_at"]})
    );
    let (status, list) = s.get_json("/repos/ada/engine/hooks", &token).await;
    assert_eq!((status, list), (200, j!([h])));

    // Edits keep the type.
    let (status, e) =
        s.patch_json(&format!("/repos/ada/engine/hooks/{id}"), &token, j!({"config": {"content_type": "form"}})).await;
    assert_eq!(status, 200, "{e}");
    assert_eq!((e["type"].as_str(), e["config"]["content_type"].as_str()), (Some("gitea"), Some("form")));
    let (status, one) = s.get_json(&format!("/repos/ada/engine/hooks/{id}"), &token).await;
    assert_eq!((status, one["type"].as_str(), one["events"].clone()), (200, Some("gitea"), j!(["push"])));

    // Failures: as for every hook type.
    let body = j!({"type": "gitea", "config": {"url": "http://example.com/h", "content_type": "json"}});
    assert_eq!(s.post_json("/repos/ada/engine/hooks", Anon, &body).await, (401, j!({"message": "Unauthorized"})));
    assert_eq!(s.post_json("/repos/ada/engine/hooks", &bob_token, &body).await, (403, j!({"message": "Forbidden"})));
    assert_eq!(s.post_json("/repos/ada/nothing/hooks", &token, &body).await, (404, j!({"message": "Not Found"})));
    let (status, err) =
        s.post_json("/repos/ada/engine/hooks", &token, j!({"type": "gitea", "config": {"content_type": "json"}})).await;
    assert_eq!((status, err["message"].as_str()), (422, Some("Missing config option: url")));
    let (status, err) = s
        .post_json(
            "/repos/ada/engine/hooks",
            &token,
            j!({"type": "Gitea", "config": {"url": "u", "content_type": "json"}}),
        )
        .await;
    assert_eq!((status, err["message"].as_str()), (422, Some("Invalid hook type.")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_carry_gitea_and_github_headers() {
    let s = hook_server().await;
    let (_ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, j!({"name": "engine"})).await;
    let signed = Receiver::start().await;
    let hook = create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gitea", "config": {"url": signed.url(), "content_type": "json", "secret": "sesame"},
            "events": ["issues", "issue_comment"], "active": true}),
    )
    .await;
    let unsigned = Receiver::start().await;
    create_hook(
        &s,
        &token,
        "ada/engine",
        j!({"type": "gogs", "config": {"url": unsigned.url(), "content_type": "form"},
            "events": ["issues"], "active": true}),
    )
    .await;

    // opened (issues), label_updated (issue_label), a comment (issue_comment).
    let (status, issue) = s.post_json("/repos/ada/engine/issues", &token, j!({"title": "Bug"})).await;
    assert_eq!(status, 201, "{issue}");
    let (status, label) =
        s.post_json("/repos/ada/engine/labels", &token, j!({"name": "bug", "color": "#ee0701"})).await;
    assert_eq!(status, 201, "{label}");
    let (status, _) = s.post_json("/repos/ada/engine/issues/1/labels", &token, j!({"labels": [label["id"]]})).await;
    assert_eq!(status, 200);
    assert_eq!(s.post_status("/repos/ada/engine/issues/1/comments", &token, j!({"body": "me too"})).await, 201);

    let got = signed.wait_for(3).await;
    let kinds: Vec<(&str, &str)> =
        got.iter().map(|g| (g.header("X-Gitea-Event"), g.header("X-Gitea-Event-Type"))).collect();
    assert_eq!(kinds, [("issues", "issues"), ("issues", "issue_label"), ("issue_comment", "issue_comment")]);
    for g in &got {
        // The receiver recomputes every signature over the exact body.
        let sha256 = hmac_sha256("sesame", &g.body);
        assert_eq!(g.header("X-Hub-Signature-256"), format!("sha256={sha256}"));
        assert_eq!(g.header("X-Hub-Signature"), format!("sha1={}", hmac_sha1("sesame", &g.body)));
        assert_eq!(g.header("X-Gitea-Signature"), sha256);
        assert_eq!(g.header("X-Gogs-Signature"), sha256);
        let uuid = g.header("X-Gitea-Delivery");
        assert_eq!(uuid.len(), 36);
        for name in ["X-Gogs-Delivery", "X-GitHub-Delivery"] {
            assert_eq!(g.header(name), uuid, "{name}");
        }
        let event = g.header("X-Gitea-Event");
        assert_eq!((g.header("X-Gogs-Event"), g.header("X-GitHub-Event")), (event, event));
        let event_type = g.header("X-Gitea-Event-Type");
        assert_eq!((g.header("X-Gogs-Event-Type"), g.header("X-GitHub-Event-Type")), (event_type, event_type));
        assert_eq!(g.header("Content-Type"), "application/json");
        // Same payloads as a gogs hook.
        assert_eq!(g.payload()["repository"]["full_name"], "ada/engine");
    }
    assert_eq!(got[1].payload()["action"], "label_updated");

    // Without a secret: empty signatures, as Gitea (and Gogs) send them.
    let plain = unsigned.wait_for(2).await;
    assert_eq!(plain[1].header("X-Gitea-Event-Type"), "issue_label");
    for (name, value) in [
        ("X-Gitea-Signature", ""),
        ("X-Gogs-Signature", ""),
        ("X-Hub-Signature", "sha1="),
        ("X-Hub-Signature-256", "sha256="),
    ] {
        assert_eq!(plain[0].header(name), value, "{name}");
    }

    // The history shows the headers as sent.
    let id = hook["id"].as_i64().unwrap();
    let (status, list) = s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries"), &token).await;
    assert_eq!(status, 200);
    let label_delivery = list.as_array().unwrap().iter().find(|d| d["guid"] == got[1].header("X-Gitea-Delivery"));
    let (status, d) =
        s.get_json(&format!("/repos/ada/engine/hooks/{id}/deliveries/{}", label_delivery.unwrap()["id"]), &token).await;
    assert_eq!(status, 200, "{d}");
    let sent = &d["request"]["headers"];
    for name in [
        "X-Gitea-Delivery",
        "X-Gitea-Event",
        "X-Gitea-Event-Type",
        "X-Gitea-Signature",
        "X-Gogs-Delivery",
        "X-Gogs-Event",
        "X-Gogs-Event-Type",
        "X-Gogs-Signature",
        "X-GitHub-Delivery",
        "X-GitHub-Event",
        "X-GitHub-Event-Type",
        "X-Hub-Signature",
        "X-Hub-Signature-256",
        "Content-Type",
    ] {
        assert_eq!(sent[name].as_str(), Some(got[1].header(name)), "{name} in {sent}");
    }
    assert_eq!(sent.as_object().unwrap().len(), 14, "{sent}");
}
