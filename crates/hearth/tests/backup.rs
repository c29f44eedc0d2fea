//! `hearth dump` and `hearth restore` against the real binary: a populated instance dumped while
//! it serves and restored into a fresh data directory and database answers the API exactly as
//! before; non-empty targets, failing restores and bad names are refused without a trace; a dump
//! from SQLite goes through PostgreSQL and back; a dump taken during pushes and repacks restores
//! to repositories that pass `git fsck`.

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use support::{lfs_file, noise, oid_of};

/// Every instance in these tests claims this external URL, so that answers (which embed it) can
/// be compared across servers on different ports.
const EXTERNAL_URL: &str = "http://hearth.test/";

fn hearth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.env_remove("RUST_LOG")
        .env_remove("HEARTH_CONFIG")
        .env("HEARTH__SECURITY__ARGON2_MEMORY_KIB", "256")
        .env("HEARTH__SERVER__EXTERNAL_URL", EXTERNAL_URL);
    cmd
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn pg_admin_url() -> Option<String> {
    std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())
}

/// Where an instance keeps its rows: a SQLite file in its data directory, or a fresh PostgreSQL
/// database of its own (dropped at the end).
struct Backend {
    env: Vec<(String, String)>,
    pg: Option<(String, String)>,
}

impl Backend {
    /// PostgreSQL when `HEARTH_TEST_POSTGRES_URL` is set, else SQLite.
    async fn from_env() -> Backend {
        match pg_admin_url() {
            Some(admin) => Backend::postgres(&admin).await,
            None => Backend::sqlite(),
        }
    }

    fn sqlite() -> Backend {
        Backend { env: vec![], pg: None }
    }

    async fn postgres(admin: &str) -> Backend {
        let name = format!("hearth_backup_{}_{}", std::process::id(), free_port());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let (base, query) = admin
            .split_once('?')
            .map(|(b, q)| (b.to_string(), format!("?{q}")))
            .unwrap_or((admin.to_string(), String::new()));
        let start = base.find("://").unwrap() + 3;
        let host_end = base[start..].find('/').map(|i| i + start).unwrap_or(base.len());
        let url = format!("{}/{name}{query}", &base[..host_end]);
        let env = vec![("HEARTH__DATABASE__TYPE".into(), "postgres".into()), ("HEARTH__DATABASE__URL".into(), url)];
        Backend { env, pg: Some((admin.to_string(), name)) }
    }

    fn command(&self, data: &Path, args: &[&str]) -> Command {
        let mut cmd = hearth();
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.args(args).arg("--data").arg(data);
        cmd
    }

    fn run(&self, data: &Path, args: &[&str]) -> Output {
        self.command(data, args).output().unwrap()
    }

