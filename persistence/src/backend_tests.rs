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
        let unknown = OrganisationId::new_v7(now());
        let many = organisations::find_many(conn, &[a2, unknown, a1]).unwrap();
        assert_eq!(many.keys().copied().collect::<Vec<_>>(), [a1, a2], "unknown ids are absent");
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

// --- catalog: reference prices (GSI-7.1) and offerings (GSI-3.6–3.8, 7.1, 10.1, A.1.3) -------

mod catalog {
    use diesel::prelude::*;
    use gsi_domain::catalog::{
        CapacityLimitDraft, CatalogScope, Offering, OfferingDetails, OfferingDraft, OfferingId, OfferingState,
        PricingLineDraft,
    };
    use gsi_domain::money::UnitPrice;
    use gsi_domain::pricing::{NewReferencePrice, PricePoint, ReferencePriceDraft, ReferencePriceId};
    use gsi_domain::service::{Metric, ServiceKind};
    use gsi_domain::sla_terms::SlaTermsDraft;

    use super::*;
    use crate::repos::offerings::{self, OfferingFilter, OfferingRecord};
    use crate::repos::reference_prices::{self, ReferencePriceFilter, ReferencePriceRecord};
    use crate::types::DbUuid;

    fn at(days: i64) -> chrono::DateTime<Utc> {
        gsi_domain::time::to_storage_precision(now() + chrono::Duration::days(days))
    }

    fn reference(kind: &str, metric: &str, price: &str, from: i64, until: Option<i64>) -> ReferencePriceRecord {
        let parsed = NewReferencePrice::parse(&ReferencePriceDraft {
            kind: kind.into(),
            metric: metric.into(),
            unit_price: price.into(),
            valid_from: at(from),
            valid_until: until.map(at),
            basis: Some("ประกาศคณะกรรมการ ฉบับที่ 1/2569".into()),
        })
        .unwrap();
        ReferencePriceRecord {
            price: parsed.into_reference_price(ReferencePriceId::new_v7(at(from))),
            set_by_subject: "gix-1".into(),
            set_by_organisation: GIX_ORGANISATION_ID,
            created_at: at(0),
            updated_at: at(0),
            version: 1,
        }
    }

    fn sla() -> SlaTermsDraft {
        SlaTermsDraft {
            availability_percent: "99.95".into(),
            max_unplanned_outages_per_month: 2,
            max_mean_time_to_restore_minutes: 240,
            priorities: vec![
                ("p1".into(), 15, 240),
                ("p2".into(), 30, 480),
                ("p3".into(), 120, 1440),
                ("p4".into(), 480, 4320),
            ],
            credit_tiers: vec![("99.95".into(), "10".into()), ("99.0".into(), "25".into())],
        }
    }

