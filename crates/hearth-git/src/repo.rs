//! Bare repositories: creation, the initial commit, branch reads, size.

use std::collections::BTreeMap;
use std::path::Path;

use gix::bstr::ByteSlice;
use gix::objs::tree::{Entry, EntryKind};

use crate::names::is_valid_ref_name;
use crate::{GitError, GitResult};

/// Opened repositories, kept so that an API read does not re-read configuration and pack indexes
/// each time. Objects and refs are still read from disk (gix refreshes its pack list when an
/// object is missing, and reads refs afresh), so pushes are seen at once; creating, deleting and
/// renaming a repository directory must call [`forget`].
static OPEN: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<std::path::PathBuf, gix::ThreadSafeRepository>>,
> = std::sync::LazyLock::new(Default::default);
const OPEN_MAX: usize = 256;

/// Open without reading any global or system configuration or `GIT_*` variables.
pub(crate) fn open(path: &Path) -> GitResult<gix::Repository> {
    if !path.is_dir() {
        forget(path);
        return Err(GitError::NotFound);
    }
    if let Some(repo) = OPEN.lock().unwrap().get(path) {
        return Ok(repo.to_thread_local());
    }
    let repo = gix::open_opts(path, gix::open::Options::isolated()).map_err(GitError::git)?;
    let mut open = OPEN.lock().unwrap();
    if open.len() >= OPEN_MAX {
        open.clear();
    }
    open.insert(path.to_path_buf(), repo.clone().into_sync());
    Ok(repo)
}

/// Drop a cached handle (the directory was created, deleted or moved).
pub fn forget(path: &Path) {
    OPEN.lock().unwrap().remove(path);
}