    async fn drop_db(self) {
        if let Some((admin, name)) = self.pg {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
        }
    }
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A failed command's message: exactly one line on stderr, starting with `error:`.
fn failed(out: Output) -> String {
    assert!(!out.status.success(), "expected a failure; stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected: {stderr}");
    assert!(lines[0].starts_with("error: "), "{stderr}");
    lines[0].to_string()
}

/// A running `hearth web`.
struct Web {
    child: Child,
    url: String,
}

impl Web {
    fn start(backend: &Backend, data: &Path, extra: &[&str], env: &[(&str, String)]) -> Web {
        let port = free_port();
        let mut cmd = backend.command(data, &["web"]);
        cmd.args(["--port", &port.to_string()]).args(extra);
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        let mut child = cmd.stderr(Stdio::piped()).spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
                && line.contains("listening on http")
            {
                // Keep draining the log so the server never blocks on a full pipe.
                std::thread::spawn(move || while rx.recv().is_ok() {});
                return Web { child, url: format!("http://127.0.0.1:{port}") };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("hearth web did not start");
    }

    fn stop(mut self) {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.child.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// `http://user:password@host/owner/repo.git`.
    fn git_url(&self, auth: (&str, &str), path: &str) -> String {
        format!("http://{}:{}@{}/{path}.git", auth.0, auth.1, self.url.trim_start_matches("http://"))
    }
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

async fn call(method: reqwest::Method, url: &str, auth: &str, body: Option<Value>) -> (u16, Value) {
    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let mut req = client.request(method, url).header("Authorization", auth);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn post(web: &Web, path: &str, auth: &str, body: Value) -> Value {
    let (status, v) = call(reqwest::Method::POST, &format!("{}/api/v1{path}", web.url), auth, Some(body)).await;
    assert_eq!(status, 201, "POST {path}: {v}");
    v
}

async fn put(web: &Web, path: &str, auth: &str, body: Value) {
    let (status, v) = call(reqwest::Method::PUT, &format!("{}/api/v1{path}", web.url), auth, Some(body)).await;
    assert!(status == 204 || status == 200, "PUT {path}: {status} {v}");
}

/// The `git` CLI, isolated from the machine's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_output(dir, args);
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git_output(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(["-c", "user.name=Tester", "-c", "user.email=tester@example.com", "-c", "init.defaultBranch=master"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .unwrap()
}

fn ssh_public_key(dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&path)
        .output()
        .expect("ssh-keygen");
    assert!(out.status.success());
    std::fs::read_to_string(path.with_extension("pub")).unwrap().trim().to_string()
}

const ROOT: (&str, &str) = ("root", "root-pw!");
const ALICE: (&str, &str) = ("alice", "alice-pw!");
const BOB: (&str, &str) = ("bob", "bob-pw!");

/// What a populated instance holds that its answers are looked up by.
struct Fixture {
    token: String,
    team_id: i64,
    gist_id: String,
    /// Every repository as `owner/name`.
    repos: Vec<String>,
}

/// The site administrator, made with the CLI before the server starts.
fn create_root(backend: &Backend, data: &Path) {
    ok(backend.run(
        data,
        &["admin", "create-user", "--name", ROOT.0, "--password", ROOT.1, "--email", "root@example.com", "--admin"],
    ));
}

/// Users with passwords and a token, an organisation with a team and a member, repositories with
/// pushed branches and tags, issues with comments, labels and a milestone, a release, a hook,
/// user and deploy keys, a collaborator, a gist, a star and a follow.
async fn populate(web: &Web, scratch: &Path) -> Fixture {
    let root = basic(ROOT.0, ROOT.1);
    let alice = basic(ALICE.0, ALICE.1);
    let bob = basic(BOB.0, BOB.1);
    for (name, pw) in [ALICE, BOB] {
        post(
            web,
            "/admin/users",
            &root,
            json!({"username": name, "password": pw, "email": format!("{name}@example.com")}),
        )
        .await;
    }
    let token =
        post(web, "/users/alice/tokens", &alice, json!({"name": "ci"})).await["sha1"].as_str().unwrap().to_string();
    post(web, "/user/orgs", &alice, json!({"username": "acme", "full_name": "Acme Inc."})).await;
    let team = post(web, "/orgs/acme/teams", &alice, json!({"name": "devs", "permission": "write"})).await;
    let team_id = team["id"].as_i64().unwrap();
    put(web, &format!("/admin/teams/{team_id}/members/bob"), &root, json!({})).await;

    post(web, "/user/repos", &alice, json!({"name": "proj", "description": "the project", "auto_init": true})).await;
    post(web, "/org/acme/repos", &alice, json!({"name": "tools", "auto_init": true, "private": true})).await;
    post(web, "/user/repos", &bob, json!({"name": "empty", "private": true})).await;
    put(web, &format!("/teams/{team_id}/repos/acme/tools"), &alice, json!({})).await;

    // A branch, more commits and an annotated tag pushed over HTTP.
    let wt = scratch.join("proj-wt");
    git(scratch, &["clone", "-q", &web.git_url(ALICE, "alice/proj"), wt.to_str().unwrap()]);
    for i in 0..3 {
        std::fs::write(wt.join(format!("f{i}.txt")), format!("file {i}\n")).unwrap();
        git(&wt, &["add", "."]);
        git(&wt, &["commit", "-q", "-m", &format!("commit {i}")]);
    }
    git(&wt, &["branch", "feature", "HEAD~1"]);
    git(&wt, &["tag", "-a", "v1.0", "-m", "version 1.0"]);
    git(&wt, &["push", "-q", "origin", "--all"]);
    git(&wt, &["push", "-q", "origin", "--tags"]);

    let label = post(web, "/repos/alice/proj/labels", &alice, json!({"name": "bug", "color": "#ee0701"})).await;
    let ms = post(web, "/repos/alice/proj/milestones", &alice, json!({"title": "v1", "description": "first"})).await;
    post(
        web,
        "/repos/alice/proj/issues",
        &alice,
        json!({"title": "First", "body": "text", "labels": [label["id"]], "milestone": ms["id"], "assignee": "bob"}),
    )
    .await;
    post(web, "/repos/alice/proj/issues", &bob, json!({"title": "Second"})).await;
    post(web, "/repos/alice/proj/issues/1/comments", &bob, json!({"body": "a comment"})).await;
    post(web, "/repos/alice/proj/issues/1/comments", &alice, json!({"body": "an answer"})).await;
    let (status, _) = call(
        reqwest::Method::PATCH,
        &format!("{}/api/v1/repos/alice/proj/issues/2", web.url),
        &alice,
        Some(json!({"state": "closed"})),
    )
    .await;
    assert_eq!(status, 201);
    post(web, "/repos/alice/proj/releases", &alice, json!({"tag_name": "v1.0", "name": "One", "body": "notes"})).await;
    post(
        web,
        "/repos/alice/proj/hooks",
        &alice,
        json!({"type": "gogs", "config": {"url": "http://example.com/hook", "content_type": "json", "secret": "s3"},
               "events": ["push", "issues"], "active": false}),
    )
    .await;
    post(web, "/user/keys", &alice, json!({"title": "laptop", "key": ssh_public_key(scratch, "user_key")})).await;
    post(web, "/repos/alice/proj/keys", &alice, json!({"title": "ci", "key": ssh_public_key(scratch, "deploy_key")}))
        .await;
    put(web, "/repos/alice/proj/collaborators/bob", &alice, json!({"permission": "write"})).await;
    let gist = post(
        web,
        "/gists",
        &format!("token {token}"),
        json!({"description": "notes", "public": true, "files": {"a.txt": {"content": "hello\n"}}}),
    )
    .await;
    put(web, "/user/starred/alice/proj", &bob, json!({})).await;
    put(web, "/user/following/alice", &bob, json!({})).await;
    Fixture {
        token,
        team_id,
        gist_id: gist["id"].as_str().unwrap().to_string(),
        repos: vec!["alice/proj".into(), "acme/tools".into(), "bob/empty".into()],
    }
}

/// The API's answers about everything [`populate`] made, keyed `<path> as <who>`.
async fn answers(web: &Web, f: &Fixture) -> BTreeMap<String, (u16, Value)> {
    let t = f.team_id;
    let gist = format!("/gists/{}", f.gist_id);
    let requests: Vec<(&str, &str)> = vec![
        ("/users/alice", "alice"),
        ("/users/bob", "alice"),
        ("/user", "alice"),
        ("/user", "token"),
        ("/users/alice/tokens", "alice"),
        ("/admin/orgs", "root"),
        ("/orgs/acme", "alice"),
        ("/orgs/acme/members", "alice"),
        ("/orgs/acme/teams", "alice"),
        ("/teams/{t}", "alice"),
        ("/teams/{t}/members", "alice"),
        ("/teams/{t}/repos", "alice"),
        ("/user/orgs", "bob"),
        ("/user/repos", "alice"),
        ("/user/repos", "bob"),
        ("/repos/alice/proj", "alice"),
        ("/repos/acme/tools", "bob"),
        ("/repos/bob/empty", "bob"),
        ("/repos/alice/proj/branches", "alice"),
        ("/repos/alice/proj/issues?state=all", "alice"),
        ("/repos/alice/proj/issues/1", "alice"),
        ("/repos/alice/proj/issues/1/comments", "alice"),
        ("/repos/alice/proj/issues/comments", "alice"),
        ("/repos/alice/proj/labels", "alice"),
        ("/repos/alice/proj/issues/1/labels", "alice"),
        ("/repos/alice/proj/milestones?state=all", "alice"),
        ("/repos/alice/proj/releases", "alice"),
        ("/repos/alice/proj/hooks", "alice"),
        ("/user/keys", "alice"),
        ("/repos/alice/proj/keys", "alice"),
        ("/repos/alice/proj/collaborators", "alice"),
        ("{gist}", "token"),
        ("/users/bob/starred", "bob"),
        ("/users/alice/followers", "bob"),
        ("/repos/alice/proj/git/refs", "alice"),
    ];
    let mut out = BTreeMap::new();
    for (path, who) in requests {
        let path = path.replace("{t}", &t.to_string()).replace("{gist}", &gist);
        let auth = match who {
            "root" => basic(ROOT.0, ROOT.1),
            "alice" => basic(ALICE.0, ALICE.1),
            "bob" => basic(BOB.0, BOB.1),
            _ => format!("token {}", f.token),
        };
        let answer = call(reqwest::Method::GET, &format!("{}/api/v1{path}", web.url), &auth, None).await;
        out.insert(format!("{path} as {who}"), answer);
    }
    out
}

/// Check that the answers are real ones (not all errors or empty lists) before comparing them.
fn assert_meaningful(a: &BTreeMap<String, (u16, Value)>) {
    for (req, (status, body)) in a {
        assert_eq!(*status, 200, "{req}: {body}");
        let empty = body.as_array().is_some_and(|v| v.is_empty()) || body.as_object().is_some_and(|o| o.is_empty());
        assert!(!empty, "{req} answered an empty body");
    }
    let issues = &a["/repos/alice/proj/issues?state=all as alice"].1;
    assert_eq!(issues.as_array().unwrap().len(), 2, "{issues}");
}

/// Each repository's refs as `git ls-remote` lists them over HTTP.
fn ls_remote(web: &Web, repos: &[String], scratch: &Path) -> BTreeMap<String, String> {
    repos.iter().map(|r| (r.clone(), git(scratch, &["ls-remote", &web.git_url(ROOT, r)]))).collect()
}

/// Clone every repository from `web` and check it with `git fsck`.
fn clone_and_fsck(web: &Web, repos: &[String], scratch: &Path) {
    for (i, r) in repos.iter().enumerate() {
        let dir = scratch.join(format!("clone-{i}"));
        git(scratch, &["clone", "-q", "--mirror", &web.git_url(ROOT, r), dir.to_str().unwrap()]);
        git(&dir, &["fsck", "--strict", "--no-dangling"]);
    }
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = match std::fs::read_dir(dir) {
        Ok(e) => e.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect(),
        Err(_) => return vec![],
    };
    v.sort();
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dump_taken_while_serving_restores_the_same_instance() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dst) = (tmp.path().join("src"), tmp.path().join("dst"));
    let ini = tmp.path().join("app.ini");
    std::fs::write(&ini, format!("[server]\nEXTERNAL_URL = {EXTERNAL_URL}\n; kept for reference\n")).unwrap();
    let (from, to) = (Backend::from_env().await, Backend::from_env().await);
    create_root(&from, &src);
    let ssh = [
        ("HEARTH__SERVER__START_SSH_SERVER", "true".to_string()),
        ("HEARTH__SERVER__SSH_LISTEN_PORT", free_port().to_string()),
    ];
    let web = Web::start(&from, &src, &["--config", ini.to_str().unwrap()], &ssh);
    let fixture = populate(&web, tmp.path()).await;
    let before = answers(&web, &fixture).await;
    assert_meaningful(&before);
    let refs_before = ls_remote(&web, &fixture.repos, tmp.path());

    // The server keeps serving while the dump runs.
    let archive = tmp.path().join("backup.zip");
    let out = ok(from.run(&src, &["dump", "--file", archive.to_str().unwrap(), "--config", ini.to_str().unwrap()]));
    assert!(out.contains("3 repositories, 1 gists"), "{out}");
    assert!(!tmp.path().join("backup.zip.tmp").exists());
    web.stop();

    let out = ok(to.run(&dst, &["restore", "--file", archive.to_str().unwrap()]));
    assert!(out.contains("3 repositories, 1 gists"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dst.join("app.ini.restored")).unwrap(),
        std::fs::read_to_string(&ini).unwrap(),
        "the archived config is restored beside the data for reference"
    );
    assert_eq!(
        std::fs::read(dst.join("ssh/hearth.ed25519")).unwrap(),
        std::fs::read(src.join("ssh/hearth.ed25519")).unwrap(),
        "the SSH host key comes back"
    );
    assert_eq!(
        std::fs::read(dst.join("secret_key")).unwrap(),
        std::fs::read(src.join("secret_key")).unwrap(),
        "the secret key comes back (two-factor secrets are sealed with it)"
    );
    let web = Web::start(&to, &dst, &[], &[]);
    let after = answers(&web, &fixture).await;
    for (req, answer) in &before {
        assert_eq!(&after[req], answer, "{req}");
    }
    // Passwords and tokens still work (the answers above used both); every repository clones with
    // the same refs.
    assert_eq!(ls_remote(&web, &fixture.repos, tmp.path()), refs_before);
    clone_and_fsck(&web, &fixture.repos, tmp.path());
    // New rows get fresh ids after the restored ones.
    let issue = post(&web, "/repos/alice/proj/issues", &basic(ALICE.0, ALICE.1), json!({"title": "Third"})).await;
    assert_eq!(issue["number"], 3);
    let (status, user) = call(
        reqwest::Method::POST,
        &format!("{}/api/v1/admin/users", web.url),
        &basic(ROOT.0, ROOT.1),
        Some(json!({"username": "carol", "password": "pw", "email": "carol@example.com"})),
    )
    .await;
    assert_eq!(status, 201, "{user}");
    assert!(user["id"].as_i64().unwrap() > before["/users/bob as alice"].1["id"].as_i64().unwrap());
    web.stop();
    from.drop_db().await;
    to.drop_db().await;
}

/// A small archive of an instance with one user and no server running.
fn small_archive(backend: &Backend, dir: &Path, name: &str) -> PathBuf {
    let data = dir.join(format!("{name}-src"));
    create_root(backend, &data);
    let archive = dir.join(name);
    ok(backend.run(&data, &["dump", "--file", archive.to_str().unwrap()]));
    archive
}

#[tokio::test(flavor = "multi_thread")]
async fn restore_refuses_a_target_that_is_not_empty_and_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let from = Backend::sqlite();
    let archive = small_archive(&from, tmp.path(), "small.tar.gz");

    // A data directory holding anything.
    let data = tmp.path().join("busy");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("notes.txt"), "mine").unwrap();
    let to = Backend::from_env().await;
    let msg = failed(to.run(&data, &["restore", "--file", archive.to_str().unwrap()]));
    assert!(msg.contains("not empty") && msg.contains("busy"), "{msg}");
    assert_eq!(dir_entries(&data), vec!["notes.txt"]);

    // A database holding rows (the data directory itself is absent and stays so).
    let data = tmp.path().join("fresh");
    let (target, db_env) = match pg_admin_url() {
        Some(_) => (to, vec![]),
        None => {
            let db = tmp.path().join("elsewhere/hearth.db");
            (Backend::sqlite(), vec![("HEARTH__DATABASE__PATH", db.to_str().unwrap().to_string())])
        }
    };
    let with_db = |args: &[&str], data: &Path| {
        let mut cmd = target.command(data, args);
        cmd.envs(db_env.iter().map(|(k, v)| (*k, v.as_str())));
        cmd.output().unwrap()
    };
    let other = tmp.path().join("other");
    ok(with_db(&["admin", "create-user", "--name", "someone", "--password", "pw", "--email", "s@example.com"], &other));
    let msg = failed(with_db(&["restore", "--file", archive.to_str().unwrap()], &data));
    assert!(msg.contains("the database has rows (in ") && msg.contains("user"), "{msg}");
    assert!(!data.exists(), "the data directory was not created");
    // The rows are still there: the same user cannot be created twice.
    let again = failed(with_db(
        &["admin", "create-user", "--name", "someone", "--password", "pw", "--email", "t@example.com"],
        &other,
    ));
    assert!(again.contains("already exists"), "{again}");
    target.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_restore_leaves_the_target_empty() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = small_archive(&Backend::sqlite(), tmp.path(), "small.zip");
    let to = Backend::from_env().await;
    let data = tmp.path().join("target");

    // Truncated: fails while extracting.
    let bytes = std::fs::read(&archive).unwrap();
    let cut = tmp.path().join("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() - 100]).unwrap();
    failed(to.run(&data, &["restore", "--file", cut.to_str().unwrap()]));
    assert!(!data.exists());

    // A row count that disagrees with the manifest: fails while loading rows, after others loaded.
    let bad = tmp.path().join("bad.zip");
    {
        let mut zin = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
        let mut zout = zip::ZipWriter::new(std::fs::File::create(&bad).unwrap());
        for i in 0..zin.len() {
            let mut e = zin.by_index(i).unwrap();
            let name = e.name().unwrap().to_string();
            let mut body = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut body).unwrap();
            if name == "hearth-dump.json" {
                let mut m: Value = serde_json::from_slice(&body).unwrap();
                m["tables"]["user"] = json!(2);
                body = serde_json::to_vec(&m).unwrap();
            }
            if e.is_dir() {
                zout.add_directory(name, zip::write::SimpleFileOptions::default()).unwrap();
            } else {
                zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
                std::io::Write::write_all(&mut zout, &body).unwrap();
            }
        }
        zout.finish().unwrap();
    }
    std::fs::create_dir_all(&data).unwrap();
    let msg = failed(to.run(&data, &["restore", "--file", bad.to_str().unwrap()]));
    assert!(msg.contains("table user: the archive holds 1 rows where its manifest says 2"), "{msg}");
    assert_eq!(dir_entries(&data), Vec::<String>::new(), "the existing empty data directory is emptied again");

    // The target is as empty as before: the good archive restores into it.
    ok(to.run(&data, &["restore", "--file", archive.to_str().unwrap()]));
    let web = Web::start(&to, &data, &[], &[]);
    let (status, me) =
        call(reqwest::Method::GET, &format!("{}/api/v1/user", web.url), &basic(ROOT.0, ROOT.1), None).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("root")));
    web.stop();
    to.drop_db().await;
}

#[test]
fn archive_names_must_end_in_zip_or_tar_gz() {
    let tmp = tempfile::tempdir().unwrap();
    let backend = Backend::sqlite();
    let data = tmp.path().join("data");
    create_root(&backend, &data);
    for name in ["backup.tar", "backup.tgz", "backup"] {
        let file = tmp.path().join(name);
        let msg = failed(backend.run(&data, &["dump", "--file", file.to_str().unwrap()]));
        assert!(msg.contains("must end in .zip or .tar.gz"), "{msg}");
        assert!(!file.exists());
        assert!(!tmp.path().join(format!("{name}.tmp")).exists());
    }
    std::fs::write(tmp.path().join("backup.rar"), "x").unwrap();
    let target = tmp.path().join("target");
    let msg = failed(backend.run(&target, &["restore", "--file", tmp.path().join("backup.rar").to_str().unwrap()]));
    assert!(msg.contains("must end in .zip or .tar.gz"), "{msg}");
    let msg = failed(backend.run(&target, &["restore", "--file", tmp.path().join("missing.zip").to_str().unwrap()]));
    assert!(msg.contains("no such file"), "{msg}");
    assert!(!target.exists());
    // Dumping a data directory with no database is an error too, and leaves no archive.
    let msg = failed(
        backend.run(&tmp.path().join("nothing"), &["dump", "--file", tmp.path().join("n.zip").to_str().unwrap()]),
    );
    assert!(msg.contains("there is no database"), "{msg}");
    assert!(!tmp.path().join("n.zip").exists());
}

/// The rows of an archive: `db/<table>.jsonl` by table.
fn archived_rows(archive: &Path) -> BTreeMap<String, String> {
    fn table(name: &str) -> Option<String> {
        name.strip_prefix("db/").and_then(|n| n.strip_suffix(".jsonl")).map(str::to_string)
    }
    let mut rows = BTreeMap::new();
    if archive.to_string_lossy().ends_with(".zip") {
        let mut z = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut e = z.by_index(i).unwrap();
            if let Some(t) = table(&e.name().unwrap()) {
                let mut body = String::new();
                std::io::Read::read_to_string(&mut e, &mut body).unwrap();
                rows.insert(t, body);
            }
        }
    } else {
        let gz = flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap());
        let mut t = tar::Archive::new(gz);
        for e in t.entries().unwrap() {
            let mut e = e.unwrap();
            if let Some(t) = table(&e.path().unwrap().to_string_lossy()) {
                let mut body = String::new();
                std::io::Read::read_to_string(&mut e, &mut body).unwrap();
                rows.insert(t, body);
            }
        }
    }
    rows
}

