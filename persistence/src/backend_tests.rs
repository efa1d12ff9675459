//! Repository tests, run on every backend `testing::backends()` names.

use chrono::{TimeZone, Utc};
use gsi_domain::access::Scope;
use gsi_domain::agency_profile::{AgencyProfile, AgencyProfileDetails, AgencyProfileDraft, CoordinatorDraft};
use gsi_domain::org::{GIX_ORGANISATION_ID, NewOrganisation, OrganisationKind};
use gsi_domain::{Actor, OrganisationId, Role, Subject};

use crate::repos::{agency_profiles, audit, idempotency, organisations};
use crate::testing::each_backend;
use crate::{DbConnection, PageRequest, StoreError, migrate, write_tx};

fn now() -> chrono::DateTime<Utc> {
    // Nanoseconds on purpose: storage must keep exactly the microseconds.
    Utc.with_ymd_and_hms(2026, 12, 1, 4, 0, 0).unwrap() + chrono::Duration::nanoseconds(123_456_789)
}

fn register(conn: &mut DbConnection, kind: &str, name: &str, at: chrono::DateTime<Utc>) -> OrganisationId {
    let org = NewOrganisation::parse(kind, name, None)
        .unwrap()
        .into_organisation(OrganisationId::new_v7(at), gsi_domain::time::to_storage_precision(at));
    organisations::insert(conn, &org).unwrap();
    org.id
}

#[test]
fn migrations_are_idempotent_and_seed_the_single_gix() {
    each_backend(|conn| {
        assert!(migrate::is_up_to_date(conn).unwrap());
        assert!(migrate::run_pending(conn).unwrap().is_empty(), "second run applies nothing");
        let gix = organisations::find(conn, GIX_ORGANISATION_ID).unwrap().unwrap();
        assert_eq!(gix.kind, OrganisationKind::Gix);
        // A second GIX row is refused by the database itself.
        let second = gsi_domain::org::Organisation { id: OrganisationId::new_v7(now()), ..gix };
        assert!(matches!(organisations::insert(conn, &second), Err(StoreError::UniqueViolation(_))));
    });
}

#[test]
fn organisations_round_trip_and_page_by_kind() {
    each_backend(|conn| {
        let a1 = register(conn, "agency", "กรมหนึ่ง", now());
        let _p = register(conn, "provider", "ผู้ให้บริการ", now() + chrono::Duration::seconds(1));
        let a2 = register(conn, "agency", "กรมสอง", now() + chrono::Duration::seconds(2));

        let found = organisations::find(conn, a1).unwrap().unwrap();
        assert_eq!(found.name_th.as_str(), "กรมหนึ่ง");
        assert_eq!(found.created_at, gsi_domain::time::to_storage_precision(now()));

        let filter = organisations::OrganisationFilter { kind: Some(OrganisationKind::Agency) };
        let first = organisations::list(conn, filter, PageRequest { after: None, limit: 1 }).unwrap();
        assert_eq!(first.items.iter().map(|o| o.id).collect::<Vec<_>>(), [a1]);
        let second = organisations::list(conn, filter, PageRequest { after: first.next_after, limit: 1 }).unwrap();
        assert_eq!(second.items.iter().map(|o| o.id).collect::<Vec<_>>(), [a2]);
        assert_eq!(second.next_after, None);
    });
}

#[test]
fn profile_updates_are_guarded_by_version() {
    each_backend(|conn| {
        let agency = register(conn, "agency", "กรมหนึ่ง", now());
        let details = AgencyProfileDetails::parse(&AgencyProfileDraft {
            name_th: "กรมหนึ่ง".into(),
            coordinators: vec![CoordinatorDraft {
                name: "สมหญิง".into(),
                position: "IT".into(),
                email: "a@b.go.th".into(),
                phone: "021234567".into(),
                is_primary: true,
            }],
            ..Default::default()
        })
        .unwrap();
        let profile = AgencyProfile {
            agency_id: agency,
            details,
            updated_at: gsi_domain::time::to_storage_precision(now()),
            version: 1,
        };
        agency_profiles::insert(conn, &profile).unwrap();
        assert_eq!(agency_profiles::find(conn, agency).unwrap().unwrap(), profile);

        let v2 = AgencyProfile { version: 2, ..profile.clone() };
        assert!(agency_profiles::update_if_version(conn, &v2, 1).unwrap());
        assert!(!agency_profiles::update_if_version(conn, &v2, 1).unwrap(), "a stale version must not write");
        assert_eq!(agency_profiles::find(conn, agency).unwrap().unwrap().version, 2);
    });
}

