//! Domain logic shared by the API and the CLI. Services know nothing of HTTP: they return
//! [`ServiceError`], which `error.rs` maps to Gogs' statuses in one place.

pub mod access;
pub mod accounts;
pub mod admin;
pub mod branch_protection;
pub mod collaborators;
pub mod commit_comments;
pub mod compare;
pub mod contents;
pub mod deploy_keys;
pub mod disk;
pub mod editorconfig;
pub mod emails;
pub mod feeds;
pub mod follows;
pub mod gists;
pub mod git_access;
pub mod health;
pub mod issue_lists;
pub mod issue_view;
pub mod issues;
pub mod keys;
pub mod labels;
pub mod lease;
pub mod lfs_objects;
pub mod lfs_token;
pub mod login_throttle;
pub mod mail;
pub mod migrate;
pub mod milestones;
pub mod names;
pub mod net_guard;
pub mod notices;
pub mod notifications;
pub mod oauth2;
pub mod orgs;
pub mod password_reset;
pub mod passwords;
pub mod pull_view;
pub mod pulls;
pub mod push;
pub mod refs;
pub mod releases;
pub mod repo_lists;
pub mod repo_manage;
pub mod repos;
pub mod reviews;
pub mod row_cache;
pub mod signals;
pub mod ssh_keys;
pub mod stars;
pub mod statuses;
pub mod templates;
pub mod token_scopes;
pub mod tokens;
pub mod two_factor;
pub mod webhooks;

use hearth_store::{StoreError, Unique};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("not found")]
    NotFound,
    /// 404 with a message (Gitea's "User 'x' not exist").
    #[error("{0}")]
    NotFoundMessage(String),
    /// 403 with a message.
    #[error("{0}")]
    Forbidden(String),
    /// 422 with a message (Gogs' `ErrorStatus(422, err)`).
    #[error("{0}")]
    Invalid(String),
    /// 400 with a message.
    #[error("{0}")]
    BadRequest(String),
    /// 409 with a message: the state changed under the caller.
    #[error("{0}")]
    Conflict(String),
    /// 412 with a message: a precondition of the change does not hold (a merged pull's state).
    #[error("{0}")]
    Precondition(String),
    /// 405 with a message: the action is not possible in this state (Gitea's merge refusals).
    #[error("{0}")]
    NotAllowed(String),
    /// 423 with a message: the repository is archived (read-only) and the request would change it.
    #[error("{0}")]
    Locked(String),
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
            StoreError::Conflict(unique) => ServiceError::Invalid(conflict_message(unique).to_string()),
            other => ServiceError::Internal(other.into()),
        }
    }
}

/// What a unique index protects, in the words of the field the user sent (services that know the
/// value add it, as Gogs does: `repository already exists [uname: …, name: …]`).
fn conflict_message(unique: Unique) -> &'static str {
    match unique {
        Unique::UserName => "user already exists",
        Unique::UserEmail | Unique::EmailAddress => "email has been used",
        Unique::TokenHash | Unique::TokenName => "access token already exists",
        Unique::KeyFingerprint => "public key already exists",
        Unique::KeyTitle => "public key name has been used",
        Unique::DeployKeyFingerprint => "deploy key already exists",
        Unique::DeployKeyTitle => "deploy key name has been used",
        Unique::RepoName => "repository already exists",
        Unique::ReleaseTag => "release already exists",
        Unique::TeamName => "team already exists",
        Unique::Follow => "user is already followed",
        Unique::Watch => "repository is already watched",
        Unique::Star => "repository is already starred",
        Unique::Mirror => "repository is already a mirror",
        Unique::OrgMember => "user is already a member of the organization",
        Unique::TeamMember => "user is already a member of the team",
        Unique::TeamRepo => "repository is already in the team",
        Unique::Collaborator => "user is already a collaborator",
        Unique::IssueIndex => "issue number is already taken, please try again",
        Unique::IssueLabel => "label is already on the issue",
        Unique::RepoRedirect => "repository name is already redirected",
        Unique::RepoTransfer => "repository is already being transferred",
        Unique::RepoTransferTeam => "team is already named in the transfer",
        Unique::PullIssue => "issue is already a pull request",
        Unique::CommitStatusIndex => "another status was added at the same time, please try again",
        Unique::ProtectedBranchRule => "Branch protection already exist",
        // Written with ON CONFLICT: never seen by a caller.
        Unique::NotificationThread => "notification thread exists",
        // Random values and an upserted grant: never seen by a caller.
        Unique::OAuth2ClientId | Unique::OAuth2TokenHash | Unique::OAuth2Grant => "oauth2 credential exists",
        Unique::LfsObject => "LFS object is already linked to the repository",
        Unique::LfsLock => "already created lock",
        Unique::Unknown => "already exists",
    }
}

/// Run a blocking git operation off the async workers: a missing repository is
/// [`ServiceError::NotFound`], any other git failure internal.
pub async fn git_blocking<T: Send + 'static>(
    f: impl FnOnce() -> hearth_git::GitResult<T> + Send + 'static,
) -> ServiceResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(anyhow::Error::from)?.map_err(|e| match e {
        hearth_git::GitError::NotFound => ServiceError::NotFound,
        other => ServiceError::Internal(other.into()),
    })
}

/// Current time in unix seconds.
pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conflicts_never_name_an_index() {
        for unique in [Unique::RepoName, Unique::TeamName, Unique::ReleaseTag, Unique::Watch, Unique::Unknown] {
            let ServiceError::Invalid(message) = ServiceError::from(StoreError::Conflict(unique)) else {
                panic!("{unique:?} is not a 422")
            };
            assert!(!message.contains('_') && !message.contains(':'), "{message}");
        }
    }
}
