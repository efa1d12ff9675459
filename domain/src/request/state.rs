//! The Appendix A lifecycle as one state machine (GSI-A.1.4–A.1.8).
//!
//! ```text
//! (submit) → submitted ─start_review→ under_review ─quote→ quoted ─confirm→ confirmed
//!               │                        │      └─quote (rejected)→ rejected   │
//!               │                        │               quoted ─requote→ quoted|rejected
//!               │                        │               quoted ─decline→ declined
//!               └──────── withdraw ──────┴──────── quoted ─withdraw→ withdrawn
//!               quoted, once now ≥ valid_until, reads as expired (computed, not stored)
//! confirmed ─start_work→ in_progress ─report_progress→ in_progress ─complete→ completed
//!                                                                  ─fail→ failed
//! ```
//!
//! There is no draft status: a preview is computed, not stored, and submitting creates the
//! request in `submitted` (see `lifecycle::submit`). `submit` is therefore an action of the
//! vocabulary (it appears on the timeline) that no existing request accepts.

use std::fmt;

use chrono::{DateTime, Utc};

use super::QuoteId;
use super::quote::{Quote, QuoteDecision};
use super::timeline::{Percent, ProgressReport};
use crate::role::Role;
use crate::service::vocabulary;
use crate::text::BoundedText;

vocabulary!(
    /// Where a request stands.
    RequestStatus, "request status" {
        /// GSI-A.1.4: sent to the provider.
        Submitted => "submitted",
        /// GSI-A.1.5: the provider is checking resources and cost.
        UnderReview => "under_review",
        /// GSI-A.1.6: an approved quote waits for the agency.
        Quoted => "quoted",
        /// GSI-A.1.6: the provider said no, with a reason.
        Rejected => "rejected",
        /// GSI-A.1.7: the agency accepted the quote.
        Confirmed => "confirmed",
        /// The agency turned the quote down.
        Declined => "declined",
        /// The quote's validity passed before the agency answered. Never stored.
        Expired => "expired",
        /// The agency withdrew the request before confirming.
        Withdrawn => "withdrawn",
        /// GSI-A.1.8: the provider is carrying out the work.
        InProgress => "in_progress",
        /// GSI-A.1.8: done; the change applies.
        Completed => "completed",
        /// GSI-A.1.8: the work could not be done, with a reason.
        Failed => "failed",
    }
);

impl RequestStatus {
    /// Nothing more can happen to the request.
    pub const fn is_terminal(self) -> bool {
        match self {
            RequestStatus::Rejected
            | RequestStatus::Declined
            | RequestStatus::Expired
            | RequestStatus::Withdrawn
            | RequestStatus::Completed
            | RequestStatus::Failed => true,
            RequestStatus::Submitted
            | RequestStatus::UnderReview
            | RequestStatus::Quoted
            | RequestStatus::Confirmed
            | RequestStatus::InProgress => false,
        }
    }

    pub const fn is_open(self) -> bool {
        !self.is_terminal()
    }
}

vocabulary!(
    /// What a party can do to a request.
    ActionKind, "request action" {
        Submit => "submit",
        StartReview => "start_review",
        Quote => "quote",
        Requote => "requote",
        Confirm => "confirm",
        Decline => "decline",
        Withdraw => "withdraw",
        StartWork => "start_work",
        ReportProgress => "report_progress",
        Complete => "complete",
        Fail => "fail",
    }
);

impl ActionKind {
    /// The role that performs the action: the agency's admins decide for the agency
    /// (GSI-7.5.5–7.5.7, A.1.4, A.1.7); the provider's operators do the rest (A.1.5–A.1.8).
    pub const fn performed_by(self) -> Role {
        match self {
            ActionKind::Submit | ActionKind::Confirm | ActionKind::Decline | ActionKind::Withdraw => Role::AgencyAdmin,
            ActionKind::StartReview
            | ActionKind::Quote
            | ActionKind::Requote
            | ActionKind::StartWork
            | ActionKind::ReportProgress
            | ActionKind::Complete
            | ActionKind::Fail => Role::ProviderOperator,
        }
    }
}

/// A parsed action on an existing request, with what it carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    StartReview {
        note: Option<BoundedText>,
    },
    /// The first answer after review.
    Quote(QuoteDecision),
    /// A new answer that supersedes the current quote (which is kept).
    Requote(QuoteDecision),
    /// Accepts the quote named, which must be the current one and still valid.
    Confirm {
        quote: QuoteId,
    },
    Decline {
        reason: Option<BoundedText>,
    },
    Withdraw {
        reason: Option<BoundedText>,
    },
    StartWork {
        note: Option<BoundedText>,
    },
    ReportProgress(ProgressReport),
    Complete {
        note: Option<BoundedText>,
    },
    Fail {
        reason: BoundedText,
    },
}

