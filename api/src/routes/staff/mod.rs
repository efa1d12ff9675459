//! Personnel compliance (GSI-9.1-9.3).

pub mod create;
pub mod list;
pub mod summary;

use chrono::{DateTime, NaiveDate, Utc};
use gsi_domain::governance::personnel::{AreaSummary, StaffMember};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TechnicalCertificationBody {
    /// `network`, `cloud`, `data_center` or `security` (GSI-9.1).
    pub area: String,
    pub name: String,
    pub issuer: String,
    /// Last valid day (Asia/Bangkok).
    pub expires_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "staff_ref": "EMP-0042", "display_name": "สมชาย ใจดี",
    "certifications": [{"area": "cloud", "name": "AWS Certified Solutions Architect", "issuer": "Amazon Web Services", "expires_on": "2028-06-30"}],
    "criminal_record_checked_on": "2026-01-15", "nda_signed_on": "2026-01-20"
}))]
pub struct StaffBody {
    /// The provider's own reference (an employee number); never a national id.
    pub staff_ref: String,
    pub display_name: String,
    #[serde(default)]
    pub certifications: Vec<TechnicalCertificationBody>,
    /// GSI-9.2.
    pub criminal_record_checked_on: Option<NaiveDate>,
    /// GSI-9.3.
    pub nda_signed_on: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub staff_ref: String,
    pub display_name: String,
    pub certifications: Vec<TechnicalCertificationBody>,
    pub criminal_record_checked_on: Option<NaiveDate>,
    pub nda_signed_on: Option<NaiveDate>,
    pub recorded_at: DateTime<Utc>,
}

impl From<&StaffMember> for StaffView {
    fn from(s: &StaffMember) -> Self {
        StaffView {
            id: s.id.as_uuid(),
            provider_id: s.provider.as_uuid(),
            staff_ref: s.staff_ref.as_str().to_owned(),
            display_name: s.display_name.as_str().to_owned(),
            certifications: s
                .certifications
                .iter()
                .map(|c| TechnicalCertificationBody {
                    area: c.area.as_str().to_owned(),
                    name: c.name.as_str().to_owned(),
                    issuer: c.issuer.as_str().to_owned(),
                    expires_on: Some(c.expires_on),
                })
                .collect(),
            criminal_record_checked_on: s.criminal_record_checked_on,
            nda_signed_on: s.nda_signed_on,
            recorded_at: s.recorded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AreaSummaryView {
    pub area: String,
    /// Staff holding a certification in the area.
    pub staff: usize,
    /// Valid certification in the area, criminal-record check and NDA today.
    pub compliant: usize,
    /// Compliant today, but every valid certification in the area ends within 30 days.
    pub lapsing_within_30_days: usize,
}

impl From<&AreaSummary> for AreaSummaryView {
    fn from(a: &AreaSummary) -> Self {
        AreaSummaryView {
            area: a.area.as_str().to_owned(),
            staff: a.staff,
            compliant: a.compliant,
            lapsing_within_30_days: a.lapsing_within_30_days,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffListBody {
    pub items: Vec<StaffView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StaffSummaryBody {
    pub provider_id: uuid::Uuid,
    /// Every area, in order: network, cloud, data_center, security.
    pub areas: Vec<AreaSummaryView>,
}
