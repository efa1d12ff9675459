//! Webhook deliveries (issue 11): signing, the guarded HTTP client and the worker that
//! delivers the outbox.

pub mod client;
pub mod payload;
pub mod signing;
pub mod worker;
