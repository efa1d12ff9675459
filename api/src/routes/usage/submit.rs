use actix_web::{HttpResponse, post, web};
use gsi_domain::usage::UsageRecordDraft;
use gsi_persistence::write_tx;

use super::{BatchBody, UsageBatchInput, UsageBatchResult};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::usage;

/// Submit a batch of usage records
///
/// For providers' metering systems (GSI-7.1, pay-per-use): up to 10,000 records per request
/// (`GSI_USAGE_BATCH_MAX`; bodies up to 8 MiB, `GSI_USAGE_MAX_BODY_BYTES`). Each record must
/// name a subscription the calling provider serves, a metric priced by its offering or an
/// add-on, a period within one Asia/Bangkok month, within the subscription's active term and
/// not in the future, and a quantity that is not negative (a correction, naming the original
/// in `corrects`, may be negative).
///
/// The batch is atomic: if any record is bad, nothing is stored and the 422 lists every bad
/// record by index with each reason (`errors[].field` is `records[i].<field>`, `code` the
/// reason: `subscription_not_served`, `metric_not_priced`, `period_outside_active_term`,
/// `period_in_future`, `negative_quantity`, …). A record id already stored with the same
/// content is a no-op counted in `duplicates`, so a retried batch is safe; the same id with
/// different content is 409 naming the ids, and nothing is stored.
///
/// Each new record is rated at the offering's unit price in force at its period start,
/// capped at the reference price in force then (GSI-7.1), rounded once to the satang, and
/// billed on its agency's statement for its month, or, if the provider has closed that month,
/// on the next open one as a dated adjustment (GSI-7.5.3). A 2xx answer means the records are
/// durably stored.
#[utoipa::path(
    tag = "usage",
    request_body = UsageBatchInput,
    responses(
        (status = 200, description = "Stored: how many records were new and how many were duplicates", body = UsageBatchResult),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/usage/batches")]
pub async fn submit_usage_batch(
    state: web::Data<AppState>,
    ctx: RequestContext,
    body: BatchBody,
) -> Result<HttpResponse, ApiError> {
    let drafts: Vec<UsageRecordDraft> = body.0.records.into_iter().map(Into::into).collect();
    let max_records = state.usage.max_records;
    let outcome = db(&state, move |conn| write_tx(conn, |tx| usage::ingest(tx, &ctx.0, &drafts, max_records))).await?;
    state.metrics.usage_records_ingested.inc_by(outcome.accepted as u64);
    Ok(HttpResponse::Ok().json(UsageBatchResult::from(outcome)))
}
