//! SLA attainment per subscription and Asia/Bangkok month (GSI-10.1, 10.2): availability,
//! reliability, breaches and service credits, with every outage that went into them so a
//! person can recompute the figures by hand.
//!
//! Rules, in the order [`attainment`] applies them:
//!
//! 1. **Whole minutes.** Every interval covers each minute it touches: starts are rounded
//!    down and ends up to the minute (an outage 10:00:30–10:01:10 is the two minutes
//!    10:00–10:02). Month bounds are Bangkok midnights, already whole minutes.
//! 2. **Period** = the month clipped to the subscription's term. It is not clipped to
//!    `now`: a month not over yet shows the attainment so far against the whole month
//!    and is marked `provisional`.
//! 3. **Outages** of the subscription are clipped to the period; an outage spanning a
//!    month boundary counts only its part inside the month. An open outage runs up to
//!    `now` (and never past the period's end).
//! 4. **Exclusions** ([`decide_exclusion`], GSI-10.3): excluded minutes are the union of
//!    excluded outages. Counted downtime is the union of counted outages minus the
//!    excluded minutes: overlapping outages are never double-counted, and a minute that
//!    is both excluded and down is excluded (it has left the measured period).
//! 5. **Availability** = (period − excluded − downtime) / (period − excluded), exact. When
//!    the whole period is excluded nothing was measurable: 100 %. Shown as a percentage
//!    **truncated** to 4 decimal places, never rounded up: targets and tiers have at most
//!    4 decimals, so the figure shown compares with them exactly as the exact value does
//!    (99.89996 % shows as 99.8999 %, below a 99.9 % target, as it is).
//! 6. **Breach** when achieved < target. **Credit tier**: of the tiers whose `below_percent`
//!    is above the achieved availability, the one with the lowest threshold; achieved ==
//!    `below_percent` is not below. Credit = month's charge × credit percent, rounded once
//!    to the satang half away from zero (the money rule); no credit on a charge ≤ 0; no
//!    amount yet while the month's charge is not known (the tier still shows).
//! 7. **Reliability** (GSI-10.2): unplanned, counted outages that *started* in the period
//!    (so one outage is counted in one month only); time to restore is each one's whole
//!    length, start to end (or to `now` while open). Breached when there are more than
//!    the maximum, or when the mean time to restore exceeds its maximum. The share of
//!    incidents resolved within deadline covers incidents reported in the month whose
//!    resolution deadline is decided (met or breached); the terms set no target for it, so
//!    it informs and does not breach.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::calendar::Month;
use crate::incident::{DeadlineStatus, Incident, IncidentDeadlines, IncidentId};
use crate::money::Money;
use crate::outage::{DeclaredExclusions, ExclusionDecision, Outage, OutageId, decide_exclusion};
use crate::service::vocabulary;
use crate::sla_terms::{CreditTier, SlaTerms};
use crate::subscription_ref::SubscriptionId;
use crate::text::BoundedText;

/// When the subscription runs; `end` is exclusive, `None` while it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionTerm {
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// What the SLA needs of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentOutcome {
    pub incident: IncidentId,
    pub subscription: SubscriptionId,
    pub reported_at: DateTime<Utc>,
    pub resolution: DeadlineStatus,
}

impl IncidentOutcome {
    pub fn of(incident: &Incident, deadlines: &IncidentDeadlines) -> Self {
        IncidentOutcome {
            incident: incident.id,
            subscription: incident.subscription,
            reported_at: incident.reported_at,
            resolution: deadlines.resolution,
        }
    }
}

/// Everything [`attainment`] reads; the caller loads it.
#[derive(Debug, Clone, Copy)]
pub struct SlaInput<'a> {
    pub subscription: SubscriptionId,
    pub month: Month,
    pub term: SubscriptionTerm,
    /// The terms frozen on the subscription.
    pub terms: &'a SlaTerms,
    /// What the provider declared and published (GSI-10.3).
    pub exclusions: &'a DeclaredExclusions,
    /// Outages; those not affecting the subscription are ignored.
    pub outages: &'a [Outage],
    /// Incidents; those of other subscriptions or months are ignored.
    pub incidents: &'a [IncidentOutcome],
    /// What the subscription was charged for the month, before credits; `None` while no
    /// statement has set it.
    pub month_charge: Option<Money>,
    pub now: DateTime<Utc>,
}

