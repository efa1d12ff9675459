//! Storage errors. Callers see what kind of failure it was, never SQL text.

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or the pool stayed exhausted: retry later (503).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A uniqueness rule refused the write; the constraint name says which.
    #[error("unique constraint violated: {0}")]
    UniqueViolation(String),
    /// A stored row does not parse into its domain type: data written by something else.
    #[error("stored row is invalid: {0}")]
    CorruptRow(String),
    #[error("database error: {0}")]
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                StoreError::UniqueViolation(info.constraint_name().unwrap_or(info.message()).to_owned())
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => {
                StoreError::Unavailable(info.message().to_owned())
            }
            other => StoreError::Database(other),
        }
    }
}

/// A row that does not convert into its domain type.
pub(crate) fn corrupt(table: &str, detail: impl std::fmt::Display) -> StoreError {
    StoreError::CorruptRow(format!("{table}: {detail}"))
}
