//! `hearth doctor`: checks an installation without changing it: git and its version, that the
//! directories hearth writes to are writable, that the database is reachable and carries every
//! migration of this build (it is opened read-only and never migrated), and that repository and
//! gist directories match their rows. One line per check: `ok …`, or `problem …` for each
//! problem found.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use hearth_store::{Db, DbOptions, MigrationStatus};

use crate::config::{Config, DatabaseKind};
use crate::service::admin::redact_url;
use crate::service::disk;

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

/// Run every check.
pub async fn run(config: &Config) -> Report {
    let mut report = Report::default();
    check_git(&mut report);
    for (what, path) in directories(config) {
        check_writable(&mut report, what, &path);
    }
    let db = check_database(&mut report, config).await;
    match db {
        Some(db) => {
            check_directories(&mut report, &db, config).await;
            db.close().await;
        }
        None => report
            .lines
            .push(Line::Skipped("repository directories: needs a reachable database with every migration".into())),
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
