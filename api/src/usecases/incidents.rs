//! Incidents (GSI-7.3, 7.4, 7.5.8): the agency reports on its subscription, or the provider
//! records a report that reached it by phone, e-mail or monitoring; the provider works it
//! through `incident::apply`; both sides comment and follow one timeline. Deadlines come
//! from the SLA terms frozen on the subscription (GSI-10.2).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::incident::{
    self, Incident, IncidentAction, IncidentDeadlines, IncidentDraft, IncidentError, IncidentId, IncidentPolicy,
    StepDraft,
};
use gsi_domain::sla_terms::SlaTerms;
use gsi_domain::subscription::{self, SubscriptionId};
use gsi_domain::subscription_ref::SubscriptionParties;
use gsi_persistence::repos::incidents::{self as repo, IncidentFilter, StoredIncident};
use gsi_persistence::repos::subscriptions;
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

/// The hub's reopen window (GSI-7.5.8).
pub const POLICY: IncidentPolicy = IncidentPolicy::STANDARD;

/// An incident as callers see it: with its deadlines and the caller's next steps at `now`.
pub struct IncidentView {
    pub stored: StoredIncident,
    pub deadlines: IncidentDeadlines,
    /// What the caller may do next (`incident::available_actions`).
    pub available_actions: Vec<IncidentAction>,
    /// Until when the agency may reopen, while the incident is resolved or closed.
    pub reopen_until: Option<DateTime<Utc>>,
}

fn view(ctx: &Context, stored: StoredIncident, terms: &SlaTerms) -> Result<IncidentView, ApiError> {
    let i = &stored.incident;
    let deadlines = incident::deadlines(i, terms, ctx.now).map_err(|e| ApiError::Internal(e.to_string()))?;
    let available_actions = incident::available_actions(i, &ctx.actor, POLICY, ctx.now);
    let reopen_until = i.resolved_at().map(|at| POLICY.reopen_until(at));
    Ok(IncidentView { stored, deadlines, available_actions, reopen_until })
}

/// The SLA terms frozen on the incident's subscription.
fn terms_of(conn: &mut DbConnection, incident: &Incident) -> Result<SlaTerms, ApiError> {
    let stored = subscriptions::find(conn, incident.subscription)?
        .ok_or_else(|| ApiError::Internal(format!("incident {} has no subscription", incident.id)))?;
    Ok(stored.subscription.sla)
}

/// How a refused step is answered. Outside the reopen window the state alone does not explain
/// the refusal, so the steps the caller may take instead are named.
fn refusal(ctx: &Context, current: &Incident, e: IncidentError) -> ApiError {
    match e {
        IncidentError::NoAccess => ApiError::NotFound("incident"),
        IncidentError::NotPermitted { .. } => ApiError::Forbidden(e.to_string()),
        IncidentError::Refused(refused) => ApiError::invalid_transition(&refused, refused.state, &refused.allowed),
        IncidentError::ReopenWindowClosed { .. } | IncidentError::ReopenWindowStillOpen { .. } => {
            ApiError::InvalidTransition {
                detail: e.to_string(),
                current_state: current.state.as_str().to_owned(),
                allowed_actions: incident::available_actions(current, &ctx.actor, POLICY, ctx.now)
                    .iter()
                    .map(|a| a.as_str().to_owned())
                    .collect(),
            }
        }
        IncidentError::Invalid(errors) => ApiError::Validation(errors),
    }
}

pub fn report(
    conn: &mut DbConnection,
    ctx: &Context,
    subscription: SubscriptionId,
    draft: &IncidentDraft,
) -> Result<IncidentView, ApiError> {
    report_as(conn, ctx, IncidentId::new_v7(ctx.now), subscription, draft)
}

