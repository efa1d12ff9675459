//! `RequestContext`: the authenticated caller, the request id and the time, extracted
//! once per request and handed to use cases.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use crate::error::ApiError;
use crate::http::request_id::RequestId;
use crate::state::AppState;
use crate::usecases::Context;

pub struct RequestContext(pub Context);

impl FromRequest for RequestContext {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(extract(req).map(RequestContext))
    }
}

fn extract(req: &HttpRequest) -> Result<Context, ApiError> {
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    let actor = state.auth.authenticate(req.headers())?;
    let request_id =
        req.extensions().get::<RequestId>().map_or_else(|| uuid::Uuid::now_v7().to_string(), |r| r.0.clone());
    Ok(Context { actor, request_id, now: state.clock.now() })
}
