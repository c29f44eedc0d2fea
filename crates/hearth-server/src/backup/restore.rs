//! `hearth restore`: an archive (or an already extracted dump directory, which is what
//! `hearth import gogs` produces) into an empty instance.
//!
//! The target must be empty: its data directory and repository root absent or empty, its
//! database without a row. The archive is extracted into a scratch directory inside the data
//! directory; the rows are loaded in one transaction into the schema they were dumped from (later
//! migrations run afterwards, as they would have on the source); the Git LFS objects the rows
//! reference are placed into `[lfs] OBJECTS_PATH` (each checked against its oid and size on the
//! way) and the repositories renamed into place before that transaction commits. Anything failing
//! on the way (a referenced object missing from the archive or damaged, too) leaves the target as
//! it was found: the transaction rolls back and what was created on disk is removed.
//!
//! `OBJECTS_PATH` is the one place that need not be empty when it lies outside the data directory
//! (it may be shared, or be the directory Gogs used): its objects are content-addressed, so the
//! restore adds to it, and a failed one removes only the objects it added.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use hearth_store::snapshot::{self, JsonRow};
use hearth_store::{Db, DbOptions};

use super::archive::{self, Format};
use super::dump::{by_oid, fitting_size};
use super::{
    CONFIG_FILE, DB_DIR, FORMAT_VERSION, GISTS_DIR, LFS_DIR, MANIFEST, Manifest, REPOSITORIES_DIR, RESTORED_CONFIG,
    SECRET_KEY_FILE, SSH_DIR,
};
use crate::config::{Config, DatabaseKind};
use crate::service::disk::move_dir;
use crate::service::lfs_objects::{self, ObjectError};

/// What a restore loaded.
#[derive(Debug, Clone)]
pub struct RestoreSummary {
    pub manifest: Manifest,
    pub rows: u64,
    pub repositories: usize,
    pub gists: usize,
    /// Git LFS objects placed, and their bytes.
    pub lfs_objects: u64,
    pub lfs_bytes: u64,
    /// One line per referenced LFS object the archive does not hold because the dump found it
    /// missing or damaged (its rows are restored; pushing the object again stores it).
    pub lfs_absent: Vec<String>,
    /// Where the archived config file was put, if the archive had one.
    pub config_copy: Option<PathBuf>,
}

/// Rows loaded per statement batch while a table file is read.
const CHUNK: usize = 500;

/// Restore the archive at `path` (`.zip` or `.tar.gz`) into the empty instance `config` describes.
pub async fn restore_archive(config: &Config, path: &Path) -> anyhow::Result<RestoreSummary> {
    let format = Format::of(path)?;
    if !path.is_file() {
        bail!("{}: no such file", path.display());
    }
    let target = Target::check(config).await?;
    let result = async {
        std::fs::create_dir_all(&target.data).with_context(|| format!("creating {}", target.data.display()))?;
        let mut name = [0u8; 8];
        rand::fill(&mut name);
        let scratch = target.data.join(format!(".restore-{}", hex::encode(name)));
        let (archive_path, into) = (path.to_path_buf(), scratch.clone());
        let extracted = tokio::task::spawn_blocking(move || archive::extract(&archive_path, format, &into)).await?;
        let loaded = match extracted {
            Ok(()) => load(config, &target, &scratch).await,
            Err(e) => Err(e),
        };
        let _ = std::fs::remove_dir_all(&scratch);
        loaded
    }
    .await;
    if result.is_err() {
        target.clean_up();
    }
    result
}

/// Restore an extracted dump directory (the archive's layout) into the empty instance `config`
/// describes. Its repositories, gists and SSH files are moved out of `dir`, which must lie
/// outside the target's data directory and repository root.
pub async fn restore_dir(config: &Config, dir: &Path) -> anyhow::Result<RestoreSummary> {
    let target = Target::check(config).await?;
    let result = load(config, &target, dir).await;
    if result.is_err() {
        target.clean_up();
    }
    result
}

