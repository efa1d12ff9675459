use actix_web::{HttpResponse, get, web};
use gsi_persistence::migrate;

use super::HealthBody;
use crate::error::ApiError;
use crate::openapi::ServiceUnavailable;
use crate::routes::db;
use crate::state::AppState;

/// Readiness
///
/// The database answers and has every migration this build expects; otherwise 503.
#[utoipa::path(
    tag = "health",
    security(()),
    responses(
        (status = 200, description = "Ready", body = HealthBody),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if db(&state, |conn| Ok(migrate::is_up_to_date(conn)?)).await? {
        Ok(HttpResponse::Ok().json(HealthBody { status: "ok".into() }))
    } else {
        Err(ApiError::Unavailable("database migrations are pending".into()))
    }
}
