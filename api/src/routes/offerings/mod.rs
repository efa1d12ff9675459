pub mod create;
pub mod get;
pub mod list;
pub mod price_history;
pub mod publish;
pub mod retire;
pub mod update;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::catalog::{CapacityLimitDraft, OfferingDraft, OfferingRole, OfferingState, PricingLineDraft};
use gsi_domain::pricing::PricePoint;
use gsi_domain::service::{Metric, ServiceFamily, ServiceKind};
use gsi_domain::sla_terms::{Priority, SlaTerms, SlaTermsDraft};
use gsi_persistence::repos::offerings::OfferingRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::service::{MetricBody, ServiceFamilyBody, ServiceKindBody};

/// Where an offering is in its lifecycle: `draft` (its provider's only) → `published`
/// (subscribable, visible to agencies) → `retired` (no new subscriptions; still readable).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OfferingStateBody {
    Draft,
    Published,
    Retired,
}

impl From<OfferingState> for OfferingStateBody {
    fn from(state: OfferingState) -> Self {
        match state {
            OfferingState::Draft => OfferingStateBody::Draft,
            OfferingState::Published => OfferingStateBody::Published,
            OfferingState::Retired => OfferingStateBody::Retired,
        }
    }
}

/// A base offering stands alone; an add-on attaches to one base offering (GSI-7.5.2).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OfferingRoleBody {
    Base,
    AddOn,
}

/// Incident priority (GSI-7.3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PriorityBody {
    P1,
    P2,
    P3,
    P4,
}

impl From<Priority> for PriorityBody {
    fn from(p: Priority) -> Self {
        match p {
            Priority::P1 => PriorityBody::P1,
            Priority::P2 => PriorityBody::P2,
            Priority::P3 => PriorityBody::P3,
            Priority::P4 => PriorityBody::P4,
        }
    }
}

impl From<PriorityBody> for Priority {
    fn from(p: PriorityBody) -> Self {
        match p {
            PriorityBody::P1 => Priority::P1,
            PriorityBody::P2 => Priority::P2,
            PriorityBody::P3 => Priority::P3,
            PriorityBody::P4 => Priority::P4,
        }
    }
}

/// One pay-per-use price (GSI-7.1).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingLineBody {
    pub metric: MetricBody,
    /// THB per unit of `metric`, a non-negative decimal with up to 6 places, as a string.
    /// Must not exceed the reference price in force when the offering is published or the
    /// price changes (GSI-7.1).
    #[schema(example = "320")]
    pub unit_price: String,
}

/// How much of a metric can be served (GSI-A.1.3): at least one of the two, both positive
/// decimals as strings, the per-subscription maximum not above the provider total.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityLimitBody {
    /// A metric the offering prices.
    pub metric: MetricBody,
    #[schema(example = "10000")]
    #[serde(default)]
    pub max_per_subscription: Option<String>,
    #[schema(example = "100000")]
    #[serde(default)]
    pub provider_total: Option<String>,
}

/// Response and resolution targets for one priority, in minutes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityTargetsBody {
    pub priority: PriorityBody,
    #[schema(example = 15)]
    pub response_minutes: u32,
    #[schema(example = 240)]
    pub resolution_minutes: u32,
}

/// When monthly availability falls below `below_percent`, the agency is credited
/// `credit_percent` of the month's charge.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditTierBody {
    #[schema(example = "99.9")]
    pub below_percent: String,
    #[schema(example = "10")]
    pub credit_percent: String,
}

/// Service levels the offering promises (GSI-10.1 availability, GSI-10.2 reliability).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SlaTermsBody {
    /// Monthly availability target, a percentage above 0 and at most 100 with up to 4
    /// decimals, as a string.
    #[schema(example = "99.9")]
    pub availability_percent: String,
    /// Most unplanned outages a month before reliability is breached (GSI-10.2).
    #[schema(example = 3)]
    pub max_unplanned_outages_per_month: u32,
    /// Mean time to restore service that must not be exceeded, in minutes (GSI-10.2).
    #[schema(example = 240)]
    pub max_mean_time_to_restore_minutes: u32,
    /// Targets for each of p1–p4 exactly once; no priority slower than a less urgent one.
    pub priorities: Vec<PriorityTargetsBody>,
    /// By descending threshold, each with a larger credit; the first not above the target.
    #[serde(default)]
    pub credit_tiers: Vec<CreditTierBody>,
}

