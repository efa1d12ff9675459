use actix_web::{HttpResponse, get, web};

use super::{OfferingBody, offering_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// Get an offering
///
/// One offering with its current prices (GSI-7.1), service levels (GSI-10.1, 10.2) and
/// capacity limits (GSI-A.1.3). A draft is visible to its provider's operators and GIX
/// only; another provider's offering is not visible at all. Anything the caller may not
/// see answers 404.
#[utoipa::path(
    tag = "catalog",
    params(("offering_id" = uuid::Uuid, Path, description = "Offering id")),
    responses(
        (status = 200, description = "The offering", body = OfferingBody,
            headers(("ETag" = String, description = "Send it back as If-Match to change the offering"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/offerings/{offering_id}")]
pub async fn get_offering(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let record = db(&state, move |conn| offerings::get(conn, &ctx.0, id)).await?;
    Ok(offering_response(&record))
}
