//! The `collaboration` table: users granted read, write or admin on one repository.

use sqlx::FromRow;

use crate::users::UserRow;
use crate::{AccessMode, Conn, StoreResult, Window, user_columns, with_conn};

/// A collaborator and the mode they were given.
#[derive(Debug, Clone, FromRow)]
pub struct Collaborator {
    #[sqlx(flatten)]
    pub user: UserRow,
    pub mode: AccessMode,
}

pub async fn mode_of(c: Conn<'_>, repo_id: i64, user_id: i64) -> StoreResult<Option<AccessMode>> {
    const SQL: &str = "SELECT mode FROM collaboration WHERE repo_id = $1 AND user_id = $2";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(repo_id).bind(user_id).fetch_optional(&mut *x).await)?)
}

/// Add a collaborator or change its mode.
pub async fn upsert(c: Conn<'_>, repo_id: i64, user_id: i64, mode: AccessMode, now: i64) -> StoreResult<()> {
    c.rows_changed();
    const SQL: &str = "INSERT INTO collaboration (repo_id, user_id, mode, created_unix) VALUES ($1, $2, $3, $4) \
        ON CONFLICT (repo_id, user_id) DO UPDATE SET mode = excluded.mode";
    with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(user_id).bind(mode).bind(now)
        .execute(&mut *x).await.map(|_| ()))?;
    Ok(())
}

pub async fn remove(c: Conn<'_>, repo_id: i64, user_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM collaboration WHERE repo_id = $1 AND user_id = $2";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(repo_id).bind(user_id).execute(&mut *x).await
        .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// A repository's collaborators, in the order they were added.
pub async fn list(c: Conn<'_>, repo_id: i64, w: Window) -> StoreResult<(Vec<Collaborator>, i64)> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        ", c.mode FROM collaboration c JOIN \"user\" u ON u.id = c.user_id WHERE c.repo_id = $1 ORDER BY c.id \
         LIMIT $2 OFFSET $3"
    );
    const COUNT: &str = "SELECT COUNT(*) FROM collaboration WHERE repo_id = $1";
    Ok(crate::windowed!(c, Collaborator, SQL, COUNT, w, [repo_id]))
}

/// Everyone who may be assigned issues of a repository (write access or more), by name: the
/// owner when it is an individual, write/admin collaborators, and, for an organisation's
/// repository, members of its teams with write or more on it (Owners on all).
pub async fn assignable(c: Conn<'_>, repo_id: i64, owner_id: i64) -> StoreResult<Vec<UserRow>> {
    const SQL: &str = concat!(
        "SELECT ",
        user_columns!("u."),
        " FROM \"user\" u WHERE u.id = $2 AND u.type = 0 \
         UNION SELECT ",
        user_columns!("u."),
        " FROM \"user\" u JOIN collaboration c ON c.user_id = u.id WHERE c.repo_id = $1 AND c.mode >= 2 \
         UNION SELECT ",
        user_columns!("u."),
        " FROM \"user\" u JOIN team_user tu ON tu.uid = u.id JOIN team t ON t.id = tu.team_id \
         WHERE t.org_id = $2 AND t.authorize >= 2 \
         AND (t.authorize = 4 OR EXISTS (SELECT 1 FROM team_repo tr WHERE tr.team_id = t.id AND tr.repo_id = $1)) \
         ORDER BY lower_name"
    );
    Ok(with_conn!(c, x => sqlx::query_as::<_, UserRow>(SQL).bind(repo_id).bind(owner_id).fetch_all(&mut *x).await)?)
}
