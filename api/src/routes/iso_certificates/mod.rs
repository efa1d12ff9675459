//! ISO certificates of providers (GSI-6.4).

pub mod create;
pub mod list;
pub mod verify;

use chrono::{DateTime, NaiveDate, Utc};
use gsi_domain::governance::certificate::IsoCertificate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "standard": "iso_iec_27001", "number": "IS 712345", "issuing_body": "BSI Group (Thailand)",
    "families": ["cloud", "data_center"], "valid_from": "2026-04-01", "valid_until": "2029-03-31",
    "evidence_ref": "https://dms.provider.example/certs/iso27001-2026.pdf"
}))]
pub struct CertificateBody {
    /// `iso_iec_20000_1`, `iso_22301` or `iso_iec_27001`.
    pub standard: String,
    #[schema(min_length = 1, max_length = 100)]
    pub number: String,
    #[schema(min_length = 1, max_length = 200)]
    pub issuing_body: String,
    /// The families its scope covers.
    pub families: Vec<String>,
    /// First valid day (Asia/Bangkok).
    pub valid_from: Option<NaiveDate>,
    /// Last valid day, inclusive (Asia/Bangkok): it lapses at 00:00 the next day, Bangkok time.
    pub valid_until: Option<NaiveDate>,
    /// Where the certificate can be inspected.
    #[schema(min_length = 1, max_length = 500)]
    pub evidence_ref: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub standard: String,
    pub number: String,
    pub issuing_body: String,
    pub families: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub evidence_ref: String,
    pub recorded_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub verified_by_assessor_id: Option<uuid::Uuid>,
    /// Verified and valid now (GSI-6.4): only such a certificate counts for listing.
    pub counts_now: bool,
}

impl CertificateView {
    pub fn new(c: &IsoCertificate, now: DateTime<Utc>) -> Self {
        CertificateView {
            id: c.id.as_uuid(),
            provider_id: c.provider.as_uuid(),
            standard: c.standard.as_str().to_owned(),
            number: c.number.as_str().to_owned(),
            issuing_body: c.issuing_body.as_str().to_owned(),
            families: c.scope.names(),
            valid_from: c.period.from,
            valid_until: c.period.until,
            evidence_ref: c.evidence_ref.as_str().to_owned(),
            recorded_at: c.recorded_at,
            verified_at: c.verification.as_ref().map(|v| v.at),
            verified_by: c.verification.as_ref().map(|v| v.by.as_str().to_owned()),
            verified_by_assessor_id: c.verification.as_ref().map(|v| v.assessor.as_uuid()),
            counts_now: c.verification.as_ref().is_some_and(|v| v.at <= now) && c.period.contains(now),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificateListBody {
    pub items: Vec<CertificateView>,
}
