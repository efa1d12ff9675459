//! Assessments and certifications (GSI-5.2, 6.3, 11.1–11.4): an accredited assessor
//! assesses a provider against the family standards in scope, records a finding per
//! clause of the catalogue, and closes the assessment with a decision. A positive decision
//! with no open major nonconformity certifies the provider for the families in scope, for
//! at most one year (GSI-11.1).

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::clauses::clause;
use super::period::{FamilyScope, FamilyStandard, ValidityPeriod, bangkok_date, one_year_after};
use crate::ids::{Id, OrganisationId};
use crate::role::Subject;
use crate::service::vocabulary;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const NOTE_MAX: usize = 4000;
pub const EVIDENCE_REF_MAX: usize = 500;
pub const MAX_EVIDENCE_REFS: usize = 50;
pub type AssessmentId = Id<Assessment>;
pub type FindingId = Id<Finding>;
pub type CertificationId = Id<Certification>;

vocabulary!(
    /// GSI-11.1: why an assessment takes place.
    AssessmentKind, "assessment kind" {
        Initial => "initial",
        Surveillance => "surveillance",
        OnRequest => "on_request",
        Recertification => "recertification",
    }
);

vocabulary!(
    /// The result of a clause examined.
    FindingResult, "finding result" {
        Conforms => "conforms",
        MinorNonconformity => "minor_nonconformity",
        MajorNonconformity => "major_nonconformity",
        Observation => "observation",
    }
);