    fn compute_draft(base: Option<OfferingId>) -> OfferingDraft {
        OfferingDraft {
            family: "cloud".into(),
            kind: if base.is_some() { "backup".into() } else { "compute".into() },
            name: "GovCloud VM".into(),
            description: Some("เครื่องเสมือนในศูนย์ข้อมูลในประเทศไทย".into()),
            base_offering_id: base,
            pricing: if base.is_some() {
                vec![PricingLineDraft { metric: "backup_gb_month".into(), unit_price: "1.5".into() }]
            } else {
                vec![
                    PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "1.05".into() },
                    PricingLineDraft { metric: "ram_gb_hour".into(), unit_price: "0.000125".into() },
                ]
            },
            sla: if base.is_some() { None } else { Some(sla()) },
            capacity: if base.is_some() {
                vec![]
            } else {
                vec![CapacityLimitDraft {
                    metric: "vcpu_hour".into(),
                    max_per_subscription: Some("128".into()),
                    provider_total: Some("4000.5".into()),
                }]
            },
        }
    }

    fn offering(provider: OrganisationId, draft: &OfferingDraft, day: i64) -> OfferingRecord {
        OfferingRecord {
            offering: Offering {
                id: OfferingId::new_v7(at(day)),
                provider,
                details: OfferingDetails::parse(draft).unwrap(),
                state: OfferingState::Draft,
                version: 1,
            },
            created_at: at(day),
            updated_at: at(day),
        }
    }

    #[test]
    fn gsi_7_1_reference_prices_round_trip_close_and_filter_by_instant() {
        each_backend(|conn| {
            let old = reference("compute", "vcpu_hour", "1.20", -30, None);
            let ram = reference("compute", "ram_gb_hour", "0.35", -29, None);
            let other_kind = reference("storage", "storage_gb_month", "3.5", -28, None);
            for r in [&old, &ram, &other_kind] {
                reference_prices::insert(conn, r).unwrap();
            }
            assert_eq!(reference_prices::find(conn, old.price.id).unwrap(), Some(old.clone()));

            // Close the open period and add the replacement from the same instant.
            let mut closed = old.clone();
            closed.price.period = gsi_domain::pricing::close_period(&old.price, at(10), at(0)).unwrap();
            closed.version = 2;
            closed.updated_at = at(1);
            assert!(reference_prices::close_if_version(conn, &closed, 1).unwrap());
            assert!(!reference_prices::close_if_version(conn, &closed, 1).unwrap(), "stale version writes nothing");
            let new = reference("compute", "vcpu_hour", "1.10", 10, None);
            reference_prices::insert(conn, &new).unwrap();

            let history = reference_prices::all_for(conn, ServiceKind::Compute).unwrap();
            assert_eq!(history, [ram.price.clone(), closed.price.clone(), new.price.clone()]);
            let cap = |t| {
                gsi_domain::pricing::reference_price_in_force(&history, ServiceKind::Compute, Metric::VcpuHour, t)
                    .map(|p| p.unit_price.to_string())
            };
            assert_eq!(cap(at(9)).as_deref(), Some("1.2"));
            assert_eq!(cap(at(10)).as_deref(), Some("1.1"));

            let page = PageRequest { after: None, limit: 50 };
            let in_force_at = |t| ReferencePriceFilter { at: Some(t), ..Default::default() };
            let ids = |p: crate::Page<ReferencePriceRecord>| p.items.iter().map(|r| r.price.id).collect::<Vec<_>>();
            // The boundary: the old price is in force until (not at) its valid_until.
            assert_eq!(
                ids(reference_prices::list(conn, in_force_at(at(10) - chrono::Duration::microseconds(1)), page)
                    .unwrap()),
                [old.price.id, ram.price.id, other_kind.price.id]
            );
            assert_eq!(
                ids(reference_prices::list(conn, in_force_at(at(10)), page).unwrap()),
                [ram.price.id, other_kind.price.id, new.price.id]
            );
            let vcpu =
                ReferencePriceFilter { kind: Some(ServiceKind::Compute), metric: Some(Metric::VcpuHour), at: None };
            let first = reference_prices::list(conn, vcpu, PageRequest { after: None, limit: 1 }).unwrap();
            assert_eq!(ids(first.clone()), [old.price.id]);
            let second = reference_prices::list(conn, vcpu, PageRequest { after: first.next_after, limit: 1 }).unwrap();
            assert_eq!(ids(second.clone()), [new.price.id]);
            assert_eq!(second.next_after, None);

            // The database refuses an empty period even if a caller skipped the domain.
            let mut empty = reference("compute", "kwh", "5", 1, None);
            empty.price.period = gsi_domain::pricing::ValidityPeriod::new(at(1), Some(at(2))).unwrap();
            reference_prices::insert(conn, &empty).unwrap();
            diesel::update(crate::schema::reference_prices::table.find(DbUuid::from(empty.price.id)))
                .set(crate::schema::reference_prices::valid_until.eq(Some(crate::types::DbTimestamp::from(at(0)))))
                .execute(conn)
                .unwrap_err();
        });
    }

    #[test]
    fn gsi_7_1_series_lock_is_taken_inside_a_write_transaction() {
        each_backend(|conn| {
            let result: Result<(), StoreError> = write_tx(conn, |tx| {
                reference_prices::lock_series(tx, ServiceKind::Compute, Metric::VcpuHour)?;
                reference_prices::lock_series(tx, ServiceKind::Compute, Metric::VcpuHour)
            });
            result.unwrap();
        });
    }

    #[test]
    fn corrupt_reference_price_rows_are_reported_not_hidden() {
        each_backend(|conn| {
            let r = reference("compute", "vcpu_hour", "1.20", 0, None);
            reference_prices::insert(conn, &r).unwrap();
            diesel::update(crate::schema::reference_prices::table.find(DbUuid::from(r.price.id)))
                .set(crate::schema::reference_prices::unit_price.eq("-1"))
                .execute(conn)
                .unwrap();
            assert!(matches!(reference_prices::find(conn, r.price.id), Err(StoreError::CorruptRow(_))));
            assert!(matches!(reference_prices::all_for(conn, ServiceKind::Compute), Err(StoreError::CorruptRow(_))));
        });
    }

    #[test]
    fn gsi_7_1_offerings_round_trip_update_by_version_and_scope() {
        each_backend(|conn| {
            let p1 = register(conn, "provider", "ผู้ให้บริการหนึ่ง", now());
            let p2 = register(conn, "provider", "ผู้ให้บริการสอง", now());
            let base = offering(p1, &compute_draft(None), 0);
            offerings::insert(conn, &base).unwrap();
            let add_on = offering(p1, &compute_draft(Some(base.offering.id)), 1);
            offerings::insert(conn, &add_on).unwrap();
            let theirs = offering(p2, &compute_draft(None), 2);
            offerings::insert(conn, &theirs).unwrap();

            assert_eq!(offerings::find_record(conn, base.offering.id).unwrap(), Some(base.clone()));
            assert_eq!(offerings::find(conn, add_on.offering.id).unwrap(), Some(add_on.offering.clone()));
            assert_eq!(offerings::find(conn, OfferingId::new_v7(at(5))).unwrap(), None);

            let published = OfferingRecord {
                offering: Offering { state: OfferingState::Published, version: 2, ..base.offering.clone() },
                updated_at: at(3),
                ..base.clone()
            };
            assert!(offerings::update_if_version(conn, &published, 1).unwrap());
            assert!(!offerings::update_if_version(conn, &published, 1).unwrap(), "stale version writes nothing");
            assert_eq!(offerings::find_record(conn, base.offering.id).unwrap(), Some(published.clone()));

            let page = PageRequest { after: None, limit: 50 };
            let mut ids = |scope, filter| {
                offerings::list(conn, scope, filter, page)
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|r| r.offering.id)
                    .collect::<Vec<_>>()
            };
            let all = OfferingFilter::default();
            assert_eq!(ids(CatalogScope::Everything, all), [base.offering.id, add_on.offering.id, theirs.offering.id]);
            assert_eq!(ids(CatalogScope::NotDraft, all), [base.offering.id], "drafts are not public");
            assert_eq!(ids(CatalogScope::OfProvider(p2), all), [theirs.offering.id]);
            let backups = OfferingFilter { kind: Some(ServiceKind::Backup), ..Default::default() };
            assert_eq!(ids(CatalogScope::Everything, backups), [add_on.offering.id]);
            let of_p1_drafts =
                OfferingFilter { provider: Some(p1), state: Some(OfferingState::Draft), ..Default::default() };
            assert_eq!(ids(CatalogScope::Everything, of_p1_drafts), [add_on.offering.id]);
            let network =
                OfferingFilter { family: Some(gsi_domain::service::ServiceFamily::Network), ..Default::default() };
            assert!(ids(CatalogScope::Everything, network).is_empty());
        });
    }

    #[test]
    fn gsi_7_1_price_history_is_appended_and_paged_in_effective_order() {
        each_backend(|conn| {
            let p = register(conn, "provider", "ผู้ให้บริการ", now());
            let o = offering(p, &compute_draft(None), 0);
            offerings::insert(conn, &o).unwrap();
            let id = o.offering.id;
            assert!(offerings::price_history(conn, id).unwrap().is_empty());
            let point = |metric, price: &str, day| PricePoint {
                metric,
                unit_price: UnitPrice::parse(price).unwrap(),
                effective_from: at(day),
            };
            let published = [point(Metric::VcpuHour, "1.05", 1), point(Metric::RamGbHour, "0.000125", 1)];
            offerings::append_prices(conn, id, &published).unwrap();
            offerings::append_prices(conn, id, &[point(Metric::VcpuHour, "0.95", 5)]).unwrap();
            let history = offerings::price_history(conn, id).unwrap();
            assert_eq!(history.len(), 3);
            assert_eq!(history[2], point(Metric::VcpuHour, "0.95", 5));
            let rate =
                |day| gsi_domain::pricing::price_in_force(&history, Metric::VcpuHour, at(day)).map(|p| p.unit_price);
            assert_eq!(rate(4), Some(UnitPrice::parse("1.05").unwrap()));
            assert_eq!(rate(5), Some(UnitPrice::parse("0.95").unwrap()));

            let first = offerings::price_history_page(conn, id, PageRequest { after: None, limit: 2 }).unwrap();
            assert_eq!(first.items.len(), 2);
            assert!(first.items.iter().all(|p| p.effective_from == at(1)));
            let rest =
                offerings::price_history_page(conn, id, PageRequest { after: first.next_after, limit: 2 }).unwrap();
            assert_eq!(rest.items, [point(Metric::VcpuHour, "0.95", 5)]);
            assert_eq!(rest.next_after, None);

            // The same metric twice at one instant would make "the price in force" ambiguous.
            let again = offerings::append_prices(conn, id, &[point(Metric::VcpuHour, "0.90", 5)]);
            assert!(matches!(again, Err(StoreError::UniqueViolation(_))));
        });
    }

    #[test]
    fn corrupt_offering_rows_are_reported_not_hidden() {
        each_backend(|conn| {
            let p = register(conn, "provider", "ผู้ให้บริการ", now());
            let o = offering(p, &compute_draft(None), 0);
            offerings::insert(conn, &o).unwrap();
            diesel::update(crate::schema::offerings::table.find(DbUuid::from(o.offering.id)))
                .set(crate::schema::offerings::pricing.eq(crate::types::DbJson(serde_json::json!([
                    {"metric": "vcpu_hour", "unit_price": "abc"}
                ]))))
                .execute(conn)
                .unwrap();
            assert!(matches!(offerings::find(conn, o.offering.id), Err(StoreError::CorruptRow(_))));
        });
    }
}

