//! hearth's built-in SSH server for Git (git-transport.md §3). This crate speaks SSH (russh) and
//! bridges an `exec` channel to a git child process; *who* a key belongs to and *what* it may run
//! are answered by the application through [`Backend`], so russh stays out of the server crate.

pub mod command;
mod host_key;
mod session;

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::process::Command;

pub use command::{GitCommand, Verb};
pub use host_key::load_or_create as load_or_create_host_key;

/// Gogs' answer to an interactive login (two lines on stderr, exit 0).
pub const GREETING: &str = "Hi there, You've successfully authenticated, but Gogs does not provide shell access.\n\
                            If this is unexpected, please log in with password and setup Gogs under another user.\n";

/// Server settings (from `[server]` in app.ini).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The host key file (OpenSSH format, created on first start).
    pub host_key: PathBuf,
    /// Deadline from TCP accept to successful authentication.
    pub handshake_timeout: Duration,
    /// A connection with no traffic from the client for this long is closed.
    pub idle_timeout: Duration,
    /// Connections served at once; more are closed right after accept.
    pub max_sessions: usize,
    /// Cipher names in preference order (`aes256-gcm@openssh.com`, …); empty: russh's defaults.
    pub ciphers: Vec<String>,
}

/// A refusal shown to the client on stderr (`Gogs: <message>`), with the exit status.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub message: String,
    pub exit_status: u32,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Refusal {
        Refusal { message: message.into(), exit_status: 1 }
    }
}

/// Work that runs after the git child exited (post-push processing); it gets whether git
/// succeeded and runs even when the client has gone away.
pub type Finish = Box<dyn FnOnce(bool) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// What to do for an accepted command.
pub enum Job {
    /// Run a git process with piped stdin/stdout/stderr.
    Git { command: Command, finish: Option<Finish> },
    /// Answer with these bytes on stdout and exit status 0 (`git-lfs-authenticate`).
    Reply(Vec<u8>),
}

/// The application's side: key look-up and the permission check.
pub trait Backend: Send + Sync + 'static {
    /// Who a key is (user key or deploy key), known after authentication.
    type Identity: Clone + Send + Sync + 'static;

    /// The identity of a verified key by its SHA256 fingerprint (`SHA256:…` as `ssh-keygen -lf`),
    /// `None` to refuse it.
    fn authenticate(&self, fingerprint: String) -> impl Future<Output = Option<Self::Identity>> + Send;

    /// Decide on an `exec` payload; `git_protocol` is a validated-by-the-caller `GIT_PROTOCOL` value
    /// the client sent in an `env` request.
    fn exec(
        &self,
        who: Self::Identity,
        payload: String,
        git_protocol: Option<String>,
    ) -> impl Future<Output = Result<Job, Refusal>> + Send;
}

/// Serve SSH on `listener` until `shutdown` completes. Sessions in progress are not waited for:
/// their git children are killed when the connection drops.
pub async fn serve<B: Backend, F>(
    settings: Settings,
    backend: B,
    listener: TcpListener,
    shutdown: F,
) -> anyhow::Result<()>
where
    F: Future<Output = ()> + Send,
{
    let key = host_key::load_or_create(&settings.host_key)?;
    let config = Arc::new(session::russh_config(&settings, key)?);
    session::accept_loop(settings, config, Arc::new(backend), listener, shutdown).await;
    Ok(())
}
