use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{PageQuery, WebhookSubscriptionBody, WebhookSubscriptionList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks;

/// List webhook subscriptions
///
/// The caller's organisation's subscriptions, oldest first, with their status, why a
/// paused one paused, and how many deliveries are pending.
#[utoipa::path(
    tag = "events",
    params(PageQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = WebhookSubscriptionList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/webhook-subscriptions")]
pub async fn list_webhook_subscriptions(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let page = match page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let ctx = ctx.0;
    let found = db(&state, move |conn| webhooks::list(conn, &ctx, page)).await?;
    Ok(HttpResponse::Ok().json(WebhookSubscriptionList {
        items: found.items.iter().map(WebhookSubscriptionBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
