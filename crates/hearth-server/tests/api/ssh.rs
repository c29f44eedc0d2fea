//! Git over the built-in SSH server with the real OpenSSH client.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json as j;

use crate::support::*;

pub(crate) async fn ssh_server() -> TestServer {
    TestServer::start_with(|raw| raw.set("server", "START_SSH_SERVER", "true")).await
}

/// A fresh Ed25519 key pair made by ssh-keygen: (private key path, public key line).
pub(crate) fn keypair(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let public = std::fs::read_to_string(path.with_extension("pub")).unwrap();
    (path, public.trim().to_string())
}

pub(crate) async fn add_user_key(s: &TestServer, token: &str, title: &str, key: &str) {
    let (status, body) =
        json(s.post("/user/keys").token(token).json(&j!({"title": title, "key": key})).send().await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
}

pub(crate) fn ssh_url(s: &TestServer, owner: &str, repo: &str) -> String {
    format!("ssh://git@127.0.0.1:{}/{owner}/{repo}.git", s.ssh_port.unwrap())
}

/// The `ssh` client itself (for commands git never sends), with stdin from `input`.
fn ssh(s: &TestServer, key: &Path, extra: &[&str], command: Option<&str>, input: &[u8]) -> (i32, String, String) {
    let mut child = ssh_command(s, key, extra, command).spawn().expect("ssh");
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ssh_command(s: &TestServer, key: &Path, extra: &[&str], command: Option<&str>) -> Command {
    let mut cmd = Command::new("ssh");
    cmd.args(["-T", "-F", "/dev/null", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=no"])
        .args(["-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-i"])
        .arg(key)
        .args(["-p", &s.ssh_port.unwrap().to_string()])
        .args(extra)
        .arg("git@127.0.0.1")
        .args(command)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

fn commit(git: &Git, wt: &Path, file: &str, content: &str) {
    std::fs::write(wt.join(file), content).unwrap();
    git.ok(Some(wt), &["add", "."]);
    git.ok(Some(wt), &["commit", "-q", "-m", file]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clone_push_and_refusals() {
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, alice_token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    let (alice_key, alice_pub) = keypair(keys.path(), "alice");
    let (bob_key, bob_pub) = keypair(keys.path(), "bob");
    let (stranger_key, _) = keypair(keys.path(), "stranger");
    add_user_key(&s, &alice_token, "laptop", &alice_pub).await;
    add_user_key(&s, &bob_token, "laptop", &bob_pub).await;
    let repo = s.create_repo(&alice_token, j!({"name": "proj"})).await;
    assert_eq!(repo["ssh_url"], ssh_url(&s, "alice", "proj"));
    s.create_repo(&alice_token, j!({"name": "secret", "private": true, "auto_init": true})).await;

    // Push into the empty repository, then clone it back: post-push processing ran.
    let git = Git::with_ssh(&alice_key);
    let wt = git.work_tree("src", "a.txt", "a\n");
    git.ok(Some(&wt), &["push", "-q", &ssh_url(&s, "alice", "proj"), "master"]);
    let (_, repo) = json(s.get("/repos/alice/proj").token(&alice_token).send().await.unwrap()).await;
    assert_eq!(repo["empty"], false);
    let pushes = s.sql_i64("SELECT COUNT(*) FROM push_event WHERE ref_name = 'refs/heads/master'").await;
    assert_eq!(pushes, 1);
    git.ok(None, &["clone", "-q", &ssh_url(&s, "alice", "proj"), "back"]);
    assert_eq!(std::fs::read_to_string(git.path("back").join("a.txt")).unwrap(), "a\n");
    // The scp-like form's path (no leading slash), on a private repository of her own.
    let (code, out, err) = ssh(&s, &alice_key, &[], Some("git-upload-pack 'alice/secret.git'"), b"0000");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("refs/heads/master"), "{out}");

    // Another user's private repository: not found; a public one: no push.
    let bob_git = Git::with_ssh(&bob_key);
    let out = bob_git.run(None, &["clone", "-q", &ssh_url(&s, "alice", "secret"), "secret"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Gogs: Repository does not exist or you do not have access"), "{}", out.stderr);
    bob_git.ok(None, &["clone", "-q", &ssh_url(&s, "alice", "proj"), "proj"]);
    let bwt = bob_git.path("proj");
    commit(&bob_git, &bwt, "b.txt", "b\n");
    let out = bob_git.run(Some(&bwt), &["push", "-q", "origin", "master"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Gogs: You do not have sufficient authorization for this action"), "{}", out.stderr);

    // An unregistered key never gets past authentication.
    let stranger = Git::with_ssh(&stranger_key);
    let out = stranger.run(None, &["clone", "-q", &ssh_url(&s, "alice", "proj"), "x"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Permission denied (publickey)"), "{}", out.stderr);

    // Other commands and a plain login get Gogs' answers.
    let (code, _, err) = ssh(&s, &alice_key, &[], Some("git-frobnicate 'alice/proj.git'"), b"");
    assert_eq!((code, err.as_str()), (1, "Gogs: Unknown git command\n"));
    let (code, _, err) = ssh(&s, &alice_key, &[], Some("ls -la"), b"");
    assert_eq!((code, err.as_str()), (1, "Gogs: Invalid repository path\n"));
    let (code, _, err) = ssh(&s, &alice_key, &[], Some("git-upload-pack 'nobody/proj.git'"), b"");
    assert_eq!((code, err.as_str()), (1, "Gogs: Repository owner does not exist\n"));
    let (code, _, err) = ssh(&s, &alice_key, &[], None, b"");
    assert_eq!(code, 0);
    assert_eq!(
        err,
        "Hi there, You've successfully authenticated, but Gogs does not provide shell access.\n\
         If this is unexpected, please log in with password and setup Gogs under another user.\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_keys_read_only_unless_said_otherwise() {
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    s.create_repo(&token, j!({"name": "app", "private": true, "auto_init": true})).await;
    s.create_repo(&token, j!({"name": "other", "private": true, "auto_init": true})).await;
    let (ro_key, ro_pub) = keypair(keys.path(), "ro");
    let (rw_key, rw_pub) = keypair(keys.path(), "rw");
    for (title, key, body) in [
        ("ro", &ro_pub, j!({"title": "ro", "key": ro_pub})),
        ("rw", &rw_pub, j!({"title": "rw", "key": rw_pub, "read_only": false})),
    ] {
        let resp = s.post("/repos/alice/app/keys").token(&token).json(&body).send().await.unwrap();
        let (status, b) = json(resp).await;
        assert_eq!(status, 201, "{title} {key}: {b}");
    }

    let ro = Git::with_ssh(&ro_key);
    ro.ok(None, &["clone", "-q", &ssh_url(&s, "alice", "app"), "app"]);
    let wt = ro.path("app");
    commit(&ro, &wt, "x.txt", "x\n");
    let out = ro.run(Some(&wt), &["push", "-q", "origin", "master"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Gogs: Key permission denied"), "{}", out.stderr);
    // Not attached to that private repository.
    let out = ro.run(None, &["clone", "-q", &ssh_url(&s, "alice", "other"), "other"]);
    assert!(!out.ok);
    assert!(out.stderr.contains("Gogs: Key access denied"), "{}", out.stderr);

    let rw = Git::with_ssh(&rw_key);
    let out = rw.run(Some(&wt), &["push", "-q", &ssh_url(&s, "alice", "app"), "master"]);
    assert!(out.ok, "{}", out.stderr);
    let pushes = s.sql_i64("SELECT COUNT(*) FROM push_event").await;
    assert_eq!(pushes, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn protocol_v2_from_the_env_request() {
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (key, public) = keypair(keys.path(), "alice");
    add_user_key(&s, &token, "k", &public).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;

    let cmd = Some("git-upload-pack '/alice/proj.git'");
    let (code, out, err) = ssh(&s, &key, &["-o", "SetEnv=GIT_PROTOCOL=version=2"], cmd, b"0000");
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("000eversion 2\n"), "{out}");
    let (code, out, _) = ssh(&s, &key, &[], cmd, b"0000");
    assert_eq!(code, 0);
    assert!(!out.contains("version 2") && out.contains("refs/heads/master"), "{out}");

    // And git itself, which asks for v2 by default.
    let git = Git::with_ssh(&key);
    let out = git.ok(None, &["-c", "protocol.version=2", "ls-remote", &ssh_url(&s, "alice", "proj")]);
    assert!(out.contains("refs/heads/master"), "{out}");

    // git-upload-archive is a read command too.
    let remote = format!("--remote={}", ssh_url(&s, "alice", "proj"));
    let out = git.ok(None, &["archive", &remote, "--format=tar", "HEAD", "README.md"]);
    assert!(out.contains("README.md\0") && out.contains("# proj"), "{out}");
}

/// Processes whose command line mentions `needle` (git children of the server).
fn processes_mentioning(needle: &str) -> usize {
    let Ok(dir) = std::fs::read_dir("/proc") else { return 0 };
    dir.filter_map(|e| e.ok())
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|c| String::from_utf8_lossy(c).contains(needle))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_client_mid_push_leaves_a_consistent_repository() {
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (key, public) = keypair(keys.path(), "alice");
    add_user_key(&s, &token, "k", &public).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    let repo_dir = s.config.repository.root.join("alice").join("proj.git");
    let git = Git::new();
    let before = git.ok(Some(&repo_dir), &["rev-parse", "refs/heads/master"]);

    // Start a push by hand: the ref update, then the start of a pack, then the client dies.
    let mut child = ssh_command(&s, &key, &[], Some("git-receive-pack 'alice/proj.git'")).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut advert = Vec::new();
    let mut buf = [0u8; 4096];
    while !advert.ends_with(b"0000") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "no advertisement");
        advert.extend_from_slice(&buf[..n]);
    }
    let line = format!("{} {} refs/heads/master\0report-status\n", before.trim(), "1".repeat(40));
    let mut stdin = child.stdin.take().unwrap();
    let mut request = format!("{:04x}{line}0000", line.len() + 4).into_bytes();
    // A pack header announcing objects that never come: git waits for them.
    request.extend_from_slice(b"PACK\0\0\0\x02\0\0\0\x05");
    stdin.write_all(&request).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert!(processes_mentioning(repo_dir.to_str().unwrap()) > 0, "receive-pack should be running");
    child.kill().unwrap();
    let _ = child.wait();

    // The server kills and reaps git; the repository is untouched and fsck-clean.
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_mentioning(repo_dir.to_str().unwrap()) > 0 {
        assert!(Instant::now() < deadline, "git child left running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(git.ok(Some(&repo_dir), &["rev-parse", "refs/heads/master"]), before);
    let fsck = git.run(Some(&repo_dir), &["fsck", "--no-progress"]);
    assert!(fsck.ok && fsck.stderr.is_empty() && fsck.stdout.is_empty(), "{} {}", fsck.stdout, fsck.stderr);

    // And still serves.
    let ssh_git = Git::with_ssh(&key);
    ssh_git.ok(None, &["clone", "-q", &ssh_url(&s, "alice", "proj"), "again"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handshake_timeout_and_session_limit() {
    let s = TestServer::start_with(|raw| {
        raw.set("server", "START_SSH_SERVER", "true");
        raw.set("server", "SSH_HANDSHAKE_TIMEOUT", "1");
        raw.set("server", "SSH_MAX_SESSIONS", "1");
    })
    .await;
    let addr = format!("127.0.0.1:{}", s.ssh_port.unwrap());
    // A client that connects and says nothing holds the only slot, until the deadline.
    let started = Instant::now();
    let mut stalled = std::net::TcpStream::connect(&addr).unwrap();
    stalled.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut banner = [0u8; 64];
    let n = stalled.read(&mut banner).unwrap();
    assert!(banner[..n].starts_with(b"SSH-2.0-hearth"));
    // The second connection is closed at once, without a banner.
    let mut second = std::net::TcpStream::connect(&addr).unwrap();
    second.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(second.read(&mut banner).unwrap_or(0), 0);
    // The stalled one is dropped after about a second.
    let mut rest = Vec::new();
    let _ = stalled.read_to_end(&mut rest);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_secs(5), "{waited:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_client_is_dropped_and_its_git_reaped() {
    let s = TestServer::start_with(|raw| {
        raw.set("server", "START_SSH_SERVER", "true");
        raw.set("server", "SSH_IDLE_TIMEOUT", "1");
    })
    .await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (key, public) = keypair(keys.path(), "alice");
    add_user_key(&s, &token, "k", &public).await;
    s.create_repo(&token, j!({"name": "proj", "auto_init": true})).await;
    let repo_dir = s.config.repository.root.join("alice").join("proj.git");

    // The client reads the advertisement, then stalls with its stdin open.
    let started = Instant::now();
    let mut child = ssh_command(&s, &key, &[], Some("git-upload-pack 'alice/proj.git'")).spawn().unwrap();
    let _stdin = child.stdin.take().unwrap();
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    assert!(String::from_utf8_lossy(&out).contains("refs/heads/master"));
    let status = child.wait().unwrap();
    assert!(!status.success());
    assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
    let deadline = Instant::now() + Duration::from_secs(10);
    while processes_mentioning(repo_dir.to_str().unwrap()) > 0 {
        assert!(Instant::now() < deadline, "git child left running");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn site_admins_own_everything_and_prohibited_users_are_refused() {
    let s = TestServer::start_with(|raw| {
        raw.set("server", "START_SSH_SERVER", "true");
        raw.set("auth", "REQUIRE_EMAIL_CONFIRMATION", "true");
    })
    .await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, alice_token) = s.user_with_token("alice", false).await;
    let (_root, root_token) = s.user_with_token("root", true).await;
    let (alice_key, alice_pub) = keypair(keys.path(), "alice");
    let (root_key, root_pub) = keypair(keys.path(), "root");
    add_user_key(&s, &alice_token, "k", &alice_pub).await;
    add_user_key(&s, &root_token, "k", &root_pub).await;
    s.create_repo(&alice_token, j!({"name": "secret", "private": true, "auto_init": true})).await;

    // A site admin reads and pushes another user's private repository.
    let root = Git::with_ssh(&root_key);
    root.ok(None, &["clone", "-q", &ssh_url(&s, "alice", "secret"), "secret"]);
    let wt = root.path("secret");
    commit(&root, &wt, "admin.txt", "x\n");
    root.ok(Some(&wt), &["push", "-q", "origin", "master"]);

    // Prohibited, then inactive (email confirmation is required here): refused on their own repository.
    let cmd = Some("git-upload-pack 'alice/secret.git'");
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'alice'").await;
    let (code, _, err) = ssh(&s, &alice_key, &[], cmd, b"0000");
    assert_eq!((code, err.as_str()), (1, "Gogs: Repository does not exist or you do not have access\n"));
    s.sql("UPDATE \"user\" SET prohibit_login = FALSE, is_active = FALSE WHERE lower_name = 'alice'").await;
    let (code, _, err) = ssh(&s, &alice_key, &[], cmd, b"0000");
    assert_eq!((code, err.as_str()), (1, "Gogs: Repository does not exist or you do not have access\n"));
    s.sql("UPDATE \"user\" SET is_active = TRUE WHERE lower_name = 'alice'").await;
    let (code, out, err) = ssh(&s, &alice_key, &[], cmd, b"0000");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("refs/heads/master"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_ciphers_are_configurable() {
    let s = TestServer::start_with(|raw| {
        raw.set("server", "START_SSH_SERVER", "true");
        raw.set("server", "SSH_SERVER_CIPHERS", "aes256-gcm@openssh.com");
    })
    .await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, token) = s.user_with_token("alice", false).await;
    let (key, public) = keypair(keys.path(), "alice");
    add_user_key(&s, &token, "k", &public).await;
    let (code, _, err) = ssh(&s, &key, &["-c", "aes128-ctr"], None, b"");
    assert_eq!(code, 255, "{err}");
    assert!(!err.contains("Hi there"), "{err}");
    let (code, _, err) = ssh(&s, &key, &[], None, b"");
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("Hi there"), "{err}");
}

/// Gogs' `serv` answers come in its order: the owner, the repository (no wikis here), the
/// command, a mirror, then the key and its user. With `REQUIRE_SIGNIN_VIEW`, a deploy key reads
/// only the repositories it is attached to, public ones included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serv_refusals_in_gogs_order() {
    let s = TestServer::start_with(|raw| {
        raw.set("server", "START_SSH_SERVER", "true");
        raw.set("auth", "REQUIRE_SIGNIN_VIEW", "true");
    })
    .await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, alice_token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    let (alice_key, alice_pub) = keypair(keys.path(), "alice");
    let (bob_key, bob_pub) = keypair(keys.path(), "bob");
    let (deploy_key, deploy_pub) = keypair(keys.path(), "deploy");
    add_user_key(&s, &alice_token, "k", &alice_pub).await;
    add_user_key(&s, &bob_token, "k", &bob_pub).await;
    for (name, private) in [("proj", false), ("mirror", false), ("secret", true)] {
        s.create_repo(&alice_token, j!({"name": name, "private": private, "auto_init": true})).await;
    }
    let body = j!({"title": "ci", "key": deploy_pub});
    assert_eq!(s.post("/repos/alice/secret/keys").token(&alice_token).json(&body).send().await.unwrap().status(), 201);
    s.sql("UPDATE repository SET is_mirror = TRUE WHERE lower_name = 'mirror'").await;

    let gogs = |message: &str| (1, format!("Gogs: {message}\n"));
    let no_access = gogs("Repository does not exist or you do not have access");
    let read_only = gogs("Mirror repository is read-only");
    let run = |key: &Path, command: &str| {
        let (code, _, err) = ssh(&s, key, &[], Some(command), b"");
        (code, err)
    };
    assert_eq!(run(&alice_key, "git-frobnicate 'nobody/x.git'"), gogs("Repository owner does not exist"));
    assert_eq!(run(&alice_key, "git-frobnicate 'alice/missing.git'"), no_access);
    assert_eq!(run(&alice_key, "git-upload-pack 'alice/proj.wiki.git'"), no_access);
    assert_eq!(run(&alice_key, "git-frobnicate 'alice/proj.git'"), gogs("Unknown git command"));
    assert_eq!(run(&alice_key, "git-receive-pack 'alice/mirror.git'"), read_only);
    // The mirror is named before the caller's rights, for users and deploy keys alike.
    assert_eq!(run(&bob_key, "git-receive-pack 'alice/mirror.git'"), read_only);
    assert_eq!(run(&deploy_key, "git-receive-pack 'alice/mirror.git'"), read_only);
    assert_eq!(run(&deploy_key, "git-upload-pack 'alice/proj.git'"), gogs("Key access denied"));
    assert_eq!(run(&deploy_key, "git-receive-pack 'alice/proj.git'"), gogs("Key permission denied"));
    assert_eq!(run(&bob_key, "git-upload-pack 'alice/secret.git'"), no_access);
    // A refused account is told so only after the repository checks.
    s.sql("UPDATE \"user\" SET prohibit_login = TRUE WHERE lower_name = 'bob'").await;
    assert_eq!(run(&bob_key, "git-upload-pack 'nobody/x.git'"), gogs("Repository owner does not exist"));
    assert_eq!(run(&bob_key, "git-receive-pack 'alice/mirror.git'"), read_only);
    assert_eq!(run(&bob_key, "git-upload-pack 'alice/proj.git'"), no_access);
    // What is allowed still works: the deploy key on its repository, alice everywhere she may read.
    let (code, out, err) = ssh(&s, &deploy_key, &[], Some("git-upload-pack 'alice/secret.git'"), b"0000");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("refs/heads/master"), "{out}");
    let (code, _, err) = ssh(&s, &alice_key, &[], Some("git-upload-pack 'alice/mirror.git'"), b"0000");
    assert_eq!(code, 0, "{err}");
}

/// The real `git-lfs` client over SSH: `git-lfs-authenticate` hands it the HTTP endpoint and a
/// short-lived token, with the same access decision as the Git command it accompanies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_lfs_over_ssh() {
    use crate::lfs::{files_under, lfs_missing, noise, objects_dir, oid_of};
    if lfs_missing() {
        return;
    }
    let s = ssh_server().await;
    let keys = tempfile::tempdir().unwrap();
    let (_alice, alice_token) = s.user_with_token("alice", false).await;
    let (_bob, bob_token) = s.user_with_token("bob", false).await;
    let (_carol, carol_token) = s.user_with_token("carol", false).await;
    let mut git_of = Vec::new();
    for (name, token) in [("alice", &alice_token), ("bob", &bob_token), ("carol", &carol_token)] {
        let (key, public) = keypair(keys.path(), name);
        add_user_key(&s, token, "laptop", &public).await;
        let git = Git::with_ssh(&key);
        git.ok(None, &["lfs", "install", "--skip-repo"]);
        git_of.push(git);
    }
    let [alice, bob, carol] = <[Git; 3]>::try_from(git_of).ok().unwrap();
    s.create_repo(&alice_token, j!({"name": "art", "private": true, "auto_init": true})).await;
    let (status, _) =
        s.put_json("/repos/alice/art/collaborators/bob", Some(&alice_token), j!({"permission": "read"})).await;
    assert_eq!(status, 204);
    let url = ssh_url(&s, "alice", "art");

    alice.ok(None, &["clone", "-q", &url, "art"]);
    let wt = alice.path("art");
    alice.ok(Some(&wt), &["lfs", "track", "*.psd"]);
    let art = noise(2 << 20, 11);
    std::fs::write(wt.join("cover.psd"), &art).unwrap();
    alice.ok(Some(&wt), &["add", "."]);
    alice.ok(Some(&wt), &["commit", "-q", "-m", "cover"]);
    alice.ok(Some(&wt), &["push", "-q", "origin", "master"]);
    let oid = oid_of(&art);
    let stored = objects_dir(&s).join(&oid[0..1]).join(&oid[1..2]).join(&oid);
    assert_eq!(std::fs::read(&stored).unwrap(), art);

    // A reader clones the real bytes over SSH, and cannot upload.
    bob.ok(None, &["clone", "-q", &url, "art"]);
    let bwt = bob.path("art");
    assert_eq!(std::fs::read(bwt.join("cover.psd")).unwrap(), art);
    std::fs::write(bwt.join("back.psd"), noise(100_000, 12)).unwrap();
    bob.ok(Some(&bwt), &["add", "."]);
    bob.ok(Some(&bwt), &["commit", "-q", "-m", "back"]);
    let out = bob.run(Some(&bwt), &["push", "-q", "origin", "master"]);
    assert!(!out.ok, "{}", out.stderr);
    assert_eq!(files_under(&objects_dir(&s)), vec![stored]);

    // A stranger gets neither the repository nor a token for it.
    let out = carol.run(None, &["clone", "-q", &url, "art"]);
    assert!(!out.ok);
    let carol_key = keys.path().join("carol");
    let (code, out, err) = ssh(&s, &carol_key, &[], Some("git-lfs-authenticate alice/art.git download"), b"");
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("Repository does not exist or you do not have access"), "{err}");
}
