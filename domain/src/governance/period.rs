//! Dates and scopes shared by governance evidence: validity periods in Bangkok calendar
//! days, family scopes, the ISO standards of GSI-6.4 and the family standards of GSI-6.3.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, Months, NaiveDate, TimeZone, Utc};

use crate::calendar::bangkok;
use crate::service::{ServiceFamily, vocabulary};
use crate::validation::ValidationErrors;

/// The instant a Bangkok calendar day begins (00:00 UTC+7).
pub fn bangkok_day_start(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    match bangkok().from_local_datetime(&midnight).single() {
        Some(local) => local.with_timezone(&Utc),
        // A fixed offset has exactly one reading of every local time.
        None => midnight.and_utc(),
    }
}

/// The Bangkok calendar day an instant falls on.
pub fn bangkok_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&bangkok()).date_naive()
}

/// A period of whole Bangkok days, both ends included: a certificate "valid until
/// 2027-03-31" is valid through 23:59:59.999999 on 31 March in Bangkok and lapses at
/// 00:00 on 1 April Bangkok time (17:00 UTC on 31 March).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidityPeriod {
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl ValidityPeriod {
    /// Refuses an end before the start, naming `until_field`.
    pub fn parse(until_field: &str, from: NaiveDate, until: NaiveDate) -> Result<Self, ValidationErrors> {
        if until < from {
            return Err(ValidationErrors::single(
                until_field,
                "before_start",
                format!("must not be before the start of the period ({from})"),
            ));
        }
        Ok(ValidityPeriod { from, until })
    }

    pub fn starts_at(self) -> DateTime<Utc> {
        bangkok_day_start(self.from)
    }

    /// The first instant it is no longer valid: the start of the Bangkok day after `until`.
    pub fn ends_at(self) -> DateTime<Utc> {
        bangkok_day_start(self.until.checked_add_days(Days::new(1)).unwrap_or(self.until))
    }

    pub fn contains(self, at: DateTime<Utc>) -> bool {
        self.starts_at() <= at && at < self.ends_at()
    }

    pub fn contains_day(self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.until
    }
}

/// The longest a certification may run: one year from its date, that date's anniversary
/// excluded (GSI-11.1: surveillance at most one year from the date of certification).
pub fn one_year_after(day: NaiveDate) -> NaiveDate {
    day.checked_add_months(Months::new(12)).and_then(|d| d.checked_sub_days(Days::new(1))).unwrap_or(day)
}

/// A non-empty set of service families: what an accreditation, certificate, assessment or
/// certification covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyScope(BTreeSet<ServiceFamily>);

impl FamilyScope {
    pub fn parse(field: &str, raw: &[String]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut families = BTreeSet::new();
        if raw.is_empty() {
            errors.add(field, "required", "name at least one of network, cloud, data_center");
        }
        for (i, name) in raw.iter().enumerate() {
            match name.parse::<ServiceFamily>() {
                Ok(family) => {
                    if !families.insert(family) {
                        errors.add(format!("{field}[{i}]"), "duplicate", format!("`{family}` is named more than once"));
                    }
                }
                Err(e) => errors.add(format!("{field}[{i}]"), "invalid_choice", e.to_string()),
            }
        }
        errors.finish(|| Some(FamilyScope(families)))
    }

    pub fn of(families: impl IntoIterator<Item = ServiceFamily>) -> Option<Self> {
        let set: BTreeSet<ServiceFamily> = families.into_iter().collect();
        (!set.is_empty()).then_some(FamilyScope(set))
    }

    pub fn contains(&self, family: ServiceFamily) -> bool {
        self.0.contains(&family)
    }

    pub fn iter(&self) -> impl Iterator<Item = ServiceFamily> + '_ {
        self.0.iter().copied()
    }

    pub fn names(&self) -> Vec<String> {
        self.iter().map(|f| f.as_str().to_owned()).collect()
    }

    /// The families of `self` that `other` does not contain.
    pub fn missing_from(&self, other: &FamilyScope) -> Vec<ServiceFamily> {
        self.iter().filter(|f| !other.contains(*f)).collect()
    }
}

