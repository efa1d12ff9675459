//! Webhook subscriptions, their pending deliveries and the delivery log (issue 11).
//!
//! Several instances may share one PostgreSQL: a delivery is claimed with
//! `FOR UPDATE SKIP LOCKED` and leased by moving `next_attempt_at` past the attempt's
//! timeout, so each due attempt is made by one instance; a crashed instance's lease runs
//! out and the attempt is made again (at least once). On SQLite the claim runs in a
//! `BEGIN IMMEDIATE` transaction, which already excludes other writers.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::events::EventType;
use gsi_domain::webhook::{PreviousSecret, SubscriptionStatus, WebhookSubscription};
use gsi_domain::{Id, OrganisationId, WebhookAttemptId, WebhookDeliveryId, WebhookSubscriptionId};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::repos::events::{EventRow, StoredEvent};
use crate::schema::{events, webhook_attempts, webhook_deliveries, webhook_subscriptions};
use crate::types::{DbJson, DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = webhook_subscriptions, treat_none_as_null = true)]
struct SubscriptionRow {
    id: DbUuid,
    organisation_id: DbUuid,
    url: String,
    event_types: DbJson,
    description: Option<String>,
    status: String,
    paused_reason: Option<String>,
    paused_at: Option<DbTimestamp>,
    consecutive_failures: i32,
    secret: String,
    previous_secret: Option<String>,
    previous_secret_expires_at: Option<DbTimestamp>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

impl TryFrom<SubscriptionRow> for WebhookSubscription {
    type Error = StoreError;
    fn try_from(row: SubscriptionRow) -> Result<Self, StoreError> {
        let bad = |what: String| corrupt("webhook_subscriptions", format!("{}: {what}", row.id.0));
        let names: Vec<String> =
            serde_json::from_value(row.event_types.0.clone()).map_err(|e| bad(format!("event_types: {e}")))?;
        let event_types = names
            .iter()
            .map(|n| EventType::parse(n).ok_or_else(|| bad(format!("unknown event type {n}"))))
            .collect::<Result<Vec<_>, _>>()?;
        let status = SubscriptionStatus::parse(&row.status).ok_or_else(|| bad(format!("status {}", row.status)))?;
        let previous_secret = match (row.previous_secret, row.previous_secret_expires_at) {
            (Some(secret), Some(expires_at)) => Some(PreviousSecret { secret, expires_at: expires_at.0 }),
            (None, None) => None,
            _ => return Err(bad("previous secret without expiry".into())),
        };
        Ok(WebhookSubscription {
            id: row.id.into(),
            organisation: row.organisation_id.into(),
            url: row.url,
            event_types,
            description: row.description,
            status,
            paused_reason: row.paused_reason,
            paused_at: row.paused_at.map(|t| t.0),
            consecutive_failures: u32::try_from(row.consecutive_failures)
                .map_err(|_| bad("negative failure count".into()))?,
            secret: row.secret,
            previous_secret,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

impl From<&WebhookSubscription> for SubscriptionRow {
    fn from(s: &WebhookSubscription) -> Self {
        SubscriptionRow {
            id: s.id.into(),
            organisation_id: s.organisation.into(),
            url: s.url.clone(),
            event_types: DbJson(serde_json::json!(s.event_types.iter().map(|t| t.as_str()).collect::<Vec<_>>())),
            description: s.description.clone(),
            status: s.status.as_str().to_owned(),
            paused_reason: s.paused_reason.clone(),
            paused_at: s.paused_at.map(Into::into),
            consecutive_failures: i32::try_from(s.consecutive_failures).unwrap_or(i32::MAX),
            secret: s.secret.clone(),
            previous_secret: s.previous_secret.as_ref().map(|p| p.secret.clone()),
            previous_secret_expires_at: s.previous_secret.as_ref().map(|p| p.expires_at.into()),
            created_at: s.created_at.into(),
            updated_at: s.updated_at.into(),
            version: s.version,
        }
    }
}

pub fn insert(conn: &mut DbConnection, s: &WebhookSubscription) -> Result<(), StoreError> {
    diesel::insert_into(webhook_subscriptions::table).values(SubscriptionRow::from(s)).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: WebhookSubscriptionId) -> Result<Option<WebhookSubscription>, StoreError> {
    webhook_subscriptions::table
        .filter(webhook_subscriptions::id.eq(DbUuid::from(id)))
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()?
        .map(WebhookSubscription::try_from)
        .transpose()
}

/// An organisation's subscriptions, oldest first.
pub fn list(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    page: PageRequest,
) -> Result<Page<WebhookSubscription>, StoreError> {
    let mut query = webhook_subscriptions::table
        .filter(webhook_subscriptions::organisation_id.eq(DbUuid::from(organisation)))
        .select(SubscriptionRow::as_select())
        .order(webhook_subscriptions::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(after) = page.after {
        query = query.filter(webhook_subscriptions::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(WebhookSubscription::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |s| s.id.as_uuid()))
}

/// Saves `s` if the stored version is still `expected`.
pub fn update_if_version(conn: &mut DbConnection, s: &WebhookSubscription, expected: i64) -> Result<bool, StoreError> {
    let n = diesel::update(
        webhook_subscriptions::table
            .filter(webhook_subscriptions::id.eq(DbUuid::from(s.id)))
            .filter(webhook_subscriptions::version.eq(expected)),
    )
    .set(SubscriptionRow::from(s))
    .execute(conn)?;
    Ok(n == 1)
}

/// Removes a subscription with its queue and log.
pub fn delete(conn: &mut DbConnection, id: WebhookSubscriptionId) -> Result<bool, StoreError> {
    let id = DbUuid::from(id);
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::subscription_id.eq(id))).execute(conn)?;
    diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::subscription_id.eq(id))).execute(conn)?;
    Ok(diesel::delete(webhook_subscriptions::table.filter(webhook_subscriptions::id.eq(id))).execute(conn)? == 1)
}

/// Deliveries of a subscription not yet acknowledged.
pub fn pending_count(conn: &mut DbConnection, id: WebhookSubscriptionId) -> Result<i64, StoreError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::subscription_id.eq(DbUuid::from(id)))
        .filter(webhook_deliveries::status.eq("pending"))
        .count()
        .get_result(conn)?)
}

