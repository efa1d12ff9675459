//! Service requests (GSI-7.5.5–7.5.7, A.1.1–A.1.8): the request row with its current
//! state, every quote it received (GSI-A.1.6), and the timeline of its steps (GSI-A.1.8).
//!
//! The payload, the preview, the warnings, each quote's decision, the acknowledgement and
//! the latest progress are JSON documents of their rows, decimals as strings. Loading goes
//! back through the domain parsers (`NewServiceRequest::parse`, `QuoteDecision::parse`, …)
//! at the instant each was made, so a row that breaks a rule is reported, never shown.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use gsi_domain::money::{Money, Quantity, UnitPrice};
use gsi_domain::request::{
    Acknowledgement, CapacityWarning, NOTE_MAX, NewServiceRequest, Percent, Preview, PreviewLine, Progress, Quantities,
    Quote, QuoteDecision, QuoteDraft, QuoteId, RequestKind, RequestListScope, RequestPayload, RequestStatus,
    RequestSummary, ServiceRequest, ServiceRequestDraft, ServiceRequestId, TimelineEntry,
};
use gsi_domain::service::Metric;
use gsi_domain::subscription::{SubscriptionId, SubscriptionStatus};
use gsi_domain::text::BoundedText;
use gsi_domain::{Actor, Id, OrganisationId, Subject};
use serde::{Deserialize, Serialize};

use crate::connection::DbConnection;
use crate::docs::{quantities_from_json, quantities_to_json};
use crate::error::{StoreError, corrupt};
use crate::page::{Page, PageRequest};
use crate::schema::{service_request_quotes, service_request_timeline, service_requests, subscriptions};
use crate::types::{DbJson, DbTimestamp, DbUuid};

/// A stored request: the domain record, and for a completed new service the subscription
/// its completion created (the domain request names none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRequestRecord {
    pub request: ServiceRequest,
    pub created_subscription: Option<SubscriptionId>,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_requests)]
struct RequestRow {
    id: DbUuid,
    kind: String,
    agency_id: DbUuid,
    provider_id: DbUuid,
    subscription_id: Option<DbUuid>,
    offering_id: Option<DbUuid>,
    payload: DbJson,
    preview: DbJson,
    warnings: DbJson,
    status: String,
    quote_valid_until: Option<DbTimestamp>,
    acknowledgement: Option<DbJson>,
    state_notes: DbJson,
    created_at: DbTimestamp,
    updated_at: DbTimestamp,
    version: i64,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_request_quotes)]
struct QuoteRow {
    id: DbUuid,
    request_id: DbUuid,
    number: i32,
    decision: DbJson,
    issued_at: DbTimestamp,
    issued_by: String,
}

#[derive(Debug, Queryable, Selectable, Insertable)]
#[diesel(table_name = service_request_timeline)]
struct TimelineRow {
    id: DbUuid,
    request_id: DbUuid,
    version: i64,
    at: DbTimestamp,
    actor_subject: String,
    actor_role: String,
    actor_organisation_id: DbUuid,
    action: String,
    from_status: Option<String>,
    to_status: String,
    note: Option<String>,
    percent: Option<i32>,
    quote_id: Option<DbUuid>,
}

// --- documents ---------------------------------------------------------------------------------

/// What the request asks for besides the ids kept in columns, and who sent it.
#[derive(Debug, Serialize, Deserialize)]
struct PayloadDoc {
    quantities: serde_json::Value,
    end_at: Option<DateTime<Utc>>,
    note: Option<String>,
    submitted_by: String,
}

