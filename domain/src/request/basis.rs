//! What a request is priced and checked against, read from the catalog and the
//! subscription it targets (GSI-A.1.2–A.1.3, A.1.6).
//!
//! Decisions where the issue is silent:
//! - The *priced offering* of a request is the offering it buys or resizes: the offering of a
//!   new service, the add-on of the add-on kinds, the subscription's offering for a change or
//!   a cancellation. Its current unit prices give the estimate.
//! - The provider's remaining capacity of a metric is the offering's provider total less
//!   everything the provider's live (not terminated) subscriptions hold of that metric, base
//!   quantities and add-ons alike, never below zero.
//! - A request on a terminated subscription, an add-on that is not an add-on of the
//!   subscription's offering, an add-on already taken (or, to cancel, not taken), and an
//!   offering that is not published (to buy) are refused by field before anything is stored.
//! - A provider's approval must stay within its own offering's maximum per subscription, so
//!   that completing the request can always apply what was accepted.

use super::Quantities;
use super::kind::RequestPayload;
use super::preview::PreviewBasis;
use super::quote::QuoteDecision;
use crate::catalog::{CapacityLimits, Offering, OfferingRole, OfferingState};
use crate::money::Quantity;
use crate::subscription::{Subscription, SubscriptionStatus};
use crate::validation::ValidationErrors;

/// GSI-A.1.3: per metric with a provider total, what the provider has not yet given to
/// anyone. `in_use` holds the quantities of every live subscription and add-on of the
/// provider.
pub fn remaining_capacity(capacity: &CapacityLimits, in_use: &[Quantities]) -> Quantities {
    capacity
        .limits()
        .iter()
        .filter_map(|limit| {
            let total = limit.provider_total()?;
            let used = in_use
                .iter()
                .filter_map(|q| q.get(&limit.metric()))
                .try_fold(Quantity::ZERO, |sum, q| sum.checked_add(*q))
                // More in use than can be counted: nothing is left.
                .unwrap_or(total);
            let left = total.checked_sub(used).filter(|q| !q.is_negative()).unwrap_or(Quantity::ZERO);
            Some((limit.metric(), left))
        })
        .collect()
}

/// GSI-A.1.2–A.1.3: the basis a request is previewed against. `subscription` is the one the
/// payload targets (`None` for a new service); `offering` is the priced offering (see the
/// module notes); `in_use` as for [`remaining_capacity`]. Errors name `offering_id`,
/// `addon_id` or `subscription_id`.
pub fn preview_basis(
    payload: &RequestPayload,
    subscription: Option<&Subscription>,
    offering: &Offering,
    in_use: &[Quantities],
) -> Result<PreviewBasis, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if let Some(s) = subscription.filter(|s| s.status == SubscriptionStatus::Terminated) {
        errors.add("subscription_id", "terminated", format!("subscription {} is terminated", s.id));
    }
    let current = match (payload, subscription) {
        (RequestPayload::NewService { .. }, _) => {
            if let OfferingRole::AddOn { base, .. } = offering.details.role {
                errors.add(
                    "offering_id",
                    "add_on_alone",
                    format!("this offering is an add-on; subscribe to its base offering {base} and add it there"),
                );
            }
            if offering.state != OfferingState::Published {
                errors.add("offering_id", "not_available", format!("the offering is {}", offering.state));
            }
            Quantities::new()
        }
        (RequestPayload::AddAddon { .. }, Some(s)) => {
            check_add_on_of(offering, s, &mut errors);
            if offering.state != OfferingState::Published {
                errors.add("addon_id", "not_available", format!("the add-on is {}", offering.state));
            }
            if s.add_ons.iter().any(|a| a.offering == offering.id) {
                errors.add("addon_id", "already_added", "this add-on is already on the subscription");
            }
            Quantities::new()
        }
        (RequestPayload::CancelAddon { .. }, Some(s)) => match s.add_ons.iter().find(|a| a.offering == offering.id) {
            Some(add_on) => add_on.quantities.clone(),
            None => {
                errors.add("addon_id", "not_on_subscription", "this add-on is not on the subscription");
                Quantities::new()
            }
        },
        (RequestPayload::Change { .. } | RequestPayload::Cancel { .. }, Some(s)) => {
            if s.offering != offering.id {
                errors.add("subscription_id", "offering_mismatch", "priced against another offering");
            }
            s.quantities.clone()
        }
        (
            RequestPayload::AddAddon { .. }
            | RequestPayload::CancelAddon { .. }
            | RequestPayload::Change { .. }
            | RequestPayload::Cancel { .. },
            None,
        ) => {
            errors.add("subscription_id", "required", "the request names no subscription");
            Quantities::new()
        }
    };
    let details = &offering.details;
    errors.finish(|| {
        Some(PreviewBasis {
            current,
            unit_prices: details.pricing.lines().iter().map(|l| (l.metric, l.unit_price)).collect(),
            offering_capacity: details
                .capacity
                .limits()
                .iter()
                .filter_map(|l| Some((l.metric(), l.max_per_subscription()?)))
                .collect(),
            provider_remaining: remaining_capacity(&details.capacity, in_use),
        })
    })
}

