use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{SecurityEventBody, SecurityEventStep, security_event_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::security_events;

/// Change a security event's status
///
/// GSI-8.2: the provider that posted the event moves it on, `start_mitigation` (detected →
/// mitigating) or `resolve` (→ resolved), optionally adding what was done to
/// `actions_taken`. A step the status does not allow is 409 naming the status and the allowed
/// steps. The agency and GIX read events but do not change them (403); anyone else gets 404.
/// Requires `If-Match`.
#[utoipa::path(
    tag = "security-events",
    request_body = SecurityEventStep,
    params(
        ("security_event_id" = uuid::Uuid, Path, description = "Security event id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The event after the step", body = SecurityEventBody,
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
#[post("/security-events/{security_event_id}/actions")]
pub async fn act_on_security_event(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<SecurityEventStep>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let step = body.into_inner();
    let action = step.action.into();
    let stored = db(&state, move |conn| {
        write_tx(conn, |tx| security_events::advance(tx, &ctx.0, id, &if_match.0, action, step.note.as_deref()))
    })
    .await?;
    Ok(security_event_response(&stored))
}
