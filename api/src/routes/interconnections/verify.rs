use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::InterconnectionView;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, ServiceUnavailable, Unauthenticated, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Verify an interconnection
///
/// An assessor with an accreditation in force (GSI-12.1) marks a declared interconnection
/// verified (GSI-5.3, 11.2), recording who and when. Not accredited: 422 on `assessor`; other
/// roles 403; verified already 409.
#[utoipa::path(
    tag = "governance",
    params(("interconnection_id" = uuid::Uuid, Path, description = "The interconnection")),
    responses(
        (status = 200, description = "The verified interconnection", body = InterconnectionView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/interconnections/{interconnection_id}/verification")]
pub async fn verify_interconnection(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let i = db(&state, move |conn| write_tx(conn, |tx| assessments::verify_interconnection(tx, &ctx.0, id))).await?;
    Ok(HttpResponse::Ok().json(InterconnectionView::from(&i)))
}
