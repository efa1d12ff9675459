//! Reports the standard requires (GSI-7.5.9, 7.6, 13.2, 13.3): usage reports to GIX and the
//! report requests GIX sends providers, fiscal-year budgets and their consumption, and
//! agencies' monthly reports with their revisions and the overdue rule.
//!
//! Figures are summed in the database; this module decides what is asked for (groupings,
//! periods, due dates), what the sums mean (budget use and projection), and which step a
//! report may take next.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use rust_decimal::{Decimal, RoundingStrategy};

use crate::OrganisationId;
use crate::calendar::{FiscalYear, Month, bangkok};
use crate::csv;
use crate::money::{Money, Quantity};
use crate::service::{Metric, ServiceFamily, vocabulary};
use crate::validation::ValidationErrors;

// ---- usage reports to GIX (GSI-7.6) --------------------------------------------------

vocabulary!(
    /// What a usage report can be grouped by (GSI-7.6).
    UsageDimension, "grouping" {
        Provider => "provider",
        Agency => "agency",
        ServiceFamily => "service_family",
        Offering => "offering",
        Metric => "metric",
        Month => "month",
    }
);

/// The dimensions a usage report is grouped by, in the order asked, each once. Empty: one
/// row of grand totals.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grouping(Vec<UsageDimension>);

impl Grouping {
    /// `"provider,month"`; blanks around names are ignored, a repeated name is refused.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut seen = BTreeSet::new();
        let mut dimensions = Vec::new();
        for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let dimension: UsageDimension = name.parse().map_err(|e: crate::service::UnknownTerm| e.to_string())?;
            if !seen.insert(dimension) {
                return Err(format!("`{name}` is given twice"));
            }
            dimensions.push(dimension);
        }
        Ok(Grouping(dimensions))
    }

    pub fn new(dimensions: Vec<UsageDimension>) -> Result<Self, String> {
        Grouping::parse(&dimensions.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(","))
    }

    pub fn dimensions(&self) -> &[UsageDimension] {
        &self.0
    }

    pub fn has(&self, dimension: UsageDimension) -> bool {
        self.0.contains(&dimension)
    }

    /// Quantities of different metrics do not add up; they are shown only per metric.
    pub fn shows_quantity(&self) -> bool {
        self.has(UsageDimension::Metric)
    }

    /// The CSV header: `row`, then each dimension's columns in order, then the figures.
    pub fn columns(&self) -> Vec<&'static str> {
        let mut columns = vec!["row"];
        for d in &self.0 {
            columns.extend_from_slice(match d {
                UsageDimension::Provider => &["provider_id", "provider_name"][..],
                UsageDimension::Agency => &["agency_id", "agency_name"],
                UsageDimension::ServiceFamily => &["service_family"],
                UsageDimension::Offering => &["offering_id", "offering_name"],
                UsageDimension::Metric => &["metric"],
                UsageDimension::Month => &["month"],
            });
        }
        if self.shows_quantity() {
            columns.push("quantity");
        }
        columns.extend_from_slice(&["record_count", "amount"]);
        columns
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(","))
    }
}

/// An organisation or offering named in a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub id: uuid::Uuid,
    pub name: String,
}

/// One group of a usage report: the values of the grouped dimensions (the others `None`),
/// and its sums.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageGroup {
    pub provider: Option<Named>,
    pub agency: Option<Named>,
    pub service_family: Option<ServiceFamily>,
    pub offering: Option<Named>,
    pub metric: Option<Metric>,
    pub month: Option<Month>,
    /// Net quantity, when grouped by metric.
    pub quantity: Option<Quantity>,
    pub record_count: i64,
    pub amount: Money,
}

/// The sums over every group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct UsageTotals {
    pub record_count: i64,
    pub amount: Money,
}

impl UsageTotals {
    pub fn add(&mut self, group: &UsageGroup) {
        self.record_count += group.record_count;
        self.amount = self.amount + group.amount;
    }

