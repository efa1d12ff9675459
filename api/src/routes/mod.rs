//! HTTP routes, one folder per resource and one file per action. Handlers extract,
//! call a use case on a blocking thread, and shape the response; nothing else.

pub mod agency_profiles;
pub mod audit_events;
pub mod costs;
pub mod health;
pub mod me;
pub mod offerings;
pub mod organisations;
pub mod provider_list;
pub mod provider_listings;
pub mod provider_profiles;
pub mod reference_prices;
pub mod service;
pub mod statements;
pub mod subscriptions;
pub mod usage;

use actix_web::web;
use gsi_persistence::{DbConnection, checkout};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::ApiError;
use crate::state::AppState;

/// Everything under `/v1`.
pub fn v1(cfg: &mut ServiceConfig) {
    cfg.service(me::get::get_me)
        .service(organisations::list::list_organisations)
        .service(organisations::create::register_organisation)
        .service(organisations::get::get_organisation)
        .service(agency_profiles::get::get_agency_profile)
        .service(agency_profiles::update::update_agency_profile)
        .service(audit_events::list::list_audit_events)
        .service(provider_profiles::get::get_provider_profile)
        .service(provider_profiles::update::put_provider_profile)
        .service(provider_listings::create::change_provider_listing)
        .service(provider_listings::history::get_listing_history)
        .service(provider_list::list::get_provider_list)
        .service(reference_prices::list::list_reference_prices)
        .service(reference_prices::create::set_reference_price)
        .service(reference_prices::get::get_reference_price)
        .service(offerings::list::list_offerings)
        .service(offerings::create::create_offering)
        .service(offerings::get::get_offering)
        .service(offerings::update::update_offering)
        .service(offerings::publish::publish_offering)
        .service(offerings::retire::retire_offering)
        .service(offerings::price_history::get_offering_price_history)
        .service(subscriptions::list::list_subscriptions)
        .service(subscriptions::register_existing::register_existing_subscription)
        .service(subscriptions::get::get_subscription)
        .service(subscriptions::transition::transition_subscription)
        .service(usage::submit::submit_usage_batch)
        .service(costs::current::get_current_costs)
        .service(costs::history::get_cost_history)
        .service(statements::list::list_statements)
        .service(statements::close::close_month)
        .service(statements::get::get_statement)
        .service(statements::csv::get_statement_csv);
}

/// Outside `/v1`: probes for orchestrators.
pub fn root(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz::healthz).service(health::readyz::readyz);
}

/// Runs database work on the blocking pool: diesel is synchronous, and running it on an
/// async worker would stall every request on that worker.
pub async fn db<T: Send + 'static>(
    state: &web::Data<AppState>,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = state.pool.clone();
    web::block(move || {
        let mut conn = checkout(&pool)?;
        work(&mut conn)
    })
    .await?
}
