//! Stored responses of creating requests, keyed by the client's `Idempotency-Key`.
//! They live in the database so every server instance replays the same answer.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::OrganisationId;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::idempotency_keys;
use crate::types::{DbTimestamp, DbUuid};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    pub organisation: OrganisationId,
    pub actor_subject: String,
    pub key: String,
    pub request_method: String,
    pub request_path: String,
    /// SHA-256 of the request body, hex: a reused key with another body is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
struct IdempotencyRow {
    organisation_id: DbUuid,
    actor_subject: String,
    idempotency_key: String,
    request_method: String,
    request_path: String,
    request_hash: String,
    response_status: i32,
    response_body: String,
    response_location: Option<String>,
    response_etag: Option<String>,
    created_at: DbTimestamp,
}

impl TryFrom<IdempotencyRow> for StoredResponse {
    type Error = StoreError;
    fn try_from(row: IdempotencyRow) -> Result<Self, StoreError> {
        Ok(StoredResponse {
            organisation: row.organisation_id.into(),
            status: u16::try_from(row.response_status).map_err(|e| crate::error::corrupt("idempotency_keys", e))?,
            actor_subject: row.actor_subject,
            key: row.idempotency_key,
            request_method: row.request_method,
            request_path: row.request_path,
            request_hash: row.request_hash,
            body: row.response_body,
            location: row.response_location,
            etag: row.response_etag,
            created_at: row.created_at.0,
        })
    }
}

/// The stored response for this caller's key, if one was stored after `not_before`
/// (older ones have expired and are ignored).
pub fn find(
    conn: &mut DbConnection,
    organisation: OrganisationId,
    actor_subject: &str,
    key: &str,
    not_before: DateTime<Utc>,
) -> Result<Option<StoredResponse>, StoreError> {
    idempotency_keys::table
        .find((DbUuid::from(organisation), actor_subject, key))
        .filter(idempotency_keys::created_at.ge(DbTimestamp::from(not_before)))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?
        .map(StoredResponse::try_from)
        .transpose()
}

/// Stores a response; an expired entry under the same key is replaced.
pub fn insert(conn: &mut DbConnection, stored: &StoredResponse, not_before: DateTime<Utc>) -> Result<(), StoreError> {
    diesel::delete(
        idempotency_keys::table
            .find((DbUuid::from(stored.organisation), stored.actor_subject.as_str(), stored.key.as_str()))
            .filter(idempotency_keys::created_at.lt(DbTimestamp::from(not_before))),
    )
    .execute(conn)?;
    diesel::insert_into(idempotency_keys::table)
        .values(IdempotencyRow {
            organisation_id: stored.organisation.into(),
            actor_subject: stored.actor_subject.clone(),
            idempotency_key: stored.key.clone(),
            request_method: stored.request_method.clone(),
            request_path: stored.request_path.clone(),
            request_hash: stored.request_hash.clone(),
            response_status: i32::from(stored.status),
            response_body: stored.body.clone(),
            response_location: stored.location.clone(),
            response_etag: stored.etag.clone(),
            created_at: stored.created_at.into(),
        })
        .execute(conn)?;
    Ok(())
}

/// Removes entries stored before `not_before`; returns how many.
pub fn purge_expired(conn: &mut DbConnection, not_before: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(DbTimestamp::from(not_before))))
        .execute(conn)?)
}
