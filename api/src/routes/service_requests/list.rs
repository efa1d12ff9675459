use actix_web::{HttpResponse, get, web};

use super::{ListServiceRequestsQuery, ServiceRequestList, ServiceRequestSummaryBody, list_filter};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::encode_cursor;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests;

/// List service requests
///
/// Agencies see the requests they made; a provider's operators see their queue; GIX sees all;
/// others get an empty list (GSI-7.5.5–7.5.7, A.1.4–A.1.8). Oldest first. Filter by `status`
/// as read now (`expired`: quoted, with the quote's validity passed; `quoted` excludes
/// those), `kind`, and age: `submitted_before` (an instant) and `older_than_hours` (waiting at
/// least that long since submission). Each item carries the estimate's monthly cost change,
/// the capacity warnings and the steps the caller may take now.
#[utoipa::path(
    tag = "service-requests",
    params(ListServiceRequestsQuery),
    responses(
        (status = 200, description = "A page of requests", body = ServiceRequestList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/service-requests")]
pub async fn list_service_requests(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListServiceRequestsQuery>,
) -> Result<HttpResponse, ApiError> {
    let (filter, page) = list_filter(query.into_inner(), ctx.0.now)?;
    let found = db(&state, move |conn| service_requests::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(ServiceRequestList {
        items: found.items.iter().map(ServiceRequestSummaryBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