/// Create a bare repository whose `HEAD` points at `refs/heads/<default_branch>`.
pub fn init_bare(path: &Path, default_branch: &str) -> GitResult<()> {
    if !is_valid_ref_name(default_branch) {
        return Err(GitError::InvalidName(default_branch.to_string()));
    }
    if path.exists() {
        return Err(GitError::AlreadyExists(path.display().to_string()));
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    forget(path);
    gix::init_bare(path).map_err(GitError::git)?;
    set_head(path, default_branch)
}

/// Point `HEAD` at a branch (which need not exist yet).
pub fn set_head(path: &Path, branch: &str) -> GitResult<()> {
    if !is_valid_ref_name(branch) {
        return Err(GitError::InvalidName(branch.to_string()));
    }
    let tmp = path.join("HEAD.hearth-tmp");
    std::fs::write(&tmp, format!("ref: refs/heads/{branch}\n"))?;
    std::fs::rename(&tmp, path.join("HEAD"))?;
    Ok(())
}

/// The branch `HEAD` points at, if it is a branch.
pub fn head_branch(path: &Path) -> GitResult<Option<String>> {
    let head = std::fs::read_to_string(path.join("HEAD"))?;
    Ok(head.trim().strip_prefix("ref: refs/heads/").map(str::to_string))
}

/// Remove a repository directory (and nothing outside `root`).
pub fn delete_repository(root: &Path, path: &Path) -> GitResult<()> {
    if !path.starts_with(root) || path == root {
        return Err(GitError::InvalidName(path.display().to_string()));
    }
    forget(path);
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A name, e-mail and time for a commit.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: String,
    /// Unix seconds.
    pub time: i64,
}

/// A file of the initial commit, at the root of the tree.
#[derive(Debug, Clone)]
pub struct InitFile {
    pub name: String,
    pub content: Vec<u8>,
}

fn signature(p: &Person) -> gix::actor::Signature {
    gix::actor::Signature {
        name: p.name.as_str().into(),
        email: p.email.as_str().into(),
        time: gix::date::Time::new(p.time, 0),
    }
}

/// Write one root commit with `files` on `refs/heads/<branch>` (which must not exist yet).
/// Returns the commit id.
pub fn create_initial_commit(
    path: &Path,
    branch: &str,
    files: &[InitFile],
    author: &Person,
    committer: &Person,
    message: &str,
) -> GitResult<String> {
    if !is_valid_ref_name(branch) {
        return Err(GitError::InvalidName(branch.to_string()));
    }
    let repo = open(path)?;
    let mut entries = Vec::with_capacity(files.len());
    for f in files {
        let id = repo.write_blob(&f.content).map_err(GitError::git)?;
        entries.push(Entry { mode: EntryKind::Blob.into(), filename: f.name.as_str().into(), oid: id.detach() });
    }
    entries.sort_by(|a, b| a.filename.cmp(&b.filename));
    let tree = repo.write_object(&gix::objs::Tree { entries }).map_err(GitError::git)?.detach();
    let (mut author_buf, mut committer_buf) =
        (gix::date::parse::TimeBuf::default(), gix::date::parse::TimeBuf::default());
    let (author_sig, committer_sig) = (signature(author), signature(committer));
    let id = repo
        .commit_as(
            committer_sig.to_ref(&mut committer_buf),
            author_sig.to_ref(&mut author_buf),
            format!("refs/heads/{branch}").as_str(),
            message,
            tree,
            Vec::<gix::ObjectId>::new(),
        )
        .map_err(GitError::git)?;
    Ok(id.to_string())
}

/// What API responses show of a commit.
#[derive(Debug, Clone, PartialEq)]
pub struct CommitInfo {
    pub id: String,
    /// The full message, trailing newline included.
    pub message: String,
    pub author_name: String,
    pub author_email: String,
    pub author_time: i64,
    /// Seconds east of UTC.
    pub author_offset: i32,
    pub committer_name: String,
    pub committer_email: String,
    pub committer_time: i64,
    pub committer_offset: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BranchInfo {
    pub name: String,
    pub commit: CommitInfo,
}

pub(crate) fn commit_info(commit: &gix::Commit<'_>) -> GitResult<CommitInfo> {
    let author = commit.author().map_err(GitError::git)?;
    let committer = commit.committer().map_err(GitError::git)?;
    let at = author.time().unwrap_or_default();
    let ct = committer.time().unwrap_or_default();
    Ok(CommitInfo {
        id: commit.id.to_string(),
        message: commit.message_raw_sloppy().to_str_lossy().into_owned(),
        author_name: author.name.to_str_lossy().trim().to_string(),
        author_email: author.email.to_str_lossy().trim().to_string(),
        author_time: at.seconds,
        author_offset: at.offset,
        committer_name: committer.name.to_str_lossy().trim().to_string(),
        committer_email: committer.email.to_str_lossy().trim().to_string(),
        committer_time: ct.seconds,
        committer_offset: ct.offset,
    })
}

/// All branches, sorted by name, each with its tip commit.
pub fn list_branches(path: &Path) -> GitResult<Vec<BranchInfo>> {
    let repo = open(path)?;
    let refs = repo.references().map_err(GitError::git)?;
    let mut out = Vec::new();
    for r in refs.local_branches().map_err(GitError::git)? {
        let mut r = r.map_err(GitError::git)?;
        let name = r.name().shorten().to_str_lossy().into_owned();
        let Ok(commit) = r.peel_to_commit() else { continue };
        out.push(BranchInfo { name, commit: commit_info(&commit)? });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One branch by its short name (which may contain `/`).
pub fn branch(path: &Path, name: &str) -> GitResult<Option<BranchInfo>> {
    if !is_valid_ref_name(name) {
        return Ok(None);
    }
    let repo = open(path)?;
    let full = format!("refs/heads/{name}");
    let Some(mut r) = repo.try_find_reference(full.as_str()).map_err(GitError::git)? else { return Ok(None) };
    let Ok(commit) = r.peel_to_commit() else { return Ok(None) };
    Ok(Some(BranchInfo { name: name.to_string(), commit: commit_info(&commit)? }))
}

/// Every ref and the object it points at (for comparing before and after a push).
pub fn ref_snapshot(path: &Path) -> GitResult<BTreeMap<String, String>> {
    let repo = open(path)?;
    let refs = repo.references().map_err(GitError::git)?;
    let mut out = BTreeMap::new();
    for r in refs.all().map_err(GitError::git)? {
        let r = r.map_err(GitError::git)?;
        if let Some(id) = r.target().try_id() {
            out.insert(r.name().as_bstr().to_str_lossy().into_owned(), id.to_string());
        }
    }
    Ok(out)
}

/// A ref as the Git data API lists it: its full name, the object it points at (not peeled) and
/// that object's kind (`commit`, `tag`, `tree` or `blob`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefEntry {
    pub name: String,
    pub target: String,
    pub kind: &'static str,
}

/// Every ref under `refs/` whose name starts with `refs/<prefix>`, in name order (as
/// `git for-each-ref`). Symbolic refs are left out.
/// The refs whose full name starts with `refs/<prefix>`, in name order: `take` of them after
/// skipping `skip`, and how many match in all. Object types are looked up for the returned ones only.
pub fn refs_with_prefix(path: &Path, prefix: &str, skip: usize, take: usize) -> GitResult<(Vec<RefEntry>, usize)> {
    let repo = open(path)?;
    let wanted = format!("refs/{}", prefix.trim_start_matches('/'));
    let refs = repo.references().map_err(GitError::git)?;
    let mut matching = Vec::new();
    for r in refs.prefixed("refs/").map_err(GitError::git)? {
        let r = r.map_err(GitError::git)?;
        let name = r.name().as_bstr().to_str_lossy().into_owned();
        let Some(id) = r.target().try_id().map(|id| id.to_owned()) else { continue };
        if name.starts_with(&wanted) {
            matching.push((name, id));
        }
    }
    matching.sort_by(|a, b| a.0.cmp(&b.0));
    let total = matching.len();
    let mut out = Vec::new();
    for (name, id) in matching.into_iter().skip(skip).take(take) {
        let kind = match repo.find_header(id).map_err(GitError::git)?.kind() {
            gix::object::Kind::Commit => "commit",
            gix::object::Kind::Tag => "tag",
            gix::object::Kind::Tree => "tree",
            gix::object::Kind::Blob => "blob",
        };
        out.push(RefEntry { name, target: id.to_string(), kind });
    }
    Ok((out, total))
}

/// Bytes used by the object database (loose objects and packs), like `git count-objects -v`'s
/// `size + size-pack`.
pub fn repository_size(path: &Path) -> GitResult<u64> {
    fn walk(dir: &Path) -> std::io::Result<u64> {
        let mut total = 0;
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let meta = entry.metadata()?;
            if meta.is_dir() {
                total += walk(&entry.path())?;
            } else {
                total += meta.len();
            }
        }
        Ok(total)
    }
    let objects = path.join("objects");
    if !objects.is_dir() {
        return Err(GitError::NotFound);
    }
    Ok(walk(&objects)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Person {
        Person { name: "Alice".into(), email: "alice@example.com".into(), time: 1_700_000_000 }
    }

    #[test]
    fn init_commit_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o/r.git");
        init_bare(&path, "master").unwrap();
        assert_eq!(head_branch(&path).unwrap().as_deref(), Some("master"));
        assert!(list_branches(&path).unwrap().is_empty());
        assert!(matches!(init_bare(&path, "master"), Err(GitError::AlreadyExists(_))));

        let files = vec![
            InitFile { name: "README.md".into(), content: b"# r\n\n".to_vec() },
            InitFile { name: ".gitignore".into(), content: b"target\n".to_vec() },
        ];
        let committer = Person { name: "Gogs".into(), email: "gogs@fake.local".into(), time: 1_700_000_000 };
        let id = create_initial_commit(&path, "master", &files, &person(), &committer, "Initial commit\n").unwrap();
        assert_eq!(id.len(), 40);

        let branches = list_branches(&path).unwrap();
        assert_eq!(branches.len(), 1);
        assert_eq!(branches[0].name, "master");
        assert_eq!(branches[0].commit.id, id);
        assert_eq!(branches[0].commit.message, "Initial commit\n");
        assert_eq!(branches[0].commit.author_name, "Alice");
        assert_eq!(branches[0].commit.committer_email, "gogs@fake.local");
        assert_eq!(branches[0].commit.author_time, 1_700_000_000);
        assert_eq!(branch(&path, "master").unwrap().unwrap(), branches[0]);
        assert!(branch(&path, "nope").unwrap().is_none());
        assert!(branch(&path, "--upload-pack=x").unwrap().is_none());

        let refs = ref_snapshot(&path).unwrap();
        assert_eq!(refs.get("refs/heads/master"), Some(&id));
        assert!(repository_size(&path).unwrap() > 0);

        // The commit is readable by git itself.
        let out = std::process::Command::new("git")
            .args(["--git-dir", path.to_str().unwrap(), "ls-tree", "--name-only", "master"])
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), ".gitignore\nREADME.md\n");

        set_head(&path, "main").unwrap();
        assert_eq!(head_branch(&path).unwrap().as_deref(), Some("main"));
        assert!(set_head(&path, "-x").is_err());

        delete_repository(dir.path(), &path).unwrap();
        assert!(!path.exists());
        assert!(delete_repository(&dir.path().join("o"), dir.path()).is_err());
    }
}
