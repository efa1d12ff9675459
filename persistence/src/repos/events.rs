//! The event outbox (issue 11): events written in the transaction of the change they
//! report, who may see them, and the webhook deliveries they fan out to.

use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::events::{Audience, Event, EventType, ResourceRef};
use gsi_domain::{Id, WebhookDeliveryId};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::{event_audience, event_positions, events, webhook_deliveries, webhook_subscriptions};
use crate::types::{DbJson, DbTimestamp, DbUuid};

/// An event with its place in the feed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Commit-ordered: a reader that has seen position `n` will never later find an event
    /// at a position `<= n` it has not seen.
    pub position: i64,
    pub event: Event,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub(crate) struct EventRow {
    position: i64,
    id: DbUuid,
    event_type: String,
    occurred_at: DbTimestamp,
    resource_type: String,
    resource_id: String,
    resource_state: Option<String>,
    resource_link: String,
    public: i32,
    audience: DbJson,
    data: DbJson,
}

impl TryFrom<EventRow> for StoredEvent {
    type Error = StoreError;
    fn try_from(row: EventRow) -> Result<Self, StoreError> {
        let bad = |what: &str| corrupt("events", format!("{}: {what}", row.id.0));
        let event_type = EventType::parse(&row.event_type).ok_or_else(|| bad("unknown event type"))?;
        let audience = if row.public == 1 {
            Audience::Everyone
        } else {
            let ids: Vec<uuid::Uuid> =
                serde_json::from_value(row.audience.0.clone()).map_err(|e| bad(&format!("audience: {e}")))?;
            Audience::Parties(ids.into_iter().map(OrganisationId::from_uuid).collect())
        };
        Ok(StoredEvent {
            position: row.position,
            event: Event {
                id: row.id.into(),
                event_type,
                occurred_at: row.occurred_at.0,
                audience,
                resource: ResourceRef {
                    resource_type: row.resource_type,
                    id: row.resource_id,
                    state: row.resource_state,
                    link: row.resource_link,
                },
                data: row.data.0,
            },
        })
    }
}

/// Writes `event` in the caller's write transaction and queues a delivery for every webhook
/// subscription of its audience that asked for its type. Returns its feed position.
///
/// Commit order: the position comes from incrementing the single `event_positions` row.
/// Its row lock is held until the transaction ends, so a second writer waits until the
/// first has committed (or rolled back) and then takes the next number: positions become
/// visible in increasing order, and a reader's cursor is never passed by an event that
/// commits later with a lower position. A plain sequence or the insert time would not give
/// that (a later-committing transaction can hold a lower number). The price is that
/// event-writing transactions serialise from this point to their commit, which is why the
/// use cases emit their events last. The xid8/`pg_snapshot_xmin` alternative needs no
/// lock but makes readers wait for every older open transaction and is PostgreSQL-only;
/// SQLite serialises writers anyway (`BEGIN IMMEDIATE`), so the same SQL serves both.
pub fn append(conn: &mut DbConnection, event: &Event) -> Result<i64, StoreError> {
    diesel::update(event_positions::table.filter(event_positions::id.eq(1)))
        .set(event_positions::last_position.eq(event_positions::last_position + 1))
        .execute(conn)?;
    let position: i64 =
        event_positions::table.filter(event_positions::id.eq(1)).select(event_positions::last_position).first(conn)?;
    let audience_ids: Vec<uuid::Uuid> = event.audience.organisations().iter().map(|o| o.as_uuid()).collect();
    let row = EventRow {
        position,
        id: event.id.into(),
        event_type: event.event_type.as_str().to_owned(),
        occurred_at: event.occurred_at.into(),
        resource_type: event.resource.resource_type.clone(),
        resource_id: event.resource.id.clone(),
        resource_state: event.resource.state.clone(),
        resource_link: event.resource.link.clone(),
        public: i32::from(event.audience == Audience::Everyone),
        audience: DbJson(serde_json::json!(audience_ids)),
        data: DbJson(event.data.clone()),
    };
    diesel::insert_into(events::table).values(&row).execute(conn)?;
    for org in &audience_ids {
        diesel::insert_into(event_audience::table)
            .values((event_audience::organisation_id.eq(DbUuid(*org)), event_audience::position.eq(position)))
            .execute(conn)?;
    }
    fan_out(conn, event, position)?;
    Ok(position)
}

