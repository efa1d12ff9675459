//! The provider list (GSI-12.2, 12.3, 13.1), derived from evidence by
//! `gsi_domain::governance::eligibility`; GIX records dated suspensions and delistings as an
//! override; every caller reads the list and its change log; GIX and the provider itself read
//! the override history.

use chrono::{DateTime, Utc};
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::governance::eligibility::NotListedReason;
use gsi_domain::listing::{self, ListedFamily, ListingAction, ListingChangeDraft, ListingRefused, ListingStatus};
use gsi_domain::org::Organisation;
use gsi_domain::provider::SupportChannels;
use gsi_domain::service::ServiceFamily;
use gsi_domain::{OrganisationId, ValidationErrors};
use gsi_persistence::repos::governance::{self as governance_repo, ListingChangeRecord};
use gsi_persistence::repos::listings::{self, ListingRecord};
use gsi_persistence::repos::{organisations, provider_profiles};
use gsi_persistence::{DbConnection, Page, PageRequest};

use super::provider_profiles::provider_organisation;
use super::{Change, Context, audit, events, governance};
use crate::error::ApiError;

/// Records a listing change by a GIX officer (GSI-12.2, 12.3). Checks, in order: the role
/// (403), that the organisation is a provider (404), that it has a profile (422), then
/// `listing::record_change` (422 for fields and blockers, 409 for a transition the current
/// status does not allow). Call inside a write transaction.
pub fn change(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
    draft: &ListingChangeDraft,
) -> Result<ListingRecord, ApiError> {
    if !listing::may_change_listing(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers change the provider list (GSI-12.2, 12.3)".into()));
    }
    provider_organisation(conn, provider, "provider")?;
    // Taken before anything is read, so a concurrent profile edit is seen whole.
    provider_profiles::lock(conn, provider)?;
    let Some(profile) = provider_profiles::find(conn, provider)? else {
        return Err(ApiError::Validation(ValidationErrors::single(
            "profile",
            "missing_profile",
            "the provider has not filled in its profile yet (GSI-6.1, 6.2, 7.4), so it cannot be listed",
        )));
    };
    let history = listings::history(conn, provider)?;
    // Stored instants keep microseconds; decide on the value that will be stored.
    let draft = ListingChangeDraft {
        effective_at: draft.effective_at.map(gsi_domain::time::to_storage_precision),
        ..draft.clone()
    };
    let entry = listing::record_change(&history, &profile, &draft, &ctx.actor, ctx.now).map_err(refused)?;
    let from = listing::scheduled_status(&history, entry.family);
    let record = listings::insert(conn, &entry, ctx.actor.role)?;
    governance::sync(conn, provider, ctx.now)?;
    audit(
        conn,
        ctx,
        Change {
            action: "provider_listing.changed",
            resource_type: "provider_listing",
            resource_id: provider.to_string(),
            owner: Some(provider),
            changes: serde_json::json!({
                "entry_id": record.id,
                "family": entry.family.as_str(),
                "action": entry.action.as_str(),
                "status": {"from": from.as_str(), "to": entry.status.as_str()},
                "reason": entry.reason.as_str(),
                "effective_at": entry.effective_at,
            }),
        },
    )?;
    // The provider list is readable by every caller, so its changes are public events.
    events::emit(
        conn,
        ctx,
        EventType::ProviderListingChanged,
        ResourceRef::new(
            "provider_listing",
            provider,
            Some(entry.status.as_str()),
            format!("/v1/providers/{provider}/listing-history"),
        ),
        Audience::Everyone,
        serde_json::json!({
            "family": entry.family.as_str(),
            "action": entry.action.as_str(),
            "from": from.as_str(),
            "effective_at": entry.effective_at,
        }),
    )?;
    Ok(record)
}

/// Each refusal says what is wrong: fields and blockers by name (422), a transition by the
/// current status and the actions it allows (409).
fn refused(refusal: ListingRefused) -> ApiError {
    match refusal {
        ListingRefused::Invalid(errors) => ApiError::Validation(errors),
        ListingRefused::Transition(transition) => {
            ApiError::invalid_transition(&transition, transition.state, &transition.allowed)
        }
    }
}

/// Where a provider stands for one family.
#[derive(Debug, Clone)]
pub struct FamilyStanding {
    pub family: ServiceFamily,
    /// At the time of the request: `listed` when the evidence says so; otherwise GIX's
    /// override status when it holds the provider off, else `not_listed`.
    pub status: ListingStatus,
    /// When the current listed period began, if listed.
    pub since: Option<DateTime<Utc>>,
    /// Every reason it is not listed now (GSI-6.1-6.4, 7.4, 11.1, 11.3, 12.3).
    pub reasons: Vec<NotListedReason>,
    /// GIX's override after every recorded change, scheduled ones included: where the next
    /// override change starts.
    pub scheduled_status: ListingStatus,
    pub allowed_actions: Vec<ListingAction>,
}

