//! The `lease` table: background work that must not run in two server processes (replicas) at
//! once is done by whichever holds its lease. Taking, renewing and giving one up are single
//! statements, atomic on SQLite and PostgreSQL alike; a lease whose holder died expires by itself.

use crate::{Conn, StoreResult, with_conn};

/// Take `name` for `holder` until `until_ms`, when it is free, expired (before `now_ms`) or
/// already `holder`'s (a renewal). Whether `holder` holds it now.
pub async fn acquire(c: Conn<'_>, name: &str, holder: &str, now_ms: i64, until_ms: i64) -> StoreResult<bool> {
    const SQL: &str = "INSERT INTO lease (name, holder, until_ms) VALUES ($1, $2, $3) \
        ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms \
        WHERE lease.holder = excluded.holder OR lease.until_ms < $4";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(name).bind(holder).bind(until_ms).bind(now_ms)
        .execute(&mut *x).await.map(|r| r.rows_affected() > 0))?)
}

/// Give `name` up, if `holder` holds it.
pub async fn release(c: Conn<'_>, name: &str, holder: &str) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM lease WHERE name = $1 AND holder = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(name).bind(holder).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Who holds `name` and until when, if anyone does (expired or not).
pub async fn holder(c: Conn<'_>, name: &str) -> StoreResult<Option<(String, i64)>> {
    const SQL: &str = "SELECT holder, until_ms FROM lease WHERE name = $1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, (String, i64)>(SQL).bind(name).fetch_optional(&mut *x).await)?)
}

#[cfg(test)]
mod tests {
    use crate::{Db, DbOptions};

    #[tokio::test]
    async fn one_holder_at_a_time_until_it_expires() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&dir.path().join("t.db"), &DbOptions::default()).await.unwrap();
        let mut h = db.acquire().await.unwrap();
        assert!(super::acquire(h.conn(), "job:x", "a", 1_000, 2_000).await.unwrap());
        assert!(!super::acquire(h.conn(), "job:x", "b", 1_500, 2_500).await.unwrap());
        assert!(super::acquire(h.conn(), "job:x", "a", 1_500, 3_000).await.unwrap(), "renewal");
        assert_eq!(super::holder(h.conn(), "job:x").await.unwrap(), Some(("a".into(), 3_000)));
        assert!(super::acquire(h.conn(), "job:x", "b", 3_001, 4_000).await.unwrap(), "expired");
        super::release(h.conn(), "job:x", "a").await.unwrap();
        assert_eq!(super::holder(h.conn(), "job:x").await.unwrap().unwrap().0, "b");
        super::release(h.conn(), "job:x", "b").await.unwrap();
        assert!(super::acquire(h.conn(), "job:x", "c", 3_002, 4_000).await.unwrap());
    }
}
