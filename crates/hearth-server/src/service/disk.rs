//! Repository directories on disk. A repository is built in a scratch directory under
//! `<data>/tmp/` and renamed into the repository root only inside the transaction that records its
//! row, so an interrupted creation leaves either nothing under the root or a directory without a
//! row; at start-up such directories are moved to `<data>/quarantine/` (never deleted), so that
//! every name can be created again and an operator can still look at what was there.
//!
//! A rename or a transfer moves a repository's directory inside the transaction that changes its
//! row, after writing [`MOVED_FROM`] into it (its old place). A crash before the commit leaves the
//! directory at its new place with no row there and the marker naming a row whose directory is
//! missing: start-up moves it back. A crash after the commit leaves a stale marker, which start-up
//! removes. Either way the repository is wholly at its old place or wholly at its new one.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use hearth_store::Db;
use hearth_store::repos;

use super::notices::{self, NoticeKind};
use super::now_unix;
use crate::config::Config;

/// A server process's own scratch directory, `<data>/tmp/p-<replica>/`, held by an exclusive
/// lock on its `.lock` file for as long as this value lives (the lock goes with the process, also
/// when it is killed), so that servers sharing a data directory never remove each other's work.
pub struct ScratchClaim {
    pub dir: PathBuf,
    /// Whether other servers were running on this data directory when it was claimed.
    pub others_running: bool,
    _lock: std::fs::File,
}

/// How old a loose scratch entry (left by a command such as `hearth serv` or `hearth dump`, not in
/// a server's own directory) must be before a starting server removes it.
const LOOSE_SCRATCH_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Claim this process's scratch directory, first removing what processes that are gone left
/// behind: the directories of servers whose lock is free, and loose entries not touched for an hour.
pub fn claim_scratch(config: &Config, replica: &str) -> io::Result<ScratchClaim> {
    let root = config.scratch_root();
    std::fs::create_dir_all(&root)?;
    let (mut removed, mut others_running) = (0, false);
    for entry in std::fs::read_dir(&root)? {
        let path = entry?.path();
        let is_server_dir = path.is_dir() && path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("p-"));
        let leftover = if is_server_dir { owner_gone(&path) } else { untouched_for(&path, LOOSE_SCRATCH_AGE) };
        if !leftover {
            others_running |= is_server_dir;
            continue;
        }
        let gone = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
        match gone {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(error = %e, path = %path.display(), "removing leftover scratch"),
        }
    }
    if removed > 0 {
        tracing::info!(removed, dir = %root.display(), "removed leftovers of earlier runs from the scratch directory");
    }
    let dir = root.join(format!("p-{replica}"));
    std::fs::create_dir_all(&dir)?;
    let lock = std::fs::File::create(dir.join(".lock"))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            return Err(io::Error::other(format!("{} is held by a running server", dir.display())));
        }
        // A file system without locks: the directory is then never taken for a gone server's
        // (see `owner_gone`), so nothing of this one's is removed; leftovers wait for an operator.
        Err(std::fs::TryLockError::Error(e)) => {
            tracing::warn!(error = %e, dir = %dir.display(), "the scratch directory cannot be locked");
        }
    }
    Ok(ScratchClaim { dir, others_running, _lock: lock })
}

/// Whether the server that owned scratch directory `dir` is gone: its lock can be taken (and is
/// dropped again at once), or it never made one (and the directory is older than the moment a
/// starting server takes between making it and locking it).
fn owner_gone(dir: &Path) -> bool {
    match std::fs::File::open(dir.join(".lock")) {
        Ok(file) => file.try_lock().is_ok(),
        Err(e) => e.kind() == io::ErrorKind::NotFound && untouched_for(dir, std::time::Duration::from_secs(60)),
    }
}

fn untouched_for(path: &Path, age: std::time::Duration) -> bool {
    let modified = std::fs::symlink_metadata(path).and_then(|m| m.modified());
    modified.is_ok_and(|m| m.elapsed().is_ok_and(|e| e >= age))
}

/// A fresh, not yet existing path in the scratch directory, e.g. `tmp/create-<hex>.git`.
pub fn scratch_repo(config: &Config, purpose: &str) -> PathBuf {
    let mut name = [0u8; 12];
    rand::fill(&mut name);
    config.tmp_dir().join(format!("{purpose}-{}.git", hex::encode(name)))
}

