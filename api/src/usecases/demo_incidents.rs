//! Demo incidents, outages and security events for `gsi-api serve --demo`, on the demo
//! subscriptions, written through the same use cases as real requests (so every rule and the
//! audit log apply). Last month has a planned maintenance announced five days ahead (excluded,
//! GSI-10.3) and a 47-minute fibre cut (counted), so the SLA figure for agency A's internet
//! service can be recomputed by hand: `GET /v1/subscriptions/{id}/sla?month=<last month>`.
//! Idempotent: fixed ids, created when absent.

use chrono::{DateTime, Duration, Utc};
use gsi_domain::calendar::Month;
use gsi_domain::incident::{IncidentAction, IncidentDraft, IncidentId, StepDraft};
use gsi_domain::outage::{ExclusionClaimDraft, OutageDraft, OutageId};
use gsi_domain::security_event::{SecurityEventAction, SecurityEventDraft, SecurityEventId};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use gsi_persistence::repos::{
    incidents as incident_repo, outages as outage_repo, security_events as security_event_repo,
};
use gsi_persistence::{DbConnection, write_tx};
use uuid::Uuid;

use super::demo::{DEMO_AGENCY_A, DEMO_AGENCY_B, DEMO_NETWORK_PROVIDER};
use super::demo_subscriptions::{DEMO_AGENCY_A_INTERNET, DEMO_AGENCY_B_INTRANET};
use super::{Context, incidents, outages, security_events};
use crate::error::ApiError;
use crate::http::etag::Precondition;

const fn incident(n: u128) -> IncidentId {
    IncidentId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0007_0100 | n))
}

const fn outage(n: u128) -> OutageId {
    OutageId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0007_0200 | n))
}

const fn security_event(n: u128) -> SecurityEventId {
    SecurityEventId::from_uuid(Uuid::from_u128(0x0000_0000_0000_7000_8000_0000_0007_0300 | n))
}

/// Last month's planned maintenance on agency A's internet service: excluded.
pub const DEMO_PLANNED_MAINTENANCE: OutageId = outage(0x01);
/// Last month's fibre cut on agency A's internet service: counted.
pub const DEMO_FIBRE_CUT: OutageId = outage(0x02);

fn actor(subject: &str, organisation: OrganisationId, role: Role) -> Result<Actor, ApiError> {
    Ok(Actor { subject: Subject::parse(subject).map_err(|e| ApiError::Internal(e.to_string()))?, organisation, role })
}

/// Who acts in the demo, and when.
struct Cast {
    request_id: String,
}

impl Cast {
    fn at(&self, actor: Actor, now: DateTime<Utc>) -> Context {
        Context { actor, request_id: self.request_id.clone(), now: gsi_domain::time::to_storage_precision(now) }
    }

    fn agency_a_user(&self, now: DateTime<Utc>) -> Result<Context, ApiError> {
        Ok(self.at(actor("demo-agency-a-user", DEMO_AGENCY_A, Role::AgencyUser)?, now))
    }

    fn agency_b_admin(&self, now: DateTime<Utc>) -> Result<Context, ApiError> {
        Ok(self.at(actor("demo-agency-b-admin", DEMO_AGENCY_B, Role::AgencyAdmin)?, now))
    }

    fn network(&self, now: DateTime<Utc>) -> Result<Context, ApiError> {
        Ok(self.at(actor("demo-network-operator", DEMO_NETWORK_PROVIDER, Role::ProviderOperator)?, now))
    }
}

fn step(action: IncidentAction, note: Option<&str>, hold_reason: Option<&str>) -> StepDraft {
    StepDraft { action, note: note.map(str::to_owned), hold_reason: hold_reason.map(str::to_owned) }
}

/// One step on a demo incident, by `ctx`, at `ctx.now`.
fn act(conn: &mut DbConnection, ctx: &Context, id: IncidentId, s: &StepDraft) -> Result<(), ApiError> {
    incidents::act(conn, ctx, id, &Precondition::Any, s).map(|_| ())
}

