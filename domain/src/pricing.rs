//! Prices (GSI-7.1): the reference prices (ราคากลาง) GIX sets per service kind and metric,
//! the cap they put on providers' unit prices, and the price history a charge is rated
//! against.
//!
//! Decisions where the issue is silent:
//! - A validity period is half-open, `[valid_from, valid_until)`; `valid_until` may be open.
//!   Two reference prices for the same (kind, metric) may not overlap, so at most one is in
//!   force at any instant. A price is never edited; the only change is closing an open (or
//!   later-ending) period at or after `now` ([`close_period`]), so caps that were in force
//!   stay in the history as they were. A replacement price is: close the current one at T,
//!   add the new one from T.
//! - A unit price equal to the cap is allowed; above it is refused.
//! - A unit price for a (kind, metric) with **no** reference price in force is refused: GSI-7.1
//!   requires prices not to exceed the reference price, and without one the hub cannot show
//!   that they do. GIX sets a reference price first.
//! - An offering's price for a metric changes by adding a [`PricePoint`] with an
//!   effective-from instant; the price in force at an instant is the latest point at or before
//!   it, and a charge is rated at the price in force at the usage time.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::ids::Id;
use crate::money::{Money, MoneyError, Quantity, UnitPrice, charge};
use crate::role::{Actor, Role};
use crate::service::{Metric, ServiceKind};
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub enum ReferencePriceMarker {}
pub type ReferencePriceId = Id<ReferencePriceMarker>;

pub const BASIS_MAX: usize = 1000;

/// `[from, until)`; `until` is `None` for an open period and always after `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityPeriod {
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
}

impl ValidityPeriod {
    /// Errors name `valid_until` when it is not after `valid_from`.
    pub fn new(from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> Result<Self, ValidationErrors> {
        match until {
            Some(until) if until <= from => Err(ValidationErrors::single(
                "valid_until",
                "not_after_start",
                format!("must be after valid_from ({from})"),
            )),
            _ => Ok(Self { from, until }),
        }
    }

    pub fn from(self) -> DateTime<Utc> {
        self.from
    }

    pub fn until(self) -> Option<DateTime<Utc>> {
        self.until
    }

    pub fn contains(self, at: DateTime<Utc>) -> bool {
        self.from <= at && self.until.is_none_or(|until| at < until)
    }

    pub fn overlaps(self, other: ValidityPeriod) -> bool {
        let starts_before_other_ends = other.until.is_none_or(|end| self.from < end);
        let other_starts_before_self_ends = self.until.is_none_or(|end| other.from < end);
        starts_before_other_ends && other_starts_before_self_ends
    }
}

impl fmt::Display for ValidityPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.until {
            Some(until) => write!(f, "[{}, {})", self.from, until),
            None => write!(f, "[{}, open)", self.from),
        }
    }
}

/// GSI-7.1: the most a provider may charge per unit of `metric` for `kind` during `period`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePrice {
    pub id: ReferencePriceId,
    pub kind: ServiceKind,
    pub metric: Metric,
    pub unit_price: UnitPrice,
    pub period: ValidityPeriod,
    /// The rule or law that sets the price (GSI-7.1 allows either), as GIX cites it.
    pub basis: Option<BoundedText>,
}

/// Unparsed input from GIX.
#[derive(Debug, Clone)]
pub struct ReferencePriceDraft {
    pub kind: String,
    pub metric: String,
    pub unit_price: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    pub basis: Option<String>,
}

/// A parsed reference price not yet checked against the history ([`check_no_overlap`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReferencePrice {
    pub kind: ServiceKind,
    pub metric: Metric,
    pub unit_price: UnitPrice,
    pub period: ValidityPeriod,
    pub basis: Option<BoundedText>,
}

