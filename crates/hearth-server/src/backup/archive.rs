//! The dump archive as a file: a directory tree written to, or read from, a `.zip` or a `.tar.gz`,
//! one file at a time (nothing is held in memory). Only regular files and directories are
//! written or extracted; extraction refuses paths that would leave the target directory.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The archive kinds, chosen by the file name's ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

impl Format {
    /// The format a file name asks for, or an error naming the accepted endings.
    pub fn of(path: &Path) -> anyhow::Result<Format> {
        let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
        if name.ends_with(".zip") && name.len() > 4 {
            Ok(Format::Zip)
        } else if name.ends_with(".tar.gz") && name.len() > 7 {
            Ok(Format::TarGz)
        } else {
            bail!("{}: the archive's name must end in .zip or .tar.gz", path.display())
        }
    }
}

/// Every directory and file under `dir`, relative and `/`-separated: `first` (the files that must
/// lead, when present), then the rest depth-first in name order, each directory before what it
/// holds.
fn entries(dir: &Path, first: &[&str]) -> io::Result<Vec<(String, PathBuf, bool)>> {
    fn walk(base: &Path, rel: &str, out: &mut Vec<(String, PathBuf, bool)>) -> io::Result<()> {
        let mut names: Vec<_> = std::fs::read_dir(base.join(rel))?.collect::<Result<_, _>>()?;
        names.sort_by_key(|e| e.file_name());
        for e in names {
            let name = e.file_name().to_string_lossy().into_owned();
            let rel = if rel.is_empty() { name } else { format!("{rel}/{name}") };
            let kind = e.file_type()?;
            if kind.is_dir() {
                out.push((rel.clone(), e.path(), true));
                walk(base, &rel, out)?;
            } else if kind.is_file() {
                out.push((rel, e.path(), false));
            }
        }
        Ok(())
    }
    let mut all = Vec::new();
    walk(dir, "", &mut all)?;
    let (mut lead, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(|(rel, ..)| first.contains(&rel.as_str()));
    lead.sort_by_key(|(rel, ..)| first.iter().position(|f| f == rel));
    lead.extend(rest);
    Ok(lead)
}

/// Git objects are compressed already, and Git LFS objects are mostly media and archives that do
/// not shrink: both are stored as they are in a zip, so compression time goes to what shrinks (the
/// table files).
fn is_stored(rel: &str) -> bool {
    rel.contains("/objects/") || rel.starts_with("lfs/")
}

#[cfg(unix)]
fn mode_of(meta: &std::fs::Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o777
}
#[cfg(not(unix))]
fn mode_of(_: &std::fs::Metadata) -> u32 {
    0o644
}

/// Write the tree under `dir` to a new archive file `out`, synced to disk before this returns.
pub fn write_dir(dir: &Path, first: &[&str], format: Format, out: &Path) -> anyhow::Result<()> {
    let list = entries(dir, first).with_context(|| format!("listing {}", dir.display()))?;
    let file = File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let file = match format {
        Format::Zip => write_zip(&list, file)?,
        Format::TarGz => write_tar_gz(&list, file)?,
    };
    file.sync_all().with_context(|| format!("writing {}", out.display()))?;
    Ok(())
}

fn write_zip(list: &[(String, PathBuf, bool)], file: File) -> anyhow::Result<File> {
    use zip::CompressionMethod;
    use zip::write::SimpleFileOptions;
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    for (rel, path, is_dir) in list {
        let meta = std::fs::metadata(path).with_context(|| format!("reading {}", path.display()))?;
        let options = SimpleFileOptions::default().unix_permissions(mode_of(&meta));
        if *is_dir {
            zip.add_directory(format!("{rel}/"), options)?;
            continue;
        }
        let options = if is_stored(rel) {
            options.compression_method(CompressionMethod::Stored)
        } else {
            options.compression_method(CompressionMethod::Deflated).compression_level(Some(6))
        };
        zip.start_file(rel.as_str(), options.large_file(meta.len() >= u32::MAX as u64))?;
        let mut src = File::open(path).with_context(|| format!("reading {}", path.display()))?;
        io::copy(&mut src, &mut zip).with_context(|| format!("archiving {}", path.display()))?;
    }
    let buffered = zip.finish()?;
    buffered.into_inner().map_err(|e| e.into_error()).context("writing the archive")
}

fn write_tar_gz(list: &[(String, PathBuf, bool)], file: File) -> anyhow::Result<File> {
    // Most of the bytes are Git packs that do not shrink: a fast level spends little on them.
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::new(1));
    let mut tar = tar::Builder::new(gz);
    tar.follow_symlinks(false);
    tar.mode(tar::HeaderMode::Complete);
    for (rel, path, _) in list {
        tar.append_path_with_name(path, rel).with_context(|| format!("archiving {}", path.display()))?;
    }
    let gz = tar.into_inner().context("writing the archive")?;
    let buffered = gz.finish().context("writing the archive")?;
    let file = buffered.into_inner().map_err(|e| e.into_error()).context("writing the archive")?;
    Ok(file)
}

