use actix_web::{HttpResponse, get, web};
use gsi_domain::governance::expiry::WINDOWS;
use gsi_persistence::read_tx;

use super::{ExpiryWatchBody, ExpiryWatchQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Get the expiry watch
///
/// What lapses within 30, 60 or 90 days, soonest first, so nobody is delisted by surprise:
/// verified ISO certificates (GSI-6.4), certifications and their surveillance due dates
/// (GSI-11.1), and assessor accreditations (GSI-12.1). GIX sees everything, a provider its
/// own certificates and certifications, an assessor its accreditations and the certifications
/// it made; agencies: 403.
#[utoipa::path(
    tag = "governance",
    params(ExpiryWatchQuery),
    responses(
        (status = 200, description = "What lapses", body = ExpiryWatchBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/expiry-watch")]
pub async fn get_expiry_watch(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ExpiryWatchQuery>,
) -> Result<HttpResponse, ApiError> {
    let days = match query.into_inner().within_days.as_deref().map(str::parse::<u32>) {
        None => 30,
        Some(Ok(d)) if WINDOWS.contains(&d) => d,
        Some(_) => {
            return Err(ApiError::invalid_parameter("within_days", "invalid_choice", "must be 30, 60 or 90"));
        }
    };
    let items = db(&state, move |conn| read_tx(conn, |tx| assessments::expiry_watch(tx, &ctx.0, days))).await?;
    Ok(HttpResponse::Ok().json(ExpiryWatchBody { within_days: days, items: items.iter().map(Into::into).collect() }))
}
