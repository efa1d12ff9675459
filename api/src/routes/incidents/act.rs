use actix_web::{HttpResponse, post, web};
use gsi_domain::incident::{HoldReason, StepDraft};
use gsi_persistence::write_tx;

use super::{IncidentBody, IncidentStep, incident_response};
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
use crate::usecases::incidents;

/// Take a step on an incident
///
/// The lifecycle (GSI-7.3, 7.5.8): the serving provider's operators `acknowledge` (the
/// response), `start_work`, `put_on_hold` with a `hold_reason` and a note, `resume` and
/// `resolve` with a note; the agency `close`s (confirms the resolution) or `reopen`s it with a
/// note within 7 days of the resolution; the provider may close after those 7 days. The agency
/// may `cancel` its report before resolution, the provider only before work starts, each with
/// a note. On hold `awaiting_agency` and time spent resolved before a reopening do not count
/// against the resolution deadline (GSI-10.2). A step the state does not allow is 409
/// `invalid-transition` naming the state and the allowed steps; a step the caller's side may
/// not take is 403; a reopening after the window, or a provider's close within it, is 409
/// `invalid-transition` too, with the steps the caller may take instead. Every step is a
/// timeline entry with actor and time. Requires `If-Match`.
#[utoipa::path(
    tag = "incidents",
    request_body = IncidentStep,
    params(
        ("incident_id" = uuid::Uuid, Path, description = "Incident id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The incident after the step", body = IncidentBody,
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
#[post("/incidents/{incident_id}/actions")]
pub async fn act_on_incident(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<IncidentStep>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let input = body.into_inner();
    let step = StepDraft {
        action: input.action.into(),
        note: input.note,
        hold_reason: input.hold_reason.map(|r| HoldReason::from(r).as_str().to_owned()),
    };
    let view = db(&state, move |conn| write_tx(conn, |tx| incidents::act(tx, &ctx.0, id, &if_match.0, &step))).await?;
    Ok(incident_response(&view))
}
