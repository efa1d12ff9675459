use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::service::{Metric, ServiceKind};
use gsi_persistence::repos::reference_prices::ReferencePriceFilter;

use super::{ListReferencePricesQuery, ReferencePriceBody, ReferencePriceList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reference_prices;

/// List reference prices
///
/// GIX's reference prices (GSI-7.1), in the order they were set, closed ones included, so
/// the history of every cap stays visible. Filter by `service_kind` and `metric`; `at`
/// keeps only the prices in force at that instant (at most one per kind and metric).
/// Every authenticated caller may read them.
#[utoipa::path(
    tag = "reference-prices",
    params(ListReferencePricesQuery),
    responses(
        (status = 200, description = "A page of reference prices", body = ReferencePriceList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/reference-prices")]
pub async fn list_reference_prices(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListReferencePricesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let kind = match q.service_kind.as_deref().map(str::parse::<ServiceKind>) {
        None => None,
        Some(Ok(kind)) => Some(kind),
        Some(Err(e)) => {
            errors.add("service_kind", "invalid_choice", e.to_string());
            None
        }
    };
    let metric = match q.metric.as_deref().map(str::parse::<Metric>) {
        None => None,
        Some(Ok(metric)) => Some(metric),
        Some(Err(e)) => {
            errors.add("metric", "invalid_choice", e.to_string());
            None
        }
    };
    let at = match q.at.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => {
            errors.add("at", "invalid_datetime", "must be an RFC 3339 instant such as 2026-12-01T00:00:00+07:00");
            None
        }
    };
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let filter = ReferencePriceFilter { kind, metric, at };
    let found = db(&state, move |conn| reference_prices::list(conn, &ctx.0, filter, page)).await?;
    Ok(HttpResponse::Ok().json(ReferencePriceList {
        items: found.items.iter().map(ReferencePriceBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
