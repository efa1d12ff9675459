//! Throw-away databases for tests: a temp SQLite file, or a uniquely named PostgreSQL
//! database created from `GSI_TEST_POSTGRES_URL` and dropped afterwards.
#![allow(clippy::expect_used)] // test support: a failed set-up should stop the test loudly

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::connection::{DatabaseUrl, DbPool, PoolSettings, build_pool, checkout};
use crate::migrate;

pub const POSTGRES_ENV: &str = "GSI_TEST_POSTGRES_URL";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The backends tests must cover here: SQLite always; PostgreSQL when
/// `GSI_TEST_POSTGRES_URL` is set. Under `CI=true` a missing PostgreSQL is a failure,
/// never a silent skip.
pub fn backends() -> Vec<Backend> {
    match std::env::var(POSTGRES_ENV) {
        Ok(url) if !url.is_empty() => vec![Backend::Sqlite, Backend::Postgres],
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but {POSTGRES_ENV} is not set: PostgreSQL tests must run in CI")
        }
        _ => vec![Backend::Sqlite],
    }
}

/// Runs `test` on a fresh, migrated database of every backend `backends()` names.
pub fn each_backend(test: impl Fn(&mut crate::DbConnection)) {
    for backend in backends() {
        let db = TestDatabase::create(backend);
        let pool = db.pool();
        let mut conn = checkout(&pool).expect("connection");
        test(&mut conn);
    }
}

/// A fresh database; removed when dropped.
pub struct TestDatabase {
    pub backend: Backend,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    SqliteFile(std::path::PathBuf),
    PostgresDatabase { admin_url: String, name: String },
}

impl TestDatabase {
    pub fn create(backend: Backend) -> Self {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("gsi-test-{unique}.db"));
                TestDatabase {
                    backend,
                    url: format!("sqlite://{}", path.display()),
                    cleanup: Cleanup::SqliteFile(path),
                }
            }
            Backend::Postgres => {
                let admin_url = without_tls(&std::env::var(POSTGRES_ENV).expect("GSI_TEST_POSTGRES_URL is set"));
                let name = format!("gsi_test_{unique}");
                let mut admin = PgConnection::establish(&admin_url)
                    .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {POSTGRES_ENV}: {e}"));
                admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
                TestDatabase {
                    backend,
                    url: replace_database(&admin_url, &name),
                    cleanup: Cleanup::PostgresDatabase { admin_url, name },
                }
            }
        }
    }

    /// A migrated pool on this database.
    pub fn pool(&self) -> DbPool {
        let pool =
            build_pool(DatabaseUrl::parse(&self.url).expect("test URL"), &PoolSettings::default()).expect("test pool");
        let mut conn = checkout(&pool).expect("connection");
        migrate::run_pending(&mut conn).expect("migrations");
        pool
    }
}

/// What a test compares to prove that a refused request changed nothing: per table, its
/// row count and a checksum over every row's content (rows sorted, so physical order does
/// not matter). Reading every row is cheap on the small databases tests use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageFingerprint {
    pub tables: std::collections::BTreeMap<String, TableFingerprint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableFingerprint {
    pub rows: i64,
    pub checksum: u64,
}

