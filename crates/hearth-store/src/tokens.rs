//! The `access_token` table. Only the SHA-256 of a token is stored.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub uid: i64,
    pub name: String,
    pub sha256: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, uid, name, sha256, created_unix, updated_unix"
    };
}

pub async fn insert(c: Conn<'_>, uid: i64, name: &str, sha256: &str, now: i64) -> StoreResult<TokenRow> {
    c.accounts_changed();
    const SQL: &str = concat!(
        "INSERT INTO access_token (uid, name, sha256, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $4) RETURNING ",
        columns!(),
        ""
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL)
        .bind(uid)
        .bind(name)
        .bind(sha256)
        .bind(now)
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn list(c: Conn<'_>, uid: i64) -> StoreResult<Vec<TokenRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM access_token WHERE uid = $1 ORDER BY id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL).bind(uid).fetch_all(&mut *x).await)?)
}

pub async fn name_taken(c: Conn<'_>, uid: i64, name: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM access_token WHERE uid = $1 AND name = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(uid).bind(name).fetch_one(&mut *x).await)?)
}

/// A token's id and its owner, found by the token's hash in one query (the API's hot path).
#[derive(Debug, Clone, FromRow)]
pub struct TokenOwner {
    pub token_id: i64,
    #[sqlx(flatten)]
    pub user: crate::users::UserRow,
}

pub async fn owner_by_hash(c: Conn<'_>, sha256: &str) -> StoreResult<Option<TokenOwner>> {
    const SQL: &str = concat!(
        "SELECT t.id AS token_id, ",
        crate::user_columns!("u."),
        " FROM access_token t JOIN \"user\" u ON u.id = t.uid WHERE t.sha256 = $1"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenOwner>(SQL).bind(sha256).fetch_optional(&mut *x).await)?)
}

/// Record "last used" times collected in memory (one statement per token, one transaction).
pub async fn touch(c: Conn<'_>, id: i64, when: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE access_token SET updated_unix = $2 WHERE id = $1 AND updated_unix < $2";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(when).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
