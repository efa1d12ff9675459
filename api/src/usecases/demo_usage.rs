//! Demo usage for `gsi-api serve --demo`: a running contract for each demo agency with a
//! demo provider, and daily and monthly usage since the start of the previous month, so that
//! costs (GSI-7.5.3) and statements show something. Written through the same use cases as
//! real requests (registration, then usage batches rated under the caps, GSI-7.1).
//! Idempotent: contracts are found by agency and offering, and usage record ids are fixed
//! per hour and month, so a second run only adds the hours that have passed since (the rest
//! are duplicates).

use chrono::{DateTime, Duration, Utc};
use gsi_domain::calendar::{Month, bangkok};
use gsi_domain::catalog::OfferingId;
use gsi_domain::subscription::{
    AddOnDraft, QuantityDraft, Subscription, SubscriptionDraft, SubscriptionFilter, SubscriptionScope,
};
use gsi_domain::usage::{DEFAULT_MAX_BATCH_RECORDS, UsagePeriod, UsageRecordDraft, active_term};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::subscriptions as subscription_repo;
use gsi_persistence::{DbConnection, PageRequest, write_tx};

use super::demo::{DEMO_AGENCY_A, DEMO_AGENCY_B, DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::demo_catalog::{
    DEMO_CLOUD_COMPUTE_OFFERING, DEMO_GOV_INTERNET_OFFERING, DEMO_GOV_INTRANET_OFFERING, DEMO_PUBLIC_IP_ADD_ON,
};
use super::subscriptions::{self, ExistingDraft};
use super::{Context, usage};
use crate::error::ApiError;

/// One demo contract and the usage its provider reports for it.
struct DemoContract {
    agency: OrganisationId,
    provider: OrganisationId,
    offering: OfferingId,
    quantities: &'static [(&'static str, &'static str)],
    add_on: Option<(OfferingId, &'static [(&'static str, &'static str)])>,
    /// Metrics reported per hour: the quantity of the first hour and the step it varies by.
    hourly: &'static [(&'static str, u32, u32)],
    /// Metrics reported per ended month, with the quantity.
    monthly: &'static [(&'static str, &'static str)],
}

/// The demo subscriptions of `demo_subscriptions` (found there; registered only when a
/// database lacks them) and what their providers meter.
const CONTRACTS: [DemoContract; 3] = [
    DemoContract {
        agency: DEMO_AGENCY_A,
        provider: DEMO_CLOUD_PROVIDER,
        offering: DEMO_CLOUD_COMPUTE_OFFERING,
        quantities: &[("vcpu_hour", "8"), ("ram_gb_hour", "32"), ("storage_gb_month", "500")],
        add_on: None,
        hourly: &[("vcpu_hour", 6, 2), ("ram_gb_hour", 24, 8)],
        monthly: &[("storage_gb_month", "462.5")],
    },
    DemoContract {
        agency: DEMO_AGENCY_A,
        provider: DEMO_NETWORK_PROVIDER,
        offering: DEMO_GOV_INTERNET_OFFERING,
        quantities: &[("mbps_month", "500")],
        add_on: Some((DEMO_PUBLIC_IP_ADD_ON, &[("public_ip_month", "8")])),
        hourly: &[],
        monthly: &[("mbps_month", "500"), ("public_ip_month", "8")],
    },
    DemoContract {
        agency: DEMO_AGENCY_B,
        provider: DEMO_NETWORK_PROVIDER,
        offering: DEMO_GOV_INTRANET_OFFERING,
        quantities: &[("mbps_month", "100")],
        add_on: None,
        hourly: &[],
        monthly: &[("mbps_month", "100")],
    },
];

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

fn quantities(items: &[(&str, &str)]) -> Vec<QuantityDraft> {
    items
        .iter()
        .map(|(metric, quantity)| QuantityDraft { metric: (*metric).into(), quantity: (*quantity).into() })
        .collect()
}

