use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::listing::{ListingAction, ListingChangeDraft};
use gsi_domain::service::ServiceFamily;

use super::{ListingChangeBody, ListingEntryBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated,
    UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::listings;

/// Record a GIX override of the provider list
///
/// The provider list is derived from evidence (GSI-12.2: certified providers with valid ISO
/// certificates, GSI-6.4, and 24x7 channels, GSI-7.4); GIX keeps an override per family, with
/// a reason: `suspend` or `delist` holds the provider off the list whatever the evidence
/// (GSI-12.3); `reinstate` lifts a suspension, `list` lifts a delisting (the evidence then
/// decides again). The change is a new dated entry in a history that is never rewritten; it
/// takes effect at `effective_at` (default now, never earlier, and after every change already
/// recorded for the family), and appears in the change log. Refusals: 422 naming each
/// failing field; 409 for an action the current override status does not allow, naming the
/// status and the actions it allows. Other roles: 403; an organisation that is not a
/// provider: 404. Send an `Idempotency-Key` to retry safely. The answer's `Location` is the
/// provider's listing history (GSI-13.1: agencies only use listed providers).
#[utoipa::path(
    tag = "providers",
    request_body = ListingChangeBody,
    params(
        ("provider_id" = uuid::Uuid, Path, description = "The provider's organisation id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours"),
    ),
    responses(
        (status = 201, description = "The recorded entry", body = ListingEntryBody,
            headers(("Location" = String, description = "The provider's listing history"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/providers/{provider_id}/listing")]
pub async fn change_provider_listing(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<ListingChangeBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft = ListingChangeDraft {
        family: ServiceFamily::from(input.family).as_str().to_owned(),
        action: ListingAction::from(input.action).as_str().to_owned(),
        reason: input.reason,
        effective_at: input.effective_at,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let record = listings::change(tx, &ctx, provider, &draft)?;
            Ok(Created {
                location: format!("/v1/providers/{provider}/listing-history"),
                etag: None,
                body: ListingEntryBody::from(&record),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
