//! `make bench`: the GIX month usage report (GSI-7.6) over 1,000,000 rated usage records,
//! through HTTP and the same SQL run directly on the same database, and the server's memory
//! while streaming all 1,000,000 records as CSV. On SQLite and, when GSI_TEST_POSTGRES_URL
//! is set, PostgreSQL. It prints figures and asserts nothing about speed; ignored by default.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration as Elapsed, Instant};

use chrono::{Duration, Utc};
use futures_util::StreamExt;
use gsi_domain::billing::{CostScope, LineKind, rate_usage};
use gsi_domain::calendar::Month;
use gsi_domain::money::UnitPrice;
use gsi_domain::report::{Grouping, MonthRange};
use gsi_domain::service::Metric;
use gsi_domain::usage::{ActiveTerm, SubscriptionContext, UsageRecord, UsageRecordDraft, UsageRecordId};
use gsi_persistence::repos::reports::{self as reports_repo, UsageReportQuery};
use gsi_persistence::repos::usage::{self as usage_repo, BilledUsage, CostFilter};

use crate::support::{TestApp, each_backend, gix};
use crate::usage::{contract, published_compute, setup};

/// `GSI_BENCH_REPORT_ROWS` overrides the 1,000,000 records (for a quick try of the bench).
fn rows() -> usize {
    std::env::var("GSI_BENCH_REPORT_ROWS").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000)
}
const AGENCIES: usize = 20;
const CHUNK: usize = 10_000;
const RUNS: usize = 5;

/// Resident and peak-resident memory of this process, in KiB (`/proc/self/status`).
fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status.lines().find(|l| l.starts_with(field)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn median(mut times: Vec<Elapsed>) -> Elapsed {
    times.sort();
    times[times.len() / 2]
}

/// 1,000,000 vCPU records of the previous month, spread over `AGENCIES` agencies' contracts,
/// rated and placed as the ingestion endpoint does, bulk-inserted 10,000 per transaction.
async fn seed(app: &TestApp, rows_total: usize) -> Month {
    let s = setup(app).await;
    let previous = s.months[1];
    let offering = published_compute(app, &s.operator).await;
    let mut contexts = vec![(s.subscription.clone(), s.agency.clone())];
    for i in 1..AGENCIES {
        let agency = app.register("agency", &format!("กรมทดสอบสมรรถนะ {i:02}")).await;
        contexts.push((contract(app, &s.operator, &agency, &offering, s.months[0].start()).await, agency));
    }
    let contexts: Vec<SubscriptionContext> = contexts
        .iter()
        .map(|(sub, agency)| SubscriptionContext {
            subscription: sub.parse().unwrap(),
            provider: s.provider.parse().unwrap(),
            agency: agency.parse().unwrap(),
            priced_metrics: [Metric::VcpuHour].into(),
            active_term: Some(ActiveTerm { start: s.months[0].start(), end: None }),
        })
        .collect();
    let price = UnitPrice::parse("1.05").unwrap();
    let cap = UnitPrice::parse("1.20").unwrap();
    let now = Utc::now();
    // On a blocking thread: the server shares this test's runtime and must keep serving.
    let pool = app.pool.clone();
    let started = Instant::now();
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = gsi_persistence::checkout(&pool).unwrap();
        for chunk_start in (0..rows_total).step_by(CHUNK) {
            let rows: Vec<BilledUsage> = (chunk_start..(chunk_start + CHUNK).min(rows_total))
                .map(|i| {
                    let context = &contexts[i % AGENCIES];
                    let start = previous.start() + Duration::minutes((i % 40_000) as i64);
                    let parsed = UsageRecord::parse(&UsageRecordDraft {
                        record_id: format!("bench-{i:07}"),
                        subscription_id: context.subscription.to_string(),
                        metric: "vcpu_hour".into(),
                        quantity: format!("{}.25", 1 + i % 7),
                        period_start: start,
                        period_end: start + Duration::minutes(1),
                        corrects: None,
                    })
                    .unwrap();
                    let rated = rate_usage(UsageRecordId::new_v7(now), parsed, context, now, price, Some(cap)).unwrap();
                    BilledUsage { rated, statement_month: previous, kind: LineKind::Usage }
                })
                .collect();
            gsi_persistence::write_tx(&mut conn, |tx| usage_repo::insert(tx, &rows)).unwrap();
        }
    })
    .await
    .unwrap();
    println!("  seeded {rows_total} rated usage records in {:.1} s", started.elapsed().as_secs_f64());
    previous
}

