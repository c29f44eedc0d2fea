//! Git LFS over HTTP: the real `git-lfs` client pushing and cloning, and the batch API and basic
//! transfer refusing what they must.

use std::path::{Path, PathBuf};

use serde_json::{Value, json as j};
use sha2::{Digest, Sha256};

use crate::support::*;

const LFS_JSON: &str = "application/vnd.git-lfs+json";

/// `git-lfs` is not installed here: the test says so and passes (CI installs it).
pub(crate) fn lfs_missing() -> bool {
    let found = std::process::Command::new("git-lfs").arg("version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("git-lfs is not on PATH: skipping");
    }
    !found
}

/// `len` bytes of deterministic noise (xorshift), different per `seed`.
pub(crate) fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}

/// A clone of `user`'s `repo` over HTTP with git-lfs installed and `patterns` tracked: (the git
/// client, the work tree).
pub(crate) fn lfs_work_tree(s: &TestServer, user: &TestUser, repo: &str, patterns: &[&str]) -> (Git, PathBuf) {
    let git = Git::new();
    git.ok(None, &["lfs", "install", "--skip-repo"]);
    git.ok(None, &["clone", "-q", &s.git_url(Some((&user.name, &user.password)), &user.name, repo), repo]);
    let wt = git.path(repo);
    git.ok(Some(&wt), &["lfs", "install", "--local"]);
    git.ok(Some(&wt), &[&["lfs", "track"][..], patterns].concat());
    (git, wt)
}

pub(crate) fn oid_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn objects_dir(s: &TestServer) -> PathBuf {
    s.data_dir().join("lfs-objects")
}

/// Every file under `dir` (none when it does not exist).
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Scratch files of uploads left in the server's scratch directory.
fn scratch_left(s: &TestServer) -> Vec<PathBuf> {
    files_under(&s.data_dir().join("tmp"))
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("lfs-")))
        .collect()
}

fn lfs_url(s: &TestServer, owner: &str, repo: &str, rest: &str) -> String {
    format!("{}{owner}/{repo}.git/info/lfs/objects/{rest}", s.base)
}

async fn batch(
    s: &TestServer,
    owner: &str,
    repo: &str,
    auth: Option<&str>,
    operation: &str,
    objects: Value,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = s
        .client
        .post(lfs_url(s, owner, repo, "batch"))
        .header("Accept", LFS_JSON)
        .header("Content-Type", LFS_JSON)
        .body(j!({"operation": operation, "transfers": ["basic"], "objects": objects}).to_string());
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    let resp = req.send().await.unwrap();
    let headers = resp.headers().clone();
    let (status, body) = json(resp).await;
    (status, headers, body)
}

async fn put_object(s: &TestServer, owner: &str, repo: &str, auth: &str, oid: &str, body: Vec<u8>) -> (u16, Value) {
    let resp = s
        .client
        .put(lfs_url(s, owner, repo, oid))
        .header("Authorization", auth)
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    json(resp).await
}

