//! Organisations: the parties of clause 3 (agencies, providers, the assessor body, GIX).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::ids::OrganisationId;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

/// The single central agency (GIX) that every fresh database holds. Its id is fixed so that
/// tokens for GIX officers can be issued before anything else exists.
pub const GIX_ORGANISATION_ID: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0001));

pub const ORGANISATION_NAME_MAX: usize = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrganisationKind {
    Agency,
    Provider,
    Assessor,
    Gix,
}

impl OrganisationKind {
    pub const ALL: [OrganisationKind; 4] =
        [OrganisationKind::Agency, OrganisationKind::Provider, OrganisationKind::Assessor, OrganisationKind::Gix];

    pub const fn as_str(self) -> &'static str {
        match self {
            OrganisationKind::Agency => "agency",
            OrganisationKind::Provider => "provider",
            OrganisationKind::Assessor => "assessor",
            OrganisationKind::Gix => "gix",
        }
    }
}

impl fmt::Display for OrganisationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown organisation kind `{0}`; expected agency, provider, assessor or gix")]
pub struct UnknownOrganisationKind(pub String);

impl FromStr for OrganisationKind {
    type Err = UnknownOrganisationKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OrganisationKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| UnknownOrganisationKind(s.to_owned()))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrganisationId,
    pub kind: OrganisationKind,
    pub name_th: BoundedText,
    pub name_en: Option<BoundedText>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A parsed registration request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrganisation {
    pub kind: OrganisationKind,
    pub name_th: BoundedText,
    pub name_en: Option<BoundedText>,
}

impl NewOrganisation {
    /// Parses the registration fields; every failing field is reported.
    ///
    /// The central agency is unique (clause 3): it exists in every database from the first
    /// migration and is never registered again.
    pub fn parse(kind: &str, name_th: &str, name_en: Option<&str>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match kind.parse::<OrganisationKind>() {
            Ok(OrganisationKind::Gix) => {
                errors.add(
                    "kind",
                    "gix_is_unique",
                    "the central agency (GIX) already exists and cannot be registered again",
                );
                None
            }
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let name_th = errors.collect(BoundedText::parse("name_th", name_th, ORGANISATION_NAME_MAX));
        let name_en = errors.collect(BoundedText::parse_optional("name_en", name_en, ORGANISATION_NAME_MAX));
        errors.finish(|| Some(NewOrganisation { kind: kind?, name_th: name_th?, name_en: name_en? }))
    }

    pub fn into_organisation(self, id: OrganisationId, now: DateTime<Utc>) -> Organisation {
        Organisation {
            id,
            kind: self.kind,
            name_th: self.name_th,
            name_en: self.name_en,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_agencies_and_providers() {
        let org = NewOrganisation::parse("agency", "กรมตัวอย่าง", Some("Department of Examples")).unwrap();
        assert_eq!(org.kind, OrganisationKind::Agency);
        assert_eq!(org.name_en.unwrap().as_str(), "Department of Examples");
    }

    #[test]
    fn gix_cannot_be_registered_twice() {
        let errors = NewOrganisation::parse("gix", "GIX 2", None).unwrap_err();
        assert_eq!(errors.errors()[0].field, "kind");
        assert_eq!(errors.errors()[0].code, "gix_is_unique");
    }

    #[test]
    fn reports_every_failing_field() {
        let errors = NewOrganisation::parse("bank", " ", Some("")).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["kind", "name_th", "name_en"]);
    }

    #[test]
    fn fixed_gix_id_is_stable() {
        assert_eq!(GIX_ORGANISATION_ID.to_string(), "00000000-0000-7000-8000-000000000001");
    }
}
