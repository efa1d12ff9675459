//! One module per aggregate: load rows into domain types, save domain types.

pub mod agency_profiles;
pub mod audit;
pub mod idempotency;
pub mod listings;
pub mod offerings;
pub mod organisations;
pub mod provider_profiles;
pub mod reference_prices;
pub mod statements;
pub mod subscriptions;
pub mod usage;

/// Ids per `IN (…)` list, so that set-based loads stay far below SQLite's limit of bound
/// parameters per statement.
pub(crate) const IN_LIST_CHUNK: usize = 1000;
