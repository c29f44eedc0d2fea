//! The rows nearly every request reads — users by name, repositories by owner and name, the mode a
//! grant gives a user, a repository's pending transfer — kept in memory, so that a read served
//! from them touches no database connection at all.
//!
//! An entry is used only while the store's rows epoch is the one it was read under (every
//! committed transaction and every write to these rows bumps it, see [`hearth_store::Db`]) and
//! for at most [`ROW_CACHE_TTL`], which bounds staleness when another process (a replica, or a
//! CLI command) writes the same database. The epoch is read before the query, so a write that
//! commits while a row is being read leaves that row stale at once.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hearth_store::repos::{self as repo_store, RepoRow};
use hearth_store::users::{self as user_store, UserRow};
use hearth_store::{Db, StoreResult, access as grants};

use super::access::{AccessMode, base_mode};
use super::repo_manage::{self, Pending};
use super::{ServiceError, ServiceResult};

/// How long another process's write may go unseen (the token cache's bound, so that a revoked
/// token and a deleted repository stop working on every replica within the same time).
pub const ROW_CACHE_TTL: Duration = super::tokens::TOKEN_CACHE_TTL;
/// Entries per kind; a full shelf is emptied rather than managed (a cold start costs one query
/// per row, which is what every request cost before).
const SHELF_MAX: usize = 10_000;

/// Kept answers are larger (about 1.5 KiB each): fewer of them.
const ANSWERS_MAX: usize = 2_000;

/// One kind of cached row.
struct Shelf<K, V> {
    entries: Mutex<HashMap<K, (u64, Instant, V)>>,
    max: usize,
}

impl<K, V> Default for Shelf<K, V> {
    fn default() -> Self {
        Shelf::with_max(SHELF_MAX)
    }
}

impl<K, V> Shelf<K, V> {
    fn with_max(max: usize) -> Self {
        Shelf { entries: Mutex::default(), max }
    }
}

impl<K: Hash + Eq, V: Clone> Shelf<K, V> {
    fn get<Q>(&self, key: &Q, epoch: u64) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let entries = self.entries.lock().unwrap();
        let (e, at, value) = entries.get(key)?;
        (*e == epoch && at.elapsed() < ROW_CACHE_TTL).then(|| value.clone())
    }

    fn put(&self, key: K, epoch: u64, value: V) {
        let mut entries = self.entries.lock().unwrap();
        if entries.len() >= self.max {
            entries.clear();
        }
        entries.insert(key, (epoch, Instant::now(), value));
    }
}

pub struct RowCache {
    /// Users (individuals and organisations) by lower-case name.
    users: Shelf<String, Arc<UserRow>>,
    /// Repositories by owner id and lower-case name.
    repos: Shelf<(i64, String), Arc<RepoRow>>,
    /// The mode grants give (user id, repository id), for callers whose mode is not decided by
    /// the repository alone.
    granted: Shelf<(i64, i64), AccessMode>,
    /// A repository's pending transfer, or none.
    transfers: Shelf<i64, Option<Arc<Pending>>>,
    /// Serialized answers of the hottest reads, by what they show, the row's id and what about the
    /// caller changes them (see [`Answer`]); built from rows the epoch covers.
    answers: Shelf<(Answer, i64, u8), axum::body::Bytes>,
}

/// A kept answer's kind, with what about the caller its bits hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Answer {
    /// `GET /repos/{owner}/{repo}`: the caller's permission bits (admin, push, pull).
    Repo,
    /// `GET /users/{username}`: whether the caller is signed in (the e-mail is shown).
    User,
}

impl Default for RowCache {
    fn default() -> Self {
        RowCache {
            users: Shelf::default(),
            repos: Shelf::default(),
            granted: Shelf::default(),
            transfers: Shelf::default(),
            answers: Shelf::with_max(ANSWERS_MAX),
        }
    }
}

