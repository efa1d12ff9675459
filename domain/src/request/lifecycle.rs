//! The service request record and the two ways it changes: [`submit`] creates it
//! (GSI-A.1.4) and [`apply`] takes one step of Appendix A (A.1.5–A.1.8). Both check who
//! acts, decide, and return the new record with the timeline entry to store in the same
//! transaction; callers add `version` checks (If-Match) and the audit event.

use chrono::{DateTime, Utc};

use super::kind::{NewServiceRequest, RequestKind, RequestPayload};
use super::party::{ActorCheck, Parties, may_act};
use super::preview::Preview;
use super::quote::{Acknowledgement, Quote, QuoteDecision, QuoteStanding};
use super::state::{
    Action, ActionKind, RefusalReason, RequestStatus, TransitionContext, TransitionRefused, allowed_actions,
    effective_status, transition,
};
use super::submission::{RequestSummary, SubmissionFacts, SubmissionRefused, check_submission};
use super::timeline::{Progress, TimelineEntry};
use super::{AddonRef, OfferingRef, Quantities, QuoteId, ServiceRequestId, SubscriptionRef};
use crate::ids::OrganisationId;
use crate::money::Money;
use crate::role::{Actor, Role, Subject};
use crate::text::BoundedText;
use crate::time::to_storage_precision;

/// A service request as stored. Built only by [`submit`] and [`apply`] (and by repositories
/// reloading what those built).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequest {
    pub id: ServiceRequestId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub payload: RequestPayload,
    pub note: Option<BoundedText>,
    /// The preview at submission: its estimate and warnings are shown to both parties
    /// (GSI-A.1.3).
    pub preview: Preview,
    /// As stored: never `expired` (read [`ServiceRequest::status_at`]).
    pub status: RequestStatus,
    /// Every quote, oldest first; the last is current (GSI-A.1.6).
    pub quotes: Vec<Quote>,
    /// Set on confirmation (GSI-A.1.7).
    pub acknowledgement: Option<Acknowledgement>,
    /// The latest progress report (GSI-A.1.8).
    pub progress: Option<Progress>,
    /// Why it was declined, withdrawn or failed (a rejection's reason is in its quote).
    pub closing_reason: Option<BoundedText>,
    pub submitted_by: Subject,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// 1 on submission, +1 per transition; the ETag.
    pub version: i64,
}

impl ServiceRequest {
    pub fn kind(&self) -> RequestKind {
        self.payload.kind()
    }

    pub fn parties(&self) -> Parties {
        Parties { agency: self.agency, provider: self.provider }
    }

    pub fn current_quote(&self) -> Option<&Quote> {
        self.quotes.last()
    }

    /// The status as read at `now`: a quote past its validity reads as `expired`.
    pub fn status_at(&self, now: DateTime<Utc>) -> RequestStatus {
        effective_status(self.status, self.current_quote().and_then(Quote::valid_until), now)
    }

    /// The actions the machine accepts at `now`, whoever asks.
    pub fn allowed_actions_at(&self, now: DateTime<Utc>) -> Vec<ActionKind> {
        allowed_actions(self.status_at(now))
    }

    pub fn summary(&self) -> RequestSummary {
        RequestSummary {
            id: self.id,
            kind: self.kind(),
            status: self.status,
            current_quote_valid_until: self.current_quote().and_then(Quote::valid_until),
        }
    }

    /// Where one of this request's quotes stands at `now`; `None` when it is not one of them.
    pub fn quote_standing(&self, quote: QuoteId, now: DateTime<Utc>) -> Option<QuoteStanding> {
        let found = self.quotes.iter().find(|q| q.id == quote)?;
        if self.current_quote().map(|q| q.id) != Some(quote) {
            return Some(QuoteStanding::Superseded);
        }
        Some(match &found.decision {
            QuoteDecision::Rejected { .. } => QuoteStanding::Rejection,
            QuoteDecision::Approved(_) => match self.status_at(now) {
                RequestStatus::Submitted | RequestStatus::UnderReview | RequestStatus::Quoted => QuoteStanding::Open,
                RequestStatus::Expired => QuoteStanding::Expired,
                RequestStatus::Confirmed
                | RequestStatus::InProgress
                | RequestStatus::Completed
                | RequestStatus::Failed => QuoteStanding::Accepted,
                RequestStatus::Declined => QuoteStanding::Declined,
                RequestStatus::Withdrawn => QuoteStanding::Withdrawn,
                RequestStatus::Rejected => QuoteStanding::Rejection,
            },
        })
    }
}

