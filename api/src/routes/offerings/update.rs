use actix_web::{HttpResponse, put, web};
use gsi_domain::catalog::OfferingDraft;
use gsi_persistence::write_tx;

use super::{OfferingBody, OfferingInput, offering_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// Update an offering
///
/// Replaces the offering's content; only its provider's operators may (another provider's
/// offering answers 404, a reader such as GIX or an agency 403). Send the `ETag` you read
/// as `If-Match` (missing: 428; stale: 412). A draft changes freely. A published offering
/// keeps its kind, its base offering and every priced metric (422 `fixed_after_publication`
/// / `metric_removed`); a new or changed price must not exceed the reference price in force
/// now (GSI-7.1, 422 on `pricing[i].unit_price`) and takes effect now as a new entry of the
/// price history, so past usage keeps its price. A retired offering is not changed (409).
#[utoipa::path(
    tag = "catalog",
    request_body = OfferingInput,
    params(
        ("offering_id" = uuid::Uuid, Path, description = "Offering id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"1\""),
    ),
    responses(
        (status = 200, description = "The updated offering", body = OfferingBody,
            headers(("ETag" = String, description = "The new version"))),
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
#[put("/offerings/{offering_id}")]
pub async fn update_offering(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<OfferingInput>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let draft = OfferingDraft::from(body.into_inner());
    let record =
        db(&state, move |conn| write_tx(conn, |tx| offerings::update(tx, &ctx.0, id, &if_match.0, &draft))).await?;
    Ok(offering_response(&record))
}