#[actix_web::test]
#[ignore = "a benchmark, not a test: run it with `make bench`"]
async fn gix_month_report_over_a_million_records_http_against_direct_sql_and_streaming_memory() {
    each_backend(async |app| {
        let rows = rows();
        let previous = seed(&app, rows).await;
        let grouping = "provider,agency,metric";
        let path = format!("/v1/reports/usage?from={previous}&to={previous}&group_by={grouping}");

        // A fresh client: the seeding took longer than the server's keep-alive.
        let client = awc::Client::builder().timeout(std::time::Duration::from_secs(600)).finish();
        let token = gix();
        let get = async |path: &str| {
            let send = || client.get(format!("{}{path}", app.base)).insert_header(("Authorization", format!("Bearer {token}"))).send();
            let mut response = match send().await {
                Ok(response) => response,
                // Reported, not hidden: seen once after a long seeding under heavy machine load.
                Err(e) => {
                    println!("  note: request failed ({e}); retried once");
                    send().await.unwrap()
                }
            };
            assert_eq!(response.status(), 200);
            response.json::<serde_json::Value>().limit(64 * 1024 * 1024).await.unwrap()
        };
        // Warm both paths once (page cache, statement cache), then time RUNS of each.
        let warm = get(&path).await;
                assert_eq!(warm["totals"]["record_count"], rows as u64);
        let group = Grouping::parse(grouping).unwrap();
        let query = UsageReportQuery {
            scope: CostScope::Everything,
            filter: CostFilter::default(),
            period: MonthRange { from: previous, to: previous },
            grouping: &group,
        };
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        let direct_groups = reports_repo::usage_groups(&mut conn, &query).unwrap();
        assert_eq!(direct_groups.len(), AGENCIES);
        let direct_total: i64 = direct_groups.iter().map(|g| g.amount.satang()).sum();
        assert_eq!(warm["totals"]["amount"], gsi_domain::money::Money::from_satang(direct_total).to_string());

        let mut http_times = Vec::new();
        let mut sql_times = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let reply = get(&path).await;
            http_times.push(t.elapsed());
            assert_eq!(reply["groups"].as_array().map(Vec::len), Some(AGENCIES));
            let t = Instant::now();
            let groups = reports_repo::usage_groups(&mut conn, &query).unwrap();
            sql_times.push(t.elapsed());
            assert_eq!(groups.len(), AGENCIES);
        }
        drop(conn);
        let http = median(http_times);
        let sql = median(sql_times);

        // Stream every record as CSV; sample this process's resident memory meanwhile (the
        // server runs in it; the client discards each chunk as it arrives).
        let idle_rss = memory_kib("VmRSS:");
        let peak = Arc::new(AtomicU64::new(idle_rss));
        let running = Arc::new(AtomicBool::new(true));
        let sampler = {
            let (peak, running) = (peak.clone(), running.clone());
            std::thread::spawn(move || {
                while running.load(Ordering::Relaxed) {
                    peak.fetch_max(memory_kib("VmRSS:"), Ordering::Relaxed);
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
            })
        };
        let started = Instant::now();
        let mut response = client
            .get(format!("{}/v1/reports/usage/records?from={previous}&format=csv", app.base))
            .insert_header(("Authorization", format!("Bearer {token}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let (mut bytes, mut lines) = (0usize, 0usize);
        while let Some(chunk) = response.next().await {
            let chunk = chunk.unwrap();
            bytes += chunk.len();
            lines += chunk.iter().filter(|b| **b == b'\n').count();
        }
        let streamed = started.elapsed();
        running.store(false, Ordering::Relaxed);
        sampler.join().unwrap();
        assert_eq!(lines, rows + 1, "header and every record");
        let peak_rss = peak.load(Ordering::Relaxed);

        println!(
            "GIX month usage report (GSI-7.6), {rows} rated records, {AGENCIES} agencies, group_by={grouping}, median of {RUNS}:\n  \
             HTTP GET /v1/reports/usage   {:>9.1} ms\n  \
             same SQL run directly        {:>9.1} ms\n  \
             HTTP / direct SQL            {:>9.2}  (target <= 1.2)\n\
             streaming {rows} records as CSV (GET /v1/reports/usage/records?format=csv):\n  \
             {:.1} MB in {:.1} s ({:.0} rows/s)\n  \
             process RSS idle {:.1} MB, peak while streaming {:.1} MB, above idle {:.1} MB (target < 100 MB)",
            http.as_secs_f64() * 1e3,
            sql.as_secs_f64() * 1e3,
            http.as_secs_f64() / sql.as_secs_f64(),
            bytes as f64 / 1e6,
            streamed.as_secs_f64(),
            rows as f64 / streamed.as_secs_f64(),
            idle_rss as f64 / 1024.0,
            peak_rss as f64 / 1024.0,
            peak_rss.saturating_sub(idle_rss) as f64 / 1024.0,
        );
    })
    .await;
}
