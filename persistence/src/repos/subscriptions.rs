//! Subscriptions (GSI-7.5.2).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::subscription::{
    SubscribedAddOn, Subscription, SubscriptionFilter, SubscriptionId, SubscriptionScope, Term,
};
use serde::{Deserialize, Serialize};

use crate::connection::DbConnection;
use crate::docs::{quantities_from_json, quantities_to_json, sla_from_json, sla_to_json};
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::subscriptions;
use crate::types::{DbJson, DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = subscriptions)]
struct SubscriptionRow {
    id: DbUuid,
    agency_id: DbUuid,
    provider_id: DbUuid,
    offering_id: DbUuid,
    service_kind: String,
    family: String,
    quantities: DbJson,
    add_ons: DbJson,
    starts_at: DbTimestamp,
    ends_at: Option<DbTimestamp>,
    sla: DbJson,
    status: String,
    origin: String,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct AddOnDoc {
    offering_id: uuid::Uuid,
    quantities: serde_json::Value,
    sla: Option<serde_json::Value>,
}

fn add_ons_to_json(add_ons: &[SubscribedAddOn]) -> Result<DbJson, StoreError> {
    let docs = add_ons
        .iter()
        .map(|a| {
            Ok(AddOnDoc {
                offering_id: a.offering.as_uuid(),
                quantities: quantities_to_json(&a.quantities),
                sla: a.sla.as_ref().map(sla_to_json).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map_err(|e| corrupt("subscriptions", e))?;
    serde_json::to_value(docs).map(DbJson).map_err(|e| corrupt("subscriptions", e))
}

fn row_of(
    s: &Subscription,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Result<SubscriptionRow, StoreError> {
    Ok(SubscriptionRow {
        id: s.id.into(),
        agency_id: s.agency.into(),
        provider_id: s.provider.into(),
        offering_id: s.offering.into(),
        service_kind: s.kind.as_str().to_owned(),
        family: s.family().as_str().to_owned(),
        quantities: DbJson(quantities_to_json(&s.quantities)),
        add_ons: add_ons_to_json(&s.add_ons)?,
        starts_at: s.term.starts_at().into(),
        ends_at: s.term.ends_at().map(Into::into),
        sla: DbJson(sla_to_json(&s.sla).map_err(|e| corrupt("subscriptions", e))?),
        status: s.status.as_str().to_owned(),
        origin: s.origin.as_str().to_owned(),
        created_at: created_at.into(),
        updated_at: updated_at.into(),
        version: s.version,
    })
}

/// A subscription with when it was stored and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSubscription {
    pub subscription: Subscription,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<SubscriptionRow> for StoredSubscription {
    type Error = StoreError;
    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        let id = row.id.0;
        let bad = |e: &dyn std::fmt::Display| corrupt("subscriptions", format!("{id}: {e}"));
        let add_on_docs: Vec<AddOnDoc> = serde_json::from_value(row.add_ons.0).map_err(|e| bad(&e))?;
        let add_ons = add_on_docs
            .into_iter()
            .map(|doc| {
                Ok(SubscribedAddOn {
                    offering: doc.offering_id.into(),
                    quantities: quantities_from_json(doc.quantities)?,
                    sla: doc.sla.map(sla_from_json).transpose()?,
                })
            })
            .collect::<Result<Vec<_>, String>>()
            .map_err(|e| bad(&e))?;
        let subscription = Subscription {
            id: row.id.into(),
            agency: row.agency_id.into(),
            provider: row.provider_id.into(),
            offering: row.offering_id.into(),
            kind: row.service_kind.parse().map_err(|e| bad(&e))?,
            quantities: quantities_from_json(row.quantities.0).map_err(|e| bad(&e))?,
            add_ons,
            term: Term::new(row.starts_at.0, row.ends_at.map(|t| t.0)).map_err(|e| bad(&e))?,
            sla: sla_from_json(row.sla.0).map_err(|e| bad(&e))?,
            status: row.status.parse().map_err(|e| bad(&e))?,
            origin: row.origin.parse().map_err(|e| bad(&e))?,
            version: row.version,
        };
        if subscription.family().as_str() != row.family {
            return Err(bad(&format!("family {} does not match kind {}", row.family, subscription.kind)));
        }
        Ok(StoredSubscription { subscription, created_at: row.created_at.0, updated_at: row.updated_at.0 })
    }
}

pub fn insert(conn: &mut DbConnection, subscription: &Subscription, now: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::insert_into(subscriptions::table).values(row_of(subscription, now, now)?).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: SubscriptionId) -> Result<Option<StoredSubscription>, StoreError> {
    subscriptions::table
        .find(DbUuid::from(id))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredSubscription::try_from)
        .transpose()
}

/// The subscriptions among `ids` that exist, in id order: a few queries for any number of
/// ids (usage batches name thousands of records but few subscriptions).
pub fn find_many(conn: &mut DbConnection, ids: &[SubscriptionId]) -> Result<Vec<StoredSubscription>, StoreError> {
    let mut found = Vec::new();
    for chunk in ids.chunks(super::IN_LIST_CHUNK) {
        let chunk: Vec<DbUuid> = chunk.iter().copied().map(DbUuid::from).collect();
        let rows = subscriptions::table
            .filter(subscriptions::id.eq_any(chunk))
            .select(SubscriptionRow::as_select())
            .order(subscriptions::id.asc())
            .load(conn)?;
        for row in rows {
            found.push(StoredSubscription::try_from(row)?);
        }
    }
    Ok(found)
}

/// The agencies `provider` serves through a subscription whose term shares an instant with
/// `[from, until)`, whatever its status.
pub fn agencies_served_between(
    conn: &mut DbConnection,
    provider: OrganisationId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OrganisationId>, StoreError> {
    let agencies = subscriptions::table
        .filter(subscriptions::provider_id.eq(DbUuid::from(provider)))
        .filter(subscriptions::starts_at.lt(DbTimestamp::from(until)))
        .filter(subscriptions::ends_at.is_null().or(subscriptions::ends_at.gt(DbTimestamp::from(from))))
        .select(subscriptions::agency_id)
        .distinct()
        .order(subscriptions::agency_id.asc())
        .load::<DbUuid>(conn)?;
    Ok(agencies.into_iter().map(Into::into).collect())
}

/// Subscriptions in `scope` matching `filter`, oldest first.
pub fn list(
    conn: &mut DbConnection,
    scope: SubscriptionScope,
    filter: &SubscriptionFilter,
    page: PageRequest,
) -> Result<Page<StoredSubscription>, StoreError> {
    let mut query = subscriptions::table
        .select(SubscriptionRow::as_select())
        .order(subscriptions::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        SubscriptionScope::Everything => {}
        SubscriptionScope::OfAgency(agency) => query = query.filter(subscriptions::agency_id.eq(DbUuid::from(agency))),
        SubscriptionScope::ServedBy(provider) => {
            query = query.filter(subscriptions::provider_id.eq(DbUuid::from(provider)))
        }
        SubscriptionScope::Nothing => return Ok(Page { items: Vec::new(), next_after: None }),
    }
    if let Some(status) = filter.status {
        query = query.filter(subscriptions::status.eq(status.as_str()));
    }
    if let Some(family) = filter.family {
        query = query.filter(subscriptions::family.eq(family.as_str()));
    }
    if let Some(provider) = filter.provider {
        query = query.filter(subscriptions::provider_id.eq(DbUuid::from(provider)));
    }
    // The term [starts_at, ends_at) shares an instant with [from, until).
    if let Some(until) = filter.until {
        query = query.filter(subscriptions::starts_at.lt(DbTimestamp::from(until)));
    }
    if let Some(from) = filter.from {
        query = query.filter(subscriptions::ends_at.is_null().or(subscriptions::ends_at.gt(DbTimestamp::from(from))));
    }
    if let Some(after) = page.after {
        query = query.filter(subscriptions::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(StoredSubscription::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |s| s.subscription.id.as_uuid()))
}

/// Writes the new state of `subscription` if the stored version is still `expected_version`.
pub fn update_if_version(
    conn: &mut DbConnection,
    subscription: &Subscription,
    expected_version: i64,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        subscriptions::table
            .filter(subscriptions::id.eq(DbUuid::from(subscription.id)))
            .filter(subscriptions::version.eq(expected_version)),
    )
    .set((
        subscriptions::quantities.eq(DbJson(quantities_to_json(&subscription.quantities))),
        subscriptions::add_ons.eq(add_ons_to_json(&subscription.add_ons)?),
        subscriptions::starts_at.eq(DbTimestamp::from(subscription.term.starts_at())),
        subscriptions::ends_at.eq(subscription.term.ends_at().map(DbTimestamp::from)),
        subscriptions::status.eq(subscription.status.as_str()),
        subscriptions::updated_at.eq(DbTimestamp::from(now)),
        subscriptions::version.eq(subscription.version),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Whether `provider` serves `agency` through any subscription (providers read the
/// profiles of the agencies they serve).
pub fn provider_serves_agency(
    conn: &mut DbConnection,
    provider: OrganisationId,
    agency: OrganisationId,
) -> Result<bool, StoreError> {
    // No `EXISTS`: the multi backend has no boolean SQL type; one id is as cheap.
    let found = subscriptions::table
        .filter(subscriptions::provider_id.eq(DbUuid::from(provider)))
        .filter(subscriptions::agency_id.eq(DbUuid::from(agency)))
        .select(subscriptions::id)
        .first::<DbUuid>(conn)
        .optional()?;
    Ok(found.is_some())
}
