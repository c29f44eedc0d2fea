//! Branch and tag management (Gitea's routes): create and delete branches and tags, read one tag,
//! page the tag list; writers only; the webhook deliveries equal those of a `git push` of the
//! same ref; what the API creates is fetchable with git.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

const DOCS: &str = "https://github.com/gogs/docs-api";

/// A server with `ada` (token) owning `ada/r` (one commit on `master`) and `rex` (token), a
/// reader of it.
async fn setup() -> (TestServer, TestUser, String, String) {
    let s = hook_server().await;
    let (ada, token) = s.user_with_token("ada", false).await;
    let (_rex, reader) = s.user_with_token("rex", false).await;
    s.create_repo(&token, json!({ "name": "r", "auto_init": true })).await;
    let (status, _) = s.put_json("/repos/ada/r/collaborators/rex", &token, json!({ "permission": "read" })).await;
    assert_eq!(status, 204);
    (s, ada, token, reader)
}

async fn tip(s: &TestServer, token: &str, branch: &str) -> String {
    let (status, body) = s.get_json(&format!("/repos/ada/r/branches/{branch}"), token).await;
    assert_eq!(status, 200, "{body}");
    body["commit"]["id"].as_str().unwrap().to_string()
}

fn message(text: &str) -> Value {
    json!({ "message": text, "url": DOCS })
}

#[tokio::test(flavor = "multi_thread")]
async fn create_and_delete_branches() {
    let (s, ada, token, _) = setup().await;
    let master = tip(&s, &token, "master").await;

    let (status, body) = s.post_json("/repos/ada/r/branches", &token, json!({ "new_branch_name": "feature/x" })).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["name"], "feature/x");
    assert_eq!(body["commit"]["id"], master.as_str());
    assert_eq!(body["commit"]["author"]["username"], "ada");
    let (_, got) = s.get_json("/repos/ada/r/branches/feature/x", &token).await;
    assert_eq!(got, body, "the same shape as GET");

    // From a commit id, and from a branch (Gitea's deprecated `old_branch_name`).
    let (status, body) =
        s.post_json("/repos/ada/r/branches", &token, json!({ "new_branch_name": "b2", "old_ref_name": master })).await;
    assert_eq!((status, body["commit"]["id"].as_str()), (201, Some(master.as_str())));
    let (status, _) =
        s.post_json("/repos/ada/r/branches", &token, json!({ "new_branch_name": "b3", "old_branch_name": "b2" })).await;
    assert_eq!(status, 201);

    // The branch is there for git.
    let git = Git::new();
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "r");
    let remote = git.ok(None, &["ls-remote", &url]);
    assert!(remote.contains(&format!("{master}\trefs/heads/feature/x")), "{remote}");
    git.ok(None, &["clone", "-q", "--branch", "feature/x", &url, "wt"]);

    assert_eq!(s.delete_json("/repos/ada/r/branches/feature/x", &token).await, (204, Value::Null));
    assert_eq!(s.get_status("/repos/ada/r/branches/feature/x", &token).await, 404);
    assert_eq!(
        s.delete_json("/repos/ada/r/branches/feature/x", &token).await,
        (404, json!({ "message": "Not Found" }))
    );
    assert_eq!(
        s.delete_json("/repos/ada/r/branches/master", &token).await,
        (403, message("can not delete default branch"))
    );
    let remote = git.ok(None, &["ls-remote", &url]);
    assert!(!remote.contains("refs/heads/feature/x") && remote.contains("refs/heads/b3"), "{remote}");
}

