//! The provider list's history (GSI-12.2, 12.3, 13.1): dated listing changes, appended and
//! never rewritten. Whether a provider is listed is decided by `gsi_domain::listing`, from
//! the entries loaded here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use gsi_domain::listing::{ListingEntry, ListingStatus, REASON_MAX};
use gsi_domain::service::ServiceFamily;
use gsi_domain::text::BoundedText;
use gsi_domain::{OrganisationId, Role, Subject};
use uuid::Uuid;

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::listing_entries;
use crate::types::{DbTimestamp, DbUuid};

/// A stored entry: the domain entry, its storage id, and the role its actor held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingRecord {
    /// UUIDv7 from `recorded_at`.
    pub id: Uuid,
    pub entry: ListingEntry,
    pub actor_role: Role,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = listing_entries)]
struct ListingEntryRow {
    id: DbUuid,
    provider_id: DbUuid,
    family: String,
    action: String,
    status: String,
    reason: String,
    actor_subject: String,
    actor_role: String,
    effective_at: DbTimestamp,
    recorded_at: DbTimestamp,
}

impl From<&ListingRecord> for ListingEntryRow {
    fn from(r: &ListingRecord) -> Self {
        let e = &r.entry;
        ListingEntryRow {
            id: DbUuid(r.id),
            provider_id: e.provider.into(),
            family: e.family.as_str().to_owned(),
            action: e.action.as_str().to_owned(),
            status: e.status.as_str().to_owned(),
            reason: e.reason.to_string(),
            actor_subject: e.actor.as_str().to_owned(),
            actor_role: r.actor_role.as_str().to_owned(),
            effective_at: e.effective_at.into(),
            recorded_at: e.recorded_at.into(),
        }
    }
}

impl TryFrom<ListingEntryRow> for ListingRecord {
    type Error = StoreError;
    /// Every column is re-parsed through its domain type; a bad row is reported, not skipped.
    fn try_from(row: ListingEntryRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("listing_entries", format!("{}: {e}", row.id.0));
        Ok(ListingRecord {
            id: row.id.0,
            entry: ListingEntry {
                provider: row.provider_id.into(),
                family: row.family.parse().map_err(|e| bad(&e))?,
                action: row.action.parse().map_err(|e| bad(&e))?,
                status: row.status.parse().map_err(|e| bad(&e))?,
                reason: BoundedText::parse("reason", &row.reason, REASON_MAX).map_err(|e| bad(&e))?,
                actor: Subject::parse(&row.actor_subject).map_err(|e| bad(&e))?,
                effective_at: row.effective_at.0,
                recorded_at: row.recorded_at.0,
            },
            actor_role: row.actor_role.parse().map_err(|e| bad(&e))?,
        })
    }
}

/// A time-ordered id from the instant the entry was recorded.
fn new_id(recorded_at: DateTime<Utc>) -> Uuid {
    let secs = u64::try_from(recorded_at.timestamp()).unwrap_or(0);
    Uuid::new_v7(uuid::Timestamp::from_unix(uuid::NoContext, secs, recorded_at.timestamp_subsec_nanos()))
}

/// Appends `entry`, made by an actor in `actor_role`; returns it as stored.
pub fn insert(conn: &mut DbConnection, entry: &ListingEntry, actor_role: Role) -> Result<ListingRecord, StoreError> {
    let entry = ListingEntry {
        effective_at: gsi_domain::time::to_storage_precision(entry.effective_at),
        recorded_at: gsi_domain::time::to_storage_precision(entry.recorded_at),
        ..entry.clone()
    };
    let record = ListingRecord { id: new_id(entry.recorded_at), entry, actor_role };
    diesel::insert_into(listing_entries::table).values(ListingEntryRow::from(&record)).execute(conn)?;
    Ok(record)
}

/// The provider's entries for every family, oldest first (by `effective_at`, then by when
/// they were recorded).
pub fn records(conn: &mut DbConnection, provider: OrganisationId) -> Result<Vec<ListingRecord>, StoreError> {
    listing_entries::table
        .filter(listing_entries::provider_id.eq(DbUuid::from(provider)))
        .select(ListingEntryRow::as_select())
        .order((listing_entries::effective_at.asc(), listing_entries::recorded_at.asc(), listing_entries::id.asc()))
        .load(conn)?
        .into_iter()
        .map(ListingRecord::try_from)
        .collect()
}

