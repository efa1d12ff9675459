use actix_web::{HttpResponse, get, web};

use super::ListingHistoryBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::listings;

/// Get a provider's listing history
///
/// Every dated listing change of the provider, all families, oldest first, with its reason
/// and who made it, and where the provider stands per family now, after the changes recorded
/// for later, and which actions GIX may record next (GSI-12.2, 12.3). Entries are never
/// rewritten: a delisted provider's history stays. The whole history is returned at once (a
/// few entries per family), not paginated. GIX officers read every provider's history; a
/// provider's operators read their own; everyone else is answered 404 (the public view is
/// `GET /v1/provider-list`).
#[utoipa::path(
    tag = "providers",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider's organisation id")),
    responses(
        (status = 200, description = "The history", body = ListingHistoryBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/listing-history")]
pub async fn get_listing_history(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let history = db(&state, move |conn| listings::history(conn, &ctx.0, provider)).await?;
    Ok(HttpResponse::Ok().json(ListingHistoryBody::from(&history)))
}
