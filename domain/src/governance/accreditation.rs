//! Assessor accreditation (GSI-12.1): GIX accredits an assessor organisation for a period
//! and a scope of service families, and may withdraw it with a reason. Only an assessor
//! accredited on the assessment date, for every family in scope, records an assessment.

use chrono::{DateTime, NaiveDate, Utc};

use super::period::{FamilyScope, ValidityPeriod};
use crate::ids::{Id, OrganisationId};
use crate::role::Subject;
use crate::service::ServiceFamily;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const REASON_MAX: usize = 1000;
pub type AccreditationId = Id<Accreditation>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: DateTime<Utc>,
    pub reason: BoundedText,
    pub by: Subject,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accreditation {
    pub id: AccreditationId,
    pub assessor: OrganisationId,
    pub scope: FamilyScope,
    pub period: ValidityPeriod,
    pub granted_by: Subject,
    pub granted_at: DateTime<Utc>,
    pub withdrawal: Option<Withdrawal>,
}

#[derive(Debug, Clone, Default)]
pub struct AccreditationDraft {
    pub families: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
}

impl Accreditation {
    /// Parses GIX's accreditation of `assessor`, naming every bad field.
    pub fn grant(
        id: AccreditationId,
        assessor: OrganisationId,
        draft: &AccreditationDraft,
        by: Subject,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let scope = errors.collect(FamilyScope::parse("families", &draft.families));
        if draft.valid_from.is_none() {
            errors.add("valid_from", "required", "the first day of the accreditation (Bangkok date)");
        }
        if draft.valid_until.is_none() {
            errors.add("valid_until", "required", "the last day of the accreditation (Bangkok date)");
        }
        let period = match (draft.valid_from, draft.valid_until) {
            (Some(from), Some(until)) => errors.collect(ValidityPeriod::parse("valid_until", from, until)),
            _ => None,
        };
        errors.finish(|| {
            Some(Accreditation {
                id,
                assessor,
                scope: scope?,
                period: period?,
                granted_by: by,
                granted_at: now,
                withdrawal: None,
            })
        })
    }

    /// In force at `at`: granted by then, within its period, not withdrawn by then.
    pub fn in_force(&self, at: DateTime<Utc>) -> bool {
        self.granted_at <= at && self.period.contains(at) && self.withdrawal.as_ref().is_none_or(|w| w.at > at)
    }
}

/// Why an assessor may not assess (GSI-12.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotAccredited {
    #[error("the assessor holds no accreditation from GIX (GSI-12.1)")]
    None,
    #[error("the assessor's accreditation was withdrawn on {at}: {reason} (GSI-12.1)")]
    Withdrawn { at: DateTime<Utc>, reason: String },
    #[error("the assessor is not accredited on {day} (GSI-12.1)")]
    OutsidePeriod { day: NaiveDate },
    #[error("the assessor is not accredited for {} (GSI-12.1)", .families.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", "))]
    FamiliesOutOfScope { families: Vec<ServiceFamily> },
}

impl NotAccredited {
    pub const fn code(&self) -> &'static str {
        match self {
            NotAccredited::None => "assessor_not_accredited",
            NotAccredited::Withdrawn { .. } => "accreditation_withdrawn",
            NotAccredited::OutsidePeriod { .. } => "accreditation_not_in_force",
            NotAccredited::FamiliesOutOfScope { .. } => "families_not_accredited",
        }
    }
}

/// GSI-12.1: the assessor must be accredited, now (`now`) and on `day` (the assessment
/// date), by one accreditation covering every family of `scope`. Returns the accreditation
/// used, or the most telling reason why none serves.
pub fn check_accredited<'a>(
    accreditations: &'a [Accreditation],
    assessor: OrganisationId,
    scope: &FamilyScope,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<&'a Accreditation, NotAccredited> {
    let own: Vec<&Accreditation> = accreditations.iter().filter(|a| a.assessor == assessor).collect();
    if own.is_empty() {
        return Err(NotAccredited::None);
    }
    let live: Vec<&Accreditation> =
        own.iter().copied().filter(|a| a.withdrawal.as_ref().is_none_or(|w| w.at > now)).collect();
    if live.is_empty() {
        let latest = own.iter().filter_map(|a| a.withdrawal.as_ref()).max_by_key(|w| w.at);
        return Err(match latest {
            Some(w) => NotAccredited::Withdrawn { at: w.at, reason: w.reason.as_str().to_owned() },
            None => NotAccredited::None,
        });
    }
    let dated: Vec<&Accreditation> =
        live.iter().copied().filter(|a| a.period.contains_day(day) && a.period.contains(now)).collect();
    if dated.is_empty() {
        return Err(NotAccredited::OutsidePeriod { day });
    }
    if let Some(fit) = dated.iter().copied().find(|a| scope.missing_from(&a.scope).is_empty()) {
        return Ok(fit);
    }
    let fewest = dated.iter().map(|a| scope.missing_from(&a.scope)).min_by_key(Vec::len).unwrap_or_default();
    Err(NotAccredited::FamiliesOutOfScope { families: fewest })
}

