//! `two_factor` and `two_factor_recovery`: TOTP enrolments (secrets stored encrypted by the
//! caller) and their one-time recovery codes (keyed hashes).

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TwoFactorRow {
    pub user_id: i64,
    /// The TOTP secret as the service sealed it.
    pub secret: String,
    /// The newest time step whose passcode was taken.
    pub last_step: i64,
    pub created_unix: i64,
}

pub async fn get(c: Conn<'_>, user_id: i64) -> StoreResult<Option<TwoFactorRow>> {
    const SQL: &str = "SELECT user_id, secret, last_step, created_unix FROM two_factor WHERE user_id = $1";
    Ok(with_conn!(c, x => sqlx::query_as(SQL).bind(user_id).fetch_optional(&mut *x).await)?)
}

/// Enrol `user_id` with `secret` and these recovery codes, replacing an earlier enrolment.
pub async fn enroll(mut c: Conn<'_>, user_id: i64, secret: &str, now: i64, codes: &[String]) -> StoreResult<()> {
    delete(c.reborrow(), user_id).await?;
    const SQL: &str = "INSERT INTO two_factor (user_id, secret, last_step, created_unix) VALUES ($1, $2, 0, $3)";
    with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(user_id).bind(secret).bind(now).execute(&mut *x).await.map(|_| ()))?;
    replace_recovery(c, user_id, codes).await
}

/// End `user_id`'s enrolment and its recovery codes; whether there was one.
pub async fn delete(mut c: Conn<'_>, user_id: i64) -> StoreResult<bool> {
    const CODES: &str = "DELETE FROM two_factor_recovery WHERE user_id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(CODES).bind(user_id).execute(&mut *x).await.map(|_| ()))?;
    const SQL: &str = "DELETE FROM two_factor WHERE user_id = $1";
    let done = with_conn!(c, x => sqlx::query(SQL).bind(user_id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// Take time step `step` for `user_id`: true only when it is newer than every step taken before,
/// in one statement, so two requests racing with one passcode cannot both pass.
pub async fn take_step(c: Conn<'_>, user_id: i64, step: i64) -> StoreResult<bool> {
    const SQL: &str = "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2";
    let done = with_conn!(c, x => sqlx::query(SQL).bind(user_id).bind(step).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Replace `user_id`'s recovery codes (their hashes).
pub async fn replace_recovery(mut c: Conn<'_>, user_id: i64, hashes: &[String]) -> StoreResult<()> {
    const OLD: &str = "DELETE FROM two_factor_recovery WHERE user_id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(OLD).bind(user_id).execute(&mut *x).await.map(|_| ()))?;
    const SQL: &str = "INSERT INTO two_factor_recovery (code_hash, user_id) VALUES ($1, $2)";
    for hash in hashes {
        with_conn!(c.reborrow(), x => sqlx::query(SQL).bind(hash).bind(user_id).execute(&mut *x).await.map(|_| ()))?;
    }
    Ok(())
}

/// Use up one of `user_id`'s recovery codes; whether it was there.
pub async fn take_recovery(c: Conn<'_>, user_id: i64, hash: &str) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM two_factor_recovery WHERE user_id = $1 AND code_hash = $2";
    let done = with_conn!(c, x => sqlx::query(SQL).bind(user_id).bind(hash).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// How many recovery codes `user_id` has left.
pub async fn recovery_left(c: Conn<'_>, user_id: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM two_factor_recovery WHERE user_id = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(user_id).fetch_one(&mut *x).await)?)
}

/// Which of `ids` are enrolled.
pub async fn enrolled_among(c: Conn<'_>, ids: &[i64]) -> StoreResult<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!("SELECT user_id FROM two_factor WHERE user_id IN ({})", crate::placeholders(1, ids.len()));
    Ok(with_conn!(c, x => {
        let mut q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *x).await
    })?)
}
