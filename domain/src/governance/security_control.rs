//! Interconnection and security control (GSI-5.3, 8.1): the networks a provider connects
//! (Government Internet, Government Intranet, Agency Intranet, and its link to GIX), verified
//! by an assessor; and vulnerability notices for the services it runs, seen by the agencies
//! whose subscriptions they affect.

use chrono::{DateTime, NaiveDate, Utc};

use crate::ids::{Id, OrganisationId};
use crate::role::Subject;
use crate::service::vocabulary;
use crate::subscription::SubscriptionId;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const TEXT_MAX: usize = 2000;
pub const IDENTIFIER_MAX: usize = 100;
pub const MAX_AFFECTED: usize = 500;
pub type InterconnectionId = Id<Interconnection>;
pub type NoticeId = Id<VulnerabilityNotice>;

vocabulary!(
    /// GSI-5.3 (and 3.6-3.8): what a provider's network connects to.
    InterconnectionKind, "interconnection kind" {
        GovernmentInternet => "government_internet",
        GovernmentIntranet => "government_intranet",
        AgencyIntranet => "agency_intranet",
        /// The provider's link to GIX for inter-provider exchange.
        GixLink => "gix_link",
    }
);

vocabulary!(
    Severity, "severity" {
        Low => "low",
        Medium => "medium",
        High => "high",
        Critical => "critical",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interconnection {
    pub id: InterconnectionId,
    pub provider: OrganisationId,
    pub kind: InterconnectionKind,
    /// Capacity in Mbit/s.
    pub capacity_mbps: i64,
    pub since: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// Who verified it (an accredited assessor), and when.
    pub verified: Option<(Subject, OrganisationId, DateTime<Utc>)>,
}

#[derive(Debug, Clone, Default)]
pub struct InterconnectionDraft {
    pub kind: String,
    pub capacity_mbps: Option<i64>,
    pub since: Option<NaiveDate>,
}

impl Interconnection {
    pub fn parse(
        id: InterconnectionId,
        provider: OrganisationId,
        draft: &InterconnectionDraft,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match draft.kind.parse::<InterconnectionKind>() {
            Ok(k) => Some(k),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        match draft.capacity_mbps {
            None => errors.add("capacity_mbps", "required", "the link's capacity in Mbit/s"),
            Some(c) if c <= 0 => errors.add("capacity_mbps", "not_positive", "must be at least 1 Mbit/s"),
            Some(_) => {}
        }
        match draft.since {
            None => errors.add("since", "required", "since when the link is in service (Asia/Bangkok date)"),
            Some(d) if d > super::period::bangkok_date(now) => {
                errors.add("since", "in_the_future", "declare a link once it is in service")
            }
            Some(_) => {}
        }
        errors.finish(|| {
            Some(Interconnection {
                id,
                provider,
                kind: kind?,
                capacity_mbps: draft.capacity_mbps?,
                since: draft.since?,
                recorded_at: now,
                verified: None,
            })
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VulnerabilityNotice {
    pub id: NoticeId,
    pub provider: OrganisationId,
    /// E.g. a CVE id.
    pub identifier: BoundedText,
    pub severity: Severity,
    pub affected: Vec<SubscriptionId>,
    pub mitigation: BoundedText,
    pub remediated_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
}

impl VulnerabilityNotice {
    /// `open` until remediated.
    pub fn status(&self) -> &'static str {
        if self.remediated_at.is_some() { "remediated" } else { "open" }
    }
}

#[derive(Debug, Clone, Default)]
pub struct NoticeDraft {
    pub identifier: String,
    pub severity: String,
    pub affected: Vec<SubscriptionId>,
    pub mitigation: String,
}

impl VulnerabilityNotice {
    /// `serves` says whether the provider serves a subscription (refused naming its index).
    pub fn parse(
        id: NoticeId,
        provider: OrganisationId,
        draft: &NoticeDraft,
        serves: impl Fn(SubscriptionId) -> bool,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let identifier = errors.collect(BoundedText::parse("identifier", &draft.identifier, IDENTIFIER_MAX));
        let severity = match draft.severity.parse::<Severity>() {
            Ok(s) => Some(s),
            Err(e) => {
                errors.add("severity", "invalid_choice", e.to_string());
                None
            }
        };
        if draft.affected.is_empty() {
            errors.add("affected_subscription_ids", "required", "name at least one affected subscription");
        }
        if draft.affected.len() > MAX_AFFECTED {
            errors.add("affected_subscription_ids", "too_many", format!("at most {MAX_AFFECTED}"));
        }
        for (i, s) in draft.affected.iter().enumerate() {
            if !serves(*s) {
                errors.add(
                    format!("affected_subscription_ids[{i}]"),
                    "not_served",
                    format!("the provider serves no subscription {s}"),
                );
            }
        }
        let mitigation = errors.collect(BoundedText::parse("mitigation", &draft.mitigation, TEXT_MAX));
        errors.finish(|| {
            Some(VulnerabilityNotice {
                id,
                provider,
                identifier: identifier?,
                severity: severity?,
                affected: draft.affected.clone(),
                mitigation: mitigation?,
                remediated_at: None,
                recorded_at: now,
            })
        })
    }
}
