//! The agency profile of GSI-7.5.1: the agency's names, parent ministry, address, its
//! coordinators and its contact channels.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

use crate::ids::OrganisationId;
use crate::text::{BoundedText, EmailAddress, PhoneNumber};
use crate::validation::ValidationErrors;

pub const MAX_COORDINATORS: usize = 20;
pub const MAX_CONTACT_CHANNELS: usize = 20;
const NAME_MAX: usize = 300;
const ADDRESS_MAX: usize = 1000;
const POSITION_MAX: usize = 200;
const CHANNEL_VALUE_MAX: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinator {
    pub name: BoundedText,
    pub position: BoundedText,
    pub email: EmailAddress,
    pub phone: PhoneNumber,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactChannelKind {
    Phone,
    Email,
    Website,
    Fax,
    Line,
    Other,
}

impl ContactChannelKind {
    pub const ALL: [ContactChannelKind; 6] = [
        ContactChannelKind::Phone,
        ContactChannelKind::Email,
        ContactChannelKind::Website,
        ContactChannelKind::Fax,
        ContactChannelKind::Line,
        ContactChannelKind::Other,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            ContactChannelKind::Phone => "phone",
            ContactChannelKind::Email => "email",
            ContactChannelKind::Website => "website",
            ContactChannelKind::Fax => "fax",
            ContactChannelKind::Line => "line",
            ContactChannelKind::Other => "other",
        }
    }
}

impl fmt::Display for ContactChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ContactChannelKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ContactChannelKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            format!("unknown contact channel kind `{s}`; expected phone, email, website, fax, line or other")
        })
    }
}

/// A way to reach the agency. The value is checked against its kind (an e-mail channel
/// holds an e-mail address, a phone or fax channel a phone number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactChannel {
    pub kind: ContactChannelKind,
    pub value: BoundedText,
    pub label: Option<BoundedText>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyProfile {
    pub agency_id: OrganisationId,
    pub details: AgencyProfileDetails,
    pub updated_at: DateTime<Utc>,
    /// Incremented on every change; the ETag of the profile.
    pub version: i64,
}

/// The editable part of the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgencyProfileDetails {
    pub name_th: BoundedText,
    pub name_en: Option<BoundedText>,
    pub parent_ministry: Option<BoundedText>,
    pub address: Option<BoundedText>,
    pub coordinators: Vec<Coordinator>,
    pub contact_channels: Vec<ContactChannel>,
}

/// Unparsed input, as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct AgencyProfileDraft {
    pub name_th: String,
    pub name_en: Option<String>,
    pub parent_ministry: Option<String>,
    pub address: Option<String>,
    pub coordinators: Vec<CoordinatorDraft>,
    pub contact_channels: Vec<ContactChannelDraft>,
}

#[derive(Debug, Clone, Default)]
pub struct CoordinatorDraft {
    pub name: String,
    pub position: String,
    pub email: String,
    pub phone: String,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ContactChannelDraft {
    pub kind: String,
    pub value: String,
    pub label: Option<String>,
}

impl AgencyProfileDetails {
    /// A profile as first registered: just the names.
    pub fn initial(name_th: BoundedText, name_en: Option<BoundedText>) -> Self {
        Self {
            name_th,
            name_en,
            parent_ministry: None,
            address: None,
            coordinators: Vec::new(),
            contact_channels: Vec::new(),
        }
    }

    /// Parses a whole profile. Rules (GSI-7.5.1): a Thai name is required; coordinators
    /// each have a name, position, e-mail and phone, and when there are any, exactly one
    /// of them is the primary coordinator; contact channels hold values valid for their kind.
    pub fn parse(draft: &AgencyProfileDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let name_th = errors.collect(BoundedText::parse("name_th", &draft.name_th, NAME_MAX));
        let name_en = errors.collect(BoundedText::parse_optional("name_en", draft.name_en.as_deref(), NAME_MAX));
        let parent_ministry =
            errors.collect(BoundedText::parse_optional("parent_ministry", draft.parent_ministry.as_deref(), NAME_MAX));
        let address = errors.collect(BoundedText::parse_optional("address", draft.address.as_deref(), ADDRESS_MAX));

        if draft.coordinators.len() > MAX_COORDINATORS {
            errors.add(
                "coordinators",
                "too_many",
                format!("at most {MAX_COORDINATORS} coordinators (got {})", draft.coordinators.len()),
            );
        }
        let coordinators: Vec<Option<Coordinator>> = draft
            .coordinators
            .iter()
            .enumerate()
            .map(|(i, c)| errors.collect_nested(&format!("coordinators[{i}]"), parse_coordinator(c)))
            .collect();
        let primaries = draft.coordinators.iter().filter(|c| c.is_primary).count();
        if !draft.coordinators.is_empty() && primaries != 1 {
            errors.add(
                "coordinators",
                "one_primary_required",
                format!("exactly one coordinator must be primary (got {primaries})"),
            );
        }

        if draft.contact_channels.len() > MAX_CONTACT_CHANNELS {
            errors.add(
                "contact_channels",
                "too_many",
                format!("at most {MAX_CONTACT_CHANNELS} contact channels (got {})", draft.contact_channels.len()),
            );
        }
        let contact_channels: Vec<Option<ContactChannel>> = draft
            .contact_channels
            .iter()
            .enumerate()
            .map(|(i, c)| errors.collect_nested(&format!("contact_channels[{i}]"), parse_channel(c)))
            .collect();

        errors.finish(|| {
            Some(AgencyProfileDetails {
                name_th: name_th?,
                name_en: name_en?,
                parent_ministry: parent_ministry?,
                address: address?,
                coordinators: coordinators.into_iter().collect::<Option<Vec<_>>>()?,
                contact_channels: contact_channels.into_iter().collect::<Option<Vec<_>>>()?,
            })
        })
    }

