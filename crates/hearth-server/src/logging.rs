//! The process's log subscriber, from `[log] LEVEL` and `FORMAT` (`RUST_LOG` wins over `LEVEL`
//! when set). Logs go to stderr, with ANSI colours only when stderr is a terminal.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

use crate::config::LogConfig;

/// The filter `LEVEL` means: a bare level keeps sqlx's per-query lines at warn.
pub fn filter(level: &str) -> anyhow::Result<EnvFilter> {
    let directives = match level {
        "trace" | "debug" | "info" | "warn" | "error" | "off" => format!("{level},sqlx=warn"),
        other => other.to_string(),
    };
    EnvFilter::try_new(&directives).map_err(|e| anyhow::anyhow!("[log] LEVEL: `{level}`: {e}"))
}

/// Install the global subscriber (once; later calls do nothing).
pub fn init(log: &LogConfig) -> anyhow::Result<()> {
    let filter = match EnvFilter::try_from_default_env() {
        Ok(f) => f,
        Err(_) => filter(&log.level)?,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if log.json { builder.json().try_init() } else { builder.try_init() };
    Ok(())
}
