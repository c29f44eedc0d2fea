//! The `deploy_key` table: SSH key material attached to one repository.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct DeployKeyRow {
    pub id: i64,
    pub repo_id: i64,
    pub name: String,
    pub fingerprint: String,
    pub content: String,
    pub read_only: bool,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, name, fingerprint, content, read_only, created_unix, updated_unix"
    };
}

pub async fn list(c: Conn<'_>, repo_id: i64, w: Window) -> StoreResult<(Vec<DeployKeyRow>, i64)> {
    const SQL: &str =
        concat!("SELECT ", columns!(), " FROM deploy_key WHERE repo_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
    const COUNT: &str = "SELECT COUNT(*) FROM deploy_key WHERE repo_id = $1";
    Ok(crate::windowed!(c, DeployKeyRow, SQL, COUNT, w, [repo_id]))
}

/// A deploy key by id, only within `repo_id`.
pub async fn get(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<DeployKeyRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM deploy_key WHERE repo_id = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, DeployKeyRow>(SQL).bind(repo_id).bind(id).fetch_optional(&mut *x).await)?)
}

/// Every repository this key material is attached to (for SSH authentication).
pub async fn by_fingerprint(c: Conn<'_>, fingerprint: &str) -> StoreResult<Vec<DeployKeyRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM deploy_key WHERE fingerprint = $1 ORDER BY id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, DeployKeyRow>(SQL).bind(fingerprint).fetch_all(&mut *x).await)?)
}

/// Is this key material a deploy key of any repository?
pub async fn fingerprint_used(c: Conn<'_>, fingerprint: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM deploy_key WHERE fingerprint = $1)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(fingerprint).fetch_one(&mut *x).await)?)
}

pub async fn fingerprint_in_repo(c: Conn<'_>, repo_id: i64, fingerprint: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM deploy_key WHERE repo_id = $1 AND fingerprint = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).bind(fingerprint).fetch_one(&mut *x).await)?)
}

pub async fn title_in_repo(c: Conn<'_>, repo_id: i64, name: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM deploy_key WHERE repo_id = $1 AND name = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).bind(name).fetch_one(&mut *x).await)?)
}

pub struct NewDeployKey<'a> {
    pub repo_id: i64,
    pub name: &'a str,
    pub fingerprint: &'a str,
    pub content: &'a str,
    pub read_only: bool,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, k: &NewDeployKey<'_>) -> StoreResult<DeployKeyRow> {
    const SQL: &str = concat!(
        "INSERT INTO deploy_key (repo_id, name, fingerprint, content, read_only, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, DeployKeyRow>(SQL).bind(k.repo_id).bind(k.name).bind(k.fingerprint)
        .bind(k.content).bind(k.read_only).bind(k.now).fetch_one(&mut *x).await)?)
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM deploy_key WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Record a deploy key's use on its repository (`updated_unix`).
pub async fn touch(c: Conn<'_>, id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE deploy_key SET updated_unix = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
