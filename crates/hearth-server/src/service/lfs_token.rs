//! The short-lived credentials `git-lfs-authenticate` hands out over SSH (the git-lfs client then
//! calls the HTTP batch API with them): one user, one repository, read or read-write, a few
//! minutes; signed with the server's secret key, so nothing is stored and any replica can check them.

use subtle::ConstantTimeEq;

use crate::app::AppState;

const PURPOSE: &str = "lfs token";
const PREFIX: &str = "hearth-lfs.";
/// How long a token works (git-lfs asks again when `expires_in` has passed).
pub const LIFETIME_SECS: i64 = 600;

/// What a valid token grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grant {
    pub user_id: i64,
    pub repo_id: i64,
    pub write: bool,
}

/// A token for `grant`, working until `now + LIFETIME_SECS`.
pub fn mint(state: &AppState, grant: Grant, now: i64) -> String {
    let payload = format!("{}.{}.{}.{}", grant.user_id, grant.repo_id, u8::from(grant.write), now + LIFETIME_SECS);
    format!("{PREFIX}{payload}.{}", state.secret.mac(PURPOSE, payload.as_bytes()))
}

/// Whether `token` looks like one of these (so other token kinds are not tried on it).
pub fn is_lfs_token(token: &str) -> bool {
    token.starts_with(PREFIX)
}

/// The grant of a live, untampered token.
pub fn verify(state: &AppState, token: &str, now: i64) -> Option<Grant> {
    let rest = token.strip_prefix(PREFIX)?;
    let (payload, mac) = rest.rsplit_once('.')?;
    let expected = state.secret.mac(PURPOSE, payload.as_bytes());
    if !bool::from(expected.as_bytes().ct_eq(mac.as_bytes())) {
        return None;
    }
    let mut parts = payload.split('.');
    let user_id = parts.next()?.parse().ok()?;
    let repo_id = parts.next()?.parse().ok()?;
    let write = match parts.next()? {
        "1" => true,
        "0" => false,
        _ => return None,
    };
    let expires: i64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && expires >= now).then_some(Grant { user_id, repo_id, write })
}
