//! The `gist` table: who owns a gist, its description and visibility (its files are in its Git
//! repository). Lists are newest first.

use sqlx::FromRow;

use crate::{Conn, StoreResult, Window, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct GistRow {
    pub id: String,
    pub owner_id: i64,
    pub description: String,
    pub is_public: bool,
    pub created_unix: i64,
    pub updated_unix: i64,
}

macro_rules! columns {
    () => {
        "id, owner_id, description, is_public, created_unix, updated_unix"
    };
}

pub async fn insert(c: Conn<'_>, row: &GistRow) -> StoreResult<()> {
    const SQL: &str = "INSERT INTO gist (id, owner_id, description, is_public, created_unix, updated_unix) \
        VALUES ($1, $2, $3, $4, $5, $6)";
    with_conn!(c, x => sqlx::query(SQL).bind(&row.id).bind(row.owner_id).bind(&row.description)
        .bind(row.is_public).bind(row.created_unix).bind(row.updated_unix).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn by_id(c: Conn<'_>, id: &str) -> StoreResult<Option<GistRow>> {
    const SQL: &str = concat!("SELECT ", columns!(), " FROM gist WHERE id = $1");
    Ok(with_conn!(c, x => sqlx::query_as::<_, GistRow>(SQL).bind(id).fetch_optional(&mut *x).await)?)
}

/// A page of `owner_id`'s gists, newest first: all of them, or only the public ones.
pub async fn list_by_owner(
    c: Conn<'_>,
    owner_id: i64,
    with_secret: bool,
    w: Window,
) -> StoreResult<(Vec<GistRow>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        columns!(),
        " FROM gist WHERE owner_id = $1 AND (is_public OR $2) ORDER BY created_unix DESC, id DESC LIMIT $3 OFFSET $4"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM gist WHERE owner_id = $1 AND (is_public OR $2)";
    Ok(crate::windowed!(c, GistRow, SQL, COUNT, w, [owner_id, with_secret]))
}

/// Set the description (when given) and the update time.
pub async fn update(c: Conn<'_>, id: &str, description: Option<&str>, now: i64) -> StoreResult<()> {
    const SQL: &str = "UPDATE gist SET description = COALESCE($2, description), updated_unix = $3 WHERE id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(id).bind(description).bind(now).execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// Delete a gist's row; false when there was none.
pub async fn delete(c: Conn<'_>, id: &str) -> StoreResult<bool> {
    const SQL: &str = "DELETE FROM gist WHERE id = $1";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// Delete every gist of `owner_id` (the account is being deleted); returns their ids.
pub async fn delete_by_owner(mut c: Conn<'_>, owner_id: i64) -> StoreResult<Vec<String>> {
    const IDS: &str = "SELECT id FROM gist WHERE owner_id = $1";
    let ids: Vec<String> =
        with_conn!(c.reborrow(), x => sqlx::query_scalar(IDS).bind(owner_id).fetch_all(&mut *x).await)?;
    const SQL: &str = "DELETE FROM gist WHERE owner_id = $1";
    with_conn!(c, x => sqlx::query(SQL).bind(owner_id).execute(&mut *x).await.map(|_| ()))?;
    Ok(ids)
}

/// Every gist id (the start-up check of `<data>/gists/`).
pub async fn all_ids(c: Conn<'_>) -> StoreResult<Vec<String>> {
    const SQL: &str = "SELECT id FROM gist";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).fetch_all(&mut *x).await)?)
}
