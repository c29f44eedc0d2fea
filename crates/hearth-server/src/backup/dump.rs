//! `hearth dump`: one consistent archive of a live instance.
//!
//! The rows are read in one read transaction (a snapshot that does not block the server's
//! writers); the repositories to copy are the ones those rows name, each copied refs-first (see
//! `hearth_git::snapshot`) into a scratch directory of hard links, which is then written to
//! `PATH.tmp` and renamed to `PATH`: a failed dump leaves no archive behind. The Git LFS objects
//! those rows reference join them, each checked against its oid and size on the way; one missing
//! or damaged on disk is left out, named in the manifest and reported, and the dump goes on.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use hearth_store::{Db, DbOptions, snapshot};

use super::archive::{self, Format};
use super::{
    CONFIG_FILE, DB_DIR, FORMAT_VERSION, GISTS_DIR, LFS_DIR, LfsPart, MANIFEST, Manifest, REPOSITORIES_DIR,
    SECRET_KEY_FILE, SSH_DIR,
};
use crate::config::{Config, DatabaseKind};
use crate::service::lfs_objects::{self, ObjectError};
use crate::service::now_unix;
use crate::service::repos::repo_path;

/// What a dump wrote.
#[derive(Debug, Clone)]
pub struct DumpSummary {
    pub tables: usize,
    pub rows: u64,
    pub repositories: usize,
    pub gists: usize,
    /// Git LFS objects archived, and their bytes.
    pub lfs_objects: u64,
    pub lfs_bytes: u64,
    /// One line per referenced LFS object left out (missing or damaged on disk).
    pub lfs_missing: Vec<String>,
    /// The archive's size in bytes.
    pub bytes: u64,
}

/// Open the configured database as it is: no migration and, for SQLite, no new file.
async fn open_existing(config: &Config) -> anyhow::Result<Db> {
    let opts = DbOptions { max_connections: 2, ..DbOptions::default() };
    let db = match config.database.kind {
        DatabaseKind::Sqlite => {
            let path = &config.database.path;
            if !path.is_file() {
                bail!("there is no database at {}", path.display());
            }
            Db::connect_sqlite(path, &opts, false)
                .await
                .with_context(|| format!("opening SQLite database {}", path.display()))?
        }
        DatabaseKind::Postgres => {
            Db::connect_postgres(&config.database.postgres_url(), &opts).await.context("connecting to PostgreSQL")?
        }
    };
    Ok(db)
}

/// A directory removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_dir_all(&self.0)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(error = %e, path = %self.0.display(), "removing the dump's scratch directory");
        }
    }
}

/// `PATH.tmp`, where the archive is written before it is renamed into place.
fn tmp_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".tmp");
    out.with_file_name(name)
}

/// Write the archive `out` (`.zip` or `.tar.gz`) of the instance `config` describes;
/// `config_file` (the app.ini it was read from, if any) is archived too. `commit` names the build.
pub async fn dump(
    config: &Config,
    config_file: Option<&Path>,
    out: &Path,
    commit: &str,
) -> anyhow::Result<DumpSummary> {
    let format = Format::of(out)?;
    if out.is_dir() {
        bail!("{} is a directory", out.display());
    }
    let db = open_existing(config).await?;
    let mut name = [0u8; 8];
    rand::fill(&mut name);
    let scratch = Scratch(config.tmp_dir().join(format!("dump-{}", hex::encode(name))));
    let tmp = tmp_path(out);
    let result = write(config, &db, config_file, &scratch.0, format, &tmp, commit).await;
    db.close().await;
    let mut summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e);
        }
    };
    drop(scratch);
    std::fs::rename(&tmp, out).with_context(|| format!("renaming {} to {}", tmp.display(), out.display()))?;
    summary.bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(summary)
}