/// The provider's listing history, all families, oldest first: what
/// `gsi_domain::listing::listing_status` reads.
pub fn history(conn: &mut DbConnection, provider: OrganisationId) -> Result<Vec<ListingEntry>, StoreError> {
    Ok(records(conn, provider)?.into_iter().map(|r| r.entry).collect())
}

/// The histories of `providers` in one query, each oldest first. Providers with no entries
/// are absent from the map.
pub fn histories(
    conn: &mut DbConnection,
    providers: &[OrganisationId],
) -> Result<BTreeMap<OrganisationId, Vec<ListingEntry>>, StoreError> {
    if providers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<DbUuid> = providers.iter().copied().map(DbUuid::from).collect();
    let rows = listing_entries::table
        .filter(listing_entries::provider_id.eq_any(ids))
        .select(ListingEntryRow::as_select())
        .order((listing_entries::effective_at.asc(), listing_entries::recorded_at.asc(), listing_entries::id.asc()))
        .load(conn)?;
    let mut map: BTreeMap<OrganisationId, Vec<ListingEntry>> = BTreeMap::new();
    for row in rows {
        let record = ListingRecord::try_from(row)?;
        map.entry(record.entry.provider).or_default().push(record.entry);
    }
    Ok(map)
}

/// Providers, in id order after `after`, with at least one `listed` entry in force by `at`
/// (for `family`, when given): a superset of those listed at `at`, cheap to find on an index.
/// Whether each is listed is then for `gsi_domain::listing::listing_status` to say.
pub fn listed_candidates(
    conn: &mut DbConnection,
    family: Option<ServiceFamily>,
    at: DateTime<Utc>,
    after: Option<OrganisationId>,
    limit: i64,
) -> Result<Vec<OrganisationId>, StoreError> {
    let mut query = listing_entries::table
        .filter(listing_entries::status.eq(ListingStatus::Listed.as_str()))
        .filter(listing_entries::effective_at.le(DbTimestamp::from(at)))
        .select(listing_entries::provider_id)
        .distinct()
        .order(listing_entries::provider_id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(family) = family {
        query = query.filter(listing_entries::family.eq(family.as_str()));
    }
    if let Some(after) = after {
        query = query.filter(listing_entries::provider_id.gt(DbUuid::from(after)));
    }
    Ok(query.load::<DbUuid>(conn)?.into_iter().map(OrganisationId::from).collect())
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use gsi_domain::listing::{ListingAction, listed_families, listing_status};
    use gsi_domain::org::{GIX_ORGANISATION_ID, NewOrganisation};

    use super::*;
    use crate::repos::organisations;
    use crate::testing::each_backend;

    fn day(d: u32) -> DateTime<Utc> {
        // Nanoseconds on purpose: storage keeps exactly the microseconds.
        Utc.with_ymd_and_hms(2027, 2, d, 2, 0, 0).unwrap() + Duration::nanoseconds(123_456_789)
    }

    fn register_provider(conn: &mut DbConnection, name: &str, second: i64) -> OrganisationId {
        let at = day(1) + Duration::seconds(second);
        let org = NewOrganisation::parse("provider", name, None)
            .unwrap()
            .into_organisation(OrganisationId::new_v7(at), gsi_domain::time::to_storage_precision(at));
        organisations::insert(conn, &org).unwrap();
        org.id
    }

    fn entry(
        provider: OrganisationId,
        family: ServiceFamily,
        action: ListingAction,
        status: ListingStatus,
        effective_at: DateTime<Utc>,
    ) -> ListingEntry {
        ListingEntry {
            provider,
            family,
            action,
            status,
            reason: BoundedText::parse("reason", "ได้รับการรับรอง ISO/IEC 27001 จาก GCAB", REASON_MAX).unwrap(),
            actor: Subject::parse("gix-officer-1").unwrap(),
            effective_at,
            recorded_at: day(1),
        }
    }

    #[test]
    fn gsi_12_2_history_is_appended_and_read_back_oldest_first() {
        each_backend(|conn| {
            let p = register_provider(conn, "ผู้ให้บริการ ก", 0);
            let cloud = ServiceFamily::Cloud;
            // Recorded out of order: a delisting scheduled for day 20 before a later suspension.
            let listed =
                insert(conn, &entry(p, cloud, ListingAction::List, ListingStatus::Listed, day(2)), Role::GixOfficer)
                    .unwrap();
            insert(conn, &entry(p, cloud, ListingAction::Delist, ListingStatus::Delisted, day(20)), Role::GixOfficer)
                .unwrap();
            insert(
                conn,
                &entry(p, ServiceFamily::Network, ListingAction::List, ListingStatus::Listed, day(3)),
                Role::GixOfficer,
            )
            .unwrap();
            assert_eq!(listed.entry.effective_at, gsi_domain::time::to_storage_precision(day(2)));

            let records = records(conn, p).unwrap();
            assert_eq!(records[0], listed, "stored exactly as returned");
            assert_eq!(records[0].actor_role, Role::GixOfficer);
            let history = history(conn, p).unwrap();
            let order: Vec<(ServiceFamily, ListingStatus)> = history.iter().map(|e| (e.family, e.status)).collect();
            assert_eq!(
                order,
                [
                    (cloud, ListingStatus::Listed),
                    (ServiceFamily::Network, ListingStatus::Listed),
                    (cloud, ListingStatus::Delisted)
                ]
            );
            assert_eq!(listing_status(&history, cloud, day(10)), ListingStatus::Listed);
            assert_eq!(listing_status(&history, cloud, day(20)), ListingStatus::Delisted);

            // Two changes of one family at one instant are refused by the database too.
            let again = entry(p, cloud, ListingAction::Suspend, ListingStatus::Suspended, day(2));
            assert!(matches!(insert(conn, &again, Role::GixOfficer), Err(StoreError::UniqueViolation(_))));
        });
    }

    #[test]
    fn gsi_13_1_histories_and_candidates_for_the_provider_list() {
        each_backend(|conn| {
            let a = register_provider(conn, "ผู้ให้บริการ ก", 0);
            let b = register_provider(conn, "ผู้ให้บริการ ข", 1);
            let c = register_provider(conn, "ผู้ให้บริการ ค", 2);
            let never = register_provider(conn, "ยังไม่ขึ้นบัญชี", 3);
            let (cloud, network) = (ServiceFamily::Cloud, ServiceFamily::Network);
            for (p, family, action, status, at) in [
                (a, cloud, ListingAction::List, ListingStatus::Listed, day(2)),
                (b, network, ListingAction::List, ListingStatus::Listed, day(2)),
                (b, network, ListingAction::Suspend, ListingStatus::Suspended, day(5)),
                (c, cloud, ListingAction::List, ListingStatus::Listed, day(10)),
            ] {
                insert(conn, &entry(p, family, action, status, at), Role::GixOfficer).unwrap();
            }

            let all = histories(conn, &[a, b, c, never, GIX_ORGANISATION_ID]).unwrap();
            assert_eq!(all.keys().copied().collect::<Vec<_>>(), [a, b, c], "no entries, no key");
            assert_eq!(all[&b].len(), 2);
            assert!(all[&b].iter().all(|e| e.provider == b));
            assert!(histories(conn, &[]).unwrap().is_empty());
            assert_eq!(listed_families(&all[&b], day(6)), []);

            // Candidates: a listed entry in force by `at` (the domain then decides).
            assert_eq!(listed_candidates(conn, None, day(6), None, 10).unwrap(), [a, b]);
            assert_eq!(listed_candidates(conn, None, day(10), None, 10).unwrap(), [a, b, c]);
            assert_eq!(listed_candidates(conn, Some(cloud), day(10), None, 10).unwrap(), [a, c]);
            assert_eq!(listed_candidates(conn, None, day(10), Some(a), 1).unwrap(), [b]);
            assert_eq!(listed_candidates(conn, None, day(1), None, 10).unwrap(), []);
        });
    }
}