/// Seeds what is missing. Call after the demo organisations, providers and catalog exist.
pub fn seed_incidents(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<(), ApiError> {
    let now = gsi_domain::time::to_storage_precision(now);
    let cast = Cast { request_id: format!("demo-seed-{}", now.timestamp()) };
    // Agency A's Government Internet and agency B's intranet link, both served by the
    // network provider (see `demo_subscriptions`).
    let internet = DEMO_AGENCY_A_INTERNET;
    let intranet = DEMO_AGENCY_B_INTRANET;
    let last = Month::containing(now).previous();
    // Bangkok wall-clock time on a day of last month.
    let day = |d: i64, h: i64, m: i64| last.start() + Duration::days(d - 1) + Duration::hours(h) + Duration::minutes(m);

    // Last month: maintenance 10th 01:00–03:00 announced five days ahead (72 hours are
    // required), then a fibre cut on the 18th 14:20–15:07 that agency A reported.
    if outage_repo::find(conn, DEMO_PLANNED_MAINTENANCE)?.is_none() {
        let start = day(10, 1, 0);
        let draft = OutageDraft {
            subscriptions: vec![internet],
            started_at: start,
            ended_at: Some(start + Duration::hours(2)),
            cause: "Core router software upgrade at the Bang Rak node".into(),
            planned: true,
            announced_at: Some(start - Duration::days(5)),
            exclusion: Some(ExclusionClaimDraft {
                kind: "planned_maintenance".into(),
                reason:
                    "Announced to the agency by e-mail and in the portal five days ahead, within the 00:00–04:00 window"
                        .into(),
            }),
        };
        let ctx = cast.network(start + Duration::hours(2) + Duration::minutes(5))?;
        write_tx(conn, |tx| outages::record_as(tx, &ctx, DEMO_PLANNED_MAINTENANCE, &draft).map(|_| ()))?;
    }
    if outage_repo::find(conn, DEMO_FIBRE_CUT)?.is_none() {
        let start = day(18, 14, 20);
        let draft = OutageDraft {
            subscriptions: vec![internet],
            started_at: start,
            ended_at: None,
            cause: "Fibre cut by road works on Rama IV Road".into(),
            planned: false,
            announced_at: None,
            exclusion: None,
        };
        write_tx(conn, |tx| {
            outages::record_as(tx, &cast.network(start + Duration::minutes(2))?, DEMO_FIBRE_CUT, &draft)?;
            let end = start + Duration::minutes(47);
            outages::end(tx, &cast.network(end + Duration::minutes(1))?, DEMO_FIBRE_CUT, &Precondition::Any, end)
                .map(|_| ())
        })?;
    }
    if incident_repo::find(conn, incident(0x01))?.is_none() {
        let draft = IncidentDraft {
            title: "อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้ (HQ internet down)".into(),
            description: "No traffic on the headquarters circuit since 14:20; the e-service portal is unreachable."
                .into(),
            impact: "high".into(),
            urgency: "high".into(),
            channel: None,
            reported_at: None,
        };
        write_tx(conn, |tx| {
            let id = incident(0x01);
            incidents::report_as(tx, &cast.agency_a_user(day(18, 14, 25))?, id, internet, &draft)?;
            act(tx, &cast.network(day(18, 14, 31))?, id, &step(IncidentAction::Acknowledge, None, None))?;
            act(tx, &cast.network(day(18, 14, 33))?, id, &step(IncidentAction::StartWork, None, None))?;
            incidents::comment(
                tx,
                &cast.network(day(18, 14, 40))?,
                id,
                "Fibre cut located near the Rama IV / Wireless Road junction; splicing team dispatched.",
            )?;
            let resolve = step(IncidentAction::Resolve, Some("Fibre spliced; traffic restored at 15:07."), None);
            act(tx, &cast.network(day(18, 15, 10))?, id, &resolve)?;
            act(tx, &cast.agency_a_user(day(19, 9, 0))?, id, &step(IncidentAction::Close, None, None))
        })?;
    }
    if incident_repo::find(conn, incident(0x02))?.is_none() {
        let reported = now - Duration::hours(26);
        let draft = IncidentDraft {
            title: "Packet loss on the Chiang Mai branch link".into(),
            description: "Monitoring shows 4–7 % packet loss on the branch circuit during office hours.".into(),
            impact: "medium".into(),
            urgency: "high".into(),
            channel: Some("monitoring".into()),
            reported_at: Some(reported),
        };
        write_tx(conn, |tx| {
            let id = incident(0x02);
            incidents::report_as(tx, &cast.network(reported + Duration::minutes(1))?, id, internet, &draft)?;
            act(
                tx,
                &cast.network(reported + Duration::minutes(9))?,
                id,
                &step(IncidentAction::Acknowledge, None, None),
            )?;
            act(
                tx,
                &cast.network(reported + Duration::minutes(15))?,
                id,
                &step(IncidentAction::StartWork, None, None),
            )?;
            let hold = step(
                IncidentAction::PutOnHold,
                Some("Need access to the branch office's wiring closet to replace the CPE."),
                Some("awaiting_agency"),
            );
            act(tx, &cast.network(reported + Duration::hours(2))?, id, &hold)?;
            incidents::comment(
                tx,
                &cast.agency_a_user(reported + Duration::hours(3))?,
                id,
                "The branch manager will open the closet tomorrow from 09:00.",
            )
            .map(|_| ())
        })?;
    }
    if incident_repo::find(conn, incident(0x03))?.is_none() {
        let reported = now - Duration::hours(3);
        let draft = IncidentDraft {
            title: "Intranet link to the regional office drops packets".into(),
            description: "About 5% packet loss on the link to the Chiang Mai office since this morning.".into(),
            impact: "low".into(),
            urgency: "medium".into(),
            channel: None,
            reported_at: None,
        };
        write_tx(conn, |tx| {
            let id = incident(0x03);
            incidents::report_as(tx, &cast.agency_b_admin(reported)?, id, intranet, &draft)?;
            act(tx, &cast.network(reported + Duration::hours(1))?, id, &step(IncidentAction::Acknowledge, None, None))
        })?;
    }

    // Security events: a mitigated DDoS and a resolved vulnerability last month, a phishing
    // campaign and malware being cleaned now.
    let events: [(SecurityEventId, OrganisationId, SecurityEventDraft); 4] = [
        (
            security_event(0x01),
            DEMO_AGENCY_A,
            SecurityEventDraft {
                subscription: Some(internet),
                category: "ddos".into(),
                severity: "high".into(),
                detected_at: day(14, 10, 12),
                description: "UDP reflection flood of 18 Gbps towards the agency's public web address".into(),
                indicators: vec!["203.0.113.7".into(), "198.51.100.0/24".into()],
                actions_taken: vec!["Traffic diverted to the scrubbing centre".into()],
            },
        ),
        (
            security_event(0x02),
            DEMO_AGENCY_B,
            SecurityEventDraft {
                subscription: Some(intranet),
                category: "vulnerability".into(),
                severity: "medium".into(),
                detected_at: day(20, 9, 0),
                description:
                    "The customer-premises router's SSH service is affected by a published remote-code-execution flaw"
                        .into(),
                indicators: vec!["CVE-2024-6387".into()],
                actions_taken: vec![],
            },
        ),
        (
            security_event(0x03),
            DEMO_AGENCY_A,
            SecurityEventDraft {
                subscription: None,
                category: "phishing".into(),
                severity: "medium".into(),
                detected_at: now - Duration::hours(5),
                description: "E-mails impersonating the agency's director asking staff to confirm passwords".into(),
                indicators: vec!["trade-example-go-th.com".into(), "no-reply@trade-example-go-th.com".into()],
                actions_taken: vec!["Sender domain blocked at the provider's mail gateway".into()],
            },
        ),
        (
            security_event(0x04),
            DEMO_AGENCY_B,
            SecurityEventDraft {
                subscription: Some(intranet),
                category: "malware".into(),
                severity: "critical".into(),
                detected_at: now - Duration::hours(30),
                description: "Botnet command-and-control traffic from one host behind the intranet link".into(),
                indicators: vec!["sha256:9f2b5c0e4a1d7b3c8e6f0a2d4c6b8e0f1a3c5e7d9b1f3a5c7e9d1b3f5a7c9e1d".into()],
                actions_taken: vec!["VM isolated from the network".into()],
            },
        ),
    ];
    for (id, agency, draft) in &events {
        if security_event_repo::find(conn, *id)?.is_some() {
            continue;
        }
        let operator = |at: DateTime<Utc>| cast.network(at);
        let detected = draft.detected_at;
        write_tx(conn, |tx| {
            security_events::record_as(tx, &operator(detected + Duration::minutes(1))?, *id, *agency, draft)?;
            let mut advance = |minutes: i64, action, note: &str| {
                let ctx = operator(detected + Duration::minutes(minutes))?;
                security_events::advance(tx, &ctx, *id, &Precondition::Any, action, Some(note)).map(|_| ())
            };
            match *id {
                id if id == security_event(0x01) => {
                    advance(3, SecurityEventAction::StartMitigation, "Scrubbing centre engaged")?;
                    advance(88, SecurityEventAction::Resolve, "Flood subsided; diversion withdrawn")
                }
                id if id == security_event(0x02) => {
                    advance(240, SecurityEventAction::Resolve, "Images patched and redeployed")
                }
                id if id == security_event(0x04) => {
                    advance(20, SecurityEventAction::StartMitigation, "Forensic image taken; VM being rebuilt")
                }
                _ => Ok(()),
            }
        })?;
    }
    Ok(())
}
