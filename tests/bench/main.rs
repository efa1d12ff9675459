//! `make bench`: GSI Hub measured at national scale beside baselines run in the same process
//! tree on the same machine and database, printed as one table with the ratios and targets.
//!
//! `BENCH_DB=postgres` runs on PostgreSQL (`GSI_TEST_POSTGRES_URL`), SQLite otherwise;
//! `BENCH_SCALE=small` shrinks the data set and durations for a quick look.
#![allow(clippy::print_stdout)]

mod bare;
mod client;
mod ingest;
mod seed;
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use gsi_persistence::repos::usage::InsertStrategy;
use gsi_persistence::testing::{Backend, TestDatabase};
use gsi_persistence::{DatabaseUrl, PoolSettings, build_pool, checkout};

use crate::client::{LoadResult, RequestFor, closed_loop, fixed_rate, request};
use crate::seed::{Scale, token};
use crate::server::ServerProcess;

struct Settings {
    scale: Scale,
    load: Duration,
    connections: usize,
    rate: u32,
    rate_duration: Duration,
    /// Records per measured ingestion phase: batches of 1,000, and of 10,000.
    ingest_small: usize,
    ingest_large: usize,
}

fn settings() -> Settings {
    if std::env::var("BENCH_SCALE").is_ok_and(|v| v == "small") {
        Settings {
            scale: Scale { agencies: 10, providers: 2, subscriptions: 200, records_per_subscription: 100 },
            load: Duration::from_secs(1),
            connections: 32,
            rate: 2000,
            rate_duration: Duration::from_secs(2),
            ingest_small: 10_000,
            ingest_large: 20_000,
        }
    } else {
        Settings {
            scale: Scale { agencies: 100, providers: 10, subscriptions: 10_000, records_per_subscription: 100 },
            load: Duration::from_secs(5),
            connections: 32,
            rate: 2000,
            rate_duration: Duration::from_secs(10),
            ingest_small: 100_000,
            ingest_large: 200_000,
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("bare") {
        let port = args.get(3).and_then(|p| p.parse().ok()).unwrap_or(18_081);
        if let Err(e) = bare::serve(args.get(2).map_or("", String::as_str), port) {
            eprintln!("gsi-bench bare: {e}");
            std::process::exit(1);
        }
        return;
    }
    run();
}

struct Row {
    what: String,
    hub: String,
    baseline: String,
    ratio: String,
    target: String,
}

fn row(what: &str, hub: String, baseline: String, ratio: String, target: &str) -> Row {
    Row { what: what.into(), hub, baseline, ratio, target: target.into() }
}

fn ratio(a: f64, b: f64) -> String {
    format!("{:.2}x", a / b)
}

fn verdict(ok: bool) -> &'static str {
    if ok { "met" } else { "MISSED" }
}

fn run() {
    let settings = settings();
    let scale = settings.scale;
    let backend = match std::env::var("BENCH_DB").as_deref() {
        Ok("postgres" | "postgresql") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let db = TestDatabase::create(backend);
    let pool = build_pool(
        DatabaseUrl::parse(&db.url).unwrap_or_else(|e| panic!("{e}")),
        &PoolSettings { max_size: 2, connection_timeout: Duration::from_secs(30) },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    println!("GSI Hub bench on {backend:?}: {} ({} cores)", machine(), cores());
    let hub = ServerProcess::hub(&db.url);
    let started = Instant::now();
    let data = seed::organisations_and_subscriptions(hub.addr, scale);
    println!(
        "seeded {} agencies, {} providers, {} subscriptions through the API in {:.1} s",
        scale.agencies,
        scale.providers,
        scale.subscriptions,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let seeded_rate = ingest::through_http(hub.addr, &data, "seed", scale.usage_records(), 10_000, 1);
    println!(
        "ingested {} usage records (a year per subscription) in batches of 10,000 in {:.1} s ({seeded_rate:.0} records/s while posting)",
        scale.usage_records(),
        started.elapsed().as_secs_f64()
    );

    // Ingestion, measured on the full table: the endpoint, then each raw strategy, at the same
    // table size, for both batch sizes.
    let strategies = {
        let conn = checkout(&pool).unwrap_or_else(|e| panic!("{e}"));
        InsertStrategy::candidates(&conn).to_vec()
    };
    let mut rows = Vec::new();
    for (size, total, label, seed) in
        [(1_000, settings.ingest_small, "1k", 2u64), (10_000, settings.ingest_large, "10k", 3u64)]
    {
        let http = ingest::through_http(hub.addr, &data, &format!("http{label}"), total, size, seed);
        let mut fastest: Option<(InsertStrategy, f64)> = None;
        for (i, strategy) in strategies.iter().enumerate() {
            let rate = ingest::raw(
                &pool,
                &data,
                &format!("raw{label}{i}"),
                total,
                size,
                *strategy,
                seed + 10 * (i as u64 + 1),
            );
            println!("  raw {strategy:?}, transactions of {size}: {rate:.0} rows/s");
            if fastest.is_none_or(|(_, best)| rate > best) {
                fastest = Some((*strategy, rate));
            }
        }
        let (strategy, raw) = fastest.unwrap_or((InsertStrategy::MultiRow, f64::NAN));
        let floor = if backend == Backend::Sqlite { ", ≥ 100,000/s" } else { "" };
        let ok = http / raw >= 0.6 && (backend != Backend::Sqlite || http >= 100_000.0);
        rows.push(row(
            &format!("POST /v1/usage/batches, batches of {size} (records/s) vs raw {strategy:?}"),
            format!("{http:.0}"),
            format!("{raw:.0}"),
            ratio(http, raw),
            &format!("≥ 0.60x{floor}: {}", verdict(ok)),
        ));
    }

    // Reads, each against the bare baseline on the same database.
    let bare = ServerProcess::bare(&db.url);
    let agency_tokens: Arc<Vec<String>> = Arc::new(data.agencies.iter().map(|a| token("agency_user", a)).collect());
    // Per agency, its subscriptions (an agency reads its own).
    let mut owned: Vec<Vec<String>> = vec![Vec::new(); data.agencies.len()];
    for s in &data.subscriptions {
        owned[s.agency].push(s.id.clone());
    }
    let owned = Arc::new(owned);
    let by_id: RequestFor = {
        let (tokens, owned) = (agency_tokens.clone(), owned.clone());
        Arc::new(move |c, i| {
            let a = c % tokens.len();
            let id = &owned[a][i % owned[a].len()];
            request("GET", &format!("/v1/subscriptions/{id}"), Some(&tokens[a]), None, &[]).into()
        })
    };
    let bare_by_id: RequestFor = {
        let owned = owned.clone();
        Arc::new(move |c, i| {
            let a = c % owned.len();
            request("GET", &format!("/subscriptions/{}", owned[a][i % owned[a].len()]), None, None, &[]).into()
        })
    };
    let list: RequestFor = {
        let tokens = agency_tokens.clone();
        Arc::new(move |c, i| {
            let a = (c + i) % tokens.len();
            request("GET", "/v1/subscriptions?limit=50", Some(&tokens[a]), None, &[]).into()
        })
    };
    let agencies = Arc::new(data.agencies.clone());
    let bare_list: RequestFor = {
        let agencies = agencies.clone();
        Arc::new(move |c, i| {
            request("GET", &format!("/agencies/{}/subscriptions", agencies[(c + i) % agencies.len()]), None, None, &[])
                .into()
        })
    };
    let history: RequestFor = {
        let tokens = agency_tokens.clone();
        Arc::new(move |c, i| {
            request("GET", "/v1/costs/history", Some(&tokens[(c + i) % tokens.len()]), None, &[]).into()
        })
    };
    let bare_history: RequestFor = {
        let agencies = agencies.clone();
        Arc::new(move |c, i| {
            request("GET", &format!("/agencies/{}/costs", agencies[(c + i) % agencies.len()]), None, None, &[]).into()
        })
    };
    let health: RequestFor = Arc::new(|_, _| request("GET", "/healthz", None, None, &[]).into());

    let measure = |addr, req: &RequestFor| -> LoadResult {
        closed_loop(addr, settings.connections, Duration::from_secs(1), req.clone());
        closed_loop(addr, settings.connections, settings.load, req.clone())
    };
    let hub_get = measure(hub.addr, &by_id);
    let bare_get = measure(bare.addr, &bare_by_id);
    rows.push(row(
        &format!("GET /v1/subscriptions/{{id}}, closed loop, {} conn (req/s)", settings.connections),
        format!("{:.0}", hub_get.per_second()),
        format!("{:.0}", bare_get.per_second()),
        ratio(hub_get.per_second(), bare_get.per_second()),
        &format!("≥ 0.80x: {}", verdict(hub_get.per_second() / bare_get.per_second() >= 0.8)),
    ));
    for (q, name) in [(0.5, "p50"), (0.99, "p99")] {
        rows.push(row(
            &format!("  latency {name} (ms)"),
            format!("{:.2}", hub_get.quantile_ms(q)),
            format!("{:.2}", bare_get.quantile_ms(q)),
            ratio(hub_get.quantile_ms(q), bare_get.quantile_ms(q)),
            "",
        ));
    }
    rows.push(row("  errors", format!("{}", hub_get.errors), format!("{}", bare_get.errors), String::new(), ""));
    let hub_rate = fixed_rate(hub.addr, settings.connections, settings.rate, settings.rate_duration, by_id.clone());
    let bare_rate =
        fixed_rate(bare.addr, settings.connections, settings.rate, settings.rate_duration, bare_by_id.clone());
    rows.push(row(
        &format!(
            "GET /v1/subscriptions/{{id}} at {} req/s for {} s: p99 (ms), from due time",
            settings.rate,
            settings.rate_duration.as_secs()
        ),
        format!("{:.2}", hub_rate.quantile_ms(0.99)),
        format!("{:.2}", bare_rate.quantile_ms(0.99)),
        ratio(hub_rate.quantile_ms(0.99), bare_rate.quantile_ms(0.99)),
        &format!("≤ 5 ms, 0 errors: {}", verdict(hub_rate.quantile_ms(0.99) <= 5.0 && hub_rate.errors == 0)),
    ));
    rows.push(row(
        "  p50 (ms) / errors",
        format!("{:.2} / {}", hub_rate.quantile_ms(0.5), hub_rate.errors),
        format!("{:.2} / {}", bare_rate.quantile_ms(0.5), bare_rate.errors),
        String::new(),
        "",
    ));
    for (what, hub_req, bare_req) in [
        ("GET /v1/subscriptions?limit=50 (req/s)", &list, &bare_list),
        ("GET /v1/costs/history, a year of usage (req/s)", &history, &bare_history),
    ] {
        let h = measure(hub.addr, hub_req);
        let b = measure(bare.addr, bare_req);
        rows.push(row(
            what,
            format!("{:.0}", h.per_second()),
            format!("{:.0}", b.per_second()),
            ratio(h.per_second(), b.per_second()),
            "",
        ));
        rows.push(row(
            "  p99 (ms) / errors",
            format!("{:.2} / {}", h.quantile_ms(0.99), h.errors),
            format!("{:.2} / {}", b.quantile_ms(0.99), b.errors),
            String::new(),
            "",
        ));
    }
    let h = measure(hub.addr, &health);
    rows.push(row(
        "GET /healthz (req/s), for scale",
        format!("{:.0}", h.per_second()),
        String::new(),
        String::new(),
        "",
    ));
    let rss = hub.peak_rss_mib();
    rows.push(row(
        "peak server memory, VmHWM (MiB)",
        format!("{rss:.1}"),
        format!("{:.1}", bare.peak_rss_mib()),
        ratio(rss, bare.peak_rss_mib()),
        &format!("≤ 150 MiB: {}", verdict(rss <= 150.0)),
    ));
    print_table(&rows);
}

fn print_table(rows: &[Row]) {
    let width = |f: fn(&Row) -> &str, title: &str| {
        rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0).max(title.len())
    };
    let w = [
        width(|r| &r.what, "measurement"),
        width(|r| &r.hub, "GSI Hub"),
        width(|r| &r.baseline, "baseline"),
        width(|r| &r.ratio, "ratio"),
    ];
    let line = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        println!(
            "| {a}{} | {b:>bw$} | {c:>cw$} | {d:>dw$} | {e}",
            " ".repeat(w[0].saturating_sub(a.chars().count())),
            bw = w[1],
            cw = w[2],
            dw = w[3]
        );
    };
    println!();
    line("measurement", "GSI Hub", "baseline", "ratio", "target");
    println!(
        "|{}|{}|{}|{}|---",
        "-".repeat(w[0] + 2),
        "-".repeat(w[1] + 2),
        "-".repeat(w[2] + 2),
        "-".repeat(w[3] + 2)
    );
    for r in rows {
        line(&r.what, &r.hub, &r.baseline, &r.ratio, &r.target);
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name").map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().find_map(|l| l.strip_prefix("MemTotal:").map(|v| v.trim().to_owned())))
        .unwrap_or_default();
    format!("{cpu}, {mem} RAM")
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}
