//! The per-clause report: every check names its clause, scenario, outcome and evidence (the
//! request, the status answered, the fact checked), rendered as text or JSON.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Pass,
    Fail,
    /// Not checked (a fixture or token is not configured, or an earlier step failed): never a pass.
    Skip,
}

#[derive(Clone, Debug, Serialize)]
pub struct Check {
    pub clause: String,
    pub scenario: String,
    pub check: String,
    pub outcome: Outcome,
    /// `METHOD /path` of the request the fact is about.
    pub request: String,
    /// The status answered, when a request was answered.
    pub status: Option<u16>,
    /// What was expected and what was seen.
    pub fact: String,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub base_url: String,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn count(&self, outcome: Outcome) -> usize {
        self.checks.iter().filter(|c| c.outcome == outcome).count()
    }

    pub fn failed(&self) -> bool {
        self.count(Outcome::Fail) > 0
    }

    /// Checks of `scenario` whose check name contains `needle` (tests look results up).
    pub fn find(&self, scenario: &str, needle: &str) -> Vec<&Check> {
        self.checks.iter().filter(|c| c.scenario == scenario && c.check.contains(needle)).collect()
    }

    /// The report as JSON: tool, version, base URL, summary, then every check in run order.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self.json_view()).unwrap_or_default()
    }

    /// `to_json`, pretty-printed with the keys in that order.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string_pretty(&self.json_view()).unwrap_or_default()
    }

    fn json_view(&self) -> JsonReport<'_> {
        JsonReport {
            tool: "gsi-ctk",
            version: env!("CARGO_PKG_VERSION"),
            base_url: &self.base_url,
            summary: Summary {
                pass: self.count(Outcome::Pass),
                fail: self.count(Outcome::Fail),
                skip: self.count(Outcome::Skip),
            },
            checks: &self.checks,
        }
    }

    /// One line per check, then a summary per clause and in total.
    pub fn to_text(&self) -> String {
        let mut out = format!("gsi-ctk {} against {}\n\n", env!("CARGO_PKG_VERSION"), self.base_url);
        for c in &self.checks {
            let mark = match c.outcome {
                Outcome::Pass => "PASS",
                Outcome::Fail => "FAIL",
                Outcome::Skip => "SKIP",
            };
            let status = c.status.map(|s| format!(" → {s}")).unwrap_or_default();
            out.push_str(&format!("{mark} {:<10} {:<22} {}\n", c.clause, c.scenario, c.check));
            out.push_str(&format!("     {}{status}: {}\n", c.request, c.fact));
        }
        let mut clauses: Vec<&str> = self.checks.iter().map(|c| c.clause.as_str()).collect();
        clauses.sort_unstable_by_key(|a| clause_order(a));
        clauses.dedup();
        out.push_str("\nper clause:\n");
        for clause in clauses {
            let of = |o: Outcome| self.checks.iter().filter(|c| c.clause == clause && c.outcome == o).count();
            let verdict = if of(Outcome::Fail) > 0 {
                "FAIL"
            } else if of(Outcome::Pass) > 0 {
                "pass"
            } else {
                "skip"
            };
            out.push_str(&format!(
                "  {clause:<10} {verdict}  ({} passed, {} failed, {} skipped)\n",
                of(Outcome::Pass),
                of(Outcome::Fail),
                of(Outcome::Skip)
            ));
        }
        out.push_str(&format!(
            "\n{} checks: {} passed, {} failed, {} skipped\n",
            self.checks.len(),
            self.count(Outcome::Pass),
            self.count(Outcome::Fail),
            self.count(Outcome::Skip)
        ));
        out
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    tool: &'static str,
    version: &'static str,
    base_url: &'a str,
    summary: Summary,
    checks: &'a [Check],
}

#[derive(Serialize)]
struct Summary {
    pass: usize,
    fail: usize,
    skip: usize,
}

/// Sorts `GSI-7.5.10` after `GSI-7.5.9` and the appendix after the clauses.
fn clause_order(clause: &str) -> (bool, Vec<u32>) {
    let rest = clause.trim_start_matches("GSI-");
    let appendix = rest.starts_with('A');
    let numbers = rest.trim_start_matches("A.").split('.').filter_map(|p| p.parse().ok()).collect();
    (appendix, numbers)
}
