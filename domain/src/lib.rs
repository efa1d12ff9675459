//! GSI Hub business rules.
//!
//! Pure functions and types only: no IO, no clock (callers pass `now`), no storage or HTTP
//! types. Every rule that decides something lives here once, so a test can call it without
//! a database (see `../shared/design/layout.md`).

pub mod access;
pub mod agency_profile;
pub mod billing;
pub mod calendar;
pub mod catalog;
pub mod csv;
pub mod events;
pub mod governance;
pub mod ids;
pub mod incident;
pub mod listing;
pub mod money;
pub mod org;
pub mod outage;
pub mod pricing;
pub mod provider;
pub mod registration;
pub mod report;
pub mod request;
pub mod role;
pub mod security_event;
pub mod service;
pub mod sla;
pub mod sla_terms;
pub mod subscription;
pub mod subscription_ref;
pub mod text;
pub mod time;
pub mod usage;
pub mod validation;
pub mod webhook;

pub use ids::{AuditEventId, EventId, Id, OrganisationId, WebhookAttemptId, WebhookDeliveryId, WebhookSubscriptionId};
pub use role::{Actor, Role, Subject};
pub use validation::{FieldError, ValidationErrors};
