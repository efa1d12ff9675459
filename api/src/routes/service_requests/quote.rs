use actix_web::{HttpResponse, post, web};

use super::{QuoteInput, ServiceRequestBody, take_step};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::state::AppState;
use crate::usecases::service_requests::StepDraft;

/// Quote a service request
///
/// The serving provider's answer (GSI-A.1.6): `approved` with the confirmed quantities
/// (exactly the resources requested, none for a cancellation; at most the offering's maximum
/// per subscription), the cost increase or decrease per month and any one-off charge (exact
/// THB strings), how long it is valid (`valid_until`, exclusive, at most 90 days) and, for a
/// cancellation, the agreed end (`effective_at`) → `quoted`; or `rejected` with its reason
/// in `note` → `rejected`. Quoting a `quoted` request supersedes its quote: every quote is
/// kept and only the newest can be confirmed. Only from `under_review` or `quoted` (not once
/// expired); requires `If-Match`.
#[utoipa::path(
    tag = "service-requests",
    request_body = QuoteInput,
    params(
        ("request_id" = uuid::Uuid, Path, description = "Service request id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"3\""),
    ),
    responses(
        (status = 200, description = "The request after the step", body = ServiceRequestBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/service-requests/{request_id}/quotes")]
pub async fn quote_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<QuoteInput>,
) -> Result<HttpResponse, ApiError> {
    take_step(&state, ctx, path.into_inner().into(), if_match, StepDraft::Quote(body.into_inner().into())).await
}
