//! Accounts: users, their keys, e-mails and tokens.

use hearth_store::keys::KeyRow;
use hearth_store::users::UserRow;
use md5::{Digest, Md5};
use serde::Serialize;
use utoipa::ToSchema;

use super::{Links, rfc3339};

/// A. User (schemas.md A1).
#[derive(Debug, Clone, Serialize, ToSchema)]
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
    pub fn new(links: &Links, u: &UserRow, show_email: bool) -> User {
        User {
            id: u.id,
            username: u.name.clone(),
            login: u.name.clone(),
            full_name: u.full_name.clone(),
            email: if show_email { u.email.clone() } else { String::new() },
            avatar_url: avatar_url(links, u),
        }
    }
}

/// Gravatar by default (as Gogs), or the server's own avatar path when Gravatar is disabled.
pub fn avatar_url(links: &Links, u: &UserRow) -> String {
    match &links.gravatar_source {
        Some(source) if !u.email.is_empty() => {
            let hash = hex::encode(Md5::digest(u.email.trim().to_lowercase().as_bytes()));
            format!("{source}{hash}?d=identicon")
        }
        _ => format!("{}avatars/{}", links.external_url, u.id),
    }
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
    pub fn new(links: &Links, k: &KeyRow) -> PublicKey {
        PublicKey {
            id: k.id,
            key: k.content.clone(),
            url: format!("{}/user/keys/{}", links.api_url, k.id),
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

/// A10. AccessToken, with Gitea's `id`, `token_last_eight` and `scopes`: `sha1` is the raw token
/// only in the create response (in lists, Gogs' identifier: a prefix of the token's SHA-256).
/// `scopes` is `[]` for a token made without scopes (full access).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccessToken {
    pub id: i64,
    pub name: String,
    pub sha1: String,
    pub token_last_eight: String,
    pub scopes: Vec<String>,
}

/// A24. `{"data": [...], "ok": true}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserSearchResults {
    pub data: Vec<User>,
    pub ok: bool,
}

/// Gitea's OAuth2Application; `client_secret` is only filled when the application is created or
/// gets a new secret (empty otherwise, as Gitea).
#[derive(Debug, Serialize, ToSchema)]
pub struct OAuth2Application {
    pub id: i64,
    pub name: String,
    pub client_id: String,
    pub client_secret: String,
    pub confidential_client: bool,
    pub skip_secondary_authorization: bool,
    pub redirect_uris: Vec<String>,
    pub created: String,
}
