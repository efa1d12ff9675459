//! Provider profiles (GSI-6.1, 6.2, 7.4, 10.3): kept by the provider's operators, read by
//! agencies, GIX and the assessor.

use gsi_domain::OrganisationId;
use gsi_domain::org::{Organisation, OrganisationKind};
use gsi_domain::provider::{ProviderProfile, ProviderProfileDetails, ProviderProfileDraft, profile_access};
use gsi_persistence::repos::{organisations, provider_profiles};
use gsi_persistence::{DbConnection, StoreError};

use super::{Change, Context, audit, diff, governance};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

/// A profile with the organisation whose names it shows.
#[derive(Debug, Clone)]
pub struct ProviderProfileView {
    pub organisation: Organisation,
    pub profile: ProviderProfile,
}

/// The outcome of a PUT: the saved profile, and whether it was created by it.
#[derive(Debug, Clone)]
pub struct SavedProfile {
    pub view: ProviderProfileView,
    pub created: bool,
}

/// The organisation `id` if it is a provider; anything else is `what` not found (profiles
/// and listings exist for providers only).
pub fn provider_organisation(
    conn: &mut DbConnection,
    id: OrganisationId,
    what: &'static str,
) -> Result<Organisation, ApiError> {
    match organisations::find(conn, id)? {
        Some(org) if org.kind == OrganisationKind::Provider => Ok(org),
        Some(_) | None => Err(ApiError::NotFound(what)),
    }
}

pub fn get(conn: &mut DbConnection, ctx: &Context, provider: OrganisationId) -> Result<ProviderProfileView, ApiError> {
    if !profile_access(&ctx.actor, provider).can_read() {
        return Err(ApiError::NotFound("provider profile"));
    }
    let organisation = provider_organisation(conn, provider, "provider profile")?;
    let profile = provider_profiles::find(conn, provider)?.ok_or(ApiError::NotFound("provider profile"))?;
    Ok(ProviderProfileView { organisation, profile })
}

/// Creates the profile when there is none (no `If-Match` then), or replaces it (`If-Match`
/// required). Checks, in order: visibility (404 for other providers), write permission
/// (403), that the organisation is a provider (404), the precondition (428/412, or 409 when
/// one is sent for a profile that does not exist yet), the fields (422), and that a listed
/// provider keeps its listed families and 24x7 channels (422, GSI-7.4, 12.2). Call inside a
/// write transaction.
pub fn put(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
    precondition: Option<&Precondition>,
    draft: &ProviderProfileDraft,
) -> Result<SavedProfile, ApiError> {
    let access = profile_access(&ctx.actor, provider);
    if !access.can_read() {
        return Err(ApiError::NotFound("provider profile"));
    }
    if !access.can_write() {
        return Err(ApiError::Forbidden("only the provider's own operators keep its profile".into()));
    }
    let organisation = provider_organisation(conn, provider, "provider profile")?;
    // Taken before anything is read, so a concurrent listing change is seen whole (see `lock`).
    provider_profiles::lock(conn, provider)?;
    let current = provider_profiles::find(conn, provider)?;
    match (&current, precondition) {
        (Some(current), Some(precondition)) => precondition.check(current.version)?,
        (Some(_), None) => return Err(ApiError::PreconditionRequired),
        (None, Some(_)) => return Err(ApiError::PreconditionFailedNothingYet),
        (None, None) => {}
    }
    let details = ProviderProfileDetails::parse(draft).map_err(ApiError::Validation)?;
    let version = current.as_ref().map_or(1, |c| c.version + 1);
    let saved = ProviderProfile { provider_id: provider, details, updated_at: ctx.now, version };
    // The profile is not dated evidence: write the change log up to now with the old one
    // (GSI-12.2), then, below, date the new one's effect now.
    governance::sync_before(conn, provider, ctx.now)?;
    let (action, changes) = match &current {
        None => {
            match provider_profiles::insert(conn, &saved) {
                Ok(()) => {}
                // Another request created it since we looked: this one now needs If-Match.
                Err(StoreError::UniqueViolation(_)) => return Err(ApiError::PreconditionRequired),
                Err(other) => return Err(other.into()),
            }
            ("provider_profile.created", snapshot(&saved.details))
        }
        Some(current) => {
            if !provider_profiles::update_if_version(conn, &saved, current.version)? {
                // Another writer committed between our read and write.
                return Err(ApiError::PreconditionFailed { current_etag: etag(current.version + 1) });
            }
            ("provider_profile.updated", diff(&snapshot(&current.details), &snapshot(&saved.details)))
        }
    };
    governance::sync(conn, provider, ctx.now)?;
    audit(
        conn,
        ctx,
        Change {
            action,
            resource_type: "provider_profile",
            resource_id: provider.to_string(),
            owner: Some(provider),
            changes,
        },
    )?;
    Ok(SavedProfile { view: ProviderProfileView { organisation, profile: saved }, created: current.is_none() })
}

/// The profile as audit events record it.
fn snapshot(d: &ProviderProfileDetails) -> serde_json::Value {
    use gsi_domain::provider::ExclusionRule;
    serde_json::json!({
        "legal_status": d.legal_status.kind().as_str(),
        "registration_number": d.legal_status.registration_number().map(|n| n.as_str()),
        "families": d.families.iter().map(|f| f.as_str()).collect::<Vec<_>>(),
        "support": {
            "phone": d.support.phone.as_ref().map(|v| v.as_str()),
            "email": d.support.email.as_ref().map(|v| v.as_str()),
            "self_service_url": d.support.self_service_url.as_ref().map(|v| v.as_str()),
        },
        "exclusions": d.exclusions.iter().map(|e| serde_json::json!({
            "kind": e.rule.kind().as_str(),
            "notice_hours": match e.rule {
                ExclusionRule::PlannedMaintenance { notice_hours } => Some(notice_hours),
                ExclusionRule::ForceMajeure
                | ExclusionRule::CustomerCaused
                | ExclusionRule::ThirdPartyNetwork
                | ExclusionRule::Other => None,
            },
            "text": e.text.as_str(),
        })).collect::<Vec<_>>(),
    })
}