#[tokio::test]
async fn branch_failures() {
    let (s, _ada, token, reader) = setup().await;
    let (_eve, eve) = s.user_with_token("eve", false).await;
    s.create_repo(&token, json!({ "name": "secret", "private": true, "auto_init": true })).await;
    s.create_repo(&token, json!({ "name": "empty" })).await;
    let new = json!({ "new_branch_name": "n" });

    assert_eq!(s.post_json("/repos/ada/r/branches", Anon, &new).await, (401, json!({ "message": "Unauthorized" })));
    assert_eq!(s.delete_json("/repos/ada/r/branches/x", Anon).await, (401, json!({ "message": "Unauthorized" })));
    assert_eq!(s.post_json("/repos/ada/r/branches", &reader, &new).await, (403, json!({ "message": "Forbidden" })));
    assert_eq!(s.delete_json("/repos/ada/r/branches/master", &reader).await, (403, json!({ "message": "Forbidden" })));
    assert_eq!(s.post_json("/repos/ada/secret/branches", &eve, &new).await, (404, json!({ "message": "Not Found" })));
    assert_eq!(
        s.delete_json("/repos/ada/secret/branches/master", &eve).await,
        (404, json!({ "message": "Not Found" }))
    );
    assert_eq!(s.post_json("/repos/ada/empty/branches", &token, &new).await, (404, json!({ "message": "Not Found" })));

    // Sources that do not exist.
    for source in [json!({ "old_branch_name": "nope" }), json!({ "old_ref_name": "nope" })] {
        let mut body = source.clone();
        body["new_branch_name"] = json!("n");
        assert_eq!(s.post_json("/repos/ada/r/branches", &token, &body).await, (404, json!({ "message": "Not Found" })));
    }
    // Names.
    let (status, body) = s.post_json("/repos/ada/r/branches", &token, json!({})).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!([{ "fieldNames": ["BranchName"], "classification": "RequiredError", "message": "Required" }])
    );
    let (status, body) =
        s.post_json("/repos/ada/r/branches", &token, json!({ "new_branch_name": "a..b", "old_ref_name": "-x" })).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!([
            { "fieldNames": ["BranchName"], "classification": "GitRefNameError", "message": "GitRefName" },
            { "fieldNames": ["OldRefName"], "classification": "GitRefNameError", "message": "GitRefName" },
        ])
    );
    // Existing names and names that clash with one.
    assert_eq!(s.post_status("/repos/ada/r/branches", &token, json!({ "new_branch_name": "a/b" })).await, 201);
    for (name, text) in [
        ("master", "The branch already exists."),
        ("a/b", "The branch already exists."),
        ("a", "The branch with the same name already exists."),
        ("a/b/c", "The branch with the same name already exists."),
    ] {
        let (status, body) = s.post_json("/repos/ada/r/branches", &token, json!({ "new_branch_name": name })).await;
        assert_eq!((status, body), (409, message(text)), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_get_and_delete_tags() {
    let (s, ada, token, reader) = setup().await;
    let master = tip(&s, &token, "master").await;
    let html = format!("{}ada/r", s.base);
    let api = format!("{}api/v1/repos/ada/r", s.base);

    // Lightweight: the tag is the commit.
    let (status, light) = s.post_json("/repos/ada/r/tags", &token, json!({ "tag_name": "v1" })).await;
    assert_eq!(status, 201, "{light}");
    let (_, commit) = s.get_json(&format!("/repos/ada/r/commits/{master}"), &token).await;
    assert_eq!(light["name"], "v1");
    assert_eq!(light["id"], master.as_str());
    assert_eq!(light["commit"]["sha"], master.as_str());
    assert_eq!(light["commit"]["url"], format!("{api}/git/commits/{master}"));
    assert_eq!(light["commit"]["created"], commit["commit"]["committer"]["date"]);
    assert_eq!(light["zipball_url"], format!("{html}/archive/v1.zip"));
    assert_eq!(light["tarball_url"], format!("{html}/archive/v1.tar.gz"));
    assert!(light["message"].as_str().unwrap().starts_with("Initial commit"), "{light}");

    // Annotated, with the caller as tagger, at a named target.
    let body = json!({ "tag_name": "rel/2", "message": "Release 2", "target": "master" });
    let (status, annotated) = s.post_json("/repos/ada/r/tags", &token, &body).await;
    assert_eq!(status, 201, "{annotated}");
    assert_eq!(annotated["name"], "rel/2");
    assert_eq!(annotated["message"], "Release 2\n");
    assert_ne!(annotated["id"], master.as_str());
    assert_eq!(annotated["commit"]["sha"], master.as_str());
    let (status, got) = s.get_json("/repos/ada/r/tags/rel/2", &reader).await;
    assert_eq!((status, &got), (200, &annotated));
    assert_eq!(s.get_json("/repos/ada/r/tags/rel/2", Anon).await.0, 200, "public repositories are readable");

    // Both are real tags for git, the annotated one by the caller.
    let git = Git::new();
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "r");
    git.ok(None, &["clone", "-q", &url, "wt"]);
    let wt = git.path("wt");
    let shown = git.ok(
        Some(&wt),
        &["for-each-ref", "--format=%(refname) %(objecttype) %(objectname) %(taggername) %(taggeremail) %(subject)"],
    );
    assert!(shown.contains(&format!("refs/tags/v1 commit {master}")), "{shown}");
    let tag_id = annotated["id"].as_str().unwrap();
    assert!(shown.contains(&format!("refs/tags/rel/2 tag {tag_id} ada <ada@example.com> Release 2")), "{shown}");

    // The Gogs list keeps its shape and takes page/limit.
    let page = s.get_reply("/repos/ada/r/tags?limit=1&page=2", &token).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.body.as_array().unwrap().len(), 1);
    assert_eq!(page.header("x-total-count"), "2");
    assert!(page.body[0]["commit"]["id"].is_string());
    let all = s.get_reply("/repos/ada/r/tags", &token).await;
    assert_eq!(all.body.as_array().unwrap().len(), 2);
    assert!(all.headers.get("link").is_none());

    assert_eq!(s.delete_json("/repos/ada/r/tags/v1", &token).await, (204, Value::Null));
    assert_eq!(s.get_json("/repos/ada/r/tags/v1", &token).await, (404, json!({ "message": "Not Found" })));
    assert_eq!(s.delete_json("/repos/ada/r/tags/v1", &token).await, (404, json!({ "message": "Not Found" })));
    let remote = git.ok(None, &["ls-remote", "--tags", &url]);
    assert!(!remote.contains("refs/tags/v1") && remote.contains("refs/tags/rel/2"), "{remote}");
}

