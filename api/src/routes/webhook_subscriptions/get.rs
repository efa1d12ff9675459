use actix_web::{HttpResponse, get, web};

use super::WebhookSubscriptionBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks;

/// Get a webhook subscription
///
/// Its status, why it paused, its consecutive failures and pending deliveries. Another
/// organisation's subscription is 404.
#[utoipa::path(
    tag = "events",
    params(("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = WebhookSubscriptionBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/webhook-subscriptions/{webhook_subscription_id}")]
pub async fn get_webhook_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    let view = db(&state, move |conn| webhooks::get(conn, &ctx, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.subscription.version)))
        .json(WebhookSubscriptionBody::from(&view)))
}
