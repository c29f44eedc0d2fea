//! Connections: the accept loop with its limits, the russh handler, and the bridge between an
//! `exec` channel and the git child.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use russh::keys::{HashAlg, PrivateKey};
use russh::server::{Auth, Msg, PublicKeyOffer, Session, VerifiedPublicKey};
use russh::{Channel, ChannelId, ChannelMsg, MethodKind, MethodSet};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

use crate::{Backend, GREETING, Job, Refusal, Settings};

/// Copy size for git's output: whole SSH packets, not 8 KiB slivers.
const PIPE_CHUNK: usize = 64 * 1024;

/// Per connection: git processes at once, and session channels opened but not yet used. The
/// session limit counts connections; these keep one connection from multiplying them.
const JOBS_PER_CONNECTION: usize = 4;
const IDLE_CHANNELS_PER_CONNECTION: usize = 8;

pub fn russh_config(settings: &Settings, key: PrivateKey) -> anyhow::Result<russh::server::Config> {
    let mut preferred = russh::Preferred::default();
    if !settings.ciphers.is_empty() {
        let mut names = Vec::new();
        for name in &settings.ciphers {
            match russh::cipher::Name::try_from(name.as_str()) {
                Ok(n) if n != russh::cipher::NONE && n != russh::cipher::CLEAR => names.push(n),
                _ => anyhow::bail!("SSH_SERVER_CIPHERS: unsupported cipher `{name}`"),
            }
        }
        preferred.cipher = names.into();
    }
    Ok(russh::server::Config {
        server_id: russh::SshId::Standard("SSH-2.0-hearth".into()),
        methods: MethodSet::from(&[MethodKind::PublicKey][..]),
        auth_rejection_time: std::time::Duration::from_millis(300),
        // OpenSSH probes with "none" first; answering it at once costs nothing.
        auth_rejection_time_initial: Some(std::time::Duration::ZERO),
        keys: vec![key],
        inactivity_timeout: Some(settings.idle_timeout),
        nodelay: true,
        preferred,
        ..Default::default()
    })
}

pub async fn accept_loop<B: Backend, F: Future<Output = ()>>(
    settings: Settings,
    config: Arc<russh::server::Config>,
    backend: Arc<B>,
    listener: TcpListener,
    shutdown: F,
) {
    let slots = Arc::new(Semaphore::new(settings.max_sessions.max(1)));
    tokio::pin!(shutdown);
    loop {
        let (socket, peer) = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "ssh accept");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            tracing::warn!(%peer, "ssh: too many sessions, connection refused");
            drop(socket);
            continue;
        };
        let authed = Arc::new(AtomicBool::new(false));
        let stream = Deadline {
            inner: socket,
            sleep: Box::pin(tokio::time::sleep(settings.handshake_timeout)),
            authed: authed.clone(),
        };
        let handler = Handler {
            backend: backend.clone(),
            who: None,
            channels: HashMap::new(),
            jobs: Arc::new(Semaphore::new(JOBS_PER_CONNECTION)),
            authed,
            _permit: permit,
        };
        let config = config.clone();
        tokio::spawn(async move {
            match russh::server::run_stream(config, stream, handler).await {
                Ok(session) => {
                    if let Err(e) = session.await {
                        tracing::debug!(%peer, error = %e, "ssh session ended");
                    }
                }
                Err(e) => tracing::debug!(%peer, error = %e, "ssh connection setup failed"),
            }
        });
    }
}

/// The TCP stream with a deadline for authentication: until `authed` is set, reads fail once the
/// deadline has passed, which ends the session (a stalled client cannot hold a slot).
struct Deadline {
    inner: TcpStream,
    sleep: Pin<Box<Sleep>>,
    authed: Arc<AtomicBool>,
}

