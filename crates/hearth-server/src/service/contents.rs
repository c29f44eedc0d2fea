//! Changing one file with one commit of the caller's (the contents API's PUT and DELETE, and
//! later the web editor): the commit is made in-process with a compare-and-swap on the branch,
//! then gets the same post-push work and webhook events a `git push` does.

use std::path::Path;

use hearth_git::write::{self, WriteRefusal};
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

use super::{ServiceError, ServiceResult, now_unix, push};

/// One file changed by one commit.
pub struct FileChange {
    pub message: String,
    /// The new content; `None` deletes the file.
    pub content: Option<Vec<u8>>,
    /// The branch to commit to; empty means the default branch, a new name makes a branch from it.
    pub branch: String,
    /// The blob the caller believes is there (GitHub style); a mismatch is a conflict.
    pub sha: Option<String>,
}

/// What a committed change left behind.
pub struct Committed {
    /// The branch committed to.
    pub branch: String,
    pub blob: String,
    pub commit: String,
}

/// Commit `change` to `path` of `repo` (at `dir`) as `doer`, who must already have write access.
pub async fn commit_file(
    state: &crate::app::AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    path: &str,
    change: FileChange,
) -> ServiceResult<Committed> {
    super::repo_manage::ensure_writable(repo)?;
    if repo.is_mirror {
        return Err(ServiceError::Forbidden("Mirror repository is read-only".into()));
    }
    let target = if change.branch.is_empty() { repo.default_branch.clone() } else { change.branch.clone() };
    super::branch_protection::check_push(state, repo, doer, &target, &[path]).await?;
    let who = hearth_git::Person {
        name: if doer.full_name.is_empty() { doer.name.clone() } else { doer.full_name.clone() },
        email: doer.email.clone(),
        time: now_unix(),
    };
    let (dir, base, file_path, target_branch) =
        (dir.to_path_buf(), repo.default_branch.clone(), path.to_string(), target.clone());
    let written = super::git_blocking(move || {
        write::write_file(
            &dir,
            &write::WriteFile {
                base_branch: &base,
                target_branch: &target_branch,
                path: &file_path,
                content: change.content.as_deref(),
                message: &change.message,
                author: &who,
                committer: &who,
                expected_sha: change.sha.as_deref(),
            },
        )
    })
    .await?;
    let written = written.map_err(|refusal| match refusal {
        WriteRefusal::InvalidPath => ServiceError::Invalid("path is not allowed".into()),
        WriteRefusal::InvalidBranch => ServiceError::Invalid("branch name is not valid".into()),
        WriteRefusal::NoBase => ServiceError::Invalid("the default branch does not exist yet".into()),
        WriteRefusal::BranchExists => ServiceError::Invalid(format!("branch already exists [name: {target}]")),
        WriteRefusal::NotAFile => {
            ServiceError::Invalid("a parent of the path is not a directory, or the path is not a file".into())
        }
        WriteRefusal::ShaMismatch => ServiceError::Conflict("sha does not match the current file".into()),
        WriteRefusal::NothingToCommit => ServiceError::Invalid("nothing to commit".into()),
        WriteRefusal::NoSuchFile => ServiceError::NotFound,
    })?;
    let update = hearth_git::transport::RefUpdate {
        old: written.previous.clone().unwrap_or_else(|| hearth_git::transport::ZERO_ID.to_string()),
        new: written.commit.clone(),
        name: format!("refs/heads/{target}"),
    };
    push::after_push(state, owner, repo, doer, &[update]).await?;
    Ok(Committed { branch: target, blob: written.blob, commit: written.commit })
}
