//! `Idempotency-Key` for creating POSTs.
//!
//! The first request with a key runs, and its response is stored in the same transaction
//! as the change it made. A retry with the same key and the same request gets the stored
//! response again (with `Idempotent-Replayed: true`) and changes nothing; the same key with
//! a different request is refused with 422. Keys are per caller (organisation and subject)
//! and kept for 24 hours. Everything lives in the database, so any instance answers alike.

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::Duration;
use gsi_persistence::repos::idempotency::{self, StoredResponse};
use gsi_persistence::{DbConnection, StoreError, write_tx};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::http::json::hex;
use crate::usecases::Context;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
pub const RETENTION_HOURS: i64 = 24;

/// The optional `Idempotency-Key` header: 1–255 visible ASCII characters.
pub struct IdempotencyKey(pub Option<String>);

impl FromRequest for IdempotencyKey {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parsed = match req.headers().get(&HEADER) {
            None => Ok(IdempotencyKey(None)),
            Some(value) => match value.to_str() {
                Ok(key) if !key.is_empty() && key.len() <= 255 && key.chars().all(|c| c.is_ascii_graphic()) => {
                    Ok(IdempotencyKey(Some(key.to_owned())))
                }
                _ => Err(ApiError::invalid_parameter(
                    "Idempotency-Key",
                    "invalid_key",
                    "must be 1 to 255 visible ASCII characters, e.g. a UUID",
                )),
            },
        };
        ready(parsed)
    }
}

/// Identifies the request a key was used for: method, path and body.
pub struct Fingerprint {
    pub method: String,
    pub path: String,
    pub hash: String,
}

impl Fingerprint {
    pub fn new(req: &HttpRequest, body_digest: &str) -> Self {
        let method = req.method().as_str().to_owned();
        let path = req.path().to_owned();
        let hash = hex(&Sha256::digest(format!("{method}\n{path}\n{body_digest}")));
        Fingerprint { method, path, hash }
    }
}

/// A response to a creating request, fresh or replayed.
#[derive(Debug)]
pub struct CreatedResponse {
    pub status: StatusCode,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub replayed: bool,
}

impl CreatedResponse {
    pub fn into_response(self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/json")));
        if let Some(location) = self.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            response.insert_header((header::LOCATION, location));
        }
        if let Some(etag) = self.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            response.insert_header((header::ETAG, etag));
        }
        if self.replayed {
            response.insert_header((REPLAYED_HEADER, HeaderValue::from_static("true")));
        }
        response.body(self.body)
    }
}

/// What a creating use case hands back: the resource body and where it lives.
pub struct Created<T> {
    pub body: T,
    pub location: String,
    pub etag: Option<String>,
}

/// Runs `create` in one write transaction, honouring the idempotency key when given.
pub fn create<T: Serialize>(
    conn: &mut DbConnection,
    ctx: &Context,
    key: Option<&str>,
    fingerprint: &Fingerprint,
    mut create: impl FnMut(&mut DbConnection) -> Result<Created<T>, ApiError>,
) -> Result<CreatedResponse, ApiError> {
    let Some(key) = key else {
        return write_tx(conn, |tx| create(tx).and_then(fresh_response));
    };
    let not_before = ctx.now - Duration::hours(RETENTION_HOURS);
    let mut attempt = |conn: &mut DbConnection| {
        write_tx(conn, |tx| {
            let stored = idempotency::find(tx, ctx.actor.organisation, ctx.actor.subject.as_str(), key, not_before)
                .map_err(ApiError::from)?;
            if let Some(stored) = stored {
                return Ok(replay(stored, fingerprint)?);
            }
            let response = create(tx).and_then(fresh_response)?;
            let record = StoredResponse {
                organisation: ctx.actor.organisation,
                actor_subject: ctx.actor.subject.as_str().to_owned(),
                key: key.to_owned(),
                request_method: fingerprint.method.clone(),
                request_path: fingerprint.path.clone(),
                request_hash: fingerprint.hash.clone(),
                status: response.status.as_u16(),
                body: response.body.clone(),
                location: response.location.clone(),
                etag: response.etag.clone(),
                created_at: ctx.now,
            };
            match idempotency::insert(tx, &record, not_before) {
                Ok(()) => Ok(response),
                Err(StoreError::UniqueViolation(_)) => Err(Attempt::KeyRace),
                Err(other) => Err(Attempt::Failed(other.into())),
            }
        })
    };
    match attempt(conn) {
        Ok(response) => Ok(response),
        // A concurrent request with the same key committed first (PostgreSQL); its
        // response is stored now, so one more attempt replays it.
        Err(Attempt::KeyRace) => attempt(conn).map_err(Attempt::into_api_error),
        Err(Attempt::Failed(e)) => Err(e),
    }
}

/// Why one transactional attempt did not produce a response.
enum Attempt {
    Failed(ApiError),
    /// Another request inserted the same key between our lookup and our insert.
    KeyRace,
}

impl Attempt {
    fn into_api_error(self) -> ApiError {
        match self {
            Attempt::Failed(e) => e,
            Attempt::KeyRace => {
                ApiError::Conflict("a request with this Idempotency-Key is still being processed".into())
            }
        }
    }
}

impl From<ApiError> for Attempt {
    fn from(e: ApiError) -> Self {
        Attempt::Failed(e)
    }
}

impl From<StoreError> for Attempt {
    fn from(e: StoreError) -> Self {
        Attempt::Failed(e.into())
    }
}

fn fresh_response<T: Serialize>(created: Created<T>) -> Result<CreatedResponse, ApiError> {
    Ok(CreatedResponse {
        status: StatusCode::CREATED,
        body: serde_json::to_string(&created.body).map_err(|e| ApiError::Internal(e.to_string()))?,
        location: Some(created.location),
        etag: created.etag,
        replayed: false,
    })
}

fn replay(stored: StoredResponse, fingerprint: &Fingerprint) -> Result<CreatedResponse, ApiError> {
    if stored.request_hash != fingerprint.hash {
        return Err(ApiError::IdempotencyKeyReused);
    }
    Ok(CreatedResponse {
        status: StatusCode::from_u16(stored.status).map_err(|e| ApiError::Internal(e.to_string()))?,
        body: stored.body,
        location: stored.location,
        etag: stored.etag,
        replayed: true,
    })
}
