//! The storage error type. The web layer maps it to HTTP once.

use rempart_domain::org::TreeError;
use rempart_domain::ValidationErrors;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist, or exists outside the caller's scope: the two are
    /// deliberately indistinguishable.
    #[error("not found")]
    NotFound,
    /// A unique value is already taken; `field` names the input field at fault.
    #[error("{field} is already taken")]
    Conflict { field: &'static str },
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
    #[error(transparent)]
    Tree(#[from] TreeError),
    /// The record changed since the caller read it.
    #[error("the record was changed by someone else")]
    Stale,
    #[error("unsupported database URL: {0}")]
    UnsupportedUrl(String),
    #[error("the database schema is newer ({found}) than this program knows ({known})")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the target database is not empty: table {0} has rows")]
    TargetNotEmpty(String),
    #[error("copy check failed: {0}")]
    CopyMismatch(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("i/o error: {0}")]
    Io(#[from] std::io::Error),
}

impl StoreError {
    /// Maps a unique-constraint violation to a conflict on `field`, anything else unchanged.
    pub fn unique_as(self, field: &'static str) -> StoreError {
        match &self {
            StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                StoreError::Conflict { field }
            }
            _ => self,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
