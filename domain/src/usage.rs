//! Usage records that providers' metering systems push (GSI-7.1 pay-per-use; they feed the
//! costs of GSI-7.5.3 and the monthly reports of GSI-7.6 / 13.3).
//!
//! Rules decided here:
//! - A record covers a half-open period `[start, end)` that lies within ONE Asia/Bangkok
//!   month, so that every record belongs to exactly one month without splitting quantities
//!   (a whole month is `[month.start(), month.end())`). Its month is the month containing its
//!   start. A period that crosses a Bangkok midnight between months is refused
//!   (`period_crosses_month`); the provider sends two records instead.
//! - Records are never updated or deleted. A correction is a new record whose `corrects`
//!   names the provider record id of an ORIGINAL record that is already stored (corrections of
//!   corrections, and of records in the same batch, are refused: the provider corrects the
//!   original again instead). It has the same subscription, metric and period as the original
//!   (so it is rated at the same price and lands in the same month), a non-zero quantity of
//!   either sign, and the original's net quantity (original + every correction) never goes
//!   below zero.
//! - Provider record ids are unique per provider. Re-sending a stored id with the same content
//!   is a counted no-op; with different content it is a conflict. The same within one batch.
//! - A batch is atomic and checked as a whole: every bad record is reported by index with all
//!   its reasons (422); only a batch free of bad records is checked for conflicts (409).
//! - A record that duplicates a stored record is not checked against the context again: it
//!   was valid when stored, and a retry of an acknowledged batch must get the same answer even
//!   if the subscription has ended since.
//! - A subscription is metered from its start to its end once it has become active: while
//!   active or suspended, and after termination for usage from before its end (which may
//!   arrive late). Pending and provisioning subscriptions are not metered ([`active_term`]).
//! - A metric is priced on a subscription by its base offering, else by the first of its
//!   add-ons that prices it ([`pricing_offerings`]); usage of add-ons is reported on the
//!   subscription that holds them.
//! - One record holds at most [`QUANTITY_LIMIT`] units either way, so that quantities and
//!   their sums stay exact integers of millionths in storage.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};

use crate::calendar::Month;
use crate::catalog::OfferingId;
use crate::ids::{Id, OrganisationId};
use crate::money::Quantity;
use crate::role::{Actor, Role};
use crate::service::{Metric, vocabulary};
use crate::subscription::{Subscription, SubscriptionStatus};
use crate::time::to_storage_precision;
use crate::validation::ValidationErrors;

/// Marker for stored usage records.
pub enum UsageRecordMarker {}
/// Our id of a stored usage record (the provider has its own, [`ProviderRecordId`]).
pub type UsageRecordId = Id<UsageRecordMarker>;

pub use crate::subscription::SubscriptionId;

pub const RECORD_ID_MAX: usize = 128;
/// The most units of a metric one record may hold, either way (a billion).
pub const QUANTITY_LIMIT: i64 = 1_000_000_000;
/// The default; the HTTP layer makes it configurable.
pub const DEFAULT_MAX_BATCH_RECORDS: usize = 10_000;

/// May push usage (GSI-7.1): only a provider's own staff or systems, for the subscriptions it
/// serves; which subscriptions those are is checked per record ([`validate_batch`]).
pub fn may_submit_usage(actor: &Actor) -> bool {
    match actor.role {
        Role::ProviderOperator => true,
        Role::AgencyAdmin | Role::AgencyUser | Role::GixOfficer | Role::Assessor => false,
    }
}

/// The provider's own id of a usage record: 1–128 characters, no control characters, no
/// surrounding whitespace. Kept exactly as sent (not trimmed): it is the deduplication key,
/// and two ids that differ only by spaces would otherwise silently collide.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProviderRecordId(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRecordId {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {RECORD_ID_MAX} characters (got {0})")]
    TooLong(usize),
    #[error("must not contain control characters or leading or trailing whitespace")]
    InvalidCharacters,
}

impl ProviderRecordId {
    pub fn parse(raw: &str) -> Result<Self, InvalidRecordId> {
        if raw.is_empty() {
            return Err(InvalidRecordId::Empty);
        }
        let chars = raw.chars().count();
        if chars > RECORD_ID_MAX {
            return Err(InvalidRecordId::TooLong(chars));
        }
        if raw.chars().any(char::is_control) || raw.trim() != raw {
            return Err(InvalidRecordId::InvalidCharacters);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ProviderRecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The half-open period `[start, end)` a record covers, within one Asia/Bangkok month, at
/// storage precision (microseconds) so that a re-sent record compares equal to the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UsagePeriod {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidPeriod {
    #[error("the period must end after it starts")]
    EndNotAfterStart,
    #[error(
        "the period must lie within one Asia/Bangkok month ({month} ends at {month_end}); send one record per month"
    )]
    CrossesMonth { month: Month, month_end: DateTime<Utc> },
}

impl UsagePeriod {
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Self, InvalidPeriod> {
        let start = to_storage_precision(start);
        let end = to_storage_precision(end);
        if end <= start {
            return Err(InvalidPeriod::EndNotAfterStart);
        }
        let month = Month::containing(start);
        if end > month.end() {
            return Err(InvalidPeriod::CrossesMonth { month, month_end: month.end() });
        }
        Ok(Self { start, end })
    }

    pub fn start(self) -> DateTime<Utc> {
        self.start
    }

    pub fn end(self) -> DateTime<Utc> {
        self.end
    }

    /// The Asia/Bangkok month the usage belongs to: the one containing the start (which, by
    /// construction, also contains every instant of the period). 23:30 UTC on 31 January is
    /// 06:30 on 1 February in Bangkok, so usage from then belongs to February.
    pub fn month(self) -> Month {
        Month::containing(self.start)
    }
}

/// A usage record as the provider's system sends it.
#[derive(Debug, Clone, Default)]
pub struct UsageRecordDraft {
    pub record_id: String,
    pub subscription_id: String,
    pub metric: String,
    /// Exact decimal in the metric's unit, at most 6 decimal places.
    pub quantity: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// The provider record id of the original record this one corrects.
    pub corrects: Option<String>,
}