/// Remove a scratch directory (only ever one under `<data>/tmp/`).
pub async fn remove_scratch(config: &Config, path: &Path) {
    let (tmp, path) = (config.tmp_dir(), path.to_path_buf());
    match tokio::task::spawn_blocking(move || hearth_git::delete_repository(&tmp, &path)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "removing a scratch directory"),
        Err(e) => tracing::error!(error = %e, "removing a scratch directory"),
    }
}

/// Why a finished repository could not be moved into place.
#[derive(Debug)]
pub enum PlaceError {
    /// Something already occupies the final path.
    Occupied,
    Io(io::Error),
}

/// Move a finished repository from scratch to its final path (whose parent is created). Never
/// replaces anything: an existing final path is [`PlaceError::Occupied`].
pub async fn move_into_place(scratch: &Path, final_path: &Path) -> Result<(), PlaceError> {
    let (from, to) = (scratch.to_path_buf(), final_path.to_path_buf());
    tokio::task::spawn_blocking(move || {
        // rename(2) would silently replace an empty directory.
        if to.symlink_metadata().is_ok() {
            return Err(PlaceError::Occupied);
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(PlaceError::Io)?;
        }
        move_dir(&from, &to).map_err(PlaceError::Io)?;
        hearth_git::forget(&to);
        Ok(())
    })
    .await
    .map_err(|e| PlaceError::Io(io::Error::other(e)))?
}

/// The file a moving repository carries while its move is not yet committed: its old place,
/// `<owner>/<name>` (lower-case, relative to the repository root). Git ignores unknown files in a
/// repository's directory.
pub const MOVED_FROM: &str = "hearth-moved-from";

/// Why a repository could not be moved to another name or owner.
#[derive(Debug)]
pub enum MoveError {
    /// Something already occupies the new path.
    Occupied,
    Io(io::Error),
}

/// Move a repository's directory from `from` to `to` (whose parent is created), leaving the
/// [`MOVED_FROM`] marker (`origin`) in it until [`finish_move`]. Never replaces anything.
pub async fn move_repository(from: &Path, to: &Path, origin: &str) -> Result<(), MoveError> {
    let (from, to, origin) = (from.to_path_buf(), to.to_path_buf(), origin.to_string());
    tokio::task::spawn_blocking(move || {
        if to.symlink_metadata().is_ok() {
            return Err(MoveError::Occupied);
        }
        hearth_git::forget(&from);
        std::fs::write(from.join(MOVED_FROM), format!("{origin}\n")).map_err(MoveError::Io)?;
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(MoveError::Io)?;
        }
        if let Err(e) = move_dir(&from, &to) {
            let _ = std::fs::remove_file(from.join(MOVED_FROM));
            return Err(MoveError::Io(e));
        }
        hearth_git::forget(&to);
        Ok(())
    })
    .await
    .map_err(|e| MoveError::Io(io::Error::other(e)))?
}

/// Put a moved repository back where it was (its transaction failed) and drop the marker.
pub async fn undo_move(from: &Path, to: &Path) {
    let (from, to) = (from.to_path_buf(), to.to_path_buf());
    let undone = tokio::task::spawn_blocking(move || {
        hearth_git::forget(&to);
        move_dir(&to, &from)?;
        hearth_git::forget(&from);
        std::fs::remove_file(from.join(MOVED_FROM))
    })
    .await;
    match undone {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::error!(error = %e, "moving a repository back after a failed commit"),
        Err(e) => tracing::error!(error = %e, "moving a repository back after a failed commit"),
    }
}

/// The move is committed: drop the marker (a leftover one is removed at start-up).
pub async fn finish_move(to: &Path) {
    let marker = to.join(MOVED_FROM);
    if let Err(e) = tokio::fs::remove_file(&marker).await
        && e.kind() != io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, path = %marker.display(), "removing a repository's move marker");
    }
}

/// Rename a directory; across file systems (a repository root on its own disk), copy it next to
/// the destination first and rename that, so the destination appears whole or not at all.
pub fn move_dir(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::CrossesDevices => {
            let file_name = to.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let staging = to.with_file_name(format!(".{file_name}.incoming-{}", now_unix()));
            copy_tree(from, &staging)?;
            std::fs::rename(&staging, to)?;
            std::fs::remove_dir_all(from)
        }
        other => other,
    }
}

fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// What the start-up check did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DiskCheck {
    pub quarantined: Vec<PathBuf>,
    pub restored: Vec<PathBuf>,
    /// Directories without a row changed too recently to judge while other servers run.
    pub left: Vec<PathBuf>,
}

/// While other servers run on the same data directory, a directory without a row may be one of
/// theirs being created, renamed or deleted this moment: only one unchanged (its inode, which a
/// rename touches too) for this long is taken for a leftover.
pub const SETTLED: std::time::Duration = std::time::Duration::from_secs(600);

/// Whether `path` (not followed) has not changed, its inode included, for `age`.
fn unchanged_for(path: &Path, age: std::time::Duration) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(meta) = std::fs::symlink_metadata(path) else { return false };
    let changed = std::time::UNIX_EPOCH + std::time::Duration::from_secs(meta.ctime().max(0) as u64);
    changed.elapsed().is_ok_and(|e| e >= age)
}

/// Compare the directories under the repository root with the rows: a directory with no row is
/// moved to `<data>/quarantine/<unix time>/<owner>/<name>` (logged); a repository left moved
/// aside by an interrupted deletion (`<name>.git.deleting-<n>` with its row still there and no
/// `<name>.git`) or moved by an uncommitted rename or transfer (see [`MOVED_FROM`]) is moved back.
/// With `others_running`, directories changed within [`SETTLED`] are left alone (for a later start).
pub async fn quarantine_orphans(db: &Db, config: &Config, others_running: bool) -> anyhow::Result<DiskCheck> {
    let (rows, gists): (HashSet<(String, String)>, HashSet<String>) = {
        let mut h = db.acquire().await?;
        let rows = repos::all_lower_names(h.conn()).await?.into_iter().collect();
        (rows, hearth_store::gists::all_ids(h.conn()).await?.into_iter().collect())
    };
    let (root, quarantine) = (config.repository.root.clone(), config.quarantine_dir().join(now_unix().to_string()));
    let gists_dir = config.gists_dir();
    let check = tokio::task::spawn_blocking(move || -> io::Result<DiskCheck> {
        let settled = others_running.then_some(SETTLED);
        let mut check = check_dirs(&root, &quarantine, &rows, settled)?;
        let (moved, left) = check_gist_dirs(&gists_dir, &quarantine, &gists, settled)?;
        check.quarantined.extend(moved);
        check.left.extend(left);
        Ok(check)
    })
    .await??;
    for path in &check.quarantined {
        tracing::warn!(path = %path.display(), "repository directory without a database row moved to quarantine");
        let text = format!("A repository directory without a database row was moved to {}", path.display());
        notices::record(db, NoticeKind::Repository, &text).await;
    }
    for path in &check.restored {
        tracing::warn!(path = %path.display(), "repository left aside by an interrupted deletion put back");
    }
    for path in &check.left {
        tracing::info!(path = %path.display(), "directory without a row changed just now, while other servers run: left");
    }
    Ok(check)
}

fn check_dirs(
    root: &Path,
    quarantine: &Path,
    rows: &HashSet<(String, String)>,
    settled: Option<std::time::Duration>,
) -> io::Result<DiskCheck> {
    let mut check = DiskCheck::default();
    let owners = match std::fs::read_dir(root) {
        Ok(owners) => owners,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(check),
        Err(e) => return Err(e),
    };
    for owner in owners {
        let owner = owner?;
        if !owner.file_type()?.is_dir() {
            continue;
        }
        let owner_name = owner.file_name().to_string_lossy().into_owned();
        for entry in std::fs::read_dir(owner.path())? {
            let entry = entry?;
            if !entry.file_type()?.is_dir() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let has_row = |repo: &str| rows.contains(&(owner_name.clone(), repo.to_string()));
            let marker = entry.path().join(MOVED_FROM);
            if name.strip_suffix(".git").is_some_and(has_row) {
                // A committed move: its marker is stale.
                if marker.exists() {
                    std::fs::remove_file(&marker)?;
                }
                continue;
            }
            if settled.is_some_and(|age| !unchanged_for(&entry.path(), age)) {
                check.left.push(entry.path());
                continue;
            }
            if let Some(origin) = moved_from(&marker, rows) {
                let original = root.join(format!("{origin}.git"));
                if original.symlink_metadata().is_err() {
                    std::fs::create_dir_all(original.parent().expect("has a parent"))?;
                    move_dir(&entry.path(), &original)?;
                    std::fs::remove_file(original.join(MOVED_FROM))?;
                    check.restored.push(original);
                    continue;
                }
            }
            if let Some((repo, _)) = name.split_once(".git.deleting-")
                && has_row(repo)
            {
                let original = owner.path().join(format!("{repo}.git"));
                if original.symlink_metadata().is_err() {
                    std::fs::rename(entry.path(), &original)?;
                    check.restored.push(original);
                    continue;
                }
            }
            let target = quarantine.join(&owner_name).join(&name);
            std::fs::create_dir_all(target.parent().expect("has a parent"))?;
            move_dir(&entry.path(), &target)?;
            check.quarantined.push(target);
        }
    }
    Ok(check)
}

