//! `hearth doctor`: checks an installation without changing it: git and its version, that the
//! directories hearth writes to are writable, that the database is reachable and carries every
//! migration of this build (it is opened read-only and never migrated), that repository and
//! gist directories match their rows, and that every Git LFS object a row references is in
//! `[lfs] OBJECTS_PATH` with its size. One line per check: `ok …`, or `problem …` for each
//! problem found.
//!
//! Objects no row references (left behind by deleted repositories) are counted, not a problem;
//! `hearth doctor --gc` removes those older than an hour ([`lfs_objects::GRACE`]), which is the only
//! change a doctor ever makes. It may run while `hearth web` serves.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use hearth_store::{Db, DbOptions, MigrationStatus};

use crate::config::{Config, DatabaseKind};
use crate::service::admin::redact_url;
use crate::service::disk;
use crate::service::lfs_objects::{self, GRACE, SetAside, StoredFile};

/// The outcome of one check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Ok(String),
    Problem(String),
    /// Not run, because an earlier check failed.
    Skipped(String),
}

/// Every check's lines, in order.
#[derive(Debug, Default)]
pub struct Report {
    pub lines: Vec<Line>,
}

impl Report {
    fn ok(&mut self, text: impl Into<String>) {
        self.lines.push(Line::Ok(text.into()));
    }

    fn problem(&mut self, text: impl Into<String>) {
        self.lines.push(Line::Problem(text.into()));
    }

    pub fn problems(&self) -> usize {
        self.lines.iter().filter(|l| matches!(l, Line::Problem(_))).count()
    }

    pub fn print(&self, out: &mut impl Write) -> io::Result<()> {
        for line in &self.lines {
            match line {
                Line::Ok(t) => writeln!(out, "ok {t}")?,
                Line::Problem(t) => writeln!(out, "problem {t}")?,
                Line::Skipped(t) => writeln!(out, "skipped {t}")?,
            }
        }
        Ok(())
    }
}

/// Run every check; with `gc`, also remove unreferenced LFS objects older than an hour.
pub async fn run(config: &Config, gc: bool) -> Report {
    let mut report = Report::default();
    check_git(&mut report);
    for (what, path) in directories(config) {
        check_writable(&mut report, what, &path);
    }
    let db = check_database(&mut report, config).await;
    match db {
        Some(db) => {
            check_directories(&mut report, &db, config).await;
            check_lfs(&mut report, &db, config, gc).await;
            db.close().await;
        }
        None => {
            let needs = "needs a reachable database with every migration";
            report.lines.push(Line::Skipped(format!("repository directories: {needs}")));
            report.lines.push(Line::Skipped(format!("LFS objects: {needs}")));
        }
    }
    report
}

fn check_git(report: &mut Report) {
    let (major, minor, _) = hearth_git::version::MINIMUM;
    match hearth_git::version::check(None) {
        Ok((a, b, c)) => report.ok(format!("git {a}.{b}.{c} (hearth needs {major}.{minor} or newer)")),
        Err(e) => report.problem(format!("git: {e}")),
    }
}

/// The directories hearth writes to, each once.
fn directories(config: &Config) -> Vec<(&'static str, PathBuf)> {
    let mut dirs = vec![
        ("data directory", config.server.data_dir.clone()),
        ("repository root", config.repository.root.clone()),
        ("scratch directory", config.tmp_dir()),
        ("gists directory", config.gists_dir()),
        ("hooks directory", config.hooks_dir()),
        ("LFS objects directory", config.lfs.objects_path.clone()),
    ];
    if config.database.kind == DatabaseKind::Sqlite
        && let Some(parent) = config.database.path.parent()
    {
        // SQLite writes its -wal and -shm files beside the database.
        dirs.push(("database directory", parent.to_path_buf()));
    }
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|(_, p)| seen.insert(p.clone()));
    dirs
}

/// A directory is writable when a file can be made in it; one that does not exist yet is fine when
/// hearth can create it (its nearest existing ancestor is a writable directory).
fn check_writable(report: &mut Report, what: &str, path: &Path) {
    let mut existing = path;
    while !existing.exists() {
        match existing.parent() {
            Some(parent) => existing = parent,
            None => break,
        }
    }
    if !existing.is_dir() {
        return report.problem(format!("{what} {}: {} is not a directory", path.display(), existing.display()));
    }
    if let Err(e) = try_write(existing) {
        return report.problem(format!("{what} {}: cannot write in {}: {e}", path.display(), existing.display()));
    }
    if existing == path {
        report.ok(format!("{what} {} is writable", path.display()))
    } else {
        report.ok(format!("{what} {} does not exist yet; hearth can create it", path.display()))
    }
}

/// Make and remove a file in `dir`.
fn try_write(dir: &Path) -> io::Result<()> {
    let mut name = [0u8; 8];
    rand::fill(&mut name);
    let probe = dir.join(format!(".hearth-doctor-{}", hex::encode(name)));
    std::fs::OpenOptions::new().write(true).create_new(true).open(&probe)?;
    std::fs::remove_file(&probe)
}

