//! Outages (GSI-7.2, 10.3). The outage row holds what the provider posted; each affected
//! subscription is a link row that also carries the subscription's agency, so the outages
//! affecting an agency are found without reading subscriptions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::outage::{CAUSE_MAX, ExclusionClaim, Outage, OutageId, REASON_MAX};
use gsi_domain::subscription::SubscriptionScope;
use gsi_domain::subscription_ref::{SubscriptionId, SubscriptionParties};
use gsi_domain::text::BoundedText;

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::{outage_subscriptions, outages};
use crate::types::{DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = outages)]
struct OutageRow {
    id: DbUuid,
    provider_id: DbUuid,
    started_at: DbTimestamp,
    ended_at: Option<DbTimestamp>,
    cause: String,
    planned: i32,
    announced_at: Option<DbTimestamp>,
    exclusion_kind: Option<String>,
    exclusion_reason: Option<String>,
    recorded_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = outage_subscriptions)]
struct LinkRow {
    outage_id: DbUuid,
    subscription_id: DbUuid,
    agency_id: DbUuid,
    ordinal: i32,
}

/// An outage with the parties of the subscriptions it affects, its version (the ETag) and
/// when it last changed (`outage.recorded_at` is when it was posted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredOutage {
    pub outage: Outage,
    /// One per affected subscription, in the order the provider posted them.
    pub affected: Vec<SubscriptionParties>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

fn row_of(s: &StoredOutage) -> OutageRow {
    let o = &s.outage;
    OutageRow {
        id: o.id.into(),
        provider_id: o.provider.into(),
        started_at: o.started_at.into(),
        ended_at: o.ended_at.map(Into::into),
        cause: o.cause.to_string(),
        planned: i32::from(o.planned),
        announced_at: o.announced_at.map(Into::into),
        exclusion_kind: o.exclusion_claim.as_ref().map(|c| c.kind.as_str().to_owned()),
        exclusion_reason: o.exclusion_claim.as_ref().map(|c| c.reason.to_string()),
        recorded_at: o.recorded_at.into(),
        updated_at: s.updated_at.into(),
        version: s.version,
    }
}

/// Stored values go through the domain's parsers; a row that breaks a rule is reported.
fn outage_of(row: OutageRow, links: Vec<LinkRow>) -> Result<StoredOutage, StoreError> {
    let bad = |e: &dyn std::fmt::Display| corrupt("outages", format!("{}: {e}", row.id.0));
    let planned = match row.planned {
        0 => false,
        1 => true,
        other => return Err(bad(&format!("planned is {other}, not 0 or 1"))),
    };
    let exclusion_claim = match (row.exclusion_kind.as_deref(), row.exclusion_reason.as_deref()) {
        (None, None) => None,
        (Some(kind), Some(reason)) => Some(ExclusionClaim {
            kind: kind.parse().map_err(|e| bad(&e))?,
            reason: BoundedText::parse("exclusion_reason", reason, REASON_MAX).map_err(|e| bad(&e))?,
        }),
        (Some(_), None) | (None, Some(_)) => return Err(bad(&"an exclusion needs both kind and reason")),
    };
    if links.is_empty() {
        return Err(bad(&"no affected subscription"));
    }
    if row.ended_at.is_some_and(|end| end <= row.started_at) {
        return Err(bad(&"ends before it starts"));
    }
    let provider = row.provider_id.into();
    let affected: Vec<SubscriptionParties> = links
        .iter()
        .map(|l| SubscriptionParties { subscription: l.subscription_id.into(), agency: l.agency_id.into(), provider })
        .collect();
    let outage = Outage {
        id: row.id.into(),
        provider,
        subscriptions: affected.iter().map(|p| p.subscription).collect(),
        started_at: row.started_at.0,
        ended_at: row.ended_at.map(|t| t.0),
        cause: BoundedText::parse("cause", &row.cause, CAUSE_MAX).map_err(|e| bad(&e))?,
        planned,
        announced_at: row.announced_at.map(|t| t.0),
        exclusion_claim,
        recorded_at: row.recorded_at.0,
    };
    Ok(StoredOutage { outage, affected, version: row.version, updated_at: row.updated_at.0 })
}

