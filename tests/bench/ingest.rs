//! Bulk ingestion: usage batches through `POST /v1/usage/batches`, and the same kind of rows
//! written straight into the same table of the same database (same indexes, constraints,
//! triggers and `synchronous` setting) by every raw strategy the backend offers.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use chrono::Utc;
use gsi_domain::billing::{LineKind, rate_usage};
use gsi_domain::money::UnitPrice;
use gsi_domain::service::Metric;
use gsi_domain::usage::{ActiveTerm, SubscriptionContext, UsageRecord, UsageRecordDraft, UsageRecordId};
use gsi_persistence::repos::usage::{BilledUsage, InsertStrategy, PreparedRows, insert_prepared};
use gsi_persistence::{DbPool, checkout, write_tx};
use serde_json::json;

use crate::client::{Connection, request};
use crate::seed::{DataSet, RecordSpec, Rng, record};

/// The `g`-th record (of a phase named `prefix`) that provider `p` sends.
fn spec(data: &DataSet, by_provider: &[Vec<usize>], prefix: &str, p: usize, g: usize, rng: &mut Rng) -> RecordSpec {
    let subs = &by_provider[p];
    record(data, prefix, subs[g % subs.len()], g / subs.len(), rng)
}

pub fn subscriptions_by_provider(data: &DataSet) -> Vec<Vec<usize>> {
    let mut by = vec![Vec::new(); data.providers.len()];
    for (i, s) in data.subscriptions.iter().enumerate() {
        by[s.provider].push(i);
    }
    by
}

/// Sends `total` records of phase `prefix` in batches of `batch`, providers taking turns;
/// times only the requests (bodies are built before each one). Returns records per second.
pub fn through_http(addr: SocketAddr, data: &DataSet, prefix: &str, total: usize, batch: usize, seed: u64) -> f64 {
    let by_provider = subscriptions_by_provider(data);
    let mut rng = Rng::new(seed);
    let mut conn = Connection::new(addr);
    let mut busy = Duration::ZERO;
    let mut next = vec![0usize; data.providers.len()];
    let batches = total.div_ceil(batch);
    for b in 0..batches {
        let p = b % data.providers.len();
        let records: Vec<_> = (0..batch)
            .map(|_| {
                let g = next[p];
                next[p] += 1;
                spec(data, &by_provider, prefix, p, g, &mut rng).json(data)
            })
            .collect();
        let body = serde_json::to_vec(&json!({ "records": records })).unwrap_or_default();
        let raw = request("POST", "/v1/usage/batches", Some(&data.providers[p].operator), Some(&body), &[]);
        drop(body);
        let started = Instant::now();
        let reply = conn.send(&raw).unwrap_or_else(|e| panic!("usage batch: {e}"));
        busy += started.elapsed();
        let answer = reply.json();
        assert_eq!(reply.status, 200, "usage batch: {answer}");
        assert_eq!(answer["accepted"].as_u64(), Some(batch as u64), "{answer}");
    }
    (batches * batch) as f64 / busy.as_secs_f64()
}

/// The rows the endpoint would store for these records, rated by the domain as it does.
fn billed(data: &DataSet, specs: &[RecordSpec]) -> Vec<BilledUsage> {
    let now = Utc::now();
    specs
        .iter()
        .map(|r| {
            let sub = &data.subscriptions[r.subscription];
            let parse_org = |id: &str| id.parse().unwrap_or_else(|_| panic!("organisation id {id}"));
            let context = SubscriptionContext {
                subscription: sub.id.parse().unwrap_or_else(|_| panic!("subscription id {}", sub.id)),
                provider: parse_org(&data.providers[sub.provider].id),
                agency: parse_org(&data.agencies[sub.agency]),
                priced_metrics: [Metric::VcpuHour, Metric::RamGbHour].into(),
                active_term: Some(ActiveTerm { start: data.starts_at, end: None }),
            };
            let parsed = UsageRecord::parse(&UsageRecordDraft {
                record_id: r.record_id.clone(),
                subscription_id: sub.id.clone(),
                metric: r.metric.into(),
                quantity: r.quantity.clone(),
                period_start: r.period_start,
                period_end: r.period_start + chrono::Duration::hours(1),
                corrects: None,
            })
            .unwrap_or_else(|e| panic!("record {}: {e:?}", r.record_id));
            let (price, cap) = if r.metric == "vcpu_hour" {
                (format!("1.{:02}", sub.provider % 30), "1.20")
            } else {
                ("0.30".to_owned(), "0.35")
            };
            let price = UnitPrice::parse(&price).unwrap_or_else(|e| panic!("price: {e}"));
            let cap = UnitPrice::parse(cap).unwrap_or_else(|e| panic!("cap: {e}"));
            let rated = rate_usage(UsageRecordId::new_v7(now), parsed, &context, now, price, Some(cap))
                .unwrap_or_else(|e| panic!("rating: {e}"));
            BilledUsage { statement_month: rated.usage_month(), rated, kind: LineKind::Usage }
        })
        .collect()
}

/// Writes `total` rows of phase `prefix` in transactions of `batch` rows with `strategy`;
/// times only the transactions. Returns rows per second.
pub fn raw(
    pool: &DbPool,
    data: &DataSet,
    prefix: &str,
    total: usize,
    batch: usize,
    strategy: InsertStrategy,
    seed: u64,
) -> f64 {
    let by_provider = subscriptions_by_provider(data);
    let mut rng = Rng::new(seed);
    let mut conn = checkout(pool).unwrap_or_else(|e| panic!("connection: {e}"));
    let mut busy = Duration::ZERO;
    let mut next = vec![0usize; data.providers.len()];
    let batches = total.div_ceil(batch);
    for b in 0..batches {
        let p = b % data.providers.len();
        let specs: Vec<RecordSpec> = (0..batch)
            .map(|_| {
                let g = next[p];
                next[p] += 1;
                spec(data, &by_provider, prefix, p, g, &mut rng)
            })
            .collect();
        let rows = PreparedRows::of(&billed(data, &specs)).unwrap_or_else(|e| panic!("rows: {e}"));
        let started = Instant::now();
        write_tx(&mut conn, |tx| insert_prepared(tx, &rows, strategy)).unwrap_or_else(|e| panic!("raw insert: {e}"));
        busy += started.elapsed();
    }
    (batches * batch) as f64 / busy.as_secs_f64()
}
