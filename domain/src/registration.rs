//! The 13-digit Thai juristic-person registration number (เลขทะเบียนนิติบุคคล) that a
//! provider registered as a company must give (GSI-6.1).
//!
//! Accepted input (decided here): exactly 13 ASCII digits (`0107544000108`), or the same
//! digits with dashes in the grouping printed on Thai registration documents
//! (`0-1075-44000-10-8`, groups of 1-4-5-2-1). Surrounding whitespace is trimmed. Nothing
//! else is accepted: no spaces inside, no other grouping, no Thai digits (๐–๙), so that the
//! number a client sends is the number people read on the certificate. The stored form is
//! the 13 bare digits.
//!
//! The last digit is a check digit over the first twelve: weights 13, 12, …, 2; sum;
//! check = (11 − sum mod 11) mod 10. Only the format and the check digit are verified:
//! whether the number is actually registered is for the Department of Business
//! Development to say, not for this system.

use std::fmt;

use crate::validation::ValidationErrors;

/// A registration number whose check digit is right. Holds the 13 bare digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RegistrationNumber(String);

/// The dash grouping printed on Thai registration documents: 1-4-5-2-1 digits.
const GROUPS: [usize; 5] = [1, 4, 5, 2, 1];

impl RegistrationNumber {
    pub const DIGITS: usize = 13;

    /// Parses a registration number; the error names `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValidationErrors::single(field, "required", "must not be empty"));
        }
        let Some(digits) = bare_digits(s) else {
            return Err(ValidationErrors::single(
                field,
                "invalid_registration_number",
                "must be the 13-digit juristic-person registration number, such as 0107544000108 or 0-1075-44000-10-8",
            ));
        };
        let (first_twelve, last) = digits.split_at(Self::DIGITS - 1);
        let expected = check_digit(first_twelve);
        if last != [expected] {
            return Err(ValidationErrors::single(
                field,
                "invalid_check_digit",
                "the last digit does not match the check digit of the first twelve; check the number for a typing error",
            ));
        }
        Ok(Self(digits.iter().map(|d| char::from(b'0' + d)).collect()))
    }

    /// The 13 bare digits, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number in the 1-4-5-2-1 dash grouping, as printed on Thai documents.
    pub fn grouped(&self) -> String {
        let mut out = String::with_capacity(Self::DIGITS + GROUPS.len() - 1);
        let mut start = 0;
        for (i, len) in GROUPS.iter().enumerate() {
            if i > 0 {
                out.push('-');
            }
            out.push_str(self.0.get(start..start + len).unwrap_or_default());
            start += len;
        }
        out
    }
}

impl fmt::Display for RegistrationNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The check digit of the first twelve digits (each 0–9): weights 13 down to 2,
/// `(11 − sum mod 11) mod 10`.
pub fn check_digit(first_twelve: &[u8]) -> u8 {
    let sum: u32 = first_twelve.iter().zip((2..=13u32).rev()).map(|(d, weight)| u32::from(*d) * weight).sum();
    // Both operands are below 11, so the result fits a digit.
    u8::try_from((11 - sum % 11) % 10).unwrap_or(0)
}

