//! The per-provider conformance view (GSI-11.2, 11.3), as JSON and CSV.

pub mod csv;
pub mod get;

use chrono::{DateTime, Utc};
use gsi_domain::governance::conformance::ConformanceLine;
use serde::Serialize;
use utoipa::ToSchema;

use crate::routes::assessments::FindingView;

#[derive(Debug, Serialize, ToSchema)]
pub struct ComputedView {
    pub conforms: bool,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConformanceLineView {
    /// e.g. `GSI-6.4`.
    pub clause: String,
    /// `required` ([R], and clauses 12-13), `desirable`, `optional`, `example` (Appendix A).
    pub level: String,
    pub text: String,
    /// The latest finding on the clause, with its evidence and assessment.
    pub latest_finding: Option<FindingView>,
    /// For the clauses the hub checks from live data (6.4, 7.1, 7.4, 10.1, 10.2, 11.1, 13.1): the result now.
    pub computed: Option<ComputedView>,
}

impl From<&ConformanceLine<'_>> for ConformanceLineView {
    fn from(l: &ConformanceLine<'_>) -> Self {
        ConformanceLineView {
            clause: l.clause.id.to_owned(),
            level: l.clause.level.as_str().to_owned(),
            text: l.clause.text.to_owned(),
            latest_finding: l.latest_finding.map(Into::into),
            computed: l.computed.as_ref().map(|c| ComputedView { conforms: c.conforms, detail: c.detail.clone() }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConformanceBody {
    pub provider_id: uuid::Uuid,
    pub name_th: String,
    /// When the computed results were taken.
    pub at: DateTime<Utc>,
    /// Every clause of the catalogue, in catalogue order.
    pub clauses: Vec<ConformanceLineView>,
}
