//! The expiry watch: what lapses within 30, 60 or 90 days.

pub mod get;

use chrono::NaiveDate;
use gsi_domain::governance::expiry::Lapsing;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Serialize, ToSchema)]
pub struct LapsingView {
    /// `iso_certificate`, `certification`, `surveillance_due` or `accreditation`.
    pub kind: String,
    pub id: uuid::Uuid,
    /// The provider or assessor it belongs to.
    pub organisation_id: uuid::Uuid,
    pub label: String,
    /// The last valid day (Asia/Bangkok); it lapses at 00:00 the next day.
    pub last_day: NaiveDate,
    pub days_left: i64,
}

impl From<&Lapsing> for LapsingView {
    fn from(l: &Lapsing) -> Self {
        LapsingView {
            kind: l.kind.as_str().to_owned(),
            id: l.id,
            organisation_id: l.organisation.as_uuid(),
            label: l.label.clone(),
            last_day: l.last_day,
            days_left: l.days_left,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpiryWatchBody {
    pub within_days: u32,
    /// Soonest first.
    pub items: Vec<LapsingView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiryWatchQuery {
    /// 30, 60 or 90 (default 30).
    #[param(value_type = Option<u32>)]
    pub within_days: Option<String>,
}
