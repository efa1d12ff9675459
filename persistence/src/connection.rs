//! The connection enum, the pool, and the write-transaction helper.

use std::path::Path;
use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection};

use crate::error::StoreError;

/// One connection type for both backends; which one is decided by the URL scheme.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = r2d2::Pool<DbConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<DbConnectionManager>;

/// Where the data lives, parsed from `GSI_DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `postgres://…` or `postgresql://…`, passed to libpq as it is.
    Postgres(String),
    /// `sqlite://<path>` or `sqlite:<path>`: a file, created with its folder if missing.
    Sqlite(String),
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidDatabaseUrl {
    #[error("database URL must start with sqlite:// or postgres:// (got `{0}`)")]
    UnknownScheme(String),
    #[error("sqlite URL names no file (expected e.g. sqlite://data/gsi.db)")]
    EmptySqlitePath,
    #[error("in-memory SQLite is not supported: every pooled connection would see its own empty database; use a file")]
    InMemorySqlite,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, InvalidDatabaseUrl> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseUrl::Postgres(url.to_owned()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| InvalidDatabaseUrl::UnknownScheme(redact(url)))?;
        if path.is_empty() {
            return Err(InvalidDatabaseUrl::EmptySqlitePath);
        }
        if path.contains(":memory:") || path.contains("mode=memory") {
            return Err(InvalidDatabaseUrl::InMemorySqlite);
        }
        Ok(DatabaseUrl::Sqlite(path.to_owned()))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "postgresql",
            DatabaseUrl::Sqlite(_) => "sqlite",
        }
    }

    /// The URL without a password, for logs.
    pub fn redacted(&self) -> String {
        match self {
            DatabaseUrl::Postgres(url) => redact(url),
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        }
    }
}

/// Hides the password of `scheme://user:password@host/…`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

/// An r2d2 manager that opens the backend the URL names, and nothing else: a bad
/// PostgreSQL URL fails with PostgreSQL's own error instead of silently becoming a
/// SQLite file.
#[derive(Debug)]
pub struct DbConnectionManager {
    url: DatabaseUrl,
}

impl DbConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// SQLite settings are per connection, so every new connection gets them.
/// `busy_timeout` first: the others may already need to wait for a lock.
const SQLITE_PRAGMAS: [&str; 4] = [
    "PRAGMA busy_timeout = 5000;",
    "PRAGMA foreign_keys = ON;",
    "PRAGMA journal_mode = WAL;",
    // FULL: a change acknowledged to a client survives a power loss.
    "PRAGMA synchronous = FULL;",
];

impl ManageConnection for DbConnectionManager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        match &self.url {
            DatabaseUrl::Postgres(url) => {
                diesel::PgConnection::establish(url).map(DbConnection::Postgresql).map_err(r2d2::Error::ConnectionError)
            }
            DatabaseUrl::Sqlite(path) => {
                if let Some(parent) = Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| {
                        r2d2::Error::ConnectionError(ConnectionError::BadConnection(format!(
                            "cannot create folder {}: {e}",
                            parent.display()
                        )))
                    })?;
                }
                let mut conn = diesel::SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                for pragma in SQLITE_PRAGMAS {
                    conn.batch_execute(pragma).map_err(r2d2::Error::QueryError)?;
                }
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        // A connection handed back inside a transaction (a panic mid-way) is not reused.
        <DbConnection as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

#[derive(Debug, Clone)]
pub struct PoolSettings {
    pub max_size: u32,
    /// How long a request waits for a free connection before it is answered 503.
    pub connection_timeout: Duration,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self { max_size: 10, connection_timeout: Duration::from_secs(5) }
    }
}

