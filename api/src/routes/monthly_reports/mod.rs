//! Agencies' monthly reports against their fiscal-year budget (GSI-13.3).

pub mod create;
pub mod get;
pub mod list;
pub mod notes;
pub mod overview;
pub mod revise;
pub mod submit;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::csv;
use gsi_domain::report::{BudgetUse, DueDay, MonthlyReportState, SlaHighlight, SpendLine, monthly_report_due};
use gsi_persistence::repos::reports::MonthlyReportRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::budgets::FiscalYearBody;

/// `draft` (notes may change) or `submitted` (immutable).
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum MonthlyReportStateBody {
    Draft,
    Submitted,
}

impl From<MonthlyReportState> for MonthlyReportStateBody {
    fn from(s: MonthlyReportState) -> Self {
        match s {
            MonthlyReportState::Draft => MonthlyReportStateBody::Draft,
            MonthlyReportState::Submitted => MonthlyReportStateBody::Submitted,
        }
    }
}

/// One provider and service's spending in the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpendLineBody {
    pub provider_id: uuid::Uuid,
    pub provider_name: String,
    pub subscription_id: uuid::Uuid,
    pub offering_id: uuid::Uuid,
    pub offering_name: String,
    #[schema(example = "cloud")]
    pub service_family: String,
    pub record_count: i64,
    /// THB.
    #[schema(example = "4233.60")]
    pub amount: String,
}

impl From<&SpendLine> for SpendLineBody {
    fn from(l: &SpendLine) -> Self {
        SpendLineBody {
            provider_id: l.provider.id,
            provider_name: l.provider.name.clone(),
            subscription_id: l.subscription,
            offering_id: l.offering.id,
            offering_name: l.offering.name.clone(),
            service_family: l.service_family.as_str().to_owned(),
            record_count: l.record_count,
            amount: l.amount.to_string(),
        }
    }
}

/// Spending from October through the month against the whole-year budget.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"amount": "1200000.00", "spent": "450000.50", "remaining": "749999.50", "percent_used": "37.50", "months_elapsed": 6, "projected_year_spend": "900001.00", "projected_over_budget": false}))]
pub struct BudgetUseBody {
    /// THB, the fiscal year's budget.
    pub amount: String,
    /// THB spent 1 October through the month.
    pub spent: String,
    /// THB; negative when overspent.
    pub remaining: String,
    /// `spent / amount` in percent, two decimals.
    pub percent_used: Option<String>,
    /// October = 1 … September = 12.
    pub months_elapsed: u32,
    /// THB: `spent / months_elapsed × 12`, the year's spending at the current rate.
    pub projected_year_spend: String,
    pub projected_over_budget: bool,
}

impl From<&BudgetUse> for BudgetUseBody {
    fn from(b: &BudgetUse) -> Self {
        BudgetUseBody {
            amount: b.budget.to_string(),
            spent: b.spent.to_string(),
            remaining: b.remaining.to_string(),
            percent_used: b.percent_used.map(|p| format!("{p:.2}")),
            months_elapsed: b.months_elapsed,
            projected_year_spend: b.projected_year_spend.to_string(),
            projected_over_budget: b.projected_over_budget,
        }
    }
}

/// A subscription's SLA in the month and its incidents against their deadlines.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaHighlightBody {
    pub subscription_id: uuid::Uuid,
    #[schema(example = "99.9")]
    pub availability_target_percent: String,
    #[schema(example = "99.95")]
    pub availability_achieved_percent: String,
    pub availability_breached: bool,
    pub reliability_breached: bool,
    pub incidents_met: u32,
    pub incidents_breached: u32,
    pub incidents_pending: u32,
    /// THB service credit, when the month's charge is known.
    pub credit: Option<String>,
}

impl From<&SlaHighlight> for SlaHighlightBody {
    fn from(s: &SlaHighlight) -> Self {
        SlaHighlightBody {
            subscription_id: s.subscription,
            availability_target_percent: s.target_percent.to_string(),
            availability_achieved_percent: s.achieved_percent.to_string(),
            availability_breached: s.availability_breached,
            reliability_breached: s.reliability_breached,
            incidents_met: s.incidents_met,
            incidents_breached: s.incidents_breached,
            incidents_pending: s.incidents_pending,
            credit: s.credit.map(|c| c.to_string()),
        }
    }
}

/// Another revision of the same month.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionRefBody {
    pub id: uuid::Uuid,
    pub revision: i32,
    pub state: MonthlyReportStateBody,
    pub submitted_at: Option<DateTime<Utc>>,
}

