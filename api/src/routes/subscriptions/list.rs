use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::subscription::{SubscriptionFilter, SubscriptionFilterDraft};

use super::{ListSubscriptionsQuery, SubscriptionBody, SubscriptionList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::http::params;
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::subscriptions;

/// List subscriptions
///
/// The services in use, with their dates, quantities, add-ons and frozen SLA terms
/// (GSI-7.5.2). Agencies see their own, providers the ones they serve, GIX all; others get
/// an empty list. Each carries `provider_not_listed` (GSI-13.1). Filters: status, family,
/// provider, and a date range the term overlaps.
#[utoipa::path(
    tag = "subscriptions",
    params(ListSubscriptionsQuery),
    responses(
        (status = 200, description = "A page of subscriptions", body = SubscriptionList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/subscriptions")]
pub async fn list_subscriptions(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListSubscriptionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let draft = SubscriptionFilterDraft {
        status: q.status,
        family: q.family,
        provider: params::id("provider_id", q.provider_id.as_deref(), &mut errors),
        from: params::instant("from", q.from.as_deref(), &mut errors),
        until: params::instant("until", q.until.as_deref(), &mut errors),
    };
    let filter = errors.collect(SubscriptionFilter::parse(&draft));
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let (filter, page) = match (filter, page) {
        (Some(filter), Some(page)) if errors.is_empty() => (filter, page),
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let found = db(&state, move |conn| subscriptions::list(conn, &ctx.0, &filter, page)).await?;
    Ok(HttpResponse::Ok().json(SubscriptionList {
        items: found.items.iter().map(SubscriptionBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
