use actix_web::{HttpResponse, get, web};
use gsi_persistence::read_tx;

use super::{AccreditationListBody, AccreditationQuery, AccreditationView};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// List assessor accreditations
///
/// Whom GIX accredits to assess and certify providers, for which families and period, and
/// whether withdrawn (GSI-12.1). Every authenticated caller may read them. Oldest first.
#[utoipa::path(
    tag = "governance",
    params(AccreditationQuery),
    responses(
        (status = 200, description = "Accreditations", body = AccreditationListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/accreditations")]
pub async fn list_accreditations(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<AccreditationQuery>,
) -> Result<HttpResponse, ApiError> {
    let assessor = query.into_inner().assessor_id.map(Into::into);
    let ctx = ctx.0;
    let body = db(&state, move |conn| {
        read_tx(conn, |tx| assessments::list_accreditations(tx, &ctx, assessor)).map(|all| AccreditationListBody {
            items: all.iter().map(|a| AccreditationView::new(a, ctx.now)).collect(),
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}
