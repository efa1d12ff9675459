//! ISO certificates of a provider (GSI-6.4): recorded by the provider, verified by an
//! accredited assessor. Only a verified certificate counts, from its verification on, within
//! its validity period, for the families its scope covers.

use chrono::{DateTime, NaiveDate, Utc};

use super::period::{FamilyScope, IsoStandard, ValidityPeriod};
use crate::ids::{Id, OrganisationId};
use crate::role::Subject;
use crate::service::ServiceFamily;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const NUMBER_MAX: usize = 100;
pub const BODY_MAX: usize = 200;
pub const EVIDENCE_MAX: usize = 500;
pub type CertificateId = Id<IsoCertificate>;

/// Who verified a certificate, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub by: Subject,
    pub assessor: OrganisationId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsoCertificate {
    pub id: CertificateId,
    pub provider: OrganisationId,
    pub standard: IsoStandard,
    pub number: BoundedText,
    pub issuing_body: BoundedText,
    pub scope: FamilyScope,
    pub period: ValidityPeriod,
    /// Where the evidence is kept (a document reference or URL).
    pub evidence_ref: BoundedText,
    pub recorded_at: DateTime<Utc>,
    pub verification: Option<Verification>,
}

#[derive(Debug, Clone, Default)]
pub struct CertificateDraft {
    pub standard: String,
    pub number: String,
    pub issuing_body: String,
    pub families: Vec<String>,
    pub valid_from: Option<NaiveDate>,
    pub valid_until: Option<NaiveDate>,
    pub evidence_ref: String,
}

impl IsoCertificate {
    pub fn parse(
        id: CertificateId,
        provider: OrganisationId,
        draft: &CertificateDraft,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let standard = match draft.standard.parse::<IsoStandard>() {
            Ok(s) => Some(s),
            Err(e) => {
                errors.add("standard", "invalid_choice", e.to_string());
                None
            }
        };
        let number = errors.collect(BoundedText::parse("number", &draft.number, NUMBER_MAX));
        let issuing_body = errors.collect(BoundedText::parse("issuing_body", &draft.issuing_body, BODY_MAX));
        let scope = errors.collect(FamilyScope::parse("families", &draft.families));
        if draft.valid_from.is_none() {
            errors.add("valid_from", "required", "the first day the certificate is valid (Bangkok date)");
        }
        if draft.valid_until.is_none() {
            errors.add("valid_until", "required", "the last day the certificate is valid (Bangkok date)");
        }
        let period = match (draft.valid_from, draft.valid_until) {
            (Some(from), Some(until)) => errors.collect(ValidityPeriod::parse("valid_until", from, until)),
            _ => None,
        };
        let evidence_ref = errors.collect(BoundedText::parse("evidence_ref", &draft.evidence_ref, EVIDENCE_MAX));
        errors.finish(|| {
            Some(IsoCertificate {
                id,
                provider,
                standard: standard?,
                number: number?,
                issuing_body: issuing_body?,
                scope: scope?,
                period: period?,
                evidence_ref: evidence_ref?,
                recorded_at: now,
                verification: None,
            })
        })
    }

    /// GSI-6.4: counts for `family` at `at`.
    pub fn counts_for(&self, family: ServiceFamily, at: DateTime<Utc>) -> bool {
        self.verification.as_ref().is_some_and(|v| v.at <= at)
            && self.period.contains(at)
            && self.scope.contains(family)
    }

    /// Verified (by `at`) and covering `family`, whatever the dates.
    pub fn verified_for(&self, family: ServiceFamily, at: DateTime<Utc>) -> bool {
        self.verification.as_ref().is_some_and(|v| v.at <= at) && self.scope.contains(family)
    }
}

/// An assessor verifies a certificate once.
pub fn verify(
    certificate: &IsoCertificate,
    by: Subject,
    assessor: OrganisationId,
    now: DateTime<Utc>,
) -> Result<Verification, ValidationErrors> {
    if let Some(v) = &certificate.verification {
        return Err(ValidationErrors::single(
            "certificate",
            "already_verified",
            format!("verified on {} by {}", v.at, v.by.as_str()),
        ));
    }
    Ok(Verification { by, assessor, at: now })
}