impl StorageFingerprint {
    /// The tables whose rows differ between `self` and `later` (added or removed tables too).
    pub fn changed_tables(&self, later: &StorageFingerprint) -> Vec<String> {
        let mut names: std::collections::BTreeSet<&String> = self.tables.keys().collect();
        names.extend(later.tables.keys());
        names.into_iter().filter(|name| self.tables.get(*name) != later.tables.get(*name)).cloned().collect()
    }
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

#[derive(diesel::QueryableByName)]
struct TableRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

/// Row counts and content checksums of every table in the database `conn` is on. Two
/// queries: the table (and, on SQLite, column) names, then every row of every table as text.
pub fn storage_fingerprint(conn: &mut crate::DbConnection) -> StorageFingerprint {
    use std::hash::{Hash, Hasher};
    let quote_ident = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let quote_text = |name: &str| format!("'{}'", name.replace('\'', "''"));
    let (names, rows): (Vec<String>, Vec<TableRow>) = match conn {
        crate::DbConnection::Postgresql(pg) => {
            let tables: Vec<TextRow> = diesel::sql_query(
                "SELECT tablename::text AS value FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1",
            )
            .load(pg)
            .expect("list tables");
            let names: Vec<String> = tables.into_iter().map(|t| t.value).collect();
            let union = names
                .iter()
                .map(|t| format!("SELECT {} AS table_name, r::text AS value FROM {} r", quote_text(t), quote_ident(t)))
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            let rows =
                if names.is_empty() { Vec::new() } else { diesel::sql_query(union).load(pg).expect("read tables") };
            (names, rows)
        }
        crate::DbConnection::Sqlite(sqlite) => {
            let columns: Vec<TableRow> = diesel::sql_query(
                "SELECT m.name AS table_name, p.name AS value FROM sqlite_master m, pragma_table_info(m.name) p \
                 WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid",
            )
            .load(sqlite)
            .expect("list tables and columns");
            let mut by_table: std::collections::BTreeMap<String, Vec<String>> = std::collections::BTreeMap::new();
            for c in columns {
                by_table.entry(c.table_name).or_default().push(format!("quote({})", quote_ident(&c.value)));
            }
            let union = by_table
                .iter()
                .map(|(t, cols)| {
                    format!(
                        "SELECT {} AS table_name, {} AS value FROM {}",
                        quote_text(t),
                        cols.join(" || ',' || "),
                        quote_ident(t)
                    )
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ");
            let rows = if by_table.is_empty() {
                Vec::new()
            } else {
                diesel::sql_query(union).load(sqlite).expect("read tables")
            };
            (by_table.into_keys().collect(), rows)
        }
    };
    let mut contents: std::collections::BTreeMap<String, Vec<String>> =
        names.into_iter().map(|name| (name, Vec::new())).collect();
    for row in rows {
        contents.entry(row.table_name).or_default().push(row.value);
    }
    let tables = contents
        .into_iter()
        .map(|(name, mut rows)| {
            rows.sort_unstable();
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            rows.hash(&mut hasher);
            (name, TableFingerprint { rows: rows.len() as i64, checksum: hasher.finish() })
        })
        .collect();
    StorageFingerprint { tables }
}

/// Test databases are local: unless the URL chooses an `sslmode`, connect without TLS. With
/// TLS, libpq's OpenSSL clean-up at process exit races with pool threads still closing their
/// connections, and the test binary died with SIGSEGV in libcrypto after every test passed.
fn without_tls(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// `postgres://user@host:5432/postgres?x=y` → `postgres://user@host:5432/<name>?x=y`
fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..].find('/').map(|i| i + scheme_end);
    let host = path_start.map_or(base, |i| &base[..i]);
    match query {
        Some(q) => format!("{host}/{name}?{q}"),
        None => format!("{host}/{name}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::SqliteFile(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let mut p = path.clone().into_os_string();
                    p.push(suffix);
                    let _ = std::fs::remove_file(p);
                }
            }
            Cleanup::PostgresDatabase { admin_url, name } => {
                if let Ok(mut admin) = PgConnection::establish(admin_url) {
                    let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_fingerprint_sees_a_changed_row_on_every_backend() {
        each_backend(|conn| {
            let before = storage_fingerprint(conn);
            assert!(before.tables.contains_key("organisations"), "{:?}", before.tables.keys());
            assert_eq!(before.changed_tables(&storage_fingerprint(conn)), Vec::<String>::new());
            conn.batch_execute(
                "INSERT INTO organisations (id, kind, name_th, created_at, updated_at, version) VALUES \
                 ('00000000-0000-7000-8000-0000000000aa', 'agency', 'a', '2026-01-01T00:00:00Z', \
                 '2026-01-01T00:00:00Z', 1)",
            )
            .expect("insert");
            let inserted = storage_fingerprint(conn);
            assert_eq!(before.changed_tables(&inserted), ["organisations"]);
            // Same row count, other content: the checksum sees it.
            conn.batch_execute("UPDATE organisations SET name_th = 'b'").expect("update");
            assert_eq!(inserted.changed_tables(&storage_fingerprint(conn)), ["organisations"]);
        });
    }

    #[test]
    fn test_databases_connect_without_tls_unless_the_url_says_otherwise() {
        assert_eq!(without_tls("postgres://h/db"), "postgres://h/db?sslmode=disable");
        assert_eq!(
            without_tls("postgres://h/db?application_name=t"),
            "postgres://h/db?application_name=t&sslmode=disable"
        );
        assert_eq!(without_tls("postgres://h/db?sslmode=require"), "postgres://h/db?sslmode=require");
    }

    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            replace_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            replace_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(replace_database("postgres://h", "t3"), "postgres://h/t3");
    }
}
