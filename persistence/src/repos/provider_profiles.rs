//! Provider profiles (GSI-6.1, 6.2, 7.4, 10.3). The offered families and the published
//! exclusions are value objects of the profile and are stored with it as JSON documents, so
//! a profile is read and written whole.

use std::collections::BTreeMap;

use diesel::prelude::*;
use gsi_domain::OrganisationId;
use gsi_domain::provider::{
    ExclusionRule, ProviderProfile, ProviderProfileDetails, ProviderProfileDraft, ServiceExclusion,
    ServiceExclusionDraft, SupportChannelsDraft,
};
use serde::{Deserialize, Serialize};

use crate::connection::DbConnection;
use crate::error::{StoreError, corrupt};
use crate::schema::provider_profiles;
use crate::types::{DbJson, DbTimestamp, DbUuid};

#[derive(Debug, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = provider_profiles, treat_none_as_null = true)]
struct ProviderProfileRow {
    provider_id: DbUuid,
    legal_status: String,
    registration_number: Option<String>,
    families: DbJson,
    support_phone: Option<String>,
    support_email: Option<String>,
    self_service_url: Option<String>,
    exclusions: DbJson,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExclusionDoc {
    kind: String,
    notice_hours: Option<u32>,
    text: String,
}

impl From<&ServiceExclusion> for ExclusionDoc {
    fn from(e: &ServiceExclusion) -> Self {
        let notice_hours = match e.rule {
            ExclusionRule::PlannedMaintenance { notice_hours } => Some(notice_hours),
            ExclusionRule::ForceMajeure
            | ExclusionRule::CustomerCaused
            | ExclusionRule::ThirdPartyNetwork
            | ExclusionRule::Other => None,
        };
        ExclusionDoc { kind: e.rule.kind().as_str().to_owned(), notice_hours, text: e.text.to_string() }
    }
}

fn to_json<T: Serialize>(value: &T) -> Result<DbJson, StoreError> {
    serde_json::to_value(value).map(DbJson).map_err(|e| corrupt("provider_profiles", e))
}

impl TryFrom<&ProviderProfile> for ProviderProfileRow {
    type Error = StoreError;
    fn try_from(p: &ProviderProfile) -> Result<Self, StoreError> {
        let d = &p.details;
        Ok(ProviderProfileRow {
            provider_id: p.provider_id.into(),
            legal_status: d.legal_status.kind().as_str().to_owned(),
            registration_number: d.legal_status.registration_number().map(|n| n.as_str().to_owned()),
            families: to_json(&d.families.iter().map(|f| f.as_str()).collect::<Vec<_>>())?,
            support_phone: d.support.phone.as_ref().map(|v| v.as_str().to_owned()),
            support_email: d.support.email.as_ref().map(|v| v.as_str().to_owned()),
            self_service_url: d.support.self_service_url.as_ref().map(|v| v.as_str().to_owned()),
            exclusions: to_json(&d.exclusions.iter().map(ExclusionDoc::from).collect::<Vec<_>>())?,
            updated_at: p.updated_at.into(),
            version: p.version,
        })
    }
}

impl TryFrom<ProviderProfileRow> for ProviderProfile {
    type Error = StoreError;
    /// Stored values go through the same parser as input, so a row that breaks a rule is
    /// reported, never shown half-valid.
    fn try_from(row: ProviderProfileRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("provider_profiles", format!("{}: {e}", row.provider_id.0));
        let families: Vec<String> = serde_json::from_value(row.families.0.clone()).map_err(|e| bad(&e))?;
        let exclusions: Vec<ExclusionDoc> = serde_json::from_value(row.exclusions.0.clone()).map_err(|e| bad(&e))?;
        let draft = ProviderProfileDraft {
            legal_status: row.legal_status.clone(),
            registration_number: row.registration_number.clone(),
            families,
            support: SupportChannelsDraft {
                phone: row.support_phone.clone(),
                email: row.support_email.clone(),
                self_service_url: row.self_service_url.clone(),
            },
            exclusions: exclusions
                .into_iter()
                .map(|e| ServiceExclusionDraft { kind: e.kind, notice_hours: e.notice_hours, text: e.text })
                .collect(),
        };
        Ok(ProviderProfile {
            provider_id: row.provider_id.into(),
            details: ProviderProfileDetails::parse(&draft).map_err(|e| bad(&e))?,
            updated_at: row.updated_at.0,
            version: row.version,
        })
    }
}

pub fn insert(conn: &mut DbConnection, profile: &ProviderProfile) -> Result<(), StoreError> {
    diesel::insert_into(provider_profiles::table).values(ProviderProfileRow::try_from(profile)?).execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, provider: OrganisationId) -> Result<Option<ProviderProfile>, StoreError> {
    provider_profiles::table
        .find(DbUuid::from(provider))
        .select(ProviderProfileRow::as_select())
        .first(conn)
        .optional()?
        .map(ProviderProfile::try_from)
        .transpose()
}

/// The profiles of `providers` in one query; providers without a profile are absent.
pub fn find_many(
    conn: &mut DbConnection,
    providers: &[OrganisationId],
) -> Result<BTreeMap<OrganisationId, ProviderProfile>, StoreError> {
    if providers.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<DbUuid> = providers.iter().copied().map(DbUuid::from).collect();
    provider_profiles::table
        .filter(provider_profiles::provider_id.eq_any(ids))
        .select(ProviderProfileRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|row| ProviderProfile::try_from(row).map(|p| (p.provider_id, p)))
        .collect()
}

/// Writes `profile` only if the stored version is still `expected_version`; returns whether
/// it did. The check is part of the `UPDATE`, so two racing writers cannot both succeed.
pub fn update_if_version(
    conn: &mut DbConnection,
    profile: &ProviderProfile,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let updated = diesel::update(
        provider_profiles::table
            .filter(provider_profiles::provider_id.eq(DbUuid::from(profile.provider_id)))
            .filter(provider_profiles::version.eq(expected_version)),
    )
    .set(ProviderProfileRow::try_from(profile)?)
    .execute(conn)?;
    Ok(updated == 1)
}

/// Holds the profile row's lock until the transaction ends; returns whether the profile
/// exists. Listing changes and profile edits each read the other's data before writing, so
/// both take this lock first and run one after the other. On PostgreSQL the no-op `UPDATE`
/// takes the row lock (READ COMMITTED then shows later statements the other's commit); on
/// SQLite `BEGIN IMMEDIATE` already serialises writers.
pub fn lock(conn: &mut DbConnection, provider: OrganisationId) -> Result<bool, StoreError> {
    let locked = diesel::update(provider_profiles::table.find(DbUuid::from(provider)))
        .set(provider_profiles::version.eq(provider_profiles::version))
        .execute(conn)?;
    Ok(locked == 1)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use diesel::connection::SimpleConnection;
    use gsi_domain::org::NewOrganisation;
    use gsi_domain::provider::LegalStatus;

    use super::*;
    use crate::repos::organisations;
    use crate::testing::each_backend;

    fn now() -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 4, 0, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789)
    }

    fn register_provider(conn: &mut DbConnection, name: &str, second: i64) -> OrganisationId {
        let at = now() + chrono::Duration::seconds(second);
        let org = NewOrganisation::parse("provider", name, None)
            .unwrap()
            .into_organisation(OrganisationId::new_v7(at), gsi_domain::time::to_storage_precision(at));
        organisations::insert(conn, &org).unwrap();
        org.id
    }

    fn juristic() -> ProviderProfileDraft {
        ProviderProfileDraft {
            legal_status: "juristic_person".into(),
            registration_number: Some("0-1075-44000-10-8".into()),
            families: vec!["data_center".into(), "cloud".into()],
            support: SupportChannelsDraft {
                phone: Some("02-111-2222".into()),
                email: Some("noc@provider.co.th".into()),
                self_service_url: Some("https://portal.provider.co.th/gsi".into()),
            },
            exclusions: vec![
                ServiceExclusionDraft {
                    kind: "planned_maintenance".into(),
                    notice_hours: Some(72),
                    text: "แจ้งล่วงหน้าอย่างน้อย 72 ชั่วโมง".into(),
                },
                ServiceExclusionDraft {
                    kind: "force_majeure".into(),
                    notice_hours: None,
                    text: "Force majeure".into(),
                },
            ],
        }
    }

    fn profile(provider: OrganisationId, draft: &ProviderProfileDraft, version: i64) -> ProviderProfile {
        ProviderProfile {
            provider_id: provider,
            details: ProviderProfileDetails::parse(draft).unwrap(),
            updated_at: gsi_domain::time::to_storage_precision(now()),
            version,
        }
    }

    #[test]
    fn gsi_6_1_profiles_round_trip_and_updates_are_guarded_by_version() {
        each_backend(|conn| {
            let company = register_provider(conn, "บริษัท ก จำกัด", 0);
            let agency_like = register_provider(conn, "หน่วยงานรัฐ", 1);
            let nobody = register_provider(conn, "ยังไม่กรอก", 2);
            assert!(!lock(conn, company).unwrap(), "no profile yet: nothing to lock");

            let p1 = profile(company, &juristic(), 1);
            insert(conn, &p1).unwrap();
            assert_eq!(find(conn, company).unwrap(), Some(p1.clone()));
            assert!(matches!(insert(conn, &p1), Err(StoreError::UniqueViolation(_))), "one profile per provider");

            // A government body with no channels and no exclusions is stored as it is.
            let government = ProviderProfileDraft {
                legal_status: "government_body".into(),
                registration_number: None,
                families: vec!["network".into()],
                ..Default::default()
            };
            let p2 = profile(agency_like, &government, 1);
            insert(conn, &p2).unwrap();
            let found = find(conn, agency_like).unwrap().unwrap();
            assert_eq!(found.details.legal_status, LegalStatus::GovernmentBody);
            assert_eq!(found, p2);

            let many = find_many(conn, &[company, agency_like, nobody]).unwrap();
            assert_eq!(many.keys().copied().collect::<Vec<_>>(), [company, agency_like]);
            assert!(find_many(conn, &[]).unwrap().is_empty());
            assert_eq!(find(conn, nobody).unwrap(), None);

            assert!(lock(conn, company).unwrap());
            assert_eq!(find(conn, company).unwrap().unwrap().version, 1, "locking changes nothing");
            let mut changed = juristic();
            changed.support.phone = None;
            let v2 = profile(company, &changed, 2);
            assert!(update_if_version(conn, &v2, 1).unwrap());
            assert!(!update_if_version(conn, &v2, 1).unwrap(), "a stale version must not write");
            assert_eq!(find(conn, company).unwrap(), Some(v2));
        });
    }

    #[test]
    fn a_stored_profile_that_breaks_a_rule_is_reported_not_hidden() {
        each_backend(|conn| {
            let company = register_provider(conn, "บริษัท ข จำกัด", 0);
            insert(conn, &profile(company, &juristic(), 1)).unwrap();
            // Written behind the API's back: a wrong check digit.
            conn.batch_execute("UPDATE provider_profiles SET registration_number = '0107544000109'").unwrap();
            match find(conn, company) {
                Err(StoreError::CorruptRow(detail)) => assert!(detail.contains("registration_number"), "{detail}"),
                other => panic!("expected a corrupt row, got {other:?}"),
            }
            assert!(matches!(find_many(conn, &[company]), Err(StoreError::CorruptRow(_))));
        });
    }
}
