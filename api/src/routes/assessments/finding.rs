use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::assessment::FindingDraft;

use super::{FindingBody, FindingView};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType,
    ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Record a finding on a clause
///
/// The assessor records a finding on one clause of the standard (GSI-11.2): `conforms`,
/// `minor_nonconformity`, `major_nonconformity` or `observation`, with evidence references
/// (documents, records, vulnerability notices) and a note. A clause not in the catalogue is
/// refused naming it (422 `clause` `unknown_clause`). After the decision only a follow-up that
/// closes an open major nonconformity (`closes_finding_id`, result `conforms`, same clause) is
/// accepted. Only the assessor that records the assessment (403); others who cannot read it:
/// 404.
#[utoipa::path(
    tag = "governance",
    request_body = FindingBody,
    params(
        ("assessment_id" = uuid::Uuid, Path, description = "The assessment"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    responses(
        (status = 201, description = "The finding", body = FindingView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/assessments/{assessment_id}/findings")]
pub async fn add_finding(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<FindingBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let b = body.into_inner();
    let draft = FindingDraft {
        clause: b.clause,
        result: b.result,
        evidence_refs: b.evidence_refs,
        note: b.note,
        closes: b.closes_finding_id.map(Into::into),
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let f = assessments::add_finding(tx, &ctx, id, &draft)?;
            Ok(Created { location: format!("/v1/assessments/{id}"), etag: None, body: FindingView::from(&f) })
        })
    })
    .await?;
    Ok(response.into_response())
}