#[tokio::test]
async fn tag_failures() {
    let (s, _ada, token, reader) = setup().await;
    let (_eve, eve) = s.user_with_token("eve", false).await;
    s.create_repo(&token, json!({ "name": "secret", "private": true, "auto_init": true })).await;
    let new = json!({ "tag_name": "t" });

    assert_eq!(s.post_json("/repos/ada/r/tags", Anon, &new).await, (401, json!({ "message": "Unauthorized" })));
    assert_eq!(s.delete_json("/repos/ada/r/tags/t", Anon).await, (401, json!({ "message": "Unauthorized" })));
    assert_eq!(s.post_json("/repos/ada/r/tags", &reader, &new).await, (403, json!({ "message": "Forbidden" })));
    assert_eq!(s.post_status("/repos/ada/r/tags", &token, &new).await, 201);
    assert_eq!(s.delete_json("/repos/ada/r/tags/t", &reader).await, (403, json!({ "message": "Forbidden" })));
    assert_eq!(s.post_json("/repos/ada/secret/tags", &eve, &new).await, (404, json!({ "message": "Not Found" })));
    assert_eq!(s.get_json("/repos/ada/secret/tags/t", &eve).await, (404, json!({ "message": "Not Found" })));
    assert_eq!(s.get_json("/repos/ada/r/tags/nope", &token).await, (404, json!({ "message": "Not Found" })));

    assert_eq!(s.post_json("/repos/ada/r/tags", &token, &new).await, (409, message("tag already exists [name: t]")));
    assert_eq!(
        s.post_json("/repos/ada/r/tags", &token, json!({ "tag_name": "u", "target": "nope" })).await,
        (404, json!({ "message": "Not Found" }))
    );
    let (status, body) = s.post_json("/repos/ada/r/tags", &token, json!({ "tag_name": "bad tag" })).await;
    assert_eq!(status, 422);
    assert_eq!(
        body,
        json!([{ "fieldNames": ["TagName"], "classification": "GitRefNameError", "message": "GitRefName" }])
    );
    let (status, body) = s.post_json("/repos/ada/r/tags", &token, json!({ "message": "m" })).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["classification"], "RequiredError");

    // A tag a release is attached to stays.
    let (status, _) = s.post_json("/repos/ada/r/releases", &token, json!({ "tag_name": "v9", "name": "nine" })).await;
    assert_eq!(status, 201);
    assert_eq!(
        s.delete_json("/repos/ada/r/tags/v9", &token).await,
        (409, message("a tag attached to a release cannot be deleted directly"))
    );
}