#[test]
fn write_tx_rolls_back_everything_on_error() {
    each_backend(|conn| {
        let result: Result<(), StoreError> = write_tx(conn, |tx| {
            register(tx, "agency", "ชั่วคราว", now());
            Err(StoreError::CorruptRow("forced".into()))
        });
        assert!(result.is_err());
        let all = organisations::list(conn, Default::default(), PageRequest { after: None, limit: 10 }).unwrap();
        assert_eq!(all.items.len(), 1, "only GIX remains");
    });
}

#[test]
fn audit_events_are_scoped_to_actor_or_owner() {
    each_backend(|conn| {
        let a = register(conn, "agency", "A", now());
        let b = register(conn, "agency", "B", now());
        let gix_actor = Actor {
            subject: Subject::parse("gix-1").unwrap(),
            organisation: GIX_ORGANISATION_ID,
            role: Role::GixOfficer,
        };
        let event = audit::AuditEvent::new(
            now(),
            &gix_actor,
            Some(a),
            "organisation.registered",
            "organisation",
            a.to_string(),
            "req-1",
            serde_json::json!({"name_th": "A"}),
        );
        audit::insert(conn, &event).unwrap();
        let page = PageRequest { after: None, limit: 50 };
        let for_a = audit::list(conn, Scope::Organisation(a), &Default::default(), page).unwrap();
        assert_eq!(for_a.items, vec![event.clone()]);
        let for_b = audit::list(conn, Scope::Organisation(b), &Default::default(), page).unwrap();
        assert!(for_b.items.is_empty());
        let all = audit::list(conn, Scope::Everything, &Default::default(), page).unwrap();
        assert_eq!(all.items.len(), 1);
    });
}

#[test]
fn idempotency_entries_expire() {
    each_backend(|conn| {
        let stored = idempotency::StoredResponse {
            organisation: GIX_ORGANISATION_ID,
            actor_subject: "gix-1".into(),
            key: "k1".into(),
            request_method: "POST".into(),
            request_path: "/v1/organisations".into(),
            request_hash: "abc".into(),
            status: 201,
            body: "{}".into(),
            location: Some("/v1/organisations/x".into()),
            etag: None,
            created_at: gsi_domain::time::to_storage_precision(now()),
        };
        let day_before = now() - chrono::Duration::days(1);
        idempotency::insert(conn, &stored, day_before).unwrap();
        let found = idempotency::find(conn, GIX_ORGANISATION_ID, "gix-1", "k1", day_before).unwrap();
        assert_eq!(found, Some(stored.clone()));
        let later = now() + chrono::Duration::seconds(1);
        assert_eq!(idempotency::find(conn, GIX_ORGANISATION_ID, "gix-1", "k1", later).unwrap(), None);
        // An expired key can be used again.
        idempotency::insert(conn, &stored, later).unwrap();
        assert_eq!(idempotency::purge_expired(conn, later).unwrap(), 1);
    });
}

#[test]
fn an_exhausted_pool_reports_unavailable_instead_of_hanging() {
    for backend in crate::testing::backends() {
        let db = crate::testing::TestDatabase::create(backend);
        let url = crate::DatabaseUrl::parse(&db.url).unwrap();
        let settings = crate::PoolSettings { max_size: 1, connection_timeout: std::time::Duration::from_millis(100) };
        let pool = crate::build_pool(url, &settings).unwrap();
        let held = crate::checkout(&pool).unwrap();
        // Returns (after the pool timeout) rather than waiting for the held connection.
        assert!(matches!(crate::checkout(&pool), Err(StoreError::Unavailable(_))));
        drop(held);
        assert!(crate::checkout(&pool).is_ok());
    }
}