impl Action {
    pub fn kind(&self) -> ActionKind {
        match self {
            Action::StartReview { .. } => ActionKind::StartReview,
            Action::Quote(_) => ActionKind::Quote,
            Action::Requote(_) => ActionKind::Requote,
            Action::Confirm { .. } => ActionKind::Confirm,
            Action::Decline { .. } => ActionKind::Decline,
            Action::Withdraw { .. } => ActionKind::Withdraw,
            Action::StartWork { .. } => ActionKind::StartWork,
            Action::ReportProgress(_) => ActionKind::ReportProgress,
            Action::Complete { .. } => ActionKind::Complete,
            Action::Fail { .. } => ActionKind::Fail,
        }
    }

    /// The text that goes on the timeline with this step.
    pub fn note(&self) -> Option<&BoundedText> {
        match self {
            Action::StartReview { note } | Action::StartWork { note } | Action::Complete { note } => note.as_ref(),
            Action::Decline { reason } | Action::Withdraw { reason } => reason.as_ref(),
            Action::Fail { reason } => Some(reason),
            Action::ReportProgress(report) => Some(&report.note),
            Action::Quote(decision) | Action::Requote(decision) => match decision {
                QuoteDecision::Approved(terms) => terms.note.as_ref(),
                QuoteDecision::Rejected { reason } => Some(reason),
            },
            Action::Confirm { .. } => None,
        }
    }
}

/// What a transition needs to know besides the status.
#[derive(Debug, Clone, Copy)]
pub struct TransitionContext<'a> {
    /// Every quote of the request, oldest first; the last one is current.
    pub quotes: &'a [Quote],
    /// The percentage of the latest progress report, if any.
    pub last_progress: Option<Percent>,
    pub now: DateTime<Utc>,
}

/// Why a transition was refused. Callers answer 409 with the code, the current status and
/// the allowed actions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusalReason {
    /// The action does not apply in the current status.
    NotAllowedInState,
    /// GSI-A.1.7: the quote named is past its validity.
    QuoteExpired { quote: QuoteId, valid_until: DateTime<Utc> },
    /// GSI-A.1.7: the quote named was replaced by a later one.
    QuoteSuperseded { quote: QuoteId, current: QuoteId },
    /// The quote named is not a quote of this request.
    UnknownQuote { quote: QuoteId },
    /// GSI-A.1.8: progress reports do not go backwards.
    ProgressBackwards { last: Percent, reported: Percent },
}

impl RefusalReason {
    /// A stable machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            RefusalReason::NotAllowedInState => "not_allowed_in_state",
            RefusalReason::QuoteExpired { .. } => "quote_expired",
            RefusalReason::QuoteSuperseded { .. } => "quote_superseded",
            RefusalReason::UnknownQuote { .. } => "unknown_quote",
            RefusalReason::ProgressBackwards { .. } => "progress_backwards",
        }
    }
}

/// A refused transition: names the current status and the actions allowed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRefused {
    pub state: RequestStatus,
    pub action: ActionKind,
    pub allowed: Vec<ActionKind>,
    pub reason: RefusalReason,
}

impl fmt::Display for TransitionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.reason {
            RefusalReason::NotAllowedInState => {
                write!(f, "cannot {} a request that is {}", self.action, self.state)?;
            }
            RefusalReason::QuoteExpired { quote, valid_until } => {
                write!(f, "quote {quote} expired at {valid_until}")?;
            }
            RefusalReason::QuoteSuperseded { quote, current } => {
                write!(f, "quote {quote} was superseded by quote {current}")?;
            }
            RefusalReason::UnknownQuote { quote } => {
                write!(f, "quote {quote} is not a quote of this request")?;
            }
            RefusalReason::ProgressBackwards { last, reported } => {
                write!(f, "progress cannot go back from {last} to {reported}")?;
            }
        }
        let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
        if allowed.is_empty() {
            write!(f, "; the request is {} and nothing more can be done", self.state)
        } else {
            write!(f, "; the request is {}, allowed now: {}", self.state, allowed.join(", "))
        }
    }
}

impl std::error::Error for TransitionRefused {}

