//! HTTP routes, one folder per resource and one file per action. Handlers extract,
//! call a use case on a blocking thread, and shape the response; nothing else.

pub mod accreditations;
pub mod agency_profiles;
pub mod assessments;
pub mod audit_events;
pub mod budgets;
pub mod conformance;
pub mod costs;
pub mod events;
pub mod expiry_watch;
pub mod health;
pub mod incidents;
pub mod interconnections;
pub mod iso_certificates;
pub mod me;
pub mod metrics;
pub mod monthly_reports;
pub mod offerings;
pub mod organisations;
pub mod outages;
pub mod provider_list;
pub mod provider_listings;
pub mod provider_profiles;
pub mod reference_prices;
pub mod report_requests;
pub mod reports;
pub mod security_events;
pub mod service;
pub mod service_requests;
pub mod sla;
pub mod staff;
pub mod statements;
pub mod subscriptions;
pub mod usage;
pub mod vulnerability_notices;
pub mod webhook_subscriptions;

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
        .service(service_requests::preview::preview_service_request)
        .service(service_requests::list::list_service_requests)
        .service(service_requests::create::submit_service_request)
        .service(service_requests::get::get_service_request)
        .service(service_requests::for_subscription::list_subscription_requests)
        .service(service_requests::review::review_service_request)
        .service(service_requests::quote::quote_service_request)
        .service(service_requests::confirm::confirm_service_request)
        .service(service_requests::decline::decline_service_request)
        .service(service_requests::withdraw::withdraw_service_request)
        .service(service_requests::start::start_service_request_work)
        .service(service_requests::progress::report_service_request_progress)
        .service(service_requests::complete::complete_service_request)
        .service(service_requests::fail::fail_service_request)
        .service(incidents::list::list_incidents)
        .service(incidents::create::report_incident)
        .service(incidents::get::get_incident)
        .service(incidents::act::act_on_incident)
        .service(incidents::comment::comment_on_incident)
        .service(outages::list::list_outages)
        .service(outages::create::record_outage)
        .service(outages::get::get_outage)
        .service(outages::end::end_outage)
        // The summary before `{security_event_id}`, which would otherwise take `summary`.
        .service(security_events::summary::summarise_security_events)
        .service(security_events::list::list_security_events)
        .service(security_events::create::record_security_event)
        .service(security_events::get::get_security_event)
        .service(security_events::act::act_on_security_event)
        .service(sla::get::get_sla_attainment)
        .service(usage::submit::submit_usage_batch)
        .service(costs::current::get_current_costs)
        .service(costs::history::get_cost_history)
        .service(statements::list::list_statements)
        .service(statements::close::close_month)
        .service(statements::get::get_statement)
        .service(statements::csv::get_statement_csv)
        // Reports (GSI-7.5.9, 7.6, 13.2, 13.3). `/reports/usage/records` before any
        // `{id}` route that could take it.
        .service(reports::usage::get_usage_report)
        .service(reports::agency_summary::get_agency_summary)
        .service(reports::usage_records::export_usage_records)
        .service(report_requests::list::list_report_requests)
        .service(report_requests::create::create_report_request)
        .service(report_requests::get::get_report_request)
        .service(report_requests::submit::submit_report_request)
        .service(report_requests::report::get_submitted_report)
        .service(budgets::list::list_budgets)
        .service(budgets::set::set_budget)
        // The overview before `{report_id}`, which would otherwise take `overview`.
        .service(monthly_reports::overview::get_monthly_overview)
        .service(monthly_reports::list::list_monthly_reports)
        .service(monthly_reports::create::draft_monthly_report)
        .service(monthly_reports::get::get_monthly_report)
        .service(monthly_reports::notes::set_monthly_report_notes)
        .service(monthly_reports::submit::submit_monthly_report)
        .service(monthly_reports::revise::revise_monthly_report)
        // Governance (issue 9): accreditations, ISO certificates, assessments, the derived
        // provider list's change log, the expiry watch.
        .service(accreditations::create::accredit_assessor)
        .service(accreditations::list::list_accreditations)
        .service(accreditations::withdraw::withdraw_accreditation)
        .service(iso_certificates::create::record_iso_certificate)
        .service(iso_certificates::list::list_iso_certificates)
        .service(iso_certificates::verify::verify_iso_certificate)
        .service(assessments::create::create_assessment)
        .service(assessments::list::list_assessments)
        .service(assessments::get::get_assessment)
        .service(assessments::finding::add_finding)
        .service(assessments::decide::decide_assessment)
        .service(provider_list::changes::get_provider_list_changes)
        .service(expiry_watch::get::get_expiry_watch)
        .service(conformance::get::get_conformance)
        .service(conformance::csv::get_conformance_csv)
        .service(staff::create::record_staff)
        .service(staff::list::list_staff)
        .service(staff::summary::get_staff_summary)
        .service(interconnections::create::declare_interconnection)
        .service(interconnections::list::list_interconnections)
        .service(interconnections::verify::verify_interconnection)
        .service(vulnerability_notices::create::record_notice)
        .service(vulnerability_notices::list::list_notices)
        .service(vulnerability_notices::remediate::remediate_notice)
        // Events for integrators (issue 11): the feed and webhook subscriptions.
        .service(events::list::list_events)
        .service(webhook_subscriptions::list::list_webhook_subscriptions)
        .service(webhook_subscriptions::create::create_webhook_subscription)
        .service(webhook_subscriptions::get::get_webhook_subscription)
        .service(webhook_subscriptions::delete::delete_webhook_subscription)
        .service(webhook_subscriptions::rotate_secret::rotate_webhook_secret)
        .service(webhook_subscriptions::pause::pause_webhook_subscription)
        .service(webhook_subscriptions::resume::resume_webhook_subscription)
        .service(webhook_subscriptions::attempts::list_webhook_attempts);
}

/// Outside `/v1`: probes for orchestrators.
pub fn root(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz::healthz).service(health::readyz::readyz);
    // Operability (issue 12): Prometheus metrics.
    cfg.service(metrics::get::metrics);
}

/// Runs database work on the blocking pool: diesel is synchronous, and running it on an
/// async worker would stall every request on that worker.
pub async fn db<T: Send + 'static>(
    state: &web::Data<AppState>,
    work: impl FnOnce(&mut DbConnection) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let pool = state.pool.clone();
    let metrics = state.metrics.clone();
    web::block(move || {
        let waiting = metrics.waiting_for_connection();
        let mut conn = checkout(&pool)?;
        drop(waiting);
        work(&mut conn)
    })
    .await?
}
