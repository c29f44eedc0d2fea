//! Git data: refs (Gitea's `GET …/git/refs[/*]`), read in-process.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_list_and_prefixes() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "r", "auto_init": true})).await;
    let git = Git::new();
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "r");
    git.ok(None, &["clone", "-q", &url, "r"]);
    let wt = git.path("r");
    git.ok(Some(&wt), &["tag", "-a", "v1", "-m", "first"]);
    git.ok(Some(&wt), &["tag", "light"]);
    git.ok(Some(&wt), &["branch", "feature/x"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "--all"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "--tags"]);
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    let tag = git.ok(Some(&wt), &["rev-parse", "v1"]).trim().to_string();
    assert_ne!(head, tag, "an annotated tag is an object of its own");

    // Public: anonymous callers read them too, in name order, unpeeled.
    let (status, all) = s.get_json("/repos/alice/r/git/refs", Anon).await;
    assert_eq!(status, 200, "{all}");
    let names: Vec<&str> = all.as_array().unwrap().iter().map(|r| r["ref"].as_str().unwrap()).collect();
    assert_eq!(names, ["refs/heads/feature/x", "refs/heads/master", "refs/tags/light", "refs/tags/v1"]);
    let api = format!("{}api/v1/repos/alice/r", s.base);
    assert_eq!(
        all[1],
        j!({"ref": "refs/heads/master", "url": format!("{api}/git/refs/heads/master"),
            "object": {"type": "commit", "sha": head, "url": format!("{api}/git/commits/{head}")}})
    );
    assert_eq!(all[3]["object"], j!({"type": "tag", "sha": tag, "url": format!("{api}/git/tags/{tag}")}));
    assert_eq!(all[2]["object"]["type"], "commit");

    // A prefix names every ref under it; one match is still a list.
    let (_, heads) = s.get_json("/repos/alice/r/git/refs/heads", Anon).await;
    assert_eq!(heads.as_array().unwrap().len(), 2);
    let (status, one) = s.get_json("/repos/alice/r/git/refs/heads/master", &token).await;
    assert_eq!((status, one.as_array().map(Vec::len)), (200, Some(1)));
    let (_, v) = s.get_json("/repos/alice/r/git/refs/tags/v", Anon).await;
    assert_eq!(v[0]["ref"], "refs/tags/v1");
    for missing in
        ["/repos/alice/r/git/refs/nope", "/repos/alice/r/git/refs/heads/../../x", "/repos/alice/nope/git/refs"]
    {
        let (status, body) = s.get_json(missing, Anon).await;
        assert_eq!(status, 404, "{missing}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refs_of_private_repositories_need_read_access() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&token, j!({"name": "secret", "auto_init": true, "private": true})).await;
    assert_eq!(s.get_json("/repos/alice/secret/git/refs", Anon).await.0, 404);
    assert_eq!(s.get_json("/repos/alice/secret/git/refs", &bob).await.0, 404);
    let (status, refs) = s.get_json("/repos/alice/secret/git/refs", &token).await;
    assert_eq!((status, refs[0]["ref"].as_str()), (200, Some("refs/heads/master")));
    // An empty repository has no refs.
    s.create_repo(&token, j!({"name": "empty"})).await;
    assert_eq!(s.get_json("/repos/alice/empty/git/refs", &token).await.0, 404);
}
