//! The Git LFS locking API: the real `git lfs lock` / `locks` / `unlock` and a push checked against
//! another user's lock, then the endpoints over raw HTTP (shapes, filters, pages, refusals).

use reqwest::Method;
use serde_json::{Value, json as j};

use crate::support::*;

const LFS_JSON: &str = "application/vnd.git-lfs+json";

/// `git-lfs` is not installed here: the test says so and passes (CI installs it).
fn lfs_missing() -> bool {
    let found = std::process::Command::new("git-lfs").arg("version").output().is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("git-lfs is not on PATH: skipping");
    }
    !found
}

fn locks_url(s: &TestServer, owner: &str, repo: &str, rest: &str) -> String {
    format!("{}{owner}/{repo}.git/info/lfs/locks{rest}", s.base)
}

/// A locking API request as git-lfs sends it (LFS media type both ways).
async fn call(s: &TestServer, method: Method, url: String, who: impl Caller, body: Option<Value>) -> Reply {
    let mut req = who.sign(s.client.request(method, url)).header("Accept", LFS_JSON);
    if let Some(body) = body {
        req = req.header("Content-Type", LFS_JSON).body(body.to_string());
    }
    let resp = req.send().await.unwrap();
    let (status, headers) = (resp.status().as_u16(), resp.headers().clone());
    let text = resp.text().await.unwrap();
    Reply { status, headers, body: serde_json::from_str(&text).unwrap_or(Value::Null) }
}

async fn lock(s: &TestServer, repo: &str, who: impl Caller, path: &str) -> Reply {
    let (owner, name) = repo.split_once('/').unwrap();
    let body = j!({"path": path, "ref": {"name": "refs/heads/master"}});
    call(s, Method::POST, locks_url(s, owner, name, ""), who, Some(body)).await
}

async fn list(s: &TestServer, repo: &str, who: impl Caller, query: &str) -> Reply {
    let (owner, name) = repo.split_once('/').unwrap();
    call(s, Method::GET, locks_url(s, owner, name, &format!("?{query}")), who, None).await
}

async fn verify(s: &TestServer, repo: &str, who: impl Caller, body: Value) -> Reply {
    let (owner, name) = repo.split_once('/').unwrap();
    call(s, Method::POST, locks_url(s, owner, name, "/verify"), who, Some(body)).await
}

async fn unlock(s: &TestServer, repo: &str, who: impl Caller, id: &str, force: bool) -> Reply {
    let (owner, name) = repo.split_once('/').unwrap();
    let body = j!({"force": force, "ref": {"name": "refs/heads/master"}});
    call(s, Method::POST, locks_url(s, owner, name, &format!("/{id}/unlock")), who, Some(body)).await
}

/// The paths of a list of locks, in order.
fn paths(locks: &Value) -> Vec<&str> {
    locks.as_array().unwrap().iter().map(|l| l["path"].as_str().unwrap()).collect()
}

fn id_of(reply: &Reply) -> String {
    reply.body["lock"]["id"].as_str().unwrap_or_else(|| panic!("no lock id in {}", reply.body)).to_string()
}

/// The one entry `git lfs lock|unlock --json` prints (git-lfs 3 prints a list of one).
fn one(v: Value) -> Value {
    match v {
        Value::Array(mut list) if list.len() == 1 => list.remove(0),
        other => other,
    }
}

