//! Black-box HTTP tests: each starts the real server on a free port over a fresh database,
//! on SQLite and (with GSI_TEST_POSTGRES_URL) on PostgreSQL. One binary, many modules,
//! to keep link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is the test failing

mod agency_profiles;
mod audit;
mod auth;
mod catalog;
mod conventions;
mod events;
mod health;
mod incidents;
mod openapi;
mod organisations;
mod providers;
mod reference_prices;
mod server_process;
mod service_requests;
mod subscriptions;
mod support;
mod usage;
mod usage_bench;
mod webhook_receiver;
