use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{CostHistoryBody, CostHistoryQuery, MonthCostsBody, cost_filter, month};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::costs;

/// Cost history
///
/// GSI-7.5.3 "historical cost": the ended Asia/Bangkok months `from`..`to` (`YYYY-MM`,
/// inclusive; by default the twelve months before the current one, at most 120 per request)
/// that have usage, newest first, each per subscription with a line per metric and a total,
/// in THB as strings with two decimals. Months are months of use: late usage and corrections
/// count in the month they concern (statements show where they were billed). Scope as for
/// the current cost: agencies their own, providers the agencies they serve, GIX all.
#[utoipa::path(
    tag = "costs",
    params(CostHistoryQuery),
    responses(
        (status = 200, description = "Past months with usage, newest first", body = CostHistoryBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/costs/history")]
pub async fn get_cost_history(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<CostHistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let from = month("from", q.from.as_deref(), &mut errors);
    let to = month("to", q.to.as_deref(), &mut errors);
    let filter = cost_filter(q.agency_id.as_deref(), q.provider_id.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let history = db(&state, move |conn| costs::history(conn, &ctx.0, filter, from, to)).await?;
    Ok(HttpResponse::Ok().json(CostHistoryBody {
        from: history.from.to_string(),
        to: history.to.to_string(),
        months: history.months.iter().map(MonthCostsBody::from).collect(),
    }))
}