/// `git lfs lock|locks|unlock … --json` in `dir`: its JSON output, or its error.
fn lfs_json(git: &Git, dir: &std::path::Path, args: &[&str]) -> Result<Value, String> {
    let mut all = vec!["lfs"];
    all.extend_from_slice(args);
    all.push("--json");
    let out = git.run(Some(dir), &all);
    if !out.ok {
        return Err(format!("{}{}", out.stdout, out.stderr));
    }
    Ok(serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_lfs_locks_between_two_users() {
    if lfs_missing() {
        return;
    }
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "art", "private": true, "auto_init": true})).await;
    assert_eq!(s.put_json("/repos/alice/art/collaborators/bob", &alice, j!({"permission": "write"})).await.0, 204);

    // Alice sets up lockable files and pushes them.
    let a_git = Git::new();
    a_git.ok(None, &["lfs", "install", "--skip-repo"]);
    a_git.ok(None, &["clone", "-q", &s.git_url(Some((&alice.name, &alice.password)), "alice", "art"), "art"]);
    let a_wt = a_git.path("art");
    a_git.ok(Some(&a_wt), &["lfs", "install", "--local"]);
    a_git.ok(Some(&a_wt), &["config", "lfs.locksverify", "true"]);
    a_git.ok(Some(&a_wt), &["lfs", "track", "--lockable", "*.psd"]);
    std::fs::create_dir_all(a_wt.join("scenes")).unwrap();
    std::fs::write(a_wt.join("hero.psd"), b"hero v1").unwrap();
    std::fs::write(a_wt.join("scenes/sky.psd"), b"sky v1").unwrap();
    a_git.ok(Some(&a_wt), &["add", "."]);
    a_git.ok(Some(&a_wt), &["commit", "-q", "-m", "art"]);
    a_git.ok(Some(&a_wt), &["push", "-q", "origin", "master"]);

    // Bob clones it.
    let b_git = Git::new();
    b_git.ok(None, &["lfs", "install", "--skip-repo"]);
    b_git.ok(None, &["clone", "-q", &s.git_url(Some((&bob.name, &bob.password)), "alice", "art"), "art"]);
    let b_wt = b_git.path("art");
    b_git.ok(Some(&b_wt), &["config", "lfs.locksverify", "true"]);

    // Alice locks the hero; both see the lock, with its owner.
    let hero = one(lfs_json(&a_git, &a_wt, &["lock", "hero.psd"]).unwrap());
    assert_eq!((hero["path"].as_str(), hero["owner"]["name"].as_str()), (Some("hero.psd"), Some("alice")), "{hero}");
    let hero_id = hero["id"].as_str().unwrap().to_string();
    for (git, wt) in [(&a_git, &a_wt), (&b_git, &b_wt)] {
        let locks = lfs_json(git, wt, &["locks"]).unwrap();
        assert_eq!(paths(&locks), ["hero.psd"], "{locks}");
        assert_eq!(locks[0]["id"], hero_id.as_str());
        assert_eq!(locks[0]["owner"]["name"], "alice");
    }

    // Bob cannot take it, nor release it, with force or without; he locks the other file.
    let err = lfs_json(&b_git, &b_wt, &["lock", "hero.psd"]).unwrap_err();
    assert!(err.contains("already created lock"), "{err}");
    let err = lfs_json(&b_git, &b_wt, &["unlock", "hero.psd"]).unwrap_err();
    assert!(err.contains("only its owner"), "{err}");
    let err = lfs_json(&b_git, &b_wt, &["unlock", "--force", "hero.psd"]).unwrap_err();
    assert!(err.contains("Only administrators"), "{err}");
    let sky = one(lfs_json(&b_git, &b_wt, &["lock", "scenes/sky.psd"]).unwrap());
    assert_eq!(sky["owner"]["name"], "bob", "{sky}");
    let locks = lfs_json(&a_git, &a_wt, &["locks"]).unwrap();
    assert_eq!(paths(&locks), ["scenes/sky.psd", "hero.psd"], "newest first: {locks}");
    let mine = lfs_json(&a_git, &a_wt, &["locks", "--path", "scenes/sky.psd"]).unwrap();
    assert_eq!(paths(&mine), ["scenes/sky.psd"]);

    // Bob's push of a change to the hero stops at Alice's lock (the verify endpoint says it is
    // theirs); a change to his own locked file goes through.
    let make_writable = |path: &std::path::Path| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o644)).unwrap();
    };
    make_writable(&b_wt.join("hero.psd"));
    std::fs::write(b_wt.join("hero.psd"), b"hero v2 by bob").unwrap();
    b_git.ok(Some(&b_wt), &["commit", "-q", "-am", "hero by bob"]);
    let out = b_git.run(Some(&b_wt), &["push", "origin", "master"]);
    assert!(!out.ok, "pushed over a lock: {}", out.stderr);
    assert!(format!("{}{}", out.stdout, out.stderr).contains("Cannot update locked files"), "{}", out.stderr);
    b_git.ok(Some(&b_wt), &["reset", "-q", "--hard", "origin/master"]);
    make_writable(&b_wt.join("scenes/sky.psd"));
    std::fs::write(b_wt.join("scenes/sky.psd"), b"sky v2 by bob").unwrap();
    b_git.ok(Some(&b_wt), &["commit", "-q", "-am", "sky by bob"]);
    b_git.ok(Some(&b_wt), &["push", "-q", "origin", "master"]);

    // Alice (the owner) forces Bob's lock away and releases her own; none are left.
    let err = lfs_json(&a_git, &a_wt, &["unlock", "scenes/sky.psd"]).unwrap_err();
    assert!(err.contains("only its owner"), "{err}");
    let released = one(lfs_json(&a_git, &a_wt, &["unlock", "--force", "scenes/sky.psd"]).unwrap());
    assert_eq!(released["unlocked"], true, "{released}");
    let out = a_git.ok(Some(&a_wt), &["lfs", "unlock", "--id", &hero_id]);
    assert!(out.contains(&format!("Unlocked Lock {hero_id}")), "{out}");
    assert_eq!(lfs_json(&b_git, &b_wt, &["locks"]).unwrap(), j!([]));
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 0);
}

