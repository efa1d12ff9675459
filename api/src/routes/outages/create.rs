use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::outage::{ExclusionClaimDraft, ExclusionKind, OutageDraft};

use super::{OutageBody, RecordOutage};
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
use crate::usecases::outages;

/// Post an outage
///
/// GSI-7.2: the provider's monitoring posts an outage on one or more subscriptions it serves:
/// start, end (or still open), cause, planned or not, and optionally an exclusion claim.
/// GSI-10.3: planned maintenance is excluded from downtime when the provider publishes a
/// `planned_maintenance` exclusion and announced the work at least its published notice
/// period before it started; another published kind is excluded when claimed with a reason;
/// everything else counts. The answer's `decision` says which, and why. A subscription the
/// caller's provider does not serve is refused as `subscriptions[i]` `not_served` (422),
/// without saying whether it exists; other roles get 403. Send an `Idempotency-Key` to retry
/// safely.
#[utoipa::path(
    tag = "outages",
    request_body = RecordOutage,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Recorded", body = OutageBody,
            headers(("Location" = String, description = "The new outage"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/outages")]
pub async fn record_outage(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<RecordOutage>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft = OutageDraft {
        subscriptions: input.subscriptions.into_iter().map(Into::into).collect(),
        started_at: input.started_at,
        ended_at: input.ended_at,
        cause: input.cause,
        planned: input.planned,
        announced_at: input.announced_at,
        exclusion: input
            .exclusion
            .map(|c| ExclusionClaimDraft { kind: ExclusionKind::from(c.kind).as_str().to_owned(), reason: c.reason }),
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let view = outages::record(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/outages/{}", view.stored.outage.id),
                etag: Some(etag(view.stored.version)),
                body: OutageBody::from(&view),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
