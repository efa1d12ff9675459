//! Who is on either side of subscriptions: the few columns incidents, outages and security
//! events check a caller against, without loading whole subscriptions.

use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::subscription_ref::{SubscriptionId, SubscriptionParties};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::schema::subscriptions;
use crate::types::DbUuid;

fn parties((id, agency, provider): (DbUuid, DbUuid, DbUuid)) -> SubscriptionParties {
    SubscriptionParties { subscription: id.into(), agency: agency.into(), provider: provider.into() }
}

/// The parties of those of `ids` that exist, in id order.
pub fn find_many(conn: &mut DbConnection, ids: &[SubscriptionId]) -> Result<Vec<SubscriptionParties>, StoreError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<DbUuid> = ids.iter().copied().map(DbUuid::from).collect();
    let rows = subscriptions::table
        .filter(subscriptions::id.eq_any(ids))
        .select((subscriptions::id, subscriptions::agency_id, subscriptions::provider_id))
        .order(subscriptions::id.asc())
        .load::<(DbUuid, DbUuid, DbUuid)>(conn)?;
    Ok(rows.into_iter().map(parties).collect())
}

/// Every subscription `provider` serves `agency` through, in any state, in id order.
pub fn between(
    conn: &mut DbConnection,
    provider: OrganisationId,
    agency: OrganisationId,
) -> Result<Vec<SubscriptionParties>, StoreError> {
    let rows = subscriptions::table
        .filter(subscriptions::provider_id.eq(DbUuid::from(provider)))
        .filter(subscriptions::agency_id.eq(DbUuid::from(agency)))
        .select((subscriptions::id, subscriptions::agency_id, subscriptions::provider_id))
        .order(subscriptions::id.asc())
        .load::<(DbUuid, DbUuid, DbUuid)>(conn)?;
    Ok(rows.into_iter().map(parties).collect())
}
