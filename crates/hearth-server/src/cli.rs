//! What the `hearth` subcommands do besides serving: `admin …` and `doctor`. Each works while
//! `hearth web` serves the same data (SQLite in WAL mode with a busy timeout; PostgreSQL as
//! usual) and goes through the same `service/` functions as the API.

pub mod admin;
pub mod doctor;
pub mod openssh;

use std::path::Path;

use hearth_store::Db;

use crate::config::{Config, DatabaseKind, Overrides};
use crate::service::ServiceError;

/// Load the configuration, install the logger and warn once about unknown settings: the start of
/// every subcommand.
pub fn start(file: Option<&Path>, flags: &Overrides) -> anyhow::Result<Config> {
    let config = Config::load(file, flags)?;
    crate::logging::init(&config.log)?;
    config.warn_unknown_settings();
    Ok(config)
}

/// Open the configured database for a command that needs existing data: a missing SQLite file is
/// an error, not a new empty database (a mistyped `--data` would otherwise make one).
async fn open_existing_db(config: &Config) -> anyhow::Result<Db> {
    if config.database.kind == DatabaseKind::Sqlite && !config.database.path.is_file() {
        anyhow::bail!("no database at {} (check --data or --config)", config.database.path.display());
    }
    crate::open_db(config).await
}

/// A service's refusal as the one line the command prints after `error: `.
fn refusal(e: ServiceError) -> anyhow::Error {
    match e {
        ServiceError::Internal(e) => e,
        ServiceError::NotFound => anyhow::anyhow!("not found"),
        other => anyhow::anyhow!("{other}"),
    }
}

/// Run a command's work on an open database, then close it whatever happened.
async fn with_db<T>(db: Db, work: impl AsyncFnOnce(&Db) -> anyhow::Result<T>) -> anyhow::Result<T> {
    let result = work(&db).await;
    db.close().await;
    result
}
