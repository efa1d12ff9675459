//! GIX's reference prices (GSI-7.1). Rows are never deleted and never re-priced: the only
//! change is closing a period (`valid_until`), so every cap that was in force stays in the
//! history as it was.

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::pricing::{NewReferencePrice, ReferencePrice, ReferencePriceDraft, ReferencePriceId};
use gsi_domain::service::{Metric, ServiceKind};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::reference_prices;
use crate::types::{DbTimestamp, DbUuid};

/// A reference price with who set it and its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePriceRecord {
    pub price: ReferencePrice,
    pub set_by_subject: String,
    pub set_by_organisation: OrganisationId,
    pub created_at: DateTime<Utc>,
    /// When the period was last closed; `created_at` until then.
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = reference_prices)]
struct ReferencePriceRow {
    id: DbUuid,
    service_kind: String,
    metric: String,
    unit_price: String,
    valid_from: DbTimestamp,
    valid_until: Option<DbTimestamp>,
    basis: Option<String>,
    set_by_subject: String,
    set_by_organisation_id: DbUuid,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

impl TryFrom<ReferencePriceRow> for ReferencePriceRecord {
    type Error = StoreError;
    /// Stored values go through the same parser as GIX's input.
    fn try_from(row: ReferencePriceRow) -> Result<Self, StoreError> {
        let draft = ReferencePriceDraft {
            kind: row.service_kind,
            metric: row.metric,
            unit_price: row.unit_price,
            valid_from: row.valid_from.0,
            valid_until: row.valid_until.map(|t| t.0),
            basis: row.basis,
        };
        let parsed =
            NewReferencePrice::parse(&draft).map_err(|e| corrupt("reference_prices", format!("{}: {e}", row.id.0)))?;
        Ok(ReferencePriceRecord {
            price: parsed.into_reference_price(row.id.into()),
            set_by_subject: row.set_by_subject,
            set_by_organisation: row.set_by_organisation_id.into(),
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

impl From<&ReferencePriceRecord> for ReferencePriceRow {
    fn from(r: &ReferencePriceRecord) -> Self {
        let p = &r.price;
        ReferencePriceRow {
            id: p.id.into(),
            service_kind: p.kind.as_str().to_owned(),
            metric: p.metric.as_str().to_owned(),
            unit_price: p.unit_price.to_string(),
            valid_from: p.period.from().into(),
            valid_until: p.period.until().map(Into::into),
            basis: p.basis.as_ref().map(ToString::to_string),
            set_by_subject: r.set_by_subject.clone(),
            set_by_organisation_id: r.set_by_organisation.into(),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            version: r.version,
        }
    }
}

pub fn insert(conn: &mut DbConnection, record: &ReferencePriceRecord) -> Result<(), StoreError> {
    diesel::insert_into(reference_prices::table).values(ReferencePriceRow::from(record)).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: ReferencePriceId) -> Result<Option<ReferencePriceRecord>, StoreError> {
    reference_prices::table
        .find(DbUuid::from(id))
        .select(ReferencePriceRow::as_select())
        .first(conn)
        .optional()?
        .map(ReferencePriceRecord::try_from)
        .transpose()
}

/// Every reference price ever set for `kind`, closed ones included, by metric and start:
/// the history the cap rule and the overlap rule are decided on.
pub fn all_for(conn: &mut DbConnection, kind: ServiceKind) -> Result<Vec<ReferencePrice>, StoreError> {
    reference_prices::table
        .filter(reference_prices::service_kind.eq(kind.as_str()))
        .select(ReferencePriceRow::as_select())
        .order((reference_prices::metric.asc(), reference_prices::valid_from.asc()))
        .load(conn)?
        .into_iter()
        .map(|row| ReferencePriceRecord::try_from(row).map(|r| r.price))
        .collect()
}

/// Serialises writers of one (kind, metric) series until the transaction ends, so two
/// overlapping prices cannot both pass the overlap check. On SQLite the write transaction
/// (`BEGIN IMMEDIATE`) already serialises every writer; on PostgreSQL this takes a
/// transaction-scoped advisory lock. Call inside `write_tx`.
pub fn lock_series(conn: &mut DbConnection, kind: ServiceKind, metric: Metric) -> Result<(), StoreError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgresql(c) => {
            let key = series_lock_key(kind, metric);
            c.batch_execute(&format!("SELECT pg_advisory_xact_lock({key})"))?;
            Ok(())
        }
    }
}

/// A stable 64-bit key per series (FNV-1a), the same in every process.
fn series_lock_key(kind: ServiceKind, metric: Metric) -> i64 {
    let text = format!("reference_prices/{}/{}", kind.as_str(), metric.as_str());
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// Writes the closed period of `record` (its `price.period`, `updated_at` and `version`)
/// only if the stored version is still `expected_version`; returns whether it did.
pub fn close_if_version(
    conn: &mut DbConnection,
    record: &ReferencePriceRecord,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        reference_prices::table
            .filter(reference_prices::id.eq(DbUuid::from(record.price.id)))
            .filter(reference_prices::version.eq(expected_version)),
    )
    .set((
        reference_prices::valid_until.eq(record.price.period.until().map(DbTimestamp::from)),
        reference_prices::updated_at.eq(DbTimestamp::from(record.updated_at)),
        reference_prices::version.eq(record.version),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ReferencePriceFilter {
    pub kind: Option<ServiceKind>,
    pub metric: Option<Metric>,
    /// Only prices in force at this instant (`valid_from <= at < valid_until`).
    pub at: Option<DateTime<Utc>>,
}

/// Reference prices in the order they were set (closed ones included).
pub fn list(
    conn: &mut DbConnection,
    filter: ReferencePriceFilter,
    page: PageRequest,
) -> Result<Page<ReferencePriceRecord>, StoreError> {
    let mut query = reference_prices::table
        .select(ReferencePriceRow::as_select())
        .order(reference_prices::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(reference_prices::service_kind.eq(kind.as_str()));
    }
    if let Some(metric) = filter.metric {
        query = query.filter(reference_prices::metric.eq(metric.as_str()));
    }
    if let Some(at) = filter.at {
        let at = DbTimestamp::from(at);
        query = query
            .filter(reference_prices::valid_from.le(at))
            .filter(reference_prices::valid_until.is_null().or(reference_prices::valid_until.gt(at)));
    }
    if let Some(after) = page.after {
        query = query.filter(reference_prices::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(ReferencePriceRecord::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |r| r.price.id.as_uuid()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_lock_keys_are_stable_and_distinct() {
        let a = series_lock_key(ServiceKind::Compute, Metric::VcpuHour);
        assert_eq!(a, series_lock_key(ServiceKind::Compute, Metric::VcpuHour));
        assert_ne!(a, series_lock_key(ServiceKind::Compute, Metric::RamGbHour));
        assert_ne!(a, series_lock_key(ServiceKind::Storage, Metric::VcpuHour));
    }
}
