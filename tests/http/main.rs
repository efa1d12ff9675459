//! Black-box HTTP tests: each starts the real server on a free port over a fresh database,
//! on SQLite and (with GSI_TEST_POSTGRES_URL) on PostgreSQL. One binary, many modules,
//! to keep link time down.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed expectation is the test failing

mod agency_profiles;
mod audit;
mod auth;
mod authz_matrix;
mod catalog;
mod conventions;
// The conformance kit against this server, and against a misbehaving proxy (issue 13).
mod ctk;
mod events;
mod governance;
mod health;
mod incidents;
mod openapi;
mod organisations;
mod providers;
mod reference_prices;
// Crash, race and shutdown tests against the real binary (issue 12).
mod report_bench;
mod reports;
mod robustness;
mod server_process;
mod service_requests;
mod subscriptions;
mod support;
mod usage;
mod webhook_receiver;
