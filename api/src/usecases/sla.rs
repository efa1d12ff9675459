//! SLA attainment (GSI-10.1, 10.2, 10.3): one subscription's Asia/Bangkok month, computed by
//! `sla::attainment` from the terms frozen on the subscription, the exclusions its provider
//! publishes, the outages affecting it and the incidents reported on it.

use gsi_domain::calendar::Month;
use gsi_domain::incident;
use gsi_domain::outage::{DeclaredExclusions, Outage};
use gsi_domain::sla::{self, IncidentOutcome, SlaAttainment, SlaError, SlaInput, SubscriptionTerm};
use gsi_domain::sla_terms::SlaTerms;
use gsi_domain::subscription::SubscriptionId;
use gsi_domain::subscription_ref::SubscriptionParties;
use gsi_persistence::repos::{incidents, outages, subscriptions, usage};
use gsi_persistence::{DbConnection, read_tx};

use super::Context;
use super::outages::declared_exclusions;
use crate::error::ApiError;

/// The month's figures with what went into them.
pub struct SlaView {
    pub attainment: SlaAttainment,
    /// The terms frozen on the subscription.
    pub terms: SlaTerms,
    /// What the provider publishes on its profile today.
    pub declared: DeclaredExclusions,
}

/// Readable by both parties of the subscription and GIX; 404 for anyone else. A month
/// outside the subscription's term is 400 naming `month`. The credit is a share of what the
/// subscription's usage in that month was charged (its rated usage records).
pub fn attainment(
    conn: &mut DbConnection,
    ctx: &Context,
    subscription: SubscriptionId,
    month: Month,
) -> Result<SlaView, ApiError> {
    read_tx(conn, |conn| {
        let stored = subscriptions::find(conn, subscription)?.ok_or(ApiError::NotFound("subscription"))?;
        let s = &stored.subscription;
        if !SubscriptionParties::from(s).access(&ctx.actor).can_read() {
            return Err(ApiError::NotFound("subscription"));
        }
        let declared = declared_exclusions(conn, s.provider)?;
        let outages: Vec<Outage> =
            outages::affecting(conn, s.id, month.start(), month.end())?.into_iter().map(|o| o.outage).collect();
        let outcomes = incidents::reported_between(conn, s.id, month.start(), month.end())?
            .iter()
            .map(|stored| {
                let deadlines = incident::deadlines(&stored.incident, &s.sla, ctx.now)
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                Ok(IncidentOutcome::of(&stored.incident, &deadlines))
            })
            .collect::<Result<Vec<_>, ApiError>>()?;
        let input = SlaInput {
            subscription: s.id,
            month,
            term: SubscriptionTerm { start: s.term.starts_at(), end: s.term.ends_at() },
            terms: &s.sla,
            exclusions: &declared,
            outages: &outages,
            incidents: &outcomes,
            month_charge: Some(usage::month_charge(conn, s.id, month)?),
            now: ctx.now,
        };
        let attainment = sla::attainment(&input).map_err(|e| match e {
            SlaError::NotInTerm(_) => ApiError::invalid_parameter("month", "not_in_term", e.to_string()),
            SlaError::Overflow => ApiError::Internal(e.to_string()),
        })?;
        Ok(SlaView { attainment, terms: s.sla.clone(), declared })
    })
}
