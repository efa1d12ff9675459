pub mod current;
pub mod history;

use chrono::{DateTime, Utc};
use gsi_domain::ValidationErrors;
use gsi_domain::billing::{MetricCost, MonthCosts, SubscriptionCost};
use gsi_domain::calendar::Month;
use gsi_persistence::repos::usage::CostFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::params;
use crate::routes::service::MetricBody;

/// One metric's usage and cost in the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MetricCostBody {
    pub metric: MetricBody,
    /// Net quantity in the metric's unit, corrections included (exact decimal).
    #[schema(example = "4.5")]
    pub quantity: String,
    /// THB, the sum of the rated lines (each rounded once to the satang).
    #[schema(example = "1.52")]
    pub amount: String,
}

/// One subscription's cost in the month, per metric.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionCostBody {
    pub subscription_id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub metrics: Vec<MetricCostBody>,
    /// THB.
    #[schema(example = "1.52")]
    pub total: String,
}

/// The cost of one Asia/Bangkok month.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthCostsBody {
    #[schema(example = "2026-11")]
    pub month: String,
    pub subscriptions: Vec<SubscriptionCostBody>,
    /// THB, all subscriptions shown.
    #[schema(example = "1.52")]
    pub total: String,
}

fn metric_body(m: &MetricCost) -> MetricCostBody {
    MetricCostBody { metric: m.metric.into(), quantity: m.quantity.to_string(), amount: m.amount.to_string() }
}

fn subscription_body(s: &SubscriptionCost) -> SubscriptionCostBody {
    SubscriptionCostBody {
        subscription_id: s.subscription.as_uuid(),
        agency_id: s.agency.as_uuid(),
        provider_id: s.provider.as_uuid(),
        metrics: s.metrics.iter().map(metric_body).collect(),
        total: s.total.to_string(),
    }
}

impl From<&MonthCosts> for MonthCostsBody {
    fn from(c: &MonthCosts) -> Self {
        MonthCostsBody {
            month: c.month.to_string(),
            subscriptions: c.subscriptions.iter().map(subscription_body).collect(),
            total: c.total.to_string(),
        }
    }
}

/// GSI-7.5.3 "current cost": the current month so far.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "month": "2026-12", "as_of": "2026-12-14T09:30:00Z",
    "subscriptions": [{
        "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
        "agency_id": "00000000-0000-7000-8000-000000000a01",
        "provider_id": "00000000-0000-7000-8000-000000000b02",
        "metrics": [
            {"metric": "vcpu_hour", "quantity": "4032", "amount": "4233.60"},
            {"metric": "ram_gb_hour", "quantity": "16128", "amount": "4838.40"}
        ],
        "total": "9072.00"
    }],
    "total": "9072.00"
}))]
pub struct CurrentCostsBody {
    /// The current Asia/Bangkok month.
    #[schema(example = "2026-12")]
    pub month: String,
    /// When the figures were computed: usage reported up to then.
    pub as_of: DateTime<Utc>,
    pub subscriptions: Vec<SubscriptionCostBody>,
    /// THB.
    #[schema(example = "9072.00")]
    pub total: String,
}

/// GSI-7.5.3 "historical cost": ended months with usage, newest first.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2025-12", "to": "2026-11",
    "months": [{
        "month": "2026-11",
        "subscriptions": [{
            "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
            "agency_id": "00000000-0000-7000-8000-000000000a01",
            "provider_id": "00000000-0000-7000-8000-000000000b02",
            "metrics": [{"metric": "storage_gb_month", "quantity": "1850.5", "amount": "7402.00"}],
            "total": "7402.00"
        }],
        "total": "7402.00"
    }]
}))]
pub struct CostHistoryBody {
    #[schema(example = "2025-12")]
    pub from: String,
    #[schema(example = "2026-11")]
    pub to: String,
    pub months: Vec<MonthCostsBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CurrentCostsQuery {
    /// Only this agency (providers: an agency they serve; GIX: any).
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    /// Only this provider.
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CostHistoryQuery {
    /// First month, `YYYY-MM` (Asia/Bangkok); default eleven months before `to`.
    #[param(example = "2025-12")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`, before the current month; default the previous month.
    #[param(example = "2026-11")]
    pub to: Option<String>,
    /// Only this agency (providers: an agency they serve; GIX: any).
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    /// Only this provider.
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
}

fn cost_filter(agency: Option<&str>, provider: Option<&str>, errors: &mut ValidationErrors) -> CostFilter {
    CostFilter {
        agency: params::id("agency_id", agency, errors),
        provider: params::id("provider_id", provider, errors),
    }
}

/// A `YYYY-MM` query parameter, recorded under its name when bad.
fn month(name: &str, raw: Option<&str>, errors: &mut ValidationErrors) -> Option<Month> {
    let raw = raw?;
    match raw.parse::<Month>() {
        Ok(month) => Some(month),
        Err(e) => {
            errors.add(name, "invalid_month", e.to_string());
            None
        }
    }
}