/// Makes every pending delivery of a subscription due at `now` (after a resume).
pub fn make_pending_due(
    conn: &mut DbConnection,
    id: WebhookSubscriptionId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(DbUuid::from(id)))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set(webhook_deliveries::next_attempt_at.eq(DbTimestamp::from(now)))
    .execute(conn)?;
    Ok(())
}

/// Active subscriptions with a delivery due at `now`, at most `limit`, excluding `busy`.
pub fn due_subscriptions(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    busy: &[WebhookSubscriptionId],
    limit: i64,
) -> Result<Vec<WebhookSubscriptionId>, StoreError> {
    let busy: Vec<DbUuid> = busy.iter().map(|b| DbUuid::from(*b)).collect();
    let ids: Vec<DbUuid> = webhook_deliveries::table
        .inner_join(webhook_subscriptions::table)
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(DbTimestamp::from(now)))
        .filter(webhook_subscriptions::status.eq("active"))
        .filter(webhook_subscriptions::id.ne_all(busy))
        .select(webhook_subscriptions::id)
        .distinct()
        .limit(limit)
        .load(conn)?;
    Ok(ids.into_iter().map(Into::into).collect())
}

/// A delivery attempt this instance has claimed.
#[derive(Debug, Clone)]
pub struct Claim {
    pub delivery: WebhookDeliveryId,
    pub subscription: WebhookSubscriptionId,
    /// This attempt's number (1 for the first).
    pub attempt: u32,
    pub event: StoredEvent,
}

