//! Gists (GitHub's gists API shape): each gist is a bare Git repository at
//! `<data>/gists/<id>.git` (outside the repository root, so no owner or repository name can reach
//! it) plus a `gist` row (owner, description, visibility, times). The files are only in Git: the
//! API reads them from the default branch with gix, so a push changes what the API shows. A new
//! gist is built in scratch space and renamed into place inside the transaction that inserts its
//! row; API edits are in-process commits, compare-and-swap on the branch.

use std::path::{Path, PathBuf};

use hearth_git::read::EntryType;
use hearth_git::write::{self, TreeEdit, WriteRefusal};
use hearth_store::gists::{self as store, GistRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Db, Window};

use super::{ServiceError, ServiceResult, disk, git_blocking, now_unix};
use crate::app::AppState;
use crate::config::Config;

/// A gist file's content is returned whole up to this size, then cut (`truncated: true`).
pub const MAX_CONTENT: usize = 1024 * 1024;

/// Where a gist's repository is. `id` must be a gist id (see [`is_gist_id`]).
pub fn gist_path(config: &Config, id: &str) -> PathBuf {
    config.gists_dir().join(format!("{id}.git"))
}

/// 32 lower-case hex characters: what [`create`] makes; nothing else is looked up.
pub fn is_gist_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A file of a gist, as read from its default branch.
#[derive(Debug, Clone)]
pub struct GistFile {
    pub name: String,
    pub size: u64,
    /// The content (cut at [`MAX_CONTENT`]) when asked for.
    pub content: Option<Vec<u8>>,
    pub truncated: bool,
}

/// A gist row with its owner.
#[derive(Debug, Clone)]
pub struct Gist {
    pub row: GistRow,
    pub owner: UserRow,
}

/// A file name as gists accept it: a plain name at the root of the tree.
fn check_name(name: &str) -> ServiceResult<()> {
    if name.is_empty() || name.contains('/') || !hearth_git::names::is_valid_tree_path(name) {
        return Err(ServiceError::Invalid(format!("file name is not valid [name: {name}]")));
    }
    Ok(())
}

fn person(u: &UserRow) -> hearth_git::Person {
    let name = if u.full_name.is_empty() { u.name.clone() } else { u.full_name.clone() };
    hearth_git::Person { name, email: u.email.clone(), time: now_unix() }
}

/// The gist `id` and its owner; an unknown id (or a malformed one) is not found.
pub async fn get(db: &Db, id: &str) -> ServiceResult<Gist> {
    if !is_gist_id(id) {
        return Err(ServiceError::NotFound);
    }
    let mut h = db.acquire().await?;
    let row = store::by_id(h.conn(), id).await?.ok_or(ServiceError::NotFound)?;
    let owner = user_store::by_id(h.conn(), row.owner_id).await?.ok_or(ServiceError::NotFound)?;
    Ok(Gist { row, owner })
}

/// A page of `owner`'s gists, newest first; secret ones only when `with_secret`.
pub async fn list(db: &Db, owner: &UserRow, with_secret: bool, w: Window) -> ServiceResult<(Vec<GistRow>, i64)> {
    let mut h = db.acquire().await?;
    Ok(store::list_by_owner(h.conn(), owner.id, with_secret, w).await?)
}

/// The files at the tip of the gist's default branch (`HEAD`), by name; none when it is empty.
pub async fn files(config: &Config, id: &str, with_content: bool) -> ServiceResult<Vec<GistFile>> {
    let path = gist_path(config, id);
    git_blocking(move || read_files(&path, with_content)).await
}

fn read_files(path: &Path, with_content: bool) -> hearth_git::GitResult<Vec<GistFile>> {
    let Some(branch) = hearth_git::head_branch(path)? else { return Ok(Vec::new()) };
    let Some(entries) = hearth_git::read::tree(path, &format!("refs/heads/{branch}"))? else { return Ok(Vec::new()) };
    let blobs: Vec<_> =
        entries.into_iter().filter(|e| matches!(e.kind, EntryType::File | EntryType::Executable)).collect();
    let contents = if with_content {
        let ids: Vec<&str> = blobs.iter().map(|e| e.id.as_str()).collect();
        hearth_git::read::blobs(path, &ids)?
    } else {
        vec![None; blobs.len()]
    };
    Ok(blobs
        .into_iter()
        .zip(contents)
        .map(|(e, content)| {
            let truncated = content.as_ref().is_some_and(|c| c.len() > MAX_CONTENT);
            let content = content.map(|mut c| {
                c.truncate(MAX_CONTENT);
                c
            });
            GistFile { name: e.name, size: e.size, content, truncated }
        })
        .collect())
}

