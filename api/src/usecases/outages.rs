//! Outages (GSI-7.2, 10.3): the provider's monitoring posts them on subscriptions it serves
//! and ends them; agencies read the ones affecting them, seeing only their own subscriptions.
//! Whether each outage counts against the service level is `outage::decide_exclusion`, from
//! the exclusions the provider publishes on its profile.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use gsi_domain::OrganisationId;
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::outage::{self, DeclaredExclusions, ExclusionDecision, OutageDraft, OutageError, OutageId};
use gsi_domain::subscription;
use gsi_domain::subscription_ref::SubscriptionId;
use gsi_persistence::repos::outages::{self as repo, OutageFilter, StoredOutage};
use gsi_persistence::repos::{provider_profiles, subscription_parties};
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

/// An outage as the caller sees it.
pub struct OutageView {
    pub stored: StoredOutage,
    /// The affected subscriptions the caller may see: all for the provider and GIX, its own
    /// for an agency.
    pub visible_subscriptions: Vec<SubscriptionId>,
    /// Whether it counts against the service level, and why (GSI-10.3).
    pub decision: ExclusionDecision,
}

/// What `provider` publishes on its profile; nothing when it has no profile.
pub fn declared_exclusions(conn: &mut DbConnection, provider: OrganisationId) -> Result<DeclaredExclusions, ApiError> {
    let profile = provider_profiles::find(conn, provider)?;
    Ok(DeclaredExclusions::from_published(
        profile.as_ref().map(|p| p.details.exclusions.as_slice()).unwrap_or_default(),
    ))
}

fn view(ctx: &Context, stored: StoredOutage, declared: &DeclaredExclusions) -> OutageView {
    let visible_subscriptions = stored.outage.visible_subscriptions(&ctx.actor, &stored.affected);
    let decision = outage::decide_exclusion(&stored.outage, declared);
    OutageView { stored, visible_subscriptions, decision }
}

fn refusal(e: OutageError) -> ApiError {
    match e {
        OutageError::NotPermitted { .. } => ApiError::Forbidden(e.to_string()),
        OutageError::Invalid(errors) => ApiError::Validation(errors),
    }
}

pub fn record(conn: &mut DbConnection, ctx: &Context, draft: &OutageDraft) -> Result<OutageView, ApiError> {
    record_as(conn, ctx, OutageId::new_v7(ctx.now), draft)
}

/// `record` with a chosen id (demo data uses fixed ids so that seeding is repeatable). Only
/// provider operators post; a subscription the caller's provider does not serve is refused
/// by field (`subscriptions[i]`, `not_served`) without saying whether it exists.
pub fn record_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OutageId,
    draft: &OutageDraft,
) -> Result<OutageView, ApiError> {
    let found = subscription_parties::find_many(conn, &draft.subscriptions)?;
    let recorded = outage::record(id, draft, &ctx.actor, &found, ctx.now).map_err(refusal)?;
    // The parties in the posted order: the link rows keep it.
    let affected =
        recorded.subscriptions.iter().filter_map(|s| found.iter().find(|p| p.subscription == *s)).copied().collect();
    let created = StoredOutage { outage: recorded, affected, version: 1, updated_at: ctx.now };
    repo::insert(conn, &created)?;
    let o = &created.outage;
    audit(
        conn,
        ctx,
        Change {
            action: "outage.recorded",
            resource_type: "outage",
            resource_id: o.id.to_string(),
            owner: None,
            changes: serde_json::json!({
                "subscriptions": o.subscriptions.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "started_at": o.started_at,
                "ended_at": o.ended_at,
                "cause": o.cause.as_str(),
                "planned": o.planned,
                "announced_at": o.announced_at,
                "exclusion": o.exclusion_claim.as_ref().map(|c| serde_json::json!({"kind": c.kind.as_str(), "reason": c.reason.as_str()})),
            }),
        },
    )?;
    outage_event(conn, ctx, EventType::OutageRecorded, &created)?;
    let declared = declared_exclusions(conn, o.provider)?;
    Ok(view(ctx, created, &declared))
}

