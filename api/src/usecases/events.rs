//! Events for integrators (issue 11): emitted in the transaction of the change they report
//! (a transactional outbox), read back in commit order through the feed.
//!
//! Emitting is one call next to the change's audit event, and must come last in the
//! transaction (the feed position's row lock is held from there to the commit):
//!
//! ```ignore
//! events::emit(conn, ctx, EventType::ServiceRequestQuoted,
//!     ResourceRef::new("service_request", id, Some("quoted"), format!("/v1/service-requests/{id}")),
//!     Audience::parties([agency, provider]), json!({"from": "under_review"}))?;
//! ```

use gsi_domain::OrganisationId;
use gsi_domain::events::{Audience, Event, EventType, ResourceRef};
use gsi_persistence::repos::events::{self as repo, StoredEvent};
use gsi_persistence::{DbConnection, read_tx};

use super::Context;
use crate::error::ApiError;

/// Writes one event (and its webhook deliveries) in the caller's write transaction.
pub fn emit(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    resource: ResourceRef,
    audience: Audience,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let event = Event::new(ctx.now, event_type, resource, audience, data);
    repo::append(conn, &event)?;
    Ok(())
}

/// A page of the feed.
pub struct FeedPage {
    pub events: Vec<StoredEvent>,
    /// Where to continue: the last event's position, or `after` when nothing is new.
    pub next_after: i64,
}

/// The events the caller's organisation may see after position `after`, oldest first.
pub fn feed(
    conn: &mut DbConnection,
    ctx: &Context,
    types: &[EventType],
    after: i64,
    limit: u32,
) -> Result<FeedPage, ApiError> {
    let viewer: OrganisationId = ctx.actor.organisation;
    let events = read_tx(conn, |conn| repo::feed(conn, viewer, types, after, i64::from(limit)))?;
    let next_after = events.last().map_or(after, |e| e.position);
    Ok(FeedPage { events, next_after })
}