/// A new gist: `files` (name, content) need at least one non-empty content.
pub struct NewGist {
    pub description: String,
    pub public: bool,
    pub files: Vec<(String, String)>,
}

pub async fn create(state: &AppState, owner: &UserRow, new: NewGist) -> ServiceResult<Gist> {
    if new.files.is_empty() || new.files.iter().all(|(_, c)| c.is_empty()) {
        return Err(ServiceError::Invalid("files: at least one file with content is required".into()));
    }
    for (name, _) in &new.files {
        check_name(name)?;
    }
    let mut raw = [0u8; 16];
    rand::fill(&mut raw);
    let id = hex::encode(raw);
    let now = now_unix();
    let scratch = disk::scratch_repo(&state.config, "gist");
    let (dir, branch, author) = (scratch.clone(), state.config.repository.default_branch.clone(), person(owner));
    // Empty files are left out (GitHub drops them too).
    let files: Vec<(String, String)> = new.files.into_iter().filter(|(_, c)| !c.is_empty()).collect();
    let built = git_blocking(move || {
        hearth_git::init_bare(&dir, &branch)?;
        let edits: Vec<TreeEdit<'_>> =
            files.iter().map(|(n, c)| TreeEdit { path: n, content: Some(c.as_bytes()) }).collect();
        write::commit_edits(&dir, &branch, &edits, &author, "")
    })
    .await;
    match built {
        Ok(Ok(_)) => {}
        Ok(Err(refusal)) => {
            disk::remove_scratch(&state.config, &scratch).await;
            return Err(refused(refusal));
        }
        Err(e) => {
            disk::remove_scratch(&state.config, &scratch).await;
            return Err(e);
        }
    }
    let row = GistRow {
        id: id.clone(),
        owner_id: owner.id,
        description: new.description,
        is_public: new.public,
        created_unix: now,
        updated_unix: now,
    };
    let path = gist_path(&state.config, &id);
    let placed = async {
        let mut tx = state.db.begin().await?;
        store::insert(tx.conn(), &row).await?;
        super::repos::place(&scratch, &path, &id).await?;
        if let Err(e) = tx.commit().await {
            if let Err(back) = disk::move_dir(&path, &scratch) {
                tracing::error!(error = %back, "moving a gist back out after a failed commit");
            }
            hearth_git::forget(&path);
            return Err(e.into());
        }
        Ok::<_, ServiceError>(())
    }
    .await;
    if let Err(e) = placed {
        disk::remove_scratch(&state.config, &scratch).await;
        return Err(e);
    }
    Ok(Gist { row, owner: owner.clone() })
}

fn refused(refusal: WriteRefusal) -> ServiceError {
    match refusal {
        WriteRefusal::NoSuchFile => ServiceError::Invalid("file does not exist in the gist".into()),
        WriteRefusal::NotAFile => ServiceError::Invalid("the name is a directory, link or submodule".into()),
        WriteRefusal::InvalidPath => ServiceError::Invalid("file name is not valid".into()),
        other => ServiceError::Invalid(format!("cannot change the gist: {other:?}")),
    }
}

/// One file of an edit (GitHub's `files` of `PATCH /gists/:id`).
pub enum FileChange {
    Delete,
    /// New content, a new name, or both.
    Update {
        filename: Option<String>,
        content: Option<String>,
    },
}

/// Change a gist as its owner: the description, and the files with one new commit on the default
/// branch (renames, deletions, new and edited contents). The gist must keep at least one file.
pub async fn edit(
    state: &AppState,
    doer: &UserRow,
    gist: &Gist,
    description: Option<String>,
    changes: Vec<(String, FileChange)>,
) -> ServiceResult<()> {
    ensure_owner(doer, gist)?;
    if !changes.is_empty() {
        commit_changes(state, doer, &gist.row.id, changes).await?;
    }
    let mut h = state.db.acquire().await?;
    store::update(h.conn(), &gist.row.id, description.as_deref(), now_unix()).await?;
    Ok(())
}

