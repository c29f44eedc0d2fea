//! In-process reads for the content API: revisions, trees, blobs, paths, tags.

use std::path::Path;

use gix::bstr::ByteSlice;
use gix::objs::tree::EntryKind;

use crate::repo::{commit_info, open};
use crate::{CommitInfo, GitError, GitResult};

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    File,
    Executable,
    Symlink,
    Dir,
    Submodule,
}

impl EntryType {
    /// Git's mode string.
    pub fn mode(self) -> &'static str {
        match self {
            EntryType::File => "100644",
            EntryType::Executable => "100755",
            EntryType::Symlink => "120000",
            EntryType::Dir => "040000",
            EntryType::Submodule => "160000",
        }
    }

    pub(crate) fn of(kind: EntryKind) -> EntryType {
        match kind {
            EntryKind::Tree => EntryType::Dir,
            EntryKind::Blob => EntryType::File,
            EntryKind::BlobExecutable => EntryType::Executable,
            EntryKind::Link => EntryType::Symlink,
            EntryKind::Commit => EntryType::Submodule,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TreeEntry {
    pub name: String,
    pub kind: EntryType,
    pub id: String,
    /// Blob size in bytes (0 for trees and submodules).
    pub size: u64,
}

/// A revision a client may name: no options, no ranges, no path syntax.
pub fn is_safe_rev(rev: &str) -> bool {
    !rev.is_empty()
        && rev.len() <= 256
        && !rev.starts_with('-')
        && !rev.contains("..")
        && rev.chars().all(|c| c.is_ascii_alphanumeric() || "._/-~^{}@".contains(c))
}

fn resolve<'r>(repo: &'r gix::Repository, rev: &str) -> Option<gix::Object<'r>> {
    if !is_safe_rev(rev) {
        return None;
    }
    repo.rev_parse_single(rev).ok()?.object().ok()
}

/// The commit a revision (branch, tag, full or short id) names.
pub fn resolve_commit(path: &Path, rev: &str) -> GitResult<Option<String>> {
    let repo = open(path)?;
    Ok(resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()).map(|c| c.id.to_string()))
}

fn entries_of(repo: &gix::Repository, tree: &gix::Tree<'_>) -> GitResult<Vec<TreeEntry>> {
    let mut out = Vec::new();
    for e in tree.iter() {
        let e = e.map_err(GitError::git)?;
        let kind = EntryType::of(e.mode().kind());
        let oid = e.object_id();
        let size = match kind {
            EntryType::File | EntryType::Executable | EntryType::Symlink => {
                repo.find_header(oid).map(|h| h.size()).unwrap_or(0)
            }
            _ => 0,
        };
        out.push(TreeEntry { name: e.filename().to_str_lossy().into_owned(), kind, id: oid.to_string(), size });
    }
    Ok(out)
}

/// The direct children of a tree-ish (a tree, a commit, a branch or a tag).
pub fn tree(path: &Path, treeish: &str) -> GitResult<Option<Vec<TreeEntry>>> {
    let repo = open(path)?;
    let Some(tree) = resolve(&repo, treeish).and_then(|o| o.peel_to_tree().ok()) else { return Ok(None) };
    entries_of(&repo, &tree).map(Some)
}

