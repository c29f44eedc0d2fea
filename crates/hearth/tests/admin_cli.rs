//! `hearth admin …` against the real binary, on SQLite or (with `HEARTH_TEST_POSTGRES_URL`)
//! PostgreSQL, while `hearth web` serves the same data; the API sees every change.

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use base64::Engine;
use support::{Backend, free_port, hearth, start_web, terminate, wait_listening_lines};

/// `hearth admin <args> --data <data>` with the backend's environment, `stdin` fed when given.
fn admin(backend: &Backend, data: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    admin_with(backend, data, args, stdin, &[])
}

fn admin_with(backend: &Backend, data: &Path, args: &[&str], stdin: Option<&str>, env: &[(&str, &str)]) -> Output {
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.envs(env.iter().copied()).arg("admin").args(args).arg("--data").arg(data);
    run(cmd, stdin)
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        // A command that fails before reading its input closes the pipe first: not a test failure.
        let _ = input.write_all(text.as_bytes());
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// A failed command: exit 1, nothing on stdout, and its last stderr line is `error: …` holding
/// `why` (earlier lines may be log warnings).
fn refused(out: &Output, why: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: ") && last.contains(why), "wanted `{why}`: {stderr}");
}

fn basic(user: &str, password: &str) -> String {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}")))
}

