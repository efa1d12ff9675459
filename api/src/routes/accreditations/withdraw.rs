use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{AccreditationView, WithdrawalBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated,
    UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Withdraw an accreditation
///
/// GIX withdraws an assessor's accreditation from now, with a reason (GSI-12.1). From then on
/// the assessor records no assessment, verification or certification (422 `assessor`
/// `accreditation_withdrawn`); certifications it made before stay. GIX officers only (403);
/// withdrawn already: 409.
#[utoipa::path(
    tag = "governance",
    request_body = WithdrawalBody,
    params(("accreditation_id" = uuid::Uuid, Path, description = "The accreditation")),
    responses(
        (status = 200, description = "The withdrawn accreditation", body = AccreditationView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/accreditations/{accreditation_id}/withdrawal")]
pub async fn withdraw_accreditation(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    body: JsonBody<WithdrawalBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let reason = body.into_inner().reason;
    let ctx = ctx.0;
    let view = db(&state, move |conn| {
        write_tx(conn, |tx| assessments::withdraw_accreditation(tx, &ctx, id, &reason))
            .map(|a| AccreditationView::new(&a, ctx.now))
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}