/// The outages of `rows` with their link rows, loaded in one query, in the rows' order.
fn with_links(conn: &mut DbConnection, rows: Vec<OutageRow>) -> Result<Vec<StoredOutage>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<DbUuid> = rows.iter().map(|r| r.id).collect();
    let links = outage_subscriptions::table
        .filter(outage_subscriptions::outage_id.eq_any(ids))
        .select(LinkRow::as_select())
        .order((outage_subscriptions::outage_id.asc(), outage_subscriptions::ordinal.asc()))
        .load(conn)?;
    let mut by_outage: BTreeMap<DbUuid, Vec<LinkRow>> = BTreeMap::new();
    for link in links {
        by_outage.entry(link.outage_id).or_default().push(link);
    }
    rows.into_iter()
        .map(|row| {
            let links = by_outage.remove(&row.id).unwrap_or_default();
            outage_of(row, links)
        })
        .collect()
}

/// Inserts the outage and one link row per affected subscription. `stored.affected` must
/// name the same subscriptions as `stored.outage.subscriptions` (the caller's parties).
pub fn insert(conn: &mut DbConnection, stored: &StoredOutage) -> Result<(), StoreError> {
    let o = &stored.outage;
    let links = o
        .subscriptions
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let agency = stored
                .affected
                .iter()
                .find(|p| p.subscription == *s)
                .ok_or_else(|| corrupt("outage_subscriptions", format!("no parties given for subscription {s}")))?
                .agency;
            Ok(LinkRow {
                outage_id: o.id.into(),
                subscription_id: (*s).into(),
                agency_id: agency.into(),
                ordinal: i32::try_from(i).map_err(|e| corrupt("outage_subscriptions", e))?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    diesel::insert_into(outages::table).values(row_of(stored)).execute(conn)?;
    // One statement per row: batch inserts do not compile through the multi backend.
    for link in links {
        diesel::insert_into(outage_subscriptions::table).values(link).execute(conn)?;
    }
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: OutageId) -> Result<Option<StoredOutage>, StoreError> {
    let row = outages::table.find(DbUuid::from(id)).select(OutageRow::as_select()).first(conn).optional()?;
    Ok(with_links(conn, row.into_iter().collect())?.pop())
}

/// List filters; `None` matches everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutageFilter {
    /// Outages affecting this subscription.
    pub subscription: Option<SubscriptionId>,
    /// Outages still open at, or ending after, this instant.
    pub from: Option<DateTime<Utc>>,
    /// Outages that started before this instant.
    pub until: Option<DateTime<Utc>>,
    /// `Some(true)`: only open outages; `Some(false)`: only ended ones.
    pub open: Option<bool>,
}

/// Outages in `scope` matching `filter`, oldest first. An agency's scope is the outages
/// affecting one of its subscriptions; a provider's, the outages it posted (on subscriptions
/// it serves).
pub fn list(
    conn: &mut DbConnection,
    scope: SubscriptionScope,
    filter: &OutageFilter,
    page: PageRequest,
) -> Result<Page<StoredOutage>, StoreError> {
    let mut query =
        outages::table.select(OutageRow::as_select()).order(outages::id.asc()).limit(page.fetch_limit()).into_boxed();
    match scope {
        SubscriptionScope::Everything => {}
        SubscriptionScope::OfAgency(agency) => {
            let affecting = outage_subscriptions::table
                .filter(outage_subscriptions::agency_id.eq(DbUuid::from(agency)))
                .select(outage_subscriptions::outage_id);
            query = query.filter(outages::id.eq_any(affecting));
        }
        SubscriptionScope::ServedBy(provider) => query = query.filter(outages::provider_id.eq(DbUuid::from(provider))),
        SubscriptionScope::Nothing => return Ok(Page { items: Vec::new(), next_after: None }),
    }
    if let Some(subscription) = filter.subscription {
        let affecting = outage_subscriptions::table
            .filter(outage_subscriptions::subscription_id.eq(DbUuid::from(subscription)))
            .select(outage_subscriptions::outage_id);
        query = query.filter(outages::id.eq_any(affecting));
    }
    if let Some(from) = filter.from {
        query = query.filter(outages::ended_at.is_null().or(outages::ended_at.gt(DbTimestamp::from(from))));
    }
    if let Some(until) = filter.until {
        query = query.filter(outages::started_at.lt(DbTimestamp::from(until)));
    }
    match filter.open {
        Some(true) => query = query.filter(outages::ended_at.is_null()),
        Some(false) => query = query.filter(outages::ended_at.is_not_null()),
        None => {}
    }
    if let Some(after) = page.after {
        query = query.filter(outages::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?;
    let items = with_links(conn, rows)?;
    Ok(Page::from_overfetch(items, page.limit, |s| s.outage.id.as_uuid()))
}

/// Every outage of `subscription` that shares an instant with `[from, until)`, open ones
/// included, by start (the SLA's month, GSI-10.1).
pub fn affecting(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<StoredOutage>, StoreError> {
    let of_subscription = outage_subscriptions::table
        .filter(outage_subscriptions::subscription_id.eq(DbUuid::from(subscription)))
        .select(outage_subscriptions::outage_id);
    let rows = outages::table
        .filter(outages::id.eq_any(of_subscription))
        .filter(outages::started_at.lt(DbTimestamp::from(until)))
        .filter(outages::ended_at.is_null().or(outages::ended_at.gt(DbTimestamp::from(from))))
        .select(OutageRow::as_select())
        .order((outages::started_at.asc(), outages::id.asc()))
        .load(conn)?;
    with_links(conn, rows)
}

/// Records the end of `stored.outage` if the stored version is still `expected_version`;
/// returns whether it wrote. Only the end changes: what was posted stays as posted.
pub fn update_end_if_version(
    conn: &mut DbConnection,
    stored: &StoredOutage,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        outages::table
            .filter(outages::id.eq(DbUuid::from(stored.outage.id)))
            .filter(outages::version.eq(expected_version)),
    )
    .set((
        outages::ended_at.eq(stored.outage.ended_at.map(DbTimestamp::from)),
        outages::updated_at.eq(DbTimestamp::from(stored.updated_at)),
        outages::version.eq(stored.version),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use gsi_domain::Role;
    use gsi_domain::outage::{ExclusionClaimDraft, OutageDraft, record};

    use super::*;
    use crate::repos::incidents::fixtures::{World, actor, t, world};
    use crate::repos::subscription_parties;
    use crate::testing::each_backend;

    fn posted(
        conn: &mut DbConnection,
        w: &World,
        subscriptions: Vec<SubscriptionId>,
        from: (u32, u32),
        until: Option<(u32, u32)>,
        planned: bool,
    ) -> StoredOutage {
        let draft = OutageDraft {
            subscriptions: subscriptions.clone(),
            started_at: t(from.0, from.1, 0),
            ended_at: until.map(|(d, h)| t(d, h, 0)),
            cause: "fibre cut at Bang Na".into(),
            planned,
            announced_at: planned.then(|| t(1, 0, 0)),
            exclusion: planned.then(|| ExclusionClaimDraft {
                kind: "planned_maintenance".into(),
                reason: "core router upgrade, announced 1 November".into(),
            }),
        };
        let served = subscription_parties::find_many(conn, &subscriptions).unwrap();
        let now = t(28, 0, 0);
        let outage = record(
            OutageId::new_v7(t(from.0, from.1, 1)),
            &draft,
            &actor(Role::ProviderOperator, w.provider_p, "monitoring"),
            &served,
            now,
        )
        .unwrap();
        // In the posted order, as the repository keeps it.
        let affected =
            subscriptions.iter().filter_map(|s| served.iter().find(|p| p.subscription == *s)).copied().collect();
        let stored = StoredOutage { outage, affected, version: 1, updated_at: now };
        insert(conn, &stored).unwrap();
        stored
    }

    #[test]
    fn gsi_7_2_outages_round_trip_with_their_subscriptions_and_end_once() {
        each_backend(|conn| {
            let w = world(conn);
            let both = posted(conn, &w, vec![w.b, w.a1], (2, 1), None, false);
            let found = find(conn, both.outage.id).unwrap().unwrap();
            assert_eq!(found, both);
            assert_eq!(found.outage.subscriptions, [w.b, w.a1], "kept in the posted order");
            assert_eq!(found.affected[0].agency, w.agency_b);
            let planned = posted(conn, &w, vec![w.a2], (3, 1), Some((3, 3)), true);
            assert_eq!(find(conn, planned.outage.id).unwrap(), Some(planned.clone()));

            let ended = StoredOutage {
                outage: Outage { ended_at: Some(t(2, 2, 30)), ..both.outage.clone() },
                version: 2,
                updated_at: t(2, 2, 31),
                ..both.clone()
            };
            assert!(update_end_if_version(conn, &ended, 1).unwrap());
            assert!(!update_end_if_version(conn, &ended, 1).unwrap(), "a stale version must not write");
            assert_eq!(find(conn, both.outage.id).unwrap(), Some(ended));
        });
    }

    #[test]
    fn gsi_7_2_agencies_list_the_outages_affecting_them() {
        each_backend(|conn| {
            let w = world(conn);
            let open_on_a1 = posted(conn, &w, vec![w.a1], (2, 1), None, false);
            let on_b = posted(conn, &w, vec![w.b], (3, 1), Some((3, 2)), false);
            let on_a2_and_b = posted(conn, &w, vec![w.a2, w.b], (5, 1), Some((5, 2)), true);
            let page = PageRequest { after: None, limit: 10 };
            let all = OutageFilter::default();
            let ids = |p: Page<StoredOutage>| p.items.iter().map(|s| s.outage.id).collect::<Vec<_>>();
            let (o1, o2, o3) = (open_on_a1.outage.id, on_b.outage.id, on_a2_and_b.outage.id);
            assert_eq!(ids(list(conn, SubscriptionScope::OfAgency(w.agency_a), &all, page).unwrap()), [o1, o3]);
            assert_eq!(ids(list(conn, SubscriptionScope::OfAgency(w.agency_b), &all, page).unwrap()), [o2, o3]);
            assert_eq!(ids(list(conn, SubscriptionScope::ServedBy(w.provider_q), &all, page).unwrap()), []);
            assert_eq!(ids(list(conn, SubscriptionScope::ServedBy(w.provider_p), &all, page).unwrap()), [o1, o2, o3]);

            let mut filter = |f: OutageFilter| ids(list(conn, SubscriptionScope::Everything, &f, page).unwrap());
            assert_eq!(filter(OutageFilter { subscription: Some(w.a2), ..all }), [o3]);
            assert_eq!(filter(OutageFilter { open: Some(true), ..all }), [o1]);
            assert_eq!(filter(OutageFilter { open: Some(false), ..all }), [o2, o3]);
            // An outage ending exactly at `from`, or starting exactly at `until`, does not overlap.
            let window = OutageFilter { from: Some(t(3, 2, 0)), until: Some(t(5, 1, 0)), ..all };
            assert_eq!(filter(window), [o1]);
            let window = OutageFilter { from: Some(t(3, 1, 0)), until: Some(t(5, 1, 1)), ..all };
            assert_eq!(filter(window), [o1, o2, o3]);

            let month = affecting(conn, w.b, t(1, 0, 0), t(30, 0, 0)).unwrap();
            assert_eq!(month.iter().map(|s| s.outage.id).collect::<Vec<_>>(), [o2, o3]);
            assert_eq!(affecting(conn, w.a1, t(20, 0, 0), t(21, 0, 0)).unwrap().len(), 1, "open outages run on");
            assert!(affecting(conn, w.a1, t(1, 0, 0), t(2, 1, 0)).unwrap().is_empty(), "until is exclusive");
        });
    }

    #[test]
    fn a_stored_outage_that_breaks_a_rule_is_reported_not_hidden() {
        each_backend(|conn| {
            let w = world(conn);
            let o = posted(conn, &w, vec![w.a1], (2, 1), None, false);
            conn.batch_execute("UPDATE outages SET cause = '   '").unwrap();
            match find(conn, o.outage.id) {
                Err(StoreError::CorruptRow(detail)) => assert!(detail.contains("cause"), "{detail}"),
                other => panic!("expected a corrupt row, got {other:?}"),
            }
        });
    }
}