/// Extract the archive `path` into the directory `into` (created; it should be empty).
pub fn extract(path: &Path, format: Format, into: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(into).with_context(|| format!("creating {}", into.display()))?;
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    match format {
        Format::Zip => extract_zip(file, into),
        Format::TarGz => extract_tar_gz(file, into),
    }
    .with_context(|| format!("reading {}", path.display()))
}

fn extract_zip(file: File, into: &Path) -> anyhow::Result<()> {
    let mut zip = zip::ZipArchive::new(BufReader::new(file))?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let shown = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        let Some(rel) = entry.enclosed_name() else { bail!("the entry `{shown}` leaves the archive's directory") };
        let target = into.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&target)?;
            continue;
        }
        if entry.is_symlink() {
            continue;
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = File::create(&target).with_context(|| format!("creating {}", target.display()))?;
        io::copy(&mut entry, &mut out).with_context(|| format!("extracting {shown}"))?;
        out.flush()?;
        #[cfg(unix)]
        if let Some(mode) = entry.unix_mode() {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&target, std::fs::Permissions::from_mode(mode & 0o777))?;
        }
    }
    Ok(())
}

fn extract_tar_gz(file: File, into: &Path) -> anyhow::Result<()> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    tar.set_preserve_permissions(true);
    tar.set_overwrite(false);
    for entry in tar.entries()? {
        let mut entry = entry?;
        match entry.header().entry_type() {
            tar::EntryType::Regular | tar::EntryType::Directory => {}
            _ => continue,
        }
        if !entry.unpack_in(into)? {
            bail!("the entry `{}` leaves the archive's directory", entry.path()?.display());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_choose_the_format() {
        assert_eq!(Format::of(Path::new("/x/backup.zip")).unwrap(), Format::Zip);
        assert_eq!(Format::of(Path::new("b.TAR.GZ")).unwrap(), Format::TarGz);
        for bad in ["b.tgz", "b.tar", "b.gz", ".zip", "b.zip.tmp", ""] {
            let e = Format::of(Path::new(bad)).unwrap_err().to_string();
            assert!(e.contains("must end in .zip or .tar.gz"), "{bad}: {e}");
        }
    }

    #[test]
    fn both_formats_keep_files_directories_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("src");
        std::fs::create_dir_all(src.join("repositories/a/b.git/refs/heads")).unwrap();
        std::fs::create_dir_all(src.join("repositories/a/b.git/objects/pack")).unwrap();
        std::fs::write(src.join("repositories/a/b.git/objects/pack/p.pack"), [0u8, 1, 2, 255]).unwrap();
        std::fs::write(src.join("hearth-dump.json"), "{}").unwrap();
        std::fs::create_dir_all(src.join("db")).unwrap();
        std::fs::write(src.join("db/user.jsonl"), "{\"id\":1}\n".repeat(100)).unwrap();
        std::fs::create_dir_all(src.join("ssh")).unwrap();
        std::fs::write(src.join("ssh/key"), "secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(src.join("ssh/key"), std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let listed: Vec<String> = entries(&src, &["hearth-dump.json"]).unwrap().into_iter().map(|e| e.0).collect();
        assert_eq!(listed[0], "hearth-dump.json");
        assert!(listed.contains(&"repositories/a/b.git/refs/heads".to_string()));

        for (name, format) in [("a.zip", Format::Zip), ("a.tar.gz", Format::TarGz)] {
            let archive = dir.path().join(name);
            write_dir(&src, &["hearth-dump.json"], format, &archive).unwrap();
            let out = dir.path().join(format!("out-{name}"));
            extract(&archive, format, &out).unwrap();
            assert_eq!(std::fs::read(out.join("repositories/a/b.git/objects/pack/p.pack")).unwrap(), [0u8, 1, 2, 255]);
            assert_eq!(std::fs::read_to_string(out.join("db/user.jsonl")).unwrap(), "{\"id\":1}\n".repeat(100));
            assert!(out.join("repositories/a/b.git/refs/heads").is_dir(), "{name}: empty directories are kept");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(out.join("ssh/key")).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{name}");
            }
        }
        // A truncated archive is an error, not a partial success.
        let archive = dir.path().join("a.tar.gz");
        let bytes = std::fs::read(&archive).unwrap();
        let cut = dir.path().join("cut.tar.gz");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        assert!(extract(&cut, Format::TarGz, &dir.path().join("cut")).is_err());
    }
}
