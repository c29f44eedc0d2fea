//! Fetching from other servers (migrations and pull mirrors) with the git CLI, restricted to the
//! transports the caller allows and never following redirects (the address was vetted before).
//! A caller that resolved and checked a host name passes the addresses as a [`Pin`]: git (curl)
//! then connects to those addresses only and never resolves the name again.

use std::net::IpAddr;
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

/// The addresses git must use for `host:port` (curl's `CURLOPT_RESOLVE`, as `http.curloptResolve`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pin {
    /// A DNS name (letters, digits, `-` and `.`); IP literals need no pin.
    pub host: String,
    pub port: u16,
    /// At least one.
    pub addrs: Vec<IpAddr>,
}

impl Pin {
    /// The `-c` values. The name is pinned with and without a trailing dot, so curl finds the
    /// entry however it spells the name; the values are built from checked parts only.
    fn config(&self) -> GitResult<Vec<String>> {
        let host = self.host.strip_suffix('.').unwrap_or(&self.host);
        let plain_name = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && host.parse::<IpAddr>().is_err();
        if !plain_name || self.addrs.is_empty() {
            return Err(GitError::Git(format!("cannot pin {:?} to {:?}", self.host, self.addrs)));
        }
        let addrs: Vec<String> = self
            .addrs
            .iter()
            .map(|a| match a {
                IpAddr::V4(v4) => v4.to_string(),
                IpAddr::V6(v6) => format!("[{v6}]"),
            })
            .collect();
        let addrs = addrs.join(",");
        Ok([host.to_string(), format!("{host}.")]
            .iter()
            .map(|h| format!("http.curloptResolve={h}:{}:{addrs}", self.port))
            .collect())
    }
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

/// [`git`] for talking to a remote, pinned to checked addresses when `pin` is given
/// (`http.curloptResolve` needs git 2.37, which the server checks for at start).
fn remote_git(allow_file: bool, pin: Option<&Pin>) -> GitResult<Command> {
    let mut cmd = git(allow_file);
    if let Some(pin) = pin {
        for value in pin.config()? {
            cmd.arg("-c").arg(value);
        }
    }
    Ok(cmd)
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

fn clone_command(source: &Source, dest: &Path, pin: Option<&Pin>) -> GitResult<Command> {
    let mut cmd = remote_git(matches!(source, Source::Local(_)), pin)?;
    cmd.args(["clone", "--mirror", "--quiet", "--"]);
    match source {
        Source::Url(url) => cmd.arg(url),
        Source::Local(path) => cmd.arg(path),
    };
    cmd.arg(dest);
    Ok(cmd)
}

/// `git clone --mirror` into `dest` (which must not exist). `secret` is redacted from errors.
pub async fn clone_mirror(
    source: &Source,
    dest: &Path,
    timeout: Duration,
    secret: &str,
    pin: Option<&Pin>,
) -> GitResult<()> {
    run(clone_command(source, dest, pin)?, timeout, secret).await
}

/// Forget where a (non-mirror) migration came from, credentials included.
pub async fn remove_origin(repo: &Path) -> GitResult<()> {
    let mut cmd = git(false);
    cmd.arg("--git-dir").arg(repo).args(["config", "--remove-section", "remote.origin"]);
    run(cmd, Duration::from_secs(30), "").await
}

/// The URL a mirror fetches from (`remote.origin.url`); `None` if there is none. More than one
/// is an error: the caller could not tell which one git would use.
pub async fn origin_url(repo: &Path) -> GitResult<Option<String>> {
    let mut cmd = git(false);
    cmd.arg("--git-dir").arg(repo).args(["config", "--get-all", "remote.origin.url"]);
    cmd.stdout(Stdio::piped());
    let out = tokio::time::timeout(Duration::from_secs(30), cmd.output())
        .await
        .map_err(|_| GitError::Git("timed out reading the remote".into()))??;
    match out.status.code() {
        Some(0) => {}
        Some(1) => return Ok(None),
        _ => return Err(GitError::Git(String::from_utf8_lossy(&out.stderr).trim().to_string())),
    }
    let text = String::from_utf8(out.stdout).map_err(GitError::git)?;
    let mut urls = text.lines().filter(|l| !l.is_empty());
    match (urls.next(), urls.next()) {
        (None, _) => Ok(None),
        (Some(url), None) => Ok(Some(url.to_string())),
        (Some(_), Some(_)) => Err(GitError::Git("the mirror has more than one remote URL".into())),
    }
}

fn fetch_command(repo: &Path, prune: bool, allow_file: bool, pin: Option<&Pin>) -> GitResult<Command> {
    let mut cmd = remote_git(allow_file, pin)?;
    cmd.arg("--git-dir").arg(repo).args(["remote", "update"]);
    if prune {
        cmd.arg("--prune");
    }
    Ok(cmd)
}

/// Update a pull mirror from its `origin`.
pub async fn fetch_mirror(
    repo: &Path,
    prune: bool,
    allow_file: bool,
    timeout: Duration,
    pin: Option<&Pin>,
) -> GitResult<()> {
    run(fetch_command(repo, prune, allow_file, pin)?, timeout, "").await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(cmd: &Command) -> Vec<String> {
        cmd.as_std().get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    /// The `-c` settings, in order.
    fn settings(cmd: &Command) -> Vec<String> {
        let args = args(cmd);
        args.windows(2).filter(|w| w[0] == "-c").map(|w| w[1].clone()).collect()
    }

    fn pin(host: &str, port: u16, addrs: &[&str]) -> Pin {
        Pin { host: host.into(), port, addrs: addrs.iter().map(|a| a.parse().unwrap()).collect() }
    }

    #[test]
    fn clone_and_fetch_are_pinned_and_never_follow_redirects() {
        let p = pin("git.example.com", 443, &["93.184.216.34", "2606:2800::1"]);
        let source = Source::Url("https://git.example.com/x.git".into());
        let clone = clone_command(&source, Path::new("/tmp/dest.git"), Some(&p)).unwrap();
        let fetch = fetch_command(Path::new("/tmp/m.git"), true, false, Some(&p)).unwrap();
        for cmd in [&clone, &fetch] {
            let s = settings(cmd);
            assert!(s.contains(&"http.followRedirects=false".to_string()), "{s:?}");
            assert!(s.contains(&"protocol.allow=never".to_string()), "{s:?}");
            assert!(!s.contains(&"protocol.file.allow=always".to_string()), "{s:?}");
            assert!(
                s.contains(&"http.curloptResolve=git.example.com:443:93.184.216.34,[2606:2800::1]".to_string()),
                "{s:?}"
            );
            assert!(
                s.contains(&"http.curloptResolve=git.example.com.:443:93.184.216.34,[2606:2800::1]".to_string()),
                "{s:?}"
            );
        }
        let a = args(&clone);
        assert_eq!(&a[a.len() - 3..], ["--", "https://git.example.com/x.git", "/tmp/dest.git"]);
        assert!(args(&fetch).ends_with(&["remote".to_string(), "update".to_string(), "--prune".to_string()]));

        // Without a pin (local sources), redirects stay off and nothing is resolved for git.
        let local = clone_command(&Source::Local("/srv/x".into()), Path::new("/tmp/d"), None).unwrap();
        let s = settings(&local);
        assert!(s.contains(&"http.followRedirects=false".to_string()));
        assert!(s.contains(&"protocol.file.allow=always".to_string()));
        assert!(!s.iter().any(|v| v.starts_with("http.curloptResolve")));
    }

    #[test]
    fn only_plain_names_are_pinned() {
        assert_eq!(
            pin("h.example.", 80, &["192.0.2.1"]).config().unwrap(),
            ["http.curloptResolve=h.example:80:192.0.2.1", "http.curloptResolve=h.example.:80:192.0.2.1"]
        );
        for bad in ["", ".", "a,b", "a:1", "a b", "[::1]", "::1", "1.2.3.4", "h\nx", "a=b"] {
            assert!(pin(bad, 80, &["192.0.2.1"]).config().is_err(), "{bad:?}");
        }
        assert!(pin("h", 80, &[]).config().is_err());
    }

    /// git really connects to the pinned address, for a name that does not resolve at all, however
    /// the URL spells the name.
    #[tokio::test]
    async fn git_connects_to_the_pinned_address() {
        for host in ["pinned.invalid", "pinned.invalid.", "PINNED.invalid"] {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let dir = tempfile::tempdir().unwrap();
            let url = format!("http://{host}:{port}/x.git");
            let p = pin(&host.to_ascii_lowercase(), port, &["127.0.0.1"]);
            let clone = tokio::spawn(async move {
                clone_mirror(&Source::Url(url), &dir.path().join("d.git"), Duration::from_secs(20), "", Some(&p)).await
            });
            let accepted = tokio::time::timeout(Duration::from_secs(20), listener.accept()).await;
            assert!(matches!(accepted, Ok(Ok(_))), "{host}: git did not connect to the pinned address");
            drop(accepted);
            drop(listener);
            assert!(clone.await.unwrap().is_err(), "not a git server");
        }
    }
}
