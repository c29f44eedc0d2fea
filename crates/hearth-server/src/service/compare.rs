//! Comparing two branches before a pull request exists (the web UI's `/compare/BASE...HEAD`):
//! the commits of the head that the base lacks and their diff from the merge base, read
//! in-process (no git process per page view).

use hearth_git::diff::{self, FilesDiff};
use hearth_git::read::{self, CommitDetail};
use hearth_store::repos::RepoRow;
use hearth_store::users::UserRow;

use super::pulls::{branch_tip, dir, find_head};
use super::{ServiceError, ServiceResult, git_blocking};
use crate::app::AppState;

/// Commits listed at most (the count goes on to [`COUNT_CAP`]).
const MAX_COMMITS: usize = 250;
const COUNT_CAP: usize = 10_000;

pub struct Comparison {
    /// The head's repository (the base itself or a fork) and its owner's name.
    pub head_owner: String,
    pub head_repo: RepoRow,
    pub head_branch: String,
    pub base_sha: String,
    pub head_sha: String,
    /// Newest first, at most 250.
    pub commits: Vec<CommitDetail>,
    pub total_commits: usize,
    /// `None` when the fork does not hold the base's tip (it is behind): nothing can be compared
    /// until the pull request exists (its check fetches the head into the base).
    pub diff: Option<FilesDiff>,
    /// The open pull request for this pair, if there is one.
    pub open_pull: Option<i64>,
}

/// Compare `head` (`branch` or `owner:branch` of a fork the viewer can read) with the base
/// repository's `base` branch. 404 when either branch is missing.
pub async fn compare(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    viewer: Option<&UserRow>,
    base: &str,
    head: &str,
    max_lines: usize,
) -> ServiceResult<Comparison> {
    let head = find_head(state, owner, repo, viewer, head).await?;
    let base_sha = branch_tip(dir(state, owner, repo), base).await?.ok_or(ServiceError::NotFound)?;
    let head_dir = dir(state, &head.owner, &head.repo);
    let head_sha = branch_tip(head_dir.clone(), &head.branch).await?.ok_or(ServiceError::NotFound)?;
    let open_pull = {
        let mut h = state.db.acquire().await?;
        hearth_store::pulls::open_between(h.conn(), head.repo.id, &head.branch, repo.id, base).await?.map(|(_, i)| i)
    };
    // Everything is read in the head's repository: a fork holds the base's history up to its
    // creation, and the base holds nothing of the fork's.
    let (b, h) = (base_sha.clone(), head_sha.clone());
    let (commits, total_commits, diff) = git_blocking(move || {
        if read::resolve_commit(&head_dir, &b)?.is_none() {
            return Ok((Vec::new(), 0, None));
        }
        let (commits, total) = read::log_range(&head_dir, &h, &b, 0, MAX_COMMITS, COUNT_CAP)?.unwrap_or_default();
        let from = read::common_ancestor(&head_dir, &b, &h)?.unwrap_or(b);
        let d = diff::between(&head_dir, &from, &h, max_lines)?;
        Ok((commits, total, d))
    })
    .await?;
    Ok(Comparison {
        head_owner: head.owner.name.clone(),
        head_repo: head.repo,
        head_branch: head.branch,
        base_sha,
        head_sha,
        commits,
        total_commits,
        diff,
        open_pull,
    })
}
