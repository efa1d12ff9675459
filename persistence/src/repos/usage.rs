//! Usage records (GSI-7.1) and the costs summed from them (GSI-7.5.3).
//!
//! Append-only: rows are inserted, never updated or deleted (the database refuses both). A
//! batch is read and written set-based: id lists as `IN (…)` chunks (SQLite) or one `unnest`
//! array (PostgreSQL), and multi-row `INSERT`s of a few hundred rows; never one round trip
//! per record. Each row keeps its rating and the statement month
//! it is billed in, and is re-checked through the domain when read back.

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Text};
use diesel::upsert::excluded;
use gsi_domain::OrganisationId;
use gsi_domain::billing::{CostScope, LineKind, RatedLine, RatedUsage, StatementLine, UsageSum, rate};
use gsi_domain::calendar::Month;
use gsi_domain::money::{Money, Quantity, UnitPrice};
use gsi_domain::usage::{ProviderRecordId, StoredUsage, UsageRecord, UsageRecordDraft};
use sha2::{Digest, Sha256};

use super::IN_LIST_CHUNK;
use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{usage_month_sums, usage_records};
use crate::types::{DbTimestamp, DbUuid};

/// Rows per multi-row `INSERT`: 21 columns × 500 rows = 10,500 bound parameters, well under
/// SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_INSERT: usize = 500;

/// Every column is given (`None` is NULL, never DEFAULT), so SQLite gets one multi-row
/// `INSERT` per chunk instead of one statement per row.
#[derive(Debug, Queryable, QueryableByName, Selectable, Insertable)]
#[diesel(table_name = usage_records, treat_none_as_default_value = false)]
struct UsageRecordRow {
    id: DbUuid,
    provider_id: DbUuid,
    record_id: String,
    agency_id: DbUuid,
    subscription_id: DbUuid,
    metric: String,
    quantity: String,
    quantity_micros: i64,
    period_start: DbTimestamp,
    period_end: DbTimestamp,
    corrects: Option<String>,
    content_hash: String,
    received_at: DbTimestamp,
    unit_price: String,
    reference_price: Option<String>,
    effective_price: String,
    amount_satang: i64,
    cap_applied: i32,
    usage_month: String,
    statement_month: String,
    is_adjustment: i32,
}

/// A rated usage record and where it is billed, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BilledUsage {
    pub rated: RatedUsage,
    /// The statement month it is billed in (`billing::StatementLine::place`).
    pub statement_month: Month,
    pub kind: LineKind,
}

impl BilledUsage {
    /// Its line on the statement of `statement_month`.
    pub fn line(&self) -> StatementLine {
        let r = &self.rated;
        StatementLine {
            kind: self.kind,
            usage_record: r.id,
            record_id: r.record.record_id.clone(),
            corrects: r.record.corrects.clone(),
            subscription: r.record.subscription,
            metric: r.record.metric,
            period: r.record.period,
            usage_month: r.usage_month(),
            recorded_at: r.recorded_at,
            rating: r.rating,
        }
    }
}

/// A fingerprint of what deduplication compares (the record as the provider sent it, in
/// canonical form), so a stored row that no longer matches its content is detected on read.
fn content_hash(record: &UsageRecord) -> String {
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}\n{}",
        record.record_id,
        record.subscription,
        record.metric,
        record.quantity,
        DbTimestamp::from(record.period.start()).0.timestamp_micros(),
        DbTimestamp::from(record.period.end()).0.timestamp_micros(),
        record.corrects.as_ref().map(ProviderRecordId::as_str).unwrap_or("-"),
    );
    hex(&Sha256::digest(canonical.as_bytes()))
}

/// Lower-case hex, into one allocation (not one `String` per byte: this runs per record).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

fn flag(value: bool) -> i32 {
    i32::from(value)
}

