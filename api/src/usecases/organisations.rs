//! The organisation register (clause 3): GIX registers agencies, providers and assessors.

use gsi_domain::agency_profile::{AgencyProfile, AgencyProfileDetails};
use gsi_domain::org::{NewOrganisation, Organisation, OrganisationKind};
use gsi_domain::{OrganisationId, access};
use gsi_persistence::repos::agency_profiles;
use gsi_persistence::repos::organisations::{self, OrganisationFilter};
use gsi_persistence::{DbConnection, Page, PageRequest};

use super::{Change, Context, audit};
use crate::error::ApiError;

pub struct RegistrationDraft {
    pub kind: String,
    pub name_th: String,
    pub name_en: Option<String>,
}

/// Registers an organisation; an agency gets its profile (GSI-7.5.1) at once, holding its
/// names, for its admins to complete.
pub fn register(conn: &mut DbConnection, ctx: &Context, draft: &RegistrationDraft) -> Result<Organisation, ApiError> {
    register_as(conn, ctx, OrganisationId::new_v7(ctx.now), draft)
}

/// `register` with a chosen id (demo data uses fixed ids so that seeding is repeatable).
pub fn register_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: OrganisationId,
    draft: &RegistrationDraft,
) -> Result<Organisation, ApiError> {
    if !access::may_register_organisations(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers register organisations".into()));
    }
    let new =
        NewOrganisation::parse(&draft.kind, &draft.name_th, draft.name_en.as_deref()).map_err(ApiError::Validation)?;
    let org = new.into_organisation(id, ctx.now);
    organisations::insert(conn, &org)?;
    if org.kind == OrganisationKind::Agency {
        agency_profiles::insert(
            conn,
            &AgencyProfile {
                agency_id: org.id,
                details: AgencyProfileDetails::initial(org.name_th.clone(), org.name_en.clone()),
                updated_at: ctx.now,
                version: 1,
            },
        )?;
    }
    audit(
        conn,
        ctx,
        Change {
            action: "organisation.registered",
            resource_type: "organisation",
            resource_id: org.id.to_string(),
            owner: Some(org.id),
            changes: serde_json::json!({
                "kind": org.kind.as_str(),
                "name_th": org.name_th.as_str(),
                "name_en": org.name_en.as_ref().map(|n| n.as_str()),
            }),
        },
    )?;
    Ok(org)
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: OrganisationId) -> Result<Organisation, ApiError> {
    if !access::organisation(&ctx.actor, id).can_read() {
        return Err(ApiError::NotFound("organisation"));
    }
    organisations::find(conn, id)?.ok_or(ApiError::NotFound("organisation"))
}

pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: OrganisationFilter,
    page: PageRequest,
) -> Result<Page<Organisation>, ApiError> {
    if !access::may_list_organisations(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers list the organisation register".into()));
    }
    Ok(organisations::list(conn, filter, page)?)
}

/// The caller's own organisation, if it exists (a token may name one not registered here).
pub fn own(conn: &mut DbConnection, ctx: &Context) -> Result<Option<Organisation>, ApiError> {
    Ok(organisations::find(conn, ctx.actor.organisation)?)
}
