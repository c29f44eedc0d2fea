//! Archives of a commit's tree, made in-process with gix-archive: tar.gz straight into any
//! writer (so the HTTP layer can stream it), zip into a seekable file.

use std::io::{Seek, Write};
use std::path::Path;

use crate::repo::open;
use crate::{GitError, GitResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    TarGz,
    Zip,
}

impl ArchiveFormat {
    /// `<ref>.tar.gz` / `<ref>.zip` → (ref, format).
    pub fn split(name: &str) -> Option<(&str, ArchiveFormat)> {
        if let Some(r) = name.strip_suffix(".tar.gz") {
            return Some((r, ArchiveFormat::TarGz));
        }
        name.strip_suffix(".zip").map(|r| (r, ArchiveFormat::Zip))
    }

    pub fn extension(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::Zip => "zip",
        }
    }
}

/// The commit an archive name's ref means: a branch, then a tag, then a 7–40 hex commit prefix.
pub fn archive_commit(repo_path: &Path, reference: &str) -> GitResult<Option<String>> {
    if let Some(c) = crate::read::ref_commit(repo_path, reference)? {
        return Ok(Some(c));
    }
    if (7..=40).contains(&reference.len()) && reference.chars().all(|c| c.is_ascii_hexdigit()) {
        return crate::read::resolve_commit(repo_path, reference);
    }
    Ok(None)
}

fn options(format: ArchiveFormat, prefix: &str, mtime: i64) -> gix_archive::Options {
    gix_archive::Options {
        format: match format {
            ArchiveFormat::TarGz => gix_archive::Format::TarGz { compression_level: None },
            ArchiveFormat::Zip => gix_archive::Format::Zip { compression_level: None },
        },
        tree_prefix: Some(format!("{prefix}/").into()),
        modification_time: mtime,
    }
}

fn stream_of(repo: &gix::Repository, commit: &str) -> GitResult<(gix::worktree::stream::Stream, i64)> {
    let id = gix::ObjectId::from_hex(commit.as_bytes()).map_err(GitError::git)?;
    let commit = repo.find_commit(id).map_err(GitError::git)?;
    let tree = commit.tree_id().map_err(GitError::git)?;
    let mtime = commit.time().map(|t| t.seconds).unwrap_or(0);
    let (stream, _index) = repo.worktree_stream(tree).map_err(GitError::git)?;
    Ok((stream, mtime))
}

/// Write a tar.gz of `commit` (entries under `<prefix>/`) to `out` as it is produced.
pub fn write_tar_gz(repo_path: &Path, commit: &str, prefix: &str, out: impl Write) -> GitResult<()> {
    let repo = open(repo_path)?;
    let (mut stream, mtime) = stream_of(&repo, commit)?;
    gix_archive::write_stream(&mut stream, |s| s.next_entry(), out, options(ArchiveFormat::TarGz, prefix, mtime))
        .map_err(GitError::git)
}

/// Write a zip of `commit` to a seekable `out` (zip's central directory needs it).
pub fn write_zip(repo_path: &Path, commit: &str, prefix: &str, out: impl Write + Seek) -> GitResult<()> {
    let repo = open(repo_path)?;
    let (mut stream, mtime) = stream_of(&repo, commit)?;
    gix_archive::write_stream_seek(&mut stream, |s| s.next_entry(), out, options(ArchiveFormat::Zip, prefix, mtime))
        .map_err(GitError::git)
}
