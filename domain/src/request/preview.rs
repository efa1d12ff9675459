//! What a request would do, before it is sent (GSI-A.1.2–A.1.3): the resulting quantities,
//! the estimated change in monthly cost, and a clear warning for every resource asked for
//! beyond what the provider can serve.
//!
//! "Monthly" (an estimate, not a bill): a `*_month` metric is priced per unit per month, so a
//! month costs `quantity × price`. An hour metric (`vcpu_hour`, `ram_gb_hour`) sizes a resource
//! kept running all month, so a month costs `quantity × 730 × price`, 730 hours being the
//! average month (8,760 hours a year / 12). `kwh` is consumption: the quantity is the expected
//! kWh a month. Each resource's monthly charge is rounded once (`money::charge`), as a
//! statement line would be; totals and deltas add up those rounded lines.
//!
//! Warnings do not block submission: A.1.3 asks to warn, and the provider decides in its quote.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::Quantities;
use super::kind::RequestPayload;
use crate::money::{Money, Quantity, UnitPrice, charge};
use crate::service::{Metric, vocabulary};
use crate::validation::ValidationErrors;

/// Hours in the average month: 8,760 / 12.
pub const HOURS_PER_MONTH: i64 = 730;

/// How many priced units one unit of `metric` amounts to in a month.
pub fn monthly_units(metric: Metric) -> Decimal {
    match metric {
        Metric::VcpuHour | Metric::RamGbHour => Decimal::from(HOURS_PER_MONTH),
        Metric::MbpsMonth
        | Metric::StorageGbMonth
        | Metric::BackupGbMonth
        | Metric::RackUnitMonth
        | Metric::Kwh
        | Metric::PublicIpMonth => Decimal::ONE,
    }
}

/// The estimated monthly charge for `quantity` of `metric`, rounded once to the satang.
/// `None` when the amount is out of range.
pub fn monthly_charge(metric: Metric, quantity: Quantity, unit_price: UnitPrice) -> Option<Money> {
    let units = quantity.as_decimal().checked_mul(monthly_units(metric))?;
    let units = Quantity::from_decimal(units).ok()?;
    charge(units, unit_price).ok()
}

vocabulary!(
    /// Which limit a resource runs into.
    CapacityLimit, "capacity limit" {
        /// The most one subscription of the offering may have.
        Offering => "offering_capacity",
        /// What the provider has left to give (plus what the subscription already has).
        Provider => "provider_capacity",
    }
);

/// GSI-A.1.3: a resource asked for beyond what can be served. `asked` and `most_available`
/// are both sizes after the request (not increments), so they compare directly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CapacityWarning {
    pub metric: Metric,
    pub asked: Quantity,
    pub most_available: Quantity,
    /// The limit that binds (the smaller one; the offering's when both give the same).
    pub limited_by: CapacityLimit,
}

impl CapacityWarning {
    /// The resource as agencies name it (`bandwidth (Mbps)`).
    pub fn resource(&self) -> &'static str {
        self.metric.resource_label()
    }

    /// One sentence naming the resource, the amount asked and the most available.
    pub fn message(&self) -> String {
        let limit = match self.limited_by {
            CapacityLimit::Offering => "the most one subscription of this offering may have",
            CapacityLimit::Provider => "the provider's remaining capacity",
        };
        format!(
            "{}: asked for {}, but at most {} can be served ({limit})",
            self.resource(),
            self.asked,
            self.most_available
        )
    }
}

/// One resource before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLine {
    pub metric: Metric,
    pub current: Quantity,
    pub resulting: Quantity,
    pub unit_price: UnitPrice,
    pub monthly_before: Money,
    pub monthly_after: Money,
    /// `monthly_after - monthly_before`: positive is an increase, negative a decrease.
    pub monthly_delta: Money,
}

