//! The one error type of the API and its mapping to RFC 7807 `application/problem+json`.
//!
//! Use cases return `ApiError` (its variants say what went wrong, not how HTTP shows it);
//! the `ResponseError` impl below is the single, exhaustive place where each variant
//! becomes a status, a stable problem `type`, and headers. Internal details are logged,
//! never sent.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use gsi_domain::{FieldError, ValidationErrors};
use gsi_persistence::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// Stable problem type URIs: clients may switch on them.
pub const PROBLEM_BASE: &str = "https://gsi-hub.example/problems/";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No credentials at all: the challenge carries no error code (RFC 6750 §3.1).
    #[error("authentication required: missing bearer token")]
    MissingCredentials,
    /// Credentials that do not verify.
    #[error("authentication required: {0}")]
    Unauthenticated(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The object does not exist, or the caller may not know that it does.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The path exists but not with this method; `allowed` lists the methods it has
    /// (RFC 9110 §15.5.6: a 405 carries `Allow`).
    #[error("method {method} not allowed here; allowed: {}", allowed.join(", "))]
    MethodNotAllowed { method: String, allowed: Vec<String> },
    /// The request body is well-formed JSON but some fields are invalid.
    #[error("{0}")]
    Validation(ValidationErrors),
    /// A path, query or header parameter is invalid.
    #[error("{0}")]
    InvalidParameters(ValidationErrors),
    #[error("malformed request body: {0}")]
    MalformedBody(String),
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    /// `If-Match` names a version that is no longer current.
    #[error("precondition failed: the resource has changed (current ETag {current_etag})")]
    PreconditionFailed { current_etag: String },
    /// `If-Match` named a version of a resource that does not exist yet (RFC 9110 §13.1.1).
    #[error(
        "precondition failed: the resource does not exist yet, so If-Match cannot match; send the first PUT without If-Match"
    )]
    PreconditionFailedNothingYet,
    /// An update came without `If-Match`.
    #[error("If-Match header required")]
    PreconditionRequired,
    #[error("conflict: {0}")]
    Conflict(String),
    /// The object's current state does not allow the action.
    #[error("{detail}")]
    InvalidTransition { detail: String, current_state: String, allowed_actions: Vec<String> },
    /// GSI-13.1: agencies use services only from providers on the provider list.
    #[error("{0}")]
    ProviderNotListed(String),
    /// The same `Idempotency-Key` was used with a different request.
    #[error("Idempotency-Key reused with a different request")]
    IdempotencyKeyReused,
    #[error("service unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(detail) => ApiError::Unavailable(detail),
            StoreError::UniqueViolation(constraint) => {
                ApiError::Conflict(format!("a record with the same unique value exists ({constraint})"))
            }
            StoreError::CorruptRow(detail) => ApiError::Internal(detail),
            StoreError::Database(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::Internal(format!("blocking task failed: {e}"))
    }
}

/// An RFC 7807 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "https://gsi-hub.example/problems/validation-error",
    "title": "Invalid fields",
    "status": 422,
    "detail": "invalid fields: coordinators[0].email",
    "errors": [{"field": "coordinators[0].email", "code": "invalid_email", "message": "must be an e-mail address such as name@agency.go.th"}]
}))]
pub struct Problem {
    /// Stable URI identifying the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Every failing field or parameter, when the problem is about input.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// The current ETag, on 412.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_etag: Option<String>,
    /// The object's state, when the action is not allowed in it (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// What may be done from the current state (409).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemField {
    /// JSON path of the field (`coordinators[1].email`) or the parameter name.
    pub field: String,
    /// Stable machine-readable reason (`required`, `invalid_email`, `unknown_field`, …).
    pub code: String,
    pub message: String,
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> Self {
        ProblemField { field: e.field.clone(), code: e.code.to_owned(), message: e.message.clone() }
    }
}

struct Shape {
    status: StatusCode,
    slug: &'static str,
    title: &'static str,
}

