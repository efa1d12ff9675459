pub mod complete;
pub mod confirm;
pub mod create;
pub mod decline;
pub mod fail;
pub mod for_subscription;
pub mod get;
pub mod list;
pub mod preview;
pub mod progress;
pub mod quote;
pub mod review;
pub mod start;
pub mod withdraw;

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::request::ServiceRequestId;
use gsi_domain::request::{
    ActionKind, CapacityLimit, CapacityWarning, Preview, ProgressDraft, Quantities, QuoteDecision, QuoteDraft,
    QuoteOutcome, QuoteStanding, RequestKind, RequestPayload, RequestStatus, ServiceRequestDraft, TimelineEntry,
};
use gsi_persistence::repos::service_requests::RequestFilter;
use gsi_persistence::write_tx;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::{IfMatch, etag};
use crate::http::pagination::page_request;
use crate::http::params;
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests::{self, PreviewView, RequestView, StepDraft};

/// The kinds of request (GSI-7.5.5–7.5.7).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestKindBody {
    /// GSI-7.5.5: subscribe to an offering.
    NewService,
    /// GSI-7.5.5: add an add-on to a subscription.
    AddAddon,
    /// GSI-7.5.6: resize a subscription (bandwidth, vCPU, RAM, storage…).
    Change,
    /// GSI-7.5.7: end a subscription.
    Cancel,
    /// GSI-7.5.7: remove an add-on from a subscription.
    CancelAddon,
}

impl From<RequestKind> for RequestKindBody {
    fn from(k: RequestKind) -> Self {
        match k {
            RequestKind::NewService => RequestKindBody::NewService,
            RequestKind::AddAddon => RequestKindBody::AddAddon,
            RequestKind::Change => RequestKindBody::Change,
            RequestKind::Cancel => RequestKindBody::Cancel,
            RequestKind::CancelAddon => RequestKindBody::CancelAddon,
        }
    }
}

impl From<RequestKindBody> for RequestKind {
    fn from(k: RequestKindBody) -> Self {
        match k {
            RequestKindBody::NewService => RequestKind::NewService,
            RequestKindBody::AddAddon => RequestKind::AddAddon,
            RequestKindBody::Change => RequestKind::Change,
            RequestKindBody::Cancel => RequestKind::Cancel,
            RequestKindBody::CancelAddon => RequestKind::CancelAddon,
        }
    }
}

/// Where a request stands (Appendix A). `expired` is read, never stored: a `quoted` request
/// whose quote's `valid_until` has passed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatusBody {
    Submitted,
    UnderReview,
    Quoted,
    Rejected,
    Confirmed,
    Declined,
    Expired,
    Withdrawn,
    InProgress,
    Completed,
    Failed,
}

impl From<RequestStatus> for RequestStatusBody {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::Submitted => RequestStatusBody::Submitted,
            RequestStatus::UnderReview => RequestStatusBody::UnderReview,
            RequestStatus::Quoted => RequestStatusBody::Quoted,
            RequestStatus::Rejected => RequestStatusBody::Rejected,
            RequestStatus::Confirmed => RequestStatusBody::Confirmed,
            RequestStatus::Declined => RequestStatusBody::Declined,
            RequestStatus::Expired => RequestStatusBody::Expired,
            RequestStatus::Withdrawn => RequestStatusBody::Withdrawn,
            RequestStatus::InProgress => RequestStatusBody::InProgress,
            RequestStatus::Completed => RequestStatusBody::Completed,
            RequestStatus::Failed => RequestStatusBody::Failed,
        }
    }
}

/// A step of the workflow. `submit` creates the request; `quote` and `requote` are both
/// sent to `/quotes`; the others each have their own path.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RequestActionBody {
    Submit,
    StartReview,
    Quote,
    Requote,
    Confirm,
    Decline,
    Withdraw,
    StartWork,
    ReportProgress,
    Complete,
    Fail,
}

impl From<ActionKind> for RequestActionBody {
    fn from(a: ActionKind) -> Self {
        match a {
            ActionKind::Submit => RequestActionBody::Submit,
            ActionKind::StartReview => RequestActionBody::StartReview,
            ActionKind::Quote => RequestActionBody::Quote,
            ActionKind::Requote => RequestActionBody::Requote,
            ActionKind::Confirm => RequestActionBody::Confirm,
            ActionKind::Decline => RequestActionBody::Decline,
            ActionKind::Withdraw => RequestActionBody::Withdraw,
            ActionKind::StartWork => RequestActionBody::StartWork,
            ActionKind::ReportProgress => RequestActionBody::ReportProgress,
            ActionKind::Complete => RequestActionBody::Complete,
            ActionKind::Fail => RequestActionBody::Fail,
        }
    }
}

