//! Security events (GSI-7.5.4, 8.2): the provider's security staff post what they detect for
//! an agency they serve and what they did about it; the agency reads its own, with monthly
//! summaries by category and severity (GSI-7.5.9).

use gsi_domain::calendar::Month;
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::security_event::{
    self, MonthlySummary, SecurityEventAction, SecurityEventDraft, SecurityEventError, SecurityEventId,
};
use gsi_domain::{OrganisationId, ValidationErrors, subscription};
use gsi_persistence::repos::security_events::{self as repo, SecurityEventFilter, StoredSecurityEvent};
use gsi_persistence::repos::subscription_parties;
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

fn refusal(e: SecurityEventError) -> ApiError {
    match e {
        SecurityEventError::NoAccess => ApiError::NotFound("security event"),
        SecurityEventError::NotPermitted { .. } => ApiError::Forbidden(e.to_string()),
        SecurityEventError::Refused(refused) => {
            ApiError::invalid_transition(&refused, refused.status, &refused.allowed)
        }
        SecurityEventError::Invalid(errors) => ApiError::Validation(errors),
    }
}

pub fn record(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: OrganisationId,
    draft: &SecurityEventDraft,
) -> Result<StoredSecurityEvent, ApiError> {
    record_as(conn, ctx, SecurityEventId::new_v7(ctx.now), agency, draft)
}

/// `record` with a chosen id (demo data uses fixed ids so that seeding is repeatable). A
/// provider posts only for an agency it serves; any other agency id is refused by field
/// (`agency_id`, `not_served`) without saying whether the agency exists.
pub fn record_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: SecurityEventId,
    agency: OrganisationId,
    draft: &SecurityEventDraft,
) -> Result<StoredSecurityEvent, ApiError> {
    // The role decides first: a role that never posts security events is refused as such
    // (403), not told that the agency it named is not served (422).
    if ctx.actor.role != gsi_domain::role::Role::ProviderOperator {
        return Err(ApiError::Forbidden(format!("a {} may not post security events", ctx.actor.role.as_str())));
    }
    let served = subscription_parties::between(conn, ctx.actor.organisation, agency)?;
    let event = security_event::record(id, agency, draft, &ctx.actor, &served, ctx.now).map_err(|e| match e {
        SecurityEventError::NoAccess => ApiError::Validation(ValidationErrors::single(
            "agency_id",
            "not_served",
            "your organisation serves no agency with this id",
        )),
        other => refusal(other),
    })?;
    let created = StoredSecurityEvent { event, version: 1, created_at: ctx.now, updated_at: ctx.now };
    repo::insert(conn, &created)?;
    let e = &created.event;
    audit(
        conn,
        ctx,
        Change {
            action: "security_event.recorded",
            resource_type: "security_event",
            resource_id: e.id.to_string(),
            owner: Some(e.agency),
            changes: serde_json::json!({
                "subscription_id": e.subscription.map(|s| s.to_string()),
                "category": e.category.as_str(),
                "severity": e.severity.as_str(),
                "detected_at": e.detected_at,
            }),
        },
    )?;
    security_event_event(
        conn,
        ctx,
        EventType::SecurityEventRecorded,
        &created,
        serde_json::json!({"severity": e.severity.as_str()}),
    )?;
    Ok(created)
}

/// Loads an event the caller may read; anyone else gets 404.
fn load(conn: &mut DbConnection, ctx: &Context, id: SecurityEventId) -> Result<StoredSecurityEvent, ApiError> {
    let stored = repo::find(conn, id)?.ok_or(ApiError::NotFound("security event"))?;
    if !stored.event.access(&ctx.actor).can_read() {
        return Err(ApiError::NotFound("security event"));
    }
    Ok(stored)
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: SecurityEventId) -> Result<StoredSecurityEvent, ApiError> {
    load(conn, ctx, id)
}

/// The events the caller may see: an agency's own, those a provider posted, all for GIX.
pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &SecurityEventFilter,
    page: PageRequest,
) -> Result<Page<StoredSecurityEvent>, ApiError> {
    Ok(repo::list(conn, subscription::subscription_scope(&ctx.actor), filter, page)?)
}

/// Moves an event on (`detected → mitigating → resolved`), adding what was done. Checks, in
/// order: visibility (404), the `If-Match` version (412), then `SecurityEvent::advance`:
/// the poster only (403), the status (409 naming the allowed actions), the note (422).
pub fn advance(
    conn: &mut DbConnection,
    ctx: &Context,
    id: SecurityEventId,
    precondition: &Precondition,
    action: SecurityEventAction,
    note: Option<&str>,
) -> Result<StoredSecurityEvent, ApiError> {
    let current = load(conn, ctx, id)?;
    // A missing If-Match must not answer 428 to a role that may not take the step at all.
    if matches!(precondition, Precondition::Missing) {
        current.event.advance(&ctx.actor, action, note, ctx.now).map_err(refusal)?;
    }
    precondition.check(current.version)?;
    let next = current.event.advance(&ctx.actor, action, note, ctx.now).map_err(refusal)?;
    let updated =
        StoredSecurityEvent { event: next, version: current.version + 1, updated_at: ctx.now, ..current.clone() };
    if !repo::update_if_version(conn, &updated, current.version)? {
        return Err(ApiError::PreconditionFailed { current_etag: etag(current.version + 1) });
    }
    audit(
        conn,
        ctx,
        Change {
            action: "security_event.status_changed",
            resource_type: "security_event",
            resource_id: id.to_string(),
            owner: Some(updated.event.agency),
            changes: serde_json::json!({
                "action": action.as_str(),
                "status": {"from": current.event.status.as_str(), "to": updated.event.status.as_str()},
                "note": note,
            }),
        },
    )?;
    security_event_event(
        conn,
        ctx,
        EventType::SecurityEventStatusChanged,
        &updated,
        serde_json::json!({"action": action.as_str(), "from": current.event.status.as_str()}),
    )?;
    Ok(updated)
}

/// GSI-7.5.4, 7.5.9: the events the caller may see detected in the Bangkok `month`, by
/// category and severity; `agency` narrows it to one agency.
pub fn summary(
    conn: &mut DbConnection,
    ctx: &Context,
    month: Month,
    agency: Option<OrganisationId>,
) -> Result<MonthlySummary, ApiError> {
    let filter = SecurityEventFilter {
        agency,
        detected_from: Some(month.start()),
        detected_until: Some(month.end()),
        ..SecurityEventFilter::default()
    };
    let events: Vec<_> = read_tx(conn, |conn| {
        Ok::<_, ApiError>(repo::all(conn, subscription::subscription_scope(&ctx.actor), &filter)?)
    })?
    .into_iter()
    .map(|s| s.event)
    .collect();
    Ok(security_event::monthly_summary(&events, month))
}

/// The event of a security event, for its agency, its provider and GIX.
fn security_event_event(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    stored: &StoredSecurityEvent,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let e = &stored.event;
    let resource =
        ResourceRef::new("security_event", e.id, Some(e.status.as_str()), format!("/v1/security-events/{}", e.id));
    events::emit(conn, ctx, event_type, resource, Audience::parties([e.agency, e.provider]), data)
}