async fn get_object(s: &TestServer, owner: &str, repo: &str, auth: Option<&str>, oid: &str) -> (u16, Vec<u8>) {
    let mut req = s.client.get(lfs_url(s, owner, repo, oid));
    if let Some(auth) = auth {
        req = req.header("Authorization", auth);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_lfs_pushes_and_clones_over_http() {
    if lfs_missing() {
        return;
    }
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let repo = s.create_repo(&token, j!({"name": "big", "private": true, "auto_init": true})).await;
    let repo_id = repo["id"].as_i64().unwrap();
    let git = Git::new();
    git.ok(None, &["lfs", "install", "--skip-repo"]);

    // Push a few-MB file with the password.
    let with_password = s.git_url(Some((&alice.name, &alice.password)), "alice", "big");
    git.ok(None, &["clone", "-q", &with_password, "big"]);
    let wt = git.path("big");
    git.ok(Some(&wt), &["lfs", "install", "--local"]);
    git.ok(Some(&wt), &["lfs", "track", "*.bin"]);
    let large = noise(3 << 20, 1);
    std::fs::write(wt.join("large.bin"), &large).unwrap();
    git.ok(Some(&wt), &["add", ".gitattributes", "large.bin"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "large file"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);

    // Another with a token as the password.
    let small = noise(200_000, 2);
    std::fs::write(wt.join("small.bin"), &small).unwrap();
    git.ok(Some(&wt), &["add", "small.bin"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "small file"]);
    let with_token = s.git_url(Some(("anything", &token)), "alice", "big");
    git.ok(Some(&wt), &["push", "-q", &with_token, "master"]);

    // Git holds pointers; the objects are on disk, content-addressed, and linked to the repository.
    let pointer = git.ok(Some(&wt), &["show", "HEAD:large.bin"]);
    assert!(pointer.starts_with("version https://git-lfs.github.com/spec/v1"), "{pointer}");
    let (large_oid, small_oid) = (oid_of(&large), oid_of(&small));
    assert!(pointer.contains(&format!("oid sha256:{large_oid}")), "{pointer}");
    for (oid, bytes) in [(&large_oid, &large), (&small_oid, &small)] {
        // Gogs' layout: the first two hex digits as directories.
        let on_disk = objects_dir(&s).join(&oid[0..1]).join(&oid[1..2]).join(oid);
        assert_eq!(&std::fs::read(&on_disk).unwrap(), bytes, "{}", on_disk.display());
    }
    assert_eq!(files_under(&objects_dir(&s)).len(), 2);
    assert!(scratch_left(&s).is_empty());
    let db = hearth_server::open_db(&s.config).await.unwrap();
    let rows = {
        let mut h = db.acquire().await.unwrap();
        hearth_store::lfs::of_repo(h.conn(), repo_id).await.unwrap()
    };
    let mut expected = vec![(large_oid.clone(), large.len() as i64), (small_oid.clone(), small.len() as i64)];
    expected.sort();
    assert_eq!(rows.iter().map(|r| (r.oid.clone(), r.size)).collect::<Vec<_>>(), expected);
    assert!(rows.iter().all(|r| r.repo_id == repo_id));

    // A fresh clone (smudging) gets the bytes back.
    git.ok(None, &["clone", "-q", &with_token, "again"]);
    let again = git.path("again");
    assert_eq!(std::fs::read(again.join("large.bin")).unwrap(), large);
    assert_eq!(std::fs::read(again.join("small.bin")).unwrap(), small);

    // The private repository's objects are refused to a stranger (as missing) and to anonymous
    // callers (a challenge, in LFS's words too).
    let bob_auth = basic(&bob.name, &bob.password);
    assert_eq!(get_object(&s, "alice", "big", Some(&bob_auth), &large_oid).await.0, 404);
    let (status, headers, body) =
        batch(&s, "alice", "big", Some(&bob_auth), "download", j!([{"oid": large_oid, "size": large.len()}])).await;
    assert_eq!((status, body["message"].as_str().is_some()), (404, true), "{body}");
    assert_eq!(headers["content-type"], LFS_JSON);
    let (status, anon) = get_object(&s, "alice", "big", None, &large_oid).await;
    assert_eq!(status, 401);
    assert!(!anon.windows(8).any(|w| w == &large[..8]));
    let (status, headers, _) =
        batch(&s, "alice", "big", None, "download", j!([{"oid": large_oid, "size": large.len()}])).await;
    assert_eq!(status, 401);
    assert!(headers["lfs-authenticate"].to_str().unwrap().starts_with("Basic realm="));
    // Nor does a stranger's clone get them.
    let bob_git = Git::new();
    bob_git.ok(None, &["lfs", "install", "--skip-repo"]);
    let out = bob_git.run(None, &["clone", "-q", &s.git_url(Some((&bob.name, &bob.password)), "alice", "big"), "x"]);
    assert!(!out.ok);

    // Another repository, even public, does not reach them by their oid.
    s.create_repo(&token, j!({"name": "open"})).await;
    let alice_auth = basic(&alice.name, &alice.password);
    let (status, _, body) =
        batch(&s, "alice", "open", Some(&alice_auth), "download", j!([{"oid": large_oid, "size": large.len()}])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["objects"][0]["error"]["code"], 404, "{body}");
    assert!(body["objects"][0].get("actions").is_none());
    // Asked to upload it there, the server wants the content (and then links it, stored once).
    let (status, _, body) =
        batch(&s, "alice", "open", Some(&alice_auth), "upload", j!([{"oid": small_oid, "size": small.len()}])).await;
    assert_eq!(status, 200, "{body}");
    let upload = &body["objects"][0]["actions"]["upload"];
    assert_eq!(upload["href"], lfs_url(&s, "alice", "open", &small_oid), "{body}");
    assert_eq!(upload["header"]["Authorization"], alice_auth.as_str());
    assert_eq!(upload["header"]["Content-Type"], "application/octet-stream");
    assert!(body["objects"][0]["actions"]["verify"]["href"].as_str().unwrap().ends_with("/objects/verify"));
    assert_eq!(put_object(&s, "alice", "open", &alice_auth, &small_oid, small.clone()).await.0, 200);
    assert_eq!(get_object(&s, "alice", "open", None, &small_oid).await, (200, small.clone()));
    assert_eq!(files_under(&objects_dir(&s)).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_checked_and_nothing_bad_is_stored() {
    let s = TestServer::start_with(|raw| raw.set("lfs", "MAX_FILE_SIZE", "100000")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    let auth = basic(&alice.name, &alice.password);
    let content = noise(50_000, 3);
    let oid = oid_of(&content);

    // Content that does not hash to its oid: 422, nothing stored, no scratch left.
    let (status, body) = put_object(&s, "alice", "r", &auth, &oid, noise(50_000, 4)).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("does not match"), "{body}");
    assert!(files_under(&objects_dir(&s)).is_empty());
    assert!(scratch_left(&s).is_empty());
    let (status, _, body) = batch(&s, "alice", "r", Some(&auth), "download", j!([{"oid": oid, "size": 50_000}])).await;
    assert_eq!((status, &body["objects"][0]["error"]["code"]), (200, &j!(404)), "{body}");

    // Over MAX_FILE_SIZE: refused in the batch and on upload.
    let big = noise(100_001, 5);
    let big_oid = oid_of(&big);
    let (status, _, body) =
        batch(&s, "alice", "r", Some(&auth), "upload", j!([{"oid": big_oid, "size": 100_001}])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["objects"][0]["error"]["code"], 422, "{body}");
    assert!(body["objects"][0].get("actions").is_none());
    assert_eq!(put_object(&s, "alice", "r", &auth, &big_oid, big).await.0, 413);
    assert!(files_under(&objects_dir(&s)).is_empty());
    assert!(scratch_left(&s).is_empty());

    // Invalid oids: refused, never a path.
    let upper = oid.to_uppercase();
    let (status, _, body) = batch(
        &s,
        "alice",
        "r",
        Some(&auth),
        "upload",
        j!([{"oid": upper, "size": 1}, {"oid": "../../etc/passwd", "size": 1}]),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["objects"][0]["error"]["code"], 422, "{body}");
    assert_eq!(body["objects"][1]["error"]["code"], 422, "{body}");
    assert_eq!(put_object(&s, "alice", "r", &auth, &upper, content.clone()).await.0, 422);
    assert_eq!(get_object(&s, "alice", "r", Some(&auth), &upper).await.0, 404);
    for path in ["..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"] {
        let resp = s.client.get(lfs_url(&s, "alice", "r", path)).header("Authorization", &auth).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
    assert!(files_under(&objects_dir(&s)).is_empty());

    // A stranger may read the public repository but not upload to it.
    let bob_auth = basic(&bob.name, &bob.password);
    let (status, _, _) = batch(&s, "alice", "r", Some(&bob_auth), "upload", j!([{"oid": oid, "size": 50_000}])).await;
    assert_eq!(status, 403);
    assert_eq!(put_object(&s, "alice", "r", &bob_auth, &oid, content.clone()).await.0, 403);
    let (status, _, _) = batch(&s, "alice", "r", None, "upload", j!([{"oid": oid, "size": 50_000}])).await;
    assert_eq!(status, 401);

    // The good upload, verified, then downloadable by anyone who can read the repository.
    assert_eq!(put_object(&s, "alice", "r", &auth, &oid, content.clone()).await.0, 200);
    let verify = |size: usize| {
        s.client
            .post(lfs_url(&s, "alice", "r", "verify"))
            .header("Authorization", &auth)
            .header("Content-Type", LFS_JSON)
            .body(j!({"oid": oid, "size": size}).to_string())
            .send()
    };
    assert_eq!(verify(50_000).await.unwrap().status(), 200);
    assert_eq!(verify(50_001).await.unwrap().status(), 422);
    assert_eq!(get_object(&s, "alice", "r", None, &oid).await, (200, content.clone()));
    let (status, _, body) = batch(&s, "alice", "r", None, "download", j!([{"oid": oid, "size": 50_000}])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["objects"][0]["actions"]["download"]["href"], lfs_url(&s, "alice", "r", &oid));
    let (_, _, body) = batch(&s, "alice", "r", None, "download", j!([{"oid": oid, "size": 49_999}])).await;
    assert_eq!(body["objects"][0]["error"]["code"], 422, "{body}");
    let (status, _, body) = batch(&s, "alice", "r", None, "fetch", j!([{"oid": oid, "size": 50_000}])).await;
    assert_eq!(status, 400, "{body}");
    let (_, _, body) = batch(&s, "alice", "r", Some(&auth), "upload", j!([{"oid": oid, "size": 50_000}])).await;
    assert!(body["objects"][0].get("actions").is_none(), "already there: {body}");
    assert_eq!(files_under(&objects_dir(&s)).len(), 1);
    assert!(scratch_left(&s).is_empty());

    // A client that goes away mid-upload leaves nothing behind.
    {
        use tokio::io::AsyncWriteExt;
        let mut conn =
            tokio::net::TcpStream::connect(s.base.trim_start_matches("http://").trim_end_matches('/')).await.unwrap();
        let head = format!(
            "PUT /alice/r.git/info/lfs/objects/{big_oid} HTTP/1.1\r\nHost: x\r\nAuthorization: {auth}\r\n\
             Content-Length: 90000\r\n\r\n"
        );
        conn.write_all(head.as_bytes()).await.unwrap();
        conn.write_all(&[0u8; 30_000]).await.unwrap();
        conn.flush().await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert_eq!(scratch_left(&s).len(), 1, "the upload is under way");
        drop(conn);
        for _ in 0..100 {
            if scratch_left(&s).is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(scratch_left(&s).is_empty());
        assert_eq!(files_under(&objects_dir(&s)).len(), 1);
    }

    // A fork references its source's objects.
    let bob_token = s.token(&bob).await;
    let (status, fork) = json(s.post("/repos/alice/r/forks").token(&bob_token).send().await.unwrap()).await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(get_object(&s, "bob", "r", Some(&bob_auth), &oid).await, (200, content.clone()));
}

#[tokio::test]
async fn disabled_lfs_is_not_there() {
    let s = TestServer::start_with(|raw| raw.set("lfs", "ENABLED", "false")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    let auth = basic(&alice.name, &alice.password);
    let content = b"hello".to_vec();
    let oid = oid_of(&content);
    let (status, _, _) = batch(&s, "alice", "r", Some(&auth), "upload", j!([{"oid": oid, "size": 5}])).await;
    assert_eq!(status, 404);
    assert_eq!(put_object(&s, "alice", "r", &auth, &oid, content).await.0, 404);
    assert_eq!(get_object(&s, "alice", "r", Some(&auth), &oid).await.0, 404);
    assert!(files_under(&objects_dir(&s)).is_empty());
}

/// The size a repository's row should record: its Git object database plus its LFS objects.
fn git_size(s: &TestServer, owner: &str, repo: &str) -> i64 {
    let dir = s.data_dir().join("repositories").join(owner).join(format!("{repo}.git"));
    hearth_git::repository_size(&dir).unwrap() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_size_counts_lfs_objects() {
    if lfs_missing() {
        return;
    }
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "media", "auto_init": true})).await;
    let (git, wt) = lfs_work_tree(&s, &alice, "media", &["*.bin"]);
    let large = noise(4 << 20, 7);
    std::fs::write(wt.join("large.bin"), &large).unwrap();
    git.ok(Some(&wt), &["add", ".gitattributes", "large.bin"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "large file"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);

    // Bytes, like the Git part: the object database plus every linked LFS object.
    let size = |v: &Value| v["size"].as_i64().unwrap();
    let (status, repo) = s.get_json("/repos/alice/media", &token).await;
    assert_eq!(status, 200, "{repo}");
    let git_part = git_size(&s, "alice", "media");
    assert!(git_part < 1 << 20, "the large file is not in Git: {git_part}");
    assert_eq!(size(&repo), git_part + large.len() as i64, "{repo}");

    // An object uploaded without a push counts at once (and once).
    let auth = basic(&alice.name, &alice.password);
    let extra = noise(300_000, 8);
    let extra_oid = oid_of(&extra);
    assert_eq!(put_object(&s, "alice", "media", &auth, &extra_oid, extra.clone()).await.0, 200);
    assert_eq!(put_object(&s, "alice", "media", &auth, &extra_oid, extra.clone()).await.0, 200);
    let lfs_part = (large.len() + extra.len()) as i64;
    let (_, repo) = s.get_json("/repos/alice/media", &token).await;
    assert_eq!(size(&repo), git_part + lfs_part);
    let db = hearth_server::open_db(&s.config).await.unwrap();
    let mut h = db.acquire().await.unwrap();
    assert_eq!(hearth_store::lfs::total_size(h.conn(), repo["id"].as_i64().unwrap()).await.unwrap(), lfs_part);
    drop(h);

    // A later push counts the Git part again, and the LFS objects still.
    std::fs::write(wt.join("notes.txt"), "plain text\n".repeat(100)).unwrap();
    git.ok(Some(&wt), &["add", "notes.txt"]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "notes"]);
    git.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    let after = size(&s.get_json("/repos/alice/media", &token).await.1);
    assert_eq!(after, git_size(&s, "alice", "media") + lfs_part);
    assert!(after > git_part + lfs_part);

    // A fork references the objects, and counts them.
    let bob = s.create_user("bob", false).await;
    let bob_token = s.token(&bob).await;
    let (status, fork) = json(s.post("/repos/alice/media/forks").token(&bob_token).send().await.unwrap()).await;
    assert_eq!(status, 202, "{fork}");
    assert_eq!(size(&fork), git_size(&s, "bob", "media") + lfs_part, "{fork}");
    assert_eq!(size(&s.get_json("/repos/bob/media", &bob_token).await.1), size(&fork));
}
