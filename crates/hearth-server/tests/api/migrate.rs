//! `POST /repos/migrate` and pull mirrors.

use serde_json::json as j;

use crate::support::*;

async fn uid(s: &TestServer, name: &str) -> i64 {
    s.sql_i64(&format!("SELECT id FROM \"user\" WHERE lower_name = '{name}'")).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_a_local_repository() {
    let s = TestServer::start_with(|raw| raw.set("repository", "ENABLE_LOCAL_PATH_MIGRATION", "true")).await;
    let (_root, root) = s.user_with_token("root", true).await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let git = Git::new();
    let wt = git.work_tree("src", "hello.txt", "hi\n");
    git.ok(Some(&wt), &["branch", "-q", "-M", "trunk"]);
    git.ok(Some(&wt), &["tag", "v1"]);
    let src = wt.to_str().unwrap().to_string();

    let root_id = uid(&s, "root").await;
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&root)
            .json(&j!({"clone_addr": src, "uid": root_id, "repo_name": "imported", "description": "from disk"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["full_name"], "root/imported");
    assert_eq!(body["empty"], false);
    assert_eq!(body["mirror"], false);
    assert_eq!(body["default_branch"], "trunk", "the source's HEAD");
    assert_eq!(body["description"], "from disk");
    assert!(body["size"].as_i64().unwrap() > 0);

    let remote = git.ok(None, &["ls-remote", &s.git_url(None, "root", "imported")]);
    assert!(remote.contains("refs/heads/trunk") && remote.contains("refs/tags/v1"), "{remote}");
    let repo_dir = s.data_dir().join("repositories/root/imported.git");
    let origin = git.run(None, &["--git-dir", repo_dir.to_str().unwrap(), "config", "remote.origin.url"]);
    assert!(!origin.ok, "a plain migration forgets its source");

    // Only admins (or users allowed to) may import local paths; bad paths are refused.
    let alice_id = uid(&s, "alice").await;
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&alice)
            .json(&j!({"clone_addr": src, "uid": alice_id, "repo_name": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "You are not allowed to import local repositories.");
    for bad in [
        "/does/not/exist",
        "relative/path",
        "file:///etc",
        "ext::sh -c touch% /tmp/pwned",
        "ssh://h/x.git",
        "git@h:x.git",
        "--upload-pack=touch /tmp/x",
    ] {
        let (status, body) = json(
            s.post("/repos/migrate")
                .token(&root)
                .json(&j!({"clone_addr": bad, "uid": root_id, "repo_name": "y"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    assert_eq!(s.get("/repos/root/y").token(&root).send().await.unwrap().status(), 404);
    // Nothing is left in the scratch area.
    assert_eq!(scratch_left(&s.data_dir()), Vec::<std::path::PathBuf>::new());

    // Duplicate names and owners.
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&root)
            .json(&j!({"clone_addr": src, "uid": root_id, "repo_name": "IMPORTED"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("repository already exists"));
    let (status, _) = json(
        s.post("/repos/migrate")
            .token(&alice)
            .json(&j!({"clone_addr": src, "uid": root_id, "repo_name": "z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = json(
        s.post("/repos/migrate")
            .token(&root)
            .json(&j!({"clone_addr": src, "uid": 9999, "repo_name": "z"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422);
    let (status, body) = json(s.post("/repos/migrate").token(&root).json(&j!({})).send().await.unwrap()).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = body.as_array().unwrap().iter().map(|e| e["fieldNames"][0].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["CloneAddr", "UID", "RepoName"]);
    assert_eq!(s.post("/repos/migrate").json(&j!({})).send().await.unwrap().status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_network_addresses_are_refused_by_default() {
    let s = TestServer::start().await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    s.create_repo(&alice, j!({"name": "src", "auto_init": true})).await;
    let alice_id = uid(&s, "alice").await;
    for addr in [s.git_url(None, "alice", "src"), "http://10.0.0.1/x.git".to_string(), "http://[::1]:1/x".to_string()] {
        let (status, body) = json(
            s.post("/repos/migrate")
                .token(&alice)
                .json(&j!({"clone_addr": addr, "uid": alice_id, "repo_name": "copy"}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{addr}");
        assert_eq!(body["message"], "Clone address resolved to a local network address that is implicitly blocked.");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_migration_with_credentials_and_a_pull_mirror() {
    let s = TestServer::start_with(|raw| raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback")).await;
    let (alice, alice_token) = s.user_with_token("alice", false).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    s.create_repo(&alice_token, j!({"name": "upstream", "auto_init": true, "private": true})).await;
    let bob_id = uid(&s, "bob").await;
    let addr = s.git_url(None, "alice", "upstream");

    // Without credentials the private source cannot be cloned; the error names no secret.
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&bob)
            .json(&j!({"clone_addr": addr, "uid": bob_id, "repo_name": "m", "auth_username": "alice", "auth_password": "wrong-secret"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(!body.to_string().contains("wrong-secret"));

    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&bob)
            .json(&j!({"clone_addr": addr, "uid": bob_id, "repo_name": "m", "mirror": true,
                       "auth_username": alice.name, "auth_password": alice.password}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["mirror"], true);
    assert_eq!(body["empty"], false);

    // A mirror is read-only for pushes.
    let git = Git::new();
    let bob_user = TestUser { name: "bob".into(), password: "pw-bob-secret".into(), email: String::new() };
    git.ok(None, &["clone", "-q", &s.git_url(None, "bob", "m"), "m"]);
    let wt = git.path("m");
    std::fs::write(wt.join("x"), "x").unwrap();
    git.ok(Some(&wt), &["add", "."]);
    git.ok(Some(&wt), &["commit", "-q", "-m", "x"]);
    let out =
        git.run(Some(&wt), &["push", &s.git_url(Some((&bob_user.name, &bob_user.password)), "bob", "m"), "master"]);
    assert!(!out.ok);

    // Upstream moves on; a sync brings the mirror along.
    git.ok(None, &["clone", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "upstream"), "up"]);
    let up = git.path("up");
    std::fs::write(up.join("new.txt"), "new").unwrap();
    git.ok(Some(&up), &["add", "."]);
    git.ok(Some(&up), &["commit", "-q", "-m", "upstream change"]);
    git.ok(Some(&up), &["push", "-q", "origin", "master"]);
    assert_eq!(
        s.post("/repos/bob/m/mirror-sync").token(&alice_token).send().await.unwrap().status(),
        403,
        "readers may not sync"
    );
    assert_eq!(s.post("/repos/bob/m/mirror-sync").token(&bob).send().await.unwrap().status(), 202);
    let mut synced = false;
    for _ in 0..100 {
        let (_, b) = json(s.get("/repos/bob/m/branches/master").token(&bob).send().await.unwrap()).await;
        if b["commit"]["message"] == "upstream change\n" {
            synced = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(synced, "the mirror did not follow upstream");

    // Credentials may also come inside the address (the Python client's way).
    let with_userinfo = s.git_url(Some((&alice.name, &alice.password)), "alice", "upstream");
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&bob)
            .json(&j!({"clone_addr": with_userinfo, "uid": bob_id, "repo_name": "m2"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["empty"], false);

    // Not a mirror: 404.
    s.create_repo(&bob, j!({"name": "plain"})).await;
    assert_eq!(s.post("/repos/bob/plain/mirror-sync").token(&bob).send().await.unwrap().status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_addresses_are_refused_even_with_loopback_and_private_allowed() {
    // A short clone timeout: before the guard knew these ranges, git tried to connect to them.
    let s = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback, private");
        raw.set("git.timeout", "MIGRATE", "5");
    })
    .await;
    let (_alice, alice) = s.user_with_token("alice", false).await;
    let alice_id = uid(&s, "alice").await;
    for addr in [
        "http://192.0.2.1/x.git",
        "https://198.51.100.7/x.git",
        "http://198.18.0.1:8080/x.git",
        "http://224.0.0.1/x.git",
        "http://[2001:db8::1]/x.git",
        "http://[::ffff:192.0.2.1]/x.git",
        "http://[64:ff9b::c000:201]/x.git",
        "http://[2002:c000:201::1]/x.git",
        "http://0.0.0.0:1/x.git",
    ] {
        let started = std::time::Instant::now();
        let (status, body) = json(
            s.post("/repos/migrate")
                .token(&alice)
                .json(&j!({"clone_addr": addr, "uid": alice_id, "repo_name": "copy", "mirror": true}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{addr}: {body}");
        assert_eq!(
            body["message"], "Clone address resolved to a local network address that is implicitly blocked.",
            "{addr}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(3), "{addr}: refused without connecting");
    }
    assert_eq!(s.get("/repos/alice/copy").token(&alice).send().await.unwrap().status(), 404);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM repository").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mirror_whose_remote_is_no_longer_allowed_is_not_fetched() {
    // The source: another server, reached by a host name (resolved once, then pinned for git).
    let src = TestServer::start().await;
    let (alice, alice_token) = src.user_with_token("alice", false).await;
    src.create_repo(&alice_token, j!({"name": "upstream", "auto_init": true})).await;
    let port = src.base.trim_end_matches('/').rsplit(':').next().unwrap().to_string();
    let addr = format!("http://localhost:{port}/alice/upstream.git");

    let s = TestServer::start_with(|raw| raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback")).await;
    let (_bob, bob) = s.user_with_token("bob", false).await;
    let bob_id = uid(&s, "bob").await;
    let (status, body) = json(
        s.post("/repos/migrate")
            .token(&bob)
            .json(&j!({"clone_addr": addr, "uid": bob_id, "repo_name": "m", "mirror": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["mirror"], true);

    let git = Git::new();
    git.ok(None, &["clone", "-q", &src.git_url(Some((&alice.name, &alice.password)), "alice", "upstream"), "up"]);
    let up = git.path("up");
    let commit = |message: &str| {
        std::fs::write(up.join(format!("{message}.txt")), message).unwrap();
        git.ok(Some(&up), &["add", "."]);
        git.ok(Some(&up), &["commit", "-q", "-m", message]);
        git.ok(Some(&up), &["push", "-q", "origin", "master"]);
    };
    // Sync once and return the mirror's master commit message once the sync has been recorded.
    async fn sync(s: &TestServer, token: &str) -> String {
        s.sql("UPDATE mirror SET updated_unix = 0").await;
        assert_eq!(s.post("/repos/bob/m/mirror-sync").token(token).send().await.unwrap().status(), 202);
        for _ in 0..200 {
            if s.sql_i64("SELECT updated_unix FROM mirror").await > 0 {
                let (status, b) = json(s.get("/repos/bob/m/branches/master").token(token).send().await.unwrap()).await;
                assert_eq!(status, 200, "{b}");
                return b["commit"]["message"].as_str().unwrap().to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the sync was never recorded");
    }

    // While the allowlist permits loopback, a sync follows the source.
    commit("first change");
    assert_eq!(sync(&s, &bob).await, "first change\n");

    // Without the allowlist the source's address is refused: the next sync fails without fetching.
    let s = s.restart(|c| c.security.local_network_allowlist = String::new()).await;
    commit("second change");
    assert_eq!(sync(&s, &bob).await, "first change\n", "the mirror fetched from a refused address");
    let (_, branch) =
        json(src.get("/repos/alice/upstream/branches/master").token(&alice_token).send().await.unwrap()).await;
    assert_eq!(branch["commit"]["message"], "second change\n", "the source did move on");
}
