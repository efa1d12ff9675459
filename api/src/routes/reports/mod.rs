//! GIX's usage reports (GSI-7.6) and streamed exports of rated usage.

pub mod agency_summary;
pub mod usage;
pub mod usage_records;

use gsi_domain::ValidationErrors;
use gsi_domain::calendar::Month;
use gsi_domain::report::{Grouping, MonthRange, UsageGroup, UsageTotals};
use gsi_persistence::repos::usage::CostFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::params;

/// One group of a usage report: the grouped dimensions' values (others absent) and its sums.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct UsageGroupBody {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub provider_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub agency_id: Option<uuid::Uuid>,
    /// As registered, in Thai.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(example = "กรมทดสอบระบบ")]
    pub agency_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(example = "cloud")]
    pub service_family: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offering_id: Option<uuid::Uuid>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub offering_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(example = "vcpu_hour")]
    pub metric: Option<String>,
    /// `YYYY-MM`, Asia/Bangkok month of use.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(example = "2026-11")]
    pub month: Option<String>,
    /// Net quantity in the metric's unit (exact decimal); only when grouped by metric.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    #[schema(example = "4032")]
    pub quantity: Option<String>,
    /// Rated usage records summed (corrections included).
    pub record_count: i64,
    /// THB, exact, two decimals: the sum of the rated amounts.
    #[schema(example = "4233.60")]
    pub amount: String,
}

impl From<&UsageGroup> for UsageGroupBody {
    fn from(g: &UsageGroup) -> Self {
        UsageGroupBody {
            provider_id: g.provider.as_ref().map(|n| n.id),
            provider_name: g.provider.as_ref().map(|n| n.name.clone()),
            agency_id: g.agency.as_ref().map(|n| n.id),
            agency_name: g.agency.as_ref().map(|n| n.name.clone()),
            service_family: g.service_family.map(|f| f.as_str().to_owned()),
            offering_id: g.offering.as_ref().map(|n| n.id),
            offering_name: g.offering.as_ref().map(|n| n.name.clone()),
            metric: g.metric.map(|m| m.as_str().to_owned()),
            month: g.month.map(|m| m.to_string()),
            quantity: g.quantity.map(|q| q.to_string()),
            record_count: g.record_count,
            amount: g.amount.to_string(),
        }
    }
}

/// The sums over every group.
#[derive(Debug, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct UsageTotalsBody {
    pub record_count: i64,
    /// THB.
    #[schema(example = "9072.00")]
    pub amount: String,
}

impl From<&UsageTotals> for UsageTotalsBody {
    fn from(t: &UsageTotals) -> Self {
        UsageTotalsBody { record_count: t.record_count, amount: t.amount.to_string() }
    }
}

/// A usage report (GSI-7.6): the same figures as the CSV download, row for row.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "from": "2026-11", "to": "2026-11", "group_by": ["agency", "metric"],
    "groups": [{"agency_id": "00000000-0000-7000-8000-000000000a01", "agency_name": "กรมทดสอบระบบ",
        "metric": "vcpu_hour", "quantity": "4032", "record_count": 672, "amount": "4233.60"}],
    "totals": {"record_count": 672, "amount": "4233.60"}
}))]
pub struct UsageReportBody {
    #[schema(example = "2026-11")]
    pub from: String,
    #[schema(example = "2026-11")]
    pub to: String,
    pub group_by: Vec<String>,
    pub groups: Vec<UsageGroupBody>,
    pub totals: UsageTotalsBody,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UsageReportQuery {
    /// First month of use, `YYYY-MM` (Asia/Bangkok); default the previous month.
    #[param(example = "2026-11")]
    pub from: Option<String>,
    /// Last month, `YYYY-MM`; default `from`. At most 120 months.
    #[param(example = "2026-11")]
    pub to: Option<String>,
    /// Comma-separated, in column order: any of `provider`, `agency`, `service_family`,
    /// `offering`, `metric`, `month`. Empty: grand totals only. Default `provider,agency`.
    #[param(example = "provider,agency,metric")]
    pub group_by: Option<String>,
    /// Only this agency.
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    /// Only this provider.
    #[param(value_type = Option<uuid::Uuid>)]
    pub provider_id: Option<String>,
    /// `csv` or `json`; overrides `Accept`.
    #[param(example = "csv")]
    pub format: Option<String>,
    /// `true`: start the CSV with a UTF-8 byte-order mark (for spreadsheet programs).
    #[param(value_type = Option<bool>)]
    pub bom: Option<String>,
}

/// `from`/`to` with their defaults, checked.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    errors: &mut ValidationErrors,
) -> Option<MonthRange> {
    let month = |name: &str, raw: Option<&str>, errors: &mut ValidationErrors| -> Option<Option<Month>> {
        match raw.map(str::parse::<Month>) {
            None => Some(None),
            Some(Ok(m)) => Some(Some(m)),
            Some(Err(e)) => {
                errors.add(name, "invalid_month", e.to_string());
                None
            }
        }
    };
    let from = month("from", from, errors)?;
    let to = month("to", to, errors)?;
    let from = from.unwrap_or_else(|| Month::containing(now).previous());
    let to = to.unwrap_or(from);
    errors.collect(MonthRange::new(from, to, "to"))
}

pub fn grouping(raw: Option<&str>, errors: &mut ValidationErrors) -> Option<Grouping> {
    match Grouping::parse(raw.unwrap_or("provider,agency")) {
        Ok(g) => Some(g),
        Err(e) => {
            errors.add("group_by", "invalid_grouping", e);
            None
        }
    }
}

pub fn filter(agency: Option<&str>, provider: Option<&str>, errors: &mut ValidationErrors) -> CostFilter {
    CostFilter {
        agency: params::id("agency_id", agency, errors),
        provider: params::id("provider_id", provider, errors),
    }
}

/// A usage report as JSON.
pub fn report_body(
    grouping: &Grouping,
    period: MonthRange,
    groups: &[UsageGroup],
    totals: &UsageTotals,
) -> UsageReportBody {
    UsageReportBody {
        from: period.from.to_string(),
        to: period.to.to_string(),
        group_by: grouping.dimensions().iter().map(|d| d.as_str().to_owned()).collect(),
        groups: groups.iter().map(UsageGroupBody::from).collect(),
        totals: totals.into(),
    }
}

/// A usage report as CSV: header, groups, total row.
pub fn report_csv(bom: bool, grouping: &Grouping, groups: &[UsageGroup]) -> String {
    let mut out = crate::http::report_format::csv_preamble(bom).to_owned();
    out.push_str(&gsi_domain::report::usage_report_csv(grouping, groups));
    out
}
