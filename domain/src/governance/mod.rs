//! Governance (GSI-5.2, 6.1–6.4, 9.1–9.3, 11.1–11.4, 12.1–12.3, 13.1): assessor
//! accreditation, ISO certificates, assessments with clause-level findings, certifications,
//! and the provider list derived from that evidence.

pub mod access;
pub mod accreditation;
pub mod assessment;
pub mod certificate;
mod clause_table;
pub mod clauses;
pub mod conformance;
pub mod eligibility;
pub mod expiry;
pub mod period;
pub mod personnel;
pub mod security_control;
