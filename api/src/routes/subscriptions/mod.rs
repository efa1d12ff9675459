pub mod get;
pub mod list;
pub mod register_existing;
pub mod transition;

use std::collections::BTreeMap;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::subscription::{QuantityDraft, SubscriptionAction, SubscriptionOrigin, SubscriptionStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::offerings::SlaTermsBody;
use crate::usecases::subscriptions::SubscriptionView;

/// The lifecycle (GSI-7.5.2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionStatusBody {
    Pending,
    Provisioning,
    Active,
    Suspended,
    Terminated,
}

impl From<SubscriptionStatus> for SubscriptionStatusBody {
    fn from(s: SubscriptionStatus) -> Self {
        match s {
            SubscriptionStatus::Pending => SubscriptionStatusBody::Pending,
            SubscriptionStatus::Provisioning => SubscriptionStatusBody::Provisioning,
            SubscriptionStatus::Active => SubscriptionStatusBody::Active,
            SubscriptionStatus::Suspended => SubscriptionStatusBody::Suspended,
            SubscriptionStatus::Terminated => SubscriptionStatusBody::Terminated,
        }
    }
}

/// A lifecycle step the serving provider takes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionActionBody {
    StartProvisioning,
    Activate,
    Suspend,
    Resume,
    Terminate,
}

impl From<SubscriptionActionBody> for SubscriptionAction {
    fn from(a: SubscriptionActionBody) -> Self {
        match a {
            SubscriptionActionBody::StartProvisioning => SubscriptionAction::StartProvisioning,
            SubscriptionActionBody::Activate => SubscriptionAction::Activate,
            SubscriptionActionBody::Suspend => SubscriptionAction::Suspend,
            SubscriptionActionBody::Resume => SubscriptionAction::Resume,
            SubscriptionActionBody::Terminate => SubscriptionAction::Terminate,
        }
    }
}

/// How the subscription came into the hub.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SubscriptionOriginBody {
    /// Subscribed through the hub.
    Hub,
    /// A contract running before the hub, registered by its provider.
    PreExisting,
}

impl From<SubscriptionOrigin> for SubscriptionOriginBody {
    fn from(o: SubscriptionOrigin) -> Self {
        match o {
            SubscriptionOrigin::Hub => SubscriptionOriginBody::Hub,
            SubscriptionOrigin::PreExisting => SubscriptionOriginBody::PreExisting,
        }
    }
}

/// An add-on in use (GSI-7.5.2).
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscribedAddOnBody {
    pub offering_id: uuid::Uuid,
    /// Quantity per pricing metric, exact decimals as strings.
    #[schema(example = json!({"public_ip_month": "8"}))]
    pub quantities: BTreeMap<String, String>,
    /// The add-on's own terms, when it has them.
    pub sla: Option<SlaTermsBody>,
}

/// A service an agency uses (GSI-7.5.2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "provider_id": "00000000-0000-7000-8000-000000000b01",
    "offering_id": "00000000-0000-7000-8000-000000000e01",
    "service_kind": "government_internet", "family": "network",
    "quantities": {"mbps_month": "500"},
    "add_ons": [{"offering_id": "00000000-0000-7000-8000-000000000e03", "quantities": {"public_ip_month": "8"}, "sla": null}],
    "starts_at": "2025-10-01T00:00:00+07:00", "ends_at": "2026-09-30T17:00:00Z",
    "sla": {"availability_percent": "99.9", "max_unplanned_outages_per_month": 3, "max_mean_time_to_restore_minutes": 240,
            "priorities": [{"priority": "p1", "response_minutes": 15, "resolution_minutes": 240}],
            "credit_tiers": [{"below_percent": "99.9", "credit_percent": "10"}]},
    "status": "active", "origin": "pre_existing", "provider_not_listed": false,
    "created_at": "2026-12-01T04:00:00Z", "updated_at": "2026-12-01T04:00:00Z", "version": 1
}))]
pub struct SubscriptionBody {
    pub id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub offering_id: uuid::Uuid,
    pub service_kind: String,
    pub family: String,
    /// Quantity per pricing metric, exact decimals as strings.
    #[schema(example = json!({"mbps_month": "500"}))]
    pub quantities: BTreeMap<String, String>,
    pub add_ons: Vec<SubscribedAddOnBody>,
    pub starts_at: DateTime<Utc>,
    /// End of the term (exclusive); absent while open-ended.
    pub ends_at: Option<DateTime<Utc>>,
    pub sla: SlaTermsBody,
    pub status: SubscriptionStatusBody,
    pub origin: SubscriptionOriginBody,
    /// GSI-13.1: the provider is not on the provider list for this family now. The service
    /// keeps running and stays visible; nothing new can be subscribed from it.
    pub provider_not_listed: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: i64,
}

