//! Loading a hearth dump archive into an empty hearth.
//!
//! (A minimal version written for `hearth import gogs` while `hearth dump`/`restore` were being
//! built alongside: `.zip` archives only; their restore takes its place.)

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

use anyhow::{Context, bail};
use hearth_store::snapshot;
use serde_json::{Map, Value};
use zip::ZipArchive;

use crate::config::Config;

/// Refuse a target that already holds data: any database row, or anything in the repository root.
pub async fn check_empty(config: &Config) -> anyhow::Result<()> {
    let root = &config.repository.root;
    if std::fs::read_dir(root).is_ok_and(|mut d| d.next().is_some()) {
        bail!("the target is not empty: {} holds repositories (restore needs an empty data directory)", root.display());
    }
    let db = crate::open_db(config).await?;
    let empty = {
        let mut h = db.acquire().await?;
        snapshot::is_empty(h.conn()).await
    };
    db.close().await;
    if !empty? {
        bail!("the target is not empty: the database holds data (restore needs an empty database)");
    }
    Ok(())
}

/// Restore the dump archive at `file` into the empty hearth `config` describes.
pub async fn restore(config: &Config, file: &Path) -> anyhow::Result<()> {
    let config = config.clone().absolute()?;
    check_empty(&config).await?;
    let root = config.repository.root.clone();
    let staging = root.with_file_name(format!(
        "{}.restoring",
        root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    ));
    let (file2, staging2) = (file.to_path_buf(), staging.clone());
    let tables = tokio::task::spawn_blocking(move || read_archive(&file2, &staging2)).await?;
    let tables = match tables {
        Ok(t) => t,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let loaded = load(&config, tables).await;
    if let Err(e) = loaded {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e);
    }
    if root.exists() {
        std::fs::remove_dir(&root).with_context(|| format!("replacing the empty {}", root.display()))?;
    }
    std::fs::rename(&staging, &root).with_context(|| format!("moving the repositories into {}", root.display()))?;
    Ok(())
}

async fn load(config: &Config, tables: Vec<(&'static str, Vec<Map<String, Value>>)>) -> anyhow::Result<()> {
    let db = crate::open_db(config).await?;
    let result = async {
        let mut tx = db.begin().await?;
        for (table, rows) in &tables {
            snapshot::load_rows(tx.conn(), table, rows).await.with_context(|| format!("loading {table}"))?;
        }
        snapshot::reset_sequences(tx.conn()).await?;
        tx.commit().await?;
        anyhow::Ok(())
    }
    .await;
    db.close().await;
    result
}

type Tables = Vec<(&'static str, Vec<Map<String, Value>>)>;

/// Check the header, read every table, and extract the repositories into `staging`.
fn read_archive(file: &Path, staging: &Path) -> anyhow::Result<Tables> {
    if !file.to_string_lossy().ends_with(".zip") {
        bail!("{}: only .zip dumps can be restored by this build", file.display());
    }
    let mut zip = ZipArchive::new(File::open(file).with_context(|| format!("opening {}", file.display()))?)?;
    let mut header = String::new();
    zip.by_name("hearth-dump.json").context("hearth-dump.json is missing")?.read_to_string(&mut header)?;
    let header: Value = serde_json::from_str(&header).context("reading hearth-dump.json")?;
    if header["format"].as_i64() != Some(1) {
        bail!("unsupported dump format {}", header["format"]);
    }
    let migration = header["migration"].as_i64().unwrap_or(i64::MAX);
    if migration > snapshot::latest_migration() {
        bail!("the dump was made by a newer hearth (schema {migration}); upgrade hearth first");
    }
    let mut tables = Vec::new();
    for table in snapshot::TABLES {
        let mut rows = Vec::new();
        if let Ok(entry) = zip.by_name(&format!("db/{table}.jsonl")) {
            for (n, line) in BufReader::new(entry).lines().enumerate() {
                let line = line?;
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str(&line) {
                    Ok(Value::Object(row)) => rows.push(row),
                    _ => bail!("db/{table}.jsonl line {}: not a JSON object", n + 1),
                }
            }
        }
        tables.push((*table, rows));
    }
    std::fs::create_dir_all(staging)?;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        let Some(rel) = entry.name()?.strip_prefix("repositories/").map(PathBuf::from) else { continue };
        if rel.as_os_str().is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            continue;
        }
        let mode = entry.unix_mode().unwrap_or(0o644);
        if mode & 0o170000 == 0o120000 {
            continue; // never a symbolic link
        }
        let path = staging.join(&rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&path)?;
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut out = File::create(&path)?;
        std::io::copy(&mut entry, &mut out)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode & 0o755))?;
        }
    }
    Ok(tables)
}