/// A stretch of whole minutes, `[from, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinuteSpan {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub minutes: i64,
}

/// One outage as it entered the figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutageLine {
    pub outage: OutageId,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub planned: bool,
    pub cause: BoundedText,
    /// Its part inside the period, before merging with other outages.
    pub in_period: MinuteSpan,
    /// Whole minutes from start to end (or `now` while open), unclipped.
    pub restore_minutes: i64,
    /// Unplanned, counted, started in the period.
    pub counts_for_reliability: bool,
    pub decision: ExclusionDecision,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub target_percent: Decimal,
    /// The month clipped to the subscription's term.
    pub period: MinuteSpan,
    /// Union of the excluded outages, as merged spans.
    pub excluded_spans: Vec<MinuteSpan>,
    pub excluded_minutes: i64,
    /// `period − excluded`.
    pub measured_minutes: i64,
    /// Union of the counted outages minus the excluded spans, as merged spans.
    pub downtime_spans: Vec<MinuteSpan>,
    pub downtime_minutes: i64,
    /// Truncated to 4 decimal places.
    pub achieved_percent: Decimal,
    pub breached: bool,
}

vocabulary!(
    /// Which reliability requirement of GSI-10.2 was missed.
    ReliabilityBreach, "reliability breach" {
        TooManyUnplannedOutages => "too_many_unplanned_outages",
        MeanTimeToRestoreTooLong => "mean_time_to_restore_too_long",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reliability {
    pub unplanned_outages: u32,
    pub max_unplanned_outages: u32,
    pub restore_minutes_total: i64,
    /// `restore_minutes_total / unplanned_outages`, truncated to 2 decimal places.
    pub mean_time_to_restore_minutes: Option<Decimal>,
    pub max_mean_time_to_restore_minutes: u32,
    pub incidents_met: u32,
    pub incidents_breached: u32,
    pub incidents_pending: u32,
    /// `met / (met + breached)` in percent, truncated to 4 decimal places.
    pub incidents_within_deadline_percent: Option<Decimal>,
    pub breaches: Vec<ReliabilityBreach>,
}

impl Reliability {
    pub fn breached(&self) -> bool {
        !self.breaches.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credit {
    /// The tier that applies, if any.
    pub tier: Option<CreditTier>,
    pub month_charge: Option<Money>,
    /// `None` while the month's charge is not known.
    pub amount: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaAttainment {
    pub subscription: SubscriptionId,
    pub month: Month,
    /// The period is not over at `now`: the figures can still change.
    pub provisional: bool,
    pub availability: Availability,
    pub reliability: Reliability,
    pub credit: Credit,
    /// Outages that touch the period, by start.
    pub counted_outages: Vec<OutageLine>,
    pub excluded_outages: Vec<OutageLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("the subscription's term does not overlap {0}")]
    NotInTerm(Month),
    #[error("amount out of range")]
    Overflow,
}

// ---- whole-minute arithmetic -------------------------------------------------------

/// Minutes since the Unix epoch, rounded down.
fn floor_minute(t: DateTime<Utc>) -> i64 {
    t.timestamp().div_euclid(60)
}

/// Minutes since the Unix epoch, rounded up.
fn ceil_minute(t: DateTime<Utc>) -> i64 {
    let whole = t.timestamp().rem_euclid(60) == 0 && t.timestamp_subsec_nanos() == 0;
    floor_minute(t) + i64::from(!whole)
}

fn instant(minute: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(minute.saturating_mul(60), 0).unwrap_or_default()
}

type Span = (i64, i64);

fn span(s: Span) -> MinuteSpan {
    MinuteSpan { from: instant(s.0), until: instant(s.1), minutes: s.1 - s.0 }
}

fn clip(s: Span, within: Span) -> Option<Span> {
    let clipped = (s.0.max(within.0), s.1.min(within.1));
    (clipped.0 < clipped.1).then_some(clipped)
}

/// Sorted, non-overlapping spans covering the same minutes.
fn union(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_unstable();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.0 <= last.1 => last.1 = last.1.max(s.1),
            Some(_) | None => merged.push(s),
        }
    }
    merged
}

/// The minutes of `from` not in `remove` (both merged).
fn subtract(from: &[Span], remove: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    for &(start, end) in from {
        let mut cursor = start;
        for &(r0, r1) in remove.iter().filter(|r| r.0 < end && r.1 > start) {
            if r0 > cursor {
                out.push((cursor, r0));
            }
            cursor = cursor.max(r1);
        }
        if cursor < end {
            out.push((cursor, end));
        }
    }
    out
}

fn total(spans: &[Span]) -> i64 {
    spans.iter().map(|s| s.1 - s.0).sum()
}

/// `numerator / denominator × 100`, truncated to `dp` decimal places.
fn percent_truncated(numerator: i64, denominator: i64, dp: u32) -> Option<Decimal> {
    let scaled = i128::from(numerator).checked_mul(100)?.checked_mul(10_i128.checked_pow(dp)?)?;
    Some(Decimal::from_i128_with_scale(scaled.checked_div(i128::from(denominator))?, dp))
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// ---- the computation ---------------------------------------------------------------

/// GSI-10.1, 10.2: the month's attainment for one subscription. See the module
/// documentation for every rule.
pub fn attainment(input: &SlaInput<'_>) -> Result<SlaAttainment, SlaError> {
    let month = (floor_minute(input.month.start()), floor_minute(input.month.end()));
    let term = (floor_minute(input.term.start), input.term.end.map_or(i64::MAX, ceil_minute));
    let period = clip(month, term).ok_or(SlaError::NotInTerm(input.month))?;
    let now = ceil_minute(input.now);

    let mut counted_outages = Vec::new();
    let mut excluded_outages = Vec::new();
    let mut ours: Vec<&Outage> = input.outages.iter().filter(|o| o.affects(input.subscription)).collect();
    ours.sort_by_key(|o| (o.started_at, o.id));
    for outage in ours {
        let start = floor_minute(outage.started_at);
        let end = outage.ended_at.map_or(now, ceil_minute);
        let Some(in_period) = clip((start, end), period) else {
            continue;
        };
        let decision = decide_exclusion(outage, input.exclusions);
        let excluded = decision.is_excluded();
        let line = OutageLine {
            outage: outage.id,
            started_at: outage.started_at,
            ended_at: outage.ended_at,
            planned: outage.planned,
            cause: outage.cause.clone(),
            in_period: span(in_period),
            restore_minutes: (end - start).max(0),
            counts_for_reliability: !excluded && !outage.planned && (period.0..period.1).contains(&start),
            decision,
        };
        if excluded {
            excluded_outages.push(line);
        } else {
            counted_outages.push(line);
        }
    }

    let to_span = |l: &OutageLine| (floor_minute(l.in_period.from), floor_minute(l.in_period.until));
    let excluded = union(excluded_outages.iter().map(to_span).collect());
    let down = subtract(&union(counted_outages.iter().map(to_span).collect()), &excluded);
    let period_minutes = period.1 - period.0;
    let excluded_minutes = total(&excluded);
    let measured = period_minutes - excluded_minutes;
    let downtime = total(&down);
    let up = measured - downtime;

    // Exact comparison: achieved < threshold ⇔ 100 × up < threshold × measured.
    let below = |threshold: Decimal| -> Result<bool, SlaError> {
        if measured == 0 {
            return Ok(false);
        }
        let achieved = Decimal::from(up).checked_mul(Decimal::ONE_HUNDRED).ok_or(SlaError::Overflow)?;
        let bar = threshold.checked_mul(Decimal::from(measured)).ok_or(SlaError::Overflow)?;
        Ok(achieved < bar)
    };
    let achieved_percent = if measured == 0 {
        Decimal::from_i128_with_scale(1_000_000, 4)
    } else {
        percent_truncated(up, measured, 4).ok_or(SlaError::Overflow)?
    };
    let availability = Availability {
        target_percent: input.terms.availability_percent,
        period: span(period),
        excluded_spans: excluded.iter().copied().map(span).collect(),
        excluded_minutes,
        measured_minutes: measured,
        downtime_spans: down.iter().copied().map(span).collect(),
        downtime_minutes: downtime,
        achieved_percent,
        breached: below(input.terms.availability_percent)?,
    };

    let mut tier: Option<CreditTier> = None;
    for t in &input.terms.credit_tiers {
        if below(t.below_percent)? && tier.is_none_or(|best| t.below_percent < best.below_percent) {
            tier = Some(*t);
        }
    }
    let amount = match (tier, input.month_charge) {
        (_, None) => None,
        (Some(t), Some(charge)) if charge > Money::ZERO => {
            let exact = charge
                .to_baht()
                .checked_mul(t.credit_percent)
                .and_then(|d| d.checked_div(Decimal::ONE_HUNDRED))
                .ok_or(SlaError::Overflow)?;
            Some(Money::round_from_baht(exact).map_err(|_| SlaError::Overflow)?)
        }
        (Some(_) | None, Some(_)) => Some(Money::ZERO),
    };

    let reliability = reliability(input, &counted_outages)?;
    Ok(SlaAttainment {
        subscription: input.subscription,
        month: input.month,
        provisional: input.now < instant(period.1),
        availability,
        reliability,
        credit: Credit { tier, month_charge: input.month_charge, amount },
        counted_outages,
        excluded_outages,
    })
}

fn reliability(input: &SlaInput<'_>, counted: &[OutageLine]) -> Result<Reliability, SlaError> {
    let restores: Vec<i64> = counted.iter().filter(|l| l.counts_for_reliability).map(|l| l.restore_minutes).collect();
    let n = i64::try_from(restores.len()).map_err(|_| SlaError::Overflow)?;
    let restore_total: i64 = restores.iter().sum();
    let mean = if n == 0 {
        None
    } else {
        let scaled = i128::from(restore_total) * 100 / i128::from(n);
        Some(Decimal::from_i128_with_scale(scaled, 2))
    };
    let max_outages = input.terms.max_unplanned_outages_per_month;
    let max_mttr = input.terms.max_mean_time_to_restore_minutes;
    let mut breaches = Vec::new();
    if count(restores.len()) > max_outages {
        breaches.push(ReliabilityBreach::TooManyUnplannedOutages);
    }
    // mean > max ⇔ total > max × n, in integers.
    if n > 0 && restore_total > i64::from(max_mttr).saturating_mul(n) {
        breaches.push(ReliabilityBreach::MeanTimeToRestoreTooLong);
    }

    let in_month =
        |o: &&IncidentOutcome| o.subscription == input.subscription && Month::containing(o.reported_at) == input.month;
    let with =
        |status: DeadlineStatus| input.incidents.iter().filter(in_month).filter(|o| o.resolution == status).count();
    let (met, breached, pending) =
        (with(DeadlineStatus::Met), with(DeadlineStatus::Breached), with(DeadlineStatus::Pending));
    let decided = met + breached;
    let share = if decided == 0 {
        None
    } else {
        let met = i64::try_from(met).map_err(|_| SlaError::Overflow)?;
        let decided = i64::try_from(decided).map_err(|_| SlaError::Overflow)?;
        Some(percent_truncated(met, decided, 4).ok_or(SlaError::Overflow)?)
    };
    Ok(Reliability {
        unplanned_outages: count(restores.len()),
        max_unplanned_outages: max_outages,
        restore_minutes_total: restore_total,
        mean_time_to_restore_minutes: mean,
        max_mean_time_to_restore_minutes: max_mttr,
        incidents_met: count(met),
        incidents_breached: count(breached),
        incidents_pending: count(pending),
        incidents_within_deadline_percent: share,
        breaches,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::bangkok;
    use crate::outage::{CountedBecause, ExclusionClaim, ExclusionKind, tests::declared};
    use crate::sla_terms::tests::standard_draft;
    use crate::subscription_ref::tests::{PROVIDER, org, subscription};
    use chrono::{TimeDelta, TimeZone};
    use std::str::FromStr;
    use uuid::Uuid;

    /// Bangkok wall-clock time in 2026.
    fn bkk(mo: u32, d: u32, h: u32, m: u32) -> DateTime<Utc> {
        bangkok().with_ymd_and_hms(2026, mo, d, h, m, 0).unwrap().with_timezone(&Utc)
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn month(m: u32) -> Month {
        Month::new(2026, m).unwrap()
    }

    fn terms() -> SlaTerms {
        // 99.9 % target; ≤ 3 unplanned outages; MTTR ≤ 240 min; tiers 99.9→10, 99.0→25, 95→50.
        SlaTerms::parse(&standard_draft()).unwrap()
    }

    fn outage(n: u128, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> Outage {
        Outage {
            id: OutageId::from_uuid(Uuid::from_u128(n)),
            provider: org(PROVIDER),
            subscriptions: vec![subscription(1)],
            started_at: from,
            ended_at: until,
            cause: BoundedText::parse("cause", "fibre cut", 100).unwrap(),
            planned: false,
            announced_at: None,
            exclusion_claim: None,
            recorded_at: from,
        }
    }

    fn maintenance(n: u128, from: DateTime<Utc>, until: DateTime<Utc>, notice_hours: i64) -> Outage {
        Outage {
            planned: true,
            announced_at: Some(from - TimeDelta::hours(notice_hours)),
            exclusion_claim: Some(ExclusionClaim {
                kind: ExclusionKind::PlannedMaintenance,
                reason: BoundedText::parse("reason", "core upgrade", 100).unwrap(),
            }),
            ..outage(n, from, Some(until))
        }
    }

    struct Case {
        month: Month,
        term: SubscriptionTerm,
        terms: SlaTerms,
        outages: Vec<Outage>,
        incidents: Vec<IncidentOutcome>,
        charge: Option<Money>,
        now: DateTime<Utc>,
    }

    impl Case {
        fn march(outages: Vec<Outage>) -> Self {
            Case {
                month: month(3),
                term: SubscriptionTerm { start: bkk(1, 1, 0, 0), end: None },
                terms: terms(),
                outages,
                incidents: vec![],
                charge: Some(Money::parse("10000").unwrap()),
                now: bkk(4, 5, 0, 0),
            }
        }

        fn run(&self) -> SlaAttainment {
            attainment(&SlaInput {
                subscription: subscription(1),
                month: self.month,
                term: self.term,
                terms: &self.terms,
                exclusions: &declared(),
                outages: &self.outages,
                incidents: &self.incidents,
                month_charge: self.charge,
                now: self.now,
            })
            .unwrap()
        }
    }

    const MARCH_MINUTES: i64 = 31 * 1440;

    #[test]
    fn gsi_10_1_no_outages_is_full_availability() {
        let a = Case::march(vec![]).run();
        assert_eq!(a.availability.period.minutes, MARCH_MINUTES);
        assert_eq!(a.availability.period.from, bkk(3, 1, 0, 0));
        assert_eq!(a.availability.achieved_percent, dec("100.0000"));
        assert!(!a.availability.breached && !a.provisional);
        assert_eq!((a.credit.tier, a.credit.amount), (None, Some(Money::ZERO)));
    }

    #[test]
    fn gsi_10_1_overlapping_outages_are_not_double_counted() {
        // 10:00–11:00 and 10:30–12:00 on 10 March, plus one inside the first: 120 minutes.
        let a = Case::march(vec![
            outage(1, bkk(3, 10, 10, 0), Some(bkk(3, 10, 11, 0))),
            outage(2, bkk(3, 10, 10, 30), Some(bkk(3, 10, 12, 0))),
            outage(3, bkk(3, 10, 10, 15), Some(bkk(3, 10, 10, 20))),
        ])
        .run();
        let av = &a.availability;
        assert_eq!(av.downtime_minutes, 120);
        assert_eq!(av.downtime_spans, [MinuteSpan { from: bkk(3, 10, 10, 0), until: bkk(3, 10, 12, 0), minutes: 120 }]);
        assert_eq!(av.measured_minutes, MARCH_MINUTES);
        // (44640 − 120) / 44640 = 99.731182…
        assert_eq!(av.achieved_percent, dec("99.7311"));
        assert!(av.breached);
        let per_outage: Vec<i64> = a.counted_outages.iter().map(|l| l.in_period.minutes).collect();
        assert_eq!(per_outage, [60, 5, 90], "listed by start, each with its own minutes");
        // Below 99.9 only: 10 % of 10,000.00.
        assert_eq!(a.credit.tier.unwrap().credit_percent, dec("10"));
        assert_eq!(a.credit.amount, Some(Money::parse("1000").unwrap()));
    }

    #[test]
    fn gsi_10_1_partial_minutes_count_as_whole_minutes() {
        let from = bkk(3, 10, 10, 0) + TimeDelta::seconds(30);
        let a = Case::march(vec![outage(1, from, Some(from + TimeDelta::seconds(40)))]).run();
        assert_eq!(a.availability.downtime_minutes, 2, "10:00:30–10:01:10 touches two minutes");
        // 44638 / 44640 = 99.99551971… → truncated, not rounded.
        assert_eq!(a.availability.achieved_percent, dec("99.9955"));
        let one = Case::march(vec![outage(1, bkk(3, 10, 10, 0), Some(bkk(3, 10, 10, 1)))]).run();
        // 44639 / 44640 = 99.99775985…: rounding would show 99.9978.
        assert_eq!(one.availability.achieved_percent, dec("99.9977"));
    }

    #[test]
    fn gsi_10_3_excluded_maintenance_leaves_the_measured_period() {
        // Maintenance 01:00–05:00 announced 72 h ahead (excluded); an unplanned outage
        // 04:00–06:00 overlaps it: only 05:00–06:00 is downtime.
        let a = Case::march(vec![
            maintenance(1, bkk(3, 10, 1, 0), bkk(3, 10, 5, 0), 72),
            outage(2, bkk(3, 10, 4, 0), Some(bkk(3, 10, 6, 0))),
        ])
        .run();
        let av = &a.availability;
        assert_eq!(av.excluded_minutes, 240);
        assert_eq!(av.measured_minutes, MARCH_MINUTES - 240);
        assert_eq!(av.downtime_minutes, 60);
        assert_eq!(av.downtime_spans[0].from, bkk(3, 10, 5, 0));
        // (44400 − 60) / 44400 = 99.864864…
        assert_eq!(av.achieved_percent, dec("99.8648"));
        assert_eq!(a.excluded_outages.len(), 1);
        assert_eq!(a.excluded_outages[0].decision.explanation(), "excluded as planned_maintenance: core upgrade");
        assert_eq!(a.counted_outages[0].in_period.minutes, 120, "its own span is listed whole");
    }

    #[test]
    fn gsi_10_3_maintenance_announced_too_late_counts() {
        let a = Case::march(vec![maintenance(1, bkk(3, 10, 1, 0), bkk(3, 10, 5, 0), 71)]).run();
        assert_eq!(a.availability.excluded_minutes, 0);
        assert_eq!(a.availability.downtime_minutes, 240);
        assert!(matches!(
            a.counted_outages[0].decision,
            ExclusionDecision::Counted(CountedBecause::NoticeTooShort { notice_minutes: 4260, .. })
        ));
        assert!(!a.counted_outages[0].counts_for_reliability, "planned, so not a reliability failure");
        assert_eq!(a.reliability.unplanned_outages, 0);
    }

    #[test]
    fn gsi_10_1_outage_spanning_the_month_boundary_is_split() {
        // 28 Feb 23:00 – 1 Mar 01:00 Bangkok: 60 minutes in each month.
        let o = vec![outage(1, bkk(2, 28, 23, 0), Some(bkk(3, 1, 1, 0)))];
        let march = Case::march(o.clone()).run();
        assert_eq!(march.availability.downtime_minutes, 60);
        assert_eq!(march.counted_outages[0].in_period.from, bkk(3, 1, 0, 0));
        assert_eq!(march.counted_outages[0].restore_minutes, 120);
        assert!(!march.counted_outages[0].counts_for_reliability, "it started in February");
        let mut feb = Case::march(o);
        feb.month = month(2);
        let feb = feb.run();
        assert_eq!(feb.availability.period.minutes, 28 * 1440);
        assert_eq!(feb.availability.downtime_minutes, 60);
        assert_eq!(feb.counted_outages[0].in_period.until, bkk(3, 1, 0, 0));
        assert!(feb.counted_outages[0].counts_for_reliability);
        assert_eq!(feb.reliability.restore_minutes_total, 120);
    }

    #[test]
    fn gsi_10_1_open_outages_run_to_now_or_the_month_end() {
        let open = vec![outage(1, bkk(3, 31, 22, 0), None)];
        let mut during = Case::march(open.clone());
        during.now = bkk(3, 31, 23, 0) + TimeDelta::seconds(1);
        let during = during.run();
        assert!(during.provisional);
        assert_eq!(during.availability.downtime_minutes, 61, "up to now, rounded up");
        let mut later = Case::march(open);
        later.now = bkk(4, 2, 0, 0);
        let later = later.run();
        assert!(!later.provisional);
        assert_eq!(later.availability.downtime_minutes, 120, "clipped at the month end");
        assert_eq!(later.counted_outages[0].restore_minutes, 26 * 60, "restore time runs to now");
    }

    #[test]
    fn gsi_10_1_period_is_clipped_to_the_term() {
        let mut c = Case::march(vec![
            outage(1, bkk(3, 10, 0, 0), Some(bkk(3, 10, 5, 0))),
            outage(2, bkk(3, 20, 0, 0), Some(bkk(3, 20, 1, 0))),
        ]);
        c.term = SubscriptionTerm { start: bkk(3, 16, 0, 0), end: Some(bkk(3, 26, 0, 0)) };
        let a = c.run();
        assert_eq!(a.availability.period.minutes, 10 * 1440);
        assert_eq!(a.availability.downtime_minutes, 60);
        assert_eq!(a.counted_outages.len(), 1, "the outage before the term is not listed");
        c.term.start = bkk(4, 1, 0, 0);
        c.term.end = None;
        let err = attainment(&SlaInput {
            subscription: subscription(1),
            month: c.month,
            term: c.term,
            terms: &c.terms,
            exclusions: &declared(),
            outages: &c.outages,
            incidents: &[],
            month_charge: c.charge,
            now: c.now,
        });
        assert_eq!(err, Err(SlaError::NotInTerm(month(3))));
    }

    #[test]
    fn outages_of_other_subscriptions_are_ignored() {
        let mut other = outage(1, bkk(3, 10, 0, 0), Some(bkk(3, 10, 5, 0)));
        other.subscriptions = vec![subscription(2)];
        let a = Case::march(vec![other]).run();
        assert_eq!(a.availability.downtime_minutes, 0);
        assert!(a.counted_outages.is_empty());
    }

    #[test]
    fn fully_excluded_period_is_full_availability() {
        let mut c = Case::march(vec![maintenance(1, bkk(3, 10, 0, 0), bkk(3, 11, 0, 0), 100)]);
        c.term = SubscriptionTerm { start: bkk(3, 10, 0, 0), end: Some(bkk(3, 11, 0, 0)) };
        let a = c.run();
        assert_eq!(a.availability.measured_minutes, 0);
        assert_eq!(a.availability.achieved_percent, dec("100.0000"));
        assert!(!a.availability.breached);
        assert_eq!(a.credit.amount, Some(Money::ZERO));
    }

    /// A term of exactly 10,000 minutes in April, so that 0.1 % is 10 minutes.
    fn ten_thousand_minutes_with_downtime(minutes: i64) -> SlaAttainment {
        let start = bkk(4, 1, 0, 0);
        let mut c = Case::march(if minutes == 0 {
            vec![]
        } else {
            vec![outage(1, start, Some(start + TimeDelta::minutes(minutes)))]
        });
        c.month = month(4);
        c.term = SubscriptionTerm { start, end: Some(start + TimeDelta::minutes(10_000)) };
        c.charge = Some(Money::parse("1234.55").unwrap());
        c.now = bkk(5, 1, 0, 0);
        c.run()
    }

    #[test]
    fn gsi_10_1_credit_tiers_at_their_boundaries() {
        // (downtime, achieved, breached, credit %, credit THB); 25 % of 1,234.55 is
        // 308.6375 → 308.64 and 10 % is 123.455 → 123.46 (half away from zero).
        let cases = [
            (0, "100.0000", false, None, "0"),
            (10, "99.9000", false, None, "0"),
            (11, "99.8900", true, Some("10"), "123.46"),
            (100, "99.0000", true, Some("10"), "123.46"),
            (101, "98.9900", true, Some("25"), "308.64"),
            (500, "95.0000", true, Some("25"), "308.64"),
            (501, "94.9900", true, Some("50"), "617.28"),
            (10_000, "0.0000", true, Some("50"), "617.28"),
        ];
        for (down, achieved, breached, credit, amount) in cases {
            let a = ten_thousand_minutes_with_downtime(down);
            assert_eq!(a.availability.period.minutes, 10_000);
            assert_eq!(a.availability.achieved_percent, dec(achieved), "{down} min");
            assert_eq!(a.availability.breached, breached, "{down} min");
            assert_eq!(a.credit.tier.map(|t| t.credit_percent), credit.map(dec), "{down} min");
            assert_eq!(a.credit.amount, Some(Money::parse(amount).unwrap()), "{down} min");
        }
    }

    #[test]
    fn tiers_are_chosen_by_threshold_not_by_order() {
        let mut c = Case::march(vec![outage(1, bkk(3, 1, 0, 0), Some(bkk(3, 2, 0, 0)))]);
        c.terms.credit_tiers.reverse();
        // 1,440 of 44,640 minutes down: 96.7741 %, below 99.9 and 99.0 but not 95.
        let a = c.run();
        assert_eq!(a.availability.achieved_percent, dec("96.7741"));
        assert_eq!(a.credit.tier.unwrap().below_percent, dec("99.0"));
        assert_eq!(a.credit.amount, Some(Money::parse("2500").unwrap()));
        c.charge = Some(Money::ZERO);
        assert_eq!(c.run().credit.amount, Some(Money::ZERO));
        // Before the month's statement sets the charge: the tier shows, no amount yet.
        c.charge = None;
        let pending = c.run();
        assert_eq!(pending.credit.tier.unwrap().credit_percent, dec("25"));
        assert_eq!(pending.credit.amount, None);
    }

    fn unplanned_each(minutes: &[i64]) -> SlaAttainment {
        let outages = minutes
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let from = bkk(3, 2 + u32::try_from(i).unwrap(), 0, 0);
                outage(u128::try_from(i).unwrap() + 1, from, Some(from + TimeDelta::minutes(*m)))
            })
            .collect();
        Case::march(outages).run()
    }

    #[test]
    fn gsi_10_2_reliability_at_its_boundaries() {
        let three = unplanned_each(&[240, 240, 240]);
        let r = &three.reliability;
        assert_eq!((r.unplanned_outages, r.restore_minutes_total), (3, 720));
        assert_eq!(r.mean_time_to_restore_minutes, Some(dec("240.00")));
        assert!(!r.breached(), "3 outages and a 240-minute mean are within the terms");

        let four = unplanned_each(&[10, 10, 10, 10]);
        assert_eq!(four.reliability.breaches, [ReliabilityBreach::TooManyUnplannedOutages]);

        let slow = unplanned_each(&[240, 241]);
        assert_eq!(slow.reliability.mean_time_to_restore_minutes, Some(dec("240.50")));
        assert_eq!(slow.reliability.breaches, [ReliabilityBreach::MeanTimeToRestoreTooLong]);

        let thirds = unplanned_each(&[100, 100, 101]);
        assert_eq!(thirds.reliability.mean_time_to_restore_minutes, Some(dec("100.33")));

        let none = unplanned_each(&[]);
        assert_eq!(none.reliability.mean_time_to_restore_minutes, None);
        assert!(!none.reliability.breached());
    }

    #[test]
    fn gsi_10_2_share_of_incidents_resolved_within_deadline() {
        let outcome = |n: u128, sub: u128, at: DateTime<Utc>, resolution| IncidentOutcome {
            incident: IncidentId::from_uuid(Uuid::from_u128(n)),
            subscription: subscription(sub),
            reported_at: at,
            resolution,
        };
        let mut c = Case::march(vec![]);
        c.incidents = vec![
            outcome(1, 1, bkk(3, 2, 0, 0), DeadlineStatus::Met),
            outcome(2, 1, bkk(3, 3, 0, 0), DeadlineStatus::Met),
            outcome(3, 1, bkk(3, 4, 0, 0), DeadlineStatus::Breached),
            outcome(4, 1, bkk(3, 5, 0, 0), DeadlineStatus::Pending),
            outcome(5, 1, bkk(3, 6, 0, 0), DeadlineStatus::NotApplicable),
            outcome(6, 2, bkk(3, 6, 0, 0), DeadlineStatus::Breached),
            // 1 April 00:30 Bangkok is April.
            outcome(7, 1, bkk(4, 1, 0, 30), DeadlineStatus::Breached),
        ];
        let r = c.run().reliability;
        assert_eq!((r.incidents_met, r.incidents_breached, r.incidents_pending), (2, 1, 1));
        assert_eq!(r.incidents_within_deadline_percent, Some(dec("66.6666")));
        assert!(!r.breached(), "the terms set no target for the share");
    }

    #[test]
    fn union_and_subtract() {
        assert_eq!(union(vec![(5, 7), (1, 3), (2, 4), (4, 5), (9, 10)]), [(1, 7), (9, 10)]);
        assert_eq!(subtract(&[(0, 10), (20, 30)], &[(2, 3), (5, 22), (29, 40)]), [(0, 2), (3, 5), (22, 29)]);
        assert_eq!(subtract(&[(0, 10)], &[]), [(0, 10)]);
        assert!(subtract(&[(3, 4)], &[(0, 10)]).is_empty());
    }
}
