//! Response bodies written by blocking git work and sent as they are produced (archives, big
//! diffs): chunks go through a small channel, so memory stays bounded and a client that hangs up
//! stops the writer.

use std::io::Write;

use axum::body::{Body, Bytes};
use tokio::sync::mpsc;

/// The size of the chunks sent.
pub const CHUNK: usize = 64 * 1024;

/// A `Write` that sends full chunks down the channel (blocking while the client is slow).
pub struct ChannelWriter {
    tx: mpsc::Sender<std::io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx.blocking_send(Ok(chunk)).map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client gone"))
    }
}

/// A body that `produce` writes on a blocking thread; an error after the first bytes ends the
/// stream with an error (the client sees a truncated transfer, never a silently short one).
pub fn blocking_body<F>(produce: F) -> Body
where
    F: FnOnce(&mut ChannelWriter) -> hearth_git::GitResult<()> + Send + 'static,
{
    let (tx, mut rx) = mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::task::spawn_blocking(move || {
        let mut writer = ChannelWriter { tx: tx.clone(), buf: Vec::with_capacity(CHUNK) };
        let result = produce(&mut writer).and_then(|_| writer.flush().map_err(hearth_git::GitError::Io));
        if let Err(e) = result {
            tracing::debug!(error = %e, "stream ended early");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    Body::from_stream(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

/// A pull request's `N.diff` (merge base to head, written file by file) or `N.patch` (its first
/// `max_commits` commits, oldest first, as `git format-patch` text), streamed: a 1,000-file pull
/// is never held whole. Shared by the API's and the pages' `N.diff`/`N.patch`.
pub fn pull_text(dir: std::path::PathBuf, from: String, head: String, patch: bool, max_commits: usize) -> Body {
    use hearth_git::{diff, read};
    if !patch {
        return blocking_body(move |out| diff::write_between(&dir, &from, &head, out).map(|_| ()));
    }
    blocking_body(move |out| {
        let Some((mut commits, _)) = read::log_range(&dir, &head, &from, 0, max_commits, max_commits)? else {
            return Ok(());
        };
        commits.reverse();
        for c in commits {
            if let Some(d) = diff::commit_diff(&dir, &c.info.id, usize::MAX)? {
                out.write_all(diff::format_patch(&d).as_bytes())?;
            }
        }
        Ok(())
    })
}