/// A well-formed usage record. Whether it may be stored depends on the context
/// ([`validate_batch`]); its content (everything here) is what deduplication compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageRecord {
    pub record_id: ProviderRecordId,
    pub subscription: SubscriptionId,
    pub metric: Metric,
    /// Negative only in a correction.
    pub quantity: Quantity,
    pub period: UsagePeriod,
    pub corrects: Option<ProviderRecordId>,
}

impl UsageRecord {
    pub fn is_correction(&self) -> bool {
        self.corrects.is_some()
    }

    /// Checks the shape of one record; every failing field is reported.
    pub fn parse(draft: &UsageRecordDraft) -> Result<Self, Vec<UsageProblem>> {
        let mut problems = Vec::new();
        let record_id = ProviderRecordId::parse(&draft.record_id)
            .map_err(|e| problems.push(UsageProblem::new(UsageReason::InvalidRecordId, "record_id", e.to_string())))
            .ok();
        let subscription = draft
            .subscription_id
            .trim()
            .parse::<SubscriptionId>()
            .map_err(|_| {
                problems.push(UsageProblem::new(
                    UsageReason::InvalidSubscriptionId,
                    "subscription_id",
                    format!("`{}` is not a subscription id (a UUID)", draft.subscription_id),
                ))
            })
            .ok();
        let metric = draft
            .metric
            .parse::<Metric>()
            .map_err(|e| problems.push(UsageProblem::new(UsageReason::UnknownMetric, "metric", e.to_string())))
            .ok();
        let quantity = Quantity::parse(&draft.quantity)
            .map_err(|e| e.to_string())
            .and_then(|q| {
                if q.as_decimal().abs() <= rust_decimal::Decimal::from(QUANTITY_LIMIT) {
                    Ok(q)
                } else {
                    Err(format!("must be between -{QUANTITY_LIMIT} and {QUANTITY_LIMIT} (got {q})"))
                }
            })
            .map_err(|e| problems.push(UsageProblem::new(UsageReason::InvalidQuantity, "quantity", e)))
            .ok();
        let period = UsagePeriod::new(draft.period_start, draft.period_end)
            .map_err(|e| {
                let reason = match e {
                    InvalidPeriod::EndNotAfterStart => UsageReason::PeriodEndNotAfterStart,
                    InvalidPeriod::CrossesMonth { .. } => UsageReason::PeriodCrossesMonth,
                };
                problems.push(UsageProblem::new(reason, "period_end", e.to_string()))
            })
            .ok();
        let corrects = match draft.corrects.as_deref() {
            None => Some(None),
            Some(raw) => ProviderRecordId::parse(raw)
                .map_err(|e| problems.push(UsageProblem::new(UsageReason::InvalidCorrects, "corrects", e.to_string())))
                .ok()
                .map(Some),
        };
        match (record_id, subscription, metric, quantity, period, corrects) {
            (Some(record_id), Some(subscription), Some(metric), Some(quantity), Some(period), Some(corrects))
                if problems.is_empty() =>
            {
                Ok(UsageRecord { record_id, subscription, metric, quantity, period, corrects })
            }
            _ => Err(problems),
        }
    }
}

vocabulary!(
    /// Why a usage record is refused; the wire name is the stable problem code.
    UsageReason, "usage refusal reason" {
        InvalidRecordId => "invalid_record_id",
        InvalidSubscriptionId => "invalid_subscription_id",
        UnknownMetric => "unknown_metric",
        InvalidQuantity => "invalid_quantity",
        InvalidCorrects => "invalid_corrects",
        PeriodEndNotAfterStart => "period_end_not_after_start",
        PeriodCrossesMonth => "period_crosses_month",
        /// Unknown, or served by another provider: the two are not told apart, so that a
        /// provider cannot probe other providers' subscriptions.
        SubscriptionNotServed => "subscription_not_served",
        MetricNotPriced => "metric_not_priced",
        PeriodOutsideActiveTerm => "period_outside_active_term",
        PeriodInFuture => "period_in_future",
        NegativeQuantity => "negative_quantity",
        CorrectionTargetNotFound => "correction_target_not_found",
        CorrectionOfCorrection => "correction_of_correction",
        CorrectionMismatch => "correction_mismatch",
        ZeroCorrection => "zero_correction",
        NetQuantityBelowZero => "net_quantity_below_zero",
        /// The record's amount (quantity × price) is beyond what can be billed.
        AmountOutOfRange => "amount_out_of_range",
    }
);

/// One reason a record is refused, on one of its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageProblem {
    pub reason: UsageReason,
    /// The record's field, as named on the wire (`quantity`, `period_end`, …).
    pub field: &'static str,
    pub message: String,
}

impl UsageProblem {
    pub(crate) fn new(reason: UsageReason, field: &'static str, message: impl Into<String>) -> Self {
        Self { reason, field, message: message.into() }
    }
}

/// When a subscription may be metered: from its start, up to its end if it has ended
/// (usage from before the end may still arrive late). A subscription that never became
/// active has no term at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveTerm {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

impl ActiveTerm {
    pub fn covers(self, period: UsagePeriod) -> bool {
        self.start <= period.start() && self.end.is_none_or(|end| period.end() <= end)
    }
}

impl SubscriptionContext {
    /// The context of a stored subscription whose metrics are priced as `pricing` says
    /// ([`pricing_offerings`]).
    pub fn of(subscription: &Subscription, pricing: &BTreeMap<Metric, OfferingId>) -> Self {
        SubscriptionContext {
            subscription: subscription.id,
            provider: subscription.provider,
            agency: subscription.agency,
            priced_metrics: pricing.keys().copied().collect(),
            active_term: active_term(subscription),
        }
    }
}

/// When usage may be metered on `subscription`: its term, once it has become active.
/// Pending and provisioning subscriptions have none. A terminated one keeps its (closed)
/// term, so late usage from before its end is still accepted; one terminated before it
/// started has an empty term, which covers nothing.
pub fn active_term(subscription: &Subscription) -> Option<ActiveTerm> {
    match subscription.status {
        SubscriptionStatus::Active | SubscriptionStatus::Suspended | SubscriptionStatus::Terminated => {
            Some(ActiveTerm { start: subscription.term.starts_at(), end: subscription.term.ends_at() })
        }
        SubscriptionStatus::Pending | SubscriptionStatus::Provisioning => None,
    }
}

