//! Agency profiles (GSI-7.5.1): read by the agency and GIX, kept by the agency's admins.

use gsi_domain::agency_profile::{AgencyProfile, AgencyProfileDetails, AgencyProfileDraft};
use gsi_domain::{OrganisationId, subscription};
use gsi_persistence::DbConnection;
use gsi_persistence::repos::agency_profiles;

use super::{Change, Context, audit, diff};
use crate::error::ApiError;
use crate::http::etag::Precondition;

/// Providers read the profiles of the agencies they serve (GSI-7.5.2).
pub fn get(conn: &mut DbConnection, ctx: &Context, agency: OrganisationId) -> Result<AgencyProfile, ApiError> {
    let serves = super::subscriptions::caller_serves(conn, ctx, agency)?;
    if !subscription::agency_profile_access(&ctx.actor, agency, serves).can_read() {
        return Err(ApiError::NotFound("agency profile"));
    }
    agency_profiles::find(conn, agency)?.ok_or(ApiError::NotFound("agency profile"))
}

/// Replaces the editable profile. Checks, in order: visibility (404 for other tenants),
/// write permission (403), existence, the `If-Match` version (412), the fields (422).
pub fn update(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: OrganisationId,
    precondition: &Precondition,
    draft: &AgencyProfileDraft,
) -> Result<AgencyProfile, ApiError> {
    let serves = super::subscriptions::caller_serves(conn, ctx, agency)?;
    let access = subscription::agency_profile_access(&ctx.actor, agency, serves);
    if !access.can_read() {
        return Err(ApiError::NotFound("agency profile"));
    }
    if !access.can_write() {
        return Err(ApiError::Forbidden("only the agency's admins update its profile".into()));
    }
    let current = agency_profiles::find(conn, agency)?.ok_or(ApiError::NotFound("agency profile"))?;
    precondition.check(current.version)?;
    let details = AgencyProfileDetails::parse(draft).map_err(ApiError::Validation)?;
    let updated = AgencyProfile { agency_id: agency, details, updated_at: ctx.now, version: current.version + 1 };
    if !agency_profiles::update_if_version(conn, &updated, current.version)? {
        // Another writer committed between our read and write.
        return Err(ApiError::PreconditionFailed { current_etag: crate::http::etag::etag(current.version + 1) });
    }
    audit(
        conn,
        ctx,
        Change {
            action: "agency_profile.updated",
            resource_type: "agency_profile",
            resource_id: agency.to_string(),
            owner: Some(agency),
            changes: diff(&snapshot(&current.details), &snapshot(&updated.details)),
        },
    )?;
    Ok(updated)
}

/// The profile as audit events record it.
fn snapshot(d: &AgencyProfileDetails) -> serde_json::Value {
    serde_json::json!({
        "name_th": d.name_th.as_str(),
        "name_en": d.name_en.as_ref().map(|v| v.as_str()),
        "parent_ministry": d.parent_ministry.as_ref().map(|v| v.as_str()),
        "address": d.address.as_ref().map(|v| v.as_str()),
        "coordinators": d.coordinators.iter().map(|c| serde_json::json!({
            "name": c.name.as_str(),
            "position": c.position.as_str(),
            "email": c.email.as_str(),
            "phone": c.phone.as_str(),
            "is_primary": c.is_primary,
        })).collect::<Vec<_>>(),
        "contact_channels": d.contact_channels.iter().map(|c| serde_json::json!({
            "kind": c.kind.as_str(),
            "value": c.value.as_str(),
            "label": c.label.as_ref().map(|v| v.as_str()),
        })).collect::<Vec<_>>(),
    })
}