fn manifest(archive: &Path) -> Value {
    let mut z = zip::ZipArchive::new(std::fs::File::open(archive).unwrap()).unwrap();
    let mut e = z.by_name("hearth-dump.json").unwrap();
    let mut body = String::new();
    std::io::Read::read_to_string(&mut e, &mut body).unwrap();
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn sqlite_to_postgres_and_back() {
    let Some(admin) = pg_admin_url() else {
        eprintln!("skipped: HEARTH_TEST_POSTGRES_URL is not set");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    let (sqlite, pg, sqlite_again) = (Backend::sqlite(), Backend::postgres(&admin).await, Backend::sqlite());
    create_root(&sqlite, &a);
    let web = Web::start(&sqlite, &a, &[], &[]);
    let fixture = populate(&web, tmp.path()).await;
    let before = answers(&web, &fixture).await;
    assert_meaningful(&before);
    let refs = ls_remote(&web, &fixture.repos, tmp.path());
    let first = tmp.path().join("from-sqlite.zip");
    ok(sqlite.run(&a, &["dump", "--file", first.to_str().unwrap()]));
    web.stop();
    let m = manifest(&first);
    assert_eq!(m["format"], 1);
    assert_eq!(m["source_engine"], "sqlite");
    assert_eq!(m["hearth_version"], env!("CARGO_PKG_VERSION"));
    assert!(m["migration"].as_i64().unwrap() >= 13, "{m}");
    assert_eq!(m["tables"]["issue"], 2);
    assert!(!m["tables"].as_object().unwrap().contains_key("_sqlx_migrations"));

    ok(pg.run(&b, &["restore", "--file", first.to_str().unwrap()]));
    let web = Web::start(&pg, &b, &[], &[]);
    let on_pg = answers(&web, &fixture).await;
    assert_eq!(ls_remote(&web, &fixture.repos, tmp.path()), refs);
    // Ids continue after the restored ones on PostgreSQL too.
    let label =
        post(&web, "/repos/alice/proj/labels", &basic(ALICE.0, ALICE.1), json!({"name": "new", "color": "#000000"}))
            .await;
    let second = tmp.path().join("from-postgres.tar.gz");
    ok(pg.run(&b, &["dump", "--file", second.to_str().unwrap()]));
    web.stop();
    for (req, answer) in &before {
        assert_eq!(&on_pg[req], answer, "{req} on PostgreSQL");
    }
    assert_eq!(
        label["id"].as_i64().unwrap(),
        before["/repos/alice/proj/labels as alice"].1[0]["id"].as_i64().unwrap() + 1
    );

    ok(sqlite_again.run(&c, &["restore", "--file", second.to_str().unwrap()]));
    let web = Web::start(&sqlite_again, &c, &[], &[]);
    let back = answers(&web, &fixture).await;
    for (req, answer) in &before {
        if req.contains("/labels as") {
            continue; // one label more since
        }
        assert_eq!(&back[req], answer, "{req} back on SQLite");
    }
    assert_eq!(ls_remote(&web, &fixture.repos, tmp.path()), refs);
    let third = tmp.path().join("again.zip");
    ok(sqlite_again.run(&c, &["dump", "--file", third.to_str().unwrap()]));
    web.stop();

    // Row for row, the same files after two engine changes (but the label added on the way).
    let (one, three) = (archived_rows(&first), archived_rows(&third));
    assert_eq!(one.keys().collect::<Vec<_>>(), three.keys().collect::<Vec<_>>());
    for (table, rows) in &one {
        if table != "label" {
            assert_eq!(rows, &three[table], "table {table}");
        }
    }
    assert_eq!(three["label"].lines().count(), one["label"].lines().count() + 1);
    assert!(one["user"].contains("\"is_admin\":true"), "booleans are JSON booleans: {}", one["user"]);
    pg.drop_db().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dump_during_pushes_and_repacks_restores_to_repositories_that_pass_fsck() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, from) = (tmp.path().join("src"), Backend::from_env().await);
    create_root(&from, &src);
    let web = Web::start(&from, &src, &[], &[]);
    let root = basic(ROOT.0, ROOT.1);
    let repos: Vec<String> = (0..3).map(|i| format!("root/busy{i}")).collect();
    for r in &repos {
        post(&web, "/user/repos", &root, json!({"name": r.trim_start_matches("root/"), "auto_init": true})).await;
    }

    // A pusher per repository (new commits, and a branch made and deleted now and then), and a
    // repacker rewriting the first repository's packs all along.
    let stop = Arc::new(AtomicBool::new(false));
    let pushes = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for (i, r) in repos.iter().enumerate() {
        let (stop, pushes, url) = (stop.clone(), pushes.clone(), web.git_url(ROOT, r));
        let wt = tmp.path().join(format!("wt{i}"));
        workers.push(std::thread::spawn(move || {
            git(wt.parent().unwrap(), &["clone", "-q", &url, wt.to_str().unwrap()]);
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                std::fs::write(wt.join(format!("f{}.txt", n % 7)), format!("{n}\n").repeat(n % 50 + 1)).unwrap();
                git(&wt, &["add", "."]);
                git(&wt, &["commit", "-q", "-m", &format!("change {n}")]);
                let branch = format!("HEAD:refs/heads/b{}", n % 3);
                let pushed = if n % 5 == 0 {
                    git_output(&wt, &["push", "-q", "origin", &format!(":refs/heads/b{}", n % 3)])
                } else {
                    git_output(&wt, &["push", "-q", "origin", "HEAD:master", &branch])
                };
                if pushed.status.success() {
                    pushes.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    let first_repo = src.join("repositories/root/busy0.git");
    let repacker = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = git_output(&first_repo, &["repack", "-a", "-d", "-q"]);
                runs += usize::from(out.status.success());
                std::thread::sleep(Duration::from_millis(20));
            }
            runs
        })
    };
    while pushes.load(Ordering::Relaxed) < 6 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut archives = Vec::new();
    for name in ["during.zip", "during.tar.gz"] {
        let archive = tmp.path().join(name);
        let at = pushes.load(Ordering::Relaxed);
        ok(from.run(&src, &["dump", "--file", archive.to_str().unwrap()]));
        archives.push((archive, at));
    }
    // Let the pushers go on past the first dump's start before stopping them (a dump can finish
    // before the next push does on a fast machine).
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while pushes.load(Ordering::Relaxed) <= archives[0].1 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let during = pushes.load(Ordering::Relaxed);
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let repacks = repacker.join().unwrap();
    web.stop();
    assert!(during > archives[0].1, "pushes went on while the dumps ran ({during} pushes)");
    assert!(repacks > 0);

    for (i, (archive, _)) in archives.iter().enumerate() {
        let to = Backend::from_env().await;
        let data = tmp.path().join(format!("restored{i}"));
        let out = ok(to.run(&data, &["restore", "--file", archive.to_str().unwrap()]));
        assert!(out.contains("3 repositories"), "{out}");
        for r in &repos {
            let dir = data.join("repositories").join(format!("{r}.git"));
            git(&dir, &["fsck", "--strict", "--no-dangling"]);
            let heads = git(&dir, &["for-each-ref", "--format=%(refname)", "refs/heads"]);
            assert!(heads.lines().any(|l| l == "refs/heads/master"), "{r}: {heads}");
        }
        // The restored server serves them.
        let web = Web::start(&to, &data, &[], &[]);
        let clones = tmp.path().join(format!("clones{i}"));
        std::fs::create_dir_all(&clones).unwrap();
        clone_and_fsck(&web, &repos, &clones);
        web.stop();
        to.drop_db().await;
    }
    from.drop_db().await;
}

/// Upload an object through the LFS basic transfer.
async fn lfs_put(web: &Web, repo: &str, auth: &str, bytes: &[u8]) {
    hearth_server::install_crypto_provider();
    let resp = reqwest::Client::new()
        .put(format!("{}/{repo}.git/info/lfs/objects/{}", web.url, oid_of(bytes)))
        .header("Authorization", auth)
        .header("Content-Type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "uploading to {repo}");
}

/// Download an object through the LFS basic transfer: its status and bytes.
async fn lfs_get(web: &Web, repo: &str, auth: &str, oid: &str) -> (u16, Vec<u8>) {
    hearth_server::install_crypto_provider();
    let resp = reqwest::Client::new()
        .get(format!("{}/{repo}.git/info/lfs/objects/{oid}", web.url))
        .header("Authorization", auth)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
}

/// A copy of the zip `src` at `dst`, each file passed through `edit` (None: left out).
fn rewrite_zip(src: &Path, dst: &Path, mut edit: impl FnMut(&str, Vec<u8>) -> Option<Vec<u8>>) {
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..zin.len() {
        let mut e = zin.by_index(i).unwrap();
        let name = e.name().unwrap().to_string();
        if e.is_dir() {
            zout.add_directory(name, zip::write::SimpleFileOptions::default()).unwrap();
            continue;
        }
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut e, &mut body).unwrap();
        if let Some(body) = edit(&name, body) {
            zout.start_file(name, zip::write::SimpleFileOptions::default()).unwrap();
            std::io::Write::write_all(&mut zout, &body).unwrap();
        }
    }
    zout.finish().unwrap();
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.map(Result::unwrap) {
            if e.file_type().unwrap().is_dir() {
                walk(base, &e.path(), out);
            } else {
                out.push(e.path().strip_prefix(base).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn lfs_objects_go_into_the_dump_and_come_back_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let from = Backend::from_env().await;
    create_root(&from, &src);
    let web = Web::start(&from, &src, &[], &[]);
    let root = basic(ROOT.0, ROOT.1);
    post(&web, "/user/repos", &root, json!({"name": "media", "auto_init": true, "private": true})).await;
    post(&web, "/user/repos", &root, json!({"name": "other", "auto_init": true})).await;
    // Large enough to span many reads; one object shared by two repositories (stored once).
    let (big, small, lost) = (noise(3 << 20, 1), noise(70_000, 2), noise(1000, 3));
    for bytes in [&big, &small, &lost] {
        lfs_put(&web, "root/media", &root, bytes).await;
    }
    lfs_put(&web, "root/other", &root, &small).await;
    web.stop();
    let objects = src.join("lfs-objects");
    assert_eq!(files_under(&objects).len(), 3);
    // One object is lost on the source: the dump says so and goes on without it.
    std::fs::remove_file(lfs_file(&objects, &oid_of(&lost))).unwrap();

    let archive = tmp.path().join("with-lfs.zip");
    let out = from.run(&src, &["dump", "--file", archive.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = ok(out);
    assert!(stdout.contains(&format!("2 LFS objects ({} bytes)", big.len() + small.len())), "{stdout}");
    assert!(stderr.contains(&format!("warning: LFS object {}: its file is missing", oid_of(&lost))), "{stderr}");
    let m = manifest(&archive);
    assert_eq!(m["lfs"], json!({"objects": 2, "bytes": big.len() + small.len(), "missing": [oid_of(&lost)]}));
    assert_eq!(m["tables"]["lfs_object"], 4);
    let names: Vec<String> = {
        let z = zip::ZipArchive::new(std::fs::File::open(&archive).unwrap()).unwrap();
        z.file_names().map(|n| n.unwrap().to_string()).filter(|n| n.starts_with("lfs/") && !n.ends_with('/')).collect()
    };
    let mut expected: Vec<String> =
        [&big, &small].iter().map(|b| format!("lfs/{}", lfs_file(Path::new(""), &oid_of(b)).display())).collect();
    expected.sort();
    let mut names = names;
    names.sort();
    assert_eq!(names, expected);

    // Restored into a fresh instance, which serves the same bytes.
    let (to, dst) = (Backend::from_env().await, tmp.path().join("dst"));
    let out = to.run(&dst, &["restore", "--file", archive.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let stdout = ok(out);
    assert!(stdout.contains(&format!("2 LFS objects ({} bytes)", big.len() + small.len())), "{stdout}");
    assert!(stderr.contains(&format!("warning: LFS object {} was missing", oid_of(&lost))), "{stderr}");
    assert_eq!(std::fs::read(lfs_file(&dst.join("lfs-objects"), &oid_of(&big))).unwrap(), big);
    assert!(files_under(&dst).iter().all(|f| !f.contains(".restore-")), "no scratch left");
    let web = Web::start(&to, &dst, &[], &[]);
    assert_eq!(lfs_get(&web, "root/media", &root, &oid_of(&big)).await, (200, big.clone()));
    assert_eq!(lfs_get(&web, "root/media", &root, &oid_of(&small)).await, (200, small.clone()));
    assert_eq!(lfs_get(&web, "root/other", &root, &oid_of(&small)).await, (200, small.clone()));
    assert_eq!(lfs_get(&web, "root/other", &root, &oid_of(&big)).await.0, 404, "still linked per repository");
    assert_eq!(lfs_get(&web, "root/media", &root, &oid_of(&lost)).await.0, 404);
    // Pushing the lost object again stores it.
    lfs_put(&web, "root/media", &root, &lost).await;
    assert_eq!(lfs_get(&web, "root/media", &root, &oid_of(&lost)).await, (200, lost.clone()));
    web.stop();
    to.drop_db().await;

    // A damaged object, or one missing from the archive, fails the restore and leaves nothing
    // behind, also in an OBJECTS_PATH outside the data directory that held objects before.
    let shared = tmp.path().join("shared-lfs");
    std::fs::create_dir_all(shared.join("0/0")).unwrap();
    std::fs::write(shared.join("0/0/keep.txt"), "not ours").unwrap();
    let env = [("HEARTH__LFS__OBJECTS_PATH", shared.to_str().unwrap().to_string())];
    let mut oids = [oid_of(&big), oid_of(&small)];
    oids.sort();
    let damaged = tmp.path().join("damaged.zip");
    rewrite_zip(&archive, &damaged, |name, mut body| {
        if name.ends_with(&oids[1]) {
            body[100] ^= 1;
        }
        Some(body)
    });
    let lacking = tmp.path().join("lacking.zip");
    rewrite_zip(&archive, &lacking, |name, body| (!name.ends_with(&oids[1])).then_some(body));
    for (bad, says) in [
        (&damaged, format!("the archive's LFS object {} is damaged: its file's SHA-256 is ", oids[1])),
        (&lacking, format!("the archive lacks the LFS object {}", oids[1])),
    ] {
        let to = Backend::from_env().await;
        let data = tmp.path().join("target");
        let mut cmd = to.command(&data, &["restore", "--file", bad.to_str().unwrap()]);
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
        let msg = failed(cmd.output().unwrap());
        assert!(msg.contains(&says), "{msg}");
        assert!(!data.exists(), "the target is as it was");
        assert_eq!(files_under(&shared), vec!["0/0/keep.txt"], "only what was there before");
        to.drop_db().await;
    }
    // The good archive restores into the shared OBJECTS_PATH, adding to what is there.
    let to = Backend::from_env().await;
    let data = tmp.path().join("target");
    let mut cmd = to.command(&data, &["restore", "--file", archive.to_str().unwrap()]);
    cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    ok(cmd.output().unwrap());
    assert_eq!(files_under(&shared).len(), 3);
    assert_eq!(std::fs::read(lfs_file(&shared, &oid_of(&small))).unwrap(), small);
    to.drop_db().await;
    from.drop_db().await;
}
