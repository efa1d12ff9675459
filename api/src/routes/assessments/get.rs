use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::AssessmentDetail;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Get an assessment
///
/// The assessment with every finding per clause, the open major nonconformities, and its
/// certification if any (GSI-11.1-11.4). Read by its assessor, the provider assessed and GIX;
/// anyone else: 404.
#[utoipa::path(
    tag = "governance",
    params(("assessment_id" = uuid::Uuid, Path, description = "The assessment")),
    responses(
        (status = 200, description = "The assessment", body = AssessmentDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/assessments/{assessment_id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let v = db(&state, move |conn| read_tx(conn, |tx| assessments::get_assessment(tx, &ctx.0, id))).await?;
    Ok(HttpResponse::Ok().json(AssessmentDetail::from(&v)))
}