impl NewReferencePrice {
    pub fn parse(draft: &ReferencePriceDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match draft.kind.parse::<ServiceKind>() {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let metric = match draft.metric.parse::<Metric>() {
            Ok(metric) => Some(metric),
            Err(e) => {
                errors.add("metric", "invalid_choice", e.to_string());
                None
            }
        };
        let unit_price = errors.collect(parse_unit_price("unit_price", &draft.unit_price));
        let period = errors.collect(ValidityPeriod::new(draft.valid_from, draft.valid_until));
        let basis = errors.collect(BoundedText::parse_optional("basis", draft.basis.as_deref(), BASIS_MAX));
        errors.finish(|| {
            Some(NewReferencePrice {
                kind: kind?,
                metric: metric?,
                unit_price: unit_price?,
                period: period?,
                basis: basis?,
            })
        })
    }

    pub fn into_reference_price(self, id: ReferencePriceId) -> ReferencePrice {
        ReferencePrice {
            id,
            kind: self.kind,
            metric: self.metric,
            unit_price: self.unit_price,
            period: self.period,
            basis: self.basis,
        }
    }
}

/// A unit price in THB, with the field named in the error.
pub fn parse_unit_price(field: &str, raw: &str) -> Result<UnitPrice, ValidationErrors> {
    UnitPrice::parse(raw).map_err(|e| {
        let code = match e {
            MoneyError::Negative(_) => "negative",
            MoneyError::TooPrecise(..) => "too_precise",
            MoneyError::NotANumber(_) | MoneyError::Overflow => "invalid_amount",
        };
        ValidationErrors::single(field, code, e.to_string())
    })
}

/// Two reference prices for the same (kind, metric) would be in force at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a reference price for {kind}/{metric} is already in force during {existing_period} (id {existing}); close it first or choose a period that does not overlap"
)]
pub struct PeriodOverlap {
    pub kind: ServiceKind,
    pub metric: Metric,
    pub existing: ReferencePriceId,
    pub existing_period: ValidityPeriod,
}

/// Refuses a period for (kind, metric) that overlaps any other in `history`. `ignoring` is
/// the price being changed, when one is (its own old period does not count).
pub fn check_no_overlap(
    history: &[ReferencePrice],
    kind: ServiceKind,
    metric: Metric,
    period: ValidityPeriod,
    ignoring: Option<ReferencePriceId>,
) -> Result<(), PeriodOverlap> {
    match history
        .iter()
        .find(|p| p.kind == kind && p.metric == metric && Some(p.id) != ignoring && p.period.overlaps(period))
    {
        Some(existing) => Err(PeriodOverlap { kind, metric, existing: existing.id, existing_period: existing.period }),
        None => Ok(()),
    }
}

/// Ends a reference price's period at `until`. Only shortening is allowed, and not into the
/// past: `until` must be after the period starts, no earlier than `now`, and before the
/// current end if there is one. The returned period replaces the stored one.
pub fn close_period(
    price: &ReferencePrice,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<ValidityPeriod, ValidationErrors> {
    if until < now {
        return Err(ValidationErrors::single(
            "valid_until",
            "in_the_past",
            format!("a period cannot be closed retroactively; choose {now} or later"),
        ));
    }
    if let Some(current) = price.period.until {
        if until >= current {
            return Err(ValidationErrors::single(
                "valid_until",
                "not_shorter",
                format!("the period already ends at {current}; it can only be shortened"),
            ));
        }
    }
    ValidityPeriod::new(price.period.from, Some(until))
}

/// Replacing a price in one step: when `new` starts after the open-ended price of its
/// (kind, metric), that price is to be closed at the instant `new` starts. Returns the price
/// to close and its closed period, or `None` when `new` replaces nothing, including when the
/// closing would be retroactive ([`close_period`] refuses; the overlap check then refuses
/// `new`).
pub fn period_to_close_for(
    history: &[ReferencePrice],
    new: &NewReferencePrice,
    now: DateTime<Utc>,
) -> Option<(ReferencePriceId, ValidityPeriod)> {
    let open = history.iter().find(|p| {
        p.kind == new.kind && p.metric == new.metric && p.period.until.is_none() && p.period.from < new.period.from
    })?;
    close_period(open, new.period.from, now).ok().map(|period| (open.id, period))
}

/// The reference price for (kind, metric) in force at `at`, if any.
pub fn reference_price_in_force(
    history: &[ReferencePrice],
    kind: ServiceKind,
    metric: Metric,
    at: DateTime<Utc>,
) -> Option<&ReferencePrice> {
    history.iter().find(|p| p.kind == kind && p.metric == metric && p.period.contains(at))
}

/// Why a unit price breaks the cap rule of GSI-7.1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapViolation {
    #[error(
        "unit price {price} THB per {metric} is above the reference price {cap} THB in force for {kind}/{metric} (GSI-7.1)"
    )]
    AboveCap { kind: ServiceKind, metric: Metric, price: UnitPrice, cap: UnitPrice },
    #[error("no reference price in force for {kind}/{metric}; GIX must set one before it can be priced (GSI-7.1)")]
    NoReferencePrice { kind: ServiceKind, metric: Metric },
}

