//! The timeline of a request: one entry per transition, visible to both the agency and the
//! provider (GSI-A.1.8 asks the provider to report progress and the result to the user).

use std::fmt;

use chrono::{DateTime, Utc};

use super::state::{ActionKind, RequestStatus};
use super::{NOTE_MAX, QuoteId, ServiceRequestId};
use crate::role::Actor;
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

/// How far the work is, 0 to 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Percent(u8);

impl Percent {
    pub const ZERO: Percent = Percent(0);
    pub const DONE: Percent = Percent(100);

    pub fn parse(field: &str, raw: i64) -> Result<Self, ValidationErrors> {
        match u8::try_from(raw) {
            Ok(p) if p <= 100 => Ok(Percent(p)),
            Ok(_) | Err(_) => Err(ValidationErrors::single(
                field,
                "out_of_range",
                format!("must be a whole percentage from 0 to 100 (got {raw})"),
            )),
        }
    }

    pub const fn value(self) -> u8 {
        self.0
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

/// A progress report while the work is carried out. Reports never go backwards: the
/// agency reads them as a timeline, and a percentage that falls would read as a regression
/// nobody reported. The same percentage again is fine (a note without progress).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub percent: Percent,
    pub note: BoundedText,
    pub at: DateTime<Utc>,
}

/// Unparsed progress report.
#[derive(Debug, Clone, Default)]
pub struct ProgressDraft {
    pub percent: i64,
    pub note: String,
}

/// A parsed progress report, before it is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressReport {
    pub percent: Percent,
    pub note: BoundedText,
}

impl ProgressReport {
    pub fn parse(draft: &ProgressDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let percent = errors.collect(Percent::parse("percent", draft.percent));
        let note = errors.collect(BoundedText::parse("note", &draft.note, NOTE_MAX));
        errors.finish(|| Some(ProgressReport { percent: percent?, note: note? }))
    }
}

/// One step in a request's life. `from` is `None` for the submission that created it.
/// An expiry leaves no entry: it is read from the quote's validity, not stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub request: ServiceRequestId,
    pub at: DateTime<Utc>,
    pub by: Actor,
    pub action: ActionKind,
    pub from: Option<RequestStatus>,
    pub to: RequestStatus,
    /// The note, reason or remark that came with the step.
    pub note: Option<BoundedText>,
    /// For progress reports.
    pub percent: Option<Percent>,
    /// The quote issued (quote, requote) or accepted (confirm).
    pub quote: Option<QuoteId>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsi_a_1_8_percent_is_0_to_100() {
        assert_eq!(Percent::parse("percent", 0).unwrap(), Percent::ZERO);
        assert_eq!(Percent::parse("percent", 100).unwrap(), Percent::DONE);
        assert_eq!(Percent::parse("percent", 42).unwrap().to_string(), "42%");
        for bad in [-1, 101, 256, i64::MAX] {
            let errors = Percent::parse("percent", bad).unwrap_err();
            assert_eq!(errors.errors()[0].code, "out_of_range", "{bad}");
        }
    }

    #[test]
    fn gsi_a_1_8_progress_needs_a_note() {
        let errors = ProgressReport::parse(&ProgressDraft { percent: 150, note: " ".into() }).unwrap_err();
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["percent", "note"]);
        let report =
            ProgressReport::parse(&ProgressDraft { percent: 40, note: "circuit patched at the exchange".into() })
                .unwrap();
        assert_eq!(report.percent.value(), 40);
    }
}
