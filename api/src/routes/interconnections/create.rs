use actix_web::{HttpRequest, HttpResponse, post, web};
use gsi_domain::governance::security_control::InterconnectionDraft;

use super::{InterconnectionBody, InterconnectionView};
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

/// Declare an interconnection
///
/// A provider's operators declare a network it connects (GSI-5.3): Government Internet,
/// Government Intranet, Agency Intranet (GSI-3.6-3.8), or its link to GIX, with capacity and
/// since when. An accredited assessor then verifies it. 422 names each bad field.
#[utoipa::path(
    tag = "governance",
    request_body = InterconnectionBody,
    params(
        ("provider_id" = uuid::Uuid, Path, description = "The provider"),
        ("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe"),
    ),
    responses(
        (status = 201, description = "The interconnection", body = InterconnectionView),
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
#[post("/providers/{provider_id}/interconnections")]
pub async fn declare_interconnection(
    req: HttpRequest,
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
    key: IdempotencyKey,
    body: JsonBody<InterconnectionBody>,
) -> Result<HttpResponse, ApiError> {
    let provider = path.into_inner().into();
    let fingerprint = Fingerprint::new(&req, &body.digest);
    let b = body.into_inner();
    let draft = InterconnectionDraft { kind: b.kind, capacity_mbps: b.capacity_mbps, since: b.since };
    let ctx = ctx.0;
    let response = db(&state, move |conn| {
        idempotency::create(conn, &ctx, key.0.as_deref(), &fingerprint, |tx| {
            let i = assessments::declare_interconnection(tx, &ctx, provider, &draft)?;
            Ok(Created {
                location: format!("/v1/providers/{provider}/interconnections"),
                etag: None,
                body: InterconnectionView::from(&i),
            })
        })
    })
    .await?;
    Ok(response.into_response())
}
