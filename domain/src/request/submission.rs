//! Whether a request may be sent (GSI-A.1.4): by the agency's admin, about the agency's own
//! subscription, to a listed provider when it buys something new (GSI-13.1), and only when no
//! other request on the same subscription is still open.
//!
//! One open request per subscription, of any kind that targets one (add-on, change,
//! cancellation): each is quoted against the subscription as it is, so two at once would
//! price against a state that the other is about to change. New services have no
//! subscription yet and are not limited.

use std::fmt;

use chrono::{DateTime, Utc};

use super::ServiceRequestId;
use super::kind::{RequestKind, RequestPayload};
use super::state::{RequestStatus, effective_status};
use crate::ids::OrganisationId;
use crate::role::{Actor, Role};

/// What the open-request rule needs to know of each request on a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSummary {
    pub id: ServiceRequestId,
    pub kind: RequestKind,
    /// As stored.
    pub status: RequestStatus,
    pub current_quote_valid_until: Option<DateTime<Utc>>,
}

impl RequestSummary {
    pub fn status_at(&self, now: DateTime<Utc>) -> RequestStatus {
        effective_status(self.status, self.current_quote_valid_until, now)
    }
}

/// GSI-A.1.4: the request still open on the subscription, if any. A quote that has
/// expired closes its request, so it no longer blocks a new one.
pub fn open_request(requests: &[RequestSummary], now: DateTime<Utc>) -> Option<&RequestSummary> {
    requests.iter().find(|r| r.status_at(now).is_open())
}

/// Names the request that is still open, for a 409.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenRequestExists {
    pub open: ServiceRequestId,
    pub kind: RequestKind,
    pub status: RequestStatus,
}

impl fmt::Display for OpenRequestExists {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "request {} ({}, {}) is still open on this subscription; one request at a time: \
             wait for it to finish or withdraw it first",
            self.open, self.kind, self.status
        )
    }
}

/// Why a submission is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmissionRefused {
    /// Only the agency's admins submit (403).
    Forbidden { required: Role },
    /// The subscription is not the caller's agency's (404: do not reveal it).
    SubscriptionNotFound,
    /// GSI-13.1: the provider is not on the provider list (422).
    ProviderNotListed,
    /// One open request per subscription (409).
    OpenRequestExists(OpenRequestExists),
}

impl SubmissionRefused {
    /// A stable machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            SubmissionRefused::Forbidden { .. } => "forbidden",
            SubmissionRefused::SubscriptionNotFound => "not_found",
            SubmissionRefused::ProviderNotListed => "provider_not_listed",
            SubmissionRefused::OpenRequestExists(_) => "open_request_exists",
        }
    }
}

impl fmt::Display for SubmissionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmissionRefused::Forbidden { required } => {
                write!(f, "only a {required} of the agency may submit a request")
            }
            SubmissionRefused::SubscriptionNotFound => f.write_str("subscription not found"),
            SubmissionRefused::ProviderNotListed => f.write_str(
                "the provider is not on the GSI provider list; new services may only be \
                 requested from listed providers (GSI-13.1)",
            ),
            SubmissionRefused::OpenRequestExists(open) => open.fmt(f),
        }
    }
}

impl std::error::Error for SubmissionRefused {}

/// What the caller looked up for a submission.
#[derive(Debug, Clone, Copy)]
pub struct SubmissionFacts<'a> {
    /// GSI-12.2 / 13.1: whether the serving provider is listed for the service's family now.
    pub provider_listed: bool,
    /// The agency that holds the subscription the request targets; `None` when the
    /// subscription does not exist or the request targets none.
    pub subscription_agency: Option<OrganisationId>,
    /// The requests on that subscription (any status); empty for new services.
    pub requests_on_subscription: &'a [RequestSummary],
}

