//! Column types that differ between the backends, defined once.
//!
//! `MultiConnection` only knows the basic SQL types, so UUIDs, instants and JSON documents
//! get their own SQL types here: native `uuid`, `timestamptz` and `jsonb` on PostgreSQL,
//! `TEXT` on SQLite. Instants are stored on SQLite as fixed-width RFC 3339 text with
//! microseconds (`2026-12-01T04:00:00.000000Z`), so text order is time order.

use chrono::{DateTime, Utc};
use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::pg::Pg;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::HasSqlType;
use diesel::sqlite::Sqlite;
use std::io::Write;

use crate::connection::MultiBackend;

/// SQL type markers, used in `schema.rs`.
pub mod sql {
    #[derive(Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(oid = 2950, array_oid = 2951))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct Uuid;

    #[derive(Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(oid = 1184, array_oid = 1185))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct Instant;

    #[derive(Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
    #[diesel(postgres_type(oid = 3802, array_oid = 3807))]
    #[diesel(sqlite_type(name = "Text"))]
    pub struct Jsonb;
}

/// A UUID column value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql::Uuid)]
pub struct DbUuid(pub uuid::Uuid);

/// An instant column value (UTC, microsecond precision).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql::Instant)]
pub struct DbTimestamp(pub DateTime<Utc>);

/// A JSON document column value.
#[derive(Debug, Clone, PartialEq, AsExpression, FromSqlRow)]
#[diesel(sql_type = sql::Jsonb)]
pub struct DbJson(pub serde_json::Value);

impl<T> From<gsi_domain::Id<T>> for DbUuid {
    fn from(id: gsi_domain::Id<T>) -> Self {
        DbUuid(id.as_uuid())
    }
}

impl<T> From<DbUuid> for gsi_domain::Id<T> {
    fn from(id: DbUuid) -> Self {
        gsi_domain::Id::from_uuid(id.0)
    }
}

impl From<DateTime<Utc>> for DbTimestamp {
    fn from(t: DateTime<Utc>) -> Self {
        DbTimestamp(gsi_domain::time::to_storage_precision(t))
    }
}

const SQLITE_TIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.6fZ";

fn sqlite_text(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<String> {
    <String as FromSql<diesel::sql_types::Text, Sqlite>>::from_sql(value)
}

// --- UUID ---------------------------------------------------------------------------------

impl ToSql<sql::Uuid, Pg> for DbUuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        out.write_all(self.0.as_bytes())?;
        Ok(IsNull::No)
    }
}
impl FromSql<sql::Uuid, Pg> for DbUuid {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(DbUuid(uuid::Uuid::from_slice(value.as_bytes())?))
    }
}
impl ToSql<sql::Uuid, Sqlite> for DbUuid {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.hyphenated().to_string());
        Ok(IsNull::No)
    }
}
impl FromSql<sql::Uuid, Sqlite> for DbUuid {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(DbUuid(uuid::Uuid::parse_str(&sqlite_text(value)?)?))
    }
}

// --- instants -------------------------------------------------------------------------------

impl ToSql<sql::Instant, Pg> for DbTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<diesel::sql_types::Timestamptz, Pg>::to_sql(&self.0, &mut out.reborrow())
    }
}
impl FromSql<sql::Instant, Pg> for DbTimestamp {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <DateTime<Utc> as FromSql<diesel::sql_types::Timestamptz, Pg>>::from_sql(value).map(DbTimestamp)
    }
}
impl ToSql<sql::Instant, Sqlite> for DbTimestamp {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(self.0.format(SQLITE_TIME_FORMAT).to_string());
        Ok(IsNull::No)
    }
}
impl FromSql<sql::Instant, Sqlite> for DbTimestamp {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let text = sqlite_text(value)?;
        Ok(DbTimestamp(DateTime::parse_from_rfc3339(&text)?.with_timezone(&Utc)))
    }
}

// --- JSON -----------------------------------------------------------------------------------

impl ToSql<sql::Jsonb, Pg> for DbJson {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Pg>) -> serialize::Result {
        ToSql::<diesel::sql_types::Jsonb, Pg>::to_sql(&self.0, &mut out.reborrow())
    }
}
impl FromSql<sql::Jsonb, Pg> for DbJson {
    fn from_sql(value: <Pg as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        <serde_json::Value as FromSql<diesel::sql_types::Jsonb, Pg>>::from_sql(value).map(DbJson)
    }
}
impl ToSql<sql::Jsonb, Sqlite> for DbJson {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, Sqlite>) -> serialize::Result {
        out.set_value(serde_json::to_string(&self.0)?);
        Ok(IsNull::No)
    }
}
impl FromSql<sql::Jsonb, Sqlite> for DbJson {
    fn from_sql(value: <Sqlite as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        Ok(DbJson(serde_json::from_str(&sqlite_text(value)?)?))
    }
}

// --- the multi backend: delegate to whichever backend is connected ---------------------------

macro_rules! multi_backend_type {
    ($sql:ty, $rust:ty) => {
        impl HasSqlType<$sql> for MultiBackend {
            fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                MultiBackend::lookup_sql_type::<$sql>(lookup)
            }
        }
        impl FromSql<$sql, MultiBackend> for $rust {
            fn from_sql(value: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                value.from_sql::<$rust, $sql>()
            }
        }
        impl ToSql<$sql, MultiBackend> for $rust {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((<$sql>::default(), self));
                Ok(IsNull::No)
            }
        }
    };
}

multi_backend_type!(sql::Uuid, DbUuid);
multi_backend_type!(sql::Instant, DbTimestamp);
multi_backend_type!(sql::Jsonb, DbJson);