/// One pending delivery per interested subscription, due now.
fn fan_out(conn: &mut DbConnection, event: &Event, position: i64) -> Result<(), StoreError> {
    let mut query = webhook_subscriptions::table
        .select((webhook_subscriptions::id, webhook_subscriptions::event_types))
        .order(webhook_subscriptions::id.asc())
        .into_boxed();
    if let Audience::Parties(orgs) = &event.audience {
        let orgs: Vec<DbUuid> = orgs.iter().map(|o| DbUuid::from(*o)).collect();
        query = query.filter(webhook_subscriptions::organisation_id.eq_any(orgs));
    }
    let candidates: Vec<(DbUuid, DbJson)> = query.load(conn)?;
    for (subscription, types) in candidates {
        let wanted =
            types.0.as_array().is_some_and(|t| t.iter().any(|v| v.as_str() == Some(event.event_type.as_str())));
        if !wanted {
            continue;
        }
        let id: WebhookDeliveryId = Id::new_v7(event.occurred_at);
        diesel::insert_into(webhook_deliveries::table)
            .values((
                webhook_deliveries::id.eq(DbUuid::from(id)),
                webhook_deliveries::subscription_id.eq(subscription),
                webhook_deliveries::event_id.eq(DbUuid::from(event.id)),
                webhook_deliveries::event_position.eq(position),
                webhook_deliveries::status.eq("pending"),
                webhook_deliveries::attempts.eq(0),
                webhook_deliveries::next_attempt_at.eq(DbTimestamp::from(event.occurred_at)),
                webhook_deliveries::created_at.eq(DbTimestamp::from(event.occurred_at)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The events `viewer` may see after `after`, in position order: those addressed to it and
/// the public ones; only `types` when given.
pub fn feed(
    conn: &mut DbConnection,
    viewer: OrganisationId,
    types: &[EventType],
    after: i64,
    limit: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let visible = event_audience::table
        .filter(event_audience::organisation_id.eq(DbUuid::from(viewer)))
        .filter(event_audience::position.gt(after))
        .select(event_audience::position);
    let mut query = events::table
        .select(EventRow::as_select())
        .filter(events::position.gt(after))
        .filter(events::public.eq(1).or(events::position.eq_any(visible)))
        .order(events::position.asc())
        .limit(limit)
        .into_boxed();
    if !types.is_empty() {
        query = query.filter(events::event_type.eq_any(types.iter().map(|t| t.as_str()).collect::<Vec<_>>()));
    }
    query.load(conn)?.into_iter().map(StoredEvent::try_from).collect()
}

/// One event by id.
pub fn find(conn: &mut DbConnection, id: gsi_domain::EventId) -> Result<Option<StoredEvent>, StoreError> {
    events::table
        .filter(events::id.eq(DbUuid::from(id)))
        .select(EventRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredEvent::try_from)
        .transpose()
}

/// The latest feed position (0 before the first event).
pub fn last_position(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(event_positions::table.filter(event_positions::id.eq(1)).select(event_positions::last_position).first(conn)?)
}

/// Deliveries not yet acknowledged by their receivers, over every subscription (paused ones
/// included): the outbox backlog, for `/metrics`.
pub fn outbox_backlog(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(webhook_deliveries::table.filter(webhook_deliveries::status.eq("pending")).count().get_result(conn)?)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use chrono::Utc;
    use gsi_domain::events::{Audience, Event, EventType, ResourceRef};

    use super::*;
    use crate::testing::{TestDatabase, backends};
    use crate::{checkout, write_tx};

    fn event(viewer: OrganisationId, n: usize) -> Event {
        let resource = ResourceRef::new("incident", n, Some("new"), format!("/v1/incidents/{n}"));
        Event::new(
            Utc::now(),
            EventType::IncidentCommented,
            resource,
            Audience::parties([viewer]),
            serde_json::json!({"n": n}),
        )
    }

    /// Several writers append concurrently, each holding its transaction open a little
    /// after taking its position, while a reader follows the feed with a cursor. If a
    /// later-committing event could get a lower position, the reader would step past it and
    /// its incremental view would differ from the final feed.
    #[test]
    fn a_feed_reader_never_misses_an_event_committed_by_concurrent_writers() {
        for backend in backends() {
            let db = TestDatabase::create(backend);
            let pool = db.pool();
            let viewer = OrganisationId::from_uuid(uuid::Uuid::now_v7());
            let done = Arc::new(AtomicBool::new(false));
            let (writers, per_writer) = (4, 25);
            let reader = {
                let (pool, done) = (pool.clone(), done.clone());
                std::thread::spawn(move || {
                    let mut conn = checkout(&pool).unwrap();
                    let (mut cursor, mut seen) = (0, Vec::new());
                    loop {
                        let finished = done.load(Ordering::SeqCst);
                        let page = feed(&mut conn, viewer, &[], cursor, 1000).unwrap();
                        if let Some(last) = page.last() {
                            cursor = last.position;
                        }
                        seen.extend(page.into_iter().map(|e| e.event.id));
                        if finished {
                            return seen;
                        }
                    }
                })
            };
            let handles: Vec<_> = (0..writers)
                .map(|w| {
                    let pool = pool.clone();
                    std::thread::spawn(move || {
                        let mut conn = checkout(&pool).unwrap();
                        for i in 0..per_writer {
                            write_tx(&mut conn, |tx| {
                                append(tx, &event(viewer, w * 1000 + i))?;
                                // Hold the transaction open after the position is taken.
                                std::thread::sleep(std::time::Duration::from_millis(((w + i) % 3) as u64));
                                Ok::<_, StoreError>(())
                            })
                            .unwrap();
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().unwrap();
            }
            done.store(true, Ordering::SeqCst);
            let seen = reader.join().unwrap();
            let mut conn = checkout(&pool).unwrap();
            let all = feed(&mut conn, viewer, &[], 0, 10_000).unwrap();
            assert_eq!(all.len(), writers * per_writer, "{backend:?}");
            let positions: Vec<i64> = all.iter().map(|e| e.position).collect();
            assert_eq!(positions, (1..=i64::try_from(writers * per_writer).unwrap()).collect::<Vec<_>>());
            let final_ids: Vec<_> = all.iter().map(|e| e.event.id).collect();
            assert_eq!(seen, final_ids, "{backend:?}: the reader's cursor passed an event that committed later");
            assert_eq!(last_position(&mut conn).unwrap(), positions.len() as i64);
            assert_eq!(outbox_backlog(&mut conn).unwrap(), 0);
        }
    }

    #[test]
    fn the_feed_shows_an_organisation_its_own_and_public_events_only() {
        for backend in backends() {
            let db = TestDatabase::create(backend);
            let pool = db.pool();
            let mut conn = checkout(&pool).unwrap();
            let (a, b) =
                (OrganisationId::from_uuid(uuid::Uuid::now_v7()), OrganisationId::from_uuid(uuid::Uuid::now_v7()));
            write_tx(&mut conn, |tx| {
                append(tx, &event(a, 1))?;
                append(tx, &event(b, 2))?;
                let mut public = event(a, 3);
                public.audience = Audience::Everyone;
                public.event_type = EventType::ProviderListingChanged;
                append(tx, &public)?;
                Ok::<_, StoreError>(())
            })
            .unwrap();
            let ids = |events: Vec<StoredEvent>| events.iter().map(|e| e.event.resource.id.clone()).collect::<Vec<_>>();
            assert_eq!(ids(feed(&mut conn, a, &[], 0, 10).unwrap()), ["1", "3"]);
            assert_eq!(ids(feed(&mut conn, b, &[], 0, 10).unwrap()), ["2", "3"]);
            assert_eq!(ids(feed(&mut conn, b, &[EventType::ProviderListingChanged], 0, 10).unwrap()), ["3"]);
            assert_eq!(ids(feed(&mut conn, a, &[], 1, 10).unwrap()), ["3"]);
            let stored = feed(&mut conn, a, &[], 0, 1).unwrap().remove(0);
            assert_eq!(find(&mut conn, stored.event.id).unwrap(), Some(stored.clone()));
            assert!(stored.event.audience.includes(gsi_domain::org::GIX_ORGANISATION_ID));
        }
    }
}