fn row_of(billed: &BilledUsage) -> Result<UsageRecordRow, StoreError> {
    let r = &billed.rated;
    let record = &r.record;
    let rating = &r.rating;
    let quantity_micros = rating
        .quantity
        .to_micros()
        .ok_or_else(|| corrupt("usage_records", format!("{}: quantity {} out of range", r.id, rating.quantity)))?;
    Ok(UsageRecordRow {
        id: r.id.into(),
        provider_id: r.provider.into(),
        record_id: record.record_id.to_string(),
        agency_id: r.agency.into(),
        subscription_id: record.subscription.into(),
        metric: record.metric.as_str().to_owned(),
        quantity: rating.quantity.to_string(),
        quantity_micros,
        period_start: record.period.start().into(),
        period_end: record.period.end().into(),
        corrects: record.corrects.as_ref().map(ToString::to_string),
        content_hash: content_hash(record),
        received_at: r.recorded_at.into(),
        unit_price: rating.unit_price.to_string(),
        reference_price: rating.reference_price.map(|p| p.to_string()),
        effective_price: rating.effective_price.to_string(),
        amount_satang: rating.amount.satang(),
        cap_applied: flag(rating.cap_applied),
        usage_month: r.usage_month().to_string(),
        statement_month: billed.statement_month.to_string(),
        is_adjustment: flag(billed.kind == LineKind::Adjustment),
    })
}

impl TryFrom<UsageRecordRow> for BilledUsage {
    type Error = StoreError;
    /// The record goes through the provider's parser again, and its rating is recomputed from
    /// the stored prices: a row that disagrees with itself is reported, never shown.
    fn try_from(row: UsageRecordRow) -> Result<Self, StoreError> {
        let id = row.id.0;
        let bad = |e: &dyn std::fmt::Display| corrupt("usage_records", format!("{id}: {e}"));
        let boolean = |name: &str, value: i32| match value {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(bad(&format!("{name} is {other}, not 0 or 1"))),
        };
        let record = UsageRecord::parse(&UsageRecordDraft {
            record_id: row.record_id,
            subscription_id: row.subscription_id.0.to_string(),
            metric: row.metric,
            quantity: row.quantity,
            period_start: row.period_start.0,
            period_end: row.period_end.0,
            corrects: row.corrects,
        })
        .map_err(|problems| {
            let fields: Vec<&str> = problems.iter().map(|p| p.field).collect();
            bad(&format!("invalid {}", fields.join(", ")))
        })?;
        if content_hash(&record) != row.content_hash {
            return Err(bad(&"content does not match its hash"));
        }
        if record.quantity.to_micros() != Some(row.quantity_micros) {
            return Err(bad(&"quantity_micros does not match quantity"));
        }
        let price = |raw: &str| UnitPrice::parse(raw).map_err(|e| bad(&e));
        let rating =
            rate(record.quantity, price(&row.unit_price)?, row.reference_price.as_deref().map(price).transpose()?)
                .map_err(|e| bad(&e))?;
        let stored = RatedLine {
            effective_price: price(&row.effective_price)?,
            amount: Money::from_satang(row.amount_satang),
            cap_applied: boolean("cap_applied", row.cap_applied)?,
            ..rating
        };
        if stored != rating {
            return Err(bad(&"stored rating differs from the rating of its prices"));
        }
        let usage_month = record.period.month();
        if row.usage_month != usage_month.to_string() {
            return Err(bad(&format!("usage_month {} but the period is in {usage_month}", row.usage_month)));
        }
        let statement_month: Month = row.statement_month.parse().map_err(|e| bad(&e))?;
        let kind = if boolean("is_adjustment", row.is_adjustment)? { LineKind::Adjustment } else { LineKind::Usage };
        if (kind == LineKind::Adjustment) != (statement_month > usage_month) || statement_month < usage_month {
            return Err(bad(&format!("{kind} line of {usage_month} on the statement of {statement_month}")));
        }
        Ok(BilledUsage {
            rated: RatedUsage {
                id: row.id.into(),
                record,
                agency: row.agency_id.into(),
                provider: row.provider_id.into(),
                recorded_at: row.received_at.0,
                rating,
            },
            statement_month,
            kind,
        })
    }
}

/// Appends the records of one accepted batch, in the fastest way the backend offers (see
/// [`InsertStrategy::fastest`]), and adds them to their monthly sums. Call inside the batch's
/// write transaction.
pub fn insert(conn: &mut DbConnection, records: &[BilledUsage]) -> Result<(), StoreError> {
    let rows = PreparedRows::of(records)?;
    insert_prepared(conn, &rows, InsertStrategy::fastest(conn))?;
    add_to_month_sums(conn, records)
}

#[derive(Debug, Insertable)]
#[diesel(table_name = usage_month_sums)]
struct MonthSumRow {
    subscription_id: DbUuid,
    metric: String,
    usage_month: String,
    agency_id: DbUuid,
    provider_id: DbUuid,
    quantity_micros: i64,
    amount_satang: i64,
    record_count: i64,
}

