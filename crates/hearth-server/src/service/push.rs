//! What happens after git accepted a push (git-transport.md §4.5, §5): the repository row learns
//! it is no longer empty, its size and update time; the first push into an empty repository fixes
//! the default branch when the configured one was not pushed; every ref update is queued as a
//! `push_event` for the webhook deliverer. Runs to completion even if the client went away.

use hearth_git::transport::RefUpdate;
use hearth_store::repos::{self, RepoRow};
use hearth_store::users::UserRow;

use super::repos::repo_path;
use super::{ServiceResult, now_unix};
use crate::app::AppState;

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
    let path = repo_path(&state.config.repository_root, &owner.name, &repo.name);
    let was_empty = repo.is_bare;
    let configured = repo.default_branch.clone();
    let first_pushed_branch =
        updates.iter().filter(|u| !u.is_delete()).find_map(|u| u.name.strip_prefix("refs/heads/").map(str::to_string));
    let (default_branch, has_refs, size) =
        tokio::task::spawn_blocking(move || -> anyhow::Result<(String, bool, u64)> {
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
            Ok((default_branch, !refs.is_empty(), hearth_git::repository_size(&path)?))
        })
        .await
        .map_err(anyhow::Error::from)??;

    let now = now_unix();
    let mut tx = state.db.begin().await?;
    repos::record_push(tx.c(), repo.id, !has_refs && was_empty, &default_branch, size as i64, now).await?;
    for u in updates {
        repos::insert_push_event(tx.c(), repo.id, pusher.id, &u.name, &u.old, &u.new, now).await?;
    }
    tx.commit().await?;
    Ok(())
}
