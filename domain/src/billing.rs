//! Rating usage under the reference-price cap (GSI-7.1), costs for agencies (GSI-7.5.3) and
//! monthly statements per agency and provider (the monthly figures of GSI-13.3).
//!
//! Rules decided here:
//! - A record is rated at the unit price and the reference price in force at its period start
//!   ([`pricing_instant`]); the caller looks both up in the price histories. A correction has
//!   its original's period, so it is rated at the original's prices.
//! - The cap: effective unit price = min(unit price, reference price). With no reference price
//!   in force there is nothing to cap at. `cap_applied` only when the reference is strictly
//!   lower.
//! - One rated line per usage record; its amount is `money::charge(quantity, effective price)`
//!   (exact product, rounded once to the satang, half away from zero). Every total is a sum of
//!   rounded lines, so a statement adds up to its lines.
//! - Costs (GSI-7.5.3) are grouped by USAGE month (the Asia/Bangkok month of the period, see
//!   `UsagePeriod::month`): they show what was used when, late usage included. Statements are
//!   billing documents: late usage for an issued month is billed in a later statement.
//! - A provider closes a month for all the agencies it serves at once, and only once the month
//!   has ended in Bangkok; the statements of that month become issued and never change. Late
//!   usage lands in the first later month the provider has not closed, as an adjustment line
//!   dated by its arrival and naming its usage month.
//! - Usage from before the offering's first price for the metric (a contract registered
//!   with a start before the offering was published in the hub) is rated at that first
//!   price, the one the contract entered the hub with; the cap still applies as in force
//!   at the usage time ([`unit_price_at`]).
//! - A record whose amount cannot be represented is refused with the batch, like any bad
//!   record ([`rate_batch`]).
//! - The cost history covers at most [`MAX_HISTORY_MONTHS`] months per request, and only
//!   months that have ended; by default the twelve months before the current one
//!   ([`history_range`]).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};

use crate::access::Access;
use crate::calendar::Month;
use crate::catalog::OfferingDetails;
use crate::ids::{Id, OrganisationId};
use crate::money::{Money, MoneyError, Quantity, UnitPrice, charge};
use crate::pricing::{PricePoint, ReferencePrice, price_in_force, reference_price_in_force};
use crate::role::{Actor, Role};
use crate::service::{Metric, ServiceKind, vocabulary};
use crate::usage::{
    AcceptedBatch, BadRecord, BatchRefused, ProviderRecordId, SubscriptionContext, SubscriptionId, UsagePeriod,
    UsageProblem, UsageReason, UsageRecord, UsageRecordDraft, UsageRecordId,
};
use crate::validation::ValidationErrors;

/// Marker for monthly statements.
pub enum StatementMarker {}
pub type StatementId = Id<StatementMarker>;

/// The instant whose prices apply to a record: its period start (GSI-7.1).
pub fn pricing_instant(period: UsagePeriod) -> DateTime<Utc> {
    period.start()
}

/// The metrics an offering prices for usage: those of its current pricing that have a price
/// history (a published or retired offering; a draft has none).
pub fn priced_metrics(offering: &OfferingDetails, history: &[PricePoint]) -> BTreeSet<Metric> {
    offering.pricing.metrics().into_iter().filter(|m| history.iter().any(|p| p.metric == *m)).collect()
}

/// The offering's unit price for `metric` at `at`: the one in force then or, for usage from
/// before the metric's first price, that first price. `None` if the metric was never priced.
pub fn unit_price_at(history: &[PricePoint], metric: Metric, at: DateTime<Utc>) -> Option<UnitPrice> {
    price_in_force(history, metric, at)
        .or_else(|| history.iter().filter(|p| p.metric == metric).min_by_key(|p| p.effective_from))
        .map(|p| p.unit_price)
}

/// The prices a usage record is rated at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prices {
    pub unit_price: UnitPrice,
    /// The reference price in force for the pricing offering's kind, if any.
    pub reference_price: Option<UnitPrice>,
}

/// GSI-7.1: the prices for `metric` at `at` from the offering's price `history` and the
/// `references` for its `kind`.
pub fn prices_at(
    history: &[PricePoint],
    references: &[ReferencePrice],
    kind: ServiceKind,
    metric: Metric,
    at: DateTime<Utc>,
) -> Option<Prices> {
    Some(Prices {
        unit_price: unit_price_at(history, metric, at)?,
        reference_price: reference_price_in_force(references, kind, metric, at).map(|r| r.unit_price),
    })
}

/// A priced quantity, keeping every input of the price so that an agency can check it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatedLine {
    pub quantity: Quantity,
    /// The offering's price in force at the usage time.
    pub unit_price: UnitPrice,
    /// The government reference price in force then, if any.
    pub reference_price: Option<UnitPrice>,
    /// The price charged: the unit price capped at the reference price.
    pub effective_price: UnitPrice,
    pub amount: Money,
    pub cap_applied: bool,
}

/// GSI-7.1: prices never exceed the reference price, so a unit price above it is charged at
/// the reference price.
pub fn rate(
    quantity: Quantity,
    unit_price: UnitPrice,
    reference_price: Option<UnitPrice>,
) -> Result<RatedLine, MoneyError> {
    let cap = reference_price.filter(|reference| *reference < unit_price);
    let effective_price = cap.unwrap_or(unit_price);
    Ok(RatedLine {
        quantity,
        unit_price,
        reference_price,
        effective_price,
        amount: charge(quantity, effective_price)?,
        cap_applied: cap.is_some(),
    })
}

/// A stored usage record with its rating and the parties it is billed between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedUsage {
    pub id: UsageRecordId,
    pub record: UsageRecord,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    /// When the batch holding it was accepted; dates adjustment lines.
    pub recorded_at: DateTime<Utc>,
    pub rating: RatedLine,
}

impl RatedUsage {
    pub fn usage_month(&self) -> Month {
        self.record.period.month()
    }
}

/// Rates an accepted record with the prices in force at [`pricing_instant`].
pub fn rate_usage(
    id: UsageRecordId,
    record: UsageRecord,
    subscription: &SubscriptionContext,
    recorded_at: DateTime<Utc>,
    unit_price: UnitPrice,
    reference_price: Option<UnitPrice>,
) -> Result<RatedUsage, MoneyError> {
    let rating = rate(record.quantity, unit_price, reference_price)?;
    Ok(RatedUsage { id, record, agency: subscription.agency, provider: subscription.provider, recorded_at, rating })
}