impl From<&SlaTerms> for SlaTermsBody {
    fn from(s: &SlaTerms) -> Self {
        SlaTermsBody {
            availability_percent: s.availability_percent.to_string(),
            max_unplanned_outages_per_month: s.max_unplanned_outages_per_month,
            max_mean_time_to_restore_minutes: s.max_mean_time_to_restore_minutes,
            priorities: s
                .priorities
                .iter()
                .map(|t| PriorityTargetsBody {
                    priority: t.priority.into(),
                    response_minutes: t.response_minutes,
                    resolution_minutes: t.resolution_minutes,
                })
                .collect(),
            credit_tiers: s
                .credit_tiers
                .iter()
                .map(|t| CreditTierBody {
                    below_percent: t.below_percent.to_string(),
                    credit_percent: t.credit_percent.to_string(),
                })
                .collect(),
        }
    }
}

impl From<SlaTermsBody> for SlaTermsDraft {
    fn from(s: SlaTermsBody) -> Self {
        SlaTermsDraft {
            availability_percent: s.availability_percent,
            max_unplanned_outages_per_month: s.max_unplanned_outages_per_month,
            max_mean_time_to_restore_minutes: s.max_mean_time_to_restore_minutes,
            priorities: s
                .priorities
                .into_iter()
                .map(|t| (Priority::from(t.priority).as_str().to_owned(), t.response_minutes, t.resolution_minutes))
                .collect(),
            credit_tiers: s.credit_tiers.into_iter().map(|t| (t.below_percent, t.credit_percent)).collect(),
        }
    }
}

/// An offering of a provider's catalog.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "provider_id": "00000000-0000-7000-8000-000000000b01",
    "family": "network", "kind": "government_internet",
    "name": "อินเทอร์เน็ตภาครัฐ (Government Internet)",
    "description": "อินเทอร์เน็ตความเร็วสูงสำหรับหน่วยงานของรัฐ คิดค่าบริการตามแบนด์วิดท์ที่ใช้ต่อเดือน",
    "role": "base", "base_offering_id": null,
    "pricing": [{"metric": "mbps_month", "unit_price": "320"}],
    "sla": {"availability_percent": "99.9", "max_unplanned_outages_per_month": 3, "max_mean_time_to_restore_minutes": 240,
        "priorities": [
            {"priority": "p1", "response_minutes": 15, "resolution_minutes": 240},
            {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
            {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
            {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}],
        "credit_tiers": [{"below_percent": "99.9", "credit_percent": "10"}, {"below_percent": "99", "credit_percent": "25"}]},
    "capacity": [{"metric": "mbps_month", "max_per_subscription": "10000", "provider_total": "100000"}],
    "state": "published",
    "created_at": "2026-12-01T04:00:00Z", "updated_at": "2026-12-01T04:05:00Z", "version": 2
}))]
pub struct OfferingBody {
    pub id: uuid::Uuid,
    /// The provider organisation that sells it.
    pub provider_id: uuid::Uuid,
    pub family: ServiceFamilyBody,
    pub kind: ServiceKindBody,
    pub name: String,
    pub description: Option<String>,
    pub role: OfferingRoleBody,
    /// The base offering of an add-on; null for a base offering.
    pub base_offering_id: Option<uuid::Uuid>,
    /// The current prices; `GET …/price-history` has every price since publication.
    pub pricing: Vec<PricingLineBody>,
    /// The offering's own service levels; null for an add-on under its base's terms.
    pub sla: Option<SlaTermsBody>,
    pub capacity: Vec<CapacityLimitBody>,
    pub state: OfferingStateBody,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i64,
}

