//! Monthly statements per agency and provider (GSI-7.5.3, the monthly figures of GSI-13.3).
//!
//! A statement row keeps the totals of its lines, updated in the transaction that adds them,
//! so lists need no sums; its lines are the usage records billed on it
//! (`usage::billed_on`). An issued statement is never written again: every update is guarded
//! by `status = 'open'`.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::billing::{CostScope, Statement, StatementId, StatementStatus};
use gsi_domain::calendar::Month;
use gsi_domain::money::Money;

use super::usage::{self, BilledUsage};
use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::statements;
use crate::types::{DbTimestamp, DbUuid};

/// A statement without its lines, as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRecord {
    pub id: StatementId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub month: Month,
    pub status: StatementStatus,
    pub issued_at: Option<DateTime<Utc>>,
    /// Sum of the usage lines of the month itself.
    pub usage_total: Money,
    /// Sum of the adjustment lines (late usage of issued months).
    pub adjustment_total: Money,
    pub total: Money,
    pub line_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl StatementRecord {
    /// A new statement holding the lines of `statement` (opened or issued at `now`).
    pub fn of(statement: &Statement, now: DateTime<Utc>) -> Result<Self, StoreError> {
        let money = |r: Result<Money, _>| r.map_err(|e| corrupt("statements", format!("{}: {e}", statement.id())));
        let now = gsi_domain::time::to_storage_precision(now);
        Ok(StatementRecord {
            id: statement.id(),
            agency: statement.agency(),
            provider: statement.provider(),
            month: statement.month(),
            status: statement.status(),
            issued_at: statement.issued_at(),
            usage_total: money(statement.usage_total())?,
            adjustment_total: money(statement.adjustment_total())?,
            total: money(statement.total())?,
            line_count: i64::try_from(statement.lines().len()).unwrap_or(i64::MAX),
            created_at: now,
            updated_at: now,
            version: 1,
        })
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = statements)]
struct StatementRow {
    id: DbUuid,
    agency_id: DbUuid,
    provider_id: DbUuid,
    month: String,
    status: String,
    issued_at: Option<DbTimestamp>,
    usage_total_satang: i64,
    adjustment_total_satang: i64,
    total_satang: i64,
    line_count: i64,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

impl From<&StatementRecord> for StatementRow {
    fn from(s: &StatementRecord) -> Self {
        StatementRow {
            id: s.id.into(),
            agency_id: s.agency.into(),
            provider_id: s.provider.into(),
            month: s.month.to_string(),
            status: s.status.as_str().to_owned(),
            issued_at: s.issued_at.map(Into::into),
            usage_total_satang: s.usage_total.satang(),
            adjustment_total_satang: s.adjustment_total.satang(),
            total_satang: s.total.satang(),
            line_count: s.line_count,
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
            version: s.version,
        }
    }
}

impl TryFrom<StatementRow> for StatementRecord {
    type Error = StoreError;
    fn try_from(row: StatementRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("statements", format!("{}: {e}", row.id.0));
        let status: StatementStatus = row.status.parse().map_err(|e| bad(&e))?;
        if (status == StatementStatus::Issued) != row.issued_at.is_some() {
            return Err(bad(&format!("{status} statement with issued_at {:?}", row.issued_at.map(|t| t.0))));
        }
        let usage_total = Money::from_satang(row.usage_total_satang);
        let adjustment_total = Money::from_satang(row.adjustment_total_satang);
        if usage_total.checked_add(adjustment_total) != Some(Money::from_satang(row.total_satang)) {
            return Err(bad(&"total is not the sum of usage and adjustments"));
        }
        if row.line_count < 0 {
            return Err(bad(&"negative line count"));
        }
        Ok(StatementRecord {
            id: row.id.into(),
            agency: row.agency_id.into(),
            provider: row.provider_id.into(),
            month: row.month.parse().map_err(|e| bad(&e))?,
            status,
            issued_at: row.issued_at.map(|t| t.0),
            usage_total,
            adjustment_total,
            total: Money::from_satang(row.total_satang),
            line_count: row.line_count,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

pub fn insert(conn: &mut DbConnection, records: &[StatementRecord]) -> Result<(), StoreError> {
    // A batch opens at most a statement per agency and month: a handful of rows.
    for record in records {
        diesel::insert_into(statements::table).values(StatementRow::from(record)).execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: StatementId) -> Result<Option<StatementRecord>, StoreError> {
    statements::table
        .find(DbUuid::from(id))
        .select(StatementRow::as_select())
        .first(conn)
        .optional()?
        .map(StatementRecord::try_from)
        .transpose()
}

/// The statement with its lines, in the order they arrived. Its stored totals must be the
/// sums of its lines, or the row is reported as corrupt.
pub fn with_lines(conn: &mut DbConnection, record: &StatementRecord) -> Result<Statement, StoreError> {
    let lines =
        usage::billed_on(conn, record.agency, record.provider, record.month)?.iter().map(BilledUsage::line).collect();
    let statement =
        Statement::from_parts(record.id, record.agency, record.provider, record.month, record.issued_at, lines);
    let recomputed = StatementRecord::of(&statement, record.created_at)?;
    let same = (recomputed.usage_total, recomputed.adjustment_total, recomputed.line_count)
        == (record.usage_total, record.adjustment_total, record.line_count);
    if !same {
        return Err(corrupt("statements", format!("{}: totals differ from its lines", record.id)));
    }
    Ok(statement)
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StatementFilter {
    pub month: Option<Month>,
    pub status: Option<StatementStatus>,
    pub agency: Option<OrganisationId>,
    pub provider: Option<OrganisationId>,
}

/// Statements in `scope` (`billing::cost_scope`) matching `filter`, oldest first.
pub fn list(
    conn: &mut DbConnection,
    scope: CostScope,
    filter: StatementFilter,
    page: PageRequest,
) -> Result<Page<StatementRecord>, StoreError> {
    let mut query = statements::table
        .select(StatementRow::as_select())
        .order(statements::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        CostScope::Everything => {}
        CostScope::Agency(agency) => query = query.filter(statements::agency_id.eq(DbUuid::from(agency))),
        CostScope::Provider(provider) => query = query.filter(statements::provider_id.eq(DbUuid::from(provider))),
        CostScope::Nothing => return Ok(Page { items: Vec::new(), next_after: None }),
    }
    if let Some(month) = filter.month {
        query = query.filter(statements::month.eq(month.to_string()));
    }
    if let Some(status) = filter.status {
        query = query.filter(statements::status.eq(status.as_str()));
    }
    if let Some(agency) = filter.agency {
        query = query.filter(statements::agency_id.eq(DbUuid::from(agency)));
    }
    if let Some(provider) = filter.provider {
        query = query.filter(statements::provider_id.eq(DbUuid::from(provider)));
    }
    if let Some(after) = page.after {
        query = query.filter(statements::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(StatementRecord::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |s| s.id.as_uuid()))
}

/// The months `provider` has closed: late usage of these is billed in a later month.
pub fn issued_months(conn: &mut DbConnection, provider: OrganisationId) -> Result<BTreeSet<Month>, StoreError> {
    statements::table
        .filter(statements::provider_id.eq(DbUuid::from(provider)))
        .filter(statements::status.eq(StatementStatus::Issued.as_str()))
        .select(statements::month)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .map(|m| m.parse().map_err(|e| corrupt("statements", format!("month `{m}`: {e}"))))
        .collect()
}

/// The statements of `provider` for `months`, every agency and status.
pub fn of_months(
    conn: &mut DbConnection,
    provider: OrganisationId,
    months: &BTreeSet<Month>,
) -> Result<Vec<StatementRecord>, StoreError> {
    let months: Vec<String> = months.iter().map(ToString::to_string).collect();
    statements::table
        .filter(statements::provider_id.eq(DbUuid::from(provider)))
        .filter(statements::month.eq_any(months))
        .select(StatementRow::as_select())
        .order(statements::id.asc())
        .load(conn)?
        .into_iter()
        .map(StatementRecord::try_from)
        .collect()
}

/// Adds lines worth `usage` and `adjustment` to an open statement; false if it is no longer
/// open (an issued statement never changes).
pub fn add_lines(
    conn: &mut DbConnection,
    id: StatementId,
    usage: Money,
    adjustment: Money,
    lines: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let total = usage.checked_add(adjustment).ok_or_else(|| corrupt("statements", format!("{id}: total overflows")))?;
    let updated = diesel::update(
        statements::table
            .filter(statements::id.eq(DbUuid::from(id)))
            .filter(statements::status.eq(StatementStatus::Open.as_str())),
    )
    .set((
        statements::usage_total_satang.eq(statements::usage_total_satang + usage.satang()),
        statements::adjustment_total_satang.eq(statements::adjustment_total_satang + adjustment.satang()),
        statements::total_satang.eq(statements::total_satang + total.satang()),
        statements::line_count.eq(statements::line_count + lines),
        statements::updated_at.eq(DbTimestamp::from(now)),
        statements::version.eq(statements::version + 1),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Issues the open statements of `provider` for `month` at `now`; returns how many.
pub fn issue_open(
    conn: &mut DbConnection,
    provider: OrganisationId,
    month: Month,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        statements::table
            .filter(statements::provider_id.eq(DbUuid::from(provider)))
            .filter(statements::month.eq(month.to_string()))
            .filter(statements::status.eq(StatementStatus::Open.as_str())),
    )
    .set((
        statements::status.eq(StatementStatus::Issued.as_str()),
        statements::issued_at.eq(Some(DbTimestamp::from(now))),
        statements::updated_at.eq(DbTimestamp::from(now)),
        statements::version.eq(statements::version + 1),
    ))
    .execute(conn)?)
}
