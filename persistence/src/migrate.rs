//! Embedded migrations, one folder per backend with the same migration names.

use diesel::connection::SimpleConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connection::DbConnection;
use crate::error::StoreError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Serialises migration runs of several instances starting at once on one PostgreSQL.
const MIGRATION_LOCK_KEY: i64 = 0x0067_7369_5f68_7562; // "gsi_hub" in ASCII

fn migration_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Unavailable(format!("migration failed: {e}"))
}

/// Applies every pending migration; returns the names applied.
pub fn run_pending(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    let applied = match conn {
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map_err(migration_error)?
            .into_iter()
            .map(|v| v.to_string())
            .collect(),
        DbConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|versions| versions.into_iter().map(|v| v.to_string()).collect::<Vec<_>>());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result.map_err(migration_error)?
        }
    };
    Ok(applied)
}

/// True when the database has every migration this binary knows.
pub fn is_up_to_date(conn: &mut DbConnection) -> Result<bool, StoreError> {
    let pending = match conn {
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
        DbConnection::Postgresql(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
    };
    pending.map(|p| !p).map_err(migration_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::migration::MigrationSource;

    fn names(source: &EmbeddedMigrations) -> Vec<String> {
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(source)
            .unwrap()
            .iter()
            .map(|m| m.name().to_string())
            .collect()
    }

    #[test]
    fn both_backends_have_the_same_migrations() {
        let sqlite = names(&SQLITE_MIGRATIONS);
        assert!(!sqlite.is_empty());
        assert_eq!(sqlite, names(&POSTGRES_MIGRATIONS));
    }
}
