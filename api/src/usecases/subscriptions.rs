//! Subscriptions (GSI-7.5.2, 13.1): what agencies use, seen by the agency, the serving
//! provider and GIX; changed only by the serving provider.

use std::collections::BTreeSet;

use gsi_domain::catalog::{Offering, OfferingId};
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::org::OrganisationKind;
use gsi_domain::service::ServiceFamily;
use gsi_domain::subscription::{
    self, AddOnDraft, SubscribeRefused, Subscription, SubscriptionAction, SubscriptionDraft, SubscriptionFilter,
    SubscriptionId,
};
use gsi_domain::{OrganisationId, ValidationErrors};
use gsi_persistence::repos::subscriptions::{self as repo, StoredSubscription};
use gsi_persistence::repos::{offerings, organisations};
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events, governance};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

/// A subscription as callers see it: with the GSI-13.1 flag computed at read time.
pub struct SubscriptionView {
    pub stored: StoredSubscription,
    /// The provider is not on the list for this family now; the service keeps running.
    pub provider_not_listed: bool,
}

/// Two single-statement reads, no transaction around them: the listing flag is a view of
/// "now" that may as well be read a moment after the row, and BEGIN/COMMIT were two of the
/// five round trips per read on PostgreSQL (`make bench`).
pub fn get(conn: &mut DbConnection, ctx: &Context, id: SubscriptionId) -> Result<SubscriptionView, ApiError> {
    let stored = repo::find(conn, id)?.ok_or(ApiError::NotFound("subscription"))?;
    let s = &stored.subscription;
    if !subscription::subscription_access(&ctx.actor, s.agency, s.provider).can_read() {
        return Err(ApiError::NotFound("subscription"));
    }
    let asked = (s.provider, s.family());
    let listed = governance::listed_now(conn, &[asked], ctx.now)?;
    // Every pair asked for is answered, so the fallback is unused.
    let provider_not_listed = subscription::flagged_not_listed(s, listed.get(&asked).copied().unwrap_or(false));
    Ok(SubscriptionView { stored, provider_not_listed })
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &SubscriptionFilter,
    page: PageRequest,
) -> Result<Page<SubscriptionView>, ApiError> {
    read_tx(conn, |conn| {
        let found = repo::list(conn, subscription::subscription_scope(&ctx.actor), filter, page)?;
        let asked: Vec<(OrganisationId, ServiceFamily)> = found
            .items
            .iter()
            .map(|s| (s.subscription.provider, s.subscription.family()))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let listed = governance::listed_now(conn, &asked, ctx.now)?;
        Ok(found.map(|stored| {
            // Every pair asked for is answered, so the fallback is unused.
            let provider_listed =
                listed.get(&(stored.subscription.provider, stored.subscription.family())).copied().unwrap_or(false);
            let provider_not_listed = subscription::flagged_not_listed(&stored.subscription, provider_listed);
            SubscriptionView { stored, provider_not_listed }
        }))
    })
}

/// A provider's registration of a contract that was running before the hub.
pub struct ExistingDraft {
    pub agency: OrganisationId,
    pub offering: OfferingId,
    pub draft: SubscriptionDraft,
}

/// The onboarding path (GSI-7.5.2): the serving provider's operator registers a running
/// contract; it starts `active`. The provider must be listed for the family (GSI-13.1).
pub fn register_existing(
    conn: &mut DbConnection,
    ctx: &Context,
    input: &ExistingDraft,
) -> Result<Subscription, ApiError> {
    register_existing_as(conn, ctx, SubscriptionId::new_v7(ctx.now), input)
}

/// `register_existing` with a chosen id (demo data uses fixed ids so seeding is repeatable).
pub fn register_existing_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: SubscriptionId,
    input: &ExistingDraft,
) -> Result<Subscription, ApiError> {
    let provider = ctx.actor.organisation;
    if !subscription::may_register_existing(&ctx.actor, provider) {
        return Err(ApiError::Forbidden("only a provider's operators register its existing contracts".into()));
    }
    let offering = offerings::find(conn, input.offering)?.filter(|o| o.provider == provider).ok_or_else(|| {
        invalid("offering_id", "not_found", format!("your provider has no offering {}", input.offering))
    })?;
    let agency_is_registered =
        organisations::find(conn, input.agency)?.is_some_and(|o| o.kind == OrganisationKind::Agency);
    if !agency_is_registered {
        return Err(invalid("agency_id", "not_found", format!("no agency {} is registered", input.agency)));
    }
    let add_ons = load_add_ons(conn, provider, &input.draft.add_ons)?;
    let evidence = governance::evidence_of(conn, provider)?;
    let new =
        subscription::register_existing(&offering, &add_ons, &evidence, &input.draft, ctx.now).map_err(refusal)?;
    let created = new.into_subscription(id);
    repo::insert(conn, &created, ctx.now)?;
    audit(
        conn,
        ctx,
        Change {
            action: "subscription.registered",
            resource_type: "subscription",
            resource_id: created.id.to_string(),
            owner: Some(created.agency),
            changes: serde_json::json!({
                "agency_id": created.agency.to_string(),
                "offering_id": created.offering.to_string(),
                "starts_at": created.term.starts_at(),
                "ends_at": created.term.ends_at(),
                "status": created.status.as_str(),
                "origin": created.origin.as_str(),
            }),
        },
    )?;
    subscription_event(
        conn,
        ctx,
        EventType::SubscriptionCreated,
        &created,
        serde_json::json!({"origin": created.origin.as_str()}),
    )?;
    Ok(created)
}