/// `report` with a chosen id (demo data uses fixed ids so that seeding is repeatable). A
/// subscription the caller is no party to is answered like one that does not exist: 422
/// naming `subscription_id`, so that nobody learns another agency's subscriptions.
pub fn report_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: IncidentId,
    subscription: SubscriptionId,
    draft: &IncidentDraft,
) -> Result<IncidentView, ApiError> {
    let unknown = || {
        ApiError::Validation(ValidationErrors::single(
            "subscription_id",
            "not_found",
            "no subscription with this id is yours to report on",
        ))
    };
    // Assessors are no party to any subscription: refused as a role (403), like GIX, rather
    // than told the subscription is unknown.
    if ctx.actor.role == gsi_domain::role::Role::Assessor {
        return Err(ApiError::Forbidden("an assessor may not report an incident".into()));
    }
    let stored = subscriptions::find(conn, subscription)?.ok_or_else(unknown)?;
    let parties = SubscriptionParties::from(&stored.subscription);
    let reported = incident::report(id, draft, &ctx.actor, &parties, ctx.now).map_err(|e| match e {
        IncidentError::NoAccess => unknown(),
        IncidentError::NotPermitted { .. } => ApiError::Forbidden(e.to_string()),
        IncidentError::Invalid(errors) => ApiError::Validation(errors),
        IncidentError::Refused(_)
        | IncidentError::ReopenWindowClosed { .. }
        | IncidentError::ReopenWindowStillOpen { .. } => {
            ApiError::Internal(format!("a report cannot be refused as a step: {e}"))
        }
    })?;
    let created = StoredIncident { incident: reported, version: 1, created_at: ctx.now, updated_at: ctx.now };
    repo::insert(conn, &created)?;
    let i = &created.incident;
    audit(
        conn,
        ctx,
        Change {
            action: "incident.reported",
            resource_type: "incident",
            resource_id: i.id.to_string(),
            owner: Some(i.agency),
            changes: serde_json::json!({
                "subscription_id": i.subscription.to_string(),
                "title": i.title.as_str(),
                "impact": i.impact.as_str(),
                "urgency": i.urgency.as_str(),
                "priority": i.priority.as_str(),
                "channel": i.channel.as_str(),
                "reported_at": i.reported_at,
            }),
        },
    )?;
    incident_event(conn, ctx, EventType::IncidentReported, i, serde_json::json!({"priority": i.priority.as_str()}))?;
    view(ctx, created, &stored.subscription.sla)
}

/// Loads an incident the caller may read; anyone else gets 404.
fn load(conn: &mut DbConnection, ctx: &Context, id: IncidentId) -> Result<StoredIncident, ApiError> {
    let stored = repo::find(conn, id)?.ok_or(ApiError::NotFound("incident"))?;
    if !stored.incident.access(&ctx.actor).can_read() {
        return Err(ApiError::NotFound("incident"));
    }
    Ok(stored)
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: IncidentId) -> Result<IncidentView, ApiError> {
    read_tx(conn, |conn| {
        let stored = load(conn, ctx, id)?;
        let terms = terms_of(conn, &stored.incident)?;
        view(ctx, stored, &terms)
    })
}

/// The incidents the caller may see: an agency's own, those on subscriptions a provider
/// serves, all for GIX (the subscription scope).
pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &IncidentFilter,
    page: PageRequest,
) -> Result<Page<IncidentView>, ApiError> {
    read_tx(conn, |conn| {
        let found = repo::list(conn, subscription::subscription_scope(&ctx.actor), filter, page)?;
        let mut terms: BTreeMap<SubscriptionId, SlaTerms> = BTreeMap::new();
        for stored in &found.items {
            if let std::collections::btree_map::Entry::Vacant(slot) = terms.entry(stored.incident.subscription) {
                slot.insert(terms_of(conn, &stored.incident)?);
            }
        }
        let next_after = found.next_after;
        let items = found
            .items
            .into_iter()
            .map(|stored| {
                let t = terms
                    .get(&stored.incident.subscription)
                    .ok_or_else(|| ApiError::Internal("subscription terms not loaded".into()))?;
                view(ctx, stored, t)
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next_after })
    })
}

