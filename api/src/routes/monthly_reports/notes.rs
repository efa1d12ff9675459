use actix_web::http::StatusCode;
use actix_web::{HttpResponse, put, web};
use gsi_persistence::write_tx;

use super::{MonthlyReportBody, MonthlyReportNotesBody, monthly_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Set a draft's notes
///
/// GSI-13.3: the agency admin's notes on a draft. A submitted report is immutable: 409
/// `invalid-transition` (revise it instead). Requires `If-Match`.
#[utoipa::path(
    tag = "reports",
    request_body = MonthlyReportNotesBody,
    params(
        ("report_id" = uuid::Uuid, Path, description = "Monthly report (revision) id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "The draft", body = MonthlyReportBody, headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[put("/monthly-reports/{report_id}/notes")]
pub async fn set_monthly_report_notes(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
    body: JsonBody<MonthlyReportNotesBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let notes = body.into_inner().notes;
    let due_day = state.report_due_day;
    let (record, revisions) = db(&state, move |conn| {
        write_tx(conn, |tx| {
            let record = reports::edit_notes(tx, &ctx.0, id, &if_match.0, notes)?;
            let revisions = reports::revisions_of(tx, &record)?;
            Ok((record, revisions))
        })
    })
    .await?;
    Ok(monthly_response(StatusCode::OK, &record, &revisions, due_day))
}