/// GSI-A.1.6: the outcome of the provider's check.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QuoteOutcomeBody {
    Approved,
    Rejected,
}

impl From<QuoteOutcome> for QuoteOutcomeBody {
    fn from(o: QuoteOutcome) -> Self {
        match o {
            QuoteOutcome::Approved => QuoteOutcomeBody::Approved,
            QuoteOutcome::Rejected => QuoteOutcomeBody::Rejected,
        }
    }
}

impl From<QuoteOutcomeBody> for QuoteOutcome {
    fn from(o: QuoteOutcomeBody) -> Self {
        match o {
            QuoteOutcomeBody::Approved => QuoteOutcome::Approved,
            QuoteOutcomeBody::Rejected => QuoteOutcome::Rejected,
        }
    }
}

/// Where one quote stands: only the `open` one can be confirmed.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum QuoteStandingBody {
    Open,
    Expired,
    Superseded,
    Accepted,
    Declined,
    Withdrawn,
    Rejection,
}

impl From<QuoteStanding> for QuoteStandingBody {
    fn from(s: QuoteStanding) -> Self {
        match s {
            QuoteStanding::Open => QuoteStandingBody::Open,
            QuoteStanding::Expired => QuoteStandingBody::Expired,
            QuoteStanding::Superseded => QuoteStandingBody::Superseded,
            QuoteStanding::Accepted => QuoteStandingBody::Accepted,
            QuoteStanding::Declined => QuoteStandingBody::Declined,
            QuoteStanding::Withdrawn => QuoteStandingBody::Withdrawn,
            QuoteStanding::Rejection => QuoteStandingBody::Rejection,
        }
    }
}

/// GSI-A.1.3: which limit a resource runs into.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CapacityBoundBody {
    /// The most one subscription of the offering may have.
    OfferingCapacity,
    /// What the provider has left (plus what the subscription already has).
    ProviderCapacity,
}

impl From<CapacityLimit> for CapacityBoundBody {
    fn from(l: CapacityLimit) -> Self {
        match l {
            CapacityLimit::Offering => CapacityBoundBody::OfferingCapacity,
            CapacityLimit::Provider => CapacityBoundBody::ProviderCapacity,
        }
    }
}

fn quantities_body(q: &Quantities) -> BTreeMap<String, String> {
    q.iter().map(|(m, v)| (m.as_str().to_owned(), v.to_string())).collect()
}

/// A request as an agency sends it, to preview or to submit (GSI-7.5.5–7.5.7, A.1.2–A.1.4).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "change",
    "subscription_id": "00000000-0000-7000-8000-000000030001",
    "quantities": {"mbps_month": "1000"},
    "note": "More bandwidth for the new e-service launch"
}))]
pub struct ServiceRequestInput {
    pub kind: RequestKindBody,
    /// The agency's subscription; every kind but `new_service`.
    pub subscription_id: Option<uuid::Uuid>,
    /// The offering to subscribe to; `new_service` only.
    pub offering_id: Option<uuid::Uuid>,
    /// The add-on offering; `add_addon` and `cancel_addon` only.
    pub addon_id: Option<uuid::Uuid>,
    /// Sizes wanted *after* the request, per pricing metric, exact decimals as strings
    /// (`{"mbps_month": "1000"}` asks for 1,000 Mbps in all). At least one for `new_service`
    /// and `change`; none for cancellations.
    #[serde(default)]
    #[schema(example = json!({"mbps_month": "1000"}))]
    pub quantities: BTreeMap<String, String>,
    /// Cancellations only: when the agency wants the service to end; not in the past.
    pub end_at: Option<DateTime<Utc>>,
    /// The agency's explanation for the provider (at most 2,000 characters).
    pub note: Option<String>,
}

impl From<ServiceRequestInput> for ServiceRequestDraft {
    fn from(i: ServiceRequestInput) -> Self {
        ServiceRequestDraft {
            kind: RequestKind::from(i.kind).as_str().to_owned(),
            subscription_id: i.subscription_id.map(|id| id.to_string()),
            offering_id: i.offering_id.map(|id| id.to_string()),
            addon_id: i.addon_id.map(|id| id.to_string()),
            quantities: i.quantities,
            end_at: i.end_at,
            note: i.note,
        }
    }
}

