//! The read side of the content API against a repository pushed with the real git client.

use base64::Engine;
use serde_json::json as j;

use crate::support::*;

fn unb64(v: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()
}

/// alice/c with files, a directory, an executable, a symlink pointing outside, a binary, an HTML
/// page, a submodule, and tags v1 (lightweight, first commit) and v2 (annotated, second).
async fn fixture() -> (TestServer, String, Git) {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "c"})).await;
    let git = Git::new();
    let wt = git.work_tree("c", "README.md", "# c\n");
    git.ok(Some(&wt), &["tag", "v1"]);
    std::fs::create_dir_all(wt.join("dir/sub")).unwrap();
    std::fs::write(wt.join("dir/a.txt"), "alpha\n").unwrap();
    std::fs::write(wt.join("dir/sub/b.txt"), "beta\n").unwrap();
    std::fs::write(wt.join("run.sh"), "#!/bin/sh\necho hi\n").unwrap();
    std::os::unix::fs::symlink("../../etc/passwd", wt.join("link")).unwrap();
    let mut binary = vec![0u8, 1, 2, 3, 0, 255];
    binary.extend_from_slice(b"not text");
    std::fs::write(wt.join("bin.dat"), &binary).unwrap();
    std::fs::write(wt.join("page.html"), "<script>alert(1)</script>").unwrap();
    std::fs::write(wt.join("README.md"), "# c\n\nsecond\n").unwrap();
    std::fs::write(wt.join(".gitmodules"), "[submodule \"mod\"]\n\tpath = mod\n\turl = https://example.com/mod.git\n")
        .unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["update-index", "--chmod=+x", "run.sh"]);
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    git.ok(Some(&wt), &["update-index", "--add", "--cacheinfo", &format!("160000,{head},mod")]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "second"]);
    git.ok(Some(&wt), &["tag", "-a", "v2", "-m", "two"]);
    let url = s.git_url(Some((&alice.name, &alice.password)), "alice", "c");
    git.ok(Some(&wt), &["push", "-q", &url, "master", "v1", "v2"]);
    (s, token, git)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contents_of_files_directories_symlinks_and_submodules() {
    let (s, token, _git) = fixture().await;
    let (status, root) = json(s.get("/repos/alice/c/contents").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = root.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec![".gitmodules", "README.md", "bin.dat", "dir", "link", "mod", "page.html", "run.sh"]);
    let kinds: Vec<&str> = root.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["file", "file", "file", "dir", "symlink", "submodule", "file", "file"]);
    assert_eq!(unb64(&root[1]["content"]), b"# c\n\nsecond\n", "listings carry file content");

    let (status, readme) = json(s.get("/repos/alice/c/contents/README.md").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(readme["type"], "file");
    assert_eq!(readme["encoding"], "base64");
    assert_eq!(readme["size"], 12);
    assert_eq!(readme["path"], "README.md");
    assert_eq!(unb64(&readme["content"]), b"# c\n\nsecond\n");
    let sha = readme["sha"].as_str().unwrap();
    let api = format!("{}api/v1/repos/alice/c", s.base);
    assert_eq!(readme["url"], format!("{api}/contents/README.md"));
    assert_eq!(readme["git_url"], format!("{api}/git/blobs/{sha}"));
    assert_eq!(readme["download_url"], format!("{}alice/c/raw/master/README.md", s.base));
    assert_eq!(readme["html_url"], format!("{}alice/c/src/master/README.md", s.base));
    assert_eq!(readme["_links"]["self"], readme["url"]);
    assert!(readme.get("target").is_none());

    let (_, dir) = json(s.get("/repos/alice/c/contents/dir").token(&token).send().await.unwrap()).await;
    let paths: Vec<&str> = dir.as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["dir/a.txt", "dir/sub"]);
    assert_eq!(dir[1]["type"], "dir");
    assert!(dir[1].get("content").is_none());
    let (_, nested) = json(s.get("/repos/alice/c/contents/dir/sub/b.txt").token(&token).send().await.unwrap()).await;
    assert_eq!(unb64(&nested["content"]), b"beta\n");
    assert_eq!(
        nested["html_url"],
        format!("{}alice/c/src/master/dir/sub/b.txt", s.base),
        "full path, not Gogs' name only"
    );

    // A symlink pointing outside the repository is reported, never followed.
    let (_, link) = json(s.get("/repos/alice/c/contents/link").token(&token).send().await.unwrap()).await;
    assert_eq!(link["type"], "symlink");
    assert_eq!(link["target"], "../../etc/passwd");
    assert_eq!(link["size"], 16);
    assert!(link.get("content").is_none());

    let (_, module) = json(s.get("/repos/alice/c/contents/mod").token(&token).send().await.unwrap()).await;
    assert_eq!(module["type"], "submodule");
    assert_eq!(module["submodule_git_url"], "https://example.com/mod.git");
    assert_eq!(module["git_url"], "");

    let (_, exec) = json(s.get("/repos/alice/c/contents/run.sh").token(&token).send().await.unwrap()).await;
    assert_eq!(exec["type"], "file");

    // ?ref= reads other revisions: a tag, a commit id.
    let (_, old) = json(s.get("/repos/alice/c/contents/README.md?ref=v1").token(&token).send().await.unwrap()).await;
    assert_eq!(unb64(&old["content"]), b"# c\n");
    assert_eq!(old["download_url"], format!("{}alice/c/raw/v1/README.md", s.base));

    for bad in [
        "/repos/alice/c/contents/nope",
        "/repos/alice/c/contents/README.md?ref=nope",
        "/repos/alice/c/contents/README.md?ref=--output=x",
        "/repos/alice/c/contents/dir%2F..%2FREADME.md",
        "/repos/alice/c/contents/%2Fetc%2Fpasswd",
        "/repos/alice/c/contents/.git/config",
        "/repos/alice/nope/contents",
    ] {
        assert_eq!(s.get(bad).token(&token).send().await.unwrap().status(), 404, "{bad}");
    }
    assert_eq!(s.get("/repos/alice/c/contents").send().await.unwrap().status(), 401);
    s.create_repo(&token, j!({"name": "empty"})).await;
    assert_eq!(s.get("/repos/alice/empty/contents").token(&token).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_files() {
    let (s, token, git) = fixture().await;
    let resp = s.get("/repos/alice/c/raw/master/README.md").token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(resp.text().await.unwrap(), "# c\n\nsecond\n");

    let resp = s.get("/repos/alice/c/raw/v1/README.md").token(&token).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), "# c\n");
    let wt = git.path("c");
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    let resp = s.get(&format!("/repos/alice/c/raw/{head}/dir/a.txt")).token(&token).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), "alpha\n");

    // HTML is served as text, never rendered; binaries are attachments.
    let resp = s.get("/repos/alice/c/raw/master/page.html").token(&token).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    let resp = s.get("/repos/alice/c/raw/master/bin.dat").token(&token).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    assert_eq!(resp.headers()["content-disposition"], "attachment; filename=\"bin.dat\"");
    assert_eq!(resp.bytes().await.unwrap().len(), 14);

    for bad in ["master/nope", "master/dir", "nope/README.md", "master", "master/../../etc/passwd", &head[..10]] {
        let resp = s.get(&format!("/repos/alice/c/raw/{bad}")).token(&token).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{bad}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_trees_blobs_and_tags() {
    let (s, token, _git) = fixture().await;
    let (status, tree) = json(s.get("/repos/alice/c/git/trees/master").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(tree["sha"], "master", "the requested value is echoed");
    assert_eq!(tree["url"], format!("{}api/v1/repos/alice/c/git/trees/master", s.base));
    let modes: Vec<(&str, &str, &str)> = tree["tree"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["path"].as_str().unwrap(), e["mode"].as_str().unwrap(), e["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        modes,
        vec![
            (".gitmodules", "100644", "blob"),
            ("README.md", "100644", "blob"),
            ("bin.dat", "100644", "blob"),
            ("dir", "040000", "tree"),
            ("link", "120000", "blob"),
            ("mod", "160000", "commit"),
            ("page.html", "100644", "blob"),
            ("run.sh", "100755", "blob"),
        ]
    );
    let dir_sha = tree["tree"][3]["sha"].as_str().unwrap().to_string();
    let (_, sub) =
        json(s.get(&format!("/repos/alice/c/git/trees/{dir_sha}")).token(&token).send().await.unwrap()).await;
    assert_eq!(sub["tree"].as_array().unwrap().len(), 2);

    let readme_sha = tree["tree"][1]["sha"].as_str().unwrap().to_string();
    assert_eq!(tree["tree"][1]["size"], 12);
    let (status, blob) =
        json(s.get(&format!("/repos/alice/c/git/blobs/{readme_sha}")).token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(blob["encoding"], "base64");
    assert_eq!(blob["size"], 12);
    assert_eq!(unb64(&blob["content"]), b"# c\n\nsecond\n");
    assert_eq!(blob["sha"], readme_sha.as_str());

    for bad in [
        "/git/trees/nope",
        "/git/trees/--output=x",
        "/git/blobs/nope",
        "/git/blobs/0000000000000000000000000000000000000000",
    ] {
        assert_eq!(s.get(&format!("/repos/alice/c{bad}")).token(&token).send().await.unwrap().status(), 404, "{bad}");
    }
    // A tree id is not a blob.
    assert_eq!(s.get(&format!("/repos/alice/c/git/blobs/{dir_sha}")).token(&token).send().await.unwrap().status(), 404);

    let (status, tags) = json(s.get("/repos/alice/c/tags").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let names: Vec<&str> = tags.as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["v2", "v1"], "newest first");
    assert_eq!(tags[0]["commit"]["message"], "second\n", "annotated tags are peeled to their commit");
    assert_eq!(s.get("/repos/alice/c/tags").send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commits_and_reference_lookup() {
    let (s, token, git) = fixture().await;
    let wt = git.path("c");
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    let first = git.ok(Some(&wt), &["rev-parse", "HEAD~1"]).trim().to_string();
    let tree = git.ok(Some(&wt), &["rev-parse", "HEAD^{tree}"]).trim().to_string();

    let (status, list) = json(s.get("/repos/alice/c/commits").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let shas: Vec<&str> = list.as_array().unwrap().iter().map(|c| c["sha"].as_str().unwrap()).collect();
    assert_eq!(shas, vec![head.as_str(), first.as_str()], "newest first");
    let c = &list[0];
    let api = format!("{}api/v1/repos/alice/c", s.base);
    assert_eq!(c["url"], format!("{api}/commits/{head}"));
    assert_eq!(c["html_url"], format!("{}alice/c/commits/{head}", s.base));
    assert_eq!(c["commit"]["message"], "second", "the subject line only");
    assert_eq!(c["commit"]["author"]["name"], "Tester");
    assert_eq!(c["commit"]["tree"]["sha"], tree.as_str());
    assert_eq!(c["commit"]["tree"]["url"], format!("{api}/git/trees/{tree}"));
    assert_eq!(c["author"], serde_json::Value::Null, "no account owns tester@example.com");
    assert_eq!(c["parents"], j!([{"url": format!("{api}/commits/{first}"), "sha": first}]));
    assert_eq!(list[1]["parents"], j!([]));

    let (_, page) = json(s.get("/repos/alice/c/commits?pageSize=1").token(&token).send().await.unwrap()).await;
    assert_eq!(page.as_array().unwrap().len(), 1);
    let (_, page) = json(s.get("/repos/alice/c/commits?page=2&limit=1").token(&token).send().await.unwrap()).await;
    assert_eq!(page[0]["sha"], first.as_str());
    let (_, page) = json(s.get("/repos/alice/c/commits?sha=v1").token(&token).send().await.unwrap()).await;
    assert_eq!(page.as_array().unwrap().len(), 1);

    let (status, one) =
        json(s.get(&format!("/repos/alice/c/commits/{}", &head[..8])).token(&token).send().await.unwrap()).await;
    assert_eq!((status, one["sha"].as_str()), (200, Some(head.as_str())));
    let (_, one) = json(s.get("/repos/alice/c/commits/v1").token(&token).send().await.unwrap()).await;
    assert_eq!(one["sha"], first.as_str());
    assert_eq!(s.get("/repos/alice/c/commits/nope").token(&token).send().await.unwrap().status(), 404);

    // The SHA media type (go-gogs-client's GetReferenceSHA) and multi-segment names.
    let resp = s
        .get("/repos/alice/c/commits/master")
        .token(&token)
        .header("Accept", "application/vnd.gogs.sha")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=UTF-8");
    assert_eq!(resp.text().await.unwrap(), head);
    let resp = s.get("/repos/alice/c/commits/refs/heads/master").token(&token).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), head);
    let resp = s.get("/repos/alice/c/commits/refs/tags/v2").token(&token).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), head, "annotated tags are peeled");
    let resp = s
        .get(&format!("/repos/alice/c/commits/{head}"))
        .token(&token)
        .header("Accept", "application/vnd.gogs.sha")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404, "commit ids are not references");
    assert_eq!(s.get("/repos/alice/c/commits/refs/heads/nope").token(&token).send().await.unwrap().status(), 404);

    // Commits by a known account carry it; an empty repository has no commits.
    s.create_repo(&token, j!({"name": "mine", "auto_init": true})).await;
    let (_, mine) = json(s.get("/repos/alice/mine/commits").token(&token).send().await.unwrap()).await;
    assert_eq!(mine[0]["author"]["username"], "alice");
    assert_eq!(mine[0]["committer"], serde_json::Value::Null);
    s.create_repo(&token, j!({"name": "none"})).await;
    let (status, none) = json(s.get("/repos/alice/none/commits").token(&token).send().await.unwrap()).await;
    assert_eq!((status, none), (200, j!([])));
    assert_eq!(s.get("/repos/alice/c/commits").send().await.unwrap().status(), 401);
}

fn put_body(message: &str, content: &[u8]) -> serde_json::Value {
    j!({"message": message, "content": base64::engine::general_purpose::STANDARD.encode(content)})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_contents_creates_and_updates_files() {
    let (s, token, _git) = fixture().await;
    let events_before = s.sql_i64("SELECT COUNT(*) FROM push_event").await;

    let (status, body) = json(
        s.put("/repos/alice/c/contents/docs/new.md")
            .token(&token)
            .json(&put_body("add docs", b"hello"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["content"]["path"], "docs/new.md");
    assert_eq!(body["content"]["name"], "new.md");
    assert_eq!(unb64(&body["content"]["content"]), b"hello");
    assert_eq!(body["commit"]["commit"]["message"], "add docs");
    assert_eq!(body["commit"]["author"]["username"], "alice");
    let resp = s.get("/repos/alice/c/raw/master/docs/new.md").token(&token).send().await.unwrap();
    assert_eq!(resp.text().await.unwrap(), "hello");
    assert_eq!(
        s.sql_i64("SELECT COUNT(*) FROM push_event").await,
        events_before + 1,
        "the same push event a git push makes"
    );

    // Update with the GitHub-style sha precondition.
    let (_, readme) = json(s.get("/repos/alice/c/contents/README.md").token(&token).send().await.unwrap()).await;
    let mut stale = put_body("edit", b"changed\n");
    stale["sha"] = j!("0000000000000000000000000000000000000000");
    assert_eq!(
        s.put("/repos/alice/c/contents/README.md").token(&token).json(&stale).send().await.unwrap().status(),
        409
    );
    let mut fresh = put_body("edit", b"changed\n");
    fresh["sha"] = readme["sha"].clone();
    assert_eq!(
        s.put("/repos/alice/c/contents/README.md").token(&token).json(&fresh).send().await.unwrap().status(),
        201
    );
    let (status, body) = json(
        s.put("/repos/alice/c/contents/README.md")
            .token(&token)
            .json(&put_body("again", b"changed\n"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["message"].as_str()), (422, Some("nothing to commit")));

    // A new branch from the default one; it cannot be reused.
    let mut on_branch = put_body("feature work", b"f");
    on_branch["branch"] = j!("feature/f");
    assert_eq!(
        s.put("/repos/alice/c/contents/f.txt").token(&token).json(&on_branch).send().await.unwrap().status(),
        201
    );
    let (_, branch) = json(s.get("/repos/alice/c/branches/feature/f").token(&token).send().await.unwrap()).await;
    assert_eq!(branch["commit"]["message"], "feature work");
    assert_eq!(s.get("/repos/alice/c/raw/master/f.txt").token(&token).send().await.unwrap().status(), 404);
    let (status, body) =
        json(s.put("/repos/alice/c/contents/g.txt").token(&token).json(&on_branch).send().await.unwrap()).await;
    assert_eq!(status, 422, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn put_contents_refuses_bad_input_and_outsiders() {
    let (s, token, _git) = fixture().await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    for path in ["link/x.txt", "link", "dir", "mod", "README.md/x", ".git/config", "dir%2F..%2F..%2Fx", "a//b"] {
        let (status, body) = json(
            s.put(&format!("/repos/alice/c/contents/{path}"))
                .token(&token)
                .json(&put_body("m", b"x"))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{path}: {body}");
    }
    let (status, body) = json(
        s.put("/repos/alice/c/contents/x")
            .token(&token)
            .json(&j!({"message": "m", "content": "!!!"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["message"].as_str()), (422, Some("content is not valid base64")));
    let (status, body) =
        json(s.put("/repos/alice/c/contents/x").token(&token).json(&j!({})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    assert_eq!(body[0]["fieldNames"][0], "Message");
    assert_eq!(
        s.put("/repos/alice/c/contents/x").token(&bob).json(&put_body("m", b"x")).send().await.unwrap().status(),
        403
    );
    assert_eq!(s.put("/repos/alice/c/contents/x").json(&put_body("m", b"x")).send().await.unwrap().status(), 401);
    s.create_repo(&token, j!({"name": "p", "private": true, "auto_init": true})).await;
    assert_eq!(
        s.put("/repos/alice/p/contents/x").token(&bob).json(&put_body("m", b"x")).send().await.unwrap().status(),
        404
    );
    // Nothing above reached the repository.
    let (_, list) = json(s.get("/repos/alice/c/commits").token(&token).send().await.unwrap()).await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    // The first file of an empty repository makes its first commit.
    s.create_repo(&token, j!({"name": "blank"})).await;
    let (status, body) = json(
        s.put("/repos/alice/blank/contents/README.md")
            .token(&token)
            .json(&put_body("first", b"# blank\n"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["commit"]["parents"], j!([]));
    let (_, repo) = json(s.get("/repos/alice/blank").send().await.unwrap()).await;
    assert_eq!(repo["empty"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_contents_removes_files() {
    let (s, token, _git) = fixture().await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let (status, body) = json(
        s.delete("/repos/alice/c/contents/dir/a.txt")
            .token(&token)
            .json(&j!({"message": "drop a"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["content"], serde_json::Value::Null);
    assert_eq!(body["commit"]["commit"]["message"], "drop a");
    assert_eq!(s.get("/repos/alice/c/contents/dir/a.txt").token(&token).send().await.unwrap().status(), 404);
    let (_, dir) = json(s.get("/repos/alice/c/contents/dir").token(&token).send().await.unwrap()).await;
    assert_eq!(dir.as_array().unwrap().len(), 1);

    assert_eq!(
        s.delete("/repos/alice/c/contents/dir/a.txt")
            .token(&token)
            .json(&j!({"message": "again"}))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let stale = j!({"message": "m", "sha": "0000000000000000000000000000000000000000"});
    assert_eq!(
        s.delete("/repos/alice/c/contents/README.md").token(&token).json(&stale).send().await.unwrap().status(),
        409
    );
    assert_eq!(
        s.delete("/repos/alice/c/contents/dir")
            .token(&token)
            .json(&j!({"message": "m"}))
            .send()
            .await
            .unwrap()
            .status(),
        422
    );
    assert_eq!(
        s.delete("/repos/alice/c/contents/README.md")
            .token(&bob)
            .json(&j!({"message": "m"}))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let (status, body) =
        json(s.delete("/repos/alice/c/contents/README.md").token(&token).json(&j!({})).send().await.unwrap()).await;
    assert_eq!((status, body[0]["fieldNames"][0].as_str()), (422, Some("Message")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn archives_in_both_formats() {
    let (s, token, git) = fixture().await;
    let resp = s.get("/repos/alice/c/archive/master.tar.gz").token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    assert_eq!(resp.headers()["content-disposition"], "attachment; filename=c-master.tar.gz");
    let tgz = git.path("c.tar.gz");
    std::fs::write(&tgz, resp.bytes().await.unwrap()).unwrap();
    let out = std::process::Command::new("tar").arg("-tzf").arg(&tgz).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for entry in ["c/README.md", "c/dir/a.txt", "c/dir/sub/b.txt", "c/run.sh"] {
        assert!(listing.lines().any(|l| l == entry), "{entry} missing from {listing}");
    }

    let resp = s.get("/repos/alice/c/archive/v1.zip").token(&token).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-disposition"], "attachment; filename=c-v1.zip");
    let zip = git.path("c.zip");
    std::fs::write(&zip, resp.bytes().await.unwrap()).unwrap();
    let out = std::process::Command::new("python3").args(["-m", "zipfile", "-l"]).arg(&zip).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(listing.contains("c/README.md"), "{listing}");
    assert!(!listing.contains("dir/a.txt"), "v1 predates dir/: {listing}");

    let head = git.ok(Some(&git.path("c")), &["rev-parse", "HEAD"]).trim().to_string();
    assert_eq!(
        s.get(&format!("/repos/alice/c/archive/{}.zip", &head[..7])).token(&token).send().await.unwrap().status(),
        200
    );
    for bad in ["master.rar", "nope.zip", "master", "--output=x.zip", "abc.tar.gz"] {
        assert_eq!(
            s.get(&format!("/repos/alice/c/archive/{bad}")).token(&token).send().await.unwrap().status(),
            404,
            "{bad}"
        );
    }
    assert_eq!(s.get("/repos/alice/c/archive/master.zip").send().await.unwrap().status(), 401);
    // No scratch files are left behind.
    assert_eq!(scratch_left(&s.data_dir()), Vec::<std::path::PathBuf>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editorconfig_definitions() {
    let (s, token, _git) = fixture().await;
    // No .editorconfig yet.
    assert_eq!(s.get("/repos/alice/c/editorconfig/main.go").token(&token).send().await.unwrap().status(), 404);
    let config = b"root = true\n[*]\nindent_style = space\nindent_size = 4\ninsert_final_newline = true\n[*.go]\nindent_style = tab\ntab_width = 8\n";
    assert_eq!(
        s.put("/repos/alice/c/contents/.editorconfig")
            .token(&token)
            .json(&put_body("ec", config))
            .send()
            .await
            .unwrap()
            .status(),
        201
    );
    let (status, def) = json(s.get("/repos/alice/c/editorconfig/main.go").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(def, j!({"indent_style": "tab", "indent_size": "4", "tab_width": 8, "insert_final_newline": true}));
    let (_, def) = json(s.get("/repos/alice/c/editorconfig/README.md").token(&token).send().await.unwrap()).await;
    assert_eq!(def["indent_style"], "space");
    assert_eq!(s.get("/repos/alice/c/editorconfig/main.go").send().await.unwrap().status(), 401);

    // Globs built to make a backtracking matcher take minutes answer at once.
    let stars = "*a".repeat(12);
    let hostile: String = (0..20).map(|i| format!("[{stars}{i}b]\nindent_size = {i}\n")).collect();
    let put = |content: Vec<u8>, sha: String| {
        let mut body = put_body("ec", &content);
        body["sha"] = j!(sha);
        s.put("/repos/alice/c/contents/.editorconfig").token(&token).json(&body).send()
    };
    let sha = |s: &TestServer| {
        let req = s.get("/repos/alice/c/contents/.editorconfig").token(&token).send();
        async move { json(req.await.unwrap()).await.1["sha"].as_str().unwrap().to_string() }
    };
    assert!(put(hostile.into_bytes(), sha(&s).await).await.unwrap().status().is_success());
    let started = std::time::Instant::now();
    let name = "a".repeat(200);
    let (status, def) =
        json(s.get(&format!("/repos/alice/c/editorconfig/{name}")).token(&token).send().await.unwrap()).await;
    assert_eq!((status, def), (200, j!({})));
    assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());

    // An oversized file is not read: it counts as none.
    let big = format!("[*]\nindent_style = tab\n# {}\n", "x".repeat(70 * 1024)).into_bytes();
    assert!(put(big, sha(&s).await).await.unwrap().status().is_success());
    assert_eq!(s.get("/repos/alice/c/editorconfig/main.go").token(&token).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recursive_trees_and_path_filtered_history() {
    let (s, token, git) = fixture().await;
    let (status, tree) =
        json(s.get("/repos/alice/c/git/trees/master?recursive=1").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let paths: Vec<&str> = tree["tree"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        vec![
            ".gitmodules",
            "README.md",
            "bin.dat",
            "dir",
            "dir/a.txt",
            "dir/sub",
            "dir/sub/b.txt",
            "link",
            "mod",
            "page.html",
            "run.sh"
        ]
    );
    assert_eq!(tree["truncated"], false);
    let (_, page) = json(
        s.get("/repos/alice/c/git/trees/master?recursive=true&per_page=4&page=2").token(&token).send().await.unwrap(),
    )
    .await;
    let paths: Vec<&str> = page["tree"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["dir/a.txt", "dir/sub", "dir/sub/b.txt", "link"]);
    assert_eq!((page["truncated"].as_bool(), page["page"].as_i64()), (Some(true), Some(2)));

    // Only the commits that changed a path.
    let wt = git.path("c");
    let head = git.ok(Some(&wt), &["rev-parse", "HEAD"]).trim().to_string();
    let first = git.ok(Some(&wt), &["rev-parse", "HEAD~1"]).trim().to_string();
    let (_, readme) = json(s.get("/repos/alice/c/commits?path=README.md").token(&token).send().await.unwrap()).await;
    let shas: Vec<&str> = readme.as_array().unwrap().iter().map(|c| c["sha"].as_str().unwrap()).collect();
    assert_eq!(shas, vec![head.as_str(), first.as_str()]);
    let (_, dir) = json(s.get("/repos/alice/c/commits?path=dir/a.txt").token(&token).send().await.unwrap()).await;
    assert_eq!(dir.as_array().unwrap().len(), 1);
    assert_eq!(dir[0]["sha"], head.as_str());
    let (_, none) = json(s.get("/repos/alice/c/commits?path=nope.txt").token(&token).send().await.unwrap()).await;
    assert_eq!(none, j!([]));
    let (_, hostile) =
        json(s.get("/repos/alice/c/commits?path=../../etc/passwd").token(&token).send().await.unwrap()).await;
    assert_eq!(hostile, j!([]));
}
