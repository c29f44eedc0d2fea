//! A PostgreSQL database of its own for each test.

/// A fresh PostgreSQL database for one test, when `HEARTH_TEST_POSTGRES_URL` is set (an URL whose
/// user may create databases). Every test gets its own, so tests run in parallel.
pub(super) struct PgTestDb {
    pub(super) admin_url: String,
    pub(super) name: String,
}

impl PgTestDb {
    pub(super) async fn create() -> Option<PgTestDb> {
        let admin_url = std::env::var("HEARTH_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty())?;
        let name = format!("hearth_test_{}_{}", std::process::id(), super::server::rand_suffix());
        let mut conn =
            <sqlx::PgConnection as sqlx::Connection>::connect(&admin_url).await.expect("connect to PostgreSQL");
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        Some(PgTestDb { admin_url, name })
    }

    /// The admin URL with the database name replaced.
    pub(super) fn url(&self) -> String {
        with_database(&self.admin_url, &self.name)
    }
}

/// Replace the database (path) of a PostgreSQL URL, keeping its query.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| i + scheme_end).unwrap_or(base.len());
    format!("{}/{db}{query}", &base[..host_end])
}

impl Drop for PgTestDb {
    fn drop(&mut self) {
        let (url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs outside any runtime guarantee: use a thread with its own.
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
