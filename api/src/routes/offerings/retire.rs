use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{OfferingBody, offering_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// Retire an offering
///
/// Ends a published offering's availability for new subscriptions (GSI-7.5.5); it stays
/// readable, with its price history, for the subscriptions that run on it. A draft cannot
/// be retired, and a retired offering is final (409). Only the provider's operators, with
/// `If-Match` (428/412); another provider's offering answers 404.
#[utoipa::path(
    tag = "catalog",
    params(
        ("offering_id" = uuid::Uuid, Path, description = "Offering id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"2\""),
    ),
    responses(
        (status = 200, description = "The retired offering", body = OfferingBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/offerings/{offering_id}/retire")]
pub async fn retire_offering(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let record = db(&state, move |conn| write_tx(conn, |tx| offerings::retire(tx, &ctx.0, id, &if_match.0))).await?;
    Ok(offering_response(&record))
}
