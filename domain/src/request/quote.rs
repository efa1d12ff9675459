//! The provider's answer to a request (GSI-A.1.6) and the agency's acknowledgement of it
//! (GSI-A.1.7).
//!
//! Validity: an approved quote is valid while `now < valid_until`; at `valid_until` it has
//! expired. The instant is exclusive, like the end of a month in `calendar`, so "valid until
//! 1 January 00:00" means it can be confirmed up to the last moment of 31 December.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::kind::{RequestPayload, parse_quantities};
use super::{NOTE_MAX, Quantities, QuoteId};
use crate::ids::OrganisationId;
use crate::money::Money;
use crate::role::Subject;
use crate::service::vocabulary;
use crate::text::BoundedText;
use crate::time::to_storage_precision;
use crate::validation::ValidationErrors;

/// The longest a quote may stay open: prices and capacity move, so an agency confirms
/// within a quarter or asks again.
pub const MAX_QUOTE_VALIDITY_DAYS: i64 = 90;

vocabulary!(
    /// GSI-A.1.6: the outcome of the provider's check.
    QuoteOutcome, "quote outcome" {
        Approved => "approved",
        Rejected => "rejected",
    }
);

/// What an approved quote offers, which the agency accepts as a whole (GSI-A.1.6–A.1.7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedTerms {
    /// The sizes the provider will deliver, for exactly the resources requested (possibly
    /// less than asked when capacity is short); empty for cancellations.
    pub confirmed_quantities: Quantities,
    /// The cost increase (positive) or decrease (negative) per month.
    pub monthly_cost_delta: Money,
    /// A charge made once (set-up, early termination); zero when none.
    pub one_off_charge: Money,
    /// Exclusive: the quote can be confirmed while `now < valid_until`.
    pub valid_until: DateTime<Utc>,
    /// For cancellations, the agreed end instant; `None`: when the work is completed.
    pub effective_at: Option<DateTime<Utc>>,
    pub note: Option<BoundedText>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteDecision {
    Approved(ApprovedTerms),
    /// A rejection always says why.
    Rejected {
        reason: BoundedText,
    },
}

impl QuoteDecision {
    pub fn outcome(&self) -> QuoteOutcome {
        match self {
            QuoteDecision::Approved(_) => QuoteOutcome::Approved,
            QuoteDecision::Rejected { .. } => QuoteOutcome::Rejected,
        }
    }

    pub fn approved(&self) -> Option<&ApprovedTerms> {
        match self {
            QuoteDecision::Approved(terms) => Some(terms),
            QuoteDecision::Rejected { .. } => None,
        }
    }

    /// Parses the provider's answer against the request it answers; every failing field is
    /// reported. Rules: an approval gives the confirmed quantities for exactly the requested
    /// resources (none for a cancellation), the monthly cost delta, a one-off charge that is
    /// not negative (zero when absent), `valid_until` after `now` and at most
    /// [`MAX_QUOTE_VALIDITY_DAYS`] ahead, and an `effective_at` only for cancellations, not
    /// in the past. A rejection gives its reason in `note` and none of the approval fields.
    pub fn parse(draft: &QuoteDraft, request: &RequestPayload, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let outcome = match draft.outcome.parse::<QuoteOutcome>() {
            Ok(outcome) => Some(outcome),
            Err(e) => {
                errors.add("outcome", "invalid_choice", e.to_string());
                None
            }
        };
        let note = errors.collect(BoundedText::parse_optional("note", draft.note.as_deref(), NOTE_MAX));
        match outcome {
            None => Err(errors),
            Some(QuoteOutcome::Rejected) => {
                let approval_fields = [
                    ("confirmed_quantities", !draft.confirmed_quantities.is_empty()),
                    ("monthly_cost_delta", draft.monthly_cost_delta.is_some()),
                    ("one_off_charge", draft.one_off_charge.is_some()),
                    ("valid_until", draft.valid_until.is_some()),
                    ("effective_at", draft.effective_at.is_some()),
                ];
                for (field, given) in approval_fields {
                    if given {
                        errors.add(field, "not_allowed", "a rejection offers no terms");
                    }
                }
                if draft.note.is_none() {
                    errors.add("note", "required", "a rejection must give its reason");
                }
                errors.finish(|| Some(QuoteDecision::Rejected { reason: note?? }))
            }
            Some(QuoteOutcome::Approved) => {
                let terms = parse_terms(draft, request, now, &mut errors);
                errors.finish(|| {
                    let (confirmed_quantities, monthly_cost_delta, one_off_charge, valid_until) = terms?;
                    Some(QuoteDecision::Approved(ApprovedTerms {
                        confirmed_quantities,
                        monthly_cost_delta,
                        one_off_charge,
                        valid_until,
                        effective_at: draft.effective_at.map(to_storage_precision),
                        note: note?,
                    }))
                })
            }
        }
    }
}

