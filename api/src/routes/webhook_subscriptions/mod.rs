pub mod attempts;
pub mod create;
pub mod delete;
pub mod get;
pub mod list;
pub mod pause;
pub mod resume;
pub mod rotate_secret;

use chrono::{DateTime, Utc};
use gsi_persistence::repos::webhooks::Attempt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::usecases::webhooks::SubscriptionView;

/// A callback URL and the event types it receives.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://erp.provider.example.co.th/gsi/events", "event_types": ["service_request.submitted", "service_request.confirmed", "incident.reported"], "description": "ERP integration"}))]
pub struct CreateWebhookSubscription {
    /// `https://` only, to a public address (the operator may allow more).
    #[schema(max_length = 2048)]
    pub url: String,
    /// At least one type from the `webhooks` section.
    #[schema(min_items = 1)]
    pub event_types: Vec<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatusBody {
    /// Deliveries are attempted.
    Active,
    /// Nothing is delivered; events queue until `resume`.
    Paused,
}

/// A webhook subscription. The secret is never shown again after creation or rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSubscriptionBody {
    pub id: uuid::Uuid,
    pub organisation_id: uuid::Uuid,
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
    pub status: WebhookStatusBody,
    /// Why it is paused: the consecutive failures and the last error, or its owner.
    pub paused_reason: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
    /// Failed attempts in a row; the subscription pauses at the operator's limit.
    pub consecutive_failures: u32,
    /// Deliveries not yet acknowledged: queued while paused, or waiting for a retry.
    pub pending_deliveries: i64,
    /// Until when the previous secret still signs (after a rotation).
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version; the `ETag` is this number in quotes.
    pub version: i64,
}

impl From<&SubscriptionView> for WebhookSubscriptionBody {
    fn from(v: &SubscriptionView) -> Self {
        let s = &v.subscription;
        WebhookSubscriptionBody {
            id: s.id.as_uuid(),
            organisation_id: s.organisation.as_uuid(),
            url: s.url.clone(),
            event_types: s.event_types.iter().map(|t| t.as_str().to_owned()).collect(),
            description: s.description.clone(),
            status: match s.status {
                gsi_domain::webhook::SubscriptionStatus::Active => WebhookStatusBody::Active,
                gsi_domain::webhook::SubscriptionStatus::Paused => WebhookStatusBody::Paused,
            },
            paused_reason: s.paused_reason.clone(),
            paused_at: s.paused_at,
            consecutive_failures: s.consecutive_failures,
            pending_deliveries: v.pending_deliveries,
            previous_secret_expires_at: s.previous_secret.as_ref().map(|p| p.expires_at),
            created_at: s.created_at,
            updated_at: s.updated_at,
            version: s.version,
        }
    }
}

/// A subscription with its signing secret: shown once, on creation and on rotation.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSubscriptionWithSecret {
    #[serde(flatten)]
    pub subscription: WebhookSubscriptionBody,
    /// `whsec_` + base64 key: verify `webhook-signature` with it (see the README).
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSubscriptionList {
    pub items: Vec<WebhookSubscriptionBody>,
    pub next_cursor: Option<String>,
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptBody {
    pub id: uuid::Uuid,
    pub event_id: uuid::Uuid,
    pub event_type: String,
    /// 1 for the first attempt of this event's delivery.
    pub attempt: u32,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, when it answered.
    pub status_code: Option<u16>,
    pub latency_ms: u64,
    /// Whether the receiver acknowledged it (2xx).
    pub delivered: bool,
    /// Why it failed: a status, a timeout, a refused address, …
    pub error: Option<String>,
}

impl From<&Attempt> for DeliveryAttemptBody {
    fn from(a: &Attempt) -> Self {
        DeliveryAttemptBody {
            id: a.id.as_uuid(),
            event_id: a.event.as_uuid(),
            event_type: a.event_type.as_str().to_owned(),
            attempt: a.attempt,
            attempted_at: a.attempted_at,
            status_code: a.status_code,
            latency_ms: a.latency_ms,
            delivered: a.delivered,
            error: a.error.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryAttemptList {
    pub items: Vec<DeliveryAttemptBody>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttemptsQuery {
    /// Only this event's attempts.
    #[param(value_type = Option<uuid::Uuid>)]
    pub event_id: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
