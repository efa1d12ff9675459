use actix_web::{HttpResponse, post, web};

use super::{FailInput, ServiceRequestBody, take_step};
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

/// Report a service request failed
///
/// The serving provider reports that the work could not be done (GSI-A.1.8) →
/// `failed`, with the reason (required); nothing changes on the subscription. Only while
/// `in_progress`; requires `If-Match`.
#[utoipa::path(
    tag = "service-requests",
    request_body = FailInput,
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
#[post("/service-requests/{request_id}/fail")]
pub async fn fail_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<FailInput>,
) -> Result<HttpResponse, ApiError> {
    take_step(&state, ctx, path.into_inner().into(), if_match, StepDraft::Fail { reason: body.into_inner().reason })
        .await
}
