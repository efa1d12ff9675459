//! Agency profiles (GSI-7.5.1). Coordinators and contact channels are value objects of the
//! profile and are stored with it as JSON documents, so a profile is read and written whole.

use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::agency_profile::{
    AgencyProfile, AgencyProfileDetails, AgencyProfileDraft, ContactChannel, ContactChannelDraft, Coordinator,
    CoordinatorDraft,
};
use serde::{Deserialize, Serialize};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::agency_profiles;
use crate::types::{DbJson, DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = agency_profiles, treat_none_as_null = true)]
struct AgencyProfileRow {
    agency_id: DbUuid,
    name_th: String,
    name_en: Option<String>,
    parent_ministry: Option<String>,
    address: Option<String>,
    coordinators: DbJson,
    contact_channels: DbJson,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct CoordinatorDoc {
    name: String,
    position: String,
    email: String,
    phone: String,
    is_primary: bool,
}

#[derive(Debug, Serialize, Deserialize)]
struct ContactChannelDoc {
    kind: String,
    value: String,
    label: Option<String>,
}

impl From<&Coordinator> for CoordinatorDoc {
    fn from(c: &Coordinator) -> Self {
        CoordinatorDoc {
            name: c.name.to_string(),
            position: c.position.to_string(),
            email: c.email.as_str().to_owned(),
            phone: c.phone.as_str().to_owned(),
            is_primary: c.is_primary,
        }
    }
}

impl From<&ContactChannel> for ContactChannelDoc {
    fn from(c: &ContactChannel) -> Self {
        ContactChannelDoc {
            kind: c.kind.as_str().to_owned(),
            value: c.value.to_string(),
            label: c.label.as_ref().map(ToString::to_string),
        }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<DbJson, StoreError> {
    serde_json::to_value(value).map(DbJson).map_err(|e| corrupt("agency_profiles", e))
}

impl TryFrom<&AgencyProfile> for AgencyProfileRow {
    type Error = StoreError;
    fn try_from(p: &AgencyProfile) -> Result<Self, StoreError> {
        let d = &p.details;
        Ok(AgencyProfileRow {
            agency_id: p.agency_id.into(),
            name_th: d.name_th.to_string(),
            name_en: d.name_en.as_ref().map(ToString::to_string),
            parent_ministry: d.parent_ministry.as_ref().map(ToString::to_string),
            address: d.address.as_ref().map(ToString::to_string),
            coordinators: to_json(&d.coordinators.iter().map(CoordinatorDoc::from).collect::<Vec<_>>())?,
            contact_channels: to_json(&d.contact_channels.iter().map(ContactChannelDoc::from).collect::<Vec<_>>())?,
            updated_at: p.updated_at.into(),
            version: p.version,
        })
    }
}

impl TryFrom<AgencyProfileRow> for AgencyProfile {
    type Error = StoreError;
    /// Stored values go through the same parser as input, so a row that breaks a rule is
    /// reported, never shown half-valid.
    fn try_from(row: AgencyProfileRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("agency_profiles", format!("{}: {e}", row.agency_id.0));
        let coordinators: Vec<CoordinatorDoc> =
            serde_json::from_value(row.coordinators.0.clone()).map_err(|e| bad(&e))?;
        let channels: Vec<ContactChannelDoc> =
            serde_json::from_value(row.contact_channels.0.clone()).map_err(|e| bad(&e))?;
        let draft = AgencyProfileDraft {
            name_th: row.name_th.clone(),
            name_en: row.name_en.clone(),
            parent_ministry: row.parent_ministry.clone(),
            address: row.address.clone(),
            coordinators: coordinators
                .into_iter()
                .map(|c| CoordinatorDraft {
                    name: c.name,
                    position: c.position,
                    email: c.email,
                    phone: c.phone,
                    is_primary: c.is_primary,
                })
                .collect(),
            contact_channels: channels
                .into_iter()
                .map(|c| ContactChannelDraft { kind: c.kind, value: c.value, label: c.label })
                .collect(),
        };
        Ok(AgencyProfile {
            agency_id: row.agency_id.into(),
            details: AgencyProfileDetails::parse(&draft).map_err(|e| bad(&e))?,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

pub fn insert(conn: &mut DbConnection, profile: &AgencyProfile) -> Result<(), StoreError> {
    diesel::insert_into(agency_profiles::table).values(AgencyProfileRow::try_from(profile)?).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, agency: OrganisationId) -> Result<Option<AgencyProfile>, StoreError> {
    agency_profiles::table
        .find(DbUuid::from(agency))
        .select(AgencyProfileRow::as_select())
        .first(conn)
        .optional()?
        .map(AgencyProfile::try_from)
        .transpose()
}

/// Writes `profile` only if the stored version is still `expected_version`; returns whether
/// it did. The check is part of the `UPDATE`, so two racing writers cannot both succeed.
pub fn update_if_version(
    conn: &mut DbConnection,
    profile: &AgencyProfile,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        agency_profiles::table
            .filter(agency_profiles::agency_id.eq(DbUuid::from(profile.agency_id)))
            .filter(agency_profiles::version.eq(expected_version)),
    )
    .set(AgencyProfileRow::try_from(profile)?)
    .execute(conn)?;
    Ok(updated == 1)
}