#[derive(Debug, Clone)]
pub struct ListingHistory {
    pub provider: Organisation,
    pub standings: Vec<FamilyStanding>,
    /// GIX's override entries, oldest first.
    pub records: Vec<ListingRecord>,
    /// The provider's change log, oldest first.
    pub changes: Vec<ListingChangeRecord>,
}

/// The provider's whole listing history and where it stands per family (GSI-12.2, 12.3).
pub fn history(conn: &mut DbConnection, ctx: &Context, provider: OrganisationId) -> Result<ListingHistory, ApiError> {
    if !listing::listing_history_access(&ctx.actor, provider).can_read() {
        return Err(ApiError::NotFound("listing history"));
    }
    let organisation = provider_organisation(conn, provider, "listing history")?;
    let records = listings::records(conn, provider)?;
    let entries: Vec<_> = records.iter().map(|r| r.entry.clone()).collect();
    let evidence = governance::evidence_of(conn, provider)?;
    let changes = governance::change_log(conn, Some(provider), ctx.now)?;
    let standings = governance::standings(&evidence, &changes, ctx.now)
        .into_iter()
        .map(|standing| {
            let family = standing.decision.family;
            let scheduled_status = listing::scheduled_status(&entries, family);
            let override_status = listing::listing_status(&entries, family, ctx.now);
            let status = if standing.decision.listed() {
                ListingStatus::Listed
            } else if matches!(override_status, ListingStatus::Suspended | ListingStatus::Delisted) {
                override_status
            } else {
                ListingStatus::NotListed
            };
            FamilyStanding {
                family,
                status,
                since: standing.since,
                reasons: standing.decision.reasons,
                scheduled_status,
                allowed_actions: listing::allowed_actions(scheduled_status),
            }
        })
        .collect();
    Ok(ListingHistory { provider: organisation, standings, records, changes })
}

#[derive(Debug, Clone, Copy, Default)]
pub struct ProviderListFilter {
    pub family: Option<ServiceFamily>,
    /// The instant the list is read at; `None` is now.
    pub at: Option<DateTime<Utc>>,
}

/// A line of the provider list.
#[derive(Debug, Clone)]
pub struct ListedProvider {
    pub organisation: Organisation,
    /// The families listed at the instant asked for (only the filtered one, when filtered).
    pub families: Vec<ListedFamily>,
    /// GSI-7.4: how agencies reach the provider around the clock.
    pub support: SupportChannels,
}

/// The provider list at an instant (GSI-12.2, 13.1): every provider listed for at least one
/// family, in id order. Returns the instant it was read at and a page.
pub fn provider_list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: ProviderListFilter,
    page: PageRequest,
) -> Result<(DateTime<Utc>, Page<ListedProvider>), ApiError> {
    if !listing::may_read_provider_list(&ctx.actor) {
        return Err(ApiError::Forbidden("this role may not read the provider list".into()));
    }
    let at = filter.at.map_or(ctx.now, gsi_domain::time::to_storage_precision);
    let wanted = page.fetch_limit();
    let mut found: Vec<ListedProvider> = Vec::new();
    let mut after = page.after.map(OrganisationId::from_uuid);
    // Candidates (certified providers) are a superset; the domain decides, so keep fetching
    // until a page is full.
    loop {
        let batch = governance_repo::certified_providers(conn, after, wanted)?;
        let Some(last) = batch.last().copied() else { break };
        let evidence = governance::evidence_of_many(conn, &batch)?;
        let mut listed: Vec<(OrganisationId, Vec<ListedFamily>)> = Vec::new();
        for (id, e) in &evidence {
            let standings = governance::standings(e, &[], at);
            if !standings.iter().any(|s| s.decision.listed()) {
                continue;
            }
            let log = governance::change_log(conn, Some(*id), ctx.now.max(at))?;
            let families: Vec<ListedFamily> = governance::standings(e, &log, at)
                .into_iter()
                .filter(|s| filter.family.is_none_or(|f| s.decision.family == f))
                .filter_map(|s| s.since.map(|since| ListedFamily { family: s.decision.family, since }))
                .collect();
            if !families.is_empty() {
                listed.push((*id, families));
            }
        }
        let ids: Vec<OrganisationId> = listed.iter().map(|(id, _)| *id).collect();
        let mut profiles = provider_profiles::find_many(conn, &ids)?;
        let mut registered = organisations::find_many(conn, &ids)?;
        for (id, families) in listed {
            let organisation = registered
                .remove(&id)
                .ok_or_else(|| ApiError::Internal(format!("listed provider {id} is not registered")))?;
            let profile = profiles
                .remove(&id)
                .ok_or_else(|| ApiError::Internal(format!("listed provider {id} has no profile")))?;
            found.push(ListedProvider { organisation, families, support: profile.details.support });
        }
        if i64::try_from(found.len()).unwrap_or(i64::MAX) >= wanted
            || i64::try_from(batch.len()).unwrap_or(i64::MAX) < wanted
        {
            break;
        }
        after = Some(last);
    }
    Ok((at, Page::from_overfetch(found, page.limit, |p| p.organisation.id.as_uuid())))
}
