//! Repository collaborators (permissions.md §3, behaviours.md §10).

use hearth_store::Db;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;
use hearth_store::{UserKind, collaborations};

use super::access::AccessMode;
use super::{ServiceError, ServiceResult, now_unix};

/// Add `user` as a collaborator or change its mode. `requested` is the parsed `permission` (None
/// when absent): new collaborators default to write, existing ones keep their mode. A mode above
/// the caller's own is ignored, as Gogs does. The owner, an organisation and the caller
/// themselves cannot be collaborators (422, a hearth decision).
pub async fn put(
    db: &Db,
    repo: &RepoRow,
    doer: &UserRow,
    doer_mode: AccessMode,
    user: &UserRow,
    requested: Option<AccessMode>,
) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(repo)?;
    if user.id == repo.owner_id {
        return Err(ServiceError::Invalid("the repository owner cannot be a collaborator".into()));
    }
    if user.kind == UserKind::Organization {
        return Err(ServiceError::Invalid("an organization cannot be a collaborator".into()));
    }
    if user.id == doer.id {
        return Err(ServiceError::Invalid("you cannot add yourself as a collaborator".into()));
    }
    let mut tx = db.begin().await?;
    let existing = collaborations::mode_of(tx.conn(), repo.id, user.id).await?;
    let requested = requested.filter(|m| *m <= doer_mode && *m <= AccessMode::Admin);
    let mode = match (requested, existing) {
        (Some(m), _) => m,
        (None, Some(m)) => m,
        (None, None) => AccessMode::Write,
    };
    if existing != Some(mode) {
        collaborations::upsert(tx.conn(), repo.id, user.id, mode, now_unix()).await?;
    }
    tx.commit().await?;
    Ok(())
}

pub async fn remove(db: &Db, repo: &RepoRow, user: &UserRow) -> ServiceResult<()> {
    super::repo_manage::ensure_writable(repo)?;
    let mut tx = db.begin().await?;
    collaborations::remove(tx.conn(), repo.id, user.id).await?;
    tx.commit().await?;
    Ok(())
}