type ParsedTerms = (Quantities, Money, Money, DateTime<Utc>);

fn parse_terms(
    draft: &QuoteDraft,
    request: &RequestPayload,
    now: DateTime<Utc>,
    errors: &mut ValidationErrors,
) -> Option<ParsedTerms> {
    let quantities = errors.collect(parse_quantities("confirmed_quantities", &draft.confirmed_quantities));
    if let Some(confirmed) = &quantities {
        let requested = request.named_quantities();
        for metric in requested.keys().filter(|m| !confirmed.contains_key(m)) {
            errors.add(
                "confirmed_quantities",
                "missing_resource",
                format!("confirm a quantity for {metric}, which was requested"),
            );
        }
        for metric in confirmed.keys().filter(|m| !requested.contains_key(m)) {
            errors.add(
                format!("confirmed_quantities.{metric}"),
                "not_requested",
                format!("{metric} was not requested"),
            );
        }
    }
    let delta = match draft.monthly_cost_delta.as_deref() {
        Some(raw) => match Money::parse(raw) {
            Ok(m) => Some(m),
            Err(e) => {
                errors.add("monthly_cost_delta", "invalid_amount", e.to_string());
                None
            }
        },
        None => {
            errors.add("monthly_cost_delta", "required", "an approval states the cost increase or decrease per month");
            None
        }
    };
    let one_off = match draft.one_off_charge.as_deref() {
        None => Some(Money::ZERO),
        Some(raw) => match Money::parse(raw) {
            Ok(m) if m.is_negative() => {
                errors.add("one_off_charge", "negative", "must not be negative");
                None
            }
            Ok(m) => Some(m),
            Err(e) => {
                errors.add("one_off_charge", "invalid_amount", e.to_string());
                None
            }
        },
    };
    let latest = now + Duration::days(MAX_QUOTE_VALIDITY_DAYS);
    let valid_until = match draft.valid_until.map(to_storage_precision) {
        None => {
            errors.add("valid_until", "required", "an approval says how long it is valid");
            None
        }
        Some(until) if until <= now => {
            errors.add("valid_until", "in_past", format!("must be after now (got {until}, now {now})"));
            None
        }
        Some(until) if until > latest => {
            errors.add(
                "valid_until",
                "too_far",
                format!("a quote is valid for at most {MAX_QUOTE_VALIDITY_DAYS} days (until {latest})"),
            );
            None
        }
        Some(until) => Some(until),
    };
    match draft.effective_at {
        Some(_) if !request.kind().ends_service() => {
            errors.add("effective_at", "not_allowed", "only a cancellation has an agreed end date")
        }
        Some(at) if at < now => {
            errors.add("effective_at", "in_past", format!("must not be in the past (got {at}, now {now})"))
        }
        Some(_) | None => {}
    }
    Some((quantities?, delta?, one_off?, valid_until?))
}