#[tokio::test]
async fn locks_are_created_listed_and_paged() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    s.create_repo(&token, j!({"name": "other"})).await;

    // Created: 201 with the lock, its id a string, its time RFC 3339 in UTC.
    let before = time::OffsetDateTime::now_utc().unix_timestamp();
    let created = lock(&s, "alice/r", &alice, "/art//./hero.psd").await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.header("content-type"), LFS_JSON);
    let hero = created.body["lock"].clone();
    assert_eq!(hero.as_object().unwrap().len(), 4, "{hero}");
    assert_eq!(hero["path"], "art/hero.psd");
    assert_eq!(hero["owner"], j!({"name": "alice"}));
    assert!(created.body.get("message").is_none(), "{}", created.body);
    let id: i64 = hero["id"].as_str().unwrap().parse().unwrap();
    let at = time::OffsetDateTime::parse(
        hero["locked_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!(hero["locked_at"].as_str().unwrap().ends_with('Z'), "{hero}");
    assert!((before..=before + 5).contains(&at.unix_timestamp()), "{hero}");
    assert_eq!(
        s.sql_i64(&format!("SELECT COUNT(*) FROM lfs_lock WHERE id = {id} AND ref_name = 'refs/heads/master'")).await,
        1
    );

    // The same path again (however written): 409 with the lock that holds it.
    for again in ["art/hero.psd", "./art/hero.psd", "art//hero.psd/"] {
        let dup = lock(&s, "alice/r", &alice, again).await;
        assert_eq!(dup.status, 409, "{again}: {}", dup.body);
        assert_eq!(dup.body, j!({"lock": hero, "message": "already created lock"}));
        assert_eq!(dup.header("content-type"), LFS_JSON);
    }
    // Paths that name nothing or climb out: 422, nothing stored.
    for bad in ["", "/", "./.", "../hero.psd", "art/../../x", "a/..", "a\u{0}b", "tab\there"] {
        let r = lock(&s, "alice/r", &alice, bad).await;
        assert_eq!(r.status, 422, "{bad:?}: {}", r.body);
        assert!(r.body["message"].is_string(), "{}", r.body);
    }
    assert_eq!(lock(&s, "alice/r", &alice, &"x".repeat(5000)).await.status, 422);
    let no_path = call(&s, Method::POST, locks_url(&s, "alice", "r", ""), &alice, Some(j!({}))).await;
    assert_eq!(no_path.status, 422, "{}", no_path.body);
    let bad_ref = call(
        &s,
        Method::POST,
        locks_url(&s, "alice", "r", ""),
        &alice,
        Some(j!({"path": "a", "ref": {"name": "x\ny"}})),
    )
    .await;
    assert_eq!(bad_ref.status, 422, "{}", bad_ref.body);
    for garbage in [j!("a"), j!({"path": 5}), j!({"path": "a", "ref": "main"})] {
        let r = call(&s, Method::POST, locks_url(&s, "alice", "r", ""), &alice, Some(garbage.clone())).await;
        assert_eq!(r.status, 400, "{garbage}: {}", r.body);
    }
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 1);

    // Four more, and one in another repository.
    for p in ["p1", "p2", "p3", "p4"] {
        assert_eq!(lock(&s, "alice/r", &alice, p).await.status, 201);
    }
    let elsewhere = lock(&s, "alice/other", &alice, "p1").await;
    assert_eq!(elsewhere.status, 201, "same path, another repository");
    let elsewhere_id = id_of(&elsewhere);

    // Everything, newest first, with no cursor left.
    let all = list(&s, "alice/r", &alice, "").await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.header("content-type"), LFS_JSON);
    assert_eq!(paths(&all.body["locks"]), ["p4", "p3", "p2", "p1", "art/hero.psd"]);
    assert!(all.body.get("next_cursor").is_none(), "{}", all.body);
    assert_eq!(all.body["locks"][4], hero);

    // Pages of two, following next_cursor.
    let mut seen = Vec::new();
    let mut query = "limit=2".to_string();
    let mut pages = 0;
    loop {
        let page = list(&s, "alice/r", &alice, &query).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body["locks"].as_array().unwrap().len() <= 2);
        seen.extend(paths(&page.body["locks"]).into_iter().map(String::from));
        pages += 1;
        match page.body["next_cursor"].as_str() {
            Some(next) => query = format!("limit=2&cursor={next}"),
            None => break,
        }
        // A lock made while paging lands before the pages already read, not in the next one.
        if pages == 1 {
            assert_eq!(lock(&s, "alice/r", &alice, "late").await.status, 201);
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["p4", "p3", "p2", "p1", "art/hero.psd"]);
    // Limits beyond the maximum are the maximum; none or 0 is the default.
    for q in ["limit=1000", "limit=0", "limit="] {
        let r = list(&s, "alice/r", &alice, q).await;
        assert_eq!((r.status, r.body["locks"].as_array().unwrap().len()), (200, 6), "{q}");
    }

    // Filters: by path (normalised like a lock's), by id; nothing found is an empty list.
    let by_path = list(&s, "alice/r", &alice, "path=%2Fart%2Fhero.psd").await;
    assert_eq!(by_path.body, j!({"locks": [hero]}));
    assert_eq!(list(&s, "alice/r", &alice, "path=nope").await.body, j!({"locks": []}));
    let by_id = list(&s, "alice/r", &alice, &format!("id={id}")).await;
    assert_eq!(by_id.body, j!({"locks": [hero]}));
    assert_eq!(list(&s, "alice/r", &alice, &format!("id={id}&path=p1")).await.body, j!({"locks": []}));
    let other_repo = list(&s, "alice/r", &alice, &format!("id={elsewhere_id}")).await;
    assert_eq!(other_repo.body, j!({"locks": []}), "another repository's lock is not listed here");
    assert_eq!(paths(&list(&s, "alice/other", &alice, "").await.body["locks"]), ["p1"]);
    // refspec is accepted (locks are per repository).
    assert_eq!(paths(&list(&s, "alice/r", &alice, "path=p1&refspec=refs%2Fheads%2Fx").await.body["locks"]), ["p1"]);

    // Malformed queries: 400 (a path that climbs: 422).
    for q in ["limit=x", "limit=-1", "cursor=x", "cursor=-3", "id=abc", "id=0", "limit=1&limit=2"] {
        let r = list(&s, "alice/r", &alice, q).await;
        assert_eq!(r.status, 400, "{q}: {}", r.body);
        assert!(r.body["message"].is_string(), "{}", r.body);
    }
    assert_eq!(list(&s, "alice/r", &alice, "path=..%2Fx").await.status, 422);
}

