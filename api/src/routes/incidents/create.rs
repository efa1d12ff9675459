use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::incident::{Impact, IncidentDraft, ReportChannel, Urgency};

use super::{IncidentBody, ReportIncident};
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
use crate::usecases::incidents;

/// Report an incident
///
/// GSI-7.5.8: an agency admin or user reports a fault on one of the agency's subscriptions
/// through the self-service system (`channel` left out). GSI-7.4, 7.2: a provider operator
/// records a report that reached it by `phone`, `email` or `monitoring` on a subscription it
/// serves, optionally with when it arrived (`reported_at`). Priority is impact × urgency
/// (GSI-7.3); the response and resolution deadlines come from the SLA terms frozen on the
/// subscription (GSI-10.2). A subscription the caller is no party to is refused as 422 on
/// `subscription_id` (`not_found`); GIX reads incidents but does not report them (403).
/// Every failing field is listed in one 422 answer. Send an `Idempotency-Key` to retry
/// safely.
#[utoipa::path(
    tag = "incidents",
    request_body = ReportIncident,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Reported", body = IncidentBody,
            headers(("Location" = String, description = "The new incident"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/incidents")]
pub async fn report_incident(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<ReportIncident>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let subscription = input.subscription_id.into();
    let draft = IncidentDraft {
        title: input.title,
        description: input.description,
        impact: Impact::from(input.impact).as_str().to_owned(),
        urgency: Urgency::from(input.urgency).as_str().to_owned(),
        channel: input.channel.map(|c| ReportChannel::from(c).as_str().to_owned()),
        reported_at: input.reported_at,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let view = incidents::report(tx, &ctx, subscription, &draft)?;
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
