//! Demo governance evidence (GSI-6.4, 11.1-11.4, 12.1, 12.2): the demo assessor accredited by
//! GIX, three verified ISO certificates and three staff members per demo provider, one
//! assessment with findings and a certification each, so that both demo providers are on the derived provider list. The
//! cloud provider's ISO/IEC 27001 lapses 20 days after seeding, so the expiry watch and the
//! change log show something. Written through the same use cases as real requests;
//! idempotent: each part is written only when absent.

use chrono::{DateTime, Days, Utc};
use gsi_domain::governance::accreditation::AccreditationDraft;
use gsi_domain::governance::assessment::{AssessmentDraft, DecisionDraft, FindingDraft};
use gsi_domain::governance::certificate::CertificateDraft;
use gsi_domain::governance::period::{IsoStandard, bangkok_date};
use gsi_domain::governance::personnel::{CertificationDraft, StaffDraft};
use gsi_domain::org::GIX_ORGANISATION_ID;
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::{governance as repo, organisations as organisation_repo};
use gsi_persistence::{DbConnection, write_tx};

use super::demo::{DEMO_ASSESSOR, DEMO_CLOUD_PROVIDER, DEMO_NETWORK_PROVIDER};
use super::{Context, assessments};
use crate::error::ApiError;

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

fn days(n: u64) -> Days {
    Days::new(n)
}

pub fn seed_governance(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let now = gsi_domain::time::to_storage_precision(now);
    let today = bangkok_date(now);
    let ctx = |subject: &str, org, role| -> Result<Context, ApiError> {
        Ok(Context { actor: actor(subject, org, role)?, request_id: format!("demo-seed-{}", now.timestamp()), now })
    };
    if organisation_repo::find(conn, DEMO_ASSESSOR)?.is_none() {
        return Ok(());
    }
    let gix = ctx("gsi-demo-seed", GIX_ORGANISATION_ID, Role::GixOfficer)?;
    let assessor = ctx("demo-assessor", DEMO_ASSESSOR, Role::Assessor)?;
    write_tx(conn, |tx| {
        if repo::accreditations(tx, Some(&[DEMO_ASSESSOR]))?.is_empty() {
            let draft = AccreditationDraft {
                families: vec!["network".into(), "cloud".into(), "data_center".into()],
                valid_from: today.checked_sub_days(days(365)),
                valid_until: today.checked_add_days(days(2 * 365)),
            };
            assessments::accredit(tx, &gix, DEMO_ASSESSOR, &draft)?;
        }
        Ok::<_, ApiError>(())
    })?;
    let providers: [(OrganisationId, &str, &[&str], u64); 2] = [
        (DEMO_NETWORK_PROVIDER, "demo-network-operator", &["network"], 700),
        (DEMO_CLOUD_PROVIDER, "demo-cloud-operator", &["cloud", "data_center"], 20),
    ];
    for (provider, operator, families, iso27001_days) in providers {
        if organisation_repo::find(conn, provider)?.is_none() {
            continue;
        }
        let operator = ctx(operator, provider, Role::ProviderOperator)?;
        write_tx(conn, |tx| {
            if !repo::certificates(tx, Some(&[provider]))?.is_empty() {
                return Ok(());
            }
            for standard in IsoStandard::ALL {
                let until = if *standard == IsoStandard::Iso27001 { iso27001_days } else { 800 };
                let draft = CertificateDraft {
                    standard: standard.as_str().into(),
                    number: format!("DEMO-{}-{}", standard.as_str().to_uppercase(), &provider.to_string()[24..]),
                    issuing_body: "Example Certification Body (Thailand) Co., Ltd.".into(),
                    families: families.iter().map(|f| (*f).to_owned()).collect(),
                    valid_from: today.checked_sub_days(days(300)),
                    valid_until: today.checked_add_days(days(until)),
                    evidence_ref: format!("https://dms.example/demo/{}.pdf", standard.as_str()),
                };
                let c = assessments::record_certificate(tx, &operator, provider, &draft)?;
                assessments::verify_certificate(tx, &assessor, c.id)?;
            }
            Ok::<_, ApiError>(())
        })?;
        write_tx(conn, |tx| {
            if !repo::staff(tx, Some(&[provider]))?.is_empty() {
                return Ok(());
            }
            let area = families[0];
            for (n, (name, cert_days)) in
                [("สมชาย ใจดี", 400u64), ("วิภา แสงทอง", 25), ("Anan K.", 500)].into_iter().enumerate()
            {
                let draft = StaffDraft {
                    staff_ref: format!("EMP-{:04}", n + 1),
                    display_name: name.into(),
                    certifications: vec![
                        CertificationDraft {
                            area: area.into(),
                            name: format!("{area} engineering professional"),
                            issuer: "Example Vendor Academy".into(),
                            expires_on: today.checked_add_days(days(cert_days)),
                        },
                        CertificationDraft {
                            area: "security".into(),
                            name: "Security operations".into(),
                            issuer: "Example Security Institute".into(),
                            expires_on: today.checked_add_days(days(300)),
                        },
                    ],
                    criminal_record_checked_on: today.checked_sub_days(days(200)),
                    nda_signed_on: today.checked_sub_days(days(190)),
                };
                assessments::record_staff(tx, &operator, provider, &draft)?;
            }
            Ok::<_, ApiError>(())
        })?;
        write_tx(conn, |tx| {
            if !repo::certifications(tx, Some(&[provider]))?.is_empty() {
                return Ok(());
            }
            let performed = today.checked_sub_days(days(14));
            let draft = AssessmentDraft {
                provider: Some(provider),
                kind: "initial".into(),
                families: families.iter().map(|f| (*f).to_owned()).collect(),
                planned_on: performed,
                performed_on: performed,
                consent_ref: "Demo: consent to inspection signed by the provider's managing director (GSI-11.4)".into(),
            };
            let v = assessments::create_assessment(tx, &assessor, &draft)?;
            let id = v.assessment.id;
            for (clause, result, note) in [
                ("GSI-6.4", "conforms", None),
                ("GSI-7.4", "conforms", None),
                ("GSI-8.1", "conforms", None),
                ("GSI-7.3", "minor_nonconformity", Some("Fault-report categories not yet published on the portal")),
            ] {
                let finding = FindingDraft {
                    clause: clause.into(),
                    result: result.into(),
                    evidence_refs: vec!["Demo evidence pack 2026/01".into()],
                    note: note.map(Into::into),
                    closes: None,
                };
                assessments::add_finding(tx, &assessor, id, &finding)?;
            }
            let decision = DecisionDraft {
                outcome: "certify".into(),
                note: "Demo: conforms; one minor nonconformity on GSI-7.3 to follow up at surveillance".into(),
                certified_on: None,
                valid_until: None,
            };
            assessments::decide(tx, &assessor, id, &decision)?;
            Ok::<_, ApiError>(())
        })?;
    }
    Ok(())
}