impl ApiError {
    fn shape(&self) -> Shape {
        let (status, slug, title) = match self {
            ApiError::MissingCredentials | ApiError::Unauthenticated(_) => {
                (StatusCode::UNAUTHORIZED, "unauthenticated", "Authentication required")
            }
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", "Not allowed for this role"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, "not-found", "Not found"),
            ApiError::MethodNotAllowed { .. } => {
                (StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed")
            }
            ApiError::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation-error", "Invalid fields"),
            ApiError::InvalidParameters(_) => (StatusCode::BAD_REQUEST, "invalid-parameters", "Invalid parameters"),
            ApiError::MalformedBody(_) => (StatusCode::BAD_REQUEST, "malformed-body", "Malformed request body"),
            ApiError::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type")
            }
            ApiError::PayloadTooLarge { .. } => {
                (StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Request body too large")
            }
            ApiError::PreconditionFailed { .. } | ApiError::PreconditionFailedNothingYet => {
                (StatusCode::PRECONDITION_FAILED, "precondition-failed", "The resource has changed")
            }
            ApiError::PreconditionRequired => {
                (StatusCode::PRECONDITION_REQUIRED, "precondition-required", "If-Match required")
            }
            ApiError::Conflict(_) => (StatusCode::CONFLICT, "conflict", "Conflict"),
            ApiError::InvalidTransition { .. } => {
                (StatusCode::CONFLICT, "invalid-transition", "Not allowed in the current state")
            }
            ApiError::ProviderNotListed(_) => {
                (StatusCode::UNPROCESSABLE_ENTITY, "provider-not-listed", "Provider not on the provider list")
            }
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused with a different request",
            ),
            ApiError::Unavailable(_) => {
                (StatusCode::SERVICE_UNAVAILABLE, "service-unavailable", "Service temporarily unavailable")
            }
            ApiError::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal-error", "Internal error"),
        };
        Shape { status, slug, title }
    }

    /// What the client is told. Server-side details (database messages, pool errors)
    /// stay in the log.
    fn public_detail(&self) -> String {
        match self {
            ApiError::Unavailable(_) => "the service is temporarily unavailable; retry shortly".to_owned(),
            ApiError::Internal(_) => "an internal error occurred; it has been logged".to_owned(),
            ApiError::Conflict(_) => self.to_string(),
            other => other.to_string(),
        }
    }

    pub fn problem(&self) -> Problem {
        let shape = self.shape();
        let errors = match self {
            ApiError::Validation(e) | ApiError::InvalidParameters(e) => {
                Some(e.errors().iter().map(ProblemField::from).collect())
            }
            _ => None,
        };
        Problem {
            problem_type: format!("{PROBLEM_BASE}{}", shape.slug),
            title: shape.title.to_owned(),
            status: shape.status.as_u16(),
            detail: self.public_detail(),
            errors,
            current_etag: match self {
                ApiError::PreconditionFailed { current_etag } => Some(current_etag.clone()),
                _ => None,
            },
            current_state: match self {
                ApiError::InvalidTransition { current_state, .. } => Some(current_state.clone()),
                _ => None,
            },
            allowed_actions: match self {
                ApiError::InvalidTransition { allowed_actions, .. } => Some(allowed_actions.clone()),
                _ => None,
            },
        }
    }

    /// A state-machine step the current state does not allow: why, the state, and the
    /// actions it does allow.
    pub fn invalid_transition<S: std::fmt::Display, A: std::fmt::Display>(
        why: &impl std::fmt::Display,
        state: S,
        allowed: &[A],
    ) -> Self {
        ApiError::InvalidTransition {
            detail: why.to_string(),
            current_state: state.to_string(),
            allowed_actions: allowed.iter().map(ToString::to_string).collect(),
        }
    }

    /// Shorthand for one invalid parameter.
    pub fn invalid_parameter(name: &str, code: &'static str, message: impl Into<String>) -> Self {
        ApiError::InvalidParameters(ValidationErrors::single(name, code, message))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.shape().status
    }