#[tokio::test]
async fn who_may_list_and_lock() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let reader = s.create_user("reader", false).await;
    let stranger = s.create_user("stranger", false).await;
    s.create_repo(&token, j!({"name": "open"})).await;
    s.create_repo(&token, j!({"name": "secret", "private": true})).await;
    for repo in ["open", "secret"] {
        let path = format!("/repos/alice/{repo}/collaborators/reader");
        assert_eq!(s.put_json(&path, &alice, j!({"permission": "read"})).await.0, 204);
        assert_eq!(lock(&s, &format!("alice/{repo}"), &alice, "a.bin").await.status, 201);
    }

    // Anonymous: may list a public repository's locks, nothing more; a challenge for the rest.
    let open = list(&s, "alice/open", Anon, "").await;
    assert_eq!((open.status, paths(&open.body["locks"])), (200, vec!["a.bin"]), "{}", open.body);
    let anon = lock(&s, "alice/open", Anon, "b.bin").await;
    assert_eq!(anon.status, 401, "{}", anon.body);
    assert!(anon.header("lfs-authenticate").starts_with("Basic realm="));
    assert_eq!(anon.header("content-type"), LFS_JSON);
    assert!(anon.body["message"].is_string(), "{}", anon.body);
    assert_eq!(verify(&s, "alice/open", Anon, j!({})).await.status, 401);
    assert_eq!(unlock(&s, "alice/open", Anon, "1", true).await.status, 401);
    let hidden = list(&s, "alice/secret", Anon, "").await;
    assert_eq!(hidden.status, 401);
    assert!(hidden.header("lfs-authenticate").starts_with("Basic realm="));

    // A stranger: the private repository is not there.
    for r in [
        list(&s, "alice/secret", &stranger, "").await,
        lock(&s, "alice/secret", &stranger, "b.bin").await,
        verify(&s, "alice/secret", &stranger, j!({})).await,
    ] {
        assert_eq!(r.status, 404, "{}", r.body);
        assert_eq!(r.header("content-type"), LFS_JSON);
        assert!(r.body.get("locks").is_none() && r.body["message"].is_string(), "{}", r.body);
    }
    // Wrong credentials: a challenge.
    let wrong = TestUser { name: "alice".into(), password: "nope".into(), email: String::new() };
    assert_eq!(list(&s, "alice/secret", &wrong, "").await.status, 401);

    // A reader lists but neither locks, verifies nor unlocks.
    for repo in ["alice/open", "alice/secret"] {
        let r = list(&s, repo, &reader, "").await;
        assert_eq!((r.status, paths(&r.body["locks"])), (200, vec!["a.bin"]), "{repo}");
        let r = lock(&s, repo, &reader, "c.bin").await;
        assert_eq!(r.status, 403, "{repo}: {}", r.body);
        assert!(r.body["message"].is_string(), "{}", r.body);
        assert_eq!(verify(&s, repo, &reader, j!({})).await.status, 403);
        let id = id_of(&lock(&s, repo, &alice, "a.bin").await);
        assert_eq!(unlock(&s, repo, &reader, &id, false).await.status, 403);
    }
    // A stranger on the public repository: reads, may not write.
    assert_eq!(list(&s, "alice/open", &stranger, "").await.status, 200);
    assert_eq!(lock(&s, "alice/open", &stranger, "c.bin").await.status, 403);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 2);

    // Unknown repositories and owners.
    assert_eq!(list(&s, "alice/none", &alice, "").await.status, 404);
    assert_eq!(lock(&s, "nobody/none", &alice, "a").await.status, 404);
}