impl AsyncRead for Deadline {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        if !self.authed.load(Ordering::Relaxed) && self.sleep.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "SSH handshake timeout")));
        }
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Deadline {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A session channel before its `exec`/`shell` request.
struct Opened {
    channel: Channel<Msg>,
    git_protocol: Option<String>,
}

struct Handler<B: Backend> {
    backend: Arc<B>,
    who: Option<B::Identity>,
    channels: HashMap<ChannelId, Opened>,
    jobs: Arc<Semaphore>,
    authed: Arc<AtomicBool>,
    _permit: OwnedSemaphorePermit,
}

fn fingerprint(key: &russh::keys::PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

impl<B: Backend> russh::server::Handler for Handler<B> {
    type Error = russh::Error;

    /// Refusing an unknown key here lets the client offer its next key without using up an attempt.
    async fn auth_publickey_offered(&mut self, _user: &str, offer: PublicKeyOffer<'_>) -> Result<Auth, Self::Error> {
        Ok(match self.backend.authenticate(fingerprint(offer.public_key)).await {
            Some(_) => Auth::Accept,
            None => Auth::reject(),
        })
    }

    /// The SSH user name is ignored, as in Gogs (`git@`, `alice@`, anything).
    async fn auth_publickey(&mut self, _user: &str, key: VerifiedPublicKey<'_>) -> Result<Auth, Self::Error> {
        match self.backend.authenticate(fingerprint(key.public_key)).await {
            Some(who) => {
                self.who = Some(who);
                self.authed.store(true, Ordering::Relaxed);
                Ok(Auth::Accept)
            }
            None => Ok(Auth::reject()),
        }
    }

    async fn channel_open_session(
        &mut self,
        channel: Channel<Msg>,
        reply: russh::server::ChannelOpenHandle,
        _session: &mut Session,
    ) -> Result<(), Self::Error> {
        if self.channels.len() >= IDLE_CHANNELS_PER_CONNECTION {
            reply.reject(russh::ChannelOpenFailure::ResourceShortage).await;
            return Ok(());
        }
        self.channels.insert(channel.id(), Opened { channel, git_protocol: None });
        reply.accept().await;
        Ok(())
    }

    async fn env_request(
        &mut self,
        channel: ChannelId,
        name: &str,
        value: &str,
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        match self.channels.get_mut(&channel) {
            Some(opened) if name == "GIT_PROTOCOL" => {
                opened.git_protocol = Some(value.to_string());
                session.channel_success(channel)
            }
            _ => session.channel_failure(channel),
        }
    }

    async fn pty_request(
        &mut self,
        channel: ChannelId,
        _term: &str,
        _col_width: u32,
        _row_height: u32,
        _pix_width: u32,
        _pix_height: u32,
        _modes: &[(russh::Pty, u32)],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        session.channel_failure(channel)
    }

    async fn shell_request(&mut self, channel: ChannelId, session: &mut Session) -> Result<(), Self::Error> {
        if self.channels.remove(&channel).is_none() {
            return session.channel_failure(channel);
        }
        session.channel_success(channel)?;
        session.extended_data(channel, 1, GREETING.as_bytes().to_vec())?;
        finish_channel(session, channel, 0)
    }

    async fn exec_request(
        &mut self,
        channel: ChannelId,
        data: &[u8],
        session: &mut Session,
    ) -> Result<(), Self::Error> {
        let (Some(opened), Some(who)) = (self.channels.remove(&channel), self.who.clone()) else {
            return session.channel_failure(channel);
        };
        let Ok(slot) = self.jobs.clone().try_acquire_owned() else {
            return session.channel_failure(channel);
        };
        session.channel_success(channel)?;
        let payload = String::from_utf8_lossy(data).into_owned();
        match self.backend.exec(who, payload, opened.git_protocol).await {
            Ok(Job::Reply(bytes)) => {
                drop(slot);
                session.data(channel, bytes)?;
                finish_channel(session, channel, 0)
            }
            Ok(Job::Git { command, finish }) => {
                tokio::spawn(async move {
                    run_job(opened.channel, command, finish).await;
                    drop(slot);
                });
                Ok(())
            }
            Err(refusal) => refuse(session, channel, &refusal),
        }
    }

    async fn channel_close(&mut self, channel: ChannelId, _session: &mut Session) -> Result<(), Self::Error> {
        self.channels.remove(&channel);
        Ok(())
    }
}

fn refuse(session: &mut Session, channel: ChannelId, refusal: &Refusal) -> Result<(), russh::Error> {
    session.extended_data(channel, 1, format!("Gogs: {}\n", refusal.message).into_bytes())?;
    finish_channel(session, channel, refusal.exit_status)
}

fn finish_channel(session: &mut Session, channel: ChannelId, status: u32) -> Result<(), russh::Error> {
    session.exit_status_request(channel, status)?;
    session.eof(channel)?;
    session.close(channel)
}

/// Run the git child for one channel: client data → stdin, stdout → data, stderr → extended data.
/// If the client goes away the child is killed (and reaped); the finish step runs in every case.
async fn run_job(mut channel: Channel<Msg>, mut command: tokio::process::Command, finish: Option<crate::Finish>) {
    let mut child = match command.kill_on_drop(true).spawn() {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "spawning git");
            let mut err = channel.make_writer_ext(Some(1));
            let _ = err.write_all(b"Gogs: Internal error\n").await;
            let _ = channel.exit_status(1).await;
            let _ = channel.eof().await;
            let _ = channel.close().await;
            if let Some(finish) = finish {
                finish(false).await;
            }
            return;
        }
    };
    let mut stdin = child.stdin.take();
    let out = child.stdout.take().map(|s| tokio::spawn(pipe(s, channel.make_writer())));
    let err = child.stderr.take().map(|s| tokio::spawn(pipe(s, channel.make_writer_ext(Some(1)))));

    let mut client_gone = false;
    let status = loop {
        tokio::select! {
            status = child.wait() => break status.ok(),
            msg = channel.wait(), if !client_gone => match msg {
                Some(ChannelMsg::Data { data }) => {
                    if let Some(s) = stdin.as_mut()
                        && s.write_all(&data).await.is_err()
                    {
                        stdin = None;
                    }
                }
                Some(ChannelMsg::Eof) => stdin = None,
                None | Some(ChannelMsg::Close) => {
                    // A killed receive-pack never updates refs; its quarantined objects are discarded.
                    client_gone = true;
                    stdin = None;
                    let _ = child.start_kill();
                }
                Some(_) => {}
            },
        }
    };
    drop(stdin);
    for task in [out, err].into_iter().flatten() {
        let _ = task.await;
    }
    let success = status.is_some_and(|s| s.success());
    if let Some(finish) = finish {
        finish(success).await;
    }
    if !client_gone {
        let code = status.and_then(|s| s.code()).map_or(1, |c| c as u32);
        let _ = channel.exit_status(code).await;
        let _ = channel.eof().await;
        let _ = channel.close().await;
    }
}

/// Copy one of git's output pipes to the channel; on a write error (client gone) keep draining
/// so git never blocks on a full pipe.
async fn pipe<R: AsyncRead + Unpin, W: AsyncWrite + Unpin>(from: R, mut to: W) {
    let mut from = BufReader::with_capacity(PIPE_CHUNK, from);
    if tokio::io::copy_buf(&mut from, &mut to).await.is_err() {
        let _ = tokio::io::copy(&mut from, &mut tokio::io::sink()).await;
    }
    let _ = to.flush().await;
}