impl From<&OfferingRecord> for OfferingBody {
    fn from(r: &OfferingRecord) -> Self {
        let o = &r.offering;
        let d = &o.details;
        OfferingBody {
            id: o.id.as_uuid(),
            provider_id: o.provider.as_uuid(),
            family: d.family().into(),
            kind: d.kind.into(),
            name: d.name.to_string(),
            description: d.description.as_ref().map(ToString::to_string),
            role: match d.role {
                OfferingRole::Base { .. } => OfferingRoleBody::Base,
                OfferingRole::AddOn { .. } => OfferingRoleBody::AddOn,
            },
            base_offering_id: d.role.base_offering().map(|b| b.as_uuid()),
            pricing: d
                .pricing
                .lines()
                .iter()
                .map(|l| PricingLineBody { metric: l.metric.into(), unit_price: l.unit_price.to_string() })
                .collect(),
            sla: d.role.own_sla().map(SlaTermsBody::from),
            capacity: d
                .capacity
                .limits()
                .iter()
                .map(|l| CapacityLimitBody {
                    metric: l.metric().into(),
                    max_per_subscription: l.max_per_subscription().map(|q| q.to_string()),
                    provider_total: l.provider_total().map(|q| q.to_string()),
                })
                .collect(),
            state: o.state.into(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: o.version,
        }
    }
}

/// A page of offerings.
#[derive(Debug, Serialize, ToSchema)]
pub struct OfferingList {
    pub items: Vec<OfferingBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// An offering's content, as created or as it replaces the stored one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "family": "network", "kind": "government_internet",
    "name": "อินเทอร์เน็ตภาครัฐ (Government Internet)",
    "description": "อินเทอร์เน็ตความเร็วสูงสำหรับหน่วยงานของรัฐ คิดค่าบริการตามแบนด์วิดท์ที่ใช้ต่อเดือน",
    "base_offering_id": null,
    "pricing": [{"metric": "mbps_month", "unit_price": "320"}],
    "sla": {"availability_percent": "99.9", "max_unplanned_outages_per_month": 3, "max_mean_time_to_restore_minutes": 240,
        "priorities": [
            {"priority": "p1", "response_minutes": 15, "resolution_minutes": 240},
            {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
            {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
            {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}],
        "credit_tiers": [{"below_percent": "99.9", "credit_percent": "10"}, {"below_percent": "99", "credit_percent": "25"}]},
    "capacity": [{"metric": "mbps_month", "max_per_subscription": "10000", "provider_total": "100000"}]
}))]
pub struct OfferingInput {
    /// Sent explicitly so that a kind filed under the wrong family is refused.
    pub family: ServiceFamilyBody,
    /// Must belong to `family`.
    pub kind: ServiceKindBody,
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 4000)]
    #[serde(default)]
    pub description: Option<String>,
    /// For an add-on: a base offering of the same provider and family that is not retired.
    #[serde(default)]
    pub base_offering_id: Option<uuid::Uuid>,
    /// 1–20 prices, no metric twice.
    #[schema(min_items = 1, max_items = 20)]
    pub pricing: Vec<PricingLineBody>,
    /// Required for a base offering; an add-on without its own uses its base's terms.
    #[serde(default)]
    pub sla: Option<SlaTermsBody>,
    /// At most one limit per priced metric.
    #[serde(default)]
    pub capacity: Vec<CapacityLimitBody>,
}

impl From<OfferingInput> for OfferingDraft {
    fn from(i: OfferingInput) -> Self {
        OfferingDraft {
            family: ServiceFamily::from(i.family).as_str().to_owned(),
            kind: ServiceKind::from(i.kind).as_str().to_owned(),
            name: i.name,
            description: i.description,
            base_offering_id: i.base_offering_id.map(Into::into),
            pricing: i
                .pricing
                .into_iter()
                .map(|l| PricingLineDraft {
                    metric: Metric::from(l.metric).as_str().to_owned(),
                    unit_price: l.unit_price,
                })
                .collect(),
            sla: i.sla.map(SlaTermsDraft::from),
            capacity: i
                .capacity
                .into_iter()
                .map(|c| CapacityLimitDraft {
                    metric: Metric::from(c.metric).as_str().to_owned(),
                    max_per_subscription: c.max_per_subscription,
                    provider_total: c.provider_total,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListOfferingsQuery {
    /// Only offerings of this provider organisation.
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
    /// Only offerings of this family.
    #[param(value_type = Option<ServiceFamilyBody>)]
    pub family: Option<String>,
    /// Only offerings of this kind.
    #[param(value_type = Option<ServiceKindBody>)]
    pub kind: Option<String>,
    /// Only offerings in this state (drafts are visible to their provider and GIX only).
    #[param(value_type = Option<OfferingStateBody>)]
    pub state: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

/// One entry of an offering's price history: from `effective_from` on, `metric` costs
/// `unit_price` until a later entry for the same metric takes over (GSI-7.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"metric": "mbps_month", "unit_price": "320", "effective_from": "2026-12-01T04:05:00Z"}))]
pub struct PricePointBody {
    pub metric: MetricBody,
    #[schema(example = "320")]
    pub unit_price: String,
    pub effective_from: DateTime<Utc>,
}

impl From<&PricePoint> for PricePointBody {
    fn from(p: &PricePoint) -> Self {
        PricePointBody {
            metric: p.metric.into(),
            unit_price: p.unit_price.to_string(),
            effective_from: p.effective_from,
        }
    }
}

/// A page of an offering's price history, in the order the prices took effect.
#[derive(Debug, Serialize, ToSchema)]
pub struct PriceHistoryList {
    pub items: Vec<PricePointBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}

fn offering_response(record: &OfferingRecord) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(record.offering.version))).json(OfferingBody::from(record))
}
