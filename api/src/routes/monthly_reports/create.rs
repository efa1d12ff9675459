use actix_web::http::StatusCode;
use actix_web::{HttpResponse, post, web};
use gsi_domain::calendar::Month;
use gsi_persistence::write_tx;

use super::{DraftMonthlyReportBody, MonthlyReportBody, monthly_response};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Draft a monthly report
///
/// GSI-13.3: the agency admin drafts the report of an ended month. The figures are taken
/// from the data: usage and spending per provider and service, spending since 1 October
/// against the fiscal year's budget (remaining, percentage used, projected at the current
/// rate), and each subscription's SLA attainment with its incidents. Add notes, then submit.
/// 409 when the month already has a report (edit its draft, or revise the submitted one).
#[utoipa::path(
    tag = "reports",
    request_body = DraftMonthlyReportBody,
    responses(
        (status = 201, description = "Drafted (revision 1)", body = MonthlyReportBody,
            headers(("Location" = String, description = "The new report"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/monthly-reports")]
pub async fn draft_monthly_report(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: JsonBody<DraftMonthlyReportBody>,
) -> Result<HttpResponse, ApiError> {
    let month: Month = body.into_inner().month.parse().map_err(|e: gsi_domain::calendar::InvalidMonth| {
        ApiError::Validation(gsi_domain::ValidationErrors::single("month", "invalid_month", e.to_string()))
    })?;
    let due_day = state.report_due_day;
    let (record, revisions) = db(&state, move |conn| {
        write_tx(conn, |tx| {
            let record = reports::draft_monthly(tx, &ctx.0, month)?;
            let revisions = reports::revisions_of(tx, &record)?;
            Ok((record, revisions))
        })
    })
    .await?;
    Ok(monthly_response(StatusCode::CREATED, &record, &revisions, due_day))
}
