//! The `public_key` table: user keys ([`crate::KeyKind::User`]); Gogs also marks deploy keys' material here
//! ([`crate::KeyKind::Deploy`]).

use sqlx::FromRow;

use crate::{AccessMode, Conn, KeyKind, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct KeyRow {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    pub fingerprint: String,
    pub content: String,
    pub mode: AccessMode,
    #[sqlx(rename = "type")]
    pub kind: KeyKind,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, owner_id, name, fingerprint, content, mode, type, created_unix, updated_unix"
    };
}

pub struct NewKey<'a> {
    pub owner_id: i64,
    pub name: &'a str,
    pub fingerprint: &'a str,
    pub content: &'a str,
    pub kind: KeyKind,
    pub now: i64,
}

pub async fn insert(c: Conn<'_>, k: &NewKey<'_>) -> StoreResult<KeyRow> {
    const SQL: &str = concat!(
        "INSERT INTO public_key (owner_id, name, fingerprint, content, mode, type, created_unix, updated_unix) \
         VALUES ($1, $2, $3, $4, 2, $5, $6, $6) RETURNING ",
        columns!(),
        ""
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, KeyRow>(SQL)
        .bind(k.owner_id)
        .bind(k.name)
        .bind(k.fingerprint)
        .bind(k.content)
        .bind(k.kind)
        .bind(k.now)
        .fetch_one(&mut *x)
        .await)?)
}

pub async fn by_id(c: Conn<'_>, id: i64) -> StoreResult<Option<KeyRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM public_key WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, KeyRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// A user's own keys (type 1), oldest first.
pub async fn list_user_keys(c: Conn<'_>, owner_id: i64, w: Window) -> StoreResult<(Vec<KeyRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM public_key WHERE owner_id = $1 AND type = 1 ORDER BY id LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM public_key WHERE owner_id = $1 AND type = 1";
    Ok(crate::windowed!(c, KeyRow, SQL, COUNT, w, [owner_id]))
}

/// Is this key material already some account's user key?
pub async fn fingerprint_used(c: Conn<'_>, fingerprint: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM public_key WHERE fingerprint = $1 AND type = 1)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(fingerprint).fetch_one(&mut *x).await)?)
}

pub async fn title_used(c: Conn<'_>, owner_id: i64, name: &str) -> StoreResult<bool> {
    const SQL: &str = "SELECT EXISTS (SELECT 1 FROM public_key WHERE owner_id = $1 AND name = $2 AND type = 1)";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(owner_id).bind(name).fetch_one(&mut *x).await)?)
}

pub async fn delete(c: Conn<'_>, id: i64) -> StoreResult<()> {
    const SQL: &str = "DELETE FROM public_key WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The user key (type 1) with this fingerprint, for SSH authentication.
pub async fn user_key_by_fingerprint(c: Conn<'_>, fingerprint: &str) -> StoreResult<Option<KeyRow>> {
    const SQL: &str =
        concat!("SELECT ", columns!(), " FROM public_key WHERE fingerprint = $1 AND type = 1 ORDER BY id LIMIT 1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, KeyRow>(SQL).bind(fingerprint).fetch_optional(&mut *x).await)?)
}

/// Record a key's use (`updated_unix`, as Gogs does on every SSH command).
pub async fn touch(c: Conn<'_>, id: i64, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE public_key SET updated_unix = $2 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}
