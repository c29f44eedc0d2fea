//! A counter bumped by every write to the `user` and `access_token` tables, so that caches of
//! authentication results (see hearth-server's token cache) can tell when they may be stale.

use std::sync::atomic::{AtomicU64, Ordering};

static ACCOUNTS_EPOCH: AtomicU64 = AtomicU64::new(0);

/// The current epoch of account data.
pub fn accounts_epoch() -> u64 {
    ACCOUNTS_EPOCH.load(Ordering::Acquire)
}

/// Mark account data as changed (called by the store after each write to those tables).
pub(crate) fn bump_accounts_epoch() {
    ACCOUNTS_EPOCH.fetch_add(1, Ordering::AcqRel);
}