    pub fn of<'a>(groups: impl IntoIterator<Item = &'a UsageGroup>) -> Self {
        let mut totals = UsageTotals::default();
        for g in groups {
            totals.add(g);
        }
        totals
    }
}

/// A group's CSV fields in [`Grouping::columns`] order; amounts with two decimals,
/// quantities exact.
pub fn usage_group_fields(grouping: &Grouping, group: &UsageGroup) -> Vec<String> {
    let mut fields = vec!["group".to_owned()];
    let named = |n: &Option<Named>| match n {
        Some(n) => [n.id.to_string(), n.name.clone()],
        None => [String::new(), String::new()],
    };
    for d in grouping.dimensions() {
        match d {
            UsageDimension::Provider => fields.extend(named(&group.provider)),
            UsageDimension::Agency => fields.extend(named(&group.agency)),
            UsageDimension::ServiceFamily => {
                fields.push(group.service_family.map(|f| f.as_str().to_owned()).unwrap_or_default())
            }
            UsageDimension::Offering => fields.extend(named(&group.offering)),
            UsageDimension::Metric => fields.push(group.metric.map(|m| m.as_str().to_owned()).unwrap_or_default()),
            UsageDimension::Month => fields.push(group.month.map(|m| m.to_string()).unwrap_or_default()),
        }
    }
    if grouping.shows_quantity() {
        fields.push(group.quantity.map(|q| q.to_string()).unwrap_or_default());
    }
    fields.push(group.record_count.to_string());
    fields.push(group.amount.to_string());
    fields
}

/// The closing `total` row: dimension columns empty.
pub fn usage_total_fields(grouping: &Grouping, totals: &UsageTotals) -> Vec<String> {
    let columns = grouping.columns();
    let mut fields = vec![String::new(); columns.len()];
    fields[0] = "total".to_owned();
    let n = fields.len();
    fields[n - 2] = totals.record_count.to_string();
    fields[n - 1] = totals.amount.to_string();
    fields
}

/// A whole usage report as CSV (no BOM): the canonical text a frozen report's content hash
/// is taken over.
pub fn usage_report_csv(grouping: &Grouping, groups: &[UsageGroup]) -> String {
    let totals = UsageTotals::of(groups);
    let mut out = String::new();
    csv::push_record(&mut out, &grouping.columns());
    for g in groups {
        csv::push_record(&mut out, &usage_group_fields(grouping, g));
    }
    csv::push_record(&mut out, &usage_total_fields(grouping, &totals));
    out
}

/// At most ten years of months per report.
pub const MAX_REPORT_MONTHS: i32 = 120;

/// An inclusive range of Bangkok months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRange {
    pub from: Month,
    pub to: Month,
}

impl MonthRange {
    /// `from..=to`, at most [`MAX_REPORT_MONTHS`]; errors name `from_field` / `to_field`.
    pub fn new(from: Month, to: Month, to_field: &str) -> Result<Self, ValidationErrors> {
        let span = (to.year() - from.year()) * 12 + to.month() as i32 - from.month() as i32 + 1;
        if span < 1 {
            return Err(ValidationErrors::single(to_field, "before_from", format!("{to} is before {from}")));
        }
        if span > MAX_REPORT_MONTHS {
            return Err(ValidationErrors::single(
                to_field,
                "too_long",
                format!("at most {MAX_REPORT_MONTHS} months per report, {span} asked"),
            ));
        }
        Ok(MonthRange { from, to })
    }
}

// ---- report requests from GIX to a provider (GSI-7.6) ------------------------------

/// Stored state of a report request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRequestState {
    Open,
    /// Answered: the figures are frozen.
    Submitted,
}

/// What both sides see: an open request past its due time is overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRequestStatus {
    Open,
    Overdue,
    Submitted,
}

