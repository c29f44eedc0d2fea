//! The server's secret key (`[security] SECRET_KEY`, else a random key kept in the data
//! directory): sub-keys derived per purpose seal secrets at rest (AES-256-GCM) and key hashes of
//! one-time codes, so a copy of the database alone does not give them away.

use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use anyhow::Context;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::config::Config;

/// The key's file under the data directory, when `SECRET_KEY` is not set.
pub const KEY_FILE: &str = "secret_key";

#[derive(Clone)]
pub struct ServerSecret([u8; 32]);

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(..)")
    }
}

impl ServerSecret {
    /// The configured key, else the one in `DATA/secret_key` (made, readable by the owner only,
    /// when missing).
    pub fn load_or_create(config: &Config) -> anyhow::Result<ServerSecret> {
        if !config.security.secret_key.is_empty() {
            return Ok(ServerSecret::from_text(&config.security.secret_key));
        }
        let path = config.server.data_dir.join(KEY_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) if !text.trim().is_empty() => return Ok(ServerSecret::from_text(text.trim())),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
        let mut raw = [0u8; 32];
        rand::fill(&mut raw);
        let text = hex::encode(raw);
        write_private(&path, &text).with_context(|| format!("writing {}", path.display()))?;
        Ok(ServerSecret::from_text(&text))
    }

    pub fn from_text(text: &str) -> ServerSecret {
        ServerSecret(Sha256::digest(text.as_bytes()).into())
    }

    /// The sub-key for `purpose`.
    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&self.0).expect("any key length");
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A keyed hash of `data` for `purpose`, as hex.
    pub fn mac(&self, purpose: &str, data: &[u8]) -> String {
        let key = self.derive(purpose);
        let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(&key).expect("any key length");
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// `plain` sealed for `purpose`: base64 of a random nonce and the AES-256-GCM ciphertext.
    pub fn seal(&self, purpose: &str, plain: &[u8]) -> String {
        let cipher = Aes256Gcm::new_from_slice(&self.derive(purpose)).expect("32-byte key");
        let mut nonce = [0u8; 12];
        rand::fill(&mut nonce);
        let nonce_arr = aes_gcm::aead::Nonce::<Aes256Gcm>::from(nonce);
        let mut out = nonce.to_vec();
        out.extend(cipher.encrypt(&nonce_arr, plain).expect("AES-GCM encrypts any length"));
        base64::engine::general_purpose::STANDARD.encode(out)
    }

    /// What [`seal`](Self::seal) sealed, when it was sealed with this key for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &str) -> Option<Vec<u8>> {
        let raw = base64::engine::general_purpose::STANDARD.decode(sealed).ok()?;
        if raw.len() < 12 {
            return None;
        }
        let (nonce, body) = raw.split_at(12);
        let nonce = aes_gcm::aead::Nonce::<Aes256Gcm>::try_from(nonce).ok()?;
        let cipher = Aes256Gcm::new_from_slice(&self.derive(purpose)).ok()?;
        cipher.decrypt(&nonce, body).ok()
    }
}

/// Write `text` to `path` through a scratch file renamed into place, mode 0600 on Unix.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let scratch = path.with_extension("tmp");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&scratch)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&scratch, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_purpose() {
        let key = ServerSecret::from_text("one");
        let sealed = key.seal("totp", b"hello");
        assert_eq!(key.open("totp", &sealed).as_deref(), Some(&b"hello"[..]));
        assert_eq!(key.open("other", &sealed), None);
        assert_eq!(ServerSecret::from_text("two").open("totp", &sealed), None);
        assert_ne!(sealed, key.seal("totp", b"hello"), "a fresh nonce every time");
        assert_eq!(key.open("totp", "garbage!"), None);
        assert_eq!(key.mac("a", b"x"), key.mac("a", b"x"));
        assert_ne!(key.mac("a", b"x"), key.mac("b", b"x"));
    }
}
