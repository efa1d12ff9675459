//! Incidents (GSI-7.3, 7.4, 7.5.8) and their timelines. The incident row holds the current
//! state; the timeline is append-only, one row per step or comment, numbered from 0.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::incident::{
    DESCRIPTION_MAX, Incident, IncidentId, IncidentState, NOTE_MAX, TITLE_MAX, TimelineEntry, TimelineKind, priority_of,
};
use gsi_domain::sla_terms::Priority;
use gsi_domain::subscription::SubscriptionScope;
use gsi_domain::subscription_ref::SubscriptionId;
use gsi_domain::text::BoundedText;
use gsi_domain::{Actor, Subject};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::{incident_timeline, incidents};
use crate::types::{DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = incidents)]
struct IncidentRow {
    id: DbUuid,
    subscription_id: DbUuid,
    agency_id: DbUuid,
    provider_id: DbUuid,
    title: String,
    description: String,
    impact: String,
    urgency: String,
    priority: String,
    channel: String,
    reported_at: DbTimestamp,
    state: String,
    hold_reason: Option<String>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = incident_timeline)]
struct TimelineRow {
    incident_id: DbUuid,
    seq: i32,
    occurred_at: DbTimestamp,
    actor_subject: String,
    actor_role: String,
    actor_organisation_id: DbUuid,
    kind: String,
    from_state: Option<String>,
    to_state: Option<String>,
    hold_reason: Option<String>,
    note: Option<String>,
}

/// An incident with its version (the ETag) and when it was stored and last changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredIncident {
    pub incident: Incident,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn row_of(s: &StoredIncident) -> IncidentRow {
    let i = &s.incident;
    IncidentRow {
        id: i.id.into(),
        subscription_id: i.subscription.into(),
        agency_id: i.agency.into(),
        provider_id: i.provider.into(),
        title: i.title.to_string(),
        description: i.description.to_string(),
        impact: i.impact.as_str().to_owned(),
        urgency: i.urgency.as_str().to_owned(),
        priority: i.priority.as_str().to_owned(),
        channel: i.channel.as_str().to_owned(),
        reported_at: i.reported_at.into(),
        state: i.state.as_str().to_owned(),
        hold_reason: i.hold_reason.map(|r| r.as_str().to_owned()),
        created_at: s.created_at.into(),
        updated_at: s.updated_at.into(),
        version: s.version,
    }
}

fn timeline_rows(incident: &Incident, from: usize) -> Result<Vec<TimelineRow>, StoreError> {
    incident
        .timeline
        .iter()
        .enumerate()
        .skip(from)
        .map(|(seq, e)| {
            Ok(TimelineRow {
                incident_id: incident.id.into(),
                seq: i32::try_from(seq).map_err(|e| corrupt("incident_timeline", e))?,
                occurred_at: e.at.into(),
                actor_subject: e.actor.subject.as_str().to_owned(),
                actor_role: e.actor.role.as_str().to_owned(),
                actor_organisation_id: e.actor.organisation.into(),
                kind: e.kind.as_str().to_owned(),
                from_state: e.from_state.map(|s| s.as_str().to_owned()),
                to_state: e.to_state.map(|s| s.as_str().to_owned()),
                hold_reason: e.hold_reason.map(|r| r.as_str().to_owned()),
                note: e.note.as_ref().map(ToString::to_string),
            })
        })
        .collect()
}

fn entry_of(row: TimelineRow) -> Result<TimelineEntry, StoreError> {
    let bad =
        |e: &dyn std::fmt::Display| corrupt("incident_timeline", format!("{} #{}: {e}", row.incident_id.0, row.seq));
    let state = |raw: &Option<String>| raw.as_deref().map(str::parse::<IncidentState>).transpose();
    Ok(TimelineEntry {
        at: row.occurred_at.0,
        actor: Actor {
            subject: Subject::parse(&row.actor_subject).map_err(|e| bad(&e))?,
            organisation: row.actor_organisation_id.into(),
            role: row.actor_role.parse().map_err(|e| bad(&e))?,
        },
        kind: row.kind.parse().map_err(|e| bad(&e))?,
        from_state: state(&row.from_state).map_err(|e| bad(&e))?,
        to_state: state(&row.to_state).map_err(|e| bad(&e))?,
        hold_reason: row.hold_reason.as_deref().map(str::parse).transpose().map_err(|e| bad(&e))?,
        note: BoundedText::parse_optional("note", row.note.as_deref(), NOTE_MAX).map_err(|e| bad(&e))?,
    })
}