impl ReportRequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportRequestState::Open => "open",
            ReportRequestState::Submitted => "submitted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "open" => Some(ReportRequestState::Open),
            "submitted" => Some(ReportRequestState::Submitted),
            _ => None,
        }
    }

    pub fn status(self, due_at: DateTime<Utc>, now: DateTime<Utc>) -> ReportRequestStatus {
        match self {
            ReportRequestState::Submitted => ReportRequestStatus::Submitted,
            ReportRequestState::Open if now >= due_at => ReportRequestStatus::Overdue,
            ReportRequestState::Open => ReportRequestStatus::Open,
        }
    }

    /// GSI-7.6: a request is answered once; the answer is frozen. Overdue requests can still
    /// be answered (late answers are shown as such by their time).
    pub fn submit(self) -> Result<ReportRequestState, Refused> {
        match self {
            ReportRequestState::Open => Ok(ReportRequestState::Submitted),
            ReportRequestState::Submitted => Err(Refused {
                current: "submitted",
                detail: "the report request was already answered; its figures are frozen".into(),
                allowed: vec![],
            }),
        }
    }
}

impl ReportRequestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportRequestStatus::Open => "open",
            ReportRequestStatus::Overdue => "overdue",
            ReportRequestStatus::Submitted => "submitted",
        }
    }
}

/// The end of a Bangkok calendar day: 00:00 Bangkok of the next day, as a UTC instant.
pub fn end_of_bangkok_day(date: NaiveDate) -> DateTime<Utc> {
    let next = date.succ_opt().unwrap_or(date).and_hms_opt(0, 0, 0).unwrap_or_default();
    bangkok().from_local_datetime(&next).single().map(|t| t.with_timezone(&Utc)).unwrap_or_default()
}

/// The most a note may hold.
pub const MAX_NOTE_CHARS: usize = 4000;

/// A checked new report request: what GIX asks a provider for and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReportRequest {
    pub provider: OrganisationId,
    pub period: MonthRange,
    pub grouping: Grouping,
    pub due_date: NaiveDate,
    pub due_at: DateTime<Utc>,
    pub note: Option<String>,
}

/// What GIX sent, as text.
#[derive(Debug, Clone, Default)]
pub struct ReportRequestDraft {
    pub provider_id: String,
    pub from: String,
    pub to: String,
    pub group_by: String,
    pub due_date: String,
    pub note: Option<String>,
}

/// GSI-7.6: the period must have ended (a frozen report covers final figures), the due date
/// must not be in the past, the note is bounded. Every bad field is named.
pub fn new_report_request(
    draft: &ReportRequestDraft,
    now: DateTime<Utc>,
) -> Result<NewReportRequest, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let provider = match uuid::Uuid::parse_str(draft.provider_id.trim()) {
        Ok(id) => Some(OrganisationId::from_uuid(id)),
        Err(_) => {
            errors.add("provider_id", "invalid_id", "must be an organisation id (UUID)");
            None
        }
    };
    let mut month = |field: &str, raw: &str| match raw.parse::<Month>() {
        Ok(m) => Some(m),
        Err(e) => {
            errors.add(field, "invalid_month", e.to_string());
            None
        }
    };
    let from = month("from", &draft.from);
    let to = month("to", &draft.to);
    let current = Month::containing(now);
    let period = match (from, to) {
        (Some(from), Some(to)) => {
            if to >= current {
                errors.add("to", "not_ended", format!("the period must have ended; {current} is still running"));
                None
            } else {
                errors.collect(MonthRange::new(from, to, "to"))
            }
        }
        _ => None,
    };
    let grouping = match Grouping::parse(&draft.group_by) {
        Ok(g) => Some(g),
        Err(e) => {
            errors.add("group_by", "invalid_grouping", e);
            None
        }
    };
    let today = now.with_timezone(&bangkok()).date_naive();
    let due_date = match NaiveDate::parse_from_str(draft.due_date.trim(), "%Y-%m-%d") {
        Ok(d) if d < today => {
            errors.add("due_date", "in_the_past", format!("must be today ({today}) or later, Asia/Bangkok"));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errors.add("due_date", "invalid_date", "must be a date YYYY-MM-DD");
            None
        }
    };
    let note = draft.note.as_deref().map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        errors.add("note", "too_long", format!("at most {MAX_NOTE_CHARS} characters"));
    }
    errors.finish(|| {
        let due_date = due_date?;
        Some(NewReportRequest {
            provider: provider?,
            period: period?,
            grouping: grouping?,
            due_date,
            due_at: end_of_bangkok_day(due_date),
            note,
        })
    })
}

