pub mod submit;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use chrono::{DateTime, Utc};
use gsi_domain::usage::UsageRecordDraft;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::UsageLimits;
use crate::error::ApiError;
use crate::http::json;
use crate::routes::service::MetricBody;
use crate::state::AppState;
use crate::usecases::usage::BatchOutcome;

/// One usage record as the provider's metering system sends it (GSI-7.1). Fields are checked
/// per record, so every bad record of a batch is named at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageRecordInput {
    /// The provider's own id of the record, 1–128 characters, unique per provider: the
    /// deduplication key (kept exactly as sent).
    #[schema(example = "vm-7781/2026-12-01T03", min_length = 1, max_length = 128)]
    pub record_id: String,
    /// A subscription the calling provider serves.
    #[schema(value_type = uuid::Uuid, example = "0190f5c2-1a2b-7c3d-8e4f-0000000000d1")]
    pub subscription_id: String,
    /// A metric priced by the subscription's offering or one of its add-ons.
    #[schema(value_type = MetricBody, example = "vcpu_hour")]
    pub metric: String,
    /// Exact decimal in the metric's unit, at most 6 decimal places, 0 to 1,000,000,000;
    /// negative only in a correction.
    #[schema(example = "16")]
    pub quantity: String,
    /// Start of the period the usage covers (inclusive), not before the subscription's start.
    #[schema(example = "2026-12-01T03:00:00Z")]
    pub period_start: DateTime<Utc>,
    /// End of the period (exclusive): after the start, not in the future, within the same
    /// Asia/Bangkok month as the start.
    #[schema(example = "2026-12-01T04:00:00Z")]
    pub period_end: DateTime<Utc>,
    /// For a correction: the `record_id` of the original record it corrects, stored in an
    /// earlier batch. The correction has the original's subscription, metric and period.
    #[serde(default)]
    #[schema(example = json!(null))]
    pub corrects: Option<String>,
}

impl From<UsageRecordInput> for UsageRecordDraft {
    fn from(r: UsageRecordInput) -> Self {
        UsageRecordDraft {
            record_id: r.record_id,
            subscription_id: r.subscription_id,
            metric: r.metric,
            quantity: r.quantity,
            period_start: r.period_start,
            period_end: r.period_end,
            corrects: r.corrects,
        }
    }
}

/// A batch of usage records, stored all or nothing.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"records": [
    {"record_id": "vm-7781/2026-12-01T03", "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
     "metric": "vcpu_hour", "quantity": "16", "period_start": "2026-12-01T03:00:00Z", "period_end": "2026-12-01T04:00:00Z"},
    {"record_id": "vm-7781/2026-12-01T03/fix", "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
     "metric": "vcpu_hour", "quantity": "-2", "period_start": "2026-12-01T03:00:00Z", "period_end": "2026-12-01T04:00:00Z",
     "corrects": "vm-7781/2026-12-01T02"}
]}))]
pub struct UsageBatchInput {
    /// 1 to `GSI_USAGE_BATCH_MAX` (default 10,000) records.
    pub records: Vec<UsageRecordInput>,
}

/// What the batch did: every record is now stored, as new or as a duplicate.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"accepted": 9998, "duplicates": 2}))]
pub struct UsageBatchResult {
    /// New records stored and rated.
    pub accepted: usize,
    /// Records already stored (or repeated in the batch) with the same content: no-ops.
    pub duplicates: usize,
}

impl From<BatchOutcome> for UsageBatchResult {
    fn from(o: BatchOutcome) -> Self {
        UsageBatchResult { accepted: o.accepted, duplicates: o.duplicates }
    }
}

/// A batch body, read with the usage limit (`GSI_USAGE_MAX_BODY_BYTES`, default 8 MiB)
/// instead of the general one: 10,000 records are a few megabytes.
pub struct BatchBody(pub UsageBatchInput);

impl FromRequest for BatchBody {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(UsageLimits::default().max_body_bytes, |state| state.usage.max_body_bytes);
        let body = json::read::<UsageBatchInput>(req, payload, limit);
        Box::pin(async move { body.await.map(|b| BatchBody(b.into_inner())) })
    }
}
