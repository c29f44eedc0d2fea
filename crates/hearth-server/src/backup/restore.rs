//! Loading an extracted hearth dump directory into an empty hearth.
//!
//! (A minimal version written for `hearth import gogs` while `hearth dump`/`restore` were being
//! built alongside, with the same entry point, `restore_dir`; theirs takes its place.)

use std::io::{BufRead, BufReader};
use std::path::Path;

use anyhow::{Context, bail};
use hearth_store::snapshot;
use serde_json::{Map, Value};

use crate::config::Config;
use crate::service::disk::move_dir;

fn absent_or_empty(path: &Path) -> bool {
    match std::fs::read_dir(path) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

/// Refuse a target whose data directory or repository root holds anything (changes nothing).
pub fn check_dirs_empty(config: &Config) -> anyhow::Result<()> {
    for (what, path) in [("data directory", &config.server.data_dir), ("repository root", &config.repository.root)] {
        if !absent_or_empty(path) {
            bail!("the target is not empty: the {what} {} holds files (restore needs an empty one)", path.display());
        }
    }
    Ok(())
}

/// Restore the dump directory `dir` into the empty hearth `config` describes; its repositories are
/// moved out of `dir`.
pub async fn restore_dir(config: &Config, dir: &Path) -> anyhow::Result<()> {
    let config = config.clone().absolute()?;
    check_dirs_empty(&config)?;
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(dir.join("hearth-dump.json"))?).context("reading hearth-dump.json")?;
    if manifest["format"].as_i64() != Some(1) {
        bail!("unsupported dump format {}", manifest["format"]);
    }
    if manifest["migration"].as_i64().unwrap_or(i64::MAX) > hearth_store::latest_migration() {
        bail!("the dump was made for a newer schema; upgrade hearth first");
    }
    let data_existed = config.server.data_dir.exists();
    let result = async {
        let db = crate::open_db(&config).await?;
        let loaded = load(&db, dir, &manifest, &config).await;
        db.close().await;
        loaded
    }
    .await;
    if result.is_err() {
        // Both were empty or absent: leave them so again.
        let _ = std::fs::remove_dir_all(&config.repository.root);
        if data_existed {
            if let Ok(entries) = std::fs::read_dir(&config.server.data_dir) {
                for entry in entries.flatten() {
                    let p = entry.path();
                    let _ = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
                }
            }
        } else {
            let _ = std::fs::remove_dir_all(&config.server.data_dir);
        }
    }
    result
}

async fn load(db: &hearth_store::Db, dir: &Path, manifest: &Value, config: &Config) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    if !snapshot::is_empty(tx.conn()).await? {
        bail!("the target is not empty: the database holds data (restore needs an empty database)");
    }
    for table in snapshot::TABLES.iter().filter(|t| manifest["tables"].get(**t).is_some()) {
        let path = dir.join("db").join(format!("{table}.jsonl"));
        let Ok(file) = std::fs::File::open(&path) else { continue };
        let mut rows: Vec<Map<String, Value>> = Vec::new();
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str(&line) {
                Ok(Value::Object(row)) => rows.push(row),
                _ => bail!("db/{table}.jsonl line {}: not a JSON object", n + 1),
            }
            if rows.len() == 500 {
                snapshot::load_rows(tx.conn(), table, &rows).await.with_context(|| format!("loading {table}"))?;
                rows.clear();
            }
        }
        snapshot::load_rows(tx.conn(), table, &rows).await.with_context(|| format!("loading {table}"))?;
    }
    snapshot::reset_sequences(tx.conn()).await?;
    let repos = dir.join("repositories");
    if repos.is_dir() {
        let root = config.repository.root.clone();
        if let Some(parent) = root.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if root.exists() {
            std::fs::remove_dir(&root)?; // empty, checked above
        }
        move_dir(&repos, &root).with_context(|| format!("moving the repositories into {}", root.display()))?;
    }
    tx.commit().await?;
    Ok(())
}
