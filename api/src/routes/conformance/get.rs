use actix_web::{HttpResponse, get, web};
use gsi_domain::governance::conformance::conformance;
use gsi_persistence::read_tx;

use super::ConformanceBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Get a provider's conformance view
///
/// For every clause of the standard (every [R] clause included), the latest finding with its
/// evidence and assessment (GSI-11.2), and for the clauses the hub checks itself from live
/// data the current result: GSI-6.4 (verified, valid ISO certificates covering each offered
/// family), GSI-7.1 (every published price at or under the reference price in force), GSI-7.4
/// (24x7 channels), GSI-10.1 and 10.2 (last month's availability and reliability on every
/// subscription served), GSI-11.1 (a certification in force), GSI-13.1 (on the provider list).
/// The same as CSV: `GET /v1/providers/{provider_id}/conformance/csv`. Read by the provider,
/// GIX and assessors; others: 404.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "The conformance view", body = ConformanceBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/conformance")]
pub async fn get_conformance(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let ctx = ctx.0;
    let body = db(&state, move |conn| {
        let data = read_tx(conn, |tx| assessments::conformance(tx, &ctx, provider))?;
        let lines = conformance(&data.findings, &data.computed);
        Ok(ConformanceBody {
            provider_id: data.provider.id.as_uuid(),
            name_th: data.provider.name_th.to_string(),
            at: ctx.now,
            clauses: lines.iter().map(Into::into).collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
