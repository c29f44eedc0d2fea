//! The `webhook` and `hook_task` tables (webhooks.md §1).

use sqlx::FromRow;

use crate::{Conn, HookContentType, HookKind, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct HookRow {
    pub id: i64,
    pub repo_id: i64,
    pub org_id: i64,
    pub url: String,
    pub content_type: HookContentType,
    pub secret: String,
    pub events: String,
    pub is_active: bool,
    pub hook_task_type: HookKind,
    pub meta: String,
    pub last_status: i64,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! hook_columns {
    () => {
        "id, repo_id, org_id, url, content_type, secret, events, is_active, hook_task_type, meta, last_status, \
         created_unix, updated_unix"
    };
}

/// The fields a create or an edit sets.
#[derive(Debug, Clone)]
pub struct HookFields {
    pub url: String,
    pub content_type: HookContentType,
    pub secret: String,
    pub events: String,
    pub is_active: bool,
    pub hook_task_type: HookKind,
    pub meta: String,
}

pub async fn insert(c: Conn<'_>, repo_id: i64, org_id: i64, f: &HookFields, now: i64) -> StoreResult<HookRow> {
    const SQL: &str = concat!(
        "INSERT INTO webhook (repo_id, org_id, url, content_type, secret, events, is_active, hook_task_type, meta, \
         created_unix, updated_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING ",
        hook_columns!()
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, HookRow>(SQL)
        .bind(repo_id)
        .bind(org_id)
        .bind(&f.url)
        .bind(f.content_type)
        .bind(&f.secret)
        .bind(&f.events)
        .bind(f.is_active)
        .bind(f.hook_task_type)
        .bind(&f.meta)
        .bind(now)
        .fetch_one(&mut *x)
        .await)?)
}

/// Rewrite a hook's settings (the secret included: callers pass the stored one to keep it).
pub async fn update(c: Conn<'_>, id: i64, f: &HookFields, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE webhook SET url = $2, content_type = $3, secret = $4, events = $5, is_active = $6, \
        hook_task_type = $7, meta = $8, updated_unix = $9 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(&f.url)
        .bind(f.content_type)
        .bind(&f.secret)
        .bind(&f.events)
        .bind(f.is_active)
        .bind(f.hook_task_type)
        .bind(&f.meta)
        .bind(now)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// A repository's own hooks in table order.
pub async fn list_for_repo(c: Conn<'_>, repo_id: i64, w: Window) -> StoreResult<(Vec<HookRow>, i64)> {
    const SQL: &str =
        concat!("SELECT ", hook_columns!(), " FROM webhook WHERE repo_id = $1 ORDER BY id LIMIT $2 OFFSET $3");
    const COUNT: &str = "SELECT COUNT(*) FROM webhook WHERE repo_id = $1";
    Ok(crate::windowed!(c, HookRow, SQL, COUNT, w, [repo_id]))
}

/// A hook by id, only if it belongs to repository `repo_id`.
pub async fn by_id_for_repo(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<Option<HookRow>> {
    const SQL: &str = concat!("SELECT ", hook_columns!(), " FROM webhook WHERE id = $1 AND repo_id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, HookRow>(SQL).bind(id).bind(repo_id).fetch_optional(&mut *x).await)?)
}

/// An organisation's own hooks in table order.
pub async fn list_for_org(c: Conn<'_>, org_id: i64, w: Window) -> StoreResult<(Vec<HookRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        hook_columns!(),
        " FROM webhook WHERE repo_id = 0 AND org_id = $1 ORDER BY id LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM webhook WHERE repo_id = 0 AND org_id = $1";
    Ok(crate::windowed!(c, HookRow, SQL, COUNT, w, [org_id]))
}

/// A hook by id, only if it is organisation `org_id`'s own.
pub async fn by_id_for_org(c: Conn<'_>, org_id: i64, id: i64) -> StoreResult<Option<HookRow>> {
    const SQL: &str =
        concat!("SELECT ", hook_columns!(), " FROM webhook WHERE id = $1 AND repo_id = 0 AND org_id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, HookRow>(SQL).bind(id).bind(org_id).fetch_optional(&mut *x).await)?)
}

/// Delete an organisation hook; false when there was none.
pub async fn delete_for_org(c: Conn<'_>, org_id: i64, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM webhook WHERE id = $1 AND repo_id = 0 AND org_id = $2";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(id).bind(org_id).execute(&mut *x).await.map(|r| r.rows_affected()))?
        > 0)
}

/// Delete every hook of an organisation (when the organisation goes; deliveries cascade).
pub async fn delete_all_for_org(c: Conn<'_>, org_id: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM webhook WHERE org_id = $1 AND repo_id = 0";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(org_id).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}

/// The active hooks an event in a repository owned by `owner_id` fires: the repository's own, then
/// those of its owning organisation (webhooks.md §1.4), each in table order.
pub async fn active_for_event(c: Conn<'_>, repo_id: i64, owner_id: i64) -> StoreResult<Vec<HookRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        hook_columns!(),
        " FROM webhook WHERE is_active AND (repo_id = $1 OR (repo_id = 0 AND org_id = $2)) ORDER BY org_id, id"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, HookRow>(SQL).bind(repo_id).bind(owner_id).fetch_all(&mut *x).await)?)
}

/// Delete a repository hook and (by cascade) its tasks; false when there was none.
pub async fn delete_for_repo(c: Conn<'_>, repo_id: i64, id: i64) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM webhook WHERE id = $1 AND repo_id = $2";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(id).bind(repo_id).execute(&mut *x).await.map(|r| r.rows_affected()))?
        > 0)
}

/// Delete every hook of a repository (before the repository row goes).
pub async fn delete_all_for_repo(c: Conn<'_>, repo_id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM webhook WHERE repo_id = $1 AND repo_id <> 0";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn set_last_status(c: Conn<'_>, id: i64, status: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE webhook SET last_status = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(status).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub repo_id: i64,
    pub hook_id: i64,
    pub uuid: String,
    #[sqlx(rename = "type")]
    pub kind: HookKind,
    pub url: String,
    pub signature: String,
    /// Hex HMAC-SHA1 of the payload ('' without a secret or for tasks older than migration 0010).
    pub signature_sha1: String,
    pub payload_content: String,
    pub content_type: HookContentType,
    pub event_type: String,
    /// Gitea's event type (`issue_label`, …); '' = `event_type`.
    pub event_type_detail: String,
    pub is_delivered: bool,
    pub delivered: i64,
    pub is_succeed: bool,
    pub request_content: String,
    pub response_content: String,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub duration_ms: i64,
    pub is_redelivery: bool,
    pub created_unix: i64,
}

macro_rules! task_columns {
    () => {
        "id, repo_id, hook_id, uuid, type, url, signature, signature_sha1, payload_content, content_type, event_type, \
         event_type_detail, is_delivered, delivered, is_succeed, request_content, response_content, attempts, next_attempt_ms, duration_ms, \
         is_redelivery, created_unix"
    };
}

/// What a new task carries.
#[derive(Debug, Clone)]
pub struct NewTask<'a> {
    pub repo_id: i64,
    pub hook_id: i64,
    pub uuid: &'a str,
    pub kind: HookKind,
    pub url: &'a str,
    pub signature: &'a str,
    pub signature_sha1: &'a str,
    pub payload_content: &'a str,
    pub content_type: HookContentType,
    pub event_type: &'a str,
    pub event_type_detail: &'a str,
    pub now: i64,
}

pub async fn insert_task(c: Conn<'_>, t: &NewTask<'_>) -> StoreResult<i64> {
    const SQL: &str = "INSERT INTO hook_task (repo_id, hook_id, uuid, type, url, signature, signature_sha1, \
        payload_content, content_type, event_type, event_type_detail, created_unix) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL)
        .bind(t.repo_id)
        .bind(t.hook_id)
        .bind(t.uuid)
        .bind(t.kind)
        .bind(t.url)
        .bind(t.signature)
        .bind(t.signature_sha1)
        .bind(t.payload_content)
        .bind(t.content_type)
        .bind(t.event_type)
        .bind(t.event_type_detail)
        .bind(t.now)
        .fetch_one(&mut *x)
        .await)?)
}