/// Claims up to `limit` due deliveries of one subscription, in the caller's write
/// transaction: each gets the next attempt number, and is leased until `lease_until` so
/// that no other instance attempts it meanwhile.
pub fn claim_due(
    conn: &mut DbConnection,
    subscription: WebhookSubscriptionId,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<Claim>, StoreError> {
    let due = || {
        webhook_deliveries::table
            .filter(webhook_deliveries::subscription_id.eq(DbUuid::from(subscription)))
            .filter(webhook_deliveries::status.eq("pending"))
            .filter(webhook_deliveries::next_attempt_at.le(DbTimestamp::from(now)))
            .order((webhook_deliveries::event_position.asc(), webhook_deliveries::id.asc()))
            .limit(limit)
            .select(webhook_deliveries::id)
    };
    let ids: Vec<DbUuid> = match conn {
        // Rows another instance is claiming are skipped, not waited for.
        DbConnection::Postgresql(pg) => due().for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(sqlite) => due().load(sqlite)?,
    };
    let mut claims = Vec::with_capacity(ids.len());
    for id in ids {
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq(id)))
            .set((
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(DbTimestamp::from(lease_until)),
            ))
            .execute(conn)?;
        let (attempt, row): (i32, EventRow) = webhook_deliveries::table
            .inner_join(events::table.on(events::id.eq(webhook_deliveries::event_id)))
            .filter(webhook_deliveries::id.eq(id))
            .select((webhook_deliveries::attempts, EventRow::as_select()))
            .first(conn)?;
        claims.push(Claim {
            delivery: id.into(),
            subscription,
            attempt: u32::try_from(attempt).map_err(|_| corrupt("webhook_deliveries", "negative attempts"))?,
            event: StoredEvent::try_from(row)?,
        });
    }
    Ok(claims)
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub id: WebhookAttemptId,
    pub delivery: WebhookDeliveryId,
    pub subscription: WebhookSubscriptionId,
    pub event: gsi_domain::EventId,
    pub event_type: EventType,
    pub attempt: u32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status code, when it answered.
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    pub delivered: bool,
    /// Why it failed (status, timeout, refused address, …).
    pub error: Option<String>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
struct AttemptRow {
    id: DbUuid,
    delivery_id: DbUuid,
    subscription_id: DbUuid,
    event_id: DbUuid,
    event_type: String,
    attempt: i32,
    attempted_at: DbTimestamp,
    status_code: Option<i32>,
    latency_ms: i64,
    outcome: String,
    error: Option<String>,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StoreError;
    fn try_from(row: AttemptRow) -> Result<Self, StoreError> {
        let bad = |what: &str| corrupt("webhook_attempts", format!("{}: {what}", row.id.0));
        Ok(Attempt {
            id: row.id.into(),
            delivery: row.delivery_id.into(),
            subscription: row.subscription_id.into(),
            event: row.event_id.into(),
            event_type: EventType::parse(&row.event_type).ok_or_else(|| bad("unknown event type"))?,
            attempt: u32::try_from(row.attempt).map_err(|_| bad("attempt"))?,
            attempted_at: row.attempted_at.0,
            status_code: row.status_code.map(|c| u16::try_from(c).map_err(|_| bad("status code"))).transpose()?,
            latency_ms: u64::try_from(row.latency_ms).map_err(|_| bad("latency"))?,
            delivered: row.outcome == "delivered",
            error: row.error,
        })
    }
}

impl Attempt {
    pub fn new(claim: &Claim, attempted_at: DateTime<Utc>) -> Attempt {
        Attempt {
            id: Id::new_v7(attempted_at),
            delivery: claim.delivery,
            subscription: claim.subscription,
            event: claim.event.event.id,
            event_type: claim.event.event.event_type,
            attempt: claim.attempt,
            attempted_at,
            status_code: None,
            latency_ms: 0,
            delivered: false,
            error: None,
        }
    }
}

