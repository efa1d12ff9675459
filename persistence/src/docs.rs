//! JSON documents stored inside rows: SLA terms and resource quantities. Decimals are
//! strings, so values round-trip exactly on both backends. Reading a document back goes
//! through the domain parsers: a stored document that breaks a rule is reported, not shown.

use std::collections::BTreeMap;

use gsi_domain::money::Quantity;
use gsi_domain::service::Metric;
use gsi_domain::sla_terms::{SlaTerms, SlaTermsDraft};
use serde::{Deserialize, Serialize};

/// SLA terms as stored.
#[derive(Debug, Serialize, Deserialize)]
pub struct SlaDoc {
    availability_percent: String,
    max_unplanned_outages_per_month: u32,
    max_mean_time_to_restore_minutes: u32,
    priorities: Vec<PriorityDoc>,
    credit_tiers: Vec<CreditTierDoc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PriorityDoc {
    priority: String,
    response_minutes: u32,
    resolution_minutes: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct CreditTierDoc {
    below_percent: String,
    credit_percent: String,
}

impl From<&SlaTerms> for SlaDoc {
    fn from(t: &SlaTerms) -> Self {
        SlaDoc {
            availability_percent: t.availability_percent.to_string(),
            max_unplanned_outages_per_month: t.max_unplanned_outages_per_month,
            max_mean_time_to_restore_minutes: t.max_mean_time_to_restore_minutes,
            priorities: t
                .priorities
                .iter()
                .map(|p| PriorityDoc {
                    priority: p.priority.as_str().to_owned(),
                    response_minutes: p.response_minutes,
                    resolution_minutes: p.resolution_minutes,
                })
                .collect(),
            credit_tiers: t
                .credit_tiers
                .iter()
                .map(|c| CreditTierDoc {
                    below_percent: c.below_percent.to_string(),
                    credit_percent: c.credit_percent.to_string(),
                })
                .collect(),
        }
    }
}

impl SlaDoc {
    /// The stored values as unparsed input, for callers that parse them with more (an offering).
    pub fn into_draft(self) -> SlaTermsDraft {
        SlaTermsDraft {
            availability_percent: self.availability_percent,
            max_unplanned_outages_per_month: self.max_unplanned_outages_per_month,
            max_mean_time_to_restore_minutes: self.max_mean_time_to_restore_minutes,
            priorities: self
                .priorities
                .into_iter()
                .map(|p| (p.priority, p.response_minutes, p.resolution_minutes))
                .collect(),
            credit_tiers: self.credit_tiers.into_iter().map(|c| (c.below_percent, c.credit_percent)).collect(),
        }
    }

    pub fn into_terms(self) -> Result<SlaTerms, String> {
        SlaTerms::parse(&self.into_draft()).map_err(|e| e.to_string())
    }
}

pub fn sla_to_json(terms: &SlaTerms) -> Result<serde_json::Value, String> {
    serde_json::to_value(SlaDoc::from(terms)).map_err(|e| e.to_string())
}

pub fn sla_from_json(value: serde_json::Value) -> Result<SlaTerms, String> {
    serde_json::from_value::<SlaDoc>(value).map_err(|e| e.to_string())?.into_terms()
}

/// `{"mbps_month": "500"}`
pub fn quantities_to_json(quantities: &BTreeMap<Metric, Quantity>) -> serde_json::Value {
    serde_json::Value::Object(
        quantities.iter().map(|(m, q)| (m.as_str().to_owned(), serde_json::Value::String(q.to_string()))).collect(),
    )
}

pub fn quantities_from_json(value: serde_json::Value) -> Result<BTreeMap<Metric, Quantity>, String> {
    let map: BTreeMap<String, String> = serde_json::from_value(value).map_err(|e| e.to_string())?;
    map.into_iter()
        .map(|(metric, quantity)| {
            let metric = metric.parse::<Metric>().map_err(|e| e.to_string())?;
            let quantity = Quantity::parse_non_negative(&quantity).map_err(|e| e.to_string())?;
            Ok((metric, quantity))
        })
        .collect()
}
