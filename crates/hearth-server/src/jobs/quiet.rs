//! Whether a job's timed poll may leave the database alone. The polls are there for work another
//! process queued (a CLI command, a second server): on SQLite, any process's commit changes the
//! database's [`ChangeMark`], so while the mark is what it was when the job last looked and found
//! nothing, looking again would find nothing either. An idle server then touches neither its
//! database nor the code that reads it: the polls alone kept about 5 MiB of executable pages
//! resident (`scripts/bench-hot-path.sh` measures idle memory). A woken job always looks, and
//! every [`LOOK_AT_LEAST_EVERY`] it looks regardless. On PostgreSQL every poll looks, as before.

use std::time::{Duration, Instant};

use hearth_store::ChangeMark;

use crate::app::AppState;

/// Even an unchanged mark is trusted for this long only (a file system with coarse timestamps
/// could show two commits of equal size as one).
const LOOK_AT_LEAST_EVERY: Duration = Duration::from_secs(600);

/// One job's memory of its last look that found nothing.
#[derive(Default)]
pub struct Quiet {
    seen: Option<(ChangeMark, Instant)>,
}

impl Quiet {
    /// Whether a timed round should read the database.
    pub fn worth_looking(&self, state: &AppState) -> bool {
        match (&self.seen, state.db.change_mark()) {
            (Some((seen, at)), Some(now)) => *seen != now || at.elapsed() >= LOOK_AT_LEAST_EVERY,
            _ => true,
        }
    }

    /// The mark to remember if this round finds nothing: taken before the round reads, so that a
    /// commit made while it reads makes the next round look again.
    pub fn mark(state: &AppState) -> Option<ChangeMark> {
        state.db.change_mark()
    }

    /// The round that began at `mark` found nothing. Counted (once its reading is over) where
    /// marks are kept, so that the idle memory job gives back the code the round paged in.
    pub fn found_nothing(&mut self, state: &AppState, mark: Option<ChangeMark>) {
        self.seen = mark.map(|m| (m, Instant::now()));
        if mark.is_some() {
            state.activity.looked();
        }
    }

    /// The round found work (or failed): the next timed round looks.
    pub fn found_work(&mut self) {
        self.seen = None;
    }
}
