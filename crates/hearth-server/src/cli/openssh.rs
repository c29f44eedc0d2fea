//! Sharing port 22 with the system's OpenSSH: `hearth keys`, sshd's `AuthorizedKeysCommand`, names
//! the hearth account of a presented key as a forced-command line, and `hearth serv`, that forced
//! command, runs the Git service the client asked for (`SSH_ORIGINAL_COMMAND`) after the same
//! access decision as the built-in SSH server, then the same post-push work.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use anyhow::Context;
use base64::Engine;
use hearth_ssh::Job;
use hearth_store::{deploy_keys, keys};
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::config::{Config, Overrides};
use crate::secret::ServerSecret;
use crate::service::passwords::Passwords;
use crate::ssh::{Backend, Identity};

/// The options every printed line carries: a git client gets no shell, forwarding or terminal.
const RESTRICTIONS: &str = "no-port-forwarding,no-X11-forwarding,no-agent-forwarding,no-pty";

/// What sshd passes (`-e git -u %u -t %t -k %k`, Gitea's flags).
pub struct KeyQuery<'a> {
    /// The system account git clients log in as; other accounts get no line (sshd then goes on
    /// to its `AuthorizedKeysFile`).
    pub expected_user: &'a str,
    pub user: &'a str,
    pub key_type: &'a str,
    /// The key's base64 blob.
    pub key: &'a str,
}

/// `SHA256:…` of a key's base64 blob, as `ssh-keygen -lf` prints it and keys are stored.
pub fn fingerprint(blob_base64: &str) -> Option<String> {
    let blob = base64::engine::general_purpose::STANDARD.decode(blob_base64.trim()).ok()?;
    let digest = Sha256::digest(&blob);
    Some(format!("SHA256:{}", base64::engine::general_purpose::STANDARD_NO_PAD.encode(digest)))
}

/// The `authorized_keys` line for a presented key, or `None` (no line: not hearth's user, or an
/// unknown key). `serv` is the command to force, without its `key-…` argument.
pub async fn keys(config: &Config, q: &KeyQuery<'_>, serv: &str) -> anyhow::Result<Option<String>> {
    if q.user != q.expected_user {
        return Ok(None);
    }
    // Both go into the line sshd parses: a type is a word, a key is base64.
    let word =
        |s: &str, extra: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || extra.contains(c));
    if !word(q.key_type, "-.@") || !word(q.key, "+/=") {
        return Ok(None);
    }
    let Some(fp) = fingerprint(q.key) else { return Ok(None) };
    let db = super::open_existing_db(config).await?;
    super::with_db(db, async |db| {
        let mut h = db.acquire().await?;
        let who = if let Some(key) = keys::user_key_by_fingerprint(h.conn(), &fp).await? {
            format!("key-{}", key.id)
        } else if !deploy_keys::by_fingerprint(h.conn(), &fp).await?.is_empty() {
            format!("deploy-{fp}")
        } else {
            return Ok(None);
        };
        Ok(Some(format!("command=\"{serv} {who}\",{RESTRICTIONS} {} {}", q.key_type, q.key)))
    })
    .await
}

/// The forced command `keys` prints: this executable with the configuration it was given, by
/// absolute paths (sshd runs it from elsewhere, with a bare environment).
pub fn serv_command(config_file: Option<&Path>, data_dir: Option<&Path>) -> anyhow::Result<String> {
    let mut words: Vec<PathBuf> = vec![std::env::current_exe().context("finding this executable")?, "serv".into()];
    if let Some(f) = config_file {
        words.extend(["--config".into(), std::path::absolute(f)?]);
    }
    if let Some(d) = data_dir {
        words.extend(["--data".into(), std::path::absolute(d)?]);
    }
    let mut texts = Vec::with_capacity(words.len());
    for w in &words {
        let text = w.to_str().filter(|t| !t.contains(['"', '\\', ' ', '\n'])).with_context(|| {
            format!("{} cannot be named in an authorized_keys command (quote, backslash or space)", w.display())
        })?;
        texts.push(text);
    }
    Ok(texts.join(" "))
}

/// Run `hearth serv WHO`: the exit code for the process. Refusals are told on stderr as the
/// built-in server tells them (`Gogs: …`).
pub async fn serv(file: Option<&Path>, flags: &Overrides, who: &str) -> anyhow::Result<i32> {
    let Ok(command) = std::env::var("SSH_ORIGINAL_COMMAND") else {
        eprintln!("Hi there! You've successfully authenticated, but hearth does not provide shell access.");
        return Ok(1);
    };
    let mut config = Config::load(file, flags)?;
    // stderr reaches the git client: only real problems there.
    config.log.level = "error".into();
    crate::logging::init(&config.log)?;
    let config = config.absolute()?;
    let identity = match who.split_once('-') {
        Some(("key", id)) => Identity::User { key_id: id.parse().context("key-ID: ID is a number")? },
        Some(("deploy", fingerprint)) => Identity::Deploy { fingerprint: fingerprint.to_string() },
        _ => anyhow::bail!("serv: expected key-ID or deploy-FINGERPRINT, got {who}"),
    };
    let db = super::open_existing_db(&config).await?;
    let external_url = config.resolved_external_url(config.server.http_port);
    let passwords = Passwords::from_config(&config.password)?;
    let secret = ServerSecret::load_or_create(&config)?;
    let state =
        AppState::new(db.clone(), config, external_url, passwords, secret, crate::service::lease::Replica::new("serv"));
    let git_protocol = std::env::var("GIT_PROTOCOL").ok();
    let decided = Backend::new(state).decide(identity, &command, git_protocol).await;
    let code = match decided {
        Err(e) => {
            db.close().await;
            return Err(e.into());
        }
        Ok(Err(refusal)) => {
            eprintln!("Gogs: {}", refusal.message);
            refusal.exit_status as i32
        }
        Ok(Ok(Job::Reply(bytes))) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
            0
        }
        Ok(Ok(Job::Git { mut command, finish })) => {
            command.stdin(Stdio::inherit()).stdout(Stdio::inherit()).stderr(Stdio::inherit());
            let status = command.status().await.context("running git")?;
            if let Some(finish) = finish {
                finish(status.success()).await;
            }
            status.code().unwrap_or(1)
        }
    };
    db.close().await;
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_as_ssh_keygen_prints_them() {
        // `ssh-keygen -lf` of this key: SHA256:…
        let blob = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl";
        let fp = fingerprint(blob).unwrap();
        assert!(fp.starts_with("SHA256:") && !fp.ends_with('='), "{fp}");
        assert_eq!(fp.len(), 7 + 43);
        assert_eq!(fingerprint("not base64!"), None);
    }
}
