//! The `notification` table (one thread per user and issue, made unread again by new activity)
//! and `notification_task`, the fan-out queue written in the transaction of the change.

use sqlx::FromRow;

use crate::{Conn, StoreResult, placeholders, with_conn};

pub const UNREAD: i16 = 1;
pub const READ: i16 = 2;
pub const PINNED: i16 = 3;

pub const SOURCE_ISSUE: i16 = 1;
pub const SOURCE_PULL: i16 = 2;

#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    pub id: i64,
    pub user_id: i64,
    pub repo_id: i64,
    pub issue_id: i64,
    pub source: i16,
    pub status: i16,
    pub comment_id: i64,
    pub updated_by: i64,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, user_id, repo_id, issue_id, source, status, comment_id, updated_by, created_unix, updated_unix"
    };
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub repo_id: i64,
    pub issue_id: i64,
    pub comment_id: i64,
    pub actor_id: i64,
    pub event: String,
    pub mentions: String,
    pub body: String,
    pub created_unix: i64,
}

pub struct NewTask<'a> {
    pub repo_id: i64,
    pub issue_id: i64,
    pub comment_id: i64,
    pub actor_id: i64,
    pub event: &'a str,
    pub mentions: &'a str,
    pub body: &'a str,
    pub now: i64,
}

pub async fn insert_task(c: Conn<'_>, t: &NewTask<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO notification_task (repo_id, issue_id, comment_id, actor_id, event, mentions, \
        body, created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    with_conn!(c, x => sqlx::query(SQL).bind(t.repo_id).bind(t.issue_id).bind(t.comment_id).bind(t.actor_id)
        .bind(t.event).bind(t.mentions).bind(t.body).bind(t.now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The oldest queued tasks.
pub async fn next_tasks(c: Conn<'_>, limit: i64) -> StoreResult<Vec<TaskRow>> {
    const SQL: &str = "SELECT id, repo_id, issue_id, comment_id, actor_id, event, mentions, body, created_unix \
        FROM notification_task ORDER BY id LIMIT $1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, TaskRow>(SQL).bind(limit).fetch_all(&mut *x).await)?)
}

/// Take a task off the queue; false when another worker already did.
pub async fn delete_task(c: Conn<'_>, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM notification_task WHERE id = $1";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// What one piece of activity writes into each recipient's thread.
pub struct Activity {
    pub repo_id: i64,
    pub issue_id: i64,
    pub source: i16,
    pub comment_id: i64,
    pub updated_by: i64,
    pub now: i64,
}

/// Rows per INSERT (10 binds each, well under either engine's limit).
const BATCH: usize = 500;

/// Create or refresh the thread of each user: new activity makes a read thread unread again and
/// leaves a pinned one pinned.
pub async fn upsert(mut c: Conn<'_>, users: &[i64], a: &Activity) -> StoreResult<()> {
    for chunk in users.chunks(BATCH) {
        let mut sql = String::from(
            "INSERT INTO notification (user_id, repo_id, issue_id, source, status, comment_id, updated_by, \
             created_unix, updated_unix) VALUES ",
        );
        for (i, _) in chunk.iter().enumerate() {
            let b = i * 9;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!(
                "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                b + 1,
                b + 2,
                b + 3,
                b + 4,
                b + 5,
                b + 6,
                b + 7,
                b + 8,
                b + 9
            ));
        }
        sql.push_str(
            " ON CONFLICT (user_id, issue_id) DO UPDATE SET \
             status = CASE WHEN notification.status = 3 THEN 3 ELSE 1 END, \
             comment_id = excluded.comment_id, updated_by = excluded.updated_by, \
             updated_unix = excluded.updated_unix",
        );
        with_conn!(c.reborrow(), x => {
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
            for user in chunk {
                q = q.bind(*user).bind(a.repo_id).bind(a.issue_id).bind(a.source).bind(UNREAD)
                    .bind(a.comment_id).bind(a.updated_by).bind(a.now).bind(a.now);
            }
            q.execute(&mut *x).await.map(|_| ())
        })?;
    }
    Ok(())
}

/// Which of a user's threads a list or a mark-as-read takes.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub user_id: i64,
    pub repo_id: Option<i64>,
    /// Any of these statuses (never empty).
    pub statuses: Vec<i16>,
    /// Any of these sources; all when empty.
    pub sources: Vec<i16>,
    /// Updated at or after (unix seconds).
    pub since: Option<i64>,
    /// Updated before.
    pub before: Option<i64>,
}

enum Arg {
    I(i64),
    S(i16),
}

fn where_clause(f: &Filter) -> (String, Vec<Arg>) {
    let mut args = vec![Arg::I(f.user_id)];
    let mut sql = String::from(" WHERE user_id = $1");
    if let Some(r) = f.repo_id {
        args.push(Arg::I(r));
        sql.push_str(&format!(" AND repo_id = ${}", args.len()));
    }
    for (column, values) in [("status", &f.statuses), ("source", &f.sources)] {
        if values.is_empty() {
            continue;
        }
        sql.push_str(&format!(" AND {column} IN ({})", placeholders(args.len() + 1, values.len())));
        args.extend(values.iter().map(|v| Arg::S(*v)));
    }
    if let Some(t) = f.since {
        args.push(Arg::I(t));
        sql.push_str(&format!(" AND updated_unix >= ${}", args.len()));
    }
    if let Some(t) = f.before {
        args.push(Arg::I(t));
        sql.push_str(&format!(" AND updated_unix < ${}", args.len()));
    }
    (sql, args)
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I(v) => q.bind(v),
                Arg::S(v) => q.bind(v),
            };
        }
        q
    }};
}

