//! Demo catalog for `gsi-api serve --demo`: GIX's reference prices for the fiscal year and
//! a published catalog for the two demo providers, written through the same use cases as
//! real requests (so publication checks every price against its cap, GSI-7.1, and the
//! audit log shows it all). Idempotent: fixed ids, created when absent.

use chrono::{DateTime, Utc};
use gsi_domain::calendar::FiscalYear;
use gsi_domain::catalog::{CapacityLimitDraft, OfferingDraft, OfferingId, PricingLineDraft};
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::pricing::{ReferencePriceDraft, ReferencePriceId};
use gsi_domain::sla_terms::SlaTermsDraft;
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::{offerings as offering_repo, reference_prices as reference_price_repo};
use gsi_persistence::{DbConnection, write_tx};
use uuid::Uuid;

use super::demo::{DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::{Context, offerings, reference_prices};
use crate::error::ApiError;
use crate::http::etag::Precondition;

const fn offering(n: u128) -> OfferingId {
    OfferingId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0002_0000 | n))
}

const fn reference_price(n: u128) -> ReferencePriceId {
    ReferencePriceId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0001_0000 | n))
}

/// Government Internet (GSI-3.6) of the demo network provider, priced per Mbps-month.
pub const DEMO_GOV_INTERNET_OFFERING: OfferingId = offering(0x01);
/// Add-on to the Government Internet offering: extra public IPv4 addresses.
pub const DEMO_PUBLIC_IP_ADD_ON: OfferingId = offering(0x02);
/// Government Intranet (GSI-3.7) of the demo network provider.
pub const DEMO_GOV_INTRANET_OFFERING: OfferingId = offering(0x03);
/// Cloud compute of the demo cloud provider: vCPU-hours, RAM GB-hours, storage GB-months.
pub const DEMO_CLOUD_COMPUTE_OFFERING: OfferingId = offering(0x11);
/// Add-on to the cloud compute offering: backup storage per GB-month.
pub const DEMO_BACKUP_ADD_ON: OfferingId = offering(0x12);
/// Colocation of the demo cloud and data-center provider: rack units and metered power.
pub const DEMO_COLOCATION_OFFERING: OfferingId = offering(0x21);

/// The caps (THB per unit) GIX sets for the fiscal year; every demo price is at or under them.
const REFERENCE_PRICES: [(u128, &str, &str, &str); 10] = [
    (0x01, "government_internet", "mbps_month", "350"),
    (0x02, "government_internet", "public_ip_month", "250"),
    (0x03, "government_intranet", "mbps_month", "220"),
    (0x04, "compute", "vcpu_hour", "1.20"),
    (0x05, "compute", "ram_gb_hour", "0.35"),
    (0x06, "compute", "storage_gb_month", "4.50"),
    (0x07, "storage", "storage_gb_month", "3.50"),
    (0x08, "backup", "backup_gb_month", "2.50"),
    (0x09, "colocation", "rack_unit_month", "1500"),
    (0x0a, "colocation", "kwh", "6.50"),
];

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

fn sla(availability: &str, outages: u32, mttr: u32, p1: (u32, u32)) -> SlaTermsDraft {
    SlaTermsDraft {
        availability_percent: availability.into(),
        max_unplanned_outages_per_month: outages,
        max_mean_time_to_restore_minutes: mttr,
        priorities: vec![
            ("p1".into(), p1.0, p1.1),
            ("p2".into(), 30, 480),
            ("p3".into(), 120, 1440),
            ("p4".into(), 480, 4320),
        ],
        credit_tiers: vec![
            (availability.into(), "10".into()),
            ("99.0".into(), "25".into()),
            ("95.0".into(), "50".into()),
        ],
    }
}

fn price(metric: &str, unit_price: &str) -> PricingLineDraft {
    PricingLineDraft { metric: metric.into(), unit_price: unit_price.into() }
}

fn limit(metric: &str, per_subscription: Option<&str>, total: Option<&str>) -> CapacityLimitDraft {
    CapacityLimitDraft {
        metric: metric.into(),
        max_per_subscription: per_subscription.map(Into::into),
        provider_total: total.map(Into::into),
    }
}