/// Registers the demo contracts that are missing and reports their usage up to `now`. Call
/// after the demo catalog exists.
pub fn seed_usage(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let now = gsi_domain::time::to_storage_precision(now);
    let since = Month::containing(now).previous();
    for contract in &CONTRACTS {
        let operator = Context {
            actor: actor("demo-seed-provider-operator", contract.provider, Role::ProviderOperator)?,
            request_id: format!("demo-seed-{}", now.timestamp()),
            now,
        };
        let Some(subscription) = find_or_register(conn, &operator, contract, since.start())? else {
            continue;
        };
        let drafts = usage_drafts(contract, &subscription, since, now);
        for batch in drafts.chunks(DEFAULT_MAX_BATCH_RECORDS) {
            write_tx(conn, |tx| usage::ingest(tx, &operator, batch, DEFAULT_MAX_BATCH_RECORDS))?;
        }
    }
    Ok(())
}

/// The agency's contract for the offering, registered from `starts_at` if it has none. `None`
/// when the demo catalog is missing (nothing to register against).
fn find_or_register(
    conn: &mut DbConnection,
    operator: &Context,
    contract: &DemoContract,
    starts_at: DateTime<Utc>,
) -> Result<Option<Subscription>, ApiError> {
    if gsi_persistence::repos::offerings::find(conn, contract.offering)?.is_none() {
        return Ok(None);
    }
    let filter = SubscriptionFilter { provider: Some(contract.provider), ..Default::default() };
    let page = PageRequest { after: None, limit: 200 };
    let existing = subscription_repo::list(conn, SubscriptionScope::OfAgency(contract.agency), &filter, page)?;
    if let Some(found) = existing.items.into_iter().find(|s| s.subscription.offering == contract.offering) {
        // Someone else's demo contract may not be metered (pending): then it reports nothing.
        return Ok(Some(found.subscription));
    }
    let draft = ExistingDraft {
        agency: contract.agency,
        offering: contract.offering,
        draft: SubscriptionDraft {
            agency: contract.agency,
            quantities: quantities(contract.quantities),
            add_ons: contract
                .add_on
                .iter()
                .map(|(offering, q)| AddOnDraft { offering_id: *offering, quantities: quantities(q) })
                .collect(),
            starts_at,
            ends_at: None,
        },
    };
    write_tx(conn, |tx| subscriptions::register_existing(tx, operator, &draft)).map(Some)
}

/// Hourly records for every hour from the start of `since` that has ended by `now`, and
/// monthly records for every month from `since` that has ended, those within the
/// subscription's active term.
fn usage_drafts(
    contract: &DemoContract,
    subscription: &Subscription,
    since: Month,
    now: DateTime<Utc>,
) -> Vec<UsageRecordDraft> {
    let Some(term) = active_term(subscription) else {
        return Vec::new();
    };
    let mut drafts = Vec::new();
    let mut push = |id: String, metric: &str, quantity: String, start: DateTime<Utc>, end: DateTime<Utc>| {
        if UsagePeriod::new(start, end).is_ok_and(|p| term.covers(p)) && end <= now {
            drafts.push(UsageRecordDraft {
                record_id: id,
                subscription_id: subscription.id.to_string(),
                metric: metric.to_owned(),
                quantity,
                period_start: start,
                period_end: end,
                corrects: None,
            });
        }
    };
    let mut hour = since.start();
    for n in 0.. {
        let next = hour + Duration::hours(1);
        if next > now {
            break;
        }
        let stamp = hour.with_timezone(&bangkok()).format("%Y-%m-%dT%H");
        for (metric, first, step) in contract.hourly {
            let quantity = first + step * (n % 4);
            push(format!("demo-{}-{metric}-{stamp}", subscription.id), metric, quantity.to_string(), hour, next);
        }
        hour = next;
    }
    let mut month = since;
    while month.end() <= now {
        for (metric, quantity) in contract.monthly {
            let id = format!("demo-{}-{metric}-{month}", subscription.id);
            push(id, metric, (*quantity).to_owned(), month.start(), month.end());
        }
        month = month.next();
    }
    drafts
}