/// The 13 digit values of `s` if it is 13 ASCII digits, bare or in the 1-4-5-2-1 dash grouping.
fn bare_digits(s: &str) -> Option<Vec<u8>> {
    let all_digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    let bare: String = if s.contains('-') {
        let parts: Vec<&str> = s.split('-').collect();
        let grouped = parts.len() == GROUPS.len()
            && parts.iter().zip(GROUPS).all(|(part, len)| part.len() == len && all_digits(part));
        if !grouped {
            return None;
        }
        parts.concat()
    } else {
        s.to_owned()
    };
    (bare.len() == RegistrationNumber::DIGITS && all_digits(&bare)).then(|| bare.bytes().map(|b| b - b'0').collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a valid number from twelve digits by appending the check digit computed
    /// independently here, straight from the rule's definition.
    fn with_check_digit(first_twelve: &str) -> String {
        let digits: Vec<u32> = first_twelve.bytes().map(|b| u32::from(b - b'0')).collect();
        let mut sum = 0;
        for (i, d) in digits.iter().enumerate() {
            sum += d * (13 - u32::try_from(i).unwrap());
        }
        format!("{first_twelve}{}", (11 - sum % 11) % 10)
    }

    fn code(raw: &str) -> &'static str {
        RegistrationNumber::parse("registration_number", raw).unwrap_err().errors()[0].code
    }

    #[test]
    fn gsi_6_1_accepts_known_registered_companies() {
        // PTT Public Company Limited and Siam Commercial Bank, as printed on public filings.
        for known in ["0107544000108", "0107536000102"] {
            let n = RegistrationNumber::parse("registration_number", known).unwrap();
            assert_eq!(n.as_str(), known);
        }
    }

    #[test]
    fn gsi_6_1_worked_example_of_the_check_digit() {
        // 0·13 + 1·12 + 0·11 + 7·10 + 5·9 + 4·8 + 4·7 + 0·6 + 0·5 + 0·4 + 1·3 + 0·2 = 190;
        // 190 mod 11 = 3; 11 − 3 = 8.
        assert_eq!(check_digit(&[0, 1, 0, 7, 5, 4, 4, 0, 0, 0, 1, 0]), 8);
        // A sum divisible by 11 gives (11 − 0) mod 10 = 1; a remainder of 1 gives 0.
        // 1·13 + 0·12 + 0·11 + 0·10 + 0·9 + 0·8 + 0·7 + 0·6 + 0·5 + 0·4 + 3·3 + 0·2 = 22.
        assert_eq!(check_digit(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0]), 1);
        // 1·13 = 13; 13 mod 11 = 2 → 9. And 12 (1·12) mod 11 = 1 → 10 mod 10 = 0.
        assert_eq!(check_digit(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 9);
        assert_eq!(check_digit(&[0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
    }

    #[test]
    fn gsi_6_1_accepts_numbers_built_from_the_algorithm() {
        for twelve in [
            "010554600012",
            "010753600010",
            "099400015938",
            "123456789012",
            "000000000000",
            "999999999999",
            "010000000000",
        ] {
            let valid = with_check_digit(twelve);
            assert!(RegistrationNumber::parse("r", &valid).is_ok(), "{valid} must be accepted");
        }
    }

    #[test]
    fn gsi_6_1_refuses_every_wrong_check_digit() {
        let valid = with_check_digit("010554600012");
        let right = valid.as_bytes()[12];
        for wrong in (b'0'..=b'9').filter(|d| *d != right) {
            let mut bytes = valid.clone().into_bytes();
            bytes[12] = wrong;
            let candidate = String::from_utf8(bytes).unwrap();
            assert_eq!(code(&candidate), "invalid_check_digit", "{candidate}");
        }
    }

    #[test]
    fn gsi_6_1_refuses_a_swapped_pair_of_digits() {
        // 0107544000108 with its 4th and 5th digits swapped: weights differ, so the check fails.
        assert_eq!(code("0105744000108"), "invalid_check_digit");
        // The example number given in the brief does not satisfy the algorithm
        // (sum 184, 184 mod 11 = 8, check 3, not 5), so it is refused.
        assert_eq!(code("0105536000315"), "invalid_check_digit");
    }

    #[test]
    fn gsi_6_1_accepts_the_printed_dash_grouping_and_stores_bare_digits() {
        let n = RegistrationNumber::parse("r", " 0-1075-44000-10-8 ").unwrap();
        assert_eq!(n.as_str(), "0107544000108");
        assert_eq!(n.to_string(), "0107544000108");
        assert_eq!(n.grouped(), "0-1075-44000-10-8");
    }

    #[test]
    fn gsi_6_1_refuses_other_shapes() {
        for bad in [
            "010754400010",   // 12 digits
            "01075440001080", // 14 digits
            "0107544000l08",  // a letter
            "0 1075 44000 10 8",
            "01-075-44000-10-8", // wrong grouping
            "0-1075-44000-108",
            "0-1075-44000-10-8-",
            "0--1075-44000-10-8",
            "๐๑๐๗๕๔๔๐๐๐๑๐๘", // Thai digits
            "+107544000108",
        ] {
            assert_eq!(code(bad), "invalid_registration_number", "{bad}");
        }
        assert_eq!(code("   "), "required");
        let errors = RegistrationNumber::parse("legal.registration_number", "1").unwrap_err();
        assert_eq!(errors.errors()[0].field, "legal.registration_number");
    }
}
