use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{CurrentCostsBody, CurrentCostsQuery, cost_filter, subscription_body};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::costs;

/// Current month's cost so far
///
/// GSI-7.5.3 "current cost": the cost of the current Asia/Bangkok month up to now, per
/// subscription with a line per metric (net quantity and amount), and the total, in THB as
/// strings with two decimals. Every amount is the sum of rated usage lines: each line is the
/// unit price in force at its period start capped at the reference price then (GSI-7.1),
/// rounded once to the satang. Usage counts in the month it was used (a late record changes
/// the month it belongs to). Agencies see their own subscriptions, providers those of the
/// agencies they serve, GIX all; `agency_id` and `provider_id` narrow that. Assessors: 403.
#[utoipa::path(
    tag = "costs",
    params(CurrentCostsQuery),
    responses(
        (status = 200, description = "The month to date", body = CurrentCostsBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/costs/current")]
pub async fn get_current_costs(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<CurrentCostsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let filter = cost_filter(q.agency_id.as_deref(), q.provider_id.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let as_of = ctx.0.now;
    let month = db(&state, move |conn| costs::current(conn, &ctx.0, filter)).await?;
    Ok(HttpResponse::Ok().json(CurrentCostsBody {
        month: month.month.to_string(),
        as_of,
        subscriptions: month.subscriptions.iter().map(subscription_body).collect(),
        total: month.total.to_string(),
    }))
}
