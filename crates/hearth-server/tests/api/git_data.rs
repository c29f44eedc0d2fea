//! Git data objects (Gitea's routes): `GET …/git/tags/:sha` (annotated tag objects) and
//! `GET …/git/commits/:sha` (a commit with its files and line counts).

use serde_json::{Value, json};

use crate::support::*;

const DOCS: &str = "https://github.com/gogs/docs-api";

/// `ada/r` with two pushed commits (the second by ada's own e-mail) and an annotated tag `v1` on
/// the second; returns the two commit ids and the tag object id.
async fn setup(s: &TestServer) -> (TestUser, String, [String; 3]) {
    let (ada, token) = s.user_with_token("ada", false).await;
    s.create_repo(&token, json!({ "name": "r" })).await;
    let git = Git::new();
    let wt = git.work_tree("wt", "README.md", "one\ntwo\nthree\n");
    let first = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(wt.join("README.md"), "one\n2\nthree\nfour\n").unwrap();
    std::fs::create_dir_all(wt.join("src")).unwrap();
    std::fs::write(wt.join("src/new.txt"), "a\nb\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["-c", "user.email=ada@example.com", "commit", "-q", "-m", "Second\n\nWith a body."]);
    let second = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    git.ok(Some(&wt), &["tag", "-a", "v1", "-m", "Version one"]);
    let tag = git.ok(Some(&wt), &["rev-parse", "v1"]).trim().to_string();
    let url = s.git_url(Some((&ada.name, &ada.password)), "ada", "r");
    git.ok(Some(&wt), &["push", "-q", &url, "master", "v1"]);
    (ada, token, [first, second, tag])
}

#[tokio::test(flavor = "multi_thread")]
async fn annotated_tags() {
    let s = TestServer::start().await;
    let (_ada, token, [first, second, tag]) = setup(&s).await;
    let api = format!("{}api/v1/repos/ada/r", s.base);

    let (status, body) = s.get_json(&format!("/repos/ada/r/git/tags/{tag}"), Anon).await;
    assert_eq!(status, 200, "{body}");
    let date = body["tagger"]["date"].as_str().unwrap().to_string();
    assert!(date.ends_with('Z') && date.len() == 20, "{date}");
    assert_eq!(
        body,
        json!({
            "tag": "v1",
            "sha": tag,
            "url": format!("{api}/git/tags/{tag}"),
            "message": "Version one\n",
            "tagger": { "name": "Tester", "email": "tester@example.com", "date": date },
            "object": { "type": "commit", "url": format!("{api}/git/commits/{second}"), "sha": second },
            "verification": {
                "verified": false, "reason": "gpg.error.not_signed_commit", "signature": "", "signer": null, "payload": "",
            },
        })
    );
    // The ref listing points at the same object.
    let (_, refs) = s.get_json("/repos/ada/r/git/refs/tags/v1", &token).await;
    assert_eq!(refs[0]["object"]["url"], format!("{api}/git/tags/{tag}"));

    // A commit is not a tag object (400, as Gitea); an unknown id is missing.
    assert_eq!(
        s.get_json(&format!("/repos/ada/r/git/tags/{first}"), &token).await,
        (400, json!({ "message": format!("object is not an annotated tag [id: {first}]"), "url": DOCS }))
    );
    let unknown = "0123456789abcdef0123456789abcdef01234567";
    let not_found = json!({ "message": "Not Found" });
    assert_eq!(s.get_json(&format!("/repos/ada/r/git/tags/{unknown}"), &token).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/ada/r/git/tags/v1", &token).await, (404, not_found.clone()), "ids only");
    assert_eq!(s.get_json(&format!("/repos/ada/nope/git/tags/{tag}"), &token).await, (404, not_found));
}

#[tokio::test(flavor = "multi_thread")]
async fn commits() {
    let s = TestServer::start().await;
    let (_ada, token, [first, second, _]) = setup(&s).await;
    let api = format!("{}api/v1/repos/ada/r", s.base);

    let (status, body) = s.get_json(&format!("/repos/ada/r/git/commits/{second}"), &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["url"], format!("{api}/git/commits/{second}"));
    assert_eq!(body["sha"], second.as_str());
    assert_eq!(body["html_url"], format!("{}ada/r/commit/{second}", s.base));
    assert_eq!(body["created"], body["commit"]["committer"]["date"]);
    let c = &body["commit"];
    assert_eq!(c["url"], body["url"]);
    assert_eq!(c["message"], "Second\n\nWith a body.\n", "the full message");
    assert_eq!(c["author"]["email"], "ada@example.com");
    assert_eq!(c["tree"]["sha"], second.as_str(), "Gitea shows the commit id as the tree");
    assert_eq!(c["tree"]["url"], format!("{api}/git/trees/{second}"));
    assert_eq!(c["verification"]["verified"], false);
    assert_eq!(body["author"]["username"], "ada", "matched by activated e-mail");
    assert_eq!(body["author"]["email"], "ada@example.com");
    assert_eq!(body["committer"]["username"], "ada");
    assert_eq!(
        body["parents"],
        json!([{ "url": format!("{api}/git/commits/{first}"), "sha": first, "created": "0001-01-01T00:00:00Z" }])
    );
    assert_eq!(
        body["files"],
        json!([{ "filename": "src/new.txt", "status": "added" }, { "filename": "README.md", "status": "modified" }])
    );
    assert_eq!(body["stats"], json!({ "total": 5, "additions": 4, "deletions": 1 }));

    // The root commit adds everything; any revision names a commit; anonymous callers read
    // public repositories (without e-mails).
    let (status, root) = s.get_json(&format!("/repos/ada/r/git/commits/{first}"), Anon).await;
    assert_eq!(status, 200);
    assert_eq!(root["parents"], json!([]));
    assert_eq!((&root["author"], &root["committer"]), (&Value::Null, &Value::Null), "tester@example.com is nobody's");
    assert_eq!(root["files"], json!([{ "filename": "README.md", "status": "added" }]));
    assert_eq!(root["stats"], json!({ "total": 3, "additions": 3, "deletions": 0 }));
    let (_, by_branch) = s.get_json("/repos/ada/r/git/commits/master", &token).await;
    assert_eq!(by_branch["sha"], second.as_str());
    let (_, anon) = s.get_json(&format!("/repos/ada/r/git/commits/{second}"), Anon).await;
    assert_eq!(anon["author"]["email"], "");

    let not_found = json!({ "message": "Not Found" });
    assert_eq!(s.get_json("/repos/ada/r/git/commits/nope", &token).await, (404, not_found.clone()));
    assert_eq!(
        s.get_json("/repos/ada/r/git/commits/a..b", &token).await,
        (422, json!({ "message": "no valid ref or sha: a..b", "url": DOCS }))
    );
    let (_eve, eve) = s.user_with_token("eve", false).await;
    s.create_repo(&token, json!({ "name": "secret", "private": true, "auto_init": true })).await;
    assert_eq!(s.get_json("/repos/ada/secret/git/commits/master", &eve).await, (404, not_found.clone()));
    assert_eq!(s.get_json("/repos/ada/secret/git/commits/master", Anon).await, (404, not_found));
    assert_eq!(s.get_json("/repos/ada/secret/git/commits/master", &token).await.0, 200);
}
