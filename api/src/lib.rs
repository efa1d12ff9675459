//! GSI Hub HTTP API (actix-web): the backend of the provider self-service system that
//! GSI-7.5 requires, and the source of its OpenAPI contract.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod http;
pub mod logging;
pub mod openapi;
pub mod routes;
pub mod server;
pub mod state;
pub mod usecases;
pub mod webhooks;

pub use clock::Clock;
pub use config::Config;
pub use server::{Application, openapi as openapi_spec};
