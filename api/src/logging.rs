//! Log output: human-readable lines by default, or one JSON object per line
//! (`GSI_LOG_FORMAT=json`) for log collectors, with the structured fields of the record
//! (the access log's `request_id`, `route`, `status`, `duration_ms`, …) as top-level keys.

use std::io::Write;

use chrono::SecondsFormat;
use log::kv::{Key, Value as KvValue, VisitSource};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "text" => Ok(LogFormat::Text),
            "json" => Ok(LogFormat::Json),
            other => Err(format!("GSI_LOG_FORMAT=`{other}`: expected text or json")),
        }
    }
}

/// Installs the global logger with `filter` (`GSI_LOG`) in `format`.
pub fn init(filter: &str, format: LogFormat) {
    let mut builder = env_logger::Builder::new();
    builder.parse_filters(filter);
    match format {
        LogFormat::Text => builder.format_timestamp_millis(),
        LogFormat::Json => builder.format(|buf, record| writeln!(buf, "{}", json_line(record))),
    };
    builder.init();
}

struct Fields<'a>(&'a mut Map<String, Value>);

impl<'kvs> VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(&mut self, key: Key<'kvs>, value: KvValue<'kvs>) -> Result<(), log::kv::Error> {
        let json = if let Some(n) = value.to_u64() {
            Value::from(n)
        } else if let Some(n) = value.to_i64() {
            Value::from(n)
        } else if let Some(n) = value.to_f64() {
            Value::from(n)
        } else if let Some(b) = value.to_bool() {
            Value::from(b)
        } else {
            Value::from(value.to_string())
        };
        self.0.insert(key.as_str().to_owned(), json);
        Ok(())
    }
}

/// One log record as a JSON object: `ts`, `level`, `target`, `message`, then its fields.
pub fn json_line(record: &log::Record<'_>) -> Value {
    let mut fields = Map::new();
    fields.insert("ts".into(), Value::from(chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)));
    fields.insert("level".into(), Value::from(record.level().as_str()));
    fields.insert("target".into(), Value::from(record.target()));
    fields.insert("message".into(), Value::from(record.args().to_string()));
    // A field that fails to render is left out; the line itself is still written.
    let _ = record.key_values().visit(&mut Fields(&mut fields));
    Value::Object(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_becomes_one_json_object_with_its_fields() {
        let kvs: [(&str, KvValue<'_>); 3] = [
            ("request_id", KvValue::from("req-1")),
            ("status", KvValue::from(503u16)),
            ("duration_ms", KvValue::from(1.5)),
        ];
        let line = json_line(
            &log::Record::builder()
                .args(format_args!("GET /v1/me 503"))
                .level(log::Level::Warn)
                .target("gsi_api::access")
                .key_values(&kvs)
                .build(),
        );
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["target"], "gsi_api::access");
        assert_eq!(line["message"], "GET /v1/me 503");
        assert_eq!(line["request_id"], "req-1");
        assert_eq!(line["status"], 503);
        assert_eq!(line["duration_ms"], 1.5);
        assert!(line["ts"].as_str().is_some_and(|t| t.ends_with('Z')), "{line}");
        assert!("yaml".parse::<LogFormat>().is_err());
    }
}
