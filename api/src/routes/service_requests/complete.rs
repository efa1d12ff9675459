use actix_web::{HttpResponse, post, web};

use super::{NoteInput, ServiceRequestBody, take_step};
use crate::error::{ApiError, Problem};
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated, UnsupportedMediaType,
};
use crate::state::AppState;
use crate::usecases::service_requests::StepDraft;

/// Complete a service request
///
/// The serving provider reports the work done (GSI-A.1.8) → `completed`, and the
/// accepted change applies in the same transaction, priced from now: a new service becomes
/// an `active` subscription of the agency (still only from a listed provider, GSI-13.1); a
/// change sets the accepted sizes; an add-on is added or removed; a cancellation terminates
/// the subscription with its term ending at the agreed end (or now). Read the subscription
/// back with `GET /v1/subscriptions/{id}` (the request's `subscription_id`). Only while
/// `in_progress`; requires `If-Match`.
#[utoipa::path(
    tag = "service-requests",
    request_body = NoteInput,
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
        (status = 409, description = "Not allowed in the current state, or the subscription cannot take the change", body = Problem,
            content_type = "application/problem+json",
            examples(
                ("invalid-transition" = (summary = "Not in progress", value = json!({"type": "https://gsi-hub.example/problems/invalid-transition", "title": "Not allowed in the current state", "status": 409,
                    "detail": "cannot complete a request that is confirmed; the request is confirmed, allowed now: start_work", "current_state": "confirmed", "allowed_actions": ["start_work"]}))),
                ("conflict" = (summary = "Subscription ended meanwhile", value = json!({"type": "https://gsi-hub.example/problems/conflict", "title": "Conflict", "status": 409,
                    "detail": "conflict: subscription 00000000-0000-7000-8000-000000030001 is terminated; the request cannot be carried out (fail it instead)"}))),
            )),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "Invalid fields, or (new service) the provider left the provider list (GSI-13.1)", body = Problem,
            content_type = "application/problem+json",
            examples(
                ("validation-error" = (summary = "Invalid fields", value = json!({"type": "https://gsi-hub.example/problems/validation-error", "title": "Invalid fields", "status": 422,
                    "detail": "invalid fields: note", "errors": [{"field": "note", "code": "too_long", "message": "must be at most 2000 characters"}]}))),
                ("provider-not-listed" = (summary = "Provider not listed", value = json!({"type": "https://gsi-hub.example/problems/provider-not-listed", "title": "Provider not on the provider list", "status": 422,
                    "detail": "the provider is not on the provider list for cloud (status: suspended); agencies may subscribe only to listed providers (GSI-13.1)"}))),
            )),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/service-requests/{request_id}/complete")]
pub async fn complete_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<NoteInput>,
) -> Result<HttpResponse, ApiError> {
    take_step(&state, ctx, path.into_inner().into(), if_match, StepDraft::Complete { note: body.into_inner().note })
        .await
}
