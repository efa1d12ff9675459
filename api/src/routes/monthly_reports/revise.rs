use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use gsi_persistence::write_tx;

use super::{MonthlyReportBody, monthly_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, InvalidTransition, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Revise a submitted monthly report
///
/// GSI-13.3: a correction. Opens the next revision as a draft, its figures drafted from
/// today's data and the notes carried over; the submitted revision stays as it was and
/// readable. Only the latest revision, once submitted, can be revised (409 otherwise).
#[utoipa::path(
    tag = "reports",
    params(("report_id" = uuid::Uuid, Path, description = "The submitted revision")),
    responses(
        (status = 201, description = "The new draft revision", body = MonthlyReportBody,
            headers(("Location" = String, description = "The new revision"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = InvalidTransition),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/monthly-reports/{report_id}/revisions")]
pub async fn revise_monthly_report(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner();
    let due_day = state.report_due_day;
    let (record, revisions) = db(&state, move |conn| {
        write_tx(conn, |tx| {
            let record = reports::revise_monthly(tx, &ctx.0, id)?;
            let revisions = reports::revisions_of(tx, &record)?;
            Ok((record, revisions))
        })
    })
    .await?;
    Ok(monthly_response(StatusCode::CREATED, &record, &revisions, due_day))
}
