//! The notification fan-out: tasks wait in the database (written with the change), so a restart
//! loses none; this job takes them in order when woken (after any change that queues events) and
//! every few seconds in case a wake-up was missed (another server queued them).

use std::time::Duration;

use super::Stop;
use super::quiet::Quiet;
use crate::app::AppState;
use crate::service::notifications;

const POLL: Duration = Duration::from_secs(5);
const BATCH: i64 = 64;

pub async fn run(state: AppState, mut stop: Stop) {
    let mut quiet = Quiet::default();
    let mut woken = true;
    loop {
        let mark = Quiet::mark(&state);
        if woken || quiet.worth_looking(&state) {
            quiet.found_work();
            loop {
                if !super::leading(&state, "job:notifications").await {
                    break;
                }
                let queued = {
                    let Ok(mut h) = state.db.acquire().await else { break };
                    hearth_store::notifications::next_tasks(h.conn(), BATCH).await
                };
                let queued = match queued {
                    Ok(q) => q,
                    Err(e) => {
                        tracing::warn!(error = %e, "reading the notification queue");
                        break;
                    }
                };
                if queued.is_empty() {
                    quiet.found_nothing(&state, mark);
                    break;
                }
                let mut progress = false;
                for task in &queued {
                    match notifications::fan_out(&state, task).await {
                        Ok(_) => progress = true,
                        Err(e) => {
                            tracing::warn!(error = %e, task = task.id, "notification fan-out");
                            // Dropped rather than retried in a loop: a notification is not worth a stuck queue.
                            if let Ok(mut h) = state.db.acquire().await {
                                progress |=
                                    hearth_store::notifications::delete_task(h.conn(), task.id).await.unwrap_or(false);
                            }
                        }
                    }
                }
                if !progress {
                    break;
                }
            }
        }
        woken = tokio::select! {
            _ = state.notifications.notified() => true,
            _ = tokio::time::sleep(POLL) => false,
            _ = stop.requested() => break,
        };
    }
}
