//! Password hashing: Argon2id for new hashes; Gogs' PBKDF2 format accepted (and upgraded) for
//! accounts imported from Gogs. Verification is CPU- and memory-heavy, so it runs on the blocking
//! pool, at most two at a time, and successful checks are remembered briefly so that a CI bot using
//! Basic auth does not pay a full hash on every request.
//!
//! The wait for a hashing slot is bounded so that a flood of wrong passwords (from more addresses
//! than the login throttle can hold back) cannot queue the right ones for long: a check finds at
//! most [`MAX_WAITING`] others waiting, and waits at most [`MAX_WAIT`]; otherwise it is refused at
//! once with [`Busy`] (503 with `Retry-After`), which costs the server nothing. A password that
//! passed recently is answered from the cache without hashing or waiting. Hashing new passwords
//! (account creation, password changes) waits as before, behind at most that bounded queue.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{Semaphore, SemaphorePermit};

const CACHE_TTL: Duration = Duration::from_secs(300);
const CACHE_MAX: usize = 10_000;
/// Hashes running at once.
const PERMITS: usize = 2;
/// Password checks that may wait for a hashing slot; more are refused. With the default Argon2
/// cost (tens of milliseconds per hash), the last in line waits about a second.
pub const MAX_WAITING: usize = 64;
/// Longest wait for a hashing slot (reached only with costly Argon2 settings).
pub const MAX_WAIT: Duration = Duration::from_secs(10);
/// `Retry-After` for a refused check.
pub const BUSY_RETRY_AFTER_SECS: u64 = 1;

/// Too many password checks are waiting for a hashing slot: try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl From<Busy> for super::ServiceError {
    fn from(_: Busy) -> super::ServiceError {
        super::ServiceError::Busy { retry_after_secs: BUSY_RETRY_AFTER_SECS }
    }
}

pub struct Passwords {
    params: Params,
    /// Random per process: cache keys are useless outside this process.
    cache_key: [u8; 32],
    cache: Mutex<HashMap<[u8; 32], Instant>>,
    permits: Semaphore,
    /// Password checks waiting for a permit.
    waiting: AtomicUsize,
    max_wait: Duration,
    /// Shortest new password, in characters.
    min_length: usize,
}

/// Longest password (Gogs' forms bind `MaxSize(255)`).
pub const MAX_LENGTH: usize = 255;

/// Counts a waiting check while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Passwords {
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<Passwords> {
        let params = Params::new(memory_kib, iterations, 1, None)
            .map_err(|e| anyhow::anyhow!("invalid Argon2 parameters: {e}"))?;
        let mut cache_key = [0u8; 32];
        rand::fill(&mut cache_key);
        Ok(Passwords {
            params,
            cache_key,
            cache: Mutex::new(HashMap::new()),
            permits: Semaphore::new(PERMITS),
            waiting: AtomicUsize::new(0),
            max_wait: MAX_WAIT,
            min_length: 1,
        })
    }

    /// With the configured cost and length rule.
    pub fn from_config(c: &crate::config::PasswordConfig) -> anyhow::Result<Passwords> {
        Ok(Passwords { min_length: c.min_length.max(1), ..Passwords::new(c.argon2_memory_kib, c.argon2_iterations)? })
    }

    /// Whether a new password meets the rules (length, in characters).
    pub fn check_new(&self, password: &str) -> Result<(), super::ServiceError> {
        let n = password.chars().count();
        if n == 0 {
            return Err(super::ServiceError::Invalid("password is required for local accounts".into()));
        }
        if n < self.min_length {
            let min = self.min_length;
            return Err(super::ServiceError::Invalid(format!("password is too short: at least {min} characters")));
        }
        if n > MAX_LENGTH {
            return Err(super::ServiceError::Invalid(format!("password is too long: at most {MAX_LENGTH} characters")));
        }
        Ok(())
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

    /// A hashing slot for a password check, unless too many checks are already waiting or the
    /// wait is too long.
    async fn check_permit(&self) -> Result<SemaphorePermit<'_>, Busy> {
        if let Ok(permit) = self.permits.try_acquire() {
            return Ok(permit);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Busy);
        }
        let _waiting = Waiting(&self.waiting);
        match tokio::time::timeout(self.max_wait, self.permits.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(Busy),
        }
    }

    /// Check `password` against a stored hash (`$argon2…` PHC string, or Gogs' hex PBKDF2 with
    /// its separate salt). `user_id` only scopes the cache entry. [`Busy`] when the check was
    /// refused without running (see the module documentation).
    pub async fn verify(&self, user_id: i64, password: &str, stored: &str, salt: &str) -> Result<bool, Busy> {
        if stored.is_empty() {
            return Ok(false);
        }
        let key = self.cache_entry(user_id, password, stored);
        if let Some(at) = self.cache.lock().unwrap().get(&key)
            && at.elapsed() < CACHE_TTL
        {
            return Ok(true);
        }
        let _permit = self.check_permit().await?;
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
        Ok(ok)
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
        assert_eq!(p.verify(1, "s3cret", &h, "").await, Ok(true));
        assert_eq!(p.verify(1, "s3cret", &h, "").await, Ok(true), "cached");
        assert_eq!(p.verify(1, "wrong", &h, "").await, Ok(false));
        assert_eq!(p.verify(1, "", "", "").await, Ok(false));
    }

    #[tokio::test]
    async fn bounded_wait_for_a_hashing_slot() {
        let p = std::sync::Arc::new(Passwords::new(64, 1).unwrap());
        let h = p.hash("right").await.unwrap();
        assert_eq!(p.verify(1, "right", &h, "").await, Ok(true));
        // Both slots taken, as by long-running hashes.
        let held = p.permits.acquire_many(PERMITS as u32).await.unwrap();
        let mut queued = Vec::new();
        for _ in 0..MAX_WAITING {
            let (p, h) = (p.clone(), h.clone());
            queued.push(tokio::spawn(async move { p.verify(1, "wrong", &h, "").await }));
        }
        while p.waiting.load(Ordering::SeqCst) < MAX_WAITING {
            tokio::task::yield_now().await;
        }
        let started = Instant::now();
        assert_eq!(p.verify(1, "other", &h, "").await, Err(Busy), "the queue is full");
        assert!(started.elapsed() < Duration::from_secs(1), "refused at once");
        assert_eq!(p.verify(1, "right", &h, "").await, Ok(true), "a recent success skips the queue");
        drop(held);
        for q in queued {
            assert_eq!(q.await.unwrap(), Ok(false));
        }
        assert_eq!(p.waiting.load(Ordering::SeqCst), 0);
        assert_eq!(p.verify(1, "other", &h, "").await, Ok(false), "slots free again");
    }

    #[tokio::test]
    async fn waits_are_bounded_in_time() {
        let mut p = Passwords::new(64, 1).unwrap();
        p.max_wait = Duration::from_millis(50);
        let h = p.hash("right").await.unwrap();
        let _held = p.permits.acquire_many(PERMITS as u32).await.unwrap();
        assert_eq!(p.verify(1, "right", &h, "").await, Err(Busy));
        assert_eq!(p.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn gogs_pbkdf2() {
        let mut out = [0u8; 50];
        pbkdf2::pbkdf2_hmac::<Sha256>(b"pw", b"abcdefghij", 10_000, &mut out);
        let stored = hex::encode(out);
        let p = Passwords::new(64, 1).unwrap();
        assert_eq!(p.verify(2, "pw", &stored, "abcdefghij").await, Ok(true));
        assert_eq!(p.verify(2, "pw2", &stored, "abcdefghij").await, Ok(false));
    }
}
