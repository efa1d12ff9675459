use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::{HttpResponse, get, web};
use gsi_domain::billing::render_csv;

use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::openapi::{BadRequest, Forbidden, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::statements;

/// Download a monthly statement as CSV
///
/// The statement's lines as RFC 4180 CSV (UTF-8, CRLF): a header row, then one row per line
/// in the order of the JSON `lines`, with the same column names and the same texts
/// (`line_kind`, `usage_month`, `subscription_id`, `usage_record_id`, `record_id`, `corrects`,
/// `metric`, `period_start`, `period_end`, `recorded_at`, `quantity`, `unit_price`,
/// `reference_price`, `effective_price`, `cap_applied`, `amount`; an absent value is empty).
/// The `amount` column adds up to the statement's total (GSI-7.5.3). Same access as the JSON.
#[utoipa::path(
    tag = "statements",
    params(("statement_id" = uuid::Uuid, Path, description = "Statement id")),
    responses(
        (status = 200, description = "The statement's lines as CSV", body = String, content_type = "text/csv",
            headers(
                ("ETag" = String, description = "Current version"),
                ("Content-Disposition" = String, description = "attachment; filename=statement-<month>-<id>.csv")
            ),
            example = json!("line_kind,usage_month,subscription_id,usage_record_id,record_id,corrects,metric,period_start,period_end,recorded_at,quantity,unit_price,reference_price,effective_price,cap_applied,amount\r\nusage,2026-11,0190f5c2-1a2b-7c3d-8e4f-0000000000d1,0190f5c2-1a2b-7c3d-8e4f-0000000000e1,vm-7781/2026-11-02T03,,vcpu_hour,2026-11-02T03:00:00Z,2026-11-02T04:00:00Z,2026-11-02T04:05:00Z,16,1.05,1.2,1.05,false,16.80\r\n")),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/statements/{statement_id}/csv")]
pub async fn get_statement_csv(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let (record, statement) = db(&state, move |conn| statements::get(conn, &ctx.0, id)).await?;
    let filename = format!("statement-{}-{}.csv", record.month, record.id);
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((header::ETAG, etag(record.version)))
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(filename)],
        })
        .body(render_csv(&statement)))
}
