use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::repos::audit::AuditFilter;

use super::{AuditEventBody, AuditEventList, ListAuditEventsQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::audit;

/// List audit events
///
/// Every change the API made, oldest first: actor, role, organisation, action, resource,
/// time, request id and what changed. GIX officers see all events; everyone else sees what
/// their organisation's people did and what was done to their organisation's data.
#[utoipa::path(
    tag = "audit",
    params(ListAuditEventsQuery),
    responses(
        (status = 200, description = "A page of events", body = AuditEventList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListAuditEventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let from = params::instant("from", q.from.as_deref(), &mut errors);
    let until = params::instant("until", q.until.as_deref(), &mut errors);
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let filter = AuditFilter {
        resource_type: q.resource_type,
        resource_id: q.resource_id,
        action: q.action,
        actor_subject: q.actor,
        from,
        until,
    };
    let found = db(&state, move |conn| audit::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(AuditEventList {
        items: found.items.iter().map(AuditEventBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