/// Rates the new records of an accepted batch at [`pricing_instant`] (GSI-7.1), each with a
/// fresh id in batch order, all received at `recorded_at`. `prices_of` looks the prices up
/// ([`prices_at`]). A record without prices or whose amount is out of range is refused by
/// its index in `drafts`, and with it the whole batch.
pub fn rate_batch(
    drafts: &[UsageRecordDraft],
    accepted: AcceptedBatch,
    subscriptions: &BTreeMap<SubscriptionId, SubscriptionContext>,
    recorded_at: DateTime<Utc>,
    prices_of: impl Fn(&UsageRecord) -> Option<Prices>,
) -> Result<Vec<RatedUsage>, BatchRefused> {
    // UUIDv7 ids share the instant; sorted, they keep the batch order (statement line order).
    let mut ids: Vec<UsageRecordId> = accepted.records.iter().map(|_| UsageRecordId::new_v7(recorded_at)).collect();
    ids.sort();
    let mut rated = Vec::with_capacity(accepted.records.len());
    let mut bad = Vec::new();
    for (record, id) in accepted.records.into_iter().zip(ids) {
        let problem = |reason, field, message: String| {
            let index = drafts.iter().position(|d| d.record_id == record.record_id.as_str()).unwrap_or_default();
            BadRecord {
                index,
                record_id: record.record_id.to_string(),
                problems: vec![UsageProblem::new(reason, field, message)],
            }
        };
        let Some((context, prices)) = subscriptions.get(&record.subscription).zip(prices_of(&record)) else {
            bad.push(problem(
                UsageReason::MetricNotPriced,
                "metric",
                format!("no price for `{}` at {}", record.metric, format_instant(pricing_instant(record.period))),
            ));
            continue;
        };
        match rate_usage(id, record.clone(), context, recorded_at, prices.unit_price, prices.reference_price) {
            Ok(usage) => rated.push(usage),
            Err(e) => bad.push(problem(
                UsageReason::AmountOutOfRange,
                "quantity",
                format!("{} × {} THB cannot be billed: {e}", record.quantity, prices.unit_price),
            )),
        }
    }
    if bad.is_empty() {
        Ok(rated)
    } else {
        bad.sort_by_key(|b| b.index);
        Err(BatchRefused::InvalidRecords(bad))
    }
}

/// One metric's usage and cost within a subscription and month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricCost {
    pub metric: Metric,
    /// Net quantity (corrections included).
    pub quantity: Quantity,
    /// Sum of the rounded line amounts.
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionCost {
    pub subscription: SubscriptionId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    /// By metric, in metric order.
    pub metrics: Vec<MetricCost>,
    pub total: Money,
}

/// GSI-7.5.3: the cost of one Asia/Bangkok month, per subscription and in total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCosts {
    pub month: Month,
    /// By subscription id.
    pub subscriptions: Vec<SubscriptionCost>,
    pub total: Money,
}

type MetricSums = BTreeMap<Metric, (Quantity, Money)>;

/// The usage of one metric on one subscription in one month, summed (corrections included):
/// what storage aggregates, so that costs need not load every record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageSum {
    pub month: Month,
    pub subscription: SubscriptionId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub metric: Metric,
    pub quantity: Quantity,
    /// Sum of the rounded line amounts.
    pub amount: Money,
}

/// The costs of the usage of `month` among `usages` (which the caller has already limited to
/// what the reader may see, [`cost_scope`]).
pub fn month_costs(usages: &[RatedUsage], month: Month) -> Result<MonthCosts, MoneyError> {
    let sums: Vec<UsageSum> = usages
        .iter()
        .filter(|u| u.usage_month() == month)
        .map(|u| UsageSum {
            month,
            subscription: u.record.subscription,
            agency: u.agency,
            provider: u.provider,
            metric: u.record.metric,
            quantity: u.rating.quantity,
            amount: u.rating.amount,
        })
        .collect();
    month_costs_from_sums(month, &sums)
}

/// The costs of `month` from summed usage (sums of other months are ignored); several sums
/// for one subscription and metric add up.
pub fn month_costs_from_sums(month: Month, sums: &[UsageSum]) -> Result<MonthCosts, MoneyError> {
    let mut by_subscription: BTreeMap<SubscriptionId, (OrganisationId, OrganisationId, MetricSums)> = BTreeMap::new();
    for sum in sums.iter().filter(|s| s.month == month) {
        let (_, _, metrics) =
            by_subscription.entry(sum.subscription).or_insert_with(|| (sum.agency, sum.provider, BTreeMap::new()));
        let (quantity, amount) = metrics.entry(sum.metric).or_insert((Quantity::ZERO, Money::ZERO));
        *quantity = quantity.checked_add(sum.quantity).ok_or(MoneyError::Overflow)?;
        *amount = amount.checked_add(sum.amount).ok_or(MoneyError::Overflow)?;
    }
    let mut subscriptions = Vec::with_capacity(by_subscription.len());
    for (subscription, (agency, provider, metrics)) in by_subscription {
        let metrics: Vec<MetricCost> =
            metrics.into_iter().map(|(metric, (quantity, amount))| MetricCost { metric, quantity, amount }).collect();
        let total = Money::sum(metrics.iter().map(|m| &m.amount)).ok_or(MoneyError::Overflow)?;
        subscriptions.push(SubscriptionCost { subscription, agency, provider, metrics, total });
    }
    let total = Money::sum(subscriptions.iter().map(|s| &s.total)).ok_or(MoneyError::Overflow)?;
    Ok(MonthCosts { month, subscriptions, total })
}

/// GSI-7.5.3 "current cost": the current Bangkok month so far.
pub fn month_to_date(usages: &[RatedUsage], now: DateTime<Utc>) -> Result<MonthCosts, MoneyError> {
    month_costs(usages, Month::containing(now))
}

/// GSI-7.5.3 "historical cost": every month before the current one that has usage, newest
/// first.
pub fn cost_history(usages: &[RatedUsage], now: DateTime<Utc>) -> Result<Vec<MonthCosts>, MoneyError> {
    let current = Month::containing(now);
    let months: BTreeSet<Month> = usages.iter().map(RatedUsage::usage_month).filter(|m| *m < current).collect();
    months.into_iter().rev().map(|month| month_costs(usages, month)).collect()
}

/// Every month that has summed usage, with its costs, newest first.
pub fn costs_by_month(sums: &[UsageSum]) -> Result<Vec<MonthCosts>, MoneyError> {
    let months: BTreeSet<Month> = sums.iter().map(|s| s.month).collect();
    months.into_iter().rev().map(|month| month_costs_from_sums(month, sums)).collect()
}

/// How many months one cost-history request may cover.
pub const MAX_HISTORY_MONTHS: u32 = 120;

