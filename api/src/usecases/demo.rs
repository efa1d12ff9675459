//! Demo data for `gsi-api serve --demo`: a small, realistic set of organisations with
//! filled-in agency profiles, written through the same use cases as real requests (so the
//! audit log shows them too). Seeding is idempotent: fixed ids, created when absent.

use chrono::{DateTime, Utc};
use gsi_domain::agency_profile::{AgencyProfileDraft, ContactChannelDraft, CoordinatorDraft};
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::organisations as organisation_repo;
use gsi_persistence::{DbConnection, write_tx};
use uuid::Uuid;

use super::organisations::RegistrationDraft;
use super::{Context, agency_profiles, organisations};
use crate::error::ApiError;
use crate::http::etag::Precondition;

pub const DEMO_AGENCY_A: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0a01));
pub const DEMO_AGENCY_B: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0a02));
pub const DEMO_NETWORK_PROVIDER: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0b01));
pub const DEMO_CLOUD_PROVIDER: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0b02));
pub const DEMO_ASSESSOR: OrganisationId =
    OrganisationId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0000_0c01));

/// One demo login: who to issue a token for.
pub struct DemoIdentity {
    pub label: &'static str,
    pub actor: Actor,
}

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

/// The identities `--demo` prints tokens for, one per role.
pub fn identities() -> Result<Vec<DemoIdentity>, ApiError> {
    Ok(vec![
        DemoIdentity {
            label: "GIX officer (central agency)",
            actor: actor("demo-gix-officer", GIX_ORGANISATION_ID, Role::GixOfficer)?,
        },
        DemoIdentity {
            label: "Agency admin, กรมส่งเสริมการค้าตัวอย่าง (agency A)",
            actor: actor("demo-agency-a-admin", DEMO_AGENCY_A, Role::AgencyAdmin)?,
        },
        DemoIdentity {
            label: "Agency user, กรมส่งเสริมการค้าตัวอย่าง (agency A)",
            actor: actor("demo-agency-a-user", DEMO_AGENCY_A, Role::AgencyUser)?,
        },
        DemoIdentity {
            label: "Agency admin, สำนักงานสถิติตัวอย่าง (agency B)",
            actor: actor("demo-agency-b-admin", DEMO_AGENCY_B, Role::AgencyAdmin)?,
        },
        DemoIdentity {
            label: "Provider operator, network provider",
            actor: actor("demo-network-operator", DEMO_NETWORK_PROVIDER, Role::ProviderOperator)?,
        },
        DemoIdentity {
            label: "Provider operator, cloud and data-center provider",
            actor: actor("demo-cloud-operator", DEMO_CLOUD_PROVIDER, Role::ProviderOperator)?,
        },
        DemoIdentity { label: "Assessor (GCAB)", actor: actor("demo-assessor", DEMO_ASSESSOR, Role::Assessor)? },
    ])
}

struct DemoOrganisation {
    id: OrganisationId,
    kind: &'static str,
    name_th: &'static str,
    name_en: &'static str,
}

const ORGANISATIONS: [DemoOrganisation; 5] = [
    DemoOrganisation {
        id: DEMO_AGENCY_A,
        kind: "agency",
        name_th: "กรมส่งเสริมการค้าตัวอย่าง",
        name_en: "Department of Example Trade Promotion",
    },
    DemoOrganisation {
        id: DEMO_AGENCY_B,
        kind: "agency",
        name_th: "สำนักงานสถิติตัวอย่าง",
        name_en: "Example Statistics Office",
    },
    DemoOrganisation {
        id: DEMO_NETWORK_PROVIDER,
        kind: "provider",
        name_th: "บริษัท เครือข่ายภาครัฐตัวอย่าง จำกัด (มหาชน)",
        name_en: "Example Government Network PCL",
    },
    DemoOrganisation {
        id: DEMO_CLOUD_PROVIDER,
        kind: "provider",
        name_th: "บริษัท คลาวด์และศูนย์ข้อมูลตัวอย่าง จำกัด",
        name_en: "Example Cloud and Data Center Co., Ltd.",
    },
    DemoOrganisation {
        id: DEMO_ASSESSOR,
        kind: "assessor",
        name_th: "สถาบันรับรองมาตรฐานตัวอย่าง",
        name_en: "Example Certification Body",
    },
];