/// What the later steps recorded: the latest progress and the closing reason.
#[derive(Debug, Default, Serialize, Deserialize)]
struct StateNotesDoc {
    progress: Option<ProgressDoc>,
    closing_reason: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreviewLineDoc {
    metric: String,
    current: String,
    resulting: String,
    unit_price: String,
    monthly_before: String,
    monthly_after: String,
    monthly_delta: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct PreviewDoc {
    lines: Vec<PreviewLineDoc>,
    monthly_cost_before: String,
    monthly_cost_after: String,
    monthly_cost_delta: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct WarningDoc {
    metric: String,
    asked: String,
    most_available: String,
    limited_by: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
enum DecisionDoc {
    Approved {
        confirmed_quantities: BTreeMap<String, String>,
        monthly_cost_delta: String,
        one_off_charge: String,
        valid_until: DateTime<Utc>,
        effective_at: Option<DateTime<Utc>>,
        note: Option<String>,
    },
    Rejected {
        reason: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct AcknowledgementDoc {
    quote_id: uuid::Uuid,
    by: String,
    organisation_id: uuid::Uuid,
    at: DateTime<Utc>,
    quantities: serde_json::Value,
    monthly_cost_delta: String,
    one_off_charge: String,
    effective_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ProgressDoc {
    percent: u8,
    note: String,
    at: DateTime<Utc>,
}

fn to_json<T: Serialize>(value: &T) -> Result<DbJson, StoreError> {
    serde_json::to_value(value).map(DbJson).map_err(|e| corrupt("service_requests", e))
}

fn preview_doc(p: &Preview) -> PreviewDoc {
    PreviewDoc {
        lines: p
            .lines
            .iter()
            .map(|l| PreviewLineDoc {
                metric: l.metric.as_str().to_owned(),
                current: l.current.to_string(),
                resulting: l.resulting.to_string(),
                unit_price: l.unit_price.to_string(),
                monthly_before: l.monthly_before.to_string(),
                monthly_after: l.monthly_after.to_string(),
                monthly_delta: l.monthly_delta.to_string(),
            })
            .collect(),
        monthly_cost_before: p.monthly_cost_before.to_string(),
        monthly_cost_after: p.monthly_cost_after.to_string(),
        monthly_cost_delta: p.monthly_cost_delta.to_string(),
    }
}

fn warning_docs(warnings: &[CapacityWarning]) -> Vec<WarningDoc> {
    warnings
        .iter()
        .map(|w| WarningDoc {
            metric: w.metric.as_str().to_owned(),
            asked: w.asked.to_string(),
            most_available: w.most_available.to_string(),
            limited_by: w.limited_by.as_str().to_owned(),
        })
        .collect()
}

fn decision_doc(d: &QuoteDecision) -> DecisionDoc {
    match d {
        QuoteDecision::Approved(t) => DecisionDoc::Approved {
            confirmed_quantities: t
                .confirmed_quantities
                .iter()
                .map(|(m, q)| (m.as_str().to_owned(), q.to_string()))
                .collect(),
            monthly_cost_delta: t.monthly_cost_delta.to_string(),
            one_off_charge: t.one_off_charge.to_string(),
            valid_until: t.valid_until,
            effective_at: t.effective_at,
            note: t.note.as_ref().map(ToString::to_string),
        },
        QuoteDecision::Rejected { reason } => DecisionDoc::Rejected { reason: reason.to_string() },
    }
}

fn acknowledgement_doc(a: &Acknowledgement) -> AcknowledgementDoc {
    AcknowledgementDoc {
        quote_id: a.quote.as_uuid(),
        by: a.by.as_str().to_owned(),
        organisation_id: a.organisation.as_uuid(),
        at: a.at,
        quantities: quantities_to_json(&a.quantities),
        monthly_cost_delta: a.monthly_cost_delta.to_string(),
        one_off_charge: a.one_off_charge.to_string(),
        effective_at: a.effective_at,
    }
}

/// The ids kept in columns: the targeted (or created) subscription and the offering bought
/// or the add-on added or removed.
fn columns_of(record: &ServiceRequestRecord) -> (Option<DbUuid>, Option<DbUuid>) {
    match &record.request.payload {
        RequestPayload::NewService { offering, .. } => {
            (record.created_subscription.map(DbUuid::from), Some(DbUuid::from(*offering)))
        }
        RequestPayload::AddAddon { subscription, addon, .. }
        | RequestPayload::CancelAddon { subscription, addon, .. } => {
            (Some(DbUuid::from(*subscription)), Some(DbUuid::from(*addon)))
        }
        RequestPayload::Change { subscription, .. } | RequestPayload::Cancel { subscription, .. } => {
            (Some(DbUuid::from(*subscription)), None)
        }
    }
}

fn end_at(payload: &RequestPayload) -> Option<DateTime<Utc>> {
    match payload {
        RequestPayload::Cancel { end_at, .. } | RequestPayload::CancelAddon { end_at, .. } => *end_at,
        RequestPayload::NewService { .. } | RequestPayload::AddAddon { .. } | RequestPayload::Change { .. } => None,
    }
}

impl TryFrom<&ServiceRequestRecord> for RequestRow {
    type Error = StoreError;
    fn try_from(record: &ServiceRequestRecord) -> Result<Self, StoreError> {
        let r = &record.request;
        let (subscription_id, offering_id) = columns_of(record);
        Ok(RequestRow {
            id: r.id.into(),
            kind: r.kind().as_str().to_owned(),
            agency_id: r.agency.into(),
            provider_id: r.provider.into(),
            subscription_id,
            offering_id,
            payload: to_json(&PayloadDoc {
                quantities: quantities_to_json(&r.payload.named_quantities()),
                end_at: end_at(&r.payload),
                note: r.note.as_ref().map(ToString::to_string),
                submitted_by: r.submitted_by.as_str().to_owned(),
            })?,
            preview: to_json(&preview_doc(&r.preview))?,
            warnings: to_json(&warning_docs(&r.preview.warnings))?,
            status: r.status.as_str().to_owned(),
            quote_valid_until: r.current_quote().and_then(Quote::valid_until).map(DbTimestamp::from),
            acknowledgement: r.acknowledgement.as_ref().map(|a| to_json(&acknowledgement_doc(a))).transpose()?,
            state_notes: to_json(&StateNotesDoc {
                progress: r.progress.as_ref().map(|p| ProgressDoc {
                    percent: p.percent.value(),
                    note: p.note.to_string(),
                    at: p.at,
                }),
                closing_reason: r.closing_reason.as_ref().map(ToString::to_string),
            })?,
            created_at: r.submitted_at.into(),
            updated_at: r.updated_at.into(),
            version: r.version,
        })
    }
}

// --- loading -----------------------------------------------------------------------------------

type Bad<'a> = &'a dyn Fn(&dyn std::fmt::Display) -> StoreError;

fn parse_with<T, E: std::fmt::Display>(
    raw: &str,
    parse: impl Fn(&str) -> Result<T, E>,
    bad: Bad<'_>,
) -> Result<T, StoreError> {
    parse(raw).map_err(|e| bad(&e))
}

fn money(raw: &str, bad: Bad<'_>) -> Result<Money, StoreError> {
    parse_with(raw, Money::parse, bad)
}

fn quantity(raw: &str, bad: Bad<'_>) -> Result<Quantity, StoreError> {
    parse_with(raw, Quantity::parse_non_negative, bad)
}

fn metric(raw: &str, bad: Bad<'_>) -> Result<Metric, StoreError> {
    parse_with(raw, str::parse::<Metric>, bad)
}

fn preview_of(preview: serde_json::Value, warnings: serde_json::Value, bad: Bad<'_>) -> Result<Preview, StoreError> {
    let doc: PreviewDoc = serde_json::from_value(preview).map_err(|e| bad(&e))?;
    let warnings: Vec<WarningDoc> = serde_json::from_value(warnings).map_err(|e| bad(&e))?;
    let lines = doc
        .lines
        .iter()
        .map(|l| {
            Ok(PreviewLine {
                metric: metric(&l.metric, bad)?,
                current: quantity(&l.current, bad)?,
                resulting: quantity(&l.resulting, bad)?,
                unit_price: parse_with(&l.unit_price, UnitPrice::parse, bad)?,
                monthly_before: money(&l.monthly_before, bad)?,
                monthly_after: money(&l.monthly_after, bad)?,
                monthly_delta: money(&l.monthly_delta, bad)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let warnings = warnings
        .iter()
        .map(|w| {
            Ok(CapacityWarning {
                metric: metric(&w.metric, bad)?,
                asked: quantity(&w.asked, bad)?,
                most_available: quantity(&w.most_available, bad)?,
                limited_by: parse_with(&w.limited_by, str::parse, bad)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(Preview {
        lines,
        monthly_cost_before: money(&doc.monthly_cost_before, bad)?,
        monthly_cost_after: money(&doc.monthly_cost_after, bad)?,
        monthly_cost_delta: money(&doc.monthly_cost_delta, bad)?,
        warnings,
    })
}

fn quote_of(row: QuoteRow, payload: &RequestPayload) -> Result<Quote, StoreError> {
    let bad = |e: &dyn std::fmt::Display| corrupt("service_request_quotes", format!("{}: {e}", row.id.0));
    let doc: DecisionDoc = serde_json::from_value(row.decision.0).map_err(|e| bad(&e))?;
    let draft = match doc {
        DecisionDoc::Approved {
            confirmed_quantities,
            monthly_cost_delta,
            one_off_charge,
            valid_until,
            effective_at,
            note,
        } => QuoteDraft {
            outcome: "approved".into(),
            confirmed_quantities,
            monthly_cost_delta: Some(monthly_cost_delta),
            one_off_charge: Some(one_off_charge),
            valid_until: Some(valid_until),
            effective_at,
            note,
        },
        DecisionDoc::Rejected { reason } => {
            QuoteDraft { outcome: "rejected".into(), note: Some(reason), ..QuoteDraft::default() }
        }
    };
    // Re-parsed as of its issue: validity and dates were checked against that instant.
    let decision = QuoteDecision::parse(&draft, payload, row.issued_at.0).map_err(|e| bad(&e))?;
    Ok(Quote {
        id: row.id.into(),
        number: u32::try_from(row.number).map_err(|e| bad(&e))?,
        issued_at: row.issued_at.0,
        issued_by: Subject::parse(&row.issued_by).map_err(|e| bad(&e))?,
        decision,
    })
}

fn text(raw: Option<&str>, field: &str, bad: Bad<'_>) -> Result<Option<BoundedText>, StoreError> {
    BoundedText::parse_optional(field, raw, NOTE_MAX).map_err(|e| bad(&e))
}

fn record_of(row: RequestRow, quotes: Vec<QuoteRow>) -> Result<ServiceRequestRecord, StoreError> {
    let id = row.id.0;
    let bad = |e: &dyn std::fmt::Display| corrupt("service_requests", format!("{id}: {e}"));
    let kind: RequestKind = row.kind.parse().map_err(|e| bad(&e))?;
    let doc: PayloadDoc = serde_json::from_value(row.payload.0).map_err(|e| bad(&e))?;
    let quantities: BTreeMap<String, String> = serde_json::from_value(doc.quantities).map_err(|e| bad(&e))?;
    let column = |c: Option<DbUuid>| c.map(|id| id.0.to_string());
    let (subscription_id, offering_id, addon_id, created) = match kind {
        RequestKind::NewService => (None, column(row.offering_id), None, row.subscription_id.map(SubscriptionId::from)),
        RequestKind::AddAddon | RequestKind::CancelAddon => {
            (column(row.subscription_id), None, column(row.offering_id), None)
        }
        RequestKind::Change | RequestKind::Cancel => (column(row.subscription_id), None, None, None),
    };
    let draft = ServiceRequestDraft {
        kind: row.kind.clone(),
        subscription_id,
        offering_id,
        addon_id,
        quantities,
        end_at: doc.end_at,
        note: doc.note.clone(),
    };
    // Re-parsed as of its submission: `end_at` was checked against that instant.
    let submitted_at = row.created_at.0;
    let parsed = NewServiceRequest::parse(&draft, submitted_at).map_err(|e| bad(&e))?;
    let quotes = quotes.into_iter().map(|q| quote_of(q, &parsed.payload)).collect::<Result<Vec<_>, _>>()?;
    let acknowledgement = row
        .acknowledgement
        .map(|json| {
            let doc: AcknowledgementDoc = serde_json::from_value(json.0).map_err(|e| bad(&e))?;
            Ok::<_, StoreError>(Acknowledgement {
                quote: doc.quote_id.into(),
                by: Subject::parse(&doc.by).map_err(|e| bad(&e))?,
                organisation: doc.organisation_id.into(),
                at: doc.at,
                quantities: quantities_from_json(doc.quantities).map_err(|e| bad(&e))?,
                monthly_cost_delta: money(&doc.monthly_cost_delta, &bad)?,
                one_off_charge: money(&doc.one_off_charge, &bad)?,
                effective_at: doc.effective_at,
            })
        })
        .transpose()?;
    let notes: StateNotesDoc = serde_json::from_value(row.state_notes.0).map_err(|e| bad(&e))?;
    let progress = notes
        .progress
        .map(|doc| {
            Ok::<_, StoreError>(Progress {
                percent: Percent::parse("percent", i64::from(doc.percent)).map_err(|e| bad(&e))?,
                note: BoundedText::parse("note", &doc.note, NOTE_MAX).map_err(|e| bad(&e))?,
                at: doc.at,
            })
        })
        .transpose()?;
    let request = ServiceRequest {
        id: row.id.into(),
        agency: row.agency_id.into(),
        provider: row.provider_id.into(),
        payload: parsed.payload,
        note: parsed.note,
        preview: preview_of(row.preview.0, row.warnings.0, &bad)?,
        status: row.status.parse().map_err(|e| bad(&e))?,
        quotes,
        acknowledgement,
        progress,
        closing_reason: text(notes.closing_reason.as_deref(), "closing_reason", &bad)?,
        submitted_by: Subject::parse(&doc.submitted_by).map_err(|e| bad(&e))?,
        submitted_at,
        updated_at: row.updated_at.0,
        version: row.version,
    };
    if request.status == RequestStatus::Expired {
        return Err(bad(&"`expired` is computed, never stored"));
    }
    let current_validity = request.current_quote().and_then(Quote::valid_until);
    if current_validity != row.quote_valid_until.map(|t| t.0) {
        return Err(bad(&"quote_valid_until does not match the current quote"));
    }
    Ok(ServiceRequestRecord { request, created_subscription: created })
}

/// Loads the quotes of `rows` in one query and builds the records, in the rows' order.
fn records_of(conn: &mut DbConnection, rows: Vec<RequestRow>) -> Result<Vec<ServiceRequestRecord>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<DbUuid> = rows.iter().map(|r| r.id).collect();
    let mut quotes: BTreeMap<uuid::Uuid, Vec<QuoteRow>> = BTreeMap::new();
    for quote in service_request_quotes::table
        .filter(service_request_quotes::request_id.eq_any(ids))
        .select(QuoteRow::as_select())
        .order((service_request_quotes::request_id.asc(), service_request_quotes::number.asc()))
        .load(conn)?
    {
        quotes.entry(quote.request_id.0).or_default().push(quote);
    }
    rows.into_iter()
        .map(|row| {
            let own = quotes.remove(&row.id.0).unwrap_or_default();
            record_of(row, own)
        })
        .collect()
}

// --- writing -----------------------------------------------------------------------------------

/// Stores a submitted request with the timeline entry its submission left.
pub fn insert(conn: &mut DbConnection, record: &ServiceRequestRecord, first: &TimelineEntry) -> Result<(), StoreError> {
    diesel::insert_into(service_requests::table).values(RequestRow::try_from(record)?).execute(conn)?;
    for quote in &record.request.quotes {
        insert_quote(conn, record.request.id, quote)?;
    }
    append_timeline(conn, first, record.request.version)
}

pub fn find(conn: &mut DbConnection, id: ServiceRequestId) -> Result<Option<ServiceRequestRecord>, StoreError> {
    let row = service_requests::table.find(DbUuid::from(id)).select(RequestRow::as_select()).first(conn).optional()?;
    Ok(records_of(conn, row.into_iter().collect())?.pop())
}

/// Writes the request's new state if the stored version is still `expected_version`;
/// returns whether it did. The check is part of the `UPDATE`, so of two racing steps only
/// one writes. Quotes and timeline entries are added with [`insert_quote`] and
/// [`append_timeline`] in the same transaction.
pub fn update_if_version(
    conn: &mut DbConnection,
    record: &ServiceRequestRecord,
    expected_version: i64,
) -> Result<bool, StoreError> {
    let row = RequestRow::try_from(record)?;
    let updated = diesel::update(
        service_requests::table
            .filter(service_requests::id.eq(row.id))
            .filter(service_requests::version.eq(expected_version)),
    )
    .set((
        service_requests::subscription_id.eq(row.subscription_id),
        service_requests::status.eq(row.status),
        service_requests::quote_valid_until.eq(row.quote_valid_until),
        service_requests::acknowledgement.eq(row.acknowledgement),
        service_requests::state_notes.eq(row.state_notes),
        service_requests::updated_at.eq(row.updated_at),
        service_requests::version.eq(row.version),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Adds a quote of `request` (GSI-A.1.6); earlier quotes stay.
pub fn insert_quote(conn: &mut DbConnection, request: ServiceRequestId, quote: &Quote) -> Result<(), StoreError> {
    let row = QuoteRow {
        id: quote.id.into(),
        request_id: request.into(),
        number: i32::try_from(quote.number).map_err(|e| corrupt("service_request_quotes", e))?,
        decision: serde_json::to_value(decision_doc(&quote.decision))
            .map(DbJson)
            .map_err(|e| corrupt("service_request_quotes", e))?,
        issued_at: quote.issued_at.into(),
        issued_by: quote.issued_by.as_str().to_owned(),
    };
    diesel::insert_into(service_request_quotes::table).values(row).execute(conn)?;
    Ok(())
}

pub enum TimelineEntryMarker {}
/// Ids of timeline rows: UUIDv7 from the instant of the step.
pub type TimelineEntryId = Id<TimelineEntryMarker>;

/// Appends the entry a step left; `version` is the request's version after the step.
pub fn append_timeline(conn: &mut DbConnection, entry: &TimelineEntry, version: i64) -> Result<(), StoreError> {
    let row = TimelineRow {
        id: TimelineEntryId::new_v7(entry.at).into(),
        request_id: entry.request.into(),
        version,
        at: entry.at.into(),
        actor_subject: entry.by.subject.as_str().to_owned(),
        actor_role: entry.by.role.as_str().to_owned(),
        actor_organisation_id: entry.by.organisation.into(),
        action: entry.action.as_str().to_owned(),
        from_status: entry.from.map(|s| s.as_str().to_owned()),
        to_status: entry.to.as_str().to_owned(),
        note: entry.note.as_ref().map(ToString::to_string),
        percent: entry.percent.map(|p| i32::from(p.value())),
        quote_id: entry.quote.map(Into::into),
    };
    diesel::insert_into(service_request_timeline::table).values(row).execute(conn)?;
    Ok(())
}

impl TryFrom<TimelineRow> for TimelineEntry {
    type Error = StoreError;
    fn try_from(row: TimelineRow) -> Result<Self, StoreError> {
        let bad = |e: &dyn std::fmt::Display| corrupt("service_request_timeline", format!("{}: {e}", row.id.0));
        Ok(TimelineEntry {
            request: row.request_id.into(),
            at: row.at.0,
            by: Actor {
                subject: Subject::parse(&row.actor_subject).map_err(|e| bad(&e))?,
                organisation: row.actor_organisation_id.into(),
                role: row.actor_role.parse().map_err(|e| bad(&e))?,
            },
            action: row.action.parse().map_err(|e| bad(&e))?,
            from: row.from_status.as_deref().map(str::parse).transpose().map_err(|e| bad(&e))?,
            to: row.to_status.parse().map_err(|e| bad(&e))?,
            note: text(row.note.as_deref(), "note", &bad)?,
            percent: row.percent.map(|p| Percent::parse("percent", i64::from(p))).transpose().map_err(|e| bad(&e))?,
            quote: row.quote_id.map(QuoteId::from),
        })
    }
}

/// Every step of the request, in order.
pub fn timeline(conn: &mut DbConnection, id: ServiceRequestId) -> Result<Vec<TimelineEntry>, StoreError> {
    service_request_timeline::table
        .filter(service_request_timeline::request_id.eq(DbUuid::from(id)))
        .select(TimelineRow::as_select())
        .order(service_request_timeline::version.asc())
        .load(conn)?
        .into_iter()
        .map(TimelineEntry::try_from)
        .collect()
}

// --- the open-request rule and capacity --------------------------------------------------------

/// What `submission::check_submission` needs of every request on `subscription`.
pub fn summaries_on_subscription(
    conn: &mut DbConnection,
    subscription: SubscriptionId,
) -> Result<Vec<RequestSummary>, StoreError> {
    let rows: Vec<(DbUuid, String, String, Option<DbTimestamp>)> = service_requests::table
        .filter(service_requests::subscription_id.eq(DbUuid::from(subscription)))
        .select((
            service_requests::id,
            service_requests::kind,
            service_requests::status,
            service_requests::quote_valid_until,
        ))
        .order(service_requests::id.asc())
        .load(conn)?;
    rows.into_iter()
        .map(|(id, kind, status, until)| {
            let bad = |e: &dyn std::fmt::Display| corrupt("service_requests", format!("{}: {e}", id.0));
            Ok(RequestSummary {
                id: id.into(),
                kind: kind.parse().map_err(|e| bad(&e))?,
                status: status.parse().map_err(|e| bad(&e))?,
                current_quote_valid_until: until.map(|t| t.0),
            })
        })
        .collect()
}

/// Serialises submissions on one subscription until the transaction ends, so the
/// one-open-request rule holds under concurrency. SQLite needs nothing: write transactions
/// begin `IMMEDIATE` and already run one at a time.
pub fn lock_subscription(conn: &mut DbConnection, subscription: SubscriptionId) -> Result<(), StoreError> {
    match conn {
        DbConnection::Sqlite(_) => Ok(()),
        DbConnection::Postgresql(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_xact_lock({})", lock_key(subscription)))?;
            Ok(())
        }
    }
}

/// A stable 64-bit key per subscription (FNV-1a), the same in every process.
fn lock_key(subscription: SubscriptionId) -> i64 {
    let text = format!("service_requests/{subscription}");
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    i64::from_ne_bytes(hash.to_ne_bytes())
}

/// GSI-A.1.3: the quantities the provider's live (not terminated) subscriptions hold, one
/// entry per subscription and per add-on, for `request::remaining_capacity`.
pub fn quantities_in_use(conn: &mut DbConnection, provider: OrganisationId) -> Result<Vec<Quantities>, StoreError> {
    #[derive(Deserialize)]
    struct AddOnQuantities {
        quantities: serde_json::Value,
    }
    let rows: Vec<(DbUuid, DbJson, DbJson)> = subscriptions::table
        .filter(subscriptions::provider_id.eq(DbUuid::from(provider)))
        .filter(subscriptions::status.ne(SubscriptionStatus::Terminated.as_str()))
        .select((subscriptions::id, subscriptions::quantities, subscriptions::add_ons))
        .load(conn)?;
    let mut in_use = Vec::new();
    for (id, quantities, add_ons) in rows {
        let bad = |e: &dyn std::fmt::Display| corrupt("subscriptions", format!("{}: {e}", id.0));
        in_use.push(quantities_from_json(quantities.0).map_err(|e| bad(&e))?);
        let add_ons: Vec<AddOnQuantities> = serde_json::from_value(add_ons.0).map_err(|e| bad(&e))?;
        for add_on in add_ons {
            in_use.push(quantities_from_json(add_on.quantities).map_err(|e| bad(&e))?);
        }
    }
    Ok(in_use)
}

// --- lists ---------------------------------------------------------------------------------------

/// List filters, parsed. `status` is read at `at`: `expired` is a `quoted` request whose
/// current quote's validity has passed (the SQL form of `request::effective_status`), and
/// `quoted` excludes those.
#[derive(Debug, Clone, Copy)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub kind: Option<RequestKind>,
    pub subscription: Option<SubscriptionId>,
    /// Submitted strictly before this instant (the provider's queue by age).
    pub submitted_before: Option<DateTime<Utc>>,
    pub at: DateTime<Utc>,
}

impl RequestFilter {
    pub fn at(at: DateTime<Utc>) -> Self {
        RequestFilter { status: None, kind: None, subscription: None, submitted_before: None, at }
    }
}

/// Requests in `scope` (from `request::request_list_scope`) matching `filter`, oldest first.
pub fn list(
    conn: &mut DbConnection,
    scope: RequestListScope,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<ServiceRequestRecord>, StoreError> {
    let mut query = service_requests::table
        .select(RequestRow::as_select())
        .order(service_requests::id.asc())
        .limit(page.fetch_limit())
        .into_boxed();
    match scope {
        RequestListScope::Everything => {}
        RequestListScope::MadeBy(agency) => query = query.filter(service_requests::agency_id.eq(DbUuid::from(agency))),
        RequestListScope::ServedBy(provider) => {
            query = query.filter(service_requests::provider_id.eq(DbUuid::from(provider)))
        }
        RequestListScope::Nothing => return Ok(Page { items: Vec::new(), next_after: None }),
    }
    let at = DbTimestamp::from(filter.at);
    match filter.status {
        None => {}
        Some(RequestStatus::Expired) => {
            query = query
                .filter(service_requests::status.eq(RequestStatus::Quoted.as_str()))
                .filter(service_requests::quote_valid_until.le(at));
        }
        Some(RequestStatus::Quoted) => {
            query = query
                .filter(service_requests::status.eq(RequestStatus::Quoted.as_str()))
                .filter(service_requests::quote_valid_until.gt(at));
        }
        Some(
            status @ (RequestStatus::Submitted
            | RequestStatus::UnderReview
            | RequestStatus::Rejected
            | RequestStatus::Confirmed
            | RequestStatus::Declined
            | RequestStatus::Withdrawn
            | RequestStatus::InProgress
            | RequestStatus::Completed
            | RequestStatus::Failed),
        ) => query = query.filter(service_requests::status.eq(status.as_str())),
    }
    if let Some(kind) = filter.kind {
        query = query.filter(service_requests::kind.eq(kind.as_str()));
    }
    if let Some(subscription) = filter.subscription {
        query = query.filter(service_requests::subscription_id.eq(DbUuid::from(subscription)));
    }
    if let Some(before) = filter.submitted_before {
        query = query.filter(service_requests::created_at.lt(DbTimestamp::from(before)));
    }
    if let Some(after) = page.after {
        query = query.filter(service_requests::id.gt(DbUuid(after)));
    }
    let rows = query.load(conn)?;
    let records = records_of(conn, rows)?;
    Ok(Page::from_overfetch(records, page.limit, |r| r.request.id.as_uuid()))
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use gsi_domain::Role;
    use gsi_domain::catalog::{
        CapacityLimitDraft, Offering, OfferingDetails, OfferingDraft, OfferingId, OfferingState, PricingLineDraft,
    };
    use gsi_domain::org::NewOrganisation;
    use gsi_domain::request::{
        Action, Applied, NewServiceRequest, PreviewBasis, ProgressDraft, ProgressReport, QuoteDraft, SubmissionFacts,
        apply, preview, submit,
    };
    use gsi_domain::sla_terms::{SlaTerms, SlaTermsDraft};
    use gsi_domain::subscription::{Subscription, SubscriptionOrigin, Term};

    use super::*;
    use crate::repos::offerings::{self, OfferingRecord};
    use crate::repos::{organisations, subscriptions as subscription_repo};
    use crate::testing::each_backend;

    fn t0() -> DateTime<Utc> {
        // Nanoseconds on purpose: storage keeps exactly the microseconds.
        Utc.with_ymd_and_hms(2027, 1, 10, 3, 0, 0).unwrap() + Duration::nanoseconds(123_456_789)
    }

    fn at(hours: i64) -> DateTime<Utc> {
        gsi_domain::time::to_storage_precision(t0() + Duration::hours(hours))
    }

    struct World {
        agency: OrganisationId,
        provider: OrganisationId,
        offering: Offering,
        subscription: Subscription,
    }

    fn register(conn: &mut DbConnection, kind: &str, name: &str, n: i64) -> OrganisationId {
        let when = at(-100) + Duration::seconds(n);
        let org =
            NewOrganisation::parse(kind, name, None).unwrap().into_organisation(OrganisationId::new_v7(when), when);
        organisations::insert(conn, &org).unwrap();
        org.id
    }

    fn sla() -> SlaTerms {
        SlaTerms::parse(&SlaTermsDraft {
            availability_percent: "99.9".into(),
            max_unplanned_outages_per_month: 3,
            max_mean_time_to_restore_minutes: 240,
            priorities: vec![
                ("p1".into(), 15, 240),
                ("p2".into(), 30, 480),
                ("p3".into(), 120, 1440),
                ("p4".into(), 480, 4320),
            ],
            credit_tiers: vec![("99.9".into(), "10".into())],
        })
        .unwrap()
    }

    /// Government Internet at 12.50 a Mbps-month, at most 1,000 a subscription, 5,000 in all;
    /// a subscription of 100 Mbps.
    fn world(conn: &mut DbConnection) -> World {
        let agency = register(conn, "agency", "กรมทดสอบ", 0);
        let provider = register(conn, "provider", "ผู้ให้บริการเครือข่าย", 1);
        let mut draft = OfferingDraft {
            family: "network".into(),
            kind: "government_internet".into(),
            name: "Government Internet".into(),
            description: None,
            base_offering_id: None,
            pricing: vec![PricingLineDraft { metric: "mbps_month".into(), unit_price: "12.50".into() }],
            sla: None,
            capacity: vec![CapacityLimitDraft {
                metric: "mbps_month".into(),
                max_per_subscription: Some("1000".into()),
                provider_total: Some("5000".into()),
            }],
        };
        draft.sla = Some(SlaTermsDraft {
            availability_percent: "99.9".into(),
            max_unplanned_outages_per_month: 3,
            max_mean_time_to_restore_minutes: 240,
            priorities: vec![
                ("p1".into(), 15, 240),
                ("p2".into(), 30, 480),
                ("p3".into(), 120, 1440),
                ("p4".into(), 480, 4320),
            ],
            credit_tiers: vec![("99.9".into(), "10".into())],
        });
        let offering = Offering {
            id: OfferingId::new_v7(at(-90)),
            provider,
            details: OfferingDetails::parse(&draft).unwrap(),
            state: OfferingState::Published,
            version: 2,
        };
        offerings::insert(
            conn,
            &OfferingRecord { offering: offering.clone(), created_at: at(-90), updated_at: at(-90) },
        )
        .unwrap();
        let subscription = Subscription {
            id: SubscriptionId::new_v7(at(-80)),
            agency,
            provider,
            offering: offering.id,
            kind: offering.details.kind,
            quantities: Quantities::from([(Metric::MbpsMonth, Quantity::parse("100").unwrap())]),
            add_ons: Vec::new(),
            term: Term::new(at(-80), None).unwrap(),
            sla: sla(),
            status: SubscriptionStatus::Active,
            origin: SubscriptionOrigin::PreExisting,
            version: 1,
        };
        subscription_repo::insert(conn, &subscription, at(-80)).unwrap();
        World { agency, provider, offering, subscription }
    }

    fn admin(w: &World) -> Actor {
        Actor { subject: Subject::parse("somchai").unwrap(), organisation: w.agency, role: Role::AgencyAdmin }
    }

    fn operator(w: &World) -> Actor {
        Actor { subject: Subject::parse("noc-1").unwrap(), organisation: w.provider, role: Role::ProviderOperator }
    }

    fn basis(w: &World) -> PreviewBasis {
        PreviewBasis {
            current: w.subscription.quantities.clone(),
            unit_prices: BTreeMap::from([(Metric::MbpsMonth, UnitPrice::parse("12.50").unwrap())]),
            offering_capacity: Quantities::from([(Metric::MbpsMonth, Quantity::parse("1000").unwrap())]),
            provider_remaining: Quantities::from([(Metric::MbpsMonth, Quantity::parse("400").unwrap())]),
        }
    }

    /// A bandwidth change to `mbps` (or a new service when `new_service`), submitted at `hour`.
    fn submitted(w: &World, mbps: &str, hour: i64, new_service: bool) -> Applied {
        let draft = ServiceRequestDraft {
            kind: if new_service { "new_service" } else { "change" }.into(),
            subscription_id: (!new_service).then(|| w.subscription.id.to_string()),
            offering_id: new_service.then(|| w.offering.id.to_string()),
            quantities: BTreeMap::from([("mbps_month".into(), mbps.into())]),
            note: Some("e-service launch".into()),
            ..ServiceRequestDraft::default()
        };
        let parsed = NewServiceRequest::parse(&draft, at(hour)).unwrap();
        let mut basis = basis(w);
        if new_service {
            basis.current.clear();
        }
        let preview = preview(&parsed.payload, &basis).unwrap();
        let facts = SubmissionFacts {
            provider_listed: true,
            subscription_agency: Some(w.agency),
            requests_on_subscription: &[],
        };
        submit(&admin(w), ServiceRequestId::new_v7(at(hour)), w.provider, parsed, preview, &facts, at(hour)).unwrap()
    }

    fn approval(request: &ServiceRequest, mbps: &str, delta: &str, now: DateTime<Utc>, hours: i64) -> QuoteDecision {
        let draft = QuoteDraft {
            outcome: "approved".into(),
            confirmed_quantities: BTreeMap::from([("mbps_month".into(), mbps.into())]),
            monthly_cost_delta: Some(delta.into()),
            one_off_charge: Some("1500.50".into()),
            valid_until: Some(now + Duration::hours(hours)),
            note: Some("ready in 3 days".into()),
            ..QuoteDraft::default()
        };
        QuoteDecision::parse(&draft, &request.payload, now).unwrap()
    }

    /// Stores one step the way the use cases do.
    fn store_step(conn: &mut DbConnection, before: &ServiceRequestRecord, applied: &Applied) -> ServiceRequestRecord {
        let record = ServiceRequestRecord { request: applied.request.clone(), created_subscription: None };
        assert!(update_if_version(conn, &record, before.request.version).unwrap());
        if applied.request.quotes.len() > before.request.quotes.len() {
            insert_quote(conn, record.request.id, applied.request.quotes.last().unwrap()).unwrap();
        }
        append_timeline(conn, &applied.timeline, record.request.version).unwrap();
        record
    }

    fn insert_submitted(conn: &mut DbConnection, applied: &Applied) -> ServiceRequestRecord {
        let record = ServiceRequestRecord { request: applied.request.clone(), created_subscription: None };
        insert(conn, &record, &applied.timeline).unwrap();
        record
    }

    #[test]
    fn gsi_a_1_a_request_round_trips_through_every_step_with_its_quotes_and_timeline() {
        each_backend(|conn| {
            let w = world(conn);
            let first = submitted(&w, "600", 0, false);
            assert_eq!(first.request.preview.warnings.len(), 1, "600 > 100 held + 400 left");
            let mut record = insert_submitted(conn, &first);
            assert_eq!(find(conn, record.request.id).unwrap(), Some(record.clone()));
            let mut entries = vec![first.timeline.clone()];

            let operator = operator(&w);
            let admin = admin(&w);
            let mut step = |conn: &mut DbConnection, record: &mut ServiceRequestRecord, by: &Actor, action, hour| {
                let applied = apply(&record.request, by, action, at(hour)).unwrap();
                *record = store_step(conn, record, &applied);
                assert_eq!(
                    find(conn, record.request.id).unwrap().as_ref(),
                    Some(&*record),
                    "after {:?}",
                    applied.timeline.action
                );
                entries.push(applied.timeline);
            };
            step(conn, &mut record, &operator, Action::StartReview { note: None }, 1);
            let quote = approval(&record.request, "500", "5000", at(2), 24);
            step(conn, &mut record, &operator, Action::Quote(quote), 2);
            let requote = approval(&record.request, "450", "4375", at(3), 48);
            step(conn, &mut record, &operator, Action::Requote(requote), 3);
            let accepted = record.request.quotes[1].id;
            step(conn, &mut record, &admin, Action::Confirm { quote: accepted }, 4);
            step(conn, &mut record, &operator, Action::StartWork { note: None }, 5);
            let report = ProgressReport::parse(&ProgressDraft { percent: 60, note: "port patched".into() }).unwrap();
            step(conn, &mut record, &operator, Action::ReportProgress(report), 6);
            step(
                conn,
                &mut record,
                &operator,
                Action::Complete { note: Some(BoundedText::parse("n", "done", 10).unwrap()) },
                7,
            );

            let stored = find(conn, record.request.id).unwrap().unwrap();
            assert_eq!(stored.request.status, RequestStatus::Completed);
            assert_eq!(stored.request.quotes.len(), 2, "every quote is kept");
            assert_eq!(stored.request.acknowledgement.as_ref().map(|a| a.quote), Some(accepted));
            assert_eq!(stored.request.progress.as_ref().map(|p| p.percent.value()), Some(60));
            assert_eq!(timeline(conn, record.request.id).unwrap(), entries);

            // A stale version writes nothing, and a second entry for one version is refused.
            assert!(!update_if_version(conn, &record, 3).unwrap());
            let again = append_timeline(conn, entries.last().unwrap(), record.request.version);
            assert!(matches!(again, Err(StoreError::UniqueViolation(_))));

            // A completed new service keeps the subscription it created.
            let new = submitted(&w, "200", 8, true);
            let mut created = insert_submitted(conn, &new);
            assert_eq!(find(conn, created.request.id).unwrap(), Some(created.clone()));
            created.created_subscription = Some(w.subscription.id);
            assert!(update_if_version(conn, &created, 1).unwrap());
            assert_eq!(find(conn, created.request.id).unwrap(), Some(created));
        });
    }

    #[test]
    fn gsi_a_1_7_lists_read_expired_in_sql_exactly_at_valid_until() {
        each_backend(|conn| {
            let w = world(conn);
            let operator = operator(&w);
            // Quoted at hour 2, valid for 10 hours: expired from hour 12 on.
            let quoted = insert_submitted(conn, &submitted(&w, "300", 0, false));
            let reviewed = store_step(
                conn,
                &quoted,
                &apply(&quoted.request, &operator, Action::StartReview { note: None }, at(1)).unwrap(),
            );
            let quote = approval(&reviewed.request, "300", "2500", at(2), 10);
            let quoted =
                store_step(conn, &reviewed, &apply(&reviewed.request, &operator, Action::Quote(quote), at(2)).unwrap());
            let waiting = insert_submitted(conn, &submitted(&w, "150", 5, true));
            let other_agency = register(conn, "agency", "กรมอื่น", 5);

            let ids = |conn: &mut DbConnection, scope, filter: RequestFilter| {
                list(conn, scope, &filter, PageRequest { after: None, limit: 50 })
                    .unwrap()
                    .items
                    .into_iter()
                    .map(|r| r.request.id)
                    .collect::<Vec<_>>()
            };
            let with = |status, hour| RequestFilter { status: Some(status), ..RequestFilter::at(at(hour)) };
            let queue = RequestListScope::ServedBy(w.provider);
            assert_eq!(ids(conn, queue, RequestFilter::at(at(11))), [quoted.request.id, waiting.request.id]);
            assert_eq!(ids(conn, queue, with(RequestStatus::Quoted, 11)), [quoted.request.id]);
            assert!(ids(conn, queue, with(RequestStatus::Expired, 11)).is_empty());
            assert!(ids(conn, queue, with(RequestStatus::Quoted, 12)).is_empty(), "at valid_until it has expired");
            assert_eq!(ids(conn, queue, with(RequestStatus::Expired, 12)), [quoted.request.id]);
            assert_eq!(quoted.request.status_at(at(12)), RequestStatus::Expired, "the domain agrees");
            assert_eq!(ids(conn, queue, with(RequestStatus::Submitted, 12)), [waiting.request.id]);

            let older = RequestFilter { submitted_before: Some(at(5)), ..RequestFilter::at(at(12)) };
            assert_eq!(ids(conn, queue, older), [quoted.request.id], "submitted strictly before");
            let new_services = RequestFilter { kind: Some(RequestKind::NewService), ..RequestFilter::at(at(12)) };
            assert_eq!(ids(conn, RequestListScope::Everything, new_services), [waiting.request.id]);
            let on_subscription = RequestFilter { subscription: Some(w.subscription.id), ..RequestFilter::at(at(12)) };
            assert_eq!(ids(conn, RequestListScope::MadeBy(w.agency), on_subscription), [quoted.request.id]);
            assert!(ids(conn, RequestListScope::MadeBy(other_agency), RequestFilter::at(at(12))).is_empty());
            assert!(ids(conn, RequestListScope::Nothing, RequestFilter::at(at(12))).is_empty());

            let first = list(conn, queue, &RequestFilter::at(at(12)), PageRequest { after: None, limit: 1 }).unwrap();
            assert_eq!(first.items[0].request.id, quoted.request.id);
            let second =
                list(conn, queue, &RequestFilter::at(at(12)), PageRequest { after: first.next_after, limit: 1 })
                    .unwrap();
            assert_eq!(second.items[0].request.id, waiting.request.id);
            assert_eq!(second.next_after, None);
        });
    }

    #[test]
    fn gsi_a_1_4_summaries_and_capacity_in_use_come_from_storage() {
        each_backend(|conn| {
            let w = world(conn);
            let open = insert_submitted(conn, &submitted(&w, "300", 0, false));
            insert_submitted(conn, &submitted(&w, "50", 1, true));
            let summaries = summaries_on_subscription(conn, w.subscription.id).unwrap();
            assert_eq!(summaries, [open.request.summary()], "a new service names no subscription yet");

            let mut with_add_on = w.subscription.clone();
            with_add_on.id = SubscriptionId::new_v7(at(-70));
            with_add_on.add_ons = vec![gsi_domain::subscription::SubscribedAddOn {
                offering: w.offering.id,
                quantities: Quantities::from([(Metric::PublicIpMonth, Quantity::parse("8").unwrap())]),
                sla: None,
            }];
            subscription_repo::insert(conn, &with_add_on, at(-70)).unwrap();
            let mut ended = w.subscription.clone();
            ended.id = SubscriptionId::new_v7(at(-60));
            ended.status = SubscriptionStatus::Terminated;
            subscription_repo::insert(conn, &ended, at(-60)).unwrap();
            let mut in_use = quantities_in_use(conn, w.provider).unwrap();
            in_use.sort();
            let mbps = |q: &str| Quantities::from([(Metric::MbpsMonth, Quantity::parse(q).unwrap())]);
            let ips = Quantities::from([(Metric::PublicIpMonth, Quantity::parse("8").unwrap())]);
            let mut expected = vec![mbps("100"), mbps("100"), ips];
            expected.sort();
            assert_eq!(in_use, expected, "terminated subscriptions hold nothing");
            assert!(quantities_in_use(conn, w.agency).unwrap().is_empty());

            // The lock is taken inside a write transaction (a no-op on SQLite).
            let locked: Result<(), StoreError> = crate::write_tx(conn, |tx| {
                lock_subscription(tx, w.subscription.id)?;
                lock_subscription(tx, w.subscription.id)
            });
            locked.unwrap();
        });
    }

    #[test]
    fn corrupt_request_rows_are_reported_not_hidden() {
        each_backend(|conn| {
            let w = world(conn);
            let record = insert_submitted(conn, &submitted(&w, "300", 0, false));
            let id = DbUuid::from(record.request.id);
            diesel::update(service_requests::table.find(id))
                .set(service_requests::preview.eq(DbJson(serde_json::json!({"lines": [], "monthly_cost_before": "x",
                    "monthly_cost_after": "0", "monthly_cost_delta": "0"}))))
                .execute(conn)
                .unwrap();
            assert!(matches!(find(conn, record.request.id), Err(StoreError::CorruptRow(_))));
            let scope = RequestListScope::Everything;
            let page = PageRequest { after: None, limit: 10 };
            assert!(matches!(list(conn, scope, &RequestFilter::at(at(1)), page), Err(StoreError::CorruptRow(_))));

            let other = insert_submitted(conn, &submitted(&w, "200", 1, false));
            diesel::update(service_requests::table.find(DbUuid::from(other.request.id)))
                .set(service_requests::status.eq("quoted"))
                .execute(conn)
                .unwrap_err();
        });
    }
}
