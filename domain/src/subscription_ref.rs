//! The few facts about a subscription that incidents, outages, security events and SLA
//! attainment need: its id and the organisations on either side of it, taken from a loaded
//! [`Subscription`].

use crate::access::Access;
use crate::ids::OrganisationId;
use crate::role::{Actor, Role};

use crate::subscription::Subscription;
pub use crate::subscription::SubscriptionId;

/// Which agency subscribes and which provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionParties {
    pub subscription: SubscriptionId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
}

/// The side of a subscription an actor acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// An admin or user of the subscribing agency.
    Agency,
    /// An operator of the serving provider.
    Provider,
}

impl Party {
    pub const fn as_str(self) -> &'static str {
        match self {
            Party::Agency => "agency",
            Party::Provider => "provider",
        }
    }
}

impl From<&Subscription> for SubscriptionParties {
    fn from(s: &Subscription) -> Self {
        SubscriptionParties { subscription: s.id, agency: s.agency, provider: s.provider }
    }
}

impl SubscriptionParties {
    /// The side `actor` acts for on this subscription, if any. Both agency roles count:
    /// GSI-7.5.8 lets any user of the agency report and follow incidents.
    pub fn party_of(&self, actor: &Actor) -> Option<Party> {
        match actor.role {
            Role::AgencyAdmin | Role::AgencyUser if actor.organisation == self.agency => Some(Party::Agency),
            Role::ProviderOperator if actor.organisation == self.provider => Some(Party::Provider),
            Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::GixOfficer | Role::Assessor => None,
        }
    }

    /// What concerns the subscription (its incidents, outages, security events, SLA):
    /// both parties work on it, GIX reads it (GSI-12), everyone else must not learn it
    /// exists.
    pub fn access(&self, actor: &Actor) -> Access {
        match (self.party_of(actor), actor.role) {
            (Some(_), _) => Access::ReadWrite,
            (None, Role::GixOfficer) => Access::Read,
            (None, Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::Assessor) => Access::None,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::role::Subject;
    use uuid::Uuid;

    pub(crate) const AGENCY: u128 = 1;
    pub(crate) const OTHER_AGENCY: u128 = 2;
    pub(crate) const PROVIDER: u128 = 3;
    pub(crate) const OTHER_PROVIDER: u128 = 4;

    pub(crate) fn org(n: u128) -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(n))
    }

    pub(crate) fn subscription(n: u128) -> SubscriptionId {
        SubscriptionId::from_uuid(Uuid::from_u128(0x5000 + n))
    }

    pub(crate) fn actor(role: Role, organisation: u128) -> Actor {
        Actor {
            subject: Subject::parse(&format!("{}-{organisation}", role.as_str())).unwrap(),
            organisation: org(organisation),
            role,
        }
    }

    /// Subscription `n` of AGENCY, served by PROVIDER.
    pub(crate) fn parties(n: u128) -> SubscriptionParties {
        SubscriptionParties { subscription: subscription(n), agency: org(AGENCY), provider: org(PROVIDER) }
    }

    #[test]
    fn parties_of_a_loaded_subscription() {
        use crate::catalog::OfferingId;
        use crate::service::ServiceKind;
        use crate::sla_terms::{SlaTerms, tests::standard_draft};
        use crate::subscription::{SubscriptionOrigin, SubscriptionStatus, Term};
        let s = Subscription {
            id: subscription(1),
            agency: org(AGENCY),
            provider: org(PROVIDER),
            offering: OfferingId::from_uuid(Uuid::from_u128(9)),
            kind: ServiceKind::Compute,
            quantities: Default::default(),
            add_ons: vec![],
            term: Term::new(chrono::DateTime::UNIX_EPOCH, None).unwrap(),
            sla: SlaTerms::parse(&standard_draft()).unwrap(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::Hub,
            version: 1,
        };
        assert_eq!(SubscriptionParties::from(&s), parties(1));
    }

    #[test]
    fn gsi_7_5_8_parties_and_access_table() {
        let p = parties(1);
        let cases = [
            (actor(Role::AgencyAdmin, AGENCY), Some(Party::Agency), Access::ReadWrite),
            (actor(Role::AgencyUser, AGENCY), Some(Party::Agency), Access::ReadWrite),
            (actor(Role::ProviderOperator, PROVIDER), Some(Party::Provider), Access::ReadWrite),
            (actor(Role::GixOfficer, 9), None, Access::Read),
            (actor(Role::AgencyAdmin, OTHER_AGENCY), None, Access::None),
            (actor(Role::AgencyUser, OTHER_AGENCY), None, Access::None),
            (actor(Role::ProviderOperator, OTHER_PROVIDER), None, Access::None),
            // A provider operator whose organisation id happens to be the agency's is
            // still not the agency.
            (actor(Role::ProviderOperator, AGENCY), None, Access::None),
            (actor(Role::Assessor, 7), None, Access::None),
        ];
        for (a, party, access) in cases {
            assert_eq!(p.party_of(&a), party, "{a:?}");
            assert_eq!(p.access(&a), access, "{a:?}");
        }
    }
}
