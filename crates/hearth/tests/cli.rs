//! The CLI contract, against the real binary: `hearth admin create-user` then `hearth web`, log in
//! over the API, stop with SIGTERM.

mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use support::{Backend, create_user, free_port, hearth, start_web, terminate, wait_listening};

#[tokio::test]
async fn create_user_then_log_in_over_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new().await;
    let out = create_user(
        &backend,
        dir.path(),
        &["--name", "root", "--password", "s3cret!", "--email", "root@example.com", "--admin"],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let port = free_port();
    let (child, url) = start_web(&backend, &["--data", dir.path().to_str().unwrap(), "--port", &port.to_string()]);
    assert_eq!(url, format!("http://127.0.0.1:{port}"));

    // Creating a user while the server runs works too.
    let out = create_user(&backend, dir.path(), &["--name", "bob", "--password", "pw", "--email", "bob@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("root:s3cret!"));
    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let resp = client.get(format!("{url}/api/v1/user")).header("Authorization", &auth).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["username"], "root");
    // The admin flag took: an admin-only route answers.
    let resp = client
        .post(format!("{url}/api/v1/admin/users"))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"username": "carol", "email": "carol@example.com", "password": "pw"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = client.get(format!("{url}/api/v1/users/bob")).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    assert!(terminate(child).success());
    assert_eq!(dir.path().join("hearth.db").exists(), backend.pg.is_none());
    backend.drop_db().await;
}

#[tokio::test]
async fn create_user_rejects_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new().await;
    let ok =
        create_user(&backend, dir.path(), &["--name", "alice", "--password", "pw", "--email", "alice@example.com"]);
    assert!(ok.status.success());
    for (args, why) in [
        (["--name", "alice", "--password", "pw", "--email", "other@example.com"], "already exists"),
        (["--name", "admin", "--password", "pw", "--email", "a2@example.com"], "not allowed"),
        (["--name", "bob", "--password", "pw", "--email", "not-an-email"], "email"),
        (["--name", "carol", "--password", "pw", "--email", "ALICE@example.com"], "email has been used"),
        (["--name", "bad name", "--password", "pw", "--email", "b@example.com"], "name"),
    ] {
        let out = create_user(&backend, dir.path(), &args);
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    }
    backend.drop_db().await;
}

