use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::StaffSummaryBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Get a provider's personnel summary
///
/// Per area (network, cloud, data center, security): how many staff hold a certification in
/// it, how many are fully compliant today (valid certification, criminal-record check, NDA:
/// GSI-9.1-9.3), and how many of those lapse within 30 days. Counts only, no personal data;
/// every authenticated caller may read it.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "The summary", body = StaffSummaryBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/staff-summary")]
pub async fn get_staff_summary(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider: gsi_domain::OrganisationId = path.into_inner().into();
    let areas = db(&state, move |conn| read_tx(conn, |tx| assessments::staff_summary(tx, &ctx.0, provider))).await?;
    Ok(HttpResponse::Ok()
        .json(StaffSummaryBody { provider_id: provider.as_uuid(), areas: areas.iter().map(Into::into).collect() }))
}
