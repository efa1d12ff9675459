use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{MonthlyReportBody, monthly_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::IfMatch;
use crate::openapi::{
    BadRequest, Forbidden, InvalidTransition, NotFound, PreconditionFailed, PreconditionRequired, ServiceUnavailable,
    Unauthenticated,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Submit a monthly report
///
/// GSI-13.3: the agency admin submits the draft; from then on it never changes (notes,
/// figures and state are frozen; a correction is a new revision). 409 when already
/// submitted. Requires `If-Match`.
#[utoipa::path(
    tag = "reports",
    params(
        ("report_id" = uuid::Uuid, Path, description = "Monthly report (revision) id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 200, description = "Submitted", body = MonthlyReportBody, headers(("ETag" = String, description = "The new version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 412, response = PreconditionFailed),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/monthly-reports/{report_id}/submission")]
pub async fn submit_monthly_report(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let due_day = state.report_due_day;
    let (record, revisions) = db(&state, move |conn| {
        write_tx(conn, |tx| {
            let record = reports::submit_monthly(tx, &ctx.0, id, &if_match.0)?;
            let revisions = reports::revisions_of(tx, &record)?;
            Ok((record, revisions))
        })
    })
    .await?;
    Ok(monthly_response(StatusCode::OK, &record, &revisions, due_day))
}