/// Reach the database read-only and compare its migrations with this build's; the database when
/// it is usable for the next checks.
async fn check_database(report: &mut Report, config: &Config) -> Option<Db> {
    let opts = DbOptions { max_connections: 1, ..DbOptions::default() };
    let (label, opened) = match config.database.kind {
        DatabaseKind::Sqlite => {
            let path = &config.database.path;
            let label = format!("SQLite database {}", path.display());
            if !path.is_file() {
                report.problem(format!("{label}: no such file (hearth web creates it at first start)"));
                return None;
            }
            (label, Db::open_sqlite_read_only(path, &opts).await)
        }
        DatabaseKind::Postgres => {
            let url = config.database.postgres_url();
            (format!("PostgreSQL database {}", redact_url(&url)), Db::open_postgres_read_only(&url, &opts).await)
        }
    };
    let db = match opened {
        Ok(db) => db,
        Err(e) => {
            report.problem(format!("{label}: cannot connect: {}", one_line(&e.to_string())));
            return None;
        }
    };
    let status = match db.ping().await {
        Ok(()) => db.migration_status().await,
        Err(e) => Err(e),
    };
    let status = match status {
        Ok(status) => status,
        Err(e) => {
            report.problem(format!("{label}: {}", one_line(&e.to_string())));
            db.close().await;
            return None;
        }
    };
    report.ok(format!("{label} is reachable"));
    if status.is_current() {
        report.ok(format!("database schema is current (migration {})", status.latest));
        return Some(db);
    }
    report_migrations(report, &status);
    db.close().await;
    None
}

fn report_migrations(report: &mut Report, status: &MigrationStatus) {
    if !status.pending.is_empty() {
        let names: Vec<String> = status.pending.iter().map(|(v, d)| format!("{v:04} {d}")).collect();
        report.problem(format!(
            "database schema: {} pending migration(s): {}; hearth web applies them at start",
            names.len(),
            names.join(", ")
        ));
    }
    for v in &status.failed {
        report.problem(format!("database schema: migration {v:04} failed part-way and needs repair"));
    }
    for v in &status.modified {
        report
            .problem(format!("database schema: migration {v:04} was applied from a different text than this build's"));
    }
    if !status.unknown.is_empty() {
        let versions: Vec<String> = status.unknown.iter().map(|v| format!("{v:04}")).collect();
        report.problem(format!(
            "database schema: migration(s) {} are unknown to this build (a newer hearth migrated the database)",
            versions.join(", ")
        ));
    }
}

async fn check_directories(report: &mut Report, db: &Db, config: &Config) {
    let found = match disk::find_mismatches(db, config).await {
        Ok(found) => found,
        Err(e) => return report.problem(format!("repository directories: {}", one_line(&format!("{e:#}")))),
    };
    for path in &found.orphans {
        report.problem(format!(
            "orphan directory {}: no database row (hearth web moves it to quarantine at start)",
            path.display()
        ));
    }
    for (what, path) in &found.missing {
        report.problem(format!("{what}: its directory {} is missing", path.display()));
    }
    if found.orphans.is_empty() && found.missing.is_empty() {
        report.ok(format!("repository directories match the database ({} repositories and gists)", found.rows));
    }
}

/// Problem lines about single LFS objects before the rest are summed up in one.
const LFS_LINES: usize = 20;