/// One resource before and after, with its estimated monthly charge (THB, 2 decimals).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLineBody {
    #[schema(example = "mbps_month")]
    pub metric: String,
    /// The resource as agencies name it.
    #[schema(example = "bandwidth (Mbps)")]
    pub resource: String,
    #[schema(example = "500")]
    pub current: String,
    #[schema(example = "1000")]
    pub resulting: String,
    #[schema(example = "320")]
    pub unit_price: String,
    #[schema(example = "160000.00")]
    pub monthly_before: String,
    #[schema(example = "320000.00")]
    pub monthly_after: String,
    /// Positive: an increase; negative: a decrease.
    #[schema(example = "160000.00")]
    pub monthly_delta: String,
}

/// GSI-A.1.3: a resource asked for beyond what the provider can serve.
#[derive(Debug, Serialize, ToSchema)]
pub struct CapacityWarningBody {
    #[schema(example = "mbps_month")]
    pub metric: String,
    #[schema(example = "bandwidth (Mbps)")]
    pub resource: String,
    /// The size asked for (after the request).
    #[schema(example = "12000")]
    pub asked: String,
    /// The most that can be served (never less than what is held now).
    #[schema(example = "10000")]
    pub most_available: String,
    pub limited_by: CapacityBoundBody,
    #[schema(
        example = "bandwidth (Mbps): asked for 12000, but at most 10000 can be served (the most one subscription of this offering may have)"
    )]
    pub message: String,
}

impl From<&CapacityWarning> for CapacityWarningBody {
    fn from(w: &CapacityWarning) -> Self {
        CapacityWarningBody {
            metric: w.metric.as_str().to_owned(),
            resource: w.resource().to_owned(),
            asked: w.asked.to_string(),
            most_available: w.most_available.to_string(),
            limited_by: w.limited_by.into(),
            message: w.message(),
        }
    }
}

/// GSI-A.1.2: the estimate, each line rounded once to the satang; totals add the lines.
#[derive(Debug, Serialize, ToSchema)]
pub struct EstimateBody {
    pub lines: Vec<PreviewLineBody>,
    /// Every resource's size after the request.
    #[schema(example = json!({"mbps_month": "1000"}))]
    pub resulting_quantities: BTreeMap<String, String>,
    #[schema(example = "160000.00")]
    pub monthly_cost_before: String,
    #[schema(example = "320000.00")]
    pub monthly_cost_after: String,
    /// The estimated change in monthly cost: positive an increase, negative a decrease.
    #[schema(example = "160000.00")]
    pub monthly_cost_delta: String,
}

impl From<&Preview> for EstimateBody {
    fn from(p: &Preview) -> Self {
        EstimateBody {
            lines: p
                .lines
                .iter()
                .map(|l| PreviewLineBody {
                    metric: l.metric.as_str().to_owned(),
                    resource: l.metric.resource_label().to_owned(),
                    current: l.current.to_string(),
                    resulting: l.resulting.to_string(),
                    unit_price: l.unit_price.to_string(),
                    monthly_before: l.monthly_before.to_string(),
                    monthly_after: l.monthly_after.to_string(),
                    monthly_delta: l.monthly_delta.to_string(),
                })
                .collect(),
            resulting_quantities: quantities_body(&p.resulting_quantities()),
            monthly_cost_before: p.monthly_cost_before.to_string(),
            monthly_cost_after: p.monthly_cost_after.to_string(),
            monthly_cost_delta: p.monthly_cost_delta.to_string(),
        }
    }
}

/// What a request would do, computed and not stored (GSI-A.1.2–A.1.3).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "kind": "change", "provider_id": "00000000-0000-7000-8000-000000000b01",
    "subscription_id": "00000000-0000-7000-8000-000000030001", "priced_offering_id": "00000000-0000-7000-8000-000000020001",
    "estimate": {"lines": [{"metric": "mbps_month", "resource": "bandwidth (Mbps)", "current": "500", "resulting": "12000", "unit_price": "320",
        "monthly_before": "160000.00", "monthly_after": "3840000.00", "monthly_delta": "3680000.00"}],
        "resulting_quantities": {"mbps_month": "12000"}, "monthly_cost_before": "160000.00", "monthly_cost_after": "3840000.00", "monthly_cost_delta": "3680000.00"},
    "warnings": [{"metric": "mbps_month", "resource": "bandwidth (Mbps)", "asked": "12000", "most_available": "10000", "limited_by": "offering_capacity",
        "message": "bandwidth (Mbps): asked for 12000, but at most 10000 can be served (the most one subscription of this offering may have)"}]
}))]
pub struct PreviewBody {
    pub kind: RequestKindBody,
    /// The provider that would serve the request.
    pub provider_id: uuid::Uuid,
    pub subscription_id: Option<uuid::Uuid>,
    /// The offering the estimate is priced against: the new service's, the add-on, or the
    /// subscription's offering.
    pub priced_offering_id: uuid::Uuid,
    pub estimate: EstimateBody,
    /// One per resource beyond what can be served; they do not block submission.
    pub warnings: Vec<CapacityWarningBody>,
}