/// Writes the next version of an incident, guarded by the version it was read at.
fn save(
    conn: &mut DbConnection,
    ctx: &Context,
    current: &StoredIncident,
    next: Incident,
) -> Result<StoredIncident, ApiError> {
    let updated =
        StoredIncident { incident: next, version: current.version + 1, updated_at: ctx.now, ..current.clone() };
    if !repo::update_if_version(conn, &updated, current.version)? {
        return Err(ApiError::PreconditionFailed { current_etag: etag(current.version + 1) });
    }
    Ok(updated)
}

/// One lifecycle step (GSI-7.3, 7.5.8). Checks, in order: visibility (404), the `If-Match`
/// version (412; a missing one is 428 only if the step would otherwise be allowed), then `incident::apply`: the state (409 naming the allowed steps), the
/// side (403), the reopen window (409), the note and hold reason (422).
pub fn act(
    conn: &mut DbConnection,
    ctx: &Context,
    id: IncidentId,
    precondition: &Precondition,
    step: &StepDraft,
) -> Result<IncidentView, ApiError> {
    let current = load(conn, ctx, id)?;
    // A missing If-Match must not answer 428 to a side that may not take the step at all.
    if matches!(precondition, Precondition::Missing) {
        incident::apply(&current.incident, &ctx.actor, step, POLICY, ctx.now)
            .map_err(|e| refusal(ctx, &current.incident, e))?;
    }
    precondition.check(current.version)?;
    let next = incident::apply(&current.incident, &ctx.actor, step, POLICY, ctx.now)
        .map_err(|e| refusal(ctx, &current.incident, e))?;
    let updated = save(conn, ctx, &current, next)?;
    let (before, after) = (&current.incident, &updated.incident);
    let entry = after.timeline.last();
    audit(
        conn,
        ctx,
        Change {
            action: "incident.state_changed",
            resource_type: "incident",
            resource_id: after.id.to_string(),
            owner: Some(after.agency),
            changes: serde_json::json!({
                "action": step.action.as_str(),
                "state": {"from": before.state.as_str(), "to": after.state.as_str()},
                "hold_reason": after.hold_reason.map(|r| r.as_str()),
                "note": entry.and_then(|e| e.note.as_ref()).map(|n| n.as_str()),
            }),
        },
    )?;
    incident_event(
        conn,
        ctx,
        EventType::IncidentStateChanged,
        after,
        serde_json::json!({"action": step.action.as_str(), "from": before.state.as_str()}),
    )?;
    let terms = terms_of(conn, after)?;
    view(ctx, updated, &terms)
}

/// A comment on the timeline, by either side, in any state (GSI-7.5.8). Comments need no
/// `If-Match`: the row lock makes concurrent ones wait for each other instead of failing.
pub fn comment(conn: &mut DbConnection, ctx: &Context, id: IncidentId, note: &str) -> Result<IncidentView, ApiError> {
    repo::lock(conn, id)?;
    let current = load(conn, ctx, id)?;
    let next = incident::comment(&current.incident, &ctx.actor, note, ctx.now)
        .map_err(|e| refusal(ctx, &current.incident, e))?;
    let updated = save(conn, ctx, &current, next)?;
    let i = &updated.incident;
    audit(
        conn,
        ctx,
        Change {
            action: "incident.commented",
            resource_type: "incident",
            resource_id: i.id.to_string(),
            owner: Some(i.agency),
            changes: serde_json::json!({"note": i.timeline.last().and_then(|e| e.note.as_ref()).map(|n| n.as_str())}),
        },
    )?;
    incident_event(conn, ctx, EventType::IncidentCommented, i, serde_json::json!({}))?;
    let terms = terms_of(conn, i)?;
    view(ctx, updated, &terms)
}

/// The event of an incident change, for its agency, its provider and GIX.
fn incident_event(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    i: &Incident,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let resource = ResourceRef::new("incident", i.id, Some(i.state.as_str()), format!("/v1/incidents/{}", i.id));
    events::emit(conn, ctx, event_type, resource, Audience::parties([i.agency, i.provider]), data)
}
