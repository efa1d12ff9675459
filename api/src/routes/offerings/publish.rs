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

/// Publish an offering
///
/// Makes a draft subscribable and visible to agencies. Every unit price must not exceed
/// the reference price in force now for the offering's kind and the line's metric
/// (GSI-7.1): equal is allowed; above it, 422 with field `pricing[i].unit_price`, code
/// `above_reference_price` and a message naming the metric, the price and the cap; no
/// reference price in force, code `no_reference_price`. An add-on is published only while
/// its base offering is (409 otherwise). The prices start the price history, effective
/// now. Only the provider's operators, with `If-Match` (428/412); another provider's
/// offering answers 404; a published or retired offering 409.
#[utoipa::path(
    tag = "catalog",
    params(
        ("offering_id" = uuid::Uuid, Path, description = "Offering id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"1\""),
    ),
    responses(
        (status = 200, description = "The published offering", body = OfferingBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 422, description = "A price is above the reference price in force, or none is in force (GSI-7.1)", body = crate::error::Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://gsi-hub.example/problems/validation-error", "title": "Invalid fields", "status": 422,
                "detail": "invalid fields: pricing[0].unit_price",
                "errors": [{"field": "pricing[0].unit_price", "code": "above_reference_price",
                    "message": "unit price 360 THB per mbps_month is above the reference price 350 THB in force for government_internet/mbps_month (GSI-7.1)"}]})),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/offerings/{offering_id}/publish")]
pub async fn publish_offering(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let record = db(&state, move |conn| write_tx(conn, |tx| offerings::publish(tx, &ctx.0, id, &if_match.0))).await?;
    Ok(offering_response(&record))
}
