pub mod get;

use chrono::{DateTime, Utc};
use gsi_domain::sla::{MinuteSpan, OutageLine, ReliabilityBreach};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::routes::incidents::dto_enum;
use crate::routes::offerings::CreditTierBody;
use crate::routes::outages::ExclusionDecisionBody;
use crate::routes::provider_profiles::ExclusionKindBody;
use crate::usecases::sla::SlaView;

dto_enum!(
    /// Which reliability requirement of GSI-10.2 was missed.
    ReliabilityBreachBody <=> ReliabilityBreach { TooManyUnplannedOutages, MeanTimeToRestoreTooLong }
);

/// A stretch of whole minutes, `[from, until)`.
#[derive(Debug, Serialize, ToSchema)]
pub struct MinuteSpanBody {
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub minutes: i64,
}

impl From<&MinuteSpan> for MinuteSpanBody {
    fn from(s: &MinuteSpan) -> Self {
        MinuteSpanBody { from: s.from, until: s.until, minutes: s.minutes }
    }
}

/// GSI-10.1: availability = (period − excluded − downtime) / (period − excluded).
#[derive(Debug, Serialize, ToSchema)]
pub struct AvailabilityBody {
    /// The target frozen on the subscription, percent.
    #[schema(example = "99.9")]
    pub target_percent: String,
    /// Truncated (never rounded up) to 4 decimal places.
    #[schema(example = "99.8909")]
    pub achieved_percent: String,
    /// `achieved < target`, compared exactly.
    pub breached: bool,
    /// The month clipped to the subscription's term.
    pub period: MinuteSpanBody,
    /// The union of the excluded outages' minutes in the period.
    pub excluded_minutes: i64,
    /// `period.minutes − excluded_minutes`.
    pub measured_minutes: i64,
    /// The union of the counted outages' minutes, less excluded minutes: overlaps count once.
    pub downtime_minutes: i64,
    pub excluded_spans: Vec<MinuteSpanBody>,
    pub downtime_spans: Vec<MinuteSpanBody>,
    /// The figure written out with its numbers.
    #[schema(example = "(43200 - 120 - 47) / (43200 - 120) x 100 = 99.8909 % (truncated to 4 decimals)")]
    pub computation: String,
}

/// GSI-10.2: unplanned outages, time to restore, incidents resolved within deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReliabilityBody {
    /// Unplanned, counted outages that started in the period.
    pub unplanned_outages: u32,
    pub max_unplanned_outages: u32,
    /// Their lengths, start to end (to now while open), summed.
    pub restore_minutes_total: i64,
    /// `restore_minutes_total / unplanned_outages`, truncated to 2 decimals; absent without
    /// outages.
    #[schema(example = "47.00")]
    pub mean_time_to_restore_minutes: Option<String>,
    pub max_mean_time_to_restore_minutes: u32,
    /// Incidents reported in the month whose resolution deadline was met, breached, or is
    /// still pending.
    pub incidents_met: u32,
    pub incidents_breached: u32,
    pub incidents_pending: u32,
    /// `met / (met + breached)`, truncated to 4 decimals; informative, the terms set no target.
    #[schema(example = "100.0000")]
    pub incidents_within_deadline_percent: Option<String>,
    pub breaches: Vec<ReliabilityBreachBody>,
    pub breached: bool,
}

/// The service credit from the offering's tiers (GSI-10.1).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreditBody {
    /// The tier that applies: of the tiers whose threshold is above the achieved
    /// availability, the lowest.
    pub tier: Option<CreditTierBody>,
    /// What the subscription's usage in the month was charged, THB (GSI-7.5.3).
    #[schema(example = "160000.00")]
    pub month_charge: Option<String>,
    /// `month_charge × tier.credit_percent`, rounded once to the satang; absent when no tier
    /// applies or nothing was charged.
    #[schema(example = "16000.00")]
    pub amount: Option<String>,
}

/// One outage as it entered the figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct OutageLineBody {
    pub outage_id: uuid::Uuid,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    pub planned: bool,
    pub cause: String,
    /// Its whole minutes inside the period (starts rounded down, ends up; an outage across
    /// the month's edge counts only its part inside), before merging with other outages.
    pub in_period: MinuteSpanBody,
    /// Whole minutes from start to end (or to now while open).
    pub restore_minutes: i64,
    /// Unplanned, counted and started in the period.
    pub counts_for_reliability: bool,
    pub decision: ExclusionDecisionBody,
}

impl From<&OutageLine> for OutageLineBody {
    fn from(l: &OutageLine) -> Self {
        OutageLineBody {
            outage_id: l.outage.as_uuid(),
            started_at: l.started_at,
            ended_at: l.ended_at,
            planned: l.planned,
            cause: l.cause.to_string(),
            in_period: MinuteSpanBody::from(&l.in_period),
            restore_minutes: l.restore_minutes,
            counts_for_reliability: l.counts_for_reliability,
            decision: ExclusionDecisionBody::from(&l.decision),
        }
    }
}

/// The exclusions the provider publishes (GSI-10.3), as the figures used them.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeclaredExclusionsBody {
    pub kinds: Vec<ExclusionKindBody>,
    /// The notice planned maintenance needs, when the provider publishes it.
    pub maintenance_notice_hours: Option<u32>,
}

