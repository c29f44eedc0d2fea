//! Git LFS object files away from the HTTP transfer (`crate::lfs`): staged into a dump or an import
//! with their content checked, placed into `[lfs] OBJECTS_PATH` by a restore, listed and collected
//! by `hearth doctor`. Everything here blocks (run it off the async workers) and streams: no object
//! is ever held whole in memory.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sha2::{Digest, Sha256};

pub use crate::lfs::{object_path, valid_oid};

/// Unreferenced objects (and leftovers of interrupted copies) younger than this are never
/// removed: an upload stores its object first and links it to its repository just after, so a
/// young unreferenced object may be one whose row is being written right now.
pub const GRACE: Duration = Duration::from_secs(3600);

/// Why an object's file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("its file is missing")]
    Missing,
    /// Its length or SHA-256 is not what its size and oid say.
    #[error("{0}")]
    Damaged(String),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Read `src` to its end, writing it to `out` if given; its hex SHA-256 and length.
fn digest(src: impl Read, mut out: Option<&mut dyn Write>) -> io::Result<(String, u64)> {
    let mut src = BufReader::with_capacity(256 * 1024, src);
    let mut hasher = Sha256::new();
    let mut len = 0u64;
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match src.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        if let Some(out) = out.as_deref_mut() {
            out.write_all(&buf[..n])?;
        }
        len += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), len))
}

/// Whether what was read is the object `oid` of `size` bytes.
fn judge((digest, len): (String, u64), oid: &str, size: i64) -> Result<(), ObjectError> {
    if len as i64 != size {
        return Err(ObjectError::Damaged(format!("its file is {len} bytes where its rows say {size}")));
    }
    if digest != oid {
        return Err(ObjectError::Damaged(format!("its file's SHA-256 is {digest}")));
    }
    Ok(())
}

fn open(path: &Path) -> Result<File, ObjectError> {
    File::open(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => ObjectError::Missing,
        _ => ObjectError::Io(e),
    })
}

/// Check that the file at `path` is `size` bytes hashing to `oid`.
pub fn verify(path: &Path, oid: &str, size: i64) -> Result<(), ObjectError> {
    judge(digest(open(path)?, None)?, oid, size)
}

