use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::WebhookSubscriptionBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks::{self, OwnerAction};

/// Pause a webhook subscription
///
/// Stops deliveries; events keep queueing and are delivered after `resume`. Pausing a paused subscription changes nothing.
#[utoipa::path(
    tag = "events",
    params(("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription after the action", body = WebhookSubscriptionBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/webhook-subscriptions/{webhook_subscription_id}/pause")]
pub async fn pause_webhook_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    let action = OwnerAction::Pause;
    let view = db(&state, move |conn| write_tx(conn, |tx| webhooks::act(tx, &ctx, id, action))).await?;
    Ok(HttpResponse::Ok().json(WebhookSubscriptionBody::from(&view)))
}