/// The add-on offerings the draft names, of this provider; unknown ones are left for the
/// domain to report by field.
fn load_add_ons(
    conn: &mut DbConnection,
    provider: OrganisationId,
    drafts: &[AddOnDraft],
) -> Result<Vec<Offering>, ApiError> {
    let mut found = Vec::new();
    for id in drafts.iter().map(|a| a.offering_id).collect::<BTreeSet<_>>() {
        if let Some(offering) = offerings::find(conn, id)?.filter(|o| o.provider == provider) {
            found.push(offering);
        }
    }
    Ok(found)
}

fn invalid(field: &str, code: &'static str, message: String) -> ApiError {
    ApiError::Validation(ValidationErrors::single(field, code, message))
}

fn refusal(refused: SubscribeRefused) -> ApiError {
    match refused {
        SubscribeRefused::NotListed(e) => ApiError::ProviderNotListed(e.to_string()),
        SubscribeRefused::OfferingNotAvailable { offering, state } => {
            invalid("offering_id", "not_available", format!("offering {offering} is {state}; it cannot be subscribed"))
        }
        SubscribeRefused::Invalid(errors) => ApiError::Validation(errors),
    }
}

/// A lifecycle step by the serving provider (GSI-7.5.2): provisioning, activation,
/// suspension, resumption, termination.
pub fn act(
    conn: &mut DbConnection,
    ctx: &Context,
    id: SubscriptionId,
    precondition: &Precondition,
    action: SubscriptionAction,
) -> Result<Subscription, ApiError> {
    let stored = repo::find(conn, id)?.ok_or(ApiError::NotFound("subscription"))?;
    let current = stored.subscription;
    if !subscription::subscription_access(&ctx.actor, current.agency, current.provider).can_read() {
        return Err(ApiError::NotFound("subscription"));
    }
    if !subscription::may_act(&ctx.actor, current.provider, action) {
        return Err(ApiError::Forbidden("only the serving provider's operators change a subscription's state".into()));
    }
    precondition.check(current.version)?;
    let outcome = subscription::act(&current, action, ctx.now)
        .map_err(|refused| ApiError::invalid_transition(&refused, refused.state, &refused.allowed))?;
    let updated =
        Subscription { status: outcome.status, term: outcome.term, version: current.version + 1, ..current.clone() };
    if !repo::update_if_version(conn, &updated, current.version, ctx.now)? {
        return Err(ApiError::PreconditionFailed { current_etag: etag(current.version + 1) });
    }
    audit(
        conn,
        ctx,
        Change {
            action: "subscription.status_changed",
            resource_type: "subscription",
            resource_id: updated.id.to_string(),
            owner: Some(updated.agency),
            changes: serde_json::json!({
                "action": action.as_str(),
                "status": {"from": current.status.as_str(), "to": updated.status.as_str()},
                "ends_at": {"from": current.term.ends_at(), "to": updated.term.ends_at()},
            }),
        },
    )?;
    subscription_event(
        conn,
        ctx,
        EventType::SubscriptionStatusChanged,
        &updated,
        serde_json::json!({"action": action.as_str(), "from": current.status.as_str()}),
    )?;
    Ok(updated)
}

/// Whether the caller's provider serves `agency` (a provider reads the profiles of the
/// agencies it serves).
pub fn caller_serves(conn: &mut DbConnection, ctx: &Context, agency: OrganisationId) -> Result<bool, ApiError> {
    match ctx.actor.role {
        gsi_domain::Role::ProviderOperator => Ok(repo::provider_serves_agency(conn, ctx.actor.organisation, agency)?),
        gsi_domain::Role::AgencyAdmin
        | gsi_domain::Role::AgencyUser
        | gsi_domain::Role::GixOfficer
        | gsi_domain::Role::Assessor => Ok(false),
    }
}

/// The event of a subscription change, for its agency, its provider and GIX.
pub fn subscription_event(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    s: &Subscription,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let resource =
        ResourceRef::new("subscription", s.id, Some(s.status.as_str()), format!("/v1/subscriptions/{}", s.id));
    events::emit(conn, ctx, event_type, resource, Audience::parties([s.agency, s.provider]), data)
}
