//! Personnel compliance (GSI-9.1-9.3): staff involved in the service, with no more personal
//! data than needed (the provider's staff reference and a display name), their technical
//! certifications per area, criminal-record check and NDA dates, and a summary per area.

use chrono::{DateTime, Days, NaiveDate, Utc};

use super::period::bangkok_date;
use crate::ids::{Id, OrganisationId};
use crate::service::vocabulary;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const REF_MAX: usize = 100;
pub const NAME_MAX: usize = 200;
pub const MAX_CERTIFICATIONS: usize = 30;
/// "Lapsing soon" in the summary.
pub const LAPSING_DAYS: u64 = 30;
pub type StaffId = Id<StaffMember>;

vocabulary!(
    /// GSI-9.1: the areas a staff member's technical certification is in.
    StaffArea, "staff area" {
        Network => "network",
        Cloud => "cloud",
        DataCenter => "data_center",
        Security => "security",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TechnicalCertification {
    pub area: StaffArea,
    pub name: BoundedText,
    pub issuer: BoundedText,
    /// The last valid day (Asia/Bangkok).
    pub expires_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMember {
    pub id: StaffId,
    pub provider: OrganisationId,
    /// The provider's own reference for the person (an employee number), not a national id.
    pub staff_ref: BoundedText,
    pub display_name: BoundedText,
    pub certifications: Vec<TechnicalCertification>,
    /// GSI-9.2.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// GSI-9.3.
    pub nda_signed_on: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default)]
pub struct CertificationDraft {
    pub area: String,
    pub name: String,
    pub issuer: String,
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct StaffDraft {
    pub staff_ref: String,
    pub display_name: String,
    pub certifications: Vec<CertificationDraft>,
    pub criminal_record_checked_on: Option<NaiveDate>,
    pub nda_signed_on: Option<NaiveDate>,
}

impl StaffMember {
    pub fn parse(
        id: StaffId,
        provider: OrganisationId,
        draft: &StaffDraft,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let staff_ref = errors.collect(BoundedText::parse("staff_ref", &draft.staff_ref, REF_MAX));
        let display_name = errors.collect(BoundedText::parse("display_name", &draft.display_name, NAME_MAX));
        if draft.certifications.len() > MAX_CERTIFICATIONS {
            errors.add("certifications", "too_many", format!("at most {MAX_CERTIFICATIONS}"));
        }
        let today = bangkok_date(now);
        let certifications: Vec<Option<TechnicalCertification>> = draft
            .certifications
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let field = |f: &str| format!("certifications[{i}].{f}");
                let area = match c.area.parse::<StaffArea>() {
                    Ok(a) => Some(a),
                    Err(e) => {
                        errors.add(field("area"), "invalid_choice", e.to_string());
                        None
                    }
                };
                let name = errors.collect(BoundedText::parse(&field("name"), &c.name, NAME_MAX));
                let issuer = errors.collect(BoundedText::parse(&field("issuer"), &c.issuer, NAME_MAX));
                if c.expires_on.is_none() {
                    errors.add(field("expires_on"), "required", "the last valid day (Asia/Bangkok)");
                }
                Some(TechnicalCertification { area: area?, name: name?, issuer: issuer?, expires_on: c.expires_on? })
            })
            .collect();
        for (field, day) in
            [("criminal_record_checked_on", draft.criminal_record_checked_on), ("nda_signed_on", draft.nda_signed_on)]
        {
            if day.is_some_and(|d| d > today) {
                errors.add(field, "in_the_future", format!("must not be after today ({today})"));
            }
        }
        errors.finish(|| {
            Some(StaffMember {
                id,
                provider,
                staff_ref: staff_ref?,
                display_name: display_name?,
                certifications: certifications.into_iter().collect::<Option<Vec<_>>>()?,
                criminal_record_checked_on: draft.criminal_record_checked_on,
                nda_signed_on: draft.nda_signed_on,
                recorded_at: now,
            })
        })
    }

    /// Works in `area`: holds a certification in it, valid or not.
    pub fn works_in(&self, area: StaffArea) -> bool {
        self.certifications.iter().any(|c| c.area == area)
    }

    /// GSI-9.1-9.3 on `day`: a valid certification in `area`, a criminal-record check, an NDA.
    pub fn compliant_in(&self, area: StaffArea, day: NaiveDate) -> bool {
        self.certifications.iter().any(|c| c.area == area && c.expires_on >= day)
            && self.criminal_record_checked_on.is_some()
            && self.nda_signed_on.is_some()
    }

    /// Compliant on `day` but its valid certifications in `area` all end within 30 days.
    pub fn lapsing_in(&self, area: StaffArea, day: NaiveDate) -> bool {
        let horizon = day.checked_add_days(Days::new(LAPSING_DAYS)).unwrap_or(day);
        self.compliant_in(area, day)
            && self
                .certifications
                .iter()
                .filter(|c| c.area == area && c.expires_on >= day)
                .all(|c| c.expires_on <= horizon)
    }
}

/// One line of the per-area summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AreaSummary {
    pub area: StaffArea,
    pub staff: usize,
    pub compliant: usize,
    pub lapsing_within_30_days: usize,
}