/// Which offering prices each metric on `subscription`: its base offering first, then its
/// add-ons in order (GSI-7.1, 7.5.2). `priced` gives the metrics each offering has a price
/// for; offerings missing from it price nothing.
pub fn pricing_offerings(
    subscription: &Subscription,
    priced: &BTreeMap<OfferingId, BTreeSet<Metric>>,
) -> BTreeMap<Metric, OfferingId> {
    let offerings = std::iter::once(subscription.offering).chain(subscription.add_ons.iter().map(|a| a.offering));
    let mut by_metric = BTreeMap::new();
    for offering in offerings {
        for metric in priced.get(&offering).into_iter().flatten() {
            by_metric.entry(*metric).or_insert(offering);
        }
    }
    by_metric
}

/// The facts about a subscription that usage is checked against, loaded by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionContext {
    pub subscription: SubscriptionId,
    /// The provider that serves it.
    pub provider: OrganisationId,
    /// The agency that uses (and pays for) it.
    pub agency: OrganisationId,
    /// The metrics its offering has a price for.
    pub priced_metrics: BTreeSet<Metric>,
    /// `None` while requested, rejected or otherwise never started.
    pub active_term: Option<ActiveTerm>,
}

/// A record the calling provider already stored, as the caller loads it by provider record
/// id (for the ids in the batch and the ids its corrections name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredUsage {
    pub record: UsageRecord,
    /// For an original record: its quantity plus every stored correction of it.
    pub net_quantity: Quantity,
}

/// Checks one well-formed, new record against its subscription, the clock and, for a
/// correction, the original it corrects. The net quantity over a whole batch is checked by
/// [`validate_batch`].
pub fn check_record(
    record: &UsageRecord,
    caller: OrganisationId,
    subscription: Option<&SubscriptionContext>,
    stored: &BTreeMap<ProviderRecordId, StoredUsage>,
    now: DateTime<Utc>,
) -> Vec<UsageProblem> {
    let mut problems = Vec::new();
    match subscription.filter(|s| s.provider == caller && s.subscription == record.subscription) {
        None => problems.push(UsageProblem::new(
            UsageReason::SubscriptionNotServed,
            "subscription_id",
            format!("you serve no subscription {}", record.subscription),
        )),
        Some(context) => {
            if !context.priced_metrics.contains(&record.metric) {
                let priced: Vec<&str> = context.priced_metrics.iter().map(|m| m.as_str()).collect();
                problems.push(UsageProblem::new(
                    UsageReason::MetricNotPriced,
                    "metric",
                    format!(
                        "the subscription's offering has no price for `{}` (priced: {})",
                        record.metric,
                        priced.join(", ")
                    ),
                ));
            }
            match context.active_term {
                Some(term) if term.covers(record.period) => {}
                Some(term) => problems.push(UsageProblem::new(
                    UsageReason::PeriodOutsideActiveTerm,
                    if record.period.start() < term.start { "period_start" } else { "period_end" },
                    match term.end {
                        Some(end) => format!(
                            "the period must lie within the subscription's active term {} – {}",
                            term.start.to_rfc3339(),
                            end.to_rfc3339()
                        ),
                        None => format!(
                            "the period must not start before the subscription's active term starts ({})",
                            term.start.to_rfc3339()
                        ),
                    },
                )),
                None => problems.push(UsageProblem::new(
                    UsageReason::PeriodOutsideActiveTerm,
                    "period_start",
                    "the subscription has never been active",
                )),
            }
        }
    }
    if record.period.end() > now {
        problems.push(UsageProblem::new(
            UsageReason::PeriodInFuture,
            "period_end",
            format!("usage can only be reported for time that has passed (now is {})", now.to_rfc3339()),
        ));
    }
    match &record.corrects {
        None if record.quantity.is_negative() => problems.push(UsageProblem::new(
            UsageReason::NegativeQuantity,
            "quantity",
            "must not be negative; to reduce reported usage send a correction (`corrects`)",
        )),
        None => {}
        Some(target) => problems.extend(check_correction(record, target, stored)),
    }
    problems
}

fn check_correction(
    record: &UsageRecord,
    target: &ProviderRecordId,
    stored: &BTreeMap<ProviderRecordId, StoredUsage>,
) -> Vec<UsageProblem> {
    let mut problems = Vec::new();
    if record.quantity.as_decimal().is_zero() {
        problems.push(UsageProblem::new(
            UsageReason::ZeroCorrection,
            "quantity",
            "a correction must change the quantity (positive or negative, not zero)",
        ));
    }
    match stored.get(target) {
        None => problems.push(UsageProblem::new(
            UsageReason::CorrectionTargetNotFound,
            "corrects",
            format!("you have stored no usage record `{target}` (an earlier batch must hold it)"),
        )),
        Some(original) if original.record.is_correction() => problems.push(UsageProblem::new(
            UsageReason::CorrectionOfCorrection,
            "corrects",
            format!("`{target}` is itself a correction; correct the original record instead"),
        )),
        Some(original) => {
            let o = &original.record;
            let mut differing = Vec::new();
            if o.subscription != record.subscription {
                differing.push("subscription_id");
            }
            if o.metric != record.metric {
                differing.push("metric");
            }
            if o.period != record.period {
                differing.push("period_start/period_end");
            }
            if !differing.is_empty() {
                problems.push(UsageProblem::new(
                    UsageReason::CorrectionMismatch,
                    "corrects",
                    format!(
                        "a correction must have the subscription, metric and period of `{target}`; these differ: {}",
                        differing.join(", ")
                    ),
                ));
            }
        }
    }
    problems
}

/// How a record of a batch relates to stored records and to earlier records of the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Classification {
    /// A record id not seen before: to be stored.
    New,
    /// Same id and content as a stored record: a no-op, counted as a duplicate.
    DuplicateOfStored,
    /// Same id and content as an earlier record of the same batch: stored once, counted as a
    /// duplicate.
    DuplicateInBatch,
    /// Same id as a stored record or an earlier record of the batch, different content.
    Conflict,
}

