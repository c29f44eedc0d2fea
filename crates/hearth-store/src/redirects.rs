//! The `repo_redirect` table: an old `owner/name` of a renamed or transferred repository, which
//! keeps answering as the repository it now is until a repository takes that name again (or the
//! repository is deleted: the rows go with it).

use crate::{Conn, StoreResult, with_conn};

/// Make `owner_id`'s `name` (case-insensitive) lead to `repo_id`, replacing an older redirect.
pub async fn set(mut c: Conn<'_>, owner_id: i64, name: &str, repo_id: i64) -> StoreResult<()> {
    c.rows_changed();
    delete(c.reborrow(), owner_id, name).await?;
    const SQL: &str = "INSERT INTO repo_redirect (owner_id, lower_name, redirect_repo_id) VALUES ($1, $2, $3)";
    with_conn!(c, x => sqlx::query(SQL).bind(owner_id).bind(name.to_lowercase()).bind(repo_id)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

/// The repository `owner_id`'s `name` redirects to, if any.
pub async fn lookup(c: Conn<'_>, owner_id: i64, name: &str) -> StoreResult<Option<i64>> {
    const SQL: &str = "SELECT redirect_repo_id FROM repo_redirect WHERE owner_id = $1 AND lower_name = $2";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(owner_id).bind(name.to_lowercase())
        .fetch_optional(&mut *x).await)?)
}

/// Drop the redirect of `owner_id`'s `name` (a repository now has that name).
pub async fn delete(c: Conn<'_>, owner_id: i64, name: &str) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM repo_redirect WHERE owner_id = $1 AND lower_name = $2";
    with_conn!(c, x => sqlx::query(SQL).bind(owner_id).bind(name.to_lowercase()).execute(&mut *x).await
        .map(|_| ()))?;
    Ok(())
}
