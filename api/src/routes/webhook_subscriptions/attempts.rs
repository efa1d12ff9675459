use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{AttemptsQuery, DeliveryAttemptBody, DeliveryAttemptList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::webhooks;

/// Read a subscription's delivery log
///
/// Every delivery attempt, newest first: the event, the attempt number, when, the
/// receiver's status code, the latency and the error.
#[utoipa::path(
    tag = "events",
    params(("webhook_subscription_id" = uuid::Uuid, Path, description = "Subscription id"), AttemptsQuery),
    responses(
        (status = 200, description = "A page of attempts", body = DeliveryAttemptList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/webhook-subscriptions/{webhook_subscription_id}/attempts")]
pub async fn list_webhook_attempts(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    query: web::Query<AttemptsQuery>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let event = match q.event_id.as_deref().map(uuid::Uuid::parse_str) {
        None => None,
        Some(Ok(uuid)) => Some(uuid.into()),
        Some(Err(_)) => {
            errors.add("event_id", "invalid_id", "must be an event id (UUID)");
            None
        }
    };
    let page = match page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let ctx = ctx.0;
    let found = db(&state, move |conn| webhooks::attempts(conn, &ctx, id, event, page)).await?;
    Ok(HttpResponse::Ok().json(DeliveryAttemptList {
        items: found.items.iter().map(DeliveryAttemptBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
