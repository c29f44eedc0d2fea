//! Once the server has served requests and then none for a whole [`INTERVAL`], it gives back the
//! memory they left behind ([`crate::memory::settle`]); a server that stays idle does it once,
//! and again after a job's look at the database (see `super::quiet`) paged code back in.

use std::time::Duration;

use super::Stop;
use crate::app::AppState;

const INTERVAL: Duration = Duration::from_secs(30);

pub async fn run(state: AppState, mut stop: Stop) {
    let mut every = tokio::time::interval(INTERVAL);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = state.activity.requests();
    let mut settled_at = state.activity.work();
    loop {
        tokio::select! {
            _ = every.tick() => {}
            _ = stop.requested() => break,
        }
        let now = state.activity.requests();
        if now == seen && state.activity.work() != settled_at {
            crate::memory::settle();
            settled_at = state.activity.work();
        }
        seen = now;
    }
}
