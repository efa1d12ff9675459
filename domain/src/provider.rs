//! The provider profile: who the provider is in law (GSI-6.1), which service families it
//! offers (GSI-6.2), how agencies reach it around the clock (GSI-7.4), and the service
//! exclusions it publishes (GSI-10.3).
//!
//! The profile may be saved incomplete (a new provider fills it in over time); what it
//! still lacks before GIX can list it is reported by [`listing_blockers`].

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::access::Access;
use crate::ids::OrganisationId;
use crate::registration::RegistrationNumber;
use crate::role::{Actor, Role};
use crate::service::{ServiceFamily, vocabulary};
use crate::text::{BoundedText, EmailAddress, PhoneNumber};
use crate::validation::ValidationErrors;

pub const MAX_EXCLUSIONS: usize = 50;
pub const EXCLUSION_TEXT_MAX: usize = 2000;
pub const URL_MAX: usize = 500;
/// The longest notice period a planned-maintenance exclusion may declare: 90 days. A
/// longer one would let a provider exclude almost any maintenance by announcing it early.
pub const MAX_NOTICE_HOURS: u32 = 90 * 24;

vocabulary!(
    /// GSI-6.1: what a provider is in law.
    LegalStatusKind, "legal status" {
        GovernmentBody => "government_body",
        JuristicPerson => "juristic_person",
    }
);

/// GSI-6.1. A juristic person is identified by its registration number; a government
/// body carries none (the number is refused for it, so that the stored shape says one
/// thing only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LegalStatus {
    GovernmentBody,
    JuristicPerson(RegistrationNumber),
}

impl LegalStatus {
    pub fn kind(&self) -> LegalStatusKind {
        match self {
            LegalStatus::GovernmentBody => LegalStatusKind::GovernmentBody,
            LegalStatus::JuristicPerson(_) => LegalStatusKind::JuristicPerson,
        }
    }

    pub fn registration_number(&self) -> Option<&RegistrationNumber> {
        match self {
            LegalStatus::GovernmentBody => None,
            LegalStatus::JuristicPerson(number) => Some(number),
        }
    }
}

/// GSI-6.2: the families a provider offers; never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedFamilies(BTreeSet<ServiceFamily>);

impl OfferedFamilies {
    /// Parses family names: at least one, each known, none twice.
    pub fn parse(field: &str, raw: &[String]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut families = BTreeSet::new();
        if raw.is_empty() {
            errors.add(field, "required", "offer at least one of network, cloud, data_center (GSI-6.2)");
        }
        for (i, name) in raw.iter().enumerate() {
            match name.parse::<ServiceFamily>() {
                Ok(family) => {
                    if !families.insert(family) {
                        errors.add(
                            format!("{field}[{i}]"),
                            "duplicate",
                            format!("`{family}` is listed more than once"),
                        );
                    }
                }
                Err(e) => errors.add(format!("{field}[{i}]"), "invalid_choice", e.to_string()),
            }
        }
        errors.finish(|| Some(OfferedFamilies(families)))
    }

    pub fn contains(&self, family: ServiceFamily) -> bool {
        self.0.contains(&family)
    }

    pub fn iter(&self) -> impl Iterator<Item = ServiceFamily> + '_ {
        self.0.iter().copied()
    }
}

/// An `https://` address. The self-service system holds agencies' data (GSI-7.5, 8), so
/// a plain-http address is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpsUrl(String);

