//! Releases: a row bound to a tag. Publishing one creates the tag at its target when the tag does
//! not exist, and emits the `release` event in the same transaction as the row (webhooks.md §2).

use std::path::Path;

use hearth_store::releases::{self, ReleaseFields, ReleaseRow};
use hearth_store::repos::RepoRow;
use hearth_store::users::{self, UserRow};
use hearth_store::{StoreError, Unique};

use super::webhooks::{self, payload};
use super::{ServiceError, ServiceResult, now_unix};
use crate::app::AppState;

fn tag_taken(tag: &str) -> ServiceError {
    ServiceError::Conflict(format!("release already exists [tag: {tag}]"))
}

async fn check_tag_free(state: &AppState, repo: &RepoRow, tag: &str, except: i64) -> ServiceResult<()> {
    let mut h = state.db.acquire().await?;
    if releases::tag_taken(h.conn(), repo.id, tag, except).await? {
        return Err(tag_taken(tag));
    }
    Ok(())
}

/// Make sure the tag exists (creating it at `target` for published releases); returns its commit
/// (empty for a draft whose tag does not exist yet).
async fn tag_commit(dir: &Path, f: &ReleaseFields) -> ServiceResult<String> {
    if !hearth_git::names::is_valid_ref_name(&f.tag_name) {
        return Err(ServiceError::Invalid(format!("tag name is not valid [name: {}]", f.tag_name)));
    }
    let (dir, tag, target, draft) = (dir.to_path_buf(), f.tag_name.clone(), f.target.clone(), f.is_draft);
    let commit = super::git_blocking(move || {
        if draft {
            return hearth_git::read::resolve_commit(&dir, &format!("refs/tags/{tag}"));
        }
        hearth_git::write::ensure_tag(&dir, &tag, &target)
    })
    .await?;
    match commit {
        Some(c) => Ok(c),
        None if f.is_draft => Ok(String::new()),
        None => Err(ServiceError::Invalid(format!("target does not exist [target: {}]", f.target))),
    }
}

fn conflict_as_taken(tag: &str) -> impl FnOnce(StoreError) -> ServiceError + '_ {
    move |e| match e {
        StoreError::Conflict(Unique::ReleaseTag) => tag_taken(tag),
        other => other.into(),
    }
}

/// Create a release of `repo` (at `dir`) published by `doer`.
/// Gitea's `publish_release` action: the tag as its ref, the title as its content.
async fn record_published(c: hearth_store::Conn<'_>, publisher: &UserRow, row: &ReleaseRow) -> ServiceResult<()> {
    let op = hearth_store::actions::Op::PublishRelease;
    super::feeds::record(c, op, publisher, row.repo_id, &row.tag_name, 0, &row.title).await
}

pub async fn create(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    mut fields: ReleaseFields,
) -> ServiceResult<ReleaseRow> {
    super::repo_manage::ensure_writable(repo)?;
    check_tag_free(state, repo, &fields.tag_name, 0).await?;
    fields.sha1 = tag_commit(dir, &fields).await?;
    let mut tx = state.db.begin().await?;
    let row = releases::insert(tx.conn(), repo.id, doer.id, &fields, now_unix())
        .await
        .map_err(conflict_as_taken(&fields.tag_name))?;
    if !row.is_draft {
        record_published(tx.conn(), doer, &row).await?;
    }
    let published = !row.is_draft && payload::enqueue_release(state, tx.conn(), owner, repo, &row, doer).await? > 0;
    tx.commit().await?;
    if published {
        webhooks::wake(state);
    }
    Ok(row)
}

/// Change a release to `fields`; a draft edited into a release is published now, with its
/// publisher as author and sender (as Gogs).
pub async fn edit(
    state: &AppState,
    owner: &UserRow,
    repo: &RepoRow,
    dir: &Path,
    doer: &UserRow,
    row: &ReleaseRow,
    mut fields: ReleaseFields,
) -> ServiceResult<ReleaseRow> {
    super::repo_manage::ensure_writable(repo)?;
    check_tag_free(state, repo, &fields.tag_name, row.id).await?;
    if fields.tag_name != row.tag_name || (row.is_draft && !fields.is_draft) {
        fields.sha1 = tag_commit(dir, &fields).await?;
    }
    let mut tx = state.db.begin().await?;
    releases::update(tx.conn(), row.id, &fields).await.map_err(conflict_as_taken(&fields.tag_name))?;
    let mut published = false;
    if row.is_draft
        && !fields.is_draft
        && let Some(now) = releases::by_id(tx.conn(), repo.id, row.id).await?
    {
        let publisher = users::by_id(tx.conn(), now.publisher_id).await?.unwrap_or_else(|| doer.clone());
        record_published(tx.conn(), &publisher, &now).await?;
        published = payload::enqueue_release(state, tx.conn(), owner, repo, &now, &publisher).await? > 0;
    }
    let updated = releases::by_id(tx.conn(), repo.id, row.id).await?.ok_or(ServiceError::NotFound)?;
    tx.commit().await?;
    if published {
        webhooks::wake(state);
    }
    Ok(updated)
}

/// Delete a release (its tag stays).
pub async fn delete(state: &AppState, row: &ReleaseRow) -> ServiceResult<()> {
    let mut tx = state.db.begin().await?;
    releases::delete(tx.conn(), row.id).await?;
    tx.commit().await?;
    Ok(())
}
