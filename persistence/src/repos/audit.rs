//! The audit log: append-only, written in the same transaction as the change it records.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::access::Scope;
use gsi_domain::{Actor, AuditEventId, OrganisationId};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::audit_events;
use crate::types::{DbJson, DbTimestamp, DbUuid};

/// A recorded change: who did what to which resource, when, under which request.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    pub id: AuditEventId,
    pub occurred_at: DateTime<Utc>,
    pub actor_subject: String,
    pub actor_role: gsi_domain::Role,
    pub actor_organisation: OrganisationId,
    /// The organisation whose data changed, when it is not the actor's own.
    pub owner_organisation: Option<OrganisationId>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: String,
    pub request_id: String,
    /// What changed, as `{"field": {"from": …, "to": …}}` or the created values.
    pub changes: serde_json::Value,
}

impl AuditEvent {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        now: DateTime<Utc>,
        actor: &Actor,
        owner_organisation: Option<OrganisationId>,
        action: &str,
        resource_type: &str,
        resource_id: String,
        request_id: &str,
        changes: serde_json::Value,
    ) -> Self {
        AuditEvent {
            id: AuditEventId::new_v7(now),
            occurred_at: gsi_domain::time::to_storage_precision(now),
            actor_subject: actor.subject.as_str().to_owned(),
            actor_role: actor.role,
            actor_organisation: actor.organisation,
            owner_organisation,
            action: action.to_owned(),
            resource_type: resource_type.to_owned(),
            resource_id,
            request_id: request_id.to_owned(),
            changes,
        }
    }
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
struct AuditEventRow {
    id: DbUuid,
    occurred_at: DbTimestamp,
    actor_subject: String,
    actor_role: String,
    actor_organisation_id: DbUuid,
    owner_organisation_id: Option<DbUuid>,
    action: String,
    resource_type: String,
    resource_id: String,
    request_id: String,
    changes: DbJson,
}

impl TryFrom<AuditEventRow> for AuditEvent {
    type Error = StoreError;
    fn try_from(row: AuditEventRow) -> Result<Self, StoreError> {
        Ok(AuditEvent {
            id: row.id.into(),
            occurred_at: row.occurred_at.0,
            actor_role: row.actor_role.parse().map_err(|e| corrupt("audit_events", format!("{}: {e}", row.id.0)))?,
            actor_subject: row.actor_subject,
            actor_organisation: row.actor_organisation_id.into(),
            owner_organisation: row.owner_organisation_id.map(Into::into),
            action: row.action,
            resource_type: row.resource_type,
            resource_id: row.resource_id,
            request_id: row.request_id,
            changes: row.changes.0,
        })
    }
}

impl From<&AuditEvent> for AuditEventRow {
    fn from(e: &AuditEvent) -> Self {
        AuditEventRow {
            id: e.id.into(),
            occurred_at: e.occurred_at.into(),
            actor_subject: e.actor_subject.clone(),
            actor_role: e.actor_role.as_str().to_owned(),
            actor_organisation_id: e.actor_organisation.into(),
            owner_organisation_id: e.owner_organisation.map(Into::into),
            action: e.action.clone(),
            resource_type: e.resource_type.clone(),
            resource_id: e.resource_id.clone(),
            request_id: e.request_id.clone(),
            changes: DbJson(e.changes.clone()),
        }
    }
}

pub fn insert(conn: &mut DbConnection, event: &AuditEvent) -> Result<(), StoreError> {
    diesel::insert_into(audit_events::table).values(AuditEventRow::from(event)).execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub action: Option<String>,
    pub actor_subject: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Events visible in `scope`: an organisation sees what its people did and what was done
/// to its data.
pub fn list(
    conn: &mut DbConnection,
    scope: Scope,
    filter: &AuditFilter,
    page: PageRequest,
) -> Result<Page<AuditEvent>, StoreError> {
    let mut query = audit_events::table
        .select(AuditEventRow::as_select())
        .order(audit_events::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Scope::Organisation(org) = scope {
        let org = DbUuid::from(org);
        query =
            query.filter(audit_events::actor_organisation_id.eq(org).or(audit_events::owner_organisation_id.eq(org)));
    }
    if let Some(v) = &filter.resource_type {
        query = query.filter(audit_events::resource_type.eq(v.clone()));
    }
    if let Some(v) = &filter.resource_id {
        query = query.filter(audit_events::resource_id.eq(v.clone()));
    }
    if let Some(v) = &filter.action {
        query = query.filter(audit_events::action.eq(v.clone()));
    }
    if let Some(v) = &filter.actor_subject {
        query = query.filter(audit_events::actor_subject.eq(v.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_events::occurred_at.ge(DbTimestamp::from(from)));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_events::occurred_at.lt(DbTimestamp::from(until)));
    }
    if let Some(after) = page.after {
        query = query.filter(audit_events::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(AuditEvent::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |e| e.id.as_uuid()))
}
