//! Commits made in-process (the contents API): one file written onto a branch, with a
//! compare-and-swap on the ref so that a concurrent push is never overwritten.

use std::path::Path;

use gix::objs::tree::EntryKind;

use crate::names::{is_valid_ref_name, is_valid_tree_path};
use crate::read::EntryType;
use crate::repo::open;
use crate::{GitError, GitResult, Person};

/// Why a write was refused (each maps to a clear 4xx).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteRefusal {
    InvalidPath,
    InvalidBranch,
    /// The base branch does not exist (and the target is another branch).
    NoBase,
    /// The new branch already exists.
    BranchExists,
    /// A parent component is a file or symlink, or the path is a directory, symlink or submodule.
    NotAFile,
    /// The caller's `sha` is not the current blob.
    ShaMismatch,
    /// The content is identical to what is there.
    NothingToCommit,
    /// Deleting a file that does not exist.
    NoSuchFile,
}

/// What a successful write produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub commit: String,
    /// The branch's previous tip (`None` when the branch was created).
    pub previous: Option<String>,
    /// The written blob (empty for a deletion).
    pub blob: String,
}

pub struct WriteFile<'a> {
    /// The branch new commits start from (the repository's default branch).
    pub base_branch: &'a str,
    /// Where the commit goes: the base branch, or a new branch created from it.
    pub target_branch: &'a str,
    pub path: &'a str,
    /// The new content, or `None` to delete the file.
    pub content: Option<&'a [u8]>,
    pub message: &'a str,
    pub author: &'a Person,
    pub committer: &'a Person,
    /// GitHub-style precondition: the blob the caller last saw.
    pub expected_sha: Option<&'a str>,
}

fn signature(p: &Person) -> gix::actor::Signature {
    gix::actor::Signature {
        name: p.name.as_str().into(),
        email: p.email.as_str().into(),
        time: gix::date::Time::new(p.time, 0),
    }
}

pub fn write_file(repo_path: &Path, w: &WriteFile<'_>) -> GitResult<Result<Written, WriteRefusal>> {
    if !is_valid_tree_path(w.path) {
        return Ok(Err(WriteRefusal::InvalidPath));
    }
    if !is_valid_ref_name(w.base_branch) || !is_valid_ref_name(w.target_branch) {
        return Ok(Err(WriteRefusal::InvalidBranch));
    }
    let repo = open(repo_path)?;
    let base_ref = format!("refs/heads/{}", w.base_branch);
    let target_ref = format!("refs/heads/{}", w.target_branch);
    let new_branch = w.target_branch != w.base_branch;
    if new_branch && repo.try_find_reference(target_ref.as_str()).map_err(GitError::git)?.is_some() {
        return Ok(Err(WriteRefusal::BranchExists));
    }
    let base = match repo.try_find_reference(base_ref.as_str()).map_err(GitError::git)? {
        Some(mut r) => Some(r.peel_to_commit().map_err(GitError::git)?),
        None if new_branch => return Ok(Err(WriteRefusal::NoBase)),
        None => None,
    };
    let base_tree = match &base {
        Some(c) => c.tree().map_err(GitError::git)?,
        None => repo.empty_tree(),
    };

    // Every parent must be a directory (never a symlink: no writing through links), and the
    // path itself a regular file or nothing.
    let components: Vec<&str> = w.path.split('/').collect();
    for depth in 1..=components.len() {
        let prefix = components[..depth].join("/");
        let Some(entry) = base_tree.lookup_entry_by_path(&prefix).map_err(GitError::git)? else { break };
        let kind = EntryType::of(entry.mode().kind());
        let is_last = depth == components.len();
        let ok = if is_last { matches!(kind, EntryType::File | EntryType::Executable) } else { kind == EntryType::Dir };
        if !ok {
            return Ok(Err(WriteRefusal::NotAFile));
        }
    }
    let current = base_tree.lookup_entry_by_path(w.path).map_err(GitError::git)?;
    let current_id = current.as_ref().map(|e| e.object_id().to_string());
    if let Some(expected) = w.expected_sha
        && current_id.as_deref() != Some(expected)
    {
        return Ok(Err(WriteRefusal::ShaMismatch));
    }
    let mut editor = repo.edit_tree(base_tree.id).map_err(GitError::git)?;
    let blob = match w.content {
        Some(content) => {
            let blob = repo.write_blob(content).map_err(GitError::git)?.detach();
            if current_id.as_deref() == Some(blob.to_string().as_str()) {
                return Ok(Err(WriteRefusal::NothingToCommit));
            }
            let mode = match current.map(|e| e.mode().kind()) {
                Some(EntryKind::BlobExecutable) => EntryKind::BlobExecutable,
                _ => EntryKind::Blob,
            };
            editor.upsert(w.path, mode, blob).map_err(GitError::git)?;
            blob.to_string()
        }
        None => {
            if current.is_none() {
                return Ok(Err(WriteRefusal::NoSuchFile));
            }
            editor.remove(w.path).map_err(GitError::git)?;
            String::new()
        }
    };
    let tree = editor.write().map_err(GitError::git)?.detach();
    let (mut author_buf, mut committer_buf) =
        (gix::date::parse::TimeBuf::default(), gix::date::parse::TimeBuf::default());
    let (author, committer) = (signature(w.author), signature(w.committer));
    let parents: Vec<gix::ObjectId> = base.iter().map(|c| c.id).collect();
    let commit = repo
        .commit_as(
            committer.to_ref(&mut committer_buf),
            author.to_ref(&mut author_buf),
            target_ref.as_str(),
            w.message,
            tree,
            parents.clone(),
        )
        .map_err(GitError::git)?;
    Ok(Ok(Written {
        commit: commit.to_string(),
        previous: if new_branch { None } else { parents.first().map(|p| p.to_string()) },
        blob,
    }))
}