/// GSI-7.5.3: the months `[from, to]` a cost-history request covers. Both are optional:
/// `to` defaults to the month before the current one (Bangkok), `from` to eleven months
/// before `to`. Only ended months are history (the current month is the month-to-date cost),
/// `from` must not be after `to`, and at most [`MAX_HISTORY_MONTHS`] months are covered.
/// Errors name `from` or `to`.
pub fn history_range(
    from: Option<Month>,
    to: Option<Month>,
    now: DateTime<Utc>,
) -> Result<(Month, Month), ValidationErrors> {
    let current = Month::containing(now);
    let to = to.unwrap_or_else(|| current.previous());
    let from = from.unwrap_or_else(|| (0..11).fold(to, |m, _| m.previous()));
    let mut errors = ValidationErrors::new();
    if to >= current {
        errors.add(
            "to",
            "not_ended",
            format!("must be before the current month {current}; its cost so far is GET /v1/costs/current"),
        );
    }
    if from > to {
        errors.add("from", "after_to", format!("must not be after to ({to})"));
    } else if months_between(from, to) >= MAX_HISTORY_MONTHS {
        errors.add("from", "range_too_long", format!("at most {MAX_HISTORY_MONTHS} months per request"));
    }
    errors.finish(|| Some((from, to)))
}

fn months_between(from: Month, to: Month) -> u32 {
    let index = |m: Month| i64::from(m.year()) * 12 + i64::from(m.month());
    u32::try_from(index(to) - index(from)).unwrap_or(u32::MAX)
}

/// Whose costs and usage a reader may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CostScope {
    Everything,
    /// An agency's own costs, across all its providers.
    Agency(OrganisationId),
    /// A provider's costs for the agencies it serves.
    Provider(OrganisationId),
    Nothing,
}

/// GSI-7.5.3: agencies see their own costs; providers the same for the agencies they serve;
/// GIX everything (GSI-7.6, 13.3); assessors audit providers, not bills.
pub fn cost_scope(actor: &Actor) -> CostScope {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser => CostScope::Agency(actor.organisation),
        Role::ProviderOperator => CostScope::Provider(actor.organisation),
        Role::GixOfficer => CostScope::Everything,
        Role::Assessor => CostScope::Nothing,
    }
}

impl CostScope {
    pub fn includes(self, agency: OrganisationId, provider: OrganisationId) -> bool {
        match self {
            CostScope::Everything => true,
            CostScope::Agency(own) => own == agency,
            CostScope::Provider(own) => own == provider,
            CostScope::Nothing => false,
        }
    }
}

/// Statements: the agency and GIX read them; the serving provider also closes the month.
pub fn statement_access(actor: &Actor, agency: OrganisationId, provider: OrganisationId) -> Access {
    match actor.role {
        Role::ProviderOperator if actor.organisation == provider => Access::ReadWrite,
        Role::AgencyAdmin | Role::AgencyUser if actor.organisation == agency => Access::Read,
        Role::GixOfficer => Access::Read,
        Role::ProviderOperator | Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => Access::None,
    }
}

/// Only the provider's own staff close its months.
pub fn may_close_month(actor: &Actor, provider: OrganisationId) -> bool {
    match actor.role {
        Role::ProviderOperator => actor.organisation == provider,
        Role::AgencyAdmin | Role::AgencyUser | Role::GixOfficer | Role::Assessor => false,
    }
}

vocabulary!(
    /// A statement is open while usage may still be added, issued once the month is closed.
    StatementStatus, "statement status" {
        Open => "open",
        Issued => "issued",
    }
);

vocabulary!(
    StatementAction, "statement action" {
        /// Add a rated usage record (or a late one, as an adjustment).
        AppendLine => "append_line",
        /// The provider closes the month: the statement is issued.
        Close => "close",
    }
);