    pub fn primary_coordinator(&self) -> Option<&Coordinator> {
        self.coordinators.iter().find(|c| c.is_primary)
    }
}

fn parse_coordinator(draft: &CoordinatorDraft) -> Result<Coordinator, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let name = errors.collect(BoundedText::parse("name", &draft.name, NAME_MAX));
    let position = errors.collect(BoundedText::parse("position", &draft.position, POSITION_MAX));
    let email = errors.collect(EmailAddress::parse("email", &draft.email));
    let phone = errors.collect(PhoneNumber::parse("phone", &draft.phone));
    errors.finish(|| {
        Some(Coordinator {
            name: name?,
            position: position?,
            email: email?,
            phone: phone?,
            is_primary: draft.is_primary,
        })
    })
}

fn parse_channel(draft: &ContactChannelDraft) -> Result<ContactChannel, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let kind = match draft.kind.parse::<ContactChannelKind>() {
        Ok(kind) => Some(kind),
        Err(message) => {
            errors.add("kind", "invalid_choice", message);
            None
        }
    };
    let value = match kind {
        Some(ContactChannelKind::Email) => errors
            .collect(EmailAddress::parse("value", &draft.value))
            .and_then(|e| errors.collect(BoundedText::parse("value", e.as_str(), CHANNEL_VALUE_MAX))),
        Some(ContactChannelKind::Phone | ContactChannelKind::Fax) => errors
            .collect(PhoneNumber::parse("value", &draft.value))
            .and_then(|p| errors.collect(BoundedText::parse("value", p.as_str(), CHANNEL_VALUE_MAX))),
        Some(ContactChannelKind::Website) => errors.collect(parse_website(&draft.value)),
        Some(ContactChannelKind::Line | ContactChannelKind::Other) | None => {
            errors.collect(BoundedText::parse("value", &draft.value, CHANNEL_VALUE_MAX))
        }
    };
    let label = errors.collect(BoundedText::parse_optional("label", draft.label.as_deref(), NAME_MAX));
    errors.finish(|| Some(ContactChannel { kind: kind?, value: value?, label: label? }))
}

fn parse_website(raw: &str) -> Result<BoundedText, ValidationErrors> {
    let text = BoundedText::parse("value", raw, CHANNEL_VALUE_MAX)?;
    let rest = text.as_str().strip_prefix("https://").or_else(|| text.as_str().strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Ok(text),
        _ => Err(ValidationErrors::single(
            "value",
            "invalid_url",
            "must be an http(s) address such as https://www.agency.go.th",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coordinator(primary: bool) -> CoordinatorDraft {
        CoordinatorDraft {
            name: "สมชาย ใจดี".into(),
            position: "Director of IT".into(),
            email: "somchai@agency.go.th".into(),
            phone: "02-123-4567".into(),
            is_primary: primary,
        }
    }

    fn draft() -> AgencyProfileDraft {
        AgencyProfileDraft {
            name_th: "กรมตัวอย่าง".into(),
            name_en: Some("Department of Examples".into()),
            parent_ministry: Some("กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม".into()),
            address: Some("120 ถนนแจ้งวัฒนะ กรุงเทพฯ 10210".into()),
            coordinators: vec![coordinator(true), coordinator(false)],
            contact_channels: vec![ContactChannelDraft {
                kind: "website".into(),
                value: "https://www.example.go.th".into(),
                label: None,
            }],
        }
    }

    #[test]
    fn gsi_7_5_1_accepts_a_complete_profile() {
        let profile = AgencyProfileDetails::parse(&draft()).unwrap();
        assert_eq!(profile.coordinators.len(), 2);
        assert_eq!(profile.primary_coordinator().unwrap().name.as_str(), "สมชาย ใจดี");
    }

    #[test]
    fn gsi_7_5_1_requires_exactly_one_primary_coordinator() {
        let mut d = draft();
        d.coordinators = vec![coordinator(true), coordinator(true)];
        let errors = AgencyProfileDetails::parse(&d).unwrap_err();
        assert_eq!(errors.errors()[0].code, "one_primary_required");
        d.coordinators = vec![coordinator(false)];
        assert!(AgencyProfileDetails::parse(&d).is_err());
        d.coordinators = vec![];
        assert!(AgencyProfileDetails::parse(&d).is_ok(), "no coordinators yet is allowed");
    }

    #[test]
    fn gsi_7_5_1_names_every_bad_nested_field() {
        let mut d = draft();
        d.name_th = String::new();
        d.coordinators[1].email = "nope".into();
        d.coordinators[1].phone = "12".into();
        d.contact_channels = vec![
            ContactChannelDraft { kind: "email".into(), value: "not-an-email".into(), label: None },
            ContactChannelDraft { kind: "pigeon".into(), value: "x".into(), label: None },
        ];
        let errors = AgencyProfileDetails::parse(&d).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name_th",
                "coordinators[1].email",
                "coordinators[1].phone",
                "contact_channels[0].value",
                "contact_channels[1].kind"
            ]
        );
    }

    #[test]
    fn bounds_list_sizes() {
        let mut d = draft();
        d.coordinators = (0..=MAX_COORDINATORS).map(|i| coordinator(i == 0)).collect();
        assert_eq!(AgencyProfileDetails::parse(&d).unwrap_err().errors()[0].code, "too_many");
    }
}
