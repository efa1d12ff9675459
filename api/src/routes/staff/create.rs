use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::personnel::{CertificationDraft, StaffDraft};

use super::{StaffBody, StaffView};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Record a staff member
///
/// A provider's operators record a staff member involved in the service, with no more
/// personal data than needed: the provider's own reference and a display name; technical
/// certifications per area (network, cloud, data center, security) with issuer and expiry
/// (GSI-9.1); the criminal-record check date (GSI-9.2); the NDA date (GSI-9.3). 422 names each
/// bad field; a reference recorded twice is `staff_ref` `duplicate`. Other callers: 403/404.
#[utoipa::path(
    tag = "governance",
    request_body = StaffBody,
    params(
        ("provider_id" = uuid::Uuid, Path, description = "The provider"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    responses(
        (status = 201, description = "The staff member", body = StaffView),
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
#[post("/providers/{provider_id}/staff")]
pub async fn record_staff(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<StaffBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let b = body.into_inner();
    let draft = StaffDraft {
        staff_ref: b.staff_ref,
        display_name: b.display_name,
        certifications: b
            .certifications
            .into_iter()
            .map(|c| CertificationDraft { area: c.area, name: c.name, issuer: c.issuer, expires_on: c.expires_on })
            .collect(),
        criminal_record_checked_on: b.criminal_record_checked_on,
        nda_signed_on: b.nda_signed_on,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let s = assessments::record_staff(tx, &ctx, provider, &draft)?;
            Ok(Created { location: format!("/v1/providers/{provider}/staff"), etag: None, body: StaffView::from(&s) })
        })
    })
    .await?;
    Ok(response.into_response())
}
