//! `hearth import gogs`: a `gogs backup` archive (Gogs 0.11 to 0.14) into an empty hearth.
//!
//! The archive is converted into a hearth dump directory (the layout `hearth dump` archives:
//! `hearth-dump.json`, `db/<table>.jsonl`, `repositories/<owner>/<name>.git/…`) in the temporary
//! directory, which the restore code then loads; so an import is exactly a restore of what Gogs
//! had, and refuses a non-empty target the same way. Git LFS objects, which `gogs backup` does not
//! archive, come from Gogs' objects directory when one is given (`lfs/` of the dump).

mod archive;
mod lfs;
mod map;
mod repos;
mod row;
mod schema;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::json;

use crate::config::Config;
use crate::service::now_unix;

/// What an import brought over, and what it left out or did not understand.
#[derive(Debug)]
pub struct Imported {
    pub gogs_version: String,
    /// hearth table → rows imported.
    pub counts: BTreeMap<&'static str, usize>,
    pub repositories: usize,
    /// Git LFS objects brought over.
    pub lfs_objects: usize,
    /// One line each: unknown tables and columns, data hearth has no place for, rows skipped.
    pub warnings: Vec<String>,
}

impl Imported {
    /// One line: what came over.
    pub fn summary(&self) -> String {
        let n = |t: &str| self.counts.get(t).copied().unwrap_or(0);
        format!(
            "imported from Gogs {}: {} accounts and organisations, {} repositories, {} issues, {} comments, \
             {} releases, {} webhooks, {} keys, {} access tokens, {} LFS objects ({} warnings)",
            self.gogs_version,
            n("user"),
            self.repositories,
            n("issue"),
            n("comment"),
            n("release"),
            n("webhook"),
            n("public_key") + n("deploy_key"),
            n("access_token"),
            self.lfs_objects,
            self.warnings.len(),
        )
    }
}

/// A directory removed when dropped.
struct ScratchDir(PathBuf);

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Import the `gogs backup` archive at `file` into the (empty) hearth `config` describes, with the
/// Git LFS objects from Gogs' objects directory `lfs_dir` when given.
pub async fn import(config: &Config, file: &Path, lfs_dir: Option<&Path>) -> anyhow::Result<Imported> {
    let config = config.clone().absolute()?;
    // Refused before the conversion, which can take a while; the restore checks the database too.
    super::refuse_non_empty(&config).await?;
    let mut suffix = [0u8; 8];
    rand::fill(&mut suffix);
    let scratch = ScratchDir(std::env::temp_dir().join(format!("hearth-import-{}", hex::encode(suffix))));
    let (file, dir, lfs_dir) = (file.to_path_buf(), scratch.0.clone(), lfs_dir.map(Path::to_path_buf));
    let imported = tokio::task::spawn_blocking(move || convert(&file, lfs_dir.as_deref(), &dir, now_unix())).await??;
    super::restore_dir(&config, &scratch.0.join("dump")).await?;
    Ok(imported)
}

/// Read the Gogs archive (and the LFS objects in `lfs_dir`) and write the equivalent hearth dump
/// into `<scratch>/dump`.
fn convert(file: &Path, lfs_dir: Option<&Path>, scratch: &Path, now: i64) -> anyhow::Result<Imported> {
    std::fs::create_dir_all(scratch).with_context(|| format!("creating {}", scratch.display()))?;
    let backup = archive::open(file, scratch)?;
    let mut warnings = Vec::new();
    match archive::release(&backup.gogs_version) {
        Some((0, 11..=14)) => {}
        _ => warnings.push(format!(
            "the backup was made by Gogs {:?}; this importer knows Gogs 0.11 to 0.14",
            backup.gogs_version
        )),
    }
    let dump = scratch.join("dump");
    let copied = match lfs_dir {
        Some(dir) => {
            let (copied, damaged) = lfs::stage(dir, &map::lfs_objects(&backup.source), &dump.join(super::LFS_DIR))?;
            warnings.extend(damaged);
            Some(copied)
        }
        None => None,
    };
    let mut files = TableFiles::create(&dump.join("db"))?;
    let outcome = map::map(&backup.source, now, copied.as_ref(), &mut files);
    drop(backup.source);
    files.finish()?;
    write_manifest(&dump, &outcome.counts, &outcome.lfs, now)?;
    warnings.extend(outcome.warnings);
    let repositories = backup.repositories.as_ref().map(|t| t.0.as_path());
    warnings.extend(repos::extract(repositories, &outcome.repos, &dump.join("repositories"), scratch)?);
    Ok(Imported {
        gogs_version: backup.gogs_version,
        counts: outcome.counts,
        repositories: outcome.repos.len(),
        lfs_objects: outcome.lfs.len(),
        warnings,
    })
}

/// `db/<table>.jsonl` for every table the import writes, filled as the mapping makes rows.
struct TableFiles {
    files: BTreeMap<&'static str, BufWriter<File>>,
    /// The first write that failed (a [`map::Sink`] cannot fail; [`TableFiles::finish`] reports it).
    error: Option<std::io::Error>,
}

impl TableFiles {
    fn create(dir: &Path) -> anyhow::Result<TableFiles> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let mut files = BTreeMap::new();
        for table in map::TABLES {
            let path = dir.join(format!("{table}.jsonl"));
            files.insert(
                *table,
                BufWriter::new(File::create(&path).with_context(|| format!("creating {}", path.display()))?),
            );
        }
        Ok(TableFiles { files, error: None })
    }

    fn finish(mut self) -> anyhow::Result<()> {
        for file in self.files.values_mut() {
            if let Err(e) = file.flush() {
                self.error.get_or_insert(e);
            }
        }
        match self.error {
            Some(e) => Err(e).context("writing the converted rows"),
            None => Ok(()),
        }
    }
}

impl map::Sink for TableFiles {
    fn put(&mut self, table: &'static str, row: row::Row) {
        if self.error.is_some() {
            return;
        }
        let file = self.files.get_mut(table).expect("every table the mapping writes has a file");
        let written =
            serde_json::to_writer(&mut *file, &row).map_err(std::io::Error::from).and_then(|()| file.write_all(b"\n"));
        if let Err(e) = written {
            self.error = Some(e);
        }
    }
}

/// `hearth-dump.json`, naming every table the import writes and the LFS objects (oid → size) its
/// rows reference.
fn write_manifest(
    dump: &Path,
    counts: &BTreeMap<&'static str, usize>,
    lfs: &BTreeMap<String, i64>,
    now: i64,
) -> anyhow::Result<()> {
    let tables: BTreeMap<&str, usize> = map::TABLES.iter().map(|t| (*t, counts.get(t).copied().unwrap_or(0))).collect();
    let manifest = json!({
        "format": 1,
        "hearth_version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("HEARTH_COMMIT").unwrap_or("unknown"),
        "created_unix": now,
        "source_engine": "gogs",
        "migration": hearth_store::latest_migration(),
        "tables": tables,
        "lfs": {"objects": lfs.len(), "bytes": lfs.values().sum::<i64>()},
    });
    std::fs::write(dump.join("hearth-dump.json"), serde_json::to_vec_pretty(&manifest)?)?;
    Ok(())
}

/// The fixture archives, for the unit tests.
#[cfg(test)]
fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hearth/tests/fixtures").join(name)
}

#[cfg(test)]
mod tests;