/// Create the lightweight tag `name` at the commit `target` (a branch, tag or commit id) unless the
/// tag exists. Returns the commit the tag points at, or `None` when `target` names no commit.
pub fn ensure_tag(repo_path: &Path, name: &str, target: &str) -> GitResult<Option<String>> {
    if !is_valid_ref_name(name) {
        return Err(GitError::InvalidName(name.to_string()));
    }
    let repo = open(repo_path)?;
    let full = format!("refs/tags/{name}");
    if let Some(mut existing) = repo.try_find_reference(full.as_str()).map_err(GitError::git)? {
        return Ok(existing.peel_to_commit().ok().map(|c| c.id.to_string()));
    }
    let Some(commit) = crate::read::resolve_commit(repo_path, target)? else { return Ok(None) };
    let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(GitError::git)?;
    repo.tag_reference(name, id, gix::refs::transaction::PreviousValue::MustNotExist).map_err(GitError::git)?;
    Ok(Some(commit))
}

/// One change of [`commit_edits`]: write `content` at `path`, or remove `path` (`None`).
pub struct TreeEdit<'a> {
    pub path: &'a str,
    pub content: Option<&'a [u8]>,
}

/// Apply `edits` in order to the tree of `refs/heads/<branch>` (an empty tree when the branch does
/// not exist) and commit the result onto the branch, compare-and-swap on its previous tip. Removing
/// a missing path is [`WriteRefusal::NoSuchFile`]; a tree left unchanged is
/// [`WriteRefusal::NothingToCommit`]. Kept modes: an edited executable stays executable.
pub fn commit_edits(
    repo_path: &Path,
    branch: &str,
    edits: &[TreeEdit<'_>],
    author: &Person,
    message: &str,
) -> GitResult<Result<Written, WriteRefusal>> {
    if !is_valid_ref_name(branch) {
        return Ok(Err(WriteRefusal::InvalidBranch));
    }
    if edits.iter().any(|e| !is_valid_tree_path(e.path)) {
        return Ok(Err(WriteRefusal::InvalidPath));
    }
    let repo = open(repo_path)?;
    let full = format!("refs/heads/{branch}");
    let base = match repo.try_find_reference(full.as_str()).map_err(GitError::git)? {
        Some(mut r) => Some(r.peel_to_commit().map_err(GitError::git)?),
        None => None,
    };
    let base_tree = match &base {
        Some(c) => c.tree().map_err(GitError::git)?,
        None => repo.empty_tree(),
    };
    let mut editor = repo.edit_tree(base_tree.id).map_err(GitError::git)?;
    let mut last_blob = String::new();
    for edit in edits {
        let current = editor.get(edit.path).map(|e| e.mode().kind());
        match edit.content {
            Some(content) => {
                if matches!(current, Some(EntryKind::Tree | EntryKind::Commit | EntryKind::Link)) {
                    return Ok(Err(WriteRefusal::NotAFile));
                }
                let blob = repo.write_blob(content).map_err(GitError::git)?.detach();
                let mode = if current == Some(EntryKind::BlobExecutable) {
                    EntryKind::BlobExecutable
                } else {
                    EntryKind::Blob
                };
                editor.upsert(edit.path, mode, blob).map_err(GitError::git)?;
                last_blob = blob.to_string();
            }
            None => {
                if current.is_none() {
                    return Ok(Err(WriteRefusal::NoSuchFile));
                }
                editor.remove(edit.path).map_err(GitError::git)?;
            }
        }
    }
    let tree = editor.write().map_err(GitError::git)?.detach();
    if tree == base_tree.id && base.is_some() {
        return Ok(Err(WriteRefusal::NothingToCommit));
    }
    let mut buf = gix::date::parse::TimeBuf::default();
    let sig = signature(author);
    let parents: Vec<gix::ObjectId> = base.iter().map(|c| c.id).collect();
    let commit = repo
        .commit_as(
            sig.to_ref(&mut buf),
            sig.to_ref(&mut gix::date::parse::TimeBuf::default()),
            full.as_str(),
            message,
            tree,
            parents.clone(),
        )
        .map_err(GitError::git)?;
    Ok(Ok(Written { commit: commit.to_string(), previous: parents.first().map(|p| p.to_string()), blob: last_blob }))
}
