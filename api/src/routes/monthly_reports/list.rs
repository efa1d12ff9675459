use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::Month;

use super::{ListMonthlyReportsQuery, MonthlyReportBody, MonthlyReportList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::params;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// List monthly reports
///
/// GSI-13.3: every revision, newest month first; the agency's own (admins and users); GIX
/// every agency's or one with `agency_id`.
#[utoipa::path(
    tag = "reports",
    params(ListMonthlyReportsQuery),
    responses(
        (status = 200, description = "Revisions", body = MonthlyReportList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/monthly-reports")]
pub async fn list_monthly_reports(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListMonthlyReportsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let month = match q.month.as_deref().map(str::parse::<Month>) {
        None => None,
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            errors.add("month", "invalid_month", e.to_string());
            None
        }
    };
    let agency = params::id("agency_id", q.agency_id.as_deref(), &mut errors);
    let limit = match q.limit.as_deref().map(str::parse::<i64>) {
        None => 50,
        Some(Ok(n)) if (1..=200).contains(&n) => n,
        Some(_) => {
            errors.add("limit", "out_of_range", "must be 1–200");
            50
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let due_day = state.report_due_day;
    let items = db(&state, move |conn| reports::list_monthly(conn, &ctx.0, agency, month, limit)).await?;
    // Each item lists only itself among revisions: fetch one report for the full list.
    Ok(HttpResponse::Ok().json(MonthlyReportList {
        items: items.iter().map(|r| MonthlyReportBody::new(r, std::slice::from_ref(r), due_day)).collect(),
    }))
}
