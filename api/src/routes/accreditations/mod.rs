//! Assessor accreditations (GSI-12.1).

pub mod create;
pub mod list;
pub mod withdraw;

use chrono::{DateTime, NaiveDate, Utc};
use gsi_domain::governance::accreditation::Accreditation;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// GIX accredits an assessor organisation for a period and families.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"families": ["cloud", "data_center"], "valid_from": "2026-12-01", "valid_until": "2029-11-30"}))]
pub struct AccreditationBody {
    /// The families it may assess: `network`, `cloud`, `data_center`; at least one.
    pub families: Vec<String>,
    /// First day (Asia/Bangkok calendar date).
    pub valid_from: Option<NaiveDate>,
    /// Last day, inclusive (Asia/Bangkok calendar date).
    pub valid_until: Option<NaiveDate>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "Audit records falsified in assessment 2027/031"}))]
pub struct WithdrawalBody {
    /// Why, 1-1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccreditationView {
    pub id: uuid::Uuid,
    pub assessor_id: uuid::Uuid,
    pub families: Vec<String>,
    pub valid_from: NaiveDate,
    pub valid_until: NaiveDate,
    pub granted_by: String,
    pub granted_at: DateTime<Utc>,
    /// Set once withdrawn; an assessor withdrawn records no assessment from then on.
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_reason: Option<String>,
    /// In force now: within its period and not withdrawn.
    pub in_force: bool,
}

impl AccreditationView {
    pub fn new(a: &Accreditation, now: DateTime<Utc>) -> Self {
        AccreditationView {
            id: a.id.as_uuid(),
            assessor_id: a.assessor.as_uuid(),
            families: a.scope.names(),
            valid_from: a.period.from,
            valid_until: a.period.until,
            granted_by: a.granted_by.as_str().to_owned(),
            granted_at: a.granted_at,
            withdrawn_at: a.withdrawal.as_ref().map(|w| w.at),
            withdrawn_reason: a.withdrawal.as_ref().map(|w| w.reason.as_str().to_owned()),
            in_force: a.in_force(now),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccreditationListBody {
    pub items: Vec<AccreditationView>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AccreditationQuery {
    /// Only this assessor's accreditations.
    pub assessor_id: Option<uuid::Uuid>,
}
