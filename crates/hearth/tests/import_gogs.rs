//! `hearth import gogs`, against the real binary: the fixture archives (written by
//! `scripts/make-gogs-fixture.py` from Gogs' backup layout) are imported, then `hearth web` serves
//! what Gogs had: accounts signing in with their Gogs passwords and tokens, the organisation and
//! its teams, repositories with the same refs, the tracker, releases, hooks, keys, collaborators.

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use support::{lfs_file, noise, oid_of};

/// The raw token `scripts/make-gogs-fixture.py` gives alice (0.13 keeps only its SHA-256).
const RAW_TOKEN: &str = "491dd047c546bb57f9a74bd4fc6162a9f77468a7";

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn hearth() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hearth"));
    cmd.env_remove("RUST_LOG").env("HEARTH__SECURITY__ARGON2_MEMORY_KIB", "256");
    cmd
}

/// With `HEARTH_TEST_POSTGRES_URL` set, a fresh PostgreSQL database for one test (dropped at the
/// end), handed to the binary through the environment.
struct Backend {
    env: Vec<(String, String)>,
    pg: Option<(String, String)>,
}

impl Backend {
    async fn new() -> Backend {
        let Some(admin) = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty()) else {
            return Backend { env: vec![], pg: None };
        };
        let name = format!("hearth_import_{}_{}", std::process::id(), free_port());
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
        let (base, query) = admin.split_once('?').map(|(b, q)| (b, format!("?{q}"))).unwrap_or((&admin, String::new()));
        let scheme_end = base.find("://").unwrap() + 3;
        let host_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
        let url = format!("{}/{name}{query}", &base[..host_end]);
        let env = vec![("HEARTH__DATABASE__TYPE".into(), "postgres".into()), ("HEARTH__DATABASE__URL".into(), url)];
        Backend { env, pg: Some((admin, name)) }
    }

    fn command(&self) -> Command {
        let mut cmd = hearth();
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    async fn drop_db(self) {
        if let Some((admin, name)) = self.pg {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await.unwrap();
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.unwrap();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn import(backend: &Backend, data: &Path, file: &Path) -> Output {
    backend.command().args(["import", "gogs", "--file"]).arg(file).arg("--data").arg(data).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `hearth web`, stopped when dropped (also when a test fails half-way).
struct Web(Child);

impl Drop for Web {
    fn drop(&mut self) {
        Command::new("kill").args(["-TERM", &self.0.id().to_string()]).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if self.0.try_wait().unwrap().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `hearth web` on `data`; returns it and its base URL.
fn start_web(backend: &Backend, data: &Path) -> (Web, String) {
    let mut cmd = backend.command();
    cmd.args(["web", "--port", &free_port().to_string(), "--data"]).arg(data);
    let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(line) = rx.recv_timeout(Duration::from_millis(200))
            && let Some(idx) = line.find("listening on http")
        {
            return (Web(child), line[idx + "listening on ".len()..].trim().to_string());
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("hearth web did not report listening");
}

/// The real git, isolated from the machine's configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "user.name=Alice", "-c", "user.email=alice@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Every file of a zip archive.
fn zip_entries(data: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(data)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut e = zip.by_index(i).unwrap();
            let mut bytes = Vec::new();
            e.read_to_end(&mut bytes).unwrap();
            (e.name().unwrap().into_owned(), bytes)
        })
        .collect()
}

/// `git ls-remote` of a repository inside the fixture's repositories.zip, extracted to `dir`.
fn fixture_refs(fixture_name: &str, repo: &str, dir: &Path) -> String {
    let outer = zip_entries(&std::fs::read(fixture(fixture_name)).unwrap());
    let repos = &outer.iter().find(|(n, _)| n == "gogs-backup/repositories.zip").unwrap().1;
    let prefix = format!("gogs-repositories/{repo}.git/");
    for (name, bytes) in zip_entries(repos) {
        let Some(rest) = name.strip_prefix(&prefix) else { continue };
        let path = dir.join(rest);
        if name.ends_with('/') {
            std::fs::create_dir_all(&path).unwrap();
        } else {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
    git(dir, &["ls-remote", "."])
}

struct Api {
    client: reqwest::Client,
    url: String,
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

const ALICE: (&str, &str) = ("alice", "alice-old-pass");
const BOB: (&str, &str) = ("bob", "bob-old-pass");

impl Api {
    fn new(url: &str) -> Api {
        hearth_server::install_crypto_provider();
        Api { client: reqwest::Client::new(), url: url.to_string() }
    }

    async fn get_as(&self, auth: Option<&str>, path: &str) -> (u16, Value) {
        let mut req = self.client.get(format!("{}/api/v1{path}", self.url));
        if let Some(auth) = auth {
            req = req.header("Authorization", auth);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, who: (&str, &str), path: &str) -> Value {
        let (status, body) = self.get_as(Some(&basic(who.0, who.1)), path).await;
        assert_eq!(status, 200, "GET {path} as {}: {body}", who.0);
        body
    }

    async fn post(&self, who: (&str, &str), path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .client
            .post(format!("{}/api/v1{path}", self.url))
            .header("Authorization", basic(who.0, who.1))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }
}

fn names(list: &Value, key: &str) -> Vec<String> {
    list.as_array().unwrap().iter().map(|v| v[key].as_str().unwrap_or_default().to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gogs_013_backup_is_served_as_gogs_had_it() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let backend = Backend::new().await;
    let out = import(&backend, &data, &fixture("gogs-backup-0.13.zip"));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.starts_with("imported from Gogs 0.13.4: 3 accounts and organisations, 2 repositories, 3 issues, 3 comments, 1 releases, 2 webhooks, 2 keys, 1 access tokens"),
        "{stdout}"
    );
    for warning in [
        "warning: TwoFactor: 1 row not imported: two-factor authentication is not imported: those accounts sign in with their password alone (bob)",
        "warning: wikis are not imported (hearth has none): alice/hello",
        "warning: HookTask: 1 row skipped: a delivery Gogs had not made",
        "warning: ProtectBranch: 1 row not imported",
    ] {
        assert!(stderr.contains(warning), "missing {warning:?} in:\n{stderr}");
    }

    // Gogs' hook scripts did not come along; the hooks directory is the one hearth makes.
    let hooks = data.join("repositories/alice/hello.git/hooks");
    let mut hook_files: Vec<String> =
        std::fs::read_dir(&hooks).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    hook_files.sort();
    assert!(hook_files.iter().all(|f| f.ends_with(".sample") || f == "docs.url"), "{hook_files:?}");
    assert!(!data.join("repositories/alice/hello.wiki.git").exists());

    let (web, url) = start_web(&backend, &data);
    let api = Api::new(&url);

    // Accounts sign in with their Gogs passwords (and only with them) and with the Gogs token.
    assert_eq!(api.get(ALICE, "/user").await["username"], "alice");
    assert_eq!(api.get(BOB, "/user").await["full_name"], "Bob");
    let (status, _) = api.get_as(Some(&basic("alice", "wrong")), "/user").await;
    assert_eq!(status, 401);
    let (status, me) = api.get_as(Some(&format!("token {RAW_TOKEN}")), "/user").await;
    assert_eq!((status, me["username"].clone()), (200, json!("alice")));
    let emails = api.get(ALICE, "/user/emails").await;
    let mut addresses = names(&emails, "email");
    addresses.sort();
    assert_eq!(addresses, ["alice@example.com", "alice@work.example"]);
    assert_eq!(names(&api.get(BOB, "/user/following").await, "username"), ["alice"]);

    // The organisation, its members and teams.
    let org = api.get(BOB, "/orgs/acme").await;
    assert_eq!((org["full_name"].clone(), org["description"].clone()), (json!("ACME Corp"), json!("Tools & toys")));
    let mut members = names(&api.get(ALICE, "/orgs/acme/members").await, "username");
    members.sort();
    assert_eq!(members, ["alice", "bob"]);
    let teams = api.get(ALICE, "/orgs/acme/teams").await;
    assert_eq!(names(&teams, "name"), ["Owners", "Developers"]);
    assert_eq!(teams[1]["permission"], "write");
    assert_eq!(names(&api.get(ALICE, "/teams/2/members").await, "username"), ["bob"]);
    assert_eq!(names(&api.get(ALICE, "/teams/2/repos").await, "name"), ["tools"]);

    // Repositories: visibility and access as in Gogs, counters counted again.
    let (_, hello) = api.get_as(None, "/repos/alice/hello").await;
    assert_eq!(hello["description"], "Hello <world>");
    assert_eq!(hello["default_branch"], "master");
    assert_eq!((hello["stars_count"].clone(), hello["watchers_count"].clone()), (json!(1), json!(2)));
    assert_eq!(hello["open_issues_count"], 1);
    let (status, _) = api.get_as(None, "/repos/acme/tools").await;
    assert_eq!(status, 404, "private");
    assert_eq!(api.get(BOB, "/repos/acme/tools").await["private"], true, "through the Developers team");
    assert_eq!(names(&api.get(ALICE, "/repos/alice/hello/collaborators").await, "username"), ["bob"]);

    // The tracker.
    let issues = api.get(ALICE, "/repos/alice/hello/issues?state=all").await;
    let mut titles = names(&issues, "title");
    titles.sort();
    assert_eq!(titles, ["Closed one", "First issue"], "pull requests are not issues");
    let first = api.get(ALICE, "/repos/alice/hello/issues/1").await;
    assert_eq!(first["body"], "Something is **broken** & <needs> fixing.");
    assert_eq!(first["user"]["username"], "bob");
    assert_eq!(first["assignee"]["username"], "alice");
    assert_eq!(first["milestone"]["title"], "v1.1");
    assert_eq!(names(&first["labels"], "name"), ["bug"]);
    assert_eq!(first["labels"][0]["color"], "ee0701");
    assert_eq!(first["comments"], 1);
    assert_eq!(api.get(ALICE, "/repos/alice/hello/issues/2").await["state"], "closed");
    let comments = api.get(ALICE, "/repos/alice/hello/issues/1/comments").await;
    assert_eq!(names(&comments, "body"), ["Thanks, looking into it."]);
    assert_eq!(comments[0]["user"]["username"], "alice");
    let mut labels = names(&api.get(ALICE, "/repos/alice/hello/labels").await, "name");
    labels.sort();
    assert_eq!(labels, ["bug", "enhancement"]);
    let milestones = api.get(ALICE, "/repos/alice/hello/milestones").await;
    assert_eq!((milestones[0]["title"].clone(), milestones[0]["open_issues"].clone()), (json!("v1.1"), json!(1)));

    let releases = api.get(ALICE, "/repos/alice/hello/releases").await;
    assert_eq!(names(&releases, "tag_name"), ["v1.0"]);
    assert_eq!(
        (releases[0]["name"].clone(), releases[0]["body"].clone()),
        (json!("Version 1.0"), json!("First release."))
    );
    assert_eq!(releases[0]["author"]["username"], "alice");

    // Webhooks and keys.
    let hooks = api.get(ALICE, "/repos/alice/hello/hooks").await;
    assert_eq!(hooks[0]["config"]["url"], "http://127.0.0.1:9/hook");
    assert_eq!(hooks[0]["config"]["content_type"], "json");
    let mut events: Vec<String> =
        hooks[0]["events"].as_array().unwrap().iter().map(|e| e.as_str().unwrap().into()).collect();
    events.sort();
    assert_eq!(events, ["create", "issues", "push"]);
    assert_eq!(hooks[0]["active"], true);
    // Delivered history came along; the delivery Gogs had not made did not.
    let deliveries = api.get(ALICE, "/repos/alice/hello/hooks/1/deliveries").await;
    assert_eq!(names(&deliveries, "guid"), ["9b2e8a1c-0000-4000-8000-000000000001"]);
    assert_eq!((deliveries[0]["event"].clone(), deliveries[0]["pending"].clone()), (json!("push"), json!(false)));
    let org_hooks = api.get(ALICE, "/orgs/acme/hooks").await;
    assert_eq!(
        (org_hooks[0]["type"].clone(), org_hooks[0]["config"]["url"].clone()),
        (json!("slack"), json!("https://hooks.slack.com/services/T0/B0/XX"))
    );
    assert_eq!(names(&api.get(ALICE, "/user/keys").await, "title"), ["laptop"]);
    let deploy = api.get(ALICE, "/repos/alice/hello/keys").await;
    assert_eq!((deploy[0]["title"].clone(), deploy[0]["read_only"].clone()), (json!("ci"), json!(true)));

    // Git: the same refs as in Gogs, and pushes work (Gogs' hook scripts would refuse them).
    let gogs_side = tmp.path().join("gogs-side.git");
    let expected = fixture_refs("gogs-backup-0.13.zip", "alice/hello", &gogs_side);
    assert!(expected.contains("refs/tags/v1.0") && expected.contains("refs/heads/develop"), "{expected}");
    let host = url.trim_start_matches("http://");
    let remote = format!("http://alice:alice-old-pass@{host}/alice/hello.git");
    assert_eq!(git(tmp.path(), &["ls-remote", &remote]), expected);
    git(tmp.path(), &["clone", "-q", &remote, "work"]);
    let work = tmp.path().join("work");
    std::fs::write(work.join("after-import.txt"), "hello from hearth\n").unwrap();
    git(&work, &["add", "after-import.txt"]);
    git(&work, &["commit", "-q", "-m", "After the import"]);
    git(&work, &["push", "-q", "origin", "master"]);
    let branch = api.get(ALICE, "/repos/alice/hello/branches/master").await;
    assert_eq!(branch["commit"]["message"].as_str().unwrap().trim(), "After the import");
    // The empty repository of the organisation clones too.
    let tools = format!("http://bob:bob-old-pass@{host}/acme/tools.git");
    assert_eq!(git(tmp.path(), &["ls-remote", &tools]), "");

    // New rows continue after the imported ids and numbers.
    let (status, issue) = api.post(ALICE, "/repos/alice/hello/issues", json!({"title": "After the import"})).await;
    assert_eq!((status, issue["number"].clone()), (201, json!(4)), "{issue}");
    let (status, repo) = api.post(BOB, "/user/repos", json!({"name": "fresh"})).await;
    assert_eq!((status, repo["id"].clone()), (201, json!(3)), "{repo}");
    let (status, token) = api.post(ALICE, "/users/alice/tokens", json!({"name": "second"})).await;
    assert_eq!((status, token["id"].clone()), (201, json!(2)), "{token}");

    drop(web);
    backend.drop_db().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gogs_012_backup_keeps_its_tokens_in_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let backend = Backend::new().await;
    let out = import(&backend, &data, &fixture("gogs-backup-0.12.zip"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("imported from Gogs 0.12.11: "), "{}", text(&out.stdout));
    let (web, url) = start_web(&backend, &data);
    let api = Api::new(&url);
    let (status, me) = api.get_as(Some(&format!("token {RAW_TOKEN}")), "/user").await;
    assert_eq!((status, me["username"].clone()), (200, json!("alice")));
    assert_eq!(api.get(BOB, "/user").await["username"], "bob");
    let tokens = api.get(ALICE, "/users/alice/tokens").await;
    assert_eq!(names(&tokens, "name"), ["ci"]);
    drop(web);
    backend.drop_db().await;
}

/// The fixture with an extra table and an extra column, as a later Gogs might write them.
fn fixture_with_extras(dir: &Path) -> PathBuf {
    let entries = zip_entries(&std::fs::read(fixture("gogs-backup-0.13.zip")).unwrap());
    let path = dir.join("gogs-backup-extras.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, mut bytes) in entries {
        if name == "gogs-backup/db/User.json" {
            let text = String::from_utf8(bytes).unwrap();
            let (first, rest) = text.split_once('\n').unwrap();
            bytes = format!("{},\"ShoeSize\":44}}\n{rest}", first.trim_end_matches('}')).into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.start_file("gogs-backup/db/Frobnicator.json", options).unwrap();
    out.write_all(b"{\"ID\":1,\"Colour\":\"blue\"}\n").unwrap();
    out.finish().unwrap();
    path
}

#[tokio::test]
async fn unknown_tables_and_columns_are_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let backend = Backend::new().await;
    let out = import(&backend, &tmp.path().join("data"), &fixture_with_extras(tmp.path()));
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("warning: table Frobnicator (1 row) is not known to this importer; skipped\n"), "{stderr}");
    assert!(
        stderr.contains("warning: column User.ShoeSize (1 row) is not known to this importer; ignored\n"),
        "{stderr}"
    );
    assert!(text(&out.stdout).contains("3 accounts and organisations, 2 repositories"));
    backend.drop_db().await;
}

#[tokio::test]
async fn a_non_empty_target_or_a_bad_archive_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let backend = Backend::new().await;
    let fixture = fixture("gogs-backup-0.13.zip");

    // Not a backup at all: one line, nothing written.
    let junk = tmp.path().join("junk.zip");
    std::fs::write(&junk, b"not a zip").unwrap();
    let empty_data = tmp.path().join("untouched");
    let out = import(&backend, &empty_data, &junk);
    assert!(!out.status.success());
    assert_eq!(text(&out.stderr).lines().count(), 1, "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("not a zip archive"), "{}", text(&out.stderr));

    // A database with an account in it.
    let data = tmp.path().join("data");
    let out = backend
        .command()
        .args(["admin", "create-user", "--name", "root", "--password", "pw", "--email", "root@example.com", "--data"])
        .arg(&data)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = import(&backend, &data, &fixture);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("the target is not empty"), "{}", text(&out.stderr));
    assert!(!data.join("repositories/alice").exists(), "nothing was imported");

    // An import into an empty target succeeds once; the second is refused.
    let other = tmp.path().join("other");
    let backend2 = Backend::new().await;
    assert!(import(&backend2, &other, &fixture).status.success());
    let out = import(&backend2, &other, &fixture);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("the target is not empty"), "{}", text(&out.stderr));
    backend.drop_db().await;
    backend2.drop_db().await;
}

/// The fixture with these `LFSObject` rows, as Gogs 0.12+ writes them (`gogs backup` archives the
/// rows, never the objects).
fn fixture_with_lfs_rows(dir: &Path, rows: &[Value]) -> PathBuf {
    let entries = zip_entries(&std::fs::read(fixture("gogs-backup-0.13.zip")).unwrap());
    let path = dir.join("gogs-backup-lfs.zip");
    let mut out = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for (name, mut bytes) in entries {
        if name == "gogs-backup/db/LFSObject.json" {
            bytes = rows.iter().map(|r| format!("{r}\n")).collect::<String>().into_bytes();
        }
        out.start_file(name, options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn git_lfs_objects_come_from_the_gogs_objects_directory() {
    let tmp = tempfile::tempdir().unwrap();
    // Gogs' [lfs] OBJECTS_PATH: two good objects, a damaged one; a row names one it lacks.
    let gogs_lfs = tmp.path().join("gogs-data/lfs-objects");
    let (big, small, damaged, lost) = (noise(2 << 20, 1), noise(5000, 2), noise(3000, 3), noise(100, 4));
    for bytes in [&big, &small, &damaged] {
        let path = lfs_file(&gogs_lfs, &oid_of(bytes));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
    }
    let mut bad = damaged.clone();
    bad[10] ^= 1;
    std::fs::write(lfs_file(&gogs_lfs, &oid_of(&damaged)), &bad).unwrap();
    let row = |repo: i64, bytes: &[u8]| {
        json!({"RepoID": repo, "OID": oid_of(bytes), "Size": bytes.len(), "Storage": "local",
               "CreatedAt": "2020-05-04T05:08:06Z"})
    };
    let archive = fixture_with_lfs_rows(
        tmp.path(),
        &[row(1, &big), row(1, &small), row(1, &damaged), row(1, &lost), row(2, &small)],
    );

    // Without the objects directory: the rows are left out, with a word on how to bring them.
    let backend = Backend::new().await;
    let plain = tmp.path().join("plain");
    let out = import(&backend, &plain, &archive);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("1 access tokens, 0 LFS objects"), "{stdout}");
    assert!(
        stderr.contains("warning: LFSObject: 5 rows not imported: `gogs backup` does not archive Git LFS objects"),
        "{stderr}"
    );
    assert!(stderr.contains("--lfs-path"), "{stderr}");
    let (web, url) = start_web(&backend, &plain);
    let plain_size = Api::new(&url).get(ALICE, "/repos/alice/hello").await["size"].as_i64().unwrap();
    drop(web);
    backend.drop_db().await;

    // With it: the good objects and their rows come over; the others are named.
    let backend = Backend::new().await;
    let data = tmp.path().join("data");
    let out = backend
        .command()
        .args(["import", "gogs", "--file"])
        .arg(&archive)
        .arg("--lfs-path")
        .arg(&gogs_lfs)
        .arg("--data")
        .arg(&data)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("1 access tokens, 2 LFS objects"), "{stdout}");
    for expected in [
        format!("warning: Git LFS object {} in {}: its file's SHA-256 is ", oid_of(&damaged), gogs_lfs.display()),
        "warning: LFSObject: 2 rows skipped: its object is missing from the LFS directory, or does not match the row"
            .to_string(),
    ] {
        assert!(stderr.contains(&expected), "missing {expected:?} in:\n{stderr}");
    }
    assert_eq!(std::fs::read(lfs_file(&data.join("lfs-objects"), &oid_of(&big))).unwrap(), big);
    assert!(!lfs_file(&data.join("lfs-objects"), &oid_of(&damaged)).exists());
    assert_eq!(std::fs::read(lfs_file(&gogs_lfs, &oid_of(&big))).unwrap(), big, "Gogs' directory is left as it was");

    let (web, url) = start_web(&backend, &data);
    let api = Api::new(&url);
    let get = |repo: &str, who: (&str, &str), oid: String| {
        let req = api
            .client
            .get(format!("{url}/{repo}.git/info/lfs/objects/{oid}"))
            .header("Authorization", basic(who.0, who.1));
        async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap().to_vec())
        }
    };
    assert_eq!(get("alice/hello", ALICE, oid_of(&big)).await, (200, big.clone()));
    assert_eq!(get("alice/hello", ALICE, oid_of(&small)).await, (200, small.clone()));
    assert_eq!(get("acme/tools", BOB, oid_of(&small)).await, (200, small.clone()), "through bob's team");
    assert_eq!(get("acme/tools", BOB, oid_of(&big)).await.0, 404, "linked per repository");
    assert_eq!(get("alice/hello", ALICE, oid_of(&damaged)).await.0, 404);
    // The repository's size counts its LFS objects.
    let size = api.get(ALICE, "/repos/alice/hello").await["size"].as_i64().unwrap();
    assert_eq!(size, plain_size + (big.len() + small.len()) as i64);
    drop(web);
    backend.drop_db().await;
}