/// A subscription's SLA attainment for one Asia/Bangkok month (GSI-10.1, 10.2, 10.3).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1", "month": "2026-11", "provisional": false,
    "availability": {"target_percent": "99.9", "achieved_percent": "99.8909", "breached": true,
        "period": {"from": "2026-10-31T17:00:00Z", "until": "2026-11-30T17:00:00Z", "minutes": 43200},
        "excluded_minutes": 120, "measured_minutes": 43080, "downtime_minutes": 47,
        "excluded_spans": [{"from": "2026-11-09T18:00:00Z", "until": "2026-11-09T20:00:00Z", "minutes": 120}],
        "downtime_spans": [{"from": "2026-11-18T07:20:00Z", "until": "2026-11-18T08:07:00Z", "minutes": 47}],
        "computation": "(43200 - 120 - 47) / (43200 - 120) x 100 = 99.8909 % (truncated to 4 decimals)"},
    "reliability": {"unplanned_outages": 1, "max_unplanned_outages": 3, "restore_minutes_total": 47,
        "mean_time_to_restore_minutes": "47.00", "max_mean_time_to_restore_minutes": 240,
        "incidents_met": 1, "incidents_breached": 0, "incidents_pending": 0,
        "incidents_within_deadline_percent": "100.0000", "breaches": [], "breached": false},
    "credit": {"tier": {"below_percent": "99.9", "credit_percent": "10"}, "month_charge": "161600.00", "amount": "16160.00"},
    "counted_outages": [{"outage_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000a8", "started_at": "2026-11-18T07:20:00Z",
        "ended_at": "2026-11-18T08:07:00Z", "planned": false, "cause": "Fibre cut by road works",
        "in_period": {"from": "2026-11-18T07:20:00Z", "until": "2026-11-18T08:07:00Z", "minutes": 47},
        "restore_minutes": 47, "counts_for_reliability": true,
        "decision": {"excluded": false, "code": "counted_no_exclusion_claimed", "kind": null,
            "explanation": "counted: the provider claimed no exclusion"}}],
    "excluded_outages": [],
    "declared_exclusions": {"kinds": ["planned_maintenance", "third_party_network", "force_majeure"], "maintenance_notice_hours": 72}
}))]
pub struct SlaBody {
    pub subscription_id: uuid::Uuid,
    #[schema(example = "2026-11")]
    pub month: String,
    /// The month is not over: the figures can still change.
    pub provisional: bool,
    pub availability: AvailabilityBody,
    pub reliability: ReliabilityBody,
    pub credit: CreditBody,
    /// Outages that count as downtime, by start, with why.
    pub counted_outages: Vec<OutageLineBody>,
    /// Outages excluded from the measured period, by start, with why.
    pub excluded_outages: Vec<OutageLineBody>,
    pub declared_exclusions: DeclaredExclusionsBody,
}

impl From<&SlaView> for SlaBody {
    fn from(view: &SlaView) -> Self {
        let a = &view.attainment;
        let av = &a.availability;
        let r = &a.reliability;
        SlaBody {
            subscription_id: a.subscription.as_uuid(),
            month: a.month.to_string(),
            provisional: a.provisional,
            availability: AvailabilityBody {
                target_percent: av.target_percent.normalize().to_string(),
                achieved_percent: av.achieved_percent.to_string(),
                breached: av.breached,
                period: MinuteSpanBody::from(&av.period),
                excluded_minutes: av.excluded_minutes,
                measured_minutes: av.measured_minutes,
                downtime_minutes: av.downtime_minutes,
                excluded_spans: av.excluded_spans.iter().map(MinuteSpanBody::from).collect(),
                downtime_spans: av.downtime_spans.iter().map(MinuteSpanBody::from).collect(),
                computation: format!(
                    "({} - {} - {}) / ({} - {}) x 100 = {} % (truncated to 4 decimals)",
                    av.period.minutes,
                    av.excluded_minutes,
                    av.downtime_minutes,
                    av.period.minutes,
                    av.excluded_minutes,
                    av.achieved_percent
                ),
            },
            reliability: ReliabilityBody {
                unplanned_outages: r.unplanned_outages,
                max_unplanned_outages: r.max_unplanned_outages,
                restore_minutes_total: r.restore_minutes_total,
                mean_time_to_restore_minutes: r.mean_time_to_restore_minutes.map(|m| m.to_string()),
                max_mean_time_to_restore_minutes: r.max_mean_time_to_restore_minutes,
                incidents_met: r.incidents_met,
                incidents_breached: r.incidents_breached,
                incidents_pending: r.incidents_pending,
                incidents_within_deadline_percent: r.incidents_within_deadline_percent.map(|p| p.to_string()),
                breaches: r.breaches.iter().copied().map(Into::into).collect(),
                breached: r.breached(),
            },
            credit: CreditBody {
                tier: a.credit.tier.map(|t| CreditTierBody {
                    below_percent: t.below_percent.normalize().to_string(),
                    credit_percent: t.credit_percent.normalize().to_string(),
                }),
                month_charge: a.credit.month_charge.map(|m| m.to_string()),
                amount: a.credit.amount.map(|m| m.to_string()),
            },
            counted_outages: a.counted_outages.iter().map(OutageLineBody::from).collect(),
            excluded_outages: a.excluded_outages.iter().map(OutageLineBody::from).collect(),
            declared_exclusions: DeclaredExclusionsBody {
                kinds: view.declared.kinds.iter().copied().map(Into::into).collect(),
                maintenance_notice_hours: view
                    .declared
                    .declares(gsi_domain::outage::ExclusionKind::PlannedMaintenance)
                    .then_some(view.declared.maintenance_notice_hours),
            },
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SlaQuery {
    /// Asia/Bangkok month, `YYYY-MM`; the current month (provisional) when left out.
    #[param(value_type = Option<String>, example = "2026-11")]
    pub month: Option<String>,
}
