//! The `issue` and `comment` tables, and the repository's issue counters.

use sqlx::FromRow;

use crate::{CommentKind, Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct IssueRow {
    pub id: i64,
    pub repo_id: i64,
    pub idx: i64,
    pub poster_id: i64,
    pub title: String,
    pub body: String,
    pub milestone_id: i64,
    pub assignee_id: i64,
    pub is_closed: bool,
    pub is_pull: bool,
    pub num_comments: i64,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, repo_id, idx, poster_id, title, body, milestone_id, assignee_id, is_closed, is_pull, num_comments, \
         created_unix, updated_unix"
    };
}

/// Hand out the repository's next issue number. The row update takes the repository row's lock,
/// so concurrent creations get distinct, gap-free numbers on both backends.
pub async fn next_index(c: Conn<'_>, repo_id: i64) -> StoreResult<i64> {
    const SQL: &str = "UPDATE repository SET issue_seq = issue_seq + 1 WHERE id = $1 RETURNING issue_seq";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).fetch_one(&mut *x).await)?)
}

pub struct NewIssue<'a> {
    pub repo_id: i64,
    pub idx: i64,
    pub poster_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    pub milestone_id: i64,
    pub assignee_id: i64,
    /// The issue half of a pull request (counted as a pull, not an issue).
    pub is_pull: bool,
    pub now: i64,
}

