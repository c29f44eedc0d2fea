use thiserror::Error;

#[derive(Debug, Error)]
pub enum GitError {
    #[error("repository not found")]
    NotFound,
    #[error("repository already exists on disk: {0}")]
    AlreadyExists(String),
    #[error("invalid name: {0}")]
    InvalidName(String),
    #[error("git: {0}")]
    Git(String),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
}

pub type GitResult<T> = Result<T, GitError>;

impl GitError {
    pub(crate) fn git(e: impl std::fmt::Display) -> GitError {
        GitError::Git(e.to_string())
    }
}
