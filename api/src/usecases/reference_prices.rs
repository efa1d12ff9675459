//! Reference prices (GSI-7.1): GIX sets them per service kind and metric; everyone
//! authenticated reads them, closed ones included.
//!
//! Replacing a price: when a new price for a (kind, metric) starts after an open-ended one
//! and no earlier than now, the open-ended one is closed at the new start
//! (`pricing::period_to_close_for`, which uses `pricing::close_period`) in the same
//! transaction, so GIX replaces a cap in one request. Any other overlap is refused (409),
//! naming the price in the way.

use gsi_domain::pricing::{
    self, NewReferencePrice, ReferencePrice, ReferencePriceDraft, ReferencePriceId, check_no_overlap,
};
use gsi_persistence::repos::reference_prices::{self, ReferencePriceFilter, ReferencePriceRecord};
use gsi_persistence::{DbConnection, Page, PageRequest};

use super::{Change, Context, audit};
use crate::error::ApiError;

/// What setting a price did: the new price, and the one it closed, if any.
pub struct PriceSet {
    pub created: ReferencePriceRecord,
    pub closed: Option<ReferencePriceRecord>,
}

pub fn set(conn: &mut DbConnection, ctx: &Context, draft: &ReferencePriceDraft) -> Result<PriceSet, ApiError> {
    set_as(conn, ctx, ReferencePriceId::new_v7(ctx.now), draft)
}

/// `set` with a chosen id (demo data uses fixed ids so that seeding is repeatable). Call
/// inside a write transaction: the series lock and the overlap check hold until it ends.
pub fn set_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: ReferencePriceId,
    draft: &ReferencePriceDraft,
) -> Result<PriceSet, ApiError> {
    if !pricing::may_set_reference_prices(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers set reference prices (GSI-7.1)".into()));
    }
    let new = NewReferencePrice::parse(draft).map_err(ApiError::Validation)?;
    reference_prices::lock_series(conn, new.kind, new.metric)?;
    let mut history = reference_prices::all_for(conn, new.kind)?;
    let closed = close_replaced(conn, ctx, &mut history, &new)?;
    check_no_overlap(&history, new.kind, new.metric, new.period, None).map_err(|overlap| {
        let hint = if overlap.existing_period.until().is_none() {
            "; to replace an open-ended price, start the new one after it starts and no earlier than now"
        } else {
            ""
        };
        ApiError::Conflict(format!("{overlap}{hint}"))
    })?;
    let created = ReferencePriceRecord {
        price: new.into_reference_price(id),
        set_by_subject: ctx.actor.subject.as_str().to_owned(),
        set_by_organisation: ctx.actor.organisation,
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 1,
    };
    reference_prices::insert(conn, &created)?;
    audit(
        conn,
        ctx,
        Change {
            action: "reference_price.set",
            resource_type: "reference_price",
            resource_id: created.price.id.to_string(),
            owner: None,
            changes: serde_json::json!({
                "service_kind": created.price.kind.as_str(),
                "metric": created.price.metric.as_str(),
                "unit_price": created.price.unit_price.to_string(),
                "valid_from": created.price.period.from(),
                "valid_until": created.price.period.until(),
                "basis": created.price.basis.as_ref().map(|b| b.as_str()),
                "closed": closed.as_ref().map(|c| serde_json::json!({
                    "id": c.price.id.to_string(),
                    "valid_until": c.price.period.until(),
                })),
            }),
        },
    )?;
    Ok(PriceSet { created, closed })
}

/// Closes the price `new` replaces (`pricing::period_to_close_for`), if any, and updates
/// `history` to match.
fn close_replaced(
    conn: &mut DbConnection,
    ctx: &Context,
    history: &mut [ReferencePrice],
    new: &NewReferencePrice,
) -> Result<Option<ReferencePriceRecord>, ApiError> {
    let Some((id, period)) = pricing::period_to_close_for(history, new, ctx.now) else {
        return Ok(None);
    };
    let current = reference_prices::find(conn, id)?.ok_or(ApiError::NotFound("reference price"))?;
    let closed = ReferencePriceRecord {
        price: ReferencePrice { period, ..current.price.clone() },
        updated_at: ctx.now,
        version: current.version + 1,
        ..current.clone()
    };
    if !reference_prices::close_if_version(conn, &closed, current.version)? {
        // The series lock makes this unreachable; refuse rather than overwrite.
        return Err(ApiError::Conflict("the current reference price changed concurrently; retry".into()));
    }
    for p in history.iter_mut().filter(|p| p.id == id) {
        p.period = period;
    }
    Ok(Some(closed))
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: ReferencePriceId) -> Result<ReferencePriceRecord, ApiError> {
    if !pricing::may_read_reference_prices(&ctx.actor) {
        return Err(ApiError::Forbidden("this role may not read reference prices".into()));
    }
    reference_prices::find(conn, id)?.ok_or(ApiError::NotFound("reference price"))
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: ReferencePriceFilter,
    page: PageRequest,
) -> Result<Page<ReferencePriceRecord>, ApiError> {
    if !pricing::may_read_reference_prices(&ctx.actor) {
        return Err(ApiError::Forbidden("this role may not read reference prices".into()));
    }
    Ok(reference_prices::list(conn, filter, page)?)
}
