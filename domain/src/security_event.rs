//! Security events (GSI-7.5.4, 8.2): the attacks, threats, viruses and malware the
//! provider's security staff detect on what it serves an agency, what they did about
//! them, and monthly summaries the agency can read.
//!
//! Lifecycle (one transition function, [`transition`]):
//!
//! ```text
//! detected ─start_mitigation→ mitigating ─resolve→ resolved
//! detected ─resolve→ resolved      (blocked automatically, informational, false positive)
//! ```

use chrono::{DateTime, Utc};

use crate::access::Access;
use crate::calendar::Month;
use crate::ids::{Id, OrganisationId};
use crate::role::{Actor, Role};
use crate::service::vocabulary;
use crate::subscription_ref::{SubscriptionId, SubscriptionParties};
use crate::text::BoundedText;
use crate::time::to_storage_precision;
use crate::validation::ValidationErrors;

/// Marker for security event ids.
pub enum SecurityEventMarker {}
pub type SecurityEventId = Id<SecurityEventMarker>;

pub const DESCRIPTION_MAX: usize = 4000;
pub const INDICATOR_MAX: usize = 500;
pub const MAX_INDICATORS: usize = 50;
pub const ACTION_MAX: usize = 2000;
pub const MAX_ACTIONS: usize = 50;

vocabulary!(
    /// GSI-7.5.4: what kind of threat.
    SecurityCategory, "security event category" {
        Ddos => "ddos",
        IntrusionAttempt => "intrusion_attempt",
        Malware => "malware",
        Virus => "virus",
        Phishing => "phishing",
        Vulnerability => "vulnerability",
        ThreatIntel => "threat_intel",
        DataLeak => "data_leak",
        Other => "other",
    }
);

vocabulary!(
    /// How serious, most serious first.
    Severity, "severity" {
        Critical => "critical",
        High => "high",
        Medium => "medium",
        Low => "low",
        Info => "info",
    }
);

vocabulary!(
    SecurityEventStatus, "security event status" {
        Detected => "detected",
        Mitigating => "mitigating",
        Resolved => "resolved",
    }
);

vocabulary!(
    SecurityEventAction, "security event action" {
        StartMitigation => "start_mitigation",
        Resolve => "resolve",
    }
);