/// The outcome of a preview; stored with the request on submission so that the provider
/// sees the same estimate and warnings the agency saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// One line per resource in use now or named in the request, by metric.
    pub lines: Vec<PreviewLine>,
    pub monthly_cost_before: Money,
    pub monthly_cost_after: Money,
    pub monthly_cost_delta: Money,
    /// One per resource that exceeds what can be served, by metric.
    pub warnings: Vec<CapacityWarning>,
}

impl Preview {
    /// The sizes after the request, for every resource that has a line.
    pub fn resulting_quantities(&self) -> Quantities {
        self.lines.iter().map(|l| (l.metric, l.resulting)).collect()
    }
}

/// What a preview is computed against; the caller loads it from the catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreviewBasis {
    /// What the subscription (or the add-on) has now; empty for a new service or add-on.
    pub current: Quantities,
    /// The offering's (or add-on's) price for each metric it is sold by.
    pub unit_prices: BTreeMap<Metric, UnitPrice>,
    /// The most one subscription may have, per metric; an absent metric is not limited.
    pub offering_capacity: Quantities,
    /// What the provider has not yet given to anyone, per metric; absent is not limited.
    pub provider_remaining: Quantities,
}

/// GSI-A.1.2–A.1.3: previews a parsed request against its basis.
pub fn preview(payload: &RequestPayload, basis: &PreviewBasis) -> Result<Preview, ValidationErrors> {
    preview_quantities(&payload.requested_quantities(&basis.current), basis)
}

/// Previews asking for `requested` (sizes after the request, for the metrics named) when
/// `basis.current` is in use. A resource named in the request must be priced by the offering
/// (`quantities.<metric>`, `not_offered`); a resource in use must have a price too.
///
/// Capacity rule: growing a resource to `asked` needs `asked ≤ offering capacity` and
/// `asked - current ≤ provider remaining`; the most available is the smaller of the two,
/// never less than `current` (what is already served can be kept). A resource that does not
/// grow never warns.
pub fn preview_quantities(requested: &Quantities, basis: &PreviewBasis) -> Result<Preview, ValidationErrors> {
    let current = &basis.current;
    let mut errors = ValidationErrors::new();
    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut metrics: Vec<Metric> = current.keys().chain(requested.keys()).copied().collect();
    metrics.sort();
    metrics.dedup();

    for metric in metrics {
        let now_has = current.get(&metric).copied().unwrap_or(Quantity::ZERO);
        let resulting = requested.get(&metric).copied().unwrap_or(now_has);
        let Some(unit_price) = basis.unit_prices.get(&metric).copied() else {
            if requested.contains_key(&metric) {
                errors.add(
                    format!("quantities.{metric}"),
                    "not_offered",
                    format!("{} is not sold by this offering", metric.resource_label()),
                );
            } else {
                errors.add(
                    format!("unit_prices.{metric}"),
                    "missing_price",
                    format!("no price for {} which is in use", metric.resource_label()),
                );
            }
            continue;
        };
        let before = monthly_charge(metric, now_has, unit_price);
        let after = monthly_charge(metric, resulting, unit_price);
        let (Some(before), Some(after)) = (before, after) else {
            errors.add(
                format!("quantities.{metric}"),
                "too_large",
                "the monthly charge for this amount is out of range",
            );
            continue;
        };
        if let Some(warning) = capacity_warning(metric, now_has, resulting, basis) {
            warnings.push(warning);
        }
        lines.push(PreviewLine {
            metric,
            current: now_has,
            resulting,
            unit_price,
            monthly_before: before,
            monthly_after: after,
            monthly_delta: after - before,
        });
    }

    let before = Money::sum(lines.iter().map(|l| &l.monthly_before));
    let after = Money::sum(lines.iter().map(|l| &l.monthly_after));
    let (Some(before), Some(after)) = (before, after) else {
        errors.add("quantities", "too_large", "the total monthly charge is out of range");
        return Err(errors);
    };
    let delta = after.checked_sub(before);
    errors.finish(|| {
        Some(Preview {
            lines,
            monthly_cost_before: before,
            monthly_cost_after: after,
            monthly_cost_delta: delta?,
            warnings,
        })
    })
}