impl HttpsUrl {
    pub fn parse(field: &str, raw: &str) -> Result<Self, ValidationErrors> {
        let text = BoundedText::parse(field, raw, URL_MAX)?;
        let host =
            text.as_str().strip_prefix("https://").map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
        match host {
            Some(host)
                if !host.is_empty()
                    && !text.as_str().contains(char::is_whitespace)
                    && host.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':')) =>
            {
                Ok(Self(text.as_str().to_owned()))
            }
            _ => Err(ValidationErrors::single(
                field,
                "invalid_url",
                "must be an https address such as https://portal.provider.co.th",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// GSI-7.4: the channels through which agencies reach the provider 24 hours a day for the
/// whole service period. Each may be missing while the profile is being filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupportChannels {
    pub phone: Option<PhoneNumber>,
    pub email: Option<EmailAddress>,
    /// The provider's online self-service system (GSI-7.5).
    pub self_service_url: Option<HttpsUrl>,
}

vocabulary!(
    /// GSI-10.3: the kinds of service exclusion a provider may declare.
    ExclusionKind, "exclusion kind" {
        /// Maintenance announced at least the declared notice period ahead.
        PlannedMaintenance => "planned_maintenance",
        ForceMajeure => "force_majeure",
        /// Caused by the agency's own equipment, staff or requests.
        CustomerCaused => "customer_caused",
        /// Failures of networks the provider does not operate.
        ThirdPartyNetwork => "third_party_network",
        Other => "other",
    }
);

/// The structured part of an exclusion; only planned maintenance carries a parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExclusionRule {
    /// Excluded only when announced at least `notice_hours` before it starts.
    PlannedMaintenance {
        notice_hours: u32,
    },
    ForceMajeure,
    CustomerCaused,
    ThirdPartyNetwork,
    Other,
}

impl ExclusionRule {
    pub fn kind(self) -> ExclusionKind {
        match self {
            ExclusionRule::PlannedMaintenance { .. } => ExclusionKind::PlannedMaintenance,
            ExclusionRule::ForceMajeure => ExclusionKind::ForceMajeure,
            ExclusionRule::CustomerCaused => ExclusionKind::CustomerCaused,
            ExclusionRule::ThirdPartyNetwork => ExclusionKind::ThirdPartyNetwork,
            ExclusionRule::Other => ExclusionKind::Other,
        }
    }
}

/// GSI-10.3: one published exclusion: what kind, and the text agencies read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceExclusion {
    pub rule: ExclusionRule,
    pub text: BoundedText,
}

#[derive(Debug, Clone, Default)]
pub struct ServiceExclusionDraft {
    pub kind: String,
    pub notice_hours: Option<u32>,
    pub text: String,
}

