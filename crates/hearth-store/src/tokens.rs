//! The `access_token` table. Only the SHA-256 of a token is stored.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub uid: i64,
    pub name: String,
    pub sha256: String,
    /// Normalised, comma-separated scopes; '' = full access.
    pub scope: String,
    pub token_last_eight: String,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, uid, name, sha256, scope, token_last_eight, created_unix, updated_unix"
    };
}

/// A new token's stored fields.
pub struct NewToken<'a> {
    pub uid: i64,
    pub name: &'a str,
    pub sha256: &'a str,
    pub scope: &'a str,
    pub token_last_eight: &'a str,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, t: &NewToken<'_>) -> StoreResult<TokenRow> {
    c.rows_changed();
    const SQL: &str = concat!(
        "INSERT INTO access_token (uid, name, sha256, scope, token_last_eight, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING ",
        columns!(),
        ""
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL)
        .bind(t.uid)
        .bind(t.name)
        .bind(t.sha256)
        .bind(t.scope)
        .bind(t.token_last_eight)
        .bind(t.now)
        .fetch_one(&mut *x)
        .await)?)
}

/// A user's tokens in creation order; `page` = (offset, limit), `None` for all of them.
pub async fn list(c: Conn<'_>, uid: i64, page: Option<(i64, i64)>) -> StoreResult<Vec<TokenRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM access_token WHERE uid = $1 ORDER BY id");
    const PAGED: &str =
        concat!("SELECT ", columns!(), " FROM access_token WHERE uid = $1 ORDER BY id LIMIT $2 OFFSET $3");
    Ok(match page {
        None => with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL).bind(uid).fetch_all(&mut *x).await)?,
        Some((offset, limit)) => with_conn!(c, x => sqlx::query_as::<_, TokenRow>(PAGED)
            .bind(uid)
            .bind(limit)
            .bind(offset)
            .fetch_all(&mut *x)
            .await)?,
    })
}

pub async fn count(c: Conn<'_>, uid: i64) -> StoreResult<i64> {
    const SQL: &str = "SELECT COUNT(*) FROM access_token WHERE uid = $1";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(uid).fetch_one(&mut *x).await)?)
}

/// One of the user's tokens by id.
pub async fn by_id(c: Conn<'_>, uid: i64, id: i64) -> StoreResult<Option<TokenRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM access_token WHERE uid = $1 AND id = $2");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL).bind(uid).bind(id).fetch_optional(&mut *x).await)?)
}

/// The user's tokens with exactly this name (at most one: names are unique per user).
pub async fn by_name(c: Conn<'_>, uid: i64, name: &str) -> StoreResult<Vec<TokenRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM access_token WHERE uid = $1 AND name = $2 ORDER BY id");
    Ok(with_conn!(c, x => sqlx::query_as::<_, TokenRow>(SQL).bind(uid).bind(name).fetch_all(&mut *x).await)?)
}

/// Delete one of the user's tokens; false if it had no such token.
pub async fn delete(c: Conn<'_>, uid: i64, id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM access_token WHERE uid = $1 AND id = $2";
    let deleted = with_conn!(c, x => sqlx::query(SQL)
        .bind(uid)
        .bind(id)
        .execute(&mut *x)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(deleted > 0)
}

pub async fn name_taken(c: Conn<'_>, uid: i64, name: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM access_token WHERE uid = $1 AND name = $2)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(uid).bind(name).fetch_one(&mut *x).await)?)
}

/// A token's id and its owner, found by the token's hash in one query (the API's hot path).
#[derive(Debug, Clone, FromRow)]
pub struct TokenOwner {
    pub token_id: i64,
    /// The token's normalised scopes ('' = full access).
    pub token_scope: String,
    #[sqlx(flatten)]
    pub user: crate::users::UserRow,
}

pub async fn owner_by_hash(c: Conn<'_>, sha256: &str) -> StoreResult<Option<TokenOwner>> {
    const SQL: &str = concat!(
        "SELECT t.id AS token_id, t.scope AS token_scope, ",
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
