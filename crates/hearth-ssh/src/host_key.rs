//! The server's host key: generated once (Ed25519) and kept in the data directory, so clients'
//! `known_hosts` entries stay valid across restarts.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use russh::keys::ssh_key::LineEnding;
use russh::keys::{Algorithm, PrivateKey};

pub fn load_or_create(path: &Path) -> anyhow::Result<PrivateKey> {
    if path.exists() {
        return russh::keys::load_secret_key(path, None)
            .with_context(|| format!("reading the SSH host key {}", path.display()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let key = PrivateKey::random(&mut rand::rng(), Algorithm::Ed25519).context("generating the SSH host key")?;
    let text = key.to_openssh(LineEnding::LF).context("encoding the SSH host key")?;
    // Written under a temporary name with mode 0600, then renamed: never a partial or readable key.
    let tmp = path.with_extension("tmp");
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(&tmp).with_context(|| format!("writing {}", tmp.display()))?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated the SSH host key");
    Ok(key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn created_once_then_reloaded() {
        let dir = std::env::temp_dir().join(format!("hearth-hostkey-{}", std::process::id()));
        let path = dir.join("ssh").join("hearth.ed25519");
        let a = super::load_or_create(&path).unwrap();
        let b = super::load_or_create(&path).unwrap();
        assert_eq!(a.public_key(), b.public_key());
        let _ = std::fs::remove_dir_all(dir);
    }
}
