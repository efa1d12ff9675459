use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::service::ServiceFamily;
use gsi_persistence::read_tx;

use super::{ListedProviderBody, ProviderListBody, ProviderListQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::pagination::{encode_cursor, page_request};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::listings::{self, ProviderListFilter};

/// Get the provider list
///
/// The providers GIX lists, from which agencies choose (GSI-12.2; GSI-13.1: agencies use
/// services only from listed providers): every provider listed now (or at `at`) for at least
/// one family, with its names, the families it is listed for and since when, and its 24x7
/// phone, e-mail and self-service address (GSI-7.4). Suspended and delisted families are not
/// shown (GSI-12.3). Filter by `family`; look at another instant with `at`. In provider id
/// order. Every authenticated caller may read it.
#[utoipa::path(
    tag = "providers",
    params(ProviderListQuery),
    responses(
        (status = 200, description = "A page of the provider list", body = ProviderListBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/provider-list")]
pub async fn get_provider_list(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ProviderListQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let family = match q.family.as_deref().map(str::parse::<ServiceFamily>) {
        None => None,
        Some(Ok(family)) => Some(family),
        Some(Err(e)) => {
            errors.add("family", "invalid_choice", e.to_string());
            None
        }
    };
    let at = match q.at.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(at)) => Some(at.with_timezone(&Utc)),
        Some(Err(_)) => {
            errors.add("at", "invalid_datetime", "must be an RFC 3339 instant such as 2027-01-01T00:00:00+07:00");
            None
        }
    };
    let page = page_request(q.limit.as_deref(), q.cursor.as_deref(), &mut errors);
    let page = match page {
        Some(page) if errors.is_empty() => page,
        _ => return Err(ApiError::InvalidParameters(errors)),
    };
    let filter = ProviderListFilter { family, at };
    // Several queries: one transaction, so the page reflects one state of the list.
    let (at, found) =
        db(&state, move |conn| read_tx(conn, |tx| listings::provider_list(tx, &ctx.0, filter, page))).await?;
    Ok(HttpResponse::Ok().json(ProviderListBody {
        at,
        items: found.items.iter().map(ListedProviderBody::from).collect(),
        next_cursor: found.next_after.map(encode_cursor),
    }))
}
