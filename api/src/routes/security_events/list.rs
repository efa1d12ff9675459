use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::repos::security_events::SecurityEventFilter;

use super::{ListSecurityEventsQuery, SecurityEventBody, SecurityEventList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::incidents::choice;
use crate::state::AppState;
use crate::usecases::security_events;

/// List security events
///
/// GSI-7.5.4: agencies see only their own events; providers see the events they posted; GIX
/// all; others get an empty list. Filters: agency, subscription, category, severity, status.
#[utoipa::path(
    tag = "security-events",
    params(ListSecurityEventsQuery),
    responses(
        (status = 200, description = "A page of security events, oldest first", body = SecurityEventList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/security-events")]
pub async fn list_security_events(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListSecurityEventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let filter = SecurityEventFilter {
        agency: params::id("agency_id", q.agency_id.as_deref(), &mut errors),
        subscription: params::id("subscription_id", q.subscription_id.as_deref(), &mut errors),
        category: choice("category", q.category.as_deref(), &mut errors),
        severity: choice("severity", q.severity.as_deref(), &mut errors),
        status: choice("status", q.status.as_deref(), &mut errors),
        detected_from: None,
        detected_until: None,
    };
    let page = match page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| security_events::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(SecurityEventList {
        items: found.items.iter().map(SecurityEventBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
