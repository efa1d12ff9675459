//! Governance evidence (GSI-6.4, 11.1-11.4, 12.1-12.3): accreditations, ISO certificates,
//! assessments, findings, certifications, and the provider list's change log. Rows convert
//! into `gsi_domain::governance` types; the listing decision itself is the domain's.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use gsi_domain::governance::accreditation::{self, Accreditation, AccreditationId, Withdrawal};
use gsi_domain::governance::assessment::{self, Assessment, AssessmentId, Certification, Decision, Finding, FindingId};
use gsi_domain::governance::certificate::{self, CertificateId, IsoCertificate, Verification};
use gsi_domain::governance::eligibility::{Horizon, ListingChange, ListingEvidence, LoggedListing};
use gsi_domain::governance::period::{FamilyScope, ValidityPeriod};
use gsi_domain::governance::personnel::{self, StaffMember, TechnicalCertification};
use gsi_domain::governance::security_control::{
    self as control, Interconnection, InterconnectionId, NoticeId, VulnerabilityNotice,
};
use gsi_domain::service::ServiceFamily;
use gsi_domain::subscription::SubscriptionId;
use gsi_domain::text::BoundedText;
use gsi_domain::{OrganisationId, Subject};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::repos::{listings, provider_profiles};
use crate::schema::{
    assessment_findings, assessments, assessor_accreditations, certifications, interconnections, iso_certificates,
    listing_changes, listing_sync, organisations, staff_members, vulnerability_notices,
};
use crate::types::{DbJson, DbTimestamp, DbUuid};

const DATE: &str = "%Y-%m-%d";

fn date_text(d: NaiveDate) -> String {
    d.format(DATE).to_string()
}

fn parse_date(table: &str, raw: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(raw, DATE).map_err(|e| corrupt(table, format!("date `{raw}`: {e}")))
}

fn scope_json(scope: &FamilyScope) -> DbJson {
    DbJson(serde_json::Value::from(scope.names()))
}

fn parse_scope(table: &str, json: &DbJson) -> Result<FamilyScope, StoreError> {
    let names: Vec<String> = serde_json::from_value(json.0.clone()).map_err(|e| corrupt(table, e))?;
    FamilyScope::parse("families", &names).map_err(|e| corrupt(table, e))
}

fn subject(table: &str, raw: &str) -> Result<Subject, StoreError> {
    Subject::parse(raw).map_err(|e| corrupt(table, e))
}

fn text(table: &str, raw: &str, max: usize) -> Result<BoundedText, StoreError> {
    BoundedText::parse("text", raw, max).map_err(|e| corrupt(table, e))
}

/// Holds the provider's organisation row lock until the transaction ends, so that writes of
/// its evidence and of its change log run one after the other (see
/// `provider_profiles::lock` for the technique). Returns whether the organisation exists.
pub fn lock_provider(conn: &mut DbConnection, provider: OrganisationId) -> Result<bool, StoreError> {
    let locked = diesel::update(organisations::table.find(DbUuid::from(provider)))
        .set(organisations::id.eq(organisations::id))
        .execute(conn)?;
    Ok(locked == 1)
}

// ---- accreditations ---------------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessor_accreditations)]
struct AccreditationRow {
    id: DbUuid,
    assessor_id: DbUuid,
    families: DbJson,
    valid_from: String,
    valid_until: String,
    granted_by: String,
    granted_at: DbTimestamp,
    withdrawn_at: Option<DbTimestamp>,
    withdrawn_reason: Option<String>,
    withdrawn_by: Option<String>,
}

impl TryFrom<AccreditationRow> for Accreditation {
    type Error = StoreError;
    fn try_from(row: AccreditationRow) -> Result<Self, StoreError> {
        const T: &str = "assessor_accreditations";
        let withdrawal = match (row.withdrawn_at, row.withdrawn_reason, row.withdrawn_by) {
            (Some(at), Some(reason), Some(by)) => Some(Withdrawal {
                at: at.0,
                reason: text(T, &reason, accreditation::REASON_MAX)?,
                by: subject(T, &by)?,
            }),
            (None, None, None) => None,
            _ => return Err(corrupt(T, format!("{}: partial withdrawal", row.id.0))),
        };
        Ok(Accreditation {
            id: row.id.into(),
            assessor: row.assessor_id.into(),
            scope: parse_scope(T, &row.families)?,
            period: ValidityPeriod { from: parse_date(T, &row.valid_from)?, until: parse_date(T, &row.valid_until)? },
            granted_by: subject(T, &row.granted_by)?,
            granted_at: row.granted_at.0,
            withdrawal,
        })
    }
}

pub fn insert_accreditation(conn: &mut DbConnection, a: &Accreditation) -> Result<(), StoreError> {
    let row = AccreditationRow {
        id: a.id.into(),
        assessor_id: a.assessor.into(),
        families: scope_json(&a.scope),
        valid_from: date_text(a.period.from),
        valid_until: date_text(a.period.until),
        granted_by: a.granted_by.as_str().to_owned(),
        granted_at: a.granted_at.into(),
        withdrawn_at: None,
        withdrawn_reason: None,
        withdrawn_by: None,
    };
    diesel::insert_into(assessor_accreditations::table).values(row).execute(conn)?;
    Ok(())
}

