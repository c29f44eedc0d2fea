//! The `commit_status` table: statuses CI posts for commits, numbered per commit.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, windowed, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct StatusRow {
    pub id: i64,
    pub repo_id: i64,
    pub sha: String,
    pub idx: i64,
    pub state: String,
    pub target_url: String,
    pub description: String,
    pub context: String,
    pub creator_id: i64,
    pub created_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, sha, idx, state, target_url, description, context, creator_id, created_unix"
    };
}

pub struct NewStatus<'a> {
    pub repo_id: i64,
    pub sha: &'a str,
    pub state: &'a str,
    pub target_url: &'a str,
    pub description: &'a str,
    pub context: &'a str,
    pub creator_id: i64,
    pub now: i64,
}

/// Add a status with the commit's next number (the unique index turns a lost race into a conflict
/// the caller may retry).
pub async fn insert(mut c: Conn<'_>, n: &NewStatus<'_>) -> StoreResult<StatusRow> {
    const NEXT: &str = "SELECT COALESCE(MAX(idx), 0) + 1 FROM commit_status WHERE repo_id = $1 AND sha = $2";
    let idx: i64 =
        with_conn!(c.reborrow(), x => sqlx::query_scalar(NEXT).bind(n.repo_id).bind(n.sha).fetch_one(&mut *x).await)?;
    const SQL: &str = concat!(
        "INSERT INTO commit_status (repo_id, sha, idx, state, target_url, description, context, creator_id, \
         created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, StatusRow>(SQL).bind(n.repo_id).bind(n.sha).bind(idx).bind(n.state)
        .bind(n.target_url).bind(n.description).bind(n.context).bind(n.creator_id).bind(n.now)
        .fetch_one(&mut *x).await)?)
}

/// Every status of a commit, newest first (`oldest` reverses), optionally of one state.
pub async fn list(
    c: Conn<'_>,
    repo_id: i64,
    sha: &str,
    state: Option<&str>,
    oldest_first: bool,
    w: Window,
) -> StoreResult<(Vec<StatusRow>, i64)> {
    let state = state.unwrap_or("");
    let (rows, total) = if oldest_first {
        windowed!(
            c,
            StatusRow,
            concat!(
                "SELECT ",
                columns!(),
                " FROM commit_status WHERE repo_id = $1 AND sha = $2 \
            AND ($3 = '' OR state = $3) ORDER BY idx LIMIT $4 OFFSET $5"
            ),
            "SELECT COUNT(*) FROM commit_status WHERE repo_id = $1 AND sha = $2 AND ($3 = '' OR state = $3)",
            w,
            [repo_id, sha, state]
        )
    } else {
        windowed!(
            c,
            StatusRow,
            concat!(
                "SELECT ",
                columns!(),
                " FROM commit_status WHERE repo_id = $1 AND sha = $2 \
            AND ($3 = '' OR state = $3) ORDER BY idx DESC LIMIT $4 OFFSET $5"
            ),
            "SELECT COUNT(*) FROM commit_status WHERE repo_id = $1 AND sha = $2 AND ($3 = '' OR state = $3)",
            w,
            [repo_id, sha, state]
        )
    };
    Ok((rows, total))
}

/// The newest status of each context of a commit, in the order the contexts first appeared.
pub async fn latest(c: Conn<'_>, repo_id: i64, sha: &str) -> StoreResult<Vec<StatusRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM commit_status s WHERE repo_id = $1 AND sha = $2 AND idx = \
         (SELECT MAX(idx) FROM commit_status t WHERE t.repo_id = s.repo_id AND t.sha = s.sha AND t.context = s.context) \
         ORDER BY (SELECT MIN(idx) FROM commit_status t WHERE t.repo_id = s.repo_id AND t.sha = s.sha \
         AND t.context = s.context)"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, StatusRow>(SQL).bind(repo_id).bind(sha).fetch_all(&mut *x).await)?)
}
