//! Pagination everywhere (spec README §5): every list Gogs returns whole stays whole without
//! `page`/`limit`, and pages with Gitea's semantics (`X-Total-Count`, `Link` keeping the other
//! parameters) when the caller asks.

use serde_json::{Value, json as j};

use crate::support::*;

/// The whole list, then `limit=2` pages of it, must agree item for item.
async fn check_pages(s: &TestServer, path: &str, token: &str) {
    let whole = s.get_reply(path, token).await;
    assert_eq!(whole.status, 200, "{path}: {}", whole.body);
    let all = whole.body.as_array().unwrap_or_else(|| panic!("{path}: not a list: {}", whole.body)).clone();
    let n = all.len();
    assert!(n >= 3, "{path}: the fixture should give at least 3 items, got {n}");
    assert_eq!(whole.header("x-total-count"), n.to_string(), "{path}");
    assert!(whole.headers.get("link").is_none(), "{path}: a whole list has no Link header");

    let sep = if path.contains('?') { '&' } else { '?' };
    let first = s.get_reply(&format!("{path}{sep}limit=2"), token).await;
    assert_eq!(first.status, 200, "{path}");
    assert_eq!(first.body.as_array().unwrap(), &all[..2], "{path}: first page");
    assert_eq!(first.header("x-total-count"), n.to_string(), "{path}");
    let link = first.header("link");
    assert!(link.contains("page=2>; rel=\"next\""), "{path}: {link}");
    assert!(link.contains("limit=2"), "{path}: Link keeps the other parameters: {link}");

    let second = s.get_reply(&format!("{path}{sep}limit=2&page=2"), token).await;
    assert_eq!(second.body.as_array().unwrap(), &all[2..n.min(4)], "{path}: second page");
    assert!(second.header("link").contains("rel=\"prev\""), "{path}");

    // Past the end: an empty page that still knows the total.
    let past = s.get_reply(&format!("{path}{sep}limit=2&page=99"), token).await;
    assert_eq!(past.body, j!([]), "{path}");
    assert_eq!(past.header("x-total-count"), n.to_string(), "{path}");

    // `page` alone pages by Gitea's default of 30: everything here fits on page 1.
    let paged = s.get_reply(&format!("{path}{sep}page=1"), token).await;
    assert_eq!(paged.body.as_array().unwrap(), &all, "{path}");
}

#[tokio::test]
async fn every_list_pages_on_request_and_is_whole_otherwise() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "r", "auto_init": true})).await;
    s.create_repo(&alice, j!({"name": "r2"})).await;
    s.create_repo(&alice, j!({"name": "r3"})).await;

    let mut others = Vec::new();
    for name in ["bob", "carol", "dave"] {
        let (_u, t) = s.user_with_token(name, false).await;
        let put = s.request(reqwest::Method::PUT, &format!("/repos/alice/r/collaborators/{name}"), &alice);
        assert_eq!(put.json(&j!({"permission": "write"})).send().await.unwrap().status(), 204);
        assert_eq!(s.post_json("/repos/alice/r/forks", &t, j!({})).await.0, 202);
        others.push(t);
    }
    for i in 0..3 {
        let ok = |(status, body): (u16, Value)| assert!(status == 201, "{body}");
        ok(s.post_json("/repos/alice/r/labels", &alice, j!({"name": format!("l{i}"), "color": "#aabbcc"})).await);
        ok(s.post_json("/repos/alice/r/milestones", &alice, j!({"title": format!("m{i}")})).await);
        ok(s.post_json("/user/keys", &alice, j!({"title": format!("k{i}"), "key": ed25519_key(20 + i, "u")})).await);
        ok(s.post_json("/repos/alice/r/keys", &alice, j!({"title": format!("d{i}"), "key": ed25519_key(30 + i, "d")}))
            .await);
        let hook = j!({"type": "gogs", "config": {"url": format!("http://example.com/{i}"), "content_type": "json"}});
        ok(s.post_json("/repos/alice/r/hooks", &alice, &hook).await);
        ok(s.post_json("/repos/alice/r/releases", &alice, j!({"tag_name": format!("v{i}")})).await);
        ok(s.post_json("/user/orgs", &alice, j!({"username": format!("org{i}")})).await);
        ok(s.post_json("/orgs/org0/hooks", &alice, &hook).await);
        ok(s.post_json("/org/org0/repos", &alice, j!({"name": format!("or{i}")})).await);
        ok(s.post_json("/orgs/org0/teams", &alice, j!({"name": format!("team{i}"), "permission": "read"})).await);
    }
    let (status, issue) = s.post_json("/repos/alice/r/issues", &alice, j!({"title": "t"})).await;
    assert_eq!(status, 201, "{issue}");
    for i in 0..3 {
        let (status, _) = s.post_json("/repos/alice/r/issues/1/comments", &alice, j!({"body": format!("c{i}")})).await;
        assert_eq!(status, 201);
    }
    let (status, _) = s.post_json("/user/emails", &alice, j!({"emails": ["a2@example.com", "a3@example.com"]})).await;
    assert_eq!(status, 201);
    let (_, teams) = s.get_json("/orgs/org0/teams", &alice).await;
    let team = teams[1]["id"].as_i64().unwrap();
    let owners = teams[0]["id"].as_i64().unwrap();
    for name in ["bob", "carol", "dave"] {
        assert_eq!(s.put_status(&format!("/teams/{team}/members/{name}"), &alice).await, 204, "{name}");
    }

    for path in [
        "/repos/alice/r/labels".to_string(),
        "/repos/alice/r/milestones".into(),
        "/repos/alice/r/milestones?state=all".into(),
        "/repos/alice/r/collaborators".into(),
        "/repos/alice/r/keys".into(),
        "/repos/alice/r/hooks".into(),
        "/repos/alice/r/releases".into(),
        "/repos/alice/r/forks".into(),
        "/repos/alice/r/assignees".into(),
        "/repos/alice/r/issues/1/comments".into(),
        "/repos/alice/r/issues/comments".into(),
        "/repos/alice/r/git/refs".into(),
        "/user/keys".into(),
        "/users/alice/keys".into(),
        "/user/emails".into(),
        "/user/orgs".into(),
        "/user/repos".into(),
        "/users/alice/repos".into(),
        "/orgs/org0/repos".into(),
        "/orgs/org0/hooks".into(),
        "/orgs/org0/teams".into(),
        "/orgs/org0/members".into(),
        format!("/teams/{team}/members"),
        format!("/teams/{owners}/repos"),
    ] {
        check_pages(&s, &path, &alice).await;
    }
}

#[tokio::test]
async fn limits_are_capped_at_max_response_items() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "r"})).await;
    for i in 0..55 {
        let (status, _) =
            s.post_json("/repos/alice/r/labels", &alice, j!({"name": format!("l{i:02}"), "color": "#aabbcc"})).await;
        assert_eq!(status, 201);
    }
    // Whole without parameters: a Gogs client gets every label.
    let (_, all) = s.get_json("/repos/alice/r/labels", &alice).await;
    assert_eq!(all.as_array().unwrap().len(), 55);
    // A page is at most [api] MAX_RESPONSE_ITEMS (50) long, whatever `limit` asks for.
    let page = s.get_reply("/repos/alice/r/labels?limit=500", &alice).await;
    assert_eq!(page.body.as_array().unwrap().len(), 50);
    assert_eq!(page.header("x-total-count"), "55");
    let last = s.get_reply("/repos/alice/r/labels?limit=500&page=2", &alice).await;
    assert_eq!(last.body.as_array().unwrap().len(), 5);
    assert_eq!(last.body[4]["name"], "l54");
}
