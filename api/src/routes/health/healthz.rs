use actix_web::{HttpResponse, get};

use super::HealthBody;

/// Liveness
///
/// The process is up and serving HTTP. Touches nothing else.
#[utoipa::path(
    tag = "health",
    security(()),
    responses((status = 200, description = "Alive", body = HealthBody))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(HealthBody { status: "ok".into() })
}
