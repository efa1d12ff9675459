//! Who may see and do what in governance (GSI-9, 11, 12). Another tenant's object is
//! answered as absent by the callers (404), never 403.

use crate::ids::OrganisationId;
use crate::role::{Actor, Role};

/// GSI-12.1: GIX accredits and withdraws assessors.
pub fn may_accredit(actor: &Actor) -> bool {
    actor.role == Role::GixOfficer
}

/// Accreditations are public to every authenticated caller: whom GIX trusts to certify.
pub fn may_read_accreditations(actor: &Actor) -> bool {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::GixOfficer | Role::Assessor => true,
    }
}

/// GSI-6.4: a provider's operators record its certificates.
pub fn may_record_certificate(actor: &Actor, provider: OrganisationId) -> bool {
    actor.role == Role::ProviderOperator && actor.organisation == provider
}

/// Certificates are read by their provider, GIX, assessors, and agencies choosing
/// providers; not by other providers.
pub fn may_read_certificates(actor: &Actor, provider: OrganisationId) -> bool {
    match actor.role {
        Role::ProviderOperator => actor.organisation == provider,
        Role::AgencyAdmin | Role::AgencyUser | Role::GixOfficer | Role::Assessor => true,
    }
}

/// GSI-11.2: assessments and their findings are read by the assessor that made them, the
/// provider assessed, and GIX.
pub fn may_read_assessment(actor: &Actor, provider: OrganisationId, assessor: OrganisationId) -> bool {
    match actor.role {
        Role::GixOfficer => true,
        Role::Assessor => actor.organisation == assessor,
        Role::ProviderOperator => actor.organisation == provider,
        Role::AgencyAdmin | Role::AgencyUser => false,
    }
}

/// The conformance view of a provider: its provider, GIX, assessors; not agencies or other
/// providers (findings are between the provider, its assessor and GIX).
pub fn may_read_conformance(actor: &Actor, provider: OrganisationId) -> bool {
    match actor.role {
        Role::GixOfficer | Role::Assessor => true,
        Role::ProviderOperator => actor.organisation == provider,
        Role::AgencyAdmin | Role::AgencyUser => false,
    }
}

/// What the expiry watch shows the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatchScope {
    Everything,
    Provider(OrganisationId),
    Assessor(OrganisationId),
}

pub fn expiry_watch_scope(actor: &Actor) -> Option<WatchScope> {
    match actor.role {
        Role::GixOfficer => Some(WatchScope::Everything),
        Role::ProviderOperator => Some(WatchScope::Provider(actor.organisation)),
        Role::Assessor => Some(WatchScope::Assessor(actor.organisation)),
        Role::AgencyAdmin | Role::AgencyUser => None,
    }
}

/// GSI-9: staff details are seen by the provider itself, GIX, and an assessor that assesses
/// the provider (`assessing`: it has an assessment of it); never by agencies.
pub fn may_read_personnel(actor: &Actor, provider: OrganisationId, assessing: bool) -> bool {
    match actor.role {
        Role::GixOfficer => true,
        Role::ProviderOperator => actor.organisation == provider,
        Role::Assessor => assessing,
        Role::AgencyAdmin | Role::AgencyUser => false,
    }
}
