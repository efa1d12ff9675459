use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::FiscalYear;

use super::{BudgetBody, BudgetList, ListBudgetsQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::params;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// List budgets
///
/// GSI-13.3: the agency's budgets (admins and users), newest fiscal year first; GIX every
/// agency's, or one with `agency_id`.
#[utoipa::path(
    tag = "reports",
    params(ListBudgetsQuery),
    responses(
        (status = 200, description = "Budgets", body = BudgetList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/budgets")]
pub async fn list_budgets(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListBudgetsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let fiscal_year = match q.fiscal_year.as_deref().map(str::parse::<FiscalYear>) {
        None => None,
        Some(Ok(fy)) => Some(fy),
        Some(Err(e)) => {
            errors.add("fiscal_year", "invalid_fiscal_year", e.to_string());
            None
        }
    };
    let agency = params::id("agency_id", q.agency_id.as_deref(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let items = db(&state, move |conn| reports::list_budgets(conn, &ctx.0, agency, fiscal_year)).await?;
    Ok(HttpResponse::Ok().json(BudgetList { items: items.iter().map(BudgetBody::from).collect() }))
}