/// Unparsed quote, as the provider sends it.
#[derive(Debug, Clone, Default)]
pub struct QuoteDraft {
    pub outcome: String,
    /// Metric wire name → decimal amount.
    pub confirmed_quantities: BTreeMap<String, String>,
    /// Decimal THB, signed: `"2500.00"`, `"-625"`.
    pub monthly_cost_delta: Option<String>,
    pub one_off_charge: Option<String>,
    pub valid_until: Option<DateTime<Utc>>,
    pub effective_at: Option<DateTime<Utc>>,
    /// The reason for a rejection (required then); a remark on an approval.
    pub note: Option<String>,
}

/// A quote as issued. Every quote of a request is kept; the latest one is current and any
/// earlier one is superseded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    pub id: QuoteId,
    /// 1 for the first quote of a request, 2 for the one that superseded it, …
    pub number: u32,
    pub issued_at: DateTime<Utc>,
    pub issued_by: Subject,
    pub decision: QuoteDecision,
}

impl Quote {
    /// When an approved quote stops being valid; `None` for a rejection.
    pub fn valid_until(&self) -> Option<DateTime<Utc>> {
        self.decision.approved().map(|t| t.valid_until)
    }

    /// Valid while `now < valid_until`; a rejection never expires.
    pub fn is_expired_at(&self, now: DateTime<Utc>) -> bool {
        self.valid_until().is_some_and(|until| now >= until)
    }
}

vocabulary!(
    /// Where one quote of a request stands, for showing the list of quotes.
    QuoteStanding, "quote standing" {
        /// The current quote, waiting for the agency.
        Open => "open",
        /// The current quote, past its validity.
        Expired => "expired",
        /// A later quote replaced it.
        Superseded => "superseded",
        Accepted => "accepted",
        Declined => "declined",
        /// The request was withdrawn while this quote was open.
        Withdrawn => "withdrawn",
        /// The quote rejected the request.
        Rejection => "rejection",
    }
);

