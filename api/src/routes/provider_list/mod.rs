pub mod changes;
pub mod list;

use chrono::{DateTime, Utc};
use gsi_domain::listing::ListedFamily;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::routes::provider_profiles::{ServiceFamilyBody, SupportChannelsBody};
use crate::usecases::listings::ListedProvider;

/// A family the provider is listed for, and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedFamilyBody {
    pub family: ServiceFamilyBody,
    /// When the current listed period began (the listing or reinstatement in force).
    pub since: DateTime<Utc>,
}

impl From<&ListedFamily> for ListedFamilyBody {
    fn from(l: &ListedFamily) -> Self {
        ListedFamilyBody { family: l.family.into(), since: l.since }
    }
}

/// A provider on the list (GSI-12.2), with how to reach it around the clock (GSI-7.4).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListedProviderBody {
    pub provider_id: uuid::Uuid,
    pub name_th: String,
    pub name_en: Option<String>,
    /// Only the filtered family when `family` is given; in family order.
    pub families: Vec<ListedFamilyBody>,
    pub support: SupportChannelsBody,
}

impl From<&ListedProvider> for ListedProviderBody {
    fn from(p: &ListedProvider) -> Self {
        ListedProviderBody {
            provider_id: p.organisation.id.as_uuid(),
            name_th: p.organisation.name_th.to_string(),
            name_en: p.organisation.name_en.as_ref().map(ToString::to_string),
            families: p.families.iter().map(Into::into).collect(),
            support: (&p.support).into(),
        }
    }
}

/// A page of the provider list.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "at": "2026-12-01T04:00:00Z",
    "items": [{
        "provider_id": "00000000-0000-7000-8000-000000000b02",
        "name_th": "บริษัท คลาวด์และศูนย์ข้อมูลตัวอย่าง จำกัด", "name_en": "Example Cloud and Data Center Co., Ltd.",
        "families": [{"family": "cloud", "since": "2026-12-01T04:00:00Z"}, {"family": "data_center", "since": "2026-12-01T04:00:00Z"}],
        "support": {"phone": "+66 2 555 2000", "email": "support@cloud-dc-example.co.th", "self_service_url": "https://portal.cloud-dc-example.co.th/gsi"}
    }],
    "next_cursor": null
}))]
pub struct ProviderListBody {
    /// The instant the list is for.
    pub at: DateTime<Utc>,
    pub items: Vec<ListedProviderBody>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProviderListQuery {
    /// Only providers listed for this family, showing only it.
    #[param(value_type = Option<ServiceFamilyBody>)]
    pub family: Option<String>,
    /// The list as it stands at this instant (RFC 3339); default now.
    #[param(value_type = Option<DateTime<Utc>>, example = "2027-01-01T00:00:00+07:00")]
    pub at: Option<String>,
    /// Page size, 1–200 (default 50).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    /// `next_cursor` from the previous page (with the same `family` and `at`).
    pub cursor: Option<String>,
}

/// The provider list's change log.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingChangeLogBody {
    /// Oldest first.
    pub items: Vec<crate::routes::provider_listings::ListingLogEntryBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListingChangeQuery {
    /// Only this provider's changes.
    pub provider_id: Option<uuid::Uuid>,
    /// Only changes that took effect at or after this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub since: Option<String>,
}
