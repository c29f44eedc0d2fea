//! The `label` and `issue_label` tables.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct LabelRow {
    pub id: i64,
    pub repo_id: i64,
    pub name: String,
    pub color: String,
}

/// A repository's labels, by name (then id: names are not unique).
pub async fn list(c: Conn<'_>, repo_id: i64, w: Window) -> StoreResult<(Vec<LabelRow>, i64)> {
    const SQL: &str =
        "SELECT id, repo_id, name, color FROM label WHERE repo_id = $1 ORDER BY name, id LIMIT $2 OFFSET $3";
    const COUNT: &str = "SELECT COUNT(*) FROM label WHERE repo_id = $1";
    Ok(crate::windowed!(c, LabelRow, SQL, COUNT, w, [repo_id]))
}

pub async fn get(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<LabelRow>> {
    const SQL: &str = "SELECT id, repo_id, name, color FROM label WHERE repo_id = $1 AND id = $2";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LabelRow>(SQL).bind(repo_id).bind(id).fetch_optional(&mut *x).await)?)
}

/// The first label with this name (names are not unique).
pub async fn by_name(c: Conn<'_>, repo_id: i64, name: &str) -> StoreResult<Option<LabelRow>> {
    const SQL: &str = "SELECT id, repo_id, name, color FROM label WHERE repo_id = $1 AND name = $2 ORDER BY id LIMIT 1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LabelRow>(SQL).bind(repo_id).bind(name).fetch_optional(&mut *x).await)?)
}

pub async fn insert(c: Conn<'_>, repo_id: i64, name: &str, color: &str) -> StoreResult<LabelRow> {
    const SQL: &str = "INSERT INTO label (repo_id, name, color) VALUES ($1, $2, $3) RETURNING id, repo_id, name, color";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LabelRow>(SQL).bind(repo_id).bind(name).bind(color)
        .fetch_one(&mut *x).await)?)
}

pub async fn update(c: Conn<'_>, id: i64, name: &str, color: &str) -> StoreResult<()> {
    const SQL: &str = "UPDATE label SET name = $2, color = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(name).bind(color).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Delete a label; its attachments go with it (cascade).
pub async fn delete(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM label WHERE repo_id = $1 AND id = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The labels of one issue, by name.
pub async fn of_issue(c: Conn<'_>, issue_id: i64) -> StoreResult<Vec<LabelRow>> {
    const SQL: &str = "SELECT l.id, l.repo_id, l.name, l.color FROM issue_label il JOIN label l ON l.id = il.label_id \
        WHERE il.issue_id = $1 ORDER BY l.name, l.id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, LabelRow>(SQL).bind(issue_id).fetch_all(&mut *x).await)?)
}

/// A label with the issue it is attached to.
#[derive(Debug, Clone, FromRow)]
pub struct IssueLabel {
    pub issue_id: i64,
    #[sqlx(flatten)]
    pub label: LabelRow,
}

/// The labels of several issues at once, by name.
pub async fn of_issues(c: Conn<'_>, issue_ids: &[i64]) -> StoreResult<Vec<IssueLabel>> {
    if issue_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT il.issue_id, l.id, l.repo_id, l.name, l.color FROM issue_label il JOIN label l ON l.id = il.label_id \
         WHERE il.issue_id IN ({}) ORDER BY l.name, l.id",
        crate::placeholders(1, issue_ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, IssueLabel>(sqlx::AssertSqlSafe(sql));
        for id in issue_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// Attach (no-op when already attached).
pub async fn attach(c: Conn<'_>, issue_id: i64, label_id: i64) -> StoreResult<()> {
    const SQL: &str =
        "INSERT INTO issue_label (issue_id, label_id) VALUES ($1, $2) ON CONFLICT (issue_id, label_id) DO NOTHING";
    with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(label_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn detach(c: Conn<'_>, issue_id: i64, label_id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM issue_label WHERE issue_id = $1 AND label_id = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(label_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn detach_all(c: Conn<'_>, issue_id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM issue_label WHERE issue_id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(issue_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// How many open issues (not pulls) carry each of a repository's labels, as `(label_id, count)`.
pub async fn open_issue_counts(c: Conn<'_>, repo_id: i64) -> StoreResult<Vec<(i64, i64)>> {
    const SQL: &str = "SELECT il.label_id, COUNT(*) FROM issue_label il JOIN issue i ON i.id = il.issue_id \
        WHERE i.repo_id = $1 AND NOT i.is_closed AND NOT i.is_pull GROUP BY il.label_id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, (i64, i64)>(SQL).bind(repo_id).fetch_all(&mut *x).await)?)
}