async fn write(
    config: &Config,
    db: &Db,
    config_file: Option<&Path>,
    scratch: &Path,
    format: Format,
    tmp: &Path,
    commit: &str,
) -> anyhow::Result<DumpSummary> {
    let db_dir = scratch.join(DB_DIR);
    std::fs::create_dir_all(&db_dir).with_context(|| format!("creating {}", db_dir.display()))?;

    // Every row at one point in time, and the repositories those rows name.
    let mut tx = db.begin_read().await?;
    let tables = snapshot::tables(tx.conn()).await?;
    let mut counts = BTreeMap::new();
    for table in &tables {
        let path = db_dir.join(format!("{table}.jsonl"));
        let mut w = BufWriter::new(File::create(&path).with_context(|| format!("creating {}", path.display()))?);
        let n = snapshot::export_table(tx.conn(), table, |row| {
            serde_json::to_writer(&mut w, &row)?;
            w.write_all(b"\n")
        })
        .await
        .with_context(|| format!("reading table {table}"))?;
        w.flush().with_context(|| format!("writing {}", path.display()))?;
        counts.insert(table.clone(), n);
    }
    let migration = snapshot::migration_version(tx.conn()).await?;
    let repos = hearth_store::repos::all_lower_names(tx.conn()).await?;
    let gists = hearth_store::gists::all_ids(tx.conn()).await?;
    let lfs = match tables.iter().any(|t| t == "lfs_object") {
        true => hearth_store::lfs::all_objects(tx.conn()).await?,
        false => Vec::new(),
    };
    drop(tx);
    if migration == 0 {
        bail!("the database has no hearth schema");
    }

    let (root, gists_dir, ssh_dir) =
        (config.repository.root.clone(), config.gists_dir(), config.server.data_dir.join("ssh"));
    let scratch_owned = scratch.to_path_buf();
    let objects = config.lfs.objects_path.clone();
    let (repo_count, gist_count, lfs_part, lfs_missing) = tokio::task::spawn_blocking(move || -> anyhow::Result<_> {
        let mut copied = 0;
        for (owner, name) in &repos {
            let dst = scratch_owned.join(REPOSITORIES_DIR).join(owner).join(format!("{name}.git"));
            copied += copy_repo(&repo_path(&root, owner, name), &dst, &format!("{owner}/{name}"))?;
        }
        let mut gist_copies = 0;
        for id in &gists {
            let dst = scratch_owned.join(GISTS_DIR).join(format!("{id}.git"));
            gist_copies += copy_repo(&gists_dir.join(format!("{id}.git")), &dst, &format!("gist {id}"))?;
        }
        copy_files(&ssh_dir, &scratch_owned.join(SSH_DIR))?;
        // Without it the two-factor secrets in the rows could not be opened after a restore.
        let key = ssh_dir.with_file_name(SECRET_KEY_FILE);
        if key.is_file() {
            std::fs::copy(&key, scratch_owned.join(SECRET_KEY_FILE))
                .with_context(|| format!("copying {}", key.display()))?;
        }
        let (part, missing) = stage_lfs(&objects, &scratch_owned.join(LFS_DIR), &lfs)?;
        Ok((copied, gist_copies, part, missing))
    })
    .await??;

    if let Some(file) = config_file {
        let dst = scratch.join(CONFIG_FILE);
        std::fs::create_dir_all(dst.parent().expect("has a parent"))?;
        std::fs::copy(file, &dst).with_context(|| format!("reading {}", file.display()))?;
    }
    let manifest = Manifest {
        format: FORMAT_VERSION,
        hearth_version: env!("CARGO_PKG_VERSION").to_string(),
        commit: commit.to_string(),
        created_unix: now_unix(),
        source_engine: db.engine().as_str().to_string(),
        migration,
        tables: counts,
        lfs: Some(lfs_part),
    };
    std::fs::write(scratch.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)?;

    let (src, tmp_owned) = (scratch.to_path_buf(), tmp.to_path_buf());
    tokio::task::spawn_blocking(move || archive::write_dir(&src, &[MANIFEST], format, &tmp_owned)).await??;
    Ok(DumpSummary {
        tables: manifest.tables.len(),
        rows: manifest.tables.values().sum(),
        repositories: repo_count,
        gists: gist_count,
        lfs_objects: manifest.lfs.as_ref().map_or(0, |l| l.objects),
        lfs_bytes: manifest.lfs.as_ref().map_or(0, |l| l.bytes),
        lfs_missing,
        bytes: 0,
    })
}

/// Stage every referenced LFS object (`(oid, size)` pairs) from `objects` into `into` (hard links
/// where it can); what the manifest says of them, and one line per object left out.
fn stage_lfs(objects: &Path, into: &Path, referenced: &[(String, i64)]) -> anyhow::Result<(LfsPart, Vec<String>)> {
    let mut part = LfsPart::default();
    let mut lines = Vec::new();
    for (oid, sizes) in by_oid(referenced) {
        if !lfs_objects::valid_oid(oid) {
            lines.push(format!("LFS object {oid:?}: not a valid object id; left out"));
            part.missing.push(oid.to_string());
            continue;
        }
        let src = lfs_objects::object_path(objects, oid);
        let size = fitting_size(&src, &sizes);
        match lfs_objects::stage(&src, &lfs_objects::object_path(into, oid), oid, size) {
            Ok(()) => {
                part.objects += 1;
                part.bytes += size as u64;
            }
            Err(ObjectError::Io(e)) => return Err(e).with_context(|| format!("archiving {}", src.display())),
            Err(e) => {
                tracing::warn!(oid = %oid, path = %src.display(), error = %e, "LFS object left out of the dump");
                lines.push(format!("LFS object {oid}: {e} ({}); archived without it", src.display()));
                part.missing.push(oid.to_string());
            }
        }
    }
    Ok((part, lines))
}

/// `(oid, size)` pairs grouped by oid (rows agree on an object's size unless one is damaged).
pub(super) fn by_oid(pairs: &[(String, i64)]) -> BTreeMap<&str, Vec<i64>> {
    let mut out: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (oid, size) in pairs {
        out.entry(oid.as_str()).or_default().push(*size);
    }
    out
}

/// Of the sizes rows give an object, the one its file at `path` has (the first when none fits, or
/// the file is missing: the check that follows reports it).
pub(super) fn fitting_size(path: &Path, sizes: &[i64]) -> i64 {
    let len = std::fs::metadata(path).map(|m| m.len() as i64).ok();
    sizes.iter().copied().find(|s| Some(*s) == len).unwrap_or(sizes[0])
}

/// Copy one repository into the scratch tree; 0 when its directory vanished after the rows were
/// read (deleted or renamed meanwhile), which the dump reports and survives.
fn copy_repo(src: &Path, dst: &Path, what: &str) -> anyhow::Result<usize> {
    match hearth_git::snapshot::copy_consistent(src, dst) {
        Ok(()) => Ok(1),
        Err(hearth_git::GitError::NotFound) => {
            tracing::warn!(repository = what, path = %src.display(), "repository directory missing; archived without it");
            Ok(0)
        }
        Err(e) => Err(anyhow::anyhow!("copying {what}: {e}")),
    }
}

/// The regular files directly in `src` (the SSH host key and its public half), if it exists.
fn copy_files(src: &Path, dst: &Path) -> anyhow::Result<()> {
    let entries = match std::fs::read_dir(src) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", src.display())),
    };
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::create_dir_all(dst)?;
            std::fs::copy(entry.path(), dst.join(entry.file_name()))
                .with_context(|| format!("reading {}", entry.path().display()))?;
        }
    }
    Ok(())
}