/// Adds the records of one accepted batch to the monthly sums of their subscriptions and
/// metrics: summed in memory first, so one upsert per month, subscription and metric (a
/// handful per subscription), not per record. Call inside the batch's write transaction.
fn add_to_month_sums(conn: &mut DbConnection, records: &[BilledUsage]) -> Result<(), StoreError> {
    let mut sums: BTreeMap<(DbUuid, &'static str, Month), MonthSumRow> = BTreeMap::new();
    for billed in records {
        let r = &billed.rated;
        let month = r.usage_month();
        let micros = r.rating.quantity.to_micros().ok_or_else(|| {
            corrupt("usage_records", format!("{}: quantity {} out of range", r.id, r.rating.quantity))
        })?;
        let row = sums.entry((r.record.subscription.into(), r.record.metric.as_str(), month)).or_insert_with(|| {
            MonthSumRow {
                subscription_id: r.record.subscription.into(),
                metric: r.record.metric.as_str().to_owned(),
                usage_month: month.to_string(),
                agency_id: r.agency.into(),
                provider_id: r.provider.into(),
                quantity_micros: 0,
                amount_satang: 0,
                record_count: 0,
            }
        });
        let overflow = || corrupt("usage_month_sums", format!("sum of {} out of range", row_key(r)));
        row.quantity_micros = row.quantity_micros.checked_add(micros).ok_or_else(overflow)?;
        row.amount_satang = row.amount_satang.checked_add(r.rating.amount.satang()).ok_or_else(overflow)?;
        row.record_count += 1;
    }
    for row in sums.values() {
        // Per backend: an upsert does not compile through the multi-connection backend.
        macro_rules! upsert {
            ($c:expr) => {
                diesel::insert_into(usage_month_sums::table)
                    .values(row)
                    .on_conflict((
                        usage_month_sums::subscription_id,
                        usage_month_sums::metric,
                        usage_month_sums::usage_month,
                    ))
                    .do_update()
                    .set((
                        usage_month_sums::quantity_micros
                            .eq(usage_month_sums::quantity_micros + excluded(usage_month_sums::quantity_micros)),
                        usage_month_sums::amount_satang
                            .eq(usage_month_sums::amount_satang + excluded(usage_month_sums::amount_satang)),
                        usage_month_sums::record_count
                            .eq(usage_month_sums::record_count + excluded(usage_month_sums::record_count)),
                    ))
                    .execute($c)?
            };
        }
        match conn {
            DbConnection::Sqlite(c) => upsert!(c),
            DbConnection::Postgresql(c) => upsert!(c),
        };
    }
    Ok(())
}

fn row_key(r: &RatedUsage) -> String {
    format!("{}/{}/{}", r.record.subscription, r.record.metric, r.usage_month())
}

/// Rows ready to write: converted, hashed and checked, so that writing them is the only work
/// left (what `make bench` times as the raw-insert baseline).
pub struct PreparedRows(Vec<UsageRecordRow>);

impl PreparedRows {
    pub fn of(records: &[BilledUsage]) -> Result<Self, StoreError> {
        records.iter().map(row_of).collect::<Result<Vec<_>, _>>().map(PreparedRows)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How rows reach the table. Measured by `make bench` on both backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertStrategy {
    /// Multi-row `INSERT … VALUES (…), (…)` of [`ROWS_PER_INSERT`] rows.
    MultiRow,
    /// One single-row `INSERT` per row, its prepared statement reused from the cache.
    PreparedPerRow,
    /// PostgreSQL `COPY … FROM STDIN (FORMAT binary)`.
    Copy,
}

impl InsertStrategy {
    /// The candidates on `conn`'s backend.
    pub fn candidates(conn: &DbConnection) -> &'static [InsertStrategy] {
        match conn {
            DbConnection::Sqlite(_) => &[InsertStrategy::MultiRow, InsertStrategy::PreparedPerRow],
            DbConnection::Postgresql(_) => {
                &[InsertStrategy::MultiRow, InsertStrategy::PreparedPerRow, InsertStrategy::Copy]
            }
        }
    }

    /// The fastest on `conn`'s backend, as measured by `make bench` (docs/performance.md):
    /// SQLite steps a cached single-row statement faster than it parses and plans a
    /// 10,500-parameter one; PostgreSQL takes binary COPY fastest.
    pub fn fastest(conn: &DbConnection) -> InsertStrategy {
        match conn {
            DbConnection::Sqlite(_) => InsertStrategy::PreparedPerRow,
            DbConnection::Postgresql(_) => InsertStrategy::Copy,
        }
    }
}

/// Writes prepared rows with `strategy` (`Copy` only on PostgreSQL). Call inside a
/// transaction.
pub fn insert_prepared(
    conn: &mut DbConnection,
    rows: &PreparedRows,
    strategy: InsertStrategy,
) -> Result<(), StoreError> {
    match (strategy, conn) {
        (InsertStrategy::MultiRow, DbConnection::Sqlite(c)) => {
            for chunk in rows.0.chunks(ROWS_PER_INSERT) {
                diesel::insert_into(usage_records::table).values(chunk).execute(c)?;
            }
        }
        (InsertStrategy::MultiRow, DbConnection::Postgresql(c)) => {
            for chunk in rows.0.chunks(ROWS_PER_INSERT) {
                diesel::insert_into(usage_records::table).values(chunk).execute(c)?;
            }
        }
        (InsertStrategy::PreparedPerRow, DbConnection::Sqlite(c)) => {
            for row in &rows.0 {
                diesel::insert_into(usage_records::table).values(row).execute(c)?;
            }
        }
        (InsertStrategy::PreparedPerRow, DbConnection::Postgresql(c)) => {
            for row in &rows.0 {
                diesel::insert_into(usage_records::table).values(row).execute(c)?;
            }
        }
        (InsertStrategy::Copy, DbConnection::Postgresql(c)) => {
            diesel::copy_from(usage_records::table).from_insertable(&rows.0).execute(c)?;
        }
        (InsertStrategy::Copy, DbConnection::Sqlite(_)) => {
            return Err(StoreError::Unavailable("COPY is a PostgreSQL statement".into()));
        }
    }
    Ok(())
}

/// Serialises the usage and statement writers of one provider until the transaction ends, so
/// that two batches cannot both store the same record id or bill into a month being closed.
/// On SQLite the write transaction (`BEGIN IMMEDIATE`) already serialises every writer; on
/// PostgreSQL this takes a transaction-scoped advisory lock. Call inside `write_tx`.
pub fn lock_provider(conn: &mut DbConnection, provider: OrganisationId) -> Result<(), StoreError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgresql(c) => {
            // The provider id is a UUID: safe to inline; the hash spreads it over 64 bits.
            c.batch_execute(&format!("SELECT pg_advisory_xact_lock(hashtextextended('gsi/usage/{provider}', 0))"))?;
            Ok(())
        }
    }
}

