//! Assessments with clause-level findings, decisions and certifications (GSI-6.3, 11.1-11.4).

pub mod create;
pub mod decide;
pub mod finding;
pub mod get;
pub mod list;

use chrono::{DateTime, NaiveDate, Utc};
use gsi_domain::governance::assessment::{Assessment, Certification, Finding};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::usecases::assessments::AssessmentView;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "provider_id": "00000000-0000-7000-8000-000000000b02", "kind": "initial", "families": ["cloud"],
    "planned_on": "2026-11-20", "performed_on": "2026-11-21", "consent_ref": "Consent letter CDC-2026/118 (GSI-11.4)"
}))]
pub struct AssessmentBody {
    pub provider_id: Option<uuid::Uuid>,
    /// `initial`, `surveillance`, `on_request` or `recertification` (GSI-11.1).
    pub kind: String,
    /// Families in scope; each is assessed against its family standard (GSI-6.3).
    pub families: Vec<String>,
    pub planned_on: Option<NaiveDate>,
    /// Not after today (Asia/Bangkok).
    pub performed_on: Option<NaiveDate>,
    /// The reference of the provider's consent to inspection (GSI-11.4); required.
    #[schema(min_length = 1, max_length = 500)]
    pub consent_ref: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "clause": "GSI-8.1", "result": "major_nonconformity",
    "evidence_refs": ["Vulnerability register export 2026-11-20", "CVE-2026-12345"],
    "note": "No patch process for hypervisors"
}))]
pub struct FindingBody {
    /// A clause id of the standard's catalogue, e.g. `GSI-6.4`, `GSI-7.5.6`.
    pub clause: String,
    /// `conforms`, `minor_nonconformity`, `major_nonconformity` or `observation`.
    pub result: String,
    /// Evidence references (documents, records, vulnerability notices such as a CVE id).
    #[serde(default)]
    pub evidence_refs: Vec<String>,
    pub note: Option<String>,
    /// For a follow-up: the open major nonconformity this finding closes (result `conforms`,
    /// same clause).
    pub closes_finding_id: Option<uuid::Uuid>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"outcome": "certify", "note": "All clauses conform; one minor on 7.3"}))]
pub struct DecisionBody {
    /// `certify` or `refuse`.
    pub outcome: String,
    #[schema(min_length = 1, max_length = 4000)]
    pub note: String,
    /// The certification date; default the day the assessment was performed.
    pub certified_on: Option<NaiveDate>,
    /// Default and maximum: one year from `certified_on` (GSI-11.1).
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingView {
    pub id: uuid::Uuid,
    pub assessment_id: uuid::Uuid,
    pub clause: String,
    pub result: String,
    pub evidence_refs: Vec<String>,
    pub note: Option<String>,
    pub closes_finding_id: Option<uuid::Uuid>,
    pub recorded_at: DateTime<Utc>,
    pub recorded_by: String,
}

impl From<&Finding> for FindingView {
    fn from(f: &Finding) -> Self {
        FindingView {
            id: f.id.as_uuid(),
            assessment_id: f.assessment.as_uuid(),
            clause: f.clause.clone(),
            result: f.result.as_str().to_owned(),
            evidence_refs: f.evidence_refs.iter().map(|r| r.as_str().to_owned()).collect(),
            note: f.note.as_ref().map(|n| n.as_str().to_owned()),
            closes_finding_id: f.closes.map(|c| c.as_uuid()),
            recorded_at: f.recorded_at,
            recorded_by: f.recorded_by.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificationView {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub assessor_id: uuid::Uuid,
    pub families: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    /// GSI-11.1: the next surveillance assessment is due by this day.
    pub surveillance_due: NaiveDate,
    pub decided_at: DateTime<Utc>,
}

impl From<&Certification> for CertificationView {
    fn from(c: &Certification) -> Self {
        CertificationView {
            id: c.id.as_uuid(),
            provider_id: c.provider.as_uuid(),
            assessor_id: c.assessor.as_uuid(),
            families: c.scope.names(),
            valid_from: c.period.from,
            valid_until: c.period.until,
            surveillance_due: c.surveillance_due(),
            decided_at: c.decided_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub assessor_id: uuid::Uuid,
    pub kind: String,
    pub families: Vec<String>,
    /// GSI-6.3: the family standards assessed against (`DGS 1002` network, `DGS 1003` cloud,
    /// `DGS 1004` data center).
    pub standards: Vec<String>,
    pub planned_on: NaiveDate,
    pub performed_on: Option<NaiveDate>,
    pub consent_ref: String,
    pub created_at: DateTime<Utc>,
    /// `open` until decided, then `decided`.
    pub status: String,
    pub decision_outcome: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_note: Option<String>,
}

impl From<&Assessment> for AssessmentSummary {
    fn from(a: &Assessment) -> Self {
        AssessmentSummary {
            id: a.id.as_uuid(),
            provider_id: a.provider.as_uuid(),
            assessor_id: a.assessor.as_uuid(),
            kind: a.kind.as_str().to_owned(),
            families: a.scope.names(),
            standards: a.standards().iter().map(|s| s.as_str().to_owned()).collect(),
            planned_on: a.planned_on,
            performed_on: a.performed_on,
            consent_ref: a.consent_ref.as_str().to_owned(),
            created_at: a.created_at,
            status: if a.decision.is_some() { "decided" } else { "open" }.to_owned(),
            decision_outcome: a.decision.as_ref().map(|d| d.outcome.as_str().to_owned()),
            decided_at: a.decision.as_ref().map(|d| d.decided_at),
            decision_note: a.decision.as_ref().map(|d| d.note.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDetail {
    #[serde(flatten)]
    pub assessment: AssessmentSummary,
    /// Oldest first.
    pub findings: Vec<FindingView>,
    /// Clauses with a major nonconformity not closed by a follow-up finding.
    pub open_major_clauses: Vec<String>,
    pub certification: Option<CertificationView>,
}

impl From<&AssessmentView> for AssessmentDetail {
    fn from(v: &AssessmentView) -> Self {
        AssessmentDetail {
            assessment: (&v.assessment).into(),
            findings: v.findings.iter().map(Into::into).collect(),
            open_major_clauses: gsi_domain::governance::assessment::open_majors(&v.findings)
                .iter()
                .map(|f| f.clause.clone())
                .collect(),
            certification: v.certification.as_ref().map(Into::into),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentListBody {
    pub items: Vec<AssessmentSummary>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    /// Only assessments of this provider.
    pub provider_id: Option<uuid::Uuid>,
}