/// Classifies each record of a batch, in order. `stored` holds the calling provider's stored
/// records by provider record id (ids are unique per provider).
pub fn classify_batch(
    records: &[&UsageRecord],
    stored: &BTreeMap<ProviderRecordId, StoredUsage>,
) -> Vec<Classification> {
    let mut first_in_batch: BTreeMap<&ProviderRecordId, &UsageRecord> = BTreeMap::new();
    records
        .iter()
        .map(|record| {
            if let Some(existing) = stored.get(&record.record_id) {
                if existing.record == **record { Classification::DuplicateOfStored } else { Classification::Conflict }
            } else if let Some(earlier) = first_in_batch.get(&record.record_id) {
                if *earlier == *record { Classification::DuplicateInBatch } else { Classification::Conflict }
            } else {
                first_in_batch.insert(&record.record_id, record);
                Classification::New
            }
        })
        .collect()
}

/// The conflicting record ids of a classified batch, each once, in order of appearance.
pub fn conflicting_ids(records: &[&UsageRecord], classes: &[Classification]) -> Vec<ProviderRecordId> {
    let mut ids: Vec<ProviderRecordId> = Vec::new();
    for (record, class) in records.iter().zip(classes) {
        if *class == Classification::Conflict && !ids.contains(&record.record_id) {
            ids.push(record.record_id.clone());
        }
    }
    ids
}

/// A record of the batch that cannot be stored, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    /// Position in the batch, from 0.
    pub index: usize,
    /// The record id as sent (it may itself be invalid).
    pub record_id: String,
    pub problems: Vec<UsageProblem>,
}

/// Why a whole batch is refused; nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchRefused {
    Empty,
    TooMany {
        got: usize,
        max: usize,
    },
    /// 422: at least one record is bad; all bad records are listed.
    InvalidRecords(Vec<BadRecord>),
    /// 409: ids re-sent with different content.
    Conflicts(Vec<ProviderRecordId>),
}

impl BatchRefused {
    /// The refusal as field errors under `records` (`records[3].quantity`).
    pub fn to_validation_errors(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        match self {
            BatchRefused::Empty => {
                errors.add("records", "required", "a batch holds at least one record");
            }
            BatchRefused::TooMany { got, max } => {
                errors.add("records", "too_many", format!("a batch holds at most {max} records (got {got})"))
            }
            BatchRefused::InvalidRecords(bad) => {
                for record in bad {
                    for p in &record.problems {
                        errors.add(
                            format!("records[{}].{}", record.index, p.field),
                            p.reason.as_str(),
                            p.message.clone(),
                        );
                    }
                }
            }
            BatchRefused::Conflicts(ids) => {
                let listed: Vec<&str> = ids.iter().map(ProviderRecordId::as_str).collect();
                errors.add(
                    "records",
                    "conflict",
                    format!("already stored with different content: {}", listed.join(", ")),
                );
            }
        }
        errors
    }
}

/// What to store for an accepted batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedBatch {
    /// The new records, in batch order, each id once.
    pub records: Vec<UsageRecord>,
    /// Records that were no-ops: duplicates of stored records or of earlier batch records.
    pub duplicates: usize,
}

impl AcceptedBatch {
    pub fn accepted(&self) -> usize {
        self.records.len()
    }
}

/// A batch holds 1 to `max_records` records; checked before anything is loaded for it.
pub fn check_batch_size(records: usize, max_records: usize) -> Result<(), BatchRefused> {
    if records == 0 {
        return Err(BatchRefused::Empty);
    }
    if records > max_records {
        return Err(BatchRefused::TooMany { got: records, max: max_records });
    }
    Ok(())
}

