//! The `action` table: one row per event worth showing in a feed (Gitea's ActionType numbers);
//! feeds are read by actor, by repository, by organisation or as a user's dashboard.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

/// Gitea's ActionType numbers (and names, for the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i16)]
pub enum Op {
    CreateRepo = 1,
    RenameRepo = 2,
    StarRepo = 3,
    CommitRepo = 5,
    CreateIssue = 6,
    CreatePullRequest = 7,
    TransferRepo = 8,
    PushTag = 9,
    CommentIssue = 10,
    MergePullRequest = 11,
    CloseIssue = 12,
    ReopenIssue = 13,
    ClosePullRequest = 14,
    ReopenPullRequest = 15,
    DeleteTag = 16,
    DeleteBranch = 17,
    ApprovePullRequest = 21,
    RejectPullRequest = 22,
    CommentPull = 23,
    PublishRelease = 24,
}

/// The API's name of an `op_type` number.
pub fn op_name(op: i16) -> &'static str {
    match op {
        1 => "create_repo",
        2 => "rename_repo",
        3 => "star_repo",
        4 => "watch_repo",
        5 => "commit_repo",
        6 => "create_issue",
        7 => "create_pull_request",
        8 => "transfer_repo",
        9 => "push_tag",
        10 => "comment_issue",
        11 => "merge_pull_request",
        12 => "close_issue",
        13 => "reopen_issue",
        14 => "close_pull_request",
        15 => "reopen_pull_request",
        16 => "delete_tag",
        17 => "delete_branch",
        21 => "approve_pull_request",
        22 => "reject_pull_request",
        23 => "comment_pull",
        24 => "publish_release",
        _ => "",
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ActionRow {
    pub id: i64,
    pub op_type: i16,
    pub act_user_id: i64,
    pub repo_id: i64,
    pub ref_name: String,
    pub comment_id: i64,
    pub content: String,
    pub created_unix: i64,
}

pub struct NewAction<'a> {
    pub op: Op,
    pub actor_id: i64,
    pub repo_id: i64,
    pub ref_name: &'a str,
    pub comment_id: i64,
    pub content: &'a str,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, a: &NewAction<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO action (op_type, act_user_id, repo_id, ref_name, comment_id, content, created_unix) \
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    with_conn!(c, x => sqlx::query(SQL).bind(a.op as i16).bind(a.actor_id).bind(a.repo_id).bind(a.ref_name)
        .bind(a.comment_id).bind(a.content).bind(a.now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Whose activity a feed holds.
#[derive(Debug, Clone, Copy)]
pub enum Feed {
    /// What a user did.
    Actor(i64),
    /// What happened in a repository.
    Repo(i64),
    /// What happened in an owner's (an organisation's) repositories.
    Owner(i64),
    /// A user's dashboard: what they did, what people they follow did, what happened in the
    /// repositories they watch.
    Dashboard(i64),
}

/// Dashboards count at most this many entries (their total is a bound, not a census).
pub const DASHBOARD_COUNT_CAP: i64 = 10_000;

/// One page of a feed, newest first, and how many it holds: private repositories' activity only
/// when `private` (the caller then checks access row by row); `day` limits it to one UTC day
/// (`[start, start + 86400)`). The repository table is joined only when visibility or ownership
/// needs it, so a repository's or a user's feed is read and counted from its own index.
pub async fn list(
    mut c: Conn<'_>,
    feed: Feed,
    private: bool,
    day: Option<i64>,
    w: Window,
) -> StoreResult<(Vec<ActionRow>, i64)> {
    let (who, id) = match feed {
        Feed::Actor(id) => ("a.act_user_id = $1", id),
        Feed::Repo(id) => ("a.repo_id = $1", id),
        Feed::Owner(id) => ("r.owner_id = $1", id),
        Feed::Dashboard(id) => (
            "(a.act_user_id = $1 OR a.act_user_id IN (SELECT follow_id FROM follow WHERE user_id = $1) \
             OR a.repo_id IN (SELECT repo_id FROM watch WHERE user_id = $1))",
            id,
        ),
    };
    let join = !private || matches!(feed, Feed::Owner(_));
    let mut clause = String::from(" FROM action a");
    if join {
        clause.push_str(" JOIN repository r ON r.id = a.repo_id");
    }
    clause.push_str(&format!(" WHERE {who}"));
    if !private {
        clause.push_str(" AND NOT r.is_private");
    }
    let (from, to) = day.map_or((i64::MIN, i64::MAX), |start| (start, start + 86_400));
    if day.is_some() {
        clause.push_str(" AND a.created_unix >= $2 AND a.created_unix < $3");
    } else {
        // Keeps the placeholders numbered alike; always true.
        clause.push_str(" AND $2 <= $3");
    }
    let count_sql = if matches!(feed, Feed::Dashboard(_)) {
        format!("SELECT COUNT(*) FROM (SELECT 1{clause} LIMIT {DASHBOARD_COUNT_CAP}) capped")
    } else {
        format!("SELECT COUNT(*){clause}")
    };
    let total: i64 = with_conn!(c.reborrow(), x => sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)).bind(id)
        .bind(from).bind(to).fetch_one(&mut *x).await)?;
    let sql = format!(
        "SELECT a.id, a.op_type, a.act_user_id, a.repo_id, a.ref_name, a.comment_id, a.content, a.created_unix{clause} \
         ORDER BY a.id DESC LIMIT $4 OFFSET $5"
    );
    let rows = with_conn!(c, x => sqlx::query_as::<_, ActionRow>(sqlx::AssertSqlSafe(sql)).bind(id).bind(from).bind(to)
        .bind(w.limit).bind(w.offset).fetch_all(&mut *x).await)?;
    Ok((rows, total))
}