/// The result of a step: the new record and the timeline entry it leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub request: ServiceRequest,
    pub timeline: TimelineEntry,
}

/// GSI-A.1.4: submits a parsed request to `provider` (the provider of the offering or
/// subscription), with the preview computed against the catalog just before. The warnings
/// do not block: they travel with the request.
pub fn submit(
    actor: &Actor,
    id: ServiceRequestId,
    provider: OrganisationId,
    request: NewServiceRequest,
    preview: Preview,
    facts: &SubmissionFacts<'_>,
    now: DateTime<Utc>,
) -> Result<Applied, SubmissionRefused> {
    let now = to_storage_precision(now);
    check_submission(actor, &request.payload, facts, now)?;
    let timeline = TimelineEntry {
        request: id,
        at: now,
        by: actor.clone(),
        action: ActionKind::Submit,
        from: None,
        to: RequestStatus::Submitted,
        note: request.note.clone(),
        percent: None,
        quote: None,
    };
    let request = ServiceRequest {
        id,
        agency: actor.organisation,
        provider,
        payload: request.payload,
        note: request.note,
        preview,
        status: RequestStatus::Submitted,
        quotes: Vec::new(),
        acknowledgement: None,
        progress: None,
        closing_reason: None,
        submitted_by: actor.subject.clone(),
        submitted_at: now,
        updated_at: now,
        version: 1,
    };
    Ok(Applied { request, timeline })
}

/// Why a step was refused, in the order callers check: not visible (404), not the caller's
/// step (403), not possible now (409, naming the status and the allowed actions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionRefused {
    NotFound,
    Forbidden { action: ActionKind, required: Role },
    Refused(TransitionRefused),
}

/// Takes one step (GSI-A.1.5–A.1.8): checks the caller, runs [`transition`], and records
/// what the step carries: a new quote (numbered, the previous one kept and superseded), the
/// acknowledgement of exactly what was accepted, the latest progress, or the closing reason.
pub fn apply(
    request: &ServiceRequest,
    actor: &Actor,
    action: Action,
    now: DateTime<Utc>,
) -> Result<Applied, ActionRefused> {
    let now = to_storage_precision(now);
    let kind = action.kind();
    match may_act(actor, request.parties(), kind) {
        ActorCheck::Allowed => {}
        ActorCheck::WrongRole { required } => {
            return Err(ActionRefused::Forbidden { action: kind, required });
        }
        ActorCheck::NotVisible => return Err(ActionRefused::NotFound),
    }
    let from = request.status_at(now);
    let context =
        TransitionContext { quotes: &request.quotes, last_progress: request.progress.as_ref().map(|p| p.percent), now };
    let to = transition(request.status, &action, &context).map_err(ActionRefused::Refused)?;

    let mut next = request.clone();
    next.status = to;
    next.updated_at = now;
    next.version = request.version.saturating_add(1);
    let note = action.note().cloned();
    let mut quote_id = None;
    let mut percent = None;
    match action {
        Action::Quote(decision) | Action::Requote(decision) => {
            let id = QuoteId::new_v7(now);
            let number = u32::try_from(request.quotes.len()).unwrap_or(u32::MAX).saturating_add(1);
            next.quotes.push(Quote { id, number, issued_at: now, issued_by: actor.subject.clone(), decision });
            quote_id = Some(id);
        }
        Action::Confirm { quote } => {
            let terms = request.current_quote().filter(|q| q.id == quote).and_then(|q| q.decision.approved());
            // `transition` accepted only the current, approved, valid quote.
            let Some(terms) = terms else {
                return Err(ActionRefused::Refused(TransitionRefused {
                    state: from,
                    action: kind,
                    allowed: allowed_actions(from),
                    reason: RefusalReason::UnknownQuote { quote },
                }));
            };
            next.acknowledgement = Some(Acknowledgement {
                quote,
                by: actor.subject.clone(),
                organisation: actor.organisation,
                at: now,
                quantities: terms.confirmed_quantities.clone(),
                monthly_cost_delta: terms.monthly_cost_delta,
                one_off_charge: terms.one_off_charge,
                effective_at: terms.effective_at,
            });
            quote_id = Some(quote);
        }
        Action::ReportProgress(report) => {
            percent = Some(report.percent);
            next.progress = Some(Progress { percent: report.percent, note: report.note, at: now });
        }
        Action::Decline { reason } | Action::Withdraw { reason } => next.closing_reason = reason,
        Action::Fail { reason } => next.closing_reason = Some(reason),
        Action::StartReview { .. } | Action::StartWork { .. } | Action::Complete { .. } => {}
    }
    let timeline = TimelineEntry {
        request: request.id,
        at: now,
        by: actor.clone(),
        action: kind,
        from: Some(from),
        to,
        note,
        percent,
        quote: quote_id,
    };
    Ok(Applied { request: next, timeline })
}

