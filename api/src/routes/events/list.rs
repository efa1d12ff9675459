use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;

use super::{EventFeed, ListEventsQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::{events, webhooks};
use crate::webhooks::payload::EventBody;

/// Read the event feed
///
/// The events the caller's organisation may see, oldest first, after `after`: a reliable
/// way to catch up after downtime, and an alternative to webhooks. Events are positioned in
/// commit order, so a cursor is never passed by an event committed later, even with several
/// writers. Each event names its resource, state and link; types and payloads are listed in
/// the `webhooks` section. Events go to the organisations of the resource (the agency and
/// the provider) and GIX; provider list changes go to everyone.
#[utoipa::path(
    tag = "events",
    params(ListEventsQuery),
    responses(
        (status = 200, description = "A page of events", body = EventFeed),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListEventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let after = match q.after.as_deref() {
        None => Some(0),
        // Digits only, as the OpenAPI pattern says (`parse` would also take `+5`).
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if n >= 0 && raw.bytes().all(|b| b.is_ascii_digit()) => Some(n),
            _ => {
                errors.add("after", "invalid_cursor", "not a cursor returned by this API as next_cursor");
                None
            }
        },
    };
    let limit = match q.limit.as_deref() {
        None => Some(DEFAULT_LIMIT),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "limit",
                    "out_of_range",
                    format!("must be a whole number from 1 to {MAX_LIMIT} (got `{raw}`)"),
                );
                None
            }
        },
    };
    let types = match webhooks::parse_types(q.types.as_deref()) {
        Ok(types) => Some(types),
        Err(ApiError::InvalidParameters(e)) => {
            for f in e.errors() {
                errors.add(f.field.clone(), f.code, f.message.clone());
            }
            None
        }
        Err(other) => return Err(other),
    };
    let (Some(after), Some(limit), Some(types)) = (after, limit, types) else {
        return Err(ApiError::InvalidParameters(errors));
    };
    let ctx = ctx.0;
    let page = db(&state, move |conn| events::feed(conn, &ctx, &types, after, limit)).await?;
    Ok(HttpResponse::Ok().json(EventFeed {
        items: page.events.iter().map(EventBody::from).collect(),
        next_cursor: page.next_after.to_string(),
    }))
}
