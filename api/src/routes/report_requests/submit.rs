use actix_web::http::header;
use actix_web::{HttpResponse, post, web};
use gsi_domain::report::UsageTotals;
use gsi_persistence::write_tx;

use super::{ReportRequestBody, SubmittedReportBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::openapi::{BadRequest, Forbidden, InvalidTransition, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::reports::report_body;
use crate::state::AppState;
use crate::usecases::reports;

/// Answer a report request
///
/// GSI-7.6: the addressed provider submits the report generated from its own rated usage for
/// the requested period and grouping. The figures are frozen (stored as they are now, never
/// recomputed) with the SHA-256 of their CSV; the request becomes `submitted`. Only the
/// provider the request is addressed to may answer: another provider gets 404, GIX 403; a
/// second answer is 409.
#[utoipa::path(
    tag = "reports",
    params(("request_id" = uuid::Uuid, Path, description = "Report request id")),
    responses(
        (status = 200, description = "The answered request and its frozen report", body = SubmittedReportBody,
            headers(("ETag" = String, description = "The request's new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/report-requests/{request_id}/submission")]
pub async fn submit_report_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let now = ctx.0.now;
    let (record, groups) = db(&state, move |conn| write_tx(conn, |tx| reports::submit_request(tx, &ctx.0, id))).await?;
    let totals = UsageTotals::of(&groups);
    Ok(HttpResponse::Ok().insert_header((header::ETAG, etag(record.version))).json(SubmittedReportBody {
        request: ReportRequestBody::new(&record, now),
        report: report_body(&record.grouping, record.period, &groups, &totals),
    }))
}