/// The summary per area at `now` (Asia/Bangkok day).
pub fn summary(staff: &[StaffMember], now: DateTime<Utc>) -> Vec<AreaSummary> {
    let day = bangkok_date(now);
    StaffArea::ALL
        .iter()
        .map(|area| AreaSummary {
            area: *area,
            staff: staff.iter().filter(|s| s.works_in(*area)).count(),
            compliant: staff.iter().filter(|s| s.compliant_in(*area, day)).count(),
            lapsing_within_30_days: staff.iter().filter(|s| s.lapsing_in(*area, day)).count(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 10, 3, 0, 0).unwrap()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    fn member(n: u128, expires: NaiveDate, checked: bool) -> StaffMember {
        let draft = StaffDraft {
            staff_ref: format!("EMP-{n}"),
            display_name: "สมชาย".into(),
            certifications: vec![CertificationDraft {
                area: "cloud".into(),
                name: "AWS SAA".into(),
                issuer: "AWS".into(),
                expires_on: Some(expires),
            }],
            criminal_record_checked_on: checked.then(|| d(1, 5)),
            nda_signed_on: Some(d(1, 6)),
        };
        StaffMember::parse(Id::from_uuid(Uuid::from_u128(n)), OrganisationId::from_uuid(Uuid::nil()), &draft, now())
            .unwrap()
    }

    #[test]
    fn gsi_9_1_summary_counts_staff_compliant_and_lapsing_per_area() {
        let staff = [
            member(1, d(12, 31), true),
            member(2, d(3, 20), true),
            member(3, d(12, 31), false),
            member(4, d(3, 9), true),
        ];
        let cloud = summary(&staff, now()).into_iter().find(|s| s.area == StaffArea::Cloud).unwrap();
        assert_eq!(cloud, AreaSummary { area: StaffArea::Cloud, staff: 4, compliant: 2, lapsing_within_30_days: 1 });
        let network = summary(&staff, now()).into_iter().find(|s| s.area == StaffArea::Network).unwrap();
        assert_eq!(network.staff, 0);
    }

    #[test]
    fn gsi_9_2_bad_staff_input_names_every_field() {
        let draft = StaffDraft {
            staff_ref: " ".into(),
            display_name: "x".into(),
            certifications: vec![CertificationDraft {
                area: "space".into(),
                name: "n".into(),
                issuer: "i".into(),
                expires_on: None,
            }],
            criminal_record_checked_on: Some(d(12, 1)),
            nda_signed_on: None,
        };
        let errors =
            StaffMember::parse(Id::from_uuid(Uuid::nil()), OrganisationId::from_uuid(Uuid::nil()), &draft, now())
                .unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            fields,
            [
                ("staff_ref", "required"),
                ("certifications[0].area", "invalid_choice"),
                ("certifications[0].expires_on", "required"),
                ("criminal_record_checked_on", "in_the_future"),
            ]
        );
    }
}
