//! The `notice` table: messages for site administrators, newest first.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct NoticeRow {
    pub id: i64,
    /// 1 repository, 2 background task (see the migration).
    #[sqlx(rename = "type")]
    pub kind: i64,
    pub description: String,
    pub created_unix: i64,
}

pub async fn insert(c: Conn<'_>, kind: i64, description: &str, now: i64) -> StoreResult<NoticeRow> {
    const SQL: &str = "INSERT INTO notice (type, description, created_unix) VALUES ($1, $2, $3) \
        RETURNING id, type, description, created_unix";
    Ok(with_conn!(c, x => sqlx::query_as::<_, NoticeRow>(SQL).bind(kind).bind(description).bind(now)
        .fetch_one(&mut *x).await)?)
}

/// A page of notices, newest first, and how many there are.
pub async fn list(mut c: Conn<'_>, limit: i64, offset: i64) -> StoreResult<(Vec<NoticeRow>, i64)> {
    const SQL: &str = "SELECT id, type, description, created_unix FROM notice ORDER BY id DESC LIMIT $1 OFFSET $2";
    let rows = with_conn!(c.reborrow(), x => sqlx::query_as::<_, NoticeRow>(SQL).bind(limit).bind(offset)
        .fetch_all(&mut *x).await)?;
    const COUNT: &str = "SELECT COUNT(*) FROM notice";
    let total = with_conn!(c, x => sqlx::query_scalar(COUNT).fetch_one(&mut *x).await)?;
    Ok((rows, total))
}

/// Delete one notice; false when there was none.
pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM notice WHERE id = $1";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

pub async fn delete_all(c: Conn<'_>) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM notice";
    with_conn!(c, x => sqlx::query(SQL).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
