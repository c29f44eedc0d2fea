//! hearth's application: configuration, the HTTP API and the services behind it.
//!
//! [`serve`] is the production entry point and the one the integration tests start, on a
//! listener they bound themselves.

mod api;
mod app;
pub mod backup;
pub mod cli;
pub mod config;
mod error;
mod extract;
mod git_http;
mod jobs;
mod json;
mod lfs;
mod lfs_content;
mod lfs_locks;
pub mod logging;
pub mod memory;
mod metrics;
mod ops;
mod router;
pub mod secret;
pub mod service;
mod ssh;
mod swagger;
pub mod types;
mod web;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use hearth_store::{Db, DbOptions};
use tokio::net::TcpListener;
use tokio::sync::Notify;

pub use config::{Config, Overrides};

use crate::app::AppState;
use crate::service::passwords::Passwords;

/// Make ring the process-wide rustls provider (reqwest is built without one, so every client —
/// the webhook deliverer's and any other — needs it first). Calling it again is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Open the configured database (creating the data directory and running migrations).
pub async fn open_db(config: &Config) -> anyhow::Result<Db> {
    let opts = DbOptions { max_connections: config.database.max_connections, ..DbOptions::default() };
    match config.database.kind {
        config::DatabaseKind::Sqlite => {
            if let Some(dir) = config.database.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            }
            Db::open_sqlite(&config.database.path, &opts)
                .await
                .with_context(|| format!("opening SQLite database {}", config.database.path.display()))
        }
        config::DatabaseKind::Postgres => {
            Db::open_postgres(&config.database.postgres_url(), &opts).await.context("connecting to PostgreSQL")
        }
    }
}

/// Serve HTTP on `listener` until `shutdown` completes; in-flight requests finish, pending
/// bookkeeping is written and the database is closed before this returns.
pub async fn serve<F>(config: Config, listener: TcpListener, shutdown: F) -> anyhow::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with_ssh(config, listener, None, shutdown).await
}

/// [`serve`], plus the built-in SSH server on `ssh` when given (`START_SSH_SERVER`).
pub async fn serve_with_ssh<F>(
    config: Config,
    listener: TcpListener,
    ssh: Option<TcpListener>,
    shutdown: F,
) -> anyhow::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let addr = listener.local_addr()?;
    install_crypto_provider();
    let config = config.absolute()?;
    let git = hearth_git::version::check(None).map_err(anyhow::Error::msg)?;
    tracing::debug!(?git, "git version");
    for dir in [config.server.data_dir.clone(), config.repository.root.clone()] {
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let replica = service::lease::Replica::new(&config.server.replica_name);
    let scratch = service::disk::claim_scratch(&config, replica.id()).context("claiming a scratch directory")?;
    let mut config = config;
    config.server.scratch_dir = Some(scratch.dir.clone());
    hearth_git::transport::install_hooks(&config.hooks_dir()).context("installing git hooks")?;
    let db = open_db(&config).await?;
    service::disk::quarantine_orphans(&db, &config, scratch.others_running)
        .await
        .context("checking repository directories")?;
    let external_url = config.resolved_external_url(addr.port());
    let passwords = Passwords::from_config(&config.password)?;
    let secret = secret::ServerSecret::load_or_create(&config).context("loading the secret key")?;
    let state = AppState::new(db.clone(), config, external_url, passwords, secret, replica);
    web::purge_expired_sessions(&state).await.context("dropping expired web sessions")?;
    service::oauth2::purge_expired(&state.db).await.context("dropping expired OAuth2 codes and tokens")?;

    let jobs = jobs::Jobs::start(&state)?;

    let ssh_stop = Arc::new(Notify::new());
    let ssh_task = match ssh {
        Some(ssh_listener) => {
            let settings = ssh::settings(&state.config);
            hearth_ssh::load_or_create_host_key(&settings.host_key)?;
            tracing::info!("SSH listening on {}", ssh_listener.local_addr()?);
            let stop = ssh_stop.clone();
            let backend = ssh::Backend::new(state.clone());
            Some(tokio::spawn(hearth_ssh::serve(settings, backend, ssh_listener, async move { stop.notified().await })))
        }
        None => None,
    };

    let app = router::build(state.clone());
    tracing::info!("listening on http://{addr}");
    // The peer address is the client address for login throttling (no proxy header is trusted).
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    memory::settle();
    let served = axum::serve(listener, app).with_graceful_shutdown(shutdown).await.context("HTTP server");
    if let Some(task) = ssh_task {
        ssh_stop.notify_one();
        match task.await {
            Ok(Err(e)) => tracing::error!(error = %e, "SSH server"),
            Err(e) => tracing::error!(error = %e, "SSH server task"),
            Ok(Ok(())) => {}
        }
    }
    jobs.shutdown().await;
    service::lease::release_all(&state).await;
    db.close().await;
    // This process's scratch directory goes with it (a killed one's is removed at a later start).
    let _ = std::fs::remove_dir_all(&scratch.dir);
    drop(scratch);
    served?;
    tracing::info!("stopped");
    Ok(())
}
