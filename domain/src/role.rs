//! Who is calling: the role vocabulary of the standard's parties (clause 3) and the
//! authenticated actor every use case receives.

use std::fmt;
use std::str::FromStr;

use crate::ids::OrganisationId;
use crate::org::OrganisationKind;

/// The five roles a token may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Manages its agency's profile and requests services (GSI-7.5.1, 7.5.5–7.5.7).
    AgencyAdmin,
    /// Reads its agency's data and reports incidents (GSI-7.5.8).
    AgencyUser,
    /// Staff of a certified provider.
    ProviderOperator,
    /// The central agency: keeps the provider list, reads across tenants (GSI-12).
    GixOfficer,
    /// The conformity-assessment body (GSI-11).
    Assessor,
}

impl Role {
    pub const ALL: [Role; 5] =
        [Role::AgencyAdmin, Role::AgencyUser, Role::ProviderOperator, Role::GixOfficer, Role::Assessor];

    pub const fn as_str(self) -> &'static str {
        match self {
            Role::AgencyAdmin => "agency_admin",
            Role::AgencyUser => "agency_user",
            Role::ProviderOperator => "provider_operator",
            Role::GixOfficer => "gix_officer",
            Role::Assessor => "assessor",
        }
    }

    /// The kind of organisation whose staff hold this role.
    pub const fn organisation_kind(self) -> OrganisationKind {
        match self {
            Role::AgencyAdmin | Role::AgencyUser => OrganisationKind::Agency,
            Role::ProviderOperator => OrganisationKind::Provider,
            Role::GixOfficer => OrganisationKind::Gix,
            Role::Assessor => OrganisationKind::Assessor,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`; expected one of agency_admin, agency_user, provider_operator, gix_officer, assessor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| UnknownRole(s.to_owned()))
    }
}

/// The token subject (a user or system account id at the identity provider).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Subject(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSubject {
    #[error("subject must not be empty")]
    Empty,
    #[error("subject must be at most 255 characters")]
    TooLong,
}

impl Subject {
    pub fn parse(raw: &str) -> Result<Self, InvalidSubject> {
        if raw.trim().is_empty() {
            Err(InvalidSubject::Empty)
        } else if raw.chars().count() > 255 {
            Err(InvalidSubject::TooLong)
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The authenticated caller: who, for which organisation, in which role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub subject: Subject,
    pub organisation: OrganisationId,
    pub role: Role,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_text() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("admin".parse::<Role>().is_err());
        assert!("AGENCY_ADMIN".parse::<Role>().is_err());
    }

    #[test]
    fn subjects_are_bounded() {
        assert!(Subject::parse("user-1").is_ok());
        assert_eq!(Subject::parse(" "), Err(InvalidSubject::Empty));
        assert_eq!(Subject::parse(&"x".repeat(256)), Err(InvalidSubject::TooLong));
    }
}
