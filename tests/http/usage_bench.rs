//! `make bench`: usage ingestion throughput through the real HTTP endpoint (GSI-7.1) next
//! to a raw batched multi-row INSERT of the same rows on the same database, on SQLite and,
//! when GSI_TEST_POSTGRES_URL is set, PostgreSQL. It prints rows per second and asserts
//! nothing about speed; ignored by default.

use std::time::{Duration as Elapsed, Instant};

use chrono::{Duration, Utc};
use gsi_domain::billing::{LineKind, rate_usage};
use gsi_domain::calendar::Month;
use gsi_domain::money::UnitPrice;
use gsi_domain::service::Metric;
use gsi_domain::usage::{ActiveTerm, SubscriptionContext, UsageRecord, UsageRecordDraft, UsageRecordId};
use gsi_persistence::repos::usage::{self as usage_repo, BilledUsage};
use serde_json::json;

use crate::support::each_backend;
use crate::usage::{record, setup};

const ROWS: usize = 50_000;
const BATCH: usize = 10_000;

fn per_second(rows: usize, elapsed: Elapsed) -> f64 {
    rows as f64 / elapsed.as_secs_f64()
}

#[actix_web::test]
#[ignore = "a benchmark, not a test: run it with `make bench`"]
async fn usage_ingestion_throughput_http_against_raw_insert() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let previous: Month = s.months[1];
        // One minute of vCPU use per record, spread over the previous month.
        let start = |i: usize| previous.start() + Duration::minutes((i % 40_000) as i64);
        let bodies: Vec<Vec<u8>> = (0..ROWS)
            .collect::<Vec<_>>()
            .chunks(BATCH)
            .map(|chunk| {
                let records: Vec<_> = chunk
                    .iter()
                    .map(|i| {
                        record(
                            &format!("bench-{i:06}"),
                            &s.subscription,
                            "vcpu_hour",
                            "1.5",
                            start(*i),
                            start(*i) + Duration::minutes(1),
                        )
                    })
                    .collect();
                serde_json::to_vec(&json!({ "records": records })).unwrap()
            })
            .collect();
        let http_started = Instant::now();
        for body in &bodies {
            let reply =
                app.raw("POST", "/v1/usage/batches", Some(&s.operator), &[], Some((body, "application/json"))).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.body["accepted"].as_u64(), Some(BATCH as u64));
        }
        let http = http_started.elapsed();

        // The same rows, rated and placed as the endpoint does, with fresh ids.
        let context = SubscriptionContext {
            subscription: s.subscription.parse().unwrap(),
            provider: s.provider.parse().unwrap(),
            agency: s.agency.parse().unwrap(),
            priced_metrics: [Metric::VcpuHour].into(),
            active_term: Some(ActiveTerm { start: s.months[0].start(), end: None }),
        };
        let now = Utc::now();
        let rows: Vec<BilledUsage> = (0..ROWS)
            .map(|i| {
                let parsed = UsageRecord::parse(&UsageRecordDraft {
                    record_id: format!("raw-{i:06}"),
                    subscription_id: s.subscription.clone(),
                    metric: "vcpu_hour".into(),
                    quantity: "1.5".into(),
                    period_start: start(i),
                    period_end: start(i) + Duration::minutes(1),
                    corrects: None,
                })
                .unwrap();
                let price = UnitPrice::parse("1.05").unwrap();
                let cap = UnitPrice::parse("1.20").unwrap();
                let rated = rate_usage(UsageRecordId::new_v7(now), parsed, &context, now, price, Some(cap)).unwrap();
                BilledUsage { rated, statement_month: previous, kind: LineKind::Usage }
            })
            .collect();
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        let raw_started = Instant::now();
        for chunk in rows.chunks(BATCH) {
            gsi_persistence::write_tx(&mut conn, |tx| usage_repo::insert(tx, chunk)).unwrap();
        }
        let raw = raw_started.elapsed();
        assert_eq!(usage_repo::count_for_provider(&mut conn, context.provider).unwrap(), 2 * ROWS as i64);

        let http_rate = per_second(ROWS, http);
        let raw_rate = per_second(ROWS, raw);
        println!(
            "usage ingestion, {ROWS} rows in batches of {BATCH}:\n  \
             HTTP POST /v1/usage/batches  {:>8.2} s  {:>9.0} rows/s\n  \
             raw multi-row INSERT         {:>8.2} s  {:>9.0} rows/s\n  \
             HTTP / raw                   {:>8.2}",
            http.as_secs_f64(),
            http_rate,
            raw.as_secs_f64(),
            raw_rate,
            http_rate / raw_rate,
        );
    })
    .await;
}
