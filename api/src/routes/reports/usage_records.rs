use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use gsi_domain::ValidationErrors;
use gsi_domain::billing::{CSV_COLUMNS, csv_fields};
use gsi_domain::csv;
use gsi_persistence::repos::usage::BilledUsage;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{filter, period};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::report_format::{ReportFormat, csv_preamble, csv_response, negotiate};
use crate::http::stream::{StreamStop, blocking_stream};
use crate::openapi::{BadRequest, Forbidden, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::routes::statements::StatementLineBody;
use crate::state::AppState;
use crate::usecases::reports::{self, ExportCursor};

/// Rows read from the database per chunk.
const PAGE_ROWS: i64 = 2_000;

/// One rated usage record: whose it is, the statement month it is billed on, and the same
/// fields as a statement line.
#[derive(Debug, Serialize, ToSchema)]
pub struct UsageRecordExportBody {
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    /// The statement it is billed on (later than `usage_month` for an adjustment).
    #[schema(example = "2026-11")]
    pub statement_month: String,
    #[serde(flatten)]
    pub line: StatementLineBody,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsageRecordsQuery {
    /// First month of use, `YYYY-MM`; default the previous month.
    #[param(example = "2026-11")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; default `from`.
    #[param(example = "2026-11")]
    pub to: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
    /// `csv` or `json`; overrides `Accept`.
    pub format: Option<String>,
    /// `true`: a UTF-8 byte-order mark before the CSV.
    #[param(value_type = Option<bool>)]
    pub bom: Option<String>,
}

const EXTRA_COLUMNS: [&str; 3] = ["agency_id", "provider_id", "statement_month"];

fn csv_row(out: &mut String, b: &BilledUsage) {
    let mut fields: Vec<String> =
        vec![b.rated.agency.to_string(), b.rated.provider.to_string(), b.statement_month.to_string()];
    fields.extend(csv_fields(&b.line()));
    csv::push_record(out, &fields);
}

fn json_row(out: &mut Vec<u8>, b: &BilledUsage) -> Result<(), ApiError> {
    let body = UsageRecordExportBody {
        agency_id: b.rated.agency.as_uuid(),
        provider_id: b.rated.provider.as_uuid(),
        statement_month: b.statement_month.to_string(),
        line: StatementLineBody::from(&b.line()),
    };
    serde_json::to_writer(out, &body).map_err(|e| ApiError::Internal(e.to_string()))
}

/// Export rated usage records (streamed)
///
/// GSI-7.6, 7.5.3: every rated usage record of the months `from`..`to` that the caller may
/// see (GIX all; agencies their own; providers the agencies they serve), month by month in
/// arrival order, with its agency, provider, statement month and the statement-line fields
/// (quantity, unit price, reference price, effective price, cap, amount). For data
/// warehouses and spreadsheets: the response is streamed from the database in chunks of
/// 2,000 rows, so its size is not limited by server memory.
///
/// CSV with `Accept: text/csv` or `format=csv` (RFC 4180, `bom=true` for a byte-order
/// mark); otherwise a JSON array. A failure after the first bytes cuts the transfer short
/// (the client sees an incomplete body, never a truncated file that looks complete).
#[utoipa::path(
    tag = "reports",
    params(UsageRecordsQuery),
    responses(
        (status = 200, description = "The records, streamed, as a JSON array or CSV", content(
            (Vec<UsageRecordExportBody> = "application/json"),
            (String = "text/csv", example = json!("agency_id,provider_id,statement_month,line_kind,usage_month,subscription_id,usage_record_id,record_id,corrects,metric,period_start,period_end,recorded_at,quantity,unit_price,reference_price,effective_price,cap_applied,amount\r\n"))
        )),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/reports/usage/records")]
pub async fn export_usage_records(
    state: web::Data<AppState>,
    ctx: RequestContext,
    req: HttpRequest,
    query: web::Query<UsageRecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let mut errors = ValidationErrors::new();
    let format = negotiate(&req, q.format.as_deref(), q.bom.as_deref(), &mut errors);
    let period = period(q.from.as_deref(), q.to.as_deref(), ctx.0.now, &mut errors);
    let filter = filter(q.agency_id.as_deref(), q.provider_id.as_deref(), &mut errors);
    let Some(period) = period else {
        return Err(ApiError::InvalidParameters(errors));
    };
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let scope = reports::usage_scope(&ctx.0)?;
    // The first page is read before answering, so that an early failure is still a proper
    // problem+json response.
    let (first, cursor) = db(&state, move |conn| {
        let mut cursor = ExportCursor { month: period.from, after: None, done: false };
        let page = reports::export_page(conn, scope, filter, period, &mut cursor, PAGE_ROWS)?;
        Ok((page, cursor))
    })
    .await?;
    let body = blocking_stream(state.pool.clone(), move |conn, sink| {
        let mut cursor = cursor;
        let mut page = first;
        match format {
            ReportFormat::Csv { bom } => {
                let mut head = csv_preamble(bom).to_owned();
                let columns: Vec<&str> = EXTRA_COLUMNS.iter().chain(CSV_COLUMNS.iter()).copied().collect();
                csv::push_record(&mut head, &columns);
                sink.send(head)?;
                while !page.is_empty() {
                    let mut chunk = String::with_capacity(page.len() * 256);
                    for b in &page {
                        csv_row(&mut chunk, b);
                    }
                    sink.send(chunk)?;
                    page = reports::export_page(conn, scope, filter, period, &mut cursor, PAGE_ROWS)?;
                }
            }
            ReportFormat::Json => {
                let mut first_row = true;
                sink.send("[")?;
                while !page.is_empty() {
                    let mut chunk = Vec::with_capacity(page.len() * 512);
                    for b in &page {
                        if !first_row {
                            chunk.push(b',');
                        }
                        first_row = false;
                        json_row(&mut chunk, b).map_err(StreamStop::Failed)?;
                    }
                    sink.send(chunk)?;
                    page = reports::export_page(conn, scope, filter, period, &mut cursor, PAGE_ROWS)?;
                }
                sink.send("]")?;
            }
        }
        Ok(())
    });
    Ok(match format {
        ReportFormat::Csv { .. } => {
            csv_response(format!("usage-records-{}-{}.csv", period.from, period.to)).streaming(body)
        }
        ReportFormat::Json => HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, "application/json"))
            .insert_header((header::VARY, "Accept"))
            .streaming(body),
    })
}
