//! Reports (GSI-7.5.9, 7.6, 13.2, 13.3): GIX's usage reports and report requests to
//! providers, agencies' fiscal-year budgets and monthly reports. Figures come from grouped
//! SQL (`repos::reports`); the rules (groupings, due dates, budget use, revisions) from
//! `gsi_domain::report`.

use gsi_domain::billing::{self, CostScope};
use gsi_domain::calendar::{FiscalYear, Month};
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::money::Money;
use gsi_domain::report::{
    self, DueDay, Grouping, MonthRange, MonthlyFigures, MonthlyReportAction, MonthlyReportState, Refused,
    ReportRequestDraft, ReportRequestState, ReportStanding, SlaHighlight, UsageGroup, UsageTotals,
};
use gsi_domain::service::ServiceFamily;
use gsi_domain::subscription::{SubscriptionFilter, SubscriptionScope};
use gsi_domain::usage::UsageRecordId;
use gsi_domain::{OrganisationId, Role};
use gsi_persistence::repos::reports::{
    self as repo, AgencyMonthRow, BudgetRecord, MonthlyReportRecord, ReportRequestRecord, UsageReportQuery,
};
use gsi_persistence::repos::usage::{self as usage_repo, BilledUsage, CostFilter};
use gsi_persistence::repos::{organisations, subscriptions};
use gsi_persistence::{DbConnection, PageRequest};
use sha2::{Digest, Sha256};

use super::{Change, Context, audit, events};
use crate::error::ApiError;
use crate::http::etag::Precondition;

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn refused(r: Refused) -> ApiError {
    ApiError::InvalidTransition {
        detail: r.detail,
        current_state: r.current.to_owned(),
        allowed_actions: r.allowed.iter().map(|a| (*a).to_owned()).collect(),
    }
}

/// Agencies their own, providers the agencies they serve (their part), GIX everything.
pub fn usage_scope(ctx: &Context) -> Result<CostScope, ApiError> {
    match billing::cost_scope(&ctx.actor) {
        CostScope::Nothing => Err(ApiError::Forbidden("usage reports are for agencies, providers and GIX".into())),
        scope @ (CostScope::Everything | CostScope::Agency(_) | CostScope::Provider(_)) => Ok(scope),
    }
}

/// A usage report with its totals.
pub struct UsageReport {
    pub grouping: Grouping,
    pub period: MonthRange,
    pub groups: Vec<UsageGroup>,
    pub totals: UsageTotals,
}

/// GSI-7.6: usage and charges of `period` grouped as asked, summed in the database.
pub fn usage_report(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: CostFilter,
    period: MonthRange,
    grouping: Grouping,
) -> Result<UsageReport, ApiError> {
    let scope = usage_scope(ctx)?;
    let groups = repo::usage_groups(conn, &UsageReportQuery { scope, filter, period, grouping: &grouping })?;
    let totals = UsageTotals::of(&groups);
    Ok(UsageReport { grouping, period, groups, totals })
}

/// Where a streamed export of rated usage stands: the month being read and the last id sent.
#[derive(Debug, Clone, Copy)]
pub struct ExportCursor {
    pub month: Month,
    pub after: Option<UsageRecordId>,
    pub done: bool,
}

/// The next page of rated usage of `period` for a streamed export, month by month in id
/// order; an empty page means the export is complete.
pub fn export_page(
    conn: &mut DbConnection,
    scope: CostScope,
    filter: CostFilter,
    period: MonthRange,
    cursor: &mut ExportCursor,
    limit: i64,
) -> Result<Vec<BilledUsage>, ApiError> {
    while !cursor.done {
        let page = usage_repo::page_of_month(conn, scope, filter, cursor.month, cursor.after, limit)?;
        if let Some(last) = page.last() {
            cursor.after = Some(last.rated.id);
            return Ok(page);
        }
        if cursor.month >= period.to {
            cursor.done = true;
        } else {
            cursor.month = cursor.month.next();
            cursor.after = None;
        }
    }
    Ok(Vec::new())
}

// ---- report requests (GSI-7.6) --------------------------------------------------------

