use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::calendar::Month;
use gsi_domain::csv;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::report_format::{ReportFormat, csv_response, negotiate};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports::{self, AgencyStanding};

/// `submitted`, `submitted_late`, `pending` (not due yet) or `overdue`.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StandingBody {
    Submitted,
    SubmittedLate,
    Pending,
    Overdue,
}

/// One agency's standing for the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencyStandingBody {
    pub agency_id: uuid::Uuid,
    pub agency_name: String,
    pub standing: StandingBody,
    /// A draft exists.
    pub has_draft: bool,
    pub first_submitted_at: Option<DateTime<Utc>>,
    /// The latest submitted revision.
    pub report_id: Option<uuid::Uuid>,
    pub revision: Option<i32>,
    /// THB, from the latest submitted revision.
    pub month_total: Option<String>,
    pub fiscal_year_spent: Option<String>,
    pub budget: Option<String>,
}

impl From<&AgencyStanding> for AgencyStandingBody {
    fn from(a: &AgencyStanding) -> Self {
        use gsi_domain::report::ReportStanding;
        let latest = a.row.latest_submitted.as_ref();
        AgencyStandingBody {
            agency_id: a.row.agency.id,
            agency_name: a.row.agency.name.clone(),
            standing: match a.standing {
                ReportStanding::Submitted { late: false } => StandingBody::Submitted,
                ReportStanding::Submitted { late: true } => StandingBody::SubmittedLate,
                ReportStanding::Pending => StandingBody::Pending,
                ReportStanding::Overdue => StandingBody::Overdue,
            },
            has_draft: a.row.has_draft,
            first_submitted_at: a.row.first_submitted_at,
            report_id: latest.map(|l| l.0),
            revision: latest.map(|l| l.1),
            month_total: latest.map(|l| l.2.to_string()),
            fiscal_year_spent: latest.map(|l| l.3.to_string()),
            budget: latest.and_then(|l| l.4.map(|b| b.to_string())),
        }
    }
}

/// GIX's view of one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthlyOverviewBody {
    #[schema(example = "2026-11")]
    pub month: String,
    /// Reports are overdue from this instant (the end of the due day, Asia/Bangkok).
    pub due_at: DateTime<Utc>,
    pub submitted: usize,
    pub overdue: usize,
    pub agencies: Vec<AgencyStandingBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MonthlyOverviewQuery {
    /// `YYYY-MM`; default the previous month.
    #[param(example = "2026-11")]
    pub month: Option<String>,
    /// `csv` or `json`; overrides `Accept`.
    pub format: Option<String>,
    #[param(value_type = Option<bool>)]
    pub bom: Option<String>,
}

const COLUMNS: [&str; 11] = [
    "agency_id",
    "agency_name",
    "standing",
    "has_draft",
    "first_submitted_at",
    "report_id",
    "revision",
    "month_total",
    "fiscal_year_spent",
    "budget",
    "due_at",
];

/// Agencies' monthly reports for a month
///
/// GSI-13.3: GIX sees, per agency, whether the month's report was submitted (on time or
/// late), is pending, or is overdue (not submitted by the end of the due day of the
/// following month, the 15th unless `GSI_MONTHLY_REPORT_DUE_DAY` says otherwise), with the
/// latest submitted figures. JSON or CSV (`Accept: text/csv` or `format=csv`). GIX only.
#[utoipa::path(
    tag = "reports",
    params(MonthlyOverviewQuery),
    responses(
        (status = 200, description = "Every agency's standing", content(
            (MonthlyOverviewBody = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/monthly-reports/overview")]
pub async fn get_monthly_overview(
    state: web::Data<AppState>,
    ctx: RequestContext,
    req: HttpRequest,
    query: web::Query<MonthlyOverviewQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let format = negotiate(&req, q.format.as_deref(), q.bom.as_deref(), &mut errors);
    let month = match q.month.as_deref().map(str::parse::<Month>) {
        None => Some(Month::containing(ctx.0.now).previous()),
        Some(Ok(m)) => Some(m),
        Some(Err(e)) => {
            errors.add("month", "invalid_month", e.to_string());
            None
        }
    };
    let Some(month) = month.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidParameters(errors));
    };
    let due_day = state.report_due_day;
    let (due_at, rows) = db(&state, move |conn| reports::overview(conn, &ctx.0, month, due_day)).await?;
    let agencies: Vec<AgencyStandingBody> = rows.iter().map(AgencyStandingBody::from).collect();
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().insert_header(("Vary", "Accept")).json(MonthlyOverviewBody {
            month: month.to_string(),
            due_at,
            submitted: agencies
                .iter()
                .filter(|a| matches!(a.standing, StandingBody::Submitted | StandingBody::SubmittedLate))
                .count(),
            overdue: agencies.iter().filter(|a| a.standing == StandingBody::Overdue).count(),
            agencies,
        }),
        ReportFormat::Csv { bom } => {
            let text = |v: Option<String>| v.unwrap_or_default();
            let rows = agencies.iter().map(|a| {
                vec![
                    a.agency_id.to_string(),
                    a.agency_name.clone(),
                    serde_json::to_value(a.standing)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    a.has_draft.to_string(),
                    text(a.first_submitted_at.map(gsi_domain::billing::format_instant)),
                    text(a.report_id.map(|i| i.to_string())),
                    text(a.revision.map(|r| r.to_string())),
                    text(a.month_total.clone()),
                    text(a.fiscal_year_spent.clone()),
                    text(a.budget.clone()),
                    gsi_domain::billing::format_instant(due_at),
                ]
            });
            csv_response(format!("monthly-reports-{month}.csv")).body(csv::document(bom, &COLUMNS, rows))
        }
    })
}