/// Stored values go through the domain's parsers, so a row that breaks a rule (a priority
/// that is not impact × urgency, a timeline that does not start with the report) is
/// reported, never shown half-valid.
fn incident_of(row: IncidentRow, timeline: Vec<TimelineRow>) -> Result<StoredIncident, StoreError> {
    let bad = |e: &dyn std::fmt::Display| corrupt("incidents", format!("{}: {e}", row.id.0));
    let impact = row.impact.parse().map_err(|e| bad(&e))?;
    let urgency = row.urgency.parse().map_err(|e| bad(&e))?;
    let priority: Priority = row.priority.parse().map_err(|e| bad(&e))?;
    if priority != priority_of(impact, urgency) {
        return Err(bad(&format!("priority {priority} is not {impact} impact × {urgency} urgency")));
    }
    let timeline = timeline.into_iter().map(entry_of).collect::<Result<Vec<_>, _>>()?;
    if timeline.first().is_none_or(|e| e.kind != TimelineKind::Reported) {
        return Err(bad(&"the timeline does not start with the report"));
    }
    let incident = Incident {
        id: row.id.into(),
        subscription: row.subscription_id.into(),
        agency: row.agency_id.into(),
        provider: row.provider_id.into(),
        title: BoundedText::parse("title", &row.title, TITLE_MAX).map_err(|e| bad(&e))?,
        description: BoundedText::parse("description", &row.description, DESCRIPTION_MAX).map_err(|e| bad(&e))?,
        impact,
        urgency,
        priority,
        channel: row.channel.parse().map_err(|e| bad(&e))?,
        reported_at: row.reported_at.0,
        state: row.state.parse().map_err(|e| bad(&e))?,
        hold_reason: row.hold_reason.as_deref().map(str::parse).transpose().map_err(|e| bad(&e))?,
        timeline,
    };
    Ok(StoredIncident { incident, version: row.version, created_at: row.created_at.0, updated_at: row.updated_at.0 })
}

/// The incidents of `rows` with their timelines, loaded in one query, in the rows' order.
fn with_timelines(conn: &mut DbConnection, rows: Vec<IncidentRow>) -> Result<Vec<StoredIncident>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<DbUuid> = rows.iter().map(|r| r.id).collect();
    let entries = incident_timeline::table
        .filter(incident_timeline::incident_id.eq_any(ids))
        .select(TimelineRow::as_select())
        .order((incident_timeline::incident_id.asc(), incident_timeline::seq.asc()))
        .load(conn)?;
    let mut by_incident: BTreeMap<DbUuid, Vec<TimelineRow>> = BTreeMap::new();
    for entry in entries {
        by_incident.entry(entry.incident_id).or_default().push(entry);
    }
    rows.into_iter()
        .map(|row| {
            let timeline = by_incident.remove(&row.id).unwrap_or_default();
            incident_of(row, timeline)
        })
        .collect()
}