/// One revision of an agency's monthly report.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyReportBody {
    pub id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    #[schema(example = "2026-11")]
    pub month: String,
    /// 1 for the first; a correction of a submitted report is the next.
    pub revision: i32,
    pub state: MonthlyReportStateBody,
    pub notes: Option<String>,
    pub fiscal_year: FiscalYearBody,
    /// Due by the end of this instant's day (the 15th of the following month by default).
    pub due_at: DateTime<Utc>,
    pub lines: Vec<SpendLineBody>,
    /// THB, the sum of the lines.
    pub month_total: String,
    /// THB spent 1 October through the month.
    pub fiscal_year_spent: String,
    /// Absent when no whole-year budget is recorded.
    pub budget: Option<BudgetUseBody>,
    pub sla: Vec<SlaHighlightBody>,
    /// SHA-256 of the figures' canonical form.
    pub content_hash: String,
    pub submitted_at: Option<DateTime<Utc>>,
    pub submitted_by: Option<String>,
    /// Every revision of the month, oldest first (this one included); in lists only this one.
    pub revisions: Vec<RevisionRefBody>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl MonthlyReportBody {
    pub fn new(r: &MonthlyReportRecord, revisions: &[MonthlyReportRecord], due_day: DueDay) -> Self {
        let f = &r.figures;
        MonthlyReportBody {
            id: r.id,
            agency_id: r.agency.as_uuid(),
            month: r.month.to_string(),
            revision: r.revision,
            state: r.state.into(),
            notes: r.notes.clone(),
            fiscal_year: r.fiscal_year.into(),
            due_at: monthly_report_due(r.month, due_day),
            lines: f.lines.iter().map(SpendLineBody::from).collect(),
            month_total: f.month_total.to_string(),
            fiscal_year_spent: f.fiscal_year_spent.to_string(),
            budget: f.budget.as_ref().map(BudgetUseBody::from),
            sla: f.sla.iter().map(SlaHighlightBody::from).collect(),
            content_hash: r.content_hash.clone(),
            submitted_at: r.submitted_at,
            submitted_by: r.submitted_by.clone(),
            revisions: revisions
                .iter()
                .map(|v| RevisionRefBody {
                    id: v.id,
                    revision: v.revision,
                    state: v.state.into(),
                    submitted_at: v.submitted_at,
                })
                .collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

pub fn monthly_response(
    status: actix_web::http::StatusCode,
    r: &MonthlyReportRecord,
    revisions: &[MonthlyReportRecord],
    due_day: DueDay,
) -> HttpResponse {
    let mut builder = HttpResponse::build(status);
    builder.insert_header((header::ETAG, etag(r.version)));
    if status == actix_web::http::StatusCode::CREATED {
        builder.insert_header((header::LOCATION, format!("/v1/monthly-reports/{}", r.id)));
    }
    builder.json(MonthlyReportBody::new(r, revisions, due_day))
}

const CSV_COLUMNS: [&str; 16] = [
    "section",
    "provider_id",
    "provider_name",
    "subscription_id",
    "offering_name",
    "service_family",
    "record_count",
    "amount",
    "availability_target_percent",
    "availability_achieved_percent",
    "availability_breached",
    "reliability_breached",
    "incidents_met",
    "incidents_breached",
    "incidents_pending",
    "credit",
];

/// The same figures as the JSON, one row each: `line` rows, `month_total`,
/// `fiscal_year_spent`, the budget rows when a budget is recorded, then `sla` rows.
pub fn monthly_csv(bom: bool, r: &MonthlyReportRecord) -> String {
    let f = &r.figures;
    let row = |section: &str, amount: String| {
        let mut fields = vec![String::new(); CSV_COLUMNS.len()];
        fields[0] = section.to_owned();
        fields[7] = amount;
        fields
    };
    let mut rows: Vec<Vec<String>> = f
        .lines
        .iter()
        .map(|l| {
            let mut fields = row("line", l.amount.to_string());
            fields[1] = l.provider.id.to_string();
            fields[2] = l.provider.name.clone();
            fields[3] = l.subscription.to_string();
            fields[4] = l.offering.name.clone();
            fields[5] = l.service_family.as_str().to_owned();
            fields[6] = l.record_count.to_string();
            fields
        })
        .collect();
    rows.push(row("month_total", f.month_total.to_string()));
    rows.push(row("fiscal_year_spent", f.fiscal_year_spent.to_string()));
    if let Some(b) = &f.budget {
        rows.push(row("budget", b.budget.to_string()));
        rows.push(row("budget_remaining", b.remaining.to_string()));
        rows.push(row("budget_percent_used", b.percent_used.map(|p| format!("{p:.2}")).unwrap_or_default()));
        rows.push(row("projected_year_spend", b.projected_year_spend.to_string()));
    }
    for s in &f.sla {
        let mut fields = row("sla", String::new());
        fields[3] = s.subscription.to_string();
        fields[8] = s.target_percent.to_string();
        fields[9] = s.achieved_percent.to_string();
        fields[10] = s.availability_breached.to_string();
        fields[11] = s.reliability_breached.to_string();
        fields[12] = s.incidents_met.to_string();
        fields[13] = s.incidents_breached.to_string();
        fields[14] = s.incidents_pending.to_string();
        fields[15] = s.credit.map(|c| c.to_string()).unwrap_or_default();
        rows.push(fields);
    }
    csv::document(bom, &CSV_COLUMNS, rows)
}

/// The month a report is drafted for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"month": "2026-11"}))]
pub struct DraftMonthlyReportBody {
    /// `YYYY-MM`, an ended Asia/Bangkok month.
    pub month: String,
}

/// The agency admin's notes on a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"notes": "ค่าใช้จ่ายคลาวด์เพิ่มขึ้นจากระบบลงทะเบียนออนไลน์"}))]
pub struct MonthlyReportNotesBody {
    /// At most 4,000 characters; empty or null clears them.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyReportList {
    pub items: Vec<MonthlyReportBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListMonthlyReportsQuery {
    #[param(example = "2026-11")]
    pub month: Option<String>,
    /// GIX: one agency.
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}