// ---- budgets (GSI-13.3) -------------------------------------------------------------

/// How much of a fiscal year's budget is spent, and where the current rate leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetUse {
    pub fiscal_year: FiscalYear,
    pub budget: Money,
    /// Spending from October through the report month.
    pub spent: Money,
    /// `budget − spent`; negative when overspent.
    pub remaining: Money,
    /// `spent / budget` in percent, rounded to 2 places half away from zero; `None` for a zero
    /// budget.
    pub percent_used: Option<Decimal>,
    /// Months of the year counted, October = 1.
    pub months_elapsed: u32,
    /// `spent / months_elapsed × 12`: the year's spending if the rate so far continues,
    /// rounded once to the satang.
    pub projected_year_spend: Money,
    pub projected_over_budget: bool,
}

/// GSI-13.3: the budget consumed through `through` (a month of `fiscal_year`) at a spending
/// of `spent` since 1 October.
pub fn budget_use(fiscal_year: FiscalYear, budget: Money, spent: Money, through: Month) -> BudgetUse {
    let months_elapsed = fiscal_year.months_elapsed(through).max(1);
    let percent_used = (budget.satang() != 0).then(|| {
        (Decimal::from(spent.satang()) * Decimal::ONE_HUNDRED / Decimal::from(budget.satang()))
            .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    });
    let projected_baht = spent.to_baht() * Decimal::from(12) / Decimal::from(months_elapsed);
    let projected_year_spend = Money::round_from_baht(projected_baht).unwrap_or(spent);
    BudgetUse {
        fiscal_year,
        budget,
        spent,
        remaining: budget - spent,
        percent_used,
        months_elapsed,
        projected_year_spend,
        projected_over_budget: projected_year_spend > budget,
    }
}

/// A budget amount as entered: positive THB with at most two decimals.
pub fn budget_amount(raw: &str) -> Result<Money, ValidationErrors> {
    match Money::parse(raw.trim()) {
        Ok(m) if m.satang() > 0 => Ok(m),
        Ok(_) => Err(ValidationErrors::single("amount", "not_positive", "a budget must be more than 0 THB")),
        Err(e) => Err(ValidationErrors::single("amount", "invalid_amount", e.to_string())),
    }
}

// ---- agencies' monthly reports (GSI-13.3) --------------------------------------------

/// Day of the following month by which a monthly report is due, by default the 15th.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueDay(u32);

impl DueDay {
    pub const DEFAULT: DueDay = DueDay(15);

    /// 1–28, so that every month has it.
    pub fn new(day: u32) -> Result<Self, String> {
        if (1..=28).contains(&day) { Ok(DueDay(day)) } else { Err(format!("{day} is not a day 1–28")) }
    }

    pub fn day(self) -> u32 {
        self.0
    }
}

impl Default for DueDay {
    fn default() -> Self {
        DueDay::DEFAULT
    }
}

/// GSI-13.3: the report of `month` is due by the end of the due day of the following month,
/// Asia/Bangkok; from that instant on it is overdue until submitted.
pub fn monthly_report_due(month: Month, due_day: DueDay) -> DateTime<Utc> {
    let next = month.next();
    let date = NaiveDate::from_ymd_opt(next.year(), next.month(), due_day.day()).unwrap_or_default();
    end_of_bangkok_day(date)
}

/// Where an agency stands with the report of a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStanding {
    /// A revision was submitted; `late` when the first submission came after the due time.
    Submitted { late: bool },
    /// Not submitted, not yet due (a draft may exist).
    Pending,
    /// Not submitted and past due.
    Overdue,
}

impl ReportStanding {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStanding::Submitted { late: false } => "submitted",
            ReportStanding::Submitted { late: true } => "submitted_late",
            ReportStanding::Pending => "pending",
            ReportStanding::Overdue => "overdue",
        }
    }
}

