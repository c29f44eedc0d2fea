//! A consistent copy of a bare repository that may be taking pushes while it is copied (what
//! `hearth dump` archives).
//!
//! The refs are read first, then the objects are linked (or copied): git adds objects to a
//! repository before it moves a ref to them and never changes an object file, so every object the
//! refs read need is still there when the objects are listed afterwards. Only a repack can take
//! files away in between (it writes the new pack first, then deletes the old files): a file that
//! vanished, or a ref whose object is missing from the copy, starts the copy over. Hard links make
//! the copy cheap and immune to a later deletion of the original file; across file systems the
//! files are copied instead. Objects still in a push's quarantine (`objects/incoming-*`) and
//! temporary files are left out.

use std::collections::BTreeMap;
use std::io::{self, ErrorKind};
use std::path::Path;

use crate::{GitError, GitResult};

/// How many times a copy starts over before it gives up on a repository that keeps changing.
const ATTEMPTS: usize = 5;

/// Copy the bare repository `src` to `dst` (which must not exist; its parent is created): refs as
/// one `packed-refs` file (symbolic refs as loose files), `HEAD`, `config` and every other file
/// as they are, and the objects the refs need.
pub fn copy_consistent(src: &Path, dst: &Path) -> GitResult<()> {
    if !src.join("objects").is_dir() {
        return Err(GitError::NotFound);
    }
    for _ in 0..ATTEMPTS {
        if dst.symlink_metadata().is_ok() {
            std::fs::remove_dir_all(dst)?;
        }
        if attempt(src, dst)? {
            return Ok(());
        }
    }
    Err(GitError::Git(format!("{} kept changing while it was copied ({ATTEMPTS} attempts)", src.display())))
}

/// One copy; false when the repository changed under it in a way that needs a new attempt.
fn attempt(src: &Path, dst: &Path) -> GitResult<bool> {
    let repo = gix::open_opts(src, gix::open::Options::isolated()).map_err(GitError::git)?;
    let mut direct: BTreeMap<String, gix::ObjectId> = BTreeMap::new();
    let mut symbolic: BTreeMap<String, String> = BTreeMap::new();
    for r in repo.references().map_err(GitError::git)?.all().map_err(GitError::git)? {
        let r = r.map_err(GitError::git)?;
        let name = r.name().as_bstr().to_string();
        if !name.starts_with("refs/") {
            continue;
        }
        match r.target() {
            gix::refs::TargetRef::Object(id) => {
                direct.insert(name, id.to_owned());
            }
            gix::refs::TargetRef::Symbolic(to) => {
                symbolic.insert(name, to.as_bstr().to_string());
            }
        }
    }
    drop(repo);

    std::fs::create_dir_all(dst)?;
    for entry in std::fs::read_dir(src)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if matches!(name.as_str(), "objects" | "refs" | "packed-refs" | "logs") || name.ends_with(".lock") {
            continue;
        }
        copy_plain(&entry.path(), &dst.join(&name))?;
    }
    if !link_objects(&src.join("objects"), &dst.join("objects"))? {
        return Ok(false);
    }
    for dir in ["refs/heads", "refs/tags"] {
        std::fs::create_dir_all(dst.join(dir))?;
    }
    let packed: String = direct.iter().map(|(name, id)| format!("{id} {name}\n")).collect();
    std::fs::write(dst.join("packed-refs"), packed)?;
    for (name, to) in &symbolic {
        let path = dst.join(name);
        std::fs::create_dir_all(path.parent().expect("refs/… has a parent"))?;
        std::fs::write(path, format!("ref: {to}\n"))?;
    }

    // Every ref (and a detached HEAD) must name an object the copy has.
    let mut wanted: Vec<gix::ObjectId> = direct.into_values().collect();
    if let Ok(head) = std::fs::read_to_string(dst.join("HEAD"))
        && let Ok(id) = gix::ObjectId::from_hex(head.trim().as_bytes())
    {
        wanted.push(id);
    }
    let copy = gix::open_opts(dst, gix::open::Options::isolated()).map_err(GitError::git)?;
    Ok(wanted.iter().all(|id| copy.has_object(id)))
}