fn capacity_warning(
    metric: Metric,
    current: Quantity,
    asked: Quantity,
    basis: &PreviewBasis,
) -> Option<CapacityWarning> {
    if asked <= current {
        return None;
    }
    let offering = basis.offering_capacity.get(&metric).copied();
    let provider = basis.provider_remaining.get(&metric).and_then(|remaining| current.checked_add(*remaining));
    let (limit, limited_by) = match (offering, provider) {
        (None, None) => return None,
        (Some(o), None) => (o, CapacityLimit::Offering),
        (None, Some(p)) => (p, CapacityLimit::Provider),
        (Some(o), Some(p)) if o <= p => (o, CapacityLimit::Offering),
        (Some(_), Some(p)) => (p, CapacityLimit::Provider),
    };
    let most_available = limit.max(current);
    (asked > most_available).then_some(CapacityWarning { metric, asked, most_available, limited_by })
}

/// The estimated monthly cost of `quantities`, each resource rounded once; `None` when a
/// resource has no price or an amount is out of range.
pub fn monthly_cost(quantities: &Quantities, unit_prices: &BTreeMap<Metric, UnitPrice>) -> Option<Money> {
    quantities.iter().try_fold(Money::ZERO, |total, (metric, q)| {
        let price = unit_prices.get(metric).copied()?;
        total.checked_add(monthly_charge(*metric, *q, price)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }
    fn p(s: &str) -> UnitPrice {
        UnitPrice::parse(s).unwrap()
    }
    fn thb(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    /// Government Internet at 12.50 THB per Mbps-month, at most 1,000 Mbps a subscription.
    fn internet() -> PreviewBasis {
        PreviewBasis {
            current: Quantities::from([(Metric::MbpsMonth, q("100"))]),
            unit_prices: BTreeMap::from([(Metric::MbpsMonth, p("12.50")), (Metric::PublicIpMonth, p("150"))]),
            offering_capacity: Quantities::from([(Metric::MbpsMonth, q("1000"))]),
            provider_remaining: Quantities::from([(Metric::MbpsMonth, q("5000"))]),
        }
    }

    /// Cloud compute: vCPU and RAM by the hour, storage by the GB-month.
    fn cloud() -> PreviewBasis {
        PreviewBasis {
            current: Quantities::from([
                (Metric::VcpuHour, q("4")),
                (Metric::RamGbHour, q("16")),
                (Metric::StorageGbMonth, q("500")),
            ]),
            unit_prices: BTreeMap::from([
                (Metric::VcpuHour, p("0.85")),
                (Metric::RamGbHour, p("0.125")),
                (Metric::StorageGbMonth, p("2.75")),
            ]),
            offering_capacity: Quantities::from([(Metric::VcpuHour, q("32"))]),
            provider_remaining: Quantities::from([(Metric::VcpuHour, q("8")), (Metric::RamGbHour, q("1000"))]),
        }
    }

    #[test]
    fn gsi_a_1_2_bandwidth_increase_costs_the_difference() {
        let requested = Quantities::from([(Metric::MbpsMonth, q("300"))]);
        let preview = preview_quantities(&requested, &internet()).unwrap();
        assert_eq!(preview.resulting_quantities(), requested);
        assert_eq!(preview.monthly_cost_before, thb("1250"));
        assert_eq!(preview.monthly_cost_after, thb("3750"));
        assert_eq!(preview.monthly_cost_delta, thb("2500"));
        assert!(preview.warnings.is_empty());
    }

    #[test]
    fn gsi_a_1_2_decrease_is_a_negative_delta() {
        let requested = Quantities::from([(Metric::MbpsMonth, q("50"))]);
        let preview = preview_quantities(&requested, &internet()).unwrap();
        assert_eq!(preview.monthly_cost_delta, thb("-625"));
        assert!(preview.monthly_cost_delta.is_negative());
    }

    #[test]
    fn gsi_a_1_2_hour_metrics_count_730_hours_a_month() {
        // 4 → 6 vCPU at 0.85/h: before 4 × 730 × 0.85 = 2,482.00; after 3,723.00.
        // RAM 16 → 24 GB at 0.125/h: before 1,460.00; after 2,190.00.
        let requested = Quantities::from([(Metric::VcpuHour, q("6")), (Metric::RamGbHour, q("24"))]);
        let preview = preview_quantities(&requested, &cloud()).unwrap();
        let vcpu = &preview.lines[0];
        assert_eq!(vcpu.metric, Metric::VcpuHour);
        assert_eq!((vcpu.monthly_before, vcpu.monthly_after), (thb("2482"), thb("3723")));
        let ram = &preview.lines[1];
        assert_eq!(ram.metric, Metric::RamGbHour);
        assert_eq!(ram.monthly_delta, thb("730"));
        // storage is untouched: a line with no change
        let storage = &preview.lines[2];
        assert_eq!((storage.current, storage.resulting), (q("500"), q("500")));
        assert_eq!(storage.monthly_delta, Money::ZERO);
        assert_eq!(preview.monthly_cost_delta, thb("1971"));
        assert_eq!(preview.monthly_cost_after, thb("3723") + thb("2190") + thb("1375"));
    }

    #[test]
    fn gsi_a_1_2_each_line_is_rounded_once_and_the_delta_adds_the_lines() {
        // 0.5 vCPU at 0.001357/h = 0.495305 → 0.50; 1.5 vCPU = 1.485915 → 1.49
        let basis = PreviewBasis {
            current: Quantities::from([(Metric::VcpuHour, q("0.5"))]),
            unit_prices: BTreeMap::from([(Metric::VcpuHour, p("0.001357"))]),
            ..PreviewBasis::default()
        };
        let requested = Quantities::from([(Metric::VcpuHour, q("1.5"))]);
        let preview = preview_quantities(&requested, &basis).unwrap();
        assert_eq!(preview.monthly_cost_before, Money::from_satang(50));
        assert_eq!(preview.monthly_cost_after, Money::from_satang(149));
        assert_eq!(preview.monthly_cost_delta, Money::from_satang(99));
    }

    #[test]
    fn gsi_a_1_3_warns_at_the_offering_limit_naming_resource_asked_and_most() {
        let requested = Quantities::from([(Metric::MbpsMonth, q("2000"))]);
        let preview = preview_quantities(&requested, &internet()).unwrap();
        assert_eq!(
            preview.warnings,
            [CapacityWarning {
                metric: Metric::MbpsMonth,
                asked: q("2000"),
                most_available: q("1000"),
                limited_by: CapacityLimit::Offering,
            }]
        );
        assert_eq!(
            preview.warnings[0].message(),
            "bandwidth (Mbps): asked for 2000, but at most 1000 can be served (the most one subscription of this offering may have)"
        );
        // still priced: a warning does not stop the estimate
        assert_eq!(preview.monthly_cost_delta, thb("23750"));
    }

    #[test]
    fn gsi_a_1_3_exactly_at_the_limit_does_not_warn() {
        let requested = Quantities::from([(Metric::MbpsMonth, q("1000"))]);
        let preview = preview_quantities(&requested, &internet()).unwrap();
        assert!(preview.warnings.is_empty());
        let requested = Quantities::from([(Metric::MbpsMonth, q("1000.000001"))]);
        let preview = preview_quantities(&requested, &internet()).unwrap();
        assert_eq!(preview.warnings.len(), 1);
    }

    #[test]
    fn gsi_a_1_3_provider_capacity_counts_what_the_subscription_already_has() {
        // 4 vCPU now, 8 left at the provider: up to 12 can be served; the offering allows 32.
        let basis = cloud();
        let ok = Quantities::from([(Metric::VcpuHour, q("12"))]);
        assert!(preview_quantities(&ok, &basis).unwrap().warnings.is_empty());
        let too_many = Quantities::from([(Metric::VcpuHour, q("16"))]);
        let preview = preview_quantities(&too_many, &basis).unwrap();
        assert_eq!(
            preview.warnings,
            [CapacityWarning {
                metric: Metric::VcpuHour,
                asked: q("16"),
                most_available: q("12"),
                limited_by: CapacityLimit::Provider,
            }]
        );
        assert_eq!(
            preview.warnings[0].message(),
            "vCPU: asked for 16, but at most 12 can be served (the provider's remaining capacity)"
        );
    }

    #[test]
    fn gsi_a_1_3_warns_for_every_resource_over_its_limit() {
        let mut basis = cloud();
        basis.provider_remaining.insert(Metric::RamGbHour, q("0"));
        let requested = Quantities::from([
            (Metric::VcpuHour, q("40")),
            (Metric::RamGbHour, q("17")),
            (Metric::StorageGbMonth, q("100000")),
        ]);
        let preview = preview_quantities(&requested, &basis).unwrap();
        let summary: Vec<(Metric, Quantity, Quantity, CapacityLimit)> =
            preview.warnings.iter().map(|w| (w.metric, w.asked, w.most_available, w.limited_by)).collect();
        assert_eq!(
            summary,
            [
                // offering 32, provider 4 + 8 = 12: the provider binds
                (Metric::VcpuHour, q("40"), q("12"), CapacityLimit::Provider),
                // nothing left: only the 16 in use can be served
                (Metric::RamGbHour, q("17"), q("16"), CapacityLimit::Provider),
                // storage has no limits
            ]
        );
    }

    #[test]
    fn gsi_a_1_3_decreases_never_warn_even_above_a_lowered_limit() {
        let mut basis = internet();
        basis.current.insert(Metric::MbpsMonth, q("1200"));
        let requested = Quantities::from([(Metric::MbpsMonth, q("1100"))]);
        assert!(preview_quantities(&requested, &basis).unwrap().warnings.is_empty());
        // growing from above the limit: what is held can be kept, not more
        let requested = Quantities::from([(Metric::MbpsMonth, q("1300"))]);
        let preview = preview_quantities(&requested, &basis).unwrap();
        assert_eq!(preview.warnings[0].most_available, q("1200"));
    }

    #[test]
    fn gsi_7_5_7_cancellation_preview_removes_the_whole_monthly_cost() {
        let basis = internet();
        let payload = RequestPayload::Cancel { subscription: uuid::Uuid::from_u128(1).into(), end_at: None };
        let preview = preview(&payload, &basis).unwrap();
        assert_eq!(preview.monthly_cost_after, Money::ZERO);
        assert_eq!(preview.monthly_cost_delta, thb("-1250"));
        assert_eq!(preview.resulting_quantities(), Quantities::from([(Metric::MbpsMonth, Quantity::ZERO)]));
    }

    #[test]
    fn unpriced_resources_are_named() {
        let basis = internet();
        let requested = Quantities::from([(Metric::Kwh, q("10"))]);
        let errors = preview_quantities(&requested, &basis).unwrap_err();
        assert_eq!(errors.errors()[0].field, "quantities.kwh");
        assert_eq!(errors.errors()[0].code, "not_offered");

        let mut basis = internet();
        basis.unit_prices.clear();
        let errors = preview_quantities(&Quantities::new(), &basis).unwrap_err();
        assert_eq!(errors.errors()[0].field, "unit_prices.mbps_month");
        assert_eq!(errors.errors()[0].code, "missing_price");
    }

    #[test]
    fn monthly_cost_sums_rounded_lines() {
        let prices = cloud().unit_prices;
        assert_eq!(monthly_cost(&cloud().current, &prices), Some(thb("2482") + thb("1460") + thb("1375")));
        assert_eq!(monthly_cost(&internet().current, &prices), None);
    }
}
