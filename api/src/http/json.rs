//! `JsonBody<T>`: a JSON request body with errors that name the field.
//!
//! actix's `Json` reports "Json deserialize error: … at line 1 column 37" as plain text;
//! this extractor answers problem+json instead: 415 for another content type, 413 past
//! the size limit, 400 for malformed JSON, and 422 naming the field (`coordinators[0].email`)
//! for unknown fields, missing fields and wrong types. It also keeps a digest of the raw
//! bytes, which Idempotency-Key replays compare.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::StreamExt;
use gsi_domain::ValidationErrors;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// The largest body accepted, set per app (`GSI_MAX_BODY_BYTES`).
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

impl Default for BodyLimit {
    fn default() -> Self {
        BodyLimit(256 * 1024)
    }
}

pub struct JsonBody<T> {
    pub value: T,
    /// SHA-256 of the raw body, hex.
    pub digest: String,
}

impl<T> JsonBody<T> {
    pub fn into_inner(self) -> T {
        self.value
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().copied().unwrap_or_default().0;
        read(req, payload, limit)
    }
}

/// Reads a JSON body of at most `limit` bytes: for extractors of routes with a limit of
/// their own (usage batches).
pub fn read<T: DeserializeOwned + 'static>(
    req: &HttpRequest,
    payload: &mut Payload,
    limit: usize,
) -> Pin<Box<dyn Future<Output = Result<JsonBody<T>, ApiError>>>> {
    let json = is_json(req);
    let declared_length =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        if !json {
            return Err(ApiError::UnsupportedMediaType("send the body as application/json".to_owned()));
        }
        if declared_length.is_some_and(|n| n > limit) {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        let mut body = Vec::with_capacity(declared_length.unwrap_or(0).min(limit));
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| ApiError::MalformedBody(format!("could not read the body: {e}")))?;
            if body.len() + chunk.len() > limit {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        if body.is_empty() {
            return Err(ApiError::MalformedBody("the request body is empty; send a JSON object".to_owned()));
        }
        let digest = hex(&Sha256::digest(&body));
        let value = parse_json(&body)?;
        Ok(JsonBody { value, digest })
    })
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deserialises `body`, turning serde's message into a field path and a stable code.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = strip_position(&inner.to_string());
        match inner.classify() {
            serde_json::error::Category::Data => {
                let (code, named) = classify_data_error(&message);
                let field = match named {
                    Some(name) if !path.ends_with(&name) => join_path(&path, &name),
                    _ if path == "." => String::new(),
                    _ => path,
                };
                ApiError::Validation(ValidationErrors::single(field, code, message))
            }
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => ApiError::MalformedBody(format!("{} ({message})", "invalid JSON")),
        }
    })
}

/// serde says "unknown field `x`, expected one of …" or "missing field `x`".
fn classify_data_error(message: &str) -> (&'static str, Option<String>) {
    let backticked = || message.split('`').nth(1).map(str::to_owned);
    if message.starts_with("unknown field") {
        ("unknown_field", backticked())
    } else if message.starts_with("missing field") {
        ("required", backticked())
    } else if message.starts_with("unknown variant") {
        ("invalid_choice", None)
    } else if message.starts_with("invalid type") {
        ("invalid_type", None)
    } else {
        ("invalid_value", None)
    }
}

fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent == "." { name.to_owned() } else { format!("{parent}.{name}") }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        items: Vec<Inner>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        email: String,
    }

    fn field_of(body: &str) -> (String, String) {
        match parse_json::<Outer>(body.as_bytes()) {
            Err(ApiError::Validation(e)) => (e.errors()[0].field.clone(), e.errors()[0].code.to_owned()),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn names_the_failing_field() {
        assert_eq!(
            field_of(r#"{"name":"a","items":[{"email":"x"},{"emial":"y"}]}"#),
            ("items[1].emial".into(), "unknown_field".into())
        );
        assert_eq!(field_of(r#"{"items":[]}"#), ("name".into(), "required".into()));
        assert_eq!(field_of(r#"{"name":5,"items":[]}"#), ("name".into(), "invalid_type".into()));
        assert_eq!(field_of(r#"{"name":"a","items":[{}]}"#), ("items[0].email".into(), "required".into()));
    }

    #[test]
    fn malformed_json_is_not_a_field_error() {
        assert!(matches!(parse_json::<Outer>(b"{\"name\":"), Err(ApiError::MalformedBody(_))));
        assert!(matches!(parse_json::<Outer>(b"not json"), Err(ApiError::MalformedBody(_))));
    }
}
