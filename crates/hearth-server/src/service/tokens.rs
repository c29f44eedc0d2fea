//! Access tokens: 40 hex characters shown once; only their SHA-256 is stored. "Last used" times
//! are collected in memory and written in batches, so authenticating never writes to the database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use hearth_store::tokens::{self, NewToken, TokenRow};
use hearth_store::{Db, StoreError};
use sha2::{Digest, Sha256};

use super::token_scopes::Scopes;
use super::{ServiceError, ServiceResult, now_unix};

pub fn hash_token(raw: &str) -> String {
    hex::encode(Sha256::digest(raw.as_bytes()))
}

/// Create a token for `uid` with Gitea's `scopes` (none: full access); returns the row and the raw
/// token. An unknown scope is a 400 worded as Gitea's.
pub async fn create(db: &Db, uid: i64, name: &str, scopes: &[String]) -> ServiceResult<(TokenRow, String)> {
    let mut bytes = [0u8; 20];
    rand::fill(&mut bytes);
    let raw = hex::encode(bytes);
    let mut tx = db.begin().await?;
    if tokens::name_taken(tx.conn(), uid, name).await? {
        return Err(token_exists(name));
    }
    let scope = Scopes::parse(scopes)
        .map_err(|e| ServiceError::BadRequest(format!("invalid access token scope provided: {e}")))?
        .normalized();
    let new = NewToken {
        uid,
        name,
        sha256: &hash_token(&raw),
        scope: &scope,
        token_last_eight: &raw[raw.len() - 8..],
        now: now_unix(),
    };
    let row = tokens::insert(tx.conn(), &new).await.map_err(|e| match e {
        StoreError::Conflict(_) => token_exists(name),
        other => other.into(),
    })?;
    tx.commit().await?;
    Ok((row, raw))
}

fn token_exists(name: &str) -> ServiceError {
    ServiceError::Invalid(format!("access token already exists [name: {name}]"))
}

/// The user's tokens in creation order (all of them without `page`), and how many there are.
pub async fn list(db: &Db, uid: i64, page: Option<(i64, i64)>) -> ServiceResult<(Vec<TokenRow>, i64)> {
    let mut h = db.acquire().await?;
    let rows = tokens::list(h.conn(), uid, page).await?;
    let total = tokens::count(h.conn(), uid).await?;
    Ok((rows, total))
}

/// Delete one of the user's tokens, named as Gitea does: a non-zero integer is an id, anything
/// else a name (several tokens of that name: 422; names are unique here, so that cannot happen
/// for tokens made by hearth). The deletion bumps the rows epoch, so this server's token cache
/// forgets the token at once; other servers sharing the database stop accepting it within
/// [`TOKEN_CACHE_TTL`].
pub async fn delete(db: &Db, uid: i64, id_or_name: &str) -> ServiceResult<()> {
    let mut tx = db.begin().await?;
    let id = match id_or_name.parse::<i64>() {
        Ok(id) if id != 0 => id,
        _ => {
            let mut found = tokens::by_name(tx.conn(), uid, id_or_name).await?;
            match found.len() {
                0 => return Err(ServiceError::NotFound),
                1 => found.remove(0).id,
                _ => return Err(ServiceError::Invalid(format!("multiple matches for token name '{id_or_name}'"))),
            }
        }
    };
    if !tokens::delete(tx.conn(), uid, id).await? {
        return Err(ServiceError::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// Resolve a raw token to its id and owner.
pub async fn owner(db: &Db, raw: &str) -> ServiceResult<Option<tokens::TokenOwner>> {
    if raw.is_empty() || raw.len() > 200 {
        return Ok(None);
    }
    let mut h = db.acquire().await?;
    Ok(tokens::owner_by_hash(h.conn(), &hash_token(raw)).await?)
}

/// Recently resolved tokens, so that a CI bot's thousands of calls do not each query the database.
/// An entry is used only while no write to accounts or tokens has committed since it was read
/// (the store's rows epoch) and for at most [`TOKEN_CACHE_TTL`] (which bounds staleness
/// when several servers share one PostgreSQL database).
#[derive(Default)]
pub struct TokenCache {
    /// Token SHA-256 → (rows epoch when read, when read, the answer).
    entries: Mutex<HashMap<[u8; 32], CachedOwner>>,
}

type CachedOwner = (u64, std::time::Instant, Arc<ResolvedToken>);

/// A token's id, owner and scopes, as authentication uses them (shared, not copied, per request).
pub struct ResolvedToken {
    pub token_id: i64,
    pub user: Arc<hearth_store::users::UserRow>,
    pub scopes: Scopes,
}

pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(10);
const TOKEN_CACHE_MAX: usize = 10_000;

impl TokenCache {
    pub async fn owner(&self, db: &Db, raw: &str) -> ServiceResult<Option<Arc<ResolvedToken>>> {
        if raw.is_empty() || raw.len() > 200 {
            return Ok(None);
        }
        let digest: [u8; 32] = Sha256::digest(raw.as_bytes()).into();
        let epoch = db.rows_epoch();
        if let Some((e, at, owner)) = self.entries.lock().unwrap().get(&digest)
            && *e == epoch
            && at.elapsed() < TOKEN_CACHE_TTL
        {
            return Ok(Some(owner.clone()));
        }
        let mut h = db.acquire().await?;
        let Some(found) = tokens::owner_by_hash(h.conn(), &hex::encode(digest)).await? else { return Ok(None) };
        let found = Arc::new(ResolvedToken {
            token_id: found.token_id,
            scopes: Scopes::from_stored(&found.token_scope),
            user: Arc::new(found.user),
        });
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= TOKEN_CACHE_MAX {
            entries.clear();
        }
        entries.insert(digest, (epoch, std::time::Instant::now(), found.clone()));
        Ok(Some(found))
    }
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
            tokens::touch(tx.conn(), *id, *when).await?;
        }
        tx.commit().await?;
        Ok(batch.len())
    }
}
