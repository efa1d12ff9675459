use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::billing::StatementStatus;
use gsi_domain::calendar::Month;
use gsi_persistence::repos::statements::StatementFilter;

use super::{ListStatementsQuery, StatementList, StatementSummaryBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::statements;

/// List monthly statements
///
/// Statements per agency, provider and Asia/Bangkok month, with their totals in THB
/// (GSI-7.5.3): open while the month's usage arrives, issued once the provider closes the
/// month. Agencies see their own, providers those they bill, GIX all; assessors 403.
/// Filters: month, status, agency, provider.
#[utoipa::path(
    tag = "statements",
    params(ListStatementsQuery),
    responses(
        (status = 200, description = "A page of statements, oldest first", body = StatementList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/statements")]
pub async fn list_statements(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListStatementsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let month = q
        .month
        .as_deref()
        .and_then(|raw| raw.parse::<Month>().map_err(|e| errors.add("month", "invalid_month", e.to_string())).ok());
    let status = q.status.as_deref().and_then(|raw| {
        raw.parse::<StatementStatus>().map_err(|e| errors.add("status", "invalid_choice", e.to_string())).ok()
    });
    let filter = StatementFilter {
        month,
        status,
        agency: params::id("agency_id", q.agency_id.as_deref(), &mut errors),
        provider: params::id("provider_id", q.provider_id.as_deref(), &mut errors),
    };
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| statements::list(conn, &ctx.0, filter, page)).await?;
    Ok(HttpResponse::Ok().json(StatementList {
        items: found.items.iter().map(StatementSummaryBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
