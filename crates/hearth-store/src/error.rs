use thiserror::Error;

/// Errors of the store. Unique-constraint violations are reported separately so that services can
/// turn them into Gogs' 422 "already exists" answers.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("row not found")]
    NotFound,
    #[error("unique constraint violated: {0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation => {
                StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_string())
            }
            _ => StoreError::Other(e),
        }
    }
}

impl StoreError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, StoreError::Conflict(_))
    }
}
