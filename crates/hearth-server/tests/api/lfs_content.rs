//! Files stored with Git LFS as the raw and contents endpoints serve them: the object's content and
//! size, not the pointer, and only for objects the repository has.

use base64::Engine;
use serde_json::json as j;

use crate::lfs::{lfs_missing, lfs_work_tree, noise, oid_of};
use crate::support::*;

fn unbase64(s: &str) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(s).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_and_contents_serve_the_objects() {
    if lfs_missing() {
        return;
    }
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "media", "auto_init": true})).await;
    let (git, wt) = lfs_work_tree(&s, &alice, "media", &["*.bin", "*.txt"]);
    // Larger than what a contents answer embeds (10 MiB), a small binary, and a small text file.
    let large = noise(11 << 20, 7);
    let small = noise(100_000, 8);
    let text = b"stored with LFS, served as text\n".repeat(10);
    std::fs::create_dir(wt.join("dir")).unwrap();
    std::fs::write(wt.join("large.bin"), &large).unwrap();
    std::fs::write(wt.join("dir/small.bin"), &small).unwrap();
    std::fs::write(wt.join("notes.txt"), &text).unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "lfs files"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);

    // Raw (API and web): the object's bytes, its length, headers chosen from its content.
    // (The API's raw endpoint wants a token, as Gogs'; the web's serves anonymous readers.)
    for (path, token) in
        [("api/v1/repos/alice/media/raw/master/large.bin", Some(&token)), ("alice/media/raw/master/large.bin", None)]
    {
        let mut req = s.client.get(format!("{}{path}", s.base));
        if let Some(token) = token {
            req = req.token(token);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert_eq!(resp.headers()["content-length"], large.len().to_string().as_str(), "{path}");
        assert_eq!(resp.headers()["content-type"], "application/octet-stream");
        assert_eq!(resp.headers()["content-disposition"], "attachment; filename=\"large.bin\"");
        assert!(resp.bytes().await.unwrap() == large, "{path}: not the object's content");
    }
    let resp = s.get("/repos/alice/media/raw/master/notes.txt").token(&token).send().await.unwrap();
    assert_eq!(resp.headers()["content-type"], "text/plain; charset=utf-8");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), text);

    // Contents: the object's size, and its content up to 10 MiB.
    let (status, body) = s.get_json("/repos/alice/media/contents/dir/small.bin", &token).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["size"], small.len());
    assert_eq!(unbase64(body["content"].as_str().unwrap()), small);
    assert_eq!(body["encoding"], "base64");
    let (_, body) = s.get_json("/repos/alice/media/contents/large.bin", &token).await;
    assert_eq!(body["size"], large.len());
    assert!(body.get("content").is_none() && body.get("encoding").is_none(), "{body}");
    assert!(body["download_url"].as_str().unwrap().ends_with("/alice/media/raw/master/large.bin"));
    // A listing describes its LFS files the same way.
    let (_, list) = s.get_json("/repos/alice/media/contents", &token).await;
    let notes = list.as_array().unwrap().iter().find(|e| e["name"] == "notes.txt").unwrap();
    assert_eq!(notes["size"], text.len());
    assert_eq!(unbase64(notes["content"].as_str().unwrap()), text);
    let listed_large = list.as_array().unwrap().iter().find(|e| e["name"] == "large.bin").unwrap();
    assert_eq!(listed_large["size"], large.len());
    assert!(listed_large.get("content").is_none(), "a listing embeds at most 10 MiB of LFS content");
    // The blob itself is still the pointer (the Git data API shows Git's data).
    let sha = notes["sha"].as_str().unwrap();
    let (_, blob) = s.get_json(&format!("/repos/alice/media/git/blobs/{sha}"), &token).await;
    let pointer = unbase64(blob["content"].as_str().unwrap());
    assert!(pointer.starts_with(b"version https://git-lfs.github.com/spec/v1\n"));

    // The file pages show the object: its text, its size, and that it is stored with LFS.
    let mut browser = Browser::new(&s);
    let page = browser.get("/alice/media/src/master/notes.txt").await;
    assert_eq!(page.status, 200);
    assert_html(&page);
    assert!(page.body.contains("Stored with Git LFS"), "{}", page.body);
    assert!(page.body.contains("stored with LFS, served as text"));
    assert!(!page.body.contains("git-lfs.github.com/spec"));
    let page = browser.get("/alice/media/src/master/large.bin").await;
    assert!(page.body.contains("Stored with Git LFS") && page.body.contains("11.0 MiB"), "{}", page.body);

    // A pointer to an object this repository does not have (here: another repository's) is a file
    // like any other: knowing an oid does not reach someone's object.
    s.create_repo(&token, j!({"name": "other", "auto_init": true})).await;
    let other = s.git_url(Some((&alice.name, &alice.password)), "alice", "other");
    let plain = Git::new();
    plain.ok(None, &["clone", "-q", &other, "other"]);
    let owt = plain.path("other");
    let fake =
        format!("version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n", oid_of(&small), small.len());
    std::fs::write(owt.join("borrowed.bin"), &fake).unwrap();
    plain.ok(Some(&owt), &["add", "."]);
    plain.ok(Some(&owt), &["commit", "-q", "-m", "a pointer only"]);
    plain.ok(Some(&owt), &["push", "-q", "origin", "master"]);
    let resp = s.get("/repos/alice/other/raw/master/borrowed.bin").token(&token).send().await.unwrap();
    assert_eq!(resp.bytes().await.unwrap().to_vec(), fake.as_bytes());
    let (_, body) = s.get_json("/repos/alice/other/contents/borrowed.bin", &token).await;
    assert_eq!(body["size"], fake.len());
    assert_eq!(unbase64(body["content"].as_str().unwrap()), fake.as_bytes());

    // A private repository's LFS files stay private.
    let (status, _) = s.patch_json("/repos/alice/media", Some(&token), j!({"private": true})).await;
    assert_eq!(status, 200);
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    let resp = s.get("/repos/alice/media/raw/master/large.bin").token(&bob_token).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    let (status, _) = s.get_json("/repos/alice/media/contents/notes.txt", &bob_token).await;
    assert_eq!(status, 404);
    let resp = s.client.get(format!("{}alice/media/raw/master/notes.txt", s.base)).send().await.unwrap();
    assert!(matches!(resp.status().as_u16(), 302 | 303 | 404), "{}", resp.status());
    let body = resp.bytes().await.unwrap();
    assert!(!body.windows(16).any(|w| w == &text[..16]));
}