impl CapViolation {
    /// The stable code a field error or problem response carries.
    pub const fn code(&self) -> &'static str {
        match self {
            CapViolation::AboveCap { .. } => "above_reference_price",
            CapViolation::NoReferencePrice { .. } => "no_reference_price",
        }
    }
}

/// GSI-7.1, the cap rule: `price` for (kind, metric) must not exceed the reference price in
/// force at `at`; equal is allowed; no reference price in force is refused.
pub fn check_cap(
    history: &[ReferencePrice],
    kind: ServiceKind,
    metric: Metric,
    price: UnitPrice,
    at: DateTime<Utc>,
) -> Result<(), CapViolation> {
    match reference_price_in_force(history, kind, metric, at) {
        Some(reference) if price <= reference.unit_price => Ok(()),
        Some(reference) => Err(CapViolation::AboveCap { kind, metric, price, cap: reference.unit_price }),
        None => Err(CapViolation::NoReferencePrice { kind, metric }),
    }
}

/// Reference prices are set by GIX (GSI-7.1, 12).
pub fn may_set_reference_prices(actor: &Actor) -> bool {
    actor.role == Role::GixOfficer
}

/// Reference prices are public to every authenticated caller: agencies compare offers
/// against them and providers price under them.
pub fn may_read_reference_prices(actor: &Actor) -> bool {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::GixOfficer | Role::Assessor => true,
    }
}

/// One entry of an offering's price history: from `effective_from` on, `metric` costs
/// `unit_price` until a later entry for the same metric takes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricePoint {
    pub metric: Metric,
    pub unit_price: UnitPrice,
    pub effective_from: DateTime<Utc>,
}

