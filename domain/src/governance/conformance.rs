//! The per-provider conformance view (GSI-11.2, 11.3): for each clause of the catalogue,
//! the latest finding, and for the clauses the hub checks from live data, the current result.

use std::collections::BTreeMap;

use super::assessment::Finding;
use super::clauses::{CLAUSES, Clause};

/// What the hub computes itself for a clause from live data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedCheck {
    pub conforms: bool,
    pub detail: String,
}

/// One line of the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConformanceLine<'a> {
    pub clause: &'static Clause,
    /// The latest finding on the clause (a follow-up that closes a major counts as latest).
    pub latest_finding: Option<&'a Finding>,
    pub computed: Option<ComputedCheck>,
}

/// Every clause in catalogue order, with its latest finding among `findings` and the
/// computed result from `computed` (by clause id).
pub fn conformance<'a>(
    findings: &'a [Finding],
    computed: &BTreeMap<&'static str, ComputedCheck>,
) -> Vec<ConformanceLine<'a>> {
    CLAUSES
        .iter()
        .map(|clause| ConformanceLine {
            clause,
            latest_finding: findings.iter().filter(|f| f.clause == clause.id).max_by_key(|f| (f.recorded_at, f.id)),
            computed: computed.get(clause.id).cloned(),
        })
        .collect()
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// The view as RFC 4180 CSV, one row per clause, with a header.
pub fn render_csv(lines: &[ConformanceLine<'_>]) -> String {
    let mut out = String::from(
        "clause,level,latest_result,finding_id,assessment_id,recorded_at,evidence_refs,note,computed_conforms,computed_detail\r\n",
    );
    for l in lines {
        let f = l.latest_finding;
        let fields = [
            l.clause.id.to_owned(),
            l.clause.level.as_str().to_owned(),
            f.map(|f| f.result.as_str().to_owned()).unwrap_or_default(),
            f.map(|f| f.id.to_string()).unwrap_or_default(),
            f.map(|f| f.assessment.to_string()).unwrap_or_default(),
            f.map(|f| f.recorded_at.to_rfc3339()).unwrap_or_default(),
            f.map(|f| f.evidence_refs.iter().map(|r| r.as_str()).collect::<Vec<_>>().join("; ")).unwrap_or_default(),
            f.and_then(|f| f.note.as_ref().map(|n| n.as_str().to_owned())).unwrap_or_default(),
            l.computed.as_ref().map(|c| c.conforms.to_string()).unwrap_or_default(),
            l.computed.as_ref().map(|c| c.detail.clone()).unwrap_or_default(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::assessment::tests::{assessment, now};
    use crate::governance::assessment::{FindingDraft, record_finding};
    use crate::governance::clauses::required_clauses;
    use crate::ids::Id;
    use crate::role::Subject;
    use uuid::Uuid;

    #[test]
    fn gsi_11_2_every_clause_with_its_latest_finding_and_computed_result() {
        let a = assessment();
        let draft = |result: &str, closes| FindingDraft {
            clause: "GSI-8.1".into(),
            result: result.into(),
            evidence_refs: vec![],
            note: None,
            closes,
        };
        let who = Subject::parse("a").unwrap();
        let major = record_finding(
            Id::from_uuid(Uuid::from_u128(1)),
            &a,
            &[],
            &draft("major_nonconformity", None),
            who.clone(),
            now(),
        )
        .unwrap();
        let mut follow = record_finding(
            Id::from_uuid(Uuid::from_u128(2)),
            &a,
            std::slice::from_ref(&major),
            &draft("conforms", Some(major.id)),
            who,
            now(),
        )
        .unwrap();
        follow.recorded_at = now() + chrono::Duration::days(1);
        let findings = vec![major, follow.clone()];
        let computed = BTreeMap::from([("GSI-7.4", ComputedCheck { conforms: true, detail: "all channels".into() })]);
        let lines = conformance(&findings, &computed);
        assert_eq!(lines.len(), CLAUSES.len());
        let line = |id: &str| lines.iter().find(|l| l.clause.id == id).unwrap();
        assert_eq!(line("GSI-8.1").latest_finding, Some(&follow));
        assert!(line("GSI-7.4").computed.as_ref().unwrap().conforms);
        assert!(line("GSI-6.1").latest_finding.is_none());
        assert!(required_clauses().all(|c| lines.iter().any(|l| l.clause.id == c.id)), "every [R] clause is listed");
        let csv = render_csv(&lines);
        assert_eq!(csv.lines().count(), CLAUSES.len() + 1);
        assert!(csv.contains("GSI-7.4,required,,,,,,,true,all channels\r\n"));
    }
}
