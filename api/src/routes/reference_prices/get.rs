use actix_web::{HttpResponse, get, web};

use super::{ReferencePriceBody, reference_price_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reference_prices;

/// Get a reference price
///
/// One reference price (GSI-7.1) with its validity period, closed or not. Every
/// authenticated caller may read reference prices: agencies compare offers against them,
/// providers price under them.
#[utoipa::path(
    tag = "reference-prices",
    params(("reference_price_id" = uuid::Uuid, Path, description = "Reference price id")),
    responses(
        (status = 200, description = "The reference price", body = ReferencePriceBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/reference-prices/{reference_price_id}")]
pub async fn get_reference_price(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let record = db(&state, move |conn| reference_prices::get(conn, &ctx.0, id)).await?;
    Ok(reference_price_response(&record))
}
