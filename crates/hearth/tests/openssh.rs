//! Sharing port 22 with the system's OpenSSH (issue #22): a real `sshd`, started on a free port,
//! asks `hearth keys` (its `AuthorizedKeysCommand`) whose key is presented and runs `hearth serv`
//! (the forced command) for the git client, which clones and pushes; strangers and shells are
//! refused with the built-in server's words. Skipped (with a note) without `sshd` or root.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use support::*;

const SSHD: &str = "/usr/sbin/sshd";

fn skip_reason() -> Option<String> {
    if !Path::new(SSHD).exists() {
        return Some(format!("{SSHD} is missing (Debian: openssh-server)"));
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    (String::from_utf8_lossy(&uid.stdout).trim() != "0").then(|| "sshd needs root here".to_string())
}

fn run(cmd: &mut Command) -> std::process::Output {
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

fn keygen(path: &Path) -> String {
    run(Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", "test", "-f"]).arg(path));
    std::fs::read_to_string(path.with_extension("pub")).unwrap().trim().to_string()
}

async fn api(method: reqwest::Method, url: &str, auth: &str, body: Option<Value>) -> (u16, Value) {
    hearth_server::install_crypto_provider();
    let mut req = reqwest::Client::new().request(method, url).header("Authorization", auth);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

struct Sshd(Child);

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sshd(dir: &Path, port: u16, ini: &Path) -> Sshd {
    std::fs::create_dir_all("/run/sshd").unwrap();
    let host = dir.join("host_ed25519");
    keygen(&host);
    let bin = env!("CARGO_BIN_EXE_hearth");
    let config = format!(
        "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nAuthorizedKeysFile none\n\
         AuthorizedKeysCommand {bin} keys -e root -u %u -t %t -k %k --config {}\nAuthorizedKeysCommandUser root\n\
         PermitRootLogin forced-commands-only\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n\
         UsePAM no\nStrictModes no\nLogLevel ERROR\n",
        host.display(),
        dir.join("sshd.pid").display(),
        ini.display()
    );
    let file = dir.join("sshd_config");
    std::fs::write(&file, config).unwrap();
    run(Command::new(SSHD).arg("-t").arg("-f").arg(&file));
    let child = Command::new(SSHD).args(["-D", "-e", "-f"]).arg(&file).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "sshd did not listen");
        std::thread::sleep(Duration::from_millis(50));
    }
    Sshd(child)
}

/// git (or ssh) with `key` against the sshd on `port`.
fn ssh_command(key: &Path, port: u16) -> String {
    format!(
        "ssh -i {} -p {port} -o IdentitiesOnly=yes -o BatchMode=yes -o StrictHostKeyChecking=no \
         -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR",
        key.display()
    )
}

fn git(dir: &Path, ssh: &str, args: &[&str]) -> std::process::Output {
    Command::new("git")
        .current_dir(dir)
        .env("GIT_SSH_COMMAND", ssh)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com", "-c", "init.defaultBranch=master"])
        .args(args)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openssh_serves_git_through_hearth_keys_and_serv() {
    if let Some(why) = skip_reason() {
        eprintln!("skipped: {why}");
        return;
    }
    let backend = Backend::new().await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let data = dir.join("data");
    // sshd runs the commands with a bare environment: everything they need is in the file.
    // The HTTP port is in the file too: `hearth serv` names it in the LFS endpoint it hands out.
    let http_port = free_port();
    let mut ini = format!(
        "[server]\nAPP_DATA_PATH = {}\nHTTP_PORT = {http_port}\n[security]\nARGON2_MEMORY_KIB = 256\n",
        data.display()
    );
    let env: std::collections::HashMap<_, _> = backend.env.iter().cloned().collect();
    if let Some(url) = env.get("HEARTH__DATABASE__URL") {
        ini.push_str(&format!("[database]\nTYPE = postgres\nURL = {url}\n"));
    }
    let ini_path = dir.join("app.ini");
    std::fs::write(&ini_path, &ini).unwrap();
    let with_config = |args: &[&str]| {
        let mut cmd = hearth();
        cmd.args(args).arg("--config").arg(&ini_path);
        cmd
    };
    run(&mut with_config(&[
        "admin",
        "create-user",
        "--name",
        "root",
        "--password",
        "pw",
        "--email",
        "r@example.com",
        "--admin",
    ]));
    run(&mut with_config(&["admin", "create-user", "--name", "bob", "--password", "pw", "--email", "b@example.com"]));
    let (web, url) = wait_listening(with_config(&["web"]));

    let root_key = dir.join("root_key");
    let root_pub = keygen(&root_key);
    let bob_key = dir.join("bob_key");
    let bob_pub = keygen(&bob_key);
    let stranger_key = dir.join("stranger_key");
    keygen(&stranger_key);
    let post = reqwest::Method::POST;
    let (status, _) = api(
        post.clone(),
        &format!("{url}/api/v1/user/keys"),
        &basic("root", "pw"),
        Some(json!({"title": "laptop", "key": root_pub})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, _) = api(
        post.clone(),
        &format!("{url}/api/v1/user/keys"),
        &basic("bob", "pw"),
        Some(json!({"title": "bob", "key": bob_pub})),
    )
    .await;
    assert_eq!(status, 201);
    let body = json!({"name": "proj", "private": true, "auto_init": true, "readme": "Default"});
    assert_eq!(api(post, &format!("{url}/api/v1/user/repos"), &basic("root", "pw"), Some(body)).await.0, 201);

    // `hearth keys` alone: a line for root's key, nothing for another account or an unknown key.
    let fields: Vec<&str> = root_pub.split_whitespace().collect();
    let keys = |user: &str, key: &str| {
        let out = run(&mut with_config(&["keys", "-e", "root", "-u", user, "-t", fields[0], "-k", key]));
        String::from_utf8(out.stdout).unwrap()
    };
    let line = keys("root", fields[1]);
    assert!(line.starts_with("command=\"") && line.contains(" serv --config ") && line.contains(" key-"), "{line}");
    assert!(line.contains(",no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty ssh-ed25519 "), "{line}");
    assert_eq!(keys("postgres", fields[1]), "");
    let stranger_pub = std::fs::read_to_string(stranger_key.with_extension("pub")).unwrap();
    assert_eq!(keys("root", stranger_pub.split_whitespace().nth(1).unwrap()), "");
    assert_eq!(keys("root", "AAAA\"; rm -rf /"), "");

    let port = free_port();
    let _sshd = start_sshd(dir, port, &ini_path);
    let remote = "root@127.0.0.1:root/proj.git";

    // Clone and push with root's key through the system sshd.
    let root_ssh = ssh_command(&root_key, port);
    let out = git(dir, &root_ssh, &["clone", "-q", remote, "wt"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let wt = dir.join("wt");
    std::fs::write(wt.join("b.txt"), "over openssh\n").unwrap();
    assert!(git(&wt, &root_ssh, &["add", "b.txt"]).status.success());
    assert!(git(&wt, &root_ssh, &["commit", "-qm", "Over OpenSSH"]).status.success());
    let out = git(&wt, &root_ssh, &["push", "-q", "origin", "master"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let get = reqwest::Method::GET;
    let (_, branch) =
        api(get.clone(), &format!("{url}/api/v1/repos/root/proj/branches/master"), &basic("root", "pw"), None).await;
    assert_eq!(branch["commit"]["message"].as_str().map(str::trim), Some("Over OpenSSH"), "{branch}");
    // The post-push work ran: the push is in the repository's feed.
    let (_, feed) =
        api(get, &format!("{url}/api/v1/repos/root/proj/activities/feeds"), &basic("root", "pw"), None).await;
    assert!(feed.to_string().contains("Over OpenSSH"), "{feed}");

    // git-lfs through the same sshd: `hearth serv` answers `git-lfs-authenticate` with the HTTP
    // endpoint and a token, and the objects land in the store.
    if Command::new("git-lfs").arg("version").output().is_ok_and(|o| o.status.success()) {
        for args in [&["lfs", "install", "--skip-repo"][..], &["lfs", "track", "*.bin"]] {
            let out = git(&wt, &root_ssh, args);
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        }
        let object: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        std::fs::write(wt.join("big.bin"), &object).unwrap();
        assert!(git(&wt, &root_ssh, &["add", ".gitattributes", "big.bin"]).status.success());
        assert!(git(&wt, &root_ssh, &["commit", "-qm", "LFS over OpenSSH"]).status.success());
        let out = git(&wt, &root_ssh, &["push", "-q", "origin", "master"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let oid = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&object));
        let stored = data.join("lfs-objects").join(&oid[0..1]).join(&oid[1..2]).join(&oid);
        assert!(std::fs::read(&stored).unwrap() == object, "the stored object differs");
        // (`git` runs with HOME set to its directory: the filters are installed there too.)
        assert!(git(dir, &root_ssh, &["lfs", "install", "--skip-repo"]).status.success());
        let out = git(dir, &root_ssh, &["clone", "-q", remote, "lfs-clone"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(std::fs::read(dir.join("lfs-clone/big.bin")).unwrap() == object, "the clone has not the object");
    }

    // bob's key is known but bob may not see the private repository; a stranger's key is not
    // let in at all; a shell is refused.
    let out = git(dir, &ssh_command(&bob_key, port), &["clone", "-q", remote, "bob"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && said.contains("Gogs: Repository does not exist or you do not have access"),
        "{said}"
    );
    let out = git(dir, &ssh_command(&stranger_key, port), &["clone", "-q", remote, "stranger"]);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
    let shell: Vec<String> = ssh_command(&root_key, port).split_whitespace().map(String::from).collect();
    let out = Command::new(&shell[0]).args(&shell[1..]).arg("root@127.0.0.1").stdin(Stdio::null()).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not provide shell access"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    terminate(web);
    backend.drop_db().await;
    let _: PathBuf = data;
}
