//! Three `hearth web` processes on one database and one data directory, behind a round-robin
//! proxy as a load balancer would put them (issue #23). Issues, pushes, pull requests and merges
//! go through the proxy at once, so consecutive requests land on different processes; the process
//! delivering the webhooks is killed (SIGKILL) with a delivery in flight. Every event is delivered
//! (only the one cut short twice), no issue number is given twice, every pull is merged once, and
//! the repository passes `git fsck`. Then the survivors see each other's writes at once on
//! PostgreSQL (LISTEN/NOTIFY), within the caches' 10 s on SQLite.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::*;
use tokio::net::{TcpListener, TcpStream};

/// One `hearth web` process.
struct Replica {
    name: String,
    port: u16,
    child: Option<Child>,
    log: PathBuf,
}

impl Replica {
    fn start(backend: &Backend, data: &Path, name: &str) -> Replica {
        // A free port may be taken by another test's server before this process binds it (it
        // then exits, and a connection would reach the other server): it counts as listening
        // only once its own log says so, and starts again on another port if it could not bind.
        for _ in 0..5 {
            let port = free_port();
            let mut cmd = hearth();
            backend.apply(&mut cmd);
            cmd.envs([
                ("HEARTH__SERVER__REPLICA_NAME", name),
                ("HEARTH__SECURITY__LOCAL_NETWORK_ALLOWLIST", "loopback"),
                ("HEARTH__WEBHOOK__RETRY_BACKOFF_MS", "50"),
                // A short timeout keeps a dead process's delivery lease short ((2 × 2 s + 5 s) × 2).
                ("HEARTH__WEBHOOK__DELIVER_TIMEOUT", "2"),
            ]);
            cmd.arg("web").arg("--data").arg(data).args(["--port", &port.to_string()]);
            // Its log goes to a file beside the data directory, shown when the test fails.
            let log = data.with_file_name(format!("{name}.log"));
            let mut child = cmd.stderr(std::fs::File::create(&log).unwrap()).spawn().unwrap();
            let listening = format!("listening on http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if std::fs::read_to_string(&log).unwrap_or_default().contains(&listening) {
                    return Replica { name: name.to_string(), port, child: Some(child), log };
                }
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                assert!(Instant::now() < deadline, "{name} did not listen");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("{name} could not listen on five free ports in turn");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/api/v1{path}", self.port)
    }

    fn sigkill(&mut self) {
        let mut child = self.child.take().unwrap();
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        // A failed test shows how each process ended and what it logged last.
        if std::thread::panicking()
            && let Some(c) = self.child.as_mut()
        {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().filter(|l| !l.contains(" INFO ")).collect();
            let tail = tail[tail.len().saturating_sub(40)..].join("\n");
            eprintln!("--- {} (exited: {:?}), last warnings:\n{tail}", self.name, c.try_wait());
        }
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A TCP proxy handing each new connection to the next process in turn, skipping those that
/// refuse it (dead), as a load balancer's health check would.
struct Proxy {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    async fn start(upstreams: Vec<u16>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let next = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(async move {
            while let Ok((mut down, _)) = listener.accept().await {
                let first = next.fetch_add(1, Ordering::Relaxed);
                let upstreams = upstreams.clone();
                tokio::spawn(async move {
                    for k in 0..upstreams.len() {
                        let port = upstreams[(first + k) % upstreams.len()];
                        if let Ok(mut up) = TcpStream::connect(("127.0.0.1", port)).await {
                            let _ = tokio::io::copy_bidirectional(&mut down, &mut up).await;
                            return;
                        }
                    }
                });
            }
        });
        Proxy { port, task }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/api/v1{path}", self.port)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A webhook receiver that records each request as it arrives (delivery id, payload, whether
/// held) and answers 200 after a pause, or, while held, not before it is let go.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<(String, Value, bool)>>>,
    hold: Arc<AtomicBool>,
}

impl Receiver {
    async fn start(&self) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let me = self.clone();
        let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let me = me.clone();
            async move {
                let id = headers.get("x-gogs-delivery").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
                let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let held = me.hold.load(Ordering::SeqCst);
                me.got.lock().unwrap().push((id, payload, held));
                tokio::time::sleep(Duration::from_millis(100)).await;
                while held && me.hold.load(Ordering::SeqCst) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                "thanks"
            }
        });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        format!("http://{addr}/hook")
    }

    fn got(&self) -> Vec<(String, Value, bool)> {
        self.got.lock().unwrap().clone()
    }
}

/// A client that opens a new connection for every request, so that the proxy spreads them.
fn client() -> reqwest::Client {
    hearth_server::install_crypto_provider();
    reqwest::Client::builder().pool_max_idle_per_host(0).build().unwrap()
}

async fn call(c: &reqwest::Client, method: reqwest::Method, url: &str, token: &str, body: Value) -> (u16, Value) {
    let mut req = c.request(method.clone(), url).header("Authorization", format!("token {token}"));
    if method != reqwest::Method::GET {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .args(["-c", "user.name=T", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_processes_behind_a_proxy_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backend = Backend::new().await;
    let made = create_user(
        &backend,
        &data,
        &["--name", "alice", "--email", "alice@example.com", "--password", "alice-secret-1", "--admin"],
    );
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let mut cmd = hearth();
    backend.apply(&mut cmd);
    let out = cmd.args(["admin", "create-token", "--data"]).arg(&data).args(["--name", "alice", "--token-name", "ci"]);
    let out = out.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();

    // Started one at a time (each checks the repository root at start).
    let mut replicas: Vec<Replica> = ["r1", "r2", "r3"].iter().map(|n| Replica::start(&backend, &data, n)).collect();
    let proxy = Proxy::start(replicas.iter().map(|r| r.port).collect()).await;
    let c = client();
    let post = reqwest::Method::POST;

    let (status, repo) =
        call(&c, post.clone(), &proxy.url("/user/repos"), &token, json!({"name": "shared", "auto_init": true})).await;
    assert_eq!(status, 201, "{repo}");
    let repo_id = repo["id"].as_i64().unwrap();
    let rx = Receiver::default();
    let hook = json!({"type": "gogs", "active": true, "events": ["issues", "push", "pull_request"],
        "config": {"url": rx.start().await, "content_type": "json"}});
    let (status, body) = call(&c, post.clone(), &proxy.url("/repos/alice/shared/hooks"), &token, hook).await;
    assert_eq!(status, 201, "{body}");

    // Issues opened at once through the proxy: every one gets its own number.
    let issues = 24;
    let mut opening = tokio::task::JoinSet::new();
    for i in 0..issues {
        let (c, url, token) = (c.clone(), proxy.url("/repos/alice/shared/issues"), token.clone());
        opening.spawn(async move {
            call(&c, reqwest::Method::POST, &url, &token, json!({"title": format!("issue {i}")})).await
        });
    }
    let mut numbers = Vec::new();
    while let Some(done) = opening.join_next().await {
        let (status, body) = done.unwrap();
        assert_eq!(status, 201, "{body}");
        numbers.push(body["number"].as_i64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=issues).collect::<Vec<_>>());

    // Pushes at the same time, each to its own branch (git's requests spread over the processes).
    let remote = format!("http://alice:alice-secret-1@127.0.0.1:{}/alice/shared.git", proxy.port);
    let pushes: Vec<_> = (0..3)
        .map(|i| {
            let (remote, wt) = (remote.clone(), dir.path().join(format!("wt{i}")));
            std::thread::spawn(move || {
                git(wt.parent().unwrap(), &["clone", "-q", &remote, wt.to_str().unwrap()]);
                git(&wt, &["checkout", "-q", "-b", &format!("b{i}")]);
                std::fs::write(wt.join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
                git(&wt, &["add", "."]);
                git(&wt, &["commit", "-q", "-m", &format!("push {i}")]);
                git(&wt, &["push", "-q", "origin", &format!("b{i}")]);
            })
        })
        .collect();
    for p in pushes {
        p.join().unwrap();
    }

    // A pull for each branch, merged at once through different processes. A merge that finds the
    // base moved under it is refused (409, as Gitea's "merge push out of date") and made again.
    let mut pulls = Vec::new();
    for i in 0..3 {
        let pull = json!({"head": format!("b{i}"), "base": "master", "title": format!("pull {i}")});
        let (status, body) = call(&c, post.clone(), &proxy.url("/repos/alice/shared/pulls"), &token, pull).await;
        assert_eq!(status, 201, "{body}");
        pulls.push(body["number"].as_i64().unwrap());
    }
    // Issues and pulls share one sequence of numbers.
    assert_eq!(pulls, [issues + 1, issues + 2, issues + 3]);
    let mut merging = tokio::task::JoinSet::new();
    for n in pulls.clone() {
        let (c, url, token) = (c.clone(), proxy.url(&format!("/repos/alice/shared/pulls/{n}/merge")), token.clone());
        merging.spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            loop {
                let (status, body) = call(&c, reqwest::Method::POST, &url, &token, json!({"Do": "merge"})).await;
                match status {
                    200 => return,
                    // Base moved (409) or still being checked (405): again.
                    409 | 405 if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                    _ => panic!("merging pull {n}: {status} {body}"),
                }
            }
        });
    }
    while let Some(done) = merging.join_next().await {
        done.unwrap();
    }

    // One more event, held by the receiver; whichever process delivers it is killed meanwhile.
    rx.hold.store(true, Ordering::SeqCst);
    let last = json!({"title": "the last"});
    let (status, body) = call(&c, post.clone(), &proxy.url("/repos/alice/shared/issues"), &token, last).await;
    assert_eq!(status, 201, "{body}");
    let deadline = Instant::now() + Duration::from_secs(60);
    let held = loop {
        if let Some((id, _, _)) = rx.got().into_iter().find(|(_, _, held)| *held) {
            break id;
        }
        assert!(Instant::now() < deadline, "no delivery reached the held receiver");
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let lease = format!("SELECT holder FROM lease WHERE name = 'hook:{repo_id}'");
    let holder: String = sql_row(&backend, &data, &lease).await.expect("a process holds the lease");
    let victim = replicas.iter().position(|r| holder.starts_with(&format!("{}-", r.name))).expect("holder");
    replicas[victim].sigkill();
    let dead = replicas.remove(victim);
    rx.hold.store(false, Ordering::SeqCst);

    // The survivors take over once the dead process's lease has expired, and finish the queue.
    // (Finished, not necessarily answered 200: on a loaded machine the receiver may take longer
    // than the 2 s timeout, which is recorded as a failure and, having perhaps been acted on, not
    // retried. That it arrived is checked below.)
    let deadline = Instant::now() + Duration::from_secs(60);
    let pending = format!("SELECT COUNT(*) FROM hook_task WHERE repo_id = {repo_id} AND NOT is_delivered");
    loop {
        let left: i64 = sql_row(&backend, &data, &pending).await.unwrap();
        if left == 0 {
            break;
        }
        if Instant::now() > deadline {
            let row = format!(
                "SELECT uuid || ' ' || id || ' ' || is_delivered || ' ' || is_succeed || ' ' || attempts || ' ' || response_content \
                 FROM hook_task WHERE repo_id = {repo_id} AND NOT is_delivered"
            );
            let task: Option<String> = sql_row(&backend, &data, &row).await;
            let lease = format!("SELECT holder || ' ' || until_ms FROM lease WHERE name = 'hook:{repo_id}'");
            let lease: Option<String> = sql_row(&backend, &data, &lease).await;
            let logs: Vec<String> = ["r1", "r2", "r3"]
                .iter()
                .map(|n| std::fs::read_to_string(data.with_file_name(format!("{n}.log"))).unwrap_or_default())
                .map(|log| log.lines().filter(|l| !l.contains(" INFO ")).collect::<Vec<_>>().join("\n"))
                .collect();
            let arrived: Vec<String> = rx.got().iter().map(|(id, _, held)| format!("{id} {held}")).collect();
            panic!(
                "{left} deliveries left after {} ({holder}) died: {task:?}, lease {lease:?}\n{logs:#?}\n{arrived:#?}",
                dead.name
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let task_ids = format!("SELECT COUNT(*) FROM hook_task WHERE repo_id = {repo_id}");
    let tasks: i64 = sql_row(&backend, &data, &task_ids).await.unwrap();

    // Every event reached the receiver under its own delivery id; only the one cut short by the
    // kill came twice.
    let got = rx.got();
    let mut by_delivery: BTreeMap<&str, usize> = BTreeMap::new();
    for (id, _, _) in &got {
        *by_delivery.entry(id.as_str()).or_default() += 1;
    }
    assert_eq!(by_delivery.len() as i64, tasks, "{by_delivery:?}");
    let repeated: Vec<_> = by_delivery.iter().filter(|(_, n)| **n > 1).collect();
    assert!(repeated.iter().all(|(id, n)| **id == held && **n == 2), "{repeated:?} (held {held})");
    let events: BTreeMap<&str, &Value> = got.iter().map(|(id, p, _)| (id.as_str(), p)).collect();
    let opened: BTreeSet<i64> = events
        .values()
        .filter(|p| p["action"] == "opened" && p["pull_request"].is_null())
        .map(|p| p["issue"]["number"].as_i64().unwrap())
        .collect();
    assert_eq!(opened, (1..=issues).chain([issues + 4]).collect());
    let merged: Vec<i64> = events
        .values()
        .filter(|p| p["action"] == "closed" && p["pull_request"]["merged"] == true)
        .map(|p| p["number"].as_i64().unwrap())
        .collect();
    assert_eq!(merged.iter().copied().collect::<BTreeSet<_>>(), pulls.iter().copied().collect(), "{merged:?}");
    assert_eq!(merged.len(), 3, "each merge announced once: {merged:?}");

    // The repository is sound: every branch merged once.
    let bare: PathBuf = data.join("repositories/alice/shared.git");
    let fsck = Command::new("git").arg("-C").arg(&bare).args(["fsck", "--strict"]).output().unwrap();
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
    let merges = Command::new("git").arg("-C").arg(&bare).args(["rev-list", "--merges", "master"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&merges.stdout).lines().count(), 3);
    let tree = Command::new("git").arg("-C").arg(&bare).args(["ls-tree", "--name-only", "master"]).output().unwrap();
    let files: BTreeSet<String> = String::from_utf8_lossy(&tree.stdout).lines().map(String::from).collect();
    assert!(["f0.txt", "f1.txt", "f2.txt"].iter().all(|f| files.contains(*f)), "{files:?}");

    // A write through one survivor is seen by the other, which had the row cached: at once on
    // PostgreSQL (it is told), within the row cache's 10 s on SQLite.
    let bound = if backend.pg.is_some() { Duration::from_secs(2) } else { Duration::from_secs(11) };
    let (a, b) = (&replicas[0], &replicas[1]);
    let get = reqwest::Method::GET;
    assert_eq!(call(&c, get.clone(), &a.url("/repos/alice/shared"), "", Value::Null).await.0, 200);
    let private = json!({"private": true});
    assert_eq!(call(&c, reqwest::Method::PATCH, &b.url("/repos/alice/shared"), &token, private).await.0, 200);
    let since = Instant::now();
    while call(&c, get.clone(), &a.url("/repos/alice/shared"), "", Value::Null).await.0 == 200 {
        assert!(since.elapsed() < bound, "a private repository still shows after {bound:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A token deleted through one is refused by the other.
    assert_eq!(call(&c, get.clone(), &a.url("/user"), &token, Value::Null).await.0, 200);
    let revoke = c.delete(b.url("/users/alice/tokens/ci")).basic_auth("alice", Some("alice-secret-1"));
    assert_eq!(revoke.send().await.unwrap().status().as_u16(), 204);
    let since = Instant::now();
    while call(&c, get.clone(), &a.url("/user"), &token, Value::Null).await.0 == 200 {
        assert!(since.elapsed() < bound, "a deleted token still works after {bound:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Failed password logins through one count in the other too, on PostgreSQL: a guesser
    // gains nothing by spreading guesses over the processes (10 failures per name by default).
    let guess = |r: &Replica| c.get(r.url("/user")).basic_auth("mallory", Some("wrong")).send();
    for _ in 0..10 {
        assert_eq!(guess(a).await.unwrap().status().as_u16(), 401);
    }
    assert_eq!(guess(a).await.unwrap().status().as_u16(), 429);
    let since = Instant::now();
    loop {
        let status = guess(b).await.unwrap().status().as_u16();
        if status == 429 {
            assert!(backend.pg.is_some(), "on SQLite each process counts alone");
            break;
        }
        assert_eq!(status, 401);
        if backend.pg.is_none() {
            break;
        }
        assert!(since.elapsed() < bound, "failures elsewhere not counted after {bound:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // The survivors stop cleanly, giving their leases up (the dead one's expire).
    for mut r in replicas {
        let status = terminate(r.child.take().unwrap());
        assert!(status.success(), "{} stopped with {status}", r.name);
        let held = format!("SELECT COUNT(*) FROM lease WHERE holder LIKE '{}-%'", r.name);
        assert_eq!(sql_row::<i64>(&backend, &data, &held).await, Some(0), "{} left leases", r.name);
    }
    drop(proxy);
    backend.drop_db().await;
}
