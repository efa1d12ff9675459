use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::subscription::{AddOnDraft, SubscriptionDraft};

use super::{RegisterExistingSubscription, SubscriptionBody};
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
use crate::usecases::subscriptions::{self, ExistingDraft, SubscriptionView};

/// Register an existing subscription
///
/// The onboarding path: a provider's operator registers a contract that was running before
/// the hub, for one of the provider's offerings, with its start date and quantities. It is
/// `active` at once and visible to the agency (GSI-7.5.2). Bringing a contract into the hub
/// needs the provider listed for the family now (GSI-13.1): otherwise 422 with problem type
/// `provider-not-listed`. Quantities are checked against
/// the offering's pricing metrics and per-subscription capacity. `Idempotency-Key` makes
/// retries safe.
#[utoipa::path(
    tag = "subscriptions",
    request_body = RegisterExistingSubscription,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe; kept 24 hours")),
    responses(
        (status = 201, description = "Registered", body = SubscriptionBody,
            headers(("Location" = String, description = "The subscription"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/subscriptions/existing")]
pub async fn register_existing_subscription(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<RegisterExistingSubscription>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft = ExistingDraft {
        agency: input.agency_id.into(),
        offering: input.offering_id.into(),
        draft: SubscriptionDraft {
            agency: input.agency_id.into(),
            quantities: input.quantities.into_iter().map(Into::into).collect(),
            add_ons: input
                .add_ons
                .into_iter()
                .map(|a| AddOnDraft {
                    offering_id: a.offering_id.into(),
                    quantities: a.quantities.into_iter().map(Into::into).collect(),
                })
                .collect(),
            starts_at: gsi_domain::time::to_storage_precision(input.starts_at),
            ends_at: input.ends_at.map(gsi_domain::time::to_storage_precision),
        },
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let created = subscriptions::register_existing(tx, &ctx, &draft)?;
            let view = SubscriptionView {
                stored: gsi_persistence::repos::subscriptions::StoredSubscription {
                    subscription: created,
                    created_at: ctx.now,
                    updated_at: ctx.now,
                },
                provider_not_listed: false,
            };
            Ok(Created {
                location: format!("/v1/subscriptions/{}", view.stored.subscription.id),
                etag: Some(etag(view.stored.subscription.version)),
                body: SubscriptionBody::from(&view),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
