pub mod get;
pub mod update;

use std::future::{Ready, ready};

use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use gsi_domain::provider::{
    ExclusionKind, ExclusionRule, LegalStatusKind, ListingBlocker, ProviderProfileDraft, ServiceExclusionDraft,
    SupportChannels, SupportChannelsDraft, listing_blockers,
};
use gsi_domain::service::ServiceFamily;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};
use crate::usecases::provider_profiles::ProviderProfileView;

pub use crate::routes::service::ServiceFamilyBody;

/// GSI-6.1: what the provider is in law.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LegalStatusBody {
    /// A government body; it has no registration number.
    GovernmentBody,
    /// A juristic person registered to do business in Thailand; it gives its registration number.
    JuristicPerson,
}

impl From<LegalStatusBody> for LegalStatusKind {
    fn from(status: LegalStatusBody) -> Self {
        match status {
            LegalStatusBody::GovernmentBody => LegalStatusKind::GovernmentBody,
            LegalStatusBody::JuristicPerson => LegalStatusKind::JuristicPerson,
        }
    }
}

impl From<LegalStatusKind> for LegalStatusBody {
    fn from(status: LegalStatusKind) -> Self {
        match status {
            LegalStatusKind::GovernmentBody => LegalStatusBody::GovernmentBody,
            LegalStatusKind::JuristicPerson => LegalStatusBody::JuristicPerson,
        }
    }
}

/// GSI-10.3: the kind of a published service exclusion.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionKindBody {
    /// Maintenance announced at least `notice_hours` ahead.
    PlannedMaintenance,
    ForceMajeure,
    /// Caused by the agency's own equipment, staff or requests.
    CustomerCaused,
    /// Failures of networks the provider does not operate.
    ThirdPartyNetwork,
    Other,
}

impl From<ExclusionKindBody> for ExclusionKind {
    fn from(kind: ExclusionKindBody) -> Self {
        match kind {
            ExclusionKindBody::PlannedMaintenance => ExclusionKind::PlannedMaintenance,
            ExclusionKindBody::ForceMajeure => ExclusionKind::ForceMajeure,
            ExclusionKindBody::CustomerCaused => ExclusionKind::CustomerCaused,
            ExclusionKindBody::ThirdPartyNetwork => ExclusionKind::ThirdPartyNetwork,
            ExclusionKindBody::Other => ExclusionKind::Other,
        }
    }
}

impl From<ExclusionKind> for ExclusionKindBody {
    fn from(kind: ExclusionKind) -> Self {
        match kind {
            ExclusionKind::PlannedMaintenance => ExclusionKindBody::PlannedMaintenance,
            ExclusionKind::ForceMajeure => ExclusionKindBody::ForceMajeure,
            ExclusionKind::CustomerCaused => ExclusionKindBody::CustomerCaused,
            ExclusionKind::ThirdPartyNetwork => ExclusionKindBody::ThirdPartyNetwork,
            ExclusionKind::Other => ExclusionKindBody::Other,
        }
    }
}

/// GSI-7.4: a 24x7 channel the profile still lacks, which keeps the provider off the list.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListingBlockerBody {
    MissingSupportPhone,
    MissingSupportEmail,
    MissingSelfServiceUrl,
}

impl From<ListingBlocker> for ListingBlockerBody {
    fn from(blocker: ListingBlocker) -> Self {
        match blocker {
            ListingBlocker::MissingSupportPhone => ListingBlockerBody::MissingSupportPhone,
            ListingBlocker::MissingSupportEmail => ListingBlockerBody::MissingSupportEmail,
            ListingBlocker::MissingSelfServiceUrl => ListingBlockerBody::MissingSelfServiceUrl,
        }
    }
}

/// GSI-7.4: how agencies reach the provider 24 hours a day for the whole service period.
/// Each may be left out (or blank) while the profile is being filled in; all three are
/// needed before GIX can list the provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SupportChannelsBody {
    /// 9–15 digits; spaces, dashes, parentheses, a leading `+` and `ext 123` allowed.
    #[schema(example = "02-555-1000")]
    pub phone: Option<String>,
    #[schema(format = "email", example = "noc@provider.co.th")]
    pub email: Option<String>,
    /// The provider's online self-service system (GSI-7.5); `https://` only.
    #[schema(format = "uri", max_length = 500, example = "https://portal.provider.co.th/gsi")]
    pub self_service_url: Option<String>,
}

impl From<&SupportChannels> for SupportChannelsBody {
    fn from(s: &SupportChannels) -> Self {
        SupportChannelsBody {
            phone: s.phone.as_ref().map(|v| v.as_str().to_owned()),
            email: s.email.as_ref().map(|v| v.as_str().to_owned()),
            self_service_url: s.self_service_url.as_ref().map(|v| v.as_str().to_owned()),
        }
    }
}

/// GSI-10.3: a published service exclusion.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExclusionBody {
    pub kind: ExclusionKindBody,
    /// Planned maintenance only, and required for it: how many hours ahead it is announced (1–2160).
    #[schema(minimum = 1, maximum = 2160, example = 72)]
    pub notice_hours: Option<u32>,
    /// What agencies read, 1–2000 characters.
    #[schema(min_length = 1, max_length = 2000, example = "Maintenance announced at least 72 hours ahead")]
    pub text: String,
}