/// Every entry below a tree-ish in `git ls-tree -r -t` order (a directory, then its contents),
/// with full paths (`name` holds the path). Stops after `limit` entries; the flag says whether
/// more were left.
pub fn tree_recursive(path: &Path, treeish: &str, limit: usize) -> GitResult<Option<(Vec<TreeEntry>, bool)>> {
    fn walk(
        repo: &gix::Repository,
        tree: &gix::Tree<'_>,
        prefix: &str,
        limit: usize,
        out: &mut Vec<TreeEntry>,
    ) -> GitResult<bool> {
        for mut e in entries_of(repo, tree)? {
            if out.len() >= limit {
                return Ok(true);
            }
            e.name = format!("{prefix}{}", e.name);
            let sub = if e.kind == EntryType::Dir {
                let oid = gix::ObjectId::from_hex(e.id.as_bytes()).map_err(GitError::git)?;
                Some((format!("{}/", e.name), repo.find_object(oid).map_err(GitError::git)?.into_tree()))
            } else {
                None
            };
            out.push(e);
            if let Some((sub_prefix, sub_tree)) = sub
                && walk(repo, &sub_tree, &sub_prefix, limit, out)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
    let repo = open(path)?;
    let Some(root) = resolve(&repo, treeish).and_then(|o| o.peel_to_tree().ok()) else { return Ok(None) };
    let mut out = Vec::new();
    let truncated = walk(&repo, &root, "", limit, &mut out)?;
    Ok(Some((out, truncated)))
}

/// A blob by id.
pub fn blob(path: &Path, id: &str) -> GitResult<Option<Vec<u8>>> {
    blob_in(&open(path)?, id)
}

/// Several blobs by id with one repository handle (a directory listing's files).
pub fn blobs(path: &Path, ids: &[&str]) -> GitResult<Vec<Option<Vec<u8>>>> {
    let repo = open(path)?;
    ids.iter().map(|id| blob_in(&repo, id)).collect()
}

fn blob_in(repo: &gix::Repository, id: &str) -> GitResult<Option<Vec<u8>>> {
    let Ok(oid) = gix::ObjectId::from_hex(id.as_bytes()) else { return Ok(None) };
    let Ok(object) = repo.find_object(oid) else { return Ok(None) };
    Ok(object.try_into_blob().ok().map(|mut b| b.take_data()))
}

/// What is at a path of a commit.
#[derive(Debug, Clone, PartialEq)]
pub enum PathContent {
    /// A file (or symlink) with its bytes.
    Blob {
        entry: TreeEntry,
        data: Vec<u8>,
    },
    /// A directory (the root when the path is empty) and its children.
    Dir {
        entry: TreeEntry,
        children: Vec<TreeEntry>,
    },
    Submodule {
        entry: TreeEntry,
    },
}

/// Look `file_path` up in `commit` (any revision); `None` when either does not exist.
pub fn lookup(path: &Path, rev: &str, file_path: &str) -> GitResult<Option<PathContent>> {
    let repo = open(path)?;
    let Some(commit) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(None) };
    let root = commit.tree().map_err(GitError::git)?;
    let file_path = file_path.trim_matches('/');
    if file_path.is_empty() {
        let entry = TreeEntry { name: String::new(), kind: EntryType::Dir, id: root.id.to_string(), size: 0 };
        return Ok(Some(PathContent::Dir { children: entries_of(&repo, &root)?, entry }));
    }
    if !crate::names::is_valid_tree_path(file_path) {
        return Ok(None);
    }
    let Some(found) = root.lookup_entry_by_path(file_path).map_err(GitError::git)? else { return Ok(None) };
    let kind = EntryType::of(found.mode().kind());
    let name = file_path.rsplit('/').next().unwrap_or(file_path).to_string();
    let id = found.object_id();
    Ok(Some(match kind {
        EntryType::Dir => {
            let tree = repo.find_object(id).map_err(GitError::git)?.into_tree();
            let children = entries_of(&repo, &tree)?;
            PathContent::Dir { entry: TreeEntry { name, kind, id: id.to_string(), size: 0 }, children }
        }
        EntryType::Submodule => PathContent::Submodule { entry: TreeEntry { name, kind, id: id.to_string(), size: 0 } },
        _ => {
            let data = repo.find_object(id).map_err(GitError::git)?.detach().data;
            PathContent::Blob { entry: TreeEntry { name, kind, id: id.to_string(), size: data.len() as u64 }, data }
        }
    }))
}

/// Whether `file_path` names an entry (file, directory, link or submodule) of the tree of commit
/// `rev`; `None` when `rev` names no commit. Nothing but the tree path is read.
pub fn path_exists(path: &Path, rev: &str, file_path: &str) -> GitResult<Option<bool>> {
    let repo = open(path)?;
    let Some(commit) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(None) };
    let root = commit.tree().map_err(GitError::git)?;
    let file_path = file_path.trim_matches('/');
    if file_path.is_empty() || !crate::names::is_valid_tree_path(file_path) {
        return Ok(Some(false));
    }
    Ok(Some(root.lookup_entry_by_path(file_path).map_err(GitError::git)?.is_some()))
}