/// Loads an outage the caller may read; anyone else gets 404.
fn load(conn: &mut DbConnection, ctx: &Context, id: OutageId) -> Result<StoredOutage, ApiError> {
    let stored = repo::find(conn, id)?.ok_or(ApiError::NotFound("outage"))?;
    if !stored.outage.access(&ctx.actor, &stored.affected).can_read() {
        return Err(ApiError::NotFound("outage"));
    }
    Ok(stored)
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: OutageId) -> Result<OutageView, ApiError> {
    read_tx(conn, |conn| {
        let stored = load(conn, ctx, id)?;
        let declared = declared_exclusions(conn, stored.outage.provider)?;
        Ok(view(ctx, stored, &declared))
    })
}

/// The outages the caller may see (GSI-7.2): for an agency, current and past outages
/// affecting its subscriptions; for a provider, the ones it posted; all for GIX.
pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &OutageFilter,
    page: PageRequest,
) -> Result<Page<OutageView>, ApiError> {
    read_tx(conn, |conn| {
        let found = repo::list(conn, subscription::subscription_scope(&ctx.actor), filter, page)?;
        let providers: Vec<OrganisationId> = found.items.iter().map(|s| s.outage.provider).collect();
        let profiles = provider_profiles::find_many(conn, &providers)?;
        let none = DeclaredExclusions::from_published(&[]);
        let declared: BTreeMap<OrganisationId, DeclaredExclusions> =
            profiles.iter().map(|(id, p)| (*id, DeclaredExclusions::from_published(&p.details.exclusions))).collect();
        Ok(found.map(|stored| {
            let d = declared.get(&stored.outage.provider).unwrap_or(&none);
            view(ctx, stored, d)
        }))
    })
}

/// Records the end of an open outage (GSI-7.2). Checks, in order: visibility (404), that the
/// caller posted it (403), the `If-Match` version (412), then the end (422: already ended,
/// before the start, in the future).
pub fn end(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OutageId,
    precondition: &Precondition,
    ended_at: DateTime<Utc>,
) -> Result<OutageView, ApiError> {
    let current = load(conn, ctx, id)?;
    if !current.outage.access(&ctx.actor, &current.affected).can_write() {
        return Err(ApiError::Forbidden("only the provider that posted an outage ends it".into()));
    }
    precondition.check(current.version)?;
    let ended = current.outage.end(&ctx.actor, ended_at, ctx.now).map_err(refusal)?;
    let updated = StoredOutage { outage: ended, version: current.version + 1, updated_at: ctx.now, ..current.clone() };
    if !repo::update_end_if_version(conn, &updated, current.version)? {
        return Err(ApiError::PreconditionFailed { current_etag: etag(current.version + 1) });
    }
    audit(
        conn,
        ctx,
        Change {
            action: "outage.ended",
            resource_type: "outage",
            resource_id: id.to_string(),
            owner: None,
            changes: serde_json::json!({"ended_at": {"from": current.outage.ended_at, "to": updated.outage.ended_at}}),
        },
    )?;
    outage_event(conn, ctx, EventType::OutageEnded, &updated)?;
    let declared = declared_exclusions(conn, updated.outage.provider)?;
    Ok(view(ctx, updated, &declared))
}

/// The event of an outage, for its provider, every affected subscription's agency and GIX.
fn outage_event(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    stored: &StoredOutage,
) -> Result<(), ApiError> {
    let o = &stored.outage;
    let state = if o.ended_at.is_some() { "ended" } else { "ongoing" };
    let resource = ResourceRef::new("outage", o.id, Some(state), format!("/v1/outages/{}", o.id));
    let audience = Audience::parties(std::iter::once(o.provider).chain(stored.affected.iter().map(|p| p.agency)));
    let data = serde_json::json!({"started_at": o.started_at, "ended_at": o.ended_at, "planned": o.planned});
    events::emit(conn, ctx, event_type, resource, audience, data)
}
