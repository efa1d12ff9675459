use actix_web::{HttpResponse, put, web};
use gsi_persistence::write_tx;

use super::{AgencyProfileBody, AgencyProfileUpdate, profile_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::agency_profiles;

/// Update an agency's profile
///
/// Replaces the agency's basic data, coordinators and contact channels (GSI-7.5.1). Only
/// the agency's admins may; send the `ETag` you read as `If-Match` (missing: 428; stale:
/// 412 with the current ETag). Every failing field is listed in one 422 answer. The change
/// and its audit event are written together.
#[utoipa::path(
    tag = "agency-profiles",
    request_body = AgencyProfileUpdate,
    params(
        ("agency_id" = uuid::Uuid, Path, description = "The agency's organisation id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"1\""),
    ),
    responses(
        (status = 200, description = "The updated profile", body = AgencyProfileBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[put("/agencies/{agency_id}/profile")]
pub async fn update_agency_profile(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<AgencyProfileUpdate>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner().into();
    let draft = body.into_inner().into();
    let profile =
        db(&state, move |conn| write_tx(conn, |tx| agency_profiles::update(tx, &ctx.0, agency, &if_match.0, &draft)))
            .await?;
    Ok(profile_response(&profile))
}
