use actix_web::{HttpResponse, get, web};

use super::{OutageBody, outage_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::outages;

/// Get an outage
///
/// One outage (GSI-7.2) and whether it counts against the service level, with the reason
/// (GSI-10.3). Readable by the provider that posted it, GIX, and an agency one of whose
/// subscriptions it affects (which sees only its own subscriptions in `subscriptions`); 404
/// for anyone else.
#[utoipa::path(
    tag = "outages",
    params(("outage_id" = uuid::Uuid, Path, description = "Outage id")),
    responses(
        (status = 200, description = "The outage", body = OutageBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/outages/{outage_id}")]
pub async fn get_outage(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let view = db(&state, move |conn| outages::get(conn, &ctx.0, id)).await?;
    Ok(outage_response(&view))
}