#[tokio::test]
async fn unlocking_takes_the_owner_or_an_admin_with_force() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let carol = s.create_user("carol", false).await;
    let root = s.create_user("root", true).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    let collab = |user: &str, permission: &str| {
        let (path, body) = (format!("/repos/alice/r/collaborators/{user}"), j!({"permission": permission}));
        let (s, alice) = (&s, &alice);
        async move { assert_eq!(s.put_json(&path, alice, body).await.0, 204) }
    };
    collab("bob", "write").await;
    collab("carol", "admin").await;

    let alices = lock(&s, "alice/r", &alice, "alice.bin").await;
    let alices_id = id_of(&alices);
    let bobs_id = id_of(&lock(&s, "alice/r", &bob, "bob.bin").await);

    // Someone else's lock without force: 403; with force as a writer only: 403. Still there.
    let r = unlock(&s, "alice/r", &bob, &alices_id, false).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(r.header("content-type"), LFS_JSON);
    assert!(r.body["message"].as_str().unwrap().contains("alice"), "{}", r.body);
    let r = unlock(&s, "alice/r", &bob, &alices_id, true).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(r.body["message"].as_str().unwrap().contains("administrators"), "{}", r.body);
    assert_eq!(list(&s, "alice/r", &alice, "").await.body["locks"].as_array().unwrap().len(), 2);
    // Even the repository's owner needs force.
    assert_eq!(unlock(&s, "alice/r", &alice, &bobs_id, false).await.status, 403);

    // Unknown ids: 404 (also another repository's lock, and ids that cannot be one).
    s.create_repo(&token, j!({"name": "other"})).await;
    let other_id = id_of(&lock(&s, "alice/other", &alice, "x").await);
    for id in ["999999", other_id.as_str(), "abc", "0", "-1"] {
        let r = unlock(&s, "alice/r", &alice, id, true).await;
        assert_eq!(r.status, 404, "{id}: {}", r.body);
        assert!(r.body["message"].is_string(), "{}", r.body);
    }
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 3);
    // A body that is not an unlock request: 400.
    let bad = call(
        &s,
        Method::POST,
        locks_url(&s, "alice", "r", &format!("/{bobs_id}/unlock")),
        &bob,
        Some(j!({"force": "yes"})),
    )
    .await;
    assert_eq!(bad.status, 400, "{}", bad.body);

    // The owner forces: 200 with the lock as it was.
    let r = unlock(&s, "alice/r", &alice, &bobs_id, true).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), LFS_JSON);
    assert_eq!(r.body["lock"]["path"], "bob.bin");
    assert_eq!(r.body["lock"]["owner"]["name"], "bob");
    assert_eq!(r.body["lock"]["id"], bobs_id.as_str());
    assert_eq!(unlock(&s, "alice/r", &alice, &bobs_id, true).await.status, 404, "gone");

    // An admin collaborator and a site admin force too; an owner releases their own (force or not).
    let bobs_id = id_of(&lock(&s, "alice/r", &bob, "bob.bin").await);
    assert_eq!(unlock(&s, "alice/r", &carol, &bobs_id, true).await.status, 200);
    let bobs_id = id_of(&lock(&s, "alice/r", &bob, "bob.bin").await);
    assert_eq!(unlock(&s, "alice/r", &root, &bobs_id, true).await.status, 200);
    let bobs_id = id_of(&lock(&s, "alice/r", &bob, "bob.bin").await);
    let r = unlock(&s, "alice/r", &bob, &bobs_id, false).await;
    assert_eq!((r.status, &r.body["lock"]["path"]), (200, &j!("bob.bin")), "{}", r.body);
    let empty =
        call(&s, Method::POST, locks_url(&s, "alice", "r", &format!("/{alices_id}/unlock")), &alice, None).await;
    assert_eq!((empty.status, &empty.body["lock"]), (200, &alices.body["lock"]), "an empty body is no force");

    // In an organisation's repository, its owners are administrators.
    assert_eq!(s.post_status("/user/orgs", &alice, j!({"username": "studio"})).await, 201);
    assert_eq!(s.post_status("/org/studio/repos", &alice, j!({"name": "game"})).await, 201);
    let path = "/repos/studio/game/collaborators/bob";
    assert_eq!(s.put_json(path, &alice, j!({"permission": "write"})).await.0, 204);
    let bobs_id = id_of(&lock(&s, "studio/game", &bob, "level.bin").await);
    assert_eq!(unlock(&s, "studio/game", &alice, &bobs_id, false).await.status, 403);
    assert_eq!(unlock(&s, "studio/game", &alice, &bobs_id, true).await.status, 200);
}

