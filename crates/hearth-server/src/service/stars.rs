//! Starring and watching repositories (Gitea's Activity API). Both are idempotent; the row and the
//! repository's counter change in one transaction. The caller must already be able to read the
//! repository (the extractor answers 404 otherwise).

use hearth_store::repos::RepoRow;
use hearth_store::stars::{self, Kind, Viewer};
use hearth_store::users::UserRow;
use hearth_store::{Db, repos};

use super::access::{AccessMode, access_modes};
use super::{ServiceResult, now_unix};

/// Star or watch (`on`), or stop; returns the repository row as it is afterwards (exact counters).
pub async fn set(db: &Db, kind: Kind, user: &UserRow, repo: &RepoRow, on: bool) -> ServiceResult<RepoRow> {
    let mut tx = db.begin().await?;
    if on {
        let added = stars::add(tx.conn(), kind, user.id, repo.id, now_unix()).await?;
        if kind == Kind::Star && added {
            super::feeds::record(tx.conn(), hearth_store::actions::Op::StarRepo, user, repo.id, "", 0, "").await?;
        }
    } else {
        stars::remove(tx.conn(), kind, user.id, repo.id).await?;
    }
    let row = repos::by_id(tx.conn(), repo.id).await?.unwrap_or_else(|| repo.clone());
    tx.commit().await?;
    Ok(row)
}

pub async fn is_set(db: &Db, kind: Kind, user: &UserRow, repo: &RepoRow) -> ServiceResult<bool> {
    let mut h = db.acquire().await?;
    Ok(stars::exists(h.conn(), kind, user.id, repo.id).await?)
}

/// A page of the users who starred (watch) `repo`, and the total (the repository's counter).
pub async fn users(db: &Db, kind: Kind, repo: &RepoRow, limit: i64, offset: i64) -> ServiceResult<(Vec<UserRow>, i64)> {
    let mut h = db.acquire().await?;
    let rows = stars::users_of(h.conn(), kind, repo.id, limit, offset).await?;
    let total = match kind {
        Kind::Star => repo.num_stars,
        Kind::Watch => repo.num_watches,
    };
    Ok((rows, total))
}

/// A listed repository with its owner and the viewer's access mode on it.
pub struct Listed {
    pub repo: RepoRow,
    pub owner: UserRow,
    pub mode: AccessMode,
}

/// A page of the repositories `user` starred (watches), limited to those `viewer` may read, newest
/// first, and how many of those there are.
pub async fn repos_of(
    db: &Db,
    kind: Kind,
    user: &UserRow,
    viewer: Option<&UserRow>,
    limit: i64,
    offset: i64,
) -> ServiceResult<(Vec<Listed>, i64)> {
    let mut h = db.acquire().await?;
    let v = Viewer { id: viewer.map(|u| u.id).unwrap_or(0), is_admin: viewer.is_some_and(|u| u.is_admin) };
    let (rows, total) = stars::repos_of(h.conn(), kind, user.id, v, limit, offset).await?;
    let mut owner_ids: Vec<i64> = rows.iter().map(|r| r.owner_id).collect();
    owner_ids.sort_unstable();
    owner_ids.dedup();
    let owners = hearth_store::users::by_ids(h.conn(), &owner_ids).await?;
    let modes = match viewer {
        Some(v) => access_modes(h.conn(), v, &rows).await?,
        None => vec![AccessMode::Read; rows.len()],
    };
    let listed = rows
        .into_iter()
        .zip(modes)
        .filter_map(|(repo, mode)| {
            let owner = owners.iter().find(|o| o.id == repo.owner_id)?.clone();
            Some(Listed { repo, owner, mode })
        })
        .collect();
    Ok((listed, total))
}