impl From<&PreviewView> for PreviewBody {
    fn from(v: &PreviewView) -> Self {
        PreviewBody {
            kind: v.payload.kind().into(),
            provider_id: v.provider.as_uuid(),
            subscription_id: v.payload.subscription().map(|s| s.as_uuid()),
            priced_offering_id: v.priced_offering.as_uuid(),
            estimate: EstimateBody::from(&v.preview),
            warnings: v.preview.warnings.iter().map(CapacityWarningBody::from).collect(),
        }
    }
}

/// GSI-A.1.6: one of the provider's answers; every quote is kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuoteBody {
    pub id: uuid::Uuid,
    /// 1 for the first quote, 2 for the one that superseded it, …
    pub number: u32,
    pub outcome: QuoteOutcomeBody,
    pub standing: QuoteStandingBody,
    /// Approvals: the sizes the provider will deliver.
    #[schema(example = json!({"mbps_month": "1000"}))]
    pub confirmed_quantities: Option<BTreeMap<String, String>>,
    /// Approvals: the cost increase (positive) or decrease (negative) per month, THB.
    #[schema(example = "160000.00")]
    pub monthly_cost_delta: Option<String>,
    /// Approvals: a charge made once (set-up, early termination), THB.
    #[schema(example = "0.00")]
    pub one_off_charge: Option<String>,
    /// Approvals: confirmable while now is before this instant.
    pub valid_until: Option<DateTime<Utc>>,
    /// Cancellations: the agreed end.
    pub effective_at: Option<DateTime<Utc>>,
    /// The remark on an approval, or the reason for a rejection.
    pub note: Option<String>,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
}

/// GSI-A.1.7: exactly what the agency accepted, who and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcknowledgementBody {
    pub quote_id: uuid::Uuid,
    /// The agency admin who confirmed.
    pub by: String,
    pub organisation_id: uuid::Uuid,
    pub at: DateTime<Utc>,
    #[schema(example = json!({"mbps_month": "1000"}))]
    pub quantities: BTreeMap<String, String>,
    #[schema(example = "160000.00")]
    pub monthly_cost_delta: String,
    #[schema(example = "0.00")]
    pub one_off_charge: String,
    pub effective_at: Option<DateTime<Utc>>,
}

/// GSI-A.1.8: the latest progress report.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressBody {
    #[schema(example = 60)]
    pub percent: u8,
    #[schema(example = "Port reconfigured at the exchange")]
    pub note: String,
    pub at: DateTime<Utc>,
}

/// Who took a step.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineActorBody {
    pub subject: String,
    #[schema(example = "provider_operator")]
    pub role: String,
    pub organisation_id: uuid::Uuid,
}

/// One step of the request, visible to both parties (GSI-A.1.8).
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntryBody {
    pub at: DateTime<Utc>,
    pub actor: TimelineActorBody,
    pub action: RequestActionBody,
    /// Absent for the submission.
    pub from: Option<RequestStatusBody>,
    pub to: RequestStatusBody,
    pub note: Option<String>,
    pub percent: Option<u8>,
    /// The quote issued (quote, requote) or accepted (confirm).
    pub quote_id: Option<uuid::Uuid>,
}

impl From<&TimelineEntry> for TimelineEntryBody {
    fn from(e: &TimelineEntry) -> Self {
        TimelineEntryBody {
            at: e.at,
            actor: TimelineActorBody {
                subject: e.by.subject.as_str().to_owned(),
                role: e.by.role.as_str().to_owned(),
                organisation_id: e.by.organisation.as_uuid(),
            },
            action: e.action.into(),
            from: e.from.map(Into::into),
            to: e.to.into(),
            note: e.note.as_ref().map(ToString::to_string),
            percent: e.percent.map(|p| p.value()),
            quote_id: e.quote.map(|q| q.as_uuid()),
        }
    }
}