/// The status an action leads to, or `None` where it is not allowed. Resolving straight
/// from `detected` covers threats blocked automatically, informational events and false
/// positives, which need no mitigation.
const fn next_status(status: SecurityEventStatus, action: SecurityEventAction) -> Option<SecurityEventStatus> {
    use SecurityEventAction as A;
    use SecurityEventStatus as S;
    match status {
        S::Detected => match action {
            A::StartMitigation => Some(S::Mitigating),
            A::Resolve => Some(S::Resolved),
        },
        S::Mitigating => match action {
            A::Resolve => Some(S::Resolved),
            A::StartMitigation => None,
        },
        S::Resolved => match action {
            A::StartMitigation | A::Resolve => None,
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a security event that is {status}; allowed: {}", list(.allowed))]
pub struct TransitionRefused {
    pub status: SecurityEventStatus,
    pub action: SecurityEventAction,
    pub allowed: Vec<SecurityEventAction>,
}

fn list(actions: &[SecurityEventAction]) -> String {
    if actions.is_empty() {
        "nothing (the event is resolved)".to_owned()
    } else {
        actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
    }
}

pub fn transition(
    status: SecurityEventStatus,
    action: SecurityEventAction,
) -> Result<SecurityEventStatus, TransitionRefused> {
    next_status(status, action).ok_or_else(|| TransitionRefused { status, action, allowed: allowed_actions(status) })
}

pub fn allowed_actions(status: SecurityEventStatus) -> Vec<SecurityEventAction> {
    SecurityEventAction::ALL.iter().copied().filter(|a| next_status(status, *a).is_some()).collect()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    pub id: SecurityEventId,
    pub provider: OrganisationId,
    pub agency: OrganisationId,
    /// The subscription concerned, when the event concerns one.
    pub subscription: Option<SubscriptionId>,
    pub category: SecurityCategory,
    pub severity: Severity,
    pub detected_at: DateTime<Utc>,
    pub status: SecurityEventStatus,
    pub description: BoundedText,
    /// Addresses, domains, hashes, CVE ids…
    pub indicators: Vec<BoundedText>,
    /// What the provider did, oldest first.
    pub actions_taken: Vec<BoundedText>,
    pub mitigation_started_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Unparsed event as the provider's systems post it.
#[derive(Debug, Clone)]
pub struct SecurityEventDraft {
    pub subscription: Option<SubscriptionId>,
    pub category: String,
    pub severity: String,
    pub detected_at: DateTime<Utc>,
    pub description: String,
    pub indicators: Vec<String>,
    pub actions_taken: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecurityEventError {
    /// The caller must not learn that the agency or event exists here (→ 404).
    #[error("no such agency or security event")]
    NoAccess,
    /// The caller can read it but may not change it (→ 403).
    #[error("a {role} may not post or change security events")]
    NotPermitted { role: Role },
    #[error(transparent)]
    Refused(#[from] TransitionRefused),
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

fn bounded_list(
    field: &str,
    raw: &[String],
    max_items: usize,
    max_chars: usize,
    errors: &mut ValidationErrors,
) -> Option<Vec<BoundedText>> {
    if raw.len() > max_items {
        errors.add(field, "too_many", format!("at most {max_items} entries (got {})", raw.len()));
    }
    raw.iter()
        .enumerate()
        .map(|(i, r)| errors.collect(BoundedText::parse(&format!("{field}[{i}]"), r, max_chars)))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// GSI-8.2: records an event the provider's security staff detected for `agency`.
/// `served` are the subscriptions between the caller's provider and that agency (the
/// caller looks them up); a provider that serves the agency nothing may not post for
/// it. An event may name one of those subscriptions.
pub fn record(
    id: SecurityEventId,
    agency: OrganisationId,
    draft: &SecurityEventDraft,
    actor: &Actor,
    served: &[SubscriptionParties],
    now: DateTime<Utc>,
) -> Result<SecurityEvent, SecurityEventError> {
    match actor.role {
        Role::ProviderOperator => {}
        Role::GixOfficer => return Err(SecurityEventError::NotPermitted { role: actor.role }),
        Role::AgencyAdmin | Role::AgencyUser if actor.organisation == agency => {
            return Err(SecurityEventError::NotPermitted { role: actor.role });
        }
        Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => {
            return Err(SecurityEventError::NoAccess);
        }
    }
    let ours: Vec<&SubscriptionParties> =
        served.iter().filter(|p| p.provider == actor.organisation && p.agency == agency).collect();
    if ours.is_empty() {
        return Err(SecurityEventError::NoAccess);
    }
    let now = to_storage_precision(now);
    let mut errors = ValidationErrors::new();
    if let Some(s) = draft.subscription {
        if !ours.iter().any(|p| p.subscription == s) {
            errors.add(
                "subscription_id",
                "not_served",
                "no subscription with this id is served by your organisation to this agency",
            );
        }
    }
    let category = match draft.category.trim().parse::<SecurityCategory>() {
        Ok(c) => Some(c),
        Err(e) => {
            errors.add("category", "invalid_choice", e.to_string());
            None
        }
    };
    let severity = match draft.severity.trim().parse::<Severity>() {
        Ok(s) => Some(s),
        Err(e) => {
            errors.add("severity", "invalid_choice", e.to_string());
            None
        }
    };
    if draft.detected_at > now {
        errors.add("detected_at", "in_future", "must not be in the future");
    }
    let description = errors.collect(BoundedText::parse("description", &draft.description, DESCRIPTION_MAX));
    let indicators = bounded_list("indicators", &draft.indicators, MAX_INDICATORS, INDICATOR_MAX, &mut errors);
    let actions_taken = bounded_list("actions_taken", &draft.actions_taken, MAX_ACTIONS, ACTION_MAX, &mut errors);
    errors
        .finish(|| {
            Some(SecurityEvent {
                id,
                provider: actor.organisation,
                agency,
                subscription: draft.subscription,
                category: category?,
                severity: severity?,
                detected_at: to_storage_precision(draft.detected_at),
                status: SecurityEventStatus::Detected,
                description: description?,
                indicators: indicators?,
                actions_taken: actions_taken?,
                mitigation_started_at: None,
                resolved_at: None,
            })
        })
        .map_err(SecurityEventError::from)
}

impl SecurityEvent {
    /// GSI-7.5.4: the agency reads its own events, the provider that posted them changes
    /// them, GIX reads all; nobody else learns they exist.
    pub fn access(&self, actor: &Actor) -> Access {
        match actor.role {
            Role::ProviderOperator if actor.organisation == self.provider => Access::ReadWrite,
            Role::AgencyAdmin | Role::AgencyUser if actor.organisation == self.agency => Access::Read,
            Role::GixOfficer => Access::Read,
            Role::ProviderOperator | Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => Access::None,
        }
    }

    /// Moves the event on, adding what was done (`note`) to the actions taken.
    pub fn advance(
        &self,
        actor: &Actor,
        action: SecurityEventAction,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<SecurityEvent, SecurityEventError> {
        match self.access(actor) {
            Access::ReadWrite => {}
            Access::Read => return Err(SecurityEventError::NotPermitted { role: actor.role }),
            Access::None => return Err(SecurityEventError::NoAccess),
        }
        let status = transition(self.status, action)?;
        let now = to_storage_precision(now);
        let mut errors = ValidationErrors::new();
        let note = errors.collect(BoundedText::parse_optional("note", note, ACTION_MAX));
        if note.as_ref().is_some_and(Option::is_some) && self.actions_taken.len() >= MAX_ACTIONS {
            errors.add("note", "too_many", format!("at most {MAX_ACTIONS} actions taken per event"));
        }
        errors
            .finish(|| {
                let mut next = self.clone();
                next.status = status;
                next.actions_taken.extend(note?);
                match action {
                    SecurityEventAction::StartMitigation => next.mitigation_started_at = Some(now),
                    SecurityEventAction::Resolve => next.resolved_at = Some(now),
                }
                Some(next)
            })
            .map_err(SecurityEventError::from)
    }
}

/// How many events of one category and severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryCell {
    pub category: SecurityCategory,
    pub severity: Severity,
    pub count: u32,
    /// Of those, how many are not resolved yet.
    pub unresolved: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlySummary {
    pub month: Month,
    pub total: u32,
    /// Every category × severity, in vocabulary order, zeros included, so that reports
    /// for different months line up.
    pub cells: Vec<SummaryCell>,
}

impl MonthlySummary {
    pub fn count(&self, category: SecurityCategory, severity: Severity) -> u32 {
        self.cells.iter().find(|c| c.category == category && c.severity == severity).map_or(0, |c| c.count)
    }
}

/// GSI-7.5.4, 7.5.9: events detected in the Asia/Bangkok `month`, by category and
/// severity. The caller passes the events the reader may see (one agency's own).
pub fn monthly_summary(events: &[SecurityEvent], month: Month) -> MonthlySummary {
    let in_month: Vec<&SecurityEvent> = events.iter().filter(|e| Month::containing(e.detected_at) == month).collect();
    let cells = SecurityCategory::ALL
        .iter()
        .flat_map(|c| Severity::ALL.iter().map(move |s| (*c, *s)))
        .map(|(category, severity)| {
            let matching = in_month.iter().filter(|e| e.category == category && e.severity == severity);
            SummaryCell {
                category,
                severity,
                count: count(matching.clone()),
                unresolved: count(matching.filter(|e| e.status != SecurityEventStatus::Resolved)),
            }
        })
        .collect();
    MonthlySummary { month, total: count(in_month.iter()), cells }
}

fn count<T>(items: impl Iterator<Item = T>) -> u32 {
    u32::try_from(items.count()).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subscription_ref::tests::{
        AGENCY, OTHER_AGENCY, OTHER_PROVIDER, PROVIDER, actor, org, parties, subscription,
    };
    use chrono::TimeZone;
    use uuid::Uuid;

    fn t(mo: u32, d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, mo, d, h, m, 0).unwrap()
    }

    fn provider() -> Actor {
        actor(Role::ProviderOperator, PROVIDER)
    }

    fn draft() -> SecurityEventDraft {
        SecurityEventDraft {
            subscription: Some(subscription(1)),
            category: "ddos".into(),
            severity: "high".into(),
            detected_at: t(3, 10, 2, 0),
            description: "SYN flood on the agency's public address".into(),
            indicators: vec!["203.0.113.7".into()],
            actions_taken: vec!["rate limiting enabled".into()],
        }
    }

    fn post(d: &SecurityEventDraft) -> Result<SecurityEvent, SecurityEventError> {
        record(
            SecurityEventId::from_uuid(Uuid::from_u128(1)),
            org(AGENCY),
            d,
            &provider(),
            &[parties(1)],
            t(3, 20, 0, 0),
        )
    }

    fn codes(e: SecurityEventError) -> Vec<(String, &'static str)> {
        match e {
            SecurityEventError::Invalid(errors) => {
                errors.into_errors().into_iter().map(|e| (e.field, e.code)).collect()
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gsi_8_2_records_an_event() {
        let e = post(&draft()).unwrap();
        assert_eq!(e.status, SecurityEventStatus::Detected);
        assert_eq!(e.category, SecurityCategory::Ddos);
        assert_eq!(e.severity, Severity::High);
        assert_eq!(e.indicators[0].as_str(), "203.0.113.7");
        assert_eq!(e.provider, org(PROVIDER));
        assert_eq!(e.agency, org(AGENCY));
        let mut agency_wide = draft();
        agency_wide.subscription = None;
        assert_eq!(post(&agency_wide).unwrap().subscription, None);
    }

    #[test]
    fn reports_every_failing_field() {
        let d = SecurityEventDraft {
            subscription: Some(subscription(9)),
            category: "spam".into(),
            severity: "urgent".into(),
            detected_at: t(3, 20, 0, 1),
            description: "".into(),
            indicators: vec!["ok".into(), "x".repeat(INDICATOR_MAX + 1)],
            actions_taken: vec![" ".into()],
        };
        assert_eq!(
            codes(post(&d).unwrap_err()),
            [
                ("subscription_id".to_owned(), "not_served"),
                ("category".to_owned(), "invalid_choice"),
                ("severity".to_owned(), "invalid_choice"),
                ("detected_at".to_owned(), "in_future"),
                ("description".to_owned(), "required"),
                ("indicators[1]".to_owned(), "too_long"),
                ("actions_taken[0]".to_owned(), "required"),
            ]
        );
        let mut many = draft();
        many.indicators = vec!["i".into(); MAX_INDICATORS + 1];
        assert_eq!(codes(post(&many).unwrap_err()), [("indicators".to_owned(), "too_many")]);
        let mut at_limit = draft();
        at_limit.indicators = vec!["i".into(); MAX_INDICATORS];
        at_limit.detected_at = t(3, 20, 0, 0);
        assert!(post(&at_limit).is_ok(), "exactly now and exactly the limit");
    }

    #[test]
    fn gsi_7_5_4_only_a_serving_provider_posts_and_agencies_see_their_own() {
        let id = SecurityEventId::from_uuid(Uuid::nil());
        let post_as = |a: &Actor, agency: u128| record(id, org(agency), &draft(), a, &[parties(1)], t(3, 20, 0, 0));
        assert_eq!(post_as(&actor(Role::ProviderOperator, OTHER_PROVIDER), AGENCY), Err(SecurityEventError::NoAccess));
        assert_eq!(
            post_as(&provider(), OTHER_AGENCY),
            Err(SecurityEventError::NoAccess),
            "a provider posts only for agencies it serves"
        );
        assert_eq!(
            post_as(&actor(Role::AgencyAdmin, AGENCY), AGENCY),
            Err(SecurityEventError::NotPermitted { role: Role::AgencyAdmin })
        );
        assert_eq!(post_as(&actor(Role::AgencyAdmin, OTHER_AGENCY), AGENCY), Err(SecurityEventError::NoAccess));
        let e = post(&draft()).unwrap();
        assert_eq!(e.access(&actor(Role::AgencyUser, AGENCY)), Access::Read);
        assert_eq!(e.access(&actor(Role::AgencyUser, OTHER_AGENCY)), Access::None);
        assert_eq!(e.access(&provider()), Access::ReadWrite);
        assert_eq!(e.access(&actor(Role::ProviderOperator, OTHER_PROVIDER)), Access::None);
        assert_eq!(e.access(&actor(Role::GixOfficer, 9)), Access::Read);
        assert_eq!(e.access(&actor(Role::Assessor, 7)), Access::None);
    }

    #[test]
    fn gsi_8_2_full_transition_table() {
        use SecurityEventAction as A;
        use SecurityEventStatus as S;
        let table: [(S, [Option<S>; 2]); 3] = [
            // start_mitigation, resolve
            (S::Detected, [Some(S::Mitigating), Some(S::Resolved)]),
            (S::Mitigating, [None, Some(S::Resolved)]),
            (S::Resolved, [None, None]),
        ];
        assert_eq!(table.len(), S::ALL.len());
        for (status, row) in table {
            let allowed: Vec<A> = A::ALL.iter().copied().zip(row).filter_map(|(a, n)| n.map(|_| a)).collect();
            assert_eq!(allowed_actions(status), allowed);
            for (action, expected) in A::ALL.iter().copied().zip(row) {
                match expected {
                    Some(next) => assert_eq!(transition(status, action), Ok(next)),
                    None => assert_eq!(
                        transition(status, action),
                        Err(TransitionRefused { status, action, allowed: allowed.clone() })
                    ),
                }
            }
        }
        assert_eq!(
            transition(S::Resolved, A::Resolve).unwrap_err().to_string(),
            "cannot resolve a security event that is resolved; allowed: nothing (the event is resolved)"
        );
    }

    #[test]
    fn gsi_8_2_advancing_records_what_was_done() {
        let e = post(&draft()).unwrap();
        let m = e
            .advance(&provider(), SecurityEventAction::StartMitigation, Some("traffic scrubbing on"), t(3, 10, 2, 5))
            .unwrap();
        assert_eq!(m.status, SecurityEventStatus::Mitigating);
        assert_eq!(m.mitigation_started_at, Some(t(3, 10, 2, 5)));
        let r = m.advance(&provider(), SecurityEventAction::Resolve, None, t(3, 10, 3, 0)).unwrap();
        assert_eq!(r.status, SecurityEventStatus::Resolved);
        assert_eq!(r.resolved_at, Some(t(3, 10, 3, 0)));
        let actions: Vec<&str> = r.actions_taken.iter().map(BoundedText::as_str).collect();
        assert_eq!(actions, ["rate limiting enabled", "traffic scrubbing on"]);
        assert!(matches!(
            r.advance(&provider(), SecurityEventAction::Resolve, None, t(3, 10, 3, 1)),
            Err(SecurityEventError::Refused(_))
        ));
        assert_eq!(
            e.advance(&actor(Role::AgencyAdmin, AGENCY), SecurityEventAction::Resolve, None, t(3, 11, 0, 0)),
            Err(SecurityEventError::NotPermitted { role: Role::AgencyAdmin })
        );
        assert_eq!(
            e.advance(
                &actor(Role::ProviderOperator, OTHER_PROVIDER),
                SecurityEventAction::Resolve,
                None,
                t(3, 11, 0, 0)
            ),
            Err(SecurityEventError::NoAccess)
        );
    }

    #[test]
    fn gsi_7_5_4_monthly_summary_by_bangkok_month_category_and_severity() {
        let event = |category: &str, severity: &str, detected_at| {
            let mut d = draft();
            d.category = category.into();
            d.severity = severity.into();
            d.detected_at = detected_at;
            record(
                SecurityEventId::from_uuid(Uuid::from_u128(1)),
                org(AGENCY),
                &d,
                &provider(),
                &[parties(1)],
                t(4, 30, 0, 0),
            )
            .unwrap()
        };
        let resolved = event("ddos", "high", t(3, 5, 0, 0))
            .advance(&provider(), SecurityEventAction::Resolve, None, t(3, 5, 1, 0))
            .unwrap();
        let events = [
            resolved,
            event("ddos", "high", t(3, 6, 0, 0)),
            event("malware", "critical", t(3, 7, 0, 0)),
            // 31 March 17:00 UTC is already 1 April in Bangkok.
            event("phishing", "low", t(3, 31, 17, 0)),
            // 28 February 17:00 UTC is 1 March in Bangkok.
            event("virus", "medium", t(2, 28, 17, 0)),
            // 28 February 16:59 UTC is still February in Bangkok.
            event("virus", "medium", t(2, 28, 16, 59)),
        ];
        let march = monthly_summary(&events, Month::new(2026, 3).unwrap());
        assert_eq!(march.total, 4);
        assert_eq!(march.cells.len(), 9 * 5);
        assert_eq!(march.count(SecurityCategory::Ddos, Severity::High), 2);
        assert_eq!(march.count(SecurityCategory::Malware, Severity::Critical), 1);
        assert_eq!(march.count(SecurityCategory::Virus, Severity::Medium), 1);
        assert_eq!(march.count(SecurityCategory::Phishing, Severity::Low), 0);
        let ddos_high =
            march.cells.iter().find(|c| c.category == SecurityCategory::Ddos && c.severity == Severity::High).unwrap();
        assert_eq!((ddos_high.count, ddos_high.unresolved), (2, 1));
        assert_eq!(march.cells.iter().map(|c| c.count).sum::<u32>(), march.total);
        let april = monthly_summary(&events, Month::new(2026, 4).unwrap());
        assert_eq!(april.count(SecurityCategory::Phishing, Severity::Low), 1);
        assert_eq!(april.total, 1);
    }
}
