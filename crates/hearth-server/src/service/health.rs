//! Health: is the database reachable? Read-only; never writes.

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::AppState;
use crate::config::DatabaseKind;

/// How long a ping may take before the database counts as unreachable.
const PING_TIMEOUT: Duration = Duration::from_secs(3);

/// The outcome of one check, with the time it was made (RFC 3339, UTC).
pub struct Check {
    pub pass: bool,
    pub time: String,
}

/// The database check: for SQLite that the file is still where the configuration says (a
/// deleted file keeps working through open connections), then a `SELECT 1` through the pool.
pub async fn check_database(state: &AppState) -> Check {
    // SQLite's file first: a new pooled connection would create an empty one in its place.
    let file = match state.config.database.kind {
        DatabaseKind::Sqlite => match std::fs::metadata(&state.config.database.path) {
            Ok(m) if m.is_file() => Ok(()),
            Ok(_) => Err("SQLite database path is not a file".to_string()),
            Err(e) => Err(format!("SQLite database file: {e}")),
        },
        DatabaseKind::Postgres => Ok(()),
    };
    let outcome = match file {
        Err(e) => Err(e),
        Ok(()) => match tokio::time::timeout(PING_TIMEOUT, state.db.ping()).await {
            Err(_) => Err("database ping timed out".to_string()),
            Ok(Err(e)) => Err(format!("database ping failed: {e}")),
            Ok(Ok(())) => Ok(()),
        },
    };
    let time = OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let time = time.format(&Rfc3339).unwrap_or_default();
    match outcome {
        Ok(()) => Check { pass: true, time },
        Err(msg) => {
            tracing::error!("health check: {msg}");
            Check { pass: false, time }
        }
    }
}