/// GSI-A.1.7: what the agency accepted, exactly: who, when, which quote, the quantities
/// and the costs, copied from the quote so that the record stands on its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub quote: QuoteId,
    pub by: Subject,
    pub organisation: OrganisationId,
    pub at: DateTime<Utc>,
    pub quantities: Quantities,
    pub monthly_cost_delta: Money,
    pub one_off_charge: Money,
    pub effective_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Quantity;
    use crate::service::Metric;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    fn change() -> RequestPayload {
        RequestPayload::Change {
            subscription: uuid::Uuid::from_u128(1).into(),
            quantities: Quantities::from([(Metric::MbpsMonth, Quantity::parse("300").unwrap())]),
        }
    }

    fn cancel() -> RequestPayload {
        RequestPayload::Cancel { subscription: uuid::Uuid::from_u128(1).into(), end_at: None }
    }

    fn approval() -> QuoteDraft {
        QuoteDraft {
            outcome: "approved".into(),
            confirmed_quantities: BTreeMap::from([("mbps_month".into(), "300".into())]),
            monthly_cost_delta: Some("2500".into()),
            one_off_charge: None,
            valid_until: Some(now() + Duration::days(7)),
            effective_at: None,
            note: None,
        }
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn gsi_a_1_6_approval_states_quantities_cost_and_validity() {
        let decision = QuoteDecision::parse(&approval(), &change(), now()).unwrap();
        let terms = decision.approved().unwrap();
        assert_eq!(
            terms.confirmed_quantities,
            Quantities::from([(Metric::MbpsMonth, Quantity::parse("300").unwrap())])
        );
        assert_eq!(terms.monthly_cost_delta, Money::parse("2500").unwrap());
        assert_eq!(terms.one_off_charge, Money::ZERO);
        assert_eq!(terms.valid_until, now() + Duration::days(7));
    }

    #[test]
    fn gsi_a_1_6_a_decrease_is_a_negative_monthly_delta() {
        let mut d = approval();
        d.confirmed_quantities = BTreeMap::from([("mbps_month".into(), "50".into())]);
        d.monthly_cost_delta = Some("-625.50".into());
        let decision = QuoteDecision::parse(&d, &change(), now()).unwrap();
        assert_eq!(decision.approved().unwrap().monthly_cost_delta, Money::from_satang(-62_550));
    }

    #[test]
    fn gsi_a_1_6_rejection_needs_a_reason_and_offers_no_terms() {
        let d = QuoteDraft {
            outcome: "rejected".into(),
            note: Some("no fibre to that site".into()),
            ..QuoteDraft::default()
        };
        let decision = QuoteDecision::parse(&d, &change(), now()).unwrap();
        assert_eq!(decision.outcome(), QuoteOutcome::Rejected);
        assert!(decision.approved().is_none());

        let d =
            QuoteDraft { outcome: "rejected".into(), monthly_cost_delta: Some("1".into()), ..QuoteDraft::default() };
        let errors = QuoteDecision::parse(&d, &change(), now()).unwrap_err();
        assert_eq!(fields(&errors), [("monthly_cost_delta", "not_allowed"), ("note", "required")]);
    }

    #[test]
    fn gsi_a_1_6_validity_must_be_ahead_and_bounded() {
        let mut d = approval();
        d.valid_until = Some(now());
        let errors = QuoteDecision::parse(&d, &change(), now()).unwrap_err();
        assert_eq!(fields(&errors), [("valid_until", "in_past")]);
        d.valid_until = Some(now() + chrono::Duration::microseconds(1));
        assert!(QuoteDecision::parse(&d, &change(), now()).is_ok());
        d.valid_until = Some(now() + Duration::days(MAX_QUOTE_VALIDITY_DAYS));
        assert!(QuoteDecision::parse(&d, &change(), now()).is_ok());
        d.valid_until = Some(now() + Duration::days(MAX_QUOTE_VALIDITY_DAYS) + Duration::seconds(1));
        let errors = QuoteDecision::parse(&d, &change(), now()).unwrap_err();
        assert_eq!(fields(&errors), [("valid_until", "too_far")]);
    }

    #[test]
    fn gsi_a_1_6_confirms_exactly_the_requested_resources() {
        let mut d = approval();
        d.confirmed_quantities = BTreeMap::from([("vcpu_hour".into(), "2".into())]);
        d.one_off_charge = Some("-1".into());
        d.effective_at = Some(now());
        d.monthly_cost_delta = None;
        d.valid_until = None;
        let errors = QuoteDecision::parse(&d, &change(), now()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("confirmed_quantities", "missing_resource"),
                ("confirmed_quantities.vcpu_hour", "not_requested"),
                ("monthly_cost_delta", "required"),
                ("one_off_charge", "negative"),
                ("valid_until", "required"),
                ("effective_at", "not_allowed"),
            ]
        );
    }

    #[test]
    fn gsi_7_5_7_cancellation_quote_has_an_end_date_and_an_early_termination_charge() {
        let mut d = approval();
        d.confirmed_quantities.clear();
        d.monthly_cost_delta = Some("-1250".into());
        d.one_off_charge = Some("3000".into());
        d.effective_at = Some(now() + Duration::days(30));
        let decision = QuoteDecision::parse(&d, &cancel(), now()).unwrap();
        let terms = decision.approved().unwrap();
        assert_eq!(terms.one_off_charge, Money::parse("3000").unwrap());
        assert_eq!(terms.effective_at, Some(now() + Duration::days(30)));
        assert!(terms.confirmed_quantities.is_empty());
    }

    #[test]
    fn gsi_a_1_6_validity_is_exclusive_at_the_boundary() {
        let until = now() + Duration::days(1);
        let mut d = approval();
        d.valid_until = Some(until);
        let quote = Quote {
            id: uuid::Uuid::from_u128(7).into(),
            number: 1,
            issued_at: now(),
            issued_by: Subject::parse("op").unwrap(),
            decision: QuoteDecision::parse(&d, &change(), now()).unwrap(),
        };
        assert!(!quote.is_expired_at(until - chrono::Duration::microseconds(1)));
        assert!(quote.is_expired_at(until));
        assert!(quote.is_expired_at(until + Duration::days(1)));
    }
}
