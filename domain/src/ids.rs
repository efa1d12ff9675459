//! Newtype identifiers. `Id<T>` keeps ids of different aggregates apart at compile time
//! (an `OrganisationId` is never accepted where an `AuditEventId` is expected).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

use uuid::Uuid;

/// An identifier of an aggregate `T`, backed by a UUID.
///
/// New ids are UUIDv7 so that ordering by id is ordering by creation time, which keyset
/// pagination relies on.
pub struct Id<T> {
    uuid: Uuid,
    kind: PhantomData<fn() -> T>,
}

impl<T> Id<T> {
    pub const fn from_uuid(uuid: Uuid) -> Self {
        Self { uuid, kind: PhantomData }
    }

    /// A fresh, time-ordered id. The timestamp comes from the caller's clock.
    pub fn new_v7(now: chrono::DateTime<chrono::Utc>) -> Self {
        let secs = u64::try_from(now.timestamp()).unwrap_or(0);
        let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, now.timestamp_subsec_nanos());
        Self::from_uuid(Uuid::new_v7(ts))
    }

    pub const fn as_uuid(&self) -> Uuid {
        self.uuid
    }
}

impl<T> Clone for Id<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Id<T> {}
impl<T> PartialEq for Id<T> {
    fn eq(&self, other: &Self) -> bool {
        self.uuid == other.uuid
    }
}
impl<T> Eq for Id<T> {}
impl<T> PartialOrd for Id<T> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Id<T> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.uuid.cmp(&other.uuid)
    }
}
impl<T> Hash for Id<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.uuid.hash(state);
    }
}
impl<T> fmt::Debug for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.uuid)
    }
}
impl<T> fmt::Display for Id<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.uuid.fmt(f)
    }
}
impl<T> FromStr for Id<T> {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self::from_uuid)
    }
}
impl<T> From<Uuid> for Id<T> {
    fn from(uuid: Uuid) -> Self {
        Self::from_uuid(uuid)
    }
}

/// Marker for organisation ids.
pub enum OrganisationMarker {}
/// Marker for audit event ids.
pub enum AuditEventMarker {}

pub type OrganisationId = Id<OrganisationMarker>;
pub type AuditEventId = Id<AuditEventMarker>;

/// Marker for integrator event ids (issue 11).
pub enum EventMarker {}
/// Marker for webhook subscription ids.
pub enum WebhookSubscriptionMarker {}
/// Marker for webhook delivery ids (one per subscription and event).
pub enum WebhookDeliveryMarker {}
/// Marker for webhook delivery attempt ids.
pub enum WebhookAttemptMarker {}

pub type EventId = Id<EventMarker>;
pub type WebhookSubscriptionId = Id<WebhookSubscriptionMarker>;
pub type WebhookDeliveryId = Id<WebhookDeliveryMarker>;
pub type WebhookAttemptId = Id<WebhookAttemptMarker>;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn v7_ids_order_by_creation_time() {
        let early = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let late = chrono::Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 1).unwrap();
        let a = OrganisationId::new_v7(early);
        let b = OrganisationId::new_v7(late);
        assert!(a < b);
        assert!(a.to_string() < b.to_string(), "text order must match uuid order");
    }

    #[test]
    fn parses_and_refuses() {
        let id: OrganisationId = "0190f5c2-0000-7000-8000-000000000001".parse().unwrap();
        assert_eq!(id.to_string(), "0190f5c2-0000-7000-8000-000000000001");
        assert!("not-a-uuid".parse::<OrganisationId>().is_err());
    }
}
