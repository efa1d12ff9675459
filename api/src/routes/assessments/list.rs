use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::{AssessmentListBody, AssessmentQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// List assessments
///
/// Newest first. GIX sees every assessment, an assessor its own, a provider those of itself;
/// agencies: 403 (GSI-11.1-11.4).
#[utoipa::path(
    tag = "governance",
    params(AssessmentQuery),
    responses(
        (status = 200, description = "Assessments", body = AssessmentListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/assessments")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<AssessmentQuery>,
) -> Result<HttpResponse, ApiError> {
    let provider = query.into_inner().provider_id.map(Into::into);
    let all = db(&state, move |conn| read_tx(conn, |tx| assessments::list_assessments(tx, &ctx.0, provider))).await?;
    Ok(HttpResponse::Ok().json(AssessmentListBody { items: all.iter().map(Into::into).collect() }))
}
