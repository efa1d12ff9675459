//! The standard's clauses as data (GSI-11.2): findings name a clause of this catalogue, and
//! the conformance view lists every required one.

pub use super::clause_table::CLAUSES;

/// How binding a clause is (the standard's clause 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClauseLevel {
    /// Marked `[R]`.
    Required,
    /// Clauses 12 and 13: no marker, treated as required by the catalogue file.
    RequiredUnmarked,
    /// Marked `[D]`.
    Desirable,
    /// Marked `[O]`.
    Optional,
    /// Appendix A: an example flow.
    Unmarked,
}

impl ClauseLevel {
    pub const fn as_str(self) -> &'static str {
        match self {
            ClauseLevel::Required | ClauseLevel::RequiredUnmarked => "required",
            ClauseLevel::Desirable => "desirable",
            ClauseLevel::Optional => "optional",
            ClauseLevel::Unmarked => "example",
        }
    }

    /// `[R]` in the file.
    pub const fn is_marked_required(self) -> bool {
        matches!(self, ClauseLevel::Required)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clause {
    pub id: &'static str,
    pub level: ClauseLevel,
    pub text: &'static str,
}

/// The catalogue entry for `id` (e.g. `GSI-6.4`).
pub fn clause(id: &str) -> Option<&'static Clause> {
    CLAUSES.iter().find(|c| c.id == id)
}

/// Every `[R]` clause, in catalogue order.
pub fn required_clauses() -> impl Iterator<Item = &'static Clause> {
    CLAUSES.iter().filter(|c| c.level.is_marked_required())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses the catalogue file the same way the table was generated.
    fn parse_file(text: &str) -> Vec<(String, &'static str, String)> {
        text.lines()
            .filter_map(|line| {
                let rest = line.trim_start().strip_prefix("- GSI-")?;
                let (id, body) = rest.split_once(' ')?;
                let id = format!("GSI-{id}");
                let body = body.trim();
                let (level, body) = if let Some(b) = body.strip_suffix("[R]") {
                    ("R", b)
                } else if let Some(b) = body.strip_suffix("[D]") {
                    ("D", b)
                } else if let Some(b) = body.strip_suffix("[O]") {
                    ("O", b)
                } else if id.starts_with("GSI-12.") || id.starts_with("GSI-13.") {
                    ("R-unmarked", body)
                } else {
                    ("-", body)
                };
                Some((id, level, body.trim().replace("**", "")))
            })
            .collect()
    }

    fn level_code(level: ClauseLevel) -> &'static str {
        match level {
            ClauseLevel::Required => "R",
            ClauseLevel::RequiredUnmarked => "R-unmarked",
            ClauseLevel::Desirable => "D",
            ClauseLevel::Optional => "O",
            ClauseLevel::Unmarked => "-",
        }
    }

    #[test]
    fn gsi_11_2_catalogue_matches_requirements_md() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/standard/requirements.md");
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let from_file = parse_file(&text);
        let table: Vec<(String, &'static str, String)> =
            CLAUSES.iter().map(|c| (c.id.to_owned(), level_code(c.level), c.text.to_owned())).collect();
        assert_eq!(table, from_file, "regenerate domain/src/governance/clause_table.rs from {path}");
    }

    #[test]
    fn gsi_11_2_required_clauses_and_lookup() {
        assert_eq!(clause("GSI-6.4").map(|c| c.level), Some(ClauseLevel::Required));
        assert_eq!(clause("GSI-12.2").map(|c| c.level), Some(ClauseLevel::RequiredUnmarked));
        assert_eq!(clause("GSI-A.1.3").map(|c| c.level), Some(ClauseLevel::Unmarked));
        assert!(clause("GSI-99.9").is_none());
        assert!(required_clauses().any(|c| c.id == "GSI-7.5.6"));
        assert!(required_clauses().all(|c| c.level == ClauseLevel::Required));
    }
}
