use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{MonthlyReportBody, monthly_csv, monthly_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::report_format::{ReportFormat, csv_response, negotiate};
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::report_requests::report::FrozenReportQuery;
use crate::state::AppState;
use crate::usecases::reports;

/// Get a monthly report
///
/// GSI-13.3: one revision with its figures and the list of the month's revisions (every
/// revision stays readable). JSON, or CSV with `Accept: text/csv` or `format=csv` (the same
/// figures, one row each). The agency's own users and GIX; 404 for anyone else.
#[utoipa::path(
    tag = "reports",
    params(("report_id" = uuid::Uuid, Path, description = "Monthly report (revision) id"), FrozenReportQuery),
    responses(
        (status = 200, description = "The revision", content(
            (MonthlyReportBody = "application/json"),
            (String = "text/csv")
        ), headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/monthly-reports/{report_id}")]
pub async fn get_monthly_report(
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
    let due_day = state.report_due_day;
    let (record, revisions) = db(&state, move |conn| {
        let record = reports::get_monthly(conn, &ctx.0, id)?;
        let revisions = reports::revisions_of(conn, &record)?;
        Ok((record, revisions))
    })
    .await?;
    Ok(match format {
        ReportFormat::Json => monthly_response(StatusCode::OK, &record, &revisions, due_day),
        ReportFormat::Csv { bom } => csv_response(format!("monthly-report-{}-r{}.csv", record.month, record.revision))
            .body(monthly_csv(bom, &record)),
    })
}
