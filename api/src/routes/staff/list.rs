use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::StaffListBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// List a provider's staff
///
/// The staff involved in the service with their certifications, criminal-record check and NDA
/// dates (GSI-9.1-9.3). Visible only to the provider itself, GIX, and an assessor that has an
/// assessment of the provider; anyone else, agencies included, gets 404. Counts without
/// personal data: `GET /v1/providers/{provider_id}/staff-summary`.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "The staff", body = StaffListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let all = db(&state, move |conn| read_tx(conn, |tx| assessments::list_staff(tx, &ctx.0, provider))).await?;
    Ok(HttpResponse::Ok().json(StaffListBody { items: all.iter().map(Into::into).collect() }))
}
