use actix_web::{HttpResponse, post, web};

use super::{ConfirmInput, ServiceRequestBody, take_step};
use crate::error::{ApiError, Problem};
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::state::AppState;
use crate::usecases::service_requests::StepDraft;

/// Confirm a quote
///
/// The agency admin accepts the quote it names (GSI-A.1.7) → `confirmed`. The
/// acknowledgement records who, when, the quote, and exactly the quantities, monthly cost
/// change, one-off charge and agreed end accepted. A quote that has expired (now at or after
/// its `valid_until`) or was superseded by a newer one is refused with 409 saying which. The
/// `If-Match` version makes two racing confirmations safe: exactly one wins, the other gets
/// 409 or 412 and changes nothing.
#[utoipa::path(
    tag = "service-requests",
    request_body = ConfirmInput,
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
        (status = 409, description = "Not allowed now: the quote expired or was superseded, or the request is not quoted", body = Problem,
            content_type = "application/problem+json",
            examples(
                ("expired" = (summary = "Quote expired", value = json!({"type": "https://gsi-hub.example/problems/invalid-transition", "title": "Not allowed in the current state", "status": 409,
                    "detail": "quote 0190f5c2-1a2b-7c3d-8e4f-0000000000f1 expired at 2026-12-08 10:00:00 UTC; the request is expired and nothing more can be done", "current_state": "expired", "allowed_actions": []}))),
                ("superseded" = (summary = "Quote superseded", value = json!({"type": "https://gsi-hub.example/problems/invalid-transition", "title": "Not allowed in the current state", "status": 409,
                    "detail": "quote 0190f5c2-1a2b-7c3d-8e4f-0000000000f1 was superseded by quote 0190f5c2-1a2b-7c3d-8e4f-0000000000f2; the request is quoted, allowed now: requote, confirm, decline, withdraw",
                    "current_state": "quoted", "allowed_actions": ["requote", "confirm", "decline", "withdraw"]}))),
            )),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/service-requests/{request_id}/confirm")]
pub async fn confirm_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<ConfirmInput>,
) -> Result<HttpResponse, ApiError> {
    take_step(
        &state,
        ctx,
        path.into_inner().into(),
        if_match,
        StepDraft::Confirm { quote: body.into_inner().quote_id.into() },
    )
    .await
}