/// Refuse a target that is not empty, changing nothing (for `hearth import gogs`, which checks
/// before its conversion and again through [`restore_dir`]).
pub async fn refuse_non_empty(config: &Config) -> anyhow::Result<()> {
    Target::check(config).await.map(drop)
}

/// The target's places, and which of them existed before the restore (to undo a failed one).
struct Target {
    data: PathBuf,
    data_existed: bool,
    /// The repository root when it lies outside the data directory.
    root: Option<(PathBuf, bool)>,
    /// The SQLite file when it lies outside the data directory.
    sqlite: Option<(PathBuf, bool)>,
    /// `[lfs] OBJECTS_PATH` when it lies outside the data directory (it may hold objects).
    lfs: Option<(PathBuf, bool)>,
    /// The objects this restore added to an `OBJECTS_PATH` outside the data directory.
    added_objects: Arc<Mutex<Vec<PathBuf>>>,
}

/// Whether a path is absent or an empty directory; what is there otherwise.
fn empty_dir(path: &Path) -> Result<bool, String> {
    match std::fs::read_dir(path) {
        Ok(mut entries) => match entries.next() {
            None => Ok(true),
            Some(_) => Err(format!("{} is not empty", path.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(_) if path.exists() => Err(format!("{} is not a directory", path.display())),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

impl Target {
    /// Refuse a target that holds anything, with one line naming every non-empty part. Changes
    /// nothing: the database is not migrated and no SQLite file is created.
    async fn check(config: &Config) -> anyhow::Result<Target> {
        let data = config.server.data_dir.clone();
        let mut problems = Vec::new();
        let data_existed = empty_dir(&data).unwrap_or_else(|p| {
            problems.push(format!("the data directory {p}"));
            true
        });
        let root = (!config.repository.root.starts_with(&data)).then(|| {
            let existed = empty_dir(&config.repository.root).unwrap_or_else(|p| {
                problems.push(format!("the repository root {p}"));
                true
            });
            (config.repository.root.clone(), existed)
        });
        let objects = &config.lfs.objects_path;
        let lfs = (!objects.starts_with(&data)).then(|| (objects.clone(), objects.exists()));
        if objects.exists() && !objects.is_dir() {
            problems.push(format!("[lfs] OBJECTS_PATH {} is not a directory", objects.display()));
        }
        let mut sqlite = None;
        let opts = DbOptions { max_connections: 1, ..DbOptions::default() };
        let db = match config.database.kind {
            DatabaseKind::Sqlite => {
                let path = &config.database.path;
                let existed = path.exists();
                if !path.starts_with(&data) {
                    sqlite = Some((path.clone(), existed));
                }
                match existed {
                    true => Some(
                        Db::connect_sqlite(path, &opts, false)
                            .await
                            .with_context(|| format!("opening {}", path.display()))?,
                    ),
                    false => None,
                }
            }
            DatabaseKind::Postgres => Some(
                Db::connect_postgres(&config.database.postgres_url(), &opts)
                    .await
                    .context("connecting to PostgreSQL")?,
            ),
        };
        if let Some(db) = db {
            let rows = async { snapshot::nonempty_tables(db.acquire().await?.conn()).await }.await;
            db.close().await;
            let rows = rows.context("reading the target database")?;
            if !rows.is_empty() {
                problems.push(format!("the database has rows (in {})", rows.join(", ")));
            }
        }
        if !problems.is_empty() {
            bail!(
                "the target is not empty: {}; restore needs an empty data directory and database",
                problems.join("; ")
            );
        }
        Ok(Target { data, data_existed, root, sqlite, lfs, added_objects: Arc::default() })
    }

    /// Undo a failed restore: remove what it created (the places were empty or absent before).
    fn clean_up(&self) {
        fn empty(path: &Path, existed: bool) {
            let result = if existed {
                std::fs::read_dir(path).and_then(|entries| {
                    for e in entries {
                        let p = e?.path();
                        if p.is_dir() { std::fs::remove_dir_all(&p)? } else { std::fs::remove_file(&p)? }
                    }
                    Ok(())
                })
            } else {
                std::fs::remove_dir_all(path)
            };
            match result {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    tracing::error!(error = %e, path = %path.display(), "cleaning up after a failed restore")
                }
                _ => {}
            }
        }
        empty(&self.data, self.data_existed);
        if let Some((root, existed)) = &self.root {
            empty(root, *existed);
        }
        match &self.lfs {
            Some((objects, false)) => empty(objects, false),
            Some((_, true)) => {
                for path in std::mem::take(&mut *self.added_objects.lock().expect("not poisoned")) {
                    if let Err(e) = std::fs::remove_file(&path) {
                        tracing::error!(error = %e, path = %path.display(), "cleaning up after a failed restore")
                    }
                    // Its directories, when this restore made them (a directory in use is kept).
                    for dir in path.ancestors().skip(1).take(2) {
                        let _ = std::fs::remove_dir(dir);
                    }
                }
            }
            None => {}
        }
        if let Some((file, false)) = &self.sqlite {
            for suffix in ["", "-wal", "-shm"] {
                let mut name = file.as_os_str().to_os_string();
                name.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(name));
            }
        }
    }
}

/// Read and check `hearth-dump.json`.
fn read_manifest(dir: &Path) -> anyhow::Result<Manifest> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read(&path).with_context(|| format!("the archive has no {MANIFEST}"))?;
    let manifest: Manifest = serde_json::from_slice(&text).with_context(|| format!("reading {MANIFEST}"))?;
    if manifest.format != FORMAT_VERSION {
        bail!("{MANIFEST}: format {} is not supported (this hearth reads format {FORMAT_VERSION})", manifest.format);
    }
    let latest = hearth_store::latest_migration();
    if manifest.migration > latest {
        bail!(
            "the archive's schema (migration {}) is newer than this hearth's (migration {latest}): restore it with hearth {} or later",
            manifest.migration,
            manifest.hearth_version
        );
    }
    if manifest.migration < 1 {
        bail!("{MANIFEST}: migration {} is not valid", manifest.migration);
    }
    Ok(manifest)
}

async fn open_target(config: &Config) -> anyhow::Result<Db> {
    // Rows go in 500 at a time: a slow batch must not log its whole statement.
    let opts = DbOptions { max_connections: 2, log_statements: false, ..DbOptions::default() };
    match config.database.kind {
        DatabaseKind::Sqlite => {
            let path = &config.database.path;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            Db::connect_sqlite(path, &opts, true).await.with_context(|| format!("opening {}", path.display()))
        }
        DatabaseKind::Postgres => {
            Db::connect_postgres(&config.database.postgres_url(), &opts).await.context("connecting to PostgreSQL")
        }
    }
}

async fn load(config: &Config, target: &Target, dir: &Path) -> anyhow::Result<RestoreSummary> {
    let manifest = read_manifest(dir)?;
    let db = open_target(config).await?;
    let result = load_with(config, target, dir, &db, manifest).await;
    db.close().await;
    result
}

async fn load_with(
    config: &Config,
    target: &Target,
    dir: &Path,
    db: &Db,
    manifest: Manifest,
) -> anyhow::Result<RestoreSummary> {
    // The rows go into the schema they were read from; later migrations run after them.
    db.migrate(Some(manifest.migration)).await.context("preparing the database schema")?;
    let mut tx = db.begin().await?;
    let order = snapshot::tables(tx.conn()).await?;
    if let Some(unknown) = manifest.tables.keys().find(|t| !order.contains(t)) {
        bail!("the archive has a table `{unknown}` this hearth does not know");
    }
    let mut rows = 0;
    for table in order.iter().filter(|t| manifest.tables.contains_key(*t)) {
        let expected = manifest.tables[table];
        let n = load_table(tx.conn(), dir, table).await.with_context(|| format!("loading table {table}"))?;
        if n != expected {
            bail!("table {table}: the archive holds {n} rows where its manifest says {expected}");
        }
        rows += n;
    }
    snapshot::reset_sequences(tx.conn()).await?;

    // Files into place, then the commit; a failed commit is cleaned up like any failure. The LFS
    // objects first: they are checked on the way, and may fail the restore.
    let referenced = match manifest.tables.contains_key("lfs_object") {
        true => hearth_store::lfs::all_objects(tx.conn()).await?,
        false => Vec::new(),
    };
    let (from, objects) = (dir.join(LFS_DIR), config.lfs.objects_path.clone());
    // Objects the dump found missing or damaged (an archive from before objects were archived
    // holds none: every one of its objects is absent).
    let absent_ok = manifest.lfs.as_ref().map(|l| l.missing.clone());
    let added = target.lfs.is_some().then(|| target.added_objects.clone());
    let lfs = tokio::task::spawn_blocking(move || place_lfs(&from, &objects, &referenced, absent_ok, added)).await??;
    let (dir_owned, root, data) = (dir.to_path_buf(), config.repository.root.clone(), target.data.clone());
    let gists_dir = config.gists_dir();
    let (repositories, gists, config_copy) =
        tokio::task::spawn_blocking(move || place_files(&dir_owned, &root, &gists_dir, &data)).await??;
    tx.commit().await.context("committing the rows")?;
    db.migrate(None).await.context("migrating the restored database")?;
    Ok(RestoreSummary {
        manifest,
        rows,
        repositories,
        gists,
        lfs_objects: lfs.objects,
        lfs_bytes: lfs.bytes,
        lfs_absent: lfs.absent,
        config_copy,
    })
}

/// What [`place_lfs`] did.
struct PlacedLfs {
    objects: u64,
    bytes: u64,
    absent: Vec<String>,
}

/// Place every referenced LFS object (`(oid, size)` pairs from the restored rows) from `from`
/// (the archive's `lfs/`) into `objects`, checked on the way. An object the archive lacks fails
/// the restore unless `absent_ok` names it (or is None: an archive from before objects were
/// archived); a damaged one always does. Objects that were not in `objects` before are recorded
/// in `added` (when given) for a clean-up.
fn place_lfs(
    from: &Path,
    objects: &Path,
    referenced: &[(String, i64)],
    absent_ok: Option<Vec<String>>,
    added: Option<Arc<Mutex<Vec<PathBuf>>>>,
) -> anyhow::Result<PlacedLfs> {
    let mut placed = PlacedLfs { objects: 0, bytes: 0, absent: Vec::new() };
    for (oid, sizes) in by_oid(referenced) {
        let tolerated = absent_ok.as_ref().is_none_or(|names| names.iter().any(|n| n == oid));
        if !lfs_objects::valid_oid(oid) {
            if tolerated {
                placed.absent.push(format!("LFS object {oid:?}: not a valid object id; not restored"));
                continue;
            }
            bail!("an lfs_object row names {oid:?}, which is not a valid LFS object id");
        }
        let src = lfs_objects::object_path(from, oid);
        let size = fitting_size(&src, &sizes);
        match lfs_objects::place(&src, objects, oid, size) {
            Ok(new) => {
                placed.objects += 1;
                placed.bytes += size as u64;
                if let (true, Some(added)) = (new, &added) {
                    added.lock().expect("not poisoned").push(lfs_objects::object_path(objects, oid));
                }
            }
            Err(ObjectError::Missing) if tolerated => placed.absent.push(format!(
                "LFS object {oid} was missing or damaged when the dump was made: its rows are restored without it"
            )),
            Err(ObjectError::Missing) => {
                bail!("the archive lacks the LFS object {oid}, which lfs_object rows reference ({LFS_DIR}/…/{oid})")
            }
            Err(ObjectError::Damaged(why)) => bail!("the archive's LFS object {oid} is damaged: {why}"),
            Err(ObjectError::Io(e)) => {
                return Err(e).with_context(|| format!("placing the LFS object {oid} into {}", objects.display()));
            }
        }
    }
    Ok(placed)
}

/// Load `db/<table>.jsonl` in chunks; returns how many rows it held (an absent file holds none).
async fn load_table(mut c: hearth_store::Conn<'_>, dir: &Path, table: &str) -> anyhow::Result<u64> {
    let path = dir.join(DB_DIR).join(format!("{table}.jsonl"));
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let mut n = 0u64;
    let mut chunk: Vec<JsonRow> = Vec::with_capacity(CHUNK);
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: JsonRow =
            serde_json::from_str(&line).with_context(|| format!("{DB_DIR}/{table}.jsonl line {}", i + 1))?;
        chunk.push(row);
        if chunk.len() == CHUNK {
            n += snapshot::load_rows(c.reborrow(), table, &chunk).await?;
            chunk.clear();
        }
    }
    n += snapshot::load_rows(c.reborrow(), table, &chunk).await?;
    Ok(n)
}

/// Move the repositories, gists, SSH files and the archived config out of the dump directory into
/// the target; returns the numbers of repositories and gists and where the config went.
fn place_files(dir: &Path, root: &Path, gists: &Path, data: &Path) -> anyhow::Result<(usize, usize, Option<PathBuf>)> {
    let count = |d: &Path, depth: usize| -> usize {
        let mut dirs = vec![d.to_path_buf()];
        for _ in 0..depth {
            dirs = dirs
                .iter()
                .filter_map(|d| std::fs::read_dir(d).ok())
                .flat_map(|e| e.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()))
                .collect();
        }
        dirs.len()
    };
    let place = |from: PathBuf, to: &Path| -> anyhow::Result<()> {
        if !from.exists() {
            return Ok(());
        }
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent)?;
        }
        // rename(2) replaces an empty directory, which is all the target may hold.
        move_dir(&from, to).with_context(|| format!("moving {} to {}", from.display(), to.display()))
    };
    let repos_src = dir.join(REPOSITORIES_DIR);
    let repositories = if repos_src.is_dir() { count(&repos_src, 2) } else { 0 };
    let gists_src = dir.join(GISTS_DIR);
    let gist_count = if gists_src.is_dir() { count(&gists_src, 1) } else { 0 };
    place(repos_src, root)?;
    place(gists_src, gists)?;
    place(dir.join(SSH_DIR), &data.join("ssh"))?;
    let key = dir.join(SECRET_KEY_FILE);
    if key.is_file() {
        let to = data.join(SECRET_KEY_FILE);
        std::fs::copy(&key, &to).with_context(|| format!("writing {}", to.display()))?;
    }
    let config_src = dir.join(CONFIG_FILE);
    let config_copy = if config_src.is_file() {
        let to = data.join(RESTORED_CONFIG);
        std::fs::copy(&config_src, &to).with_context(|| format!("writing {}", to.display()))?;
        Some(to)
    } else {
        None
    };
    Ok((repositories, gist_count, config_copy))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn emptiness() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(empty_dir(&dir.path().join("none")), Ok(false));
        assert_eq!(empty_dir(dir.path()), Ok(true));
        std::fs::write(dir.path().join("f"), "").unwrap();
        assert!(empty_dir(dir.path()).unwrap_err().contains("is not empty"));
        assert!(empty_dir(&dir.path().join("f")).unwrap_err().contains("is not a directory"));
    }

    #[test]
    fn manifests_from_newer_hearths_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut m = Manifest {
            format: 1,
            hearth_version: "9.9.9".into(),
            commit: "abc".into(),
            created_unix: 0,
            source_engine: "sqlite".into(),
            migration: hearth_store::latest_migration() + 1,
            tables: BTreeMap::new(),
            lfs: None,
        };
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&m).unwrap()).unwrap();
        let e = read_manifest(dir.path()).unwrap_err().to_string();
        assert!(e.contains("newer than this hearth's") && e.contains("9.9.9"), "{e}");
        m.migration = 1;
        m.format = 2;
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&m).unwrap()).unwrap();
        assert!(read_manifest(dir.path()).unwrap_err().to_string().contains("format 2"));
        m.format = 1;
        std::fs::write(dir.path().join(MANIFEST), serde_json::to_vec(&m).unwrap()).unwrap();
        assert_eq!(read_manifest(dir.path()).unwrap(), m);
        assert!(read_manifest(&dir.path().join("none")).unwrap_err().to_string().contains("has no hearth-dump.json"));
    }
}