/// The stored records of `provider` among `record_ids`, by provider record id, each original
/// with its net quantity (its own plus every stored correction of it): what
/// `usage::validate_batch` decides duplicates, conflicts and corrections on.
pub fn stored_for(
    conn: &mut DbConnection,
    provider: OrganisationId,
    record_ids: &BTreeSet<ProviderRecordId>,
) -> Result<BTreeMap<ProviderRecordId, StoredUsage>, StoreError> {
    let ids: Vec<&str> = record_ids.iter().map(ProviderRecordId::as_str).collect();
    let records = rows_with_record_ids(conn, provider, &ids)?
        .into_iter()
        .map(|row| BilledUsage::try_from(row).map(|b| b.rated.record))
        .collect::<Result<Vec<_>, _>>()?;
    let originals: Vec<&str> = records.iter().filter(|r| !r.is_correction()).map(|r| r.record_id.as_str()).collect();
    let corrected = correction_sums(conn, provider, &originals)?;
    records
        .into_iter()
        .map(|record| {
            let corrections = corrected.get(record.record_id.as_str()).copied().unwrap_or(0);
            let net_quantity = record.quantity.checked_add(Quantity::from_micros(corrections)).ok_or_else(|| {
                corrupt("usage_records", format!("net quantity of {} out of range", record.record_id))
            })?;
            Ok((record.record_id.clone(), StoredUsage { record, net_quantity }))
        })
        .collect()
}

// On PostgreSQL the id lists are joined as `unnest($2)`: the planner then looks each id up
// in the index. `record_id = ANY($2)` on a table without statistics yet (a fresh database,
// before autovacuum's first ANALYZE) is estimated to match every row and scans the table,
// which made each 10,000-record batch slower than the one before.

