pub mod close;
pub mod csv;
pub mod get;
pub mod list;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::billing::{LineKind, Statement, StatementLine, StatementStatus};
use gsi_persistence::repos::statements::StatementRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::service::MetricBody;

/// Open while usage is billed on it; issued (immutable) once the provider closes the month.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StatementStatusBody {
    Open,
    Issued,
}

impl From<StatementStatus> for StatementStatusBody {
    fn from(s: StatementStatus) -> Self {
        match s {
            StatementStatus::Open => StatementStatusBody::Open,
            StatementStatus::Issued => StatementStatusBody::Issued,
        }
    }
}

impl From<StatementStatusBody> for StatementStatus {
    fn from(s: StatementStatusBody) -> Self {
        match s {
            StatementStatusBody::Open => StatementStatus::Open,
            StatementStatusBody::Issued => StatementStatus::Issued,
        }
    }
}

/// `usage` of the statement's own month, or an `adjustment`: late usage (or a correction) of
/// an earlier month that was already issued.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LineKindBody {
    Usage,
    Adjustment,
}

impl From<LineKind> for LineKindBody {
    fn from(k: LineKind) -> Self {
        match k {
            LineKind::Usage => LineKindBody::Usage,
            LineKind::Adjustment => LineKindBody::Adjustment,
        }
    }
}

/// A statement without its lines.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000f1",
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "provider_id": "00000000-0000-7000-8000-000000000b02",
    "month": "2026-11", "status": "issued", "issued_at": "2026-12-01T02:00:00Z",
    "usage_total": "9072.00", "adjustment_total": "-0.50", "total": "9071.50", "line_count": 61,
    "created_at": "2026-11-01T17:05:00Z", "updated_at": "2026-12-01T02:00:00Z", "version": 42
}))]
pub struct StatementSummaryBody {
    pub id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    /// The Asia/Bangkok month billed.
    #[schema(example = "2026-11")]
    pub month: String,
    pub status: StatementStatusBody,
    /// When the provider closed the month; absent while open.
    pub issued_at: Option<DateTime<Utc>>,
    /// THB: lines of the month's own usage.
    #[schema(example = "9072.00")]
    pub usage_total: String,
    /// THB: adjustment lines (late usage of issued months).
    #[schema(example = "-0.50")]
    pub adjustment_total: String,
    /// THB: the sum of every line's amount.
    #[schema(example = "9071.50")]
    pub total: String,
    pub line_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows with every change; also the `ETag`.
    pub version: i64,
}

impl From<&StatementRecord> for StatementSummaryBody {
    fn from(s: &StatementRecord) -> Self {
        StatementSummaryBody {
            id: s.id.as_uuid(),
            agency_id: s.agency.as_uuid(),
            provider_id: s.provider.as_uuid(),
            month: s.month.to_string(),
            status: s.status.into(),
            issued_at: s.issued_at,
            usage_total: s.usage_total.to_string(),
            adjustment_total: s.adjustment_total.to_string(),
            total: s.total.to_string(),
            line_count: s.line_count,
            created_at: s.created_at,
            updated_at: s.updated_at,
            version: s.version,
        }
    }
}

/// One rated usage record on a statement: the same columns, names and texts as a row of the
/// CSV download.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementLineBody {
    pub line_kind: LineKindBody,
    /// The month the usage belongs to; earlier than the statement's on an adjustment.
    #[schema(example = "2026-11")]
    pub usage_month: String,
    pub subscription_id: uuid::Uuid,
    /// Our id of the usage record.
    pub usage_record_id: uuid::Uuid,
    /// The provider's id of the usage record.
    #[schema(example = "vm-7781/2026-11-02T03")]
    pub record_id: String,
    /// The record a correction corrects.
    pub corrects: Option<String>,
    pub metric: MetricBody,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    /// When the usage arrived: the date of an adjustment.
    pub recorded_at: DateTime<Utc>,
    #[schema(example = "16")]
    pub quantity: String,
    /// THB per unit in the offering at the period start.
    #[schema(example = "1.05")]
    pub unit_price: String,
    /// THB per unit: the reference price in force then, if any (GSI-7.1).
    #[schema(example = "1.2")]
    pub reference_price: Option<String>,
    /// THB per unit charged: the unit price capped at the reference price.
    #[schema(example = "1.05")]
    pub effective_price: String,
    /// The reference price was lower than the unit price, so it was charged instead.
    pub cap_applied: bool,
    /// THB: quantity × effective price, rounded once to the satang (half away from zero).
    #[schema(example = "16.80")]
    pub amount: String,
}

impl From<&StatementLine> for StatementLineBody {
    fn from(l: &StatementLine) -> Self {
        let r = &l.rating;
        StatementLineBody {
            line_kind: l.kind.into(),
            usage_month: l.usage_month.to_string(),
            subscription_id: l.subscription.as_uuid(),
            usage_record_id: l.usage_record.as_uuid(),
            record_id: l.record_id.to_string(),
            corrects: l.corrects.as_ref().map(ToString::to_string),
            metric: l.metric.into(),
            period_start: l.period.start(),
            period_end: l.period.end(),
            recorded_at: l.recorded_at,
            quantity: r.quantity.to_string(),
            unit_price: r.unit_price.to_string(),
            reference_price: r.reference_price.map(|p| p.to_string()),
            effective_price: r.effective_price.to_string(),
            cap_applied: r.cap_applied,
            amount: r.amount.to_string(),
        }
    }
}

/// A monthly statement with its lines, in the order they arrived.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatementBody {
    #[serde(flatten)]
    pub summary: StatementSummaryBody,
    pub lines: Vec<StatementLineBody>,
}

impl StatementBody {
    fn new(record: &StatementRecord, statement: &Statement) -> Self {
        StatementBody {
            summary: StatementSummaryBody::from(record),
            lines: statement.lines().iter().map(StatementLineBody::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatementList {
    pub items: Vec<StatementSummaryBody>,
    pub next_cursor: Option<String>,
}

fn statement_response(record: &StatementRecord, statement: &Statement) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(record.version))).json(StatementBody::new(record, statement))
}

/// The month a provider closes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"month": "2026-11"}))]
pub struct CloseMonthInput {
    /// `YYYY-MM`, an Asia/Bangkok month that has ended.
    #[schema(example = "2026-11")]
    pub month: String,
}

/// The provider's statements of the closed month, all issued.
#[derive(Debug, Serialize, ToSchema)]
pub struct ClosedMonthBody {
    #[schema(example = "2026-11")]
    pub month: String,
    /// Statements this request issued (0 when the month was already closed).
    pub newly_issued: usize,
    pub statements: Vec<StatementSummaryBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListStatementsQuery {
    /// `YYYY-MM`.
    #[param(example = "2026-11")]
    pub month: Option<String>,
    #[param(value_type = Option<StatementStatusBody>)]
    pub status: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
