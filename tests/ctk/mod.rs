//! `gsi-ctk`, the conformance kit: the contract's behavioural scenarios run against any base
//! URL, given a token per party and a few fixture ids (`config`), each check reported with
//! its clause of the standard and its evidence (`report`). The binary is `ctk/main.rs`; the
//! in-process tests in `http/ctk.rs` call [`run`] directly.

pub mod config;
pub mod http;
pub mod report;
mod scenarios;

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use self::config::{Config, Quantities};
use self::http::{Client, Response};
use self::report::{Check, Outcome, Report};

/// The scenarios, in the order they run.
pub const SCENARIOS: &[&str] = &[
    "appendix-a-walk",
    "add-on-walk",
    "quote-expiry",
    "quote-supersession",
    "racing-confirmations",
    "idempotency",
    "tenancy",
    "problem-details",
    "preconditions",
];

/// Runs every scenario (or `settings.only`) and returns the report.
pub fn run(config: Config) -> Result<Report, String> {
    let client = Client::new(
        &config.base_url,
        Duration::from_secs(config.settings.timeout_secs.max(1)),
        config.settings.ca_file.as_deref(),
    )?;
    let mut kit = Kit {
        report: Report { base_url: config.base_url.clone(), checks: Vec::new() },
        config,
        client,
        scenario: "",
        opened: Vec::new(),
    };
    for name in SCENARIOS {
        if !kit.config.settings.only.is_empty() && !kit.config.settings.only.iter().any(|o| o == name) {
            continue;
        }
        kit.scenario = name;
        let outcome = scenarios::run(&mut kit, name);
        if outcome.is_err() {
            kit.skip("-", "remaining checks of this scenario", "an earlier step failed; see the FAIL above");
        }
        kit.close_opened();
    }
    Ok(kit.report)
}

/// A scenario stopped because a step it depends on failed (already reported).
#[derive(Debug)]
pub struct Abort;

pub type Step<T = ()> = Result<T, Abort>;

/// The running kit: the client, the configuration and the report being written.
pub struct Kit {
    pub config: Config,
    pub client: Client,
    pub report: Report,
    scenario: &'static str,
    /// Service requests this scenario submitted; closed afterwards if still open.
    opened: Vec<String>,
}

/// `METHOD /path`, for evidence.
pub fn req(method: &str, path: &str) -> String {
    format!("{method} {path}")
}

impl Kit {
    fn record(
        &mut self,
        clause: &str,
        check: &str,
        outcome: Outcome,
        request: &str,
        status: Option<u16>,
        fact: String,
    ) {
        self.report.checks.push(Check {
            clause: clause.to_owned(),
            scenario: self.scenario.to_owned(),
            check: check.to_owned(),
            outcome,
            request: request.to_owned(),
            status,
            fact,
        });
    }

    /// Records a fact; returns whether it held.
    pub fn check(
        &mut self,
        clause: &str,
        check: &str,
        request: &str,
        reply: Option<&Response>,
        ok: bool,
        fact: String,
    ) -> bool {
        let outcome = if ok { Outcome::Pass } else { Outcome::Fail };
        self.record(clause, check, outcome, request, reply.map(|r| r.status), fact);
        ok
    }

    /// Records a fact that later steps depend on: a failure stops the scenario.
    pub fn require(
        &mut self,
        clause: &str,
        check: &str,
        request: &str,
        reply: &Response,
        ok: bool,
        fact: String,
    ) -> Step {
        if self.check(clause, check, request, Some(reply), ok, fact) { Ok(()) } else { Err(Abort) }
    }

    pub fn skip(&mut self, clause: &str, check: &str, why: &str) {
        self.record(clause, check, Outcome::Skip, "-", None, why.to_owned());
    }