/// A hook's deliveries, newest first.
pub async fn tasks_of_hook(c: Conn<'_>, hook_id: i64, limit: i64, offset: i64) -> StoreResult<Vec<TaskRow>> {
    const SQL: &str =
        concat!("SELECT ", task_columns!(), " FROM hook_task WHERE hook_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3");
    Ok(
        with_conn!(c, x => sqlx::query_as::<_, TaskRow>(SQL).bind(hook_id).bind(limit).bind(offset).fetch_all(&mut *x).await)?,
    )
}

pub async fn count_tasks_of_hook(c: Conn<'_>, hook_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM hook_task WHERE hook_id = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).bind(hook_id).fetch_one(&mut *x).await)?)
}

pub async fn task_of_hook(c: Conn<'_>, hook_id: i64, id: i64) -> StoreResult<Option<TaskRow>> {
    const SQL: &str = concat!("SELECT ", task_columns!(), " FROM hook_task WHERE id = $1 AND hook_id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TaskRow>(SQL).bind(id).bind(hook_id).fetch_optional(&mut *x).await)?)
}

/// Deliveries not yet made: pending, waiting for a retry, or parked (the queue depth). Counted on
/// `hook_task_pending`'s leading column, so the cost follows the queue, not the history.
pub async fn count_undelivered(c: Conn<'_>) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM hook_task WHERE is_delivered = FALSE";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).fetch_one(&mut *x).await)?)
}

/// Repositories whose oldest pending (not parked) task is due at `now_ms`.
pub async fn repos_with_due_tasks(c: Conn<'_>, now_ms: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = "SELECT repo_id FROM hook_task WHERE next_attempt_ms <= $1 AND id IN \
        (SELECT MIN(id) FROM hook_task WHERE NOT is_delivered AND next_attempt_ms >= 0 GROUP BY repo_id)";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, i64>(SQL).bind(now_ms).fetch_all(&mut *x).await)?)
}

/// The earliest scheduled attempt in the future, if any (to sleep until then).
pub async fn next_due_ms(c: Conn<'_>) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT MIN(next_attempt_ms) FROM hook_task WHERE NOT is_delivered AND next_attempt_ms >= 0";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, Option<i64>>(SQL).fetch_one(&mut *x).await)?)
}

/// The oldest pending, not parked task of a repository: per-repository FIFO means a task waiting
/// for its retry holds back the later ones.
pub async fn head_task(c: Conn<'_>, repo_id: i64) -> StoreResult<Option<TaskRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        task_columns!(),
        " FROM hook_task WHERE repo_id = $1 AND NOT is_delivered AND next_attempt_ms >= 0 ORDER BY id LIMIT 1"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, TaskRow>(SQL).bind(repo_id).fetch_optional(&mut *x).await)?)
}

