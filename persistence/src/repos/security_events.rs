//! Security events (GSI-7.5.4, 8.2). Indicators and actions taken are value lists of the
//! event and are stored with it as JSON arrays of strings.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::security_event::{
    ACTION_MAX, DESCRIPTION_MAX, INDICATOR_MAX, SecurityCategory, SecurityEvent, SecurityEventId, SecurityEventStatus,
    Severity,
};
use gsi_domain::subscription::SubscriptionScope;
use gsi_domain::subscription_ref::SubscriptionId;
use gsi_domain::text::BoundedText;

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::security_events;
use crate::types::{DbJson, DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = security_events)]
struct SecurityEventRow {
    id: DbUuid,
    provider_id: DbUuid,
    agency_id: DbUuid,
    subscription_id: Option<DbUuid>,
    category: String,
    severity: String,
    detected_at: DbTimestamp,
    status: String,
    description: String,
    indicators: DbJson,
    actions_taken: DbJson,
    mitigation_started_at: Option<DbTimestamp>,
    resolved_at: Option<DbTimestamp>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

/// A security event with its version (the ETag) and when it was stored and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSecurityEvent {
    pub event: SecurityEvent,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn texts(values: &[BoundedText]) -> DbJson {
    DbJson(serde_json::Value::Array(values.iter().map(|v| serde_json::Value::String(v.to_string())).collect()))
}

fn row_of(s: &StoredSecurityEvent) -> SecurityEventRow {
    let e = &s.event;
    SecurityEventRow {
        id: e.id.into(),
        provider_id: e.provider.into(),
        agency_id: e.agency.into(),
        subscription_id: e.subscription.map(Into::into),
        category: e.category.as_str().to_owned(),
        severity: e.severity.as_str().to_owned(),
        detected_at: e.detected_at.into(),
        status: e.status.as_str().to_owned(),
        description: e.description.to_string(),
        indicators: texts(&e.indicators),
        actions_taken: texts(&e.actions_taken),
        mitigation_started_at: e.mitigation_started_at.map(Into::into),
        resolved_at: e.resolved_at.map(Into::into),
        created_at: s.created_at.into(),
        updated_at: s.updated_at.into(),
        version: s.version,
    }
}

impl TryFrom<SecurityEventRow> for StoredSecurityEvent {
    type Error = StoreError;
    /// Stored values go through the domain's parsers; a row that breaks a rule is reported,
    /// never shown half-valid.
    fn try_from(row: SecurityEventRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("security_events", format!("{}: {e}", row.id.0));
        let list = |field: &str, value: serde_json::Value, max: usize| -> Result<Vec<BoundedText>, StoreError> {
            let raw: Vec<String> = serde_json::from_value(value).map_err(|e| bad(&e))?;
            raw.iter().map(|r| BoundedText::parse(field, r, max).map_err(|e| bad(&e))).collect()
        };
        let status: SecurityEventStatus = row.status.parse().map_err(|e| bad(&e))?;
        // The instants a status implies: resolved has its time, detected has neither.
        let consistent = match status {
            SecurityEventStatus::Detected => row.mitigation_started_at.is_none() && row.resolved_at.is_none(),
            SecurityEventStatus::Mitigating => row.mitigation_started_at.is_some() && row.resolved_at.is_none(),
            SecurityEventStatus::Resolved => row.resolved_at.is_some(),
        };
        if !consistent {
            return Err(bad(&format!("status {status} does not match its mitigation and resolution times")));
        }
        let event = SecurityEvent {
            id: row.id.into(),
            provider: row.provider_id.into(),
            agency: row.agency_id.into(),
            subscription: row.subscription_id.map(Into::into),
            category: row.category.parse().map_err(|e| bad(&e))?,
            severity: row.severity.parse().map_err(|e| bad(&e))?,
            detected_at: row.detected_at.0,
            status,
            description: BoundedText::parse("description", &row.description, DESCRIPTION_MAX).map_err(|e| bad(&e))?,
            indicators: list("indicators", row.indicators.0.clone(), INDICATOR_MAX)?,
            actions_taken: list("actions_taken", row.actions_taken.0.clone(), ACTION_MAX)?,
            mitigation_started_at: row.mitigation_started_at.map(|t| t.0),
            resolved_at: row.resolved_at.map(|t| t.0),
        };
        Ok(StoredSecurityEvent {
            event,
            version: row.version,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
        })
    }
}

pub fn insert(conn: &mut DbConnection, stored: &StoredSecurityEvent) -> Result<(), StoreError> {
    diesel::insert_into(security_events::table).values(row_of(stored)).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: SecurityEventId) -> Result<Option<StoredSecurityEvent>, StoreError> {
    security_events::table
        .find(DbUuid::from(id))
        .select(SecurityEventRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredSecurityEvent::try_from)
        .transpose()
}

/// List filters; `None` matches everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SecurityEventFilter {
    pub agency: Option<OrganisationId>,
    pub subscription: Option<SubscriptionId>,
    pub category: Option<SecurityCategory>,
    pub severity: Option<Severity>,
    pub status: Option<SecurityEventStatus>,
    /// Detected at or after this instant.
    pub detected_from: Option<DateTime<Utc>>,
    /// Detected before this instant.
    pub detected_until: Option<DateTime<Utc>>,
}