/// The rows of `provider` whose provider record id is among `ids`.
fn rows_with_record_ids(
    conn: &mut DbConnection,
    provider: OrganisationId,
    ids: &[&str],
) -> Result<Vec<UsageRecordRow>, StoreError> {
    match conn {
        DbConnection::Postgresql(c) => Ok(diesel::sql_query(
            "SELECT u.* FROM unnest($2::text[]) AS wanted (record_id) \
             JOIN usage_records u ON u.provider_id = $1 AND u.record_id = wanted.record_id",
        )
        .bind::<crate::types::sql::Uuid, _>(DbUuid::from(provider))
        .bind::<Array<Text>, _>(ids)
        .load(c)?),
        DbConnection::Sqlite(c) => {
            let mut rows = Vec::new();
            for chunk in ids.chunks(IN_LIST_CHUNK) {
                rows.extend(
                    usage_records::table
                        .filter(usage_records::provider_id.eq(DbUuid::from(provider)))
                        .filter(usage_records::record_id.eq_any(chunk))
                        .select(UsageRecordRow::as_select())
                        .load(c)?,
                );
            }
            Ok(rows)
        }
    }
}

#[derive(Debug, QueryableByName)]
struct CorrectionSum {
    #[diesel(sql_type = Text)]
    corrects: String,
    #[diesel(sql_type = BigInt)]
    micros: i64,
}

/// Per original among `originals`, the sum of its stored corrections in millionths.
fn correction_sums(
    conn: &mut DbConnection,
    provider: OrganisationId,
    originals: &[&str],
) -> Result<BTreeMap<String, i64>, StoreError> {
    if originals.is_empty() {
        return Ok(BTreeMap::new());
    }
    let sums: Vec<CorrectionSum> = match conn {
        DbConnection::Postgresql(c) => diesel::sql_query(
            "SELECT u.corrects, CAST(SUM(u.quantity_micros) AS BIGINT) AS micros \
             FROM unnest($2::text[]) AS wanted (record_id) \
             JOIN usage_records u ON u.provider_id = $1 AND u.corrects = wanted.record_id \
             GROUP BY u.corrects",
        )
        .bind::<crate::types::sql::Uuid, _>(DbUuid::from(provider))
        .bind::<Array<Text>, _>(originals)
        .load(c)?,
        DbConnection::Sqlite(c) => {
            let mut sums = Vec::new();
            for chunk in originals.chunks(IN_LIST_CHUNK) {
                let found = usage_records::table
                    .filter(usage_records::provider_id.eq(DbUuid::from(provider)))
                    .filter(usage_records::corrects.eq_any(chunk))
                    .group_by(usage_records::corrects)
                    .select((usage_records::corrects, sql::<BigInt>("CAST(SUM(quantity_micros) AS BIGINT)")))
                    .load::<(Option<String>, i64)>(c)?;
                sums.extend(
                    found
                        .into_iter()
                        .filter_map(|(corrects, micros)| corrects.map(|corrects| CorrectionSum { corrects, micros })),
                );
            }
            sums
        }
    };
    Ok(sums.into_iter().map(|s| (s.corrects, s.micros)).collect())
}

/// Narrows costs to one agency or provider, within what the reader's scope allows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CostFilter {
    pub agency: Option<OrganisationId>,
    pub provider: Option<OrganisationId>,
}

/// GSI-7.5.3: usage of the months `from..=to` summed per month, subscription and metric, in
/// the database (`SUM` of satang and of millionths of a unit: exact integers).
pub fn sums(
    conn: &mut DbConnection,
    scope: CostScope,
    filter: CostFilter,
    from: Month,
    to: Month,
) -> Result<Vec<UsageSum>, StoreError> {
    // One row per month, subscription and metric, kept by `add_to_month_sums`.
    let mut query = usage_month_sums::table
        .select((
            usage_month_sums::usage_month,
            usage_month_sums::subscription_id,
            usage_month_sums::agency_id,
            usage_month_sums::provider_id,
            usage_month_sums::metric,
            usage_month_sums::quantity_micros,
            usage_month_sums::amount_satang,
        ))
        .filter(usage_month_sums::usage_month.ge(from.to_string()))
        .filter(usage_month_sums::usage_month.le(to.to_string()))
        .order((
            usage_month_sums::usage_month.asc(),
            usage_month_sums::subscription_id.asc(),
            usage_month_sums::metric.asc(),
        ))
        .into_boxed();
    match scope {
        CostScope::Everything => {}
        CostScope::Agency(agency) => query = query.filter(usage_month_sums::agency_id.eq(DbUuid::from(agency))),
        CostScope::Provider(provider) => query = query.filter(usage_month_sums::provider_id.eq(DbUuid::from(provider))),
        CostScope::Nothing => return Ok(Vec::new()),
    }
    if let Some(agency) = filter.agency {
        query = query.filter(usage_month_sums::agency_id.eq(DbUuid::from(agency)));
    }
    if let Some(provider) = filter.provider {
        query = query.filter(usage_month_sums::provider_id.eq(DbUuid::from(provider)));
    }
    let rows = query.load::<(String, DbUuid, DbUuid, DbUuid, String, i64, i64)>(conn)?;
    rows.into_iter()
        .map(|(month, subscription, agency, provider, metric, micros, satang)| {
            let bad = |e: &dyn std::fmt::Display| corrupt("usage_records", format!("sum for {month}/{metric}: {e}"));
            Ok(UsageSum {
                month: month.parse().map_err(|e| bad(&e))?,
                subscription: subscription.into(),
                agency: agency.into(),
                provider: provider.into(),
                metric: metric.parse().map_err(|e| bad(&e))?,
                quantity: Quantity::from_micros(micros),
                amount: Money::from_satang(satang),
            })
        })
        .collect()
}