/// The actions the machine accepts in `state`, whoever asks.
pub fn allowed_actions(state: RequestStatus) -> Vec<ActionKind> {
    use ActionKind as K;
    match state {
        RequestStatus::Submitted => vec![K::StartReview, K::Withdraw],
        RequestStatus::UnderReview => vec![K::Quote, K::Withdraw],
        RequestStatus::Quoted => vec![K::Requote, K::Confirm, K::Decline, K::Withdraw],
        RequestStatus::Confirmed => vec![K::StartWork],
        RequestStatus::InProgress => vec![K::ReportProgress, K::Complete, K::Fail],
        RequestStatus::Rejected
        | RequestStatus::Declined
        | RequestStatus::Expired
        | RequestStatus::Withdrawn
        | RequestStatus::Completed
        | RequestStatus::Failed => vec![],
    }
}

/// The status a request reads as at `now`: `quoted` turns into `expired` once
/// `now ≥ valid_until` of the current quote. Computed on every read rather than stored, so
/// no clock job is needed and no reader ever sees a stale `quoted`.
pub fn effective_status(
    stored: RequestStatus,
    current_quote_valid_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> RequestStatus {
    let past_validity = current_quote_valid_until.is_some_and(|until| now >= until);
    if stored == RequestStatus::Quoted && past_validity { RequestStatus::Expired } else { stored }
}

/// The one transition function (GSI-A.1.4–A.1.8). `state` may be the stored status: an
/// expired quote is taken into account here. Who may act is decided by `party::may_act`.
pub fn transition(
    state: RequestStatus,
    action: &Action,
    context: &TransitionContext<'_>,
) -> Result<RequestStatus, TransitionRefused> {
    use Action as A;
    use RequestStatus as S;
    let current = context.quotes.last();
    let state = effective_status(state, current.and_then(Quote::valid_until), context.now);
    let refuse = |reason| TransitionRefused { state, action: action.kind(), allowed: allowed_actions(state), reason };
    let not_allowed = || Err(refuse(RefusalReason::NotAllowedInState));

    match (state, action) {
        (S::Submitted, A::StartReview { .. }) => Ok(S::UnderReview),
        (S::Submitted, A::Withdraw { .. }) => Ok(S::Withdrawn),
        (
            S::Submitted,
            A::Quote(_)
            | A::Requote(_)
            | A::Confirm { .. }
            | A::Decline { .. }
            | A::StartWork { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),

        (S::UnderReview, A::Quote(decision)) => Ok(status_after_quote(decision)),
        (S::UnderReview, A::Withdraw { .. }) => Ok(S::Withdrawn),
        (
            S::UnderReview,
            A::StartReview { .. }
            | A::Requote(_)
            | A::Confirm { .. }
            | A::Decline { .. }
            | A::StartWork { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),

        (S::Quoted, A::Requote(decision)) => Ok(status_after_quote(decision)),
        (S::Quoted, A::Confirm { quote }) => match check_quote(context, *quote) {
            None => Ok(S::Confirmed),
            Some(reason) => Err(refuse(reason)),
        },
        (S::Quoted, A::Decline { .. }) => Ok(S::Declined),
        (S::Quoted, A::Withdraw { .. }) => Ok(S::Withdrawn),
        (
            S::Quoted,
            A::StartReview { .. }
            | A::Quote(_)
            | A::StartWork { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),

        // Say precisely why an expired (or superseded) quote cannot be confirmed.
        (S::Expired, A::Confirm { quote }) => {
            Err(refuse(check_quote(context, *quote).unwrap_or(RefusalReason::NotAllowedInState)))
        }
        (
            S::Expired,
            A::StartReview { .. }
            | A::Quote(_)
            | A::Requote(_)
            | A::Decline { .. }
            | A::Withdraw { .. }
            | A::StartWork { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),

        (S::Confirmed, A::StartWork { .. }) => Ok(S::InProgress),
        // Withdrawing is refused here: once confirmed, the agency has accepted the cost.
        (
            S::Confirmed,
            A::StartReview { .. }
            | A::Quote(_)
            | A::Requote(_)
            | A::Confirm { .. }
            | A::Decline { .. }
            | A::Withdraw { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),

        (S::InProgress, A::ReportProgress(report)) => match context.last_progress {
            Some(last) if report.percent < last => {
                Err(refuse(RefusalReason::ProgressBackwards { last, reported: report.percent }))
            }
            Some(_) | None => Ok(S::InProgress),
        },
        (S::InProgress, A::Complete { .. }) => Ok(S::Completed),
        (S::InProgress, A::Fail { .. }) => Ok(S::Failed),
        (
            S::InProgress,
            A::StartReview { .. }
            | A::Quote(_)
            | A::Requote(_)
            | A::Confirm { .. }
            | A::Decline { .. }
            | A::Withdraw { .. }
            | A::StartWork { .. },
        ) => not_allowed(),

        (
            S::Rejected | S::Declined | S::Withdrawn | S::Completed | S::Failed,
            A::StartReview { .. }
            | A::Quote(_)
            | A::Requote(_)
            | A::Confirm { .. }
            | A::Decline { .. }
            | A::Withdraw { .. }
            | A::StartWork { .. }
            | A::ReportProgress(_)
            | A::Complete { .. }
            | A::Fail { .. },
        ) => not_allowed(),
    }
}

fn status_after_quote(decision: &QuoteDecision) -> RequestStatus {
    match decision {
        QuoteDecision::Approved(_) => RequestStatus::Quoted,
        QuoteDecision::Rejected { .. } => RequestStatus::Rejected,
    }
}

/// Why the quote named cannot be confirmed now, or `None` when it can: it must be this
/// request's current quote, an approval, and still valid.
fn check_quote(context: &TransitionContext<'_>, named: QuoteId) -> Option<RefusalReason> {
    let Some(current) = context.quotes.last() else {
        return Some(RefusalReason::UnknownQuote { quote: named });
    };
    if current.id != named {
        return Some(if context.quotes.iter().any(|q| q.id == named) {
            RefusalReason::QuoteSuperseded { quote: named, current: current.id }
        } else {
            RefusalReason::UnknownQuote { quote: named }
        });
    }
    match current.valid_until() {
        None => Some(RefusalReason::NotAllowedInState),
        Some(valid_until) if context.now >= valid_until => {
            Some(RefusalReason::QuoteExpired { quote: named, valid_until })
        }
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::request::Quantities;
    use crate::request::quote::ApprovedTerms;
    use crate::role::Subject;
    use chrono::{Duration, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    fn text(s: &str) -> BoundedText {
        BoundedText::parse("t", s, 100).unwrap()
    }

    fn approved(valid_until: DateTime<Utc>) -> QuoteDecision {
        QuoteDecision::Approved(ApprovedTerms {
            confirmed_quantities: Quantities::new(),
            monthly_cost_delta: Money::from_satang(250_000),
            one_off_charge: Money::ZERO,
            valid_until,
            effective_at: None,
            note: None,
        })
    }

    fn rejected() -> QuoteDecision {
        QuoteDecision::Rejected { reason: text("no capacity") }
    }

    fn quote(n: u128, decision: QuoteDecision) -> Quote {
        Quote {
            id: uuid::Uuid::from_u128(n).into(),
            number: u32::try_from(n).unwrap(),
            issued_at: now(),
            issued_by: Subject::parse("operator").unwrap(),
            decision,
        }
    }

    fn qid(n: u128) -> QuoteId {
        uuid::Uuid::from_u128(n).into()
    }

    fn progress(percent: i64) -> Action {
        Action::ReportProgress(ProgressReport { percent: Percent::parse("p", percent).unwrap(), note: text("working") })
    }

    /// One of each action, with the two quote outcomes separately, in table column order.
    fn every_action() -> Vec<(&'static str, Action)> {
        let until = now() + Duration::days(7);
        vec![
            ("start_review", Action::StartReview { note: None }),
            ("quote approved", Action::Quote(approved(until))),
            ("quote rejected", Action::Quote(rejected())),
            ("requote approved", Action::Requote(approved(until))),
            ("requote rejected", Action::Requote(rejected())),
            ("confirm", Action::Confirm { quote: qid(1) }),
            ("decline", Action::Decline { reason: None }),
            ("withdraw", Action::Withdraw { reason: None }),
            ("start_work", Action::StartWork { note: None }),
            ("report_progress", progress(10)),
            ("complete", Action::Complete { note: None }),
            ("fail", Action::Fail { reason: text("fibre cut") }),
        ]
    }

    #[test]
    fn gsi_a_1_full_transition_table() {
        use RequestStatus as S;
        const NO: Option<RequestStatus> = None;
        // columns: start_review, quote ok, quote rejected, requote ok, requote rejected,
        //          confirm, decline, withdraw, start_work, report_progress, complete, fail
        let table: [(RequestStatus, [Option<RequestStatus>; 12]); 11] = [
            (S::Submitted, [Some(S::UnderReview), NO, NO, NO, NO, NO, NO, Some(S::Withdrawn), NO, NO, NO, NO]),
            (
                S::UnderReview,
                [NO, Some(S::Quoted), Some(S::Rejected), NO, NO, NO, NO, Some(S::Withdrawn), NO, NO, NO, NO],
            ),
            (
                S::Quoted,
                [
                    NO,
                    NO,
                    NO,
                    Some(S::Quoted),
                    Some(S::Rejected),
                    Some(S::Confirmed),
                    Some(S::Declined),
                    Some(S::Withdrawn),
                    NO,
                    NO,
                    NO,
                    NO,
                ],
            ),
            (S::Rejected, [NO; 12]),
            (S::Confirmed, [NO, NO, NO, NO, NO, NO, NO, NO, Some(S::InProgress), NO, NO, NO]),
            (S::Declined, [NO; 12]),
            (S::Expired, [NO; 12]),
            (S::Withdrawn, [NO; 12]),
            (
                S::InProgress,
                [NO, NO, NO, NO, NO, NO, NO, NO, NO, Some(S::InProgress), Some(S::Completed), Some(S::Failed)],
            ),
            (S::Completed, [NO; 12]),
            (S::Failed, [NO; 12]),
        ];
        assert_eq!(
            table.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            RequestStatus::ALL,
            "the table covers every status"
        );
        let quotes = [quote(1, approved(now() + Duration::days(7)))];
        let context = TransitionContext { quotes: &quotes, last_progress: None, now: now() };
        for (state, row) in table {
            for ((label, action), expected) in every_action().iter().zip(row) {
                let result = transition(state, action, &context);
                match (expected, result) {
                    (Some(next), Ok(got)) => assert_eq!(got, next, "{state} × {label}"),
                    (None, Err(refused)) => {
                        assert_eq!(refused.state, state, "{state} × {label}");
                        assert_eq!(refused.action, action.kind());
                        assert_eq!(refused.allowed, allowed_actions(state));
                        assert!(
                            !refused.allowed.contains(&action.kind()),
                            "{state} × {label}: refused although listed as allowed"
                        );
                    }
                    (expected, got) => {
                        panic!("{state} × {label}: expected {expected:?}, got {got:?}")
                    }
                }
            }
        }
    }

    #[test]
    fn allowed_actions_agree_with_the_table_and_terminal_states_allow_nothing() {
        let quotes = [quote(1, approved(now() + Duration::days(7)))];
        let context = TransitionContext { quotes: &quotes, last_progress: None, now: now() };
        for state in RequestStatus::ALL {
            let mut accepted: Vec<ActionKind> = every_action()
                .iter()
                .filter(|(_, a)| transition(*state, a, &context).is_ok())
                .map(|(_, a)| a.kind())
                .collect();
            accepted.dedup();
            assert_eq!(accepted, allowed_actions(*state), "{state}");
            assert_eq!(state.is_terminal(), allowed_actions(*state).is_empty());
            assert!(!allowed_actions(*state).contains(&ActionKind::Submit));
        }
    }

    #[test]
    fn gsi_a_1_7_quote_expires_exactly_at_valid_until() {
        let until = now() + Duration::days(3);
        let quotes = [quote(1, approved(until))];
        let at = |t| TransitionContext { quotes: &quotes, last_progress: None, now: t };
        let confirm = Action::Confirm { quote: qid(1) };
        let last_moment = until - Duration::microseconds(1);
        assert_eq!(transition(RequestStatus::Quoted, &confirm, &at(last_moment)), Ok(RequestStatus::Confirmed));
        let refused = transition(RequestStatus::Quoted, &confirm, &at(until)).unwrap_err();
        assert_eq!(refused.state, RequestStatus::Expired);
        assert_eq!(refused.reason, RefusalReason::QuoteExpired { quote: qid(1), valid_until: until });
        assert!(refused.allowed.is_empty());
        assert_eq!(effective_status(RequestStatus::Quoted, Some(until), last_moment), RequestStatus::Quoted);
        assert_eq!(effective_status(RequestStatus::Quoted, Some(until), until), RequestStatus::Expired);
        // only a quoted request expires
        assert_eq!(effective_status(RequestStatus::Confirmed, Some(until), until), RequestStatus::Confirmed);
        // an expired request can no longer be withdrawn or declined either
        let decline = Action::Decline { reason: None };
        assert_eq!(
            transition(RequestStatus::Quoted, &decline, &at(until)).unwrap_err().reason,
            RefusalReason::NotAllowedInState
        );
    }

    #[test]
    fn gsi_a_1_7_superseded_or_foreign_quotes_cannot_be_confirmed() {
        let until = now() + Duration::days(7);
        let quotes = [quote(1, approved(until)), quote(2, approved(until))];
        let context = TransitionContext { quotes: &quotes, last_progress: None, now: now() };
        let refused = transition(RequestStatus::Quoted, &Action::Confirm { quote: qid(1) }, &context).unwrap_err();
        assert_eq!(refused.reason, RefusalReason::QuoteSuperseded { quote: qid(1), current: qid(2) });
        assert_eq!(refused.reason.code(), "quote_superseded");
        assert_eq!(
            refused.to_string(),
            format!(
                "quote {} was superseded by quote {}; the request is quoted, allowed now: requote, confirm, decline, withdraw",
                qid(1),
                qid(2)
            )
        );
        let refused = transition(RequestStatus::Quoted, &Action::Confirm { quote: qid(9) }, &context).unwrap_err();
        assert_eq!(refused.reason, RefusalReason::UnknownQuote { quote: qid(9) });
        assert_eq!(
            transition(RequestStatus::Quoted, &Action::Confirm { quote: qid(2) }, &context),
            Ok(RequestStatus::Confirmed)
        );
    }

    #[test]
    fn gsi_a_1_7_superseded_quote_of_an_expired_request_says_superseded() {
        let quotes = [quote(1, approved(now() + Duration::days(9))), quote(2, approved(now() - Duration::days(1)))];
        let context = TransitionContext { quotes: &quotes, last_progress: None, now: now() };
        let refused = transition(RequestStatus::Quoted, &Action::Confirm { quote: qid(1) }, &context).unwrap_err();
        assert_eq!(refused.state, RequestStatus::Expired);
        assert_eq!(refused.reason.code(), "quote_superseded");
    }

    #[test]
    fn gsi_a_1_7_withdraw_after_confirm_is_refused_naming_state_and_allowed() {
        let context = TransitionContext { quotes: &[], last_progress: None, now: now() };
        let refused = transition(RequestStatus::Confirmed, &Action::Withdraw { reason: None }, &context).unwrap_err();
        assert_eq!(refused.state, RequestStatus::Confirmed);
        assert_eq!(refused.allowed, [ActionKind::StartWork]);
        assert_eq!(refused.reason.code(), "not_allowed_in_state");
        assert_eq!(
            refused.to_string(),
            "cannot withdraw a request that is confirmed; the request is confirmed, allowed now: start_work"
        );
        let refused = transition(RequestStatus::Completed, &Action::Withdraw { reason: None }, &context).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "cannot withdraw a request that is completed; the request is completed and nothing more can be done"
        );
    }

    #[test]
    fn gsi_a_1_8_progress_never_goes_backwards() {
        let at = |last| TransitionContext {
            quotes: &[],
            last_progress: Some(Percent::parse("p", last).unwrap()),
            now: now(),
        };
        assert_eq!(
            transition(RequestStatus::InProgress, &progress(40), &at(40)),
            Ok(RequestStatus::InProgress),
            "the same percentage with a new note is fine"
        );
        assert_eq!(transition(RequestStatus::InProgress, &progress(100), &at(40)), Ok(RequestStatus::InProgress));
        let refused = transition(RequestStatus::InProgress, &progress(39), &at(40)).unwrap_err();
        assert_eq!(refused.reason.code(), "progress_backwards");
        assert_eq!(refused.allowed, [ActionKind::ReportProgress, ActionKind::Complete, ActionKind::Fail]);
    }

    #[test]
    fn roles_that_perform_each_action() {
        assert_eq!(ActionKind::Confirm.performed_by(), Role::AgencyAdmin);
        assert_eq!(ActionKind::Withdraw.performed_by(), Role::AgencyAdmin);
        assert_eq!(ActionKind::Requote.performed_by(), Role::ProviderOperator);
        assert_eq!(ActionKind::Fail.performed_by(), Role::ProviderOperator);
    }

    #[test]
    fn notes_travel_with_their_action() {
        assert_eq!(Action::Fail { reason: text("fibre cut") }.note().map(BoundedText::as_str), Some("fibre cut"));
        assert_eq!(Action::Quote(rejected()).note().map(BoundedText::as_str), Some("no capacity"));
        assert_eq!(Action::Confirm { quote: qid(1) }.note(), None);
    }
}
