//! Git over Smart HTTP with the real `git` client.

use serde_json::json as j;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_push_branches_and_tags() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    let git = Git::new();

    // Anonymous clone of a public repository.
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "proj"), "proj"]);
    let wt = git.path("proj");

    // Push a commit with the password.
    std::fs::write(wt.join("a.txt"), "a\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "second"]);
    let with_password = s.git_url(Some((&alice.name, &alice.password)), "alice", "proj");
    git.ok(Some(&wt), &["push", "-q", &with_password, "master"]);

    // A branch and tags with a token as the password, and as the user name.
    git.ok(Some(&wt), &["checkout", "-q", "-b", "feature/x"]);
    std::fs::write(wt.join("b.txt"), "b\n").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "feature"]);
    git.ok(Some(&wt), &["tag", "v1.0"]);
    git.ok(Some(&wt), &["tag", "-a", "v1.1", "-m", "annotated"]);
    let with_token = s.git_url(Some(("anything", &token)), "alice", "proj");
    git.ok(Some(&wt), &["push", "-q", &with_token, "feature/x", "v1.0"]);
    let token_as_user = s.git_url(Some((&token, "x-oauth-basic")), "alice", "proj");
    git.ok(Some(&wt), &["push", "-q", &token_as_user, "v1.1"]);

    // The API's branches agree with git ls-remote.
    let remote = git.ok(None, &["ls-remote", &s.git_url(None, "alice", "proj")]);
    let heads: Vec<(String, String)> = remote
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .filter_map(|(sha, r)| r.strip_prefix("refs/heads/").map(|b| (b.to_string(), sha.to_string())))
        .collect();
    let (status, branches) = json(s.get("/repos/alice/proj/branches").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let api: Vec<(String, String)> = branches
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["name"].as_str().unwrap().to_string(), b["commit"]["id"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(api, heads);
    assert_eq!(api.len(), 2);
    assert!(remote.contains("refs/tags/v1.0") && remote.contains("refs/tags/v1.1"));

    let (status, b) = json(s.get("/repos/alice/proj/branches/feature/x").token(&token).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(b["name"], "feature/x");
    assert_eq!(b["commit"]["message"], "feature\n");
    assert_eq!(b["commit"]["author"]["name"], "Tester");
    assert_eq!(b["commit"]["author"]["email"], "tester@example.com");
    assert_eq!(b["commit"]["author"]["username"], "");
    assert_eq!(b["commit"]["added"], serde_json::Value::Null);
    let (_, master) = json(s.get("/repos/alice/proj/branches/master").token(&token).send().await.unwrap()).await;
    assert_eq!(master["commit"]["message"], "second\n");
    assert_eq!(s.get("/repos/alice/proj/branches/nope").token(&token).send().await.unwrap().status(), 404);
    assert_eq!(s.get("/repos/alice/proj/branches").send().await.unwrap().status(), 401);

    // Deleting a branch by push.
    git.ok(Some(&wt), &["push", "-q", &with_password, "--delete", "feature/x"]);
    let (_, branches) = json(s.get("/repos/alice/proj/branches").token(&token).send().await.unwrap()).await;
    assert_eq!(branches.as_array().unwrap().len(), 1);

    // Every accepted ref update is queued for webhooks, and the size is known.
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM push_event").await, 5);
    let (_, repo) = json(s.get("/repos/alice/proj").send().await.unwrap()).await;
    assert!(repo["size"].as_i64().unwrap() > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_push_into_an_empty_repository() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "fresh"})).await;
    let git = Git::new();
    let wt = git.work_tree("local", "README.md", "hello\n");
    git.ok(Some(&wt), &["branch", "-q", "-M", "main"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "fresh"), "main"]);

    let (_, repo) = json(s.get("/repos/alice/fresh").send().await.unwrap()).await;
    assert_eq!(repo["empty"], false);
    assert_eq!(repo["default_branch"], "main", "the first pushed branch becomes the default");
    // HEAD follows, so a plain clone checks main out.
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "fresh"), "copy"]);
    assert_eq!(std::fs::read_to_string(git.path("copy/README.md")).unwrap(), "hello\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_v2_shallow_and_partial_clones() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "p"})).await;
    let git = Git::new();
    let wt = git.work_tree("src", "one.txt", "1\n");
    for i in 2..5 {
        std::fs::write(wt.join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
        git.ok(Some(&wt), &["add", "."]);
        git.ok(Some(&wt), &["commit", "-q", "-m", &format!("c{i}")]);
    }
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "p"), "master"]);
    let url = s.git_url(None, "alice", "p");

    let v2 = git.run(None, &["-c", "protocol.version=2", "-c", "trace2.eventTarget=", "ls-remote", &url]);
    assert!(v2.ok, "{}", v2.stderr);
    assert!(v2.stdout.contains("refs/heads/master"));

    git.ok(None, &["-c", "protocol.version=2", "clone", "-q", "--depth", "1", &url, "shallow"]);
    assert_eq!(git.ok(Some(&git.path("shallow")), &["rev-list", "--count", "HEAD"]).trim(), "1");

    git.ok(None, &["-c", "protocol.version=2", "clone", "-q", "--filter=blob:none", &url, "partial"]);
    assert_eq!(git.ok(Some(&git.path("partial")), &["config", "remote.origin.promisor"]).trim(), "true");
    assert_eq!(std::fs::read_to_string(git.path("partial/f4.txt")).unwrap(), "4\n");

    git.ok(None, &["-c", "protocol.version=0", "clone", "-q", &url, "v0"]);
    assert_eq!(git.ok(Some(&git.path("v0")), &["rev-list", "--count", "HEAD"]).trim(), "4");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_clone_are_refused_without_access() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "pub", "auto_init": true})).await;
    s.create_repo(&token, j!({"name": "priv", "auto_init": true, "private": true})).await;
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "pub"), "pub"]);
    let wt = git.path("pub");
    std::fs::write(wt.join("x"), "x").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "x"]);

    // Anonymous push: a credentials challenge, then refusal.
    let out = git.run(Some(&wt), &["push", &s.git_url(None, "alice", "pub"), "master"]);
    assert!(!out.ok);
    // An outsider may read but not write.
    let out = git.run(Some(&wt), &["push", &s.git_url(Some((&bob.name, &bob.password)), "alice", "pub"), "master"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    // Wrong password.
    let out = git.run(Some(&wt), &["push", &s.git_url(Some((&alice.name, "wrong")), "alice", "pub"), "master"]);
    assert!(!out.ok);
    let (_, branch) = json(s.get("/repos/alice/pub/branches/master").token(&token).send().await.unwrap()).await;
    assert_eq!(branch["commit"]["message"], "Initial commit\n", "nothing was pushed");

    // A private repository: anonymous clones are challenged, outsiders see nothing.
    assert!(!git.run(None, &["clone", "-q", &s.git_url(None, "alice", "priv"), "p1"]).ok);
    let out = git.run(None, &["clone", "-q", &s.git_url(Some((&bob.name, &bob.password)), "alice", "priv"), "p2"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("not found") || out.stderr.contains("404"), "{}", out.stderr);
    git.ok(None, &["clone", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "priv"), "p3"]);

    // The raw answers: 401 with a Basic challenge for anonymous callers, whether the repository
    // is private or missing; 404 for a stranger.
    for path in ["alice/priv.git", "alice/missing.git"] {
        let resp = s.client.get(format!("{}{path}/info/refs?service=git-upload-pack", s.base)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        assert_eq!(resp.headers()["www-authenticate"], "Basic realm=\".\"");
    }
    let resp = s
        .client
        .get(format!("{}alice/priv/info/refs?service=git-upload-pack", s.base))
        .header("Authorization", basic(&bob.name, &bob.password))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let resp = s.client.get(format!("{}alice/pub/info/refs?service=git-receive-pack", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 401);
    let resp = s.client.get(format!("{}alice/pub.git/info/refs?service=git-upload-pack", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-git-upload-pack-advertisement");
    assert_eq!(resp.headers()["cache-control"], "no-cache, max-age=0, must-revalidate");
    assert!(resp.text().await.unwrap().starts_with("001e# service=git-upload-pack\n0000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_names_never_reach_git() {
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "r", "auto_init": true})).await;
    let marker = s.data_dir().join("pwned");
    for path in [
        format!("alice/--upload-pack=touch%20{}/info/refs", marker.display()),
        "alice/..%2f..%2f..%2fetc/info/refs".to_string(),
        "..%2f..%2falice/r.git/info/refs".to_string(),
        "alice/r%00.git/info/refs".to_string(),
        "-alice/r/info/refs".to_string(),
    ] {
        let resp = s.client.get(format!("{}{path}?service=git-upload-pack", s.base)).send().await.unwrap();
        assert!(matches!(resp.status().as_u16(), 400 | 401 | 404), "{path}: {}", resp.status());
    }
    // A Git-Protocol header with an injection attempt is ignored, not passed on.
    let resp = s
        .client
        .get(format!("{}alice/r/info/refs?service=git-upload-pack", s.base))
        .header("Git-Protocol", "version=2 --upload-pack=x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().starts_with("001e# service="), "v0 advertisement");
    // Unknown services and the dumb protocol are refused.
    let resp = s.client.get(format!("{}alice/r/info/refs?service=git-upload-archive", s.base)).send().await.unwrap();
    assert_eq!(resp.status(), 403);
    let resp = s
        .client
        .post(format!("{}alice/r/git-upload-pack", s.base))
        .header("Content-Type", "text/plain")
        .body("0000")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 415);
    assert!(!marker.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repository_hooks_never_run() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "h", "auto_init": true})).await;
    let repo_dir = s.data_dir().join("repositories/alice/h.git");
    let marker = s.data_dir().join("hook-ran");
    let evil_hooks = s.data_dir().join("evil-hooks");
    std::fs::create_dir_all(&evil_hooks).unwrap();
    for dir in [repo_dir.join("hooks"), evil_hooks.clone()] {
        std::fs::create_dir_all(&dir).unwrap();
        for hook in ["pre-receive", "update", "post-receive", "post-update"] {
            let file = dir.join(hook);
            std::fs::write(&file, format!("#!/bin/sh\ntouch {}\n", marker.display())).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }
    // Even a core.hooksPath in the repository's own config is overridden.
    let git = Git::new();
    git.ok(None, &["--git-dir", repo_dir.to_str().unwrap(), "config", "core.hooksPath", evil_hooks.to_str().unwrap()]);

    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "h"), "h"]);
    let wt = git.path("h");
    std::fs::write(wt.join("x"), "x").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "x"]);
    git.ok(Some(&wt), &["push", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "h"), "master"]);
    assert!(!marker.exists(), "a repository hook ran");
    // hearth's own post-receive did run: the push was recorded.
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM push_event").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_disconnects_mid_push_changes_nothing() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "cut", "auto_init": true})).await;
    // A push request that stops in the middle of the pack.
    let zero = "0000000000000000000000000000000000000000";
    let (_, branch) = json(s.get("/repos/alice/cut/branches/master").token(&token).send().await.unwrap()).await;
    let old = branch["commit"]["id"].as_str().unwrap().to_string();
    let new = "1111111111111111111111111111111111111111";
    let cmd = format!("{old} {new} refs/heads/master\0report-status\n");
    let mut body = format!("{:04x}{cmd}0000", cmd.len() + 4).into_bytes();
    body.extend_from_slice(b"PACK\x00\x00\x00\x02\x00\x00\x00\x05truncated");
    let resp = s
        .client
        .post(format!("{}alice/cut.git/git-receive-pack", s.base))
        .header("Authorization", basic(&alice.name, &alice.password))
        .header("Content-Type", "application/x-git-receive-pack-request")
        .body(body)
        .send()
        .await
        .unwrap();
    let _ = resp.bytes().await;
    let (_, after) = json(s.get("/repos/alice/cut/branches/master").token(&token).send().await.unwrap()).await;
    assert_eq!(after["commit"]["id"], old.as_str());
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM push_event").await, 0);
    let _ = zero;
    // The server keeps serving, and git agrees the repository is sound.
    let git = Git::new();
    git.ok(None, &["clone", "-q", &s.git_url(None, "alice", "cut"), "ok"]);
    let repo_dir = s.data_dir().join("repositories/alice/cut.git");
    git.ok(None, &["--git-dir", repo_dir.to_str().unwrap(), "fsck"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gzip_encoded_fetch_requests_are_decoded() {
    use std::io::Write;
    let s = TestServer::start().await;
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "z", "auto_init": true})).await;
    let (_, branch) = json(s.get("/repos/alice/z/branches/master").token(&token).send().await.unwrap()).await;
    let want = format!("want {}\n", branch["commit"]["id"].as_str().unwrap());
    let request = format!("{:04x}{want}00000009done\n", want.len() + 4);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(request.as_bytes()).unwrap();
    let resp = s
        .client
        .post(format!("{}alice/z.git/git-upload-pack", s.base))
        .header("Content-Type", "application/x-git-upload-pack-request")
        .header("Content-Encoding", "gzip")
        .body(gz.finish().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/x-git-upload-pack-result");
    let body = resp.bytes().await.unwrap();
    assert!(body.windows(4).any(|w| w == b"PACK"), "a pack came back");
}