/// Copy `src` to the new file `dst`, hashing on the way, synced to disk; `dst` is removed again
/// unless it is `size` bytes hashing to `oid`.
pub fn copy_verified(src: &Path, dst: &Path, oid: &str, size: i64) -> Result<(), ObjectError> {
    let input = open(src)?;
    let file = File::options().write(true).create_new(true).open(dst)?;
    let copied = (|| {
        let mut out = BufWriter::with_capacity(256 * 1024, file);
        let read = digest(input, Some(&mut out))?;
        out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        judge(read, oid, size)
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(dst);
    }
    copied
}

/// Put the object `oid` (file `src`, checked) at `dst` in a dump tree being built: a hard link
/// when `src` is on the same file system (an object's file never changes), else a copy.
pub fn stage(src: &Path, dst: &Path, oid: &str, size: i64) -> Result<(), ObjectError> {
    if let Some(dir) = dst.parent() {
        std::fs::create_dir_all(dir)?;
    }
    verify(src, oid, size)?;
    match std::fs::hard_link(src, dst) {
        Ok(()) => Ok(()),
        Err(_) => copy_verified(src, dst, oid, size),
    }
}

/// A name for a file next to `dest` that no one else uses: `<oid>.<purpose>-<hex>`.
fn beside(dest: &Path, purpose: &str) -> PathBuf {
    let mut name = [0u8; 8];
    rand::fill(&mut name);
    let file = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    dest.with_file_name(format!("{file}.{purpose}-{}", hex::encode(name)))
}

/// Place the object `oid` from `src` (a restore's source tree, which it may take apart) at its
/// address under `objects`: moved (or, across file systems, copied) next to its place, checked
/// there, then renamed into place, so that only a whole and verified object is ever visible there.
/// Returns whether the object was not there before (an object already there is the same content,
/// and is replaced by the verified copy).
pub fn place(src: &Path, objects: &Path, oid: &str, size: i64) -> Result<bool, ObjectError> {
    let dest = object_path(objects, oid);
    std::fs::create_dir_all(dest.parent().expect("an object has a directory"))?;
    let partial = beside(&dest, "restore");
    let checked = match std::fs::rename(src, &partial) {
        Ok(()) => verify(&partial, oid, size),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(ObjectError::Missing),
        Err(_) => copy_verified(src, &partial, oid, size),
    };
    let placed = checked.and_then(|()| {
        let new = !dest.exists();
        std::fs::rename(&partial, &dest)?;
        Ok(new)
    });
    if placed.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    placed
}

/// A file of the object store.
#[derive(Debug, Clone)]
pub struct StoredFile {
    pub path: PathBuf,
    pub len: u64,
    /// When its content was last written: an upload always writes a fresh file, even for an
    /// object that is there already (see `crate::lfs`), so this is also when it was last stored.
    pub modified: SystemTime,
}

/// What `OBJECTS_PATH` holds.
#[derive(Debug, Default)]
pub struct Listing {
    /// Objects at their address (`a/b/<oid>`), by oid.
    pub objects: Vec<(String, StoredFile)>,
    /// What interrupted copies and collections left next to an object (`<oid>.partial-…`,
    /// `<oid>.restore-…`, `<oid>.gc-…`).
    pub leftovers: Vec<StoredFile>,
    /// Anything else (never touched).
    pub others: usize,
}

/// List the object store (empty when it does not exist).
pub fn list(objects: &Path) -> io::Result<Listing> {
    fn entries(dir: &Path) -> io::Result<Vec<std::fs::DirEntry>> {
        match std::fs::read_dir(dir) {
            Ok(e) => e.collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
    let hex_dir = |e: &std::fs::DirEntry| -> io::Result<Option<char>> {
        let name = e.file_name().to_string_lossy().into_owned();
        let mut chars = name.chars();
        Ok(match (chars.next(), chars.next(), e.file_type()?.is_dir()) {
            (Some(c @ ('0'..='9' | 'a'..='f')), None, true) => Some(c),
            _ => None,
        })
    };
    let mut listing = Listing::default();
    for first in entries(objects)? {
        let Some(a) = hex_dir(&first)? else {
            listing.others += 1;
            continue;
        };
        for second in entries(&first.path())? {
            let Some(b) = hex_dir(&second)? else {
                listing.others += 1;
                continue;
            };
            for file in entries(&second.path())? {
                let meta = file.metadata()?;
                let name = file.file_name().to_string_lossy().into_owned();
                let (oid, rest) = name.get(..64).zip(name.get(64..)).unwrap_or((name.as_str(), ""));
                let here = |oid: &str| oid.starts_with(a) && oid[1..].starts_with(b);
                if !meta.is_file() || !valid_oid(oid) || !here(oid) {
                    listing.others += 1;
                    continue;
                }
                let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                let stored = StoredFile { path: file.path(), len: meta.len(), modified };
                if rest.is_empty() {
                    listing.objects.push((oid.to_string(), stored));
                } else if [".partial-", ".restore-", ".gc-"].iter().any(|p| rest.starts_with(p)) {
                    listing.leftovers.push(stored);
                } else {
                    listing.others += 1;
                }
            }
        }
    }
    listing.objects.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(listing)
}

/// Set the object at `path` aside (renamed to `<oid>.gc-…`) before it is removed, so that an upload
/// storing the same object meanwhile puts a fresh file in its place rather than losing it; the
/// caller then checks again and either [`SetAside::remove`]s it or [`SetAside::restore`]s it.
pub struct SetAside {
    original: PathBuf,
    aside: PathBuf,
}

impl SetAside {
    pub fn new(path: &Path) -> io::Result<SetAside> {
        let aside = beside(path, "gc");
        std::fs::rename(path, &aside)?;
        Ok(SetAside { original: path.to_path_buf(), aside })
    }

    /// When the object's content last changed (a rename does not change it): an upload that
    /// replaced the object just before it was set aside shows here.
    pub fn modified(&self) -> io::Result<SystemTime> {
        std::fs::metadata(&self.aside)?.modified()
    }

    pub fn remove(self) -> io::Result<()> {
        std::fs::remove_file(&self.aside)
    }

    /// Put it back, unless an upload has stored the object again meanwhile.
    pub fn restore(self) -> io::Result<()> {
        if self.original.exists() {
            std::fs::remove_file(&self.aside)
        } else {
            std::fs::rename(&self.aside, &self.original)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid_of(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    #[test]
    fn copies_are_checked_and_bad_ones_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let content = vec![7u8; 600_000];
        let oid = oid_of(&content);
        let src = dir.path().join("src");
        std::fs::write(&src, &content).unwrap();
        let dst = dir.path().join("dst");
        copy_verified(&src, &dst, &oid, content.len() as i64).unwrap();
        assert_eq!(std::fs::read(&dst).unwrap(), content);
        std::fs::remove_file(&dst).unwrap();

        let other = oid_of(b"other");
        let e = copy_verified(&src, &dst, &other, content.len() as i64).unwrap_err();
        assert!(matches!(e, ObjectError::Damaged(ref m) if m.contains(&oid)), "{e}");
        assert!(!dst.exists());
        let e = copy_verified(&src, &dst, &oid, 5).unwrap_err();
        assert!(e.to_string().contains("600000 bytes where its rows say 5"), "{e}");
        assert!(!dst.exists());
        assert!(matches!(copy_verified(&dir.path().join("none"), &dst, &oid, 1), Err(ObjectError::Missing)));
    }

    #[test]
    fn placing_moves_checks_and_renames() {
        let dir = tempfile::tempdir().unwrap();
        let objects = dir.path().join("objects");
        let content = b"hello lfs".to_vec();
        let oid = oid_of(&content);
        let src = dir.path().join("incoming");
        std::fs::write(&src, &content).unwrap();
        assert!(place(&src, &objects, &oid, content.len() as i64).unwrap());
        assert!(!src.exists(), "moved");
        assert_eq!(std::fs::read(object_path(&objects, &oid)).unwrap(), content);

        // Damaged: nothing placed, nothing left beside.
        let bad_oid = oid_of(b"something else");
        std::fs::write(&src, &content).unwrap();
        let e = place(&src, &objects, &bad_oid, content.len() as i64).unwrap_err();
        assert!(matches!(e, ObjectError::Damaged(_)), "{e}");
        let dest = object_path(&objects, &bad_oid);
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(dest.parent().unwrap()).unwrap().count(), 0);
        assert!(matches!(place(&dir.path().join("none"), &objects, &oid, 1), Err(ObjectError::Missing)));

        // Listed: the object; a leftover; a stranger.
        std::fs::write(object_path(&objects, &oid).with_extension("x"), "?").unwrap();
        std::fs::write(objects.join(format!("{}/{}/{oid}.partial-3", &oid[..1], &oid[1..2])), "part").unwrap();
        std::fs::write(objects.join("README"), "mine").unwrap();
        let listing = list(&objects).unwrap();
        assert_eq!(listing.objects.len(), 1);
        assert_eq!(listing.objects[0].0, oid);
        assert_eq!(listing.objects[0].1.len, content.len() as u64);
        assert_eq!(listing.leftovers.len(), 1);
        assert_eq!(listing.others, 2);
        assert!(list(&dir.path().join("none")).unwrap().objects.is_empty());

        // Set aside, then put back; set aside, then removed.
        let at = object_path(&objects, &oid);
        SetAside::new(&at).unwrap().restore().unwrap();
        assert!(at.exists());
        SetAside::new(&at).unwrap().remove().unwrap();
        assert!(!at.exists());
    }
}