/// The price of `metric` in force at `at`: the latest point at or before `at`. On equal
/// instants the later entry in `history` wins (callers refuse such duplicates anyway).
pub fn price_in_force(history: &[PricePoint], metric: Metric, at: DateTime<Utc>) -> Option<&PricePoint> {
    history.iter().filter(|p| p.metric == metric && p.effective_from <= at).fold(
        None,
        |best: Option<&PricePoint>, p| match best {
            Some(b) if b.effective_from > p.effective_from => Some(b),
            _ => Some(p),
        },
    )
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("no price for {metric} was in force at {at}")]
    NoPriceInForce { metric: Metric, at: DateTime<Utc> },
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// GSI-7.1: a charge for `quantity` of `metric` used at `used_at` is rated at the price in
/// force at that instant, with the one rounding rule of [`charge`].
pub fn rate(
    history: &[PricePoint],
    metric: Metric,
    quantity: Quantity,
    used_at: DateTime<Utc>,
) -> Result<Money, RatingError> {
    let point = price_in_force(history, metric, used_at).ok_or(RatingError::NoPriceInForce { metric, at: used_at })?;
    Ok(charge(quantity, point.unit_price)?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::role::Subject;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, day, 0, 0, 0).unwrap()
    }

    fn price(s: &str) -> UnitPrice {
        UnitPrice::parse(s).unwrap()
    }

    pub(crate) fn reference(
        id: u128,
        kind: ServiceKind,
        metric: Metric,
        cap: &str,
        from: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> ReferencePrice {
        ReferencePrice {
            id: ReferencePriceId::from_uuid(Uuid::from_u128(id)),
            kind,
            metric,
            unit_price: price(cap),
            period: ValidityPeriod::new(from, until).unwrap(),
            basis: None,
        }
    }

    fn internet_history() -> Vec<ReferencePrice> {
        vec![
            reference(1, ServiceKind::GovernmentInternet, Metric::MbpsMonth, "120", t(1), Some(t(10))),
            reference(2, ServiceKind::GovernmentInternet, Metric::MbpsMonth, "100", t(10), None),
        ]
    }

    #[test]
    fn gsi_7_1_price_equal_to_the_cap_is_allowed() {
        let h = internet_history();
        assert_eq!(check_cap(&h, ServiceKind::GovernmentInternet, Metric::MbpsMonth, price("100"), t(10)), Ok(()));
        assert_eq!(
            check_cap(&h, ServiceKind::GovernmentInternet, Metric::MbpsMonth, price("99.999999"), t(10)),
            Ok(())
        );
    }

    #[test]
    fn gsi_7_1_price_above_cap_is_refused_naming_metric_price_and_cap() {
        let h = internet_history();
        let err =
            check_cap(&h, ServiceKind::GovernmentInternet, Metric::MbpsMonth, price("100.000001"), t(10)).unwrap_err();
        assert_eq!(
            err,
            CapViolation::AboveCap {
                kind: ServiceKind::GovernmentInternet,
                metric: Metric::MbpsMonth,
                price: price("100.000001"),
                cap: price("100"),
            }
        );
        assert_eq!(err.code(), "above_reference_price");
        assert_eq!(
            err.to_string(),
            "unit price 100.000001 THB per mbps_month is above the reference price 100 THB in force for government_internet/mbps_month (GSI-7.1)"
        );
    }

    #[test]
    fn gsi_7_1_cap_is_the_one_in_force_at_the_instant() {
        let h = internet_history();
        let check = |p: &str, at| check_cap(&h, ServiceKind::GovernmentInternet, Metric::MbpsMonth, price(p), at);
        // 110 is under the old cap of 120 until the instant the new cap of 100 starts.
        assert_eq!(check("110", t(10) - Duration::microseconds(1)), Ok(()));
        assert!(check("110", t(10)).is_err());
        assert!(check("120.01", t(5)).is_err());
    }

    #[test]
    fn gsi_7_1_no_reference_price_in_force_is_refused() {
        let h = internet_history();
        let before = check_cap(
            &h,
            ServiceKind::GovernmentInternet,
            Metric::MbpsMonth,
            price("1"),
            t(1) - Duration::microseconds(1),
        )
        .unwrap_err();
        assert_eq!(
            before,
            CapViolation::NoReferencePrice { kind: ServiceKind::GovernmentInternet, metric: Metric::MbpsMonth }
        );
        assert_eq!(before.code(), "no_reference_price");
        assert_eq!(
            before.to_string(),
            "no reference price in force for government_internet/mbps_month; GIX must set one before it can be priced (GSI-7.1)"
        );
        // Another kind with the same metric has no cap of its own.
        assert!(check_cap(&h, ServiceKind::AgencyIntranet, Metric::MbpsMonth, price("1"), t(12)).is_err());
    }

    #[test]
    fn gsi_7_1_periods_are_half_open() {
        let p = ValidityPeriod::new(t(1), Some(t(10))).unwrap();
        assert!(p.contains(t(1)));
        assert!(p.contains(t(10) - Duration::microseconds(1)));
        assert!(!p.contains(t(10)));
        assert!(!p.contains(t(1) - Duration::microseconds(1)));
        let open = ValidityPeriod::new(t(10), None).unwrap();
        assert!(open.contains(t(31)));
        assert!(!p.overlaps(open), "touching periods do not overlap");
        assert!(ValidityPeriod::new(t(9), None).unwrap().overlaps(p));
        assert!(ValidityPeriod::new(t(2), Some(t(3))).unwrap().overlaps(p));
        assert!(open.overlaps(ValidityPeriod::new(t(20), None).unwrap()));
        assert_eq!(ValidityPeriod::new(t(2), Some(t(2))).unwrap_err().errors()[0].code, "not_after_start");
    }

    #[test]
    fn gsi_7_1_overlapping_reference_prices_are_refused() {
        let h = internet_history();
        let overlap = check_no_overlap(
            &h,
            ServiceKind::GovernmentInternet,
            Metric::MbpsMonth,
            ValidityPeriod::new(t(20), None).unwrap(),
            None,
        )
        .unwrap_err();
        assert_eq!(overlap.existing, h[1].id);
        assert!(overlap.to_string().contains("government_internet/mbps_month"));
        // Before the first period: free.
        assert_eq!(
            check_no_overlap(
                &h,
                ServiceKind::GovernmentInternet,
                Metric::MbpsMonth,
                ValidityPeriod::new(t(1) - Duration::days(5), Some(t(1))).unwrap(),
                None,
            ),
            Ok(())
        );
        // Another metric or kind: free.
        assert_eq!(
            check_no_overlap(
                &h,
                ServiceKind::GovernmentInternet,
                Metric::PublicIpMonth,
                ValidityPeriod::new(t(20), None).unwrap(),
                None,
            ),
            Ok(())
        );
        // A price does not overlap itself when its own period changes.
        assert_eq!(
            check_no_overlap(
                &h,
                ServiceKind::GovernmentInternet,
                Metric::MbpsMonth,
                ValidityPeriod::new(t(10), Some(t(20))).unwrap(),
                Some(h[1].id),
            ),
            Ok(())
        );
    }

    #[test]
    fn gsi_7_1_replacing_a_price_closes_the_current_one_first() {
        let mut h = internet_history();
        let now = t(15);
        let closed = close_period(&h[1], t(20), now).unwrap();
        assert_eq!(closed.until(), Some(t(20)));
        assert_eq!(closed.from(), t(10));
        h[1].period = closed;
        let next = NewReferencePrice::parse(&ReferencePriceDraft {
            kind: "government_internet".into(),
            metric: "mbps_month".into(),
            unit_price: "90".into(),
            valid_from: t(20),
            valid_until: None,
            basis: Some("มติ ครม. ตัวอย่าง".into()),
        })
        .unwrap();
        assert_eq!(check_no_overlap(&h, next.kind, next.metric, next.period, None), Ok(()));
        h.push(next.into_reference_price(ReferencePriceId::from_uuid(Uuid::from_u128(3))));
        let in_force = |at| {
            reference_price_in_force(&h, ServiceKind::GovernmentInternet, Metric::MbpsMonth, at).map(|p| p.unit_price)
        };
        assert_eq!(in_force(t(19)), Some(price("100")));
        assert_eq!(in_force(t(20)), Some(price("90")));
        assert_eq!(in_force(t(5)), Some(price("120")));
    }

    #[test]
    fn gsi_7_1_a_later_price_closes_the_open_ended_one_at_its_start() {
        let h = internet_history();
        let new = |from| NewReferencePrice {
            kind: ServiceKind::GovernmentInternet,
            metric: Metric::MbpsMonth,
            unit_price: price("90"),
            period: ValidityPeriod::new(from, None).unwrap(),
            basis: None,
        };
        let (id, period) = period_to_close_for(&h, &new(t(20)), t(15)).unwrap();
        assert_eq!(id, h[1].id);
        assert_eq!(period, ValidityPeriod::new(t(10), Some(t(20))).unwrap());
        // Starting now is allowed; starting in the past would rewrite history.
        assert!(period_to_close_for(&h, &new(t(15)), t(15)).is_some());
        assert_eq!(period_to_close_for(&h, &new(t(14)), t(15)), None);
        // Not after the open-ended price starts, another series, or nothing open: nothing to close.
        assert_eq!(period_to_close_for(&h, &new(t(10)), t(1)), None);
        let other = NewReferencePrice { metric: Metric::PublicIpMonth, ..new(t(20)) };
        assert_eq!(period_to_close_for(&h, &other, t(15)), None);
        assert_eq!(period_to_close_for(&h[..1], &new(t(20)), t(2)), None);
    }

    #[test]
    fn gsi_7_1_closing_never_rewrites_the_past_or_lengthens() {
        let h = internet_history();
        let now = t(15);
        assert_eq!(close_period(&h[1], t(14), now).unwrap_err().errors()[0].code, "in_the_past");
        assert!(close_period(&h[1], now, now).is_ok(), "closing at now is allowed");
        assert_eq!(close_period(&h[0], t(12), t(2)).unwrap_err().errors()[0].code, "not_shorter");
        assert_eq!(close_period(&h[0], t(9), t(2)).unwrap().until(), Some(t(9)));
        // At its start the period would be empty.
        assert_eq!(close_period(&h[1], t(10), t(10)).unwrap_err().errors()[0].code, "not_after_start");
    }

    #[test]
    fn gsi_7_1_reference_price_draft_names_every_bad_field() {
        let errors = NewReferencePrice::parse(&ReferencePriceDraft {
            kind: "satellite".into(),
            metric: "mbps".into(),
            unit_price: "-1".into(),
            valid_from: t(2),
            valid_until: Some(t(1)),
            basis: Some(" ".into()),
        })
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("kind", "invalid_choice"),
                ("metric", "invalid_choice"),
                ("unit_price", "negative"),
                ("valid_until", "not_after_start"),
                ("basis", "required"),
            ]
        );
        assert_eq!(parse_unit_price("p", "0.0000001").unwrap_err().errors()[0].code, "too_precise");
        assert_eq!(parse_unit_price("p", "abc").unwrap_err().errors()[0].code, "invalid_amount");
    }

    #[test]
    fn gsi_7_1_charges_are_rated_at_the_price_in_force_at_usage_time() {
        let point =
            |p: &str, day| PricePoint { metric: Metric::VcpuHour, unit_price: price(p), effective_from: t(day) };
        // Recorded out of order on purpose: the lookup must not depend on order.
        let history = vec![point("1.50", 10), point("2.00", 1), point("1.25", 20)];
        let q = Quantity::parse("100").unwrap();
        assert_eq!(rate(&history, Metric::VcpuHour, q, t(1)).unwrap(), Money::parse("200").unwrap());
        assert_eq!(
            rate(&history, Metric::VcpuHour, q, t(10) - Duration::microseconds(1)).unwrap(),
            Money::parse("200").unwrap()
        );
        assert_eq!(rate(&history, Metric::VcpuHour, q, t(10)).unwrap(), Money::parse("150").unwrap());
        assert_eq!(rate(&history, Metric::VcpuHour, q, t(25)).unwrap(), Money::parse("125").unwrap());
        assert_eq!(price_in_force(&history, Metric::VcpuHour, t(15)).map(|p| p.unit_price), Some(price("1.5")));
        assert_eq!(
            rate(&history, Metric::VcpuHour, q, t(1) - Duration::microseconds(1)),
            Err(RatingError::NoPriceInForce { metric: Metric::VcpuHour, at: t(1) - Duration::microseconds(1) })
        );
        assert!(rate(&history, Metric::RamGbHour, q, t(15)).is_err());
        // Rounding is the one rule of money::charge: 3 × 0.335 = 1.005 → 1.01.
        let rounding = vec![PricePoint { metric: Metric::Kwh, unit_price: price("0.335"), effective_from: t(1) }];
        assert_eq!(rate(&rounding, Metric::Kwh, Quantity::parse("3").unwrap(), t(2)).unwrap(), Money::from_satang(101));
    }

    #[test]
    fn gsi_7_1_only_gix_sets_reference_prices_and_everyone_reads_them() {
        for role in Role::ALL {
            let actor = Actor {
                subject: Subject::parse("u").unwrap(),
                organisation: crate::ids::OrganisationId::from_uuid(Uuid::from_u128(1)),
                role,
            };
            assert_eq!(may_set_reference_prices(&actor), role == Role::GixOfficer);
            assert!(may_read_reference_prices(&actor));
        }
    }
}
