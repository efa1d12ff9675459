//! Time rules shared by every aggregate.

use chrono::{DateTime, SubsecRound, Utc};

/// Instants are kept to the microsecond, the precision PostgreSQL stores, so that a value
/// written and read back is identical on both backends.
pub fn to_storage_precision(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_nanoseconds() {
        let t = DateTime::from_timestamp(1_700_000_000, 123_456_789).unwrap();
        assert_eq!(to_storage_precision(t).timestamp_subsec_nanos(), 123_456_000);
    }
}
