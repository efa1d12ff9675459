use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::WebhookSubscriptionBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::{IfMatch, etag};
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable, Unauthenticated,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks::{self, OwnerAction};

/// Pause a webhook subscription
///
/// Stops deliveries; events keep queueing and are delivered after `resume`. Pausing a
/// paused subscription changes nothing. Requires `If-Match`.
#[utoipa::path(
    tag = "events",
    params(
        ("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The subscription after the action", body = WebhookSubscriptionBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/webhook-subscriptions/{webhook_subscription_id}/pause")]
pub async fn pause_webhook_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    let action = OwnerAction::Pause;
    let view = db(&state, move |conn| write_tx(conn, |tx| webhooks::act(tx, &ctx, id, &if_match.0, action))).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.subscription.version)))
        .json(WebhookSubscriptionBody::from(&view)))
}
