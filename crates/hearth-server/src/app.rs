//! Application state, built once at start and shared by every handler.

use std::ops::Deref;
use std::sync::Arc;

use hearth_store::Db;

use crate::config::Config;
use crate::metrics::Metrics;
use crate::secret::ServerSecret;
use crate::service::login_throttle::{Limit, LoginThrottle};
use crate::service::passwords::Passwords;
use crate::service::row_cache::RowCache;
use crate::service::tokens::{TokenCache, TokenUsage};
use crate::types::Links;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub db: Db,
    pub config: Config,
    /// What JSON shapes need to build URLs (external URL, API URL, avatars, SSH).
    pub links: Links,
    pub passwords: Passwords,
    /// The key secrets at rest are sealed with.
    pub secret: ServerSecret,
    /// Failed password logins, per name and per client address (this instance only).
    pub login_throttle: LoginThrottle,
    pub token_usage: TokenUsage,
    pub token_cache: TokenCache,
    /// Users, repositories, grants and pending transfers recently read (see [`RowCache`]).
    pub rows: RowCache,
    /// Wakes the webhook delivery worker once tasks are committed.
    pub hook_queue: tokio::sync::Notify,
    /// Wakes the pull-request mergeability checker once pulls are queued for a check.
    pub pull_checks: tokio::sync::Notify,
    /// Wakes the notification fan-out once tasks are committed (with the webhook worker).
    pub notifications: tokio::sync::Notify,
    /// Wakes the mailer once e-mail is queued.
    pub mail_queue: tokio::sync::Notify,
    /// What is to be told to the other replicas (see `service::signals`; [`AppState::wake`]).
    pub outbox: crate::service::signals::Outbox,
    /// The OAuth2 provider's ID-token signing key, read (or made) on first use.
    pub oauth2_key: tokio::sync::OnceCell<Arc<crate::service::oauth2::SigningKey>>,
    /// Prometheus metrics, when `[metrics] ENABLED` (nothing is recorded otherwise).
    pub metrics: Option<Metrics>,
    /// This process among the replicas sharing the database: what its leases are held as.
    pub replica: crate::service::lease::Replica,
    /// Requests served, so that an idle server can give memory back (`jobs::idle_memory`).
    pub activity: crate::memory::Activity,
}

impl AppState {
    pub fn new(
        db: Db,
        config: Config,
        external_url: String,
        passwords: Passwords,
        secret: ServerSecret,
        replica: crate::service::lease::Replica,
    ) -> AppState {
        let links = Links::new(&config, external_url);
        let refill = config.security.login_failure_refill;
        let metrics = config.metrics.enabled.then(|| Metrics::new(config.database.max_connections));
        let login_throttle = LoginThrottle::new(
            Limit { burst: config.security.login_failure_name_burst, refill },
            Limit { burst: config.security.login_failure_ip_burst, refill },
        );
        AppState(Arc::new(Inner {
            replica,
            db,
            config,
            links,
            passwords,
            secret,
            login_throttle,
            token_usage: TokenUsage::default(),
            token_cache: TokenCache::default(),
            rows: RowCache::default(),
            hook_queue: tokio::sync::Notify::new(),
            pull_checks: tokio::sync::Notify::new(),
            notifications: tokio::sync::Notify::new(),
            mail_queue: tokio::sync::Notify::new(),
            outbox: Default::default(),
            oauth2_key: tokio::sync::OnceCell::new(),
            metrics,
            activity: crate::memory::Activity::default(),
        }))
    }
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