/// What authenticated callers are told when refused: a refused account before anything else
/// (even a missing repository), a repository they cannot see is missing, one they cannot push to
/// is a 403 with a challenge, and a mirror is read-only only to those who could otherwise push.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_for_authenticated_callers() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let banned = s.create_user("banned", false).await;
    for name in ["pub", "mirror"] {
        s.create_repo(&token, j!({"name": name, "auto_init": true})).await;
    }
    s.sql("UPDATE repository SET is_mirror = TRUE WHERE lower_name = 'mirror'").await;
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'banned'").await;
    let ask = |who: &TestUser, path: &str, service: &str| {
        let url = format!("{}{path}/info/refs?service=git-{service}", s.base);
        let req = s.client.get(url).header("Authorization", basic(&who.name, &who.password));
        async move {
            let resp = req.send().await.unwrap();
            let challenged = resp.headers().contains_key("www-authenticate");
            (resp.status().as_u16(), challenged, resp.text().await.unwrap())
        }
    };
    let denied = "User permission denied\n".to_string();
    assert_eq!(ask(&banned, "alice/missing", "upload-pack").await, (403, false, denied.clone()));
    assert_eq!(ask(&banned, "alice/pub", "receive-pack").await, (403, false, denied.clone()));
    assert_eq!(ask(&bob, "alice/missing", "upload-pack").await, (404, false, "Not Found\n".to_string()));
    assert_eq!(ask(&bob, "nobody/pub", "receive-pack").await, (404, false, "Not Found\n".to_string()));
    assert_eq!(ask(&bob, "alice/pub", "receive-pack").await, (403, true, denied.clone()));
    assert_eq!(ask(&bob, "alice/mirror", "receive-pack").await, (403, true, denied));
    let read_only = "Mirror repository is read-only\n".to_string();
    assert_eq!(ask(&alice, "alice/mirror", "receive-pack").await, (403, false, read_only));
    // Public reads ignore credentials altogether, even a refused account's.
    assert_eq!(ask(&banned, "alice/mirror", "upload-pack").await.0, 200);
}
