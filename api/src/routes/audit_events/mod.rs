pub mod list;

use chrono::{DateTime, Utc};
use gsi_persistence::repos::audit::AuditEvent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::routes::me::RoleBody;

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000aa",
    "occurred_at": "2026-12-01T04:05:06.123456Z",
    "actor_subject": "demo-agency-admin", "actor_role": "agency_admin",
    "actor_organisation_id": "0190f5c2-1a2b-7c3d-8e4f-000000000002",
    "owner_organisation_id": "0190f5c2-1a2b-7c3d-8e4f-000000000002",
    "action": "agency_profile.updated", "resource_type": "agency_profile",
    "resource_id": "0190f5c2-1a2b-7c3d-8e4f-000000000002",
    "request_id": "0190f5c2-aaaa-7bbb-8ccc-000000000001",
    "changes": {"address": {"from": null, "to": "120 ถนนแจ้งวัฒนะ กรุงเทพฯ 10210"}}
}))]
pub struct AuditEventBody {
    pub id: uuid::Uuid,
    pub occurred_at: DateTime<Utc>,
    pub actor_subject: String,
    pub actor_role: RoleBody,
    pub actor_organisation_id: uuid::Uuid,
    /// The organisation whose data changed.
    pub owner_organisation_id: Option<uuid::Uuid>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    /// The `X-Request-Id` of the request that made the change.
    pub request_id: String,
    /// Created values, or `{"field": {"from": …, "to": …}}` for updates.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

impl From<&AuditEvent> for AuditEventBody {
    fn from(e: &AuditEvent) -> Self {
        AuditEventBody {
            id: e.id.as_uuid(),
            occurred_at: e.occurred_at,
            actor_subject: e.actor_subject.clone(),
            actor_role: e.actor_role.into(),
            actor_organisation_id: e.actor_organisation.as_uuid(),
            owner_organisation_id: e.owner_organisation.map(|o| o.as_uuid()),
            action: e.action.clone(),
            resource_type: e.resource_type.clone(),
            resource_id: e.resource_id.clone(),
            request_id: e.request_id.clone(),
            changes: e.changes.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventList {
    pub items: Vec<AuditEventBody>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListAuditEventsQuery {
    /// e.g. `agency_profile`, `organisation`.
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    /// e.g. `agency_profile.updated`.
    pub action: Option<String>,
    /// The actor's subject (`sub`).
    pub actor: Option<String>,
    /// Events at or after this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub from: Option<String>,
    /// Events before this instant (RFC 3339).
    #[param(value_type = Option<DateTime<Utc>>)]
    pub until: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}
