use actix_web::{HttpResponse, post, web};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::Month;
use gsi_persistence::write_tx;

use super::{CloseMonthInput, ClosedMonthBody, StatementSummaryBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, PayloadTooLarge, ServiceUnavailable, Unauthenticated,
    UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::statements;

/// Close a month
///
/// The provider closes an Asia/Bangkok month for all the agencies it serves: their statements
/// of the month become `issued` and never change again (GSI-7.5.3); an agency served during
/// the month without usage gets an empty issued statement. Usage of a closed month that
/// arrives later is billed on the next open statement as a dated adjustment, never on the
/// issued one. A month that has not yet ended in Bangkok is refused with 409
/// (`invalid-transition`). Closing a closed month again issues nothing (`newly_issued` 0).
/// Provider operators only.
#[utoipa::path(
    tag = "statements",
    request_body = CloseMonthInput,
    responses(
        (status = 200, description = "The provider's statements of the month, all issued", body = ClosedMonthBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = InvalidTransition),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/statements/close")]
pub async fn close_month(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: JsonBody<CloseMonthInput>,
) -> Result<HttpResponse, ApiError> {
    let raw = body.into_inner().month;
    let month = raw
        .parse::<Month>()
        .map_err(|e| ApiError::Validation(ValidationErrors::single("month", "invalid_month", e.to_string())))?;
    let closed = db(&state, move |conn| write_tx(conn, |tx| statements::close(tx, &ctx.0, month))).await?;
    Ok(HttpResponse::Ok().json(ClosedMonthBody {
        month: closed.month.to_string(),
        newly_issued: closed.newly_issued,
        statements: closed.statements.iter().map(StatementSummaryBody::from).collect(),
    }))
}
