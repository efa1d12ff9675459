use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::repos::incidents::IncidentFilter;

use super::{IncidentBody, IncidentList, ListIncidentsQuery, choice};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::incidents;

/// List incidents
///
/// Incidents with their deadlines and timelines (GSI-7.5.8, 10.2): agencies see those on
/// their own subscriptions, providers those on subscriptions they serve, GIX all; others get
/// an empty list. Another agency's incidents never appear. Filters: subscription, state,
/// priority.
#[utoipa::path(
    tag = "incidents",
    params(ListIncidentsQuery),
    responses(
        (status = 200, description = "A page of incidents, oldest first", body = IncidentList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/incidents")]
pub async fn list_incidents(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListIncidentsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let filter = IncidentFilter {
        subscription: params::id("subscription_id", q.subscription_id.as_deref(), &mut errors),
        state: choice("state", q.state.as_deref(), &mut errors),
        priority: choice("priority", q.priority.as_deref(), &mut errors),
    };
    let page = match page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| incidents::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(IncidentList {
        items: found.items.iter().map(IncidentBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