/// The parts of a delivery that do not depend on which ref or when.
fn comparable(mut p: Value, ref_name: &str) -> Value {
    let obj = p.as_object_mut().unwrap();
    for key in ["repository", "sender", "pusher"] {
        if let Some(v) = obj.get_mut(key) {
            for volatile in ["updated_at", "size", "empty"] {
                v.as_object_mut().map(|o| o.remove(volatile));
            }
        }
    }
    let text = serde_json::to_string(&p).unwrap().replace(ref_name, "REF");
    serde_json::from_str(&text).unwrap()
}

async fn events(rx: &Receiver, from: usize, n: usize) -> Vec<(String, Value)> {
    let got = rx.wait_for(from + n).await;
    got[from..from + n].iter().map(|g| (g.header("X-Gogs-Event").to_string(), g.payload())).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn deliveries_equal_those_of_a_push() {
    let (s, ada, token, _) = setup().await;
    let rx = Receiver::start().await;
    let body = json!({ "type": "gogs", "config": { "url": rx.url(), "content_type": "json" },
        "events": ["create", "delete", "push"], "active": true });
    assert_eq!(s.post_status("/repos/ada/r/hooks", &token, body).await, 201);
    let git = Git::new();
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "r");
    git.ok(None, &["clone", "-q", &url, "wt"]);
    let wt = git.path("wt");
    // The git user is ada, so that pushed and API-made payloads name the same people.
    let as_ada = ["-c", "user.name=ada", "-c", "user.email=ada@example.com"];

    // A new branch: `create` then `push`, as a push of a new branch.
    assert_eq!(s.post_status("/repos/ada/r/branches", &token, json!({ "new_branch_name": "api-b" })).await, 201);
    let api = events(&rx, 0, 2).await;
    git.ok(Some(&wt), &["push", "-q", "origin", "master:git-b"]);
    let pushed = events(&rx, 2, 2).await;
    assert_eq!(api.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(), ["create", "push"]);
    for (a, p) in api.iter().zip(&pushed) {
        assert_eq!(a.0, p.0);
        assert_eq!(comparable(a.1.clone(), "api-b"), comparable(p.1.clone(), "git-b"), "{}", a.0);
    }

    // Deleting a branch: `delete` only.
    assert_eq!(s.delete_status("/repos/ada/r/branches/api-b", &token).await, 204);
    let api = events(&rx, 4, 1).await;
    git.ok(Some(&wt), &["push", "-q", "origin", "--delete", "git-b"]);
    let pushed = events(&rx, 5, 1).await;
    assert_eq!((api[0].0.as_str(), pushed[0].0.as_str()), ("delete", "delete"));
    assert_eq!(comparable(api[0].1.clone(), "api-b"), comparable(pushed[0].1.clone(), "git-b"));

    // A lightweight tag: `create` only, with the commit as `sha`.
    assert_eq!(s.post_status("/repos/ada/r/tags", &token, json!({ "tag_name": "api-t" })).await, 201);
    let api = events(&rx, 6, 1).await;
    git.ok(Some(&wt), &as_ada.iter().copied().chain(["tag", "git-t"]).collect::<Vec<_>>());
    git.ok(Some(&wt), &["push", "-q", "origin", "git-t"]);
    let pushed = events(&rx, 7, 1).await;
    assert_eq!((api[0].0.as_str(), pushed[0].0.as_str()), ("create", "create"));
    assert_eq!(comparable(api[0].1.clone(), "api-t"), comparable(pushed[0].1.clone(), "git-t"));

    // Deleting a tag: `delete`.
    assert_eq!(s.delete_status("/repos/ada/r/tags/api-t", &token).await, 204);
    let api = events(&rx, 8, 1).await;
    git.ok(Some(&wt), &["push", "-q", "origin", "--delete", "git-t"]);
    let pushed = events(&rx, 9, 1).await;
    assert_eq!(comparable(api[0].1.clone(), "api-t"), comparable(pushed[0].1.clone(), "git-t"));
    assert_eq!(api[0].1["ref_type"], "tag");

    // Nothing else was delivered; every ref update was recorded as a push event.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(rx.got().len(), 10);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM push_event WHERE ref_name LIKE '%api-%'").await, 4);
}