/// The demo offerings, bases before their add-ons.
fn catalog() -> Vec<(OfferingId, OrganisationId, OfferingDraft)> {
    vec![
        (
            DEMO_GOV_INTERNET_OFFERING,
            DEMO_NETWORK_PROVIDER,
            OfferingDraft {
                family: "network".into(),
                kind: "government_internet".into(),
                name: "อินเทอร์เน็ตภาครัฐ (Government Internet)".into(),
                description: Some(
                    "อินเทอร์เน็ตความเร็วสูงแบบ dedicated สำหรับหน่วยงานของรัฐ ผ่านโครงข่ายสำรองสองเส้นทาง คิดค่าบริการตามแบนด์วิดท์ต่อเดือน".into(),
                ),
                base_offering_id: None,
                pricing: vec![price("mbps_month", "320")],
                sla: Some(sla("99.9", 3, 240, (15, 240))),
                capacity: vec![limit("mbps_month", Some("10000"), Some("100000"))],
            },
        ),
        (
            DEMO_PUBLIC_IP_ADD_ON,
            DEMO_NETWORK_PROVIDER,
            OfferingDraft {
                family: "network".into(),
                kind: "government_internet".into(),
                name: "IPv4 สาธารณะเพิ่มเติม (Additional public IPv4)".into(),
                description: Some("หมายเลข IPv4 สาธารณะเพิ่มเติมสำหรับบริการอินเทอร์เน็ตภาครัฐ คิดต่อหมายเลขต่อเดือน".into()),
                base_offering_id: Some(DEMO_GOV_INTERNET_OFFERING),
                pricing: vec![price("public_ip_month", "200")],
                sla: None,
                capacity: vec![limit("public_ip_month", Some("64"), Some("4096"))],
            },
        ),
        (
            DEMO_GOV_INTRANET_OFFERING,
            DEMO_NETWORK_PROVIDER,
            OfferingDraft {
                family: "network".into(),
                kind: "government_intranet".into(),
                name: "เครือข่ายระหว่างหน่วยงานภาครัฐ (Government Intranet)".into(),
                description: Some("วงจรเชื่อมโยงระหว่างหน่วยงานของรัฐเพื่อแลกเปลี่ยนข้อมูล แยกจากอินเทอร์เน็ต".into()),
                base_offering_id: None,
                pricing: vec![price("mbps_month", "180")],
                sla: Some(sla("99.95", 2, 180, (15, 180))),
                capacity: vec![limit("mbps_month", Some("1000"), Some("20000"))],
            },
        ),
        (
            DEMO_CLOUD_COMPUTE_OFFERING,
            DEMO_CLOUD_PROVIDER,
            OfferingDraft {
                family: "cloud".into(),
                kind: "compute".into(),
                name: "GovCloud Compute".into(),
                description: Some("เครื่องเสมือน (VM) ในศูนย์ข้อมูลในประเทศไทย คิดตามการใช้งานจริงรายชั่วโมง พร้อมดิสก์ต่อ GB ต่อเดือน".into()),
                base_offering_id: None,
                pricing: vec![
                    price("vcpu_hour", "1.05"),
                    price("ram_gb_hour", "0.30"),
                    price("storage_gb_month", "4.00"),
                ],
                sla: Some(sla("99.95", 2, 120, (15, 120))),
                capacity: vec![
                    limit("vcpu_hour", Some("128"), Some("4000")),
                    limit("ram_gb_hour", Some("512"), Some("16000")),
                    limit("storage_gb_month", Some("50000"), Some("2000000")),
                ],
            },
        ),
        (
            DEMO_BACKUP_ADD_ON,
            DEMO_CLOUD_PROVIDER,
            OfferingDraft {
                family: "cloud".into(),
                kind: "backup".into(),
                name: "GovCloud Backup".into(),
                description: Some("สำรองข้อมูลเครื่องเสมือนรายวัน เก็บ 30 วัน ในศูนย์ข้อมูลสำรองอีกแห่ง".into()),
                base_offering_id: Some(DEMO_CLOUD_COMPUTE_OFFERING),
                pricing: vec![price("backup_gb_month", "2.20")],
                sla: None,
                capacity: vec![limit("backup_gb_month", Some("100000"), None)],
            },
        ),
        (
            DEMO_COLOCATION_OFFERING,
            DEMO_CLOUD_PROVIDER,
            OfferingDraft {
                family: "data_center".into(),
                kind: "colocation".into(),
                name: "Colocation Tier III".into(),
                description: Some("พื้นที่วางเครื่องในศูนย์ข้อมูลมาตรฐาน Tier III คิดต่อยูนิตต่อเดือน และค่าไฟฟ้าตามหน่วยที่ใช้จริง".into()),
                base_offering_id: None,
                pricing: vec![price("rack_unit_month", "1350"), price("kwh", "6.00")],
                sla: Some(sla("99.98", 1, 120, (15, 120))),
                capacity: vec![limit("rack_unit_month", Some("42"), Some("1680"))],
            },
        ),
    ]
}

/// Sets the demo reference prices and publishes the demo catalog, skipping what exists.
/// Call after the demo organisations exist.
pub fn seed_catalog(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let gix = Context {
        actor: actor("gsi-demo-seed", GIX_ORGANISATION_ID, Role::GixOfficer)?,
        request_id: format!("demo-seed-{}", now.timestamp()),
        now,
    };
    let fiscal_year = FiscalYear::containing(now);
    let basis = format!(
        "ประกาศคณะกรรมการพัฒนารัฐบาลดิจิทัล เรื่อง ราคากลางบริการโครงสร้างพื้นฐานดิจิทัลภาครัฐ ปีงบประมาณ พ.ศ. {}",
        fiscal_year.buddhist_era()
    );
    for (n, kind, metric, unit_price) in REFERENCE_PRICES {
        let id = reference_price(n);
        if reference_price_repo::find(conn, id)?.is_some() {
            continue;
        }
        let draft = ReferencePriceDraft {
            kind: kind.into(),
            metric: metric.into(),
            unit_price: unit_price.into(),
            valid_from: fiscal_year.start(),
            valid_until: None,
            basis: Some(basis.clone()),
        };
        write_tx(conn, |tx| reference_prices::set_as(tx, &gix, id, &draft).map(|_| ()))?;
    }
    for (id, provider, draft) in catalog() {
        if offering_repo::find(conn, id)?.is_some() {
            continue;
        }
        let operator =
            Context { actor: actor("demo-seed-provider-operator", provider, Role::ProviderOperator)?, ..gix.clone() };
        write_tx(conn, |tx| {
            offerings::create_as(tx, &operator, id, &draft)?;
            offerings::publish(tx, &operator, id, &Precondition::Any).map(|_| ())
        })?;
    }
    Ok(())
}
