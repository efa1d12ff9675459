use actix_web::{HttpResponse, get, web};

use super::{SecurityEventBody, security_event_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::security_events;

/// Get a security event
///
/// One attack, threat, virus or malware event and what was done about it (GSI-7.5.4, 8.2).
/// Readable by the agency it concerns, the provider that posted it, and GIX; 404 for anyone
/// else.
#[utoipa::path(
    tag = "security-events",
    params(("security_event_id" = uuid::Uuid, Path, description = "Security event id")),
    responses(
        (status = 200, description = "The event", body = SecurityEventBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/security-events/{security_event_id}")]
pub async fn get_security_event(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let stored = db(&state, move |conn| security_events::get(conn, &ctx.0, id)).await?;
    Ok(security_event_response(&stored))
}
