//! Leases for background work when several server processes (replicas) share one database: a
//! repository's webhook queue is drained, and a singleton job (the mirror scheduler, the
//! mergeability checker, the notification fan-out, the mailer) runs, only in the process that
//! holds its lease. A holder renews its lease before each piece of work; one that dies stops
//! renewing, and another replica takes over once the lease has expired (at most its time to live
//! later). Work cut short that way is done again: at least once, never twice at the same time.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::app::AppState;

/// This process among the replicas: the name its leases are held under, and until when it holds
/// which (so that a lease held for long enough yet is not written again at every round).
#[derive(Debug)]
pub struct Replica {
    id: String,
    held: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl Replica {
    /// `name` (`[server] REPLICA_NAME`) with a random suffix: two processes are never one.
    pub fn new(name: &str) -> Replica {
        let mut nonce = [0u8; 6];
        rand::fill(&mut nonce);
        Replica { id: format!("{name}-{}", hex::encode(nonce)), held: Default::default() }
    }

    pub fn id(&self) -> &str {
        &self.id
    }
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Take or renew the lease `name` for `ttl`; whether this process holds it now. A database error
/// counts as not holding it (the work waits for the next round).
pub async fn hold(state: &AppState, name: &str, ttl: Duration) -> bool {
    let now = now_ms();
    let ttl_ms = ttl.as_millis() as i64;
    // Held with more than half its time to live left: nobody else can take it before then, and
    // an idle server does not write to its database every round.
    let held_until = state.replica.held.lock().expect("leases held").get(name).copied();
    if held_until.is_some_and(|until| until - now > ttl_ms / 2) {
        return true;
    }
    let until = now + ttl_ms;
    let held = async {
        let mut h = state.db.acquire().await?;
        hearth_store::lease::acquire(h.conn(), name, state.replica.id(), now, until).await
    };
    let outcome = held.await;
    let mut leases = state.replica.held.lock().expect("leases held");
    match outcome {
        Ok(true) => {
            leases.insert(name.to_string(), until);
            true
        }
        Ok(false) => {
            leases.remove(name);
            false
        }
        Err(e) => {
            leases.remove(name);
            tracing::warn!(error = %e, lease = name, "taking a lease");
            false
        }
    }
}

/// Give the lease `name` up (when this process holds it), so that another replica need not wait
/// for it to expire.
pub async fn release(state: &AppState, name: &str) {
    // Not held here (never taken, or lost): nothing to write.
    if state.replica.held.lock().expect("leases held").remove(name).is_none() {
        return;
    }
    let released = async {
        let mut h = state.db.acquire().await?;
        hearth_store::lease::release(h.conn(), name, state.replica.id()).await
    };
    if let Err(e) = released.await {
        tracing::warn!(error = %e, lease = name, "giving a lease up");
    }
}

/// Give up every lease this process holds (at shutdown, once its jobs have stopped), so that
/// the other replicas take its work over at once rather than when the leases expire.
pub async fn release_all(state: &AppState) {
    let names: Vec<String> = state.replica.held.lock().expect("leases held").keys().cloned().collect();
    for name in names {
        release(state, &name).await;
    }
}