async fn commit_changes(
    state: &AppState,
    doer: &UserRow,
    id: &str,
    changes: Vec<(String, FileChange)>,
) -> ServiceResult<()> {
    let path = gist_path(&state.config, id);
    let current = files(&state.config, id, false).await?;
    let exists = |name: &str| current.iter().any(|f| f.name == name);
    // Work out the edits: (path, content) with `None` removing.
    let mut edits: Vec<(String, Option<Vec<u8>>)> = Vec::new();
    for (name, change) in changes {
        check_name(&name)?;
        match change {
            FileChange::Delete => {
                if !exists(&name) {
                    return Err(ServiceError::Invalid(format!("file does not exist in the gist [name: {name}]")));
                }
                edits.push((name, None));
            }
            FileChange::Update { filename, content } => {
                let target = filename.filter(|f| *f != name);
                if let Some(t) = &target {
                    check_name(t)?;
                }
                let content = match (content, target.is_some()) {
                    (Some(c), _) => c.into_bytes(),
                    (None, true) => {
                        if !exists(&name) {
                            return Err(ServiceError::Invalid(format!(
                                "file does not exist in the gist [name: {name}]"
                            )));
                        }
                        let (p, n) = (path.clone(), name.clone());
                        git_blocking(move || {
                            let branch = hearth_git::head_branch(&p)?.unwrap_or_default();
                            match hearth_git::read::lookup(&p, &format!("refs/heads/{branch}"), &n)? {
                                Some(hearth_git::read::PathContent::Blob { data, .. }) => Ok(data),
                                _ => Ok(Vec::new()),
                            }
                        })
                        .await?
                    }
                    (None, false) => {
                        return Err(ServiceError::Invalid(format!("content is required [name: {name}]")));
                    }
                };
                match target {
                    Some(t) => {
                        edits.push((name, None));
                        edits.push((t, Some(content)));
                    }
                    None => edits.push((name, Some(content))),
                }
            }
        }
    }
    // A gist keeps at least one file.
    let mut left: std::collections::BTreeSet<&str> = current.iter().map(|f| f.name.as_str()).collect();
    for (name, content) in &edits {
        if content.is_some() {
            left.insert(name);
        } else {
            left.remove(name.as_str());
        }
    }
    if left.is_empty() {
        return Err(ServiceError::Invalid("files: a gist needs at least one file".into()));
    }
    let author = person(doer);
    let branch = state.config.repository.default_branch.clone();
    let written = git_blocking(move || {
        let branch = hearth_git::head_branch(&path)?.unwrap_or(branch);
        let list: Vec<TreeEdit<'_>> = edits.iter().map(|(p, c)| TreeEdit { path: p, content: c.as_deref() }).collect();
        write::commit_edits(&path, &branch, &list, &author, "")
    })
    .await?;
    match written {
        Ok(_) | Err(WriteRefusal::NothingToCommit) => Ok(()),
        Err(refusal) => Err(refused(refusal)),
    }
}

fn ensure_owner(doer: &UserRow, gist: &Gist) -> ServiceResult<()> {
    if doer.id != gist.row.owner_id {
        return Err(ServiceError::Forbidden("only the owner of the gist may change it".into()));
    }
    Ok(())
}

/// Delete a gist as its owner: the row, then the repository.
pub async fn delete(state: &AppState, doer: &UserRow, gist: &Gist) -> ServiceResult<()> {
    ensure_owner(doer, gist)?;
    let mut tx = state.db.begin().await?;
    store::delete(tx.conn(), &gist.row.id).await?;
    tx.commit().await?;
    remove_repository(&state.config, &gist.row.id).await;
    Ok(())
}

/// Remove a deleted gist's repository (its row is gone; a failure is logged).
pub async fn remove_repository(config: &Config, id: &str) {
    let (root, path) = (config.gists_dir(), gist_path(config, id));
    if let Err(e) = git_blocking(move || hearth_git::delete_repository(&root, &path)).await {
        tracing::error!(error = %e, "removing a deleted gist's repository");
    }
}

/// After a push: the gist was updated.
pub async fn pushed(db: &Db, id: &str) {
    let touched = async {
        let mut h = db.acquire().await?;
        store::update(h.conn(), id, None, now_unix()).await
    };
    if let Err(e) = touched.await {
        tracing::error!(error = %e, "recording a push to a gist");
    }
}

/// The bytes of the file `name` at the tip of the gist's default branch.
pub async fn raw(config: &Config, id: &str, name: &str) -> ServiceResult<Vec<u8>> {
    if check_name(name).is_err() {
        return Err(ServiceError::NotFound);
    }
    let (path, name) = (gist_path(config, id), name.to_string());
    let found = git_blocking(move || {
        let Some(branch) = hearth_git::head_branch(&path)? else { return Ok(None) };
        Ok(match hearth_git::read::lookup(&path, &format!("refs/heads/{branch}"), &name)? {
            Some(hearth_git::read::PathContent::Blob { data, .. }) => Some(data),
            _ => None,
        })
    })
    .await?;
    found.ok_or(ServiceError::NotFound)
}
