//! `mail_task` (outgoing e-mail, queued with the change that causes it) and `mail_preference`
//! (which notifications a user wants by e-mail).

use sqlx::FromRow;

use crate::{Conn, StoreResult, placeholders, with_conn};

/// Every notification by e-mail (no row is this).
pub const ALL: i16 = 0;
/// Only notifications that mention the user.
pub const MENTIONS: i16 = 1;
/// None.
pub const NONE: i16 = 2;

#[derive(Debug, Clone, FromRow)]
pub struct MailRow {
    pub id: i64,
    pub to_addr: String,
    pub subject: String,
    pub body: String,
    pub message_id: String,
    pub in_reply_to: String,
    pub attempts: i64,
    pub next_try_unix: i64,
    pub created_unix: i64,
}

pub struct NewMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    pub message_id: &'a str,
    pub in_reply_to: &'a str,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, m: &NewMail<'_>) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO mail_task (to_addr, subject, body, message_id, in_reply_to, next_try_unix, \
        created_unix) VALUES ($1, $2, $3, $4, $5, $6, $6)";
    with_conn!(c, x => sqlx::query(SQL).bind(m.to).bind(m.subject).bind(m.body).bind(m.message_id)
        .bind(m.in_reply_to).bind(m.now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Mails due at `now`, oldest first.
pub async fn due(c: Conn<'_>, now: i64, limit: i64) -> StoreResult<Vec<MailRow>> {
    const SQL: &str = "SELECT id, to_addr, subject, body, message_id, in_reply_to, attempts, next_try_unix, \
        created_unix FROM mail_task WHERE next_try_unix <= $1 ORDER BY next_try_unix, id LIMIT $2";
    Ok(with_conn!(c, x => sqlx::query_as::<_, MailRow>(SQL).bind(now).bind(limit).fetch_all(&mut *x).await)?)
}

/// When the next mail falls due (unix seconds), if any is queued.
pub async fn next_try(c: Conn<'_>) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT MIN(next_try_unix) FROM mail_task";
    Ok(with_conn!(c, x => sqlx::query_scalar::<_, Option<i64>>(SQL).fetch_one(&mut *x).await)?)
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM mail_task WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Count a failed attempt and put the next one off until `next`.
pub async fn retry_at(c: Conn<'_>, id: i64, next: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE mail_task SET attempts = attempts + 1, next_try_unix = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(next).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// A user's preference (`ALL` when none is stored).
pub async fn preference(c: Conn<'_>, user_id: i64) -> StoreResult<i16> {
    const SQL: &str = "SELECT mode FROM mail_preference WHERE user_id = $1";
    let found: Option<i16> = with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).fetch_optional(&mut *x).await)?;
    Ok(found.unwrap_or(ALL))
}

/// Set a user's preference (`ALL` removes the row).
pub async fn set_preference(c: Conn<'_>, user_id: i64, mode: i16) -> StoreResult<()> {
    if mode == ALL {
        const SQL: &str = "DELETE FROM mail_preference WHERE user_id = $1";
        with_conn!(c, x => sqlx::query(SQL).bind(user_id).execute(&mut *x).await.map(|_| ()))?;
    } else {
        const SQL: &str = "INSERT INTO mail_preference (user_id, mode) VALUES ($1, $2) \
            ON CONFLICT (user_id) DO UPDATE SET mode = excluded.mode";
        with_conn!(c, x => sqlx::query(SQL).bind(user_id).bind(mode).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(())
}

/// The e-mail preferences of these users that are not "all": (user id, mode).
pub async fn preferences(c: Conn<'_>, user_ids: &[i64]) -> StoreResult<Vec<(i64, i16)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql =
        format!("SELECT user_id, mode FROM mail_preference WHERE user_id IN ({})", placeholders(1, user_ids.len()));
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_as::<_, (i64, i16)>(sqlx::AssertSqlSafe(sql));
        for id in user_ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}