impl RowCache {
    /// The user or organisation named `name` (any case).
    pub async fn user_by_name(&self, db: &Db, name: &str) -> StoreResult<Option<Arc<UserRow>>> {
        let key = name.to_lowercase();
        let epoch = db.rows_epoch();
        if let Some(found) = self.users.get(key.as_str(), epoch) {
            return Ok(Some(found));
        }
        let mut h = db.acquire().await?;
        let Some(user) = user_store::by_name(h.conn(), name).await? else { return Ok(None) };
        let user = Arc::new(user);
        self.users.put(key, epoch, user.clone());
        Ok(Some(user))
    }

    /// `owner`'s repository named `name` (any case).
    pub async fn repo_by_name(&self, db: &Db, owner_id: i64, name: &str) -> StoreResult<Option<Arc<RepoRow>>> {
        let key = (owner_id, name.to_lowercase());
        let epoch = db.rows_epoch();
        if let Some(found) = self.repos.get(&key, epoch) {
            return Ok(Some(found));
        }
        let mut h = db.acquire().await?;
        let Some(repo) = repo_store::by_name(h.conn(), owner_id, name).await? else { return Ok(None) };
        let repo = Arc::new(repo);
        self.repos.put(key, epoch, repo.clone());
        Ok(Some(repo))
    }

    /// [`super::access::access_mode`], with the grants query cached.
    pub async fn access_mode(&self, db: &Db, user: Option<&UserRow>, repo: &RepoRow) -> StoreResult<AccessMode> {
        let start = match base_mode(user, repo) {
            Ok(decided) => return Ok(decided),
            Err(start) => start,
        };
        let uid = user.map(|u| u.id).unwrap_or(0);
        let epoch = db.rows_epoch();
        let granted = match self.granted.get(&(uid, repo.id), epoch) {
            Some(mode) => mode,
            None => {
                let mut h = db.acquire().await?;
                let mode = grants::granted_mode(h.conn(), uid, repo.id, repo.owner_id).await?;
                self.granted.put((uid, repo.id), epoch, mode);
                mode
            }
        };
        Ok(granted.max(start))
    }

    /// The kept answer of `kind` for row `id` and caller `bits`, if still current.
    pub fn answer(&self, db: &Db, kind: Answer, id: i64, bits: u8) -> Option<axum::body::Bytes> {
        self.answers.get(&(kind, id, bits), db.rows_epoch())
    }

    /// Keep an answer built from rows read under `epoch` (taken before they were read).
    pub fn keep_answer(&self, kind: Answer, id: i64, bits: u8, epoch: u64, body: axum::body::Bytes) {
        self.answers.put((kind, id, bits), epoch, body);
    }

    /// The repository's pending transfer, if any ([`repo_manage::pending`]).
    pub async fn pending_transfer(&self, db: &Db, repo: &RepoRow) -> ServiceResult<Option<Arc<Pending>>> {
        let epoch = db.rows_epoch();
        if let Some(found) = self.transfers.get(&repo.id, epoch) {
            return Ok(found);
        }
        let mut h = db.acquire().await.map_err(ServiceError::from)?;
        let found = repo_manage::pending(&mut h, repo).await?.map(Arc::new);
        self.transfers.put(repo.id, epoch, found.clone());
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_used_only_under_its_epoch() {
        let shelf: Shelf<i64, i64> = Shelf::default();
        shelf.put(1, 7, 42);
        assert_eq!(shelf.get(&1, 7), Some(42));
        assert_eq!(shelf.get(&1, 8), None);
        assert_eq!(shelf.get(&2, 7), None);
    }

    #[test]
    fn a_full_shelf_starts_again() {
        let shelf: Shelf<usize, usize> = Shelf::default();
        for i in 0..=SHELF_MAX {
            shelf.put(i, 1, i);
        }
        assert_eq!(shelf.get(&SHELF_MAX, 1), Some(SHELF_MAX));
        assert_eq!(shelf.get(&0, 1), None);
        assert_eq!(shelf.entries.lock().unwrap().len(), 1);
    }
}
