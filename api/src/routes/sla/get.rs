use actix_web::{HttpResponse, get, web};
use gsi_domain::calendar::Month;

use super::{SlaBody, SlaQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::sla;

/// Get a subscription's SLA attainment
///
/// GSI-10.1, 10.2: for one Asia/Bangkok month, the availability target frozen on the
/// subscription, the availability achieved, whether it was breached, and the service-credit
/// tier that applies; reliability (unplanned outages against their maximum, mean time to
/// restore, share of incidents resolved within deadline). GSI-10.3: every outage that touched
/// the month is listed as counted or excluded, with the reason, and the spans and minutes
/// behind the figure are given, so a person can recompute it by hand: whole minutes (starts
/// rounded down, ends up), overlapping outages counted once, an outage across the month's
/// edge split, the period clipped to the subscription's term, the result truncated to 4
/// decimals. A month not over yet is `provisional`. The credit amount needs the month's
/// charge, which the statement sets; until then only the tier shows. Readable by the agency,
/// the serving provider and GIX; 404 for anyone else; a month outside the term is 400.
#[utoipa::path(
    tag = "sla",
    params(
        ("subscription_id" = uuid::Uuid, Path, description = "Subscription id"),
        SlaQuery,
    ),
    responses(
        (status = 200, description = "The month's attainment", body = SlaBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/subscriptions/{subscription_id}/sla")]
pub async fn get_sla_attainment(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    query: web::Query<SlaQuery>,
) -> Result<HttpResponse, ApiError> {
    let subscription = path.into_inner().into();
    let month = match query.into_inner().month.as_deref() {
        None => Month::containing(ctx.0.now),
        Some(raw) => {
            raw.parse::<Month>().map_err(|e| ApiError::invalid_parameter("month", "invalid_month", e.to_string()))?
        }
    };
    let view = db(&state, move |conn| sla::attainment(conn, &ctx.0, subscription, month)).await?;
    Ok(HttpResponse::Ok().json(SlaBody::from(&view)))
}
