//! Writes the in-memory "last used" times of access tokens every [`INTERVAL`] and once more at
//! shutdown, instead of a database write on every authenticated request.

use std::time::Duration;

use super::Stop;
use crate::app::AppState;

const INTERVAL: Duration = Duration::from_secs(30);

pub async fn run(state: AppState, mut stop: Stop) {
    let mut every = tokio::time::interval(INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = every.tick() => false,
            _ = stop.requested() => true,
        };
        if let Err(e) = state.token_usage.flush(&state.db).await {
            tracing::warn!(error = %e, "writing token usage");
        }
        if stopping {
            break;
        }
    }
}