/// The overdue rule: `first_submitted_at` is the first submission of any revision.
pub fn report_standing(
    first_submitted_at: Option<DateTime<Utc>>,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
) -> ReportStanding {
    match first_submitted_at {
        Some(at) => ReportStanding::Submitted { late: at >= due },
        None if now >= due => ReportStanding::Overdue,
        None => ReportStanding::Pending,
    }
}

/// A revision of a monthly report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyReportState {
    /// Figures drafted from the data; notes may change.
    Draft,
    /// Immutable.
    Submitted,
}

/// What an agency admin can do with a revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonthlyReportAction {
    EditNotes,
    Submit,
    /// Start a correction: a new draft revision beside the submitted one.
    Revise,
}

impl MonthlyReportAction {
    pub fn as_str(self) -> &'static str {
        match self {
            MonthlyReportAction::EditNotes => "edit_notes",
            MonthlyReportAction::Submit => "submit",
            MonthlyReportAction::Revise => "revise",
        }
    }
}

impl MonthlyReportState {
    pub fn as_str(self) -> &'static str {
        match self {
            MonthlyReportState::Draft => "draft",
            MonthlyReportState::Submitted => "submitted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(MonthlyReportState::Draft),
            "submitted" => Some(MonthlyReportState::Submitted),
            _ => None,
        }
    }

    /// What the revision allows; only the latest revision can be revised.
    pub fn allowed(self, is_latest: bool) -> Vec<MonthlyReportAction> {
        match self {
            MonthlyReportState::Draft => vec![MonthlyReportAction::EditNotes, MonthlyReportAction::Submit],
            MonthlyReportState::Submitted if is_latest => vec![MonthlyReportAction::Revise],
            MonthlyReportState::Submitted => vec![],
        }
    }

    /// The one transition function: the state the revision is in after `action`. `Revise`
    /// leaves this revision submitted (it is kept as it was); the caller opens the next.
    pub fn apply(self, action: MonthlyReportAction, is_latest: bool) -> Result<MonthlyReportState, Refused> {
        let refuse = |detail: &str| Refused {
            current: self.as_str(),
            detail: detail.to_owned(),
            allowed: self.allowed(is_latest).iter().map(|a| a.as_str()).collect(),
        };
        match (self, action) {
            (MonthlyReportState::Draft, MonthlyReportAction::EditNotes) => Ok(MonthlyReportState::Draft),
            (MonthlyReportState::Draft, MonthlyReportAction::Submit) => Ok(MonthlyReportState::Submitted),
            (MonthlyReportState::Draft, MonthlyReportAction::Revise) => {
                Err(refuse("a draft is corrected by editing it; revise a submitted report"))
            }
            (MonthlyReportState::Submitted, MonthlyReportAction::Revise) if is_latest => {
                Ok(MonthlyReportState::Submitted)
            }
            (MonthlyReportState::Submitted, MonthlyReportAction::Revise) => {
                Err(refuse("a later revision exists; revise the latest"))
            }
            (MonthlyReportState::Submitted, MonthlyReportAction::EditNotes | MonthlyReportAction::Submit) => {
                Err(refuse("a submitted report is immutable; a correction is a new revision (revise)"))
            }
        }
    }
}

/// A step the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub current: &'static str,
    pub detail: String,
    pub allowed: Vec<&'static str>,
}

/// Notes on a monthly report: trimmed, at most [`MAX_NOTE_CHARS`].
pub fn report_notes(raw: Option<&str>) -> Result<Option<String>, ValidationErrors> {
    let notes = raw.map(str::trim).filter(|n| !n.is_empty()).map(str::to_owned);
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS) {
        return Err(ValidationErrors::single("notes", "too_long", format!("at most {MAX_NOTE_CHARS} characters")));
    }
    Ok(notes)
}

/// One provider and service's spending in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendLine {
    pub provider: Named,
    pub subscription: uuid::Uuid,
    pub offering: Named,
    pub service_family: ServiceFamily,
    pub record_count: i64,
    pub amount: Money,
}