/// One statement per row: diesel's batch insert does not compile through the
/// multi-connection backend (SQLite has no DEFAULT keyword in VALUES).
fn insert_entries(conn: &mut DbConnection, rows: Vec<TimelineRow>) -> Result<(), StoreError> {
    for row in rows {
        diesel::insert_into(incident_timeline::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Inserts the incident and its whole timeline.
pub fn insert(conn: &mut DbConnection, stored: &StoredIncident) -> Result<(), StoreError> {
    diesel::insert_into(incidents::table).values(row_of(stored)).execute(conn)?;
    insert_entries(conn, timeline_rows(&stored.incident, 0)?)
}

pub fn find(conn: &mut DbConnection, id: IncidentId) -> Result<Option<StoredIncident>, StoreError> {
    let row = incidents::table.find(DbUuid::from(id)).select(IncidentRow::as_select()).first(conn).optional()?;
    Ok(with_timelines(conn, row.into_iter().collect())?.pop())
}

/// List filters; `None` matches everything.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    pub subscription: Option<SubscriptionId>,
    pub state: Option<IncidentState>,
    pub priority: Option<Priority>,
}

/// Incidents in `scope` matching `filter`, oldest first. Incidents belong to subscriptions,
/// so the subscription scope applies: the agency's own, those its provider serves, or all.
pub fn list(
    conn: &mut DbConnection,
    scope: SubscriptionScope,
    filter: &IncidentFilter,
    page: PageRequest,
) -> Result<Page<StoredIncident>, StoreError> {
    let mut query = incidents::table
        .select(IncidentRow::as_select())
        .order(incidents::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        SubscriptionScope::Everything => {}
        SubscriptionScope::OfAgency(agency) => query = query.filter(incidents::agency_id.eq(DbUuid::from(agency))),
        SubscriptionScope::ServedBy(provider) => {
            query = query.filter(incidents::provider_id.eq(DbUuid::from(provider)))
        }
        SubscriptionScope::Nothing => return Ok(Page { items: Vec::new(), next_after: None }),
    }
    if let Some(subscription) = filter.subscription {
        query = query.filter(incidents::subscription_id.eq(DbUuid::from(subscription)));
    }
    if let Some(state) = filter.state {
        query = query.filter(incidents::state.eq(state.as_str()));
    }
    if let Some(priority) = filter.priority {
        query = query.filter(incidents::priority.eq(priority.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(incidents::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?;
    let items = with_timelines(conn, rows)?;
    Ok(Page::from_overfetch(items, page.limit, |s| s.incident.id.as_uuid()))
}

/// The subscription's incidents reported in `[from, until)`, by report time (the SLA's
/// share of incidents resolved within deadline, GSI-10.2).
pub fn reported_between(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<StoredIncident>, StoreError> {
    let rows = incidents::table
        .filter(incidents::subscription_id.eq(DbUuid::from(subscription)))
        .filter(incidents::reported_at.ge(DbTimestamp::from(from)))
        .filter(incidents::reported_at.lt(DbTimestamp::from(until)))
        .select(IncidentRow::as_select())
        .order((incidents::reported_at.asc(), incidents::id.asc()))
        .load(conn)?;
    with_timelines(conn, rows)
}

/// Writes the new state of `stored.incident` if the stored version is still
/// `expected_version`, and appends the timeline entries not stored yet; returns whether it
/// wrote. The version check is part of the `UPDATE`, so of two racing writers one wins and
/// the other appends nothing.
pub fn update_if_version(
    conn: &mut DbConnection,
    stored: &StoredIncident,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let i = &stored.incident;
    let updated = diesel::update(
        incidents::table.filter(incidents::id.eq(DbUuid::from(i.id))).filter(incidents::version.eq(expected_version)),
    )
    .set((
        incidents::state.eq(i.state.as_str()),
        incidents::hold_reason.eq(i.hold_reason.map(|r| r.as_str())),
        incidents::updated_at.eq(DbTimestamp::from(stored.updated_at)),
        incidents::version.eq(stored.version),
    ))
    .execute(conn)?;
    if updated != 1 {
        return Ok(false);
    }
    let stored_entries: i64 = incident_timeline::table
        .filter(incident_timeline::incident_id.eq(DbUuid::from(i.id)))
        .count()
        .get_result(conn)?;
    let from = usize::try_from(stored_entries).map_err(|e| corrupt("incident_timeline", e))?;
    insert_entries(conn, timeline_rows(i, from)?)?;
    Ok(true)
}

/// Holds the incident row's lock until the transaction ends; returns whether it exists.
/// Comments carry no `If-Match`, so two at once must not refuse each other: each takes this
/// lock before reading, and they run one after the other. On PostgreSQL the no-op `UPDATE`
/// takes the row lock; on SQLite `BEGIN IMMEDIATE` already serialises writers.
pub fn lock(conn: &mut DbConnection, id: IncidentId) -> Result<bool, StoreError> {
    let locked = diesel::update(incidents::table.find(DbUuid::from(id)))
        .set(incidents::version.eq(incidents::version))
        .execute(conn)?;
    Ok(locked == 1)
}

/// Organisations, an offering and subscriptions for the tests of this module and of the
/// outage and security-event repositories.
#[cfg(test)]
pub(crate) mod fixtures {
    use chrono::{DateTime, TimeZone, Utc};
    use gsi_domain::OrganisationId;
    use gsi_domain::catalog::{Offering, OfferingDetails, OfferingDraft, OfferingId, OfferingState, PricingLineDraft};
    use gsi_domain::org::NewOrganisation;
    use gsi_domain::service::ServiceKind;
    use gsi_domain::sla_terms::{SlaTerms, SlaTermsDraft};
    use gsi_domain::subscription::{Subscription, SubscriptionId, SubscriptionOrigin, SubscriptionStatus, Term};
    use gsi_domain::{Actor, Role, Subject};

    use crate::DbConnection;
    use crate::repos::offerings::{self, OfferingRecord};
    use crate::repos::{organisations, subscriptions};

    pub(crate) fn t(day: u32, hour: u32, minute: u32) -> DateTime<Utc> {
        // Microseconds on purpose: storage must keep them on both backends.
        Utc.with_ymd_and_hms(2026, 11, day, hour, minute, 0).unwrap() + chrono::Duration::microseconds(123_456)
    }

    /// Agency A and B, provider P and Q; P serves A twice (`a1`, `a2`) and B once (`b`).
    pub(crate) struct World {
        pub agency_a: OrganisationId,
        pub agency_b: OrganisationId,
        pub provider_p: OrganisationId,
        pub provider_q: OrganisationId,
        pub a1: SubscriptionId,
        pub a2: SubscriptionId,
        pub b: SubscriptionId,
    }

    fn register(conn: &mut DbConnection, kind: &str, name: &str, second: u32) -> OrganisationId {
        let at = t(1, 0, 0) + chrono::Duration::seconds(i64::from(second));
        let org = NewOrganisation::parse(kind, name, None).unwrap().into_organisation(OrganisationId::new_v7(at), at);
        organisations::insert(conn, &org).unwrap();
        org.id
    }

    pub(crate) fn sla() -> SlaTerms {
        SlaTerms::parse(&SlaTermsDraft {
            availability_percent: "99.9".into(),
            max_unplanned_outages_per_month: 3,
            max_mean_time_to_restore_minutes: 240,
            priorities: vec![
                ("p1".into(), 15, 240),
                ("p2".into(), 30, 480),
                ("p3".into(), 120, 1440),
                ("p4".into(), 480, 4320),
            ],
            credit_tiers: vec![("99.9".into(), "10".into())],
        })
        .unwrap()
    }

    fn subscription(
        conn: &mut DbConnection,
        n: u32,
        agency: OrganisationId,
        provider: OrganisationId,
        offering: OfferingId,
    ) -> SubscriptionId {
        let s = Subscription {
            id: SubscriptionId::new_v7(t(1, 1, n)),
            agency,
            provider,
            offering,
            kind: ServiceKind::Compute,
            quantities: Default::default(),
            add_ons: vec![],
            term: Term::new(t(1, 0, 0), None).unwrap(),
            sla: sla(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::PreExisting,
            version: 1,
        };
        subscriptions::insert(conn, &s, t(1, 1, n)).unwrap();
        s.id
    }

    pub(crate) fn world(conn: &mut DbConnection) -> World {
        let agency_a = register(conn, "agency", "กรมเอ", 1);
        let agency_b = register(conn, "agency", "กรมบี", 2);
        let provider_p = register(conn, "provider", "ผู้ให้บริการพี", 3);
        let provider_q = register(conn, "provider", "ผู้ให้บริการคิว", 4);
        let offering = OfferingRecord {
            offering: Offering {
                id: OfferingId::new_v7(t(1, 0, 30)),
                provider: provider_p,
                details: OfferingDetails::parse(&OfferingDraft {
                    family: "cloud".into(),
                    kind: "compute".into(),
                    name: "VM".into(),
                    description: None,
                    base_offering_id: None,
                    pricing: vec![PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "1.05".into() }],
                    sla: Some(SlaTermsDraft {
                        availability_percent: "99.9".into(),
                        max_unplanned_outages_per_month: 3,
                        max_mean_time_to_restore_minutes: 240,
                        priorities: vec![
                            ("p1".into(), 15, 240),
                            ("p2".into(), 30, 480),
                            ("p3".into(), 120, 1440),
                            ("p4".into(), 480, 4320),
                        ],
                        credit_tiers: vec![],
                    }),
                    capacity: vec![],
                })
                .unwrap(),
                state: OfferingState::Published,
                version: 1,
            },
            created_at: t(1, 0, 30),
            updated_at: t(1, 0, 30),
        };
        offerings::insert(conn, &offering).unwrap();
        let id = offering.offering.id;
        World {
            agency_a,
            agency_b,
            provider_p,
            provider_q,
            a1: subscription(conn, 1, agency_a, provider_p, id),
            a2: subscription(conn, 2, agency_a, provider_p, id),
            b: subscription(conn, 3, agency_b, provider_p, id),
        }
    }

    pub(crate) fn actor(role: Role, organisation: OrganisationId, name: &str) -> Actor {
        Actor { subject: Subject::parse(name).unwrap(), organisation, role }
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use gsi_domain::Role;
    use gsi_domain::incident::{IncidentAction, IncidentDraft, IncidentPolicy, StepDraft, apply, comment, report};
    use gsi_domain::subscription::SubscriptionScope;
    use gsi_domain::subscription_ref::SubscriptionParties;

    use super::fixtures::{World, actor, t, world};
    use super::*;
    use crate::testing::each_backend;

    fn parties(w: &World, s: SubscriptionId, agency: gsi_domain::OrganisationId) -> SubscriptionParties {
        SubscriptionParties { subscription: s, agency, provider: w.provider_p }
    }

    fn reported(w: &World, s: SubscriptionId, agency: gsi_domain::OrganisationId, minute: u32) -> StoredIncident {
        let draft = IncidentDraft {
            title: "Internet down".into(),
            description: "No traffic since 09:00".into(),
            impact: "high".into(),
            urgency: "medium".into(),
            ..Default::default()
        };
        let at = t(2, 9, minute);
        let incident = report(
            IncidentId::new_v7(at),
            &draft,
            &actor(Role::AgencyUser, agency, "user-1"),
            &parties(w, s, agency),
            at,
        )
        .unwrap();
        StoredIncident { incident, version: 1, created_at: at, updated_at: at }
    }

    fn step(action: IncidentAction, note: Option<&str>, hold: Option<&str>) -> StepDraft {
        StepDraft { action, note: note.map(str::to_owned), hold_reason: hold.map(str::to_owned) }
    }

    #[test]
    fn gsi_7_5_8_incidents_round_trip_with_their_timeline_and_updates_append() {
        each_backend(|conn| {
            let w = world(conn);
            let first = reported(&w, w.a1, w.agency_a, 0);
            insert(conn, &first).unwrap();
            assert_eq!(find(conn, first.incident.id).unwrap(), Some(first.clone()));

            let operator = actor(Role::ProviderOperator, w.provider_p, "noc-7");
            let policy = IncidentPolicy::STANDARD;
            let i = &first.incident;
            let i = apply(i, &operator, &step(IncidentAction::Acknowledge, None, None), policy, t(2, 9, 5)).unwrap();
            let i = comment(&i, &actor(Role::AgencyAdmin, w.agency_a, "admin-1"), "Branch too", t(2, 9, 6)).unwrap();
            let i = apply(&i, &operator, &step(IncidentAction::StartWork, None, None), policy, t(2, 9, 7)).unwrap();
            let i = apply(
                &i,
                &operator,
                &step(IncidentAction::PutOnHold, Some("need site access"), Some("awaiting_agency")),
                policy,
                t(2, 9, 8),
            )
            .unwrap();
            assert!(lock(conn, first.incident.id).unwrap());
            assert!(!lock(conn, IncidentId::new_v7(t(3, 0, 0))).unwrap(), "nothing to lock");
            let v2 = StoredIncident { incident: i, version: 2, updated_at: t(2, 9, 8), ..first.clone() };
            assert!(update_if_version(conn, &v2, 1).unwrap());
            assert!(!update_if_version(conn, &v2, 1).unwrap(), "a stale version must not write");
            let found = find(conn, first.incident.id).unwrap().unwrap();
            assert_eq!(found, v2);
            let kinds: Vec<TimelineKind> = found.incident.timeline.iter().map(|e| e.kind).collect();
            assert_eq!(
                kinds,
                [
                    TimelineKind::Reported,
                    TimelineKind::Acknowledged,
                    TimelineKind::Commented,
                    TimelineKind::WorkStarted,
                    TimelineKind::PutOnHold
                ]
            );
            assert_eq!(found.incident.timeline[1].actor, operator);
            assert_eq!(found.incident.timeline[2].note.as_ref().unwrap().as_str(), "Branch too");
        });
    }

    #[test]
    fn gsi_7_5_8_incidents_are_listed_by_scope_and_filter() {
        each_backend(|conn| {
            let w = world(conn);
            let a1 = reported(&w, w.a1, w.agency_a, 0);
            let a2 = reported(&w, w.a2, w.agency_a, 1);
            let b = reported(&w, w.b, w.agency_b, 2);
            for s in [&a1, &a2, &b] {
                insert(conn, s).unwrap();
            }
            let page = PageRequest { after: None, limit: 10 };
            let ids = |p: Page<StoredIncident>| p.items.iter().map(|s| s.incident.id).collect::<Vec<_>>();
            let all = IncidentFilter::default();
            let of_a = list(conn, SubscriptionScope::OfAgency(w.agency_a), &all, page).unwrap();
            assert_eq!(ids(of_a), [a1.incident.id, a2.incident.id]);
            assert_eq!(ids(list(conn, SubscriptionScope::ServedBy(w.provider_q), &all, page).unwrap()), []);
            assert_eq!(ids(list(conn, SubscriptionScope::Nothing, &all, page).unwrap()), []);
            let served = list(conn, SubscriptionScope::ServedBy(w.provider_p), &all, page).unwrap();
            assert_eq!(ids(served), [a1.incident.id, a2.incident.id, b.incident.id]);

            let only_a2 = IncidentFilter { subscription: Some(w.a2), ..all };
            assert_eq!(ids(list(conn, SubscriptionScope::Everything, &only_a2, page).unwrap()), [a2.incident.id]);
            let p2_new = IncidentFilter { state: Some(IncidentState::New), priority: Some(Priority::P2), ..all };
            assert_eq!(ids(list(conn, SubscriptionScope::Everything, &p2_new, page).unwrap()).len(), 3);
            let p1 = IncidentFilter { priority: Some(Priority::P1), ..all };
            assert!(ids(list(conn, SubscriptionScope::Everything, &p1, page).unwrap()).is_empty());

            let first = list(conn, SubscriptionScope::Everything, &all, PageRequest { after: None, limit: 2 }).unwrap();
            assert_eq!(first.items.len(), 2);
            let rest =
                list(conn, SubscriptionScope::Everything, &all, PageRequest { after: first.next_after, limit: 2 })
                    .unwrap();
            assert_eq!((ids(rest), first.next_after.is_some()), (vec![b.incident.id], true));

            let reported = reported_between(conn, w.a1, t(2, 0, 0), t(3, 0, 0)).unwrap();
            assert_eq!(reported, std::slice::from_ref(&a1));
            assert!(reported_between(conn, w.a1, t(2, 9, 1), t(3, 0, 0)).unwrap().is_empty(), "from is inclusive");
            assert!(reported_between(conn, w.a1, t(1, 0, 0), a1.incident.reported_at).unwrap().is_empty());
        });
    }

    #[test]
    fn a_stored_incident_that_breaks_a_rule_is_reported_not_hidden() {
        each_backend(|conn| {
            let w = world(conn);
            let s = reported(&w, w.a1, w.agency_a, 0);
            insert(conn, &s).unwrap();
            // Written behind the API's back: a priority that impact × urgency does not give.
            conn.batch_execute("UPDATE incidents SET priority = 'p4'").unwrap();
            match find(conn, s.incident.id) {
                Err(StoreError::CorruptRow(detail)) => assert!(detail.contains("priority"), "{detail}"),
                other => panic!("expected a corrupt row, got {other:?}"),
            }
            conn.batch_execute(
                "UPDATE incidents SET priority = 'p2'; UPDATE incident_timeline SET kind = 'teleported'",
            )
            .unwrap();
            assert!(matches!(find(conn, s.incident.id), Err(StoreError::CorruptRow(_))));
        });
    }
}
