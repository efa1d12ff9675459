use actix_web::{HttpResponse, get, web};

use super::{SubscriptionBody, subscription_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::subscriptions;

/// Get a subscription
///
/// One service in use: offering, quantities, add-ons, start and end, the SLA terms frozen at
/// the start (GSI-7.5.2), status, and whether its provider is currently off the provider list
/// (GSI-13.1). Readable by the agency, the serving provider and GIX; 404 for anyone else.
#[utoipa::path(
    tag = "subscriptions",
    params(("subscription_id" = uuid::Uuid, Path, description = "Subscription id")),
    responses(
        (status = 200, description = "The subscription", body = SubscriptionBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/subscriptions/{subscription_id}")]
pub async fn get_subscription(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let view = db(&state, move |conn| subscriptions::get(conn, &ctx.0, id)).await?;
    Ok(subscription_response(&view))
}
