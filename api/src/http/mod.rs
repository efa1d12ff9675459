//! HTTP conventions every endpoint shares: JSON bodies, pagination, ETag/If-Match,
//! Idempotency-Key, request ids, and the request context.

pub mod context;
pub mod etag;
pub mod idempotency;
pub mod json;
pub mod methods;
pub mod metrics;
pub mod pagination;
pub mod params;
pub mod report_format;
pub mod request_id;
pub mod stream;
