//! Agencies' budgets per Thai fiscal year (GSI-13.3).

pub mod list;
pub mod set;

use chrono::{DateTime, Utc};
use gsi_persistence::repos::reports::BudgetRecord;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A Thai government fiscal year: 1 October – 30 September, named by the Gregorian year it
/// ends in, with the Buddhist-era year Thai documents use.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2027, "buddhist_era": 2570, "label": "FY 2027 (B.E. 2570)", "first_month": "2026-10", "last_month": "2027-09"}))]
pub struct FiscalYearBody {
    pub year: i32,
    pub buddhist_era: i32,
    pub label: String,
    pub first_month: String,
    pub last_month: String,
}

impl From<gsi_domain::calendar::FiscalYear> for FiscalYearBody {
    fn from(fy: gsi_domain::calendar::FiscalYear) -> Self {
        FiscalYearBody {
            year: fy.0,
            buddhist_era: fy.buddhist_era(),
            label: fy.label(),
            first_month: fy.first_month().to_string(),
            last_month: fy.last_month().to_string(),
        }
    }
}

/// An agency's budget for a fiscal year, whole (`service_family` absent) or for one family.
#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetBody {
    pub id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    pub fiscal_year: FiscalYearBody,
    /// Absent: the whole year's budget, which monthly reports compare spending against.
    #[schema(example = "cloud")]
    pub service_family: Option<String>,
    /// THB.
    #[schema(example = "1200000.00")]
    pub amount: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&BudgetRecord> for BudgetBody {
    fn from(b: &BudgetRecord) -> Self {
        BudgetBody {
            id: b.id,
            agency_id: b.agency.as_uuid(),
            fiscal_year: b.fiscal_year.into(),
            service_family: b.service_family.map(|f| f.as_str().to_owned()),
            amount: b.amount.to_string(),
            created_at: b.created_at,
            updated_at: b.updated_at,
            version: b.version,
        }
    }
}

/// The budget's amount, for the whole year or one family.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": "1200000.00"}))]
pub struct SetBudgetBody {
    /// THB, more than 0, at most two decimals.
    #[schema(example = "1200000.00")]
    pub amount: String,
    /// `network`, `cloud` or `data_center`; absent for the whole year.
    pub service_family: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BudgetList {
    pub items: Vec<BudgetBody>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListBudgetsQuery {
    /// The Gregorian year the fiscal year ends in (`2027` = B.E. 2570).
    #[param(value_type = Option<i32>, example = 2027)]
    pub fiscal_year: Option<String>,
    /// GIX: one agency.
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
}
