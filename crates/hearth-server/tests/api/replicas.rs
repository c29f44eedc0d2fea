//! Several servers on one database and one data directory, as replicas behind a load balancer:
//! concurrent writes through different replicas, webhook deliveries shared between them by
//! per-repository leases, and one replica killed in the middle of a delivery. Nothing is lost,
//! no issue number is given twice, every event is delivered, and the repository stays sound.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use serde_json::json as j;
use tokio::net::TcpListener;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn replicas_share_the_work_and_lose_nothing() {
    let first = TestServer::start_with(|raw| {
        raw.set("security", "LOCAL_NETWORK_ALLOWLIST", "loopback");
        raw.set("webhook", "RETRY_BACKOFF_MS", "50");
        // A short timeout keeps a dead replica's delivery lease short ((2 × 2 s + 5 s) × 2).
        raw.set("webhook", "DELIVER_TIMEOUT", "2");
        raw.set("server", "REPLICA_NAME", "r1");
    })
    .await;
    let second = first.replica("r2").await;
    let third = first.replica("r3").await;
    let (alice, token) = first.user_with_token("alice", false).await;
    let repo = first.create_repo(&token, j!({"name": "shared", "auto_init": true})).await;
    let repo_id = repo["id"].as_i64().unwrap();
    // A slow receiver: each delivery takes a while, so one is in flight when a replica dies.
    let rx = Receiver::on(TcpListener::bind("127.0.0.1:0").await.unwrap(), Vec::new(), Duration::from_millis(250));
    let (status, body) = second
        .post_json(
            "/repos/alice/shared/hooks",
            &token,
            j!({"type": "gogs", "active": true, "events": ["issues", "push"],
                "config": {"url": rx.url(), "content_type": "json"}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // Issues opened at once through all three: every one gets its own number.
    let mut servers = [Some(first), Some(second), Some(third)];
    let issues = 24;
    let created =
        join_all(
            (0..issues).map(|i| {
                let server = servers[i % 3].as_ref().unwrap();
                let token = token.clone();
                async move {
                    server.post_json("/repos/alice/shared/issues", &token, j!({"title": format!("issue {i}")})).await
                }
            }),
        )
        .await;
    let mut numbers = Vec::new();
    for (status, body) in &created {
        assert_eq!(*status, 201, "{body}");
        numbers.push(body["number"].as_i64().unwrap());
    }
    numbers.sort();
    assert_eq!(numbers, (1..=issues as i64).collect::<Vec<_>>());

    // Pushes through different replicas, at the same time, to their own branches.
    let pushes: Vec<_> = (0..3)
        .map(|i| {
            let url = servers[i].as_ref().unwrap().git_url(Some((&alice.name, &alice.password)), "alice", "shared");
            std::thread::spawn(move || {
                let git = Git::new();
                git.ok(None, &["clone", "-q", &url, "wt"]);
                let wt = git.path("wt");
                git.ok(Some(&wt), &["checkout", "-q", "-b", &format!("b{i}")]);
                std::fs::write(wt.join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
                git.ok(Some(&wt), &["add", "."]);
                git.ok(Some(&wt), &["commit", "-q", "-m", &format!("push {i}")]);
                git.ok(Some(&wt), &["push", "-q", "origin", &format!("b{i}")]);
            })
        })
        .collect();
    for p in pushes {
        p.join().unwrap();
    }
    let events = issues + 3;

    // Kill whichever replica is delivering, in the middle of a delivery.
    let deadline = Instant::now() + Duration::from_secs(30);
    while rx.got().len() < 3 {
        assert!(Instant::now() < deadline, "no deliveries: {:?}", rx.got().len());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let survivor = servers.iter().flatten().next().unwrap().config.clone();
    let holder = lease_holder(&survivor, &format!("hook:{repo_id}")).await.expect("a replica holds the lease");
    let victim = servers
        .iter()
        .position(|s| s.as_ref().is_some_and(|s| holder.starts_with(&format!("{}-", s.config.server.replica_name))))
        .unwrap_or_else(|| panic!("no replica holds {holder}"));
    let in_flight_at_kill = rx.got().len();
    let _kept = servers[victim].take().unwrap().kill();

    // The others take over once the dead replica's lease has expired, and finish the queue.
    let alive: Vec<&TestServer> = servers.iter().flatten().collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let done = alive[0]
            .sql_i64(&format!(
                "SELECT COUNT(*) FROM hook_task WHERE repo_id = {repo_id} AND is_delivered AND is_succeed"
            ))
            .await;
        if done == events as i64 {
            break;
        }
        assert!(Instant::now() < deadline, "{done} of {events} delivered; receiver got {}", rx.got().len());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tasks = alive[0].sql_i64(&format!("SELECT COUNT(*) FROM hook_task WHERE repo_id = {repo_id}")).await;
    assert_eq!(tasks, events as i64, "one task per event");

    // Every event reached the receiver under its own delivery id; only the one cut short by the
    // kill may have come twice (at least once), and never two at the same time.
    let got = rx.got();
    let mut by_delivery: BTreeMap<String, usize> = BTreeMap::new();
    for r in &got {
        *by_delivery.entry(r.header("x-gogs-delivery").to_string()).or_default() += 1;
    }
    assert_eq!(by_delivery.len(), events, "{by_delivery:?}");
    let repeated: Vec<_> = by_delivery.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.len() <= 1 && repeated.iter().all(|(_, n)| **n == 2),
        "{repeated:?} (killed after {in_flight_at_kill})"
    );
    let opened: BTreeSet<i64> = got
        .iter()
        .filter(|r| r.header("x-gogs-event") == "issues")
        .map(|r| r.payload()["issue"]["number"].as_i64().unwrap())
        .collect();
    assert_eq!(opened, (1..=issues as i64).collect());

    // The repository is sound, with every branch pushed.
    let dir = alive[0].config.repository.root.join("alice/shared.git");
    let fsck = std::process::Command::new("git").arg("-C").arg(&dir).args(["fsck", "--strict"]).output().unwrap();
    assert!(fsck.status.success(), "{}", String::from_utf8_lossy(&fsck.stderr));
    let (_, branches) = alive[0].get_json("/repos/alice/shared/branches", &token).await;
    let names: BTreeSet<&str> = branches.as_array().unwrap().iter().map(|b| b["name"].as_str().unwrap()).collect();
    assert_eq!(names, BTreeSet::from(["b0", "b1", "b2", "master"]));

    // A repository made private through one replica is hidden by another within the row cache's
    // bound (10 s), though that replica had it cached.
    assert_eq!(alive[0].get_json("/repos/alice/shared", Anon).await.0, 200);
    assert_eq!(alive[1].patch_json("/repos/alice/shared", &token, j!({"private": true})).await.0, 200);
    let hidden = Instant::now();
    while alive[0].get_json("/repos/alice/shared", Anon).await.0 == 200 {
        assert!(hidden.elapsed() < Duration::from_secs(11), "a private repository still shows after 11 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // A token revoked by another process stops working here within the token cache's bound (10 s).
    let (status, _) = alive[0].get_json("/user", &token).await;
    assert_eq!(status, 200);
    alive[1].sql("DELETE FROM access_token").await;
    let revoked = Instant::now();
    while alive[0].get_json("/user", &token).await.0 == 200 {
        assert!(revoked.elapsed() < Duration::from_secs(11), "a revoked token still works after 11 s");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn lease_holder(config: &hearth_server::Config, name: &str) -> Option<String> {
    let db = hearth_server::open_db(config).await.unwrap();
    let mut h = db.acquire().await.unwrap();
    hearth_store::lease::holder(h.conn(), name).await.unwrap().map(|(holder, _)| holder)
}
