use actix_web::{HttpResponse, get, web};

use super::{IncidentBody, incident_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::incidents;

/// Get an incident
///
/// One incident with its progress (GSI-7.5.8): state, the response and resolution deadlines
/// from the subscription's SLA terms for its priority and whether each was met, breached or
/// is still pending now (GSI-7.3, 10.2), the steps the caller may take next, and the whole
/// timeline with who did what and when. Readable by the agency, the serving provider and
/// GIX; 404 for anyone else.
#[utoipa::path(
    tag = "incidents",
    params(("incident_id" = uuid::Uuid, Path, description = "Incident id")),
    responses(
        (status = 200, description = "The incident", body = IncidentBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/incidents/{incident_id}")]
pub async fn get_incident(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let view = db(&state, move |conn| incidents::get(conn, &ctx.0, id)).await?;
    Ok(incident_response(&view))
}
