pub mod get;

use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::organisations::OrganisationBody;

/// The five roles a token may carry.
#[derive(Debug, Clone, Copy, Serialize, serde::Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RoleBody {
    AgencyAdmin,
    AgencyUser,
    ProviderOperator,
    GixOfficer,
    Assessor,
}

impl From<gsi_domain::Role> for RoleBody {
    fn from(role: gsi_domain::Role) -> Self {
        match role {
            gsi_domain::Role::AgencyAdmin => RoleBody::AgencyAdmin,
            gsi_domain::Role::AgencyUser => RoleBody::AgencyUser,
            gsi_domain::Role::ProviderOperator => RoleBody::ProviderOperator,
            gsi_domain::Role::GixOfficer => RoleBody::GixOfficer,
            gsi_domain::Role::Assessor => RoleBody::Assessor,
        }
    }
}

/// The authenticated caller.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "subject": "demo-agency-admin",
    "role": "agency_admin",
    "organisation_id": "0190f5c2-1a2b-7c3d-8e4f-000000000002",
    "organisation": {"id": "0190f5c2-1a2b-7c3d-8e4f-000000000002", "kind": "agency", "name_th": "กรมตัวอย่าง", "name_en": "Department of Examples", "created_at": "2026-12-01T04:00:00Z", "updated_at": "2026-12-01T04:00:00Z"}
}))]
pub struct Me {
    /// The token's `sub`.
    pub subject: String,
    pub role: RoleBody,
    pub organisation_id: uuid::Uuid,
    /// The organisation, when it is registered here.
    pub organisation: Option<OrganisationBody>,
}
