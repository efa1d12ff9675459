//! What every handler shares. Nothing here is per-instance state another instance would
//! need: idempotency keys and locks live in the database.

use gsi_persistence::DbPool;

use crate::auth::Authenticator;
use crate::clock::Clock;
use crate::config::{UsageLimits, WebhookSettings};

pub struct AppState {
    pub pool: DbPool,
    pub auth: Authenticator,
    pub clock: Clock,
    pub usage: UsageLimits,
    pub metrics: std::sync::Arc<crate::http::metrics::Metrics>,
    /// GSI-13.3: the day of the following month monthly reports are due.
    pub report_due_day: gsi_domain::report::DueDay,
    pub webhooks: WebhookSettings,
}
