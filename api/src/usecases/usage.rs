//! Pay-per-use metering (GSI-7.1): providers' systems push usage records in batches; each
//! new record is rated under the reference-price cap and billed on its statement.
//!
//! Set-based: the subscriptions, offerings, price histories, reference prices and stored
//! records a batch refers to are loaded with a few `IN (…)` queries, the batch is decided in
//! memory by `gsi-domain`, and the new records are written with multi-row `INSERT`s, all in
//! the caller's one write transaction.

use std::collections::{BTreeMap, BTreeSet};

use gsi_domain::OrganisationId;
use gsi_domain::billing::{self, RatedUsage, Statement, StatementId};
use gsi_domain::calendar::Month;
use gsi_domain::catalog::OfferingId;
use gsi_domain::pricing::{PricePoint, ReferencePrice};
use gsi_domain::service::{Metric, ServiceKind};
use gsi_domain::usage::{
    self, BatchRefused, ProviderRecordId, SubscriptionContext, SubscriptionId, UsageRecord, UsageRecordDraft,
};
use gsi_persistence::DbConnection;
use gsi_persistence::repos::statements::{self as statement_repo, StatementRecord};
use gsi_persistence::repos::usage::{self as usage_repo, BilledUsage};
use gsi_persistence::repos::{offerings, reference_prices, subscriptions};

use super::{Change, Context, audit};
use crate::error::ApiError;

/// What a batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    /// New records stored.
    pub accepted: usize,
    /// Records that were already stored (or repeated in the batch) with the same content.
    pub duplicates: usize,
}

/// GSI-7.1: stores a provider's batch of usage records atomically, or nothing. Call inside a
/// write transaction: the batch is decided and written under the provider's lock.
pub fn ingest(
    conn: &mut DbConnection,
    ctx: &Context,
    drafts: &[UsageRecordDraft],
    max_records: usize,
) -> Result<BatchOutcome, ApiError> {
    if !usage::may_submit_usage(&ctx.actor) {
        return Err(ApiError::Forbidden("only a provider's operators and systems submit usage".into()));
    }
    usage::check_batch_size(drafts.len(), max_records).map_err(refusal)?;
    let provider = ctx.actor.organisation;
    usage_repo::lock_provider(conn, provider)?;

    let prices = BatchPrices::load(conn, drafts)?;
    let stored = usage_repo::stored_for(conn, provider, &named_record_ids(drafts))?;
    let accepted =
        usage::validate_batch(drafts, provider, &prices.contexts, &stored, ctx.now, max_records).map_err(refusal)?;
    let duplicates = accepted.duplicates;
    let rated = billing::rate_batch(drafts, accepted, &prices.contexts, ctx.now, |r| prices.of(r)).map_err(refusal)?;
    if rated.is_empty() {
        // Only duplicates: nothing changes, so nothing is audited.
        return Ok(BatchOutcome { accepted: 0, duplicates });
    }

    let Billed { records: billed, statements } = bill(conn, ctx, rated)?;
    usage_repo::insert(conn, &billed)?;
    let mut opened = Vec::new();
    for Touched { stored, new_lines } in &statements {
        match stored {
            Some(record) => {
                let added = statement_repo::add_lines(
                    conn,
                    record.id,
                    new_lines.usage_total().map_err(internal)?,
                    new_lines.adjustment_total().map_err(internal)?,
                    i64::try_from(new_lines.lines().len()).map_err(internal)?,
                    ctx.now,
                )?;
                if !added {
                    return Err(ApiError::Internal(format!(
                        "statement {} was issued under the provider lock",
                        record.id
                    )));
                }
            }
            None => opened.push(StatementRecord::of(new_lines, ctx.now)?),
        }
    }
    statement_repo::insert(conn, &opened)?;

    let subscriptions: BTreeSet<String> = billed.iter().map(|b| b.rated.record.subscription.to_string()).collect();
    let statement_ids: Vec<String> = statements.iter().map(|t| t.new_lines.id().to_string()).collect();
    audit(
        conn,
        ctx,
        Change {
            action: "usage.batch_accepted",
            resource_type: "usage_batch",
            resource_id: billed.first().map(|b| b.rated.id.to_string()).unwrap_or_default(),
            owner: None,
            changes: serde_json::json!({
                "accepted": billed.len(),
                "duplicates": duplicates,
                "first_usage_record_id": billed.first().map(|b| b.rated.id.to_string()),
                "last_usage_record_id": billed.last().map(|b| b.rated.id.to_string()),
                "subscriptions": subscriptions,
                "statements": statement_ids,
            }),
        },
    )?;
    Ok(BatchOutcome { accepted: billed.len(), duplicates })
}

/// The new records as they are stored, and the statements they are billed on.
struct Billed {
    records: Vec<BilledUsage>,
    statements: Vec<Touched>,
}

/// A statement the batch adds lines to.
struct Touched {
    /// Its row, unless the batch opens it.
    stored: Option<StatementRecord>,
    /// The statement holding only the batch's lines: their totals are added to the row.
    new_lines: Statement,
}

