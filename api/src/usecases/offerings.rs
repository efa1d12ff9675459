//! The service catalog (GSI-3.6–3.8, 5.1, 7.1, 10.1, 10.2, A.1.3): a provider's operators
//! keep their offerings (draft → published → retired); agencies and the assessor read
//! published and retired ones; GIX reads all. Who sees what is `catalog::offering_access`:
//! another provider's offering does not exist for the caller (404 for reads and writes);
//! a reader who may not change an offering it sees is answered 403.

use gsi_domain::OrganisationId;
use gsi_domain::catalog::{
    self, EditRefused, Offering, OfferingAction, OfferingDetails, OfferingDraft, OfferingId, OfferingState,
    PublishRefused,
};
use gsi_domain::pricing::PricePoint;
use gsi_persistence::repos::offerings::{self, OfferingFilter, OfferingRecord};
use gsi_persistence::repos::{organisations, reference_prices};
use gsi_persistence::{DbConnection, Page, PageRequest};

use super::{Change, Context, audit, diff};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

pub fn create(conn: &mut DbConnection, ctx: &Context, draft: &OfferingDraft) -> Result<OfferingRecord, ApiError> {
    create_as(conn, ctx, OfferingId::new_v7(ctx.now), draft)
}

/// `create` with a chosen id (demo data uses fixed ids so that seeding is repeatable).
/// The offering starts as a draft of the caller's own provider; prices are checked against
/// the reference prices when it is published.
pub fn create_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    draft: &OfferingDraft,
) -> Result<OfferingRecord, ApiError> {
    let provider = ctx.actor.organisation;
    if !catalog::offering_access(&ctx.actor, provider, OfferingState::Draft).can_write() {
        return Err(ApiError::Forbidden("only a provider's operators create offerings, for their own provider".into()));
    }
    // A token may name an organisation that is not registered here, or not as a provider.
    let registered = organisations::find(conn, provider)?;
    if registered.is_none_or(|org| org.kind != ctx.actor.role.organisation_kind()) {
        return Err(ApiError::Forbidden(format!("organisation {provider} is not a registered provider")));
    }
    let details = OfferingDetails::parse(draft).map_err(ApiError::Validation)?;
    check_base(conn, provider, &details)?;
    let record = OfferingRecord {
        offering: Offering { id, provider, details, state: OfferingState::Draft, version: 1 },
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    offerings::insert(conn, &record)?;
    audit(
        conn,
        ctx,
        Change {
            action: "offering.created",
            resource_type: "offering",
            resource_id: id.to_string(),
            owner: Some(provider),
            changes: snapshot(&record.offering),
        },
    )?;
    Ok(record)
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: OfferingId) -> Result<OfferingRecord, ApiError> {
    let record = offerings::find_record(conn, id)?.ok_or(ApiError::NotFound("offering"))?;
    if !catalog::offering_access(&ctx.actor, record.offering.provider, record.offering.state).can_read() {
        return Err(ApiError::NotFound("offering"));
    }
    Ok(record)
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: OfferingFilter,
    page: PageRequest,
) -> Result<Page<OfferingRecord>, ApiError> {
    Ok(offerings::list(conn, catalog::catalog_scope(&ctx.actor), filter, page)?)
}

/// The offering's price history, in the order prices took effect (GSI-7.1).
pub fn price_history(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    page: PageRequest,
) -> Result<Page<PricePoint>, ApiError> {
    get(conn, ctx, id)?;
    Ok(offerings::price_history_page(conn, id, page)?)
}

/// Replaces the offering's content. Checks, in order: visibility (404), write permission
/// (403), the `If-Match` version (412), the lifecycle (409 for a retired offering), the
/// fields (422), then `catalog::edit`: a published offering keeps kind, base and priced
/// metrics, and a changed price must be within the cap now and joins the history from now.
pub fn update(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    precondition: &Precondition,
    draft: &OfferingDraft,
) -> Result<OfferingRecord, ApiError> {
    let current = load_for_change(conn, ctx, id, precondition)?;
    catalog::transition(current.offering.state, OfferingAction::Edit)
        .map_err(|refused| ApiError::Conflict(refused.to_string()))?;
    let details = OfferingDetails::parse(draft).map_err(ApiError::Validation)?;
    if current.offering.state == OfferingState::Draft {
        // A published offering's base is fixed (`catalog::edit` says so); a draft's may move.
        check_base(conn, current.offering.provider, &details)?;
    }
    let caps = reference_prices::all_for(conn, details.kind)?;
    let edit = catalog::edit(&current.offering, details, &caps, ctx.now).map_err(|refused| match refused {
        EditRefused::Transition(t) => ApiError::Conflict(t.to_string()),
        EditRefused::Invalid(errors) => ApiError::Validation(errors),
    })?;
    let updated = OfferingRecord {
        offering: Offering { details: edit.details, version: current.offering.version + 1, ..current.offering.clone() },
        updated_at: ctx.now,
        ..current.clone()
    };
    save(conn, &updated, current.offering.version)?;
    offerings::append_prices(conn, id, &edit.price_changes)?;
    let mut changes = diff(&snapshot(&current.offering), &snapshot(&updated.offering));
    if let Some(map) = changes.as_object_mut().filter(|_| !edit.price_changes.is_empty()) {
        map.insert("price_history_added".into(), prices_json(&edit.price_changes));
    }
    audit(
        conn,
        ctx,
        Change {
            action: "offering.updated",
            resource_type: "offering",
            resource_id: id.to_string(),
            owner: Some(updated.offering.provider),
            changes,
        },
    )?;
    Ok(updated)
}

/// Publishes a draft (GSI-7.1): every price within the reference price in force now (equal
/// allowed; above it, or no reference price, refused naming `pricing[i].unit_price`), an
/// add-on's base published. The prices start the history, effective now.
pub fn publish(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    precondition: &Precondition,
) -> Result<OfferingRecord, ApiError> {
    let current = load_for_change(conn, ctx, id, precondition)?;
    let base = match current.offering.details.role.base_offering() {
        Some(base) => offerings::find(conn, base)?,
        None => None,
    };
    let caps = reference_prices::all_for(conn, current.offering.details.kind)?;
    let publication =
        catalog::publish(&current.offering, base.as_ref(), &caps, ctx.now).map_err(|refused| match refused {
            PublishRefused::Transition(t) => ApiError::Conflict(t.to_string()),
            PublishRefused::Prices(errors) => ApiError::Validation(errors),
            base @ PublishRefused::BaseNotPublished { .. } => ApiError::Conflict(base.to_string()),
        })?;
    let published = change_state(conn, ctx, &current, publication.state)?;
    offerings::append_prices(conn, id, &publication.prices)?;
    audit(
        conn,
        ctx,
        Change {
            action: "offering.published",
            resource_type: "offering",
            resource_id: id.to_string(),
            owner: Some(published.offering.provider),
            changes: serde_json::json!({
                "state": {"from": current.offering.state.as_str(), "to": published.offering.state.as_str()},
                "price_history_added": prices_json(&publication.prices),
            }),
        },
    )?;
    Ok(published)
}

/// Retires a published offering: it can no longer be subscribed, and stays readable for
/// the subscriptions that run on it.
pub fn retire(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    precondition: &Precondition,
) -> Result<OfferingRecord, ApiError> {
    let current = load_for_change(conn, ctx, id, precondition)?;
    let state = catalog::retire(&current.offering).map_err(|refused| ApiError::Conflict(refused.to_string()))?;
    let retired = change_state(conn, ctx, &current, state)?;
    audit(
        conn,
        ctx,
        Change {
            action: "offering.retired",
            resource_type: "offering",
            resource_id: id.to_string(),
            owner: Some(retired.offering.provider),
            changes: serde_json::json!({
                "state": {"from": current.offering.state.as_str(), "to": retired.offering.state.as_str()},
            }),
        },
    )?;
    Ok(retired)
}

/// Loads an offering the caller is about to change: 404 when it may not see it, 403 when it
/// may only read it, 412 when `If-Match` names another version.
fn load_for_change(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OfferingId,
    precondition: &Precondition,
) -> Result<OfferingRecord, ApiError> {
    let record = offerings::find_record(conn, id)?.ok_or(ApiError::NotFound("offering"))?;
    let access = catalog::offering_access(&ctx.actor, record.offering.provider, record.offering.state);
    if !access.can_read() {
        return Err(ApiError::NotFound("offering"));
    }
    if !access.can_write() {
        return Err(ApiError::Forbidden("only the provider's operators change its offerings".into()));
    }
    precondition.check(record.offering.version)?;
    Ok(record)
}

fn change_state(
    conn: &mut DbConnection,
    ctx: &Context,
    current: &OfferingRecord,
    state: OfferingState,
) -> Result<OfferingRecord, ApiError> {
    let changed = OfferingRecord {
        offering: Offering { state, version: current.offering.version + 1, ..current.offering.clone() },
        updated_at: ctx.now,
        ..current.clone()
    };
    save(conn, &changed, current.offering.version)?;
    Ok(changed)
}

fn save(conn: &mut DbConnection, record: &OfferingRecord, expected_version: i64) -> Result<(), ApiError> {
    if offerings::update_if_version(conn, record, expected_version)? {
        Ok(())
    } else {
        // Another writer committed between our read and write.
        Err(ApiError::PreconditionFailed { current_etag: etag(expected_version + 1) })
    }
}

/// An add-on's base: the stored offering, judged by `catalog::check_base` (another
/// provider's offering reads as not found there too).
fn check_base(conn: &mut DbConnection, provider: OrganisationId, details: &OfferingDetails) -> Result<(), ApiError> {
    let base = match details.role.base_offering() {
        Some(base) => offerings::find(conn, base)?,
        None => return Ok(()),
    };
    catalog::check_base(provider, details, base.as_ref()).map_err(ApiError::Validation)
}

fn prices_json(points: &[PricePoint]) -> serde_json::Value {
    points
        .iter()
        .map(|p| {
            serde_json::json!({
                "metric": p.metric.as_str(),
                "unit_price": p.unit_price.to_string(),
                "effective_from": p.effective_from,
            })
        })
        .collect()
}

/// The offering as audit events record it.
fn snapshot(o: &Offering) -> serde_json::Value {
    let d = &o.details;
    serde_json::json!({
        "state": o.state.as_str(),
        "family": d.family().as_str(),
        "kind": d.kind.as_str(),
        "name": d.name.as_str(),
        "description": d.description.as_ref().map(|v| v.as_str()),
        "base_offering_id": d.role.base_offering().map(|b| b.to_string()),
        "pricing": d.pricing.lines().iter().map(|l| serde_json::json!({
            "metric": l.metric.as_str(),
            "unit_price": l.unit_price.to_string(),
        })).collect::<Vec<_>>(),
        "sla": d.role.own_sla().map(|s| serde_json::json!({
            "availability_percent": s.availability_percent.to_string(),
            "max_unplanned_outages_per_month": s.max_unplanned_outages_per_month,
            "max_mean_time_to_restore_minutes": s.max_mean_time_to_restore_minutes,
            "priorities": s.priorities.iter().map(|t| serde_json::json!({
                "priority": t.priority.as_str(),
                "response_minutes": t.response_minutes,
                "resolution_minutes": t.resolution_minutes,
            })).collect::<Vec<_>>(),
            "credit_tiers": s.credit_tiers.iter().map(|t| serde_json::json!({
                "below_percent": t.below_percent.to_string(),
                "credit_percent": t.credit_percent.to_string(),
            })).collect::<Vec<_>>(),
        })),
        "capacity": d.capacity.limits().iter().map(|l| serde_json::json!({
            "metric": l.metric().as_str(),
            "max_per_subscription": l.max_per_subscription().map(|q| q.to_string()),
            "provider_total": l.provider_total().map(|q| q.to_string()),
        })).collect::<Vec<_>>(),
    })
}
