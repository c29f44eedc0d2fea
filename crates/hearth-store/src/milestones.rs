//! The `milestone` table and its open/closed issue counters.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct MilestoneRow {
    pub id: i64,
    pub repo_id: i64,
    pub name: String,
    pub content: String,
    pub is_closed: bool,
    pub num_issues: i64,
    pub num_closed_issues: i64,
    /// 0 = no deadline.
    pub deadline_unix: i64,
    /// 0 while open.
    pub closed_unix: i64,
    pub created_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, name, content, is_closed, num_issues, num_closed_issues, deadline_unix, closed_unix, created_unix"
    };
}

/// A repository's milestones in creation order: the open ones, the closed ones, or both.
pub async fn list(
    c: Conn<'_>,
    repo_id: i64,
    open: bool,
    closed: bool,
    w: Window,
) -> StoreResult<(Vec<MilestoneRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM milestone WHERE repo_id = $1 AND ((NOT is_closed AND $2) OR (is_closed AND $3)) ORDER BY id LIMIT $4 OFFSET $5"
    );
    const COUNT: &str =
        "SELECT COUNT(*) FROM milestone WHERE repo_id = $1 AND ((NOT is_closed AND $2) OR (is_closed AND $3))";
    Ok(crate::windowed!(c, MilestoneRow, SQL, COUNT, w, [repo_id, open, closed]))
}

pub async fn get(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<MilestoneRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM milestone WHERE repo_id = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, MilestoneRow>(SQL).bind(repo_id).bind(id).fetch_optional(&mut *x).await)?)
}

/// Several milestones by id (any repository).
pub async fn by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<MilestoneRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!(concat!("SELECT ", columns!(), " FROM milestone WHERE id IN ({})"), crate::placeholders(1, ids.len()));
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, MilestoneRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

pub async fn insert(
    c: Conn<'_>,
    repo_id: i64,
    name: &str,
    content: &str,
    deadline_unix: i64,
    now: i64,
) -> StoreResult<MilestoneRow> {
    const SQL: &str = concat!(
        "INSERT INTO milestone (repo_id, name, content, deadline_unix, created_unix) VALUES ($1, $2, $3, $4, $5) \
         RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, MilestoneRow>(SQL).bind(repo_id).bind(name).bind(content)
        .bind(deadline_unix).bind(now).fetch_one(&mut *x).await)?)
}

pub async fn update(c: Conn<'_>, m: &MilestoneRow) -> StoreResult<()> {
    const SQL: &str = "UPDATE milestone SET name = $2, content = $3, is_closed = $4, deadline_unix = $5, \
        closed_unix = $6 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(m.id).bind(&m.name).bind(&m.content).bind(m.is_closed)
        .bind(m.deadline_unix).bind(m.closed_unix).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Delete a milestone; its issues lose it.
pub async fn delete(mut c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<()> {
    const DETACH: &str = "UPDATE issue SET milestone_id = 0 WHERE repo_id = $1 AND milestone_id = $2";
    with_conn!(c.reborrow(), x => sqlx::query(DETACH).bind(repo_id).bind(id).execute(&mut *x).await.map(|_| ()))?;
    const SQL: &str = "DELETE FROM milestone WHERE repo_id = $1 AND id = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Count one issue in (`delta` = 1) or out of (`delta` = -1) a milestone.
pub async fn count_issue(c: Conn<'_>, id: i64, closed: bool, delta: i64) -> StoreResult<()> {
    if id == 0 {
        return Ok(());
    }
    const SQL: &str = "UPDATE milestone SET num_issues = num_issues + $2, \
        num_closed_issues = num_closed_issues + CASE WHEN $3 THEN $2 ELSE 0 END WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(delta).bind(closed).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// An issue of the milestone was closed (`delta` = 1) or reopened (-1).
pub async fn count_closed(c: Conn<'_>, id: i64, delta: i64) -> StoreResult<()> {
    if id == 0 {
        return Ok(());
    }
    const SQL: &str = "UPDATE milestone SET num_closed_issues = num_closed_issues + $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(delta).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
