//! The `commit_comment` table: remarks on a repository's commits, oldest first.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct CommitCommentRow {
    pub id: i64,
    pub repo_id: i64,
    /// The full commit id.
    pub commit_sha: String,
    pub poster_id: i64,
    pub body: String,
    pub path: Option<String>,
    pub line: Option<i64>,
    pub position: Option<i64>,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, commit_sha, poster_id, body, path, line, position, created_unix, updated_unix"
    };
}

/// A new comment's fields.
#[derive(Debug, Clone)]
pub struct NewCommitComment<'a> {
    pub repo_id: i64,
    pub commit_sha: &'a str,
    pub poster_id: i64,
    pub body: &'a str,
    pub path: Option<&'a str>,
    pub line: Option<i64>,
    pub position: Option<i64>,
}

pub async fn insert(c: Conn<'_>, new: &NewCommitComment<'_>, now: i64) -> StoreResult<CommitCommentRow> {
    const SQL: &str = concat!(
        "INSERT INTO commit_comment (repo_id, commit_sha, poster_id, body, path, line, position, created_unix, \
         updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, CommitCommentRow>(SQL).bind(new.repo_id).bind(new.commit_sha)
        .bind(new.poster_id).bind(new.body).bind(new.path).bind(new.line).bind(new.position).bind(now)
        .fetch_one(&mut *x).await)?)
}

/// A comment of the repository by id.
pub async fn by_id(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<CommitCommentRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM commit_comment WHERE repo_id = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, CommitCommentRow>(SQL).bind(repo_id).bind(id)
        .fetch_optional(&mut *x).await)?)
}

/// Every commit comment of a repository, oldest first.
pub async fn of_repo(c: Conn<'_>, repo_id: i64, w: Window) -> StoreResult<(Vec<CommitCommentRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM commit_comment WHERE repo_id = $1 ORDER BY created_unix, id LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM commit_comment WHERE repo_id = $1";
    Ok(crate::windowed!(c, CommitCommentRow, SQL, COUNT, w, [repo_id]))
}

/// The comments of one commit (full id), oldest first.
pub async fn of_commit(c: Conn<'_>, repo_id: i64, sha: &str, w: Window) -> StoreResult<(Vec<CommitCommentRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM commit_comment WHERE repo_id = $1 AND commit_sha = $2 ORDER BY created_unix, id LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM commit_comment WHERE repo_id = $1 AND commit_sha = $2";
    Ok(crate::windowed!(c, CommitCommentRow, SQL, COUNT, w, [repo_id, sha]))
}

pub async fn update_body(c: Conn<'_>, id: i64, body: &str, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE commit_comment SET body = $2, updated_unix = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(body).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM commit_comment WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
