//! Access tokens: 40 hex characters shown once; only their SHA-256 is stored. "Last used" times
//! are collected in memory and written in batches, so authenticating never writes to the database.

use std::collections::HashMap;
use std::sync::Mutex;

use hearth_store::tokens::{self, TokenRow};
use hearth_store::{Db, StoreError};
use sha2::{Digest, Sha256};

use super::{ServiceError, ServiceResult, now_unix};

pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Create a token for `uid`; returns the row and the raw token.
pub async fn create(db: &Db, uid: i64, name: &str) -> ServiceResult<(TokenRow, String)> {
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    let raw = hex::encode(bytes);
    let mut tx = db.begin().await?;
    if tokens::name_taken(tx.c(), uid, name).await? {
        return Err(token_exists(name));
    }
    let row = tokens::insert(tx.c(), uid, name, &hash_token(&raw), now_unix()).await.map_err(|e| match e {
        StoreError::Conflict(_) => token_exists(name),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok((row, raw))
}

fn token_exists(name: &str) -> ServiceError {
    ServiceError::Invalid(format!("access token already exists [name: {name}]"))
}

/// Resolve a raw token to its id and owner.
pub async fn owner(db: &Db, raw: &str) -> ServiceResult<Option<tokens::TokenOwner>> {
    if raw.is_empty() || raw.len() > 200 {
        return Ok(None);
    }
    let mut h = db.acquire().await?;
    Ok(tokens::owner_by_hash(h.c(), &hash_token(raw)).await?)
}

/// In-memory "last used" times, flushed periodically and at shutdown.
#[derive(Default)]
pub struct TokenUsage {
    pending: Mutex<HashMap<i64, i64>>,
}

impl TokenUsage {
    pub fn touch(&self, token_id: i64) {
        self.pending.lock().unwrap().insert(token_id, now_unix());
    }

    pub async fn flush(&self, db: &Db) -> ServiceResult<usize> {
        let batch: Vec<(i64, i64)> = std::mem::take(&mut *self.pending.lock().unwrap()).into_iter().collect();
        if batch.is_empty() {
            return Ok(0);
        }
        let mut tx = db.begin().await?;
        for (id, when) in &batch {
            tokens::touch(tx.c(), *id, *when).await?;
        }
        tx.commit().await?;
        Ok(batch.len())
    }
}
