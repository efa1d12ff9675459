pub mod healthz;
pub mod readyz;

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct HealthBody {
    /// `ok`, or what is not ready.
    pub status: String,
}