/// A provider's profile (GSI-6.1, 6.2, 7.4, 10.3), with the organisation's names.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "provider_id": "00000000-0000-7000-8000-000000000b02",
    "name_th": "บริษัท คลาวด์และศูนย์ข้อมูลตัวอย่าง จำกัด", "name_en": "Example Cloud and Data Center Co., Ltd.",
    "legal_status": "juristic_person", "registration_number": "0107536000102",
    "families": ["cloud", "data_center"],
    "support": {"phone": "+66 2 555 2000", "email": "support@cloud-dc-example.co.th", "self_service_url": "https://portal.cloud-dc-example.co.th/gsi"},
    "exclusions": [
        {"kind": "planned_maintenance", "notice_hours": 72, "text": "Maintenance announced at least 72 hours ahead"},
        {"kind": "force_majeure", "notice_hours": null, "text": "Natural disasters, war, unrest and orders of the authorities"}
    ],
    "listing_blockers": [],
    "updated_at": "2026-12-01T04:00:00Z", "version": 1
}))]
pub struct ProviderProfileBody {
    pub provider_id: uuid::Uuid,
    /// The organisation's name in Thai (kept in the organisation register).
    pub name_th: String,
    pub name_en: Option<String>,
    pub legal_status: LegalStatusBody,
    /// The 13 bare digits; present exactly for a juristic person.
    #[schema(example = "0107544000108")]
    pub registration_number: Option<String>,
    /// In family order.
    pub families: Vec<ServiceFamilyBody>,
    pub support: SupportChannelsBody,
    pub exclusions: Vec<ExclusionBody>,
    /// The 24x7 channels still missing before GIX can list the provider (GSI-7.4); empty when none.
    pub listing_blockers: Vec<ListingBlockerBody>,
    pub updated_at: DateTime<Utc>,
    /// Also sent as the `ETag` header.
    pub version: i64,
}

impl From<&ProviderProfileView> for ProviderProfileBody {
    fn from(v: &ProviderProfileView) -> Self {
        let (org, p) = (&v.organisation, &v.profile);
        let d = &p.details;
        ProviderProfileBody {
            provider_id: p.provider_id.as_uuid(),
            name_th: org.name_th.to_string(),
            name_en: org.name_en.as_ref().map(ToString::to_string),
            legal_status: d.legal_status.kind().into(),
            registration_number: d.legal_status.registration_number().map(|n| n.as_str().to_owned()),
            families: d.families.iter().map(Into::into).collect(),
            support: (&d.support).into(),
            exclusions: d
                .exclusions
                .iter()
                .map(|e| ExclusionBody {
                    kind: e.rule.kind().into(),
                    notice_hours: match e.rule {
                        ExclusionRule::PlannedMaintenance { notice_hours } => Some(notice_hours),
                        ExclusionRule::ForceMajeure
                        | ExclusionRule::CustomerCaused
                        | ExclusionRule::ThirdPartyNetwork
                        | ExclusionRule::Other => None,
                    },
                    text: e.text.to_string(),
                })
                .collect(),
            listing_blockers: listing_blockers(p).into_iter().map(Into::into).collect(),
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// The whole editable profile; it replaces the stored one. The names are the organisation's
/// and are not part of it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "legal_status": "juristic_person", "registration_number": "0-1075-44000-10-8",
    "families": ["network"],
    "support": {"phone": "02-555-1000", "email": "noc@provider.co.th", "self_service_url": "https://portal.provider.co.th/gsi"},
    "exclusions": [{"kind": "planned_maintenance", "notice_hours": 72, "text": "Maintenance announced at least 72 hours ahead"}]
}))]
pub struct ProviderProfileUpdate {
    pub legal_status: LegalStatusBody,
    /// Required for a juristic person, refused for a government body: 13 digits
    /// (`0107544000108`) or the printed grouping (`0-1075-44000-10-8`); the last digit is a
    /// check digit over the first twelve (GSI-6.1).
    #[schema(example = "0-1075-44000-10-8")]
    pub registration_number: Option<String>,
    /// At least one, none twice (GSI-6.2).
    #[schema(min_items = 1, max_items = 3)]
    pub families: Vec<ServiceFamilyBody>,
    pub support: SupportChannelsBody,
    /// At most 50 (GSI-10.3).
    #[schema(max_items = 50)]
    pub exclusions: Vec<ExclusionBody>,
}

impl From<ProviderProfileUpdate> for ProviderProfileDraft {
    fn from(u: ProviderProfileUpdate) -> Self {
        ProviderProfileDraft {
            legal_status: LegalStatusKind::from(u.legal_status).as_str().to_owned(),
            registration_number: u.registration_number,
            families: u.families.into_iter().map(|f| ServiceFamily::from(f).as_str().to_owned()).collect(),
            support: SupportChannelsDraft {
                phone: u.support.phone,
                email: u.support.email,
                self_service_url: u.support.self_service_url,
            },
            exclusions: u
                .exclusions
                .into_iter()
                .map(|e| ServiceExclusionDraft {
                    kind: ExclusionKind::from(e.kind).as_str().to_owned(),
                    notice_hours: e.notice_hours,
                    text: e.text,
                })
                .collect(),
        }
    }
}

/// `If-Match` when sent. The first PUT creates the profile and has no version to match, so
/// the header is optional here; the use case requires it once the profile exists.
pub struct OptionalIfMatch(pub Option<Precondition>);

impl FromRequest for OptionalIfMatch {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(match req.headers().get(header::IF_MATCH) {
            None => Ok(OptionalIfMatch(None)),
            Some(value) => value
                .to_str()
                .map_err(|_| ApiError::invalid_parameter("If-Match", "invalid_etag", "must be ASCII"))
                .and_then(Precondition::parse)
                .map(|p| OptionalIfMatch(Some(p))),
        })
    }
}

fn profile_response(view: &ProviderProfileView, status: StatusCode) -> HttpResponse {
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, etag(view.profile.version)));
    if status == StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/v1/providers/{}/profile", view.profile.provider_id)));
    }
    response.json(ProviderProfileBody::from(view))
}
