//! What a commit changed, in-process: the paths added, removed and modified against its first
//! parent (the empty tree for a root commit), and the lines added and removed (`git diff
//! --numstat` totals; binary files count no lines). For the Git data API's commit.

use std::collections::BTreeMap;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::diff::blob::{Algorithm, Diff, InternedInput};
use gix::objs::tree::EntryKind;

use crate::read::CommitDetail;
use crate::repo::open;
use crate::{GitError, GitResult};

/// A commit with the changes it made.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitChanges {
    pub detail: CommitDetail,
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub modified: Vec<String>,
    pub additions: u64,
    pub deletions: u64,
}

/// Blobs larger than this are not diffed line by line (counted as binary).
const MAX_DIFF_BYTES: u64 = 4 << 20;

type Entries = BTreeMap<String, (gix::ObjectId, EntryKind)>;

fn entries(repo: &gix::Repository, tree: Option<gix::ObjectId>) -> GitResult<Entries> {
    let mut out = Entries::new();
    let Some(id) = tree else { return Ok(out) };
    let tree = repo.find_tree(id).map_err(GitError::git)?;
    for e in tree.iter() {
        let e = e.map_err(GitError::git)?;
        out.insert(e.filename().to_str_lossy().into_owned(), (e.object_id(), e.mode().kind()));
    }
    Ok(out)
}

/// A changed path: its name and the blob ids before and after (None: absent on that side).
pub(crate) type Changed = (String, Option<gix::ObjectId>, Option<gix::ObjectId>);

/// What commit `detail` changed against its first parent (against nothing for a root commit).
pub(crate) fn against_first_parent(
    repo: &gix::Repository,
    detail: &crate::read::CommitDetail,
) -> GitResult<Vec<Changed>> {
    let tree = gix::ObjectId::from_hex(detail.tree.as_bytes()).map_err(GitError::git)?;
    let parent_tree = match detail.parents.first() {
        Some(p) => {
            let id = gix::ObjectId::from_hex(p.as_bytes()).map_err(GitError::git)?;
            Some(repo.find_commit(id).map_err(GitError::git)?.tree_id().map_err(GitError::git)?.detach())
        }
        None => None,
    };
    let mut changed = Vec::new();
    diff_trees(repo, parent_tree, Some(tree), "", &mut changed)?;
    Ok(changed)
}

/// Compare two trees, descending only into subtrees whose ids differ.
pub(crate) fn diff_trees(
    repo: &gix::Repository,
    old: Option<gix::ObjectId>,
    new: Option<gix::ObjectId>,
    prefix: &str,
    out: &mut Vec<Changed>,
) -> GitResult<()> {
    let (before, after) = (entries(repo, old)?, entries(repo, new)?);
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let path = format!("{prefix}{name}");
        let (b, a) = (before.get(name), after.get(name));
        let is_tree = |e: Option<&(gix::ObjectId, EntryKind)>| e.is_some_and(|(_, k)| *k == EntryKind::Tree);
        if b.map(|e| e.0) == a.map(|e| e.0) && b.map(|e| e.1) == a.map(|e| e.1) {
            continue;
        }
        let sub = format!("{path}/");
        match (is_tree(b), is_tree(a)) {
            (true, true) => diff_trees(repo, b.map(|e| e.0), a.map(|e| e.0), &sub, out)?,
            (true, false) => {
                diff_trees(repo, b.map(|e| e.0), None, &sub, out)?;
                if let Some(a) = a {
                    out.push((path, None, Some(a.0)));
                }
            }
            (false, true) => {
                if let Some(b) = b {
                    out.push((path, Some(b.0), None));
                }
                diff_trees(repo, None, a.map(|e| e.0), &sub, out)?;
            }
            (false, false) => out.push((path, b.map(|e| e.0), a.map(|e| e.0))),
        }
    }
    Ok(())
}

pub(crate) fn text_of(repo: &gix::Repository, id: Option<gix::ObjectId>) -> GitResult<Option<Vec<u8>>> {
    let Some(id) = id else { return Ok(Some(Vec::new())) };
    // A submodule's commit is not in this repository: no lines to count.
    let Ok(header) = repo.find_header(id) else { return Ok(None) };
    if header.kind() != gix::object::Kind::Blob || header.size() > MAX_DIFF_BYTES {
        return Ok(None);
    }
    let data = repo.find_object(id).map_err(GitError::git)?.detach().data;
    Ok((!data.contains(&0)).then_some(data))
}

/// One commit by any revision with its changes, or `None` when the revision names no commit.
pub fn commit_changes(path: &Path, rev: &str) -> GitResult<Option<CommitChanges>> {
    let Some(detail) = crate::read::commit(path, rev)? else { return Ok(None) };
    let repo = open(path)?;
    let changed = against_first_parent(&repo, &detail)?;
    let (mut added, mut removed, mut modified) = (Vec::new(), Vec::new(), Vec::new());
    let (mut additions, mut deletions) = (0u64, 0u64);
    for (file, before, after) in changed {
        match (before, after) {
            (None, Some(_)) => added.push(file),
            (Some(_), None) => removed.push(file),
            _ => modified.push(file),
        }
        if let (Some(old), Some(new)) = (text_of(&repo, before)?, text_of(&repo, after)?) {
            let input = InternedInput::new(old.as_slice(), new.as_slice());
            let diff = Diff::compute(Algorithm::Myers, &input);
            additions += u64::from(diff.count_additions());
            deletions += u64::from(diff.count_removals());
        }
    }
    Ok(Some(CommitChanges { detail, added, removed, modified, additions, deletions }))
}