/// GSI-A.1.4, 13.1: may `actor` submit `payload` now? Checked in the order the caller
/// answers them: role (403), subscription visible (404), provider listed (422), no open
/// request (409).
pub fn check_submission(
    actor: &Actor,
    payload: &RequestPayload,
    facts: &SubmissionFacts<'_>,
    now: DateTime<Utc>,
) -> Result<(), SubmissionRefused> {
    if actor.role != Role::AgencyAdmin {
        return Err(SubmissionRefused::Forbidden { required: Role::AgencyAdmin });
    }
    let kind = payload.kind();
    if kind.targets_subscription() && facts.subscription_agency != Some(actor.organisation) {
        return Err(SubmissionRefused::SubscriptionNotFound);
    }
    if kind.buys_new_service() && !facts.provider_listed {
        return Err(SubmissionRefused::ProviderNotListed);
    }
    if !kind.targets_subscription() {
        return Ok(());
    }
    match open_request(facts.requests_on_subscription, now) {
        Some(open) => Err(SubmissionRefused::OpenRequestExists(OpenRequestExists {
            open: open.id,
            kind: open.kind,
            status: open.status_at(now),
        })),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Quantity;
    use crate::request::Quantities;
    use crate::role::Subject;
    use crate::service::Metric;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    fn org(n: u128) -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(n))
    }

    fn admin() -> Actor {
        Actor { subject: Subject::parse("admin").unwrap(), organisation: org(1), role: Role::AgencyAdmin }
    }

    fn change() -> RequestPayload {
        RequestPayload::Change {
            subscription: Uuid::from_u128(50).into(),
            quantities: Quantities::from([(Metric::MbpsMonth, Quantity::parse("300").unwrap())]),
        }
    }

    fn new_service() -> RequestPayload {
        RequestPayload::NewService {
            offering: Uuid::from_u128(60).into(),
            quantities: Quantities::from([(Metric::MbpsMonth, Quantity::parse("100").unwrap())]),
        }
    }

    fn summary(n: u128, status: RequestStatus, until: Option<DateTime<Utc>>) -> RequestSummary {
        RequestSummary {
            id: Uuid::from_u128(n).into(),
            kind: RequestKind::Change,
            status,
            current_quote_valid_until: until,
        }
    }

    fn facts(requests: &[RequestSummary]) -> SubmissionFacts<'_> {
        SubmissionFacts { provider_listed: true, subscription_agency: Some(org(1)), requests_on_subscription: requests }
    }

    #[test]
    fn gsi_a_1_4_one_open_request_per_subscription_names_the_open_one() {
        let requests = [summary(1, RequestStatus::Completed, None), summary(2, RequestStatus::UnderReview, None)];
        let refused = check_submission(&admin(), &change(), &facts(&requests), now()).unwrap_err();
        assert_eq!(
            refused,
            SubmissionRefused::OpenRequestExists(OpenRequestExists {
                open: Uuid::from_u128(2).into(),
                kind: RequestKind::Change,
                status: RequestStatus::UnderReview,
            })
        );
        assert_eq!(refused.code(), "open_request_exists");
        assert!(
            refused
                .to_string()
                .starts_with(&format!("request {} (change, under_review) is still open", Uuid::from_u128(2)))
        );
    }

    #[test]
    fn gsi_a_1_4_finished_and_expired_requests_do_not_block() {
        let until = now() + Duration::hours(1);
        let requests = [
            summary(1, RequestStatus::Withdrawn, None),
            summary(2, RequestStatus::Rejected, None),
            summary(3, RequestStatus::Quoted, Some(until)),
        ];
        assert!(check_submission(&admin(), &change(), &facts(&requests), now()).is_err());
        assert_eq!(
            check_submission(&admin(), &change(), &facts(&requests), until),
            Ok(()),
            "at valid_until the quote has expired and the request is closed"
        );
        for status in RequestStatus::ALL {
            let requests = [summary(1, *status, None)];
            assert_eq!(open_request(&requests, now()).is_some(), status.is_open(), "{status}");
        }
    }

    #[test]
    fn gsi_13_1_new_services_only_from_listed_providers() {
        let unlisted =
            SubmissionFacts { provider_listed: false, subscription_agency: None, requests_on_subscription: &[] };
        assert_eq!(
            check_submission(&admin(), &new_service(), &unlisted, now()),
            Err(SubmissionRefused::ProviderNotListed)
        );
        let listed = SubmissionFacts { provider_listed: true, ..unlisted };
        assert_eq!(check_submission(&admin(), &new_service(), &listed, now()), Ok(()));
        // leaving or resizing stays possible with a provider that dropped off the list
        let mut delisted = facts(&[]);
        delisted.provider_listed = false;
        assert_eq!(check_submission(&admin(), &change(), &delisted, now()), Ok(()));
    }

    #[test]
    fn gsi_7_5_5_only_the_owning_agencys_admin_submits() {
        let mut user = admin();
        user.role = Role::AgencyUser;
        assert_eq!(
            check_submission(&user, &change(), &facts(&[]), now()),
            Err(SubmissionRefused::Forbidden { required: Role::AgencyAdmin })
        );
        let mut other = admin();
        other.organisation = org(2);
        assert_eq!(
            check_submission(&other, &change(), &facts(&[]), now()),
            Err(SubmissionRefused::SubscriptionNotFound)
        );
        let missing = SubmissionFacts { subscription_agency: None, ..facts(&[]) };
        assert_eq!(
            check_submission(&admin(), &change(), &missing, now()),
            Err(SubmissionRefused::SubscriptionNotFound)
        );
    }
}
