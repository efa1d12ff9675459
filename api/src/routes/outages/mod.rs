pub mod create;
pub mod end;
pub mod get;
pub mod list;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::outage::{CountedBecause, ExclusionDecision};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::provider_profiles::ExclusionKindBody;
use crate::usecases::outages::OutageView;

/// Whether an outage counts against the service level, as a stable code (GSI-10.3).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DecisionCodeBody {
    /// A declared exclusion the provider claimed, with its conditions met.
    Excluded,
    CountedNoExclusionClaimed,
    /// The claimed kind is not among the exclusions the provider publishes.
    CountedKindNotDeclared,
    /// Planned maintenance claimed on an outage that was not planned.
    CountedNotPlanned,
    /// Planned maintenance that was never announced.
    CountedNotAnnounced,
    /// Announced later than the notice period the provider publishes.
    CountedNoticeTooShort,
}

/// Whether the outage is excluded from downtime, and why, in words a person can check.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExclusionDecisionBody {
    pub excluded: bool,
    pub code: DecisionCodeBody,
    /// The exclusion that applied, when excluded.
    pub kind: Option<ExclusionKindBody>,
    #[schema(example = "excluded as planned_maintenance: core router upgrade, announced 5 days ahead")]
    pub explanation: String,
}

impl From<&ExclusionDecision> for ExclusionDecisionBody {
    fn from(d: &ExclusionDecision) -> Self {
        let (code, kind) = match d {
            ExclusionDecision::Excluded { kind, .. } => (DecisionCodeBody::Excluded, Some((*kind).into())),
            ExclusionDecision::Counted(CountedBecause::NoExclusionClaimed) => {
                (DecisionCodeBody::CountedNoExclusionClaimed, None)
            }
            ExclusionDecision::Counted(CountedBecause::KindNotDeclared(_)) => {
                (DecisionCodeBody::CountedKindNotDeclared, None)
            }
            ExclusionDecision::Counted(CountedBecause::NotPlanned) => (DecisionCodeBody::CountedNotPlanned, None),
            ExclusionDecision::Counted(CountedBecause::NotAnnounced) => (DecisionCodeBody::CountedNotAnnounced, None),
            ExclusionDecision::Counted(CountedBecause::NoticeTooShort { .. }) => {
                (DecisionCodeBody::CountedNoticeTooShort, None)
            }
        };
        ExclusionDecisionBody { excluded: d.is_excluded(), code, kind, explanation: d.explanation() }
    }
}

/// The provider's claim that an outage is excluded (GSI-10.3).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionClaimBody {
    /// One of the kinds the provider publishes on its profile.
    pub kind: ExclusionKindBody,
    /// Why it applies; kept with the outage.
    #[schema(max_length = 2000, example = "Core router upgrade announced to all agencies on 5 November")]
    pub reason: String,
}

/// An outage (GSI-7.2) and whether it counts against the service level (GSI-10.3).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000a7",
    "provider_id": "00000000-0000-7000-8000-000000000b01",
    "subscriptions": ["0190f5c2-1a2b-7c3d-8e4f-0000000000d1"],
    "started_at": "2026-11-09T18:00:00Z", "ended_at": "2026-11-09T20:00:00Z", "open": false,
    "cause": "Core router software upgrade", "planned": true, "announced_at": "2026-11-04T18:00:00Z",
    "exclusion": {"kind": "planned_maintenance", "reason": "Announced to all agencies 5 days ahead"},
    "decision": {"excluded": true, "code": "excluded", "kind": "planned_maintenance",
        "explanation": "excluded as planned_maintenance: Announced to all agencies 5 days ahead"},
    "recorded_at": "2026-11-09T20:05:00Z", "updated_at": "2026-11-09T20:05:00Z", "version": 1
}))]
pub struct OutageBody {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    /// The affected subscriptions the caller may see: all for the provider and GIX, only its
    /// own for an agency.
    pub subscriptions: Vec<uuid::Uuid>,
    pub started_at: DateTime<Utc>,
    /// Absent while the service is still down.
    pub ended_at: Option<DateTime<Utc>>,
    pub open: bool,
    pub cause: String,
    pub planned: bool,
    /// When a planned outage was announced to the agencies.
    pub announced_at: Option<DateTime<Utc>>,
    pub exclusion: Option<ExclusionClaimBody>,
    /// From the exclusions the provider publishes on its profile now.
    pub decision: ExclusionDecisionBody,
    pub recorded_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: i64,
}

impl From<&OutageView> for OutageBody {
    fn from(view: &OutageView) -> Self {
        let o = &view.stored.outage;
        OutageBody {
            id: o.id.as_uuid(),
            provider_id: o.provider.as_uuid(),
            subscriptions: view.visible_subscriptions.iter().map(|s| s.as_uuid()).collect(),
            started_at: o.started_at,
            ended_at: o.ended_at,
            open: o.is_open(),
            cause: o.cause.to_string(),
            planned: o.planned,
            announced_at: o.announced_at,
            exclusion: o
                .exclusion_claim
                .as_ref()
                .map(|c| ExclusionClaimBody { kind: c.kind.into(), reason: c.reason.to_string() }),
            decision: ExclusionDecisionBody::from(&view.decision),
            recorded_at: o.recorded_at,
            updated_at: view.stored.updated_at,
            version: view.stored.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutageList {
    pub items: Vec<OutageBody>,
    pub next_cursor: Option<String>,
}

fn outage_response(view: &OutageView) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(view.stored.version))).json(OutageBody::from(view))
}

/// An outage as the provider's monitoring posts it (GSI-7.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subscriptions": ["0190f5c2-1a2b-7c3d-8e4f-0000000000d1"],
    "started_at": "2026-11-09T18:00:00Z",
    "ended_at": "2026-11-09T20:00:00Z",
    "cause": "Core router software upgrade",
    "planned": true,
    "announced_at": "2026-11-04T18:00:00Z",
    "exclusion": {"kind": "planned_maintenance", "reason": "Announced to all agencies 5 days ahead"}
}))]
pub struct RecordOutage {
    /// Subscriptions the caller's provider serves; at least one, each once, at most 1,000.
    pub subscriptions: Vec<uuid::Uuid>,
    /// Not in the future.
    pub started_at: DateTime<Utc>,
    /// After `started_at` and not in the future; leave it out while the service is down.
    pub ended_at: Option<DateTime<Utc>>,
    #[schema(max_length = 2000)]
    pub cause: String,
    /// Planned work (maintenance); `false` when left out.
    #[serde(default)]
    pub planned: bool,
    /// When a planned outage was announced to the agencies; refused on unplanned ones.
    pub announced_at: Option<DateTime<Utc>>,
    /// A claim that the outage is excluded from downtime (GSI-10.3).
    pub exclusion: Option<ExclusionClaimBody>,
}

/// The end of an open outage.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"ended_at": "2026-11-09T20:00:00Z"}))]
pub struct EndOutage {
    /// After the start and not in the future.
    pub ended_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListOutagesQuery {
    /// Outages affecting this subscription.
    #[param(value_type = Option<uuid::Uuid>)]
    pub subscription_id: Option<String>,
    /// Outages still open at, or ending after, this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Outages that started before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub until: Option<String>,
    /// `true`: only current (open) outages; `false`: only ended ones.
    #[param(value_type = Option<bool>)]
    pub open: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
