use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{WebhookSubscriptionBody, WebhookSubscriptionWithSecret};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::{IfMatch, etag};
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable, Unauthenticated,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks::{self, OwnerAction};

/// Rotate a webhook signing secret
///
/// Issues a new secret, shown only in this answer. For the grace period
/// (`GSI_WEBHOOK_SECRET_GRACE_SECS`, 24 hours by default; see `previous_secret_expires_at`)
/// deliveries carry two signatures, one per secret, so receivers can switch without losing
/// a delivery. Requires `If-Match`.
#[utoipa::path(
    tag = "events",
    params(
        ("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The subscription after the action", body = WebhookSubscriptionWithSecret,
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
#[post("/webhook-subscriptions/{webhook_subscription_id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    let action = OwnerAction::RotateSecret {
        grace: chrono::Duration::from_std(state.webhooks.secret_grace).unwrap_or(chrono::Duration::hours(24)),
    };
    let view = db(&state, move |conn| write_tx(conn, |tx| webhooks::act(tx, &ctx, id, &if_match.0, action))).await?;
    let secret = view.subscription.secret.clone();
    Ok(HttpResponse::Ok()
        .insert_header(("ETag", etag(view.subscription.version)))
        .json(WebhookSubscriptionWithSecret { subscription: WebhookSubscriptionBody::from(&view), secret }))
}