/// Gist repositories (`<gists>/<id>.git`) without a row (an interrupted creation) go to
/// `<quarantine>/gists/<id>.git`, as repository directories do.
/// What was moved, and what was left as too recently changed (see [`SETTLED`]).
fn check_gist_dirs(
    dir: &Path,
    quarantine: &Path,
    ids: &HashSet<String>,
    settled: Option<std::time::Duration>,
) -> io::Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Default::default()),
        Err(e) => return Err(e),
    };
    let (mut moved, mut left) = (Vec::new(), Vec::new());
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.strip_suffix(".git").is_some_and(|id| ids.contains(id)) {
            continue;
        }
        if settled.is_some_and(|age| !unchanged_for(&entry.path(), age)) {
            left.push(entry.path());
            continue;
        }
        let target = quarantine.join("gists").join(&name);
        std::fs::create_dir_all(target.parent().expect("has a parent"))?;
        move_dir(&entry.path(), &target)?;
        moved.push(target);
    }
    Ok((moved, left))
}

/// Where the directories and the rows disagree, found without changing either (`hearth doctor`).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Mismatches {
    /// Repository and gist rows checked.
    pub rows: usize,
    /// Directories under the repository root (`<owner>/<entry>`) or the gists directory with no
    /// row; the next start moves them to quarantine (or back where a row expects them).
    pub orphans: Vec<PathBuf>,
    /// Rows whose directory is missing: what the row names (`owner/name`, `gist <id>`) and the
    /// path it expects.
    pub missing: Vec<(String, PathBuf)>,
}

/// Compare the repository root and the gists directory with the rows, read-only.
pub async fn find_mismatches(db: &Db, config: &Config) -> anyhow::Result<Mismatches> {
    let (rows, gists) = {
        let mut h = db.acquire().await?;
        (repos::all_lower_names(h.conn()).await?, hearth_store::gists::all_ids(h.conn()).await?)
    };
    let (root, gists_dir) = (config.repository.root.clone(), config.gists_dir());
    Ok(tokio::task::spawn_blocking(move || mismatches(&root, &gists_dir, &rows, &gists)).await??)
}

fn mismatches(root: &Path, gists_dir: &Path, rows: &[(String, String)], gists: &[String]) -> io::Result<Mismatches> {
    let mut found = Mismatches { rows: rows.len() + gists.len(), ..Mismatches::default() };
    let repo_dirs: HashSet<PathBuf> = rows.iter().map(|(o, r)| root.join(o).join(format!("{r}.git"))).collect();
    let gist_dirs: HashSet<PathBuf> = gists.iter().map(|id| gists_dir.join(format!("{id}.git"))).collect();
    for owner in subdirs(root)? {
        found.orphans.extend(subdirs(&owner)?.into_iter().filter(|d| !repo_dirs.contains(d)));
    }
    found.orphans.extend(subdirs(gists_dir)?.into_iter().filter(|d| !gist_dirs.contains(d)));
    for (owner, repo) in rows {
        let path = root.join(owner).join(format!("{repo}.git"));
        if !path.is_dir() {
            found.missing.push((format!("{owner}/{repo}"), path));
        }
    }
    for id in gists {
        let path = gists_dir.join(format!("{id}.git"));
        if !path.is_dir() {
            found.missing.push((format!("gist {id}"), path));
        }
    }
    found.orphans.sort();
    found.missing.sort();
    Ok(found)
}

/// The directories in `dir`, sorted (none when it does not exist).
fn subdirs(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut dirs = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_dir() {
            dirs.push(entry.path());
        }
    }
    dirs.sort();
    Ok(dirs)
}

