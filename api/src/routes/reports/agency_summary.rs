use actix_web::{HttpRequest, HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::csv;
use gsi_persistence::repos::reports::KeyedCount;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::period;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::params;
use crate::http::report_format::{ReportFormat, csv_response, negotiate};
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::monthly_reports::{SlaHighlightBody, SpendLineBody};
use crate::state::AppState;
use crate::usecases::reports::{self, AgencySummary};

/// A count under two keys.
#[derive(Debug, Serialize, ToSchema)]
pub struct CountBody {
    /// e.g. `in_use`, a request kind, an incident state or a security-event category.
    pub key: String,
    /// e.g. a service family, a request status, a priority or a severity.
    pub detail: String,
    pub count: i64,
}

fn counts(rows: &[KeyedCount]) -> Vec<CountBody> {
    rows.iter().map(|r| CountBody { key: r.first.clone(), detail: r.second.clone(), count: r.count }).collect()
}

/// One subscription's SLA in one month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthSlaBody {
    #[schema(example = "2026-11")]
    pub month: String,
    #[serde(flatten)]
    pub sla: SlaHighlightBody,
}

/// GSI-7.5.9, 13.2: an agency's services, requests, costs, incidents, security events and
/// SLA attainment for a period.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgencySummaryBody {
    pub agency_id: uuid::Uuid,
    /// Present when a provider reads it: only its own services are counted.
    pub provider_id: Option<uuid::Uuid>,
    #[schema(example = "2026-11")]
    pub from: String,
    #[schema(example = "2026-11")]
    pub to: String,
    /// `key` = `in_use` / `started` / `ended`, `detail` = service family.
    pub services: Vec<CountBody>,
    /// Requests made in the period: `key` = kind, `detail` = current status (the outcome).
    pub requests: Vec<CountBody>,
    /// Costs per provider and service.
    pub costs: Vec<SpendLineBody>,
    /// THB.
    pub costs_total: String,
    /// Incidents reported in the period: `key` = state, `detail` = priority.
    pub incidents: Vec<CountBody>,
    /// Security events detected in the period: `key` = category, `detail` = severity.
    pub security_events: Vec<CountBody>,
    /// Per subscription and month: availability, reliability, incidents met/breached
    /// against their deadlines, service credit.
    pub sla: Vec<MonthSlaBody>,
}

impl From<&AgencySummary> for AgencySummaryBody {
    fn from(s: &AgencySummary) -> Self {
        AgencySummaryBody {
            agency_id: s.agency.as_uuid(),
            provider_id: s.provider.map(|p| p.as_uuid()),
            from: s.period.from.to_string(),
            to: s.period.to.to_string(),
            services: counts(&s.services),
            requests: counts(&s.requests),
            costs: s.spend.iter().map(SpendLineBody::from).collect(),
            costs_total: s.spend_total.to_string(),
            incidents: counts(&s.incidents),
            security_events: counts(&s.security_events),
            sla: s.sla.iter().map(|(m, h)| MonthSlaBody { month: m.to_string(), sla: h.into() }).collect(),
        }
    }
}

const COLUMNS: [&str; 11] = [
    "section",
    "key",
    "detail",
    "month",
    "subscription_id",
    "provider_name",
    "offering_name",
    "count",
    "amount",
    "availability_achieved_percent",
    "breached",
];

/// The same figures as the JSON, one row each, sections in JSON order.
fn summary_csv(bom: bool, b: &AgencySummaryBody) -> String {
    let blank = || vec![String::new(); COLUMNS.len()];
    let mut rows = Vec::new();
    for (section, list) in [
        ("services", &b.services),
        ("requests", &b.requests),
        ("incidents", &b.incidents),
        ("security_events", &b.security_events),
    ] {
        for c in list {
            let mut r = blank();
            r[0] = section.to_owned();
            r[1] = c.key.clone();
            r[2] = c.detail.clone();
            r[7] = c.count.to_string();
            rows.push(r);
        }
    }
    for l in &b.costs {
        let mut r = blank();
        r[0] = "costs".to_owned();
        r[1] = l.service_family.clone();
        r[4] = l.subscription_id.to_string();
        r[5] = l.provider_name.clone();
        r[6] = l.offering_name.clone();
        r[7] = l.record_count.to_string();
        r[8] = l.amount.clone();
        rows.push(r);
    }
    let mut total = blank();
    total[0] = "costs_total".to_owned();
    total[8] = b.costs_total.clone();
    rows.push(total);
    for s in &b.sla {
        let mut r = blank();
        r[0] = "sla".to_owned();
        r[3] = s.month.clone();
        r[4] = s.sla.subscription_id.to_string();
        r[9] = s.sla.availability_achieved_percent.clone();
        r[10] = (s.sla.availability_breached || s.sla.reliability_breached).to_string();
        rows.push(r);
    }
    csv::document(bom, &COLUMNS, rows)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AgencySummaryQuery {
    /// The agency (required for GIX and providers; agencies read their own).
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    /// First month, `YYYY-MM`; default the previous month.
    #[param(example = "2026-11")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; default `from`; at most 12 months.
    #[param(example = "2026-11")]
    pub to: Option<String>,
    /// `csv` or `json`; overrides `Accept`.
    pub format: Option<String>,
    #[param(value_type = Option<bool>)]
    pub bom: Option<String>,
}

/// Agency summary report
///
/// GSI-7.5.9, 13.2: for a Bangkok month or a range of up to 12 months, one agency's services
/// in use and what changed (started, ended; change and cancellation requests with their
/// outcomes), requests made and their outcomes, costs per service and in total, incidents by
/// state and priority, security events by category and severity, and SLA attainment per
/// subscription and month with incidents met/breached against their deadlines. Every figure
/// is counted or summed by the database. Agency admins and users read their own; providers
/// an agency they serve, their part only; GIX any agency. Another agency's is 404. JSON, or
/// CSV with `Accept: text/csv` or `format=csv`.
#[utoipa::path(
    tag = "reports",
    params(AgencySummaryQuery),
    responses(
        (status = 200, description = "The summary", content(
            (AgencySummaryBody = "application/json"),
            (String = "text/csv")
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/reports/agency-summary")]
pub async fn get_agency_summary(
    state: web::Data<AppState>,
    ctx: RequestContext,
    req: HttpRequest,
    query: web::Query<AgencySummaryQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let format = negotiate(&req, q.format.as_deref(), q.bom.as_deref(), &mut errors);
    let period = period(q.from.as_deref(), q.to.as_deref(), ctx.0.now, &mut errors);
    let agency = params::id("agency_id", q.agency_id.as_deref(), &mut errors);
    let Some(period) = period.filter(|_| errors.is_empty()) else {
        return Err(ApiError::InvalidParameters(errors));
    };
    let summary = db(&state, move |conn| reports::agency_summary(conn, &ctx.0, agency, period)).await?;
    let body = AgencySummaryBody::from(&summary);
    Ok(match format {
        ReportFormat::Json => HttpResponse::Ok().insert_header(("Vary", "Accept")).json(body),
        ReportFormat::Csv { bom } => {
            csv_response(format!("agency-summary-{}-{}-{}.csv", body.agency_id, body.from, body.to))
                .body(summary_csv(bom, &body))
        }
    })
}
