use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::accreditation::AccreditationDraft;

use super::{AccreditationBody, AccreditationView};
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

/// Accredit an assessor
///
/// GIX accredits an assessor organisation for a period and the service families it may assess
/// (GSI-12.1: GIX selects qualified assessors). Only an assessor accredited on the assessment
/// date for every family in scope records assessments, verifies certificates and certifies
/// providers. GIX officers only (403); 422 names each bad field, and `assessor_id`
/// `not_an_assessor` when the organisation is not a registered assessor.
#[utoipa::path(
    tag = "governance",
    request_body = AccreditationBody,
    params(
        ("assessor_id" = uuid::Uuid, Path, description = "The assessor organisation"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    responses(
        (status = 201, description = "The accreditation", body = AccreditationView),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = ValidationFailed),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[post("/assessors/{assessor_id}/accreditations")]
pub async fn accredit_assessor(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<AccreditationBody>,
) -> Result<HttpResponse, ApiError> {
    let assessor = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let input = body.into_inner();
    let draft =
        AccreditationDraft { families: input.families, valid_from: input.valid_from, valid_until: input.valid_until };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let a = assessments::accredit(tx, &ctx, assessor, &draft)?;
            Ok(Created {
                location: format!("/v1/accreditations?assessor_id={assessor}"),
                etag: None,
                body: AccreditationView::new(&a, ctx.now),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
