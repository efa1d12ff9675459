use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::pricing::ReferencePriceDraft;

use super::{ReferencePriceBody, SetReferencePrice};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reference_prices;

/// Set a reference price
///
/// GIX sets the reference price (ราคากลาง) for a service kind and pricing metric over a
/// validity period `[valid_from, valid_until)` (GSI-7.1); providers' unit prices may not
/// exceed the one in force. GIX officers only (403 otherwise).
///
/// Periods of one kind and metric never overlap, and prices are never edited or deleted.
/// **Replacing a price:** when the new price starts after the open-ended price of the same
/// kind and metric started, and no earlier than now, that price is closed at the new
/// `valid_from` in the same transaction (both stay listed, with their periods). Any other
/// overlap is refused with 409 naming the existing price and its period. Send an
/// `Idempotency-Key` to retry safely.
#[utoipa::path(
    tag = "reference-prices",
    request_body = SetReferencePrice,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Set; a replaced open-ended price was closed at `valid_from`", body = ReferencePriceBody,
            headers(("Location" = String, description = "The new reference price"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/reference-prices")]
pub async fn set_reference_price(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<SetReferencePrice>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let draft = ReferencePriceDraft::from(body.into_inner());
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let set = reference_prices::set(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/reference-prices/{}", set.created.price.id),
                etag: Some(etag(set.created.version)),
                body: ReferencePriceBody::from(&set.created),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
