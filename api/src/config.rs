//! Configuration from the environment. Every bad value is reported at once, by name.

use std::net::SocketAddr;
use std::time::Duration;

use gsi_domain::webhook::{RetryPolicy, TargetPolicy};
use gsi_persistence::{DatabaseUrl, PoolSettings};

use crate::auth::JwtSettings;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/gsi.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_ISSUER: &str = "gsi-hub";
pub const DEFAULT_AUDIENCE: &str = "gsi-hub-api";

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: DatabaseUrl,
    pub bind: SocketAddr,
    pub jwt: JwtSettings,
    /// Browser origins allowed to call the API (`GSI_CORS_ORIGINS`, comma-separated).
    pub cors_origins: Vec<String>,
    /// `GSI_LOG`: a log filter such as `info` or `gsi_api=debug,info`.
    pub log_filter: String,
    /// `GSI_LOG_FORMAT`: `text` (default) or `json` (one JSON object per line).
    pub log_format: crate::logging::LogFormat,
    pub pool: PoolSettings,
    pub max_body_bytes: usize,
    pub usage: UsageLimits,
    pub workers: Option<usize>,
    /// How long SIGTERM waits for in-flight requests.
    pub shutdown_timeout: Duration,
    /// `GSI_MONTHLY_REPORT_DUE_DAY`: agencies' monthly reports are due by the end of this day
    /// of the following month (GSI-13.3), 1–28, default 15.
    pub monthly_report_due_day: gsi_domain::report::DueDay,
    pub webhooks: WebhookSettings,
}

/// Webhook deliveries (issue 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// `GSI_WEBHOOK_WORKER` (default true): run the delivery worker in this instance. Turn
    /// it off to deliver from chosen nodes only; any number of instances may run it.
    pub worker_enabled: bool,
    /// `GSI_WEBHOOK_POLL_MS`: how often the worker looks for due deliveries.
    pub poll_interval: Duration,
    /// `GSI_WEBHOOK_ALLOW_HTTP`, `GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES` (both default false).
    pub targets: TargetPolicy,
    /// `GSI_WEBHOOK_RETRY_BASE_MS`, `GSI_WEBHOOK_RETRY_MAX_MS`, `GSI_WEBHOOK_PAUSE_AFTER`.
    pub retry: RetryPolicy,
    /// `GSI_WEBHOOK_TIMEOUT_MS`: connect, send and read the answer, per attempt.
    pub timeout: Duration,
    /// `GSI_WEBHOOK_RECEIVER_CONCURRENCY`: attempts in flight per subscription and instance.
    pub receiver_concurrency: usize,
    /// `GSI_WEBHOOK_MAX_RECEIVERS`: subscriptions worked on at once per instance.
    pub max_receivers: usize,
    /// `GSI_WEBHOOK_SECRET_GRACE_SECS`: how long a rotated-out secret still signs.
    pub secret_grace: Duration,
    /// How much of a receiver's answer is read (it is logged nowhere; read to reuse the
    /// connection), at most.
    pub max_response_bytes: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            worker_enabled: true,
            poll_interval: Duration::from_secs(1),
            targets: TargetPolicy::default(),
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(10),
            receiver_concurrency: 4,
            max_receivers: 32,
            secret_grace: Duration::from_secs(24 * 3600),
            max_response_bytes: 64 * 1024,
        }
    }
}

fn flag(lookup: &impl Fn(&str) -> Option<String>, name: &str, default: bool, errors: &mut Vec<String>) -> bool {
    match lookup(name).map(|v| v.trim().to_ascii_lowercase()) {
        None => default,
        Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => true,
        Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => false,
        Some(v) => {
            errors.push(format!("{name}=`{v}`: expected true or false"));
            default
        }
    }
}

fn webhook_settings(lookup: &impl Fn(&str) -> Option<String>, errors: &mut Vec<String>) -> WebhookSettings {
    let d = WebhookSettings::default();
    let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    let poll = number(
        lookup,
        "GSI_WEBHOOK_POLL_MS",
        ms(d.poll_interval),
        |n| (10..=600_000).contains(n),
        "milliseconds, 10–600000",
        errors,
    );
    let base = number(
        lookup,
        "GSI_WEBHOOK_RETRY_BASE_MS",
        ms(d.retry.base),
        |n| (1..=86_400_000).contains(n),
        "milliseconds, 1–86400000",
        errors,
    );
    let max = number(
        lookup,
        "GSI_WEBHOOK_RETRY_MAX_MS",
        ms(d.retry.max),
        |n| (1..=7 * 86_400_000).contains(n),
        "milliseconds, 1–604800000",
        errors,
    );
    let pause_after = number(
        lookup,
        "GSI_WEBHOOK_PAUSE_AFTER",
        d.retry.pause_after,
        |n| (1..=10_000).contains(n),
        "failures, 1–10000",
        errors,
    );
    let timeout = number(
        lookup,
        "GSI_WEBHOOK_TIMEOUT_MS",
        ms(d.timeout),
        |n| (100..=120_000).contains(n),
        "milliseconds, 100–120000",
        errors,
    );
    let grace = number(
        lookup,
        "GSI_WEBHOOK_SECRET_GRACE_SECS",
        d.secret_grace.as_secs(),
        |n| *n <= 30 * 86_400,
        "seconds, 0–2592000",
        errors,
    );
    WebhookSettings {
        worker_enabled: flag(lookup, "GSI_WEBHOOK_WORKER", true, errors),
        poll_interval: Duration::from_millis(poll),
        targets: TargetPolicy {
            allow_http: flag(lookup, "GSI_WEBHOOK_ALLOW_HTTP", false, errors),
            allow_private: flag(lookup, "GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", false, errors),
        },
        retry: RetryPolicy {
            base: Duration::from_millis(base),
            max: Duration::from_millis(max.max(base)),
            pause_after,
        },
        timeout: Duration::from_millis(timeout),
        receiver_concurrency: number(
            lookup,
            "GSI_WEBHOOK_RECEIVER_CONCURRENCY",
            d.receiver_concurrency,
            |n| (1..=64).contains(n),
            "1–64",
            errors,
        ),
        max_receivers: number(
            lookup,
            "GSI_WEBHOOK_MAX_RECEIVERS",
            d.max_receivers,
            |n| (1..=1024).contains(n),
            "1–1024",
            errors,
        ),
        secret_grace: Duration::from_secs(grace),
        max_response_bytes: d.max_response_bytes,
    }
}

