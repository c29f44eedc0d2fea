//! Repository directories on disk. A repository is built in a scratch directory under
//! `<data>/tmp/` and renamed into the repository root only inside the transaction that records its
//! row, so an interrupted creation leaves either nothing under the root or a directory without a
//! row; at start-up such directories are moved to `<data>/quarantine/` (never deleted), so that
//! every name can be created again and an operator can still look at what was there.

use std::collections::HashSet;
use std::io;
use std::path::{Path, PathBuf};

use hearth_store::Db;
use hearth_store::repos;

use super::notices::{self, NoticeKind};
use super::now_unix;
use crate::config::Config;

/// Empty the scratch directory (nothing in it outlives the process that made it) and create it.
pub fn reset_scratch(config: &Config) -> io::Result<()> {
    let tmp = config.tmp_dir();
    match std::fs::read_dir(&tmp) {
        Ok(entries) => {
            let mut removed = 0;
            for entry in entries {
                let path = entry?.path();
                let gone = if path.is_dir() { std::fs::remove_dir_all(&path) } else { std::fs::remove_file(&path) };
                match gone {
                    Ok(()) => removed += 1,
                    Err(e) => tracing::warn!(error = %e, path = %path.display(), "removing leftover scratch"),
                }
            }
            if removed > 0 {
                tracing::info!(removed, dir = %tmp.display(), "removed leftovers of an earlier run from the scratch directory");
            }
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    std::fs::create_dir_all(&tmp)
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
}

/// Compare the directories under the repository root with the rows: a directory with no row is
/// moved to `<data>/quarantine/<unix time>/<owner>/<name>` (logged); a repository left moved
/// aside by an interrupted deletion (`<name>.git.deleting-<n>` with its row still there and no
/// `<name>.git`) is moved back.
pub async fn quarantine_orphans(db: &Db, config: &Config) -> anyhow::Result<DiskCheck> {
    let rows: HashSet<(String, String)> = {
        let mut h = db.acquire().await?;
        repos::all_lower_names(h.conn()).await?.into_iter().collect()
    };
    let (root, quarantine) = (config.repository.root.clone(), config.quarantine_dir().join(now_unix().to_string()));
    let check = tokio::task::spawn_blocking(move || check_dirs(&root, &quarantine, &rows)).await??;
    for path in &check.quarantined {
        tracing::warn!(path = %path.display(), "repository directory without a database row moved to quarantine");
        let text = format!("A repository directory without a database row was moved to {}", path.display());
        notices::record(db, NoticeKind::Repository, &text).await;
    }
    for path in &check.restored {
        tracing::warn!(path = %path.display(), "repository left aside by an interrupted deletion put back");
    }
    Ok(check)
}

fn check_dirs(root: &Path, quarantine: &Path, rows: &HashSet<(String, String)>) -> io::Result<DiskCheck> {
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
            if name.strip_suffix(".git").is_some_and(has_row) {
                continue;
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let check = check_dirs(&root, &quarantine, &rows).unwrap();
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
        assert_eq!(check_dirs(&root, &quarantine, &rows).unwrap(), DiskCheck::default());
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
