use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{SubscriptionBody, SubscriptionTransition, subscription_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::subscriptions;

/// Change a subscription's status
///
/// The serving provider's lifecycle step (GSI-7.5.2): `start_provisioning` (pending →
/// provisioning), `activate` (→ active), `suspend`, `resume`, `terminate` (closes the term
/// now). A step the current status does not allow is 409 naming the status and the allowed
/// steps. Agencies ask for changes through service requests instead (GSI-7.5.5–7.5.7).
/// Requires `If-Match`.
#[utoipa::path(
    tag = "subscriptions",
    request_body = SubscriptionTransition,
    params(
        ("subscription_id" = uuid::Uuid, Path, description = "Subscription id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The subscription after the step", body = SubscriptionBody,
            headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 412, response = PreconditionFailed),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/subscriptions/{subscription_id}/transitions")]
pub async fn transition_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<SubscriptionTransition>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let action = body.into_inner().action.into();
    let view = db(&state, move |conn| {
        write_tx(conn, |tx| subscriptions::act(tx, &ctx.0, id, &if_match.0, action))?;
        subscriptions::get(conn, &ctx.0, id)
    })
    .await?;
    Ok(subscription_response(&view))
}
