//! The `pull_request` table: what a pull request merges into what, its mergeability and its merge.
//! The issue half (title, body, state, number) lives in `issue` with `is_pull` set.

use sqlx::FromRow;

use crate::issues::{IssueRow, NewIssue};
use crate::{Conn, StoreResult, placeholders, with_conn};

/// Mergeability, as the background checker last found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PullStatus {
    Checking = 0,
    Mergeable = 1,
    Conflict = 2,
    /// The head is already in the base: nothing to merge.
    Empty = 3,
    /// The check failed (a missing branch, unrelated histories).
    Error = 4,
}

impl PullStatus {
    pub fn from_i16(v: i16) -> PullStatus {
        match v {
            1 => PullStatus::Mergeable,
            2 => PullStatus::Conflict,
            3 => PullStatus::Empty,
            4 => PullStatus::Error,
            _ => PullStatus::Checking,
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct PullRow {
    pub id: i64,
    pub issue_id: i64,
    pub base_repo_id: i64,
    pub base_branch: String,
    pub head_repo_id: i64,
    pub head_branch: String,
    pub head_sha: String,
    pub merge_base: String,
    pub status: i16,
    pub conflicted_files: String,
    pub has_merged: bool,
    pub merged_unix: i64,
    pub merger_id: i64,
    pub merged_commit: String,
    pub allow_maintainer_edit: bool,
}

impl PullRow {
    pub fn status(&self) -> PullStatus {
        PullStatus::from_i16(self.status)
    }
}

macro_rules! columns {
    () => {
        "id, issue_id, base_repo_id, base_branch, head_repo_id, head_branch, head_sha, merge_base, status, \
         conflicted_files, has_merged, merged_unix, merger_id, merged_commit, allow_maintainer_edit"
    };
}

pub struct NewPull<'a> {
    /// The issue half (`is_pull` set).
    pub issue: NewIssue<'a>,
    pub head_repo_id: i64,
    pub head_branch: &'a str,
    pub base_branch: &'a str,
    pub head_sha: &'a str,
}

/// Insert the issue row and the pull record.
pub async fn insert(mut c: Conn<'_>, n: &NewPull<'_>) -> StoreResult<(IssueRow, PullRow)> {
    c.rows_changed();
    let issue = crate::issues::insert(c.reborrow(), &n.issue).await?;
    const PULL: &str = concat!(
        "INSERT INTO pull_request (issue_id, base_repo_id, base_branch, head_repo_id, head_branch, head_sha) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ",
        columns!()
    );
    let pull = with_conn!(c, x => sqlx::query_as::<_, PullRow>(PULL).bind(issue.id).bind(n.issue.repo_id)
        .bind(n.base_branch).bind(n.head_repo_id).bind(n.head_branch).bind(n.head_sha).fetch_one(&mut *x).await)?;
    Ok((issue, pull))
}

pub async fn by_issue(c: Conn<'_>, issue_id: i64) -> StoreResult<Option<PullRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM pull_request WHERE issue_id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, PullRow>(SQL).bind(issue_id).fetch_optional(&mut *x).await)?)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<PullRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM pull_request WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, PullRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// The pull records of these issues (any order).
pub async fn of_issues(c: Conn<'_>, issue_ids: &[i64]) -> StoreResult<Vec<PullRow>> {
    if issue_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!("SELECT ", columns!(), " FROM pull_request WHERE issue_id IN ({})"),
        placeholders(1, issue_ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, PullRow>(sqlx::AssertSqlSafe(sql));
        for id in issue_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// The open, unmerged pull from `head_repo_id:head_branch` into `base_repo_id:base_branch`, if any.
pub async fn open_between(
    c: Conn<'_>,
    head_repo_id: i64,
    head_branch: &str,
    base_repo_id: i64,
    base_branch: &str,
) -> StoreResult<Option<(PullRow, i64)>> {
    const SQL: &str = "SELECT p.id, i.idx FROM pull_request p JOIN issue i ON i.id = p.issue_id \
        WHERE p.head_repo_id = $1 AND p.head_branch = $2 AND p.base_repo_id = $3 AND p.base_branch = $4 \
        AND NOT i.is_closed AND NOT p.has_merged";
    let mut c = c;
    let hit: Option<(i64, i64)> = with_conn!(c.reborrow(), x => sqlx::query_as(SQL).bind(head_repo_id).bind(head_branch)
        .bind(base_repo_id).bind(base_branch).fetch_optional(&mut *x).await)?;
    match hit {
        Some((id, idx)) => Ok(by_id(c, id).await?.map(|p| (p, idx))),
        None => Ok(None),
    }
}

/// Pulls waiting for a mergeability check, oldest first.
pub async fn checking(c: Conn<'_>, limit: i64) -> StoreResult<Vec<PullRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM pull_request WHERE status = 0 ORDER BY id LIMIT $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, PullRow>(SQL).bind(limit).fetch_all(&mut *x).await)?)
}

/// Record a check's outcome, unless the pull was queued again meanwhile (its head moved: the
/// `head_sha` the check started from is no longer the row's).
pub async fn set_checked(
    c: Conn<'_>,
    id: i64,
    checked_head: &str,
    status: PullStatus,
    merge_base: &str,
    conflicted_files: &str,
) -> StoreResult<bool> {
    const SQL: &str = "UPDATE pull_request SET status = $3, merge_base = $4, conflicted_files = $5 \
        WHERE id = $1 AND head_sha = $2 AND status = 0";
    let done = with_conn!(c, x => sqlx::query(SQL).bind(id).bind(checked_head).bind(status as i16).bind(merge_base)
        .bind(conflicted_files).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Pulls a branch update touched.
#[derive(Debug, Default)]
pub struct Requeued {
    /// Every open pull into or out of the branch (all queued for a check).
    pub all: Vec<i64>,
    /// Those whose head the branch is (their head commit was updated).
    pub heads: Vec<i64>,
}

/// Queue open, unmerged pulls into or out of a branch for a new check; the head's new commit is
/// recorded for pulls whose head it is.
pub async fn requeue_branch(
    mut c: Conn<'_>,
    repo_id: i64,
    branch: &str,
    new_head: Option<&str>,
) -> StoreResult<Requeued> {
    const OPEN: &str = "SELECT p.id, p.head_repo_id = $1 AND p.head_branch = $2 FROM pull_request p         JOIN issue i ON i.id = p.issue_id         WHERE ((p.head_repo_id = $1 AND p.head_branch = $2) OR (p.base_repo_id = $1 AND p.base_branch = $2))         AND NOT i.is_closed AND NOT p.has_merged";
    let rows: Vec<(i64, bool)> = with_conn!(c.reborrow(), x => sqlx::query_as(OPEN).bind(repo_id).bind(branch)
        .fetch_all(&mut *x).await)?;
    if rows.is_empty() {
        return Ok(Requeued::default());
    }
    const BASE: &str =
        "UPDATE pull_request SET status = 0 WHERE base_repo_id = $1 AND base_branch = $2 AND NOT has_merged";
    with_conn!(c.reborrow(), x => sqlx::query(BASE).bind(repo_id).bind(branch).execute(&mut *x).await.map(|_| ()))?;
    if let Some(head) = new_head {
        const HEAD: &str = "UPDATE pull_request SET status = 0, head_sha = $3 WHERE head_repo_id = $1 AND head_branch = $2 AND NOT has_merged";
        with_conn!(c, x => sqlx::query(HEAD).bind(repo_id).bind(branch).bind(head).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(Requeued {
        all: rows.iter().map(|(id, _)| *id).collect(),
        heads: rows.iter().filter(|(_, head)| *head).map(|(id, _)| *id).collect(),
    })
}

/// Record a merge (the issue is closed by the caller, in the same transaction), unless one is
/// recorded already; whether this call recorded it. Of a merge and the detection of the same merge
/// in a push, racing in two processes, only one closes the pull and announces it.
pub async fn set_merged(c: Conn<'_>, id: i64, merger_id: i64, commit: &str, now: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE pull_request SET has_merged = TRUE, merger_id = $2, merged_commit = $3, merged_unix = $4 \
        WHERE id = $1 AND NOT has_merged";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(id).bind(merger_id).bind(commit).bind(now).execute(&mut *x).await
        .map(|r| r.rows_affected() > 0))?)
}

/// Who merged, and at which commit, when the merge was recorded first as found in a push.
pub async fn set_merger(c: Conn<'_>, id: i64, merger_id: i64, commit: &str) -> StoreResult<()> {
    const SQL: &str = "UPDATE pull_request SET merger_id = $2, merged_commit = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(merger_id).bind(commit).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Keep the repository's closed-pull counter in step with a close or reopen.
pub async fn count_closed(c: Conn<'_>, repo_id: i64, delta: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE repository SET num_closed_pulls = num_closed_pulls + $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(delta).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Point an unmerged pull at another base branch (it is checked again); returns the old base, or
/// `None` when nothing changed.
pub async fn set_base(mut c: Conn<'_>, issue_id: i64, base: &str) -> StoreResult<Option<String>> {
    let Some(p) = by_issue(c.reborrow(), issue_id).await? else { return Ok(None) };
    if p.base_branch == base || p.has_merged {
        return Ok(None);
    }
    const SQL: &str = "UPDATE pull_request SET base_branch = $2, status = 0 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(p.id).bind(base).execute(&mut *x).await.map(|_| ()))?;
    Ok(Some(p.base_branch))
}

/// How many open, unmerged pulls come from `repo_id:branch`.
pub async fn open_from(c: Conn<'_>, repo_id: i64, branch: &str) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM pull_request p JOIN issue i ON i.id = p.issue_id \
        WHERE p.head_repo_id = $1 AND p.head_branch = $2 AND NOT i.is_closed AND NOT p.has_merged";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).bind(branch).fetch_one(&mut *x).await)?)
}
