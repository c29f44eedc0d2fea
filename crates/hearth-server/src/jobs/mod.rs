//! Background jobs: signals between replicas (PostgreSQL), webhook delivery, pull-mirror updates, pull-request mergeability checks, the
//! notification fan-out, the mailer, the token-usage flush and giving memory back when idle. They start
//! together after the database is open and stop on one signal; [`Jobs::shutdown`] waits for each
//! to finish its last round (pending bookkeeping is written, deliveries in flight get a grace
//! period).

mod idle_memory;
mod mailer;
mod mirrors;
mod notifications;
mod pull_checks;
pub(crate) mod quiet;
mod token_usage;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::AppState;
use crate::service::webhooks::deliver::{self, Deliverer, DeliverySettings};

/// How long a singleton job's lease lasts without renewal (renewed once half is gone): a batch of
/// its work must fit in half, and a dead holder's work waits at most this long for another replica.
const SINGLETON_TTL: Duration = Duration::from_secs(120);

/// Whether this process runs the singleton job `name` this round (it holds or took its lease;
/// see `service::lease`). With one server, always.
async fn leading(state: &AppState, name: &str) -> bool {
    crate::service::lease::hold(state, name, SINGLETON_TTL).await
}

/// A job's view of the shutdown signal.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Completes once shutdown has been asked for (at once if it already was).
    pub async fn requested(&mut self) {
        let _ = self.0.wait_for(|stop| *stop).await;
    }
}

pub struct Jobs {
    set: JoinSet<()>,
    stop: watch::Sender<bool>,
}

impl Jobs {
    pub fn start(state: &AppState) -> anyhow::Result<Jobs> {
        let (stop, signal) = watch::channel(false);
        let deliverer = Arc::new(Deliverer::new(
            DeliverySettings::from_config(&state.config),
            &state.config.security.local_network_allowlist,
        )?);
        let mut set = JoinSet::new();
        set.spawn(crate::service::signals::run(state.clone(), Stop(signal.clone())));
        set.spawn(deliver::run(state.clone(), deliverer, Stop(signal.clone())));
        set.spawn(mirrors::run(state.clone(), Stop(signal.clone())));
        set.spawn(pull_checks::run(state.clone(), Stop(signal.clone())));
        set.spawn(notifications::run(state.clone(), Stop(signal.clone())));
        if state.config.email.enabled {
            set.spawn(mailer::run(state.clone(), Stop(signal.clone())));
        }
        set.spawn(token_usage::run(state.clone(), Stop(signal.clone())));
        set.spawn(idle_memory::run(state.clone(), Stop(signal)));
        Ok(Jobs { set, stop })
    }

    /// Ask every job to stop and wait until they have.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while let Some(done) = self.set.join_next().await {
            if let Err(e) = done {
                tracing::error!(error = %e, "background job");
            }
        }
    }
}
