//! The `email_address` table: an account's secondary addresses.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct EmailRow {
    pub id: i64,
    pub uid: i64,
    pub email: String,
    pub is_activated: bool,
}

pub async fn list(c: Conn<'_>, uid: i64) -> StoreResult<Vec<EmailRow>> {
    const SQL: &str = "SELECT id, uid, email, is_activated FROM email_address WHERE uid = $1 ORDER BY id";
    Ok(with_conn!(c, x => sqlx::query_as::<_, EmailRow>(SQL).bind(uid).fetch_all(&mut *x).await)?)
}

pub async fn insert(c: Conn<'_>, uid: i64, email: &str, activated: bool) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO email_address (uid, email, is_activated) VALUES ($1, $2, $3)";
    with_conn!(c, x => sqlx::query(SQL).bind(uid).bind(email).bind(activated).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Delete one of `uid`'s addresses; unknown addresses are not an error.
pub async fn delete(c: Conn<'_>, uid: i64, email: &str) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM email_address WHERE uid = $1 AND email = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(uid).bind(email).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