/// A subscription's SLA in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlaHighlight {
    pub subscription: uuid::Uuid,
    pub target_percent: Decimal,
    pub achieved_percent: Decimal,
    pub availability_breached: bool,
    pub reliability_breached: bool,
    pub incidents_met: u32,
    pub incidents_breached: u32,
    pub incidents_pending: u32,
    pub credit: Option<Money>,
}

/// A monthly report's figures, drafted from the data (GSI-13.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthlyFigures {
    pub lines: Vec<SpendLine>,
    pub month_total: Money,
    /// October through the month.
    pub fiscal_year_spent: Money,
    /// Against the agency's whole-year budget, when one is recorded.
    pub budget: Option<BudgetUse>,
    pub sla: Vec<SlaHighlight>,
}

/// A report's canonical text for its content hash: one CSV record per figure.
pub fn monthly_figures_canonical(month: Month, figures: &MonthlyFigures) -> String {
    let mut out = String::new();
    csv::push_record(&mut out, &["month", &month.to_string()]);
    for l in &figures.lines {
        csv::push_record(
            &mut out,
            &[
                "line".to_owned(),
                l.provider.id.to_string(),
                l.provider.name.clone(),
                l.subscription.to_string(),
                l.offering.id.to_string(),
                l.offering.name.clone(),
                l.service_family.as_str().to_owned(),
                l.record_count.to_string(),
                l.amount.to_string(),
            ],
        );
    }
    csv::push_record(&mut out, &["month_total".to_owned(), figures.month_total.to_string()]);
    csv::push_record(&mut out, &["fiscal_year_spent".to_owned(), figures.fiscal_year_spent.to_string()]);
    if let Some(b) = &figures.budget {
        csv::push_record(&mut out, &["budget".to_owned(), b.fiscal_year.to_string(), b.budget.to_string()]);
    }
    for s in &figures.sla {
        csv::push_record(
            &mut out,
            &[
                "sla".to_owned(),
                s.subscription.to_string(),
                s.target_percent.to_string(),
                s.achieved_percent.to_string(),
                s.availability_breached.to_string(),
                s.reliability_breached.to_string(),
                s.incidents_met.to_string(),
                s.incidents_breached.to_string(),
                s.incidents_pending.to_string(),
                s.credit.map(|c| c.to_string()).unwrap_or_default(),
            ],
        );
    }
    out
}

/// The months whose reports are due by `now` or drafted early: the month before the current
/// one is the latest month a report can be drafted for (a month must end first).
pub fn reportable(month: Month, now: DateTime<Utc>) -> Result<(), ValidationErrors> {
    let current = Month::containing(now);
    if month >= current {
        return Err(ValidationErrors::single(
            "month",
            "not_ended",
            format!("a monthly report covers an ended month; {current} is still running"),
        ));
    }
    Ok(())
}

/// The day after `date` in Bangkok, for display of due dates.
pub fn due_date_of(due_at: DateTime<Utc>) -> NaiveDate {
    (due_at.with_timezone(&bangkok()) - Duration::seconds(1)).date_naive()
}

