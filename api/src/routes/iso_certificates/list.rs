use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::{CertificateListBody, CertificateView};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// List a provider's ISO certificates
///
/// The provider's certificates (GSI-6.4), verified or not, with `counts_now`. Read by the
/// provider, GIX, assessors and agencies; other providers get 404.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "Certificates", body = CertificateListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/iso-certificates")]
pub async fn list_iso_certificates(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let ctx = ctx.0;
    let body = db(&state, move |conn| {
        read_tx(conn, |tx| assessments::list_certificates(tx, &ctx, provider))
            .map(|all| CertificateListBody { items: all.iter().map(|c| CertificateView::new(c, ctx.now)).collect() })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
