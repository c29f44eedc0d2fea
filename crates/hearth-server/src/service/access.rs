//! The one function that decides what a user may do with a repository (permissions.md §2.1):
//! ownership, organisation ownership, team membership and collaborations, computed on the fly.

use hearth_store::Conn;
use hearth_store::StoreResult;
use hearth_store::access as grants;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

pub use hearth_store::AccessMode;

/// What can be decided without the database: site admins and the direct owner are owners,
/// everyone else starts from read on public repositories and none on private ones.
pub(crate) fn base_mode(user: Option<&UserRow>, repo: &RepoRow) -> Result<AccessMode, AccessMode> {
    let start = if repo.is_private { AccessMode::None } else { AccessMode::Read };
    match user {
        None => Ok(start),
        // Site admins are owners of every repository on every channel (a listed difference: Gogs
        // grants that only to API tokens).
        Some(u) if u.is_admin || u.id == repo.owner_id => Ok(AccessMode::Owner),
        Some(_) => Err(start),
    }
}

/// The mode of `user` (or an anonymous caller) on `repo`: the base mode raised by the caller's
/// collaboration and, on organisation repositories, by its teams (the Owners team owns them all).
pub async fn access_mode(c: Conn<'_>, user: Option<&UserRow>, repo: &RepoRow) -> StoreResult<AccessMode> {
    let start = match base_mode(user, repo) {
        Ok(decided) => return Ok(decided),
        Err(start) => start,
    };
    let uid = user.map(|u| u.id).unwrap_or(0);
    Ok(grants::granted_mode(c, uid, repo.id, repo.owner_id).await?.max(start))
}

/// [`access_mode`] for many repositories with one query (lists must not query per item).
pub async fn access_modes(c: Conn<'_>, user: &UserRow, list: &[RepoRow]) -> StoreResult<Vec<AccessMode>> {
    let undecided = list.iter().any(|r| base_mode(Some(user), r).is_err());
    let granted: std::collections::HashMap<i64, AccessMode> = if undecided {
        grants::granted_repos(c, user.id).await?.into_iter().map(|g| (g.repo.id, g.mode)).collect()
    } else {
        Default::default()
    };
    Ok(list
        .iter()
        .map(|r| match base_mode(Some(user), r) {
            Ok(decided) => decided,
            Err(start) => granted.get(&r.id).copied().unwrap_or(AccessMode::None).max(start),
        })
        .collect())
}

/// Repositories (with their owners) looked up once each for a list that names them by id, kept
/// only when the viewer can read them: notification threads and feed entries of repositories a
/// reader lost access to are left out.
#[derive(Default)]
pub struct ReadableRepos(std::collections::HashMap<i64, Option<(RepoRow, UserRow)>>);

impl ReadableRepos {
    pub async fn get(
        &mut self,
        mut c: Conn<'_>,
        viewer: Option<&UserRow>,
        id: i64,
    ) -> StoreResult<Option<&(RepoRow, UserRow)>> {
        if let std::collections::hash_map::Entry::Vacant(slot) = self.0.entry(id) {
            let mut found = None;
            if let Some(repo) = hearth_store::repos::by_id(c.reborrow(), id).await?
                && access_mode(c.reborrow(), viewer, &repo).await? >= AccessMode::Read
                && let Some(owner) = hearth_store::users::by_id(c, repo.owner_id).await?
            {
                found = Some((repo, owner));
            }
            slot.insert(found);
        }
        Ok(self.0.get(&id).and_then(Option::as_ref))
    }
}
