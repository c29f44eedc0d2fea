//! `hearth doctor` against the real binary: healthy, then broken in each way it names; it never
//! changes the database.

mod support;

use std::path::Path;
use std::process::Output;

use base64::Engine;
use support::{Backend, create_user, free_port, hearth, start_web, terminate};

fn doctor(backend: &Backend, data: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    cmd.envs(env.iter().copied()).arg("doctor").arg("--data").arg(data).output().unwrap()
}

fn lines(out: &Output) -> Vec<String> {
    String::from_utf8(out.stdout.clone()).unwrap().lines().map(str::to_string).collect()
}

/// The report's problem lines; the run failed with one `error:` line counting them.
fn problems(out: &Output) -> Vec<String> {
    let found: Vec<String> = lines(out).into_iter().filter(|l| l.starts_with("problem ")).collect();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().last(), Some(format!("error: {} problem(s) found", found.len()).as_str()), "{stderr}");
    found
}

/// Run SQL on the test's database (the test breaking it on purpose; hearth never does this).
async fn sql(backend: &Backend, data: &Path, statement: &str) {
    match &backend.pg {
        None => {
            let url = format!("sqlite://{}", data.join("hearth.db").display());
            let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string())).execute(&mut conn).await.unwrap();
            <sqlx::SqliteConnection as sqlx::Connection>::close(conn).await.unwrap();
        }
        Some(_) => {
            let url = &backend.env.iter().find(|(k, _)| k == "HEARTH__DATABASE__URL").unwrap().1;
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(url).await.unwrap();
            sqlx::raw_sql(sqlx::AssertSqlSafe(statement.to_string())).execute(&mut conn).await.unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthy_then_each_problem_named() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backend = Backend::new().await;

    // Nothing there yet: no database (and none is created).
    let out = doctor(&backend, &data, &[]);
    if backend.pg.is_none() {
        let found = problems(&out);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("hearth.db: no such file"), "{found:?}");
        assert!(lines(&out).iter().any(|l| l.starts_with("skipped repository directories")));
        assert!(!data.join("hearth.db").exists());
    } else {
        let found = problems(&out);
        assert!(found[0].starts_with("problem database schema: ") && found[0].contains("pending"), "{found:?}");
    }

    let out = create_user(&backend, &data, &["--name", "alice", "--password", "pw", "--email", "a@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (web, url) = start_web(&backend, &["--data", data.to_str().unwrap(), "--port", &free_port().to_string()]);
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("alice:pw"));
    hearth_server::install_crypto_provider();
    let resp = reqwest::Client::new()
        .post(format!("{url}/api/v1/user/repos"))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"name": "demo", "auto_init": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);

    // Healthy, also while the server runs.
    let out = doctor(&backend, &data, &[]);
    let report = lines(&out);
    assert!(out.status.success(), "{report:#?}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(report.iter().all(|l| l.starts_with("ok ")), "{report:#?}");
    assert!(report[0].starts_with("ok git 2.") && report[0].ends_with("(hearth needs 2.37 or newer)"), "{report:#?}");
    for expected in [
        format!("ok data directory {} is writable", data.display()),
        format!("ok repository root {} is writable", data.join("repositories").display()),
        format!("ok gists directory {} does not exist yet; hearth can create it", data.join("gists").display()),
        "ok repository directories match the database (1 repositories and gists)".to_string(),
    ] {
        assert!(report.contains(&expected), "{expected}: {report:#?}");
    }
    assert!(report.iter().any(|l| l.starts_with("ok database schema is current (migration ")), "{report:#?}");
    assert!(terminate(web).success());

    // An orphan directory, and a row whose directory went away.
    let root = data.join("repositories");
    std::fs::create_dir_all(root.join("alice/orphan.git")).unwrap();
    std::fs::rename(root.join("alice/demo.git"), dir.path().join("demo-elsewhere.git")).unwrap();
    let found = problems(&doctor(&backend, &data, &[]));
    assert_eq!(
        found,
        vec![
            format!(
                "problem orphan directory {}: no database row (hearth web moves it to quarantine at start)",
                root.join("alice/orphan.git").display()
            ),
            format!("problem alice/demo: its directory {} is missing", root.join("alice/demo.git").display()),
        ]
    );
    assert!(root.join("alice/orphan.git").exists(), "the doctor moves nothing");
    std::fs::remove_dir(root.join("alice/orphan.git")).unwrap();
    std::fs::rename(dir.path().join("demo-elsewhere.git"), root.join("alice/demo.git")).unwrap();
    assert!(doctor(&backend, &data, &[]).status.success());

    // A directory hearth cannot write to: under a regular file (chmod does not stop root).
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let blocked = file.join("repositories");
    let found = problems(&doctor(&backend, &data, &[("HEARTH__REPOSITORY__ROOT", blocked.to_str().unwrap())]));
    assert!(
        found.contains(&format!(
            "problem repository root {}: {} is not a directory",
            blocked.display(),
            file.display()
        )),
        "{found:#?}"
    );

    // A database one migration behind: named, never applied, and nothing written.
    sql(&backend, &data, "DELETE FROM _sqlx_migrations WHERE version = (SELECT MAX(version) FROM _sqlx_migrations)")
        .await;
    let before = std::fs::read(data.join("hearth.db")).ok();
    for _ in 0..2 {
        let out = doctor(&backend, &data, &[]);
        let found = problems(&out);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("problem database schema: 1 pending migration(s): 00"), "{found:#?}");
        assert!(found[0].ends_with("; hearth web applies them at start"), "{found:#?}");
        assert!(lines(&out).iter().any(|l| l.starts_with("skipped repository directories")));
    }
    assert_eq!(std::fs::read(data.join("hearth.db")).ok(), before, "the database file is unchanged");
    backend.drop_db().await;
}

#[tokio::test]
async fn an_unreachable_database_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let backend = Backend::new().await;
    let env =
        [("HEARTH__DATABASE__TYPE", "postgres"), ("HEARTH__DATABASE__URL", "postgres://nobody:secret@127.0.0.1:1/x")];
    let out = doctor(&backend, dir.path(), &env);
    let found = problems(&out);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("problem PostgreSQL database postgres://nobody:******@127.0.0.1:1/x: cannot connect: "),
        "{found:#?}"
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("secret"));
    backend.drop_db().await;
}
