pub mod get;
pub mod update;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::agency_profile::{AgencyProfile, AgencyProfileDraft, ContactChannelDraft, CoordinatorDraft};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::etag::etag;

/// How to reach the agency.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ContactChannelKindBody {
    Phone,
    Email,
    Website,
    Fax,
    Line,
    Other,
}

impl ContactChannelKindBody {
    fn as_str(self) -> &'static str {
        gsi_domain::agency_profile::ContactChannelKind::from(self).as_str()
    }
}

impl From<ContactChannelKindBody> for gsi_domain::agency_profile::ContactChannelKind {
    fn from(kind: ContactChannelKindBody) -> Self {
        use gsi_domain::agency_profile::ContactChannelKind as K;
        match kind {
            ContactChannelKindBody::Phone => K::Phone,
            ContactChannelKindBody::Email => K::Email,
            ContactChannelKindBody::Website => K::Website,
            ContactChannelKindBody::Fax => K::Fax,
            ContactChannelKindBody::Line => K::Line,
            ContactChannelKindBody::Other => K::Other,
        }
    }
}

impl From<gsi_domain::agency_profile::ContactChannelKind> for ContactChannelKindBody {
    fn from(kind: gsi_domain::agency_profile::ContactChannelKind) -> Self {
        use gsi_domain::agency_profile::ContactChannelKind as K;
        match kind {
            K::Phone => ContactChannelKindBody::Phone,
            K::Email => ContactChannelKindBody::Email,
            K::Website => ContactChannelKindBody::Website,
            K::Fax => ContactChannelKindBody::Fax,
            K::Line => ContactChannelKindBody::Line,
            K::Other => ContactChannelKindBody::Other,
        }
    }
}

/// A person the provider coordinates with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Coordinator {
    #[schema(min_length = 1, max_length = 300, example = "สมชาย ใจดี")]
    pub name: String,
    #[schema(min_length = 1, max_length = 200, example = "ผู้อำนวยการศูนย์เทคโนโลยีสารสนเทศ")]
    pub position: String,
    #[schema(format = "email", example = "somchai@example.go.th")]
    pub email: String,
    /// 9–15 digits; spaces, dashes, parentheses, a leading `+` and `ext 123` allowed.
    #[schema(example = "02-123-4567")]
    pub phone: String,
    /// Exactly one coordinator is primary when there are any.
    pub is_primary: bool,
}

/// A contact channel; `value` must suit `kind` (an e-mail address, a phone number, an http(s) address).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactChannel {
    pub kind: ContactChannelKindBody,
    #[schema(min_length = 1, max_length = 500, example = "https://www.example.go.th")]
    pub value: String,
    #[schema(max_length = 300, example = "Website")]
    pub label: Option<String>,
}

/// The agency's basic data (GSI-7.5.1).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "agency_id": "0190f5c2-1a2b-7c3d-8e4f-000000000002",
    "name_th": "กรมตัวอย่าง", "name_en": "Department of Examples",
    "parent_ministry": "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "address": "120 ถนนแจ้งวัฒนะ แขวงทุ่งสองห้อง เขตหลักสี่ กรุงเทพฯ 10210",
    "coordinators": [{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการศูนย์เทคโนโลยีสารสนเทศ", "email": "somchai@example.go.th", "phone": "02-123-4567", "is_primary": true}],
    "contact_channels": [{"kind": "phone", "value": "02-123-4500", "label": "Switchboard"}],
    "updated_at": "2026-12-01T04:00:00Z", "version": 2
}))]
pub struct AgencyProfileBody {
    pub agency_id: uuid::Uuid,
    pub name_th: String,
    pub name_en: Option<String>,
    pub parent_ministry: Option<String>,
    pub address: Option<String>,
    pub coordinators: Vec<Coordinator>,
    pub contact_channels: Vec<ContactChannel>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i64,
}

impl From<&AgencyProfile> for AgencyProfileBody {
    fn from(p: &AgencyProfile) -> Self {
        let d = &p.details;
        AgencyProfileBody {
            agency_id: p.agency_id.as_uuid(),
            name_th: d.name_th.to_string(),
            name_en: d.name_en.as_ref().map(ToString::to_string),
            parent_ministry: d.parent_ministry.as_ref().map(ToString::to_string),
            address: d.address.as_ref().map(ToString::to_string),
            coordinators: d
                .coordinators
                .iter()
                .map(|c| Coordinator {
                    name: c.name.to_string(),
                    position: c.position.to_string(),
                    email: c.email.as_str().to_owned(),
                    phone: c.phone.as_str().to_owned(),
                    is_primary: c.is_primary,
                })
                .collect(),
            contact_channels: d
                .contact_channels
                .iter()
                .map(|c| ContactChannel {
                    kind: c.kind.into(),
                    value: c.value.to_string(),
                    label: c.label.as_ref().map(ToString::to_string),
                })
                .collect(),
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// The whole editable profile; it replaces the stored one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name_th": "กรมตัวอย่าง", "name_en": "Department of Examples",
    "parent_ministry": "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
    "address": "120 ถนนแจ้งวัฒนะ แขวงทุ่งสองห้อง เขตหลักสี่ กรุงเทพฯ 10210",
    "coordinators": [{"name": "สมชาย ใจดี", "position": "ผู้อำนวยการศูนย์เทคโนโลยีสารสนเทศ", "email": "somchai@example.go.th", "phone": "02-123-4567", "is_primary": true}],
    "contact_channels": [{"kind": "email", "value": "it@example.go.th", "label": "IT service desk"}]
}))]
pub struct AgencyProfileUpdate {
    #[schema(min_length = 1, max_length = 300)]
    pub name_th: String,
    #[schema(max_length = 300)]
    pub name_en: Option<String>,
    #[schema(max_length = 300)]
    pub parent_ministry: Option<String>,
    #[schema(max_length = 1000)]
    pub address: Option<String>,
    /// At most 20; exactly one primary when any.
    #[schema(max_items = 20)]
    pub coordinators: Vec<Coordinator>,
    #[schema(max_items = 20)]
    pub contact_channels: Vec<ContactChannel>,
}

impl From<AgencyProfileUpdate> for AgencyProfileDraft {
    fn from(u: AgencyProfileUpdate) -> Self {
        AgencyProfileDraft {
            name_th: u.name_th,
            name_en: u.name_en,
            parent_ministry: u.parent_ministry,
            address: u.address,
            coordinators: u
                .coordinators
                .into_iter()
                .map(|c| CoordinatorDraft {
                    name: c.name,
                    position: c.position,
                    email: c.email,
                    phone: c.phone,
                    is_primary: c.is_primary,
                })
                .collect(),
            contact_channels: u
                .contact_channels
                .into_iter()
                .map(|c| ContactChannelDraft { kind: c.kind.as_str().to_owned(), value: c.value, label: c.label })
                .collect(),
        }
    }
}

fn profile_response(profile: &AgencyProfile) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(profile.version))).json(AgencyProfileBody::from(profile))
}
