//! Providers' interconnections (GSI-5.3).

pub mod create;
pub mod list;
pub mod verify;

use chrono::{DateTime, NaiveDate, Utc};
use gsi_domain::governance::security_control::Interconnection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "gix_link", "capacity_mbps": 10000, "since": "2025-06-01"}))]
pub struct InterconnectionBody {
    /// `government_internet`, `government_intranet`, `agency_intranet` or `gix_link`.
    pub kind: String,
    /// Mbit/s, at least 1.
    pub capacity_mbps: Option<i64>,
    /// In service since (Asia/Bangkok date), not after today.
    pub since: Option<NaiveDate>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterconnectionView {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub kind: String,
    pub capacity_mbps: i64,
    pub since: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by: Option<String>,
    pub verified_by_assessor_id: Option<uuid::Uuid>,
}

impl From<&Interconnection> for InterconnectionView {
    fn from(i: &Interconnection) -> Self {
        InterconnectionView {
            id: i.id.as_uuid(),
            provider_id: i.provider.as_uuid(),
            kind: i.kind.as_str().to_owned(),
            capacity_mbps: i.capacity_mbps,
            since: i.since,
            recorded_at: i.recorded_at,
            verified_at: i.verified.as_ref().map(|v| v.2),
            verified_by: i.verified.as_ref().map(|v| v.0.as_str().to_owned()),
            verified_by_assessor_id: i.verified.as_ref().map(|v| v.1.as_uuid()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InterconnectionListBody {
    pub items: Vec<InterconnectionView>,
}