async fn get_status(client: &reqwest::Client, url: &str, auth: &str) -> (u16, serde_json::Value) {
    let resp = client.get(url).header("Authorization", auth).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_commands_change_what_the_running_server_serves() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let backend = Backend::new().await;
    // The password from standard input: one line, its newline dropped (a second line is not read).
    let out = admin(
        &backend,
        data,
        &["create-user", "--name", "root", "--email", "root@example.com", "--admin", "--password-stdin"],
        Some("r00t pass\r\nignored\n"),
    );
    assert_eq!(stdout(&out), "user root created\n");

    let port = free_port();
    let (web, url) = start_web(&backend, &["--data", data.to_str().unwrap(), "--port", &port.to_string()]);
    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let root = basic("root", "r00t pass");
    let (status, me) = get_status(&client, &format!("{url}/api/v1/user"), &root).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("root")));

    // Everything below runs while the server serves the same data.
    let out = admin(
        &backend,
        data,
        &["create-user", "--name", "bob", "--email", "bob@example.com", "--random-password"],
        None,
    );
    let generated = stdout(&out).trim_end().to_string();
    assert_eq!(generated.len(), 20, "only the password on stdout: {generated:?}");
    assert!(generated.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(String::from_utf8_lossy(&out.stderr).contains("user bob created"));
    let (status, me) = get_status(&client, &format!("{url}/api/v1/user"), &basic("bob", &generated)).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("bob")));

    let token = stdout(&admin(&backend, data, &["create-token", "--name", "bob", "--token-name", "ci"], None));
    let token = token.strip_suffix('\n').unwrap();
    assert!(token.len() == 40 && token.chars().all(|c| c.is_ascii_hexdigit()), "{token:?}");
    let (status, me) = get_status(&client, &format!("{url}/api/v1/user"), &format!("token {token}")).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("bob")));
    let (_, listed) = get_status(&client, &format!("{url}/api/v1/users/bob/tokens"), &basic("bob", &generated)).await;
    assert_eq!(listed[0]["name"], "ci");

    let out = admin(&backend, data, &["change-password", "--name", "bob", "--password", "n3w-secret"], None);
    assert_eq!(stdout(&out), "password of bob changed\n");
    let (status, _) = get_status(&client, &format!("{url}/api/v1/user"), &basic("bob", "n3w-secret")).await;
    assert_eq!(status, 200);
    let (status, _) = get_status(&client, &format!("{url}/api/v1/user"), &basic("bob", &generated)).await;
    assert_eq!(status, 401, "the old password stops working at once");
    let out = admin(&backend, data, &["change-password", "--name", "bob", "--password-stdin"], Some("from-stdin\n"));
    stdout(&out);
    let (status, _) = get_status(&client, &format!("{url}/api/v1/user"), &basic("bob", "from-stdin")).await;
    assert_eq!(status, 200);

    // An organisation and a repository of bob's.
    let resp = client
        .post(format!("{url}/api/v1/user/orgs"))
        .header("Authorization", &root)
        .json(&serde_json::json!({"username": "team"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let resp = client
        .post(format!("{url}/api/v1/user/repos"))
        .header("Authorization", basic("bob", "from-stdin"))
        .json(&serde_json::json!({"name": "notes"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    let out = admin(&backend, data, &["list-users"], None);
    assert_eq!(stdout(&out), "bob\tbob@example.com\tuser\tactive\nroot\troot@example.com\tadmin\tactive\n", "no org");

    // Refused while bob owns a repository, as the API refuses it.
    let out = admin(&backend, data, &["delete-user", "--name", "bob"], None);
    refused(&out, "user still has ownership of repositories");
    let resp = client
        .delete(format!("{url}/api/v1/repos/bob/notes"))
        .header("Authorization", basic("bob", "from-stdin"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 204);
    let out = admin(&backend, data, &["delete-user", "--name", "bob"], None);
    assert_eq!(stdout(&out), "user bob deleted\n");
    let resp = client.get(format!("{url}/api/v1/users/bob")).send().await.unwrap();
    assert_eq!(resp.status(), 404);
    assert_eq!(stdout(&admin(&backend, data, &["list-users"], None)), "root\troot@example.com\tadmin\tactive\n");

    assert!(terminate(web).success());
    backend.drop_db().await;
}

#[tokio::test]
async fn admin_commands_refuse_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let backend = Backend::new().await;

    // Before any database exists, only create-user makes one.
    let out = admin(&backend, data, &["list-users"], None);
    if backend.pg.is_none() {
        refused(&out, "no database at");
        assert!(!data.join("hearth.db").exists());
    } else {
        assert_eq!(stdout(&out), "");
    }

    let out = admin(
        &backend,
        data,
        &["create-user", "--name", "alice", "--email", "a@example.com", "--password", "pw"],
        None,
    );
    stdout(&out);
    for args in [
        &["change-password", "--name", "ghost", "--password", "whatever"][..],
        &["delete-user", "--name", "ghost"],
        &["create-token", "--name", "ghost", "--token-name", "t"],
    ] {
        refused(&admin(&backend, data, args, None), "user does not exist [name: ghost]");
    }
    let token = ["create-token", "--name", "alice", "--token-name", "deploy"];
    stdout(&admin(&backend, data, &token, None));
    refused(&admin(&backend, data, &token, None), "access token already exists [name: deploy]");
    refused(
        &admin(&backend, data, &["create-token", "--name", "alice", "--token-name", "x", "--scopes", "nonsense"], None),
        "invalid access token scope",
    );

    // The configured password rule: too short for MIN_PASSWORD_LENGTH, on every way in.
    let strict = [("HEARTH__SECURITY__MIN_PASSWORD_LENGTH", "8")];
    let out = admin_with(&backend, data, &["change-password", "--name", "alice", "--password", "short"], None, &strict);
    refused(&out, "password is too short: at least 8 characters");
    let out = admin_with(
        &backend,
        data,
        &["change-password", "--name", "alice", "--password-stdin"],
        Some("short\n"),
        &strict,
    );
    refused(&out, "password is too short");
    let out = admin(&backend, data, &["change-password", "--name", "alice", "--password-stdin"], Some("\n"));
    refused(&out, "password is required");
    let out = admin(&backend, data, &["change-password", "--name", "alice", "--password-stdin"], Some(""));
    refused(&out, "no password on standard input");
    let create = ["create-user", "--name", "carol", "--email", "c@example.com"];
    let out = admin_with(&backend, data, &[&create[..], &["--password", "short"]].concat(), None, &strict);
    refused(&out, "password is too short");
    let out = admin_with(&backend, data, &[&create[..], &["--random-password"]].concat(), None, &strict);
    assert_eq!(stdout(&out).trim_end().len(), 20);

    // Exactly one way to give the password.
    for extra in [&[][..], &["--password", "pw", "--random-password"], &["--password-stdin", "--random-password"]] {
        let args = [&["create-user", "--name", "dave", "--email", "d@example.com"][..], extra].concat();
        let out = admin(&backend, data, &args, Some("pw\n"));
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("error:"), "{args:?}");
    }
    let out = admin(&backend, data, &["change-password", "--name", "alice"], None);
    assert_eq!(out.status.code(), Some(2));
    let out =
        admin(&backend, data, &["change-password", "--name", "alice", "--password", "a", "--password-stdin"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = admin(
        &backend,
        data,
        &["create-user", "--name", "dave", "--email", "d@example.com", "--random-password"],
        None,
    );
    assert!(out.status.success());
    assert_eq!(
        stdout(&admin(&backend, data, &["list-users"], None)),
        "alice\ta@example.com\tuser\tactive\ncarol\tc@example.com\tuser\tactive\ndave\td@example.com\tuser\tactive\n"
    );
    backend.drop_db().await;
}

/// Unknown settings are logged once at start, naming them; Gogs' own settings are not; RUN_USER
/// at the top level (Gogs' place) names the user in `ssh_url`.
#[tokio::test]
async fn config_warnings_and_the_top_level_run_user() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backend = Backend::new().await;
    let ini = dir.path().join("app.ini");
    std::fs::write(
        &ini,
        "APP_NAME = Our Git\nRUN_USER = gituser\nRUN_MODE = prod\n\
         [server]\nOFFLINE_MODE = true\nHTTP_PROT = 1\n\
         [security]\nINSTALL_LOCK = true\nSECRET_KEY = x\n\
         [bogus]\nA = 1\n",
    )
    .unwrap();
    let out = admin_with(
        &backend,
        &data,
        &[
            "create-user",
            "--name",
            "root",
            "--email",
            "r@example.com",
            "--password",
            "pw",
            "--config",
            ini.to_str().unwrap(),
        ],
        None,
        &[("HEARTH__SERVER__NOPE", "1")],
    );
    stdout(&out);

    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.env("HEARTH__SERVER__NOPE", "1").args(["web", "--config", ini.to_str().unwrap(), "--data"]).arg(&data);
    cmd.args(["--port", &free_port().to_string()]);
    let (web, url, lines) = wait_listening_lines(cmd);
    let warnings: Vec<&String> = lines.iter().filter(|l| l.contains("WARN") && l.contains("unknown ")).collect();
    let names = |needle: &str| warnings.iter().filter(|l| l.contains(needle)).count();
    assert_eq!(names(&format!("unknown setting [server] HTTP_PROT in {}", ini.display())), 1, "{lines:#?}");
    assert_eq!(names(&format!("unknown section [bogus] in {}", ini.display())), 1, "{lines:#?}");
    assert_eq!(names("unknown setting [server] NOPE from HEARTH__SERVER__NOPE"), 1, "{lines:#?}");
    assert_eq!(warnings.len(), 3, "Gogs' settings are accepted silently: {warnings:#?}");
    for gogs in ["OFFLINE_MODE", "APP_NAME", "RUN_MODE", "INSTALL_LOCK", "SECRET_KEY", "RUN_USER"] {
        assert_eq!(names(gogs), 0, "{gogs}");
    }

    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    let resp = client
        .post(format!("{url}/api/v1/user/repos"))
        .header("Authorization", basic("root", "pw"))
        .json(&serde_json::json!({"name": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let repo: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(repo["ssh_url"], "gituser@127.0.0.1:root/demo.git");
    assert!(terminate(web).success());
    backend.drop_db().await;
}