fn profile_a() -> AgencyProfileDraft {
    AgencyProfileDraft {
        name_th: "กรมส่งเสริมการค้าตัวอย่าง".into(),
        name_en: Some("Department of Example Trade Promotion".into()),
        parent_ministry: Some("กระทรวงพาณิชย์".into()),
        address: Some("563 ถนนนนทบุรี ตำบลบางกระสอ อำเภอเมืองนนทบุรี จังหวัดนนทบุรี 11000".into()),
        coordinators: vec![
            CoordinatorDraft {
                name: "สมชาย ใจดี".into(),
                position: "ผู้อำนวยการศูนย์เทคโนโลยีสารสนเทศและการสื่อสาร".into(),
                email: "somchai.j@trade-example.go.th".into(),
                phone: "02-507-7999".into(),
                is_primary: true,
            },
            CoordinatorDraft {
                name: "สุดา รักงาน".into(),
                position: "นักวิชาการคอมพิวเตอร์ชำนาญการ".into(),
                email: "suda.r@trade-example.go.th".into(),
                phone: "+66 81 234 5678".into(),
                is_primary: false,
            },
        ],
        contact_channels: vec![
            ContactChannelDraft {
                kind: "phone".into(),
                value: "02-507-7000".into(),
                label: Some("Switchboard".into()),
            },
            ContactChannelDraft {
                kind: "email".into(),
                value: "it-helpdesk@trade-example.go.th".into(),
                label: Some("IT help desk".into()),
            },
            ContactChannelDraft {
                kind: "website".into(),
                value: "https://www.trade-example.go.th".into(),
                label: None,
            },
        ],
    }
}

fn profile_b() -> AgencyProfileDraft {
    AgencyProfileDraft {
        name_th: "สำนักงานสถิติตัวอย่าง".into(),
        name_en: Some("Example Statistics Office".into()),
        parent_ministry: Some("กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม".into()),
        address: Some("120 ถนนแจ้งวัฒนะ แขวงทุ่งสองห้อง เขตหลักสี่ กรุงเทพมหานคร 10210".into()),
        coordinators: vec![CoordinatorDraft {
            name: "วิภา แสงทอง".into(),
            position: "หัวหน้ากลุ่มโครงสร้างพื้นฐานดิจิทัล".into(),
            email: "wipa.s@stat-example.go.th".into(),
            phone: "02-141-7500".into(),
            is_primary: true,
        }],
        contact_channels: vec![ContactChannelDraft {
            kind: "email".into(),
            value: "infra@stat-example.go.th".into(),
            label: None,
        }],
    }
}

/// Creates the demo organisations and profiles that are missing; returns how many
/// organisations it created.
pub fn seed(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, ApiError> {
    let seeder = Context {
        actor: actor("gsi-demo-seed", GIX_ORGANISATION_ID, Role::GixOfficer)?,
        request_id: format!("demo-seed-{}", now.timestamp()),
        now,
    };
    let mut created = 0;
    for org in &ORGANISATIONS {
        let exists = organisation_repo::find(conn, org.id)?.is_some();
        if exists {
            continue;
        }
        write_tx(conn, |tx| {
            organisations::register_as(
                tx,
                &seeder,
                org.id,
                &RegistrationDraft {
                    kind: org.kind.to_owned(),
                    name_th: org.name_th.to_owned(),
                    name_en: Some(org.name_en.to_owned()),
                },
            )?;
            let profile = match org.id {
                id if id == DEMO_AGENCY_A => Some(profile_a()),
                id if id == DEMO_AGENCY_B => Some(profile_b()),
                _ => None,
            };
            if let Some(draft) = profile {
                let admin =
                    Context { actor: actor("demo-seed-agency-admin", org.id, Role::AgencyAdmin)?, ..seeder.clone() };
                agency_profiles::update(tx, &admin, org.id, &Precondition::Any, &draft)?;
            }
            Ok::<_, ApiError>(())
        })?;
        created += 1;
    }
    super::demo_providers::seed_providers(conn, now)?;
    super::demo_governance::seed_governance(conn, now)?;
    super::demo_catalog::seed_catalog(conn, now)?;
    super::demo_subscriptions::seed_subscriptions(conn, now)?;
    super::demo_incidents::seed_incidents(conn, now)?;
    super::demo_usage::seed_usage(conn, now)?;
    super::demo_reports::seed_reports(conn, now)?;
    Ok(created)
}