/// What one subscription's usage in `month` (its month of use) was charged: the base of its
/// service credits (GSI-10.1). Zero when nothing was metered.
pub fn month_charge(
    conn: &mut DbConnection,
    subscription: gsi_domain::subscription::SubscriptionId,
    month: Month,
) -> Result<Money, StoreError> {
    let total: Option<i64> = usage_month_sums::table
        .filter(usage_month_sums::subscription_id.eq(DbUuid::from(subscription)))
        .filter(usage_month_sums::usage_month.eq(month.to_string()))
        .select(sql::<diesel::sql_types::Nullable<BigInt>>("CAST(SUM(amount_satang) AS BIGINT)"))
        .first(conn)?;
    Ok(Money::from_satang(total.unwrap_or(0)))
}

/// The records billed on the statement of `agency` with `provider` for `statement_month`, in
/// the order they arrived.
pub fn billed_on(
    conn: &mut DbConnection,
    agency: OrganisationId,
    provider: OrganisationId,
    statement_month: Month,
) -> Result<Vec<BilledUsage>, StoreError> {
    usage_records::table
        .filter(usage_records::provider_id.eq(DbUuid::from(provider)))
        .filter(usage_records::agency_id.eq(DbUuid::from(agency)))
        .filter(usage_records::statement_month.eq(statement_month.to_string()))
        .select(UsageRecordRow::as_select())
        .order(usage_records::id.asc())
        .load(conn)?
        .into_iter()
        .map(BilledUsage::try_from)
        .collect()
}

/// How many records `provider` has stored.
pub fn count_for_provider(conn: &mut DbConnection, provider: OrganisationId) -> Result<i64, StoreError> {
    Ok(usage_records::table.filter(usage_records::provider_id.eq(DbUuid::from(provider))).count().get_result(conn)?)
}

/// One keyset page of the rated usage of `month` (its month of use) that `scope` and `filter`
/// allow, ordered by id, after `after`: what streamed exports read chunk by chunk through the
/// `(usage_month, id)` index, so no export holds more than one page in memory.
pub fn page_of_month(
    conn: &mut DbConnection,
    scope: CostScope,
    filter: CostFilter,
    month: Month,
    after: Option<gsi_domain::usage::UsageRecordId>,
    limit: i64,
) -> Result<Vec<BilledUsage>, StoreError> {
    let mut query = usage_records::table
        .filter(usage_records::usage_month.eq(month.to_string()))
        .select(UsageRecordRow::as_select())
        .order(usage_records::id.asc())
        .limit(limit)
        .into_boxed();
    match scope {
        CostScope::Everything => {}
        CostScope::Agency(agency) => query = query.filter(usage_records::agency_id.eq(DbUuid::from(agency))),
        CostScope::Provider(provider) => query = query.filter(usage_records::provider_id.eq(DbUuid::from(provider))),
        CostScope::Nothing => return Ok(Vec::new()),
    }
    if let Some(agency) = filter.agency {
        query = query.filter(usage_records::agency_id.eq(DbUuid::from(agency)));
    }
    if let Some(provider) = filter.provider {
        query = query.filter(usage_records::provider_id.eq(DbUuid::from(provider)));
    }
    if let Some(after) = after {
        query = query.filter(usage_records::id.gt(DbUuid::from(after)));
    }
    query.load(conn)?.into_iter().map(BilledUsage::try_from).collect()
}
