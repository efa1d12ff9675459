pub mod create;
pub mod get;
pub mod list;

use chrono::{DateTime, Utc};
use gsi_domain::org::{Organisation, OrganisationKind};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The kind of party (clause 3).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKindBody {
    /// A government agency using services.
    Agency,
    /// A certified provider of network, cloud or data-center services.
    Provider,
    /// The conformity-assessment body (GCAB).
    Assessor,
    /// The central agency (unique; exists from the start).
    Gix,
}

impl From<OrganisationKind> for OrganisationKindBody {
    fn from(kind: OrganisationKind) -> Self {
        match kind {
            OrganisationKind::Agency => OrganisationKindBody::Agency,
            OrganisationKind::Provider => OrganisationKindBody::Provider,
            OrganisationKind::Assessor => OrganisationKindBody::Assessor,
            OrganisationKind::Gix => OrganisationKindBody::Gix,
        }
    }
}

impl From<OrganisationKindBody> for OrganisationKind {
    fn from(kind: OrganisationKindBody) -> Self {
        match kind {
            OrganisationKindBody::Agency => OrganisationKind::Agency,
            OrganisationKindBody::Provider => OrganisationKind::Provider,
            OrganisationKindBody::Assessor => OrganisationKind::Assessor,
            OrganisationKindBody::Gix => OrganisationKind::Gix,
        }
    }
}

/// A registered organisation.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0190f5c2-1a2b-7c3d-8e4f-000000000002", "kind": "agency", "name_th": "กรมตัวอย่าง", "name_en": "Department of Examples", "created_at": "2026-12-01T04:00:00Z", "updated_at": "2026-12-01T04:00:00Z"}))]
pub struct OrganisationBody {
    pub id: uuid::Uuid,
    pub kind: OrganisationKindBody,
    /// Name in Thai.
    pub name_th: String,
    /// Name in English.
    pub name_en: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Organisation> for OrganisationBody {
    fn from(o: &Organisation) -> Self {
        OrganisationBody {
            id: o.id.as_uuid(),
            kind: o.kind.into(),
            name_th: o.name_th.to_string(),
            name_en: o.name_en.as_ref().map(ToString::to_string),
            created_at: o.created_at,
            updated_at: o.updated_at,
        }
    }
}

/// A page of organisations.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationList {
    pub items: Vec<OrganisationBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// Registration of an agency, provider or assessor.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "agency", "name_th": "กรมตัวอย่าง", "name_en": "Department of Examples"}))]
pub struct RegisterOrganisation {
    /// `gix` is refused: the central agency is unique and already exists.
    pub kind: OrganisationKindBody,
    /// Name in Thai, 1–300 characters.
    #[schema(min_length = 1, max_length = 300)]
    pub name_th: String,
    /// Name in English, 1–300 characters.
    #[schema(min_length = 1, max_length = 300)]
    pub name_en: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListOrganisationsQuery {
    /// Only organisations of this kind.
    #[param(value_type = Option<OrganisationKindBody>)]
    pub kind: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page.
    pub cursor: Option<String>,
}
