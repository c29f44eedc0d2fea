//! Fetching from other servers (migrations and pull mirrors) with the git CLI, restricted to the
//! transports the caller allows and never following redirects (the address was vetted before).

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

use crate::{GitError, GitResult};

/// Where a migration clones from.
#[derive(Debug, Clone)]
pub enum Source {
    /// An `http(s)://` URL (credentials, if any, in its userinfo).
    Url(String),
    /// An existing directory on this host.
    Local(std::path::PathBuf),
}

fn git(allow_file: bool) -> Command {
    let mut cmd = Command::new("git");
    cmd.env_clear();
    for var in ["PATH", "LANG", "LC_ALL", "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    cmd.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("HOME", "/nonexistent");
    cmd.args(["-c", "protocol.allow=never", "-c", "protocol.http.allow=always", "-c", "protocol.https.allow=always"]);
    if allow_file {
        cmd.args(["-c", "protocol.file.allow=always"]);
    }
    cmd.args(["-c", "http.followRedirects=false", "-c", "credential.helper=", "-c", "core.hooksPath=/dev/null"]);
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
    cmd
}

async fn run(mut cmd: Command, timeout: Duration, secret: &str) -> GitResult<()> {
    let child = cmd.spawn()?;
    let out = match tokio::time::timeout(timeout, child.wait_with_output()).await {
        Ok(out) => out?,
        Err(_) => return Err(GitError::Git(format!("timed out after {}s", timeout.as_secs()))),
    };
    if out.status.success() {
        return Ok(());
    }
    let mut message = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if !secret.is_empty() {
        message = message.replace(secret, "****");
    }
    Err(GitError::Git(message))
}

/// `git clone --mirror` into `dest` (which must not exist). `secret` is redacted from errors.
pub async fn clone_mirror(source: &Source, dest: &Path, timeout: Duration, secret: &str) -> GitResult<()> {
    let mut cmd = git(matches!(source, Source::Local(_)));
    cmd.args(["clone", "--mirror", "--quiet", "--"]);
    match source {
        Source::Url(url) => cmd.arg(url),
        Source::Local(path) => cmd.arg(path),
    };
    cmd.arg(dest);
    run(cmd, timeout, secret).await
}

/// Forget where a (non-mirror) migration came from, credentials included.
pub async fn remove_origin(repo: &Path) -> GitResult<()> {
    let mut cmd = git(false);
    cmd.arg("--git-dir").arg(repo).args(["config", "--remove-section", "remote.origin"]);
    run(cmd, Duration::from_secs(30), "").await
}

/// Update a pull mirror from its `origin`.
pub async fn fetch_mirror(repo: &Path, prune: bool, allow_file: bool, timeout: Duration) -> GitResult<()> {
    let mut cmd = git(allow_file);
    cmd.arg("--git-dir").arg(repo).args(["remote", "update"]);
    if prune {
        cmd.arg("--prune");
    }
    run(cmd, timeout, "").await
}
