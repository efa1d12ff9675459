use actix_web::{HttpResponse, get, web};

use super::{AgencyProfileBody, profile_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::agency_profiles;

/// Get an agency's profile
///
/// The agency's basic data: names in Thai and English, parent ministry, address,
/// coordinators and contact channels (GSI-7.5.1). The agency's admins and users read their
/// own; GIX officers read all; anyone else is answered 404.
#[utoipa::path(
    tag = "agency-profiles",
    params(("agency_id" = uuid::Uuid, Path, description = "The agency's organisation id")),
    responses(
        (status = 200, description = "The profile", body = AgencyProfileBody,
            headers(("ETag" = String, description = "Send it back as If-Match to update"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/agencies/{agency_id}/profile")]
pub async fn get_agency_profile(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let agency = path.into_inner().into();
    let profile = db(&state, move |conn| agency_profiles::get(conn, &ctx.0, agency)).await?;
    Ok(profile_response(&profile))
}
