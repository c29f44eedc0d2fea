//! The "last commit" column of a directory's file table: one history walk per directory and
//! revision, bounded in time, remembered by commit id and path (history below a commit never
//! changes, so the answer never goes stale).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use hearth_git::CommitInfo;
use hearth_git::last_commit::last_commits;

use crate::service::git_blocking;
use crate::web::page::WebError;

/// How long the first view of a directory may walk history; entries not reached by then show
/// no commit (a later view of the same revision shows the same).
const BUDGET: Duration = Duration::from_millis(100);
/// How many commits the walk may visit at most.
const MAX_COMMITS: usize = 20_000;
/// Remembered directories; emptied when full.
const CACHE_ENTRIES: usize = 1024;

pub type ByName = Arc<HashMap<String, CommitInfo>>;

type Cache = Mutex<HashMap<(String, String), ByName>>;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The last commit of each entry of `path` at `commit`, as far as the budget reaches.
pub async fn of_dir(dir: PathBuf, commit: String, path: String) -> Result<ByName, WebError> {
    let key = (commit.clone(), path.clone());
    if let Some(hit) = cache().lock().ok().and_then(|c| c.get(&key).cloned()) {
        return Ok(hit);
    }
    let deadline = Instant::now() + BUDGET;
    let found = git_blocking(move || last_commits(&dir, &commit, &path, MAX_COMMITS, deadline)).await?;
    let found = Arc::new(found.unwrap_or_default());
    if let Ok(mut c) = cache().lock() {
        if c.len() >= CACHE_ENTRIES {
            c.clear();
        }
        c.insert(key, found.clone());
    }
    Ok(found)
}