impl ServiceExclusion {
    /// Rules: a known kind; planned maintenance needs a notice period of 1 to
    /// [`MAX_NOTICE_HOURS`] hours, and no other kind takes one; the text is required.
    pub fn parse(draft: &ServiceExclusionDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match draft.kind.parse::<ExclusionKind>() {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let rule = match (kind, draft.notice_hours) {
            (Some(ExclusionKind::PlannedMaintenance), Some(hours)) if (1..=MAX_NOTICE_HOURS).contains(&hours) => {
                Some(ExclusionRule::PlannedMaintenance { notice_hours: hours })
            }
            (Some(ExclusionKind::PlannedMaintenance), Some(hours)) => {
                errors.add(
                    "notice_hours",
                    "out_of_range",
                    format!("must be from 1 to {MAX_NOTICE_HOURS} hours (got {hours})"),
                );
                None
            }
            (Some(ExclusionKind::PlannedMaintenance), None) => {
                errors.add(
                    "notice_hours",
                    "required",
                    "planned maintenance must declare how many hours ahead it is announced",
                );
                None
            }
            (Some(kind), Some(_)) => {
                errors.add(
                    "notice_hours",
                    "not_applicable",
                    format!("only planned_maintenance takes a notice period, not {kind}"),
                );
                None
            }
            (Some(ExclusionKind::ForceMajeure), None) => Some(ExclusionRule::ForceMajeure),
            (Some(ExclusionKind::CustomerCaused), None) => Some(ExclusionRule::CustomerCaused),
            (Some(ExclusionKind::ThirdPartyNetwork), None) => Some(ExclusionRule::ThirdPartyNetwork),
            (Some(ExclusionKind::Other), None) => Some(ExclusionRule::Other),
            (None, _) => None,
        };
        let text = errors.collect(BoundedText::parse("text", &draft.text, EXCLUSION_TEXT_MAX));
        errors.finish(|| Some(ServiceExclusion { rule: rule?, text: text? }))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderProfile {
    pub provider_id: OrganisationId,
    pub details: ProviderProfileDetails,
    pub updated_at: DateTime<Utc>,
    /// Incremented on every change; the ETag of the profile.
    pub version: i64,
}

/// The editable part of the profile. The provider's names are the organisation's
/// (see `org::Organisation`) and are not repeated here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderProfileDetails {
    pub legal_status: LegalStatus,
    pub families: OfferedFamilies,
    pub support: SupportChannels,
    pub exclusions: Vec<ServiceExclusion>,
}

/// Unparsed input, as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct ProviderProfileDraft {
    pub legal_status: String,
    pub registration_number: Option<String>,
    pub families: Vec<String>,
    pub support: SupportChannelsDraft,
    pub exclusions: Vec<ServiceExclusionDraft>,
}

#[derive(Debug, Clone, Default)]
pub struct SupportChannelsDraft {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub self_service_url: Option<String>,
}

impl ProviderProfileDetails {
    /// Parses a whole profile, naming every failing field: `legal_status`,
    /// `registration_number` (required for a juristic person, refused for a government
    /// body), `families[i]`, `support.phone|email|self_service_url`, `exclusions[i].…`.
    pub fn parse(draft: &ProviderProfileDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let legal_status = match (draft.legal_status.parse::<LegalStatusKind>(), draft.registration_number.as_deref()) {
            (Ok(LegalStatusKind::GovernmentBody), None) => Some(LegalStatus::GovernmentBody),
            (Ok(LegalStatusKind::GovernmentBody), Some(_)) => {
                errors.add(
                    "registration_number",
                    "not_applicable",
                    "a government body has no juristic-person registration number; leave it out",
                );
                None
            }
            (Ok(LegalStatusKind::JuristicPerson), Some(raw)) => {
                errors.collect(RegistrationNumber::parse("registration_number", raw)).map(LegalStatus::JuristicPerson)
            }
            (Ok(LegalStatusKind::JuristicPerson), None) => {
                errors.add(
                    "registration_number",
                    "required",
                    "a juristic person must give its 13-digit registration number (GSI-6.1)",
                );
                None
            }
            (Err(e), _) => {
                errors.add("legal_status", "invalid_choice", e.to_string());
                None
            }
        };
        let families = errors.collect(OfferedFamilies::parse("families", &draft.families));
        let support = errors.collect_nested("support", parse_support(&draft.support));
        if draft.exclusions.len() > MAX_EXCLUSIONS {
            errors.add(
                "exclusions",
                "too_many",
                format!("at most {MAX_EXCLUSIONS} exclusions (got {})", draft.exclusions.len()),
            );
        }
        let exclusions: Vec<Option<ServiceExclusion>> = draft
            .exclusions
            .iter()
            .enumerate()
            .map(|(i, e)| errors.collect_nested(&format!("exclusions[{i}]"), ServiceExclusion::parse(e)))
            .collect();
        errors.finish(|| {
            Some(ProviderProfileDetails {
                legal_status: legal_status?,
                families: families?,
                support: support?,
                exclusions: exclusions.into_iter().collect::<Option<Vec<_>>>()?,
            })
        })
    }
}

/// Blank text counts as absent: a form field left empty is a channel not given yet.
fn present(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().filter(|s| !s.trim().is_empty())
}

fn parse_support(draft: &SupportChannelsDraft) -> Result<SupportChannels, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let phone = errors.collect(present(&draft.phone).map(|raw| PhoneNumber::parse("phone", raw)).transpose());
    let email = errors.collect(present(&draft.email).map(|raw| EmailAddress::parse("email", raw)).transpose());
    let self_service_url = errors
        .collect(present(&draft.self_service_url).map(|raw| HttpsUrl::parse("self_service_url", raw)).transpose());
    errors.finish(|| Some(SupportChannels { phone: phone?, email: email?, self_service_url: self_service_url? }))
}

vocabulary!(
    /// What keeps a provider off the provider list, whatever the family (GSI-7.4).
    ListingBlocker, "listing blocker" {
        MissingSupportPhone => "missing_support_phone",
        MissingSupportEmail => "missing_support_email",
        MissingSelfServiceUrl => "missing_self_service_url",
    }
);

impl ListingBlocker {
    pub const fn message(self) -> &'static str {
        match self {
            ListingBlocker::MissingSupportPhone => "the profile has no 24x7 support phone number (GSI-7.4)",
            ListingBlocker::MissingSupportEmail => "the profile has no 24x7 support e-mail address (GSI-7.4)",
            ListingBlocker::MissingSelfServiceUrl => "the profile has no self-service system address (GSI-7.4, 7.5)",
        }
    }

    /// The profile field that is missing, as [`ProviderProfileDetails::parse`] names it.
    pub const fn profile_field(self) -> &'static str {
        match self {
            ListingBlocker::MissingSupportPhone => "support.phone",
            ListingBlocker::MissingSupportEmail => "support.email",
            ListingBlocker::MissingSelfServiceUrl => "support.self_service_url",
        }
    }
}

/// GSI-7.4: every 24x7 channel the profile still lacks; empty when the provider may be listed
/// as far as its profile goes.
pub fn listing_blockers(profile: &ProviderProfile) -> Vec<ListingBlocker> {
    let support = &profile.details.support;
    let mut blockers = Vec::new();
    if support.phone.is_none() {
        blockers.push(ListingBlocker::MissingSupportPhone);
    }
    if support.email.is_none() {
        blockers.push(ListingBlocker::MissingSupportEmail);
    }
    if support.self_service_url.is_none() {
        blockers.push(ListingBlocker::MissingSelfServiceUrl);
    }
    blockers
}