#[test]
fn config_file_env_and_flags() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("app.ini");
    let port = free_port();
    std::fs::write(
        &ini,
        format!(
            "[server]\nHTTP_PORT = 1\nEXTERNAL_URL = https://git.example.com/\n[database]\nPATH = {}/custom.db\n",
            dir.path().display()
        ),
    )
    .unwrap();
    // The environment overrides the file; the flag overrides both.
    let mut cmd = hearth();
    cmd.env("HEARTH__SERVER__HTTP_PORT", "2");
    let mut child = cmd
        .args(["web", "--config", ini.to_str().unwrap(), "--port", &port.to_string(), "--data"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/api/v1/version");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut up = false;
    while Instant::now() < deadline && !up {
        up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(up, "{url}");
    assert!(dir.path().join("custom.db").exists());
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn version_names_the_commit() {
    let out = hearth().arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with(&format!("hearth {} (commit ", env!("CARGO_PKG_VERSION"))), "{text}");
    let commit = text.trim_end().trim_end_matches(')').rsplit(' ').next().unwrap().to_string();
    assert!(commit == "unknown" || (commit.len() >= 7 && commit.chars().all(|c| c.is_ascii_hexdigit())), "{text}");
}

#[test]
fn hearth_config_names_the_file_when_there_is_no_flag() {
    let dir = tempfile::tempdir().unwrap();
    let ini = dir.path().join("app.ini");
    let port = free_port();
    std::fs::write(&ini, format!("[server]\nHTTP_PORT = {port}\n[database]\nPATH = {}/env.db\n", dir.path().display()))
        .unwrap();
    let mut child = hearth()
        .env("HEARTH_CONFIG", &ini)
        .args(["web", "--data"])
        .arg(dir.path())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut up = false;
    while Instant::now() < deadline && !up {
        up = std::net::TcpStream::connect(("127.0.0.1", port)).is_ok();
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(up, "the port from the HEARTH_CONFIG file");
    assert!(dir.path().join("env.db").exists());
}

/// The real git, isolated from the machine's configuration.
fn git(dir: &std::path::Path, args: &[&str], ssh_key: Option<&std::path::Path>) -> String {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "user.name=Root", "-c", "user.email=root@example.com", "-c", "init.defaultBranch=master"])
        .args(args);
    if let Some(key) = ssh_key {
        cmd.env(
            "GIT_SSH_COMMAND",
            format!(
                "ssh -F /dev/null -o IdentitiesOnly=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
                 -o BatchMode=yes -o LogLevel=ERROR -i {}",
                key.display()
            ),
        );
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn commit_file(dir: &std::path::Path, name: &str) {
    std::fs::write(dir.join(name), name).unwrap();
    git(dir, &["add", name], None);
    git(dir, &["commit", "-q", "-m", name], None);
}

/// The README's path for a newcomer: data in a relative directory (`--data data`, as the default
/// `./data` is), then clone, push and fetch over Smart HTTP and SSH. With a relative data
/// directory, git ran inside the repository with a path relative to somewhere else and every
/// clone failed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relative_data_directory_serves_git_over_http_and_ssh() {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("fresh-clone");
    std::fs::create_dir_all(&work).unwrap();
    let backend = Backend::new().await;
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    let out = cmd
        .current_dir(&work)
        .args(["admin", "create-user", "--data", "data", "--name", "root", "--password", "pw!", "--email"])
        .args(["root@example.com", "--admin"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let (port, ssh_port) = (free_port(), free_port());
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.current_dir(&work)
        .env("HEARTH__SERVER__START_SSH_SERVER", "true")
        .env("HEARTH__SERVER__SSH_PORT", ssh_port.to_string())
        .args(["web", "--data", "data", "--port", &port.to_string()]);
    let (child, url) = wait_listening(cmd);

    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("root:pw!"));
    let resp = client
        .post(format!("{url}/api/v1/user/repos"))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"name": "demo", "auto_init": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let key_path = tmp.path().join("id_ed25519");
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "root", "-f"])
        .arg(&key_path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let public = std::fs::read_to_string(key_path.with_extension("pub")).unwrap();
    let resp = client
        .post(format!("{url}/api/v1/user/keys"))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"title": "laptop", "key": public.trim()}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Smart HTTP: clone, push, and fetch from a second clone.
    let http = format!("http://root:pw!@127.0.0.1:{port}/root/demo.git");
    let clones = tmp.path().join("clones");
    std::fs::create_dir_all(&clones).unwrap();
    git(&clones, &["clone", "-q", &http, "over-http"], None);
    let over_http = clones.join("over-http");
    assert!(over_http.join("README.md").exists());
    commit_file(&over_http, "from-http.txt");
    git(&over_http, &["push", "-q", "origin", "master"], None);

    // SSH: clone (sees the HTTP push), push, then the HTTP clone fetches it.
    let ssh = format!("ssh://git@127.0.0.1:{ssh_port}/root/demo.git");
    git(&clones, &["clone", "-q", &ssh, "over-ssh"], Some(&key_path));
    let over_ssh = clones.join("over-ssh");
    assert!(over_ssh.join("from-http.txt").exists());
    commit_file(&over_ssh, "from-ssh.txt");
    git(&over_ssh, &["push", "-q", "origin", "master"], Some(&key_path));
    git(&over_ssh, &["fetch", "-q", "origin"], Some(&key_path));
    git(&over_http, &["pull", "-q", "--ff-only", "origin", "master"], None);
    assert!(over_http.join("from-ssh.txt").exists());
    let log = git(&over_http, &["log", "--format=%s"], None);
    assert_eq!(log.lines().collect::<Vec<_>>(), vec!["from-ssh.txt", "from-http.txt", "Initial commit"]);

    assert!(terminate(child).success());
    // Everything went where the relative path said, under the working directory.
    assert!(work.join("data/repositories/root/demo.git/HEAD").exists());
    assert_eq!(work.join("data/hearth.db").exists(), backend.pg.is_none());
    backend.drop_db().await;
}

/// Without a usable git the server refuses to start, naming git and what it found.
#[test]
fn refuses_to_start_without_a_usable_git() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty-path");
    std::fs::create_dir_all(&empty).unwrap();
    let old = dir.path().join("old-git");
    std::fs::create_dir_all(&old).unwrap();
    let fake = old.join("git");
    std::fs::write(&fake, "#!/bin/sh\necho 'git version 2.1.0'\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    for (path, expected) in [(&empty, "git was not found"), (&old, "git 2.1.0 is too old")] {
        let out = hearth()
            .env("PATH", path)
            .args(["web", "--port", &free_port().to_string(), "--data"])
            .arg(dir.path().join("data"))
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or_default();
        assert!(last.contains(expected) && last.contains("needs git 2.37"), "{stderr}");
    }
}

