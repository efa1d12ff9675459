//! One module per aggregate: load rows into domain types, save domain types.

pub mod agency_profiles;
pub mod audit;
pub mod idempotency;
pub mod listings;
pub mod offerings;
pub mod organisations;
pub mod provider_profiles;
pub mod reference_prices;
pub mod service_requests;
pub mod subscriptions;