/// Builds the pool and opens one connection, so a wrong URL fails at start, not at the
/// first request.
pub fn build_pool(url: DatabaseUrl, settings: &PoolSettings) -> Result<DbPool, StoreError> {
    // A SQLite connection is a file handle that cannot go stale, so checking it out does not
    // run r2d2's `SELECT 1` first (it was one of four statements per request, measured with
    // `make bench`); a PostgreSQL connection can be dropped by the server or the network.
    let test_on_check_out = matches!(url, DatabaseUrl::Postgres(_));
    let manager = DbConnectionManager::new(url);
    // Open one connection by hand first: r2d2 would only report a timeout.
    let mut probe = manager.connect().map_err(|e| StoreError::Unavailable(e.to_string()))?;
    manager.is_valid(&mut probe).map_err(|e| StoreError::Unavailable(e.to_string()))?;
    drop(probe);
    r2d2::Pool::builder()
        .max_size(settings.max_size)
        .connection_timeout(settings.connection_timeout)
        .test_on_check_out(test_on_check_out)
        .build(manager)
        .map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Takes a connection from the pool; a pool that stays exhausted past its timeout is
/// reported as `Unavailable`, which clients see as 503.
pub fn checkout(pool: &DbPool) -> Result<PooledConnection, StoreError> {
    pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// Runs `f` in one transaction that may write.
///
/// On SQLite the transaction starts with `BEGIN IMMEDIATE`: a deferred transaction that
/// reads and then writes cannot upgrade its lock under concurrency and fails with
/// "database is locked". On PostgreSQL it is a plain READ COMMITTED transaction; state
/// changes guard themselves with version checks in their `UPDATE … WHERE`.
pub fn write_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    let begun = match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE"),
        DbConnection::Postgresql(c) => AnsiTransactionManager::begin_transaction(c),
    };
    begun.map_err(StoreError::from)?;
    finish(conn, f)
}

/// Runs `f` in one read-only transaction, so a multi-query read sees one consistent state.
pub fn read_tx<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    <DbConnection as Connection>::TransactionManager::begin_transaction(conn).map_err(StoreError::from)?;
    finish(conn, f)
}

/// Runs `f` in the open transaction, then commits, or rolls back on any error.
fn finish<T, E>(conn: &mut DbConnection, f: impl FnOnce(&mut DbConnection) -> Result<T, E>) -> Result<T, E>
where
    E: From<StoreError>,
{
    match f(conn) {
        Ok(value) => match <DbConnection as Connection>::TransactionManager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(commit_error) => {
                rollback(conn);
                Err(StoreError::from(commit_error).into())
            }
        },
        Err(e) => {
            rollback(conn);
            Err(e)
        }
    }
}

fn rollback(conn: &mut DbConnection) {
    if let Err(e) = <DbConnection as Connection>::TransactionManager::rollback_transaction(conn) {
        // The connection is then marked broken and r2d2 discards it.
        log::error!("rollback failed: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_backend_by_scheme() {
        assert_eq!(DatabaseUrl::parse("sqlite://data/gsi.db").unwrap(), DatabaseUrl::Sqlite("data/gsi.db".into()));
        assert_eq!(DatabaseUrl::parse("sqlite:///tmp/x.db").unwrap(), DatabaseUrl::Sqlite("/tmp/x.db".into()));
        assert_eq!(DatabaseUrl::parse("postgres://u@h/db").unwrap(), DatabaseUrl::Postgres("postgres://u@h/db".into()));
        assert!(matches!(DatabaseUrl::parse("postgres:x.db"), Err(InvalidDatabaseUrl::UnknownScheme(_))));
        assert_eq!(DatabaseUrl::parse("sqlite://"), Err(InvalidDatabaseUrl::EmptySqlitePath));
        assert_eq!(DatabaseUrl::parse("sqlite::memory:"), Err(InvalidDatabaseUrl::InMemorySqlite));
    }

    #[test]
    fn redacts_passwords() {
        let url = DatabaseUrl::parse("postgres://gsi:secret@db:5432/gsi").unwrap();
        assert_eq!(url.redacted(), "postgres://gsi:***@db:5432/gsi");
        assert!(!format!("{:?}", DatabaseUrl::parse("mysql://a:secret@b").unwrap_err()).contains("secret"));
    }
}
