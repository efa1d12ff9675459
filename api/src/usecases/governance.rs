//! The derived provider list and its change log (GSI-12.2, 12.3, 13.1). Whether a provider
//! is listed is `gsi_domain::governance::eligibility::decide` over its evidence, evaluated
//! when read. The change log is written by every evidence change ([`sync`], in the change's
//! transaction) up to that instant, and the rest, up to now, is computed on read from the
//! same evidence: a lapse shows at the instant it took effect without any scheduled job.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use gsi_domain::OrganisationId;
use gsi_domain::events::{Audience, Event, EventType, ResourceRef};
use gsi_domain::governance::eligibility::{self, Horizon, ListingDecision, ListingEvidence};
use gsi_domain::service::ServiceFamily;
use gsi_persistence::DbConnection;
use gsi_persistence::repos::governance::{self as repo, ListingChangeRecord};

use crate::error::ApiError;

/// The last stored state per family: what the next changes start from.
fn state_after(records: &[ListingChangeRecord]) -> Vec<(ServiceFamily, bool)> {
    ServiceFamily::ALL
        .iter()
        .map(|f| {
            (*f, records.iter().filter(|r| r.family == *f).max_by_key(|r| r.effective_at).is_some_and(|r| r.listed))
        })
        .collect()
}

/// Writes the provider's change log up to `until` from its current evidence. Call inside the
/// transaction of every change to the provider's evidence: after the change (its effect is
/// dated `now`), and, for evidence that is not dated (the profile), also before it, up to
/// just before `now`.
pub fn sync(conn: &mut DbConnection, provider: OrganisationId, until: DateTime<Utc>) -> Result<(), ApiError> {
    let until = gsi_domain::time::to_storage_precision(until);
    repo::lock_provider(conn, provider)?;
    let evidence = repo::evidence_of(conn, provider)?;
    let stored = repo::changes(conn, Some(provider))?;
    let synced = repo::synced_until(conn)?.get(&provider).copied();
    if synced.is_some_and(|s| s > until) {
        // The log already reaches past this write (a clock behind another instance's): keep
        // it, but its horizon may no longer hold, so reads go to the evidence.
        repo::forget_horizon(conn, provider)?;
        return Ok(());
    }
    // Writes at the same instant as the last sync are evaluated again at that instant.
    let new = eligibility::changes_between(&evidence, &state_after(&stored), synced, until);
    let mut inserts = Vec::new();
    for change in &new {
        let record = ListingChangeRecord::from_change(change, Some(until));
        // A change that reverses one stored for the same instant cancels it.
        match stored.iter().find(|r| r.family == record.family && r.effective_at == record.effective_at) {
            Some(undone) => repo::delete_change(conn, undone.id)?,
            None => inserts.push(record),
        }
    }
    repo::insert_changes(conn, &inserts, until)?;
    for change in &inserts {
        // Written with the change, in its transaction, like every other event.
        let event = Event::new(
            until,
            EventType::ProviderListChanged,
            ResourceRef::new(
                "provider_list",
                provider,
                Some(if change.listed { "listed" } else { "not_listed" }),
                format!("/v1/providers/{provider}/listing-history"),
            ),
            Audience::Everyone,
            serde_json::json!({
                "family": change.family.as_str(),
                "listed": change.listed,
                "reasons": change.reasons.iter().map(|r| serde_json::json!({"code": r.code, "clause": r.clause, "message": r.message})).collect::<Vec<_>>(),
                "effective_at": change.effective_at,
            }),
        );
        gsi_persistence::repos::events::append(conn, &event)?;
    }
    let horizon = eligibility::next_breakpoint_after(&evidence, until).map_or(Horizon::Open, Horizon::Until);
    repo::set_synced_until(conn, provider, until, Some(horizon))?;
    Ok(())
}

/// `sync` up to the instant before `now`: before an undated evidence change.
pub fn sync_before(conn: &mut DbConnection, provider: OrganisationId, now: DateTime<Utc>) -> Result<(), ApiError> {
    sync(conn, provider, gsi_domain::time::to_storage_precision(now) - Duration::microseconds(1))
}