/// Bounds of one usage batch (GSI-7.1): a batch body may be far larger than other bodies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageLimits {
    /// `GSI_USAGE_BATCH_MAX`: records per batch.
    pub max_records: usize,
    /// `GSI_USAGE_MAX_BODY_BYTES`: the body of `POST /v1/usage/batches`.
    pub max_body_bytes: usize,
}

impl Default for UsageLimits {
    fn default() -> Self {
        UsageLimits { max_records: gsi_domain::usage::DEFAULT_MAX_BATCH_RECORDS, max_body_bytes: 8 * 1024 * 1024 }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("invalid configuration:\n  - {}", .0.join("\n  - "))]
pub struct ConfigError(pub Vec<String>);

fn number<T: std::str::FromStr>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
    valid: impl Fn(&T) -> bool,
    expected: &str,
    errors: &mut Vec<String>,
) -> T {
    match lookup(name) {
        None => default,
        Some(raw) => match raw.trim().parse::<T>() {
            Ok(v) if valid(&v) => v,
            _ => {
                errors.push(format!("{name}=`{raw}`: expected {expected}"));
                default
            }
        },
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let mut errors = Vec::new();
        let url = lookup("GSI_DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned());
        let database_url = DatabaseUrl::parse(&url).map_err(|e| errors.push(format!("GSI_DATABASE_URL: {e}"))).ok();
        let bind_raw = lookup("GSI_BIND").unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = bind_raw
            .parse::<SocketAddr>()
            .map_err(|_| errors.push(format!("GSI_BIND=`{bind_raw}`: expected host:port such as 127.0.0.1:8080")))
            .ok();
        let jwt = JwtSettings {
            issuer: lookup("GSI_JWT_ISSUER").unwrap_or_else(|| DEFAULT_ISSUER.to_owned()),
            audience: lookup("GSI_JWT_AUDIENCE").unwrap_or_else(|| DEFAULT_AUDIENCE.to_owned()),
            secret: lookup("GSI_JWT_SECRET"),
            public_keys: lookup("GSI_JWT_PUBLIC_KEYS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
        };
        let cors_origins: Vec<String> = lookup("GSI_CORS_ORIGINS")
            .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
            .unwrap_or_default();
        for origin in &cors_origins {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) || origin.ends_with('/') {
                errors.push(format!(
                    "GSI_CORS_ORIGINS: `{origin}` must be an origin such as https://portal.example.go.th (no path)"
                ));
            }
        }
        let pool_size = number(&lookup, "GSI_DB_POOL_SIZE", 10u32, |n| (1..=512).contains(n), "1–512", &mut errors);
        let pool_timeout = number(
            &lookup,
            "GSI_DB_POOL_TIMEOUT_MS",
            5000u64,
            |n| (1..=600_000).contains(n),
            "milliseconds, 1–600000",
            &mut errors,
        );
        let max_body_bytes = number(
            &lookup,
            "GSI_MAX_BODY_BYTES",
            256 * 1024usize,
            |n| (1024..=64 * 1024 * 1024).contains(n),
            "bytes, 1024–67108864",
            &mut errors,
        );
        let usage = UsageLimits {
            max_records: number(
                &lookup,
                "GSI_USAGE_BATCH_MAX",
                UsageLimits::default().max_records,
                |n| (1..=100_000).contains(n),
                "records, 1–100000",
                &mut errors,
            ),
            max_body_bytes: number(
                &lookup,
                "GSI_USAGE_MAX_BODY_BYTES",
                UsageLimits::default().max_body_bytes,
                |n| (1024..=256 * 1024 * 1024).contains(n),
                "bytes, 1024–268435456",
                &mut errors,
            ),
        };
        let workers = match lookup("GSI_WORKERS") {
            None => None,
            Some(_) => Some(number(&lookup, "GSI_WORKERS", 1usize, |n| (1..=256).contains(n), "1–256", &mut errors)),
        };
        let log_format = match lookup("GSI_LOG_FORMAT") {
            None => crate::logging::LogFormat::Text,
            Some(raw) => raw.parse().unwrap_or_else(|e: String| {
                errors.push(e);
                crate::logging::LogFormat::Text
            }),
        };
        let due_day = number(
            &lookup,
            "GSI_MONTHLY_REPORT_DUE_DAY",
            gsi_domain::report::DueDay::DEFAULT.day(),
            |n| (1..=28).contains(n),
            "day of the month, 1–28",
            &mut errors,
        );
        let shutdown =
            number(&lookup, "GSI_SHUTDOWN_TIMEOUT_SECS", 30u64, |n| *n <= 3600, "seconds, 0–3600", &mut errors);
        let webhooks = webhook_settings(&lookup, &mut errors);
        match (database_url, bind) {
            (Some(database_url), Some(bind)) if errors.is_empty() => Ok(Config {
                database_url,
                bind,
                jwt,
                cors_origins,
                log_filter: lookup("GSI_LOG").unwrap_or_else(|| "info".to_owned()),
                log_format,
                pool: PoolSettings { max_size: pool_size, connection_timeout: Duration::from_millis(pool_timeout) },
                max_body_bytes,
                usage,
                workers,
                shutdown_timeout: Duration::from_secs(shutdown),
                monthly_report_due_day: gsi_domain::report::DueDay::new(due_day).unwrap_or_default(),
                webhooks,
            }),
            _ => Err(ConfigError(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).into(), (*v).into())).collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_to_sqlite_on_localhost() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DatabaseUrl::Sqlite("data/gsi.db".into()));
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.max_body_bytes, 262_144);
        assert_eq!(c.usage, UsageLimits { max_records: 10_000, max_body_bytes: 8_388_608 });
    }

    #[test]
    fn gsi_7_1_usage_batch_limits_are_configurable() {
        let c = config(&[("GSI_USAGE_BATCH_MAX", "500"), ("GSI_USAGE_MAX_BODY_BYTES", "1048576")]).unwrap();
        assert_eq!(c.usage, UsageLimits { max_records: 500, max_body_bytes: 1_048_576 });
        let text = config(&[("GSI_USAGE_BATCH_MAX", "0"), ("GSI_USAGE_MAX_BODY_BYTES", "10")]).unwrap_err().to_string();
        assert!(text.contains("GSI_USAGE_BATCH_MAX") && text.contains("GSI_USAGE_MAX_BODY_BYTES"), "{text}");
    }

    #[test]
    fn gsi_13_3_monthly_report_due_day_defaults_to_the_15th_and_refuses_days_not_in_every_month() {
        assert_eq!(config(&[]).unwrap().monthly_report_due_day, gsi_domain::report::DueDay::DEFAULT);
        let c = config(&[("GSI_MONTHLY_REPORT_DUE_DAY", "10")]).unwrap();
        assert_eq!(c.monthly_report_due_day.day(), 10);
        let text = config(&[("GSI_MONTHLY_REPORT_DUE_DAY", "31")]).unwrap_err().to_string();
        assert!(text.contains("GSI_MONTHLY_REPORT_DUE_DAY"), "{text}");
    }

    #[test]
    fn webhook_settings_default_to_safe_values_and_are_configurable() {
        let c = config(&[]).unwrap();
        assert!(c.webhooks.worker_enabled);
        assert!(!c.webhooks.targets.allow_http && !c.webhooks.targets.allow_private);
        let c = config(&[
            ("GSI_WEBHOOK_WORKER", "off"),
            ("GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true"),
            ("GSI_WEBHOOK_RETRY_BASE_MS", "50"),
            ("GSI_WEBHOOK_PAUSE_AFTER", "3"),
        ])
        .unwrap();
        assert!(!c.webhooks.worker_enabled && c.webhooks.targets.allow_private);
        assert_eq!((c.webhooks.retry.base, c.webhooks.retry.pause_after), (Duration::from_millis(50), 3));
        let text = config(&[("GSI_WEBHOOK_WORKER", "maybe"), ("GSI_WEBHOOK_TIMEOUT_MS", "5")]).unwrap_err().to_string();
        assert!(text.contains("GSI_WEBHOOK_WORKER") && text.contains("GSI_WEBHOOK_TIMEOUT_MS"), "{text}");
    }

    #[test]
    fn reports_every_bad_value_by_name() {
        let err = config(&[
            ("GSI_DATABASE_URL", "mysql://x"),
            ("GSI_BIND", "nope"),
            ("GSI_DB_POOL_SIZE", "0"),
            ("GSI_CORS_ORIGINS", "portal.example"),
        ])
        .unwrap_err();
        let text = err.to_string();
        for name in ["GSI_DATABASE_URL", "GSI_BIND", "GSI_DB_POOL_SIZE", "GSI_CORS_ORIGINS"] {
            assert!(text.contains(name), "{name} missing from: {text}");
        }
    }
}
