//! Demo provider profiles (GSI-6.1, 6.2, 7.4, 10.3), written through the same use cases as
//! real requests. Idempotent: a profile is written only when absent. Their listing follows
//! from the evidence `demo_governance` seeds.

use chrono::{DateTime, Utc};
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::provider::{ProviderProfileDraft, ServiceExclusionDraft, SupportChannelsDraft};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::{organisations as organisation_repo, provider_profiles};
use gsi_persistence::{DbConnection, write_tx};

use super::demo::{DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::{Context, provider_profiles as profile_usecases};
use crate::error::ApiError;

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

fn exclusion(kind: &str, notice_hours: Option<u32>, text: &str) -> ServiceExclusionDraft {
    ServiceExclusionDraft { kind: kind.into(), notice_hours, text: text.into() }
}

/// The network provider: a public company limited (registration number with a valid check
/// digit: 0107544000108).
fn network_profile() -> ProviderProfileDraft {
    ProviderProfileDraft {
        legal_status: "juristic_person".into(),
        registration_number: Some("0-1075-44000-10-8".into()),
        families: vec!["network".into()],
        support: SupportChannelsDraft {
            phone: Some("02-555-1000".into()),
            email: Some("noc@gov-network-example.co.th".into()),
            self_service_url: Some("https://selfservice.gov-network-example.co.th".into()),
        },
        exclusions: vec![
            exclusion(
                "planned_maintenance",
                Some(72),
                "Planned maintenance announced to the agency at least 72 hours ahead, between 00:00 and 04:00",
            ),
            exclusion("third_party_network", None, "Failures of international links and networks we do not operate"),
            exclusion("force_majeure", None, "Natural disasters, war, unrest and orders of the authorities"),
        ],
    }
}

/// The cloud and data-center provider: a company limited (0107536000102, valid check digit).
fn cloud_profile() -> ProviderProfileDraft {
    ProviderProfileDraft {
        legal_status: "juristic_person".into(),
        registration_number: Some("0107536000102".into()),
        families: vec!["cloud".into(), "data_center".into()],
        support: SupportChannelsDraft {
            phone: Some("+66 2 555 2000".into()),
            email: Some("support@cloud-dc-example.co.th".into()),
            self_service_url: Some("https://portal.cloud-dc-example.co.th/gsi".into()),
        },
        exclusions: vec![
            exclusion("planned_maintenance", Some(72), "ปิดปรับปรุงระบบตามแผนที่แจ้งหน่วยงานล่วงหน้าอย่างน้อย 72 ชั่วโมง"),
            exclusion(
                "customer_caused",
                None,
                "Outages caused by the agency's own configuration, software or requests",
            ),
            exclusion("force_majeure", None, "Natural disasters, war, unrest and orders of the authorities"),
        ],
    }
}

/// Gives the two demo providers their profiles (their listing follows from the governance
/// evidence `demo_governance` seeds). Call after the demo organisations exist.
pub fn seed_providers(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let now = gsi_domain::time::to_storage_precision(now);
    let seeder = Context {
        actor: actor("gsi-demo-seed", GIX_ORGANISATION_ID, Role::GixOfficer)?,
        request_id: format!("demo-seed-{}", now.timestamp()),
        now,
    };
    for (provider, draft) in [(DEMO_NETWORK_PROVIDER, network_profile()), (DEMO_CLOUD_PROVIDER, cloud_profile())] {
        if organisation_repo::find(conn, provider)?.is_none() {
            continue;
        }
        write_tx(conn, |tx| {
            if provider_profiles::find(tx, provider)?.is_none() {
                let operator = Context {
                    actor: actor("demo-seed-provider-operator", provider, Role::ProviderOperator)?,
                    ..seeder.clone()
                };
                profile_usecases::put(tx, &operator, provider, None, &draft)?;
            }
            Ok::<_, ApiError>(())
        })?;
    }
    Ok(())
}