/// The recorded outcome of one attempt.
#[derive(Debug, Clone)]
pub struct Attempt<'a> {
    pub is_delivered: bool,
    pub is_succeed: bool,
    pub delivered_ns: i64,
    pub request_content: &'a str,
    pub response_content: &'a str,
    pub attempts: i64,
    pub next_attempt_ms: i64,
    pub duration_ms: i64,
}

pub async fn record_attempt(c: Conn<'_>, id: i64, a: &Attempt<'_>) -> StoreResult<()> {
    const SQL: &str = "UPDATE hook_task SET is_delivered = $2, is_succeed = $3, delivered = $4, \
        request_content = $5, response_content = $6, attempts = $7, next_attempt_ms = $8, duration_ms = $9 \
        WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL)
        .bind(id)
        .bind(a.is_delivered)
        .bind(a.is_succeed)
        .bind(a.delivered_ns)
        .bind(a.request_content)
        .bind(a.response_content)
        .bind(a.attempts)
        .bind(a.next_attempt_ms)
        .bind(a.duration_ms)
        .execute(&mut *x)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Queue a task again (redelivery): same row, same uuid, payload and signature.
pub async fn requeue(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE hook_task SET is_delivered = FALSE, attempts = 0, next_attempt_ms = 0, \
        is_redelivery = TRUE WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// At start-up every pending task is due: waiting retries, and parked tasks (refused before
/// sending), which Gogs re-attempts at every start.
pub async fn unpark_all(c: Conn<'_>) -> StoreResult<u64> {
    const SQL: &str = "UPDATE hook_task SET next_attempt_ms = 0 WHERE NOT is_delivered AND next_attempt_ms <> 0";
    Ok(with_conn!(c, x => sqlx::query(SQL).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}
