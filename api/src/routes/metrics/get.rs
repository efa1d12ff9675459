use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, get, web};

use crate::error::ApiError;
use crate::state::AppState;

/// Prometheus metrics
///
/// For the operator's Prometheus (text exposition format 0.0.4): requests and latency
/// histograms per route template and status (`gsi_http_requests_total`,
/// `gsi_http_request_duration_seconds`), database pool connections open, in use and waited
/// for (`gsi_db_pool_*`), usage records ingested (`gsi_usage_records_ingested_total`), and
/// webhook deliveries pending in the outbox (`gsi_outbox_backlog`).
/// Unauthenticated, like the health probes: expose it only to the monitoring network.
#[utoipa::path(
    tag = "health",
    security(()),
    responses((status = 200, description = "Metrics in Prometheus text format", content_type = "text/plain",
        body = String, example = "gsi_http_requests_total{method=\"GET\",route=\"/v1/me\",status=\"200\"} 3"))
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let backlog = crate::routes::db(&state, |conn| Ok(gsi_persistence::repos::events::outbox_backlog(conn)?)).await?;
    let text = state.metrics.render(&state.pool, backlog).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8")))
        .body(text))
}