/// Insert an open issue (or a pull's issue row) and count it on its repository.
pub async fn insert(mut c: Conn<'_>, n: &NewIssue<'_>) -> StoreResult<IssueRow> {
    c.rows_changed();
    const SQL: &str = concat!(
        "INSERT INTO issue (repo_id, idx, poster_id, title, body, milestone_id, assignee_id, is_pull, created_unix, \
         updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING ",
        columns!()
    );
    let row = with_conn!(c.reborrow(), x => sqlx::query_as::<_, IssueRow>(SQL).bind(n.repo_id).bind(n.idx)
        .bind(n.poster_id).bind(n.title).bind(n.body).bind(n.milestone_id).bind(n.assignee_id).bind(n.is_pull)
        .bind(n.now).fetch_one(&mut *x).await)?;
    const ISSUES: &str = "UPDATE repository SET num_issues = num_issues + 1 WHERE id = $1";
    const PULLS: &str = "UPDATE repository SET num_pulls = num_pulls + 1 WHERE id = $1";
    let count = if n.is_pull { PULLS } else { ISSUES };
    with_conn!(c, x => sqlx::query(count).bind(n.repo_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(row)
}

pub async fn by_index(c: Conn<'_>, repo_id: i64, idx: i64) -> StoreResult<Option<IssueRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM issue WHERE repo_id = $1 AND idx = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, IssueRow>(SQL).bind(repo_id).bind(idx).fetch_optional(&mut *x).await)?)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<IssueRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM issue WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, IssueRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// These issues (any order; missing ids are left out): one query for a list.
pub async fn by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<IssueRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!(concat!("SELECT ", columns!(), " FROM issue WHERE id IN ({})"), crate::placeholders(1, ids.len()));
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, IssueRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// Write the editable fields back.
pub async fn update(c: Conn<'_>, i: &IssueRow) -> StoreResult<()> {
    const SQL: &str = "UPDATE issue SET title = $2, body = $3, milestone_id = $4, assignee_id = $5, \
        updated_unix = $6 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(i.id).bind(&i.title).bind(&i.body).bind(i.milestone_id)
        .bind(i.assignee_id).bind(i.updated_unix).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Close or reopen, keeping the repository's closed counter in step.
pub async fn set_closed(mut c: Conn<'_>, i: &IssueRow, closed: bool, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "UPDATE issue SET is_closed = $2, updated_unix = $3 WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(i.id).bind(closed).bind(now).execute(&mut *x).await.map(|_| ()))?;
    if !i.is_pull {
        const COUNT: &str = "UPDATE repository SET num_closed_issues = num_closed_issues + $2 WHERE id = $1";
        let delta: i64 = if closed { 1 } else { -1 };
        with_conn!(c, x => sqlx::query(COUNT).bind(i.repo_id).bind(delta).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(())
}

pub async fn touch(c: Conn<'_>, id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE issue SET updated_unix = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// What an issue list asks for. Every `Some`/non-empty field narrows it.
#[derive(Debug, Default, Clone)]
pub struct IssueFilter {
    pub repo_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub poster_id: Option<i64>,
    pub is_pull: Option<bool>,
    pub closed: Option<bool>,
    /// Any of these milestones.
    pub milestone_ids: Vec<i64>,
    /// Any of these labels.
    pub label_ids: Vec<i64>,
    /// Case-insensitive substring of the title or body.
    pub keyword: Option<String>,
    /// Issues whose body or a comment says `@name` (a lower-cased name; letters, digits, `-_.`).
    pub mention: Option<String>,
    pub sort: IssueSort,
}

/// The order of a list (Gitea's `sort` values); newest first unless asked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum IssueSort {
    #[default]
    Newest,
    Oldest,
    RecentUpdate,
    LeastUpdate,
    MostComment,
    LeastComment,
}

impl IssueSort {
    /// Gitea's name; anything else (and `priority`, which hearth has no field for) is newest.
    pub fn from_name(name: &str) -> IssueSort {
        match name {
            "oldest" => IssueSort::Oldest,
            "recentupdate" => IssueSort::RecentUpdate,
            "leastupdate" => IssueSort::LeastUpdate,
            "mostcomment" => IssueSort::MostComment,
            "leastcomment" => IssueSort::LeastComment,
            _ => IssueSort::Newest,
        }
    }

    fn order_by(self) -> &'static str {
        match self {
            IssueSort::Newest => "created_unix DESC, id DESC",
            IssueSort::Oldest => "created_unix ASC, id ASC",
            IssueSort::RecentUpdate => "updated_unix DESC, id DESC",
            IssueSort::LeastUpdate => "updated_unix ASC, id ASC",
            IssueSort::MostComment => "num_comments DESC, created_unix DESC, id DESC",
            IssueSort::LeastComment => "num_comments ASC, created_unix DESC, id DESC",
        }
    }
}

enum Arg {
    I(i64),
    B(bool),
    S(String),
}

/// The `WHERE` clause of a filter, from fixed fragments and numbered placeholders.
fn where_clause(f: &IssueFilter) -> (String, Vec<Arg>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut args = Vec::new();
    let mut push = |sql: &mut String, fragment: &str, arg: Arg| {
        args.push(arg);
        sql.push_str(&fragment.replace('?', &format!("${}", args.len())));
    };
    if let Some(v) = f.repo_id {
        push(&mut sql, " AND repo_id = ?", Arg::I(v));
    }
    if let Some(v) = f.is_pull {
        push(&mut sql, " AND is_pull = ?", Arg::B(v));
    }
    if let Some(v) = f.closed {
        push(&mut sql, " AND is_closed = ?", Arg::B(v));
    }
    if let Some(v) = f.assignee_id {
        push(&mut sql, " AND assignee_id = ?", Arg::I(v));
    }
    if let Some(v) = f.poster_id {
        push(&mut sql, " AND poster_id = ?", Arg::I(v));
    }
    if !f.milestone_ids.is_empty() {
        sql.push_str(" AND milestone_id IN (");
        for (n, id) in f.milestone_ids.iter().enumerate() {
            push(&mut sql, if n == 0 { "?" } else { ", ?" }, Arg::I(*id));
        }
        sql.push(')');
    }
    if !f.label_ids.is_empty() {
        sql.push_str(" AND id IN (SELECT issue_id FROM issue_label WHERE label_id IN (");
        for (n, id) in f.label_ids.iter().enumerate() {
            push(&mut sql, if n == 0 { "?" } else { ", ?" }, Arg::I(*id));
        }
        sql.push_str("))");
    }
    if let Some(k) = &f.keyword {
        let escaped = k.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        push(&mut sql, " AND (LOWER(title) LIKE ? ESCAPE '\\'", Arg::S(pattern.clone()));
        push(&mut sql, " OR LOWER(body) LIKE ? ESCAPE '\\')", Arg::S(pattern));
    }
    if let Some(name) = &f.mention {
        // Names hold no LIKE wildcards but `_`, escaped like the keyword's.
        let pattern = format!("%@{}%", name.to_lowercase().replace('_', "\\_"));
        push(&mut sql, " AND (LOWER(body) LIKE ? ESCAPE '\\'", Arg::S(pattern.clone()));
        push(
            &mut sql,
            " OR id IN (SELECT issue_id FROM comment WHERE type = 0 AND LOWER(content) LIKE ? ESCAPE '\\'))",
            Arg::S(pattern),
        );
    }
    (sql, args)
}

macro_rules! bind_args {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::I(v) => q.bind(v),
                Arg::B(v) => q.bind(v),
                Arg::S(v) => q.bind(v),
            };
        }
        q
    }};
}

/// One page of a filtered list, in the filter's order.
pub async fn list(c: Conn<'_>, f: &IssueFilter, limit: i64, offset: i64) -> StoreResult<Vec<IssueRow>> {
    let (clause, mut args) = where_clause(f);
    let n = args.len();
    let sql = format!(
        concat!("SELECT ", columns!(), " FROM issue{} ORDER BY {} LIMIT ${} OFFSET ${}"),
        clause,
        f.sort.order_by(),
        n + 1,
        n + 2
    );
    args.push(Arg::I(limit));
    args.push(Arg::I(offset));
    Ok(with_conn!(c, x => bind_args!(sqlx::query_as::<_, IssueRow>(sqlx::AssertSqlSafe(sql)), args)
        .fetch_all(&mut *x).await)?)
}

pub async fn count(c: Conn<'_>, f: &IssueFilter) -> StoreResult<i64> {
    let (clause, args) = where_clause(f);
    let sql = format!("SELECT COUNT(*) FROM issue{clause}");
    Ok(with_conn!(c, x => bind_args!(sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql)), args)
        .fetch_one(&mut *x).await)?)
}