/// The change log, oldest first: what is stored, plus what the evidence says happened since
/// (not stored yet, `recorded_at` empty). For one provider, or for every provider.
pub fn change_log(
    conn: &mut DbConnection,
    provider: Option<OrganisationId>,
    now: DateTime<Utc>,
) -> Result<Vec<ListingChangeRecord>, ApiError> {
    let stored = repo::changes(conn, provider)?;
    let synced = repo::synced_until(conn)?;
    // Nobody is ever listed without a certification, so only certified providers can change.
    let providers: Vec<OrganisationId> = match provider {
        Some(p) => vec![p],
        None => {
            let mut all = Vec::new();
            let mut after = None;
            loop {
                let batch = repo::certified_providers(conn, after, 500)?;
                let Some(last) = batch.last().copied() else { break };
                all.extend(batch);
                after = Some(last);
            }
            all
        }
    };
    let evidence = repo::evidence(conn, &providers)?;
    let mut log = stored.clone();
    for (p, e) in &evidence {
        let own: Vec<ListingChangeRecord> = stored.iter().filter(|r| r.provider == *p).cloned().collect();
        let from = synced.get(p).copied();
        log.extend(
            eligibility::changes_between(e, &state_after(&own), from, now)
                .iter()
                .map(|c| ListingChangeRecord::from_change(c, None)),
        );
    }
    log.sort_by_key(|r| (r.effective_at, r.id));
    Ok(log)
}

/// Where a provider stands per family at an instant, with every reason and since when.
#[derive(Debug, Clone)]
pub struct Standing {
    pub decision: ListingDecision,
    /// When the listed period in force began (from the change log), if listed.
    pub since: Option<DateTime<Utc>>,
}

/// The provider's standing for every family at `at`; `log` is its change log.
pub fn standings(evidence: &ListingEvidence, log: &[ListingChangeRecord], at: DateTime<Utc>) -> Vec<Standing> {
    eligibility::decide_all(evidence, at)
        .into_iter()
        .map(|decision| {
            let since = if decision.listed() {
                log.iter()
                    .filter(|r| r.provider == evidence.provider && r.family == decision.family && r.effective_at <= at)
                    .max_by_key(|r| r.effective_at)
                    .filter(|r| r.listed)
                    .map(|r| r.effective_at)
                    .or(Some(at))
            } else {
                None
            };
            Standing { decision, since }
        })
        .collect()
}

/// Listing evidence of several providers, for callers that check many at once.
pub fn evidence_of_many(
    conn: &mut DbConnection,
    providers: &[OrganisationId],
) -> Result<BTreeMap<OrganisationId, ListingEvidence>, ApiError> {
    Ok(repo::evidence(conn, providers)?)
}

pub fn evidence_of(conn: &mut DbConnection, provider: OrganisationId) -> Result<ListingEvidence, ApiError> {
    Ok(repo::evidence_of(conn, provider)?)
}

/// Whether each `(provider, family)` asked for is listed at `now`: from the written change log
/// where its horizon covers `now` (one query), from the evidence for the rest. The
/// same answer as `eligibility::decide` (see `LoggedListing::listed_at`), without loading the
/// evidence on every read of a subscription.
pub fn listed_now(
    conn: &mut DbConnection,
    asked: &[(OrganisationId, ServiceFamily)],
    now: DateTime<Utc>,
) -> Result<BTreeMap<(OrganisationId, ServiceFamily), bool>, ApiError> {
    let mut providers: Vec<OrganisationId> = asked.iter().map(|(p, _)| *p).collect();
    providers.sort();
    providers.dedup();
    let logs = repo::logged_listings(conn, &providers)?;
    let mut answers = BTreeMap::new();
    let mut undecided = Vec::new();
    for (provider, family) in asked {
        match logs.get(provider).and_then(|log| log.listed_at(*family, now)) {
            Some(listed) => {
                answers.insert((*provider, *family), listed);
            }
            None => undecided.push((*provider, *family)),
        }
    }
    if !undecided.is_empty() {
        let mut missing: Vec<OrganisationId> = undecided.iter().map(|(p, _)| *p).collect();
        missing.sort();
        missing.dedup();
        let evidence = repo::evidence(conn, &missing)?;
        for (provider, family) in undecided {
            let listed = evidence.get(&provider).is_some_and(|e| eligibility::decide(e, family, now).listed());
            answers.insert((provider, family), listed);
        }
    }
    Ok(answers)
}
