//! Fetches pull mirrors whose interval has passed, looking every `[mirror] CHECK_INTERVAL_SECONDS`.
//! A fetch under way when shutdown comes is dropped (its git process is killed); the mirror stays
//! due and is fetched after the next start.

use super::Stop;
use super::quiet::Quiet;
use crate::app::AppState;
use crate::service::{migrate, now_unix};

/// The least a mirror scheduler's lease lasts: a round of fetches should fit in half of it.
const MIRROR_LEASE: std::time::Duration = std::time::Duration::from_secs(600);

pub async fn run(state: AppState, mut stop: Stop) {
    let mut every = tokio::time::interval(state.config.mirror.check_interval);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut quiet = Quiet::default();
    // When the earliest mirror falls due, as the last look saw it (none: no mirror).
    let mut next_due: Option<i64> = None;
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.requested() => break,
        }
        let mark = Quiet::mark(&state);
        if next_due.is_none_or(|at| at > now_unix()) && !quiet.worth_looking(&state) {
            continue;
        }
        quiet.found_work();
        // One scheduler among replicas: its lease outlasts a round of updates (renewed each round).
        let ttl = (state.config.mirror.check_interval * 2).max(MIRROR_LEASE);
        if !crate::service::lease::hold(&state, "job:mirrors", ttl).await {
            continue;
        }
        tokio::select! {
            updated = migrate::update_due_mirrors(&state) => {
                match updated {
                    Ok(n) => match migrate::next_mirror_due(&state).await {
                        Ok(next) => {
                            next_due = next;
                            if n == 0 {
                                quiet.found_nothing(&state, mark);
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "mirror updater"),
                    },
                    Err(e) => tracing::warn!(error = %e, "mirror updater"),
                }
            }
            _ = stop.requested() => break,
        }
    }
}
