//! Backend-specific behaviour: both migration sets describe the same schema, and the server
//! survives losing its database connections.

use std::collections::BTreeMap;

use crate::support::*;

/// Table → sorted column names.
type Schema = BTreeMap<String, Vec<String>>;

async fn sqlite_schema() -> Schema {
    let dir = tempfile::tempdir().unwrap();
    let db = hearth_store::Db::open_sqlite(&dir.path().join("s.db"), &Default::default()).await.unwrap();
    let hearth_store::Pool::Sqlite(pool) = db.pool() else { unreachable!() };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    group(rows)
}

fn group(rows: Vec<(String, String)>) -> Schema {
    let mut schema = Schema::new();
    for (table, column) in rows {
        schema.entry(table).or_default().push(column);
    }
    schema.values_mut().for_each(|cols| cols.sort());
    schema
}

#[tokio::test]
async fn both_backends_have_the_same_schema() {
    let s = TestServer::start().await;
    let sqlite = sqlite_schema().await;
    assert!(sqlite.contains_key("user") && sqlite.contains_key("access_token"), "{sqlite:?}");
    if !s.is_postgres() {
        return;
    }
    let db = hearth_server::open_db(&s.config).await.unwrap();
    let hearth_store::Pool::Postgres(pool) = db.pool() else { unreachable!() };
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '_sqlx%'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    db.close().await;
    assert_eq!(group(rows), sqlite);
}

#[tokio::test]
async fn recovers_after_losing_database_connections() {
    let s = TestServer::start().await;
    if !s.is_postgres() {
        return;
    }
    let (_alice, token) = s.user_with_token("alice", false).await;
    assert_eq!(s.get("/user").token(&token).send().await.unwrap().status(), 200);

    s.terminate_db_connections().await;

    // Requests in flight may fail (with Gogs' JSON 500, never a dropped connection); the pool
    // then reconnects by itself.
    let mut recovered = false;
    for _ in 0..20 {
        let resp = s.get("/user").token(&token).send().await.expect("the server stays up");
        match resp.status().as_u16() {
            200 => {
                recovered = true;
                break;
            }
            500 => {
                let (_, body) = json(resp).await;
                assert!(body["message"].as_str().unwrap().starts_with("Something went wrong"));
            }
            other => panic!("unexpected status {other}"),
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(recovered, "the pool did not recover");
    // Writes work again too.
    assert_eq!(s.put("/user/following/alice").token(&token).send().await.unwrap().status(), 204);
}
