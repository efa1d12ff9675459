use actix_web::{HttpResponse, get, web};

use super::Me;
use crate::error::ApiError;
use crate::http::context::RequestContext;
use crate::openapi::{ServiceUnavailable, Unauthenticated};
use crate::routes::db;
use crate::state::AppState;
use crate::usecases::organisations;

/// Who am I
///
/// The caller's identity, organisation and role, as the bearer token states them
/// (GSI-A.1.1: the user signs in to the self-service system). Portals use it to decide what
/// to show.
#[utoipa::path(
    tag = "identity",
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, response = Unauthenticated),
        (status = 503, response = ServiceUnavailable),
    )
)]
#[get("/me")]
pub async fn get_me(state: web::Data<AppState>, ctx: RequestContext) -> Result<HttpResponse, ApiError> {
    let ctx = ctx.0;
    let actor = ctx.actor.clone();
    let organisation = db(&state, move |conn| organisations::own(conn, &ctx)).await?;
    Ok(HttpResponse::Ok().json(Me {
        subject: actor.subject.as_str().to_owned(),
        role: actor.role.into(),
        organisation_id: actor.organisation.as_uuid(),
        organisation: organisation.as_ref().map(Into::into),
    }))
}
