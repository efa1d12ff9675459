use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::CertificateView;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthenticated, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Verify an ISO certificate
///
/// An assessor accredited now for every family of the certificate's scope marks it verified,
/// recording who and when (GSI-6.4, 11.2, 12.1). From that instant it counts for the provider
/// list while valid. Not accredited, withdrawn or out of scope: 422 on `assessor` naming the
/// reason (`assessor_not_accredited`, `accreditation_withdrawn`, `accreditation_not_in_force`,
/// `families_not_accredited`); other roles 403; verified already 409.
#[utoipa::path(
    tag = "governance",
    params(("certificate_id" = uuid::Uuid, Path, description = "The certificate")),
    responses(
        (status = 200, description = "The verified certificate", body = CertificateView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/iso-certificates/{certificate_id}/verification")]
pub async fn verify_iso_certificate(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let ctx = ctx.0;
    let view = db(&state, move |conn| {
        write_tx(conn, |tx| assessments::verify_certificate(tx, &ctx, id)).map(|c| CertificateView::new(&c, ctx.now))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
