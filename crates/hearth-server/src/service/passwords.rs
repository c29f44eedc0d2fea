//! Password hashing: Argon2id for new hashes; Gogs' PBKDF2 format accepted (and upgraded) for
//! accounts imported from Gogs. Verification is CPU- and memory-heavy, so it runs on the blocking
//! pool, at most two at a time, and successful checks are remembered briefly so that a CI bot using
//! Basic auth does not pay a full hash on every request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 10_000;

pub struct Passwords {
    params: Params,
    /// Random per process: cache keys are useless outside this process.
    cache_key: [u8; 32],
    cache: Mutex<HashMap<[u8; 32], Instant>>,
    permits: Semaphore,
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Passwords> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid Argon2 parameters: {e}"))?;
        let mut cache_key = [0u8; 32];
        rand::fill(&mut cache_key);
        Ok(Passwords { params, cache_key, cache: Mutex::new(HashMap::new()), permits: Semaphore::new(2) })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hash a new password; returns the PHC string (the salt lives inside it).
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let _permit = self.permits.acquire().await?;
        let argon2 = self.argon2();
        let password = password.to_string();
        tokio::task::spawn_blocking(move || {
            argon2
                .hash_password(password.as_bytes())
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing password: {e}"))
        })
        .await?
    }

    /// Check `password` against a stored hash (`$argon2…` PHC string, or Gogs' hex PBKDF2 with
    /// its separate salt). `user_id` only scopes the cache entry.
    pub async fn verify(&self, user_id: i64, password: &str, stored: &str, salt: &str) -> bool {
        if stored.is_empty() {
            return false;
        }
        let key = self.cache_entry(user_id, password, stored);
        if let Some(at) = self.cache.lock().unwrap().get(&key)
            && at.elapsed() < CACHE_TTL
        {
            return true;
        }
        let Ok(_permit) = self.permits.acquire().await else { return false };
        let argon2 = self.argon2();
        let (password, stored, salt) = (password.to_string(), stored.to_string(), salt.to_string());
        let ok = tokio::task::spawn_blocking(move || {
            if stored.starts_with("$argon2") {
                PasswordHash::new(&stored).is_ok_and(|h| argon2.verify_password(password.as_bytes(), &h).is_ok())
            } else {
                verify_gogs_pbkdf2(&password, &stored, &salt)
            }
        })
        .await
        .unwrap_or(false);
        if ok {
            let mut cache = self.cache.lock().unwrap();
            if cache.len() >= CACHE_MAX {
                cache.retain(|_, at| at.elapsed() < CACHE_TTL);
                if cache.len() >= CACHE_MAX {
                    cache.clear();
                }
            }
            cache.insert(key, Instant::now());
        }
        ok
    }

    fn cache_entry(&self, user_id: i64, password: &str, stored: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(self.cache_key);
        h.update(user_id.to_le_bytes());
        h.update((password.len() as u64).to_le_bytes());
        h.update(password.as_bytes());
        h.update(stored.as_bytes());
        h.finalize().into()
    }
}

/// Gogs' format: hex(PBKDF2-HMAC-SHA256(password, salt, 10000 rounds, 50 bytes)).
fn verify_gogs_pbkdf2(password: &str, stored_hex: &str, salt: &str) -> bool {
    let mut out = [0u8; 50];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), 10_000, &mut out);
    let computed = hex::encode(out);
    computed.as_bytes().ct_eq(stored_hex.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn argon2_round_trip_and_cache() {
        let p = Passwords::new(64, 1).unwrap();
        let h = p.hash("s3cret").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(p.verify(1, "s3cret", &h, "").await);
        assert!(p.verify(1, "s3cret", &h, "").await, "cached");
        assert!(!p.verify(1, "wrong", &h, "").await);
        assert!(!p.verify(1, "", "", "").await);
    }

    #[tokio::test]
    async fn gogs_pbkdf2() {
        let mut out = [0u8; 50];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"pw", b"abcdefghij", 10_000, &mut out);
        let stored = hex::encode(out);
        let p = Passwords::new(64, 1).unwrap();
        assert!(p.verify(2, "pw", &stored, "abcdefghij").await);
        assert!(!p.verify(2, "pw2", &stored, "abcdefghij").await);
    }
}
