use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::certificate::CertificateDraft;

use super::{CertificateBody, CertificateView};
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

/// Record an ISO certificate
///
/// A provider's operators record one of its management-system certificates (GSI-6.4:
/// ISO/IEC 20000-1, ISO 22301, ISO/IEC 27001): number, issuing body, the families its scope
/// covers, validity (Asia/Bangkok days, both ends included) and where the evidence is. It
/// counts for the provider list only once an accredited assessor verifies it. 422 names each
/// bad field; a number recorded twice is `number` `duplicate`. Other providers: 404.
#[utoipa::path(
    tag = "governance",
    request_body = CertificateBody,
    params(
        ("provider_id" = uuid::Uuid, Path, description = "The provider"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    responses(
        (status = 201, description = "The certificate, not verified yet", body = CertificateView),
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
#[post("/providers/{provider_id}/iso-certificates")]
pub async fn record_iso_certificate(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<CertificateBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let b = body.into_inner();
    let draft = CertificateDraft {
        standard: b.standard,
        number: b.number,
        issuing_body: b.issuing_body,
        families: b.families,
        valid_from: b.valid_from,
        valid_until: b.valid_until,
        evidence_ref: b.evidence_ref,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let c = assessments::record_certificate(tx, &ctx, provider, &draft)?;
            Ok(Created {
                location: format!("/v1/providers/{provider}/iso-certificates"),
                etag: None,
                body: CertificateView::new(&c, ctx.now),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
