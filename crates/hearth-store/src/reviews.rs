//! The `pull_review` and `review_comment` tables.

use sqlx::FromRow;

use crate::{Conn, StoreResult, placeholders, with_conn};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewState {
    Pending = 0,
    Approved = 1,
    Comment = 2,
    RequestChanges = 3,
    RequestReview = 4,
}

impl ReviewState {
    pub fn from_i16(v: i16) -> ReviewState {
        match v {
            1 => ReviewState::Approved,
            2 => ReviewState::Comment,
            3 => ReviewState::RequestChanges,
            4 => ReviewState::RequestReview,
            _ => ReviewState::Pending,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub issue_id: i64,
    pub reviewer_id: i64,
    pub team_id: i64,
    pub state: i16,
    pub body: String,
    pub commit_id: String,
    pub official: bool,
    pub stale: bool,
    pub dismissed: bool,
    pub created_unix: i64,
    pub updated_unix: i64,
}

impl ReviewRow {
    pub fn state(&self) -> ReviewState {
        ReviewState::from_i16(self.state)
    }
}

macro_rules! columns {
    () => {
        "id, issue_id, reviewer_id, team_id, state, body, commit_id, official, stale, dismissed, created_unix, \
         updated_unix"
    };
}

#[allow(clippy::too_many_arguments)]
pub async fn insert(
    c: Conn<'_>,
    issue_id: i64,
    reviewer_id: i64,
    team_id: i64,
    state: ReviewState,
    body: &str,
    commit_id: &str,
    official: bool,
    now: i64,
) -> StoreResult<ReviewRow> {
    const SQL: &str = concat!(
        "INSERT INTO pull_review (issue_id, reviewer_id, team_id, state, body, commit_id, official, created_unix, \
         updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
        columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReviewRow>(SQL).bind(issue_id).bind(reviewer_id).bind(team_id)
        .bind(state as i16).bind(body).bind(commit_id).bind(official).bind(now).fetch_one(&mut *x).await)?)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<ReviewRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM pull_review WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReviewRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// A pull's reviews (requests included), oldest first.
pub async fn of_issue(c: Conn<'_>, issue_id: i64) -> StoreResult<Vec<ReviewRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM pull_review WHERE issue_id = $1 ORDER BY created_unix, id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReviewRow>(SQL).bind(issue_id).fetch_all(&mut *x).await)?)
}

/// The open review requests of these pulls: (issue id, reviewer id, team id), one of the two ids 0.
pub async fn requested_of_issues(c: Conn<'_>, issue_ids: &[i64]) -> StoreResult<Vec<(i64, i64, i64)>> {
    if issue_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT issue_id, reviewer_id, team_id FROM pull_review WHERE state = 4 AND issue_id IN ({}) ORDER BY id",
        placeholders(1, issue_ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in issue_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// Submit (or change) a review: its state, body, commit and whether it counts as official.
pub async fn submit(
    c: Conn<'_>,
    id: i64,
    state: ReviewState,
    body: &str,
    commit_id: &str,
    official: bool,
    now: i64,
) -> StoreResult<()> {
    const SQL: &str = "UPDATE pull_review SET state = $2, body = $3, commit_id = $4, official = $5, created_unix = $6, \
        updated_unix = $6 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(state as i16).bind(body).bind(commit_id).bind(official).bind(now)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// A newer official review of `reviewer` makes their older ones unofficial.
pub async fn clear_official(c: Conn<'_>, issue_id: i64, reviewer_id: i64, except: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE pull_review SET official = FALSE WHERE issue_id = $1 AND reviewer_id = $2 AND id <> $3";
    with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(reviewer_id).bind(except).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Dismiss or restore reviews: one (`id`), or with `priors` every other submitted approval or
/// request for changes of the same reviewer.
pub async fn set_dismissed(c: Conn<'_>, id: i64, dismissed: bool, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE pull_review SET dismissed = $2, updated_unix = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(dismissed).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn dismiss_priors(c: Conn<'_>, issue_id: i64, reviewer_id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE pull_review SET dismissed = TRUE, updated_unix = $3 WHERE issue_id = $1 \
        AND reviewer_id = $2 AND state IN (1, 3)";
    with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(reviewer_id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM pull_review WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Remove a user's open review requests on a pull; how many there were.
pub async fn delete_requests(c: Conn<'_>, issue_id: i64, reviewer_id: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM pull_review WHERE issue_id = $1 AND reviewer_id = $2 AND team_id = 0 AND state = 4";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(reviewer_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?)
}

/// Remove a team's open review request on a pull; how many there were.
pub async fn delete_team_requests(c: Conn<'_>, issue_id: i64, team_id: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM pull_review WHERE issue_id = $1 AND team_id = $2 AND state = 4";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(issue_id).bind(team_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?)
}

#[derive(Debug, Clone, FromRow)]
pub struct ReviewCommentRow {
    pub id: i64,
    pub review_id: i64,
    pub poster_id: i64,
    pub path: String,
    pub new_position: i64,
    pub old_position: i64,
    pub commit_id: String,
    pub body: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! comment_columns {
    () => {
        "id, review_id, poster_id, path, new_position, old_position, commit_id, body, created_unix, updated_unix"
    };
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_comment(
    c: Conn<'_>,
    review_id: i64,
    poster_id: i64,
    path: &str,
    new_position: i64,
    old_position: i64,
    commit_id: &str,
    body: &str,
    now: i64,
) -> StoreResult<ReviewCommentRow> {
    const SQL: &str = concat!(
        "INSERT INTO review_comment (review_id, poster_id, path, new_position, old_position, commit_id, body, \
         created_unix, updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ",
        comment_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReviewCommentRow>(SQL).bind(review_id).bind(poster_id).bind(path)
        .bind(new_position).bind(old_position).bind(commit_id).bind(body).bind(now).fetch_one(&mut *x).await)?)
}

pub async fn comments_of(c: Conn<'_>, review_id: i64) -> StoreResult<Vec<ReviewCommentRow>> {
    const SQL: &str = concat!("SELECT ", comment_columns!(), " FROM review_comment WHERE review_id = $1 ORDER BY id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, ReviewCommentRow>(SQL).bind(review_id).fetch_all(&mut *x).await)?)
}

/// How many line comments each of these reviews has.
pub async fn comment_counts(c: Conn<'_>, review_ids: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
    if review_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT review_id, COUNT(*) FROM review_comment WHERE review_id IN ({}) GROUP BY review_id",
        placeholders(1, review_ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in review_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// After new commits on a pull's head: its submitted reviews are stale; with `dismiss_approvals`
/// (the base's protection asks for it) its approvals are dismissed too.
pub async fn after_head_moved(mut c: Conn<'_>, issue_id: i64, dismiss_approvals: bool, now: i64) -> StoreResult<()> {
    const STALE: &str = "UPDATE pull_review SET stale = TRUE WHERE issue_id = $1 AND state IN (1, 2, 3)";
    with_conn!(c.reborrow(), x => sqlx::query(STALE).bind(issue_id).execute(&mut *x).await.map(|_| ()))?;
    if dismiss_approvals {
        const DISMISS: &str = "UPDATE pull_review SET dismissed = TRUE, updated_unix = $2 WHERE issue_id = $1 \
            AND state = 1 AND NOT dismissed";
        with_conn!(c, x => sqlx::query(DISMISS).bind(issue_id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(())
}