/// GIX withdraws an accreditation with a reason, from `now`.
pub fn withdraw(
    accreditation: &Accreditation,
    reason: &str,
    by: Subject,
    now: DateTime<Utc>,
) -> Result<Withdrawal, ValidationErrors> {
    if let Some(w) = &accreditation.withdrawal {
        return Err(ValidationErrors::single("accreditation", "already_withdrawn", format!("withdrawn on {}", w.at)));
    }
    let reason = BoundedText::parse("reason", reason, REASON_MAX)?;
    Ok(Withdrawal { at: now, reason, by })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use uuid::Uuid;

    fn assessor() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0xA5))
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 3, 0, 0).unwrap()
    }

    fn accreditation(families: &[&str]) -> Accreditation {
        let draft = AccreditationDraft {
            families: families.iter().map(|f| (*f).to_owned()).collect(),
            valid_from: Some(day(1, 1)),
            valid_until: Some(day(12, 31)),
        };
        Accreditation::grant(
            Id::from_uuid(Uuid::from_u128(1)),
            assessor(),
            &draft,
            Subject::parse("gix").unwrap(),
            now() - chrono::Duration::days(30),
        )
        .unwrap()
    }

    fn scope(families: &[ServiceFamily]) -> FamilyScope {
        FamilyScope::of(families.iter().copied()).unwrap()
    }

    #[test]
    fn gsi_12_1_only_an_accredited_assessor_in_scope_may_assess() {
        let cloud = scope(&[ServiceFamily::Cloud]);
        let acc = vec![accreditation(&["cloud", "data_center"])];
        assert!(check_accredited(&acc, assessor(), &cloud, day(3, 1), now()).is_ok());
        assert_eq!(check_accredited(&[], assessor(), &cloud, day(3, 1), now()), Err(NotAccredited::None));
        assert_eq!(
            check_accredited(
                &acc,
                assessor(),
                &scope(&[ServiceFamily::Cloud, ServiceFamily::Network]),
                day(3, 1),
                now()
            ),
            Err(NotAccredited::FamiliesOutOfScope { families: vec![ServiceFamily::Network] })
        );
        let refused = check_accredited(&acc, assessor(), &cloud, NaiveDate::from_ymd_opt(2028, 1, 5).unwrap(), now());
        assert!(matches!(refused, Err(NotAccredited::OutsidePeriod { .. })));
        let mut withdrawn = acc.clone();
        withdrawn[0].withdrawal =
            Some(withdraw(&acc[0], "audit irregularities", Subject::parse("gix").unwrap(), now()).unwrap());
        let refused = check_accredited(&withdrawn, assessor(), &cloud, day(3, 1), now()).unwrap_err();
        assert_eq!(refused.code(), "accreditation_withdrawn");
        assert!(refused.to_string().contains("audit irregularities"));
        assert!(withdraw(&withdrawn[0], "again", Subject::parse("gix").unwrap(), now()).is_err());
        let other = OrganisationId::from_uuid(Uuid::from_u128(0xA6));
        assert_eq!(check_accredited(&acc, other, &cloud, day(3, 1), now()), Err(NotAccredited::None));
    }

    #[test]
    fn gsi_12_1_bad_accreditation_input_names_every_field() {
        let draft = AccreditationDraft { families: vec![], valid_from: None, valid_until: Some(day(1, 1)) };
        let errors =
            Accreditation::grant(Id::from_uuid(Uuid::nil()), assessor(), &draft, Subject::parse("g").unwrap(), now())
                .unwrap_err();
        let fields: Vec<_> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("families", "required"), ("valid_from", "required")]);
    }
}
