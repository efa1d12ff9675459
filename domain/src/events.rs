//! Events for integrators (issue 11): what happened to which resource, and which
//! organisations may learn of it. An event is written in the transaction of the change it
//! reports (a transactional outbox); the feed and the webhooks read it from there.

use chrono::{DateTime, Utc};

use crate::ids::{EventId, OrganisationId};
use crate::org::GIX_ORGANISATION_ID;

/// Every kind of event the hub emits. Adding one: a variant, a row in `EVENT_TYPES`, and a
/// one-line `usecases::events::emit(..)` call next to the change's audit event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ServiceRequestSubmitted,
    ServiceRequestReviewStarted,
    ServiceRequestQuoted,
    ServiceRequestRejected,
    ServiceRequestConfirmed,
    ServiceRequestDeclined,
    ServiceRequestWithdrawn,
    ServiceRequestWorkStarted,
    ServiceRequestProgressReported,
    ServiceRequestCompleted,
    ServiceRequestFailed,
    SubscriptionCreated,
    SubscriptionChanged,
    SubscriptionStatusChanged,
    IncidentReported,
    IncidentStateChanged,
    IncidentCommented,
    OutageRecorded,
    OutageEnded,
    SecurityEventRecorded,
    SecurityEventStatusChanged,
    ProviderListingChanged,
    StatementIssued,
    ProviderListChanged,
    AssessmentDecided,
    ReportRequestCreated,
    ReportRequestSubmitted,
    MonthlyReportSubmitted,
}

/// One row per event type: the variant, its wire name, the resource it is about, and what
/// it means (shown in the OpenAPI `webhooks` section).
pub const EVENT_TYPES: &[(EventType, &str, &str, &str)] = &[
    (
        EventType::ServiceRequestSubmitted,
        "service_request.submitted",
        "service_request",
        "An agency submitted a service request (GSI-A.1.4).",
    ),
    (
        EventType::ServiceRequestReviewStarted,
        "service_request.review_started",
        "service_request",
        "The provider started reviewing a request (GSI-A.1.5).",
    ),
    (
        EventType::ServiceRequestQuoted,
        "service_request.quoted",
        "service_request",
        "The provider quoted a request, or superseded its quote (GSI-A.1.5).",
    ),
    (
        EventType::ServiceRequestRejected,
        "service_request.rejected",
        "service_request",
        "The provider cannot fulfil a request (GSI-A.1.5).",
    ),
    (
        EventType::ServiceRequestConfirmed,
        "service_request.confirmed",
        "service_request",
        "The agency confirmed a quote (GSI-A.1.6).",
    ),
    (EventType::ServiceRequestDeclined, "service_request.declined", "service_request", "The agency declined a quote."),
    (
        EventType::ServiceRequestWithdrawn,
        "service_request.withdrawn",
        "service_request",
        "The agency withdrew its request.",
    ),
    (
        EventType::ServiceRequestWorkStarted,
        "service_request.work_started",
        "service_request",
        "The provider started carrying out a confirmed request (GSI-A.1.7).",
    ),
    (
        EventType::ServiceRequestProgressReported,
        "service_request.progress_reported",
        "service_request",
        "The provider reported progress on a request (GSI-A.1.7).",
    ),
    (
        EventType::ServiceRequestCompleted,
        "service_request.completed",
        "service_request",
        "A request was carried out and the subscription changed (GSI-A.1.8).",
    ),
    (
        EventType::ServiceRequestFailed,
        "service_request.failed",
        "service_request",
        "A request could not be carried out.",
    ),
    (
        EventType::SubscriptionCreated,
        "subscription.created",
        "subscription",
        "A subscription began: registered, or created by a completed request (GSI-7.5.2).",
    ),
    (
        EventType::SubscriptionChanged,
        "subscription.changed",
        "subscription",
        "A completed request changed a subscription's quantities or add-ons (GSI-A.1.8).",
    ),
    (
        EventType::SubscriptionStatusChanged,
        "subscription.status_changed",
        "subscription",
        "A subscription was suspended, resumed or terminated (GSI-7.5.2).",
    ),
    (
        EventType::IncidentReported,
        "incident.reported",
        "incident",
        "An incident was reported or recorded (GSI-7.3, 7.5.8).",
    ),
    (
        EventType::IncidentStateChanged,
        "incident.state_changed",
        "incident",
        "An incident moved to another state (GSI-7.4, 7.5.8).",
    ),
    (EventType::IncidentCommented, "incident.commented", "incident", "Someone commented on an incident (GSI-7.5.8)."),
    (
        EventType::OutageRecorded,
        "outage.recorded",
        "outage",
        "The provider recorded an outage on subscriptions it serves (GSI-7.2, 10.3).",
    ),
    (EventType::OutageEnded, "outage.ended", "outage", "An outage ended (GSI-7.2)."),
    (
        EventType::SecurityEventRecorded,
        "security_event.recorded",
        "security_event",
        "The provider recorded a security event for an agency (GSI-7.5.4, 8.2).",
    ),
    (
        EventType::SecurityEventStatusChanged,
        "security_event.status_changed",
        "security_event",
        "A security event was mitigated or resolved (GSI-7.5.4).",
    ),
    (
        EventType::ProviderListingChanged,
        "provider_listing.changed",
        "provider_listing",
        "GIX listed, suspended or delisted a provider for a service family (GSI-12.2, 12.3, 13.1); visible to every organisation.",
    ),
    (
        EventType::StatementIssued,
        "statement.issued",
        "statement",
        "A monthly statement was issued when the provider closed the month (GSI-7.5.3).",
    ),
    (
        EventType::ProviderListChanged,
        "provider_list.changed",
        "provider_list",
        "The evidence-derived provider list changed for a provider and family, recorded when evidence was written (a certificate verified, an assessment decided, a profile changed); with its reasons (GSI-12.2, 12.3, 13.1). Visible to every organisation.",
    ),
    (
        EventType::AssessmentDecided,
        "assessment.decided",
        "assessment",
        "An accredited assessor decided an assessment, with the certification it issued if any (GSI-11.1-11.4).",
    ),
    (
        EventType::ReportRequestCreated,
        "report_request.created",
        "report_request",
        "GIX asked a provider for a usage report (GSI-7.6).",
    ),
    (
        EventType::ReportRequestSubmitted,
        "report_request.submitted",
        "report_request",
        "The provider answered a report request; its figures are frozen under a content hash (GSI-7.6).",
    ),
    (
        EventType::MonthlyReportSubmitted,
        "monthly_report.submitted",
        "monthly_report",
        "An agency submitted a revision of its monthly report (GSI-13.3).",
    ),
];

