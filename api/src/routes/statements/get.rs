use actix_web::{HttpResponse, get, web};

use super::{StatementBody, statement_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::statements;

/// Get a monthly statement
///
/// One agency's statement with one provider for one Asia/Bangkok month, with every line:
/// usage of the month and adjustments (late usage or corrections of issued months, dated by
/// their arrival), each with quantity, unit price, reference price, effective price, whether
/// the cap applied (GSI-7.1) and the amount. The totals are sums of the line amounts
/// (GSI-7.5.3). The same lines as CSV: `GET /v1/statements/{statement_id}/csv`. Readable by
/// the agency, the provider and GIX; 404 for anyone else.
#[utoipa::path(
    tag = "statements",
    params(("statement_id" = uuid::Uuid, Path, description = "Statement id")),
    responses(
        (status = 200, description = "The statement and its lines", body = StatementBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/statements/{statement_id}")]
pub async fn get_statement(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let (record, statement) = db(&state, move |conn| statements::get(conn, &ctx.0, id)).await?;
    Ok(statement_response(&record, &statement))
}
