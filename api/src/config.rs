//! Configuration from the environment. Every bad value is reported at once, by name.

use std::net::SocketAddr;
use std::time::Duration;

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
