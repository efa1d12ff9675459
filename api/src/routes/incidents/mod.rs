pub mod act;
pub mod comment;
pub mod create;
pub mod get;
pub mod list;

use std::str::FromStr;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::incident::{
    ClockState, DeadlineStatus, HoldReason, Impact, IncidentAction, IncidentState, ReportChannel, TimelineEntry,
    TimelineKind, Urgency,
};
use gsi_domain::service::UnknownTerm;
use gsi_domain::sla_terms::Priority;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::me::RoleBody;
use crate::usecases::incidents::IncidentView;

/// A closed vocabulary as a DTO enum with the domain's variant names and wire words, and
/// exhaustive conversions both ways.
macro_rules! dto_enum {
    ($(#[$meta:meta])* $name:ident <=> $domain:ident { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize, utoipa::ToSchema, PartialEq, Eq)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl From<$domain> for $name {
            fn from(v: $domain) -> Self {
                match v {
                    $($domain::$variant => $name::$variant),+
                }
            }
        }

        impl From<$name> for $domain {
            fn from(v: $name) -> Self {
                match v {
                    $($name::$variant => $domain::$variant),+
                }
            }
        }
    };
}
pub(crate) use dto_enum;

/// Parses an optional query parameter of a closed vocabulary, recording a failure under the
/// parameter's name.
pub(crate) fn choice<T: FromStr<Err = UnknownTerm>>(
    name: &str,
    raw: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    match raw?.parse() {
        Ok(value) => Some(value),
        Err(e) => {
            errors.add(name, "invalid_choice", e.to_string());
            None
        }
    }
}

dto_enum!(
    /// How much of the service is affected.
    ImpactBody <=> Impact { High, Medium, Low }
);

dto_enum!(
    /// How soon the agency's work suffers.
    UrgencyBody <=> Urgency { High, Medium, Low }
);

dto_enum!(
    /// GSI-7.3: impact × urgency (high × high = p1 … low × low = p4).
    PriorityBody <=> Priority { P1, P2, P3, P4 }
);

dto_enum!(
    /// How the report reached the provider (GSI-7.4, 7.2).
    ReportChannelBody <=> ReportChannel {
        /// The agency reported through the self-service system.
        SelfService,
        Phone,
        Email,
        /// The provider's own monitoring.
        Monitoring,
    }
);

dto_enum!(
    /// Where an incident is in its lifecycle.
    IncidentStateBody <=> IncidentState { New, Acknowledged, InProgress, OnHold, Resolved, Closed, Cancelled }
);

dto_enum!(
    /// A step: the provider acknowledges, starts work, puts on hold, resumes and resolves;
    /// the agency closes (confirms) or reopens a resolution; either cancels (the provider only
    /// before work starts).
    IncidentActionBody <=> IncidentAction { Acknowledge, StartWork, PutOnHold, Resume, Resolve, Close, Reopen, Cancel }
);

dto_enum!(
    /// Why an incident is on hold. Only `awaiting_agency` stops the resolution clock.
    HoldReasonBody <=> HoldReason { AwaitingAgency, AwaitingSupplier, ScheduledWork, Other }
);

dto_enum!(
    /// What a timeline entry records.
    TimelineKindBody <=> TimelineKind {
        Reported,
        Acknowledged,
        WorkStarted,
        PutOnHold,
        Resumed,
        Resolved,
        Closed,
        Reopened,
        Cancelled,
        Commented,
    }
);

dto_enum!(
    /// Whether a deadline was kept.
    DeadlineStatusBody <=> DeadlineStatus {
        /// Not due yet and not done.
        Pending,
        /// Done on time (exactly on the deadline counts).
        Met,
        Breached,
        /// Cancelled before it was due and before it was done.
        NotApplicable,
    }
);

dto_enum!(
    /// Whether the resolution clock is counting now.
    ClockStateBody <=> ClockState {
        Running,
        /// On hold awaiting the agency.
        Paused,
        /// Resolved, closed or cancelled.
        Stopped,
    }
);