vocabulary!(
    /// GSI-6.4: the three management-system certificates a provider must hold.
    IsoStandard, "ISO standard" {
        /// ISO/IEC 20000-1, IT service management.
        Iso20000 => "iso_iec_20000_1",
        /// ISO 22301, business continuity.
        Iso22301 => "iso_22301",
        /// ISO/IEC 27001, information security.
        Iso27001 => "iso_iec_27001",
    }
);

impl IsoStandard {
    pub const fn title(self) -> &'static str {
        match self {
            IsoStandard::Iso20000 => "ISO/IEC 20000-1",
            IsoStandard::Iso22301 => "ISO 22301",
            IsoStandard::Iso27001 => "ISO/IEC 27001",
        }
    }
}

vocabulary!(
    /// GSI-6.3: the family standard a provider is assessed against.
    FamilyStandard, "family standard" {
        Dgs1002 => "DGS 1002",
        Dgs1003 => "DGS 1003",
        Dgs1004 => "DGS 1004",
    }
);

impl FamilyStandard {
    /// GSI-6.3: network DGS 1002, cloud DGS 1003, data center DGS 1004.
    pub const fn for_family(family: ServiceFamily) -> FamilyStandard {
        match family {
            ServiceFamily::Network => FamilyStandard::Dgs1002,
            ServiceFamily::Cloud => FamilyStandard::Dgs1003,
            ServiceFamily::DataCenter => FamilyStandard::Dgs1004,
        }
    }

    pub const fn family(self) -> ServiceFamily {
        match self {
            FamilyStandard::Dgs1002 => ServiceFamily::Network,
            FamilyStandard::Dgs1003 => ServiceFamily::Cloud,
            FamilyStandard::Dgs1004 => ServiceFamily::DataCenter,
        }
    }

    pub const fn title(self) -> &'static str {
        match self {
            FamilyStandard::Dgs1002 => "Government network service standard",
            FamilyStandard::Dgs1003 => "Government cloud service standard",
            FamilyStandard::Dgs1004 => "Government data-center service standard",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn gsi_6_4_validity_ends_at_the_end_of_the_bangkok_day() {
        let p = ValidityPeriod::parse("valid_until", d(2026, 4, 1), d(2027, 3, 31)).unwrap();
        let lapse = Utc.with_ymd_and_hms(2027, 3, 31, 17, 0, 0).unwrap(); // 1 April 00:00 Bangkok
        assert_eq!(p.ends_at(), lapse);
        assert!(p.contains(lapse - Duration::microseconds(1)));
        assert!(!p.contains(lapse));
        assert_eq!(p.starts_at(), Utc.with_ymd_and_hms(2026, 3, 31, 17, 0, 0).unwrap());
        assert!(!p.contains(p.starts_at() - Duration::microseconds(1)));
        assert_eq!(bangkok_date(lapse), d(2027, 4, 1));
        assert_eq!(bangkok_date(lapse - Duration::microseconds(1)), d(2027, 3, 31));
        let refused = ValidityPeriod::parse("valid_until", d(2027, 1, 2), d(2027, 1, 1)).unwrap_err();
        assert_eq!(refused.errors()[0].field, "valid_until");
    }

    #[test]
    fn gsi_11_1_one_year_from_the_certification_date() {
        assert_eq!(one_year_after(d(2027, 3, 1)), d(2028, 2, 29));
        assert_eq!(one_year_after(d(2028, 2, 29)), d(2029, 2, 27));
        assert_eq!(one_year_after(d(2026, 12, 6)), d(2027, 12, 5));
    }

    #[test]
    fn gsi_6_3_family_standards() {
        for family in ServiceFamily::ALL {
            assert_eq!(FamilyStandard::for_family(*family).family(), *family);
        }
        assert_eq!(FamilyStandard::for_family(ServiceFamily::Cloud).as_str(), "DGS 1003");
        let codes: Vec<_> = FamilyScope::parse("families", &["cloud".into(), "cloud".into(), "sat".into()])
            .unwrap_err()
            .errors()
            .iter()
            .map(|e| (e.field.clone(), e.code))
            .collect();
        assert_eq!(codes, [("families[1]".to_owned(), "duplicate"), ("families[2]".to_owned(), "invalid_choice")]);
    }
}