/// Places each rated record on its statement (`billing::StatementLine::place` through
/// `Statement::append`): its own month, or the first month the provider has not closed as a
/// dated adjustment.
fn bill(conn: &mut DbConnection, ctx: &Context, rated: Vec<RatedUsage>) -> Result<Billed, ApiError> {
    let provider = ctx.actor.organisation;
    let issued = statement_repo::issued_months(conn, provider)?;
    let months: BTreeSet<Month> =
        rated.iter().map(|r| billing::statement_month_for(r.usage_month(), &issued).0).collect();
    let mut stored: BTreeMap<(OrganisationId, Month), StatementRecord> =
        statement_repo::of_months(conn, provider, &months)?.into_iter().map(|s| ((s.agency, s.month), s)).collect();
    let mut statements: BTreeMap<(OrganisationId, Month), Touched> = BTreeMap::new();
    let mut billed = Vec::with_capacity(rated.len());
    for usage in rated {
        let month = billing::statement_month_for(usage.usage_month(), &issued).0;
        let touched =
            statements.entry((usage.agency, month)).or_insert_with(|| match stored.remove(&(usage.agency, month)) {
                // Without its earlier lines: the stored row already holds their totals.
                Some(record) => Touched {
                    new_lines: Statement::from_parts(
                        record.id,
                        record.agency,
                        record.provider,
                        record.month,
                        record.issued_at,
                        Vec::new(),
                    ),
                    stored: Some(record),
                },
                None => Touched {
                    stored: None,
                    new_lines: Statement::open(StatementId::new_v7(ctx.now), usage.agency, provider, month),
                },
            });
        let statement = &mut touched.new_lines;
        // The domain refuses lines on an issued statement and lines that belong elsewhere.
        statement.append(&usage, &issued).map_err(internal)?;
        let kind = statement.lines().last().map(|l| l.kind).ok_or_else(|| internal("line not appended"))?;
        billed.push(BilledUsage { rated: usage, statement_month: month, kind });
    }
    Ok(Billed { records: billed, statements: statements.into_values().collect() })
}

/// The subscriptions a batch names and how their metrics are priced, loaded with a query per
/// table, or per distinct offering and service kind (a handful), never per record.
struct BatchPrices {
    contexts: BTreeMap<SubscriptionId, SubscriptionContext>,
    /// Per subscription, which offering prices each metric (`usage::pricing_offerings`).
    pricing: BTreeMap<SubscriptionId, BTreeMap<Metric, OfferingId>>,
    /// Per offering, its kind (whose reference prices cap it) and its price history.
    offerings: BTreeMap<OfferingId, (ServiceKind, Vec<PricePoint>)>,
    references: BTreeMap<ServiceKind, Vec<ReferencePrice>>,
}

impl BatchPrices {
    fn load(conn: &mut DbConnection, drafts: &[UsageRecordDraft]) -> Result<Self, ApiError> {
        // Unparseable ids are left for the domain to report per record.
        let ids: BTreeSet<SubscriptionId> =
            drafts.iter().filter_map(|d| d.subscription_id.trim().parse().ok()).collect();
        let found = subscriptions::find_many(conn, &ids.into_iter().collect::<Vec<_>>())?;
        let offering_ids: BTreeSet<OfferingId> = found
            .iter()
            .flat_map(|s| {
                std::iter::once(s.subscription.offering).chain(s.subscription.add_ons.iter().map(|a| a.offering))
            })
            .collect();
        let mut offerings = BTreeMap::new();
        let mut priced = BTreeMap::new();
        for id in offering_ids {
            let Some(offering) = offerings::find(conn, id)? else { continue };
            let history = offerings::price_history(conn, id)?;
            priced.insert(id, billing::priced_metrics(&offering.details, &history));
            offerings.insert(id, (offering.details.kind, history));
        }
        let mut references = BTreeMap::new();
        for kind in offerings.values().map(|(kind, _)| *kind).collect::<BTreeSet<_>>() {
            references.insert(kind, reference_prices::all_for(conn, kind)?);
        }
        let mut contexts = BTreeMap::new();
        let mut pricing = BTreeMap::new();
        for stored in &found {
            let s = &stored.subscription;
            let by_metric = usage::pricing_offerings(s, &priced);
            contexts.insert(s.id, SubscriptionContext::of(s, &by_metric));
            pricing.insert(s.id, by_metric);
        }
        Ok(BatchPrices { contexts, pricing, offerings, references })
    }

    /// GSI-7.1: the prices a record is rated at, from the offering that prices its metric.
    fn of(&self, record: &UsageRecord) -> Option<billing::Prices> {
        let offering = self.pricing.get(&record.subscription)?.get(&record.metric)?;
        let (kind, history) = self.offerings.get(offering)?;
        let references = self.references.get(kind).map(Vec::as_slice).unwrap_or_default();
        billing::prices_at(history, references, *kind, record.metric, billing::pricing_instant(record.period))
    }
}

/// The provider record ids a batch names, as ids or as the originals its corrections name.
fn named_record_ids(drafts: &[UsageRecordDraft]) -> BTreeSet<ProviderRecordId> {
    drafts
        .iter()
        .flat_map(|d| std::iter::once(d.record_id.as_str()).chain(d.corrects.as_deref()))
        .filter_map(|raw| ProviderRecordId::parse(raw).ok())
        .collect()
}

fn refusal(refused: BatchRefused) -> ApiError {
    match refused {
        BatchRefused::Conflicts(ids) => {
            let ids: Vec<&str> = ids.iter().map(ProviderRecordId::as_str).collect();
            ApiError::Conflict(format!(
                "record ids already stored (or repeated in this batch) with different content: {}; nothing was stored",
                ids.join(", ")
            ))
        }
        other @ (BatchRefused::Empty | BatchRefused::TooMany { .. } | BatchRefused::InvalidRecords(_)) => {
            ApiError::Validation(other.to_validation_errors())
        }
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(e.to_string())
}