/// SIGKILL while repositories are being created: after a restart every name either exists whole
/// (readable, clonable) or can be created again — none is blocked by a directory without a row.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_leaves_no_blocked_repository_names() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let backend = Backend::new().await;
    let out = create_user(&backend, &data, &["--name", "root", "--password", "pw", "--email", "root@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let data_arg = data.to_str().unwrap().to_string();
    let (mut child, url) = start_web(&backend, &["--data", &data_arg, "--port", &free_port().to_string()]);

    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("root:pw"));
    let names: Vec<String> = (0..40).map(|i| format!("r{i}")).collect();
    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let creates: Vec<_> = names
        .iter()
        .map(|name| {
            let req = client
                .post(format!("{url}/api/v1/user/repos"))
                .header("Authorization", &auth)
                .json(&serde_json::json!({"name": name, "auto_init": true, "license": "MIT License"}))
                .send();
            let done = done.clone();
            tokio::spawn(async move {
                let answer = req.await.map(|r| r.status().as_u16());
                done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                answer
            })
        })
        .collect();
    // Kill once some have finished, so that others are caught half-way.
    let deadline = Instant::now() + Duration::from_secs(10);
    while done.load(std::sync::atomic::Ordering::SeqCst) < 8 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    for c in creates {
        let _ = c.await;
    }

    let (child, url) = start_web(&backend, &["--data", &data_arg, "--port", &free_port().to_string()]);
    let (mut existed, mut created) = (0, 0);
    for name in &names {
        let got = client.get(format!("{url}/api/v1/repos/root/{name}")).header("Authorization", &auth).send().await;
        if got.unwrap().status() == 200 {
            existed += 1;
            if existed > 5 {
                // The rest through the API: the initial commit is there.
                let resp = client
                    .get(format!("{url}/api/v1/repos/root/{name}/raw/master/LICENSE"))
                    .header("Authorization", &auth)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(resp.status(), 200, "{name}");
                continue;
            }
            let clone = tmp.path().join(format!("clone-{name}"));
            let http = format!("http://root:pw@{}/root/{name}.git", url.trim_start_matches("http://"));
            git(tmp.path(), &["clone", "-q", &http, clone.to_str().unwrap()], None);
            assert!(clone.join("LICENSE").exists(), "{name}");
            continue;
        }
        let resp = client
            .post(format!("{url}/api/v1/user/repos"))
            .header("Authorization", &auth)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert_eq!(status, 201, "{name}: {}", resp.text().await.unwrap());
        created += 1;
    }
    eprintln!("after SIGKILL: {existed} existed, {created} created again");
    assert_eq!(existed + created, names.len());
    assert!(terminate(child).success());
    backend.drop_db().await;
}
