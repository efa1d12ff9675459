use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, web};
use gsi_domain::governance::conformance::{conformance, render_csv};
use gsi_persistence::read_tx;

use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Get a provider's conformance view as CSV
///
/// `GET /v1/providers/{provider_id}/conformance` as RFC 4180 CSV, one row per clause:
/// `clause, level, latest_result, finding_id, assessment_id, recorded_at, evidence_refs,
/// note, computed_conforms, computed_detail` (GSI-11.2). Read by the provider, GIX and
/// assessors; others: 404.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "The conformance view as CSV", body = String, content_type = "text/csv"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/conformance/csv")]
pub async fn get_conformance_csv(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider: gsi_domain::OrganisationId = path.into_inner().into();
    let ctx = ctx.0;
    let csv = db(&state, move |conn| {
        let data = read_tx(conn, |tx| assessments::conformance(tx, &ctx, provider))?;
        Ok(render_csv(&conformance(&data.findings, &data.computed)))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(format!("conformance-{provider}.csv"))],
        })
        .body(csv))
}