/// What may be done to a statement in a state: nothing once issued.
pub fn allowed_actions(state: StatementStatus) -> Vec<StatementAction> {
    match state {
        StatementStatus::Open => vec![StatementAction::AppendLine, StatementAction::Close],
        StatementStatus::Issued => Vec::new(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefusalReason {
    /// The action is not allowed from this state at all.
    NotAllowedFromState,
    /// Closing is allowed from this state, but only after the month has ended in Bangkok.
    MonthNotEnded { month: Month, ends_at: DateTime<Utc> },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TransitionRefused {
    pub state: StatementStatus,
    pub action: StatementAction,
    pub allowed: Vec<StatementAction>,
    pub reason: RefusalReason,
}

impl fmt::Display for TransitionRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let allowed: Vec<&str> = self.allowed.iter().map(|a| a.as_str()).collect();
        let allowed = if allowed.is_empty() { "none".to_owned() } else { allowed.join(", ") };
        match self.reason {
            RefusalReason::NotAllowedFromState => {
                write!(f, "`{}` is not allowed on an {} statement (allowed: {allowed})", self.action, self.state)
            }
            RefusalReason::MonthNotEnded { month, ends_at } => {
                write!(f, "month {month} cannot be closed before it ends in Asia/Bangkok ({})", format_instant(ends_at))
            }
        }
    }
}

/// A month can be closed once it has ended in Asia/Bangkok (at or after 00:00 on the 1st of
/// the next month, Bangkok time): before then usage for it may still occur.
pub fn month_has_ended(month: Month, now: DateTime<Utc>) -> bool {
    now >= month.end()
}

/// The statement life cycle. `month` and `now` decide whether the month may be closed yet.
pub fn transition(
    state: StatementStatus,
    action: StatementAction,
    month: Month,
    now: DateTime<Utc>,
) -> Result<StatementStatus, TransitionRefused> {
    let refuse = |reason| TransitionRefused { state, action, allowed: allowed_actions(state), reason };
    match (state, action) {
        (StatementStatus::Open, StatementAction::AppendLine) => Ok(StatementStatus::Open),
        (StatementStatus::Open, StatementAction::Close) => {
            if month_has_ended(month, now) {
                Ok(StatementStatus::Issued)
            } else {
                Err(refuse(RefusalReason::MonthNotEnded { month, ends_at: month.end() }))
            }
        }
        (StatementStatus::Issued, StatementAction::AppendLine | StatementAction::Close) => {
            Err(refuse(RefusalReason::NotAllowedFromState))
        }
    }
}

/// The statement month usage of `usage_month` goes into, and whether it is an adjustment
/// there: its own month unless the provider has issued it, else the first later month not
/// issued. `issued_months` are the months the serving provider has closed.
pub fn statement_month_for(usage_month: Month, issued_months: &BTreeSet<Month>) -> (Month, bool) {
    let mut month = usage_month;
    while issued_months.contains(&month) {
        month = month.next();
    }
    (month, month != usage_month)
}

vocabulary!(
    LineKind, "statement line kind" {
        /// Usage of the statement's own month.
        Usage => "usage",
        /// Late usage (or a correction) of an earlier, already issued month.
        Adjustment => "adjustment",
    }
);

/// One rated usage record on a statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub kind: LineKind,
    pub usage_record: UsageRecordId,
    pub record_id: ProviderRecordId,
    pub corrects: Option<ProviderRecordId>,
    pub subscription: SubscriptionId,
    pub metric: Metric,
    pub period: UsagePeriod,
    /// The month the usage belongs to; earlier than the statement's month on an adjustment.
    pub usage_month: Month,
    /// When the usage arrived: the date of an adjustment.
    pub recorded_at: DateTime<Utc>,
    pub rating: RatedLine,
}

impl StatementLine {
    /// The statement month a rated record goes into, and its line there.
    pub fn place(rated: &RatedUsage, issued_months: &BTreeSet<Month>) -> (Month, StatementLine) {
        let usage_month = rated.usage_month();
        let (month, is_adjustment) = statement_month_for(usage_month, issued_months);
        let line = StatementLine {
            kind: if is_adjustment { LineKind::Adjustment } else { LineKind::Usage },
            usage_record: rated.id,
            record_id: rated.record.record_id.clone(),
            corrects: rated.record.corrects.clone(),
            subscription: rated.record.subscription,
            metric: rated.record.metric,
            period: rated.record.period,
            usage_month,
            recorded_at: rated.recorded_at,
            rating: rated.rating,
        };
        (month, line)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendRefused {
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    /// The usage is billed between other parties or in another month.
    #[error("the usage belongs on the statement of {agency} with {provider} for {month}")]
    BelongsElsewhere { agency: OrganisationId, provider: OrganisationId, month: Month },
}

/// The statement of one agency with one provider for one Asia/Bangkok month. Issued
/// statements never change: lines are only added through [`Statement::append`] while open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    id: StatementId,
    agency: OrganisationId,
    provider: OrganisationId,
    month: Month,
    status: StatementStatus,
    issued_at: Option<DateTime<Utc>>,
    lines: Vec<StatementLine>,
}

impl Statement {
    pub fn open(id: StatementId, agency: OrganisationId, provider: OrganisationId, month: Month) -> Self {
        Self { id, agency, provider, month, status: StatementStatus::Open, issued_at: None, lines: Vec::new() }
    }

    /// Rebuilds a stored statement (for repositories); the rules ran when it was stored.
    pub fn from_parts(
        id: StatementId,
        agency: OrganisationId,
        provider: OrganisationId,
        month: Month,
        issued_at: Option<DateTime<Utc>>,
        lines: Vec<StatementLine>,
    ) -> Self {
        Self {
            id,
            agency,
            provider,
            month,
            status: if issued_at.is_some() { StatementStatus::Issued } else { StatementStatus::Open },
            issued_at,
            lines,
        }
    }

    pub fn id(&self) -> StatementId {
        self.id
    }
    pub fn agency(&self) -> OrganisationId {
        self.agency
    }
    pub fn provider(&self) -> OrganisationId {
        self.provider
    }
    pub fn month(&self) -> Month {
        self.month
    }
    pub fn status(&self) -> StatementStatus {
        self.status
    }
    pub fn issued_at(&self) -> Option<DateTime<Utc>> {
        self.issued_at
    }
    pub fn lines(&self) -> &[StatementLine] {
        &self.lines
    }

    /// Adds a rated record if it belongs here: same agency and provider, and placed in this
    /// month by [`statement_month_for`] (its own month, or as an adjustment).
    pub fn append(&mut self, rated: &RatedUsage, issued_months: &BTreeSet<Month>) -> Result<(), AppendRefused> {
        let (month, line) = StatementLine::place(rated, issued_months);
        if rated.agency != self.agency || rated.provider != self.provider || month != self.month {
            return Err(AppendRefused::BelongsElsewhere { agency: rated.agency, provider: rated.provider, month });
        }
        self.status = transition(self.status, StatementAction::AppendLine, self.month, rated.recorded_at)?;
        self.lines.push(line);
        Ok(())
    }

    /// The provider closes the month: the statement is issued at `now`.
    pub fn close(&mut self, now: DateTime<Utc>) -> Result<(), TransitionRefused> {
        self.status = transition(self.status, StatementAction::Close, self.month, now)?;
        self.issued_at = Some(now);
        Ok(())
    }

    /// The sum of the rounded line amounts.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.total_of(|_| true)
    }

    pub fn usage_total(&self) -> Result<Money, MoneyError> {
        self.total_of(|l| l.kind == LineKind::Usage)
    }

    pub fn adjustment_total(&self) -> Result<Money, MoneyError> {
        self.total_of(|l| l.kind == LineKind::Adjustment)
    }

    fn total_of(&self, include: impl Fn(&StatementLine) -> bool) -> Result<Money, MoneyError> {
        Money::sum(self.lines.iter().filter(|l| include(l)).map(|l| &l.rating.amount)).ok_or(MoneyError::Overflow)
    }
}

/// Instants as both the CSV and the JSON of a statement write them: RFC 3339 in UTC with `Z`,
/// fractional seconds only when present (`2026-01-31T23:30:00Z`).
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The CSV columns of a statement line; the JSON of a line uses the same names and texts.
pub const CSV_COLUMNS: [&str; 16] = [
    "line_kind",
    "usage_month",
    "subscription_id",
    "usage_record_id",
    "record_id",
    "corrects",
    "metric",
    "period_start",
    "period_end",
    "recorded_at",
    "quantity",
    "unit_price",
    "reference_price",
    "effective_price",
    "cap_applied",
    "amount",
];

/// A line's fields as text, in [`CSV_COLUMNS`] order. Amounts have two decimal places, prices
/// and quantities their exact decimals; an absent value is empty.
pub fn csv_fields(line: &StatementLine) -> [String; 16] {
    let r = &line.rating;
    [
        line.kind.as_str().to_owned(),
        line.usage_month.to_string(),
        line.subscription.to_string(),
        line.usage_record.to_string(),
        line.record_id.to_string(),
        line.corrects.as_ref().map(ToString::to_string).unwrap_or_default(),
        line.metric.as_str().to_owned(),
        format_instant(line.period.start()),
        format_instant(line.period.end()),
        format_instant(line.recorded_at),
        r.quantity.to_string(),
        r.unit_price.to_string(),
        r.reference_price.map(|p| p.to_string()).unwrap_or_default(),
        r.effective_price.to_string(),
        r.cap_applied.to_string(),
        r.amount.to_string(),
    ]
}

#[cfg(test)]
fn csv_field(text: &str) -> std::borrow::Cow<'_, str> {
    crate::csv::field(text)
}

fn push_csv_record<S: AsRef<str>>(out: &mut String, fields: &[S]) {
    crate::csv::push_record(out, fields)
}

