//! Who may see a request and who may take each step (GSI-7.5.5–7.5.7, A.1.4–A.1.8).
//!
//! A request belongs to two organisations: the agency that asked and the provider that
//! serves. Their staff see it; GIX reads across all (clause 3); nobody else learns it exists,
//! so callers turn [`ActorCheck::NotVisible`] into "not found", and
//! [`ActorCheck::WrongRole`] (the caller sees the request but the step is not theirs) into
//! "forbidden".

use crate::access::Access;
use crate::ids::OrganisationId;
use crate::role::{Actor, Role};

use super::state::{ActionKind, RequestStatus, allowed_actions};

/// The two organisations a request is between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parties {
    pub agency: OrganisationId,
    pub provider: OrganisationId,
}

/// What the caller may do with the request as a whole: the agency's admins and the
/// provider's operators act on it, the agency's users and GIX read it.
pub fn request_access(actor: &Actor, parties: Parties) -> Access {
    let own_agency = actor.organisation == parties.agency;
    let own_provider = actor.organisation == parties.provider;
    match actor.role {
        Role::AgencyAdmin if own_agency => Access::ReadWrite,
        Role::AgencyUser if own_agency => Access::Read,
        Role::ProviderOperator if own_provider => Access::ReadWrite,
        Role::GixOfficer => Access::Read,
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::Assessor => Access::None,
    }
}

/// Whether the caller may take one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorCheck {
    Allowed,
    /// The caller sees the request, but the step belongs to another role or party.
    WrongRole {
        required: Role,
    },
    /// The caller must not learn that the request exists.
    NotVisible,
}

/// The step is the requesting agency's admin's (submit, confirm, decline, withdraw) or the
/// serving provider's operator's (review, quote, carry out); see `ActionKind::performed_by`.
pub fn may_act(actor: &Actor, parties: Parties, action: ActionKind) -> ActorCheck {
    if !request_access(actor, parties).can_read() {
        return ActorCheck::NotVisible;
    }
    let required = action.performed_by();
    let organisation = match required {
        Role::AgencyAdmin | Role::AgencyUser => parties.agency,
        Role::ProviderOperator | Role::GixOfficer | Role::Assessor => parties.provider,
    };
    if actor.role == required && actor.organisation == organisation {
        ActorCheck::Allowed
    } else {
        ActorCheck::WrongRole { required }
    }
}

/// The actions this caller could take now, for showing the right buttons.
pub fn actions_for(actor: &Actor, parties: Parties, state: RequestStatus) -> Vec<ActionKind> {
    allowed_actions(state).into_iter().filter(|a| may_act(actor, parties, *a) == ActorCheck::Allowed).collect()
}

/// GSI-7.5.5: only an agency's admins send requests, and only for their own agency.
pub fn may_submit(actor: &Actor) -> bool {
    actor.role == Role::AgencyAdmin
}

/// GSI-A.1.2: previewing changes nothing, so any of the agency's staff may ask.
pub fn may_preview(actor: &Actor) -> bool {
    matches!(actor.role, Role::AgencyAdmin | Role::AgencyUser)
}

/// Which requests a listing may return: an agency sees the requests it made, a provider its
/// queue, GIX everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestListScope {
    Everything,
    MadeBy(OrganisationId),
    ServedBy(OrganisationId),
    Nothing,
}

