//! Gogs' JSON shapes (spec schemas.md), field for field and in Gogs' order. Store rows are never
//! serialized directly.

use hearth_store::keys::KeyRow;
use hearth_store::users::UserRow;
use md5::{Digest, Md5};
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use crate::app::AppState;
use crate::service::emails::EmailEntry;

/// RFC 3339 with second precision, in UTC.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix).unwrap_or(OffsetDateTime::UNIX_EPOCH).format(&Rfc3339).unwrap_or_default()
}

/// A. User (schemas.md A1).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub login: String,
    pub full_name: String,
    /// Empty for anonymous callers of the user and search routes.
    pub email: String,
    pub avatar_url: String,
}

impl User {
    pub fn new(state: &AppState, u: &UserRow, show_email: bool) -> User {
        User {
            id: u.id,
            username: u.name.clone(),
            login: u.name.clone(),
            full_name: u.full_name.clone(),
            email: if show_email { u.email.clone() } else { String::new() },
            avatar_url: avatar_url(state, u),
        }
    }
}

/// Gravatar by default (as Gogs), or the server's own avatar path when Gravatar is disabled.
pub fn avatar_url(state: &AppState, u: &UserRow) -> String {
    if state.config.disable_gravatar || u.email.is_empty() {
        return format!("{}avatars/{}", state.external_url, u.id);
    }
    let hash = hex::encode(Md5::digest(u.email.trim().to_lowercase().as_bytes()));
    format!("{}{hash}?d=identicon", state.config.gravatar_source)
}

/// A7. PublicKey.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicKey {
    pub id: i64,
    pub key: String,
    pub url: String,
    pub title: String,
    pub created_at: String,
}

impl PublicKey {
    pub fn new(state: &AppState, k: &KeyRow) -> PublicKey {
        PublicKey {
            id: k.id,
            key: k.content.clone(),
            url: format!("{}/user/keys/{}", state.api_url, k.id),
            title: k.name.clone(),
            created_at: rfc3339(k.created_unix),
        }
    }
}

/// A9. Email.
#[derive(Debug, Serialize, ToSchema)]
pub struct Email {
    pub email: String,
    pub verified: bool,
    pub primary: bool,
}

impl From<EmailEntry> for Email {
    fn from(e: EmailEntry) -> Email {
        Email { email: e.email, verified: e.verified, primary: e.primary }
    }
}

/// A10. AccessToken: `sha1` is the raw token only in the create response.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    pub name: String,
    pub sha1: String,
}

/// A24. `{"data": [...], "ok": true}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserSearchResults {
    pub data: Vec<User>,
    pub ok: bool,
}

/// `GET /version` (a Gitea extension).
#[derive(Debug, Serialize, ToSchema)]
pub struct ServerVersion {
    pub version: String,
}
