use actix_web::{HttpRequest, HttpResponse, post, web};

use super::{OrganisationBody, RegisterOrganisation};
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
use crate::usecases::organisations::{self, RegistrationDraft};

/// Register an organisation
///
/// GIX registers an agency, a provider or an assessor (clause 3; GSI-12.2). An agency
/// starts with a profile holding its names, which its admins complete (GSI-7.5.1). The
/// central agency (GIX) is unique and cannot be registered. Send an `Idempotency-Key` to
/// retry safely: the same key and body replay the first response; the same key with
/// another body is refused (422).
#[utoipa::path(
    tag = "organisations",
    request_body = RegisterOrganisation,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Registered", body = OrganisationBody,
            headers(("Location" = String, description = "The new organisation"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/organisations")]
pub async fn register_organisation(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<RegisterOrganisation>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft = RegistrationDraft {
        kind: gsi_domain::org::OrganisationKind::from(input.kind).as_str().to_owned(),
        name_th: input.name_th,
        name_en: input.name_en,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let org = organisations::register(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/organisations/{}", org.id),
                etag: Some(etag(org.version)),
                body: OrganisationBody::from(&org),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
