//! Demo data for the Appendix A walk-through (GSI-A.1.1–A.1.8): agency A's running
//! subscriptions that requests change, registered by their providers as existing contracts
//! through the same use case as real requests. Idempotent: a contract is registered only
//! when agency A has no subscription of its offering yet.

use chrono::{DateTime, Utc};
use gsi_domain::calendar::FiscalYear;
use gsi_domain::catalog::OfferingId;
use gsi_domain::subscription::{AddOnDraft, QuantityDraft, SubscriptionDraft, SubscriptionFilter, SubscriptionScope};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::{organisations as organisation_repo, subscriptions as subscription_repo};
use gsi_persistence::{DbConnection, PageRequest, write_tx};

use super::Context;
use super::demo::{DEMO_AGENCY_A, DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::demo_catalog::{DEMO_CLOUD_COMPUTE_OFFERING, DEMO_GOV_INTERNET_OFFERING, DEMO_PUBLIC_IP_ADD_ON};
use super::subscriptions::{self, ExistingDraft};
use crate::error::ApiError;

fn quantity(metric: &str, quantity: &str) -> QuantityDraft {
    QuantityDraft { metric: metric.into(), quantity: quantity.into() }
}

/// The demo subscriptions: provider, offering, quantities, add-ons. Agency A's Government
/// Internet has 500 Mbps and 8 extra public IPv4 addresses; its GovCloud Compute 8 vCPU,
/// 32 GB RAM and 500 GB storage.
fn contracts() -> Vec<(OrganisationId, OfferingId, Vec<QuantityDraft>, Vec<AddOnDraft>)> {
    vec![
        (
            DEMO_NETWORK_PROVIDER,
            DEMO_GOV_INTERNET_OFFERING,
            vec![quantity("mbps_month", "500")],
            vec![AddOnDraft { offering_id: DEMO_PUBLIC_IP_ADD_ON, quantities: vec![quantity("public_ip_month", "8")] }],
        ),
        (
            DEMO_CLOUD_PROVIDER,
            DEMO_CLOUD_COMPUTE_OFFERING,
            vec![quantity("vcpu_hour", "8"), quantity("ram_gb_hour", "32"), quantity("storage_gb_month", "500")],
            Vec::new(),
        ),
    ]
}

/// Registers agency A's demo subscriptions that are missing, as their providers' operators.
/// Call after the demo organisations, provider listing and catalog exist.
pub fn seed_subscriptions(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    if organisation_repo::find(conn, DEMO_AGENCY_A)?.is_none() {
        return Ok(());
    }
    let page = PageRequest { after: None, limit: 200 };
    let held = subscription_repo::list(
        conn,
        SubscriptionScope::OfAgency(DEMO_AGENCY_A),
        &SubscriptionFilter::default(),
        page,
    )?;
    for (provider, offering, quantities, add_ons) in contracts() {
        if held.items.iter().any(|s| s.subscription.offering == offering) {
            continue;
        }
        let operator = Context {
            actor: Actor {
                subject: Subject::parse("demo-seed-provider-operator")
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                organisation: provider,
                role: Role::ProviderOperator,
            },
            request_id: format!("demo-seed-{}", now.timestamp()),
            now,
        };
        let draft = ExistingDraft {
            agency: DEMO_AGENCY_A,
            offering,
            draft: SubscriptionDraft {
                agency: DEMO_AGENCY_A,
                quantities,
                add_ons,
                starts_at: FiscalYear::containing(now).start(),
                ends_at: None,
            },
        };
        write_tx(conn, |tx| subscriptions::register_existing(tx, &operator, &draft).map(|_| ()))?;
    }
    Ok(())
}
