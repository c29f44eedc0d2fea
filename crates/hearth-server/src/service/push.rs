//! What happens after git accepted a push (git-transport.md §4.5, §5): the repository row learns
//! it is no longer empty, its size and update time; the first push into an empty repository fixes
//! the default branch when the configured one was not pushed; every ref update is queued as a
//! `push_event`, and its webhook events (`create`, `delete`, `push`) become `hook_task` rows in
//! the same transaction. Runs to completion even if the client went away.

use std::path::{Path, PathBuf};

use hearth_git::pushlog::PushedCommit;
use hearth_git::transport::{self, RefUpdate};
use hearth_store::push_events;
use hearth_store::repos::{self, RepoRow};
use hearth_store::users::UserRow;

use super::repos::repo_path;
use super::webhooks::{self, payload::FEED_MAX_COMMIT_NUM, payload::PushedRef};
use super::{ServiceResult, now_unix};
use crate::Config;
use crate::app::AppState;

/// A fresh file for hearth's post-receive hook to log a push's ref updates into.
pub fn new_ref_log(config: &Config) -> PathBuf {
    let mut name = [0u8; 12];
    rand::fill(&mut name);
    config.tmp_dir().join(format!("push-{}.log", hex::encode(name)))
}

/// After receive-pack exited (whatever its status, since git may have updated some refs): read and
/// remove the ref log, then process what it lists. Failures are logged; the push already happened.
pub async fn apply_ref_log(state: &AppState, owner: &UserRow, repo: &RepoRow, pusher: Option<&UserRow>, log: &Path) {
    let text = tokio::fs::read_to_string(log).await.unwrap_or_default();
    let _ = tokio::fs::remove_file(log).await;
    let updates = transport::parse_ref_log(&text);
    if let Some(pusher) = pusher
        && let Err(e) = after_push(state, owner, repo, pusher, &updates).await
    {
        tracing::error!(error = %e, repo = %repo.name, "after push");
    }
}

pub async fn after_push(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    pusher: &UserRow,
    updates: &[RefUpdate],
) -> ServiceResult<()> {
    if updates.is_empty() {
        return Ok(());
    }
    let path = repo_path(&state.config.repository.root, &owner.name, &repo.name);
    let was_empty = repo.is_bare;
    let configured = repo.default_branch.clone();
    let first_pushed_branch =
        updates.iter().filter(|u| !u.is_delete()).find_map(|u| u.name.strip_prefix("refs/heads/").map(str::to_string));
    let branch_updates: Vec<(String, String)> = updates
        .iter()
        .filter(|u| !u.is_delete() && u.name.starts_with("refs/heads/"))
        .map(|u| (u.old.clone(), u.new.clone()))
        .collect();
    let (default_branch, has_refs, size, mut pushed) =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(String, bool, u64, Vec<Vec<PushedCommit>>)> {
            let refs = hearth_git::ref_snapshot(&path)?;
            let mut default_branch = configured;
            let default_exists = refs.contains_key(&format!("refs/heads/{default_branch}"));
            if was_empty
                && !default_exists
                && let Some(first) = first_pushed_branch
            {
                hearth_git::set_head(&path, &first)?;
                default_branch = first;
            }
            let mut pushed = Vec::with_capacity(branch_updates.len());
            for (old, new) in &branch_updates {
                pushed.push(hearth_git::pushlog::pushed_commits(&path, old, new, FEED_MAX_COMMIT_NUM)?);
            }
            Ok((default_branch, !refs.is_empty(), hearth_git::repository_size(&path)?, pushed))
        })
        .await
        .map_err(anyhow::Error::from)??;

    let now = now_unix();
    let mut tx = state.db.begin().await?;
    // The recorded size counts the repository's LFS objects too; the payloads say the same.
    let size =
        repos::set_git_state(tx.conn(), repo.id, !has_refs && was_empty, &default_branch, size as i64, now).await?;
    let (mut recheck, mut synced) = (false, 0);
    for u in updates {
        push_events::insert(tx.conn(), repo.id, pusher.id, &u.name, &u.old, &u.new, now).await?;
        // Pulls into or out of a moved branch are checked again (a deleted head keeps its last
        // commit); pulls whose head moved say so to their base repository's hooks.
        if let Some(branch) = u.name.strip_prefix("refs/heads/") {
            let head = (!u.is_delete()).then_some(u.new.as_str());
            let touched = hearth_store::pulls::requeue_branch(tx.conn(), repo.id, branch, head).await?;
            recheck |= !touched.all.is_empty();
            if head.is_some() {
                for id in touched.heads {
                    synced += super::pulls::enqueue_synchronized(state, tx.conn(), id, pusher).await?;
                }
            }
        }
    }
    pushed.reverse();
    let refs: Vec<PushedRef<'_>> = updates
        .iter()
        .map(|u| {
            let is_branch_update = !u.is_delete() && u.name.starts_with("refs/heads/");
            PushedRef {
                update: u,
                commits: if is_branch_update { pushed.pop().unwrap_or_default() } else { Vec::new() },
            }
        })
        .collect();
    let tasks = webhooks::payload::enqueue_push(state, tx.conn(), owner, repo, size, pusher, &refs).await?;
    super::feeds::record_push(tx.conn(), owner, repo, pusher, &refs).await?;
    tx.commit().await?;
    if tasks + synced > 0 {
        webhooks::wake(state);
    }
    if recheck {
        state.wake(crate::service::signals::Job::PullChecks);
    }
    Ok(())
}
