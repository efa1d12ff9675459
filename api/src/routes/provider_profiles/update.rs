use actix_web::http::StatusCode;
use actix_web::{HttpResponse, put, web};
use gsi_persistence::write_tx;

use super::{OptionalIfMatch, ProviderProfileBody, ProviderProfileUpdate, profile_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::provider_profiles;

/// Create or replace a provider's profile
///
/// The provider's operators keep its profile: legal status and, for a juristic person, the
/// 13-digit registration number whose check digit is verified (GSI-6.1); the families it
/// offers (GSI-6.2); its 24x7 phone, e-mail and self-service address (GSI-7.4), which may be
/// filled in over time but are all needed before GIX can list it; and its published service
/// exclusions (GSI-10.3). The first PUT creates the profile (201, no `If-Match`); later ones
/// replace it and need the `ETag` last read as `If-Match` (missing: 428; stale: 412; sent
/// before any profile exists: 412). While the provider is on the provider list it cannot drop
/// a listed family or a 24x7 channel (422; GIX suspends or delists first, GSI-12.2, 12.3).
/// Every failing field is listed in one 422 answer. Only organisations registered as
/// providers have a profile (others: 404); agencies, GIX and the assessor may read but not
/// write (403); other providers are answered 404. The change and its audit event are written
/// together.
#[utoipa::path(
    tag = "providers",
    request_body = ProviderProfileUpdate,
    params(
        ("provider_id" = uuid::Uuid, Path, description = "The provider's organisation id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read, e.g. \"1\"; required once the profile exists"),
    ),
    responses(
        (status = 200, description = "The replaced profile", body = ProviderProfileBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 201, description = "The profile, created", body = ProviderProfileBody,
            headers(("ETag" = String, description = "The first version"), ("Location" = String, description = "The profile"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[put("/providers/{provider_id}/profile")]
pub async fn put_provider_profile(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: OptionalIfMatch,
    body: JsonBody<ProviderProfileUpdate>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let draft = body.into_inner().into();
    let saved = db(&state, move |conn| {
        write_tx(conn, |tx| provider_profiles::put(tx, &ctx.0, provider, if_match.0.as_ref(), &draft))
    })
    .await?;
    let status = if saved.created { StatusCode::CREATED } else { StatusCode::OK };
    Ok(profile_response(&saved.view, status))
}