    /// Sends a request; a transport failure is a failed check and stops the scenario.
    pub fn send(
        &mut self,
        clause: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Step<Response> {
        match self.client.send(method, path, token, headers, body) {
            Ok(reply) => Ok(reply),
            Err(e) => {
                self.record(clause, "the server answers", Outcome::Fail, &req(method, path), None, format!("{e}"));
                Err(Abort)
            }
        }
    }

    /// `send` and require one of `expected` statuses.
    #[allow(clippy::too_many_arguments)]
    pub fn expect(
        &mut self,
        clause: &str,
        check: &str,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
        expected: &[u16],
    ) -> Step<Response> {
        let reply = self.send(clause, method, path, token, headers, body)?;
        let ok = expected.contains(&reply.status);
        let fact = status_fact(expected, &reply);
        self.require(clause, check, &req(method, path), &reply, ok, fact)?;
        Ok(reply)
    }

    pub fn admin(&self) -> String {
        self.config.tokens.agency_admin.clone()
    }

    pub fn operator(&self) -> String {
        self.config.tokens.provider_operator.clone()
    }

    /// The subscription as the agency reads it.
    pub fn subscription(&mut self, clause: &str) -> Step<Value> {
        let path = format!("/v1/subscriptions/{}", self.config.fixtures.subscription_id);
        let admin = self.admin();
        let reply = self.send(clause, "GET", &path, Some(&admin), &[], None)?;
        if reply.status != 200 {
            let fact = status_fact(&[200], &reply);
            self.check(clause, "the agency reads the subscription", &req("GET", &path), Some(&reply), false, fact);
            return Err(Abort);
        }
        Ok(reply.json())
    }

    /// The first configured change that differs from the subscription's quantities now.
    pub fn change_target(&mut self, clause: &str) -> Step<Quantities> {
        let current = self.subscription(clause)?["quantities"].clone();
        let target = self.config.fixtures.change_quantities.iter().find(|q| {
            q.iter().any(|(metric, value)| !same_decimal(current[metric.as_str()].as_str().unwrap_or(""), value))
        });
        Ok(target.cloned().unwrap_or_else(|| self.config.fixtures.change_quantities[0].clone()))
    }

    /// A change request body for `quantities`, marked as the kit's.
    pub fn change_body(&self, quantities: &Quantities) -> Value {
        json!({"kind": "change", "subscription_id": self.config.fixtures.subscription_id,
               "quantities": quantities, "note": format!("gsi-ctk: {}", self.scenario)})
    }

    /// Submits `body` as the agency admin; requires 201 and remembers the request.
    pub fn submit(&mut self, clause: &str, body: &Value) -> Step<Response> {
        let admin = self.admin();
        let reply = self.expect(
            clause,
            "the agency submits a request",
            "POST",
            "/v1/service-requests",
            Some(&admin),
            &[],
            Some(body),
            &[201],
        )?;
        match reply.json()["id"].as_str() {
            Some(id) => self.opened.push(id.to_owned()),
            None => {
                let fact = format!("the answer names no `id`: {}", reply.excerpt(300));
                self.require(
                    clause,
                    "the created request has an id",
                    "POST /v1/service-requests",
                    &reply,
                    false,
                    fact,
                )?;
            }
        }
        Ok(reply)
    }

    /// Reads a service request; returns the body and its ETag.
    pub fn read_request(&mut self, clause: &str, id: &str, token: &str) -> Step<(Value, String)> {
        let path = format!("/v1/service-requests/{id}");
        let reply = self.send(clause, "GET", &path, Some(token), &[], None)?;
        let etag = reply.header("etag").map(str::to_owned);
        match (reply.status, etag) {
            (200, Some(etag)) => Ok((reply.json(), etag)),
            _ => {
                let fact = format!("expected 200 with an ETag; {}", status_fact(&[200], &reply));
                self.check(clause, "the request reads with an ETag", &req("GET", &path), Some(&reply), false, fact);
                Err(Abort)
            }
        }
    }

    /// One step (`review`, `quotes`, `confirm`, …) with `If-Match: etag`.
    pub fn step(
        &mut self,
        clause: &str,
        id: &str,
        name: &str,
        token: &str,
        etag: Option<&str>,
        body: &Value,
    ) -> Step<Response> {
        let path = format!("/v1/service-requests/{id}/{name}");
        let headers: Vec<(&str, &str)> = etag.map(|e| vec![("If-Match", e)]).unwrap_or_default();
        self.send(clause, "POST", &path, Some(token), &headers, Some(body))
    }

    /// A step that must succeed, with the ETag of a fresh read; returns the request after it.
    pub fn ok_step(
        &mut self,
        clause: &str,
        check: &str,
        id: &str,
        name: &str,
        token: &str,
        body: &Value,
    ) -> Step<Value> {
        let (_, etag) = self.read_request(clause, id, token)?;
        let reply = self.step(clause, id, name, token, Some(&etag), body)?;
        let path = format!("/v1/service-requests/{id}/{name}");
        let fact = status_fact(&[200], &reply);
        self.require(clause, check, &req("POST", &path), &reply, reply.status == 200, fact)?;
        Ok(reply.json())
    }

    /// Reviews and quotes `confirmed` (valid until `valid_until`) as the provider.
    pub fn review_and_quote(
        &mut self,
        id: &str,
        confirmed: &Quantities,
        delta: &str,
        valid_until: DateTime<Utc>,
    ) -> Step<Value> {
        let operator = self.operator();
        self.ok_step("GSI-A.1.5", "the provider reviews the request", id, "review", &operator, &json!({}))?;
        self.ok_step(
            "GSI-A.1.6",
            "the provider quotes",
            id,
            "quotes",
            &operator,
            &quote_body(confirmed, delta, valid_until),
        )
    }

    /// The server's clock, from the `Date` header of a fresh answer (falls back to ours).
    pub fn server_now(&mut self) -> DateTime<Utc> {
        self.client
            .send("GET", "/v1/me", Some(&self.config.tokens.agency_admin), &[], None)
            .ok()
            .and_then(|r| r.header("date").and_then(|d| DateTime::parse_from_rfc2822(d).ok()))
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_else(Utc::now)
    }

    /// Closes the requests the scenario opened that are still open, so the next scenario
    /// (and the next run) can submit on the subscription: the agency withdraws what it still
    /// may; the provider fails what was confirmed (after starting it). Not a check.
    fn close_opened(&mut self) {
        let admin = self.admin();
        let operator = self.operator();
        for id in std::mem::take(&mut self.opened) {
            for _ in 0..3 {
                let Ok(read) = self.client.send("GET", &format!("/v1/service-requests/{id}"), Some(&admin), &[], None)
                else {
                    break;
                };
                let Some(etag) = read.header("etag").map(str::to_owned) else { break };
                let allowed: Vec<String> = read.json()["allowed_actions"]
                    .as_array()
                    .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                let has = |a: &str| allowed.iter().any(|x| x == a);
                let (step, token, body) = if has("withdraw") {
                    ("withdraw", &admin, json!({}))
                } else if has("decline") {
                    ("decline", &admin, json!({}))
                } else if has("start_work") {
                    ("start", &operator, json!({}))
                } else if has("fail") {
                    ("fail", &operator, json!({"reason": "gsi-ctk clean-up"}))
                } else {
                    break;
                };
                let path = format!("/v1/service-requests/{id}/{step}");
                if self.client.send("POST", &path, Some(token), &[("If-Match", &etag)], Some(&body)).is_err() {
                    break;
                }
            }
        }
    }
}

/// An approval quote body.
pub fn quote_body(confirmed: &Quantities, delta: &str, valid_until: DateTime<Utc>) -> Value {
    json!({"outcome": "approved", "confirmed_quantities": confirmed, "monthly_cost_delta": delta,
           "valid_until": valid_until.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
           "note": "gsi-ctk quote"})
}

/// "expected 201, got 409: {…}".
pub fn status_fact(expected: &[u16], reply: &Response) -> String {
    let expected: Vec<String> = expected.iter().map(u16::to_string).collect();
    if expected.iter().any(|e| *e == reply.status.to_string()) {
        format!("answered {} as expected", reply.status)
    } else {
        format!("expected {}, got {}: {}", expected.join(" or "), reply.status, reply.excerpt(300))
    }
}

/// Whether two decimal strings denote the same number ("1.000" = "1").
pub fn same_decimal(a: &str, b: &str) -> bool {
    match (a.parse::<f64>(), b.parse::<f64>()) {
        (Ok(x), Ok(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

/// The `field`s a problem+json answer names.
pub fn problem_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// Whether the answer is RFC 7807 problem+json with a `type` and a matching `status`.
pub fn is_problem(reply: &Response) -> bool {
    let body = reply.json();
    reply.header("content-type").is_some_and(|c| c.starts_with("application/problem+json"))
        && body["type"].is_string()
        && body["status"].as_u64() == Some(u64::from(reply.status))
}
