//! The `mirror` table: the sync schedule of a repository that mirrors a remote one.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct MirrorRow {
    pub id: i64,
    pub repo_id: i64,
    pub interval_hours: i64,
    pub enable_prune: bool,
    pub remote_is_local: bool,
    pub updated_unix: i64,
    pub next_update_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, interval_hours, enable_prune, remote_is_local, updated_unix, next_update_unix"
    };
}

/// Make repository `repo_id` a mirror, first due `interval_hours` from `now`.
pub async fn insert(
    c: Conn<'_>,
    repo_id: i64,
    interval_hours: i64,
    remote_is_local: bool,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO mirror (repo_id, interval_hours, enable_prune, remote_is_local, updated_unix, next_update_unix) \
        VALUES ($1, $2, TRUE, $3, $4, $5)";
    let next = now + interval_hours * 3600;
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(interval_hours).bind(remote_is_local).bind(now).bind(next)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The mirror settings of a repository, if it is a mirror.
pub async fn of_repo(c: Conn<'_>, repo_id: i64) -> StoreResult<Option<MirrorRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM mirror WHERE repo_id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, MirrorRow>(SQL).bind(repo_id).fetch_optional(&mut *x).await)?)
}

/// Mirrors whose next update is due, oldest first.
pub async fn due(c: Conn<'_>, now: i64, limit: i64) -> StoreResult<Vec<MirrorRow>> {
    const SQL: &str =
        concat!("SELECT ", columns!(), " FROM mirror WHERE next_update_unix <= $1 ORDER BY next_update_unix LIMIT $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, MirrorRow>(SQL).bind(now).bind(limit).fetch_all(&mut *x).await)?)
}

/// When the next mirror falls due (unix seconds), if there is any mirror.
pub async fn next_due(c: Conn<'_>) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT MIN(next_update_unix) FROM mirror";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, Option<i64>>(SQL).fetch_one(&mut *x).await)?)
}

/// Record a sync at `now` and schedule the next one an interval later.
pub async fn mark_synced(c: Conn<'_>, repo_id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str =
        "UPDATE mirror SET updated_unix = $2, next_update_unix = $2 + interval_hours * 3600 WHERE repo_id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