fn gix_only(ctx: &Context, what: &str) -> Result<(), ApiError> {
    if ctx.actor.role == Role::GixOfficer { Ok(()) } else { Err(ApiError::Forbidden(format!("{what} is GIX's"))) }
}

/// GIX reads every request; a provider the requests addressed to it; anyone else nothing.
fn can_read_request(ctx: &Context, r: &ReportRequestRecord) -> bool {
    match ctx.actor.role {
        Role::GixOfficer => true,
        Role::ProviderOperator => r.provider == ctx.actor.organisation,
        Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => false,
    }
}

/// GIX records a formal report request to a provider.
pub fn create_request(
    conn: &mut DbConnection,
    ctx: &Context,
    draft: &ReportRequestDraft,
) -> Result<ReportRequestRecord, ApiError> {
    create_request_as(conn, ctx, uuid::Uuid::now_v7(), draft)
}

/// `create_request` with a given id (demo data uses fixed ids).
pub fn create_request_as(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
    draft: &ReportRequestDraft,
) -> Result<ReportRequestRecord, ApiError> {
    gix_only(ctx, "requesting reports from providers")?;
    let new = report::new_report_request(draft, ctx.now).map_err(ApiError::Validation)?;
    let provider = organisations::find(conn, new.provider)?;
    if provider.is_none_or(|p| p.kind.as_str() != "provider") {
        return Err(ApiError::Validation(gsi_domain::ValidationErrors::single(
            "provider_id",
            "not_a_provider",
            "no provider has this id",
        )));
    }
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    let record = ReportRequestRecord {
        id,
        provider: new.provider,
        requested_by: ctx.actor.organisation,
        period: new.period,
        grouping: new.grouping,
        due_date: new.due_date,
        due_at: new.due_at,
        note: new.note,
        state: ReportRequestState::Open,
        submitted_at: None,
        content_hash: None,
        record_count: None,
        total: None,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    repo::insert_request(conn, &record)?;
    audit(
        conn,
        ctx,
        Change {
            action: "report_request.create",
            resource_type: "report_request",
            resource_id: record.id.to_string(),
            owner: Some(record.provider),
            changes: serde_json::json!({
                "provider_id": record.provider.to_string(),
                "from": record.period.from.to_string(),
                "to": record.period.to.to_string(),
                "group_by": record.grouping.to_string(),
                "due_date": record.due_date.to_string(),
            }),
        },
    )?;
    events::emit(
        conn,
        ctx,
        EventType::ReportRequestCreated,
        ResourceRef::new("report_request", record.id, Some("open"), format!("/v1/report-requests/{}", record.id)),
        Audience::parties([record.provider]),
        serde_json::json!({
            "from": record.period.from.to_string(),
            "to": record.period.to.to_string(),
            "due_date": record.due_date.to_string(),
        }),
    )?;
    Ok(record)
}

pub fn list_requests(
    conn: &mut DbConnection,
    ctx: &Context,
    state: Option<ReportRequestState>,
    limit: i64,
) -> Result<Vec<ReportRequestRecord>, ApiError> {
    let provider = match ctx.actor.role {
        Role::GixOfficer => None,
        Role::ProviderOperator => Some(ctx.actor.organisation),
        Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => {
            return Err(ApiError::Forbidden("report requests are between GIX and providers".into()));
        }
    };
    Ok(repo::list_requests(conn, provider, state, limit)?)
}

pub fn get_request(conn: &mut DbConnection, ctx: &Context, id: uuid::Uuid) -> Result<ReportRequestRecord, ApiError> {
    repo::find_request(conn, id)?.filter(|r| can_read_request(ctx, r)).ok_or(ApiError::NotFound("report request"))
}

/// The provider answers: the report is generated from its own data for the requested period
/// and grouping, and frozen with the SHA-256 of its canonical CSV. Only the addressed
/// provider may answer (anyone else: 404; GIX: 403).
pub fn submit_request(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
) -> Result<(ReportRequestRecord, Vec<UsageGroup>), ApiError> {
    let current = get_request(conn, ctx, id)?;
    if ctx.actor.role != Role::ProviderOperator {
        return Err(ApiError::Forbidden("a report request is answered by the provider it is addressed to".into()));
    }
    let state = current.state.submit().map_err(refused)?;
    let query = UsageReportQuery {
        scope: CostScope::Provider(current.provider),
        filter: CostFilter::default(),
        period: current.period,
        grouping: &current.grouping,
    };
    let groups = repo::usage_groups(conn, &query)?;
    let totals = UsageTotals::of(&groups);
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    let answered = ReportRequestRecord {
        state,
        submitted_at: Some(now),
        content_hash: Some(sha256_hex(&report::usage_report_csv(&current.grouping, &groups))),
        record_count: Some(totals.record_count),
        total: Some(totals.amount),
        updated_at: now,
        version: current.version + 1,
        ..current.clone()
    };
    if !repo::submit_request(conn, &answered, current.version, &groups)? {
        return Err(ApiError::Conflict("the report request changed meanwhile; read it again".into()));
    }
    audit(
        conn,
        ctx,
        Change {
            action: "report_request.submit",
            resource_type: "report_request",
            resource_id: id.to_string(),
            owner: Some(answered.provider),
            changes: serde_json::json!({
                "content_hash": answered.content_hash,
                "record_count": totals.record_count,
                "total": totals.amount.to_string(),
            }),
        },
    )?;
    events::emit(
        conn,
        ctx,
        EventType::ReportRequestSubmitted,
        ResourceRef::new("report_request", id, Some("submitted"), format!("/v1/report-requests/{id}")),
        Audience::parties([answered.provider]),
        serde_json::json!({"content_hash": answered.content_hash, "total": totals.amount.to_string()}),
    )?;
    Ok((answered, groups))
}

/// The frozen figures of an answered request; the stored hash is checked against them.
pub fn request_report(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
) -> Result<(ReportRequestRecord, Vec<UsageGroup>), ApiError> {
    let record = get_request(conn, ctx, id)?;
    if record.state != ReportRequestState::Submitted {
        return Err(ApiError::InvalidTransition {
            detail: "the provider has not answered this request yet".into(),
            current_state: record.state.status(record.due_at, ctx.now).as_str().to_owned(),
            allowed_actions: vec![],
        });
    }
    let groups = repo::request_figures(conn, id)?;
    let hash = sha256_hex(&report::usage_report_csv(&record.grouping, &groups));
    if record.content_hash.as_deref() != Some(hash.as_str()) {
        return Err(ApiError::Internal(format!("report request {id}: frozen figures differ from their hash")));
    }
    Ok((record, groups))
}

// ---- budgets (GSI-13.3) ---------------------------------------------------------------

fn agency_admin(ctx: &Context, what: &str) -> Result<OrganisationId, ApiError> {
    if ctx.actor.role == Role::AgencyAdmin {
        Ok(ctx.actor.organisation)
    } else {
        Err(ApiError::Forbidden(format!("{what} is for the agency's administrators")))
    }
}

/// Which agency's budgets and reports the caller reads: its own, or for GIX any (`agency`
/// filter) or all.
fn agency_reader(ctx: &Context, agency: Option<OrganisationId>) -> Result<Option<OrganisationId>, ApiError> {
    match ctx.actor.role {
        Role::AgencyAdmin | Role::AgencyUser => Ok(Some(ctx.actor.organisation)),
        Role::GixOfficer => Ok(agency),
        Role::ProviderOperator | Role::Assessor => {
            Err(ApiError::Forbidden("budgets and monthly reports are the agency's and GIX's".into()))
        }
    }
}

/// Sets (creates or replaces) the agency's budget for a fiscal year, whole or per family.
pub fn set_budget(
    conn: &mut DbConnection,
    ctx: &Context,
    fiscal_year: FiscalYear,
    family: Option<ServiceFamily>,
    amount: Money,
) -> Result<(BudgetRecord, bool), ApiError> {
    let agency = agency_admin(ctx, "setting budgets")?;
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    let existing = repo::find_budget(conn, agency, fiscal_year, family)?;
    let created = existing.is_none();
    let record = match existing {
        Some(b) => BudgetRecord { amount, updated_at: now, version: b.version + 1, ..b },
        None => BudgetRecord {
            id: uuid::Uuid::now_v7(),
            agency,
            fiscal_year,
            service_family: family,
            amount,
            created_at: now,
            updated_at: now,
            version: 1,
        },
    };
    repo::save_budget(conn, &record, !created)?;
    audit(
        conn,
        ctx,
        Change {
            action: "budget.set",
            resource_type: "budget",
            resource_id: record.id.to_string(),
            owner: Some(agency),
            changes: serde_json::json!({
                "fiscal_year": fiscal_year.0,
                "service_family": family.map(|f| f.as_str()),
                "amount": amount.to_string(),
            }),
        },
    )?;
    Ok((record, created))
}

pub fn list_budgets(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: Option<OrganisationId>,
    fiscal_year: Option<FiscalYear>,
) -> Result<Vec<BudgetRecord>, ApiError> {
    let agency = agency_reader(ctx, agency)?;
    Ok(repo::list_budgets(conn, agency, fiscal_year)?)
}

// ---- monthly reports (GSI-13.3) ---------------------------------------------------------

/// The figures of `agency`'s `month`, drafted from the data: spending per provider and
/// service, October-to-date spending against the whole-year budget, and each subscription's
/// SLA attainment with its incidents.
fn draft_figures(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: OrganisationId,
    month: Month,
) -> Result<(MonthlyFigures, Option<Money>), ApiError> {
    let lines = repo::month_spend(conn, agency, month)?;
    let month_total = Money::sum(lines.iter().map(|l| &l.amount))
        .ok_or_else(|| ApiError::Internal("monthly total out of range".into()))?;
    let fiscal_year = month.fiscal_year();
    let fiscal_year_spent = repo::spent_between(conn, agency, fiscal_year.first_month(), month)?;
    let budget = repo::find_budget(conn, agency, fiscal_year, None)?.map(|b| b.amount);
    let mut sla = Vec::new();
    let filter = SubscriptionFilter { from: Some(month.start()), until: Some(month.end()), ..Default::default() };
    let mut after = None;
    loop {
        let page =
            subscriptions::list(conn, SubscriptionScope::OfAgency(agency), &filter, PageRequest { after, limit: 200 })?;
        for stored in &page.items {
            let view = match super::sla::attainment(conn, ctx, stored.subscription.id, month) {
                Ok(view) => view,
                // Outside the term (e.g. it ended before the month): no SLA for that month.
                Err(ApiError::InvalidParameters(_)) => continue,
                Err(e) => return Err(e),
            };
            let a = &view.attainment;
            sla.push(SlaHighlight {
                subscription: stored.subscription.id.as_uuid(),
                target_percent: a.availability.target_percent,
                achieved_percent: a.availability.achieved_percent,
                availability_breached: a.availability.breached,
                reliability_breached: a.reliability.breached(),
                incidents_met: a.reliability.incidents_met,
                incidents_breached: a.reliability.incidents_breached,
                incidents_pending: a.reliability.incidents_pending,
                credit: a.credit.amount,
            });
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let figures = MonthlyFigures {
        lines,
        month_total,
        fiscal_year_spent,
        budget: budget.map(|b| report::budget_use(fiscal_year, b, fiscal_year_spent, month)),
        sla,
    };
    Ok((figures, budget))
}

fn new_revision(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: OrganisationId,
    month: Month,
    revision: i32,
    notes: Option<String>,
) -> Result<MonthlyReportRecord, ApiError> {
    let (figures, budget) = draft_figures(conn, ctx, agency, month)?;
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    Ok(MonthlyReportRecord {
        id: uuid::Uuid::now_v7(),
        agency,
        month,
        revision,
        state: MonthlyReportState::Draft,
        notes,
        fiscal_year: month.fiscal_year(),
        content_hash: sha256_hex(&report::monthly_figures_canonical(month, &figures)),
        figures,
        budget,
        submitted_at: None,
        submitted_by: None,
        created_at: now,
        updated_at: now,
        version: 1,
    })
}

/// The agency admin drafts the report of an ended month; the first revision only (later
/// ones come from `revise`, an open draft is edited).
pub fn draft_monthly(conn: &mut DbConnection, ctx: &Context, month: Month) -> Result<MonthlyReportRecord, ApiError> {
    let agency = agency_admin(ctx, "drafting monthly reports")?;
    report::reportable(month, ctx.now).map_err(ApiError::Validation)?;
    if let Some(latest) = repo::revisions(conn, agency, month)?.pop() {
        return Err(ApiError::Conflict(format!(
            "the report of {month} exists (revision {}, {}, id {}); edit the draft or revise the submitted report",
            latest.revision,
            latest.state.as_str(),
            latest.id
        )));
    }
    let record = new_revision(conn, ctx, agency, month, 1, None)?;
    repo::insert_monthly(conn, &record)?;
    audit_monthly(conn, ctx, &record, "monthly_report.draft")?;
    Ok(record)
}

fn audit_monthly(
    conn: &mut DbConnection,
    ctx: &Context,
    r: &MonthlyReportRecord,
    action: &str,
) -> Result<(), ApiError> {
    audit(
        conn,
        ctx,
        Change {
            action,
            resource_type: "monthly_report",
            resource_id: r.id.to_string(),
            owner: Some(r.agency),
            changes: serde_json::json!({
                "month": r.month.to_string(),
                "revision": r.revision,
                "state": r.state.as_str(),
                "content_hash": r.content_hash,
            }),
        },
    )
}

/// The agency's own (admins and users) and GIX; 404 for anyone else.
pub fn get_monthly(conn: &mut DbConnection, ctx: &Context, id: uuid::Uuid) -> Result<MonthlyReportRecord, ApiError> {
    let readable = |r: &MonthlyReportRecord| match ctx.actor.role {
        Role::GixOfficer => true,
        Role::AgencyAdmin | Role::AgencyUser => r.agency == ctx.actor.organisation,
        Role::ProviderOperator | Role::Assessor => false,
    };
    repo::find_monthly(conn, id)?.filter(readable).ok_or(ApiError::NotFound("monthly report"))
}

/// Whether `r` is the latest revision of its month.
fn is_latest(conn: &mut DbConnection, r: &MonthlyReportRecord) -> Result<bool, ApiError> {
    Ok(repo::revisions(conn, r.agency, r.month)?.last().map(|l| l.id) == Some(r.id))
}

/// Every revision of the same agency and month, oldest first.
pub fn revisions_of(conn: &mut DbConnection, r: &MonthlyReportRecord) -> Result<Vec<MonthlyReportRecord>, ApiError> {
    Ok(repo::revisions(conn, r.agency, r.month)?)
}

pub fn list_monthly(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: Option<OrganisationId>,
    month: Option<Month>,
    limit: i64,
) -> Result<Vec<MonthlyReportRecord>, ApiError> {
    let agency = agency_reader(ctx, agency)?;
    Ok(repo::list_monthly(conn, agency, month, limit)?)
}

/// Loads a revision the caller administers and applies `action`'s state rule to it.
fn step(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
    precondition: Option<&Precondition>,
    action: MonthlyReportAction,
) -> Result<(MonthlyReportRecord, MonthlyReportState), ApiError> {
    let current = get_monthly(conn, ctx, id)?;
    agency_admin(ctx, "changing monthly reports")?;
    if let Some(p) = precondition {
        p.check(current.version)?;
    }
    let latest = is_latest(conn, &current)?;
    let next = current.state.apply(action, latest).map_err(refused)?;
    Ok((current, next))
}

fn save_draft(
    conn: &mut DbConnection,
    before: &MonthlyReportRecord,
    after: &MonthlyReportRecord,
) -> Result<(), ApiError> {
    if repo::update_draft(conn, after, before.version)? {
        Ok(())
    } else {
        Err(ApiError::PreconditionFailed { current_etag: crate::http::etag::etag(before.version + 1) })
    }
}

/// Notes on a draft; a submitted revision is immutable (409).
pub fn edit_notes(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
    precondition: &Precondition,
    notes: Option<String>,
) -> Result<MonthlyReportRecord, ApiError> {
    let (current, state) = step(conn, ctx, id, Some(precondition), MonthlyReportAction::EditNotes)?;
    let notes = report::report_notes(notes.as_deref()).map_err(ApiError::Validation)?;
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    let after = MonthlyReportRecord { state, notes, updated_at: now, version: current.version + 1, ..current.clone() };
    save_draft(conn, &current, &after)?;
    audit_monthly(conn, ctx, &after, "monthly_report.edit_notes")?;
    Ok(after)
}

/// Submits a draft: from now on it never changes.
pub fn submit_monthly(
    conn: &mut DbConnection,
    ctx: &Context,
    id: uuid::Uuid,
    precondition: &Precondition,
) -> Result<MonthlyReportRecord, ApiError> {
    let (current, state) = step(conn, ctx, id, Some(precondition), MonthlyReportAction::Submit)?;
    let now = gsi_domain::time::to_storage_precision(ctx.now);
    let after = MonthlyReportRecord {
        state,
        submitted_at: Some(now),
        submitted_by: Some(ctx.actor.subject.as_str().to_owned()),
        updated_at: now,
        version: current.version + 1,
        ..current.clone()
    };
    save_draft(conn, &current, &after)?;
    audit_monthly(conn, ctx, &after, "monthly_report.submit")?;
    events::emit(
        conn,
        ctx,
        EventType::MonthlyReportSubmitted,
        ResourceRef::new(
            "monthly_report",
            after.id,
            Some(after.state.as_str()),
            format!("/v1/monthly-reports/{}", after.id),
        ),
        Audience::parties([after.agency]),
        serde_json::json!({"month": after.month.to_string(), "revision": after.revision}),
    )?;
    Ok(after)
}

/// A correction of a submitted report: the next revision, drafted from today's data with the
/// old notes; the submitted one stays as it was.
pub fn revise_monthly(conn: &mut DbConnection, ctx: &Context, id: uuid::Uuid) -> Result<MonthlyReportRecord, ApiError> {
    let (current, _) = step(conn, ctx, id, None, MonthlyReportAction::Revise)?;
    let record = new_revision(conn, ctx, current.agency, current.month, current.revision + 1, current.notes.clone())?;
    repo::insert_monthly(conn, &record)?;
    audit_monthly(conn, ctx, &record, "monthly_report.revise")?;
    Ok(record)
}

/// One agency's line in GIX's overview of a month.
pub struct AgencyStanding {
    pub row: AgencyMonthRow,
    pub standing: ReportStanding,
}

/// GIX: per agency, whether the report of `month` was submitted, is pending or overdue, and
/// the latest submitted figures.
pub fn overview(
    conn: &mut DbConnection,
    ctx: &Context,
    month: Month,
    due_day: DueDay,
) -> Result<(chrono::DateTime<chrono::Utc>, Vec<AgencyStanding>), ApiError> {
    gix_only(ctx, "the overview of agencies' monthly reports")?;
    let due = report::monthly_report_due(month, due_day);
    let rows = repo::month_overview(conn, month)?;
    Ok((
        due,
        rows.into_iter()
            .map(|row| {
                let standing = report::report_standing(row.first_submitted_at, due, ctx.now);
                AgencyStanding { row, standing }
            })
            .collect(),
    ))
}

// ---- agency summary report (GSI-7.5.9, 13.2) -----------------------------------------------

/// At most a year per summary: SLA attainment is computed per subscription and month.
pub const MAX_SUMMARY_MONTHS: usize = 12;

/// Everything about one agency's services in a period, for the agency, GIX, or the part a
/// provider serves.
pub struct AgencySummary {
    pub agency: OrganisationId,
    /// `Some` when a provider reads it: only its part.
    pub provider: Option<OrganisationId>,
    pub period: MonthRange,
    /// `in_use` / `started` / `ended` per service family.
    pub services: Vec<repo::KeyedCount>,
    /// Per request kind and status.
    pub requests: Vec<repo::KeyedCount>,
    pub spend: Vec<report::SpendLine>,
    pub spend_total: Money,
    /// Per incident state and priority.
    pub incidents: Vec<repo::KeyedCount>,
    /// Per security event category and severity.
    pub security_events: Vec<repo::KeyedCount>,
    /// Per month and subscription.
    pub sla: Vec<(Month, SlaHighlight)>,
}

fn months_of(period: MonthRange) -> Vec<Month> {
    let mut months = vec![period.from];
    while let Some(last) = months.last().copied().filter(|m| *m < period.to) {
        months.push(last.next());
    }
    months
}

/// GSI-7.5.9, 13.2: an agency's summary for `period`. Agencies read their own (`agency`
/// absent or their own id; another agency's is 404); GIX any agency; a provider an agency it
/// serves, restricted to its own services (an agency it does not serve is 404).
pub fn agency_summary(
    conn: &mut DbConnection,
    ctx: &Context,
    agency: Option<OrganisationId>,
    period: MonthRange,
) -> Result<AgencySummary, ApiError> {
    let months = months_of(period);
    if months.len() > MAX_SUMMARY_MONTHS {
        return Err(ApiError::invalid_parameter("to", "too_long", format!("at most {MAX_SUMMARY_MONTHS} months")));
    }
    let required = || ApiError::invalid_parameter("agency_id", "required", "name the agency");
    let (agency, provider) = match ctx.actor.role {
        Role::AgencyAdmin | Role::AgencyUser => match agency {
            Some(a) if a != ctx.actor.organisation => return Err(ApiError::NotFound("agency summary")),
            _ => (ctx.actor.organisation, None),
        },
        Role::GixOfficer => (agency.ok_or_else(required)?, None),
        Role::ProviderOperator => {
            let agency = agency.ok_or_else(required)?;
            if !super::subscriptions::caller_serves(conn, ctx, agency)? {
                return Err(ApiError::NotFound("agency summary"));
            }
            (agency, Some(ctx.actor.organisation))
        }
        Role::Assessor => {
            return Err(ApiError::Forbidden("agency summaries are for agencies, providers and GIX".into()));
        }
    };
    let scope = repo::SummaryScope { agency, provider, start: period.from.start(), end: period.to.end() };
    let spend = repo::spend_between(conn, agency, provider, period.from, period.to)?;
    let spend_total = Money::sum(spend.iter().map(|l| &l.amount))
        .ok_or_else(|| ApiError::Internal("spending out of range".into()))?;
    let mut sla = Vec::new();
    let filter = SubscriptionFilter { provider, from: Some(scope.start), until: Some(scope.end), ..Default::default() };
    let mut after = None;
    loop {
        let page =
            subscriptions::list(conn, SubscriptionScope::OfAgency(agency), &filter, PageRequest { after, limit: 200 })?;
        for stored in &page.items {
            for month in &months {
                let view = match super::sla::attainment(conn, ctx, stored.subscription.id, *month) {
                    Ok(view) => view,
                    Err(ApiError::InvalidParameters(_)) => continue,
                    Err(e) => return Err(e),
                };
                let a = &view.attainment;
                sla.push((
                    *month,
                    SlaHighlight {
                        subscription: stored.subscription.id.as_uuid(),
                        target_percent: a.availability.target_percent,
                        achieved_percent: a.availability.achieved_percent,
                        availability_breached: a.availability.breached,
                        reliability_breached: a.reliability.breached(),
                        incidents_met: a.reliability.incidents_met,
                        incidents_breached: a.reliability.incidents_breached,
                        incidents_pending: a.reliability.incidents_pending,
                        credit: a.credit.amount,
                    },
                ));
            }
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    Ok(AgencySummary {
        agency,
        provider,
        period,
        services: repo::services_summary(conn, scope)?,
        requests: repo::requests_summary(conn, scope)?,
        spend,
        spend_total,
        incidents: repo::incidents_summary(conn, scope)?,
        security_events: repo::security_events_summary(conn, scope)?,
        sla,
    })
}
