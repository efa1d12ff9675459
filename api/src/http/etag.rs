//! ETags and `If-Match` (optimistic concurrency for updates).
//!
//! A resource's ETag is its version number in quotes (`"3"`). An update must send
//! `If-Match` with the ETag it last read: missing → 428, stale → 412. The comparison itself
//! happens inside the update's transaction (see `Precondition::check`).

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;

/// The grammar `Precondition::parse` accepts, for the OpenAPI document: `*`, or a
/// comma-separated list of strong or weak entity tags.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[!#-~]*"([ \t]*,[ \t]*(W/)?"[!#-~]*")*)$"#;

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// What `If-Match` asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precondition {
    /// `If-Match: *`: any current version.
    Any,
    /// One or more strong ETags; the update proceeds if the current version is among them.
    Versions(Vec<i64>),
    /// No `If-Match` was sent: the update is refused with 428, but only when `check` runs,
    /// after the use case has decided the caller may touch the object. A caller of the wrong
    /// role or tenant thus gets its 403/404 first, whatever headers it sent.
    Missing,
}

impl Precondition {
    /// `Ok` when `current_version` satisfies the precondition; 412 with the current ETag otherwise.
    pub fn check(&self, current_version: i64) -> Result<(), ApiError> {
        let satisfied = match self {
            Precondition::Any => true,
            Precondition::Versions(versions) => versions.contains(&current_version),
            Precondition::Missing => return Err(ApiError::PreconditionRequired),
        };
        if satisfied { Ok(()) } else { Err(ApiError::PreconditionFailed { current_etag: etag(current_version) }) }
    }

    /// Parses the header value. Weak tags (`W/"3"`) never match: `If-Match` uses strong
    /// comparison (RFC 9110 §13.1.1).
    pub fn parse(value: &str) -> Result<Self, ApiError> {
        let value = value.trim_matches([' ', '\t']);
        if value == "*" {
            return Ok(Precondition::Any);
        }
        let invalid = || {
            ApiError::invalid_parameter(
                "If-Match",
                "invalid_etag",
                "must be `*` or one or more quoted ETags such as \"3\"",
            )
        };
        // RFC 9110 §8.8.3: entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE, in a comma-separated
        // list; etagc is any visible ASCII character but DQUOTE. `IF_MATCH_PATTERN` is the
        // same grammar for the OpenAPI document.
        let mut versions = Vec::new();
        let mut rest = value;
        loop {
            let weak = rest.starts_with("W/");
            let tag = if weak { &rest[2..] } else { rest };
            let body = tag.strip_prefix('"').ok_or_else(invalid)?;
            let close = body.find('"').ok_or_else(invalid)?;
            let opaque = &body[..close];
            if !opaque.bytes().all(|b| b.is_ascii_graphic() && b != b'"') {
                return Err(invalid());
            }
            if !weak && !opaque.is_empty() && opaque.bytes().all(|b| b.is_ascii_digit()) {
                if let Ok(version) = opaque.parse() {
                    versions.push(version);
                }
            }
            rest = body[close + 1..].trim_start_matches([' ', '\t']);
            if rest.is_empty() {
                break;
            }
            rest = rest.strip_prefix(',').ok_or_else(invalid)?.trim_start_matches([' ', '\t']);
        }
        Ok(Precondition::Versions(versions))
    }
}

/// The `If-Match` header. Its absence becomes 428 Precondition Required when the use case
/// checks it (see `Precondition::Missing`), not at extraction.
pub struct IfMatch(pub Precondition);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(header::IF_MATCH) {
            None => Ok(IfMatch(Precondition::Missing)),
            Some(value) => value
                .to_str()
                .map_err(|_| ApiError::invalid_parameter("If-Match", "invalid_etag", "must be ASCII"))
                .and_then(Precondition::parse)
                .map(IfMatch),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks() {
        assert_eq!(Precondition::parse("*").unwrap(), Precondition::Any);
        let p = Precondition::parse("\"2\", \"3\"").unwrap();
        assert!(p.check(3).is_ok());
        assert!(matches!(p.check(4), Err(ApiError::PreconditionFailed { current_etag }) if current_etag == "\"4\""));
        assert!(Precondition::parse("W/\"3\"").unwrap().check(3).is_err(), "weak tags never match");
        assert!(Precondition::parse("3").is_err());
        assert!(matches!(Precondition::Missing.check(1), Err(ApiError::PreconditionRequired)));
        assert!(Precondition::parse("0").is_err());
        assert!(Precondition::parse("\"a\"b\"").is_err(), "a quote inside a tag");
        assert!(Precondition::parse("\"1\",").is_err(), "a trailing comma");
        assert_eq!(
            Precondition::parse("\"h,\", \"2\"").unwrap(),
            Precondition::Versions(vec![2]),
            "a comma inside a tag"
        );
        assert_eq!(Precondition::parse("W/\"x\"").unwrap(), Precondition::Versions(vec![]));
    }
}