fn check_add_on_of(add_on: &Offering, subscription: &Subscription, errors: &mut ValidationErrors) {
    let fits = matches!(add_on.details.role, OfferingRole::AddOn { base, .. } if base == subscription.offering)
        && add_on.provider == subscription.provider;
    if !fits {
        errors.add("addon_id", "not_an_add_on_of_offering", "not an add-on of the subscription's offering");
    }
}

/// GSI-A.1.6: an approval confirms, for each resource, at most what one subscription of the
/// priced offering may have. Errors name `confirmed_quantities.<metric>`.
pub fn check_confirmed_quantities(decision: &QuoteDecision, offering: &Offering) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if let Some(terms) = decision.approved() {
        for (metric, quantity) in &terms.confirmed_quantities {
            match offering.details.capacity.max_per_subscription(*metric) {
                Some(max) if *quantity > max => errors.add(
                    format!("confirmed_quantities.{metric}"),
                    "above_capacity",
                    format!("{quantity} of {} confirmed; the offering allows at most {max}", metric.resource_label()),
                ),
                Some(_) | None => {}
            }
        }
    }
    errors.finish(|| Some(()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use uuid::Uuid;

    use super::*;
    use crate::catalog::tests::{compute_draft, offering};
    use crate::catalog::{CapacityLimitDraft, OfferingDraft, OfferingId, PricingLineDraft};
    use crate::money::UnitPrice;
    use crate::request::quote::QuoteDraft;
    use crate::service::Metric;
    use crate::subscription::{SubscribedAddOn, SubscriptionOrigin, Term};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 3, 0, 0).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn backup_draft() -> OfferingDraft {
        OfferingDraft {
            family: "cloud".into(),
            kind: "backup".into(),
            name: "VM backup".into(),
            description: None,
            base_offering_id: Some(OfferingId::from_uuid(Uuid::from_u128(1))),
            pricing: vec![PricingLineDraft { metric: "backup_gb_month".into(), unit_price: "2".into() }],
            sla: None,
            capacity: vec![CapacityLimitDraft {
                metric: "backup_gb_month".into(),
                max_per_subscription: Some("1000".into()),
                provider_total: Some("5000".into()),
            }],
        }
    }

    fn compute() -> Offering {
        offering(1, &compute_draft(), OfferingState::Published)
    }

    fn backup() -> Offering {
        offering(2, &backup_draft(), OfferingState::Published)
    }

    fn subscription(add_ons: Vec<SubscribedAddOn>) -> Subscription {
        let base = compute();
        Subscription {
            id: Uuid::from_u128(9).into(),
            agency: crate::OrganisationId::from_uuid(Uuid::from_u128(0xA1)),
            provider: base.provider,
            offering: base.id,
            kind: base.details.kind,
            quantities: Quantities::from([(Metric::VcpuHour, q("8")), (Metric::RamGbHour, q("32"))]),
            add_ons,
            term: Term::new(now() - Duration::days(30), None).unwrap(),
            sla: base.details.role.own_sla().unwrap().clone(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::Hub,
            version: 1,
        }
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn gsi_a_1_3_remaining_capacity_is_the_total_less_everything_live() {
        let in_use = [
            Quantities::from([(Metric::VcpuHour, q("1500"))]),
            Quantities::from([(Metric::VcpuHour, q("200.5")), (Metric::RamGbHour, q("64"))]),
        ];
        let remaining = remaining_capacity(&compute().details.capacity, &in_use);
        // compute_draft: vCPU provider total 2000; RAM has no limit, so it is absent.
        assert_eq!(remaining, Quantities::from([(Metric::VcpuHour, q("299.5"))]));
        let over = [Quantities::from([(Metric::VcpuHour, q("2500"))])];
        assert_eq!(remaining_capacity(&compute().details.capacity, &over)[&Metric::VcpuHour], Quantity::ZERO);
    }

    #[test]
    fn gsi_a_1_2_change_is_priced_against_the_subscription_and_its_offering() {
        let payload = RequestPayload::Change {
            subscription: Uuid::from_u128(9).into(),
            quantities: Quantities::from([(Metric::VcpuHour, q("20"))]),
        };
        let in_use = [Quantities::from([(Metric::VcpuHour, q("1990"))])];
        let basis = preview_basis(&payload, Some(&subscription(vec![])), &compute(), &in_use).unwrap();
        assert_eq!(basis.current[&Metric::VcpuHour], q("8"));
        assert_eq!(basis.unit_prices[&Metric::VcpuHour], UnitPrice::parse("1.20").unwrap());
        assert_eq!(basis.offering_capacity, Quantities::from([(Metric::VcpuHour, q("64"))]));
        assert_eq!(basis.provider_remaining, Quantities::from([(Metric::VcpuHour, q("10"))]));
        let preview = crate::request::preview(&payload, &basis).unwrap();
        assert_eq!(preview.warnings[0].most_available, q("18"), "8 held + 10 left");
    }

    #[test]
    fn gsi_7_5_5_add_ons_must_belong_to_the_subscriptions_offering_once() {
        let add = RequestPayload::AddAddon {
            subscription: Uuid::from_u128(9).into(),
            addon: backup().id,
            quantities: Quantities::from([(Metric::BackupGbMonth, q("500"))]),
        };
        let basis = preview_basis(&add, Some(&subscription(vec![])), &backup(), &[]).unwrap();
        assert!(basis.current.is_empty());
        assert_eq!(basis.provider_remaining, Quantities::from([(Metric::BackupGbMonth, q("5000"))]));

        let taken = SubscribedAddOn {
            offering: backup().id,
            quantities: Quantities::from([(Metric::BackupGbMonth, q("200"))]),
            sla: None,
        };
        let errors = preview_basis(&add, Some(&subscription(vec![taken.clone()])), &backup(), &[]).unwrap_err();
        assert_eq!(fields(&errors), [("addon_id", "already_added")]);
        let errors = preview_basis(&add, Some(&subscription(vec![])), &compute(), &[]).unwrap_err();
        assert_eq!(fields(&errors), [("addon_id", "not_an_add_on_of_offering")]);

        let cancel =
            RequestPayload::CancelAddon { subscription: Uuid::from_u128(9).into(), addon: backup().id, end_at: None };
        let basis = preview_basis(&cancel, Some(&subscription(vec![taken])), &backup(), &[]).unwrap();
        assert_eq!(basis.current, Quantities::from([(Metric::BackupGbMonth, q("200"))]));
        let errors = preview_basis(&cancel, Some(&subscription(vec![])), &backup(), &[]).unwrap_err();
        assert_eq!(fields(&errors), [("addon_id", "not_on_subscription")]);
    }

    #[test]
    fn gsi_7_5_5_new_services_need_a_published_base_offering_and_live_subscriptions() {
        let new = RequestPayload::NewService {
            offering: backup().id,
            quantities: Quantities::from([(Metric::BackupGbMonth, q("1"))]),
        };
        let draft_backup = offering(2, &backup_draft(), OfferingState::Draft);
        let errors = preview_basis(&new, None, &draft_backup, &[]).unwrap_err();
        assert_eq!(fields(&errors), [("offering_id", "add_on_alone"), ("offering_id", "not_available")]);

        let change = RequestPayload::Change {
            subscription: Uuid::from_u128(9).into(),
            quantities: Quantities::from([(Metric::VcpuHour, q("1"))]),
        };
        let mut ended = subscription(vec![]);
        ended.status = SubscriptionStatus::Terminated;
        let errors = preview_basis(&change, Some(&ended), &compute(), &[]).unwrap_err();
        assert_eq!(fields(&errors), [("subscription_id", "terminated")]);
    }

    #[test]
    fn gsi_a_1_6_approval_stays_within_the_offerings_maximum() {
        let payload = RequestPayload::Change {
            subscription: Uuid::from_u128(9).into(),
            quantities: Quantities::from([(Metric::VcpuHour, q("100"))]),
        };
        let approval = |vcpu: &str| {
            let draft = QuoteDraft {
                outcome: "approved".into(),
                confirmed_quantities: BTreeMap::from([("vcpu_hour".into(), vcpu.into())]),
                monthly_cost_delta: Some("100".into()),
                valid_until: Some(now() + Duration::days(7)),
                ..QuoteDraft::default()
            };
            QuoteDecision::parse(&draft, &payload, now()).unwrap()
        };
        assert_eq!(check_confirmed_quantities(&approval("64"), &compute()), Ok(()));
        let errors = check_confirmed_quantities(&approval("64.5"), &compute()).unwrap_err();
        assert_eq!(fields(&errors), [("confirmed_quantities.vcpu_hour", "above_capacity")]);
    }
}
