//! The kit's TOML configuration: where the system under test is, a token for each party,
//! the fixtures the scenarios act on, and a few settings. See `tests/ctk/example.toml`.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Quantities by metric, as the contract sends them (exact decimals as strings).
pub type Quantities = BTreeMap<String, String>;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `http(s)://host[:port][/prefix]`; the API's `/v1/...` paths are appended.
    pub base_url: String,
    pub tokens: Tokens,
    pub fixtures: Fixtures,
    #[serde(default)]
    pub settings: Settings,
}

/// Bearer tokens, one per party the scenarios play.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    /// An `agency_admin` of `fixtures.agency_id`: submits, confirms, withdraws.
    pub agency_admin: String,
    /// A `provider_operator` of `fixtures.provider_id`: reviews, quotes, carries out, meters.
    pub provider_operator: String,
    /// An `agency_admin` of another agency (tenancy: its reads and steps must answer 404).
    pub other_agency_admin: Option<String>,
    /// A `provider_operator` of another provider (tenancy).
    pub other_provider_operator: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// The agency the `agency_admin` token belongs to.
    pub agency_id: String,
    /// The provider the `provider_operator` token belongs to.
    pub provider_id: String,
    /// A running subscription of the agency, served by the provider, with no open request.
    pub subscription_id: String,
    /// Two or more valid change requests' quantities; each scenario picks one that differs
    /// from the subscription's current quantities, so runs can repeat.
    pub change_quantities: Vec<Quantities>,
    /// Quantities beyond what the provider can serve (GSI-A.1.3: the preview must warn).
    pub over_capacity_quantities: Option<Quantities>,
    /// An add-on of the subscription's offering, removed and added back (GSI-7.5.5, 7.5.7).
    pub add_on: Option<AddOn>,
    /// A metric priced on the subscription, and the quantity one usage record carries.
    pub usage_metric: String,
    #[serde(default = "one")]
    pub usage_quantity: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddOn {
    pub id: String,
    pub quantities: Quantities,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Connect, send and read, per request.
    pub timeout_secs: u64,
    /// A PEM file of extra trust anchors for an `https://` base URL (a private CA).
    pub ca_file: Option<String>,
    /// How many confirmations of one quote race (GSI-A.1.7).
    pub racing_confirmations: usize,
    /// How long the short-lived quote of the expiry scenario is valid, in seconds (≥ 1).
    pub quote_validity_secs: u64,
    /// Only these scenarios (by name); all when empty.
    pub only: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { timeout_secs: 30, ca_file: None, racing_confirmations: 10, quote_validity_secs: 3, only: Vec::new() }
    }
}

fn one() -> String {
    "1".into()
}

impl Config {
    /// Parses and checks a configuration; every problem is reported by its key.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| format!("configuration: {e}"))?;
        let mut problems = Vec::new();
        for (key, value) in [
            ("fixtures.agency_id", &config.fixtures.agency_id),
            ("fixtures.provider_id", &config.fixtures.provider_id),
            ("fixtures.subscription_id", &config.fixtures.subscription_id),
        ] {
            if uuid::Uuid::parse_str(value).is_err() {
                problems.push(format!("{key}: `{value}` is not a UUID"));
            }
        }
        if config.fixtures.change_quantities.len() < 2 {
            problems.push("fixtures.change_quantities: give at least two different sets, so runs can repeat".into());
        }
        if config.settings.racing_confirmations < 2 {
            problems.push("settings.racing_confirmations: at least 2".into());
        }
        if config.settings.quote_validity_secs == 0 {
            problems.push("settings.quote_validity_secs: at least 1".into());
        }
        if config.tokens.agency_admin.trim().is_empty() || config.tokens.provider_operator.trim().is_empty() {
            problems.push("tokens.agency_admin and tokens.provider_operator are required".into());
        }
        if problems.is_empty() { Ok(config) } else { Err(problems.join("\n")) }
    }
}