mod usage {
    use std::collections::{BTreeMap, BTreeSet};

    use diesel::connection::SimpleConnection;
    use diesel::prelude::*;
    use gsi_domain::billing::{
        CostScope, LineKind, RatedUsage, Statement, StatementId, StatementLine, StatementStatus, rate_usage,
    };
    use gsi_domain::calendar::Month;
    use gsi_domain::catalog::{Offering, OfferingDetails, OfferingDraft, OfferingId, OfferingState, PricingLineDraft};
    use gsi_domain::money::{Money, Quantity, UnitPrice};
    use gsi_domain::service::{Metric, ServiceKind};
    use gsi_domain::sla_terms::SlaTermsDraft;
    use gsi_domain::subscription::{Subscription, SubscriptionId, SubscriptionOrigin, SubscriptionStatus, Term};
    use gsi_domain::usage::{ProviderRecordId, SubscriptionContext, UsageRecord, UsageRecordDraft, UsageRecordId};

    use super::*;
    use crate::repos::offerings::{self, OfferingRecord};
    use crate::repos::statements::{self, StatementFilter, StatementRecord};
    use crate::repos::subscriptions;
    use crate::repos::usage::{self, BilledUsage, CostFilter};

    fn utc(y: i32, mo: u32, d: u32, h: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, 0, 0).unwrap()
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }

    struct Parties {
        provider: OrganisationId,
        agency: OrganisationId,
        subscription: Subscription,
    }

    /// A provider, an agency and an active compute subscription between them since January.
    fn parties(conn: &mut DbConnection, name: &str) -> Parties {
        let provider = register(conn, "provider", &format!("ผู้ให้บริการ {name}"), now());
        let agency = register(conn, "agency", &format!("กรม {name}"), now());
        let draft = OfferingDraft {
            family: "cloud".into(),
            kind: "compute".into(),
            name: "VM".into(),
            description: None,
            base_offering_id: None,
            pricing: vec![PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "0.5".into() }],
            sla: Some(SlaTermsDraft {
                availability_percent: "99.9".into(),
                max_unplanned_outages_per_month: 2,
                max_mean_time_to_restore_minutes: 240,
                priorities: vec![
                    ("p1".into(), 15, 240),
                    ("p2".into(), 30, 480),
                    ("p3".into(), 120, 1440),
                    ("p4".into(), 480, 4320),
                ],
                credit_tiers: vec![("99.9".into(), "10".into())],
            }),
            capacity: vec![],
        };
        let details = OfferingDetails::parse(&draft).unwrap();
        let offering = Offering {
            id: OfferingId::new_v7(now()),
            provider,
            details: details.clone(),
            state: OfferingState::Published,
            version: 1,
        };
        offerings::insert(conn, &OfferingRecord { offering: offering.clone(), created_at: now(), updated_at: now() })
            .unwrap();
        let subscription = Subscription {
            id: SubscriptionId::new_v7(now()),
            agency,
            provider,
            offering: offering.id,
            kind: ServiceKind::Compute,
            quantities: BTreeMap::new(),
            add_ons: vec![],
            term: Term::new(utc(2026, 1, 1, 0), None).unwrap(),
            sla: details.role.own_sla().unwrap().clone(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::PreExisting,
            version: 1,
        };
        subscriptions::insert(conn, &subscription, now()).unwrap();
        Parties { provider, agency, subscription }
    }

    /// A rated record of `quantity` vCPU-hours in the hour from `start`, at 0.5 THB capped at
    /// 0.335, billed in `statement_month`.
    fn billed(
        p: &Parties,
        record_id: &str,
        quantity: &str,
        start: chrono::DateTime<Utc>,
        corrects: Option<&str>,
        statement_month: Month,
    ) -> BilledUsage {
        let record = UsageRecord::parse(&UsageRecordDraft {
            record_id: record_id.into(),
            subscription_id: p.subscription.id.to_string(),
            metric: "vcpu_hour".into(),
            quantity: quantity.into(),
            period_start: start,
            period_end: start + chrono::Duration::hours(1),
            corrects: corrects.map(Into::into),
        })
        .unwrap();
        let context = SubscriptionContext::of(&p.subscription, &[(Metric::VcpuHour, p.subscription.offering)].into());
        let rated: RatedUsage = rate_usage(
            UsageRecordId::new_v7(now()),
            record,
            &context,
            gsi_domain::time::to_storage_precision(now()),
            UnitPrice::parse("0.5").unwrap(),
            Some(UnitPrice::parse("0.335").unwrap()),
        )
        .unwrap();
        let kind = if statement_month > rated.usage_month() { LineKind::Adjustment } else { LineKind::Usage };
        BilledUsage { rated, statement_month, kind }
    }

    #[test]
    fn gsi_7_1_batches_are_stored_in_multi_row_chunks_and_read_back_rated() {
        each_backend(|conn| {
            let p = parties(conn, "หนึ่ง");
            // More than two INSERT chunks, with sub-microsecond noise in the period.
            let records: Vec<BilledUsage> = (0..1203)
                .map(|i| billed(&p, &format!("r{i:04}"), "3", utc(2026, 3, 2, 3), None, month(2026, 3)))
                .collect();
            write_tx(conn, |tx| usage::insert(tx, &records)).unwrap();
            assert_eq!(usage::count_for_provider(conn, p.provider).unwrap(), 1203);
            let back = usage::billed_on(conn, p.agency, p.provider, month(2026, 3)).unwrap();
            assert_eq!(back.len(), 1203);
            let mut expected = records.clone();
            expected.sort_by_key(|b| b.rated.id);
            assert_eq!(back, expected, "every field round-trips, in id order");
            assert_eq!(back[0].rated.rating.amount, Money::from_satang(101), "3 × 0.335 = 1.005 → 1.01");
            assert!(back[0].rated.rating.cap_applied);
            assert!(usage::billed_on(conn, p.agency, p.provider, month(2026, 4)).unwrap().is_empty());

            // The same provider record id again is refused by the database.
            let again = [billed(&p, "r0000", "3", utc(2026, 3, 2, 3), None, month(2026, 3))];
            assert!(matches!(usage::insert(conn, &again), Err(StoreError::UniqueViolation(_))));
        });
    }

    #[test]
    fn gsi_7_1_stored_records_come_back_with_the_net_quantity_of_originals() {
        each_backend(|conn| {
            let p = parties(conn, "สอง");
            let other = parties(conn, "สาม");
            let records = [
                billed(&p, "orig", "10", utc(2026, 3, 2, 3), None, month(2026, 3)),
                billed(&p, "fix-1", "-2.5", utc(2026, 3, 2, 3), Some("orig"), month(2026, 3)),
                billed(&p, "fix-2", "0.25", utc(2026, 3, 2, 3), Some("orig"), month(2026, 3)),
                billed(&p, "lonely", "1", utc(2026, 3, 2, 4), None, month(2026, 3)),
                // The same record id at another provider is another record.
                billed(&other, "orig", "99", utc(2026, 3, 2, 3), None, month(2026, 3)),
            ];
            usage::insert(conn, &records).unwrap();
            let ids: BTreeSet<ProviderRecordId> =
                ["orig", "fix-1", "lonely", "missing"].iter().map(|i| ProviderRecordId::parse(i).unwrap()).collect();
            let stored = usage::stored_for(conn, p.provider, &ids).unwrap();
            let net = |id: &str| stored[&ProviderRecordId::parse(id).unwrap()].net_quantity;
            assert_eq!(stored.len(), 3, "missing ids are absent");
            assert_eq!(net("orig"), Quantity::parse("7.75").unwrap());
            assert_eq!(net("lonely"), Quantity::parse("1").unwrap());
            assert_eq!(stored[&ProviderRecordId::parse("fix-1").unwrap()].record, records[1].rated.record);
        });
    }

    #[test]
    fn gsi_7_5_3_sums_per_month_subscription_and_metric_within_the_scope() {
        each_backend(|conn| {
            let p = parties(conn, "สี่");
            let other = parties(conn, "ห้า");
            let records = [
                billed(&p, "a", "3", utc(2026, 3, 2, 3), None, month(2026, 3)),
                billed(&p, "b", "3", utc(2026, 3, 5, 3), None, month(2026, 3)),
                billed(&p, "c", "-1.5", utc(2026, 3, 5, 3), Some("b"), month(2026, 3)),
                // 23:00 UTC on 31 January is February in Bangkok.
                billed(&p, "d", "1", utc(2026, 1, 31, 23), None, month(2026, 2)),
                // Late January usage billed in April.
                billed(&p, "e", "2", utc(2026, 1, 10, 0), None, month(2026, 4)),
                billed(&other, "x", "100", utc(2026, 3, 2, 3), None, month(2026, 3)),
            ];
            usage::insert(conn, &records).unwrap();
            let mut all = |scope, filter| usage::sums(conn, scope, filter, month(2026, 1), month(2026, 3)).unwrap();
            let mine = all(CostScope::Agency(p.agency), CostFilter::default());
            let got: Vec<(String, String, i64)> =
                mine.iter().map(|s| (s.month.to_string(), s.quantity.to_string(), s.amount.satang())).collect();
            // a + b + c: 3 + 3 − 1.5 = 4.5; 1.01 + 1.01 − 0.50 = 1.52 (a sum of rounded lines).
            assert_eq!(
                got,
                [
                    ("2026-01".into(), "2".into(), 67),
                    ("2026-02".into(), "1".into(), 34),
                    ("2026-03".into(), "4.5".into(), 152)
                ]
            );
            assert!(mine.iter().all(|s| s.subscription == p.subscription.id && s.metric == Metric::VcpuHour));
            assert_eq!(all(CostScope::Provider(other.provider), CostFilter::default()).len(), 1);
            assert_eq!(all(CostScope::Everything, CostFilter::default()).len(), 4);
            let filtered = CostFilter { agency: Some(other.agency), provider: None };
            assert!(all(CostScope::Provider(p.provider), filtered).is_empty(), "filters narrow the scope");
            assert!(all(CostScope::Nothing, CostFilter::default()).is_empty());
            let march = usage::sums(conn, CostScope::Everything, CostFilter::default(), month(2026, 3), month(2026, 3));
            assert_eq!(march.unwrap().len(), 2);
        });
    }

    #[test]
    fn gsi_7_1_usage_records_are_append_only() {
        each_backend(|conn| {
            let p = parties(conn, "หก");
            usage::insert(conn, &[billed(&p, "a", "1", utc(2026, 3, 2, 3), None, month(2026, 3))]).unwrap();
            let table = crate::schema::usage_records::table;
            let updated = diesel::update(table).set(crate::schema::usage_records::quantity.eq("2")).execute(conn);
            assert!(updated.is_err(), "an UPDATE is refused");
            assert!(diesel::delete(table).execute(conn).is_err(), "a DELETE is refused");
            assert_eq!(usage::count_for_provider(conn, p.provider).unwrap(), 1);
        });
    }

    #[test]
    fn corrupt_usage_rows_are_reported_not_hidden() {
        each_backend(|conn| {
            let p = parties(conn, "เจ็ด");
            usage::insert(conn, &[billed(&p, "a", "1", utc(2026, 3, 2, 3), None, month(2026, 3))]).unwrap();
            // Only a test may get past the append-only triggers.
            let (disable, enable) = match conn {
                DbConnection::Sqlite(_) => ("DROP TRIGGER usage_records_append_only_update;", ""),
                DbConnection::Postgresql(_) => (
                    "ALTER TABLE usage_records DISABLE TRIGGER usage_records_append_only;",
                    "ALTER TABLE usage_records ENABLE TRIGGER usage_records_append_only;",
                ),
            };
            conn.batch_execute(disable).unwrap();
            // The amount no longer matches its prices.
            diesel::update(crate::schema::usage_records::table)
                .set(crate::schema::usage_records::amount_satang.eq(5))
                .execute(conn)
                .unwrap();
            conn.batch_execute(enable).unwrap();
            assert!(matches!(
                usage::billed_on(conn, p.agency, p.provider, month(2026, 3)),
                Err(StoreError::CorruptRow(_))
            ));
        });
    }

    fn statement_of(p: &Parties, m: Month, lines: &[&BilledUsage]) -> Statement {
        let lines: Vec<StatementLine> = lines.iter().map(|b| b.line()).collect();
        Statement::from_parts(StatementId::new_v7(now()), p.agency, p.provider, m, None, lines)
    }

    #[test]
    fn gsi_7_5_3_statements_keep_their_totals_and_issued_ones_never_change() {
        each_backend(|conn| {
            let p = parties(conn, "แปด");
            let other = parties(conn, "เก้า");
            let a = billed(&p, "a", "3", utc(2026, 3, 2, 3), None, month(2026, 3));
            usage::insert(conn, std::slice::from_ref(&a)).unwrap();
            let march = StatementRecord::of(&statement_of(&p, month(2026, 3), &[&a]), now()).unwrap();
            let theirs = StatementRecord::of(&statement_of(&other, month(2026, 3), &[]), now()).unwrap();
            statements::insert(conn, &[march.clone(), theirs.clone()]).unwrap();
            assert_eq!(statements::find(conn, march.id).unwrap(), Some(march.clone()));

            // A second line, added to the open statement.
            let b = billed(&p, "b", "-1", utc(2026, 3, 2, 3), Some("a"), month(2026, 3));
            usage::insert(conn, std::slice::from_ref(&b)).unwrap();
            assert!(statements::add_lines(conn, march.id, b.rated.rating.amount, Money::ZERO, 1, now()).unwrap());
            let stored = statements::find(conn, march.id).unwrap().unwrap();
            assert_eq!((stored.total, stored.line_count, stored.version), (Money::from_satang(67), 2, 2));
            let full = statements::with_lines(conn, &stored).unwrap();
            assert_eq!(full.lines().len(), 2);
            assert_eq!(full.total().unwrap(), Money::from_satang(67));

            // Closing March issues every open statement of the provider for March, once.
            assert!(statements::issued_months(conn, p.provider).unwrap().is_empty());
            assert_eq!(statements::issue_open(conn, p.provider, month(2026, 3), now()).unwrap(), 1);
            assert_eq!(statements::issue_open(conn, p.provider, month(2026, 3), now()).unwrap(), 0);
            assert_eq!(statements::issued_months(conn, p.provider).unwrap(), [month(2026, 3)].into());
            let issued = statements::find(conn, march.id).unwrap().unwrap();
            assert_eq!((issued.status, issued.issued_at), (StatementStatus::Issued, Some(stored.updated_at)));
            assert!(!statements::add_lines(conn, march.id, Money::from_satang(1), Money::ZERO, 1, now()).unwrap());
            assert_eq!(statements::find(conn, march.id).unwrap().unwrap().total, Money::from_satang(67));
            assert!(statements::issued_months(conn, other.provider).unwrap().is_empty(), "per provider");

            let of_march = statements::of_months(conn, p.provider, &[month(2026, 3)].into()).unwrap();
            assert_eq!(of_march.iter().map(|s| s.id).collect::<Vec<_>>(), [march.id]);
            let page = PageRequest { after: None, limit: 10 };
            let mut ids = |scope, filter| -> Vec<StatementId> {
                statements::list(conn, scope, filter, page).unwrap().items.iter().map(|s| s.id).collect()
            };
            assert_eq!(ids(CostScope::Agency(p.agency), StatementFilter::default()), [march.id]);
            assert_eq!(ids(CostScope::Provider(other.provider), StatementFilter::default()), [theirs.id]);
            let mut both = vec![march.id, theirs.id];
            both.sort();
            assert_eq!(ids(CostScope::Everything, StatementFilter::default()), both, "in id order");
            let open = StatementFilter { status: Some(StatementStatus::Open), ..Default::default() };
            assert_eq!(ids(CostScope::Everything, open), [theirs.id]);
            let april = StatementFilter { month: Some(month(2026, 4)), ..Default::default() };
            assert!(ids(CostScope::Everything, april).is_empty());
            assert!(ids(CostScope::Nothing, StatementFilter::default()).is_empty());
        });
    }

    #[test]
    fn statement_totals_that_differ_from_their_lines_are_reported() {
        each_backend(|conn| {
            let p = parties(conn, "สิบ");
            let a = billed(&p, "a", "3", utc(2026, 3, 2, 3), None, month(2026, 3));
            usage::insert(conn, std::slice::from_ref(&a)).unwrap();
            // The row claims no lines.
            let record = StatementRecord::of(&statement_of(&p, month(2026, 3), &[]), now()).unwrap();
            statements::insert(conn, std::slice::from_ref(&record)).unwrap();
            assert!(matches!(statements::with_lines(conn, &record), Err(StoreError::CorruptRow(_))));
        });
    }

    #[test]
    fn subscriptions_load_by_ids_and_by_the_months_they_run() {
        each_backend(|conn| {
            let p = parties(conn, "สิบเอ็ด");
            let q = parties(conn, "สิบสอง");
            let unknown = SubscriptionId::new_v7(now());
            let found = subscriptions::find_many(conn, &[q.subscription.id, unknown, p.subscription.id]).unwrap();
            let mut expected = vec![p.subscription.id, q.subscription.id];
            expected.sort();
            assert_eq!(found.iter().map(|s| s.subscription.id).collect::<Vec<_>>(), expected);
            let mut served =
                |from, until| subscriptions::agencies_served_between(conn, p.provider, from, until).unwrap();
            assert_eq!(served(utc(2026, 3, 1, 0), utc(2026, 4, 1, 0)), [p.agency]);
            assert!(served(utc(2025, 11, 1, 0), utc(2026, 1, 1, 0)).is_empty(), "ends before the term starts");
        });
    }

    #[test]
    fn gsi_7_5_2_subscriptions_round_trip_scope_filter_and_update_by_version() {
        use gsi_domain::subscription::{SubscriptionFilter, SubscriptionScope};
        each_backend(|conn| {
            let p = parties(conn, "ยี่สิบ");
            let q = parties(conn, "ยี่สิบเอ็ด");
            let stored = subscriptions::find(conn, p.subscription.id).unwrap().unwrap();
            assert_eq!(stored.subscription, p.subscription, "quantities, SLA and term round-trip exactly");

            let page = PageRequest { after: None, limit: 10 };
            let ids = |conn: &mut DbConnection, scope, filter: &SubscriptionFilter| {
                subscriptions::list(conn, scope, filter, page)
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|s| s.subscription.id)
                    .collect::<Vec<_>>()
            };
            let all = SubscriptionFilter::default();
            assert_eq!(ids(conn, SubscriptionScope::OfAgency(p.agency), &all), [p.subscription.id]);
            assert_eq!(ids(conn, SubscriptionScope::ServedBy(q.provider), &all), [q.subscription.id]);
            assert!(ids(conn, SubscriptionScope::Nothing, &all).is_empty());
            assert_eq!(ids(conn, SubscriptionScope::Everything, &all).len(), 2);
            let before_term = SubscriptionFilter { until: Some(utc(2025, 12, 1, 0)), ..Default::default() };
            assert!(ids(conn, SubscriptionScope::Everything, &before_term).is_empty(), "terms start in January");

            assert!(subscriptions::provider_serves_agency(conn, p.provider, p.agency).unwrap());
            assert!(!subscriptions::provider_serves_agency(conn, p.provider, q.agency).unwrap());

            let suspended =
                Subscription { status: SubscriptionStatus::Suspended, version: 2, ..p.subscription.clone() };
            assert!(subscriptions::update_if_version(conn, &suspended, 1, now()).unwrap());
            assert!(!subscriptions::update_if_version(conn, &suspended, 1, now()).unwrap(), "stale version");
            let read = subscriptions::find(conn, p.subscription.id).unwrap().unwrap().subscription;
            assert_eq!((read.status, read.version), (SubscriptionStatus::Suspended, 2));
        });
    }

    #[test]
    fn the_provider_lock_is_taken_inside_a_write_transaction() {
        each_backend(|conn| {
            let p = parties(conn, "สิบสาม");
            write_tx(conn, |tx| {
                usage::lock_provider(tx, p.provider)?;
                usage::lock_provider(tx, p.provider)
            })
            .unwrap();
        });
    }
}
