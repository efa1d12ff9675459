use actix_web::{HttpRequest, HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::report::UsageTotals;
use serde::Deserialize;
use utoipa::IntoParams;

use super::{ReportRequestBody, SubmittedReportBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::report_format::{ReportFormat, csv_response, negotiate};
use crate::openapi::{BadRequest, InvalidTransition, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::reports::{report_body, report_csv};
use crate::state::AppState;
use crate::usecases::reports;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FrozenReportQuery {
    /// `csv` or `json`; overrides `Accept`.
    pub format: Option<String>,
    /// `true`: a UTF-8 byte-order mark before the CSV.
    #[param(value_type = Option<bool>)]
    pub bom: Option<String>,
}

/// Get the submitted report of a request
///
/// GSI-7.6: the frozen figures the provider submitted, exactly as submitted, as JSON or CSV
/// (`Accept: text/csv` or `format=csv`). The SHA-256 of the CSV (without `bom`) equals the
/// request's `content_hash`; the server checks it on every read. 409 while not answered.
/// GIX and the addressed provider; 404 for anyone else.
#[utoipa::path(
    tag = "reports",
    params(("request_id" = uuid::Uuid, Path, description = "Report request id"), FrozenReportQuery),
    responses(
        (status = 200, description = "The frozen report", content(
            (SubmittedReportBody = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/report-requests/{request_id}/report")]
pub async fn get_submitted_report(
    state: web::Data<AppState>,
    ctx: RequestContext,
    req: HttpRequest,
    path: web::Path<uuid::Uuid>,
    query: web::Query<FrozenReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let format = negotiate(&req, q.format.as_deref(), q.bom.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let now = ctx.0.now;
    let (record, groups) = db(&state, move |conn| reports::request_report(conn, &ctx.0, id)).await?;
    Ok(match format {
        ReportFormat::Json => {
            let totals = UsageTotals::of(&groups);
            HttpResponse::Ok().insert_header(("Vary", "Accept")).json(SubmittedReportBody {
                request: ReportRequestBody::new(&record, now),
                report: report_body(&record.grouping, record.period, &groups, &totals),
            })
        }
        ReportFormat::Csv { bom } => {
            csv_response(format!("report-request-{}.csv", record.id)).body(report_csv(bom, &record.grouping, &groups))
        }
    })
}
