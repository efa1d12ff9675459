use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::request::ServiceRequestDraft;

use super::{ServiceRequestBody, ServiceRequestInput};
use crate::error::{ApiError, Problem};
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::service_requests;

/// Submit a service request
///
/// An agency admin sends a request to the provider (GSI-A.1.4): `new_service` (an offering
/// and its quantities, GSI-7.5.5), `add_addon` (GSI-7.5.5), `change` (new sizes of
/// bandwidth, vCPU, RAM, storage…, GSI-7.5.6), `cancel` or `cancel_addon` (with an optional
/// wished end, GSI-7.5.7). It starts `submitted`, with the estimate and the capacity warnings
/// of the preview stored for both parties (GSI-A.1.3). A new service or add-on only from a
/// provider listed for the family now (GSI-13.1): otherwise 422 `provider-not-listed`;
/// changes and cancellations stay possible. One open request per subscription: a second is
/// 409 naming the open one. Another agency's subscription answers 404; other roles 403. The
/// new service starts when the request is completed, and add-ons are asked for once it runs.
/// `Idempotency-Key` makes retries safe.
#[utoipa::path(
    tag = "service-requests",
    request_body = ServiceRequestInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Submitted", body = ServiceRequestBody,
            headers(("Location" = String, description = "The new request"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, description = "Another request on the subscription is still open", body = Problem,
            content_type = "application/problem+json",
            example = json!({"type": "https://gsi-hub.example/problems/conflict", "title": "Conflict", "status": 409,
                "detail": "conflict: request 0190f5c2-1a2b-7c3d-8e4f-0000000000e1 (change, quoted) is still open on this subscription; one request at a time: wait for it to finish or withdraw it first"})),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, description = "Invalid fields, or the provider is not on the provider list (GSI-13.1)", body = Problem,
            content_type = "application/problem+json",
            examples(
                ("validation-error" = (summary = "Invalid fields", value = json!({"type": "https://gsi-hub.example/problems/validation-error", "title": "Invalid fields", "status": 422,
                    "detail": "invalid fields: quantities.kwh", "errors": [{"field": "quantities.kwh", "code": "not_offered", "message": "power (kWh) is not sold by this offering"}]}))),
                ("provider-not-listed" = (summary = "Provider not listed", value = json!({"type": "https://gsi-hub.example/problems/provider-not-listed", "title": "Provider not on the provider list", "status": 422,
                    "detail": "the provider is not on the GSI provider list; new services may only be requested from listed providers (GSI-13.1)"}))),
            )),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/service-requests")]
pub async fn submit_service_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<ServiceRequestInput>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let draft = ServiceRequestDraft::from(body.into_inner());
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let view = service_requests::submit(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/service-requests/{}", view.record.request.id),
                etag: Some(etag(view.record.request.version)),
                body: ServiceRequestBody::from(&view),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
