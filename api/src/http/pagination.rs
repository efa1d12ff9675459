//! `limit` and opaque `cursor` for every list endpoint.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gsi_domain::ValidationErrors;
use gsi_persistence::PageRequest;
use uuid::Uuid;

pub const DEFAULT_LIMIT: u32 = 50;
pub const MAX_LIMIT: u32 = 200;

const CURSOR_VERSION: u8 = 1;

/// Encodes where the next page starts. Opaque to clients: only this module reads it.
pub fn encode_cursor(after: Uuid) -> String {
    let mut bytes = Vec::with_capacity(17);
    bytes.push(CURSOR_VERSION);
    bytes.extend_from_slice(after.as_bytes());
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode_cursor(cursor: &str) -> Option<Uuid> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    match bytes.split_first() {
        Some((&CURSOR_VERSION, rest)) => Uuid::from_slice(rest).ok(),
        _ => None,
    }
}

/// Parses `limit` (1–200, default 50) and `cursor`, recording failures under their names.
pub fn page_request(limit: Option<&str>, cursor: Option<&str>, errors: &mut ValidationErrors) -> Option<PageRequest> {
    let limit = match limit {
        None => Some(DEFAULT_LIMIT),
        Some(raw) => match raw.parse::<u32>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Some(n),
            _ => {
                errors.add(
                    "limit",
                    "out_of_range",
                    format!("must be a whole number from 1 to {MAX_LIMIT} (got `{raw}`)"),
                );
                None
            }
        },
    };
    let after = match cursor {
        None => Some(None),
        Some(raw) => match decode_cursor(raw) {
            Some(id) => Some(Some(id)),
            None => {
                errors.add("cursor", "invalid_cursor", "not a cursor returned by this API as next_cursor");
                None
            }
        },
    };
    Some(PageRequest { after: after?, limit: limit? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let id = Uuid::now_v7();
        let mut errors = ValidationErrors::new();
        let page = page_request(Some("10"), Some(&encode_cursor(id)), &mut errors).unwrap();
        assert_eq!(page, PageRequest { after: Some(id), limit: 10 });
        assert!(page_request(Some("0"), None, &mut errors).is_none());
        assert!(page_request(Some("201"), Some("bm9wZQ"), &mut errors).is_none());
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "limit", "cursor"]);
    }
}
