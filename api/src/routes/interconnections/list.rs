use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::InterconnectionListBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// List a provider's interconnections
///
/// The networks the provider connects and its GIX link, with capacity, since when and
/// whether verified (GSI-5.3). Read by the provider, GIX, assessors and agencies; other
/// providers: 404.
#[utoipa::path(
    tag = "governance",
    params(("provider_id" = uuid::Uuid, Path, description = "The provider")),
    responses(
        (status = 200, description = "Interconnections", body = InterconnectionListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/providers/{provider_id}/interconnections")]
pub async fn list_interconnections(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let all =
        db(&state, move |conn| read_tx(conn, |tx| assessments::list_interconnections(tx, &ctx.0, provider))).await?;
    Ok(HttpResponse::Ok().json(InterconnectionListBody { items: all.iter().map(Into::into).collect() }))
}
