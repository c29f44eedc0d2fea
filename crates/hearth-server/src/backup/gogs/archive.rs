//! Reading a `gogs backup` archive: `gogs-backup/metadata.ini`, `gogs-backup/db/<Table>.json`
//! (JSON lines) and `gogs-backup/repositories.zip` (the repository root, zipped on its own).

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use zip::ZipArchive;

use super::map::Source;
use super::row::Row;

/// The backup format `gogs backup` has written since it has had one (`metadata.ini` VERSION).
const FORMAT: &str = "1";

pub struct Backup {
    /// `GOGS_VERSION` from `metadata.ini`.
    pub gogs_version: String,
    pub source: Source,
    /// `repositories.zip` copied out of the archive (a zip inside a zip cannot be read in place),
    /// removed on drop. None for a backup made with `--database-only` or `--exclude-repos`.
    pub repositories: Option<TempFile>,
}

/// A file removed when dropped.
pub struct TempFile(pub PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Read the archive at `path`; `scratch` is a directory for `repositories.zip`.
pub fn open(path: &Path, scratch: &Path) -> anyhow::Result<Backup> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut zip = ZipArchive::new(file).with_context(|| format!("{} is not a zip archive", path.display()))?;
    read(&mut zip, scratch)
}

fn read<R: Read + Seek>(zip: &mut ZipArchive<R>, scratch: &Path) -> anyhow::Result<Backup> {
    // `gogs-backup/` is the root Gogs writes; any single top directory (or none) is accepted.
    let names: Vec<String> = zip.file_names().map(|n| n.map(|n| n.into_owned())).collect::<Result<_, _>>()?;
    let Some(meta_name) = names
        .iter()
        .filter(|n| n.ends_with("metadata.ini") && n.matches('/').count() <= 1)
        .min_by_key(|n| n.len())
        .cloned()
    else {
        bail!("metadata.ini is missing: this is not a `gogs backup` archive");
    };
    let root = meta_name.trim_end_matches("metadata.ini").to_string();

    let metadata = read_text(zip, &meta_name)?;
    let format = ini_value(&metadata, "VERSION").unwrap_or_default();
    if format != FORMAT {
        bail!("unsupported `gogs backup` format version {format:?} (this importer reads version {FORMAT})");
    }
    let gogs_version = ini_value(&metadata, "GOGS_VERSION").unwrap_or_default();

    let mut source = Source::default();
    let db = format!("{root}db/");
    for name in &names {
        let Some(table) = name.strip_prefix(&db).and_then(|n| n.strip_suffix(".json")) else { continue };
        if table.is_empty() || table.contains('/') {
            continue;
        }
        read_rows(zip, name, table, &mut source).with_context(|| format!("reading {name}"))?;
    }
    if source.is_empty() {
        bail!("the archive holds no database tables ({db}*.json)");
    }

    let repositories = match zip.by_name(&format!("{root}repositories.zip")) {
        Ok(mut entry) => {
            let mut name = [0u8; 8];
            rand::fill(&mut name);
            let tmp = TempFile(scratch.join(format!("gogs-repositories-{}.zip", hex::encode(name))));
            let mut out = File::create(&tmp.0).with_context(|| format!("creating {}", tmp.0.display()))?;
            std::io::copy(&mut entry, &mut out).context("copying repositories.zip out of the archive")?;
            Some(tmp)
        }
        Err(zip::result::ZipError::FileNotFound) => None,
        Err(e) => return Err(e).context("reading repositories.zip"),
    };
    Ok(Backup { gogs_version, source, repositories })
}

fn read_text<R: Read + Seek>(zip: &mut ZipArchive<R>, name: &str) -> anyhow::Result<String> {
    let mut text = String::new();
    zip.by_name(name)?.read_to_string(&mut text).with_context(|| format!("reading {name}"))?;
    Ok(text)
}

/// `KEY = VALUE` from the top of an ini file.
fn ini_value(text: &str, key: &str) -> Option<String> {
    text.lines()
        .take_while(|l| !l.trim_start().starts_with('['))
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
}

/// JSON lines into `source`; blank lines are skipped, anything else that is not an object is an
/// error.
fn read_rows<R: Read + Seek>(
    zip: &mut ZipArchive<R>,
    name: &str,
    table: &str,
    source: &mut Source,
) -> anyhow::Result<()> {
    source.add_table(table);
    let entry = zip.by_name(name)?;
    for (n, line) in BufReader::new(entry).lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Row>(&line) {
            Ok(row) => source.add(table, row),
            Err(e) => bail!("line {}: {e}", n + 1),
        }
    }
    Ok(())
}

/// The Gogs release a version string names, as (major, minor).
pub fn release(version: &str) -> Option<(u32, u32)> {
    let mut parts = version.trim().trim_start_matches('v').split(['.', '+', '-', ' ']);
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_values() {
        let text = "VERSION      = 1\nDATE_TIME    = 2024-05-01 12:00:00 +0000 UTC\nGOGS_VERSION = 0.13.4\n";
        assert_eq!(ini_value(text, "VERSION").as_deref(), Some("1"));
        assert_eq!(ini_value(text, "GOGS_VERSION").as_deref(), Some("0.13.4"));
        assert_eq!(ini_value(text, "MISSING"), None);
        assert_eq!(release("0.13.4"), Some((0, 13)));
        assert_eq!(release("0.11.91.0811"), Some((0, 11)));
        assert_eq!(release("0.14.0+dev"), Some((0, 14)));
        assert_eq!(release("garbage"), None);
    }
}