/// One page of threads, most recently updated first, and how many match.
pub async fn list(mut c: Conn<'_>, f: &Filter, limit: i64, offset: i64) -> StoreResult<(Vec<NotificationRow>, i64)> {
    let (clause, mut args) = where_clause(f);
    let count_sql = format!("SELECT COUNT(*) FROM notification{clause}");
    let (_, count_args) = where_clause(f);
    let total: i64 = with_conn!(c.reborrow(), x => bind_all!(sqlx::query_scalar(sqlx::AssertSqlSafe(count_sql)), count_args)
        .fetch_one(&mut *x).await)?;
    let n = args.len();
    let sql = format!(
        concat!("SELECT ", columns!(), " FROM notification{} ORDER BY updated_unix DESC, id DESC LIMIT ${} OFFSET ${}"),
        clause,
        n + 1,
        n + 2
    );
    args.push(Arg::I(limit));
    args.push(Arg::I(offset));
    let rows = with_conn!(c, x => bind_all!(sqlx::query_as::<_, NotificationRow>(sqlx::AssertSqlSafe(sql)), args)
        .fetch_all(&mut *x).await)?;
    Ok((rows, total))
}

/// Every thread a filter takes (for marking), oldest first.
pub async fn all(c: Conn<'_>, f: &Filter) -> StoreResult<Vec<NotificationRow>> {
    let (clause, args) = where_clause(f);
    let sql = format!(concat!("SELECT ", columns!(), " FROM notification{} ORDER BY updated_unix, id"), clause);
    Ok(with_conn!(c, x => bind_all!(sqlx::query_as::<_, NotificationRow>(sqlx::AssertSqlSafe(sql)), args)
        .fetch_all(&mut *x).await)?)
}

pub async fn count_unread(c: Conn<'_>, user_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM notification WHERE user_id = $1 AND status = 1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).fetch_one(&mut *x).await)?)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<NotificationRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM notification WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, NotificationRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// The user's unread thread of an issue, if there is one.
pub async fn unread_of_issue(c: Conn<'_>, user_id: i64, issue_id: i64) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT id FROM notification WHERE user_id = $1 AND issue_id = $2 AND status = 1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).bind(issue_id).fetch_optional(&mut *x).await)?)
}

/// Set the status of these threads (all of one user).
pub async fn set_status(c: Conn<'_>, ids: &[i64], status: i16) -> StoreResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let sql = format!("UPDATE notification SET status = $1 WHERE id IN ({})", placeholders(2, ids.len()));
    with_conn!(c, x => {
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(status);
        for id in ids {
            q = q.bind(*id);
        }
        q.execute(&mut *x).await.map(|_| ())
    })?;
    Ok(())
}

/// The users watching a repository.
pub async fn watcher_ids(c: Conn<'_>, repo_id: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = "SELECT user_id FROM watch WHERE repo_id = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).fetch_all(&mut *x).await)?)
}

/// The users taking part in an issue's thread besides its poster and assignee: commenters, and
/// reviewers asked or reviewing.
pub async fn participant_ids(c: Conn<'_>, issue_id: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = "SELECT poster_id FROM comment WHERE issue_id = $1 AND type = 0 \
        UNION SELECT reviewer_id FROM pull_review WHERE issue_id = $1 AND reviewer_id > 0";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(issue_id).fetch_all(&mut *x).await)?)
}
