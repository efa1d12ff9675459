//! Who may see and change what. Every tenancy decision is a function here, so handlers
//! and repositories never decide access themselves. A caller with no access to an object
//! must not learn that it exists: callers map `Access::None` to "not found".

use crate::ids::OrganisationId;
use crate::role::{Actor, Role};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    ReadWrite,
}

impl Access {
    pub fn can_read(self) -> bool {
        self >= Access::Read
    }
    pub fn can_write(self) -> bool {
        self == Access::ReadWrite
    }
}

/// Which rows a listing may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everything,
    Organisation(OrganisationId),
}

/// GSI-7.5.1: the agency's admins keep their profile; its users read it; GIX reads all.
/// Providers will read the agencies they serve once subscriptions exist.
pub fn agency_profile(actor: &Actor, agency: OrganisationId) -> Access {
    match actor.role {
        Role::AgencyAdmin if actor.organisation == agency => Access::ReadWrite,
        Role::AgencyUser if actor.organisation == agency => Access::Read,
        Role::GixOfficer => Access::Read,
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::Assessor => Access::None,
    }
}

/// Organisations are registered by GIX, which keeps the register (GSI-12).
pub fn may_register_organisations(actor: &Actor) -> bool {
    actor.role == Role::GixOfficer
}

/// GIX reads the whole register; everyone else reads their own organisation only.
pub fn organisation(actor: &Actor, organisation: OrganisationId) -> Access {
    if actor.role == Role::GixOfficer || actor.organisation == organisation { Access::Read } else { Access::None }
}

/// The register listing is GIX's view.
pub fn may_list_organisations(actor: &Actor) -> bool {
    actor.role == Role::GixOfficer
}

/// GIX sees every audit event; everyone else sees their own organisation's.
pub fn audit_events(actor: &Actor) -> Scope {
    match actor.role {
        Role::GixOfficer => Scope::Everything,
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::Assessor => {
            Scope::Organisation(actor.organisation)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Subject;
    use uuid::Uuid;

    fn actor(role: Role, org: u128) -> Actor {
        Actor {
            subject: Subject::parse("u").unwrap(),
            organisation: OrganisationId::from_uuid(Uuid::from_u128(org)),
            role,
        }
    }

    #[test]
    fn gsi_7_5_1_profile_access_table() {
        let a = OrganisationId::from_uuid(Uuid::from_u128(1));
        assert_eq!(agency_profile(&actor(Role::AgencyAdmin, 1), a), Access::ReadWrite);
        assert_eq!(agency_profile(&actor(Role::AgencyUser, 1), a), Access::Read);
        assert_eq!(agency_profile(&actor(Role::GixOfficer, 9), a), Access::Read);
        assert_eq!(agency_profile(&actor(Role::AgencyAdmin, 2), a), Access::None);
        assert_eq!(agency_profile(&actor(Role::AgencyUser, 2), a), Access::None);
        assert_eq!(agency_profile(&actor(Role::ProviderOperator, 3), a), Access::None);
        assert_eq!(agency_profile(&actor(Role::Assessor, 4), a), Access::None);
    }

    #[test]
    fn audit_scope_is_own_organisation_except_for_gix() {
        assert_eq!(audit_events(&actor(Role::GixOfficer, 9)), Scope::Everything);
        let own = actor(Role::ProviderOperator, 3);
        assert_eq!(audit_events(&own), Scope::Organisation(own.organisation));
    }

    #[test]
    fn only_gix_registers_and_lists() {
        assert!(may_register_organisations(&actor(Role::GixOfficer, 9)));
        assert!(!may_register_organisations(&actor(Role::AgencyAdmin, 1)));
        assert!(may_list_organisations(&actor(Role::GixOfficer, 9)));
        assert!(!may_list_organisations(&actor(Role::Assessor, 4)));
        assert_eq!(
            organisation(&actor(Role::AgencyUser, 1), OrganisationId::from_uuid(Uuid::from_u128(1))),
            Access::Read
        );
        assert_eq!(
            organisation(&actor(Role::AgencyUser, 1), OrganisationId::from_uuid(Uuid::from_u128(2))),
            Access::None
        );
    }
}