/// The profile is kept by the provider's operators. Agencies and GIX read every provider's
/// profile (they choose among providers, GSI-13.1); the assessor reads it too, since it
/// assesses providers against what they declare (GSI-11.2). Other providers do not.
pub fn profile_access(actor: &Actor, provider: OrganisationId) -> Access {
    match actor.role {
        Role::ProviderOperator if actor.organisation == provider => Access::ReadWrite,
        Role::ProviderOperator => Access::None,
        Role::AgencyAdmin | Role::AgencyUser | Role::GixOfficer | Role::Assessor => Access::Read,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::role::Subject;
    use uuid::Uuid;

    pub(crate) fn complete_draft() -> ProviderProfileDraft {
        ProviderProfileDraft {
            legal_status: "juristic_person".into(),
            registration_number: Some("0-1075-44000-10-8".into()),
            families: vec!["cloud".into(), "data_center".into()],
            support: SupportChannelsDraft {
                phone: Some("02-111-2222".into()),
                email: Some("noc@provider.co.th".into()),
                self_service_url: Some("https://portal.provider.co.th/gsi".into()),
            },
            exclusions: vec![
                ServiceExclusionDraft {
                    kind: "planned_maintenance".into(),
                    notice_hours: Some(72),
                    text: "Maintenance announced at least 72 hours ahead".into(),
                },
                ServiceExclusionDraft {
                    kind: "force_majeure".into(),
                    notice_hours: None,
                    text: "Natural disasters, war, government orders".into(),
                },
            ],
        }
    }

    pub(crate) fn profile_of(provider: OrganisationId, draft: &ProviderProfileDraft) -> ProviderProfile {
        ProviderProfile {
            provider_id: provider,
            details: ProviderProfileDetails::parse(draft).unwrap(),
            updated_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            version: 1,
        }
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn gsi_6_1_accepts_a_complete_juristic_person_profile() {
        let details = ProviderProfileDetails::parse(&complete_draft()).unwrap();
        assert_eq!(details.legal_status.registration_number().unwrap().as_str(), "0107544000108");
        assert_eq!(details.legal_status.kind(), LegalStatusKind::JuristicPerson);
        assert_eq!(details.families.iter().collect::<Vec<_>>(), [ServiceFamily::Cloud, ServiceFamily::DataCenter]);
        assert_eq!(details.exclusions[0].rule, ExclusionRule::PlannedMaintenance { notice_hours: 72 });
        assert_eq!(details.exclusions[1].rule.kind(), ExclusionKind::ForceMajeure);
    }

    #[test]
    fn gsi_6_1_juristic_person_needs_a_valid_registration_number() {
        let mut d = complete_draft();
        d.registration_number = None;
        let errors = ProviderProfileDetails::parse(&d).unwrap_err();
        assert_eq!(fields(&errors), [("registration_number", "required")]);
        d.registration_number = Some("0107544000109".into());
        let errors = ProviderProfileDetails::parse(&d).unwrap_err();
        assert_eq!(fields(&errors), [("registration_number", "invalid_check_digit")]);
    }

    #[test]
    fn gsi_6_1_government_body_carries_no_registration_number() {
        let mut d = complete_draft();
        d.legal_status = "government_body".into();
        let errors = ProviderProfileDetails::parse(&d).unwrap_err();
        assert_eq!(fields(&errors), [("registration_number", "not_applicable")]);
        d.registration_number = None;
        let details = ProviderProfileDetails::parse(&d).unwrap();
        assert_eq!(details.legal_status, LegalStatus::GovernmentBody);
        assert_eq!(details.legal_status.registration_number(), None);
    }

    #[test]
    fn gsi_6_2_families_are_a_non_empty_set_of_known_families() {
        let mut d = complete_draft();
        d.families = vec![];
        assert_eq!(fields(&ProviderProfileDetails::parse(&d).unwrap_err()), [("families", "required")]);
        d.families = vec!["cloud".into(), "satellite".into(), "cloud".into()];
        assert_eq!(
            fields(&ProviderProfileDetails::parse(&d).unwrap_err()),
            [("families[1]", "invalid_choice"), ("families[2]", "duplicate")]
        );
    }

    #[test]
    fn gsi_10_3_exclusion_rules() {
        let parse = |kind: &str, hours: Option<u32>| {
            ServiceExclusion::parse(&ServiceExclusionDraft {
                kind: kind.into(),
                notice_hours: hours,
                text: "text".into(),
            })
        };
        assert_eq!(
            parse("planned_maintenance", Some(1)).unwrap().rule,
            ExclusionRule::PlannedMaintenance { notice_hours: 1 }
        );
        assert_eq!(
            parse("planned_maintenance", Some(MAX_NOTICE_HOURS)).unwrap().rule,
            ExclusionRule::PlannedMaintenance { notice_hours: MAX_NOTICE_HOURS }
        );
        for (hours, code) in
            [(Some(0), "out_of_range"), (Some(MAX_NOTICE_HOURS + 1), "out_of_range"), (None, "required")]
        {
            assert_eq!(fields(&parse("planned_maintenance", hours).unwrap_err()), [("notice_hours", code)]);
        }
        assert_eq!(fields(&parse("customer_caused", Some(24)).unwrap_err()), [("notice_hours", "not_applicable")]);
        for kind in ExclusionKind::ALL.iter().filter(|k| **k != ExclusionKind::PlannedMaintenance) {
            assert_eq!(parse(kind.as_str(), None).unwrap().rule.kind(), *kind);
        }
        assert_eq!(fields(&parse("acts_of_god", None).unwrap_err()), [("kind", "invalid_choice")]);
    }

    #[test]
    fn gsi_6_1_profile_names_every_bad_nested_field() {
        let mut d = complete_draft();
        d.legal_status = "sole_trader".into();
        d.support.phone = Some("12".into());
        d.support.self_service_url = Some("http://portal.provider.co.th".into());
        d.exclusions[1].text = " ".into();
        d.exclusions[1].kind = "weather".into();
        let errors = ProviderProfileDetails::parse(&d).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("legal_status", "invalid_choice"),
                ("support.phone", "invalid_phone"),
                ("support.self_service_url", "invalid_url"),
                ("exclusions[1].kind", "invalid_choice"),
                ("exclusions[1].text", "required"),
            ]
        );
    }

    #[test]
    fn gsi_7_5_self_service_address_must_be_https_with_a_host() {
        assert!(HttpsUrl::parse("u", "https://portal.provider.co.th").is_ok());
        assert!(HttpsUrl::parse("u", "https://portal.provider.co.th:8443/x?y#z").is_ok());
        for bad in [
            "http://portal.provider.co.th",
            "https://",
            "https:///path",
            "https://a b.th",
            "portal.provider.co.th",
            "https://user@host.th",
        ] {
            assert!(HttpsUrl::parse("u", bad).is_err(), "{bad} must be refused");
        }
    }

    #[test]
    fn gsi_7_4_listing_blockers_name_each_missing_channel() {
        let provider = OrganisationId::from_uuid(Uuid::from_u128(7));
        assert!(listing_blockers(&profile_of(provider, &complete_draft())).is_empty());
        let mut d = complete_draft();
        d.support = SupportChannelsDraft { phone: None, email: Some(" ".into()), self_service_url: None };
        assert_eq!(
            listing_blockers(&profile_of(provider, &d)),
            [
                ListingBlocker::MissingSupportPhone,
                ListingBlocker::MissingSupportEmail,
                ListingBlocker::MissingSelfServiceUrl
            ]
        );
        d.support.email = Some("noc@provider.co.th".into());
        d.support.phone = Some("1111".into());
        assert!(ProviderProfileDetails::parse(&d).is_err());
        d.support.phone = Some("02-111-2222".into());
        assert_eq!(listing_blockers(&profile_of(provider, &d)), [ListingBlocker::MissingSelfServiceUrl]);
    }

    #[test]
    fn gsi_13_1_profile_access_table() {
        let provider = OrganisationId::from_uuid(Uuid::from_u128(7));
        let actor = |role, org: u128| Actor {
            subject: Subject::parse("u").unwrap(),
            organisation: OrganisationId::from_uuid(Uuid::from_u128(org)),
            role,
        };
        assert_eq!(profile_access(&actor(Role::ProviderOperator, 7), provider), Access::ReadWrite);
        assert_eq!(profile_access(&actor(Role::ProviderOperator, 8), provider), Access::None);
        for role in [Role::AgencyAdmin, Role::AgencyUser, Role::GixOfficer, Role::Assessor] {
            assert_eq!(profile_access(&actor(role, 1), provider), Access::Read);
        }
    }
}
