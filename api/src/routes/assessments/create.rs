use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::assessment::AssessmentDraft;

use super::{AssessmentBody, AssessmentDetail};
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::idempotency::{self, Created, Fingerprint, IdempotencyKey};
use crate::http::json::JsonBody;
use crate::openapi::{
    BadRequest, Forbidden, PayloadTooLarge, ServiceUnavailable, Unauthenticated, UnsupportedMediaType, ValidationFailed,
};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::assessments;

/// Record an assessment
///
/// An assessor records an assessment of a provider (GSI-11.1: `initial`, `surveillance`,
/// `on_request`, `recertification`) for families in scope, each against its family standard
/// (GSI-6.3), with the provider's consent to inspection (GSI-11.4). Only an assessor accredited
/// by GIX on the assessment date (performed, else planned) for every family in scope may
/// (GSI-12.1): otherwise 422 on `assessor` naming the reason (`assessor_not_accredited`,
/// `accreditation_withdrawn`, `accreditation_not_in_force`, `families_not_accredited`). Other
/// roles: 403.
#[utoipa::path(
    tag = "governance",
    request_body = AssessmentBody,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, description = "The open assessment", body = AssessmentDetail),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/assessments")]
pub async fn create_assessment(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    key: IdempotencyKey,
    body: JsonBody<AssessmentBody>,
) -> Result<HttpResponse, ApiError> {
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let b = body.into_inner();
    let draft = AssessmentDraft {
        provider: b.provider_id.map(Into::into),
        kind: b.kind,
        families: b.families,
        planned_on: b.planned_on,
        performed_on: b.performed_on,
        consent_ref: b.consent_ref,
    };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let v = assessments::create_assessment(tx, &ctx, &draft)?;
            Ok(Created {
                location: format!("/v1/assessments/{}", v.assessment.id),
                etag: None,
                body: AssessmentDetail::from(&v),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
