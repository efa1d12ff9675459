//! One module per aggregate: load rows into domain types, save domain types.

pub mod agency_profiles;
pub mod audit;
pub mod events;
pub mod governance;
pub mod idempotency;
pub mod incidents;
pub mod listings;
pub mod offerings;
pub mod organisations;
pub mod outages;
pub mod provider_profiles;
pub mod reference_prices;
pub mod reports;
pub mod security_events;
pub mod service_requests;
pub mod statements;
pub mod subscription_parties;
pub mod subscriptions;
pub mod usage;
pub mod webhooks;

/// Ids per `IN (…)` list, so that set-based loads stay far below SQLite's limit of bound
/// parameters per statement.
pub(crate) const IN_LIST_CHUNK: usize = 1000;
