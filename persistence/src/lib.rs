//! GSI Hub storage: the only crate that knows SQL.
//!
//! One diesel schema serves SQLite (the embedded default) and PostgreSQL (production);
//! the backend is chosen from the database URL's scheme at run time. Repositories load
//! rows into domain types (`TryFrom`, never silently dropping a bad row) and save domain
//! types; they hold no business rules.

pub mod connection;
pub mod docs;
pub mod error;
pub mod migrate;
pub mod page;
pub mod repos;
pub mod schema;
pub mod types;

pub use connection::{
    DatabaseUrl, DbConnection, DbPool, InvalidDatabaseUrl, PoolSettings, PooledConnection, build_pool, checkout,
    read_tx, write_tx,
};
pub use error::StoreError;
pub use page::{Page, PageRequest};

#[cfg(any(test, feature = "test-support"))]
pub mod testing;

#[cfg(test)]
mod backend_tests;