type Boxed<'a> = security_events::BoxedQuery<'a, crate::connection::MultiBackend>;

/// The rows `scope` may see and `filter` selects; `None` when the scope sees nothing.
fn scoped<'a>(scope: SubscriptionScope, filter: &SecurityEventFilter) -> Option<Boxed<'a>> {
    let mut query = security_events::table.into_boxed();
    match scope {
        SubscriptionScope::Everything => {}
        SubscriptionScope::OfAgency(agency) => {
            query = query.filter(security_events::agency_id.eq(DbUuid::from(agency)));
        }
        SubscriptionScope::ServedBy(provider) => {
            query = query.filter(security_events::provider_id.eq(DbUuid::from(provider)));
        }
        SubscriptionScope::Nothing => return None,
    }
    if let Some(agency) = filter.agency {
        query = query.filter(security_events::agency_id.eq(DbUuid::from(agency)));
    }
    if let Some(subscription) = filter.subscription {
        query = query.filter(security_events::subscription_id.eq(DbUuid::from(subscription)));
    }
    if let Some(category) = filter.category {
        query = query.filter(security_events::category.eq(category.as_str()));
    }
    if let Some(severity) = filter.severity {
        query = query.filter(security_events::severity.eq(severity.as_str()));
    }
    if let Some(status) = filter.status {
        query = query.filter(security_events::status.eq(status.as_str()));
    }
    if let Some(from) = filter.detected_from {
        query = query.filter(security_events::detected_at.ge(DbTimestamp::from(from)));
    }
    if let Some(until) = filter.detected_until {
        query = query.filter(security_events::detected_at.lt(DbTimestamp::from(until)));
    }
    Some(query)
}

/// Security events in `scope` matching `filter`, oldest first. An agency's scope is its
/// own events; a provider's, the events it posted.
pub fn list(
    conn: &mut DbConnection,
    scope: SubscriptionScope,
    filter: &SecurityEventFilter,
    page: PageRequest,
) -> Result<Page<StoredSecurityEvent>, StoreError> {
    let Some(mut query) = scoped(scope, filter) else {
        return Ok(Page { items: Vec::new(), next_after: None });
    };
    if let Some(after) = page.after {
        query = query.filter(security_events::id.gt(DbUuid(after)));
    }
    let rows = query
        .select(SecurityEventRow::as_select())
        .order(security_events::id.asc())
        .limit(page.fetch_limit())
        .load(conn)?
        .into_iter()
        .map(StoredSecurityEvent::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |s| s.event.id.as_uuid()))
}