#[derive(Debug, Clone, FromRow)]
pub struct CommentRow {
    pub id: i64,
    #[sqlx(rename = "type")]
    pub kind: CommentKind,
    pub poster_id: i64,
    pub repo_id: i64,
    pub issue_id: i64,
    pub content: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! comment_columns {
    () => {
        "id, type, poster_id, repo_id, issue_id, content, created_unix, updated_unix"
    };
}

/// Add a timeline entry; plain comments count on the issue.
pub async fn insert_comment(
    mut c: Conn<'_>,
    issue: &IssueRow,
    kind: CommentKind,
    poster_id: i64,
    content: &str,
    now: i64,
) -> StoreResult<CommentRow> {
    const SQL: &str = concat!(
        "INSERT INTO comment (type, poster_id, repo_id, issue_id, content, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
        comment_columns!()
    );
    let row = with_conn!(c.reborrow(), x => sqlx::query_as::<_, CommentRow>(SQL).bind(kind).bind(poster_id)
        .bind(issue.repo_id).bind(issue.id).bind(content).bind(now).fetch_one(&mut *x).await)?;
    if kind == CommentKind::Plain {
        const COUNT: &str = "UPDATE issue SET num_comments = num_comments + 1, updated_unix = $2 WHERE id = $1";
        with_conn!(c, x => sqlx::query(COUNT).bind(issue.id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(row)
}

/// A comment of the repository by id.
pub async fn comment(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<CommentRow>> {
    const SQL: &str = concat!("SELECT ", comment_columns!(), " FROM comment WHERE repo_id = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, CommentRow>(SQL).bind(repo_id).bind(id).fetch_optional(&mut *x).await)?)
}

/// Several comments by id (any order; missing ids are skipped).
pub async fn comments_by_ids(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<CommentRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        concat!("SELECT ", comment_columns!(), " FROM comment WHERE id IN ({})"),
        crate::placeholders(1, ids.len())
    );
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, CommentRow>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}

/// Plain comments of an issue updated at or after `since`, oldest first.
pub async fn comments_of_issue(
    c: Conn<'_>,
    issue_id: i64,
    since: i64,
    w: Window,
) -> StoreResult<(Vec<CommentRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        comment_columns!(),
        " FROM comment WHERE issue_id = $1 AND type = 0 AND updated_unix >= $2 ORDER BY created_unix, id \
         LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM comment WHERE issue_id = $1 AND type = 0 AND updated_unix >= $2";
    Ok(crate::windowed!(c, CommentRow, SQL, COUNT, w, [issue_id, since]))
}

/// An issue's whole timeline (comments and events), oldest first, at most `limit` entries.
pub async fn timeline(c: Conn<'_>, issue_id: i64, limit: i64) -> StoreResult<Vec<CommentRow>> {
    const SQL: &str =
        concat!("SELECT ", comment_columns!(), " FROM comment WHERE issue_id = $1 ORDER BY created_unix, id LIMIT $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, CommentRow>(SQL).bind(issue_id).bind(limit).fetch_all(&mut *x).await)?)
}

/// Plain comments of every issue of a repository updated at or after `since`, oldest first.
pub async fn comments_of_repo(c: Conn<'_>, repo_id: i64, since: i64, w: Window) -> StoreResult<(Vec<CommentRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        comment_columns!(),
        " FROM comment WHERE repo_id = $1 AND type = 0 AND updated_unix >= $2 ORDER BY created_unix, id \
         LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM comment WHERE repo_id = $1 AND type = 0 AND updated_unix >= $2";
    Ok(crate::windowed!(c, CommentRow, SQL, COUNT, w, [repo_id, since]))
}

pub async fn update_comment(c: Conn<'_>, id: i64, content: &str, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE comment SET content = $2, updated_unix = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(content).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Delete a plain comment and uncount it.
pub async fn delete_comment(mut c: Conn<'_>, cm: &CommentRow) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM comment WHERE id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(cm.id).execute(&mut *x).await.map(|_| ()))?;
    const COUNT: &str = "UPDATE issue SET num_comments = num_comments - 1 WHERE id = $1 AND num_comments > 0";
    with_conn!(c, x => sqlx::query(COUNT).bind(cm.issue_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The numbers of several issues, as `(id, number)` pairs.
pub async fn indexes(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<(i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT id, idx FROM issue WHERE id IN ({})", crate::placeholders(1, ids.len()));
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, (i64, i64)>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}
