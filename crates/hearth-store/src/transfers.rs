//! The `repo_transfer` and `repo_transfer_team` tables: a transfer of a repository to another
//! owner that waits for the recipient (or an owner of the recipient organisation) to accept it.

use sqlx::FromRow;

use crate::{Conn, StoreResult, with_conn};

#[derive(Debug, Clone, FromRow)]
pub struct TransferRow {
    pub id: i64,
    pub repo_id: i64,
    pub doer_id: i64,
    pub recipient_id: i64,
    pub created_unix: i64,
}

/// Record a pending transfer and the teams it will add the repository to. A second pending
/// transfer of the same repository is a [`crate::StoreError::Conflict`].
pub async fn create(
    mut c: Conn<'_>,
    repo_id: i64,
    doer_id: i64,
    recipient_id: i64,
    team_ids: &[i64],
    now: i64,
) -> StoreResult<TransferRow> {
    c.rows_changed();
    const SQL: &str = "INSERT INTO repo_transfer (repo_id, doer_id, recipient_id, created_unix) VALUES ($1, $2, $3, $4) \
        RETURNING id, repo_id, doer_id, recipient_id, created_unix";
    let row = with_conn!(c.reborrow(), x => sqlx::query_as::<_, TransferRow>(SQL).bind(repo_id).bind(doer_id)
        .bind(recipient_id).bind(now).fetch_one(&mut *x).await)?;
    const TEAM: &str = "INSERT INTO repo_transfer_team (transfer_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING";
    for team_id in team_ids {
        with_conn!(c.reborrow(), x => sqlx::query(TEAM).bind(row.id).bind(*team_id).execute(&mut *x).await
            .map(|_| ()))?;
    }
    Ok(row)
}

/// The repository's pending transfer.
pub async fn pending(c: Conn<'_>, repo_id: i64) -> StoreResult<Option<TransferRow>> {
    const SQL: &str = "SELECT id, repo_id, doer_id, recipient_id, created_unix FROM repo_transfer WHERE repo_id = $1";
    Ok(with_conn!(c, x => sqlx::query_as::<_, TransferRow>(SQL).bind(repo_id).fetch_optional(&mut *x).await)?)
}

/// The teams a pending transfer will add the repository to (teams deleted since are gone), by id.
pub async fn team_ids(c: Conn<'_>, transfer_id: i64) -> StoreResult<Vec<i64>> {
    const SQL: &str = "SELECT team_id FROM repo_transfer_team WHERE transfer_id = $1 ORDER BY team_id";
    Ok(with_conn!(c, x => sqlx::query_scalar(SQL).bind(transfer_id).fetch_all(&mut *x).await)?)
}

/// Forget the repository's pending transfer (accepted, rejected or superseded).
pub async fn delete(c: Conn<'_>, repo_id: i64) -> StoreResult<bool> {
    c.rows_changed();
    const SQL: &str = "DELETE FROM repo_transfer WHERE repo_id = $1";
    let n = with_conn!(c, x => sqlx::query(SQL).bind(repo_id).execute(&mut *x).await.map(|r| r.rows_affected()))?;
    Ok(n > 0)
}

/// The grants that stop making sense when a repository moves to `new_owner_id`: its old
/// organisation's team grants, the new owner's own collaboration and, for an organisation, the
/// collaborations of its members (its teams reach them instead), as Gitea does.
pub async fn drop_stale_grants(mut c: Conn<'_>, repo_id: i64, new_owner_id: i64) -> StoreResult<()> {
    c.rows_changed();
    const TEAMS: &str = "DELETE FROM team_repo WHERE repo_id = $1";
    with_conn!(c.reborrow(), x => sqlx::query(TEAMS).bind(repo_id).execute(&mut *x).await.map(|_| ()))?;
    const COLLABORATORS: &str = "DELETE FROM collaboration WHERE repo_id = $1 AND (user_id = $2 \
        OR user_id IN (SELECT uid FROM org_user WHERE org_id = $2))";
    with_conn!(c, x => sqlx::query(COLLABORATORS).bind(repo_id).bind(new_owner_id).execute(&mut *x).await
        .map(|_| ()))?;
    Ok(())
}