impl EventType {
    pub fn as_str(self) -> &'static str {
        EVENT_TYPES.iter().find(|(t, ..)| *t == self).map_or("unknown", |(_, name, ..)| name)
    }

    pub fn resource_type(self) -> &'static str {
        EVENT_TYPES.iter().find(|(t, ..)| *t == self).map_or("unknown", |(_, _, resource, _)| resource)
    }

    pub fn parse(raw: &str) -> Option<EventType> {
        EVENT_TYPES.iter().find(|(_, name, ..)| *name == raw).map(|(t, ..)| *t)
    }

    pub fn all() -> impl Iterator<Item = EventType> {
        EVENT_TYPES.iter().map(|(t, ..)| *t)
    }
}

impl std::fmt::Display for EventType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Who may see an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// The named organisations (GIX is always added).
    Parties(Vec<OrganisationId>),
    /// Every organisation (e.g. the provider list is public to all callers).
    Everyone,
}

impl Audience {
    /// The parties plus GIX, each once, sorted.
    pub fn parties(orgs: impl IntoIterator<Item = OrganisationId>) -> Audience {
        let mut all: Vec<OrganisationId> = orgs.into_iter().collect();
        all.push(GIX_ORGANISATION_ID);
        all.sort();
        all.dedup();
        Audience::Parties(all)
    }

    pub fn organisations(&self) -> &[OrganisationId] {
        match self {
            Audience::Parties(orgs) => orgs,
            Audience::Everyone => &[],
        }
    }

    pub fn includes(&self, org: OrganisationId) -> bool {
        match self {
            Audience::Parties(orgs) => orgs.contains(&org),
            Audience::Everyone => true,
        }
    }
}

/// The resource an event is about, as it is after the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRef {
    pub resource_type: String,
    pub id: String,
    /// Its state after the change, when it has one.
    pub state: Option<String>,
    /// Its path in this API, e.g. `/v1/service-requests/{id}`.
    pub link: String,
}

impl ResourceRef {
    pub fn new(resource_type: &str, id: impl ToString, state: Option<&str>, link: String) -> Self {
        ResourceRef {
            resource_type: resource_type.to_owned(),
            id: id.to_string(),
            state: state.map(str::to_owned),
            link,
        }
    }
}

/// One event, as written to the outbox.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// UUIDv7: time-ordered, and the `webhook-id` receivers de-duplicate by.
    pub id: EventId,
    pub event_type: EventType,
    pub occurred_at: DateTime<Utc>,
    pub audience: Audience,
    pub resource: ResourceRef,
    /// A few type-specific facts (e.g. the previous state); never more than a reader of
    /// the resource may see.
    pub data: serde_json::Value,
}

impl Event {
    pub fn new(
        now: DateTime<Utc>,
        event_type: EventType,
        resource: ResourceRef,
        audience: Audience,
        data: serde_json::Value,
    ) -> Event {
        Event {
            id: EventId::new_v7(now),
            event_type,
            occurred_at: crate::time::to_storage_precision(now),
            audience,
            resource,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_one_unique_name_that_parses_back() {
        let mut names: Vec<&str> = EventType::all().map(EventType::as_str).collect();
        assert!(names.iter().all(|n| *n != "unknown"));
        for t in EventType::all() {
            assert_eq!(EventType::parse(t.as_str()), Some(t));
            assert!(t.as_str().starts_with(t.resource_type()), "{t}");
        }
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        assert_eq!(EventType::parse("service_request.quoted"), Some(EventType::ServiceRequestQuoted));
        assert_eq!(EventType::parse("nope"), None);
    }

    #[test]
    fn parties_always_include_gix_once() {
        let a = OrganisationId::from_uuid(uuid::Uuid::from_u128(7));
        let audience = Audience::parties([a, a, GIX_ORGANISATION_ID]);
        assert_eq!(audience.organisations().len(), 2);
        assert!(audience.includes(a) && audience.includes(GIX_ORGANISATION_ID));
        assert!(!audience.includes(OrganisationId::from_uuid(uuid::Uuid::from_u128(8))));
        assert!(Audience::Everyone.includes(a));
    }
}
