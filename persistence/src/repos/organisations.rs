//! The organisation register.

use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::org::{ORGANISATION_NAME_MAX, Organisation, OrganisationKind};
use gsi_domain::text::BoundedText;

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::organisations;
use crate::types::{DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
struct OrganisationRow {
    id: DbUuid,
    kind: String,
    name_th: String,
    name_en: Option<String>,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

impl TryFrom<OrganisationRow> for Organisation {
    type Error = StoreError;
    fn try_from(row: OrganisationRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("organisations", format!("{}: {e}", row.id.0));
        Ok(Organisation {
            id: row.id.into(),
            kind: row.kind.parse().map_err(|e| bad(&e))?,
            name_th: BoundedText::parse("name_th", &row.name_th, ORGANISATION_NAME_MAX).map_err(|e| bad(&e))?,
            name_en: BoundedText::parse_optional("name_en", row.name_en.as_deref(), ORGANISATION_NAME_MAX)
                .map_err(|e| bad(&e))?,
            created_at: row.created_at.0,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

impl From<&Organisation> for OrganisationRow {
    fn from(org: &Organisation) -> Self {
        OrganisationRow {
            id: org.id.into(),
            kind: org.kind.as_str().to_owned(),
            name_th: org.name_th.as_str().to_owned(),
            name_en: org.name_en.as_ref().map(|n| n.as_str().to_owned()),
            created_at: org.created_at.into(),
            updated_at: org.updated_at.into(),
            version: org.version,
        }
    }
}

pub fn insert(conn: &mut DbConnection, org: &Organisation) -> Result<(), StoreError> {
    diesel::insert_into(organisations::table).values(OrganisationRow::from(org)).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: OrganisationId) -> Result<Option<Organisation>, StoreError> {
    organisations::table
        .find(DbUuid::from(id))
        .select(OrganisationRow::as_select())
        .first(conn)
        .optional()?
        .map(Organisation::try_from)
        .transpose()
}

/// The organisations with these ids, in one query; ids not registered are absent.
pub fn find_many(
    conn: &mut DbConnection,
    ids: &[OrganisationId],
) -> Result<std::collections::BTreeMap<OrganisationId, Organisation>, StoreError> {
    let mut found = std::collections::BTreeMap::new();
    for chunk in ids.chunks(super::IN_LIST_CHUNK) {
        let keys: Vec<DbUuid> = chunk.iter().copied().map(DbUuid::from).collect();
        for row in organisations::table
            .filter(organisations::id.eq_any(keys))
            .select(OrganisationRow::as_select())
            .load(conn)?
        {
            let org = Organisation::try_from(row)?;
            found.insert(org.id, org);
        }
    }
    Ok(found)
}

#[derive(Debug, Clone, Copy, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: OrganisationFilter,
    page: PageRequest,
) -> Result<Page<Organisation>, StoreError> {
    let mut query = organisations::table
        .select(OrganisationRow::as_select())
        .order(organisations::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(organisations::kind.eq(kind.as_str()));
    }
    if let Some(after) = page.after {
        query = query.filter(organisations::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?.into_iter().map(Organisation::try_from).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_overfetch(rows, page.limit, |o| o.id.as_uuid()))
}
