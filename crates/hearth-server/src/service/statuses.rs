//! Commit statuses (Gitea's API): CI reports a state per context for a commit; the combined state
//! is the worst of each context's newest.

use std::collections::HashMap;

use hearth_store::Window;
use hearth_store::repos::RepoRow;
use hearth_store::statuses::{self, NewStatus, StatusRow};
use hearth_store::users::UserRow;

use super::commit_comments::resolve_commit;
use super::issue_view::users_by_id;
use super::webhooks::payload::enqueue_status;
use super::webhooks::wake;
use super::{ServiceError, ServiceResult, git_blocking, now_unix};
use crate::app::AppState;
use crate::types::{CommitStatus, User, rfc3339};

/// The states, worst first.
pub const STATES: [&str; 5] = ["error", "failure", "warning", "pending", "success"];

pub struct CreateStatus {
    pub state: String,
    pub target_url: String,
    pub description: String,
    pub context: String,
}

/// Record a status for commit `sha` (full or abbreviated; it must be in the repository) and queue
/// its `status` event in the same transaction.
pub async fn create(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: std::path::PathBuf,
    doer: &UserRow,
    sha: &str,
    opt: &CreateStatus,
) -> ServiceResult<StatusRow> {
    super::repo_manage::ensure_writable(repo)?;
    if !STATES.contains(&opt.state.as_str()) {
        return Err(ServiceError::Invalid(format!("invalid state {:?}: one of {}", opt.state, STATES.join(", "))));
    }
    if opt.context.trim().len() > 255 || opt.description.trim().len() > 1024 || opt.target_url.trim().len() > 2048 {
        return Err(ServiceError::Invalid(
            "context is limited to 255 bytes, description to 1024, target_url to 2048".into(),
        ));
    }
    let target = opt.target_url.trim();
    if !(target.is_empty() || target.starts_with("http://") || target.starts_with("https://")) {
        return Err(ServiceError::Invalid("target_url must be an http(s) URL".into()));
    }
    let sha = resolve_commit(dir.clone(), sha).await?;
    let commit = {
        let sha = sha.clone();
        git_blocking(move || hearth_git::read::commit(&dir, &sha)).await?.ok_or(ServiceError::NotFound)?
    };
    let mut tx = state.db.begin().await?;
    let new = NewStatus {
        repo_id: repo.id,
        sha: &sha,
        state: &opt.state,
        target_url: target,
        description: opt.description.trim(),
        context: opt.context.trim(),
        creator_id: doer.id,
        now: now_unix(),
    };
    let row = statuses::insert(tx.conn(), &new).await?;
    enqueue_status(state, tx.conn(), owner, repo, &row, &commit, doer).await?;
    tx.commit().await?;
    wake(state);
    Ok(row)
}

/// The commit a ref names: a branch, a tag, or a (possibly abbreviated) commit id; `None` for
/// anything else (Gitea answers such lookups with empty lists, not 404).
pub async fn resolve_ref(dir: std::path::PathBuf, r: &str) -> ServiceResult<Option<String>> {
    let r = r.to_string();
    git_blocking(move || {
        if let Some(id) = hearth_git::read::ref_commit(&dir, &r)? {
            return Ok(Some(id));
        }
        if (4..=40).contains(&r.len()) && r.bytes().all(|b| b.is_ascii_hexdigit()) {
            return hearth_git::read::resolve_commit(&dir, &r.to_ascii_lowercase());
        }
        Ok(None)
    })
    .await
}

/// Every status of a commit, newest first (`oldest` reverses), optionally of one state.
pub async fn list(
    state: &AppState,
    repo: &RepoRow,
    sha: &str,
    only: Option<&str>,
    oldest: bool,
    w: Window,
) -> ServiceResult<(Vec<StatusRow>, i64)> {
    let only = only.filter(|s| STATES.contains(s));
    let mut h = state.db.acquire().await?;
    Ok(statuses::list(h.conn(), repo.id, sha, only, oldest, w).await?)
}

/// The newest status of each context of a commit.
pub async fn latest(state: &AppState, repo: &RepoRow, sha: &str) -> ServiceResult<Vec<StatusRow>> {
    let mut h = state.db.acquire().await?;
    Ok(statuses::latest(h.conn(), repo.id, sha).await?)
}

/// The worst state among `rows`, with `error` reported as `failure` (Gitea's combined state);
/// "" when there are none.
pub fn combined_state(rows: &[StatusRow]) -> String {
    let worst = rows.iter().filter_map(|r| STATES.iter().position(|s| *s == r.state)).min();
    match worst {
        None => String::new(),
        Some(0) => "failure".into(),
        Some(i) => STATES[i].into(),
    }
}

/// The CommitStatus objects of `rows` (one repository `owner/name`).
pub async fn to_json(
    state: &AppState,
    owner: &str,
    name: &str,
    rows: &[StatusRow],
) -> ServiceResult<Vec<CommitStatus>> {
    let people: HashMap<i64, UserRow> = {
        let mut h = state.db.acquire().await?;
        users_by_id(h.conn(), rows.iter().map(|r| r.creator_id)).await?
    };
    Ok(rows
        .iter()
        .map(|r| CommitStatus {
            id: r.idx,
            status: r.state.clone(),
            target_url: r.target_url.clone(),
            description: r.description.clone(),
            url: format!("{}/repos/{owner}/{name}/statuses/{}", state.links.api_url, r.sha),
            context: r.context.clone(),
            creator: people.get(&r.creator_id).map(|u| User::new(&state.links, u, true)),
            created_at: rfc3339(r.created_unix),
            updated_at: rfc3339(r.created_unix),
        })
        .collect())
}