/// What completing a request does to the subscriptions (GSI-A.1.8), applied by the caller
/// in the same transaction as the `complete` step. Quantities and costs are the ones the
/// agency acknowledged; prices take effect from `from` (the completion), a cancellation at
/// the agreed end (or the completion when none was agreed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompletionEffect {
    StartSubscription {
        offering: OfferingRef,
        quantities: Quantities,
        from: DateTime<Utc>,
    },
    AddAddon {
        subscription: SubscriptionRef,
        addon: AddonRef,
        quantities: Quantities,
        from: DateTime<Utc>,
    },
    /// The resources named get the sizes given; the others keep theirs.
    Resize {
        subscription: SubscriptionRef,
        quantities: Quantities,
        from: DateTime<Utc>,
    },
    Terminate {
        subscription: SubscriptionRef,
        at: DateTime<Utc>,
    },
    RemoveAddon {
        subscription: SubscriptionRef,
        addon: AddonRef,
        at: DateTime<Utc>,
    },
}

/// The effect of a completed request; `None` unless it has been completed (only a
/// completed request has been confirmed and carried out). `completed_at` is the instant of
/// the `complete` step.
pub fn completion_effect(request: &ServiceRequest, completed_at: DateTime<Utc>) -> Option<CompletionEffect> {
    if request.status != RequestStatus::Completed {
        return None;
    }
    let accepted = request.acknowledgement.as_ref()?;
    let quantities = accepted.quantities.clone();
    let end = accepted.effective_at.unwrap_or(completed_at);
    Some(match &request.payload {
        RequestPayload::NewService { offering, .. } => {
            CompletionEffect::StartSubscription { offering: *offering, quantities, from: completed_at }
        }
        RequestPayload::AddAddon { subscription, addon, .. } => {
            CompletionEffect::AddAddon { subscription: *subscription, addon: *addon, quantities, from: completed_at }
        }
        RequestPayload::Change { subscription, .. } => {
            CompletionEffect::Resize { subscription: *subscription, quantities, from: completed_at }
        }
        RequestPayload::Cancel { subscription, .. } => {
            CompletionEffect::Terminate { subscription: *subscription, at: end }
        }
        RequestPayload::CancelAddon { subscription, addon, .. } => {
            CompletionEffect::RemoveAddon { subscription: *subscription, addon: *addon, at: end }
        }
    })
}

