use actix_web::{HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::catalog::OfferingState;
use gsi_domain::service::{ServiceFamily, ServiceKind};
use gsi_persistence::repos::offerings::OfferingFilter;

use super::{ListOfferingsQuery, OfferingBody, OfferingList};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::offerings;

/// Parses an optional vocabulary word, recording a failure under `name`.
fn choice<T: std::str::FromStr<Err: std::fmt::Display>>(
    name: &str,
    raw: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    match raw.map(str::parse::<T>)? {
        Ok(value) => Some(value),
        Err(e) => {
            errors.add(name, "invalid_choice", e.to_string());
            None
        }
    }
}

/// List offerings
///
/// The service catalog (GSI-5.1; network kinds GSI-3.6–3.8), oldest first, with current
/// prices (GSI-7.1), service levels (GSI-10.1, 10.2) and capacity limits (GSI-A.1.3).
/// What a caller sees follows `catalog_scope`: agencies and assessors see every provider's
/// published and retired offerings; a provider's operators see their own provider's
/// offerings in every state and no other provider's; GIX sees everything. Filter by
/// `provider_id`, `family`, `kind` and `state`.
#[utoipa::path(
    tag = "catalog",
    params(ListOfferingsQuery),
    responses(
        (status = 200, description = "A page of offerings", body = OfferingList),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/offerings")]
pub async fn list_offerings(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListOfferingsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let provider = match q.provider_id.as_deref().map(uuid::Uuid::parse_str) {
        None => None,
        Some(Ok(id)) => Some(id.into()),
        Some(Err(_)) => {
            errors.add(
                "provider_id",
                "invalid_id",
                "must be an id (UUID) such as 0190f5c2-1a2b-7c3d-8e4f-000000000002",
            );
            None
        }
    };
    let family = choice::<ServiceFamily>("family", q.family.as_deref(), &mut errors);
    let kind = choice::<ServiceKind>("kind", q.kind.as_deref(), &mut errors);
    let offering_state = choice::<OfferingState>("state", q.state.as_deref(), &mut errors);
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let filter = OfferingFilter { provider, family, kind, state: offering_state };
    let found = db(&state, move |conn| offerings::list(conn, &ctx.0, filter, page)).await?;
    Ok(HttpResponse::Ok().json(OfferingList {
        items: found.items.iter().map(OfferingBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
