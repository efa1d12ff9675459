//! Applying a completed request to the subscriptions (GSI-A.1.8), in the same transaction
//! as the `complete` step: the [`CompletionEffect`] says what; this says how.
//!
//! Decisions where the issue is silent:
//! - A new service becomes a hub subscription of the requesting agency, `active` from the
//!   completion (the provider has carried out the work), open-ended, with the accepted
//!   quantities; it still needs the provider listed for the family then (GSI-13.1).
//! - A resize sets the accepted sizes and keeps the other resources; an add-on is added with
//!   the accepted quantities and its own frozen terms, if any. Prices apply from completion.
//! - A cancellation terminates the subscription with its term ending at the agreed instant
//!   (or the completion): usage until then is still the agency's.
//! - Removing an add-on takes it off at completion; subscriptions keep no dates per add-on,
//!   so an agreed later date stays in the acknowledgement for billing.
//! - Nothing applies to a terminated subscription: the provider fails the request instead.

use chrono::{DateTime, Utc};

use super::Quantities;
use super::lifecycle::CompletionEffect;
use crate::catalog::{Offering, OfferingRole};
use crate::governance::eligibility::ListingEvidence;
use crate::ids::OrganisationId;
use crate::subscription::{
    self, MAX_ADD_ONS, NewSubscription, QuantityDraft, SubscribeRefused, SubscribedAddOn, Subscription,
    SubscriptionAction, SubscriptionDraft, SubscriptionId, SubscriptionStatus,
};

/// Why an accepted request cannot be applied as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EffectRefused {
    #[error("subscription {0} is terminated; the request cannot be carried out (fail it instead)")]
    SubscriptionTerminated(SubscriptionId),
    #[error("the add-on {0} cannot be applied to this subscription: {1}")]
    AddOn(crate::catalog::OfferingId, &'static str),
    #[error("the new subscription cannot be created: {0}")]
    Subscribe(SubscribeRefused),
    #[error("the effect is not a change of an existing subscription")]
    NotAChange,
}

/// GSI-7.5.5 via A.1.8: the subscription a completed new-service request creates.
pub fn start_subscription(
    offering: &Offering,
    provider_history: &ListingEvidence,
    agency: OrganisationId,
    quantities: &Quantities,
    from: DateTime<Utc>,
) -> Result<NewSubscription, EffectRefused> {
    let draft = SubscriptionDraft {
        agency,
        quantities: quantities
            .iter()
            .map(|(m, q)| QuantityDraft { metric: m.as_str().to_owned(), quantity: q.to_string() })
            .collect(),
        add_ons: Vec::new(),
        starts_at: from,
        ends_at: None,
    };
    let new =
        subscription::subscribe(offering, &[], provider_history, &draft, from).map_err(EffectRefused::Subscribe)?;
    Ok(NewSubscription { status: SubscriptionStatus::Active, ..new })
}