/// A statement as CSV (RFC 4180, CRLF line ends): the header, then one row per line in
/// statement order. The total is the sum of the `amount` column.
pub fn render_csv(statement: &Statement) -> String {
    let mut out = String::new();
    push_csv_record(&mut out, &CSV_COLUMNS);
    for line in statement.lines() {
        push_csv_record(&mut out, &csv_fields(line));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::role::Subject;
    use crate::usage::tests::{AGENCY, PROVIDER, SUB, context, draft, utc};
    use uuid::Uuid;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }
    fn p(s: &str) -> UnitPrice {
        UnitPrice::parse(s).unwrap()
    }
    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }

    #[test]
    fn gsi_7_1_price_below_the_cap_is_charged_as_is() {
        let line = rate(q("10"), p("2.5"), Some(p("3"))).unwrap();
        assert_eq!(line.effective_price, p("2.5"));
        assert_eq!(line.amount, Money::parse("25").unwrap());
        assert!(!line.cap_applied);
        assert_eq!(line.reference_price, Some(p("3")));
    }

    #[test]
    fn gsi_7_1_price_at_the_cap_is_charged_as_is() {
        let line = rate(q("10"), p("3"), Some(p("3.000"))).unwrap();
        assert_eq!(line.effective_price, p("3"));
        assert_eq!(line.amount, Money::parse("30").unwrap());
        assert!(!line.cap_applied);
    }

    #[test]
    fn gsi_7_1_price_above_the_cap_is_charged_at_the_reference_price() {
        let line = rate(q("10"), p("3.5"), Some(p("3"))).unwrap();
        assert_eq!(line.unit_price, p("3.5"));
        assert_eq!(line.effective_price, p("3"));
        assert_eq!(line.amount, Money::parse("30").unwrap());
        assert!(line.cap_applied);
    }

    #[test]
    fn gsi_7_1_without_a_reference_price_nothing_is_capped() {
        let line = rate(q("2"), p("1000"), None).unwrap();
        assert_eq!(line.effective_price, p("1000"));
        assert_eq!(line.amount, Money::parse("2000").unwrap());
        assert!(!line.cap_applied);
    }

    #[test]
    fn rating_rounds_once_half_away_from_zero_after_the_cap() {
        // 3 × 0.335 (capped from 0.5) = 1.005 → 1.01
        let line = rate(q("3"), p("0.5"), Some(p("0.335"))).unwrap();
        assert_eq!(line.amount, Money::from_satang(101));
        // 3 × 0.3349 = 1.0047 → 1.00
        assert_eq!(rate(q("3"), p("0.3349"), None).unwrap().amount, Money::from_satang(100));
        // A negative correction rounds symmetrically: -1.005 → -1.01.
        assert_eq!(rate(q("-3"), p("0.5"), Some(p("0.335"))).unwrap().amount, Money::from_satang(-101));
        // Fractions of a satang per unit: 1,234.5 GB × 0.000125 = 0.1543125 → 0.15
        assert_eq!(rate(q("1234.5"), p("0.000125"), None).unwrap().amount, Money::from_satang(15));
    }

    fn rated(record_id: &str, quantity: &str, start: DateTime<Utc>, minutes: i64) -> RatedUsage {
        let d = crate::usage::UsageRecordDraft {
            period_start: start,
            period_end: start + chrono::Duration::minutes(minutes),
            ..draft(record_id, quantity)
        };
        let record = UsageRecord::parse(&d).unwrap();
        let id = UsageRecordId::from_uuid(Uuid::new_v4());
        rate_usage(id, record, &context(), start + chrono::Duration::days(1), p("0.335"), None).unwrap()
    }

    #[test]
    fn rated_usage_carries_the_parties_and_is_priced_at_period_start() {
        let r = rated("a", "3", utc(2026, 3, 2, 3, 0), 60);
        assert_eq!((r.agency, r.provider), (AGENCY, PROVIDER));
        assert_eq!(r.rating.amount, Money::from_satang(101));
        assert_eq!(pricing_instant(r.record.period), utc(2026, 3, 2, 3, 0));
    }

    #[test]
    fn usage_at_2330_utc_on_the_last_day_costs_in_the_next_bangkok_month() {
        let late = rated("late", "1", utc(2026, 1, 31, 23, 30), 15);
        let early = rated("early", "1", utc(2026, 1, 31, 16, 0), 60);
        assert_eq!(late.usage_month(), month(2026, 2));
        assert_eq!(early.usage_month(), month(2026, 1));
        let usages = [late, early];
        let jan = month_costs(&usages, month(2026, 1)).unwrap();
        let feb = month_costs(&usages, month(2026, 2)).unwrap();
        assert_eq!(jan.total, Money::from_satang(34));
        assert_eq!(feb.total, Money::from_satang(34));
        assert_eq!(feb.subscriptions[0].metrics[0].quantity, q("1"));
    }

    #[test]
    fn gsi_7_5_3_month_costs_per_subscription_and_metric() {
        let other_sub = SubscriptionId::from_uuid(Uuid::from_u128(555));
        let mut storage = rated("s", "2", utc(2026, 3, 3, 0, 0), 60);
        storage.record.metric = Metric::StorageGbMonth;
        let mut elsewhere = rated("o", "1", utc(2026, 3, 3, 0, 0), 60);
        elsewhere.record.subscription = other_sub;
        let usages = [
            rated("a", "1", utc(2026, 3, 1, 0, 0), 60),
            rated("b", "1", utc(2026, 3, 2, 0, 0), 60),
            storage,
            elsewhere,
            rated("feb", "100", utc(2026, 2, 10, 0, 0), 60),
        ];
        let costs = month_costs(&usages, month(2026, 3)).unwrap();
        assert_eq!(costs.subscriptions.len(), 2);
        let sub = costs.subscriptions.iter().find(|s| s.subscription == SUB).unwrap();
        assert_eq!(
            sub.metrics,
            [
                MetricCost {
                    metric: Metric::VcpuHour,
                    quantity: q("2"),
                    // Two rounded lines of 0.34, not 2 × 0.335 = 0.67.
                    amount: Money::from_satang(68),
                },
                MetricCost { metric: Metric::StorageGbMonth, quantity: q("2"), amount: Money::from_satang(67) },
            ]
        );
        assert_eq!(sub.total, Money::from_satang(135));
        assert_eq!(costs.total, Money::from_satang(169));

        let mtd = month_to_date(&usages, utc(2026, 3, 20, 0, 0)).unwrap();
        assert_eq!(mtd, costs);
        let history = cost_history(&usages, utc(2026, 3, 20, 0, 0)).unwrap();
        assert_eq!(history.len(), 1, "the current month is not history");
        assert_eq!(history[0].month, month(2026, 2));
        assert_eq!(history[0].total, Money::parse("33.50").unwrap());
        let later = cost_history(&usages, utc(2026, 5, 1, 0, 0)).unwrap();
        let months: Vec<Month> = later.iter().map(|m| m.month).collect();
        assert_eq!(months, [month(2026, 3), month(2026, 2)], "newest first");
    }

    #[test]
    fn gsi_7_5_3_costs_from_sums_match_costs_from_records() {
        let mut storage = rated("s", "2", utc(2026, 3, 3, 0, 0), 60);
        storage.record.metric = Metric::StorageGbMonth;
        let usages = [
            rated("a", "1", utc(2026, 3, 1, 0, 0), 60),
            rated("b", "1", utc(2026, 3, 2, 0, 0), 60),
            storage,
            rated("feb", "100", utc(2026, 2, 10, 0, 0), 60),
        ];
        // What storage returns: one sum per month, subscription and metric.
        let sum = |month, metric, quantity, satang| UsageSum {
            month,
            subscription: SUB,
            agency: AGENCY,
            provider: PROVIDER,
            metric,
            quantity: q(quantity),
            amount: Money::from_satang(satang),
        };
        let sums = [
            sum(month(2026, 3), Metric::VcpuHour, "2", 68),
            sum(month(2026, 3), Metric::StorageGbMonth, "2", 67),
            sum(month(2026, 2), Metric::VcpuHour, "100", 3350),
        ];
        assert_eq!(
            month_costs_from_sums(month(2026, 3), &sums).unwrap(),
            month_costs(&usages, month(2026, 3)).unwrap()
        );
        let by_month = costs_by_month(&sums).unwrap();
        assert_eq!(by_month, cost_history(&usages, utc(2026, 5, 1, 0, 0)).unwrap(), "newest first, same figures");
        assert!(costs_by_month(&[]).unwrap().is_empty());
    }

    #[test]
    fn gsi_7_5_3_history_range_defaults_and_refusals() {
        let now = utc(2026, 3, 20, 0, 0);
        assert_eq!(history_range(None, None, now), Ok((month(2025, 3), month(2026, 2))), "the twelve months before");
        assert_eq!(history_range(Some(month(2026, 1)), None, now), Ok((month(2026, 1), month(2026, 2))));
        assert_eq!(history_range(None, Some(month(2025, 12)), now), Ok((month(2025, 1), month(2025, 12))));
        let fields = |r: Result<(Month, Month), ValidationErrors>| -> Vec<(String, &str)> {
            r.unwrap_err().errors().iter().map(|e| (e.field.clone(), e.code)).collect()
        };
        assert_eq!(fields(history_range(None, Some(month(2026, 3)), now)), [("to".into(), "not_ended")]);
        assert_eq!(
            fields(history_range(Some(month(2026, 2)), Some(month(2026, 1)), now)),
            [("from".into(), "after_to")]
        );
        assert_eq!(
            history_range(Some(month(2016, 3)), Some(month(2026, 2)), now),
            Ok((month(2016, 3), month(2026, 2)))
        );
        assert_eq!(
            fields(history_range(Some(month(2016, 2)), Some(month(2026, 2)), now)),
            [("from".into(), "range_too_long")]
        );
        // 23:30 UTC on 31 March is April in Bangkok: March has ended there.
        assert_eq!(
            history_range(None, Some(month(2026, 3)), utc(2026, 3, 31, 23, 30)).map(|r| r.1),
            Ok(month(2026, 3))
        );
    }

    fn point(metric: Metric, price: &str, effective_from: DateTime<Utc>) -> PricePoint {
        PricePoint { metric, unit_price: p(price), effective_from }
    }

    #[test]
    fn gsi_7_1_usage_is_priced_in_force_at_its_time_or_at_the_first_price_before_that() {
        let history = [
            point(Metric::VcpuHour, "1.05", utc(2026, 3, 1, 0, 0)),
            point(Metric::RamGbHour, "0.3", utc(2026, 3, 1, 0, 0)),
            point(Metric::VcpuHour, "0.95", utc(2026, 3, 15, 0, 0)),
        ];
        let at = |y, m, d| unit_price_at(&history, Metric::VcpuHour, utc(y, m, d, 0, 0));
        assert_eq!(at(2026, 3, 14), Some(p("1.05")));
        assert_eq!(at(2026, 3, 15), Some(p("0.95")));
        // A contract registered from before publication: the first price.
        assert_eq!(at(2026, 1, 10), Some(p("1.05")));
        assert_eq!(unit_price_at(&history, Metric::Kwh, utc(2026, 3, 20, 0, 0)), None);

        let cap = crate::pricing::tests::reference(
            1,
            ServiceKind::Compute,
            Metric::VcpuHour,
            "1",
            utc(2026, 1, 1, 0, 0),
            Some(utc(2026, 3, 10, 0, 0)),
        );
        let prices = |d| prices_at(&history, std::slice::from_ref(&cap), ServiceKind::Compute, Metric::VcpuHour, d);
        assert_eq!(
            prices(utc(2026, 3, 5, 0, 0)),
            Some(Prices { unit_price: p("1.05"), reference_price: Some(p("1")) })
        );
        assert_eq!(prices(utc(2026, 3, 10, 0, 0)), Some(Prices { unit_price: p("1.05"), reference_price: None }));
        assert_eq!(
            prices_at(
                &history,
                std::slice::from_ref(&cap),
                ServiceKind::Storage,
                Metric::VcpuHour,
                utc(2026, 3, 5, 0, 0)
            )
            .and_then(|p| p.reference_price),
            None,
            "another kind's cap does not apply"
        );
    }

    #[test]
    fn priced_metrics_are_current_lines_with_a_history() {
        let details = crate::catalog::OfferingDetails::parse(&crate::catalog::tests::compute_draft()).unwrap();
        let lines = details.pricing.metrics();
        assert!(priced_metrics(&details, &[]).is_empty(), "a draft prices nothing yet");
        let first = *lines.iter().next().unwrap();
        let history = [point(first, "1", utc(2026, 1, 1, 0, 0)), point(Metric::Kwh, "5", utc(2026, 1, 1, 0, 0))];
        assert_eq!(priced_metrics(&details, &history), [first].into(), "no longer in the pricing: not priced");
    }

    #[test]
    fn gsi_7_1_rate_batch_rates_in_batch_order_and_refuses_unbillable_records_by_index() {
        let contexts: BTreeMap<SubscriptionId, SubscriptionContext> = [(SUB, context())].into();
        let drafts = [draft("a", "3"), draft("b", "10"), draft("a", "3"), draft("c", "1000000000")];
        let accepted =
            crate::usage::validate_batch(&drafts, PROVIDER, &contexts, &BTreeMap::new(), utc(2026, 3, 10, 0, 0), 10)
                .unwrap();
        let at = utc(2026, 3, 10, 0, 0);
        let cheap = |_: &UsageRecord| Some(Prices { unit_price: p("0.5"), reference_price: Some(p("0.335")) });
        let rated = rate_batch(&drafts, accepted.clone(), &contexts, at, cheap).unwrap();
        let ids: Vec<&str> = rated.iter().map(|r| r.record.record_id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert!(rated.windows(2).all(|w| w[0].id < w[1].id), "ids keep the batch order");
        assert_eq!(rated[0].rating.amount, Money::from_satang(101));
        assert!(rated[0].rating.cap_applied);
        assert_eq!((rated[0].agency, rated[0].provider, rated[0].recorded_at), (AGENCY, PROVIDER, at));

        // c's amount overflows at an absurd price; b has no price: both named by index.
        let absurd = |r: &UsageRecord| match r.record_id.as_str() {
            "b" => None,
            "c" => Some(Prices { unit_price: p("100000000000000"), reference_price: None }),
            _ => Some(Prices { unit_price: p("1"), reference_price: None }),
        };
        let refused = rate_batch(&drafts, accepted, &contexts, at, absurd).unwrap_err();
        let BatchRefused::InvalidRecords(bad) = &refused else { panic!("expected invalid records: {refused:?}") };
        let got: Vec<(usize, &str, &str)> =
            bad.iter().map(|b| (b.index, b.problems[0].field, b.problems[0].reason.as_str())).collect();
        assert_eq!(got, [(1, "metric", "metric_not_priced"), (3, "quantity", "amount_out_of_range")]);
    }

    #[test]
    fn a_month_without_usage_costs_nothing() {
        let costs = month_costs(&[], month(2026, 3)).unwrap();
        assert!(costs.subscriptions.is_empty());
        assert_eq!(costs.total, Money::ZERO);
    }

    fn actor(role: Role, org: OrganisationId) -> Actor {
        Actor { subject: Subject::parse("u").unwrap(), organisation: org, role }
    }

    #[test]
    fn gsi_7_5_3_cost_scope_table() {
        let other = OrganisationId::from_uuid(Uuid::from_u128(999));
        let agency_scope = cost_scope(&actor(Role::AgencyUser, AGENCY));
        assert_eq!(agency_scope, CostScope::Agency(AGENCY));
        assert_eq!(cost_scope(&actor(Role::AgencyAdmin, AGENCY)), agency_scope);
        assert!(agency_scope.includes(AGENCY, PROVIDER));
        assert!(!agency_scope.includes(other, PROVIDER));
        let provider_scope = cost_scope(&actor(Role::ProviderOperator, PROVIDER));
        assert!(provider_scope.includes(AGENCY, PROVIDER));
        assert!(!provider_scope.includes(AGENCY, other));
        assert!(cost_scope(&actor(Role::GixOfficer, other)).includes(AGENCY, PROVIDER));
        assert!(!cost_scope(&actor(Role::Assessor, other)).includes(AGENCY, PROVIDER));
    }

    #[test]
    fn statement_access_table() {
        let other = OrganisationId::from_uuid(Uuid::from_u128(999));
        let cases = [
            (Role::ProviderOperator, PROVIDER, Access::ReadWrite),
            (Role::ProviderOperator, other, Access::None),
            (Role::AgencyAdmin, AGENCY, Access::Read),
            (Role::AgencyUser, AGENCY, Access::Read),
            (Role::AgencyAdmin, other, Access::None),
            (Role::AgencyUser, other, Access::None),
            (Role::GixOfficer, other, Access::Read),
            (Role::Assessor, other, Access::None),
        ];
        for (role, org, expected) in cases {
            assert_eq!(statement_access(&actor(role, org), AGENCY, PROVIDER), expected, "{role}");
            assert_eq!(may_close_month(&actor(role, org), PROVIDER), expected == Access::ReadWrite, "{role}");
        }
    }

    #[test]
    fn statement_transition_table() {
        let march = month(2026, 3);
        let before_end = march.end() - chrono::Duration::seconds(1);
        let at_end = march.end();
        let not_ended = RefusalReason::MonthNotEnded { month: march, ends_at: march.end() };
        use StatementAction::{AppendLine, Close};
        type Row = (StatementStatus, StatementAction, DateTime<Utc>, Result<StatementStatus, RefusalReason>);
        use StatementStatus::{Issued, Open};
        let table: [Row; 8] = [
            (Open, AppendLine, before_end, Ok(Open)),
            (Open, AppendLine, at_end, Ok(Open)),
            (Open, Close, before_end, Err(not_ended)),
            (Open, Close, at_end, Ok(Issued)),
            (Issued, AppendLine, before_end, Err(RefusalReason::NotAllowedFromState)),
            (Issued, AppendLine, at_end, Err(RefusalReason::NotAllowedFromState)),
            (Issued, Close, before_end, Err(RefusalReason::NotAllowedFromState)),
            (Issued, Close, at_end, Err(RefusalReason::NotAllowedFromState)),
        ];
        for (state, action, now, expected) in table {
            let got = transition(state, action, march, now);
            match (got, expected) {
                (Ok(s), Ok(e)) => assert_eq!(s, e, "{state} × {action}"),
                (Err(refused), Err(reason)) => {
                    assert_eq!(refused.state, state);
                    assert_eq!(refused.action, action);
                    assert_eq!(refused.allowed, allowed_actions(state));
                    assert_eq!(refused.reason, reason, "{state} × {action}");
                }
                (got, expected) => panic!("{state} × {action}: got {got:?}, expected {expected:?}"),
            }
        }
        assert_eq!(allowed_actions(Open), [AppendLine, Close]);
        assert!(allowed_actions(Issued).is_empty());
    }

    #[test]
    fn refusals_explain_themselves() {
        let march = month(2026, 3);
        let early =
            transition(StatementStatus::Open, StatementAction::Close, march, utc(2026, 3, 31, 16, 59)).unwrap_err();
        assert_eq!(
            early.to_string(),
            "month 2026-03 cannot be closed before it ends in Asia/Bangkok (2026-03-31T17:00:00Z)"
        );
        let issued = transition(StatementStatus::Issued, StatementAction::Close, march, march.end()).unwrap_err();
        assert_eq!(issued.to_string(), "`close` is not allowed on an issued statement (allowed: none)");
    }

    #[test]
    fn a_month_ends_at_bangkok_midnight() {
        let jan = month(2026, 1);
        assert!(!month_has_ended(jan, utc(2026, 1, 31, 16, 59)));
        assert!(month_has_ended(jan, utc(2026, 1, 31, 17, 0)));
    }

    #[test]
    fn statement_month_for_late_usage() {
        let jan = month(2026, 1);
        let feb = month(2026, 2);
        let mar = month(2026, 3);
        assert_eq!(statement_month_for(jan, &BTreeSet::new()), (jan, false));
        assert_eq!(statement_month_for(feb, &[jan].into()), (feb, false));
        assert_eq!(statement_month_for(jan, &[jan].into()), (feb, true));
        assert_eq!(statement_month_for(jan, &[jan, feb].into()), (mar, true));
        // A gap: February still open takes January's late usage.
        assert_eq!(statement_month_for(jan, &[jan, mar].into()), (feb, true));
        // Across the year end.
        let dec = month(2025, 12);
        assert_eq!(statement_month_for(dec, &[dec].into()), (jan, true));
    }

    #[test]
    fn late_usage_after_close_goes_into_the_next_statement_as_an_adjustment() {
        let jan = month(2026, 1);
        let feb = month(2026, 2);
        let sid = |n| StatementId::from_uuid(Uuid::from_u128(n));
        let mut january = Statement::open(sid(1), AGENCY, PROVIDER, jan);
        let mut february = Statement::open(sid(2), AGENCY, PROVIDER, feb);
        let mut issued = BTreeSet::new();

        let on_time = rated("on-time", "3", utc(2026, 1, 10, 0, 0), 60);
        january.append(&on_time, &issued).unwrap();
        assert_eq!(january.lines()[0].kind, LineKind::Usage);

        // Too early to close January.
        assert!(january.close(utc(2026, 1, 31, 16, 59)).is_err());
        assert_eq!(january.status(), StatementStatus::Open);
        january.close(utc(2026, 2, 1, 2, 0)).unwrap();
        issued.insert(jan);
        assert_eq!(january.status(), StatementStatus::Issued);
        assert_eq!(january.issued_at(), Some(utc(2026, 2, 1, 2, 0)));

        // January usage arriving after the close.
        let mut late = rated("late", "3", utc(2026, 1, 20, 0, 0), 60);
        late.recorded_at = utc(2026, 2, 3, 9, 0);
        let refused = january.append(&late, &issued).unwrap_err();
        assert_eq!(refused, AppendRefused::BelongsElsewhere { agency: AGENCY, provider: PROVIDER, month: feb });
        assert_eq!(january.lines().len(), 1, "the issued statement is unchanged");
        assert_eq!(january.total().unwrap(), Money::from_satang(101));

        february.append(&late, &issued).unwrap();
        let line = &february.lines()[0];
        assert_eq!(line.kind, LineKind::Adjustment);
        assert_eq!(line.usage_month, jan);
        assert_eq!(line.recorded_at, utc(2026, 2, 3, 9, 0));
        let feb_usage = rated("feb", "1", utc(2026, 2, 10, 0, 0), 60);
        february.append(&feb_usage, &issued).unwrap();
        assert_eq!(february.adjustment_total().unwrap(), Money::from_satang(101));
        assert_eq!(february.usage_total().unwrap(), Money::from_satang(34));
        assert_eq!(february.total().unwrap(), Money::from_satang(135));
    }

    #[test]
    fn an_issued_statement_refuses_lines_even_if_they_would_belong() {
        let jan = month(2026, 1);
        let mut statement = Statement::from_parts(
            StatementId::from_uuid(Uuid::from_u128(1)),
            AGENCY,
            PROVIDER,
            jan,
            Some(utc(2026, 2, 1, 0, 0)),
            Vec::new(),
        );
        // Placement says January (the caller's view of issued months is stale).
        let usage = rated("x", "1", utc(2026, 1, 10, 0, 0), 60);
        match statement.append(&usage, &BTreeSet::new()) {
            Err(AppendRefused::Transition(t)) => {
                assert_eq!(t.state, StatementStatus::Issued);
                assert_eq!(t.reason, RefusalReason::NotAllowedFromState);
            }
            other => panic!("expected a refused transition, got {other:?}"),
        }
        assert!(statement.lines().is_empty());
    }

    #[test]
    fn usage_of_another_agency_or_provider_belongs_elsewhere() {
        let mar = month(2026, 3);
        let other = OrganisationId::from_uuid(Uuid::from_u128(999));
        let mut statement = Statement::open(StatementId::from_uuid(Uuid::from_u128(1)), other, PROVIDER, mar);
        let usage = rated("x", "1", utc(2026, 3, 10, 0, 0), 60);
        assert!(matches!(
            statement.append(&usage, &BTreeSet::new()),
            Err(AppendRefused::BelongsElsewhere { agency, .. }) if agency == AGENCY
        ));
    }

    #[test]
    fn totals_are_sums_of_rounded_lines() {
        let mar = month(2026, 3);
        let mut statement = Statement::open(StatementId::from_uuid(Uuid::from_u128(1)), AGENCY, PROVIDER, mar);
        for i in 0..3 {
            let usage = rated(&format!("r{i}"), "1", utc(2026, 3, 1 + i, 0, 0), 60);
            statement.append(&usage, &BTreeSet::new()).unwrap();
        }
        // 3 × round(0.335) = 3 × 0.34 = 1.02, not round(1.005) = 1.01.
        assert_eq!(statement.total().unwrap(), Money::from_satang(102));
    }

    #[test]
    fn csv_has_a_header_and_one_row_per_line_with_rfc_4180_quoting() {
        let mar = month(2026, 3);
        let mut statement = Statement::open(StatementId::from_uuid(Uuid::from_u128(1)), AGENCY, PROVIDER, mar);
        let mut plain = rated("plain-1", "3", utc(2026, 3, 2, 3, 0), 60);
        plain.id = UsageRecordId::from_uuid(Uuid::from_u128(7));
        plain.recorded_at = utc(2026, 3, 3, 0, 0);
        let mut tricky = rated("a,\"b\" c", "-1.5", utc(2026, 3, 2, 4, 0), 30);
        tricky.id = UsageRecordId::from_uuid(Uuid::from_u128(8));
        tricky.recorded_at = utc(2026, 3, 3, 0, 0);
        tricky.record.corrects = Some(ProviderRecordId::parse("plain-1").unwrap());
        tricky.rating = rate(q("-1.5"), p("0.5"), Some(p("0.335"))).unwrap();
        statement.append(&plain, &BTreeSet::new()).unwrap();
        statement.append(&tricky, &BTreeSet::new()).unwrap();

        let csv = render_csv(&statement);
        let expected = format!(
            "line_kind,usage_month,subscription_id,usage_record_id,record_id,corrects,metric,\
             period_start,period_end,recorded_at,quantity,unit_price,reference_price,\
             effective_price,cap_applied,amount\r\n\
             usage,2026-03,{SUB},00000000-0000-0000-0000-000000000007,plain-1,,vcpu_hour,\
             2026-03-02T03:00:00Z,2026-03-02T04:00:00Z,2026-03-03T00:00:00Z,3,0.335,,0.335,false,1.01\r\n\
             usage,2026-03,{SUB},00000000-0000-0000-0000-000000000008,\"a,\"\"b\"\" c\",plain-1,vcpu_hour,\
             2026-03-02T04:00:00Z,2026-03-02T04:30:00Z,2026-03-03T00:00:00Z,-1.5,0.5,0.335,0.335,true,-0.50\r\n"
        );
        assert_eq!(csv, expected);
        // The amount column adds up to the statement total.
        assert_eq!(statement.total().unwrap(), Money::from_satang(51));
    }

    #[test]
    fn csv_fields_match_the_columns() {
        let usage = rated("x", "1", utc(2026, 3, 2, 3, 0), 60);
        let (_, line) = StatementLine::place(&usage, &BTreeSet::new());
        let fields = csv_fields(&line);
        assert_eq!(fields.len(), CSV_COLUMNS.len());
        assert_eq!(fields[15], "0.34", "amounts always have two decimals");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a\rb"), "\"a\rb\"");
        assert_eq!(csv_field("a\nb"), "\"a\nb\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn formats_instants_like_json() {
        assert_eq!(format_instant(utc(2026, 1, 31, 23, 30)), "2026-01-31T23:30:00Z");
        let micro = DateTime::from_timestamp(1_770_000_000, 123_456_000).unwrap();
        assert_eq!(format_instant(micro), "2026-02-02T02:40:00.123456Z");
    }
}
