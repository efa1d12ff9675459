//! Use cases: one function per thing a caller can do. Each takes a connection (inside a
//! transaction for changes), decides with `gsi-domain`, saves through `gsi-persistence`,
//! and writes its audit event in the same transaction. No HTTP types here.

pub mod agency_profiles;
pub mod assessments;
pub mod audit;
pub mod costs;
pub mod demo;
pub mod demo_catalog;
pub mod demo_governance;
pub mod demo_incidents;
pub mod demo_providers;
pub mod demo_reports;
pub mod demo_subscriptions;
pub mod demo_usage;
pub mod events;
pub mod governance;
pub mod incidents;
pub mod listings;
pub mod offerings;
pub mod organisations;
pub mod outages;
pub mod provider_profiles;
pub mod reference_prices;
pub mod reports;
pub mod security_events;
pub mod service_requests;
pub mod sla;
pub mod statements;
pub mod subscriptions;
pub mod usage;
pub mod webhooks;

use chrono::{DateTime, Utc};
use gsi_domain::{Actor, OrganisationId};
use gsi_persistence::DbConnection;
use gsi_persistence::repos::audit::AuditEvent;

use crate::error::ApiError;

/// Who is acting, under which request, at what time.
#[derive(Debug, Clone)]
pub struct Context {
    pub actor: Actor,
    pub request_id: String,
    pub now: DateTime<Utc>,
}

/// What an audit event says about a change.
pub struct Change<'a> {
    pub action: &'a str,
    pub resource_type: &'a str,
    pub resource_id: String,
    /// The organisation whose data changed.
    pub owner: Option<OrganisationId>,
    pub changes: serde_json::Value,
}

/// Appends the audit event for a change; call inside the change's transaction.
pub fn audit(conn: &mut DbConnection, ctx: &Context, change: Change<'_>) -> Result<(), ApiError> {
    let event = AuditEvent::new(
        ctx.now,
        &ctx.actor,
        change.owner,
        change.action,
        change.resource_type,
        change.resource_id,
        &ctx.request_id,
        change.changes,
    );
    gsi_persistence::repos::audit::insert(conn, &event)?;
    Ok(())
}

/// `{"field": {"from": old, "to": new}}` for every top-level field that differs.
pub fn diff(before: &serde_json::Value, after: &serde_json::Value) -> serde_json::Value {
    let empty = serde_json::Map::new();
    let old = before.as_object().unwrap_or(&empty);
    let new = after.as_object().unwrap_or(&empty);
    let changed = new
        .iter()
        .filter(|(k, v)| old.get(*k) != Some(v))
        .map(|(k, v)| {
            let from = old.get(k).cloned().unwrap_or(serde_json::Value::Null);
            (k.clone(), serde_json::json!({"from": from, "to": v}))
        })
        .collect();
    serde_json::Value::Object(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = serde_json::json!({"a": 1, "b": "x"});
        let after = serde_json::json!({"a": 1, "b": "y"});
        assert_eq!(diff(&before, &after), serde_json::json!({"b": {"from": "x", "to": "y"}}));
    }
}
