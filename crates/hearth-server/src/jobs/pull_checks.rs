//! The mergeability checker: pulls whose head or base moved wait in the database (`status` 0), so
//! a restart loses no check; this job takes them in order when woken (after a pull is opened or a
//! push) and every few seconds in case a wake-up was missed (another server queued them).

use std::time::Duration;

use super::Stop;
use super::quiet::Quiet;
use crate::app::AppState;
use crate::service::pulls;

const POLL: Duration = Duration::from_secs(5);
const BATCH: i64 = 32;

pub async fn run(state: AppState, mut stop: Stop) {
    let mut quiet = Quiet::default();
    let mut woken = true;
    loop {
        let mark = Quiet::mark(&state);
        if woken || quiet.worth_looking(&state) {
            quiet.found_work();
            loop {
                if !super::leading(&state, "job:pull-checks").await {
                    break;
                }
                let queued = {
                    let Ok(mut h) = state.db.acquire().await else { break };
                    hearth_store::pulls::checking(h.conn(), BATCH).await
                };
                let queued = match queued {
                    Ok(q) => q,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the pull check queue");
                        break;
                    }
                };
                if queued.is_empty() {
                    quiet.found_nothing(&state, mark);
                    break;
                }
                let mut progress = false;
                for pull in &queued {
                    match pulls::check(&state, pull).await {
                        Ok(()) => progress = true,
                        Err(e) => {
                            tracing::warn!(error = %e, pull = pull.id, "pull check");
                            // Take it off the queue as failed rather than retrying it in a loop.
                            progress |= pulls::mark_failed(&state, pull).await.is_ok();
                        }
                    }
                }
                if !progress {
                    break;
                }
            }
        }
        woken = tokio::select! {
            _ = state.pull_checks.notified() => true,
            _ = tokio::time::sleep(POLL) => false,
            _ = stop.requested() => break,
        };
    }
}
