//! Domain logic shared by the API and the CLI. Services know nothing of HTTP: they return
//! [`ServiceError`], which `error.rs` maps to Gogs' statuses in one place.

pub mod access;
pub mod accounts;
pub mod collaborators;
pub mod deploy_keys;
pub mod editorconfig;
pub mod emails;
pub mod issue_view;
pub mod issues;
pub mod keys;
pub mod login_throttle;
pub mod migrate;
pub mod milestones;
pub mod names;
pub mod net_guard;
pub mod orgs;
pub mod passwords;
pub mod push;
pub mod repos;
pub mod ssh_keys;
pub mod templates;
pub mod tokens;
pub mod webhooks;

use hearth_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    /// 403 with a message.
    #[error("{0}")]
    Forbidden(String),
    /// 422 with a message (Gogs' `ErrorStatus(422, err)`).
    #[error("{0}")]
    Invalid(String),
    /// 400 with a message.
    #[error("{0}")]
    BadRequest(String),
    /// A binding-style field error (422 array).
    #[error("{field}: {message}")]
    Field { field: &'static str, classification: &'static str, message: &'static str },
    /// Too many failed logins for the name or from the address tried (429 with `Retry-After`).
    #[error("too many failed login attempts")]
    TooManyLoginAttempts { retry_after_secs: u64 },
    /// Too many password checks already waiting (503 with `Retry-After`).
    #[error("too many password checks waiting")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type ServiceResult<T> = Result<T, ServiceError>;

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> ServiceError {
        match e {
            StoreError::NotFound => ServiceError::NotFound,
            StoreError::Conflict(what) => ServiceError::Invalid(format!("already exists: {what}")),
            other => ServiceError::Internal(other.into()),
        }
    }
}

/// Current time in unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