/// Checks a whole batch from a provider (GSI-7.1): shape, subscription, metric, term,
/// clock, corrections, then duplicates and conflicts. Atomic: either every record is fine
/// and the new ones are returned, or the batch is refused naming every bad record.
///
/// `subscriptions` holds the subscriptions the batch names (whoever serves them);
/// `stored` the caller's stored records for the ids in the batch and in its `corrects`.
pub fn validate_batch(
    drafts: &[UsageRecordDraft],
    caller: OrganisationId,
    subscriptions: &BTreeMap<SubscriptionId, SubscriptionContext>,
    stored: &BTreeMap<ProviderRecordId, StoredUsage>,
    now: DateTime<Utc>,
    max_records: usize,
) -> Result<AcceptedBatch, BatchRefused> {
    check_batch_size(drafts.len(), max_records)?;
    let parsed: Vec<Result<UsageRecord, Vec<UsageProblem>>> = drafts.iter().map(UsageRecord::parse).collect();
    let well_formed: Vec<(usize, &UsageRecord)> =
        parsed.iter().enumerate().filter_map(|(i, r)| r.as_ref().ok().map(|r| (i, r))).collect();
    let records: Vec<&UsageRecord> = well_formed.iter().map(|(_, r)| *r).collect();
    let classes = classify_batch(&records, stored);

    let mut problems: BTreeMap<usize, Vec<UsageProblem>> = BTreeMap::new();
    for (i, result) in parsed.iter().enumerate() {
        if let Err(p) = result {
            problems.insert(i, p.clone());
        }
    }
    for ((index, record), class) in well_formed.iter().zip(&classes) {
        if *class == Classification::DuplicateOfStored {
            continue;
        }
        let found = check_record(record, caller, subscriptions.get(&record.subscription), stored, now);
        if !found.is_empty() {
            problems.entry(*index).or_default().extend(found);
        }
    }

    // The net quantity of each original after this batch's new corrections of it.
    let mut corrections: BTreeMap<&ProviderRecordId, Vec<(usize, Quantity)>> = BTreeMap::new();
    for ((index, record), class) in well_formed.iter().zip(&classes) {
        if let (Classification::New, Some(target)) = (class, &record.corrects) {
            corrections.entry(target).or_default().push((*index, record.quantity));
        }
    }
    for (target, items) in corrections {
        let Some(original) = stored.get(target).filter(|o| !o.record.is_correction()) else {
            continue;
        };
        let net = items.iter().try_fold(original.net_quantity, |acc, (_, q)| acc.checked_add(*q));
        let below_zero = net.is_none_or(Quantity::is_negative);
        if below_zero {
            for (index, _) in items {
                problems.entry(index).or_default().push(UsageProblem::new(
                    UsageReason::NetQuantityBelowZero,
                    "quantity",
                    format!(
                        "corrections would take the net quantity of `{target}` below zero (now {})",
                        original.net_quantity
                    ),
                ));
            }
        }
    }

    if !problems.is_empty() {
        return Err(BatchRefused::InvalidRecords(
            problems
                .into_iter()
                .map(|(index, problems)| BadRecord {
                    index,
                    record_id: drafts.get(index).map(|d| d.record_id.clone()).unwrap_or_default(),
                    problems,
                })
                .collect(),
        ));
    }
    let conflicts = conflicting_ids(&records, &classes);
    if !conflicts.is_empty() {
        return Err(BatchRefused::Conflicts(conflicts));
    }
    let duplicates = classes.iter().filter(|c| **c != Classification::New).count();
    let new =
        records.iter().zip(&classes).filter(|(_, c)| **c == Classification::New).map(|(r, _)| (*r).clone()).collect();
    Ok(AcceptedBatch { records: new, duplicates })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::role::Subject;
    use chrono::TimeZone;
    use uuid::Uuid;

    pub(crate) fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    pub(crate) const PROVIDER: OrganisationId = OrganisationId::from_uuid(Uuid::from_u128(10));
    const OTHER_PROVIDER: OrganisationId = OrganisationId::from_uuid(Uuid::from_u128(11));
    pub(crate) const AGENCY: OrganisationId = OrganisationId::from_uuid(Uuid::from_u128(20));
    pub(crate) const SUB: SubscriptionId = SubscriptionId::from_uuid(Uuid::from_u128(100));
    const OTHERS_SUB: SubscriptionId = SubscriptionId::from_uuid(Uuid::from_u128(101));
    const NEVER_ACTIVE_SUB: SubscriptionId = SubscriptionId::from_uuid(Uuid::from_u128(102));
    const ENDED_SUB: SubscriptionId = SubscriptionId::from_uuid(Uuid::from_u128(103));

    /// 2026-03-10 12:00 UTC.
    fn now() -> DateTime<Utc> {
        utc(2026, 3, 10, 12, 0)
    }

    pub(crate) fn context() -> SubscriptionContext {
        SubscriptionContext {
            subscription: SUB,
            provider: PROVIDER,
            agency: AGENCY,
            priced_metrics: [Metric::VcpuHour, Metric::StorageGbMonth].into(),
            active_term: Some(ActiveTerm { start: utc(2026, 1, 1, 0, 0), end: None }),
        }
    }

    fn contexts() -> BTreeMap<SubscriptionId, SubscriptionContext> {
        let others = SubscriptionContext { subscription: OTHERS_SUB, provider: OTHER_PROVIDER, ..context() };
        let never = SubscriptionContext { subscription: NEVER_ACTIVE_SUB, active_term: None, ..context() };
        let ended = SubscriptionContext {
            subscription: ENDED_SUB,
            active_term: Some(ActiveTerm { start: utc(2026, 1, 1, 0, 0), end: Some(utc(2026, 2, 1, 0, 0)) }),
            ..context()
        };
        [context(), others, never, ended].into_iter().map(|c| (c.subscription, c)).collect()
    }

    /// vCPU-hours for one hour on 2 March 2026 (Bangkok and UTC alike).
    pub(crate) fn draft(record_id: &str, quantity: &str) -> UsageRecordDraft {
        UsageRecordDraft {
            record_id: record_id.into(),
            subscription_id: SUB.to_string(),
            metric: "vcpu_hour".into(),
            quantity: quantity.into(),
            period_start: utc(2026, 3, 2, 3, 0),
            period_end: utc(2026, 3, 2, 4, 0),
            corrects: None,
        }
    }

    fn correction(record_id: &str, corrects: &str, quantity: &str) -> UsageRecordDraft {
        UsageRecordDraft { corrects: Some(corrects.into()), ..draft(record_id, quantity) }
    }

    fn stored_map(items: &[(UsageRecordDraft, &str)]) -> BTreeMap<ProviderRecordId, StoredUsage> {
        items
            .iter()
            .map(|(d, net)| {
                let record = UsageRecord::parse(d).unwrap();
                (record.record_id.clone(), StoredUsage { record, net_quantity: Quantity::parse(net).unwrap() })
            })
            .collect()
    }

    fn validate(
        drafts: &[UsageRecordDraft],
        stored: &BTreeMap<ProviderRecordId, StoredUsage>,
    ) -> Result<AcceptedBatch, BatchRefused> {
        validate_batch(drafts, PROVIDER, &contexts(), stored, now(), DEFAULT_MAX_BATCH_RECORDS)
    }

    fn codes_of(refused: &BatchRefused) -> Vec<(usize, Vec<&'static str>)> {
        match refused {
            BatchRefused::InvalidRecords(bad) => {
                bad.iter().map(|b| (b.index, b.problems.iter().map(|p| p.reason.as_str()).collect())).collect()
            }
            other => panic!("expected invalid records, got {other:?}"),
        }
    }

    fn actor(role: Role) -> Actor {
        Actor { subject: Subject::parse("u").unwrap(), organisation: PROVIDER, role }
    }

    #[test]
    fn gsi_7_1_only_provider_staff_submit_usage() {
        for role in Role::ALL {
            assert_eq!(may_submit_usage(&actor(role)), role == Role::ProviderOperator, "{role}");
        }
    }

    #[test]
    fn record_ids_are_bounded_and_kept_exactly() {
        assert_eq!(ProviderRecordId::parse("inv-1/ก").unwrap().as_str(), "inv-1/ก");
        assert!(ProviderRecordId::parse(&"x".repeat(128)).is_ok());
        assert_eq!(ProviderRecordId::parse(&"x".repeat(129)), Err(InvalidRecordId::TooLong(129)));
        assert_eq!(ProviderRecordId::parse(""), Err(InvalidRecordId::Empty));
        assert_eq!(ProviderRecordId::parse(" a"), Err(InvalidRecordId::InvalidCharacters));
        assert_eq!(ProviderRecordId::parse("a\tb"), Err(InvalidRecordId::InvalidCharacters));
    }

    #[test]
    fn periods_lie_within_one_bangkok_month() {
        // 23:30 UTC on 31 January is 06:30 on 1 February in Bangkok.
        let p = UsagePeriod::new(utc(2026, 1, 31, 23, 30), utc(2026, 1, 31, 23, 45)).unwrap();
        assert_eq!(p.month(), Month::new(2026, 2).unwrap());
        let p = UsagePeriod::new(utc(2026, 1, 31, 16, 0), utc(2026, 1, 31, 17, 0)).unwrap();
        assert_eq!(p.month(), Month::new(2026, 1).unwrap(), "ends exactly at Bangkok midnight: still January");
        // The whole month is one record.
        let jan = Month::new(2026, 1).unwrap();
        assert_eq!(UsagePeriod::new(jan.start(), jan.end()).unwrap().month(), jan);
        assert_eq!(
            UsagePeriod::new(utc(2026, 1, 31, 16, 30), utc(2026, 1, 31, 17, 1)),
            Err(InvalidPeriod::CrossesMonth { month: jan, month_end: utc(2026, 1, 31, 17, 0) })
        );
        assert_eq!(
            UsagePeriod::new(utc(2026, 1, 5, 0, 0), utc(2026, 1, 5, 0, 0)),
            Err(InvalidPeriod::EndNotAfterStart)
        );
        assert_eq!(
            UsagePeriod::new(utc(2026, 1, 5, 1, 0), utc(2026, 1, 5, 0, 0)),
            Err(InvalidPeriod::EndNotAfterStart)
        );
    }

    #[test]
    fn periods_are_kept_to_the_microsecond() {
        let start = DateTime::from_timestamp(1_770_000_000, 123_456_789).unwrap();
        let end = DateTime::from_timestamp(1_770_000_060, 0).unwrap();
        let p = UsagePeriod::new(start, end).unwrap();
        assert_eq!(p.start().timestamp_subsec_nanos(), 123_456_000);
    }

    #[test]
    fn parse_reports_every_malformed_field() {
        let bad = UsageRecordDraft {
            record_id: "".into(),
            subscription_id: "sub-1".into(),
            metric: "cpu".into(),
            quantity: "1e3".into(),
            period_start: utc(2026, 3, 2, 4, 0),
            period_end: utc(2026, 3, 2, 3, 0),
            corrects: Some(" x".into()),
        };
        let problems = UsageRecord::parse(&bad).unwrap_err();
        let got: Vec<(&str, &str)> = problems.iter().map(|p| (p.field, p.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                ("record_id", "invalid_record_id"),
                ("subscription_id", "invalid_subscription_id"),
                ("metric", "unknown_metric"),
                ("quantity", "invalid_quantity"),
                ("period_end", "period_end_not_after_start"),
                ("corrects", "invalid_corrects"),
            ]
        );
    }

    #[test]
    fn gsi_7_1_a_valid_batch_is_accepted() {
        let accepted = validate(&[draft("a", "1.5"), draft("b", "0")], &BTreeMap::new()).unwrap();
        assert_eq!(accepted.accepted(), 2);
        assert_eq!(accepted.duplicates, 0);
        assert_eq!(accepted.records[0].quantity, Quantity::parse("1.5").unwrap());
        assert_eq!(accepted.records[1].record_id.as_str(), "b");
    }

    #[test]
    fn gsi_7_1_batch_names_every_bad_record_with_every_reason() {
        let drafts = vec![
            draft("ok-0", "1"),
            // 1: another provider's subscription: nothing else is said about it.
            UsageRecordDraft { subscription_id: OTHERS_SUB.to_string(), metric: "kwh".into(), ..draft("r1", "1") },
            // 2: unpriced metric and negative quantity.
            UsageRecordDraft { metric: "kwh".into(), ..draft("r2", "-1") },
            draft("ok-3", "2"),
            // 4: before the term starts, and (separately) in the future is impossible here.
            UsageRecordDraft {
                period_start: utc(2025, 12, 31, 10, 0),
                period_end: utc(2025, 12, 31, 11, 0),
                ..draft("r4", "1")
            },
            // 5: ends in the future.
            UsageRecordDraft {
                period_start: utc(2026, 3, 10, 11, 0),
                period_end: utc(2026, 3, 10, 12, 1),
                ..draft("r5", "1")
            },
            // 6: a subscription that never became active.
            UsageRecordDraft { subscription_id: NEVER_ACTIVE_SUB.to_string(), ..draft("r6", "1") },
            // 7: after the subscription ended.
            UsageRecordDraft {
                subscription_id: ENDED_SUB.to_string(),
                period_start: utc(2026, 2, 1, 0, 0),
                period_end: utc(2026, 2, 1, 1, 0),
                ..draft("r7", "1")
            },
            // 8: unknown subscription id.
            UsageRecordDraft { subscription_id: Uuid::from_u128(999).to_string(), ..draft("r8", "1") },
            // 9: malformed.
            UsageRecordDraft { period_end: utc(2026, 3, 2, 3, 0), ..draft("r9", "abc") },
            // 10: crosses the Bangkok month boundary.
            UsageRecordDraft {
                period_start: utc(2026, 2, 28, 16, 0),
                period_end: utc(2026, 2, 28, 18, 0),
                ..draft("r10", "1")
            },
        ];
        let refused = validate(&drafts, &BTreeMap::new()).unwrap_err();
        assert_eq!(
            codes_of(&refused),
            [
                (1, vec!["subscription_not_served"]),
                (2, vec!["metric_not_priced", "negative_quantity"]),
                (4, vec!["period_outside_active_term"]),
                (5, vec!["period_in_future"]),
                (6, vec!["period_outside_active_term"]),
                (7, vec!["period_outside_active_term"]),
                (8, vec!["subscription_not_served"]),
                (9, vec!["invalid_quantity", "period_end_not_after_start"]),
                (10, vec!["period_crosses_month"]),
            ]
        );
        let BatchRefused::InvalidRecords(bad) = &refused else { unreachable!() };
        assert_eq!(bad[0].record_id, "r1");
        let errors = refused.to_validation_errors();
        assert_eq!(errors.errors()[0].field, "records[1].subscription_id");
        assert_eq!(errors.errors()[2].field, "records[2].quantity");
        assert_eq!(errors.errors()[3].field, "records[4].period_start");
        assert_eq!(errors.errors()[5].field, "records[6].period_start");
        assert_eq!(errors.errors()[6].field, "records[7].period_end");
    }

    #[test]
    fn period_boundaries_against_now_and_term() {
        // Ending exactly now is allowed; one second later is not.
        let at_now = UsageRecordDraft { period_start: utc(2026, 3, 10, 11, 0), period_end: now(), ..draft("a", "1") };
        assert!(validate(std::slice::from_ref(&at_now), &BTreeMap::new()).is_ok());
        let later = UsageRecordDraft { period_end: now() + chrono::Duration::seconds(1), ..at_now };
        assert!(validate(&[later], &BTreeMap::new()).is_err());
        // Starting exactly at the term start and ending exactly at the term end are inside.
        let ended_edge = UsageRecordDraft {
            subscription_id: ENDED_SUB.to_string(),
            period_start: utc(2026, 1, 1, 0, 0),
            period_end: utc(2026, 1, 1, 1, 0),
            ..draft("b", "1")
        };
        let ended_last = UsageRecordDraft {
            period_start: utc(2026, 1, 31, 23, 0),
            period_end: utc(2026, 2, 1, 0, 0),
            record_id: "c".into(),
            ..ended_edge.clone()
        };
        // 2026-01-31 23:00 UTC is February in Bangkok; the term end is also February.
        assert_eq!(validate(&[ended_edge, ended_last], &BTreeMap::new()).unwrap().accepted(), 2);
    }

    #[test]
    fn batch_size_limits() {
        assert_eq!(validate(&[], &BTreeMap::new()), Err(BatchRefused::Empty));
        let drafts: Vec<UsageRecordDraft> = (0..3).map(|i| draft(&format!("r{i}"), "1")).collect();
        assert_eq!(
            validate_batch(&drafts, PROVIDER, &contexts(), &BTreeMap::new(), now(), 2),
            Err(BatchRefused::TooMany { got: 3, max: 2 })
        );
        assert!(validate_batch(&drafts, PROVIDER, &contexts(), &BTreeMap::new(), now(), 3).is_ok());
    }

    #[test]
    fn resending_the_same_record_is_a_counted_duplicate() {
        let stored = stored_map(&[(draft("a", "1"), "1")]);
        let accepted = validate(&[draft("a", "1.000"), draft("b", "2")], &stored).unwrap();
        assert_eq!(accepted.duplicates, 1);
        assert_eq!(accepted.accepted(), 1);
        assert_eq!(accepted.records[0].record_id.as_str(), "b");
    }

    #[test]
    fn same_id_with_different_content_is_a_conflict() {
        let stored = stored_map(&[(draft("a", "1"), "1"), (draft("c", "3"), "3")]);
        let refused =
            validate(&[draft("a", "2"), draft("b", "1"), draft("c", "3"), draft("a", "5")], &stored).unwrap_err();
        assert_eq!(refused, BatchRefused::Conflicts(vec![ProviderRecordId::parse("a").unwrap()]));
        assert_eq!(refused.to_validation_errors().errors()[0].code, "conflict");
    }

    #[test]
    fn duplicates_and_conflicts_within_one_batch() {
        let accepted = validate(&[draft("a", "1"), draft("a", "1")], &BTreeMap::new()).unwrap();
        assert_eq!((accepted.accepted(), accepted.duplicates), (1, 1));
        let refused = validate(&[draft("a", "1"), draft("b", "1"), draft("a", "2")], &BTreeMap::new()).unwrap_err();
        assert_eq!(refused, BatchRefused::Conflicts(vec![ProviderRecordId::parse("a").unwrap()]));
    }

    #[test]
    fn classification_table() {
        let stored = stored_map(&[(draft("s", "1"), "1")]);
        let records: Vec<UsageRecord> =
            [draft("s", "1"), draft("s", "2"), draft("n", "1"), draft("n", "1"), draft("n", "2")]
                .iter()
                .map(|d| UsageRecord::parse(d).unwrap())
                .collect();
        let refs: Vec<&UsageRecord> = records.iter().collect();
        let classes = classify_batch(&refs, &stored);
        assert_eq!(
            classes,
            [
                Classification::DuplicateOfStored,
                Classification::Conflict,
                Classification::New,
                Classification::DuplicateInBatch,
                Classification::Conflict,
            ]
        );
        let ids: Vec<String> = conflicting_ids(&refs, &classes).iter().map(ToString::to_string).collect();
        assert_eq!(ids, ["s", "n"]);
    }

    #[test]
    fn a_duplicate_of_a_stored_record_is_not_rechecked() {
        // Stored while the subscription ran; the subscription has ended since.
        let old = UsageRecordDraft {
            subscription_id: ENDED_SUB.to_string(),
            period_start: utc(2026, 1, 10, 0, 0),
            period_end: utc(2026, 1, 10, 1, 0),
            ..draft("old", "1")
        };
        let mut subs = contexts();
        if let Some(s) = subs.get_mut(&ENDED_SUB) {
            s.active_term = None;
        }
        let stored = stored_map(&[(old.clone(), "1")]);
        let accepted = validate_batch(&[old], PROVIDER, &subs, &stored, now(), DEFAULT_MAX_BATCH_RECORDS).unwrap();
        assert_eq!((accepted.accepted(), accepted.duplicates), (0, 1));
    }

    #[test]
    fn invalid_records_are_reported_before_conflicts() {
        let stored = stored_map(&[(draft("a", "1"), "1")]);
        let refused = validate(&[draft("a", "2"), draft("b", "-1")], &stored).unwrap_err();
        assert_eq!(codes_of(&refused), [(1, vec!["negative_quantity"])]);
    }

    #[test]
    fn corrections_reference_a_stored_original() {
        let stored = stored_map(&[(draft("orig", "10"), "10"), (correction("fix", "orig", "-1"), "-1")]);
        let accepted = validate(&[correction("c1", "orig", "-4"), correction("c2", "orig", "2.5")], &stored).unwrap();
        assert_eq!(accepted.accepted(), 2);
        assert_eq!(accepted.records[0].corrects, Some(ProviderRecordId::parse("orig").unwrap()));

        let refused = validate(
            &[
                correction("c3", "missing", "1"),
                correction("c4", "fix", "1"),
                UsageRecordDraft {
                    metric: "storage_gb_month".into(),
                    period_end: utc(2026, 3, 2, 5, 0),
                    ..correction("c5", "orig", "1")
                },
                correction("c6", "orig", "0"),
                // Same batch: the original must be stored in an earlier batch.
                draft("new", "1"),
                correction("c7", "new", "-1"),
            ],
            &stored,
        )
        .unwrap_err();
        assert_eq!(
            codes_of(&refused),
            [
                (0, vec!["correction_target_not_found"]),
                (1, vec!["correction_of_correction"]),
                (2, vec!["correction_mismatch"]),
                (3, vec!["zero_correction"]),
                (5, vec!["correction_target_not_found"]),
            ]
        );
        let BatchRefused::InvalidRecords(bad) = &refused else { unreachable!() };
        assert!(bad[2].problems[0].message.contains("metric, period_start/period_end"));
    }

    #[test]
    fn corrections_never_take_the_net_quantity_below_zero() {
        // Stored: 10 originally, already corrected by -1: net 9.
        let stored = stored_map(&[(draft("orig", "10"), "9")]);
        // Exactly to zero is allowed.
        assert!(validate(&[correction("c1", "orig", "-9")], &stored).is_ok());
        // Two corrections in one batch that together go below zero are both named.
        let refused = validate(
            &[correction("c1", "orig", "-5"), draft("x", "1"), correction("c2", "orig", "-4.000001")],
            &stored,
        )
        .unwrap_err();
        assert_eq!(codes_of(&refused), [(0, vec!["net_quantity_below_zero"]), (2, vec!["net_quantity_below_zero"]),]);
        // A repeated identical correction counts once.
        assert_eq!(
            validate(&[correction("c1", "orig", "-5"), correction("c1", "orig", "-5")], &stored).unwrap().duplicates,
            1
        );
    }

    #[test]
    fn quantities_are_bounded_so_storage_sums_stay_exact() {
        let limit = QUANTITY_LIMIT.to_string();
        assert!(UsageRecord::parse(&draft("a", &limit)).is_ok());
        assert!(UsageRecord::parse(&correction("b", "a", &format!("-{limit}"))).is_ok());
        let over = UsageRecord::parse(&draft("c", "1000000000.000001")).unwrap_err();
        assert_eq!((over[0].field, over[0].reason), ("quantity", UsageReason::InvalidQuantity));
        assert!(over[0].message.contains("between -1000000000 and 1000000000"), "{}", over[0].message);
        assert!(UsageRecord::parse(&draft("d", "-1000000001")).is_err());
    }

    fn stored_subscription(status: SubscriptionStatus, add_ons: &[u128]) -> Subscription {
        use crate::subscription::{SubscribedAddOn, SubscriptionOrigin, Term};
        Subscription {
            id: SUB,
            agency: AGENCY,
            provider: PROVIDER,
            offering: OfferingId::from_uuid(Uuid::from_u128(1)),
            kind: crate::service::ServiceKind::Compute,
            quantities: BTreeMap::new(),
            add_ons: add_ons
                .iter()
                .map(|n| SubscribedAddOn {
                    offering: OfferingId::from_uuid(Uuid::from_u128(*n)),
                    quantities: BTreeMap::new(),
                    sla: None,
                })
                .collect(),
            term: Term::new(utc(2026, 1, 1, 0, 0), Some(utc(2026, 6, 1, 0, 0))).unwrap(),
            sla: crate::sla_terms::SlaTerms::parse(&crate::sla_terms::tests::standard_draft()).unwrap(),
            status,
            origin: SubscriptionOrigin::PreExisting,
            version: 1,
        }
    }

    #[test]
    fn gsi_7_1_only_subscriptions_that_became_active_are_metered() {
        use SubscriptionStatus::{Active, Pending, Provisioning, Suspended, Terminated};
        let term = Some(ActiveTerm { start: utc(2026, 1, 1, 0, 0), end: Some(utc(2026, 6, 1, 0, 0)) });
        for (status, expected) in
            [(Pending, None), (Provisioning, None), (Active, term), (Suspended, term), (Terminated, term)]
        {
            assert_eq!(active_term(&stored_subscription(status, &[])), expected, "{status}");
        }
    }

    #[test]
    fn gsi_7_1_metrics_are_priced_by_the_base_offering_then_its_add_ons() {
        let offering = |n| OfferingId::from_uuid(Uuid::from_u128(n));
        let subscription = stored_subscription(SubscriptionStatus::Active, &[2, 3]);
        let priced: BTreeMap<OfferingId, BTreeSet<Metric>> = [
            (offering(1), [Metric::VcpuHour, Metric::StorageGbMonth].into()),
            // The add-on also prices storage: the base offering's price wins.
            (offering(2), [Metric::BackupGbMonth, Metric::StorageGbMonth].into()),
            (offering(3), [Metric::BackupGbMonth, Metric::PublicIpMonth].into()),
            // Not on this subscription.
            (offering(9), [Metric::Kwh].into()),
        ]
        .into();
        let pricing = pricing_offerings(&subscription, &priced);
        assert_eq!(
            pricing,
            [
                (Metric::VcpuHour, offering(1)),
                (Metric::StorageGbMonth, offering(1)),
                (Metric::BackupGbMonth, offering(2)),
                (Metric::PublicIpMonth, offering(3)),
            ]
            .into()
        );
        let context = SubscriptionContext::of(&subscription, &pricing);
        assert_eq!((context.subscription, context.provider, context.agency), (SUB, PROVIDER, AGENCY));
        assert_eq!(context.priced_metrics.len(), 4);
        assert!(!context.priced_metrics.contains(&Metric::Kwh));
        assert_eq!(context.active_term, active_term(&subscription));
    }

    #[test]
    fn a_positive_correction_is_allowed() {
        let stored = stored_map(&[(draft("orig", "1"), "1")]);
        let accepted = validate(&[correction("up", "orig", "3")], &stored).unwrap();
        assert_eq!(accepted.records[0].quantity, Quantity::parse("3").unwrap());
    }
}
