//! Providers' offerings (GSI-3.6–3.8, 5.1, 7.1, 10.1, 10.2, A.1.3) and their price history.
//!
//! Pricing lines, SLA terms and capacity limits are value objects of the offering and are
//! stored with it as JSON documents, so an offering is read and written whole. The price
//! history is its own table: one row per (metric, effective_from), appended, never changed,
//! so a charge can always be rated at the price in force when the resource was used.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::catalog::{
    CapacityLimitDraft, CapacityLimits, CatalogScope, Offering, OfferingDetails, OfferingDraft, OfferingId,
    OfferingRole, OfferingState, PricingLineDraft, PricingLines,
};
use gsi_domain::money::UnitPrice;
use gsi_domain::pricing::PricePoint;
use gsi_domain::service::{Metric, ServiceFamily, ServiceKind};
use gsi_domain::{Id, OrganisationId};
use serde::{Deserialize, Serialize};

use crate::connection::DbConnection;
use crate::docs::SlaDoc;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::{offering_prices, offerings};
use crate::types::{DbJson, DbTimestamp, DbUuid};

/// An offering with its timestamps (the domain type carries no clock fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingRecord {
    pub offering: Offering,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ROLE_BASE: &str = "base";
const ROLE_ADD_ON: &str = "add_on";

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = offerings, treat_none_as_null = true)]
struct OfferingRow {
    id: DbUuid,
    provider_id: DbUuid,
    family: String,
    kind: String,
    name: String,
    description: Option<String>,
    role: String,
    base_offering_id: Option<DbUuid>,
    sla_terms: Option<DbJson>,
    capacity_limits: DbJson,
    pricing: DbJson,
    state: String,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct PricingLineDoc {
    metric: String,
    unit_price: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct CapacityLimitDoc {
    metric: String,
    max_per_subscription: Option<String>,
    provider_total: Option<String>,
}

fn pricing_doc(pricing: &PricingLines) -> Vec<PricingLineDoc> {
    pricing
        .lines()
        .iter()
        .map(|l| PricingLineDoc { metric: l.metric.as_str().to_owned(), unit_price: l.unit_price.to_string() })
        .collect()
}

fn capacity_doc(capacity: &CapacityLimits) -> Vec<CapacityLimitDoc> {
    capacity
        .limits()
        .iter()
        .map(|l| CapacityLimitDoc {
            metric: l.metric().as_str().to_owned(),
            max_per_subscription: l.max_per_subscription().map(|q| q.to_string()),
            provider_total: l.provider_total().map(|q| q.to_string()),
        })
        .collect()
}

fn to_json<T: Serialize>(value: &T) -> Result<DbJson, StoreError> {
    serde_json::to_value(value).map(DbJson).map_err(|e| corrupt("offerings", e))
}

impl TryFrom<&OfferingRecord> for OfferingRow {
    type Error = StoreError;
    fn try_from(r: &OfferingRecord) -> Result<Self, StoreError> {
        let o = &r.offering;
        let d = &o.details;
        let role = match d.role {
            OfferingRole::Base { .. } => ROLE_BASE,
            OfferingRole::AddOn { .. } => ROLE_ADD_ON,
        };
        Ok(OfferingRow {
            id: o.id.into(),
            provider_id: o.provider.into(),
            family: d.family().as_str().to_owned(),
            kind: d.kind.as_str().to_owned(),
            name: d.name.to_string(),
            description: d.description.as_ref().map(ToString::to_string),
            role: role.to_owned(),
            base_offering_id: d.role.base_offering().map(Into::into),
            sla_terms: d.role.own_sla().map(|sla| to_json(&SlaDoc::from(sla))).transpose()?,
            capacity_limits: to_json(&capacity_doc(&d.capacity))?,
            pricing: to_json(&pricing_doc(&d.pricing))?,
            state: o.state.as_str().to_owned(),
            created_at: r.created_at.into(),
            updated_at: r.updated_at.into(),
            version: o.version,
        })
    }
}

impl TryFrom<OfferingRow> for OfferingRecord {
    type Error = StoreError;
    /// Stored values go through the same parser as a provider's input, so a row that breaks
    /// a rule is reported, never shown half-valid.
    fn try_from(row: OfferingRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("offerings", format!("{}: {e}", row.id.0));
        let pricing: Vec<PricingLineDoc> = serde_json::from_value(row.pricing.0.clone()).map_err(|e| bad(&e))?;
        let capacity: Vec<CapacityLimitDoc> =
            serde_json::from_value(row.capacity_limits.0.clone()).map_err(|e| bad(&e))?;
        let sla: Option<SlaDoc> =
            row.sla_terms.as_ref().map(|j| serde_json::from_value(j.0.clone())).transpose().map_err(|e| bad(&e))?;
        let role_matches = match row.role.as_str() {
            ROLE_BASE => row.base_offering_id.is_none(),
            ROLE_ADD_ON => row.base_offering_id.is_some(),
            _ => false,
        };
        if !role_matches {
            return Err(bad(&format!("role `{}` does not match base_offering_id", row.role)));
        }
        let draft = OfferingDraft {
            family: row.family.clone(),
            kind: row.kind.clone(),
            name: row.name.clone(),
            description: row.description.clone(),
            base_offering_id: row.base_offering_id.map(Into::into),
            pricing: pricing
                .into_iter()
                .map(|l| PricingLineDraft { metric: l.metric, unit_price: l.unit_price })
                .collect(),
            sla: sla.map(SlaDoc::into_draft),
            capacity: capacity
                .into_iter()
                .map(|c| CapacityLimitDraft {
                    metric: c.metric,
                    max_per_subscription: c.max_per_subscription,
                    provider_total: c.provider_total,
                })
                .collect(),
        };
        Ok(OfferingRecord {
            offering: Offering {
                id: row.id.into(),
                provider: row.provider_id.into(),
                details: OfferingDetails::parse(&draft).map_err(|e| bad(&e))?,
                state: row.state.parse().map_err(|e| bad(&e))?,
                version: row.version,
            },
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

pub fn insert(conn: &mut DbConnection, record: &OfferingRecord) -> Result<(), StoreError> {
    diesel::insert_into(offerings::table).values(OfferingRow::try_from(record)?).execute(conn)?;
    Ok(())
}

pub fn find_record(conn: &mut DbConnection, id: OfferingId) -> Result<Option<OfferingRecord>, StoreError> {
    offerings::table
        .find(DbUuid::from(id))
        .select(OfferingRow::as_select())
        .first(conn)
        .optional()?
        .map(OfferingRecord::try_from)
        .transpose()
}

/// The offering, whatever its state; callers decide who may see it (`catalog::offering_access`).
pub fn find(conn: &mut DbConnection, id: OfferingId) -> Result<Option<Offering>, StoreError> {
    Ok(find_record(conn, id)?.map(|r| r.offering))
}

/// Writes `record` only if the stored version is still `expected_version`; returns whether
/// it did. The check is part of the `UPDATE`, so two racing writers cannot both succeed.
pub fn update_if_version(
    conn: &mut DbConnection,
    record: &OfferingRecord,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        offerings::table
            .filter(offerings::id.eq(DbUuid::from(record.offering.id)))
            .filter(offerings::version.eq(expected_version)),
    )
    .set(OfferingRow::try_from(record)?)
    .execute(conn)?;
    Ok(updated == 1)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OfferingFilter {
    pub provider: Option<OrganisationId>,
    pub family: Option<ServiceFamily>,
    pub kind: Option<ServiceKind>,
    pub state: Option<OfferingState>,
}

/// Offerings visible in `scope` (from `catalog::catalog_scope`), oldest first.
pub fn list(
    conn: &mut DbConnection,
    scope: CatalogScope,
    filter: OfferingFilter,
    page: PageRequest,
) -> Result<Page<OfferingRecord>, StoreError> {
    let mut query = offerings::table
        .select(OfferingRow::as_select())
        .order(offerings::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        CatalogScope::Everything => {}
        CatalogScope::NotDraft => query = query.filter(offerings::state.ne(OfferingState::Draft.as_str())),
        CatalogScope::OfProvider(provider) => query = query.filter(offerings::provider_id.eq(DbUuid::from(provider))),
    }
    if let Some(provider) = filter.provider {
        query = query.filter(offerings::provider_id.eq(DbUuid::from(provider)));
    }
    if let Some(family) = filter.family {
        query = query.filter(offerings::family.eq(family.as_str()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(offerings::kind.eq(kind.as_str()));
    }
    if let Some(state) = filter.state {
        query = query.filter(offerings::state.eq(state.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(offerings::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(OfferingRecord::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |r| r.offering.id.as_uuid()))
}

// --- price history ---------------------------------------------------------------------------

pub enum PriceHistoryEntryMarker {}
/// Ids of price-history rows: UUIDv7 from the instant the price took effect, so id order is
/// effective order.
pub type PriceHistoryEntryId = Id<PriceHistoryEntryMarker>;

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = offering_prices)]
struct OfferingPriceRow {
    id: DbUuid,
    offering_id: DbUuid,
    metric: String,
    unit_price: String,
    effective_from: DbTimestamp,
}

impl TryFrom<OfferingPriceRow> for PricePoint {
    type Error = StoreError;
    fn try_from(row: OfferingPriceRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("offering_prices", format!("{}: {e}", row.id.0));
        Ok(PricePoint {
            metric: row.metric.parse::<Metric>().map_err(|e| bad(&e))?,
            unit_price: UnitPrice::parse(&row.unit_price).map_err(|e| bad(&e))?,
            effective_from: row.effective_from.0,
        })
    }
}

/// Appends price-history points of `offering` (publication's first prices, later changes).
pub fn append_prices(conn: &mut DbConnection, offering: OfferingId, points: &[PricePoint]) -> Result<(), StoreError> {
    // Ids in the order the points take effect and, within one instant, in the order given
    // (the offering's pricing order), so a page of the history reads the same every time.
    let mut points = points.to_vec();
    points.sort_by_key(|p| p.effective_from);
    let mut ids: Vec<PriceHistoryEntryId> =
        points.iter().map(|p| PriceHistoryEntryId::new_v7(p.effective_from)).collect();
    ids.sort();
    let rows: Vec<OfferingPriceRow> = points
        .iter()
        .zip(ids)
        .map(|(p, id)| OfferingPriceRow {
            id: id.into(),
            offering_id: offering.into(),
            metric: p.metric.as_str().to_owned(),
            unit_price: p.unit_price.to_string(),
            effective_from: p.effective_from.into(),
        })
        .collect();
    // One statement per row: diesel's batch insert does not compile through the
    // multi-connection backend (SQLite has no DEFAULT keyword in VALUES).
    for row in rows {
        diesel::insert_into(offering_prices::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// The whole price history of `id`, oldest first (empty for a draft): what
/// `pricing::rate` rates a charge against.
pub fn price_history(conn: &mut DbConnection, id: OfferingId) -> Result<Vec<PricePoint>, StoreError> {
    offering_prices::table
        .filter(offering_prices::offering_id.eq(DbUuid::from(id)))
        .select(OfferingPriceRow::as_select())
        .order((offering_prices::effective_from.asc(), offering_prices::metric.asc()))
        .load(conn)?
        .into_iter()
        .map(PricePoint::try_from)
        .collect()
}

/// A page of the price history of `id`, in the order the prices took effect.
pub fn price_history_page(
    conn: &mut DbConnection,
    id: OfferingId,
    page: PageRequest,
) -> Result<Page<PricePoint>, StoreError> {
    let mut query = offering_prices::table
        .filter(offering_prices::offering_id.eq(DbUuid::from(id)))
        .select(OfferingPriceRow::as_select())
        .order(offering_prices::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(offering_prices::id.gt(DbUuid(after)));
    }
    let rows = query
        .load(conn)?
        .into_iter()
        .map(|row| {
            let id = row.id.0;
            PricePoint::try_from(row).map(|p| (id, p))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |(id, _)| *id).map(|(_, p)| p))
}