/// Every event in `scope` matching `filter`, unpaged, by detection time (monthly summaries,
/// GSI-7.5.4; callers bound it with `detected_from` / `detected_until`).
pub fn all(
    conn: &mut DbConnection,
    scope: SubscriptionScope,
    filter: &SecurityEventFilter,
) -> Result<Vec<StoredSecurityEvent>, StoreError> {
    let Some(query) = scoped(scope, filter) else {
        return Ok(Vec::new());
    };
    query
        .select(SecurityEventRow::as_select())
        .order((security_events::detected_at.asc(), security_events::id.asc()))
        .load(conn)?
        .into_iter()
        .map(StoredSecurityEvent::try_from)
        .collect()
}

/// Writes the new state of `stored.event` if the stored version is still
/// `expected_version`; returns whether it did.
pub fn update_if_version(
    conn: &mut DbConnection,
    stored: &StoredSecurityEvent,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let e = &stored.event;
    let updated = diesel::update(
        security_events::table
            .filter(security_events::id.eq(DbUuid::from(e.id)))
            .filter(security_events::version.eq(expected_version)),
    )
    .set((
        security_events::status.eq(e.status.as_str()),
        security_events::actions_taken.eq(texts(&e.actions_taken)),
        security_events::mitigation_started_at.eq(e.mitigation_started_at.map(DbTimestamp::from)),
        security_events::resolved_at.eq(e.resolved_at.map(DbTimestamp::from)),
        security_events::updated_at.eq(DbTimestamp::from(stored.updated_at)),
        security_events::version.eq(stored.version),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use gsi_domain::Role;
    use gsi_domain::security_event::{SecurityEventAction, SecurityEventDraft, record};

    use super::*;
    use crate::repos::incidents::fixtures::{World, actor, t, world};
    use crate::repos::subscription_parties;
    use crate::testing::each_backend;

    fn posted(
        conn: &mut DbConnection,
        w: &World,
        agency: OrganisationId,
        subscription: Option<SubscriptionId>,
        category: &str,
        day: u32,
    ) -> StoredSecurityEvent {
        let draft = SecurityEventDraft {
            subscription,
            category: category.into(),
            severity: "high".into(),
            detected_at: t(day, 2, 0),
            description: "SYN flood on the agency's public address".into(),
            indicators: vec!["203.0.113.7".into(), "198.51.100.0/24".into()],
            actions_taken: vec!["rate limiting enabled".into()],
        };
        let operator = actor(Role::ProviderOperator, w.provider_p, "soc-1");
        let served = subscription_parties::between(conn, w.provider_p, agency).unwrap();
        let now = t(day, 3, 0);
        let event = record(SecurityEventId::new_v7(t(day, 2, 1)), agency, &draft, &operator, &served, now).unwrap();
        let stored = StoredSecurityEvent { event, version: 1, created_at: now, updated_at: now };
        insert(conn, &stored).unwrap();
        stored
    }

    #[test]
    fn gsi_8_2_events_round_trip_and_updates_are_guarded_by_version() {
        each_backend(|conn| {
            let w = world(conn);
            assert_eq!(subscription_parties::between(conn, w.provider_p, w.agency_a).unwrap().len(), 2);
            assert!(subscription_parties::between(conn, w.provider_q, w.agency_a).unwrap().is_empty());
            let e = posted(conn, &w, w.agency_a, Some(w.a1), "ddos", 2);
            assert_eq!(find(conn, e.event.id).unwrap(), Some(e.clone()));
            let operator = actor(Role::ProviderOperator, w.provider_p, "soc-1");
            let next = e
                .event
                .advance(&operator, SecurityEventAction::StartMitigation, Some("scrubbing centre engaged"), t(2, 4, 0))
                .unwrap();
            let v2 = StoredSecurityEvent { event: next, version: 2, updated_at: t(2, 4, 0), ..e.clone() };
            assert!(update_if_version(conn, &v2, 1).unwrap());
            assert!(!update_if_version(conn, &v2, 1).unwrap(), "a stale version must not write");
            let found = find(conn, e.event.id).unwrap().unwrap();
            assert_eq!(found, v2);
            assert_eq!(found.event.actions_taken.len(), 2);
            assert_eq!(found.event.status, SecurityEventStatus::Mitigating);
        });
    }

    #[test]
    fn gsi_7_5_4_events_are_listed_by_scope_and_filter() {
        each_backend(|conn| {
            let w = world(conn);
            let a = posted(conn, &w, w.agency_a, Some(w.a1), "ddos", 2);
            let a_wide = posted(conn, &w, w.agency_a, None, "phishing", 3);
            let b = posted(conn, &w, w.agency_b, Some(w.b), "malware", 4);
            let page = PageRequest { after: None, limit: 10 };
            let all = SecurityEventFilter::default();
            let ids = |p: Page<StoredSecurityEvent>| p.items.iter().map(|s| s.event.id).collect::<Vec<_>>();
            let (ea, ew, eb) = (a.event.id, a_wide.event.id, b.event.id);
            assert_eq!(ids(list(conn, SubscriptionScope::OfAgency(w.agency_a), &all, page).unwrap()), [ea, ew]);
            assert_eq!(ids(list(conn, SubscriptionScope::OfAgency(w.agency_b), &all, page).unwrap()), [eb]);
            assert_eq!(ids(list(conn, SubscriptionScope::ServedBy(w.provider_q), &all, page).unwrap()), []);
            assert_eq!(ids(list(conn, SubscriptionScope::Nothing, &all, page).unwrap()), []);
            let everything = SubscriptionScope::Everything;
            let f = SecurityEventFilter { agency: Some(w.agency_a), ..all };
            assert_eq!(ids(list(conn, everything, &f, page).unwrap()), [ea, ew]);
            let f = SecurityEventFilter { subscription: Some(w.a1), ..all };
            assert_eq!(ids(list(conn, everything, &f, page).unwrap()), [ea]);
            let f = SecurityEventFilter { category: Some(SecurityCategory::Malware), ..all };
            assert_eq!(ids(list(conn, everything, &f, page).unwrap()), [eb]);
            let f = SecurityEventFilter { severity: Some(Severity::Low), ..all };
            assert_eq!(ids(list(conn, everything, &f, page).unwrap()), []);
            let f = SecurityEventFilter { status: Some(SecurityEventStatus::Detected), ..all };
            assert_eq!(ids(list(conn, everything, &f, page).unwrap()).len(), 3);
            let first = list(conn, everything, &all, PageRequest { after: None, limit: 2 }).unwrap();
            let rest = list(conn, everything, &all, PageRequest { after: first.next_after, limit: 2 }).unwrap();
            assert_eq!(ids(rest), [eb]);

            let window =
                SecurityEventFilter { detected_from: Some(t(3, 2, 0)), detected_until: Some(t(4, 2, 0)), ..all };
            let in_window: Vec<_> = all_of(conn, everything, &window);
            assert_eq!(in_window, [ew], "from inclusive, until exclusive");
        });
    }

    fn all_of(conn: &mut DbConnection, scope: SubscriptionScope, f: &SecurityEventFilter) -> Vec<SecurityEventId> {
        all(conn, scope, f).unwrap().iter().map(|s| s.event.id).collect()
    }

    #[test]
    fn a_stored_event_that_breaks_a_rule_is_reported_not_hidden() {
        each_backend(|conn| {
            let w = world(conn);
            let e = posted(conn, &w, w.agency_a, None, "virus", 2);
            conn.batch_execute("UPDATE security_events SET status = 'resolved'").unwrap();
            match find(conn, e.event.id) {
                Err(StoreError::CorruptRow(detail)) => assert!(detail.contains("status"), "{detail}"),
                other => panic!("expected a corrupt row, got {other:?}"),
            }
        });
    }
}
