use actix_web::http::header;
use actix_web::{HttpResponse, put, web};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::FiscalYear;
use gsi_domain::report::budget_amount;
use gsi_domain::service::ServiceFamily;
use gsi_persistence::write_tx;

use super::{BudgetBody, SetBudgetBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Set a fiscal-year budget
///
/// GSI-13.3: the agency admin records the agency's budget for a Thai fiscal year (1 October –
/// 30 September; `fiscal_year` is the Gregorian year it ends in: 2027 = B.E. 2570 = Oct 2026 –
/// Sep 2027), for the whole year or one service family. Setting it again replaces the amount
/// (201 the first time, 200 after). Monthly reports compare spending with the whole-year
/// budget.
#[utoipa::path(
    tag = "reports",
    request_body = SetBudgetBody,
    params(("fiscal_year" = i32, Path, description = "Gregorian year the fiscal year ends in, e.g. 2027 (B.E. 2570)")),
    responses(
        (status = 200, description = "Replaced", body = BudgetBody, headers(("ETag" = String, description = "Current version"))),
        (status = 201, description = "Recorded", body = BudgetBody, headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[put("/budgets/{fiscal_year}")]
pub async fn set_budget(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<String>,
    body: JsonBody<SetBudgetBody>,
) -> Result<HttpResponse, ApiError> {
    let fiscal_year: FiscalYear = path.into_inner().parse().map_err(|e: gsi_domain::calendar::InvalidFiscalYear| {
        ApiError::invalid_parameter("fiscal_year", "invalid_fiscal_year", e.to_string())
    })?;
    let input = body.into_inner();
    let mut errors = ValidationErrors::new();
    let amount = errors.collect(budget_amount(&input.amount));
    let family = match input.service_family.as_deref().map(str::parse::<ServiceFamily>) {
        None => None,
        Some(Ok(f)) => Some(f),
        Some(Err(e)) => {
            errors.add("service_family", "unknown_family", e.to_string());
            None
        }
    };
    let Some(amount) = amount else {
        return Err(ApiError::Validation(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::Validation(errors));
    }
    let (record, created) =
        db(&state, move |conn| write_tx(conn, |tx| reports::set_budget(tx, &ctx.0, fiscal_year, family, amount)))
            .await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.insert_header((header::ETAG, etag(record.version))).json(BudgetBody::from(&record)))
}
