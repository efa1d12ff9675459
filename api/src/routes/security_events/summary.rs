use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::Month;

use super::{SecuritySummaryBody, SecuritySummaryQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::security_events;

/// Summarise security events by month
///
/// GSI-7.5.4, 7.5.9: how many events were detected in an Asia/Bangkok month, per category ×
/// severity (every combination listed, zeros included, so months line up), with how many are
/// still unresolved. Counts the events the caller may see: an agency its own, a provider the
/// ones it posted (`agency_id` narrows to one agency), GIX all.
#[utoipa::path(
    tag = "security-events",
    params(SecuritySummaryQuery),
    responses(
        (status = 200, description = "The month's summary", body = SecuritySummaryBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/security-events/summary")]
pub async fn summarise_security_events(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<SecuritySummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let month = match q.month.as_deref() {
        None => Some(Month::containing(ctx.0.now)),
        Some(raw) => match raw.parse::<Month>() {
            Ok(month) => Some(month),
            Err(e) => {
                errors.add("month", "invalid_month", e.to_string());
                None
            }
        },
    };
    let agency = params::id("agency_id", q.agency_id.as_deref(), &mut errors);
    let month = match month {
        Some(month) if errors.is_empty() => month,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let summary = db(&state, move |conn| security_events::summary(conn, &ctx.0, month, agency)).await?;
    Ok(HttpResponse::Ok().json(SecuritySummaryBody::from(&summary)))
}
