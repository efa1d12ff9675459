use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use gsi_domain::listing;
use gsi_persistence::read_tx;

use super::{ListingChangeLogBody, ListingChangeQuery};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::governance;

/// Get the provider list's change log
///
/// Every change of the provider list, oldest first: a provider listed for a family, or
/// unlisted with every reason (GSI-12.2, 12.3, 13.1). The list is derived from evidence, so
/// changes include those caused by a date passing, dated when they took effect (an ISO
/// certificate expiring lapses at 00:00 Asia/Bangkok the day after its last valid day), not
/// when somebody next looked. `recorded_at` is empty for a change computed from the evidence
/// and not written yet. Filter by `provider_id` and `since`. Every authenticated caller may
/// read it.
#[utoipa::path(
    tag = "providers",
    params(ListingChangeQuery),
    responses(
        (status = 200, description = "The change log", body = ListingChangeLogBody),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/provider-list/changes")]
pub async fn get_provider_list_changes(
    state: web::Data<AppState>,
    ctx: RequestContext,
    query: web::Query<ListingChangeQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let since = match q.since.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(at)) => Some(at.with_timezone(&Utc)),
        Some(Err(_)) => {
            return Err(ApiError::invalid_parameter(
                "since",
                "invalid_datetime",
                "must be an RFC 3339 instant such as 2027-01-01T00:00:00+07:00",
            ));
        }
    };
    let provider = q.provider_id.map(Into::into);
    let ctx = ctx.0;
    let log = db(&state, move |conn| {
        if !listing::may_read_provider_list(&ctx.actor) {
            return Err(ApiError::Forbidden("this role may not read the provider list".into()));
        }
        read_tx(conn, |tx| governance::change_log(tx, provider, ctx.now))
    })
    .await?;
    Ok(HttpResponse::Ok().json(ListingChangeLogBody {
        items: log.iter().filter(|r| since.is_none_or(|s| r.effective_at >= s)).map(Into::into).collect(),
    }))
}