/// A file read with a size cap.
#[derive(Debug, Clone, PartialEq)]
pub enum SmallFile {
    /// No commit `rev`, or no file (blob) at the path.
    Missing,
    /// The blob is larger than the cap (its size); it was not read.
    TooLarge(u64),
    Data(Vec<u8>),
}

/// The bytes of the file at `file_path` in `rev`, unless they exceed `max_bytes` (checked from the
/// object header, before anything is inflated).
pub fn small_file(path: &Path, rev: &str, file_path: &str, max_bytes: u64) -> GitResult<SmallFile> {
    let repo = open(path)?;
    let Some(commit) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(SmallFile::Missing) };
    if !crate::names::is_valid_tree_path(file_path) {
        return Ok(SmallFile::Missing);
    }
    let root = commit.tree().map_err(GitError::git)?;
    let Some(found) = root.lookup_entry_by_path(file_path).map_err(GitError::git)? else {
        return Ok(SmallFile::Missing);
    };
    if !matches!(EntryType::of(found.mode().kind()), EntryType::File | EntryType::Executable) {
        return Ok(SmallFile::Missing);
    }
    let size = repo.find_header(found.object_id()).map_err(GitError::git)?.size();
    if size > max_bytes {
        return Ok(SmallFile::TooLarge(size));
    }
    Ok(SmallFile::Data(repo.find_object(found.object_id()).map_err(GitError::git)?.detach().data))
}

/// The URL `.gitmodules` of `rev` gives for the submodule at `sub_path`.
pub fn submodule_url(path: &Path, rev: &str, sub_path: &str) -> GitResult<Option<String>> {
    let Some(PathContent::Blob { data, .. }) = lookup(path, rev, ".gitmodules")? else { return Ok(None) };
    let text = String::from_utf8_lossy(&data);
    let mut current_path = None;
    let mut current_url = None;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') {
            if current_path.as_deref() == Some(sub_path) {
                return Ok(current_url);
            }
            current_path = None;
            current_url = None;
        } else if let Some((k, v)) = line.split_once('=') {
            match k.trim() {
                "path" => current_path = Some(v.trim().to_string()),
                "url" => current_url = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    Ok(if current_path.as_deref() == Some(sub_path) { current_url } else { None })
}

/// A branch or tag name followed by a path, as in `raw/<ref>/<path>`: the shortest prefix of
/// `segments` that is a branch (branches win) or a tag; else a full 40-hex commit id as the first
/// segment. Returns the commit id and the remaining path.
pub fn split_ref_and_path(path: &Path, wildcard: &str) -> GitResult<Option<(String, String)>> {
    let repo = open(path)?;
    let segments: Vec<&str> = wildcard.split('/').collect();
    for n in 1..=segments.len() {
        let name = segments[..n].join("/");
        if !crate::names::is_valid_ref_name(&name) {
            continue;
        }
        for prefix in ["refs/heads/", "refs/tags/"] {
            let full = format!("{prefix}{name}");
            if let Some(mut r) = repo.try_find_reference(full.as_str()).map_err(GitError::git)?
                && let Ok(commit) = r.peel_to_commit()
            {
                return Ok(Some((commit.id.to_string(), segments[n..].join("/"))));
            }
        }
    }
    let first = segments[0];
    if first.len() == 40
        && first.chars().all(|c| c.is_ascii_hexdigit())
        && let Some(commit) = resolve(&repo, first).and_then(|o| o.peel_to_commit().ok())
    {
        return Ok(Some((commit.id.to_string(), segments[1..].join("/"))));
    }
    Ok(None)
}

#[derive(Debug, Clone, PartialEq)]
pub struct TagInfo {
    pub name: String,
    /// The id the ref points at (the tag object for annotated tags).
    pub id: String,
    pub commit: CommitInfo,
    /// Tagger time for annotated tags, else the commit's committer time (for ordering).
    pub created: i64,
}

/// All tags pointing (through any annotation) at commits, newest first.
pub fn list_tags(path: &Path) -> GitResult<Vec<TagInfo>> {
    let repo = open(path)?;
    let refs = repo.references().map_err(GitError::git)?;
    let mut out = Vec::new();
    for r in refs.tags().map_err(GitError::git)? {
        let mut r = r.map_err(GitError::git)?;
        let name = r.name().shorten().to_str_lossy().into_owned();
        let Some(id) = r.target().try_id().map(|i| i.to_owned()) else { continue };
        let Ok(object) = repo.find_object(id) else { continue };
        let tagger_time =
            object.clone().try_into_tag().ok().and_then(|t| t.tagger().ok().flatten().and_then(|s| s.time().ok()));
        let Ok(commit) = r.peel_to_commit() else { continue };
        let commit = commit_info(&commit)?;
        let created = tagger_time.map(|t| t.seconds).unwrap_or(commit.committer_time);
        out.push(TagInfo { name, id: id.to_string(), commit, created });
    }
    out.sort_by(|a, b| b.created.cmp(&a.created).then_with(|| b.name.cmp(&a.name)));
    Ok(out)
}

/// A commit with what the commits API shows beyond [`CommitInfo`].
#[derive(Debug, Clone, PartialEq)]
pub struct CommitDetail {
    pub info: CommitInfo,
    pub tree: String,
    pub parents: Vec<String>,
}

fn detail(commit: &gix::Commit<'_>) -> GitResult<CommitDetail> {
    Ok(CommitDetail {
        info: commit_info(commit)?,
        tree: commit.tree_id().map_err(GitError::git)?.to_string(),
        parents: commit.parent_ids().map(|p| p.to_string()).collect(),
    })
}

/// One commit by any revision (full or short id, branch, tag, `HEAD~1`).
pub fn commit(path: &Path, rev: &str) -> GitResult<Option<CommitDetail>> {
    let repo = open(path)?;
    match resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) {
        Some(c) => detail(&c).map(Some),
        None => Ok(None),
    }
}

