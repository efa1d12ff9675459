use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, web};

use super::{ProviderProfileBody, profile_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::provider_profiles;

/// Get a provider's profile
///
/// Who the provider is in law and its registration number (GSI-6.1), the service families it
/// offers (GSI-6.2), its 24x7 support channels (GSI-7.4), the service exclusions it publishes
/// (GSI-10.3), and what still keeps it off the provider list. Agencies, GIX officers and the
/// assessor read every provider's profile (agencies choose among providers, GSI-13.1); a
/// provider's operators read their own; other providers, and a provider with no profile yet,
/// are answered 404.
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider's organisation id")),
    responses(
        (status = 200, description = "The profile", body = ProviderProfileBody,
            headers(("ETag" = String, description = "Send it back as If-Match to update"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/profile")]
pub async fn get_provider_profile(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let view = db(&state, move |conn| provider_profiles::get(conn, &ctx.0, provider)).await?;
    Ok(profile_response(&view, StatusCode::OK))
}
