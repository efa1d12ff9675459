use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{CreateWebhookSubscription, WebhookSubscriptionBody, WebhookSubscriptionWithSecret};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks::{self, SubscriptionDraft, SubscriptionView};

/// Subscribe to events
///
/// Registers a callback URL for the caller's organisation and the event types it wants
/// (see the `webhooks` section). The answer holds the signing `secret`: it is shown only
/// here and on rotation, so store it. Deliveries are POSTs with the Standard Webhooks
/// headers `webhook-id` (the event id), `webhook-timestamp` and `webhook-signature`
/// (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`), delivered at least once and
/// retried with exponential backoff and jitter; receivers de-duplicate by event id. The
/// URL must be `https://` and must not resolve to a private, loopback or link-local
/// address (checked again at every delivery); redirects are not followed. No
/// `Idempotency-Key`: a replayed answer would have to store the secret.
#[utoipa::path(
    tag = "events",
    request_body = CreateWebhookSubscription,
    responses(
        (status = 201, description = "Subscribed; the secret is shown once", body = WebhookSubscriptionWithSecret,
            headers(("Location" = String, description = "The new subscription"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/webhook-subscriptions")]
pub async fn create_webhook_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: JsonBody<CreateWebhookSubscription>,
) -> Result<HttpResponse, ApiError> {
    let input = body.into_inner();
    let draft = SubscriptionDraft { url: input.url, event_types: input.event_types, description: input.description };
    let ctx = ctx.0;
    let policy = state.webhooks.targets;
    let created = db(&state, move |conn| write_tx(conn, |tx| webhooks::create(tx, &ctx, &draft, policy))).await?;
    let secret = created.secret.clone();
    let view = SubscriptionView { subscription: created, pending_deliveries: 0 };
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/webhook-subscriptions/{}", view.subscription.id)))
        .insert_header(("ETag", etag(view.subscription.version)))
        .json(WebhookSubscriptionWithSecret { subscription: WebhookSubscriptionBody::from(&view), secret }))
}