/// Link (or copy) every object file under `src` into `dst`; false when a file or directory
/// vanished while this ran (a repack or prune).
fn link_objects(src: &Path, dst: &Path) -> io::Result<bool> {
    std::fs::create_dir_all(dst)?;
    let entries = match std::fs::read_dir(src) {
        Ok(e) => e,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = match entry.file_type() {
            Ok(k) => k,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        if kind.is_dir() {
            // A push's quarantine holds objects no ref needs yet.
            if name.starts_with("incoming-") || name.starts_with("tmp_objdir") {
                continue;
            }
            if !link_objects(&entry.path(), &dst.join(&name))? {
                return Ok(false);
            }
        } else if kind.is_file() {
            if name.starts_with("tmp_") || name.ends_with(".lock") {
                continue;
            }
            let (from, to) = (entry.path(), dst.join(&name));
            let linked = match std::fs::hard_link(&from, &to) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == ErrorKind::NotFound => Err(e),
                // Another file system, or links not allowed: copy.
                Err(_) => std::fs::copy(&from, &to).map(|_| ()),
            };
            match linked {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }
    Ok(true)
}

/// Copy a file or a directory tree (regular files and directories only); what vanishes meanwhile
/// is skipped.
fn copy_plain(from: &Path, to: &Path) -> io::Result<()> {
    let meta = match std::fs::symlink_metadata(from) {
        Ok(m) => m,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            copy_plain(&entry.path(), &to.join(entry.file_name()))?;
        }
    } else if meta.is_file() {
        match std::fs::copy(from, to) {
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            other => {
                other?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use super::*;

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn copy_has_the_same_refs_and_passes_fsck() {
        let dir = tempfile::tempdir().unwrap();
        let (work, bare, copy) = (dir.path().join("w"), dir.path().join("src.git"), dir.path().join("out/dst.git"));
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        for i in 0..3 {
            std::fs::write(work.join("f"), format!("{i}\n")).unwrap();
            git(&work, &["add", "f"]);
            git(&work, &["commit", "-qm", &format!("c{i}")]);
        }
        git(&work, &["tag", "-a", "v1", "-m", "v1"]);
        git(&work, &["branch", "side", "HEAD~1"]);
        git(dir.path(), &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
        // Some refs loose, some packed, a loose object beside the pack.
        git(&bare, &["pack-refs", "--all"]);
        git(&bare, &["update-ref", "refs/heads/extra", "main~2"]);
        git(&bare, &["symbolic-ref", "refs/remotes/origin/HEAD", "refs/heads/main"]);
        std::fs::write(work.join("g"), "loose\n").unwrap();
        git(&bare, &["hash-object", "-w", work.join("g").to_str().unwrap()]);
        std::fs::create_dir_all(bare.join("objects/incoming-xyz")).unwrap();

        copy_consistent(&bare, &copy).unwrap();
        let refs = |p: &Path| git(p, &["for-each-ref", "--format=%(objectname) %(refname) %(symref)"]);
        assert_eq!(refs(&bare), refs(&copy));
        assert_eq!(std::fs::read(bare.join("HEAD")).unwrap(), std::fs::read(copy.join("HEAD")).unwrap());
        assert_eq!(std::fs::read(bare.join("config")).unwrap(), std::fs::read(copy.join("config")).unwrap());
        git(&copy, &["fsck", "--strict", "--no-dangling"]);
        assert!(!copy.join("objects/incoming-xyz").exists());
        // The copy is independent of the original's files.
        std::fs::remove_dir_all(&bare).unwrap();
        git(&copy, &["fsck", "--strict", "--no-dangling"]);

        assert!(matches!(copy_consistent(&dir.path().join("none.git"), &copy), Err(GitError::NotFound)));
    }

    /// Copies taken while pushes land and `git repack -a -d` replaces the packs are complete.
    #[test]
    fn copies_under_pushes_and_repacks_pass_fsck() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicBool, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let (work, bare) = (dir.path().join("w"), dir.path().join("src.git"));
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        git(dir.path(), &["init", "-q", "--bare", bare.to_str().unwrap()]);
        let stop = Arc::new(AtomicBool::new(false));
        let pusher = {
            let (stop, work, bare) = (stop.clone(), work.clone(), bare.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) || n < 3 {
                    n += 1;
                    std::fs::write(work.join(format!("f{}", n % 5)), format!("{n}\n")).unwrap();
                    git(&work, &["add", "."]);
                    git(&work, &["commit", "-qm", &format!("c{n}")]);
                    // Small pushes arrive as loose objects or as packs, depending on this limit.
                    let limit = if n % 2 == 0 { "transfer.unpackLimit=1" } else { "transfer.unpackLimit=100" };
                    // A push can fail when the repack removes an emptied `objects/xx` directory
                    // just as the push writes a loose object there (git's own race, not the
                    // copy's): the next round pushes again.
                    let _ = Command::new("git")
                        .args(["-c", limit, "push", "-q", bare.to_str().unwrap(), "HEAD:main"])
                        .arg(format!("HEAD:b{}", n % 3))
                        .current_dir(&work)
                        .output();
                }
            })
        };
        let repacker = {
            let (stop, bare) = (stop.clone(), bare.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let _ = Command::new("git").args(["repack", "-a", "-d", "-q"]).current_dir(&bare).output();
                }
            })
        };
        while !bare.join("refs/heads/main").exists() && !bare.join("packed-refs").exists() {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        for i in 0..15 {
            let copy = dir.path().join(format!("copy{i}.git"));
            copy_consistent(&bare, &copy).unwrap();
            git(&copy, &["fsck", "--strict", "--no-dangling"]);
        }
        stop.store(true, Ordering::Relaxed);
        pusher.join().unwrap();
        repacker.join().unwrap();
    }
}