/// Whether `day` of the month is valid for that month (used by callers that accept dates).
pub fn last_day_of(month: Month) -> u32 {
    (month.end().with_timezone(&bangkok()) - Duration::days(1)).day()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }
    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).unwrap()
    }
    fn thb(s: &str) -> Money {
        Money::parse(s).unwrap()
    }

    #[test]
    fn gsi_13_3_budget_use_percent_remaining_and_projection() {
        // FY 2027 (B.E. 2570): 1,200,000 THB; 450,000.50 spent October–March (6 months).
        let used = budget_use(FiscalYear(2027), thb("1200000"), thb("450000.50"), month(2027, 3));
        assert_eq!(used.months_elapsed, 6);
        assert_eq!(used.remaining, thb("749999.50"));
        assert_eq!(used.percent_used, Some(Decimal::new(3750, 2)), "450000.50 / 1200000 = 37.500041… → 37.50");
        assert_eq!(used.projected_year_spend, thb("900001.00"));
        assert!(!used.projected_over_budget);
    }

    #[test]
    fn gsi_13_3_projection_rounds_once_and_flags_overspending() {
        // 100.00 over 7 months → 171.428571… → 171.43 a year, over a 150 THB budget.
        let used = budget_use(FiscalYear(2027), thb("150"), thb("100"), month(2027, 4));
        assert_eq!(used.months_elapsed, 7);
        assert_eq!(used.projected_year_spend, thb("171.43"));
        assert!(used.projected_over_budget);
        assert_eq!(used.percent_used, Some(Decimal::new(6667, 2)));
        // Overspent: remaining goes negative; first month projects ×12.
        let over = budget_use(FiscalYear(2027), thb("100"), thb("120"), month(2026, 10));
        assert_eq!(over.remaining, thb("-20"));
        assert_eq!(over.projected_year_spend, thb("1440"));
        assert_eq!(over.months_elapsed, 1);
        // September: the projection is the spending itself.
        let year = budget_use(FiscalYear(2027), thb("100"), thb("99.99"), month(2027, 9));
        assert_eq!(year.projected_year_spend, thb("99.99"));
    }

    #[test]
    fn budget_amounts_are_positive_exact_baht() {
        assert_eq!(budget_amount("1500000.25").unwrap(), thb("1500000.25"));
        assert!(budget_amount("0").is_err());
        assert!(budget_amount("-5").is_err());
        assert!(budget_amount("1.005").is_err());
        assert!(budget_amount("abc").is_err());
    }

    #[test]
    fn gsi_13_3_report_due_by_end_of_the_15th_of_the_following_month_bangkok() {
        let due = monthly_report_due(month(2026, 11), DueDay::DEFAULT);
        // End of 15 December Bangkok = 16 December 00:00 +07 = 15 December 17:00 UTC.
        assert_eq!(due, utc(2026, 12, 15, 17, 0));
        assert_eq!(report_standing(None, due, utc(2026, 12, 15, 16, 59)), ReportStanding::Pending);
        assert_eq!(report_standing(None, due, due), ReportStanding::Overdue);
        assert_eq!(
            report_standing(Some(utc(2026, 12, 15, 16, 59)), due, utc(2027, 1, 1, 0, 0)),
            ReportStanding::Submitted { late: false }
        );
        assert_eq!(report_standing(Some(due), due, due), ReportStanding::Submitted { late: true });
        // December's report is due in January of the next year; the day is configurable.
        assert_eq!(monthly_report_due(month(2026, 12), DueDay::new(5).unwrap()), utc(2027, 1, 5, 17, 0));
        assert!(DueDay::new(0).is_err());
        assert!(DueDay::new(29).is_err());
        assert_eq!(due_date_of(due), NaiveDate::from_ymd_opt(2026, 12, 15).unwrap());
    }

    #[test]
    fn gsi_13_3_submitted_reports_are_immutable_and_revised_into_a_new_revision() {
        use MonthlyReportAction::*;
        use MonthlyReportState::*;
        assert_eq!(Draft.apply(EditNotes, true), Ok(Draft));
        assert_eq!(Draft.apply(Submit, true), Ok(Submitted));
        assert!(Draft.apply(Revise, true).is_err());
        let refused = Submitted.apply(EditNotes, true).unwrap_err();
        assert_eq!(refused.current, "submitted");
        assert_eq!(refused.allowed, vec!["revise"]);
        assert!(Submitted.apply(Submit, true).is_err());
        assert_eq!(Submitted.apply(Revise, true), Ok(Submitted));
        assert!(Submitted.apply(Revise, false).is_err(), "only the latest revision is revised");
        assert!(Submitted.allowed(false).is_empty());
    }

    #[test]
    fn gsi_7_6_report_requests_are_answered_once_and_overdue_after_the_due_day() {
        let due = end_of_bangkok_day(NaiveDate::from_ymd_opt(2026, 12, 20).unwrap());
        assert_eq!(due, utc(2026, 12, 20, 17, 0));
        assert_eq!(ReportRequestState::Open.status(due, utc(2026, 12, 20, 16, 59)), ReportRequestStatus::Open);
        assert_eq!(ReportRequestState::Open.status(due, due), ReportRequestStatus::Overdue);
        assert_eq!(ReportRequestState::Submitted.status(due, due), ReportRequestStatus::Submitted);
        assert_eq!(ReportRequestState::Open.submit(), Ok(ReportRequestState::Submitted));
        assert!(ReportRequestState::Submitted.submit().is_err());
    }

    #[test]
    fn gsi_7_6_new_report_requests_name_every_bad_field() {
        let now = utc(2026, 12, 6, 3, 0);
        let ok = new_report_request(
            &ReportRequestDraft {
                provider_id: "00000000-0000-7000-8000-000000000b02".into(),
                from: "2026-10".into(),
                to: "2026-11".into(),
                group_by: "agency, metric".into(),
                due_date: "2026-12-20".into(),
                note: Some("  ไตรมาสแรก  ".into()),
            },
            now,
        )
        .unwrap();
        assert_eq!(ok.grouping.dimensions(), &[UsageDimension::Agency, UsageDimension::Metric]);
        assert_eq!(ok.note.as_deref(), Some("ไตรมาสแรก"));
        assert_eq!(ok.due_at, utc(2026, 12, 20, 17, 0));
        let bad = new_report_request(
            &ReportRequestDraft {
                provider_id: "nope".into(),
                from: "2026-11".into(),
                to: "2026-12".into(),
                group_by: "agency,planet".into(),
                due_date: "2026-12-05".into(),
                note: None,
            },
            now,
        )
        .unwrap_err();
        let fields: Vec<&str> = bad.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["provider_id", "to", "group_by", "due_date"]);
    }

    #[test]
    fn gsi_7_6_groupings_parse_and_give_their_columns() {
        let g = Grouping::parse("provider,month,metric").unwrap();
        assert_eq!(
            g.columns(),
            ["row", "provider_id", "provider_name", "month", "metric", "quantity", "record_count", "amount"]
        );
        assert!(Grouping::parse("provider,provider").is_err());
        assert!(Grouping::parse("x").is_err());
        let none = Grouping::parse("").unwrap();
        assert_eq!(none.columns(), ["row", "record_count", "amount"]);
        assert!(MonthRange::new(month(2026, 5), month(2026, 4), "to").is_err());
        assert!(MonthRange::new(month(2016, 1), month(2026, 1), "to").is_err());
        assert!(MonthRange::new(month(2016, 2), month(2026, 1), "to").is_ok());
    }

    #[test]
    fn usage_report_csv_has_groups_then_the_total() {
        let g = Grouping::parse("agency").unwrap();
        let agency =
            Named { id: uuid::Uuid::nil(), name: "กรม \"ทดสอบ\", ส่วนกลาง".into() };
        let groups = vec![
            UsageGroup {
                provider: None,
                agency: Some(agency),
                service_family: None,
                offering: None,
                metric: None,
                month: None,
                quantity: None,
                record_count: 3,
                amount: thb("10.05"),
            },
            UsageGroup {
                provider: None,
                agency: Some(Named { id: uuid::Uuid::max(), name: "B".into() }),
                service_family: None,
                offering: None,
                metric: None,
                month: None,
                quantity: None,
                record_count: 1,
                amount: thb("0.95"),
            },
        ];
        let csv = usage_report_csv(&g, &groups);
        assert_eq!(
            csv,
            "row,agency_id,agency_name,record_count,amount\r\n\
             group,00000000-0000-0000-0000-000000000000,\"กรม \"\"ทดสอบ\"\", ส่วนกลาง\",3,10.05\r\n\
             group,ffffffff-ffff-ffff-ffff-ffffffffffff,B,1,0.95\r\n\
             total,,,4,11.00\r\n"
        );
        assert_eq!(last_day_of(month(2028, 2)), 29);
    }
}