/// The old place an uncommitted move's marker names, when that place still has its row.
fn moved_from(marker: &Path, rows: &HashSet<(String, String)>) -> Option<String> {
    let text = std::fs::read_to_string(marker).ok()?;
    let origin = text.trim();
    let (owner, repo) = origin.split_once('/')?;
    let valid = |s: &str| !s.is_empty() && !s.starts_with('.') && super::names::is_alpha_dash_dot(s);
    (valid(owner) && valid(repo) && rows.contains(&(owner.to_string(), repo.to_string()))).then(|| origin.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Servers sharing a data directory keep each other's scratch; what a gone process left is
    /// removed at the next start, loose entries once they are an hour old.
    #[test]
    fn scratch_claims_keep_the_living_and_clear_the_gone() {
        let dir = tempfile::tempdir().unwrap();
        let flags = crate::config::Overrides { data_dir: Some(dir.path().to_path_buf()), port: None };
        let config = Config::from_raw(&crate::config::RawConfig::default(), &flags).unwrap();
        let first = claim_scratch(&config, "a").unwrap();
        std::fs::write(first.dir.join("upload"), b"in flight").unwrap();
        let gone = claim_scratch(&config, "b").unwrap();
        std::fs::write(gone.dir.join("push.log"), b"left").unwrap();
        let gone_dir = gone.dir.clone();
        drop(gone);
        let root = config.scratch_root();
        std::fs::write(root.join("fresh-loose"), b"a command's").unwrap();
        let old = root.join("old-loose");
        std::fs::write(&old, b"long gone").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - LOOSE_SCRATCH_AGE - std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&old).unwrap().set_modified(an_hour_ago).unwrap();

        // A server between making its directory and locking it.
        let starting = root.join("p-starting");
        std::fs::create_dir(&starting).unwrap();

        let second = claim_scratch(&config, "c").unwrap();
        assert!(second.others_running, "the first server runs");
        assert!(starting.exists(), "a directory not yet locked, made just now, stays");
        assert!(first.dir.join("upload").exists(), "a living server's scratch stays");
        assert!(!gone_dir.exists(), "a gone server's scratch is removed");
        assert!(root.join("fresh-loose").exists());
        assert!(!old.exists());
        assert_ne!(first.dir, second.dir);
        // The same replica name cannot be claimed twice at once.
        assert!(claim_scratch(&config, "a").is_err());
    }

    #[test]
    fn orphans_go_to_quarantine_and_interrupted_deletions_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repositories");
        let quarantine = dir.path().join("quarantine/1");
        for d in [
            "alice/kept.git",
            "alice/orphan.git",
            "bob/gone.git.deleting-5",
            "bob/back.git.deleting-7",
            ".migrating/x.git",
        ] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join("HEAD"), "ref: refs/heads/master\n").unwrap();
        }
        let rows: HashSet<(String, String)> =
            [("alice", "kept"), ("bob", "back")].iter().map(|(o, r)| (o.to_string(), r.to_string())).collect();
        let check = check_dirs(&root, &quarantine, &rows, None).unwrap();
        assert_eq!(check.restored, vec![root.join("bob/back.git")]);
        let mut quarantined = check.quarantined.clone();
        quarantined.sort();
        assert_eq!(
            quarantined,
            vec![
                quarantine.join(".migrating/x.git"),
                quarantine.join("alice/orphan.git"),
                quarantine.join("bob/gone.git.deleting-5"),
            ]
        );
        assert!(root.join("alice/kept.git/HEAD").exists());
        assert!(root.join("bob/back.git/HEAD").exists());
        assert!(!root.join("alice/orphan.git").exists());
        assert!(quarantine.join("alice/orphan.git/HEAD").exists(), "moved, not deleted");
        // A second pass finds nothing to do.
        assert_eq!(check_dirs(&root, &quarantine, &rows, None).unwrap(), DiskCheck::default());
    }

    #[test]
    fn while_others_run_a_fresh_directory_without_a_row_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let (root, quarantine) = (dir.path().join("repositories"), dir.path().join("quarantine/1"));
        std::fs::create_dir_all(root.join("alice/being-made.git")).unwrap();
        let check = check_dirs(&root, &quarantine, &HashSet::new(), Some(SETTLED)).unwrap();
        assert_eq!(check.left, vec![root.join("alice/being-made.git")]);
        assert!(check.quarantined.is_empty() && root.join("alice/being-made.git").exists());
        // Alone (or once settled), it is a leftover.
        let check = check_dirs(&root, &quarantine, &HashSet::new(), Some(std::time::Duration::ZERO)).unwrap();
        assert_eq!(check.quarantined, vec![quarantine.join("alice/being-made.git")]);
    }

    #[test]
    fn uncommitted_moves_go_back_and_committed_ones_lose_their_marker() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repositories");
        let quarantine = dir.path().join("quarantine/1");
        // alice/old -> alice/new crashed before its commit; bob/kept -> carol/kept committed.
        for (d, marker) in [("alice/new.git", Some("alice/old")), ("carol/kept.git", Some("bob/kept"))] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join("HEAD"), "ref: refs/heads/master\n").unwrap();
            if let Some(m) = marker {
                std::fs::write(root.join(d).join(MOVED_FROM), format!("{m}\n")).unwrap();
            }
        }
        let rows: HashSet<(String, String)> =
            [("alice", "old"), ("carol", "kept")].iter().map(|(o, r)| (o.to_string(), r.to_string())).collect();
        let check = check_dirs(&root, &quarantine, &rows, None).unwrap();
        assert_eq!(check.restored, vec![root.join("alice/old.git")]);
        assert!(check.quarantined.is_empty());
        assert!(root.join("alice/old.git/HEAD").exists());
        assert!(!root.join("alice/old.git").join(MOVED_FROM).exists());
        assert!(!root.join("alice/new.git").exists());
        assert!(root.join("carol/kept.git/HEAD").exists());
        assert!(!root.join("carol/kept.git").join(MOVED_FROM).exists());
        assert_eq!(check_dirs(&root, &quarantine, &rows, None).unwrap(), DiskCheck::default());
    }

    #[test]
    fn gist_directories_without_a_row_go_to_quarantine() {
        let dir = tempfile::tempdir().unwrap();
        let (gists, quarantine) = (dir.path().join("gists"), dir.path().join("quarantine/1"));
        for d in ["kept.git", "orphan.git"] {
            std::fs::create_dir_all(gists.join(d)).unwrap();
        }
        let ids: HashSet<String> = ["kept".to_string()].into_iter().collect();
        assert_eq!(
            check_gist_dirs(&gists, &quarantine, &ids, None).unwrap().0,
            vec![quarantine.join("gists/orphan.git")]
        );
        assert!(gists.join("kept.git").exists() && !gists.join("orphan.git").exists());
        assert!(quarantine.join("gists/orphan.git").exists(), "moved, not deleted");
        assert!(check_gist_dirs(&dir.path().join("none"), &quarantine, &ids, None).unwrap().0.is_empty());
    }

    #[test]
    fn mismatches_are_found_without_moving_anything() {
        let dir = tempfile::tempdir().unwrap();
        let (root, gists) = (dir.path().join("repositories"), dir.path().join("gists"));
        for d in ["alice/kept.git", "alice/orphan.git", "bob/x.git.deleting-5"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::create_dir_all(gists.join("g1.git")).unwrap();
        std::fs::create_dir_all(gists.join("stray.git")).unwrap();
        std::fs::write(root.join("alice/README"), "not a directory").unwrap();
        let rows = vec![("alice".to_string(), "kept".to_string()), ("carol".to_string(), "gone".to_string())];
        let ids = vec!["g1".to_string(), "g2".to_string()];
        let found = mismatches(&root, &gists, &rows, &ids).unwrap();
        assert_eq!(found.rows, 4);
        assert_eq!(
            found.orphans,
            vec![gists.join("stray.git"), root.join("alice/orphan.git"), root.join("bob/x.git.deleting-5")]
        );
        assert_eq!(
            found.missing,
            vec![
                ("carol/gone".to_string(), root.join("carol/gone.git")),
                ("gist g2".to_string(), gists.join("g2.git"))
            ]
        );
        assert!(root.join("alice/orphan.git").exists(), "nothing moved");
        let none = mismatches(&dir.path().join("none"), &dir.path().join("none2"), &[], &[]).unwrap();
        assert_eq!(none, Mismatches::default());
    }

    #[test]
    fn copy_fallback_keeps_every_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/objects/ab")).unwrap();
        std::fs::write(dir.path().join("a/objects/ab/cd"), "x").unwrap();
        copy_tree(&dir.path().join("a"), &dir.path().join("b")).unwrap();
        assert_eq!(std::fs::read_to_string(dir.path().join("b/objects/ab/cd")).unwrap(), "x");
    }
}
