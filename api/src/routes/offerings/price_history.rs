use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{PageQuery, PriceHistoryList, PricePointBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// List an offering's price history
///
/// Every price the offering has had since publication, in the order they took effect
/// (GSI-7.1): from `effective_from` on, a metric costs `unit_price` until a later entry for
/// the same metric. Usage is rated at the price in force when it was used. Empty for a
/// draft. Visible to whoever may see the offering (404 otherwise).
#[utoipa::path(
    tag = "catalog",
    params(("offering_id" = uuid::Uuid, Path, description = "Offering id"), PageQuery),
    responses(
        (status = 200, description = "A page of price-history entries", body = PriceHistoryList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/offerings/{offering_id}/price-history")]
pub async fn get_offering_price_history(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let mut errors = ValidationErrors::new();
    let page = match page_request(query.limit.as_deref(), query.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| offerings::price_history(conn, &ctx.0, id, page)).await?;
    Ok(HttpResponse::Ok().json(PriceHistoryList {
        items: found.items.iter().map(PricePointBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
