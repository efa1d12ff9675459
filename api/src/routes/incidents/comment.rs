use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{IncidentBody, IncidentComment};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::incidents;

/// Comment on an incident
///
/// Adds a comment to the incident's timeline, which both sides see (GSI-7.5.8): the agency's
/// admins and users and the serving provider's operators, in any state, a closed incident
/// included. GIX reads but does not comment (403); anyone else gets 404. Needs no `If-Match`
/// (comments do not conflict); the incident's version moves on, so the answer carries the new
/// `ETag`. Send an `Idempotency-Key` to retry without commenting twice.
#[utoipa::path(
    tag = "incidents",
    request_body = IncidentComment,
    params(
        ("incident_id" = uuid::Uuid, Path, description = "Incident id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; kept 24 hours"),
    ),
    responses(
        (status = 201, description = "The incident with the comment on its timeline", body = IncidentBody,
            headers(("Location" = String, description = "The incident"), ("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/incidents/{incident_id}/comments")]
pub async fn comment_on_incident(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<IncidentComment>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let id = path.into_inner().into();
    let note = body.into_inner().note;
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let view = incidents::comment(tx, &ctx, id, &note)?;
            Ok(Created {
                location: format!("/v1/incidents/{}", view.stored.incident.id),
                etag: Some(etag(view.stored.version)),
                body: IncidentBody::from(&view),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
