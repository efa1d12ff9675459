use actix_web::{HttpResponse, get, web};

use super::{ServiceRequestBody, request_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests;

/// Get a service request
///
/// One request with everything both parties see: what was asked, the estimate and capacity
/// warnings at submission (GSI-A.1.2–A.1.3), every quote with its standing (GSI-A.1.6), the
/// acknowledgement once confirmed (GSI-A.1.7), the latest progress and the whole timeline
/// (GSI-A.1.8), the actions the workflow allows now and those the caller may take. The status
/// is read now: a quote past its `valid_until` reads `expired`. The agency's staff, the
/// serving provider's operators and GIX read it; anyone else gets 404. The `ETag` is what
/// every step needs in `If-Match`.
#[utoipa::path(
    tag = "service-requests",
    params(("request_id" = uuid::Uuid, Path, description = "Service request id")),
    responses(
        (status = 200, description = "The request", body = ServiceRequestBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/service-requests/{request_id}")]
pub async fn get_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let view = db(&state, move |conn| service_requests::get(conn, &ctx.0, id)).await?;
    Ok(request_response(&view))
}
