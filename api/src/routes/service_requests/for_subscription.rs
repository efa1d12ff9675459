use actix_web::{HttpResponse, get, web};

use super::{ListServiceRequestsQuery, ServiceRequestList, ServiceRequestSummaryBody, list_filter};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::encode_cursor;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests;

/// List a subscription's service requests
///
/// The add-on, change and cancellation requests on one subscription, and the new-service
/// request that created it (GSI-7.5.5–7.5.7), oldest first, with the same filters as
/// `GET /v1/service-requests`. Readable by whoever reads the subscription (its agency, the
/// serving provider, GIX); 404 for anyone else.
#[utoipa::path(
    tag = "service-requests",
    params(("subscription_id" = uuid::Uuid, Path, description = "Subscription id"), ListServiceRequestsQuery),
    responses(
        (status = 200, description = "A page of requests", body = ServiceRequestList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/subscriptions/{subscription_id}/requests")]
pub async fn list_subscription_requests(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    query: web::Query<ListServiceRequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let subscription = path.into_inner().into();
    let (filter, page) = list_filter(query.into_inner(), ctx.0.now)?;
    let found =
        db(&state, move |conn| service_requests::list_for_subscription(conn, &ctx.0, subscription, &filter, page))
            .await?;
    Ok(HttpResponse::Ok().json(ServiceRequestList {
        items: found.items.iter().map(ServiceRequestSummaryBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