/// GSI-7.3, 10.2: response and resolution deadlines from the subscription's SLA terms for the
/// incident's priority, and whether they were kept.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlinesBody {
    /// The terms' response time for this priority.
    pub response_minutes: u32,
    /// `reported_at + response_minutes`.
    pub response_due: DateTime<Utc>,
    /// The first acknowledgement.
    pub responded_at: Option<DateTime<Utc>>,
    pub response: DeadlineStatusBody,
    /// The terms' resolution time for this priority.
    pub resolution_minutes: u32,
    /// `reported_at + resolution_minutes`, moved by the time the clock stood still (on hold
    /// awaiting the agency, or resolved before a reopening).
    pub resolution_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: DeadlineStatusBody,
    pub resolution_clock: ClockStateBody,
    /// Whole minutes the resolution clock has counted.
    pub resolution_minutes_used: i64,
}

/// One line of the progress both sides see (GSI-7.5.8).
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentTimelineEntryBody {
    pub at: DateTime<Utc>,
    /// Who took the step (the token's `sub`), their role and organisation.
    pub actor_subject: String,
    pub actor_role: RoleBody,
    pub actor_organisation_id: uuid::Uuid,
    pub kind: TimelineKindBody,
    /// The state before and after a step; absent for a comment.
    pub from_state: Option<IncidentStateBody>,
    pub to_state: Option<IncidentStateBody>,
    pub hold_reason: Option<HoldReasonBody>,
    pub note: Option<String>,
}

impl From<&TimelineEntry> for IncidentTimelineEntryBody {
    fn from(e: &TimelineEntry) -> Self {
        IncidentTimelineEntryBody {
            at: e.at,
            actor_subject: e.actor.subject.as_str().to_owned(),
            actor_role: e.actor.role.into(),
            actor_organisation_id: e.actor.organisation.as_uuid(),
            kind: e.kind.into(),
            from_state: e.from_state.map(Into::into),
            to_state: e.to_state.map(Into::into),
            hold_reason: e.hold_reason.map(Into::into),
            note: e.note.as_ref().map(ToString::to_string),
        }
    }
}

/// An incident with its deadlines and timeline (GSI-7.3, 7.5.8).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1",
    "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "provider_id": "00000000-0000-7000-8000-000000000b01",
    "title": "อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้", "description": "No traffic on the HQ circuit since 09:00.",
    "impact": "high", "urgency": "high", "priority": "p1", "channel": "self_service",
    "reported_at": "2026-12-01T02:00:00Z", "state": "in_progress", "hold_reason": null,
    "deadlines": {"response_minutes": 15, "response_due": "2026-12-01T02:15:00Z", "responded_at": "2026-12-01T02:07:00Z",
        "response": "met", "resolution_minutes": 240, "resolution_due": "2026-12-01T06:00:00Z", "resolved_at": null,
        "resolution": "pending", "resolution_clock": "running", "resolution_minutes_used": 35},
    "available_actions": ["put_on_hold", "resolve"],
    "reopen_until": null,
    "timeline": [
        {"at": "2026-12-01T02:00:00Z", "actor_subject": "somchai", "actor_role": "agency_user",
         "actor_organisation_id": "00000000-0000-7000-8000-000000000a01", "kind": "reported", "from_state": null,
         "to_state": "new", "hold_reason": null, "note": null},
        {"at": "2026-12-01T02:07:00Z", "actor_subject": "noc-7", "actor_role": "provider_operator",
         "actor_organisation_id": "00000000-0000-7000-8000-000000000b01", "kind": "acknowledged", "from_state": "new",
         "to_state": "acknowledged", "hold_reason": null, "note": null}
    ],
    "created_at": "2026-12-01T02:00:00Z", "updated_at": "2026-12-01T02:10:00Z", "version": 3
}))]
pub struct IncidentBody {
    pub id: uuid::Uuid,
    pub subscription_id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub title: String,
    pub description: String,
    pub impact: ImpactBody,
    pub urgency: UrgencyBody,
    pub priority: PriorityBody,
    pub channel: ReportChannelBody,
    /// When the fault was reported; both deadlines run from here.
    pub reported_at: DateTime<Utc>,
    pub state: IncidentStateBody,
    /// Why it is on hold, while it is.
    pub hold_reason: Option<HoldReasonBody>,
    pub deadlines: DeadlinesBody,
    /// The steps the caller may take now (empty for GIX, which reads only).
    pub available_actions: Vec<IncidentActionBody>,
    /// Until when the agency may reopen, while the incident is resolved or closed.
    pub reopen_until: Option<DateTime<Utc>>,
    /// Every step and comment, oldest first; the first entry is the report.
    pub timeline: Vec<IncidentTimelineEntryBody>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: i64,
}

