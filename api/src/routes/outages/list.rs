use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_persistence::repos::outages::OutageFilter;

use super::{ListOutagesQuery, OutageBody, OutageList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::outages;

/// List outages
///
/// GSI-7.2: agencies see the current and past outages affecting their subscriptions (and only
/// their own subscriptions in each); providers see the outages they posted; GIX all; others
/// get an empty list. Each carries whether it counts against the service level (GSI-10.3).
/// Filters: subscription, a time range the outage overlaps (`from`, `until`), and `open`.
#[utoipa::path(
    tag = "outages",
    params(ListOutagesQuery),
    responses(
        (status = 200, description = "A page of outages, oldest first", body = OutageList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/outages")]
pub async fn list_outages(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListOutagesQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let open = match q.open.as_deref() {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            errors.add("open", "invalid_boolean", format!("must be true or false (got `{other}`)"));
            None
        }
    };
    let filter = OutageFilter {
        subscription: params::id("subscription_id", q.subscription_id.as_deref(), &mut errors),
        from: params::instant("from", q.from.as_deref(), &mut errors),
        until: params::instant("until", q.until.as_deref(), &mut errors),
        open,
    };
    let page = match page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors) {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| outages::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(OutageList {
        items: found.items.iter().map(OutageBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
