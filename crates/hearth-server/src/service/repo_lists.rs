//! Lists of repositories as one viewer may see them: shared by the API's repository lists and the
//! web UI's dashboard and profiles, so both apply the same access rules.

use hearth_store::access::{granted_repos, list_org_visible};
use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self, UserRow};
use hearth_store::{Db, UserKind};

use super::ServiceResult;
use super::access::{AccessMode, access_modes};

/// A repository in a list, with its owner and the viewer's mode on it.
pub struct Listed {
    pub repo: RepoRow,
    pub owner: UserRow,
    pub mode: AccessMode,
    /// Reached through a grant (collaboration, team), not owned by the viewer.
    pub granted: bool,
}

/// `me`'s own repositories (most recently updated first), then those it has a grant on through
/// collaborations and teams.
pub async fn mine(db: &Db, me: &UserRow) -> ServiceResult<Vec<Listed>> {
    let mut h = db.acquire().await?;
    let own = repo_store::list_by_owner(h.conn(), me.id, false).await?;
    let granted = granted_repos(h.conn(), me.id).await?;
    let mut out: Vec<Listed> = own
        .into_iter()
        .map(|repo| Listed { repo, owner: me.clone(), mode: AccessMode::Owner, granted: false })
        .collect();
    let mut owners: Vec<UserRow> = Vec::new();
    for g in granted {
        if !owners.iter().any(|o| o.id == g.repo.owner_id)
            && let Some(o) = users::by_id(h.conn(), g.repo.owner_id).await?
        {
            owners.push(o);
        }
        let Some(owner) = owners.iter().find(|o| o.id == g.repo.owner_id).cloned() else { continue };
        let mode = if me.is_admin { AccessMode::Owner } else { g.mode };
        out.push(Listed { repo: g.repo, owner, mode, granted: true });
    }
    Ok(out)
}

/// `owner`'s repositories that `viewer` may see: all of them for the owner itself and site
/// admins; for an organisation, public ones plus those of the viewer's teams; else public ones.
pub async fn of_owner(db: &Db, owner: &UserRow, viewer: Option<&UserRow>) -> ServiceResult<Vec<Listed>> {
    let mut h = db.acquire().await?;
    let rows = match viewer {
        Some(v) if v.is_admin || v.id == owner.id => repo_store::list_by_owner(h.conn(), owner.id, false).await?,
        Some(v) if owner.kind == UserKind::Organization => list_org_visible(h.conn(), owner.id, v.id).await?,
        _ => repo_store::list_by_owner(h.conn(), owner.id, true).await?,
    };
    let modes = match viewer {
        Some(v) => access_modes(h.conn(), v, &rows).await?,
        None => vec![AccessMode::Read; rows.len()],
    };
    Ok(rows
        .into_iter()
        .zip(modes)
        .map(|(repo, mode)| Listed { repo, owner: owner.clone(), mode: mode.max(AccessMode::Read), granted: false })
        .collect())
}

/// The direct forks of a repository the viewer may read (anonymous viewers: the public ones), in
/// the store's order, each with its owner (all owners read in one query).
pub async fn forks(db: &Db, viewer: Option<&UserRow>, repo_id: i64) -> ServiceResult<Vec<Listed>> {
    let mut h = db.acquire().await?;
    let forks = repo_store::forks_of(h.conn(), repo_id).await?;
    let modes = match viewer {
        Some(me) => access_modes(h.conn(), me, &forks).await?,
        None => forks.iter().map(|r| if r.is_private { AccessMode::None } else { AccessMode::Read }).collect(),
    };
    // The owners in one query, not one per fork.
    let mut ids: Vec<i64> = forks.iter().map(|r| r.owner_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let owners = users::by_ids(h.conn(), &ids).await?;
    Ok(forks
        .into_iter()
        .zip(modes)
        .filter(|(_, mode)| *mode != AccessMode::None)
        .filter_map(|(repo, mode)| {
            let owner = owners.iter().find(|o| o.id == repo.owner_id)?.clone();
            Some(Listed { repo, owner, mode, granted: false })
        })
        .collect())
}
