//! Small parsed text values: bounded names, e-mail addresses, phone numbers.

use std::fmt;

use crate::validation::ValidationErrors;

/// Trimmed, non-empty text of at most `max` characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BoundedText(String);

impl BoundedText {
    pub fn parse(field: &str, raw: &str, max_chars: usize) -> Result<Self, ValidationErrors> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(ValidationErrors::single(field, "required", "must not be empty"));
        }
        let chars = trimmed.chars().count();
        if chars > max_chars {
            return Err(ValidationErrors::single(
                field,
                "too_long",
                format!("must be at most {max_chars} characters (got {chars})"),
            ));
        }
        if trimmed.chars().any(|c| c.is_control() && c != '\n') {
            return Err(ValidationErrors::single(field, "invalid_characters", "must not contain control characters"));
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// `None` stays `None`; present text must be valid.
    pub fn parse_optional(field: &str, raw: Option<&str>, max_chars: usize) -> Result<Option<Self>, ValidationErrors> {
        raw.map(|r| Self::parse(field, r, max_chars)).transpose()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for BoundedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An e-mail address: one `@`, a non-empty local part, a dotted domain, no spaces.
/// Deliverability is not checked; this only refuses what cannot be an address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub const MAX_LEN: usize = 254;

    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let s = raw.trim();
        let invalid =
            || ValidationErrors::single(field, "invalid_email", "must be an e-mail address such as name@agency.go.th");
        if s.is_empty() {
            return Err(ValidationErrors::single(field, "required", "must not be empty"));
        }
        if s.len() > Self::MAX_LEN || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let Some((local, domain)) = s.split_once('@') else {
            return Err(invalid());
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| !label.is_empty() && label.len() <= 63);
        if local.is_empty() || local.len() > 64 || !domain_ok {
            return Err(invalid());
        }
        // Domains are case-insensitive; the local part is kept as written.
        Ok(Self(format!("{local}@{}", domain.to_ascii_lowercase())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number as people write it: digits with optional leading `+`, spaces, dashes,
/// parentheses, and an optional extension (`ext 123`). 9 to 15 digits, the E.164 range
/// that covers Thai landlines (02-xxx-xxxx), mobiles and hotlines with area codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationErrors::single(field, "required", "must not be empty"));
        }
        let (number, extension) = match s.to_ascii_lowercase().split_once("ext") {
            Some((n, e)) => (n.trim().to_owned(), Some(e.trim_start_matches(['.', ' ']).to_owned())),
            None => (s.to_owned(), None),
        };
        let allowed = |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')');
        let body = number.strip_prefix('+').unwrap_or(&number);
        let digits = body.chars().filter(char::is_ascii_digit).count();
        let extension_ok =
            extension.as_deref().is_none_or(|e| !e.is_empty() && e.len() <= 6 && e.chars().all(|c| c.is_ascii_digit()));
        if !body.chars().all(allowed) || !(9..=15).contains(&digits) || !extension_ok {
            return Err(ValidationErrors::single(
                field,
                "invalid_phone",
                "must be a phone number of 9 to 15 digits, such as 02-123-4567 or +66 81 234 5678",
            ));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_text_trims_and_bounds() {
        assert_eq!(BoundedText::parse("n", "  กรมตัวอย่าง ", 20).unwrap().as_str(), "กรมตัวอย่าง");
        assert_eq!(BoundedText::parse("n", "   ", 20).unwrap_err().errors()[0].code, "required");
        // Thai characters count as characters, not bytes.
        assert!(BoundedText::parse("n", "กกกกก", 5).is_ok());
        assert_eq!(BoundedText::parse("n", "กกกกกก", 5).unwrap_err().errors()[0].code, "too_long");
        assert!(BoundedText::parse("n", "a\u{0}b", 5).is_err());
    }

    #[test]
    fn email_addresses() {
        assert_eq!(EmailAddress::parse("e", "Somchai@Agency.GO.TH").unwrap().as_str(), "Somchai@agency.go.th");
        for bad in ["", "no-at", "a@b", "a@@b.th", "a b@c.th", "@c.th", "a@.th", "a@c..th"] {
            assert!(EmailAddress::parse("e", bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn phone_numbers() {
        for good in ["02-123-4567", "+66 81 234 5678", "(02) 123 4567 ext 12", "1111 0 2 3 4 5"] {
            assert!(PhoneNumber::parse("p", good).is_ok(), "{good} must be accepted");
        }
        for bad in ["", "1234", "02-123-4567x", "phone", "+66 81 234 5678 ext", "1234567890123456"] {
            assert!(PhoneNumber::parse("p", bad).is_err(), "{bad} must be refused");
        }
    }
}