/// How far a path-filtered history walk may go looking for matching commits.
const PATH_WALK_LIMIT: usize = 200_000;

/// History from `rev`, newest first: `limit` commits after skipping `skip`, optionally only those
/// that changed `file_path` (compared with their first parent, like `git log --first-parent -- path`
/// without merges' simplification). Walks only as far as the page needs.
pub fn log_path(
    path: &Path,
    rev: &str,
    file_path: &str,
    skip: usize,
    limit: usize,
) -> GitResult<Option<Vec<CommitDetail>>> {
    let file_path = file_path.trim_matches('/');
    if !crate::names::is_valid_tree_path(file_path) {
        return Ok(Some(Vec::new()));
    }
    let repo = open(path)?;
    let Some(tip) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(None) };
    let walk = repo
        .rev_walk([tip.id])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(GitError::git)?;
    let entry_at = |commit: &gix::Commit<'_>| -> GitResult<Option<gix::ObjectId>> {
        let tree = commit.tree().map_err(GitError::git)?;
        Ok(tree.lookup_entry_by_path(file_path).map_err(GitError::git)?.map(|e| e.object_id()))
    };
    let (mut skipped, mut out) = (0, Vec::with_capacity(limit));
    for info in walk.take(PATH_WALK_LIMIT) {
        let info = info.map_err(GitError::git)?;
        let commit = repo.find_commit(info.id).map_err(GitError::git)?;
        let here = entry_at(&commit)?;
        let before = match commit.parent_ids().next() {
            Some(p) => entry_at(&repo.find_commit(p.detach()).map_err(GitError::git)?)?,
            None => None,
        };
        if here == before {
            continue;
        }
        if skipped < skip {
            skipped += 1;
            continue;
        }
        out.push(detail(&commit)?);
        if out.len() >= limit {
            break;
        }
    }
    Ok(Some(out))
}

