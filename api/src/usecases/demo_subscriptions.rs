//! Demo subscriptions: the two demo agencies' running contracts with the demo providers,
//! registered as existing contracts by the providers' operators (the onboarding path), so
//! the self-service views (GSI-7.5.2) have something to show. Fixed ids; created when absent.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use gsi_domain::calendar::bangkok;
use gsi_domain::catalog::OfferingId;
use gsi_domain::subscription::{AddOnDraft, QuantityDraft, SubscriptionDraft, SubscriptionId};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::subscriptions as subscription_repo;
use gsi_persistence::{DbConnection, write_tx};
use uuid::Uuid;

use super::Context;
use super::demo::{DEMO_AGENCY_A, DEMO_AGENCY_B, DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::demo_catalog::{
    DEMO_CLOUD_COMPUTE_OFFERING, DEMO_GOV_INTERNET_OFFERING, DEMO_GOV_INTRANET_OFFERING, DEMO_PUBLIC_IP_ADD_ON,
};
use super::subscriptions::{ExistingDraft, register_existing_as};
use crate::error::ApiError;

const fn subscription(n: u128) -> SubscriptionId {
    SubscriptionId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0d00 + n))
}

/// Agency A's Government Internet, 500 Mbps with 8 extra public IPs.
pub const DEMO_AGENCY_A_INTERNET: SubscriptionId = subscription(0x01);
/// Agency A's cloud compute: 8 vCPU, 32 GB RAM, 500 GB storage (backup can be requested as an add-on).
pub const DEMO_AGENCY_A_CLOUD: SubscriptionId = subscription(0x02);
/// Agency B's Government Intranet link, 100 Mbps.
pub const DEMO_AGENCY_B_INTRANET: SubscriptionId = subscription(0x03);

struct DemoSubscription {
    id: SubscriptionId,
    agency: OrganisationId,
    provider: OrganisationId,
    offering: OfferingId,
    quantities: &'static [(&'static str, &'static str)],
    add_on: Option<(OfferingId, &'static [(&'static str, &'static str)])>,
    /// Bangkok calendar date the contract started.
    started: (i32, u32, u32),
}

const SUBSCRIPTIONS: [DemoSubscription; 3] = [
    DemoSubscription {
        id: DEMO_AGENCY_A_INTERNET,
        agency: DEMO_AGENCY_A,
        provider: DEMO_NETWORK_PROVIDER,
        offering: DEMO_GOV_INTERNET_OFFERING,
        quantities: &[("mbps_month", "500")],
        add_on: Some((DEMO_PUBLIC_IP_ADD_ON, &[("public_ip_month", "8")])),
        started: (2025, 10, 1),
    },
    DemoSubscription {
        id: DEMO_AGENCY_A_CLOUD,
        agency: DEMO_AGENCY_A,
        provider: DEMO_CLOUD_PROVIDER,
        offering: DEMO_CLOUD_COMPUTE_OFFERING,
        quantities: &[("vcpu_hour", "8"), ("ram_gb_hour", "32"), ("storage_gb_month", "500")],
        add_on: None,
        started: (2026, 1, 15),
    },
    DemoSubscription {
        id: DEMO_AGENCY_B_INTRANET,
        agency: DEMO_AGENCY_B,
        provider: DEMO_NETWORK_PROVIDER,
        offering: DEMO_GOV_INTRANET_OFFERING,
        quantities: &[("mbps_month", "100")],
        add_on: None,
        started: (2026, 4, 1),
    },
];

fn quantities(pairs: &[(&str, &str)]) -> Vec<QuantityDraft> {
    pairs
        .iter()
        .map(|(metric, quantity)| QuantityDraft { metric: (*metric).into(), quantity: (*quantity).into() })
        .collect()
}

fn bangkok_midnight((y, m, d): (i32, u32, u32)) -> Result<DateTime<Utc>, ApiError> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .and_then(|local| bangkok().from_local_datetime(&local).single())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| ApiError::Internal(format!("bad demo date {y}-{m}-{d}")))
}

/// Registers the demo contracts that are missing (as each provider's operator).
pub fn seed_subscriptions(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    for demo in &SUBSCRIPTIONS {
        if subscription_repo::find(conn, demo.id)?.is_some() {
            continue;
        }
        let operator = Context {
            actor: Actor {
                subject: Subject::parse("demo-seed-provider-operator")
                    .map_err(|e| ApiError::Internal(e.to_string()))?,
                organisation: demo.provider,
                role: Role::ProviderOperator,
            },
            request_id: format!("demo-seed-{}", now.timestamp()),
            now,
        };
        let input = ExistingDraft {
            agency: demo.agency,
            offering: demo.offering,
            draft: SubscriptionDraft {
                agency: demo.agency,
                quantities: quantities(demo.quantities),
                add_ons: demo
                    .add_on
                    .iter()
                    .map(|(offering, q)| AddOnDraft { offering_id: *offering, quantities: quantities(q) })
                    .collect(),
                starts_at: bangkok_midnight(demo.started)?,
                ends_at: None,
            },
        };
        write_tx(conn, |tx| register_existing_as(tx, &operator, demo.id, &input).map(|_| ()))?;
    }
    Ok(())
}
