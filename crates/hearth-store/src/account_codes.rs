//! `account_code`: one-time codes mailed to account holders (password reset), kept as hashes.

use crate::{Conn, StoreResult, with_conn};

pub const RESET_PASSWORD: i16 = 1;
pub const ACTIVATE: i16 = 2;

/// Keep a code (its hash) for `user_id` until `expires`; the user's older codes of the same
/// purpose go (only the newest mail works).
pub async fn insert(mut c: Conn<'_>, hash: &str, user_id: i64, purpose: i16, expires: i64) -> StoreResult<()> {
    const OLD: &str = "DELETE FROM account_code WHERE user_id = $1 AND purpose = $2";
    with_conn!(c.reborrow(), x => sqlx::query(OLD).bind(user_id).bind(purpose).execute(&mut *x).await.map(|_| ()))?;
    const SQL: &str = "INSERT INTO account_code (code_hash, user_id, purpose, expires_unix) VALUES ($1, $2, $3, $4)";
    with_conn!(c, x => sqlx::query(SQL).bind(hash).bind(user_id).bind(purpose).bind(expires).execute(&mut *x).await
        .map(|_| ()))?;
    Ok(())
}

/// The user a live code belongs to, without using it up.
pub async fn peek(c: Conn<'_>, hash: &str, purpose: i16, now: i64) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT user_id FROM account_code WHERE code_hash = $1 AND purpose = $2 AND expires_unix >= $3";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(hash).bind(purpose).bind(now).fetch_optional(&mut *x).await)?)
}

/// Use a code up: the user it belonged to, when it was live.
pub async fn take(c: Conn<'_>, hash: &str, purpose: i16, now: i64) -> StoreResult<Option<i64>> {
    const SQL: &str = "DELETE FROM account_code WHERE code_hash = $1 AND purpose = $2 AND expires_unix >= $3 \
        RETURNING user_id";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(hash).bind(purpose).bind(now).fetch_optional(&mut *x).await)?)
}

/// Whether `user_id` has a code of `purpose` that expires after `expires_after`: one issued
/// recently (its lifetime is fixed), so another mail should wait.
pub async fn issued_after(c: Conn<'_>, user_id: i64, purpose: i16, expires_after: i64) -> StoreResult<bool> {
    const SQL: &str =
        "SELECT EXISTS (SELECT 1 FROM account_code WHERE user_id = $1 AND purpose = $2 AND expires_unix > $3)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).bind(purpose).bind(expires_after)
        .fetch_one(&mut *x).await)?)
}
