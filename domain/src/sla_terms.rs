//! Service-level terms an offering promises (GSI-10.1, 10.2) and that a subscription
//! freezes at the start of its term (GSI-7.5.2).

use rust_decimal::Decimal;

use crate::service::vocabulary;
use crate::validation::ValidationErrors;

vocabulary!(
    /// Incident priority, from impact × urgency (GSI-7.3).
    Priority, "priority" {
        P1 => "p1",
        P2 => "p2",
        P3 => "p3",
        P4 => "p4",
    }
);

/// How fast the provider must respond to and resolve an incident of one priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PriorityTargets {
    pub priority: Priority,
    pub response_minutes: u32,
    pub resolution_minutes: u32,
}

/// A service-credit tier: when monthly availability is below `below_percent`, the agency
/// is credited `credit_percent` of the month's charge for the subscription. The tier with
/// the lowest threshold that still exceeds the achieved availability applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CreditTier {
    pub below_percent: Decimal,
    pub credit_percent: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaTerms {
    /// Monthly availability target in percent, e.g. 99.9 (GSI-10.1).
    pub availability_percent: Decimal,
    /// Most unplanned outages a month before reliability is breached (GSI-10.2).
    pub max_unplanned_outages_per_month: u32,
    /// Mean time to restore service, in minutes, that must not be exceeded (GSI-10.2).
    pub max_mean_time_to_restore_minutes: u32,
    /// Targets for each of P1–P4, in priority order.
    pub priorities: Vec<PriorityTargets>,
    /// Credit tiers, by descending threshold.
    pub credit_tiers: Vec<CreditTier>,
}

/// Unparsed input.
#[derive(Debug, Clone, Default)]
pub struct SlaTermsDraft {
    pub availability_percent: String,
    pub max_unplanned_outages_per_month: u32,
    pub max_mean_time_to_restore_minutes: u32,
    pub priorities: Vec<(String, u32, u32)>,
    pub credit_tiers: Vec<(String, String)>,
}

fn percent(field: &str, raw: &str, errors: &mut ValidationErrors) -> Option<Decimal> {
    match Decimal::from_str_exact(raw.trim()) {
        Ok(d) if d > Decimal::ZERO && d <= Decimal::ONE_HUNDRED && d.scale() <= 4 => Some(d),
        _ => {
            errors.add(
                field,
                "invalid_percent",
                format!("must be a percentage above 0 and at most 100 with up to 4 decimals (got `{raw}`)"),
            );
            None
        }
    }
}

impl SlaTerms {
    /// Rules: a target in (0, 100]; targets for each of P1–P4 exactly once, each responding
    /// before resolving and no priority slower than a lower one; credit tiers with
    /// descending thresholds at or below the target and credits that grow as availability
    /// falls.
    pub fn parse(draft: &SlaTermsDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let availability = percent("availability_percent", &draft.availability_percent, &mut errors);
        let mut priorities = Vec::new();
        for (i, (p, response, resolution)) in draft.priorities.iter().enumerate() {
            let field = format!("priorities[{i}]");
            let priority = match p.parse::<Priority>() {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.add(format!("{field}.priority"), "invalid_choice", e.to_string());
                    None
                }
            };
            if *response == 0 || *resolution == 0 || response > resolution {
                errors.add(
                    format!("{field}.response_minutes"),
                    "invalid_targets",
                    "response and resolution times must be positive, and response no later than resolution",
                );
            }
            if let Some(priority) = priority {
                priorities.push(PriorityTargets {
                    priority,
                    response_minutes: *response,
                    resolution_minutes: *resolution,
                });
            }
        }
        priorities.sort_by_key(|t| t.priority);
        let listed: Vec<Priority> = priorities.iter().map(|t| t.priority).collect();
        if listed != Priority::ALL {
            errors.add(
                "priorities",
                "all_priorities_required",
                "give targets for each of p1, p2, p3 and p4 exactly once",
            );
        } else if priorities
            .windows(2)
            .any(|w| w[0].response_minutes > w[1].response_minutes || w[0].resolution_minutes > w[1].resolution_minutes)
        {
            errors.add(
                "priorities",
                "inconsistent_targets",
                "a more urgent priority must not have a slower target than a less urgent one",
            );
        }
        let mut tiers = Vec::new();
        for (i, (below, credit)) in draft.credit_tiers.iter().enumerate() {
            let b = percent(&format!("credit_tiers[{i}].below_percent"), below, &mut errors);
            let c = percent(&format!("credit_tiers[{i}].credit_percent"), credit, &mut errors);
            if let (Some(below_percent), Some(credit_percent)) = (b, c) {
                tiers.push(CreditTier { below_percent, credit_percent });
            }
        }
        if tiers
            .windows(2)
            .any(|w| w[0].below_percent <= w[1].below_percent || w[0].credit_percent >= w[1].credit_percent)
        {
            errors.add(
                "credit_tiers",
                "inconsistent_tiers",
                "list tiers by descending threshold, each with a larger credit than the one before",
            );
        }
        if let (Some(target), Some(first)) = (availability, tiers.first()) {
            if first.below_percent > target {
                errors.add(
                    "credit_tiers[0].below_percent",
                    "above_target",
                    "a credit tier cannot start above the availability target",
                );
            }
        }
        errors.finish(|| {
            Some(SlaTerms {
                availability_percent: availability?,
                max_unplanned_outages_per_month: draft.max_unplanned_outages_per_month,
                max_mean_time_to_restore_minutes: draft.max_mean_time_to_restore_minutes,
                priorities,
                credit_tiers: tiers,
            })
        })
    }

    pub fn targets(&self, priority: Priority) -> Option<PriorityTargets> {
        self.priorities.iter().copied().find(|t| t.priority == priority)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn standard_draft() -> SlaTermsDraft {
        SlaTermsDraft {
            availability_percent: "99.9".into(),
            max_unplanned_outages_per_month: 3,
            max_mean_time_to_restore_minutes: 240,
            priorities: vec![
                ("p1".into(), 15, 240),
                ("p2".into(), 30, 480),
                ("p3".into(), 120, 1440),
                ("p4".into(), 480, 4320),
            ],
            credit_tiers: vec![("99.9".into(), "10".into()), ("99.0".into(), "25".into()), ("95".into(), "50".into())],
        }
    }

    #[test]
    fn parses_standard_terms() {
        let terms = SlaTerms::parse(&standard_draft()).unwrap();
        assert_eq!(terms.targets(Priority::P2).unwrap().resolution_minutes, 480);
        assert_eq!(terms.credit_tiers.len(), 3);
    }

    #[test]
    fn refuses_inconsistent_terms() {
        let mut d = standard_draft();
        d.availability_percent = "100.5".into();
        d.priorities.pop();
        d.credit_tiers.reverse();
        let errors = SlaTerms::parse(&d).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["availability_percent", "priorities", "credit_tiers"]);
    }
}
