use actix_web::{HttpResponse, delete, web};
use gsi_persistence::write_tx;

use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks;

/// Delete a webhook subscription
///
/// Stops deliveries and removes its queued deliveries and its delivery log. The event
/// feed keeps every event.
#[utoipa::path(
    tag = "events",
    params(("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[delete("/webhook-subscriptions/{webhook_subscription_id}")]
pub async fn delete_webhook_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    db(&state, move |conn| write_tx(conn, |tx| webhooks::delete(tx, &ctx, id))).await?;
    Ok(HttpResponse::NoContent().finish())
}