#[tokio::test]
async fn verify_splits_ours_and_theirs() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    s.create_repo(&token, j!({"name": "r", "private": true})).await;
    assert_eq!(s.put_json("/repos/alice/r/collaborators/bob", &alice, j!({"permission": "write"})).await.0, 204);

    // Nothing locked: two empty lists.
    let r = verify(&s, "alice/r", &alice, j!({"ref": {"name": "refs/heads/master"}})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), LFS_JSON);
    assert_eq!(r.body, j!({"ours": [], "theirs": []}));

    for (who, path) in [(&alice, "a1"), (&bob, "b1"), (&alice, "a2"), (&bob, "b2"), (&bob, "b3")] {
        assert_eq!(lock(&s, "alice/r", who, path).await.status, 201);
    }
    let r = verify(&s, "alice/r", &alice, j!({})).await;
    assert_eq!((paths(&r.body["ours"]), paths(&r.body["theirs"])), (vec!["a2", "a1"], vec!["b3", "b2", "b1"]));
    assert!(r.body.get("next_cursor").is_none(), "{}", r.body);
    assert_eq!(r.body["theirs"][0]["owner"]["name"], "bob");
    let r = verify(&s, "alice/r", &bob, j!({"ref": {"name": "refs/heads/master"}})).await;
    assert_eq!((paths(&r.body["ours"]), paths(&r.body["theirs"])), (vec!["b3", "b2", "b1"], vec!["a2", "a1"]));
    // An empty body is an empty request.
    let r = call(&s, Method::POST, locks_url(&s, "alice", "r", "/verify"), &bob, None).await;
    assert_eq!((r.status, paths(&r.body["ours"]).len()), (200, 3), "{}", r.body);

    // Pages, by the body's cursor and limit.
    let first = verify(&s, "alice/r", &bob, j!({"limit": 2})).await;
    assert_eq!((paths(&first.body["ours"]), paths(&first.body["theirs"])), (vec!["b3", "b2"], vec![]));
    let next = first.body["next_cursor"].as_str().unwrap().to_string();
    let second = verify(&s, "alice/r", &bob, j!({"limit": 2, "cursor": next})).await;
    assert_eq!((paths(&second.body["ours"]), paths(&second.body["theirs"])), (vec!["b1"], vec!["a2"]));
    let next = second.body["next_cursor"].as_str().unwrap().to_string();
    let third = verify(&s, "alice/r", &bob, j!({"limit": 2, "cursor": next})).await;
    assert_eq!((paths(&third.body["ours"]), paths(&third.body["theirs"])), (vec![], vec!["a1"]));
    assert!(third.body.get("next_cursor").is_none(), "{}", third.body);

    // Malformed requests: 400.
    for body in [j!({"limit": -1}), j!({"limit": "2"}), j!({"cursor": "x"}), j!({"cursor": 5}), j!([1])] {
        let r = verify(&s, "alice/r", &bob, body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {}", r.body);
    }
}

