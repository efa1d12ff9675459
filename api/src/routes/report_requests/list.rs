use actix_web::{HttpResponse, get, web};
use gsi_domain::report::ReportRequestState;

use super::{ListReportRequestsQuery, ReportRequestBody, ReportRequestList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// List report requests
///
/// GSI-7.6: GIX sees every request; a provider the requests addressed to it (its open ones
/// with `state=open`). Newest first, at most `limit` (default 50).
#[utoipa::path(
    tag = "reports",
    params(ListReportRequestsQuery),
    responses(
        (status = 200, description = "Requests, newest first", body = ReportRequestList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/report-requests")]
pub async fn list_report_requests(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListReportRequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = gsi_domain::ValidationErrors::new();
    let filter = match q.state.as_deref() {
        None => None,
        Some(raw) => {
            let parsed = ReportRequestState::parse(raw);
            if parsed.is_none() {
                errors.add("state", "invalid_state", "must be open or submitted");
            }
            parsed
        }
    };
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
    let now = ctx.0.now;
    let items = db(&state, move |conn| reports::list_requests(conn, &ctx.0, filter, limit)).await?;
    Ok(HttpResponse::Ok()
        .json(ReportRequestList { items: items.iter().map(|r| ReportRequestBody::new(r, now)).collect() }))
}
