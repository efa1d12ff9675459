use actix_web::{HttpResponse, get, web};

use super::OrganisationBody;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::http::etag::etag;
use crate::openapi::{BadRequest, NotFound, ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::organisations;

/// Get an organisation
///
/// GIX officers read any organisation; everyone else reads only their own (another
/// organisation answers 404).
#[utoipa::path(
    tag = "organisations",
    params(("organisation_id" = uuid::Uuid, Path, description = "Organisation id")),
    responses(
        (status = 200, description = "The organisation", body = OrganisationBody,
            headers(("ETag" = String, description = "Current version"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthenticated),
        (status = 404, response = NotFound),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/organisations/{organisation_id}")]
pub async fn get_organisation(
    state: web::Data<AppState>,
    ctx: RequestContext,
    path: web::Path<uuid::Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = path.into_inner().into();
    let org = db(&state, move |conn| organisations::get(conn, &ctx.0, id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::ETAG, etag(org.version)))
        .json(OrganisationBody::from(&org)))
}
