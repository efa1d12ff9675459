use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::report::ReportRequestDraft;

use super::{NewReportRequestBody, ReportRequestBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::reports;

/// Request a usage report from a provider
///
/// GSI-7.6: GIX records a formal request to one provider: the period (ended months), the
/// grouping, a due date and a note. The provider sees it among its open requests and answers
/// with `POST /v1/report-requests/{id}/submission`; after the due date an open request is
/// `overdue` for both sides. GIX only.
#[utoipa::path(
    tag = "reports",
    request_body = NewReportRequestBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe: 1–255 visible ASCII characters, e.g. a UUID; kept 24 hours")),
    responses(
        (status = 201, description = "Recorded", body = ReportRequestBody,
            headers(("Location" = String, description = "The new request"), ("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/report-requests")]
pub async fn create_report_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<NewReportRequestBody>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft = ReportRequestDraft {
        provider_id: input.provider_id.to_string(),
        from: input.from,
        to: input.to,
        group_by: input.group_by,
        due_date: input.due_date,
        note: input.note,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let record = reports::create_request(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/report-requests/{}", record.id),
                etag: Some(etag(record.version)),
                body: ReportRequestBody::new(&record, ctx.now),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
