//! Prometheus metrics and the access log: one middleware times every request, counts it by
//! route template (the matched pattern such as `/v1/subscriptions/{subscription_id}`, never
//! the raw path, so ids cannot blow up the series) and status, and writes one access-log line
//! carrying the request id. The registry is per application, so several servers in one
//! process (tests) do not mix their figures.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, web};
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

use crate::http::request_id::RequestId;
use crate::state::AppState;

/// The label of requests that matched no route.
const UNMATCHED: &str = "unmatched";

/// Latency buckets in seconds: sub-millisecond reads up to multi-second batch uploads.
const LATENCY_BUCKETS: [f64; 14] =
    [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_connections: IntGauge,
    pool_in_use: IntGauge,
    pool_waiting: IntGauge,
    /// Requests waiting for a pooled connection right now (r2d2 does not count them).
    waiting: AtomicI64,
    pub usage_records_ingested: IntCounter,
    /// Webhook deliveries not yet made (issue 11), counted in the database when scraped, so
    /// every instance reports the one shared backlog.
    outbox_backlog: IntGauge,
}

#[derive(Debug, thiserror::Error)]
#[error("metrics: {0}")]
pub struct MetricsError(#[from] prometheus::Error);

impl Metrics {
    pub fn new() -> Result<Arc<Self>, MetricsError> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new("gsi_http_requests_total", "HTTP requests answered, by method, route template and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("gsi_http_request_duration_seconds", "Time to answer, by method and route template")
                .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        let pool_connections = IntGauge::new("gsi_db_pool_connections", "Open database connections in the pool")?;
        let pool_in_use = IntGauge::new("gsi_db_pool_connections_in_use", "Pooled connections checked out")?;
        let pool_waiting = IntGauge::new("gsi_db_pool_waiting", "Requests waiting for a pooled database connection")?;
        let usage_records_ingested =
            IntCounter::new("gsi_usage_records_ingested_total", "New usage records stored (GSI-7.1)")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_in_use.clone()))?;
        registry.register(Box::new(pool_waiting.clone()))?;
        let outbox_backlog =
            IntGauge::new("gsi_outbox_backlog", "Webhook deliveries pending in the transactional outbox")?;
        registry.register(Box::new(usage_records_ingested.clone()))?;
        registry.register(Box::new(outbox_backlog.clone()))?;
        Ok(Arc::new(Metrics {
            registry,
            requests,
            latency,
            pool_connections,
            pool_in_use,
            pool_waiting,
            waiting: AtomicI64::new(0),
            usage_records_ingested,
            outbox_backlog,
        }))
    }

    /// Marks one request as waiting for a connection until the guard is dropped.
    pub fn waiting_for_connection(&self) -> WaitingGuard<'_> {
        self.waiting.fetch_add(1, Ordering::Relaxed);
        WaitingGuard(&self.waiting)
    }

    /// The Prometheus text exposition, with the pool gauges read now.
    pub fn render(&self, pool: &gsi_persistence::DbPool, outbox_backlog: i64) -> Result<String, MetricsError> {
        self.outbox_backlog.set(outbox_backlog);
        let state = pool.state();
        self.pool_connections.set(i64::from(state.connections));
        self.pool_in_use.set(i64::from(state.connections.saturating_sub(state.idle_connections)));
        self.pool_waiting.set(self.waiting.load(Ordering::Relaxed));
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

pub struct WaitingGuard<'a>(&'a AtomicI64);

impl Drop for WaitingGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Times, counts and logs every request. Server errors are logged here, with the request id
/// and the cause the client is not shown.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<AppState>>().map(|s| s.metrics.clone());
    let response = next.call(req).await?;
    let elapsed = started.elapsed();
    let request = response.request();
    let route = request.match_pattern();
    let route = route.as_deref().unwrap_or(UNMATCHED);
    let method = request.method().as_str();
    let status = response.status().as_u16();
    if let Some(metrics) = metrics {
        metrics.requests.with_label_values(&[method, route, status_label(status)]).inc();
        metrics.latency.with_label_values(&[method, route]).observe(elapsed.as_secs_f64());
    }
    let extensions = request.extensions();
    let request_id = extensions.get::<RequestId>().map_or("-", |r| r.0.as_str());
    if let Some(error) = response.response().error() {
        match status {
            503 => log::warn!(target: "gsi_api::error", request_id = request_id, status = status; "{error}"),
            500.. => log::error!(target: "gsi_api::error", request_id = request_id, status = status; "{error}"),
            _ => {}
        }
    }
    let duration_ms = elapsed.as_secs_f64() * 1000.0;
    log::info!(
        target: "gsi_api::access",
        request_id = request_id, method = method, path = request.path(), route = route, status = status,
        duration_ms = duration_ms;
        "{method} {} {status} {duration_ms:.3}ms request_id={request_id}",
        request.path()
    );
    drop(extensions);
    Ok(response)
}

/// Status codes as static labels (no allocation per request).
fn status_label(status: u16) -> &'static str {
    const EXACT: [(u16, &str); 18] = [
        (200, "200"),
        (201, "201"),
        (204, "204"),
        (304, "304"),
        (400, "400"),
        (401, "401"),
        (403, "403"),
        (404, "404"),
        (405, "405"),
        (409, "409"),
        (412, "412"),
        (413, "413"),
        (415, "415"),
        (422, "422"),
        (428, "428"),
        (429, "429"),
        (500, "500"),
        (503, "503"),
    ];
    if let Some((_, label)) = EXACT.iter().find(|(code, _)| *code == status) {
        return label;
    }
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}
