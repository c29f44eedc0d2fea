//! `hearth doctor` against the real binary: healthy, then broken in each way it names; it never
//! changes the database.

mod support;

use std::path::Path;
use std::process::Output;

use base64::Engine;
use support::{Backend, create_user, free_port, hearth, oid_of, start_web, terminate};

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

/// Set a file's modification time `secs` into the past.
fn age(path: &Path, secs: u64) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(secs)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lfs_objects_are_checked_and_garbage_collected_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let objects = data.join("lfs-objects");
    let backend = Backend::new().await;
    let out = create_user(&backend, &data, &["--name", "alice", "--password", "pw", "--email", "a@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let (web, url) = start_web(&backend, &["--data", data.to_str().unwrap(), "--port", &free_port().to_string()]);
    let auth = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode("alice:pw"));
    hearth_server::install_crypto_provider();
    let client = reqwest::Client::new();
    for name in ["keep", "gone"] {
        let resp = client
            .post(format!("{url}/api/v1/user/repos"))
            .header("Authorization", &auth)
            .json(&serde_json::json!({"name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
    }
    let (kept, shared, garbage) = (vec![1u8; 4000], vec![2u8; 500], vec![3u8; 70_000]);
    for (repo, bytes) in [("keep", &kept), ("keep", &shared), ("gone", &shared), ("gone", &garbage)] {
        let resp = client
            .put(format!("{url}/alice/{repo}.git/info/lfs/objects/{}", oid_of(bytes)))
            .header("Authorization", &auth)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let resp = client.delete(format!("{url}/api/v1/repos/alice/gone")).header("Authorization", &auth).send().await;
    assert_eq!(resp.unwrap().status(), 204);
    let file = |bytes: &[u8]| {
        let oid = oid_of(bytes);
        objects.join(&oid[0..1]).join(&oid[1..2]).join(oid)
    };
    assert!(file(&garbage).exists(), "a deleted repository's objects stay until collected");

    // Counted while the server runs, not a problem; the collection keeps what is young.
    let out = doctor(&backend, &data, &[]);
    let report = lines(&out);
    assert!(out.status.success(), "{report:#?}");
    let present = format!(
        "ok LFS objects in {}: every object a row references is there (2 objects, 4500 bytes)",
        objects.display()
    );
    assert!(report.contains(&present), "{report:#?}");
    let unreferenced = |old: usize, old_bytes: usize, leftovers: usize| {
        format!(
            "ok LFS objects in {}: 1 no repository references (70000 bytes), {old} of them older than an hour \
             ({old_bytes} bytes), and {leftovers} leftover partial files: hearth doctor --gc removes those older \
             than an hour",
            objects.display()
        )
    };
    assert!(report.contains(&unreferenced(0, 0, 0)), "{report:#?}");
    let mut gc = hearth();
    backend.apply(&mut gc);
    let gc_run = |gc: &mut std::process::Command| gc.args(["doctor", "--gc", "--data"]).arg(&data).output().unwrap();
    let out = gc_run(&mut gc);
    let report = lines(&out);
    assert!(out.status.success(), "{report:#?}");
    let collected = |n: usize, bytes: usize, leftovers: usize, kept: usize| {
        format!(
            "ok LFS garbage collection in {}: removed {n} unreferenced objects ({bytes} bytes) and {leftovers} \
             leftover partial files; kept {kept} unreferenced objects younger than an hour or linked meanwhile",
            objects.display()
        )
    };
    assert!(report.contains(&collected(0, 0, 0, 1)), "{report:#?}");
    assert!(file(&garbage).exists());

    // An hour later (and a copy that was cut short next to an object): collected on request only.
    for f in [file(&garbage), file(&kept), file(&shared)] {
        age(&f, 7200);
    }
    let stale = file(&kept).with_file_name(format!("{}.partial-7", oid_of(&kept)));
    let young = file(&kept).with_file_name(format!("{}.partial-8", oid_of(&kept)));
    std::fs::write(&stale, "part").unwrap();
    std::fs::write(&young, "part").unwrap();
    age(&stale, 7200);
    let report = lines(&doctor(&backend, &data, &[]));
    assert!(report.contains(&unreferenced(1, 70_000, 1)), "{report:#?}");
    assert!(file(&garbage).exists() && stale.exists());
    let mut gc = hearth();
    backend.apply(&mut gc);
    let out = gc_run(&mut gc);
    let report = lines(&out);
    assert!(out.status.success(), "{report:#?}");
    assert!(report.contains(&collected(1, 70_000, 1, 0)), "{report:#?}");
    assert!(!file(&garbage).exists() && !stale.exists());
    assert!(file(&kept).exists() && file(&shared).exists() && young.exists(), "referenced and young files stay");
    let leftover_names: Vec<String> = std::fs::read_dir(file(&garbage).parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(leftover_names.is_empty(), "nothing set aside is left: {leftover_names:?}");
    // The server still serves what is referenced.
    let resp = client
        .get(format!("{url}/alice/keep.git/info/lfs/objects/{}", oid_of(&shared)))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.bytes().await.unwrap().to_vec(), shared);
    assert!(terminate(web).success());

    // A referenced object gone, another of the wrong size: problems, and nothing changed.
    std::fs::remove_file(file(&shared)).unwrap();
    std::fs::write(file(&kept), "xyz").unwrap();
    let found = problems(&doctor(&backend, &data, &[]));
    let mut expected = vec![
        format!(
            "problem LFS object {}: its file {} is missing (a client pushing the object again stores it)",
            oid_of(&shared),
            file(&shared).display()
        ),
        format!(
            "problem LFS object {}: its file {} is 3 bytes where its rows say 4000",
            oid_of(&kept),
            file(&kept).display()
        ),
    ];
    expected.sort_by_key(|l| l.split(' ').nth(3).unwrap().to_string());
    assert_eq!(found, expected);
    assert!(file(&kept).exists());
    backend.drop_db().await;
}
