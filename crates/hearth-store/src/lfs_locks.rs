//! The `lfs_lock` table: Git LFS file locks. A repository has at most one lock per path (the
//! unique index decides between concurrent requests), held by the user who created it; locks go
//! with their repository and with their owner's account.

use crate::{Conn, StoreError, StoreResult, Unique, with_conn};

/// A lock, with its owner's user name.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LfsLockRow {
    pub id: i64,
    pub repo_id: i64,
    pub owner_id: i64,
    pub owner_name: String,
    pub path: String,
    /// The ref the client named when it locked (kept, not used for matching).
    pub ref_name: Option<String>,
    pub created_unix: i64,
}

macro_rules! lock_select {
    () => {
        "SELECT l.id, l.repo_id, l.owner_id, u.name AS owner_name, l.path, l.ref_name, l.created_unix \
         FROM lfs_lock l JOIN \"user\" u ON u.id = l.owner_id "
    };
}

/// A lock to create. The path is taken as it is: callers normalise it.
#[derive(Debug, Clone, Copy)]
pub struct NewLock<'a> {
    pub repo_id: i64,
    pub owner_id: i64,
    pub path: &'a str,
    pub ref_name: Option<&'a str>,
    pub now: i64,
}

/// Why a lock was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    /// The path is locked already: the lock that holds it.
    #[error("path already locked (lock {})", .0.id)]
    Locked(Box<LfsLockRow>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Create a lock; [`CreateError::Locked`] with the existing lock when the path has one.
pub async fn create(mut c: Conn<'_>, new: &NewLock<'_>) -> Result<LfsLockRow, CreateError> {
    const SQL: &str = "INSERT INTO lfs_lock (repo_id, owner_id, path, ref_name, created_unix) \
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (repo_id, path) DO NOTHING RETURNING id";
    // A lock in the way may be released between the insert and the look-up: then try again.
    for _ in 0..3 {
        let id: Option<i64> = with_conn!(c.reborrow(), x => sqlx::query_scalar(SQL).bind(new.repo_id)
            .bind(new.owner_id).bind(new.path).bind(new.ref_name).bind(new.now).fetch_optional(&mut *x).await)
        .map_err(StoreError::from)?;
        if let Some(id) = id {
            return find(c, new.repo_id, id).await?.ok_or(CreateError::Store(StoreError::NotFound));
        }
        if let Some(existing) = by_path(c.reborrow(), new.repo_id, new.path).await? {
            return Err(CreateError::Locked(Box::new(existing)));
        }
    }
    Err(CreateError::Store(StoreError::Conflict(Unique::LfsLock)))
}

/// The lock `id` of `repo_id`, if there is one.
pub async fn find(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<LfsLockRow>> {
    const SQL: &str = concat!(lock_select!(), "WHERE l.repo_id = $1 AND l.id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, LfsLockRow>(SQL).bind(repo_id).bind(id).fetch_optional(&mut *x).await)?)
}

/// The lock on `path` in `repo_id`, if there is one.
pub async fn by_path(c: Conn<'_>, repo_id: i64, path: &str) -> StoreResult<Option<LfsLockRow>> {
    const SQL: &str = concat!(lock_select!(), "WHERE l.repo_id = $1 AND l.path = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, LfsLockRow>(SQL).bind(repo_id).bind(path)
        .fetch_optional(&mut *x).await)?)
}

/// Which locks of a repository to list: optional filters, then a page.
#[derive(Debug, Clone, Copy, Default)]
pub struct LockQuery<'a> {
    /// Only the lock on this path.
    pub path: Option<&'a str>,
    /// Only the lock with this id.
    pub id: Option<i64>,
    /// Start at this lock (a `next_cursor` handed out before).
    pub cursor: Option<i64>,
    /// At most this many locks (at least one is asked for).
    pub limit: i64,
}

/// A page of locks and the cursor of the next one, if there is more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LockPage {
    pub locks: Vec<LfsLockRow>,
    pub next_cursor: Option<i64>,
}

/// A repository's locks matching `q`, newest first (the order git-lfs expects, so that locks made
/// while a client pages do not shift the pages): the cursor is the id of the first lock of the
/// next page.
pub async fn list(c: Conn<'_>, repo_id: i64, q: &LockQuery<'_>) -> StoreResult<LockPage> {
    const SQL: &str = concat!(
        lock_select!(),
        "WHERE l.repo_id = $1 AND ($2 = '' OR l.path = $2) AND ($3 = 0 OR l.id = $3) AND ($4 = 0 OR l.id <= $4) \
         ORDER BY l.id DESC LIMIT $5"
    );
    let limit = q.limit.max(1);
    let mut locks = with_conn!(c, x => sqlx::query_as::<_, LfsLockRow>(SQL).bind(repo_id)
        .bind(q.path.unwrap_or("")).bind(q.id.unwrap_or(0)).bind(q.cursor.unwrap_or(0))
        .bind(limit.saturating_add(1)).fetch_all(&mut *x).await)?;
    let next_cursor = if locks.len() as i64 > limit { locks.pop().map(|l| l.id) } else { None };
    Ok(LockPage { locks, next_cursor })
}

/// Remove the lock `id` of `repo_id`; whether there was one.
pub async fn delete(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM lfs_lock WHERE repo_id = $1 AND id = $2";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(id)
        .execute(&mut *x).await.map(|r| r.rows_affected() > 0))?)
}
