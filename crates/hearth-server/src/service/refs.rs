//! Creating and deleting branches and tags through the API (Gitea's branch and tag routes). Each
//! is one ref transaction in-process, then the same post-push work a `git push` of that ref gets
//! ([`push::after_push`]): the `push_event` row and the `create`/`delete` (and, for a new branch,
//! `push`) webhook deliveries, identical to a push's.

use std::path::Path;

use hearth_git::refs::{self, RefRefusal};
use hearth_git::transport::{RefUpdate, ZERO_ID};
use hearth_store::releases;
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

use super::{ServiceError, ServiceResult, git_blocking, now_unix, push};
use crate::app::AppState;

/// Where a new branch starts (Gitea's CreateBranchRepoOption).
pub enum BranchSource {
    /// Any commit-ish: a branch, a tag or a commit id.
    Ref(String),
    /// An existing branch.
    Branch(String),
    /// The default branch.
    Default,
}

fn refuse_mirror(repo: &RepoRow) -> ServiceResult<()> {
    if repo.is_mirror {
        return Err(ServiceError::Forbidden("Git Repository is a mirror.".into()));
    }
    Ok(())
}

fn refuse_empty(repo: &RepoRow) -> ServiceResult<()> {
    if repo.is_bare {
        return Err(ServiceError::NotFound);
    }
    Ok(())
}

/// Create branch `name` of `repo` (at `dir`) as `doer`, who must already have write access;
/// returns the commit it points at.
pub async fn create_branch(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    name: &str,
    source: BranchSource,
) -> ServiceResult<String> {
    refuse_mirror(repo)?;
    refuse_empty(repo)?;
    let rev = match source {
        BranchSource::Ref(r) => r,
        BranchSource::Branch(b) => {
            if !hearth_git::names::is_valid_ref_name(&b) {
                return Err(ServiceError::NotFound);
            }
            format!("refs/heads/{b}")
        }
        BranchSource::Default => format!("refs/heads/{}", repo.default_branch),
    };
    let (path, branch) = (dir.to_path_buf(), name.to_string());
    let created = git_blocking(move || {
        let Some(commit) = hearth_git::read::resolve_commit(&path, &rev)? else { return Ok(Err(None)) };
        Ok(refs::create_branch(&path, &branch, &commit)?.map(|()| commit).map_err(Some))
    })
    .await?;
    let commit = created.map_err(|refusal| match refusal {
        None => ServiceError::NotFound,
        Some(RefRefusal::InvalidName) => ServiceError::Invalid(format!("branch name is not valid [name: {name}]")),
        Some(RefRefusal::Exists) => ServiceError::Conflict("The branch already exists.".into()),
        Some(RefRefusal::NameConflict) => {
            ServiceError::Conflict("The branch with the same name already exists.".into())
        }
    })?;
    let update = RefUpdate { old: ZERO_ID.into(), new: commit.clone(), name: format!("refs/heads/{name}") };
    push::after_push(state, owner, repo, doer, &[update]).await?;
    Ok(commit)
}

/// Delete branch `name`; never the default branch (403, as Gitea).
pub async fn delete_branch(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    name: &str,
) -> ServiceResult<()> {
    refuse_mirror(repo)?;
    refuse_empty(repo)?;
    if name == repo.default_branch {
        return Err(ServiceError::Forbidden("can not delete default branch".into()));
    }
    super::branch_protection::check_delete(state, repo, name).await?;
    delete_ref(state, owner, repo, dir, doer, format!("refs/heads/{name}")).await
}

async fn delete_ref(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    full: String,
) -> ServiceResult<()> {
    let (path, name) = (dir.to_path_buf(), full.clone());
    let old = git_blocking(move || refs::delete_ref(&path, &name)).await?.ok_or(ServiceError::NotFound)?;
    let update = RefUpdate { old, new: ZERO_ID.into(), name: full };
    push::after_push(state, owner, repo, doer, &[update]).await?;
    Ok(())
}

/// Create tag `name` at `target` (a commit-ish; empty means the default branch): lightweight
/// without a message, annotated with `doer` as the tagger otherwise.
#[allow(clippy::too_many_arguments)]
pub async fn create_tag(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    name: &str,
    message: &str,
    target: &str,
) -> ServiceResult<()> {
    refuse_mirror(repo)?;
    let target = if target.is_empty() { repo.default_branch.clone() } else { target.to_string() };
    let tagger = hearth_git::Person {
        name: if doer.full_name.is_empty() { doer.name.clone() } else { doer.full_name.clone() },
        email: doer.email.clone(),
        time: now_unix(),
    };
    let (path, tag, message) = (dir.to_path_buf(), name.to_string(), message.to_string());
    let created = git_blocking(move || {
        let Some(commit) = hearth_git::read::resolve_commit(&path, &target)? else { return Ok(Err(None)) };
        let annotation = (!message.is_empty()).then_some((message.as_str(), &tagger));
        Ok(refs::create_tag(&path, &tag, &commit, annotation)?.map_err(Some))
    })
    .await?;
    let new = created.map_err(|refusal| match refusal {
        None => ServiceError::NotFound,
        Some(RefRefusal::InvalidName) => ServiceError::Invalid(format!("tag name is not valid [name: {name}]")),
        Some(RefRefusal::Exists) => ServiceError::Conflict(format!("tag already exists [name: {name}]")),
        Some(RefRefusal::NameConflict) => {
            ServiceError::Conflict(format!("tag name conflicts with another tag [name: {name}]"))
        }
    })?;
    let update = RefUpdate { old: ZERO_ID.into(), new, name: format!("refs/tags/{name}") };
    push::after_push(state, owner, repo, doer, &[update]).await?;
    Ok(())
}

/// Delete tag `name`; a tag a release is attached to stays (409, as Gitea).
pub async fn delete_tag(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    name: &str,
) -> ServiceResult<()> {
    refuse_mirror(repo)?;
    {
        let mut h = state.db.acquire().await?;
        if releases::tag_taken(h.conn(), repo.id, name, 0).await? {
            return Err(ServiceError::Conflict("a tag attached to a release cannot be deleted directly".into()));
        }
    }
    delete_ref(state, owner, repo, dir, doer, format!("refs/tags/{name}")).await
}