fn quantities_body(q: &gsi_domain::subscription::ResourceQuantities) -> BTreeMap<String, String> {
    q.iter().map(|(m, v)| (m.as_str().to_owned(), v.to_string())).collect()
}

impl From<&SubscriptionView> for SubscriptionBody {
    fn from(view: &SubscriptionView) -> Self {
        let s = &view.stored.subscription;
        SubscriptionBody {
            id: s.id.as_uuid(),
            agency_id: s.agency.as_uuid(),
            provider_id: s.provider.as_uuid(),
            offering_id: s.offering.as_uuid(),
            service_kind: s.kind.as_str().to_owned(),
            family: s.family().as_str().to_owned(),
            quantities: quantities_body(&s.quantities),
            add_ons: s
                .add_ons
                .iter()
                .map(|a| SubscribedAddOnBody {
                    offering_id: a.offering.as_uuid(),
                    quantities: quantities_body(&a.quantities),
                    sla: a.sla.as_ref().map(SlaTermsBody::from),
                })
                .collect(),
            starts_at: s.term.starts_at(),
            ends_at: s.term.ends_at(),
            sla: SlaTermsBody::from(&s.sla),
            status: s.status.into(),
            origin: s.origin.into(),
            provider_not_listed: view.provider_not_listed,
            created_at: view.stored.created_at,
            updated_at: view.stored.updated_at,
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub items: Vec<SubscriptionBody>,
    pub next_cursor: Option<String>,
}

fn subscription_response(view: &SubscriptionView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.stored.subscription.version)))
        .json(SubscriptionBody::from(view))
}

/// A quantity of one pricing metric.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityInput {
    #[schema(example = "mbps_month")]
    pub metric: String,
    /// Exact decimal, not negative, at most the offering's maximum per subscription.
    #[schema(example = "500")]
    pub quantity: String,
}

impl From<QuantityInput> for QuantityDraft {
    fn from(q: QuantityInput) -> Self {
        QuantityDraft { metric: q.metric, quantity: q.quantity }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddOnInput {
    pub offering_id: uuid::Uuid,
    pub quantities: Vec<QuantityInput>,
}

/// A contract that ran before the hub, registered by its provider.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "offering_id": "00000000-0000-7000-8000-000000000e01",
    "quantities": [{"metric": "mbps_month", "quantity": "500"}],
    "add_ons": [],
    "starts_at": "2025-10-01T00:00:00+07:00",
    "ends_at": "2026-10-01T00:00:00+07:00"
}))]
pub struct RegisterExistingSubscription {
    pub agency_id: uuid::Uuid,
    /// A base offering of the caller's provider (published or retired).
    pub offering_id: uuid::Uuid,
    pub quantities: Vec<QuantityInput>,
    #[serde(default)]
    pub add_ons: Vec<AddOnInput>,
    /// When the contract started; not in the future.
    pub starts_at: DateTime<Utc>,
    /// When it ends (exclusive), after now; absent if open-ended.
    pub ends_at: Option<DateTime<Utc>>,
}

/// A lifecycle step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "suspend"}))]
pub struct SubscriptionTransition {
    pub action: SubscriptionActionBody,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSubscriptionsQuery {
    #[param(value_type = Option<SubscriptionStatusBody>)]
    pub status: Option<String>,
    /// `network`, `cloud` or `data_center`.
    pub family: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
    /// Subscriptions whose term reaches past this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Subscriptions whose term starts before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub until: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
