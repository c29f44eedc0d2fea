//! The `push_event` table: each ref update of a push, queued for the work that follows a push.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct PushEventRow {
    pub id: i64,
    pub repo_id: i64,
    pub pusher_id: i64,
    pub ref_name: String,
    pub old_sha: String,
    pub new_sha: String,
    pub created_unix: i64,
}

/// Queue one ref update of a push.
pub async fn insert(
    c: Conn<'_>,
    repo_id: i64,
    pusher_id: i64,
    ref_name: &str,
    old_sha: &str,
    new_sha: &str,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO push_event (repo_id, pusher_id, ref_name, old_sha, new_sha, created_unix) \
        VALUES ($1, $2, $3, $4, $5, $6)";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(pusher_id).bind(ref_name).bind(old_sha).bind(new_sha).bind(now)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// A repository's push events, oldest first.
pub async fn of_repo(c: Conn<'_>, repo_id: i64) -> StoreResult<Vec<PushEventRow>> {
    const SQL: &str = "SELECT id, repo_id, pusher_id, ref_name, old_sha, new_sha, created_unix FROM push_event \
        WHERE repo_id = $1 ORDER BY id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, PushEventRow>(SQL).bind(repo_id).fetch_all(&mut *x).await)?)
}