pub fn request_list_scope(actor: &Actor) -> RequestListScope {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser => RequestListScope::MadeBy(actor.organisation),
        Role::ProviderOperator => RequestListScope::ServedBy(actor.organisation),
        Role::GixOfficer => RequestListScope::Everything,
        Role::Assessor => RequestListScope::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::role::Subject;
    use uuid::Uuid;

    const AGENCY: u128 = 1;
    const OTHER_AGENCY: u128 = 2;
    const PROVIDER: u128 = 3;
    const OTHER_PROVIDER: u128 = 4;

    fn org(n: u128) -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(n))
    }

    fn actor(role: Role, n: u128) -> Actor {
        Actor { subject: Subject::parse("someone").unwrap(), organisation: org(n), role }
    }

    fn parties() -> Parties {
        Parties { agency: org(AGENCY), provider: org(PROVIDER) }
    }

    #[test]
    fn gsi_7_5_5_each_step_belongs_to_one_role_of_one_party() {
        let admin = actor(Role::AgencyAdmin, AGENCY);
        let user = actor(Role::AgencyUser, AGENCY);
        let operator = actor(Role::ProviderOperator, PROVIDER);
        let gix = actor(Role::GixOfficer, 9);
        for action in ActionKind::ALL {
            let agency_step = action.performed_by() == Role::AgencyAdmin;
            let expect = |mine: bool, required| {
                if mine { ActorCheck::Allowed } else { ActorCheck::WrongRole { required } }
            };
            let required = action.performed_by();
            assert_eq!(may_act(&admin, parties(), *action), expect(agency_step, required), "{action}");
            assert_eq!(may_act(&operator, parties(), *action), expect(!agency_step, required), "{action}");
            assert_eq!(may_act(&user, parties(), *action), ActorCheck::WrongRole { required }, "{action}");
            assert_eq!(may_act(&gix, parties(), *action), ActorCheck::WrongRole { required }, "{action}");
        }
    }

    #[test]
    fn other_tenants_do_not_learn_the_request_exists() {
        for outsider in [
            actor(Role::AgencyAdmin, OTHER_AGENCY),
            actor(Role::AgencyUser, OTHER_AGENCY),
            actor(Role::ProviderOperator, OTHER_PROVIDER),
            actor(Role::Assessor, 5),
            // an agency role in the provider's organisation is no party either
            actor(Role::AgencyAdmin, PROVIDER),
            actor(Role::ProviderOperator, AGENCY),
        ] {
            assert_eq!(request_access(&outsider, parties()), Access::None);
            for action in ActionKind::ALL {
                assert_eq!(may_act(&outsider, parties(), *action), ActorCheck::NotVisible);
            }
        }
    }

    #[test]
    fn parties_read_and_gix_reads_all() {
        assert_eq!(request_access(&actor(Role::AgencyAdmin, AGENCY), parties()), Access::ReadWrite);
        assert_eq!(request_access(&actor(Role::AgencyUser, AGENCY), parties()), Access::Read);
        assert_eq!(request_access(&actor(Role::ProviderOperator, PROVIDER), parties()), Access::ReadWrite);
        assert_eq!(request_access(&actor(Role::GixOfficer, 9), parties()), Access::Read);
    }

    #[test]
    fn buttons_show_only_the_callers_own_steps() {
        let admin = actor(Role::AgencyAdmin, AGENCY);
        let operator = actor(Role::ProviderOperator, PROVIDER);
        assert_eq!(
            actions_for(&admin, parties(), RequestStatus::Quoted),
            [ActionKind::Confirm, ActionKind::Decline, ActionKind::Withdraw]
        );
        assert_eq!(actions_for(&operator, parties(), RequestStatus::Quoted), [ActionKind::Requote]);
        assert_eq!(actions_for(&operator, parties(), RequestStatus::Submitted), [ActionKind::StartReview]);
        assert!(actions_for(&admin, parties(), RequestStatus::InProgress).is_empty());
    }

    #[test]
    fn listing_scopes_and_submitters() {
        assert_eq!(request_list_scope(&actor(Role::AgencyUser, AGENCY)), RequestListScope::MadeBy(org(AGENCY)));
        assert_eq!(
            request_list_scope(&actor(Role::ProviderOperator, PROVIDER)),
            RequestListScope::ServedBy(org(PROVIDER))
        );
        assert_eq!(request_list_scope(&actor(Role::GixOfficer, 9)), RequestListScope::Everything);
        assert_eq!(request_list_scope(&actor(Role::Assessor, 5)), RequestListScope::Nothing);
        assert!(may_submit(&actor(Role::AgencyAdmin, AGENCY)));
        assert!(!may_submit(&actor(Role::AgencyUser, AGENCY)));
        assert!(may_preview(&actor(Role::AgencyUser, AGENCY)));
        assert!(!may_preview(&actor(Role::ProviderOperator, PROVIDER)));
    }
}
