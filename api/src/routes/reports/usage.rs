use actix_web::{HttpRequest, HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{UsageReportBody, UsageReportQuery, filter, grouping, period, report_body, report_csv};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::report_format::{ReportFormat, csv_response, negotiate};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Usage report
///
/// GSI-7.6: usage and charges of the months `from`..`to` (Asia/Bangkok months of use),
/// grouped by any of `provider`, `agency`, `service_family`, `offering`, `metric` and `month`
/// (`group_by`, in column order), with totals. Summed by the database over indexed columns.
/// Quantities appear only when grouped by metric (units differ between metrics).
///
/// JSON by default; CSV with `Accept: text/csv` or `format=csv` (`text/csv; charset=utf-8`,
/// RFC 4180, header row, one row per group then a `total` row, the same figures as the JSON;
/// `bom=true` adds a UTF-8 byte-order mark for spreadsheet programs). GIX reads all usage;
/// agencies their own; providers the usage of the agencies they serve with them.
#[utoipa::path(
    tag = "reports",
    params(UsageReportQuery),
    responses(
        (status = 200, description = "The report, as JSON or CSV", content(
            (UsageReportBody = "application/json"),
            (String = "text/csv", example = json!("row,agency_id,agency_name,metric,quantity,record_count,amount\r\ngroup,00000000-0000-7000-8000-000000000a01,กรมทดสอบระบบ,vcpu_hour,4032,672,4233.60\r\ntotal,,,,,672,4233.60\r\n"))
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/reports/usage")]
pub async fn get_usage_report(
    state: web::Data<AppState>,
    ctx: RequestContext,
    req: HttpRequest,
    query: web::Query<UsageReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let format = negotiate(&req, q.format.as_deref(), q.bom.as_deref(), &mut errors);
    let period = period(q.from.as_deref(), q.to.as_deref(), ctx.0.now, &mut errors);
    let grouping = grouping(q.group_by.as_deref(), &mut errors);
    let filter = filter(q.agency_id.as_deref(), q.provider_id.as_deref(), &mut errors);
    let (Some(period), Some(grouping)) = (period, grouping) else {
        return Err(ApiError::InvalidParameters(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let report = db(&state, move |conn| reports::usage_report(conn, &ctx.0, filter, period, grouping)).await?;
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().insert_header(("Vary", "Accept")).json(report_body(
            &report.grouping,
            report.period,
            &report.groups,
            &report.totals,
        )),
        ReportFormat::Csv { bom } => csv_response(format!("usage-{}-{}.csv", report.period.from, report.period.to))
            .body(report_csv(bom, &report.grouping, &report.groups)),
    })
}