impl From<&IncidentView> for IncidentBody {
    fn from(view: &IncidentView) -> Self {
        let i = &view.stored.incident;
        let d = &view.deadlines;
        IncidentBody {
            id: i.id.as_uuid(),
            subscription_id: i.subscription.as_uuid(),
            agency_id: i.agency.as_uuid(),
            provider_id: i.provider.as_uuid(),
            title: i.title.to_string(),
            description: i.description.to_string(),
            impact: i.impact.into(),
            urgency: i.urgency.into(),
            priority: i.priority.into(),
            channel: i.channel.into(),
            reported_at: i.reported_at,
            state: i.state.into(),
            hold_reason: i.hold_reason.map(Into::into),
            deadlines: DeadlinesBody {
                response_minutes: d.targets.response_minutes,
                response_due: d.response_due,
                responded_at: d.responded_at,
                response: d.response.into(),
                resolution_minutes: d.targets.resolution_minutes,
                resolution_due: d.resolution_due,
                resolved_at: d.resolved_at,
                resolution: d.resolution.into(),
                resolution_clock: d.resolution_clock.into(),
                resolution_minutes_used: d.resolution_minutes_used,
            },
            available_actions: view.available_actions.iter().copied().map(Into::into).collect(),
            reopen_until: view.reopen_until,
            timeline: i.timeline.iter().map(IncidentTimelineEntryBody::from).collect(),
            created_at: view.stored.created_at,
            updated_at: view.stored.updated_at,
            version: view.stored.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    pub items: Vec<IncidentBody>,
    pub next_cursor: Option<String>,
}

fn incident_response(view: &IncidentView) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(view.stored.version))).json(IncidentBody::from(view))
}

/// A fault report (GSI-7.5.8), or a report the provider received by phone, e-mail or
/// monitoring (GSI-7.4, 7.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "title": "อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้",
    "description": "No traffic on the HQ circuit since 09:00; the branch offices are fine.",
    "impact": "high",
    "urgency": "high"
}))]
pub struct ReportIncident {
    /// A subscription of the caller's agency, or one the caller's provider serves.
    pub subscription_id: uuid::Uuid,
    #[schema(max_length = 200)]
    pub title: String,
    #[schema(max_length = 4000)]
    pub description: String,
    pub impact: ImpactBody,
    pub urgency: UrgencyBody,
    /// Agencies leave it out (`self_service`); providers say how the report reached them:
    /// `phone`, `email` or `monitoring`.
    pub channel: Option<ReportChannelBody>,
    /// Providers may give when the call, e-mail or alert arrived (not in the future); the
    /// deadlines run from it. Agencies' reports are timestamped by the system.
    pub reported_at: Option<DateTime<Utc>>,
}

/// One lifecycle step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "put_on_hold", "note": "Waiting for access to the server room", "hold_reason": "awaiting_agency"}))]
pub struct IncidentStep {
    pub action: IncidentActionBody,
    /// Required with `put_on_hold`, `resolve`, `reopen` and `cancel`.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
    /// Required with `put_on_hold`, refused with anything else.
    pub hold_reason: Option<HoldReasonBody>,
}

/// A comment on the timeline.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "The branch office in Chiang Mai is affected too."}))]
pub struct IncidentComment {
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListIncidentsQuery {
    #[param(value_type = Option<uuid::Uuid>)]
    pub subscription_id: Option<String>,
    #[param(value_type = Option<IncidentStateBody>)]
    pub state: Option<String>,
    #[param(value_type = Option<PriorityBody>)]
    pub priority: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
