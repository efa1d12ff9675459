use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::security_event::{SecurityCategory, SecurityEventDraft, Severity};

use super::{RecordSecurityEvent, SecurityEventBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::security_events;

/// Post a security event
///
/// GSI-8.2: the provider's security systems and staff post what they detected for an agency
/// they serve, optionally for one of its subscriptions: category, severity, detection time,
/// description, indicators and the actions taken; it starts `detected`. The agency reads it
/// (GSI-7.5.4). An agency the caller's provider serves nothing is refused as `agency_id`
/// `not_served` (422), without saying whether it exists; a subscription of another provider
/// or agency as `subscription_id` `not_served`. Agencies and GIX read events but do not post
/// them (403). Send an `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "security-events",
    request_body = RecordSecurityEvent,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Recorded", body = SecurityEventBody,
            headers(("Location" = String, description = "The new event"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/security-events")]
pub async fn record_security_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<RecordSecurityEvent>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let agency = input.agency_id.into();
    let draft = SecurityEventDraft {
        subscription: input.subscription_id.map(Into::into),
        category: SecurityCategory::from(input.category).as_str().to_owned(),
        severity: Severity::from(input.severity).as_str().to_owned(),
        detected_at: input.detected_at,
        description: input.description,
        indicators: input.indicators,
        actions_taken: input.actions_taken,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let stored = security_events::record(tx, &ctx, agency, &draft)?;
            Ok(Created {
                location: format!("/v1/security-events/{}", stored.event.id),
                etag: Some(etag(stored.version)),
                body: SecurityEventBody::from(&stored),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
