use actix_web::{HttpResponse, get, web};

use super::{ReportRequestBody, request_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Get a report request
///
/// GSI-7.6: the request with its status (`open`, `overdue`, `submitted`) and, once answered,
/// the frozen report's content hash and total. GIX and the addressed provider; 404 for
/// anyone else.
#[utoipa::path(
    tag = "reports",
    params(("request_id" = uuid::Uuid, Path, description = "Report request id")),
    responses(
        (status = 200, description = "The request", body = ReportRequestBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/report-requests/{request_id}")]
pub async fn get_report_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let now = ctx.0.now;
    let record = db(&state, move |conn| reports::get_request(conn, &ctx.0, id)).await?;
    Ok(request_response(&record, now))
}
