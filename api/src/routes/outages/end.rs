use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{EndOutage, OutageBody, outage_response};
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
use crate::usecases::outages;

/// End an outage
///
/// GSI-7.2: the provider that posted an open outage records when service came back. Once
/// only: an outage that has ended is refused (422 `ended_at` `already_ended`), as is an end
/// before the start or in the future. Agencies and GIX read outages but do not end them
/// (403); anyone else gets 404. Requires `If-Match` (`*` is accepted).
#[utoipa::path(
    tag = "outages",
    request_body = EndOutage,
    params(
        ("outage_id" = uuid::Uuid, Path, description = "Outage id"),
        ("If-Match" = String, Header, description = "The ETag last read, or `*`"),
    ),
    responses(
        (status = 200, description = "The ended outage", body = OutageBody,
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
#[post("/outages/{outage_id}/end")]
pub async fn end_outage(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<EndOutage>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ended_at = body.into_inner().ended_at;
    let view = db(&state, move |conn| write_tx(conn, |tx| outages::end(tx, &ctx.0, id, &if_match.0, ended_at))).await?;
    Ok(outage_response(&view))
}