/// Records an attempt in the log and settles its delivery, in the caller's write
/// transaction: delivered, or due again at `retry_at`. A delivery whose lease was taken
/// over meanwhile (its attempt number moved on) is left to the newer claim.
pub fn record_attempt(conn: &mut DbConnection, attempt: &Attempt, retry_at: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::insert_into(webhook_attempts::table)
        .values(AttemptRow {
            id: attempt.id.into(),
            delivery_id: attempt.delivery.into(),
            subscription_id: attempt.subscription.into(),
            event_id: attempt.event.into(),
            event_type: attempt.event_type.as_str().to_owned(),
            attempt: i32::try_from(attempt.attempt).unwrap_or(i32::MAX),
            attempted_at: attempt.attempted_at.into(),
            status_code: attempt.status_code.map(i32::from),
            latency_ms: i64::try_from(attempt.latency_ms).unwrap_or(i64::MAX),
            outcome: if attempt.delivered { "delivered" } else { "failed" }.to_owned(),
            error: attempt.error.clone(),
        })
        .execute(conn)?;
    let this_claim = webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(DbUuid::from(attempt.delivery)))
        .filter(webhook_deliveries::attempts.eq(i32::try_from(attempt.attempt).unwrap_or(i32::MAX)))
        .filter(webhook_deliveries::status.eq("pending"));
    if attempt.delivered {
        diesel::update(this_claim)
            .set((
                webhook_deliveries::status.eq("delivered"),
                webhook_deliveries::delivered_at.eq(Some(DbTimestamp::from(attempt.attempted_at))),
                webhook_deliveries::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
    } else {
        diesel::update(this_claim)
            .set((
                webhook_deliveries::next_attempt_at.eq(DbTimestamp::from(retry_at)),
                webhook_deliveries::last_error.eq(attempt.error.clone()),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Locks a subscription's row for the rest of the transaction (PostgreSQL) and loads it, so
/// that concurrent attempts count its consecutive failures one at a time.
pub fn lock(conn: &mut DbConnection, id: WebhookSubscriptionId) -> Result<Option<WebhookSubscription>, StoreError> {
    match conn {
        DbConnection::Postgresql(pg) => webhook_subscriptions::table
            .filter(webhook_subscriptions::id.eq(DbUuid::from(id)))
            .select(SubscriptionRow::as_select())
            .for_update()
            .first(pg)
            .optional()?
            .map(WebhookSubscription::try_from)
            .transpose(),
        // SQLite: the `BEGIN IMMEDIATE` transaction already excludes other writers.
        DbConnection::Sqlite(_) => find(conn, id),
    }
}

/// The delivery log of a subscription, newest first; optionally one event's attempts.
pub fn attempts(
    conn: &mut DbConnection,
    subscription: WebhookSubscriptionId,
    event: Option<gsi_domain::EventId>,
    page: PageRequest,
) -> Result<Page<Attempt>, StoreError> {
    let mut query = webhook_attempts::table
        .filter(webhook_attempts::subscription_id.eq(DbUuid::from(subscription)))
        .select(AttemptRow::as_select())
        .order(webhook_attempts::id.desc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(event) = event {
        query = query.filter(webhook_attempts::event_id.eq(DbUuid::from(event)));
    }
    if let Some(after) = page.after {
        query = query.filter(webhook_attempts::id.lt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(Attempt::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |a| a.id.as_uuid()))
}

/// Every attempt ever recorded for a delivery, oldest first (tests and diagnostics).
pub fn attempts_of_delivery(conn: &mut DbConnection, delivery: WebhookDeliveryId) -> Result<Vec<Attempt>, StoreError> {
    webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq(DbUuid::from(delivery)))
        .select(AttemptRow::as_select())
        .order(webhook_attempts::attempt.asc())
        .load(conn)?
        .into_iter()
        .map(Attempt::try_from)
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use gsi_domain::events::{Audience, Event, EventType, ResourceRef};
    use gsi_domain::org::GIX_ORGANISATION_ID;

    use super::*;
    use crate::repos::events::append;
    use crate::testing::{Backend, TestDatabase, backends};
    use crate::{checkout, write_tx};

    fn subscription(now: DateTime<Utc>) -> WebhookSubscription {
        WebhookSubscription {
            id: WebhookSubscriptionId::new_v7(now),
            organisation: GIX_ORGANISATION_ID,
            url: "https://erp.example.co.th/h".into(),
            event_types: vec![EventType::IncidentCommented],
            description: None,
            status: SubscriptionStatus::Active,
            paused_reason: None,
            paused_at: None,
            consecutive_failures: 0,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            previous_secret: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    fn events(conn: &mut DbConnection, n: usize, now: DateTime<Utc>) {
        write_tx(conn, |tx| {
            for i in 0..n {
                let resource = ResourceRef::new("incident", i, None, format!("/v1/incidents/{i}"));
                let event = Event::new(
                    now,
                    EventType::IncidentCommented,
                    resource,
                    Audience::parties([]),
                    serde_json::json!({}),
                );
                append(tx, &event)?;
            }
            Ok::<_, StoreError>(())
        })
        .unwrap();
    }

    #[test]
    fn claims_lease_attempt_numbers_and_settle_once() {
        for backend in backends() {
            let db = TestDatabase::create(backend);
            let pool = db.pool();
            let mut conn = checkout(&pool).unwrap();
            let now = Utc::now();
            let s = subscription(now);
            insert(&mut conn, &s).unwrap();
            events(&mut conn, 3, now);
            assert_eq!(pending_count(&mut conn, s.id).unwrap(), 3);
            assert_eq!(due_subscriptions(&mut conn, now, &[], 10).unwrap(), [s.id]);
            assert!(due_subscriptions(&mut conn, now, &[s.id], 10).unwrap().is_empty());
            let lease = now + chrono::Duration::seconds(30);
            let claims = write_tx(&mut conn, |tx| claim_due(tx, s.id, now, lease, 2)).unwrap();
            assert_eq!(claims.iter().map(|c| (c.attempt, c.event.position)).collect::<Vec<_>>(), [(1, 1), (1, 2)]);
            // Leased: not due again before the lease ends, due after it.
            let again = write_tx(&mut conn, |tx| claim_due(tx, s.id, now, lease, 10)).unwrap();
            assert_eq!(again.iter().map(|c| c.event.position).collect::<Vec<_>>(), [3]);
            let second_lease = lease + chrono::Duration::seconds(30);
            let after_lease = write_tx(&mut conn, |tx| claim_due(tx, s.id, lease, second_lease, 10)).unwrap();
            assert_eq!(after_lease.iter().map(|c| c.attempt).collect::<Vec<_>>(), [2, 2, 2]);
            // The first, stale claim of delivery 1 records its attempt but cannot settle it.
            let mut stale = Attempt::new(&claims[0], now);
            stale.delivered = true;
            stale.status_code = Some(200);
            write_tx(&mut conn, |tx| record_attempt(tx, &stale, now)).unwrap();
            assert_eq!(pending_count(&mut conn, s.id).unwrap(), 3);
            let mut current = Attempt::new(&after_lease[0], now);
            current.delivered = true;
            write_tx(&mut conn, |tx| record_attempt(tx, &current, now)).unwrap();
            assert_eq!(pending_count(&mut conn, s.id).unwrap(), 2);
            // An attempt number is logged once.
            let twice = write_tx(&mut conn, |tx| record_attempt(tx, &current, now));
            assert!(matches!(twice, Err(StoreError::UniqueViolation(_))), "{twice:?}");
            let log = attempts_of_delivery(&mut conn, claims[0].delivery).unwrap();
            assert_eq!(log.iter().map(|a| a.attempt).collect::<Vec<_>>(), [1, 2]);
            // A failed attempt makes the delivery due at its retry time.
            let mut failed = Attempt::new(&after_lease[1], lease);
            failed.error = Some("HTTP 500".into());
            let retry = lease + chrono::Duration::seconds(5);
            write_tx(&mut conn, |tx| record_attempt(tx, &failed, retry)).unwrap();
            let later = lease + chrono::Duration::seconds(1);
            let due: Vec<_> = write_tx(&mut conn, |tx| claim_due(tx, s.id, later, later, 10)).unwrap();
            assert!(due.is_empty(), "the failed one waits for its retry; the other is leased");
            let retried = write_tx(&mut conn, |tx| claim_due(tx, s.id, retry, second_lease, 10)).unwrap();
            assert_eq!(retried.iter().map(|c| (c.delivery, c.attempt)).collect::<Vec<_>>(), [(failed.delivery, 3)]);
            assert_eq!(crate::repos::events::outbox_backlog(&mut conn).unwrap(), 2);
        }
    }

    /// Two instances claiming at once get disjoint deliveries, and the second is not kept
    /// waiting by the first's locks (`SKIP LOCKED`).
    #[test]
    fn concurrent_claims_on_postgresql_skip_each_others_rows() {
        if !backends().contains(&Backend::Postgres) {
            return;
        }
        let db = TestDatabase::create(Backend::Postgres);
        let pool = db.pool();
        let (mut first, mut second) = (checkout(&pool).unwrap(), checkout(&pool).unwrap());
        let now = Utc::now();
        let s = subscription(now);
        insert(&mut first, &s).unwrap();
        events(&mut first, 10, now);
        let lease = now + chrono::Duration::seconds(30);
        let (mine, theirs) = write_tx(&mut first, |tx| {
            let mine = claim_due(tx, s.id, now, lease, 4)?;
            // Still inside the first claim's transaction: its rows are locked.
            let theirs = write_tx(&mut second, |tx2| claim_due(tx2, s.id, now, lease, 10))?;
            Ok::<_, StoreError>((mine, theirs))
        })
        .unwrap();
        assert_eq!(mine.len(), 4);
        assert_eq!(theirs.len(), 6);
        assert!(mine.iter().all(|m| theirs.iter().all(|t| t.delivery != m.delivery)));
        assert!(mine.iter().chain(&theirs).all(|c| c.attempt == 1));
    }
}