/// Every object a row references against the object store: missing files and wrong sizes are
/// problems (the doctor reads no object whole: sizes only); unreferenced objects are counted, and
/// with `gc` removed when older than [`GRACE`].
async fn check_lfs(report: &mut Report, db: &Db, config: &Config, gc: bool) {
    let objects = &config.lfs.objects_path;
    let referenced = async { hearth_store::lfs::all_objects(db.acquire().await?.conn()).await }.await;
    let referenced = match referenced {
        Ok(r) => r,
        Err(e) => return report.problem(format!("LFS objects: {}", one_line(&e.to_string()))),
    };
    let listing = match lfs_objects::list(objects) {
        Ok(l) => l,
        Err(e) => return report.problem(format!("LFS objects directory {}: cannot list it: {e}", objects.display())),
    };
    let mut sizes: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (oid, size) in &referenced {
        sizes.entry(oid.as_str()).or_default().push(*size);
    }
    let on_disk: BTreeMap<&str, &StoredFile> = listing.objects.iter().map(|(o, f)| (o.as_str(), f)).collect();
    let mut broken = Vec::new();
    let (mut present, mut present_bytes) = (0u64, 0u64);
    for (oid, sizes) in &sizes {
        let path = lfs_objects::object_path(objects, oid);
        match on_disk.get(oid) {
            None => broken.push(format!(
                "LFS object {oid}: its file {} is missing (a client pushing the object again stores it)",
                path.display()
            )),
            Some(f) if !sizes.contains(&(f.len as i64)) => broken.push(format!(
                "LFS object {oid}: its file {} is {} bytes where its rows say {}",
                path.display(),
                f.len,
                sizes.iter().map(i64::to_string).collect::<Vec<_>>().join(" or ")
            )),
            Some(f) => {
                present += 1;
                present_bytes += f.len;
            }
        }
    }
    let extra = broken.len().saturating_sub(LFS_LINES);
    for line in broken.iter().take(LFS_LINES) {
        report.problem(line.clone());
    }
    if extra > 0 {
        report.problem(format!("LFS objects: {extra} more referenced objects are missing or of the wrong size"));
    }
    if broken.is_empty() {
        report.ok(format!(
            "LFS objects in {}: every object a row references is there ({present} objects, {present_bytes} bytes)",
            objects.display()
        ));
    }

    let now = SystemTime::now();
    let old = |changed: SystemTime| now.duration_since(changed).is_ok_and(|age| age >= GRACE);
    let unreferenced: Vec<&(String, StoredFile)> =
        listing.objects.iter().filter(|(oid, _)| !sizes.contains_key(oid.as_str())).collect();
    let (collectable, young): (Vec<_>, Vec<_>) = unreferenced.iter().partition(|(_, f)| old(f.modified));
    let stale: Vec<&StoredFile> = listing.leftovers.iter().filter(|f| old(f.modified)).collect();
    let bytes = |files: &[&&(String, StoredFile)]| files.iter().map(|(_, f)| f.len).sum::<u64>();
    if !gc {
        if !unreferenced.is_empty() || !stale.is_empty() {
            report.ok(format!(
                "LFS objects in {}: {} no repository references ({} bytes), {} of them older than an hour \
                 ({} bytes), and {} leftover partial files: hearth doctor --gc removes those older than an hour",
                objects.display(),
                unreferenced.len(),
                bytes(&collectable) + bytes(&young),
                collectable.len(),
                bytes(&collectable),
                stale.len()
            ));
        }
        return;
    }
    let mut removed = (0u64, 0u64);
    let mut kept = young.len();
    let mut failures = Vec::new();
    for (oid, file) in collectable {
        match collect_one(db, oid, file, now).await {
            Ok(true) => {
                removed.0 += 1;
                removed.1 += file.len;
            }
            Ok(false) => kept += 1,
            Err(e) => failures.push(format!("LFS object {oid}: not removed: {e:#}")),
        }
    }
    let mut leftovers = 0;
    for file in stale {
        match std::fs::remove_file(&file.path) {
            Ok(()) => leftovers += 1,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => failures.push(format!("{}: not removed: {e}", file.path.display())),
        }
    }
    for line in failures {
        report.problem(line);
    }
    report.ok(format!(
        "LFS garbage collection in {}: removed {} unreferenced objects ({} bytes) and {leftovers} leftover \
         partial files; kept {kept} unreferenced objects younger than an hour or linked meanwhile",
        objects.display(),
        removed.0,
        removed.1
    ));
}

/// Remove one unreferenced object, unless an upload is storing or linking it right now: it is set
/// aside first (an upload then stores a fresh copy in its place), then checked again, by its time
/// (an upload that replaced it just before) and against the rows (one linked meanwhile), and put
/// back if either says it is in use. Whether it was removed.
async fn collect_one(db: &Db, oid: &str, file: &StoredFile, now: SystemTime) -> anyhow::Result<bool> {
    let aside = match SetAside::new(&file.path) {
        Ok(a) => a,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let fresh = aside.modified().map(|m| now.duration_since(m).map_or(true, |age| age < GRACE)).unwrap_or(true);
    let in_use = fresh
        || async { hearth_store::lfs::is_referenced(db.acquire().await?.conn(), oid).await }.await.unwrap_or(true);
    if in_use {
        aside.restore()?;
        return Ok(false);
    }
    aside.remove()?;
    Ok(true)
}

/// Errors from drivers may span lines; a report line may not.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writable_missing_and_blocked_directories() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, "x").unwrap();
        let mut report = Report::default();
        check_writable(&mut report, "data directory", dir.path());
        check_writable(&mut report, "gists directory", &dir.path().join("gists/deeper"));
        check_writable(&mut report, "repository root", &file.join("repositories"));
        assert_eq!(report.problems(), 1);
        let mut out = Vec::new();
        report.print(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], format!("ok data directory {} is writable", dir.path().display()));
        assert!(lines[1].starts_with("ok gists directory ") && lines[1].ends_with("hearth can create it"), "{text}");
        assert_eq!(
            lines[2],
            format!("problem repository root {}/repositories: {} is not a directory", file.display(), file.display())
        );
        assert!(!dir.path().join("gists").exists(), "nothing created");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no probe left behind");
    }
}
