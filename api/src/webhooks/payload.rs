//! The event document: the same JSON in the feed and in a webhook's body.

use chrono::{DateTime, Utc};
use gsi_persistence::repos::events::StoredEvent;
use serde::Serialize;
use utoipa::ToSchema;

/// The resource an event is about, after the change.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventResourceBody {
    /// e.g. `service_request`, `incident`.
    #[serde(rename = "type")]
    pub resource_type: String,
    pub id: String,
    /// Its state after the change (`quoted`, `in_progress`, …), when it has one.
    pub state: Option<String>,
    /// Its path in this API: `GET` it for the whole resource.
    pub link: String,
}

/// One event (Standard Webhooks payload shape: `type`, `timestamp`, `data`). Receivers
/// de-duplicate by `id`, which is also the `webhook-id` header: delivery is at least once.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "019ae3f1-5a2b-7c3d-8e4f-00000000e001",
    "type": "service_request.quoted",
    "timestamp": "2026-12-06T04:05:06.123456Z",
    "organisations": ["00000000-0000-7000-8000-000000000001", "0190f5c2-1a2b-7c3d-8e4f-000000000002", "0190f5c2-1a2b-7c3d-8e4f-000000000010"],
    "resource": {"type": "service_request", "id": "019ae3f0-0000-7000-8000-000000000123", "state": "quoted", "link": "/v1/service-requests/019ae3f0-0000-7000-8000-000000000123"},
    "data": {"action": "quote", "from": "under_review", "quote_id": "019ae3f1-0000-7000-8000-0000000000a1", "percent": null}
}))]
pub struct EventBody {
    /// UUIDv7 (time-ordered).
    pub id: uuid::Uuid,
    /// The event type; the OpenAPI document's `webhooks` section lists them all.
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change was committed to happen (the change's time).
    pub timestamp: DateTime<Utc>,
    /// The organisations entitled to see the event; empty when every organisation may
    /// (provider list changes).
    pub organisations: Vec<uuid::Uuid>,
    pub resource: EventResourceBody,
    /// A few facts specific to the type (e.g. the previous state `from`).
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&StoredEvent> for EventBody {
    fn from(stored: &StoredEvent) -> Self {
        let e = &stored.event;
        EventBody {
            id: e.id.as_uuid(),
            event_type: e.event_type.as_str().to_owned(),
            timestamp: e.occurred_at,
            organisations: e.audience.organisations().iter().map(|o| o.as_uuid()).collect(),
            resource: EventResourceBody {
                resource_type: e.resource.resource_type.clone(),
                id: e.resource.id.clone(),
                state: e.resource.state.clone(),
                link: e.resource.link.clone(),
            },
            data: e.data.clone(),
        }
    }
}