/// The ids a request names: the subscription it is about (for a completed new service, the
/// one it created), the offering of a new service, the add-on of the add-on kinds.
struct Names {
    subscription_id: Option<uuid::Uuid>,
    offering_id: Option<uuid::Uuid>,
    addon_id: Option<uuid::Uuid>,
    end_at: Option<DateTime<Utc>>,
}

fn names(view: &RequestView) -> Names {
    let created = view.record.created_subscription.map(|s| s.as_uuid());
    match &view.record.request.payload {
        RequestPayload::NewService { offering, .. } => {
            Names { subscription_id: created, offering_id: Some(offering.as_uuid()), addon_id: None, end_at: None }
        }
        RequestPayload::AddAddon { subscription, addon, .. } => Names {
            subscription_id: Some(subscription.as_uuid()),
            offering_id: None,
            addon_id: Some(addon.as_uuid()),
            end_at: None,
        },
        RequestPayload::Change { subscription, .. } => {
            Names { subscription_id: Some(subscription.as_uuid()), offering_id: None, addon_id: None, end_at: None }
        }
        RequestPayload::Cancel { subscription, end_at } => {
            Names { subscription_id: Some(subscription.as_uuid()), offering_id: None, addon_id: None, end_at: *end_at }
        }
        RequestPayload::CancelAddon { subscription, addon, end_at } => Names {
            subscription_id: Some(subscription.as_uuid()),
            offering_id: None,
            addon_id: Some(addon.as_uuid()),
            end_at: *end_at,
        },
    }
}

