//! What the store's test binaries share: a PostgreSQL database of a test's own, when
//! `HEARTH_TEST_POSTGRES_URL` names a server whose user may create databases.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU64, Ordering};

/// A database of its own on the PostgreSQL server, dropped with this value.
pub struct PgTestDb {
    admin_url: String,
    name: String,
}

impl PgTestDb {
    /// `None` when no server is configured (the PostgreSQL half of a test then does nothing).
    pub async fn create(prefix: &str) -> Option<PgTestDb> {
        static N: AtomicU64 = AtomicU64::new(0);
        let admin_url = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("{prefix}_{}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed));
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await.expect("connect");
        let sql = format!("CREATE DATABASE {name}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await.expect("create database");
        Some(PgTestDb { admin_url, name })
    }

    /// The admin URL naming this database instead (its query kept).
    pub fn url(&self) -> String {
        let (base, query) = match self.admin_url.split_once('?') {
            Some((base, query)) => (base, format!("?{query}")),
            None => (self.admin_url.as_str(), String::new()),
        };
        let host = base.find("://").map_or(0, |i| i + 3);
        let path = base[host..].find('/').map_or(base.len(), |i| i + host);
        format!("{}/{}{query}", &base[..path], self.name)
    }
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime guarantee: a thread with its own drops the database
        // (`WITH (FORCE)` ends the pool's connections).
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            rt.block_on(async {
                if let Ok(mut conn) = <sqlx::PgConnection as sqlx::Connection>::connect(&url).await {
                    let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut conn).await;
                }
            });
        })
        .join();
    }
}
