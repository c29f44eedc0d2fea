//! The `web_session` table: signed-in browser sessions, keyed by the SHA-256 of the cookie value.

use sqlx::FromRow;

use crate::users::UserRow;
use crate::{Conn, StoreResult, user_columns, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct SessionUser {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub csrf_token: String,
}

pub async fn insert(c: Conn<'_>, id_hash: &str, user_id: i64, csrf: &str, now: i64, expires: i64) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO web_session (id_hash, user_id, csrf_token, created_unix, expires_unix) \
        VALUES ($1, $2, $3, $4, $5)";
    with_conn!(c, x => sqlx::query(SQL).bind(id_hash).bind(user_id).bind(csrf).bind(now).bind(expires)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The live session's user (and the session's CSRF token); `None` when missing or expired.
pub async fn user_of(c: Conn<'_>, id_hash: &str, now: i64) -> StoreResult<Option<SessionUser>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        ", s.csrf_token FROM web_session s JOIN \"user\" u ON u.id = s.user_id \
         WHERE s.id_hash = $1 AND s.expires_unix > $2"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, SessionUser>(SQL).bind(id_hash).bind(now)
        .fetch_optional(&mut *x).await)?)
}

pub async fn delete(c: Conn<'_>, id_hash: &str) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM web_session WHERE id_hash = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id_hash).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// End every session of a user but one (`keep`, the id hash of the session that changed the
/// password), or all of them.
pub async fn delete_for_user(c: Conn<'_>, user_id: i64, keep: Option<&str>) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM web_session WHERE user_id = $1 AND id_hash <> $2";
    with_conn!(c, x => sqlx::query(SQL).bind(user_id).bind(keep.unwrap_or(""))
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Drop expired sessions (a background chore, never on a page view).
pub async fn purge_expired(c: Conn<'_>, now: i64) -> StoreResult<u64> {
    const SQL: &str = "DELETE FROM web_session WHERE expires_unix <= $1";
    Ok(with_conn!(c, x => sqlx::query(SQL).bind(now).execute(&mut *x).await.map(|r| r.rows_affected()))?)
}