/// A service request with everything both parties see (GSI-7.5.5–7.5.7, A.1.1–A.1.8).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000e1", "kind": "change", "status": "quoted",
    "agency_id": "00000000-0000-7000-8000-000000000a01", "provider_id": "00000000-0000-7000-8000-000000000b01",
    "subscription_id": "00000000-0000-7000-8000-000000030001", "offering_id": null, "addon_id": null,
    "quantities": {"mbps_month": "12000"}, "end_at": null, "note": "More bandwidth for the new e-service launch",
    "estimate": {"lines": [{"metric": "mbps_month", "resource": "bandwidth (Mbps)", "current": "500", "resulting": "12000", "unit_price": "320",
        "monthly_before": "160000.00", "monthly_after": "3840000.00", "monthly_delta": "3680000.00"}],
        "resulting_quantities": {"mbps_month": "12000"}, "monthly_cost_before": "160000.00", "monthly_cost_after": "3840000.00", "monthly_cost_delta": "3680000.00"},
    "warnings": [{"metric": "mbps_month", "resource": "bandwidth (Mbps)", "asked": "12000", "most_available": "10000", "limited_by": "offering_capacity",
        "message": "bandwidth (Mbps): asked for 12000, but at most 10000 can be served (the most one subscription of this offering may have)"}],
    "quotes": [{"id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1", "number": 1, "outcome": "approved", "standing": "open",
        "confirmed_quantities": {"mbps_month": "10000"}, "monthly_cost_delta": "3040000.00", "one_off_charge": "15000.00",
        "valid_until": "2026-12-08T10:00:00Z", "effective_at": null, "note": "10 Gbps is the most one circuit carries",
        "issued_at": "2026-12-01T10:00:00Z", "issued_by": "demo-network-operator"}],
    "current_quote_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1", "acknowledgement": null, "progress": null, "closing_reason": null,
    "allowed_actions": ["requote", "confirm", "decline", "withdraw"], "your_actions": ["confirm", "decline", "withdraw"],
    "timeline": [
        {"at": "2026-12-01T09:00:00Z", "actor": {"subject": "demo-agency-a-admin", "role": "agency_admin", "organisation_id": "00000000-0000-7000-8000-000000000a01"},
         "action": "submit", "from": null, "to": "submitted", "note": "More bandwidth for the new e-service launch", "percent": null, "quote_id": null},
        {"at": "2026-12-01T09:30:00Z", "actor": {"subject": "demo-network-operator", "role": "provider_operator", "organisation_id": "00000000-0000-7000-8000-000000000b01"},
         "action": "start_review", "from": "submitted", "to": "under_review", "note": null, "percent": null, "quote_id": null},
        {"at": "2026-12-01T10:00:00Z", "actor": {"subject": "demo-network-operator", "role": "provider_operator", "organisation_id": "00000000-0000-7000-8000-000000000b01"},
         "action": "quote", "from": "under_review", "to": "quoted", "note": "10 Gbps is the most one circuit carries", "percent": null, "quote_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1"}
    ],
    "submitted_by": "demo-agency-a-admin", "submitted_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T10:00:00Z", "version": 3
}))]
pub struct ServiceRequestBody {
    pub id: uuid::Uuid,
    pub kind: RequestKindBody,
    /// As read now: `expired` once the open quote's validity has passed.
    pub status: RequestStatusBody,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    /// The subscription the request is about; for a completed new service, the one it
    /// created.
    pub subscription_id: Option<uuid::Uuid>,
    /// The offering of a new service.
    pub offering_id: Option<uuid::Uuid>,
    /// The add-on added or removed.
    pub addon_id: Option<uuid::Uuid>,
    /// The sizes asked for, per pricing metric.
    #[schema(example = json!({"mbps_month": "12000"}))]
    pub quantities: BTreeMap<String, String>,
    /// Cancellations: when the agency asked the service to end.
    pub end_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// The estimate at submission (GSI-A.1.2), as the agency saw it.
    pub estimate: EstimateBody,
    /// The capacity warnings at submission (GSI-A.1.3), shown to both parties.
    pub warnings: Vec<CapacityWarningBody>,
    /// Every quote, oldest first (GSI-A.1.6).
    pub quotes: Vec<QuoteBody>,
    pub current_quote_id: Option<uuid::Uuid>,
    /// Set on confirmation (GSI-A.1.7).
    pub acknowledgement: Option<AcknowledgementBody>,
    /// The latest progress report (GSI-A.1.8).
    pub progress: Option<ProgressBody>,
    /// Why it was declined, withdrawn or failed (a rejection's reason is in its quote).
    pub closing_reason: Option<String>,
    /// The steps the workflow allows now, whoever takes them.
    pub allowed_actions: Vec<RequestActionBody>,
    /// The steps the caller may take now.
    pub your_actions: Vec<RequestActionBody>,
    /// Every step, oldest first (GSI-A.1.8).
    pub timeline: Vec<TimelineEntryBody>,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`; every step needs it in `If-Match`.
    pub version: i64,
}

fn quote_body(view: &RequestView, q: &gsi_domain::request::Quote) -> QuoteBody {
    let terms = q.decision.approved();
    QuoteBody {
        id: q.id.as_uuid(),
        number: q.number,
        outcome: q.decision.outcome().into(),
        // Every quote listed is one of the request's own.
        standing: view
            .record
            .request
            .quote_standing(q.id, view.now)
            .map_or(QuoteStandingBody::Superseded, QuoteStandingBody::from),
        confirmed_quantities: terms.map(|t| quantities_body(&t.confirmed_quantities)),
        monthly_cost_delta: terms.map(|t| t.monthly_cost_delta.to_string()),
        one_off_charge: terms.map(|t| t.one_off_charge.to_string()),
        valid_until: terms.map(|t| t.valid_until),
        effective_at: terms.and_then(|t| t.effective_at),
        note: match &q.decision {
            QuoteDecision::Approved(t) => t.note.as_ref().map(ToString::to_string),
            QuoteDecision::Rejected { reason } => Some(reason.to_string()),
        },
        issued_at: q.issued_at,
        issued_by: q.issued_by.as_str().to_owned(),
    }
}

impl From<&RequestView> for ServiceRequestBody {
    fn from(view: &RequestView) -> Self {
        let r = &view.record.request;
        let names = names(view);
        let status = view.status();
        ServiceRequestBody {
            id: r.id.as_uuid(),
            kind: r.kind().into(),
            status: status.into(),
            agency_id: r.agency.as_uuid(),
            provider_id: r.provider.as_uuid(),
            subscription_id: names.subscription_id,
            offering_id: names.offering_id,
            addon_id: names.addon_id,
            quantities: quantities_body(&r.payload.named_quantities()),
            end_at: names.end_at,
            note: r.note.as_ref().map(ToString::to_string),
            estimate: EstimateBody::from(&r.preview),
            warnings: r.preview.warnings.iter().map(CapacityWarningBody::from).collect(),
            quotes: r.quotes.iter().map(|q| quote_body(view, q)).collect(),
            current_quote_id: r.current_quote().map(|q| q.id.as_uuid()),
            acknowledgement: r.acknowledgement.as_ref().map(|a| AcknowledgementBody {
                quote_id: a.quote.as_uuid(),
                by: a.by.as_str().to_owned(),
                organisation_id: a.organisation.as_uuid(),
                at: a.at,
                quantities: quantities_body(&a.quantities),
                monthly_cost_delta: a.monthly_cost_delta.to_string(),
                one_off_charge: a.one_off_charge.to_string(),
                effective_at: a.effective_at,
            }),
            progress: r.progress.as_ref().map(|p| ProgressBody {
                percent: p.percent.value(),
                note: p.note.to_string(),
                at: p.at,
            }),
            closing_reason: r.closing_reason.as_ref().map(ToString::to_string),
            allowed_actions: r.allowed_actions_at(view.now).into_iter().map(Into::into).collect(),
            your_actions: view.your_actions.iter().copied().map(Into::into).collect(),
            timeline: view.timeline.iter().map(TimelineEntryBody::from).collect(),
            submitted_by: r.submitted_by.as_str().to_owned(),
            submitted_at: r.submitted_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// A request in a list: what a queue or an agency's overview shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestSummaryBody {
    pub id: uuid::Uuid,
    pub kind: RequestKindBody,
    /// As read now: `expired` once the open quote's validity has passed.
    pub status: RequestStatusBody,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub subscription_id: Option<uuid::Uuid>,
    pub offering_id: Option<uuid::Uuid>,
    pub addon_id: Option<uuid::Uuid>,
    #[schema(example = json!({"mbps_month": "12000"}))]
    pub quantities: BTreeMap<String, String>,
    /// The estimate at submission.
    #[schema(example = "3680000.00")]
    pub monthly_cost_delta: String,
    pub warnings: Vec<CapacityWarningBody>,
    /// The current quote's validity, when it is an approval.
    pub quote_valid_until: Option<DateTime<Utc>>,
    pub your_actions: Vec<RequestActionBody>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&RequestView> for ServiceRequestSummaryBody {
    fn from(view: &RequestView) -> Self {
        let r = &view.record.request;
        let names = names(view);
        ServiceRequestSummaryBody {
            id: r.id.as_uuid(),
            kind: r.kind().into(),
            status: view.status().into(),
            agency_id: r.agency.as_uuid(),
            provider_id: r.provider.as_uuid(),
            subscription_id: names.subscription_id,
            offering_id: names.offering_id,
            addon_id: names.addon_id,
            quantities: quantities_body(&r.payload.named_quantities()),
            monthly_cost_delta: r.preview.monthly_cost_delta.to_string(),
            warnings: r.preview.warnings.iter().map(CapacityWarningBody::from).collect(),
            quote_valid_until: r.current_quote().and_then(gsi_domain::request::Quote::valid_until),
            your_actions: view.your_actions.iter().copied().map(Into::into).collect(),
            submitted_at: r.submitted_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ServiceRequestList {
    pub items: Vec<ServiceRequestSummaryBody>,
    pub next_cursor: Option<String>,
}

fn request_response(view: &RequestView) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag(view.record.request.version)))
        .json(ServiceRequestBody::from(view))
}

/// Takes one step in one write transaction, then answers the request as the caller now
/// sees it, with its new `ETag`.
async fn take_step(
    state: &web::Data<AppState>,
    ctx: RequestContext,
    id: ServiceRequestId,
    if_match: IfMatch,
    step: StepDraft,
) -> Result<HttpResponse, ApiError> {
    let view = db(state, move |conn| {
        write_tx(conn, |tx| service_requests::act(tx, &ctx.0, id, &if_match.0, &step))?;
        service_requests::get(conn, &ctx.0, id)
    })
    .await?;
    Ok(request_response(&view))
}

/// A note for a step that may carry one (`{}` when there is none).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Checking port capacity at the exchange"}))]
pub struct NoteInput {
    /// At most 2,000 characters.
    pub note: Option<String>,
}

/// The agency's reason, optional (`{}` when there is none).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The budget was not approved"}))]
pub struct ReasonInput {
    /// At most 2,000 characters.
    pub reason: Option<String>,
}

/// Why the work could not be done (required).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "The fibre route to the site is blocked by road works until March"}))]
pub struct FailInput {
    /// At most 2,000 characters.
    pub reason: String,
}

/// GSI-A.1.7: the quote the agency accepts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"quote_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1"}))]
pub struct ConfirmInput {
    /// Must be the current quote, still valid.
    pub quote_id: uuid::Uuid,
}

/// GSI-A.1.8: a progress report.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"percent": 60, "note": "Port reconfigured at the exchange"}))]
pub struct ProgressInput {
    /// 0–100, never below the last report.
    pub percent: i64,
    /// Required, at most 2,000 characters.
    pub note: String,
}

impl From<ProgressInput> for ProgressDraft {
    fn from(p: ProgressInput) -> Self {
        ProgressDraft { percent: p.percent, note: p.note }
    }
}

/// GSI-A.1.6: the provider's answer. An approval gives the confirmed quantities (exactly the
/// resources requested; none for a cancellation), the monthly cost delta, an optional one-off
/// charge and how long it is valid; a rejection gives only its reason in `note`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "outcome": "approved",
    "confirmed_quantities": {"mbps_month": "10000"},
    "monthly_cost_delta": "3040000.00",
    "one_off_charge": "15000.00",
    "valid_until": "2026-12-08T17:00:00+07:00",
    "note": "10 Gbps is the most one circuit carries"
}))]
pub struct QuoteInput {
    pub outcome: QuoteOutcomeBody,
    /// Sizes the provider will deliver, per metric, exact decimals as strings.
    #[serde(default)]
    #[schema(example = json!({"mbps_month": "10000"}))]
    pub confirmed_quantities: BTreeMap<String, String>,
    /// THB per month, signed, at most 2 decimals: `"3040000.00"`, `"-625.00"`.
    #[schema(example = "3040000.00")]
    pub monthly_cost_delta: Option<String>,
    /// THB, not negative; zero when absent.
    #[schema(example = "15000.00")]
    pub one_off_charge: Option<String>,
    /// Exclusive; after now, at most 90 days ahead.
    pub valid_until: Option<DateTime<Utc>>,
    /// Cancellations only: the agreed end; not in the past.
    pub effective_at: Option<DateTime<Utc>>,
    /// A remark on an approval; the reason for a rejection (required then).
    pub note: Option<String>,
}

impl From<QuoteInput> for QuoteDraft {
    fn from(q: QuoteInput) -> Self {
        QuoteDraft {
            outcome: QuoteOutcome::from(q.outcome).as_str().to_owned(),
            confirmed_quantities: q.confirmed_quantities,
            monthly_cost_delta: q.monthly_cost_delta,
            one_off_charge: q.one_off_charge,
            valid_until: q.valid_until,
            effective_at: q.effective_at,
            note: q.note,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListServiceRequestsQuery {
    /// The status as read now; `expired` finds quoted requests whose quote has lapsed.
    #[param(value_type = Option<RequestStatusBody>)]
    pub status: Option<String>,
    #[param(value_type = Option<RequestKindBody>)]
    pub kind: Option<String>,
    /// Submitted before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub submitted_before: Option<String>,
    /// Waiting at least this many hours since submission (0–87600); with
    /// `submitted_before`, both apply.
    #[param(value_type = Option<u32>, minimum = 0, maximum = 87600)]
    pub older_than_hours: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

/// The longest age filter accepted: ten years.
const MAX_AGE_HOURS: i64 = 87_600;

/// Parses the list filters, naming every bad parameter.
fn list_filter(
    q: ListServiceRequestsQuery,
    now: DateTime<Utc>,
) -> Result<(RequestFilter, gsi_persistence::PageRequest), ApiError> {
    let mut errors = ValidationErrors::new();
    let status = match q.status.as_deref().map(str::parse::<RequestStatus>) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            errors.add("status", "invalid_choice", e.to_string());
            None
        }
    };
    let kind = match q.kind.as_deref().map(str::parse::<RequestKind>) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => {
            errors.add("kind", "invalid_choice", e.to_string());
            None
        }
    };
    let before = params::instant("submitted_before", q.submitted_before.as_deref(), &mut errors);
    let age = match q.older_than_hours.as_deref().map(str::parse::<i64>) {
        None => None,
        Some(Ok(h)) if (0..=MAX_AGE_HOURS).contains(&h) => Some(now - chrono::Duration::hours(h)),
        Some(Ok(_) | Err(_)) => {
            errors.add("older_than_hours", "out_of_range", format!("must be a whole number from 0 to {MAX_AGE_HOURS}"));
            None
        }
    };
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    match page {
        Some(page) if errors.is_empty() => {
            let submitted_before = match (before, age) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            Ok((RequestFilter { status, kind, subscription: None, submitted_before, at: now }, page))
        }
        _ => Err(ApiError::InvalidParameters(errors)),
    }
}
