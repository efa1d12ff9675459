use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::repos::organisations::OrganisationFilter;

use super::{ListOrganisationsQuery, OrganisationBody, OrganisationList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::organisations;

/// List organisations
///
/// The register of agencies, providers, assessors and the central agency, oldest first.
/// GIX officers only (GSI-12: GIX keeps the lists).
#[utoipa::path(
    tag = "organisations",
    params(ListOrganisationsQuery),
    responses(
        (status = 200, description = "A page of organisations", body = OrganisationList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/organisations")]
pub async fn list_organisations(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListOrganisationsQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut errors = ValidationErrors::new();
    let kind = match query.kind.as_deref().map(str::parse::<gsi_domain::org::OrganisationKind>) {
        None => None,
        Some(Ok(kind)) => Some(kind),
        Some(Err(e)) => {
            errors.add("kind", "invalid_choice", e.to_string());
            None
        }
    };
    let page = page_request(query.limit.as_deref(), query.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| organisations::list(conn, &ctx.0, OrganisationFilter { kind }, page)).await?;
    Ok(HttpResponse::Ok().json(OrganisationList {
        items: found.items.iter().map(OrganisationBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