/// The money the agency agreed to, for billing: the monthly change and the one-off charge.
pub fn accepted_costs(request: &ServiceRequest) -> Option<(Money, Money)> {
    request.acknowledgement.as_ref().map(|a| (a.monthly_cost_delta, a.one_off_charge))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::money::{Quantity, UnitPrice};
    use crate::request::kind::ServiceRequestDraft;
    use crate::request::preview::{PreviewBasis, preview};
    use crate::request::quote::{ApprovedTerms, QuoteDraft};
    use crate::request::timeline::{Percent, ProgressDraft, ProgressReport};
    use crate::service::Metric;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    const AGENCY: u128 = 1;
    const PROVIDER: u128 = 3;
    const SUBSCRIPTION: &str = "0190f5c2-0000-7000-8000-00000000000a";

    fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    fn org(n: u128) -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(n))
    }

    fn actor(role: Role, n: u128, name: &str) -> Actor {
        Actor { subject: Subject::parse(name).unwrap(), organisation: org(n), role }
    }

    fn admin() -> Actor {
        actor(Role::AgencyAdmin, AGENCY, "somchai")
    }

    fn operator() -> Actor {
        actor(Role::ProviderOperator, PROVIDER, "noc-1")
    }

    fn text(s: &str) -> BoundedText {
        BoundedText::parse("t", s, 200).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn thb(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    fn internet_basis() -> PreviewBasis {
        PreviewBasis {
            current: Quantities::from([(Metric::MbpsMonth, q("100"))]),
            unit_prices: BTreeMap::from([(Metric::MbpsMonth, UnitPrice::parse("12.5").unwrap())]),
            offering_capacity: Quantities::from([(Metric::MbpsMonth, q("1000"))]),
            provider_remaining: Quantities::from([(Metric::MbpsMonth, q("400"))]),
        }
    }

    /// A bandwidth change to `mbps`, submitted at t0 by the agency's admin.
    fn submitted(mbps: &str) -> ServiceRequest {
        let draft = ServiceRequestDraft {
            kind: "change".into(),
            subscription_id: Some(SUBSCRIPTION.into()),
            quantities: BTreeMap::from([("mbps_month".into(), mbps.into())]),
            ..ServiceRequestDraft::default()
        };
        let parsed = NewServiceRequest::parse(&draft, t0()).unwrap();
        let preview = preview(&parsed.payload, &internet_basis()).unwrap();
        let facts = SubmissionFacts {
            provider_listed: true,
            subscription_agency: Some(org(AGENCY)),
            requests_on_subscription: &[],
        };
        submit(&admin(), Uuid::from_u128(100).into(), org(PROVIDER), parsed, preview, &facts, t0()).unwrap().request
    }

    fn approval(request: &ServiceRequest, mbps: &str, delta: &str, now: DateTime<Utc>) -> Action {
        let draft = QuoteDraft {
            outcome: "approved".into(),
            confirmed_quantities: BTreeMap::from([("mbps_month".into(), mbps.into())]),
            monthly_cost_delta: Some(delta.into()),
            valid_until: Some(now + Duration::days(7)),
            ..QuoteDraft::default()
        };
        Action::Quote(QuoteDecision::parse(&draft, &request.payload, now).unwrap())
    }

    fn step(request: &ServiceRequest, by: &Actor, action: Action, now: DateTime<Utc>) -> Applied {
        apply(request, by, action, now).unwrap()
    }

    #[test]
    fn gsi_a_1_bandwidth_increase_walks_the_whole_flow() {
        // A.1.3–A.1.4: 100 → 600 Mbps; the provider has 400 left, so at most 500: warned, sent.
        let r = submitted("600");
        assert_eq!(r.status, RequestStatus::Submitted);
        assert_eq!(r.version, 1);
        assert_eq!(r.preview.monthly_cost_delta, thb("6250"));
        assert_eq!(r.preview.warnings.len(), 1);
        assert_eq!(r.preview.warnings[0].most_available, q("500"));

        let t1 = t0() + Duration::hours(1);
        let a = step(&r, &operator(), Action::StartReview { note: None }, t1);
        assert_eq!(a.request.status, RequestStatus::UnderReview);
        assert_eq!(a.timeline.from, Some(RequestStatus::Submitted));
        assert_eq!(a.timeline.by, operator());

        // A.1.6: the provider can give 500, +5,000 THB a month
        let t2 = t1 + Duration::hours(1);
        let quote = approval(&a.request, "500", "5000", t2);
        let a = step(&a.request, &operator(), quote, t2);
        assert_eq!(a.request.status, RequestStatus::Quoted);
        let quote_id = a.request.quotes[0].id;
        assert_eq!(a.request.quotes[0].number, 1);
        assert_eq!(a.timeline.quote, Some(quote_id));
        assert_eq!(a.request.quote_standing(quote_id, t2), Some(QuoteStanding::Open));

        // A.1.7: the agency accepts exactly that
        let t3 = t2 + Duration::hours(1);
        let a = step(&a.request, &admin(), Action::Confirm { quote: quote_id }, t3);
        assert_eq!(a.request.status, RequestStatus::Confirmed);
        assert_eq!(
            a.request.acknowledgement,
            Some(Acknowledgement {
                quote: quote_id,
                by: admin().subject,
                organisation: org(AGENCY),
                at: t3,
                quantities: Quantities::from([(Metric::MbpsMonth, q("500"))]),
                monthly_cost_delta: thb("5000"),
                one_off_charge: Money::ZERO,
                effective_at: None,
            })
        );
        assert_eq!(a.request.quote_standing(quote_id, t3), Some(QuoteStanding::Accepted));

        // A.1.8: carried out with progress, then completed
        let t4 = t3 + Duration::hours(1);
        let a = step(&a.request, &operator(), Action::StartWork { note: None }, t4);
        let report = ProgressReport::parse(&ProgressDraft { percent: 60, note: "port reconfigured".into() }).unwrap();
        let a = step(&a.request, &operator(), Action::ReportProgress(report), t4);
        assert_eq!(a.timeline.percent, Some(Percent::parse("p", 60).unwrap()));
        assert_eq!(a.timeline.note.as_ref().map(BoundedText::as_str), Some("port reconfigured"));
        assert_eq!(a.request.progress.as_ref().map(|p| p.percent.value()), Some(60));
        let t5 = t4 + Duration::hours(2);
        let a = step(&a.request, &operator(), Action::Complete { note: None }, t5);
        assert_eq!(a.request.status, RequestStatus::Completed);
        assert_eq!(a.request.version, 7);
        assert_eq!(a.timeline.from, Some(RequestStatus::InProgress));
        assert_eq!(
            completion_effect(&a.request, t5),
            Some(CompletionEffect::Resize {
                subscription: SUBSCRIPTION.parse().unwrap(),
                quantities: Quantities::from([(Metric::MbpsMonth, q("500"))]),
                from: t5,
            })
        );
        assert_eq!(accepted_costs(&a.request), Some((thb("5000"), Money::ZERO)));
    }

    #[test]
    fn gsi_a_1_6_requote_supersedes_and_keeps_the_old_quote() {
        let r = step(&submitted("300"), &operator(), Action::StartReview { note: None }, t0()).request;
        let first = step(&r, &operator(), approval(&r, "300", "2500", t0()), t0()).request;
        let old = first.quotes[0].id;
        let Action::Quote(decision) = approval(&first, "250", "1875", t0()) else { unreachable!() };
        let t1 = t0() + Duration::minutes(5);
        let second = step(&first, &operator(), Action::Requote(decision), t1).request;
        assert_eq!(second.quotes.len(), 2);
        assert_eq!(second.quotes[1].number, 2);
        let new = second.quotes[1].id;
        assert_ne!(old, new);
        assert_eq!(second.quote_standing(old, t1), Some(QuoteStanding::Superseded));
        assert_eq!(second.quote_standing(new, t1), Some(QuoteStanding::Open));

        let refused = apply(&second, &admin(), Action::Confirm { quote: old }, t1).unwrap_err();
        let ActionRefused::Refused(refused) = refused else { panic!("expected a refused transition, got {refused:?}") };
        assert_eq!(refused.reason, RefusalReason::QuoteSuperseded { quote: old, current: new });
        let confirmed = step(&second, &admin(), Action::Confirm { quote: new }, t1).request;
        assert_eq!(confirmed.acknowledgement.map(|a| (a.quote, a.monthly_cost_delta)), Some((new, thb("1875"))));
    }

    #[test]
    fn gsi_a_1_7_expired_quote_reads_expired_and_cannot_be_confirmed() {
        let r = step(&submitted("300"), &operator(), Action::StartReview { note: None }, t0()).request;
        let quoted = step(&r, &operator(), approval(&r, "300", "2500", t0()), t0()).request;
        let id = quoted.quotes[0].id;
        let until = t0() + Duration::days(7);
        assert_eq!(quoted.status_at(until - Duration::microseconds(1)), RequestStatus::Quoted);
        assert_eq!(quoted.status_at(until), RequestStatus::Expired);
        assert!(quoted.allowed_actions_at(until).is_empty());
        assert_eq!(quoted.quote_standing(id, until), Some(QuoteStanding::Expired));
        assert_eq!(quoted.summary().status_at(until), RequestStatus::Expired);
        let refused = apply(&quoted, &admin(), Action::Confirm { quote: id }, until).unwrap_err();
        let ActionRefused::Refused(refused) = refused else { panic!("expected a refused transition, got {refused:?}") };
        assert_eq!(refused.state, RequestStatus::Expired);
        assert_eq!(refused.reason.code(), "quote_expired");
    }

    #[test]
    fn gsi_a_1_wrong_party_at_each_step_is_forbidden_or_not_found() {
        let r = submitted("300");
        let outsider = actor(Role::AgencyAdmin, 2, "elsewhere");
        let agency_user = actor(Role::AgencyUser, AGENCY, "reader");
        assert_eq!(apply(&r, &outsider, Action::Withdraw { reason: None }, t0()), Err(ActionRefused::NotFound));
        assert_eq!(
            apply(&r, &admin(), Action::StartReview { note: None }, t0()),
            Err(ActionRefused::Forbidden { action: ActionKind::StartReview, required: Role::ProviderOperator })
        );
        assert_eq!(
            apply(&r, &agency_user, Action::Withdraw { reason: None }, t0()),
            Err(ActionRefused::Forbidden { action: ActionKind::Withdraw, required: Role::AgencyAdmin })
        );
        let r = step(&r, &operator(), Action::StartReview { note: None }, t0()).request;
        let r = step(&r, &operator(), approval(&r, "300", "2500", t0()), t0()).request;
        let id = r.quotes[0].id;
        assert_eq!(
            apply(&r, &operator(), Action::Confirm { quote: id }, t0()),
            Err(ActionRefused::Forbidden { action: ActionKind::Confirm, required: Role::AgencyAdmin })
        );
        let other_provider = actor(Role::ProviderOperator, 4, "rival");
        assert_eq!(apply(&r, &other_provider, Action::StartWork { note: None }, t0()), Err(ActionRefused::NotFound));
    }

    #[test]
    fn gsi_a_1_7_withdraw_before_confirmation_only() {
        let r = submitted("300");
        let a = step(&r, &admin(), Action::Withdraw { reason: Some(text("budget cut")) }, t0());
        assert_eq!(a.request.status, RequestStatus::Withdrawn);
        assert_eq!(a.request.closing_reason.as_ref().map(BoundedText::as_str), Some("budget cut"));
        assert_eq!(a.timeline.note.as_ref().map(BoundedText::as_str), Some("budget cut"));

        let r = step(&r, &operator(), Action::StartReview { note: None }, t0()).request;
        let r = step(&r, &operator(), approval(&r, "300", "2500", t0()), t0()).request;
        let id = r.quotes[0].id;
        let confirmed = step(&r, &admin(), Action::Confirm { quote: id }, t0()).request;
        let refused = apply(&confirmed, &admin(), Action::Withdraw { reason: None }, t0()).unwrap_err();
        assert_eq!(
            refused,
            ActionRefused::Refused(TransitionRefused {
                state: RequestStatus::Confirmed,
                action: ActionKind::Withdraw,
                allowed: vec![ActionKind::StartWork],
                reason: RefusalReason::NotAllowedInState,
            })
        );
    }

    #[test]
    fn gsi_a_1_6_rejection_ends_the_request_with_its_reason() {
        let r = step(&submitted("300"), &operator(), Action::StartReview { note: None }, t0()).request;
        let rejection = QuoteDecision::Rejected { reason: text("the site has no second fibre") };
        let a = step(&r, &operator(), Action::Quote(rejection), t0());
        assert_eq!(a.request.status, RequestStatus::Rejected);
        assert_eq!(a.timeline.note.as_ref().map(BoundedText::as_str), Some("the site has no second fibre"));
        let id = a.request.quotes[0].id;
        assert_eq!(a.request.quote_standing(id, t0()), Some(QuoteStanding::Rejection));
        assert_eq!(completion_effect(&a.request, t0()), None);
    }

    #[test]
    fn gsi_7_5_7_cancellation_terminates_at_the_agreed_date() {
        let draft = ServiceRequestDraft {
            kind: "cancel".into(),
            subscription_id: Some(SUBSCRIPTION.into()),
            ..ServiceRequestDraft::default()
        };
        let parsed = NewServiceRequest::parse(&draft, t0()).unwrap();
        let preview = preview(&parsed.payload, &internet_basis()).unwrap();
        assert_eq!(preview.monthly_cost_delta, thb("-1250"));
        let facts = SubmissionFacts {
            provider_listed: false,
            subscription_agency: Some(org(AGENCY)),
            requests_on_subscription: &[],
        };
        let r = submit(&admin(), Uuid::from_u128(101).into(), org(PROVIDER), parsed, preview, &facts, t0())
            .unwrap()
            .request;
        let r = step(&r, &operator(), Action::StartReview { note: None }, t0()).request;
        let end = t0() + Duration::days(31);
        let terms = ApprovedTerms {
            confirmed_quantities: Quantities::new(),
            monthly_cost_delta: thb("-1250"),
            one_off_charge: thb("3000"),
            valid_until: t0() + Duration::days(7),
            effective_at: Some(end),
            note: Some(text("early termination: 3,000 THB")),
        };
        let r = step(&r, &operator(), Action::Quote(QuoteDecision::Approved(terms)), t0()).request;
        let id = r.quotes[0].id;
        let r = step(&r, &admin(), Action::Confirm { quote: id }, t0()).request;
        assert_eq!(accepted_costs(&r), Some((thb("-1250"), thb("3000"))));
        let r = step(&r, &operator(), Action::StartWork { note: None }, t0()).request;
        let done = t0() + Duration::days(1);
        let r = step(&r, &operator(), Action::Complete { note: None }, done).request;
        assert_eq!(
            completion_effect(&r, done),
            Some(CompletionEffect::Terminate { subscription: SUBSCRIPTION.parse().unwrap(), at: end })
        );
    }

    #[test]
    fn gsi_a_1_8_failure_records_its_reason() {
        let r = step(&submitted("300"), &operator(), Action::StartReview { note: None }, t0()).request;
        let r = step(&r, &operator(), approval(&r, "300", "2500", t0()), t0()).request;
        let id = r.quotes[0].id;
        let r = step(&r, &admin(), Action::Confirm { quote: id }, t0()).request;
        let r = step(&r, &operator(), Action::StartWork { note: None }, t0()).request;
        let a = step(&r, &operator(), Action::Fail { reason: text("router failed") }, t0());
        assert_eq!(a.request.status, RequestStatus::Failed);
        assert_eq!(a.request.closing_reason.as_ref().map(BoundedText::as_str), Some("router failed"));
        assert_eq!(completion_effect(&a.request, t0()), None);
        assert_eq!(a.request.quote_standing(id, t0()), Some(QuoteStanding::Accepted));
    }

    #[test]
    fn gsi_a_1_4_submission_is_refused_while_another_is_open() {
        let open = submitted("300");
        let draft = ServiceRequestDraft {
            kind: "change".into(),
            subscription_id: Some(SUBSCRIPTION.into()),
            quantities: BTreeMap::from([("mbps_month".into(), "200".into())]),
            ..ServiceRequestDraft::default()
        };
        let parsed = NewServiceRequest::parse(&draft, t0()).unwrap();
        let preview = preview(&parsed.payload, &internet_basis()).unwrap();
        let summaries = [open.summary()];
        let facts = SubmissionFacts {
            provider_listed: true,
            subscription_agency: Some(org(AGENCY)),
            requests_on_subscription: &summaries,
        };
        let refused =
            submit(&admin(), Uuid::from_u128(102).into(), org(PROVIDER), parsed, preview, &facts, t0()).unwrap_err();
        let SubmissionRefused::OpenRequestExists(exists) = refused else {
            panic!("expected an open request, got {refused:?}")
        };
        assert_eq!(exists.open, open.id);
        assert_eq!(exists.status, RequestStatus::Submitted);
    }

    #[test]
    fn submission_leaves_the_first_timeline_entry() {
        let draft = ServiceRequestDraft {
            kind: "change".into(),
            subscription_id: Some(SUBSCRIPTION.into()),
            quantities: BTreeMap::from([("mbps_month".into(), "200".into())]),
            note: Some("new e-service launch".into()),
            ..ServiceRequestDraft::default()
        };
        let parsed = NewServiceRequest::parse(&draft, t0()).unwrap();
        let preview = preview(&parsed.payload, &internet_basis()).unwrap();
        let facts = SubmissionFacts {
            provider_listed: true,
            subscription_agency: Some(org(AGENCY)),
            requests_on_subscription: &[],
        };
        let at = t0() + Duration::nanoseconds(1_500);
        let applied =
            submit(&admin(), Uuid::from_u128(103).into(), org(PROVIDER), parsed, preview, &facts, at).unwrap();
        assert_eq!(applied.timeline.action, ActionKind::Submit);
        assert_eq!(applied.timeline.from, None);
        assert_eq!(applied.timeline.to, RequestStatus::Submitted);
        assert_eq!(applied.timeline.at, t0() + Duration::microseconds(1), "stored to the microsecond");
        assert_eq!(applied.request.agency, org(AGENCY));
        assert_eq!(applied.request.submitted_by, admin().subject);
        assert_eq!(applied.request.note.as_ref().map(BoundedText::as_str), Some("new e-service launch"));
    }
}