vocabulary!(
    DecisionOutcome, "decision outcome" {
        /// Certify the provider for the families in scope.
        Certify => "certify",
        /// Do not certify.
        Refuse => "refuse",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub outcome: DecisionOutcome,
    pub decided_at: DateTime<Utc>,
    pub decided_by: Subject,
    pub note: BoundedText,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub provider: OrganisationId,
    pub assessor: OrganisationId,
    pub kind: AssessmentKind,
    pub scope: FamilyScope,
    pub planned_on: NaiveDate,
    pub performed_on: Option<NaiveDate>,
    /// GSI-11.4: when the provider consented to inspection (stated by the assessor, with
    /// the reference of the provider's consent).
    pub consent_ref: BoundedText,
    pub created_at: DateTime<Utc>,
    pub created_by: Subject,
    pub decision: Option<Decision>,
}

impl Assessment {
    /// GSI-6.3: the family standards the assessment is against, one per family in scope.
    pub fn standards(&self) -> Vec<FamilyStandard> {
        self.scope.iter().map(FamilyStandard::for_family).collect()
    }

    /// The day it counts from: performed, else planned.
    pub fn assessment_day(&self) -> NaiveDate {
        self.performed_on.unwrap_or(self.planned_on)
    }
}

#[derive(Debug, Clone, Default)]
pub struct AssessmentDraft {
    pub provider: Option<OrganisationId>,
    pub kind: String,
    pub families: Vec<String>,
    pub planned_on: Option<NaiveDate>,
    pub performed_on: Option<NaiveDate>,
    pub consent_ref: String,
}

impl Assessment {
    pub fn parse(
        id: AssessmentId,
        assessor: OrganisationId,
        draft: &AssessmentDraft,
        by: Subject,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if draft.provider.is_none() {
            errors.add("provider_id", "required", "the provider assessed");
        }
        let kind = match draft.kind.parse::<AssessmentKind>() {
            Ok(k) => Some(k),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let scope = errors.collect(FamilyScope::parse("families", &draft.families));
        if draft.planned_on.is_none() {
            errors.add("planned_on", "required", "the planned assessment date (Bangkok date)");
        }
        if let Some(performed) = draft.performed_on.filter(|d| *d > bangkok_date(now)) {
            errors.add("performed_on", "in_the_future", format!("{performed} is after today ({})", bangkok_date(now)));
        }
        let consent_ref = match BoundedText::parse("consent_ref", &draft.consent_ref, EVIDENCE_REF_MAX) {
            Ok(c) => Some(c),
            Err(_) => {
                errors.add(
                    "consent_ref",
                    "consent_required",
                    "the reference of the provider's consent to inspection is required (GSI-11.4)",
                );
                None
            }
        };
        errors.finish(|| {
            Some(Assessment {
                id,
                provider: draft.provider?,
                assessor,
                kind: kind?,
                scope: scope?,
                planned_on: draft.planned_on?,
                performed_on: draft.performed_on,
                consent_ref: consent_ref?,
                created_at: now,
                created_by: by,
                decision: None,
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub id: FindingId,
    pub assessment: AssessmentId,
    pub provider: OrganisationId,
    /// A clause id of the catalogue, e.g. `GSI-6.4`.
    pub clause: String,
    pub result: FindingResult,
    pub evidence_refs: Vec<BoundedText>,
    pub note: Option<BoundedText>,
    /// A follow-up finding that closes an earlier major nonconformity.
    pub closes: Option<FindingId>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: Subject,
}

#[derive(Debug, Clone, Default)]
pub struct FindingDraft {
    pub clause: String,
    pub result: String,
    pub evidence_refs: Vec<String>,
    pub note: Option<String>,
    pub closes: Option<FindingId>,
}

/// Parses a finding on `assessment`. `existing` are the findings already recorded on it.
/// Refused: an unknown clause (named), an unknown result, blank evidence references, a
/// finding after the decision unless it closes an open major nonconformity, a `closes`
/// that names no open major of this assessment or does not conform.
pub fn record_finding(
    id: FindingId,
    assessment: &Assessment,
    existing: &[Finding],
    draft: &FindingDraft,
    by: Subject,
    now: DateTime<Utc>,
) -> Result<Finding, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let clause_id = draft.clause.trim();
    if clause(clause_id).is_none() {
        errors.add(
            "clause",
            "unknown_clause",
            format!("`{clause_id}` is not a clause of the standard's catalogue (e.g. GSI-6.4, GSI-7.5.6)"),
        );
    }
    let result = match draft.result.parse::<FindingResult>() {
        Ok(r) => Some(r),
        Err(e) => {
            errors.add("result", "invalid_choice", e.to_string());
            None
        }
    };
    if draft.evidence_refs.len() > MAX_EVIDENCE_REFS {
        errors.add("evidence_refs", "too_many", format!("at most {MAX_EVIDENCE_REFS}"));
    }
    let refs: Vec<Option<BoundedText>> = draft
        .evidence_refs
        .iter()
        .enumerate()
        .map(|(i, r)| errors.collect(BoundedText::parse(&format!("evidence_refs[{i}]"), r, EVIDENCE_REF_MAX)))
        .collect();
    let note = errors.collect(BoundedText::parse_optional("note", draft.note.as_deref(), NOTE_MAX));
    let open = open_majors(existing);
    match draft.closes {
        Some(closed) => {
            if !open.iter().any(|f| f.id == closed) {
                errors.add("closes", "not_an_open_major", "names no open major nonconformity of this assessment");
            } else if result.is_some_and(|r| r != FindingResult::Conforms) {
                errors.add(
                    "result",
                    "must_conform",
                    "a follow-up finding closes a major nonconformity only by `conforms`",
                );
            } else if let Some(m) = open.iter().find(|f| f.id == closed).filter(|m| m.clause != clause_id) {
                errors.add("clause", "clause_mismatch", format!("the nonconformity it closes is on {}", m.clause));
            }
        }
        None if assessment.decision.is_some() => errors.add(
            "assessment",
            "decided",
            "the assessment is decided; only a follow-up finding that closes a major nonconformity may be added",
        ),
        None => {}
    }
    errors.finish(|| {
        Some(Finding {
            id,
            assessment: assessment.id,
            provider: assessment.provider,
            clause: clause_id.to_owned(),
            result: result?,
            evidence_refs: refs.into_iter().collect::<Option<Vec<_>>>()?,
            note: note?,
            closes: draft.closes,
            recorded_at: now,
            recorded_by: by,
        })
    })
}

/// Major nonconformities not closed by a follow-up finding.
pub fn open_majors(findings: &[Finding]) -> Vec<&Finding> {
    let closed: BTreeSet<FindingId> = findings.iter().filter_map(|f| f.closes).collect();
    findings.iter().filter(|f| f.result == FindingResult::MajorNonconformity && !closed.contains(&f.id)).collect()
}

/// A provider's certification for families (GSI-11.1, 11.3), counted from `decided_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certification {
    pub id: CertificationId,
    pub provider: OrganisationId,
    pub assessor: OrganisationId,
    pub assessment: AssessmentId,
    pub scope: FamilyScope,
    pub period: ValidityPeriod,
    pub decided_at: DateTime<Utc>,
}

impl Certification {
    /// GSI-11.1: the next surveillance is due by the end of the certification.
    pub fn surveillance_due(&self) -> NaiveDate {
        self.period.until
    }

    pub fn in_force(&self, at: DateTime<Utc>) -> bool {
        self.decided_at <= at && self.period.contains(at)
    }
}

#[derive(Debug, Clone, Default)]
pub struct DecisionDraft {
    pub outcome: String,
    pub note: String,
    /// The certification date; defaults to the assessment day.
    pub certified_on: Option<NaiveDate>,
    /// Defaults to one year from the certification date, and may not exceed it.
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecisionRefused {
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error("the assessment was already decided on {0}")]
    AlreadyDecided(DateTime<Utc>),
    /// Open major nonconformities, by clause (GSI-11.3).
    #[error("open major nonconformities block certification: {}", .0.join(", "))]
    OpenMajors(Vec<String>),
}

/// Closes `assessment` with a decision; a positive one yields a certification for the
/// families in scope. The caller has checked the assessor's accreditation.
pub fn decide(
    assessment: &Assessment,
    findings: &[Finding],
    draft: &DecisionDraft,
    certification_id: CertificationId,
    by: Subject,
    now: DateTime<Utc>,
) -> Result<(Decision, Option<Certification>), DecisionRefused> {
    if let Some(d) = &assessment.decision {
        return Err(DecisionRefused::AlreadyDecided(d.decided_at));
    }
    let mut errors = ValidationErrors::new();
    let outcome = match draft.outcome.parse::<DecisionOutcome>() {
        Ok(o) => Some(o),
        Err(e) => {
            errors.add("outcome", "invalid_choice", e.to_string());
            None
        }
    };
    let note = errors.collect(BoundedText::parse("note", &draft.note, NOTE_MAX));
    let certified_on = draft.certified_on.unwrap_or(assessment.assessment_day());
    if certified_on > bangkok_date(now) {
        errors.add("certified_on", "in_the_future", format!("{certified_on} is after today ({})", bangkok_date(now)));
    }
    if assessment.performed_on.is_none() && outcome == Some(DecisionOutcome::Certify) {
        errors.add("performed_on", "not_performed", "record the date the assessment was performed before certifying");
    }
    let cap = one_year_after(certified_on);
    let until = draft.valid_until.unwrap_or(cap);
    if until > cap {
        errors.add(
            "valid_until",
            "longer_than_one_year",
            format!("a certification is valid at most one year from its date: until {cap} at the latest (GSI-11.1)"),
        );
    }
    let period = errors.collect(ValidityPeriod::parse("valid_until", certified_on, until));
    let (Some(outcome), Some(note), Some(period)) = (outcome, note, period) else {
        return Err(DecisionRefused::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(DecisionRefused::Invalid(errors));
    }
    let majors = open_majors(findings);
    if outcome == DecisionOutcome::Certify && !majors.is_empty() {
        return Err(DecisionRefused::OpenMajors(majors.iter().map(|f| f.clause.clone()).collect()));
    }
    let decision = Decision { outcome, decided_at: now, decided_by: by, note };
    let certification = (outcome == DecisionOutcome::Certify).then(|| Certification {
        id: certification_id,
        provider: assessment.provider,
        assessor: assessment.assessor,
        assessment: assessment.id,
        scope: assessment.scope.clone(),
        period,
        decided_at: now,
    });
    Ok((decision, certification))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::service::ServiceFamily;
    use chrono::TimeZone;
    use uuid::Uuid;

    pub(crate) fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 10, 3, 0, 0).unwrap()
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn who() -> Subject {
        Subject::parse("assessor-1").unwrap()
    }

    pub(crate) fn assessment() -> Assessment {
        let draft = AssessmentDraft {
            provider: Some(OrganisationId::from_uuid(Uuid::from_u128(0x70))),
            kind: "initial".into(),
            families: vec!["cloud".into()],
            planned_on: Some(day(3, 1)),
            performed_on: Some(day(3, 2)),
            consent_ref: "consent letter 2027/14".into(),
        };
        Assessment::parse(
            Id::from_uuid(Uuid::from_u128(0xA1)),
            OrganisationId::from_uuid(Uuid::from_u128(0xA5)),
            &draft,
            who(),
            now(),
        )
        .unwrap()
    }

    fn finding(
        a: &Assessment,
        existing: &[Finding],
        n: u128,
        clause: &str,
        result: &str,
        closes: Option<FindingId>,
    ) -> Result<Finding, ValidationErrors> {
        let draft = FindingDraft {
            clause: clause.into(),
            result: result.into(),
            evidence_refs: vec!["DOC-1".into()],
            note: None,
            closes,
        };
        record_finding(Id::from_uuid(Uuid::from_u128(n)), a, existing, &draft, who(), now())
    }

    fn certify(until: Option<NaiveDate>) -> DecisionDraft {
        DecisionDraft { outcome: "certify".into(), note: "conforms".into(), certified_on: None, valid_until: until }
    }

    #[test]
    fn gsi_11_2_finding_on_an_unknown_clause_is_refused_naming_it() {
        let a = assessment();
        let errors = finding(&a, &[], 1, "GSI-99.1", "conforms", None).unwrap_err();
        assert_eq!(errors.errors()[0].field, "clause");
        assert_eq!(errors.errors()[0].code, "unknown_clause");
        assert!(errors.errors()[0].message.contains("GSI-99.1"));
        assert!(finding(&a, &[], 1, "GSI-6.4", "conforms", None).is_ok());
        assert_eq!(a.standards(), [FamilyStandard::Dgs1003]);
    }

    #[test]
    fn gsi_11_3_open_major_nonconformity_blocks_certification_until_closed() {
        let a = assessment();
        let major = finding(&a, &[], 1, "GSI-8.1", "major_nonconformity", None).unwrap();
        let findings = vec![major.clone()];
        let refused = decide(&a, &findings, &certify(None), Id::from_uuid(Uuid::from_u128(9)), who(), now());
        assert_eq!(refused, Err(DecisionRefused::OpenMajors(vec!["GSI-8.1".into()])));
        // A refusal is still possible, and closes the assessment.
        let refuse =
            DecisionDraft { outcome: "refuse".into(), note: "major on 8.1".into(), ..DecisionDraft::default() };
        let (decision, cert) = decide(&a, &findings, &refuse, Id::from_uuid(Uuid::from_u128(9)), who(), now()).unwrap();
        assert_eq!(decision.outcome, DecisionOutcome::Refuse);
        assert!(cert.is_none());
        // A follow-up must conform, on the same clause.
        assert_eq!(
            finding(&a, &findings, 2, "GSI-8.1", "observation", Some(major.id)).unwrap_err().errors()[0].code,
            "must_conform"
        );
        assert_eq!(
            finding(&a, &findings, 2, "GSI-8.2", "conforms", Some(major.id)).unwrap_err().errors()[0].code,
            "clause_mismatch"
        );
        let follow_up = finding(&a, &findings, 2, "GSI-8.1", "conforms", Some(major.id)).unwrap();
        let closed = vec![major.clone(), follow_up];
        assert!(open_majors(&closed).is_empty());
        let (_, cert) = decide(&a, &closed, &certify(None), Id::from_uuid(Uuid::from_u128(9)), who(), now()).unwrap();
        let cert = cert.unwrap();
        assert_eq!(cert.scope.iter().collect::<Vec<_>>(), [ServiceFamily::Cloud]);
        // A minor nonconformity does not block.
        let minor = vec![finding(&a, &[], 3, "GSI-7.3", "minor_nonconformity", None).unwrap()];
        assert!(decide(&a, &minor, &certify(None), Id::from_uuid(Uuid::from_u128(9)), who(), now()).is_ok());
        // After the decision, only follow-ups.
        let mut decided = a.clone();
        decided.decision = Some(decision);
        assert_eq!(
            finding(&decided, &findings, 4, "GSI-7.3", "conforms", None).unwrap_err().errors()[0].code,
            "decided"
        );
        assert!(finding(&decided, &findings, 4, "GSI-8.1", "conforms", Some(major.id)).is_ok());
    }

    #[test]
    fn gsi_11_1_certification_is_valid_at_most_one_year() {
        let a = assessment(); // performed 2027-03-02
        let (_, cert) = decide(&a, &[], &certify(None), Id::from_uuid(Uuid::from_u128(9)), who(), now()).unwrap();
        let cert = cert.unwrap();
        assert_eq!(cert.period.from, day(3, 2));
        assert_eq!(cert.period.until, NaiveDate::from_ymd_opt(2028, 3, 1).unwrap());
        assert_eq!(cert.surveillance_due(), NaiveDate::from_ymd_opt(2028, 3, 1).unwrap());
        assert!(cert.in_force(now()));
        assert!(!cert.in_force(cert.period.ends_at()));
        let too_long = decide(
            &a,
            &[],
            &certify(Some(NaiveDate::from_ymd_opt(2028, 3, 2).unwrap())),
            Id::from_uuid(Uuid::from_u128(9)),
            who(),
            now(),
        );
        match too_long {
            Err(DecisionRefused::Invalid(e)) => assert_eq!(e.errors()[0].code, "longer_than_one_year"),
            other => panic!("expected refusal, got {other:?}"),
        }
        let shorter =
            decide(&a, &[], &certify(Some(day(9, 30))), Id::from_uuid(Uuid::from_u128(9)), who(), now()).unwrap();
        assert_eq!(shorter.1.unwrap().period.until, day(9, 30));
        let mut decided = a.clone();
        decided.decision = Some(shorter.0);
        assert!(matches!(
            decide(&decided, &[], &certify(None), Id::from_uuid(Uuid::from_u128(9)), who(), now()),
            Err(DecisionRefused::AlreadyDecided(_))
        ));
    }

    #[test]
    fn gsi_11_4_assessment_needs_consent_and_names_bad_fields() {
        let draft = AssessmentDraft { kind: "audit".into(), ..AssessmentDraft::default() };
        let errors =
            Assessment::parse(Id::from_uuid(Uuid::nil()), OrganisationId::from_uuid(Uuid::nil()), &draft, who(), now())
                .unwrap_err();
        let codes: Vec<_> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("provider_id", "required"),
                ("kind", "invalid_choice"),
                ("families", "required"),
                ("planned_on", "required"),
                ("consent_ref", "consent_required")
            ]
        );
    }
}
