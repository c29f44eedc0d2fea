//! The `lfs_object` table: which Git LFS objects each repository references. The objects
//! themselves live content-addressed on disk (the server's `[lfs] OBJECTS_PATH`); a repository
//! reaches only the objects linked to it here.

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LfsObjectRow {
    pub repo_id: i64,
    pub oid: String,
    pub size: i64,
    pub created_unix: i64,
}

/// Link an object to a repository (a no-op when it is linked already); returns whether a row was
/// written.
pub async fn link(c: Conn<'_>, repo_id: i64, oid: &str, size: i64, now: i64) -> StoreResult<bool> {
    const SQL: &str = "INSERT INTO lfs_object (repo_id, oid, size, created_unix) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (repo_id, oid) DO NOTHING";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(oid).bind(size).bind(now)
        .execute(&mut *x).await.map(|r| r.rows_affected() > 0))?)
}

/// The object `oid` as linked to `repo_id`, if it is.
pub async fn find(c: Conn<'_>, repo_id: i64, oid: &str) -> StoreResult<Option<LfsObjectRow>> {
    const SQL: &str = "SELECT repo_id, oid, size, created_unix FROM lfs_object WHERE repo_id = $1 AND oid = $2";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LfsObjectRow>(SQL).bind(repo_id).bind(oid)
        .fetch_optional(&mut *x).await)?)
}

/// The objects linked to `repo_id`, by oid.
pub async fn of_repo(c: Conn<'_>, repo_id: i64) -> StoreResult<Vec<LfsObjectRow>> {
    const SQL: &str = "SELECT repo_id, oid, size, created_unix FROM lfs_object WHERE repo_id = $1 ORDER BY oid";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LfsObjectRow>(SQL).bind(repo_id).fetch_all(&mut *x).await)?)
}

/// Link every object of `from` to `to` as well (a fork references what its source did); returns
/// how many links were added.
pub async fn copy_links(c: Conn<'_>, from: i64, to: i64, now: i64) -> StoreResult<u64> {
    const SQL: &str = "INSERT INTO lfs_object (repo_id, oid, size, created_unix) \
        SELECT $2, oid, size, $3 FROM lfs_object WHERE repo_id = $1 ON CONFLICT (repo_id, oid) DO NOTHING";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(from).bind(to).bind(now)
        .execute(&mut *x).await.map(|r| r.rows_affected()))?)
}

/// The sum of the sizes of the objects linked to `repo_id`, in bytes.
pub async fn total_size(c: Conn<'_>, repo_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM lfs_object WHERE repo_id = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).bind(repo_id).fetch_one(&mut *x).await)?)
}

/// Every object any repository references, once per (oid, size) (two sizes for one oid would be
/// a damaged row; the object's file tells which one is right), by oid.
pub async fn all_objects(c: Conn<'_>) -> StoreResult<Vec<(String, i64)>> {
    const SQL: &str = "SELECT DISTINCT oid, size FROM lfs_object ORDER BY oid, size";
    Ok(with_conn!(c, x => sqlx::query_as::<_, (String, i64)>(SQL).fetch_all(&mut *x).await)?)
}

/// Whether any repository references the object `oid`.
pub async fn is_referenced(c: Conn<'_>, oid: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM lfs_object WHERE oid = $1)";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, bool>(SQL).bind(oid).fetch_one(&mut *x).await)?)
}
