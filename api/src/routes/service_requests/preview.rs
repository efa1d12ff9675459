use actix_web::{HttpResponse, post, web};
use gsi_domain::request::ServiceRequestDraft;

use super::{PreviewBody, ServiceRequestInput};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests;

/// Preview a service request
///
/// What a request would do, before it is sent (GSI-A.1.2–A.1.3); nothing is stored. Gives the
/// resulting quantities of every resource, the estimated monthly cost before and after and
/// its change (exact THB strings, each resource's line rounded once to the satang; hour
/// metrics count 730 hours a month), and a clear warning for every resource asked beyond
/// what the provider can serve, naming the resource, the amount asked and the most available:
/// the offering's maximum per subscription, or the provider's remaining capacity (its total
/// less what its live subscriptions hold, plus what this subscription already has).
/// Warnings do not block submission. Same body as `POST /v1/service-requests`
/// (GSI-7.5.5–7.5.7). Any of the agency's staff may preview; another agency's subscription
/// answers 404; other roles 403.
#[utoipa::path(
    tag = "service-requests",
    request_body = ServiceRequestInput,
    responses(
        (status = 200, description = "What the request would do", body = PreviewBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/service-requests/preview")]
pub async fn preview_service_request(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: JsonBody<ServiceRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let draft = ServiceRequestDraft::from(body.into_inner());
    let view = db(&state, move |conn| service_requests::preview(conn, &ctx.0, &draft)).await?;
    Ok(HttpResponse::Ok().json(PreviewBody::from(&view)))
}
