//! Parsing query parameters one by one, recording each failure under the parameter's name,
//! so one 400 answer lists every bad parameter.

use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;

pub fn instant(name: &str, raw: Option<&str>, errors: &mut ValidationErrors) -> Option<DateTime<Utc>> {
    let raw = raw?;
    match DateTime::parse_from_rfc3339(raw) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.add(name, "invalid_datetime", "must be an RFC 3339 instant such as 2026-12-01T00:00:00+07:00");
            None
        }
    }
}

pub fn id<T>(name: &str, raw: Option<&str>, errors: &mut ValidationErrors) -> Option<gsi_domain::Id<T>> {
    let raw = raw?;
    match uuid::Uuid::parse_str(raw) {
        Ok(uuid) => Some(gsi_domain::Id::from_uuid(uuid)),
        Err(_) => {
            errors.add(name, "invalid_id", "must be an id (UUID)");
            None
        }
    }
}
