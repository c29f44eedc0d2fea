//! `hearth import gogs`: a `gogs backup` archive (Gogs 0.11 to 0.14) into an empty hearth.
//!
//! The archive is converted into a hearth dump (the format `hearth dump` writes: `hearth-dump.json`,
//! `db/<table>.jsonl`, `repositories/<owner>/<name>.git/…`) in the temporary directory, which the
//! restore code then loads; so an import is exactly a restore of what Gogs had, and refuses a
//! non-empty target the same way.

mod archive;
mod map;
mod repos;
mod row;
mod schema;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Write;
use std::path::Path;

use anyhow::Context;
use serde_json::json;
use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::config::Config;
use crate::service::now_unix;
use archive::TempFile;

/// What an import brought over, and what it left out or did not understand.
#[derive(Debug)]
pub struct Imported {
    pub gogs_version: String,
    /// hearth table → rows imported.
    pub counts: BTreeMap<&'static str, usize>,
    pub repositories: usize,
    /// One line each: unknown tables and columns, data hearth has no place for, rows skipped.
    pub warnings: Vec<String>,
}

impl Imported {
    /// One line: what came over.
    pub fn summary(&self) -> String {
        let n = |t: &str| self.counts.get(t).copied().unwrap_or(0);
        format!(
            "imported from Gogs {}: {} accounts and organisations, {} repositories, {} issues, {} comments, \
             {} releases, {} webhooks, {} keys, {} access tokens ({} warnings)",
            self.gogs_version,
            n("user"),
            self.repositories,
            n("issue"),
            n("comment"),
            n("release"),
            n("webhook"),
            n("public_key") + n("deploy_key"),
            n("access_token"),
            self.warnings.len(),
        )
    }
}

/// Import the `gogs backup` archive at `file` into the (empty) hearth `config` describes.
pub async fn import(config: &Config, file: &Path) -> anyhow::Result<Imported> {
    let config = config.clone().absolute()?;
    // Checked before the conversion, which can take a while; the restore checks again.
    super::restore::check_empty(&config).await?;
    let file = file.to_path_buf();
    let scratch = std::env::temp_dir();
    let (imported, dump) = tokio::task::spawn_blocking(move || convert(&file, &scratch, now_unix())).await??;
    super::restore::restore(&config, &dump.0).await?;
    Ok(imported)
}

/// Read the Gogs archive and write the equivalent hearth dump into `scratch`.
fn convert(file: &Path, scratch: &Path, now: i64) -> anyhow::Result<(Imported, TempFile)> {
    let backup = archive::open(file, scratch)?;
    let mut warnings = Vec::new();
    match archive::release(&backup.gogs_version) {
        Some((0, 11..=14)) => {}
        _ => warnings.push(format!(
            "the backup was made by Gogs {:?}; this importer knows Gogs 0.11 to 0.14",
            backup.gogs_version
        )),
    }
    let mapped = map::map(&backup.source, now);
    warnings.extend(mapped.warnings.iter().cloned());

    let mut suffix = [0u8; 8];
    rand::fill(&mut suffix);
    let dump = TempFile(scratch.join(format!("hearth-import-{}.zip", hex::encode(suffix))));
    let mut zip = ZipWriter::new(File::create(&dump.0).with_context(|| format!("creating {}", dump.0.display()))?);
    write_dump(&mut zip, &mapped, now)?;
    let template = repos::template(scratch)?;
    let repo_warnings =
        repos::copy(backup.repositories.as_ref().map(|t| t.0.as_path()), &mapped.repos, &template, &mut zip)?;
    warnings.extend(repo_warnings);
    zip.finish().context("writing the converted archive")?;

    let counts = hearth_store::snapshot::TABLES.iter().map(|t| (*t, mapped.rows(t).len())).collect();
    Ok((Imported { gogs_version: backup.gogs_version, counts, repositories: mapped.repos.len(), warnings }, dump))
}

/// `hearth-dump.json` and `db/<table>.jsonl` for every hearth table.
fn write_dump(zip: &mut ZipWriter<File>, mapped: &map::Mapped, now: i64) -> anyhow::Result<()> {
    let tables: serde_json::Map<String, serde_json::Value> =
        hearth_store::snapshot::TABLES.iter().map(|t| (t.to_string(), json!(mapped.rows(t).len()))).collect();
    let header = json!({
        "format": 1,
        "hearth_version": env!("CARGO_PKG_VERSION"),
        "commit": option_env!("HEARTH_COMMIT").unwrap_or("unknown"),
        "created_unix": now,
        "source_engine": "gogs",
        "migration": hearth_store::snapshot::latest_migration(),
        "tables": tables,
    });
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("hearth-dump.json", options)?;
    zip.write_all(serde_json::to_string_pretty(&header)?.as_bytes())?;
    zip.add_directory("db/", options)?;
    for table in hearth_store::snapshot::TABLES {
        zip.start_file(format!("db/{table}.jsonl"), options.large_file(true))?;
        for row in mapped.rows(table) {
            serde_json::to_writer(&mut *zip, row)?;
            zip.write_all(b"\n")?;
        }
    }
    Ok(())
}

/// The fixture archives, for the unit tests.
#[cfg(test)]
fn fixture(name: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../hearth/tests/fixtures").join(name)
}

#[cfg(test)]
mod tests;