/// GSI-7.5.5–7.5.7 via A.1.8: the subscription after a resize, an add-on added or removed,
/// or a termination. `add_on` is the add-on offering an `AddAddon` effect names.
pub fn change_subscription(
    subscription: &Subscription,
    effect: &CompletionEffect,
    add_on: Option<&Offering>,
) -> Result<Subscription, EffectRefused> {
    if subscription.status == SubscriptionStatus::Terminated {
        return Err(EffectRefused::SubscriptionTerminated(subscription.id));
    }
    let mut next = Subscription { version: subscription.version.saturating_add(1), ..subscription.clone() };
    match effect {
        CompletionEffect::StartSubscription { .. } => return Err(EffectRefused::NotAChange),
        CompletionEffect::Resize { quantities, .. } => {
            next.quantities.extend(quantities.iter().map(|(m, q)| (*m, *q)));
        }
        CompletionEffect::AddAddon { addon, quantities, .. } => {
            let offering = add_on.filter(|o| o.id == *addon).ok_or(EffectRefused::AddOn(*addon, "not found"))?;
            let sla = match &offering.details.role {
                OfferingRole::AddOn { base, sla } if *base == subscription.offering => sla.clone(),
                OfferingRole::AddOn { .. } | OfferingRole::Base { .. } => {
                    return Err(EffectRefused::AddOn(*addon, "not an add-on of the subscription's offering"));
                }
            };
            if subscription.add_ons.iter().any(|a| a.offering == *addon) {
                return Err(EffectRefused::AddOn(*addon, "already on the subscription"));
            }
            if subscription.add_ons.len() >= MAX_ADD_ONS {
                return Err(EffectRefused::AddOn(*addon, "the subscription has the most add-ons allowed"));
            }
            next.add_ons.push(SubscribedAddOn { offering: *addon, quantities: quantities.clone(), sla });
        }
        CompletionEffect::RemoveAddon { addon, .. } => {
            if !subscription.add_ons.iter().any(|a| a.offering == *addon) {
                return Err(EffectRefused::AddOn(*addon, "not on the subscription"));
            }
            next.add_ons.retain(|a| a.offering != *addon);
        }
        CompletionEffect::Terminate { at, .. } => {
            let ended = subscription::act(subscription, SubscriptionAction::Terminate, *at)
                .map_err(|_| EffectRefused::SubscriptionTerminated(subscription.id))?;
            next.status = ended.status;
            next.term = ended.term;
        }
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    use super::*;
    use crate::catalog::tests::{compute_draft, offering};
    use crate::catalog::{CapacityLimitDraft, OfferingDraft, OfferingId, OfferingState, PricingLineDraft};
    use crate::money::Quantity;
    use crate::service::Metric;
    use crate::subscription::{SubscriptionOrigin, Term};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 3, 0, 0).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn compute() -> Offering {
        offering(1, &compute_draft(), OfferingState::Published)
    }

    fn backup() -> Offering {
        let draft = OfferingDraft {
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
                provider_total: None,
            }],
        };
        offering(2, &draft, OfferingState::Published)
    }

    fn agency() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0xA1))
    }

    fn listed() -> ListingEvidence {
        crate::governance::eligibility::tests::listed_evidence(compute().provider, now() - Duration::days(60))
    }

    fn running() -> Subscription {
        Subscription {
            id: SubscriptionId::from_uuid(Uuid::from_u128(9)),
            agency: agency(),
            provider: compute().provider,
            offering: compute().id,
            kind: compute().details.kind,
            quantities: Quantities::from([(Metric::VcpuHour, q("8")), (Metric::RamGbHour, q("32"))]),
            add_ons: Vec::new(),
            term: Term::new(now() - Duration::days(30), None).unwrap(),
            sla: compute().details.role.own_sla().unwrap().clone(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::Hub,
            version: 3,
        }
    }

    #[test]
    fn gsi_7_5_5_a_completed_new_service_is_an_active_hub_subscription_from_completion() {
        let quantities = Quantities::from([(Metric::VcpuHour, q("16"))]);
        let new = start_subscription(&compute(), &listed(), agency(), &quantities, now()).unwrap();
        assert_eq!(new.status, SubscriptionStatus::Active);
        assert_eq!(new.origin, SubscriptionOrigin::Hub);
        assert_eq!((new.agency, new.quantities.clone()), (agency(), quantities.clone()));
        assert_eq!((new.term.starts_at(), new.term.ends_at()), (now(), None));
        // GSI-13.1: not from a provider that left the list meanwhile.
        let mut lapsed = listed();
        lapsed.certificates.clear();
        let refused = start_subscription(&compute(), &lapsed, agency(), &quantities, now()).unwrap_err();
        assert!(matches!(refused, EffectRefused::Subscribe(SubscribeRefused::NotListed(_))));
    }

    #[test]
    fn gsi_7_5_6_resize_sets_the_accepted_sizes_and_keeps_the_rest() {
        let effect = CompletionEffect::Resize {
            subscription: running().id,
            quantities: Quantities::from([(Metric::VcpuHour, q("16"))]),
            from: now(),
        };
        let resized = change_subscription(&running(), &effect, None).unwrap();
        assert_eq!(resized.quantities, Quantities::from([(Metric::VcpuHour, q("16")), (Metric::RamGbHour, q("32"))]));
        assert_eq!(resized.version, 4);
        assert_eq!(resized.status, SubscriptionStatus::Active);
    }

    #[test]
    fn gsi_7_5_5_and_7_5_7_add_ons_are_added_once_and_removed() {
        let add = CompletionEffect::AddAddon {
            subscription: running().id,
            addon: backup().id,
            quantities: Quantities::from([(Metric::BackupGbMonth, q("500"))]),
            from: now(),
        };
        let with = change_subscription(&running(), &add, Some(&backup())).unwrap();
        assert_eq!(with.add_ons.len(), 1);
        assert_eq!(with.add_ons[0].quantities[&Metric::BackupGbMonth], q("500"));
        assert!(matches!(change_subscription(&with, &add, Some(&backup())), Err(EffectRefused::AddOn(_, _))));
        assert!(matches!(change_subscription(&running(), &add, Some(&compute())), Err(EffectRefused::AddOn(_, _))));

        let remove = CompletionEffect::RemoveAddon { subscription: running().id, addon: backup().id, at: now() };
        let without = change_subscription(&with, &remove, None).unwrap();
        assert!(without.add_ons.is_empty());
        assert!(matches!(change_subscription(&without, &remove, None), Err(EffectRefused::AddOn(_, _))));
    }

    #[test]
    fn gsi_7_5_7_cancellation_terminates_with_the_term_ending_at_the_agreed_instant() {
        let end = now() + Duration::days(31);
        let effect = CompletionEffect::Terminate { subscription: running().id, at: end };
        let ended = change_subscription(&running(), &effect, None).unwrap();
        assert_eq!(ended.status, SubscriptionStatus::Terminated);
        assert_eq!(ended.term.ends_at(), Some(end));
        assert_eq!(
            change_subscription(&ended, &effect, None),
            Err(EffectRefused::SubscriptionTerminated(running().id)),
            "nothing applies to a terminated subscription"
        );
    }
}
