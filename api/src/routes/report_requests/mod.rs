//! GIX's formal report requests to providers and the providers' frozen answers (GSI-7.6).

pub mod create;
pub mod get;
pub mod list;
pub mod report;
pub mod submit;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_persistence::repos::reports::ReportRequestRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;

/// `open` until answered, `overdue` when open past the due date (end of the day, Asia/Bangkok),
/// `submitted` once answered.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReportRequestStatusBody {
    Open,
    Overdue,
    Submitted,
}

/// A report request as both sides see it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000c1",
    "provider_id": "00000000-0000-7000-8000-000000000b02",
    "requested_by": "00000000-0000-7000-8000-000000000001",
    "from": "2026-10", "to": "2026-11", "group_by": ["agency", "metric"],
    "due_date": "2026-12-20", "due_at": "2026-12-20T17:00:00Z", "note": "รายงานไตรมาสแรก",
    "status": "submitted", "submitted_at": "2026-12-08T03:00:00Z",
    "content_hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "record_count": 1344, "total": "9072.00",
    "created_at": "2026-12-06T02:00:00Z", "updated_at": "2026-12-08T03:00:00Z", "version": 2
}))]
pub struct ReportRequestBody {
    pub id: uuid::Uuid,
    /// The provider asked.
    pub provider_id: uuid::Uuid,
    /// GIX.
    pub requested_by: uuid::Uuid,
    #[schema(example = "2026-10")]
    pub from: String,
    #[schema(example = "2026-11")]
    pub to: String,
    pub group_by: Vec<String>,
    /// The last day to answer (Asia/Bangkok).
    #[schema(example = "2026-12-20")]
    pub due_date: String,
    /// The instant it becomes overdue: the end of `due_date` in Bangkok.
    pub due_at: DateTime<Utc>,
    pub note: Option<String>,
    pub status: ReportRequestStatusBody,
    pub submitted_at: Option<DateTime<Utc>>,
    /// SHA-256 (hex) of the frozen report's CSV without byte-order mark: anyone holding the
    /// CSV can check it is the report submitted.
    pub content_hash: Option<String>,
    pub record_count: Option<i64>,
    /// THB, the frozen report's total.
    pub total: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl ReportRequestBody {
    pub fn new(r: &ReportRequestRecord, now: DateTime<Utc>) -> Self {
        use gsi_domain::report::ReportRequestStatus;
        ReportRequestBody {
            id: r.id,
            provider_id: r.provider.as_uuid(),
            requested_by: r.requested_by.as_uuid(),
            from: r.period.from.to_string(),
            to: r.period.to.to_string(),
            group_by: r.grouping.dimensions().iter().map(|d| d.as_str().to_owned()).collect(),
            due_date: r.due_date.format("%Y-%m-%d").to_string(),
            due_at: r.due_at,
            note: r.note.clone(),
            status: match r.state.status(r.due_at, now) {
                ReportRequestStatus::Open => ReportRequestStatusBody::Open,
                ReportRequestStatus::Overdue => ReportRequestStatusBody::Overdue,
                ReportRequestStatus::Submitted => ReportRequestStatusBody::Submitted,
            },
            submitted_at: r.submitted_at,
            content_hash: r.content_hash.clone(),
            record_count: r.record_count,
            total: r.total.map(|t| t.to_string()),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

pub fn request_response(r: &ReportRequestRecord, now: DateTime<Utc>) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(r.version))).json(ReportRequestBody::new(r, now))
}

/// What GIX asks a provider for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider_id": "00000000-0000-7000-8000-000000000b02", "from": "2026-10", "to": "2026-11",
    "group_by": "agency,metric", "due_date": "2026-12-20", "note": "รายงานไตรมาสแรก"
}))]
pub struct NewReportRequestBody {
    pub provider_id: uuid::Uuid,
    /// First month, `YYYY-MM`.
    pub from: String,
    /// Last month, `YYYY-MM`; must have ended.
    pub to: String,
    /// Comma-separated dimensions, as for `GET /v1/reports/usage`.
    #[schema(example = "agency,metric")]
    pub group_by: String,
    /// `YYYY-MM-DD`, today or later (Asia/Bangkok).
    #[schema(example = "2026-12-20")]
    pub due_date: String,
    #[schema(max_length = 4000)]
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRequestList {
    pub items: Vec<ReportRequestBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListReportRequestsQuery {
    /// `open` (includes overdue) or `submitted`.
    pub state: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// A frozen answer: the request and its figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubmittedReportBody {
    pub request: ReportRequestBody,
    pub report: crate::routes::reports::UsageReportBody,
}