/// History from `rev`, newest first: `limit` commits after skipping `skip`. Walks only as far as
/// the page needs, never the whole history.
pub fn log(path: &Path, rev: &str, skip: usize, limit: usize) -> GitResult<Option<Vec<CommitDetail>>> {
    let repo = open(path)?;
    let Some(tip) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(None) };
    let walk = repo
        .rev_walk([tip.id])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(GitError::git)?;
    let mut out = Vec::with_capacity(limit);
    for info in walk.skip(skip).take(limit) {
        let info = info.map_err(GitError::git)?;
        let commit = repo.find_commit(info.id).map_err(GitError::git)?;
        out.push(detail(&commit)?);
    }
    Ok(Some(out))
}

/// The commits reachable from `tip` and not from `hidden` (`git log hidden..tip`), newest first:
/// `limit` after skipping `skip`, and how many there are in all (counted up to `count_cap`).
/// A pull request's commits. `None` when either id is not a commit.
pub fn log_range(
    path: &Path,
    tip: &str,
    hidden: &str,
    skip: usize,
    limit: usize,
    count_cap: usize,
) -> GitResult<Option<(Vec<CommitDetail>, usize)>> {
    let repo = open(path)?;
    let id = |s: &str| gix::ObjectId::from_hex(s.as_bytes()).ok().filter(|i| repo.find_commit(*i).is_ok());
    let (Some(tip), Some(hidden)) = (id(tip), id(hidden)) else { return Ok(None) };
    let walk = repo
        .rev_walk([tip])
        .with_hidden([hidden])
        .sorting(gix::revision::walk::Sorting::ByCommitTime(Default::default()))
        .all()
        .map_err(GitError::git)?;
    let (mut out, mut total) = (Vec::new(), 0);
    for info in walk.take(count_cap) {
        let info = info.map_err(GitError::git)?;
        if total >= skip && out.len() < limit {
            out.push(detail(&repo.find_commit(info.id).map_err(GitError::git)?)?);
        }
        total += 1;
    }
    Ok(Some((out, total)))
}

/// The commit a branch or tag names, for `Accept: application/vnd.gogs.sha`: `refs/heads/<b>`,
/// `refs/tags/<t>`, or a short name (branches first). Commit ids are not accepted.
pub fn ref_commit(path: &Path, name: &str) -> GitResult<Option<String>> {
    let repo = open(path)?;
    let candidates: Vec<String> = if name.starts_with("refs/heads/") || name.starts_with("refs/tags/") {
        vec![name.to_string()]
    } else {
        vec![format!("refs/heads/{name}"), format!("refs/tags/{name}")]
    };
    for full in candidates {
        let short = full.trim_start_matches("refs/heads/").trim_start_matches("refs/tags/");
        if !crate::names::is_valid_ref_name(short) {
            continue;
        }
        if let Some(mut r) = repo.try_find_reference(full.as_str()).map_err(GitError::git)?
            && let Ok(c) = r.peel_to_commit()
        {
            return Ok(Some(c.id.to_string()));
        }
    }
    Ok(None)
}

/// How many commits `rev` reaches, counting at most `cap` (the web UI shows "10000+ commits"
/// rather than walking a huge history on every page view). `None` when `rev` names no commit.
pub fn count_commits(path: &Path, rev: &str, cap: usize) -> GitResult<Option<usize>> {
    let repo = open(path)?;
    let Some(tip) = resolve(&repo, rev).and_then(|o| o.peel_to_commit().ok()) else { return Ok(None) };
    let walk = repo.rev_walk([tip.id]).all().map_err(GitError::git)?;
    let mut n = 0;
    for info in walk.take(cap) {
        info.map_err(GitError::git)?;
        n += 1;
    }
    Ok(Some(n))
}

/// The best common ancestor of two commits, found in-process (no `git merge-base`); `None` when
/// they share no history or either id is not a commit.
pub fn common_ancestor(path: &Path, a: &str, b: &str) -> GitResult<Option<String>> {
    let repo = open(path)?;
    let id = |s: &str| gix::ObjectId::from_hex(s.as_bytes()).ok().filter(|i| repo.find_commit(*i).is_ok());
    let (Some(a), Some(b)) = (id(a), id(b)) else { return Ok(None) };
    let found = repo.merge_base(a, b).map_err(GitError::git)?;
    Ok(found.map(|i| i.detach().to_string()))
}
