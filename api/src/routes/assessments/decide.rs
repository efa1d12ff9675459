use actix_web::{HttpResponse, post, web};
use gsi_domain::governance::assessment::DecisionDraft;
use gsi_persistence::write_tx;

use super::{AssessmentDetail, DecisionBody};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Conflict, Forbidden, NotFound, PayloadTooLarge, ServiceUnavailable, Unauthenticated,
    UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Decide an assessment
///
/// The assessor closes the assessment with `certify` or `refuse` (GSI-11.3). `certify` needs
/// the assessment performed, no open major nonconformity (422 `outcome`
/// `open_major_nonconformity` naming the clauses), and the assessor still accredited for the
/// scope (GSI-12.1). It creates a certification for the families in scope, valid at most one
/// year from its date (GSI-11.1; 422 `valid_until` `longer_than_one_year`), with the next
/// surveillance due date; from that instant the provider list reflects it (GSI-12.2), and the
/// change appears in `GET /v1/provider-list/changes`. Decided already: 409.
#[utoipa::path(
    tag = "governance",
    request_body = DecisionBody,
    params(("assessment_id" = uuid::Uuid, Path, description = "The assessment")),
    responses(
        (status = 200, description = "The decided assessment with its certification", body = AssessmentDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/assessments/{assessment_id}/decision")]
pub async fn decide_assessment(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    body: JsonBody<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let b = body.into_inner();
    let draft =
        DecisionDraft { outcome: b.outcome, note: b.note, certified_on: b.certified_on, valid_until: b.valid_until };
    let ctx = ctx.0;
    let v = db(&state, move |conn| write_tx(conn, |tx| assessments::decide(tx, &ctx, id, &draft))).await?;
    Ok(HttpResponse::Ok().json(AssessmentDetail::from(&v)))
}