/// Records a withdrawal once; returns whether it did (false: unknown or already withdrawn).
pub fn withdraw_accreditation(
    conn: &mut DbConnection,
    id: AccreditationId,
    w: &Withdrawal,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        assessor_accreditations::table
            .filter(assessor_accreditations::id.eq(DbUuid::from(id)))
            .filter(assessor_accreditations::withdrawn_at.is_null()),
    )
    .set((
        assessor_accreditations::withdrawn_at.eq(Some(DbTimestamp::from(w.at))),
        assessor_accreditations::withdrawn_reason.eq(Some(w.reason.as_str().to_owned())),
        assessor_accreditations::withdrawn_by.eq(Some(w.by.as_str().to_owned())),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn find_accreditation(conn: &mut DbConnection, id: AccreditationId) -> Result<Option<Accreditation>, StoreError> {
    assessor_accreditations::table
        .find(DbUuid::from(id))
        .select(AccreditationRow::as_select())
        .first(conn)
        .optional()?
        .map(Accreditation::try_from)
        .transpose()
}

/// Accreditations of `assessors` (every assessor when `None`), oldest first.
pub fn accreditations(
    conn: &mut DbConnection,
    assessors: Option<&[OrganisationId]>,
) -> Result<Vec<Accreditation>, StoreError> {
    let mut q = assessor_accreditations::table
        .select(AccreditationRow::as_select())
        .order(assessor_accreditations::id.asc())
        .into_boxed();
    if let Some(ids) = assessors {
        q = q.filter(
            assessor_accreditations::assessor_id.eq_any(ids.iter().copied().map(DbUuid::from).collect::<Vec<_>>()),
        );
    }
    q.load(conn)?.into_iter().map(Accreditation::try_from).collect()
}

// ---- ISO certificates --------------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = iso_certificates)]
struct CertificateRow {
    id: DbUuid,
    provider_id: DbUuid,
    standard: String,
    number: String,
    issuing_body: String,
    families: DbJson,
    valid_from: String,
    valid_until: String,
    evidence_ref: String,
    recorded_at: DbTimestamp,
    verified_at: Option<DbTimestamp>,
    verified_by: Option<String>,
    verified_by_assessor: Option<DbUuid>,
}

impl TryFrom<CertificateRow> for IsoCertificate {
    type Error = StoreError;
    fn try_from(row: CertificateRow) -> Result<Self, StoreError> {
        const T: &str = "iso_certificates";
        let verification = match (row.verified_at, row.verified_by, row.verified_by_assessor) {
            (Some(at), Some(by), Some(assessor)) => {
                Some(Verification { by: subject(T, &by)?, assessor: assessor.into(), at: at.0 })
            }
            (None, None, None) => None,
            _ => return Err(corrupt(T, format!("{}: partial verification", row.id.0))),
        };
        Ok(IsoCertificate {
            id: row.id.into(),
            provider: row.provider_id.into(),
            standard: row.standard.parse().map_err(|e| corrupt(T, e))?,
            number: text(T, &row.number, certificate::NUMBER_MAX)?,
            issuing_body: text(T, &row.issuing_body, certificate::BODY_MAX)?,
            scope: parse_scope(T, &row.families)?,
            period: ValidityPeriod { from: parse_date(T, &row.valid_from)?, until: parse_date(T, &row.valid_until)? },
            evidence_ref: text(T, &row.evidence_ref, certificate::EVIDENCE_MAX)?,
            recorded_at: row.recorded_at.0,
            verification,
        })
    }
}

pub fn insert_certificate(conn: &mut DbConnection, c: &IsoCertificate) -> Result<(), StoreError> {
    let row = CertificateRow {
        id: c.id.into(),
        provider_id: c.provider.into(),
        standard: c.standard.as_str().to_owned(),
        number: c.number.as_str().to_owned(),
        issuing_body: c.issuing_body.as_str().to_owned(),
        families: scope_json(&c.scope),
        valid_from: date_text(c.period.from),
        valid_until: date_text(c.period.until),
        evidence_ref: c.evidence_ref.as_str().to_owned(),
        recorded_at: c.recorded_at.into(),
        verified_at: None,
        verified_by: None,
        verified_by_assessor: None,
    };
    diesel::insert_into(iso_certificates::table).values(row).execute(conn)?;
    Ok(())
}

/// Records a verification once; returns whether it did.
pub fn verify_certificate(conn: &mut DbConnection, id: CertificateId, v: &Verification) -> Result<bool, StoreError> {
    let n = diesel::update(
        iso_certificates::table
            .filter(iso_certificates::id.eq(DbUuid::from(id)))
            .filter(iso_certificates::verified_at.is_null()),
    )
    .set((
        iso_certificates::verified_at.eq(Some(DbTimestamp::from(v.at))),
        iso_certificates::verified_by.eq(Some(v.by.as_str().to_owned())),
        iso_certificates::verified_by_assessor.eq(Some(DbUuid::from(v.assessor))),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn find_certificate(conn: &mut DbConnection, id: CertificateId) -> Result<Option<IsoCertificate>, StoreError> {
    iso_certificates::table
        .find(DbUuid::from(id))
        .select(CertificateRow::as_select())
        .first(conn)
        .optional()?
        .map(IsoCertificate::try_from)
        .transpose()
}

/// Certificates of `providers` (every provider when `None`), by provider then id.
pub fn certificates(
    conn: &mut DbConnection,
    providers: Option<&[OrganisationId]>,
) -> Result<Vec<IsoCertificate>, StoreError> {
    let mut q = iso_certificates::table
        .select(CertificateRow::as_select())
        .order((iso_certificates::provider_id.asc(), iso_certificates::id.asc()))
        .into_boxed();
    if let Some(ids) = providers {
        q = q.filter(iso_certificates::provider_id.eq_any(ids.iter().copied().map(DbUuid::from).collect::<Vec<_>>()));
    }
    q.load(conn)?.into_iter().map(IsoCertificate::try_from).collect()
}

// ---- assessments -------------------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessments)]
struct AssessmentRow {
    id: DbUuid,
    provider_id: DbUuid,
    assessor_id: DbUuid,
    kind: String,
    families: DbJson,
    planned_on: String,
    performed_on: Option<String>,
    consent_ref: String,
    created_at: DbTimestamp,
    created_by: String,
    decision_outcome: Option<String>,
    decided_at: Option<DbTimestamp>,
    decided_by: Option<String>,
    decision_note: Option<String>,
    version: i64,
}

impl TryFrom<AssessmentRow> for Assessment {
    type Error = StoreError;
    fn try_from(row: AssessmentRow) -> Result<Self, StoreError> {
        const T: &str = "assessments";
        let decision = match (row.decision_outcome, row.decided_at, row.decided_by, row.decision_note) {
            (Some(outcome), Some(at), Some(by), Some(note)) => Some(Decision {
                outcome: outcome.parse().map_err(|e| corrupt(T, e))?,
                decided_at: at.0,
                decided_by: subject(T, &by)?,
                note: text(T, &note, assessment::NOTE_MAX)?,
            }),
            (None, None, None, None) => None,
            _ => return Err(corrupt(T, format!("{}: partial decision", row.id.0))),
        };
        Ok(Assessment {
            id: row.id.into(),
            provider: row.provider_id.into(),
            assessor: row.assessor_id.into(),
            kind: row.kind.parse().map_err(|e| corrupt(T, e))?,
            scope: parse_scope(T, &row.families)?,
            planned_on: parse_date(T, &row.planned_on)?,
            performed_on: row.performed_on.as_deref().map(|d| parse_date(T, d)).transpose()?,
            consent_ref: text(T, &row.consent_ref, assessment::EVIDENCE_REF_MAX)?,
            created_at: row.created_at.0,
            created_by: subject(T, &row.created_by)?,
            decision,
        })
    }
}

pub fn insert_assessment(conn: &mut DbConnection, a: &Assessment) -> Result<(), StoreError> {
    let row = AssessmentRow {
        id: a.id.into(),
        provider_id: a.provider.into(),
        assessor_id: a.assessor.into(),
        kind: a.kind.as_str().to_owned(),
        families: scope_json(&a.scope),
        planned_on: date_text(a.planned_on),
        performed_on: a.performed_on.map(date_text),
        consent_ref: a.consent_ref.as_str().to_owned(),
        created_at: a.created_at.into(),
        created_by: a.created_by.as_str().to_owned(),
        decision_outcome: None,
        decided_at: None,
        decided_by: None,
        decision_note: None,
        version: 1,
    };
    diesel::insert_into(assessments::table).values(row).execute(conn)?;
    Ok(())
}

/// Records the decision once; returns whether it did (false: already decided).
pub fn record_decision(conn: &mut DbConnection, id: AssessmentId, d: &Decision) -> Result<bool, StoreError> {
    let n = diesel::update(
        assessments::table.filter(assessments::id.eq(DbUuid::from(id))).filter(assessments::decided_at.is_null()),
    )
    .set((
        assessments::decision_outcome.eq(Some(d.outcome.as_str().to_owned())),
        assessments::decided_at.eq(Some(DbTimestamp::from(d.decided_at))),
        assessments::decided_by.eq(Some(d.decided_by.as_str().to_owned())),
        assessments::decision_note.eq(Some(d.note.as_str().to_owned())),
        assessments::version.eq(assessments::version + 1),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn find_assessment(conn: &mut DbConnection, id: AssessmentId) -> Result<Option<Assessment>, StoreError> {
    assessments::table
        .find(DbUuid::from(id))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .map(Assessment::try_from)
        .transpose()
}

/// Assessments, newest first, optionally of one provider and/or by one assessor.
pub fn assessments(
    conn: &mut DbConnection,
    provider: Option<OrganisationId>,
    assessor: Option<OrganisationId>,
) -> Result<Vec<Assessment>, StoreError> {
    let mut q = assessments::table.select(AssessmentRow::as_select()).order(assessments::id.desc()).into_boxed();
    if let Some(p) = provider {
        q = q.filter(assessments::provider_id.eq(DbUuid::from(p)));
    }
    if let Some(a) = assessor {
        q = q.filter(assessments::assessor_id.eq(DbUuid::from(a)));
    }
    q.load(conn)?.into_iter().map(Assessment::try_from).collect()
}

// ---- findings ----------------------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessment_findings)]
struct FindingRow {
    id: DbUuid,
    assessment_id: DbUuid,
    provider_id: DbUuid,
    clause_id: String,
    result: String,
    evidence_refs: DbJson,
    note: Option<String>,
    closes_finding_id: Option<DbUuid>,
    recorded_at: DbTimestamp,
    recorded_by: String,
}

impl TryFrom<FindingRow> for Finding {
    type Error = StoreError;
    fn try_from(row: FindingRow) -> Result<Self, StoreError> {
        const T: &str = "assessment_findings";
        let refs: Vec<String> = serde_json::from_value(row.evidence_refs.0).map_err(|e| corrupt(T, e))?;
        Ok(Finding {
            id: row.id.into(),
            assessment: row.assessment_id.into(),
            provider: row.provider_id.into(),
            clause: row.clause_id,
            result: row.result.parse().map_err(|e| corrupt(T, e))?,
            evidence_refs: refs
                .iter()
                .map(|r| text(T, r, assessment::EVIDENCE_REF_MAX))
                .collect::<Result<Vec<_>, _>>()?,
            note: row.note.as_deref().map(|n| text(T, n, assessment::NOTE_MAX)).transpose()?,
            closes: row.closes_finding_id.map(FindingId::from),
            recorded_at: row.recorded_at.0,
            recorded_by: subject(T, &row.recorded_by)?,
        })
    }
}

pub fn insert_finding(conn: &mut DbConnection, f: &Finding) -> Result<(), StoreError> {
    let row = FindingRow {
        id: f.id.into(),
        assessment_id: f.assessment.into(),
        provider_id: f.provider.into(),
        clause_id: f.clause.clone(),
        result: f.result.as_str().to_owned(),
        evidence_refs: DbJson(serde_json::Value::from(
            f.evidence_refs.iter().map(|r| r.as_str().to_owned()).collect::<Vec<_>>(),
        )),
        note: f.note.as_ref().map(|n| n.as_str().to_owned()),
        closes_finding_id: f.closes.map(DbUuid::from),
        recorded_at: f.recorded_at.into(),
        recorded_by: f.recorded_by.as_str().to_owned(),
    };
    diesel::insert_into(assessment_findings::table).values(row).execute(conn)?;
    Ok(())
}

/// Findings of one assessment, or of one provider, oldest first.
pub fn findings(
    conn: &mut DbConnection,
    assessment: Option<AssessmentId>,
    provider: Option<OrganisationId>,
) -> Result<Vec<Finding>, StoreError> {
    let mut q = assessment_findings::table
        .select(FindingRow::as_select())
        .order((assessment_findings::recorded_at.asc(), assessment_findings::id.asc()))
        .into_boxed();
    if let Some(a) = assessment {
        q = q.filter(assessment_findings::assessment_id.eq(DbUuid::from(a)));
    }
    if let Some(p) = provider {
        q = q.filter(assessment_findings::provider_id.eq(DbUuid::from(p)));
    }
    q.load(conn)?.into_iter().map(Finding::try_from).collect()
}

// ---- certifications ----------------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = certifications)]
struct CertificationRow {
    id: DbUuid,
    provider_id: DbUuid,
    assessor_id: DbUuid,
    assessment_id: DbUuid,
    families: DbJson,
    valid_from: String,
    valid_until: String,
    decided_at: DbTimestamp,
}

impl TryFrom<CertificationRow> for Certification {
    type Error = StoreError;
    fn try_from(row: CertificationRow) -> Result<Self, StoreError> {
        const T: &str = "certifications";
        Ok(Certification {
            id: row.id.into(),
            provider: row.provider_id.into(),
            assessor: row.assessor_id.into(),
            assessment: row.assessment_id.into(),
            scope: parse_scope(T, &row.families)?,
            period: ValidityPeriod { from: parse_date(T, &row.valid_from)?, until: parse_date(T, &row.valid_until)? },
            decided_at: row.decided_at.0,
        })
    }
}

pub fn insert_certification(conn: &mut DbConnection, c: &Certification) -> Result<(), StoreError> {
    let row = CertificationRow {
        id: c.id.into(),
        provider_id: c.provider.into(),
        assessor_id: c.assessor.into(),
        assessment_id: c.assessment.into(),
        families: scope_json(&c.scope),
        valid_from: date_text(c.period.from),
        valid_until: date_text(c.period.until),
        decided_at: c.decided_at.into(),
    };
    diesel::insert_into(certifications::table).values(row).execute(conn)?;
    Ok(())
}

/// Certifications of `providers` (every provider when `None`), by provider then id.
pub fn certifications(
    conn: &mut DbConnection,
    providers: Option<&[OrganisationId]>,
) -> Result<Vec<Certification>, StoreError> {
    let mut q = certifications::table
        .select(CertificationRow::as_select())
        .order((certifications::provider_id.asc(), certifications::id.asc()))
        .into_boxed();
    if let Some(ids) = providers {
        q = q.filter(certifications::provider_id.eq_any(ids.iter().copied().map(DbUuid::from).collect::<Vec<_>>()));
    }
    q.load(conn)?.into_iter().map(Certification::try_from).collect()
}

/// Providers with at least one certification, in id order after `after`: the candidates
/// for the provider list (nobody is listed without one).
pub fn certified_providers(
    conn: &mut DbConnection,
    after: Option<OrganisationId>,
    limit: i64,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut q = certifications::table
        .select(certifications::provider_id)
        .distinct()
        .order(certifications::provider_id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(certifications::provider_id.gt(DbUuid::from(after)));
    }
    Ok(q.load::<DbUuid>(conn)?.into_iter().map(OrganisationId::from).collect())
}

// ---- personnel (GSI-9.1-9.3) ------------------------------------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = staff_members)]
struct StaffRow {
    id: DbUuid,
    provider_id: DbUuid,
    staff_ref: String,
    display_name: String,
    certifications: DbJson,
    criminal_record_checked_on: Option<String>,
    nda_signed_on: Option<String>,
    recorded_at: DbTimestamp,
}

#[derive(Debug, Serialize, Deserialize)]
struct CertificationDoc {
    area: String,
    name: String,
    issuer: String,
    expires_on: String,
}

impl TryFrom<StaffRow> for StaffMember {
    type Error = StoreError;
    fn try_from(row: StaffRow) -> Result<Self, StoreError> {
        const T: &str = "staff_members";
        let docs: Vec<CertificationDoc> = serde_json::from_value(row.certifications.0).map_err(|e| corrupt(T, e))?;
        Ok(StaffMember {
            id: row.id.into(),
            provider: row.provider_id.into(),
            staff_ref: text(T, &row.staff_ref, personnel::REF_MAX)?,
            display_name: text(T, &row.display_name, personnel::NAME_MAX)?,
            certifications: docs
                .iter()
                .map(|d| {
                    Ok(TechnicalCertification {
                        area: d.area.parse().map_err(|e| corrupt(T, e))?,
                        name: text(T, &d.name, personnel::NAME_MAX)?,
                        issuer: text(T, &d.issuer, personnel::NAME_MAX)?,
                        expires_on: parse_date(T, &d.expires_on)?,
                    })
                })
                .collect::<Result<Vec<_>, StoreError>>()?,
            criminal_record_checked_on: row
                .criminal_record_checked_on
                .as_deref()
                .map(|d| parse_date(T, d))
                .transpose()?,
            nda_signed_on: row.nda_signed_on.as_deref().map(|d| parse_date(T, d)).transpose()?,
            recorded_at: row.recorded_at.0,
        })
    }
}

pub fn insert_staff(conn: &mut DbConnection, s: &StaffMember) -> Result<(), StoreError> {
    let docs: Vec<CertificationDoc> = s
        .certifications
        .iter()
        .map(|c| CertificationDoc {
            area: c.area.as_str().to_owned(),
            name: c.name.as_str().to_owned(),
            issuer: c.issuer.as_str().to_owned(),
            expires_on: date_text(c.expires_on),
        })
        .collect();
    let row = StaffRow {
        id: s.id.into(),
        provider_id: s.provider.into(),
        staff_ref: s.staff_ref.as_str().to_owned(),
        display_name: s.display_name.as_str().to_owned(),
        certifications: DbJson(serde_json::to_value(docs).map_err(|e| corrupt("staff_members", e))?),
        criminal_record_checked_on: s.criminal_record_checked_on.map(date_text),
        nda_signed_on: s.nda_signed_on.map(date_text),
        recorded_at: s.recorded_at.into(),
    };
    diesel::insert_into(staff_members::table).values(row).execute(conn)?;
    Ok(())
}

/// Staff of `providers` (every provider when `None`), by provider then id.
pub fn staff(conn: &mut DbConnection, providers: Option<&[OrganisationId]>) -> Result<Vec<StaffMember>, StoreError> {
    let mut q = staff_members::table
        .select(StaffRow::as_select())
        .order((staff_members::provider_id.asc(), staff_members::id.asc()))
        .into_boxed();
    if let Some(ids) = providers {
        q = q.filter(staff_members::provider_id.eq_any(ids.iter().copied().map(DbUuid::from).collect::<Vec<_>>()));
    }
    q.load(conn)?.into_iter().map(StaffMember::try_from).collect()
}

// ---- interconnections and vulnerability notices (GSI-5.3, 8.1) ------------------------------

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = interconnections)]
struct InterconnectionRow {
    id: DbUuid,
    provider_id: DbUuid,
    kind: String,
    capacity_mbps: i64,
    since: String,
    recorded_at: DbTimestamp,
    verified_at: Option<DbTimestamp>,
    verified_by: Option<String>,
    verified_by_assessor: Option<DbUuid>,
}

impl TryFrom<InterconnectionRow> for Interconnection {
    type Error = StoreError;
    fn try_from(row: InterconnectionRow) -> Result<Self, StoreError> {
        const T: &str = "interconnections";
        let verified = match (row.verified_by, row.verified_by_assessor, row.verified_at) {
            (Some(by), Some(assessor), Some(at)) => Some((subject(T, &by)?, assessor.into(), at.0)),
            (None, None, None) => None,
            _ => return Err(corrupt(T, format!("{}: partial verification", row.id.0))),
        };
        Ok(Interconnection {
            id: row.id.into(),
            provider: row.provider_id.into(),
            kind: row.kind.parse().map_err(|e| corrupt(T, e))?,
            capacity_mbps: row.capacity_mbps,
            since: parse_date(T, &row.since)?,
            recorded_at: row.recorded_at.0,
            verified,
        })
    }
}

pub fn insert_interconnection(conn: &mut DbConnection, i: &Interconnection) -> Result<(), StoreError> {
    let row = InterconnectionRow {
        id: i.id.into(),
        provider_id: i.provider.into(),
        kind: i.kind.as_str().to_owned(),
        capacity_mbps: i.capacity_mbps,
        since: date_text(i.since),
        recorded_at: i.recorded_at.into(),
        verified_at: None,
        verified_by: None,
        verified_by_assessor: None,
    };
    diesel::insert_into(interconnections::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_interconnection(
    conn: &mut DbConnection,
    id: InterconnectionId,
) -> Result<Option<Interconnection>, StoreError> {
    interconnections::table
        .find(DbUuid::from(id))
        .select(InterconnectionRow::as_select())
        .first(conn)
        .optional()?
        .map(Interconnection::try_from)
        .transpose()
}

/// Marks verified once; returns whether it did.
pub fn verify_interconnection(
    conn: &mut DbConnection,
    id: InterconnectionId,
    by: &Subject,
    assessor: OrganisationId,
    at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        interconnections::table
            .filter(interconnections::id.eq(DbUuid::from(id)))
            .filter(interconnections::verified_at.is_null()),
    )
    .set((
        interconnections::verified_at.eq(Some(DbTimestamp::from(at))),
        interconnections::verified_by.eq(Some(by.as_str().to_owned())),
        interconnections::verified_by_assessor.eq(Some(DbUuid::from(assessor))),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn interconnections_of(
    conn: &mut DbConnection,
    provider: OrganisationId,
) -> Result<Vec<Interconnection>, StoreError> {
    interconnections::table
        .filter(interconnections::provider_id.eq(DbUuid::from(provider)))
        .select(InterconnectionRow::as_select())
        .order(interconnections::id.asc())
        .load(conn)?
        .into_iter()
        .map(Interconnection::try_from)
        .collect()
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = vulnerability_notices)]
struct NoticeRow {
    id: DbUuid,
    provider_id: DbUuid,
    identifier: String,
    severity: String,
    affected_subscriptions: DbJson,
    mitigation: String,
    remediated_at: Option<DbTimestamp>,
    recorded_at: DbTimestamp,
}

impl TryFrom<NoticeRow> for VulnerabilityNotice {
    type Error = StoreError;
    fn try_from(row: NoticeRow) -> Result<Self, StoreError> {
        const T: &str = "vulnerability_notices";
        let affected: Vec<Uuid> = serde_json::from_value(row.affected_subscriptions.0).map_err(|e| corrupt(T, e))?;
        Ok(VulnerabilityNotice {
            id: row.id.into(),
            provider: row.provider_id.into(),
            identifier: text(T, &row.identifier, control::IDENTIFIER_MAX)?,
            severity: row.severity.parse().map_err(|e| corrupt(T, e))?,
            affected: affected.into_iter().map(SubscriptionId::from_uuid).collect(),
            mitigation: text(T, &row.mitigation, control::TEXT_MAX)?,
            remediated_at: row.remediated_at.map(|t| t.0),
            recorded_at: row.recorded_at.0,
        })
    }
}

pub fn insert_notice(conn: &mut DbConnection, n: &VulnerabilityNotice) -> Result<(), StoreError> {
    let row = NoticeRow {
        id: n.id.into(),
        provider_id: n.provider.into(),
        identifier: n.identifier.as_str().to_owned(),
        severity: n.severity.as_str().to_owned(),
        affected_subscriptions: DbJson(serde_json::Value::from(
            n.affected.iter().map(|s| s.as_uuid().to_string()).collect::<Vec<_>>(),
        )),
        mitigation: n.mitigation.as_str().to_owned(),
        remediated_at: None,
        recorded_at: n.recorded_at.into(),
    };
    diesel::insert_into(vulnerability_notices::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_notice(conn: &mut DbConnection, id: NoticeId) -> Result<Option<VulnerabilityNotice>, StoreError> {
    vulnerability_notices::table
        .find(DbUuid::from(id))
        .select(NoticeRow::as_select())
        .first(conn)
        .optional()?
        .map(VulnerabilityNotice::try_from)
        .transpose()
}

/// Marks remediated once; returns whether it did.
pub fn remediate_notice(conn: &mut DbConnection, id: NoticeId, at: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = diesel::update(
        vulnerability_notices::table
            .filter(vulnerability_notices::id.eq(DbUuid::from(id)))
            .filter(vulnerability_notices::remediated_at.is_null()),
    )
    .set(vulnerability_notices::remediated_at.eq(Some(DbTimestamp::from(at))))
    .execute(conn)?;
    Ok(n == 1)
}

/// Notices, newest first, of one provider or of all.
pub fn notices(
    conn: &mut DbConnection,
    provider: Option<OrganisationId>,
) -> Result<Vec<VulnerabilityNotice>, StoreError> {
    let mut q = vulnerability_notices::table
        .select(NoticeRow::as_select())
        .order(vulnerability_notices::id.desc())
        .into_boxed();
    if let Some(p) = provider {
        q = q.filter(vulnerability_notices::provider_id.eq(DbUuid::from(p)));
    }
    q.load(conn)?.into_iter().map(VulnerabilityNotice::try_from).collect()
}

// ---- the evidence snapshot ---------------------------------------------------------------

/// The listing evidence of each of `providers`, loaded in a fixed number of queries.
pub fn evidence(
    conn: &mut DbConnection,
    providers: &[OrganisationId],
) -> Result<BTreeMap<OrganisationId, ListingEvidence>, StoreError> {
    if providers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let mut profiles = provider_profiles::find_many(conn, providers)?;
    let mut histories = listings::histories(conn, providers)?;
    let certificates = certificates(conn, Some(providers))?;
    let certifications = certifications(conn, Some(providers))?;
    let mut assessors: Vec<OrganisationId> = certifications.iter().map(|c| c.assessor).collect();
    assessors.sort();
    assessors.dedup();
    let accreditations = accreditations(conn, Some(&assessors))?;
    Ok(providers
        .iter()
        .map(|p| {
            let own_certifications: Vec<Certification> =
                certifications.iter().filter(|c| c.provider == *p).cloned().collect();
            let own_accreditations = accreditations
                .iter()
                .filter(|a| own_certifications.iter().any(|c| c.assessor == a.assessor))
                .cloned()
                .collect();
            (
                *p,
                ListingEvidence {
                    provider: *p,
                    profile: profiles.remove(p),
                    certificates: certificates.iter().filter(|c| c.provider == *p).cloned().collect(),
                    certifications: own_certifications,
                    accreditations: own_accreditations,
                    overrides: histories.remove(p).unwrap_or_default(),
                },
            )
        })
        .collect())
}

/// One provider's listing evidence.
pub fn evidence_of(conn: &mut DbConnection, provider: OrganisationId) -> Result<ListingEvidence, StoreError> {
    evidence(conn, &[provider])?
        .remove(&provider)
        .ok_or_else(|| StoreError::CorruptRow(format!("no evidence loaded for {provider}")))
}

// ---- the change log ----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatedReason {
    pub code: String,
    pub clause: String,
    pub message: String,
}

/// A stored change of the provider list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingChangeRecord {
    pub id: Uuid,
    pub provider: OrganisationId,
    pub family: ServiceFamily,
    pub listed: bool,
    pub reasons: Vec<StatedReason>,
    pub effective_at: DateTime<Utc>,
    /// When it was written; `None` for a change computed on read and not stored yet.
    pub recorded_at: Option<DateTime<Utc>>,
}

impl ListingChangeRecord {
    pub fn from_change(c: &ListingChange, recorded_at: Option<DateTime<Utc>>) -> Self {
        let effective_at = gsi_domain::time::to_storage_precision(c.effective_at);
        let secs = u64::try_from(effective_at.timestamp()).unwrap_or(0);
        // Deterministic from (provider, family, instant), so a computed change keeps its id
        // once stored.
        let mut bytes =
            *Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, effective_at.timestamp_subsec_nanos()))
                .as_bytes();
        bytes[6] = 0x70;
        bytes[7] = 0;
        bytes[8..].copy_from_slice(&c.provider.as_uuid().as_bytes()[8..]);
        let family_index = ServiceFamily::ALL.iter().position(|f| *f == c.family).unwrap_or(0);
        bytes[15] ^= u8::try_from(family_index).unwrap_or(0);
        ListingChangeRecord {
            id: uuid::Builder::from_bytes(bytes).with_variant(uuid::Variant::RFC4122).into_uuid(),
            provider: c.provider,
            family: c.family,
            listed: c.listed,
            reasons: c
                .reasons
                .iter()
                .map(|r| StatedReason {
                    code: r.code().to_owned(),
                    clause: r.clause().to_owned(),
                    message: r.message(),
                })
                .collect(),
            effective_at,
            recorded_at: recorded_at.map(gsi_domain::time::to_storage_precision),
        }
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_changes)]
struct ListingChangeRow {
    id: DbUuid,
    provider_id: DbUuid,
    family: String,
    listed: i32,
    reasons: DbJson,
    effective_at: DbTimestamp,
    recorded_at: DbTimestamp,
}

impl TryFrom<ListingChangeRow> for ListingChangeRecord {
    type Error = StoreError;
    fn try_from(row: ListingChangeRow) -> Result<Self, StoreError> {
        const T: &str = "listing_changes";
        Ok(ListingChangeRecord {
            id: row.id.0,
            provider: row.provider_id.into(),
            family: row.family.parse().map_err(|e| corrupt(T, e))?,
            listed: row.listed == 1,
            reasons: serde_json::from_value(row.reasons.0).map_err(|e| corrupt(T, e))?,
            effective_at: row.effective_at.0,
            recorded_at: Some(row.recorded_at.0),
        })
    }
}

pub fn insert_changes(
    conn: &mut DbConnection,
    changes: &[ListingChangeRecord],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    for c in changes {
        let row = ListingChangeRow {
            id: DbUuid(c.id),
            provider_id: c.provider.into(),
            family: c.family.as_str().to_owned(),
            listed: i32::from(c.listed),
            reasons: DbJson(serde_json::to_value(&c.reasons).map_err(|e| corrupt("listing_changes", e))?),
            effective_at: c.effective_at.into(),
            recorded_at: gsi_domain::time::to_storage_precision(now).into(),
        };
        diesel::insert_into(listing_changes::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Removes a stored change that a change at the same instant reverses.
pub fn delete_change(conn: &mut DbConnection, id: Uuid) -> Result<(), StoreError> {
    diesel::delete(listing_changes::table.find(DbUuid(id))).execute(conn)?;
    Ok(())
}

/// Stored changes, oldest first, optionally of one provider.
pub fn changes(
    conn: &mut DbConnection,
    provider: Option<OrganisationId>,
) -> Result<Vec<ListingChangeRecord>, StoreError> {
    let mut q = listing_changes::table
        .select(ListingChangeRow::as_select())
        .order((listing_changes::effective_at.asc(), listing_changes::id.asc()))
        .into_boxed();
    if let Some(p) = provider {
        q = q.filter(listing_changes::provider_id.eq(DbUuid::from(p)));
    }
    q.load(conn)?.into_iter().map(ListingChangeRecord::try_from).collect()
}

/// Up to when each provider's change log is written.
pub fn synced_until(conn: &mut DbConnection) -> Result<BTreeMap<OrganisationId, DateTime<Utc>>, StoreError> {
    Ok(listing_sync::table
        .select((listing_sync::provider_id, listing_sync::synced_until))
        .load::<(DbUuid, DbTimestamp)>(conn)?
        .into_iter()
        .map(|(p, t)| (OrganisationId::from(p), t.0))
        .collect())
}

/// Writes up to when the provider's change log holds and its horizon; `None` marks the
/// horizon unknown, so reads go to the evidence until the next write.
pub fn set_synced_until(
    conn: &mut DbConnection,
    provider: OrganisationId,
    at: DateTime<Utc>,
    horizon: Option<Horizon>,
) -> Result<(), StoreError> {
    let at = DbTimestamp::from(gsi_domain::time::to_storage_precision(at));
    let known = i32::from(horizon.is_some());
    let next = match horizon {
        Some(Horizon::Until(next)) => Some(DbTimestamp::from(gsi_domain::time::to_storage_precision(next))),
        Some(Horizon::Open) | None => None,
    };
    let updated = diesel::update(listing_sync::table.find(DbUuid::from(provider)))
        .set((
            listing_sync::synced_until.eq(at),
            listing_sync::horizon_known.eq(known),
            listing_sync::next_breakpoint.eq(next),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(listing_sync::table)
            .values((
                listing_sync::provider_id.eq(DbUuid::from(provider)),
                listing_sync::synced_until.eq(at),
                listing_sync::horizon_known.eq(known),
                listing_sync::next_breakpoint.eq(next),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Marks the provider's horizon unknown (its log is not brought up to date by this write).
pub fn forget_horizon(conn: &mut DbConnection, provider: OrganisationId) -> Result<(), StoreError> {
    diesel::update(listing_sync::table.find(DbUuid::from(provider)))
        .set((listing_sync::horizon_known.eq(0), listing_sync::next_breakpoint.eq(None::<DbTimestamp>)))
        .execute(conn)?;
    Ok(())
}

/// The written change logs of `providers`, reduced to where they end and how far they hold:
/// one query, whatever the evidence. A provider whose log was never written is absent.
pub fn logged_listings(
    conn: &mut DbConnection,
    providers: &[OrganisationId],
) -> Result<BTreeMap<OrganisationId, LoggedListing>, StoreError> {
    if providers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<DbUuid> = providers.iter().map(|p| DbUuid::from(*p)).collect();
    // One round trip: each provider's sync row with its written changes, oldest first (a
    // provider with no change yet comes back once, with the change columns null).
    let rows = listing_sync::table
        .left_join(listing_changes::table.on(listing_changes::provider_id.eq(listing_sync::provider_id)))
        .filter(listing_sync::provider_id.eq_any(&ids))
        .select((
            listing_sync::provider_id,
            listing_sync::synced_until,
            listing_sync::horizon_known,
            listing_sync::next_breakpoint,
            listing_changes::family.nullable(),
            listing_changes::listed.nullable(),
        ))
        .order((listing_sync::provider_id.asc(), listing_changes::effective_at.asc(), listing_changes::id.asc()))
        .load::<(DbUuid, DbTimestamp, i32, Option<DbTimestamp>, Option<String>, Option<i32>)>(conn)?;
    let mut logs: BTreeMap<OrganisationId, LoggedListing> = BTreeMap::new();
    for (provider, until, known, next, family, listed) in rows {
        let log = logs.entry(OrganisationId::from(provider)).or_insert_with(|| {
            let horizon = match (known, next) {
                (0, _) => None,
                (_, Some(next)) => Some(Horizon::Until(next.0)),
                (_, None) => Some(Horizon::Open),
            };
            LoggedListing { synced_until: until.0, horizon, last_state: Vec::new() }
        });
        let (Some(family), Some(listed)) = (family, listed) else { continue };
        let family: ServiceFamily = family.parse().map_err(|e| corrupt("listing_changes", e))?;
        // Oldest first, so the last write per family wins.
        match log.last_state.iter_mut().find(|(f, _)| *f == family) {
            Some(entry) => entry.1 = listed == 1,
            None => log.last_state.push((family, listed == 1)),
        }
    }
    Ok(logs)
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use gsi_domain::Id;
    use gsi_domain::governance::accreditation::AccreditationDraft;
    use gsi_domain::governance::assessment::{AssessmentDraft, DecisionDraft, FindingDraft, decide, record_finding};
    use gsi_domain::governance::certificate::{CertificateDraft, verify};
    use gsi_domain::governance::eligibility::{changes_between, decide as decide_listing};
    use gsi_domain::org::NewOrganisation;

    use super::*;
    use crate::repos::organisations;
    use crate::testing::each_backend;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 10, 3, 0, 0).unwrap() + Duration::nanoseconds(123_456_789)
    }

    fn stored(t: DateTime<Utc>) -> DateTime<Utc> {
        gsi_domain::time::to_storage_precision(t)
    }

    fn register(conn: &mut DbConnection, kind: &str, second: i64) -> OrganisationId {
        let at = now() + Duration::seconds(second);
        let org = NewOrganisation::parse(kind, "องค์กรทดสอบ", None)
            .unwrap()
            .into_organisation(OrganisationId::new_v7(at), stored(at));
        organisations::insert(conn, &org).unwrap();
        org.id
    }

    fn who() -> Subject {
        Subject::parse("tester").unwrap()
    }

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, day).unwrap()
    }

    #[test]
    fn gsi_12_2_governance_evidence_round_trips_and_the_change_log_is_kept() {
        each_backend(|conn| {
            let provider = register(conn, "provider", 0);
            let assessor = register(conn, "assessor", 1);
            let t = stored(now());
            let draft = AccreditationDraft {
                families: vec!["cloud".into()],
                valid_from: Some(d(1, 1)),
                valid_until: Some(d(12, 31)),
            };
            let acc = Accreditation::grant(Id::new_v7(t), assessor, &draft, who(), t).unwrap();
            insert_accreditation(conn, &acc).unwrap();
            assert_eq!(find_accreditation(conn, acc.id).unwrap(), Some(acc.clone()));

            let cert_draft = CertificateDraft {
                standard: "iso_iec_27001".into(),
                number: "IS 1".into(),
                issuing_body: "BSI".into(),
                families: vec!["cloud".into()],
                valid_from: Some(d(1, 1)),
                valid_until: Some(d(3, 31)),
                evidence_ref: "DMS".into(),
            };
            let cert = IsoCertificate::parse(Id::new_v7(t), provider, &cert_draft, t).unwrap();
            insert_certificate(conn, &cert).unwrap();
            let dup = IsoCertificate { id: Id::new_v7(t + Duration::seconds(1)), ..cert.clone() };
            assert!(matches!(insert_certificate(conn, &dup), Err(StoreError::UniqueViolation(_))));
            let v = verify(&cert, who(), assessor, t).unwrap();
            assert!(verify_certificate(conn, cert.id, &v).unwrap());
            assert!(!verify_certificate(conn, cert.id, &v).unwrap(), "verified once");
            assert_eq!(find_certificate(conn, cert.id).unwrap().unwrap().verification, Some(v));

            let a_draft = AssessmentDraft {
                provider: Some(provider),
                kind: "initial".into(),
                families: vec!["cloud".into()],
                planned_on: Some(d(3, 1)),
                performed_on: Some(d(3, 2)),
                consent_ref: "consent".into(),
            };
            let a = Assessment::parse(Id::new_v7(t), assessor, &a_draft, who(), t).unwrap();
            insert_assessment(conn, &a).unwrap();
            let f_draft = FindingDraft {
                clause: "GSI-8.1".into(),
                result: "minor_nonconformity".into(),
                evidence_refs: vec!["CVE-2026-1".into()],
                note: Some("ช่องโหว่".into()),
                closes: None,
            };
            let f = record_finding(Id::new_v7(t), &a, &[], &f_draft, who(), t).unwrap();
            insert_finding(conn, &f).unwrap();
            assert_eq!(findings(conn, Some(a.id), None).unwrap(), std::slice::from_ref(&f));
            assert_eq!(findings(conn, None, Some(provider)).unwrap(), std::slice::from_ref(&f));
            let decision_draft =
                DecisionDraft { outcome: "certify".into(), note: "ok".into(), ..DecisionDraft::default() };
            let (decision, certification) = decide(&a, &[f], &decision_draft, Id::new_v7(t), who(), t).unwrap();
            assert!(record_decision(conn, a.id, &decision).unwrap());
            assert!(!record_decision(conn, a.id, &decision).unwrap(), "decided once");
            let certification = certification.unwrap();
            insert_certification(conn, &certification).unwrap();
            assert_eq!(find_assessment(conn, a.id).unwrap().unwrap().decision, Some(decision));
            assert_eq!(certifications(conn, Some(&[provider])).unwrap(), [certification]);
            assert_eq!(certified_providers(conn, None, 10).unwrap(), [provider]);

            // The snapshot the listing decision reads; no profile yet.
            let evidence = evidence_of(conn, provider).unwrap();
            assert_eq!(evidence.certificates.len(), 1);
            assert_eq!(evidence.accreditations, [acc]);
            let reasons = decide_listing(&evidence, ServiceFamily::Cloud, t).reasons;
            assert_eq!(
                reasons.iter().map(|r| r.code()).collect::<Vec<_>>(),
                ["no_profile", "iso_certificate_missing", "iso_certificate_missing"]
            );

            // The change log and its watermark.
            let mut listed = evidence.clone();
            listed.profile = None;
            let change = gsi_domain::governance::eligibility::ListingChange {
                provider,
                family: ServiceFamily::Cloud,
                listed: false,
                reasons,
                effective_at: now(),
            };
            let record = ListingChangeRecord::from_change(&change, Some(t));
            insert_changes(conn, std::slice::from_ref(&record), t).unwrap();
            assert_eq!(changes(conn, Some(provider)).unwrap(), std::slice::from_ref(&record));
            assert!(matches!(
                insert_changes(conn, std::slice::from_ref(&record), t),
                Err(StoreError::UniqueViolation(_))
            ));
            delete_change(conn, record.id).unwrap();
            assert!(changes(conn, None).unwrap().is_empty());
            set_synced_until(conn, provider, t, None).unwrap();
            set_synced_until(conn, provider, t + Duration::hours(1), Some(Horizon::Open)).unwrap();
            assert_eq!(synced_until(conn).unwrap()[&provider], t + Duration::hours(1));
            assert!(changes_between(&listed, &[], None, t).is_empty());

            // The log's end and horizon, read back; the last write per family wins.
            let later = ListingChangeRecord::from_change(
                &gsi_domain::governance::eligibility::ListingChange {
                    listed: true,
                    effective_at: t + Duration::hours(1),
                    ..change.clone()
                },
                Some(t),
            );
            insert_changes(conn, &[record.clone(), later], t).unwrap();
            let next = t + Duration::days(30);
            set_synced_until(conn, provider, t + Duration::hours(2), Some(Horizon::Until(next))).unwrap();
            let logs = logged_listings(conn, &[provider, Id::new_v7(t)]).unwrap();
            assert_eq!(logs.len(), 1, "a provider without a written log is absent");
            let log = &logs[&provider];
            assert_eq!(log.horizon, Some(Horizon::Until(next)));
            assert_eq!(log.last_state, [(ServiceFamily::Cloud, true)]);
            assert_eq!(log.listed_at(ServiceFamily::Cloud, t + Duration::hours(3)), Some(true));
            assert_eq!(log.listed_at(ServiceFamily::Network, t + Duration::hours(3)), Some(false));
            assert_eq!(log.listed_at(ServiceFamily::Cloud, next), None);
            forget_horizon(conn, provider).unwrap();
            assert_eq!(logged_listings(conn, &[provider]).unwrap()[&provider].horizon, None);
        });
    }
}
