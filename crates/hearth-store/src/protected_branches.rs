//! The `protected_branch` table: branch protection rules, their settings kept as JSON.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct RuleRow {
    pub id: i64,
    pub repo_id: i64,
    pub rule_name: String,
    pub priority: i64,
    pub settings: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, rule_name, priority, settings, created_unix, updated_unix"
    };
}

/// A repository's rules in the order they apply: by priority, then age.
pub async fn of_repo(c: Conn<'_>, repo_id: i64) -> StoreResult<Vec<RuleRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM protected_branch WHERE repo_id = $1 ORDER BY priority, id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, RuleRow>(SQL).bind(repo_id).fetch_all(&mut *x).await)?)
}

pub async fn by_name(c: Conn<'_>, repo_id: i64, name: &str) -> StoreResult<Option<RuleRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM protected_branch WHERE repo_id = $1 AND rule_name = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, RuleRow>(SQL).bind(repo_id).bind(name).fetch_optional(&mut *x).await)?)
}

pub async fn insert(
    c: Conn<'_>,
    repo_id: i64,
    name: &str,
    priority: i64,
    settings: &str,
    now: i64,
) -> StoreResult<RuleRow> {
    const SQL: &str = concat!(
        "INSERT INTO protected_branch (repo_id, rule_name, priority, settings, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, RuleRow>(SQL).bind(repo_id).bind(name).bind(priority).bind(settings)
        .bind(now).fetch_one(&mut *x).await)?)
}

pub async fn update(c: Conn<'_>, id: i64, priority: i64, settings: &str, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE protected_branch SET priority = $2, settings = $3, updated_unix = $4 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(priority).bind(settings).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM protected_branch WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
