use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::catalog::OfferingDraft;

use super::{OfferingBody, OfferingInput};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// Create an offering
///
/// A provider's operator adds a draft offering to its own provider's catalog: family and
/// kind (GSI-5.1, GSI-3.6–3.8), name and description, pay-per-use prices per metric
/// (GSI-7.1), service levels (GSI-10.1, 10.2; required for a base offering) and capacity
/// limits (GSI-A.1.3). An add-on names its base offering (same provider and family, not
/// retired). Prices are checked against the reference prices when the draft is published.
/// Other roles get 403. Every failing field is listed in one 422 answer. Send an
/// `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "catalog",
    request_body = OfferingInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Created as a draft", body = OfferingBody,
            headers(("Location" = String, description = "The new offering"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/offerings")]
pub async fn create_offering(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<OfferingInput>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let draft = OfferingDraft::from(body.into_inner());
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let record = offerings::create(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/offerings/{}", record.offering.id),
                etag: Some(etag(record.offering.version)),
                body: OfferingBody::from(&record),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