    fn error_response(&self) -> HttpResponse {
        // The cause of a 5xx is logged with the request id by `http::metrics::middleware`.
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        match self {
            ApiError::MissingCredentials => {
                response
                    .insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"gsi-hub\"")));
            }
            ApiError::Unauthenticated(detail) => {
                let challenge = format!(
                    "Bearer realm=\"gsi-hub\", error=\"invalid_token\", error_description=\"{}\"",
                    detail.replace('"', "'")
                );
                response.insert_header((
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_str(&challenge).unwrap_or(HeaderValue::from_static("Bearer realm=\"gsi-hub\"")),
                ));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, HeaderValue::from_static("1")));
            }
            ApiError::MethodNotAllowed { allowed, .. } => {
                if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
                    response.insert_header((header::ALLOW, value));
                }
            }
            _ => {}
        }
        let body = serde_json::to_string(&self.problem())
            .unwrap_or_else(|_| String::from("{\"title\":\"Internal error\",\"status\":500}"));
        response.body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_maps_to_its_status_and_type() {
        let cases: Vec<(ApiError, u16, &str)> = vec![
            (ApiError::MissingCredentials, 401, "unauthenticated"),
            (ApiError::Unauthenticated("x".into()), 401, "unauthenticated"),
            (ApiError::Forbidden("x".into()), 403, "forbidden"),
            (ApiError::NotFound("x"), 404, "not-found"),
            (
                ApiError::MethodNotAllowed { method: "TRACE".into(), allowed: vec!["GET".into()] },
                405,
                "method-not-allowed",
            ),
            (ApiError::Validation(ValidationErrors::single("f", "c", "m")), 422, "validation-error"),
            (ApiError::InvalidParameters(ValidationErrors::single("f", "c", "m")), 400, "invalid-parameters"),
            (ApiError::MalformedBody("x".into()), 400, "malformed-body"),
            (ApiError::UnsupportedMediaType("x".into()), 415, "unsupported-media-type"),
            (ApiError::PayloadTooLarge { limit: 1 }, 413, "payload-too-large"),
            (ApiError::PreconditionFailed { current_etag: "\"1\"".into() }, 412, "precondition-failed"),
            (ApiError::PreconditionFailedNothingYet, 412, "precondition-failed"),
            (ApiError::PreconditionRequired, 428, "precondition-required"),
            (ApiError::Conflict("x".into()), 409, "conflict"),
            (
                ApiError::InvalidTransition { detail: "x".into(), current_state: "a".into(), allowed_actions: vec![] },
                409,
                "invalid-transition",
            ),
            (ApiError::ProviderNotListed("x".into()), 422, "provider-not-listed"),
            (ApiError::IdempotencyKeyReused, 422, "idempotency-key-reused"),
            (ApiError::Unavailable("pool timed out".into()), 503, "service-unavailable"),
            (ApiError::Internal("secret detail".into()), 500, "internal-error"),
        ];
        for (error, status, slug) in cases {
            let problem = error.problem();
            assert_eq!(problem.status, status, "{error:?}");
            assert_eq!(problem.problem_type, format!("{PROBLEM_BASE}{slug}"));
            assert_eq!(error.error_response().status().as_u16(), status);
        }
    }

    #[test]
    fn server_side_details_are_not_sent() {
        for error in
            [ApiError::Internal("password=hunter2".into()), ApiError::Unavailable("db at 10.0.0.1 down".into())]
        {
            let problem = error.problem();
            assert!(!problem.detail.contains("hunter2") && !problem.detail.contains("10.0.0.1"), "{}", problem.detail);
        }
    }

    #[test]
    fn pool_exhaustion_becomes_503_with_retry_after() {
        let response =
            ApiError::from(StoreError::Unavailable("timed out waiting for connection".into())).error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get(header::RETRY_AFTER).map(|v| v.as_bytes()), Some(&b"1"[..]));
    }

    #[test]
    fn missing_credentials_challenge_has_no_error_code() {
        let response = ApiError::MissingCredentials.error_response();
        assert_eq!(response.headers().get(header::WWW_AUTHENTICATE).unwrap(), "Bearer realm=\"gsi-hub\"");
        let invalid = ApiError::Unauthenticated("token expired".into()).error_response();
        assert!(invalid.headers().get(header::WWW_AUTHENTICATE).unwrap().to_str().unwrap().contains("invalid_token"));
    }
}