#[tokio::test]
async fn locks_go_with_their_repository_and_owner() {
    let s = TestServer::start().await;
    let (alice, token) = s.user_with_token("alice", false).await;
    let bob = s.create_user("bob", false).await;
    let root = s.create_user("root", true).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    s.create_repo(&token, j!({"name": "keep"})).await;
    assert_eq!(s.put_json("/repos/alice/keep/collaborators/bob", &alice, j!({"permission": "write"})).await.0, 204);
    for p in ["a", "b"] {
        assert_eq!(lock(&s, "alice/r", &alice, p).await.status, 201);
    }
    assert_eq!(lock(&s, "alice/keep", &alice, "a").await.status, 201);
    assert_eq!(lock(&s, "alice/keep", &bob, "b").await.status, 201);

    // The repository goes, its locks with it; a new one of the same name starts with none.
    assert_eq!(s.delete_status("/repos/alice/r", &alice).await, 204);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 2);
    s.create_repo(&token, j!({"name": "r"})).await;
    assert_eq!(list(&s, "alice/r", &alice, "").await.body, j!({"locks": []}));

    // A deleted account's locks go with it.
    assert_eq!(s.delete_status("/admin/users/bob", &root).await, 204);
    assert_eq!(paths(&list(&s, "alice/keep", &alice, "").await.body["locks"]), ["a"]);
}

#[tokio::test]
async fn disabled_lfs_has_no_locks() {
    let s = TestServer::start_with(|raw| raw.set("lfs", "ENABLED", "false")).await;
    let (alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "r"})).await;
    assert_eq!(lock(&s, "alice/r", &alice, "a").await.status, 404);
    assert_eq!(list(&s, "alice/r", &alice, "").await.status, 404);
    assert_eq!(verify(&s, "alice/r", &alice, j!({})).await.status, 404);
    assert_eq!(unlock(&s, "alice/r", &alice, "1", false).await.status, 404);
    assert_eq!(s.sql_i64("SELECT COUNT(*) FROM lfs_lock").await, 0);
}
