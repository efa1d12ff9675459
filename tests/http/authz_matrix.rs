//! The authorization matrix (issue 13 part 4): every operation of the contract × every role ×
//! an object of the caller's own tenancy and one of another tenant. The expected outcomes are the
//! table `access_policy.txt`, which is also the README's "Access per operation" section.
//!
//! Rules checked on every cell: an object of another tenant is 404 (never 403, never 2xx) unless
//! the table marks it `shared` (readable across tenants by policy); a role the operation is not
//! for is 403; an allowed call is neither 401, 403, 404 nor a server error; a refused call,
//! also sent without its `If-Match`, gets the same answer (the role and tenancy decision comes
//! before preconditions) and changes nothing in storage.
//!
//! `AUTHZ_OBSERVED=1 cargo test -p gsi-tests --test http every_operation -- --nocapture` prints
//! what the server answered, cell by cell in the table's format, and every allowed call that
//! did not succeed (409/422 from a state or input rule), to review a policy change.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{Duration, SecondsFormat, Utc};
use gsi_persistence::testing::{Backend, backends, storage_fingerprint};
use serde_json::{Value, json};

use crate::support::{GIX, TestApp, gix, spawn_app_with_env, token};

pub const ROLES: [&str; 5] = ["gix_officer", "agency_admin", "agency_user", "provider_operator", "assessor"];

const AGENCY_A: &str = "00000000-0000-7000-8000-000000000a01";
const AGENCY_B: &str = "00000000-0000-7000-8000-000000000a02";
const NETWORK: &str = "00000000-0000-7000-8000-000000000b01";
const CLOUD: &str = "00000000-0000-7000-8000-000000000b02";
const ASSESSOR: &str = "00000000-0000-7000-8000-000000000c01";
/// Agency A's cloud subscription, served by the cloud provider: own for A and for the cloud provider.
const A_CLOUD: &str = "00000000-0000-7000-8000-000000000d02";
/// Agency B's intranet, served by the network provider: foreign to A and to the cloud provider.
const B_INTRANET: &str = "00000000-0000-7000-8000-000000000d03";
const CLOUD_COMPUTE: &str = "00000000-0000-7000-8000-000000020011";
const NETWORK_INTERNET: &str = "00000000-0000-7000-8000-000000020001";
const CLOUD_REPORT_REQUEST: &str = "00000000-0000-7000-8000-000000000e01";
const B_INCIDENT: &str = "00000000-0000-7000-8000-000000070103";
const B_SECURITY_EVENT: &str = "00000000-0000-7000-8000-000000070304";
const REFERENCE_PRICE: &str = "00000000-0000-7000-8000-000000010001";

const README_START: &str = "<!-- access-table:start (generated from tests/http/access_policy.txt; UPDATE_README=1 cargo test -p gsi-tests --test http access_table) -->";
const README_END: &str = "<!-- access-table:end -->";

/// What one cell expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Allowed: neither 401, 403, 404 nor 5xx (a state rule may still answer 409 or 422).
    Ok,
    /// Another tenant's object that the policy lets this role read anyway (provider profiles,
    /// published offerings, …): allowed like `ok`.
    Shared,
    Forbidden,
    NotFound,
    /// Another tenant's object named in the request body: 422 naming the field, the same answer
    /// as for an id that does not exist (the body is input; the path names the resource).
    UnknownReference,
}

impl Outcome {
    fn parse(text: &str) -> Result<Self, String> {
        match text {
            "ok" => Ok(Outcome::Ok),
            "shared" => Ok(Outcome::Shared),
            "403" => Ok(Outcome::Forbidden),
            "404" => Ok(Outcome::NotFound),
            "422" => Ok(Outcome::UnknownReference),
            other => Err(format!("unknown outcome `{other}` (ok, shared, 403, 404, 422)")),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Shared => "shared",
            Outcome::Forbidden => "403",
            Outcome::NotFound => "404",
            Outcome::UnknownReference => "422",
        }
    }

    fn allows(self) -> bool {
        matches!(self, Outcome::Ok | Outcome::Shared)
    }
}

/// One role's cell: the outcome on its own object and, where the operation names an object
/// another tenant can own, on that foreign object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub own: Outcome,
    pub foreign: Option<Outcome>,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub method: String,
    pub path: String,
    pub cells: [Cell; 5],
}

impl Row {
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

pub fn policy_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/http/access_policy.txt")).expect("access_policy.txt")
}

/// Parses the table; every mistake in it is reported with its line.
pub fn parse_policy(text: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.len() != 7 {
            errors.push(format!("line {}: expected method, path and 5 cells, got {}", index + 1, words.len()));
            continue;
        }
        let mut cells = Vec::new();
        for word in &words[2..] {
            let parsed = match word.split_once('/') {
                Some((own, foreign)) => Outcome::parse(own)
                    .and_then(|own| Outcome::parse(foreign).map(|foreign| Cell { own, foreign: Some(foreign) })),
                None => Outcome::parse(word).map(|own| Cell { own, foreign: None }),
            };
            match parsed {
                Ok(cell) => {
                    if let Some(problem) = cell_rule_broken(cell) {
                        errors.push(format!("line {}: `{word}`: {problem}", index + 1));
                    }
                    cells.push(cell)
                }
                Err(e) => errors.push(format!("line {}: {e}", index + 1)),
            }
        }
        if cells.len() == 5 {
            let cells: [Cell; 5] = cells.try_into().expect("five cells");
            rows.push(Row { method: words[0].to_owned(), path: words[1].to_owned(), cells });
        }
    }
    if errors.is_empty() { Ok(rows) } else { Err(errors) }
}

/// The rules a cell must follow whatever the operation: another tenant's object is 404 (422 when
/// named in the body) or explicitly `shared`, and 403 only when the role is refused the operation
/// on its own object too. (`403/404` is fine: a role may see its own object but not act on it.)
fn cell_rule_broken(cell: Cell) -> Option<&'static str> {
    match (cell.own, cell.foreign) {
        (Outcome::Shared | Outcome::UnknownReference, _) => {
            Some("`shared` and `422` describe another tenant's object, not the caller's own")
        }
        (_, Some(Outcome::Ok)) => {
            Some("another tenant's object is never plainly `ok`: write `shared` when policy shares it")
        }
        (own, Some(Outcome::Forbidden)) if own != Outcome::Forbidden => {
            Some("a foreign object is 404, never 403, for a role that may call the operation")
        }
        _ => None,
    }
}

pub fn policy() -> Vec<Row> {
    parse_policy(&policy_text()).unwrap_or_else(|errors| panic!("access_policy.txt:\n{}", errors.join("\n")))
}

/// The operations (`METHOD /path`) a spec document lists.
fn spec_operations(spec: &Value) -> BTreeSet<String> {
    let mut operations = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in ["get", "put", "post", "delete", "patch", "head", "options", "trace"] {
            if item.get(method).is_some() {
                operations.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations
}

fn coverage_problems(spec: &Value, rows: &[Row], which: &str) -> Vec<String> {
    let in_spec = spec_operations(spec);
    let mut in_table = BTreeSet::new();
    let mut problems = Vec::new();
    for row in rows {
        if !in_table.insert(row.key()) {
            problems.push(format!("{}: listed twice in access_policy.txt", row.key()));
        }
    }
    for missing in in_spec.difference(&in_table) {
        problems.push(format!("{missing}: in the {which} but has no row in access_policy.txt"));
    }
    for extra in in_table.difference(&in_spec) {
        problems.push(format!("{extra}: row in access_policy.txt but not an operation of the {which}"));
    }
    problems
}

#[actix_web::test]
async fn access_policy_covers_every_operation_of_the_committed_and_served_spec() {
    let rows = policy();
    let committed = committed_spec();
    let mut problems = coverage_problems(&committed, &rows, "committed openapi/openapi.json");
    let app = spawn_app_with_env(Backend::Sqlite, gsi_api::Clock::system(), &[]).await;
    let served = app.request("GET", "/api-docs/openapi.json", None, &[], None).await;
    assert_eq!(served.status, 200);
    problems.extend(coverage_problems(&served.body, &rows, "served spec"));
    assert!(problems.is_empty(), "the access policy and the contract disagree:\n{}", problems.join("\n"));

    // The coverage check itself can fail: an operation the table lacks is named.
    let mut fewer = rows.clone();
    let dropped = fewer.remove(0);
    assert_eq!(
        coverage_problems(&committed, &fewer, "spec"),
        [format!("{}: in the spec but has no row in access_policy.txt", dropped.key())]
    );
}

fn committed_spec() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json"))
        .expect("openapi/openapi.json");
    serde_json::from_str(&text).expect("committed spec is JSON")
}

/// Refusals the policy promises that the operation's responses do not document.
fn undocumented_refusals(spec: &Value, rows: &[Row]) -> Vec<String> {
    let mut problems = Vec::new();
    for row in rows {
        let responses = &spec["paths"][&row.path][row.method.to_lowercase()]["responses"];
        let outcomes = row.cells.iter().flat_map(|cell| std::iter::once(cell.own).chain(cell.foreign));
        let mut statuses: Vec<&str> = outcomes.filter(|o| !o.allows()).map(Outcome::label).collect();
        statuses.sort_unstable();
        statuses.dedup();
        for status in statuses {
            if responses.get(status).is_none() {
                problems.push(format!("{}: the policy answers {status}, the spec does not document it", row.key()));
            }
        }
    }
    problems
}

#[test]
fn every_refusal_in_the_policy_is_a_documented_response() {
    let committed = committed_spec();
    let rows = policy();
    let problems = undocumented_refusals(&committed, &rows);
    assert!(problems.is_empty(), "clients cannot expect these answers:\n{}", problems.join("\n"));
    // The check can fail: a spec without the documented 403s is caught.
    let mut stripped = committed.clone();
    for item in stripped["paths"].as_object_mut().expect("paths").values_mut() {
        for operation in item.as_object_mut().expect("path item").values_mut() {
            if let Some(responses) = operation.get_mut("responses").and_then(Value::as_object_mut) {
                responses.remove("403");
            }
        }
    }
    assert!(!undocumented_refusals(&stripped, &rows).is_empty());
}

#[test]
fn access_policy_cells_follow_the_tenancy_rules() {
    let rows = policy();
    assert!(!rows.is_empty());
    for row in &rows {
        assert!(row.cells[0].foreign.is_none(), "{}: GIX sees every tenant; it has no foreign cell", row.key());
    }
    // The rules reject what they should.
    let bad = "GET /v1/x ok ok/ok ok/403 422 shared\n";
    let errors = parse_policy(bad).expect_err("broken cells are refused");
    assert_eq!(errors.len(), 4, "{errors:?}");
}

/// The README section generated from the table.
pub fn readme_section(rows: &[Row]) -> String {
    let mut out = String::new();
    out.push_str(README_START);
    out.push_str("\n\n");
    out.push_str(
        "Generated from `tests/http/access_policy.txt`, which the authorization-matrix test \
         (`tests/http/authz_matrix.rs`) runs against the server on every backend. A cell is \
         *own* / *foreign*: the answer for an object of the caller's own organisation (or one \
         it serves, assesses or is addressed to), then for another tenant's object. `ok` = \
         allowed (a state rule may still answer 409/422); `shared` = another tenant's object that \
         this role may read by policy; `403` = the role may not do this (on its own object: a role refusal, not a secret); `404` = \
         answered as if it did not exist; `422` = another tenant's id named in the body is \
         refused naming the field, exactly like an id that does not exist. A single value: the operation names no object another \
         tenant could own. GIX sees every tenant, so it has no foreign column.\n\n",
    );
    out.push_str("| operation | gix_officer | agency_admin | agency_user | provider_operator | assessor |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for row in rows {
        let cells: Vec<String> = row
            .cells
            .iter()
            .map(|cell| match cell.foreign {
                Some(foreign) => format!("{} / {}", cell.own.label(), foreign.label()),
                None => cell.own.label().to_owned(),
            })
            .collect();
        out.push_str(&format!("| `{} {}` | {} |\n", row.method, row.path, cells.join(" | ")));
    }
    out.push('\n');
    out.push_str(README_END);
    out
}

#[test]
fn access_table_in_readme_is_generated_from_the_policy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).expect("README.md");
    let section = readme_section(&policy());
    let (before, rest) = readme.split_once(README_START).expect("README has the access-table start marker");
    let (_, after) = rest.split_once(README_END).expect("README has the access-table end marker");
    let expected = format!("{before}{section}{after}");
    if std::env::var("UPDATE_README").is_ok_and(|v| v == "1") {
        std::fs::write(path, &expected).expect("write README.md");
        return;
    }
    assert!(
        readme == expected,
        "README's \"Access per operation\" differs from tests/http/access_policy.txt; run `make access-table`"
    );
}

// ---------------------------------------------------------------------------------------------
// The matrix against a live server.

/// The ids one caller uses: its own objects or another tenant's.
type Ids = HashMap<&'static str, String>;

struct World {
    /// (role, foreign?) → ids for every path parameter and body placeholder.
    ids: HashMap<(&'static str, bool), Ids>,
    tokens: HashMap<&'static str, String>,
}

fn rfc3339(t: chrono::DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

async fn created(app: &TestApp, path: &str, token: &str, body: &Value) -> String {
    let reply = app.post(path, token, body).await;
    assert_eq!(reply.status, 201, "set-up POST {path}: {}", reply.body);
    reply.body["id"].as_str().expect("id").to_owned()
}

async fn first_id(app: &TestApp, path: &str, token: &str) -> String {
    let reply = app.get(path, token).await;
    assert_eq!(reply.status, 200, "set-up GET {path}: {}", reply.body);
    reply.body["items"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("set-up GET {path}: no items: {}", reply.body))
        .to_owned()
}

/// Demo data plus, for each kind of object, one on the "own" side (agency A, the cloud
/// provider, the demo assessor) and one on the "foreign" side (agency B, the network
/// provider, a second assessor).
async fn build_world(app: &TestApp) -> World {
    let now = Utc::now();
    {
        let mut conn = gsi_persistence::checkout(&app.pool).expect("connection");
        gsi_api::usecases::demo::seed(&mut conn, now).expect("demo data");
    }
    let today = gsi_domain::governance::period::bangkok_date(now);
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let previous_month = gsi_domain::calendar::Month::containing(now).previous();
    let fiscal_year = previous_month.fiscal_year().0.to_string();

    let a_admin = token("agency_admin", AGENCY_A);
    let b_admin = token("agency_admin", AGENCY_B);
    let cloud = token("provider_operator", CLOUD);
    let network = token("provider_operator", NETWORK);
    let assessor = token("assessor", ASSESSOR);
    let second_assessor_org = app.register("assessor", "สถาบันรับรองที่สอง").await;
    let second_assessor = token("assessor", &second_assessor_org);

    let families =
        json!({"families": ["network", "cloud", "data_center"], "valid_from": day(-30), "valid_until": day(365)});
    let own_accreditation = created(app, &format!("/v1/assessors/{ASSESSOR}/accreditations"), &gix(), &families).await;
    let foreign_accreditation =
        created(app, &format!("/v1/assessors/{second_assessor_org}/accreditations"), &gix(), &families).await;

    let certificate = |family: &str| {
        json!({"standard": "iso_iec_27001", "number": "T-27001", "issuing_body": "Test CB", "families": [family],
               "valid_from": day(-300), "valid_until": day(700), "evidence_ref": "DMS-1"})
    };
    let own_certificate =
        created(app, &format!("/v1/providers/{CLOUD}/iso-certificates"), &cloud, &certificate("cloud")).await;
    let foreign_certificate =
        created(app, &format!("/v1/providers/{NETWORK}/iso-certificates"), &network, &certificate("network")).await;
    let link = json!({"kind": "gix_link", "capacity_mbps": 10000, "since": day(-400)});
    let own_interconnection = created(app, &format!("/v1/providers/{CLOUD}/interconnections"), &cloud, &link).await;
    let foreign_interconnection =
        created(app, &format!("/v1/providers/{NETWORK}/interconnections"), &network, &link).await;
    let staff = json!({"staff_ref": "EMP-1", "display_name": "สมศรี"});
    created(app, &format!("/v1/providers/{CLOUD}/staff"), &cloud, &staff).await;
    created(app, &format!("/v1/providers/{NETWORK}/staff"), &network, &staff).await;

    let assessment = |provider: &str, family: &str| {
        json!({"provider_id": provider, "kind": "initial", "families": [family],
               "planned_on": day(-2), "performed_on": day(-1), "consent_ref": "consent letter"})
    };
    let own_assessment = created(app, "/v1/assessments", &assessor, &assessment(CLOUD, "cloud")).await;
    let foreign_assessment = created(app, "/v1/assessments", &second_assessor, &assessment(NETWORK, "network")).await;

    let notice = |subscription: &str| json!({"identifier": "CVE-2026-1111", "severity": "high", "affected_subscription_ids": [subscription], "mitigation": "patch"});
    let own_notice = created(app, "/v1/vulnerability-notices", &cloud, &notice(A_CLOUD)).await;
    let foreign_notice = created(app, "/v1/vulnerability-notices", &network, &notice(B_INTRANET)).await;

    let incident = |subscription: &str| {
        json!({"subscription_id": subscription, "title": "ระบบใช้งานไม่ได้", "description": "No traffic since 09:00",
               "impact": "high", "urgency": "high"})
    };
    let own_incident = created(app, "/v1/incidents", &a_admin, &incident(A_CLOUD)).await;
    let outage = |subscription: &str| json!({"subscriptions": [subscription], "started_at": rfc3339(now - Duration::hours(2)), "cause": "power failure"});
    let own_outage = created(app, "/v1/outages", &cloud, &outage(A_CLOUD)).await;
    let foreign_outage = created(app, "/v1/outages", &network, &outage(B_INTRANET)).await;
    let security_event = json!({"agency_id": AGENCY_A, "category": "phishing", "severity": "medium",
                                "detected_at": rfc3339(now - Duration::hours(3)), "description": "Credential phishing"});
    let own_security_event = created(app, "/v1/security-events", &cloud, &security_event).await;

    let change = |subscription: &str, metric: &str| json!({"kind": "change", "subscription_id": subscription, "quantities": {metric: "9"}});
    let own_service_request = created(app, "/v1/service-requests", &a_admin, &change(A_CLOUD, "vcpu_hour")).await;
    let foreign_service_request =
        created(app, "/v1/service-requests", &b_admin, &change(B_INTRANET, "mbps_month")).await;

    let month = json!({"month": previous_month.to_string()});
    let own_monthly_report = created(app, "/v1/monthly-reports", &a_admin, &month).await;
    let foreign_monthly_report = created(app, "/v1/monthly-reports", &b_admin, &month).await;
    let report_request = json!({"provider_id": NETWORK, "from": previous_month.to_string(), "to": previous_month.to_string(),
                                "group_by": "agency,month", "due_date": day(7), "note": "รายงาน"});
    let foreign_report_request = created(app, "/v1/report-requests", &gix(), &report_request).await;
    let own_statement = first_id(app, &format!("/v1/statements?provider_id={CLOUD}"), &a_admin).await;
    let foreign_statement = first_id(app, "/v1/statements", &b_admin).await;

    // A webhook subscription per caller, created by that caller's organisation: deleting one
    // in an allowed cell must not take away another role's object.
    let hook = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["incident.commented"]});
    let org_of = |role: &str, foreign: bool| -> String {
        match (role, foreign) {
            ("gix_officer", _) => GIX.to_owned(),
            ("agency_admin" | "agency_user", false) => AGENCY_A.to_owned(),
            ("agency_admin" | "agency_user", true) => AGENCY_B.to_owned(),
            ("provider_operator", false) => CLOUD.to_owned(),
            ("provider_operator", true) => NETWORK.to_owned(),
            (_, false) => ASSESSOR.to_owned(),
            (_, true) => second_assessor_org.clone(),
        }
    };
    let owner_role = |role: &'static str| -> &'static str { if role == "agency_user" { "agency_admin" } else { role } };

    let mut ids = HashMap::new();
    for role in ROLES {
        for foreign in [false, true] {
            let pick = |own: &str, other: &str| if foreign { other.to_owned() } else { own.to_owned() };
            let mut map: Ids = HashMap::new();
            map.insert("organisation_id", org_of(role, foreign));
            map.insert("agency_id", pick(AGENCY_A, AGENCY_B));
            map.insert("provider_id", pick(CLOUD, NETWORK));
            map.insert("assessor_id", pick(ASSESSOR, &second_assessor_org));
            map.insert("subscription_id", pick(A_CLOUD, B_INTRANET));
            map.insert("offering_id", pick(CLOUD_COMPUTE, NETWORK_INTERNET));
            map.insert("accreditation_id", pick(&own_accreditation, &foreign_accreditation));
            map.insert("certificate_id", pick(&own_certificate, &foreign_certificate));
            map.insert("interconnection_id", pick(&own_interconnection, &foreign_interconnection));
            map.insert("assessment_id", pick(&own_assessment, &foreign_assessment));
            map.insert("notice_id", pick(&own_notice, &foreign_notice));
            map.insert("incident_id", pick(&own_incident, B_INCIDENT));
            map.insert("outage_id", pick(&own_outage, &foreign_outage));
            map.insert("security_event_id", pick(&own_security_event, B_SECURITY_EVENT));
            map.insert("service_request_id", pick(&own_service_request, &foreign_service_request));
            map.insert("report_request_id", pick(CLOUD_REPORT_REQUEST, &foreign_report_request));
            map.insert("report_id", pick(&own_monthly_report, &foreign_monthly_report));
            map.insert("statement_id", pick(&own_statement, &foreign_statement));
            map.insert("reference_price_id", REFERENCE_PRICE.to_owned());
            map.insert("fiscal_year", fiscal_year.clone());
            map.insert("month", previous_month.to_string());
            map.insert("today", day(0));
            map.insert("tomorrow", day(1));
            map.insert("next_year", day(365));
            map.insert("an_hour_ago", rfc3339(now - Duration::hours(1)));
            map.insert("two_hours_ago", rfc3339(now - Duration::hours(2)));
            map.insert("next_year_at", rfc3339(now + Duration::days(365)));
            map.insert("a_week_from_now", rfc3339(now + Duration::days(7)));
            let owner = token(owner_role(role), &org_of(role, foreign));
            map.insert("webhook_subscription_id", created(app, "/v1/webhook-subscriptions", &owner, &hook).await);
            ids.insert((role, foreign), map);
        }
    }
    let tokens = HashMap::from([
        ("gix_officer", gix()),
        ("agency_admin", a_admin),
        ("agency_user", token("agency_user", AGENCY_A)),
        ("provider_operator", cloud),
        ("assessor", assessor),
    ]);
    World { ids, tokens }
}

/// A valid body for each operation that takes one; `{name}` is replaced by the caller's id.
fn body_template(method: &str, path: &str) -> Option<&'static str> {
    Some(match (method, path) {
        ("POST", "/v1/accreditations/{accreditation_id}/withdrawal") => r#"{"reason": "audit records falsified"}"#,
        ("PUT", "/v1/agencies/{agency_id}/profile") => {
            r#"{"name_th": "กรมทดสอบ", "name_en": "Department of Tests", "parent_ministry": "กระทรวงดิจิทัล",
                "address": "120 ถนนแจ้งวัฒนะ", "coordinators": [{"name": "สมชาย ใจดี", "position": "IT director",
                "email": "somchai@test.go.th", "phone": "02-123-4567", "is_primary": true}],
                "contact_channels": [{"kind": "email", "value": "it@test.go.th", "label": null}]}"#
        }
        ("POST", "/v1/assessments") => {
            r#"{"provider_id": "{provider_id}", "kind": "surveillance", "families": ["cloud"],
                "planned_on": "{today}", "performed_on": "{today}", "consent_ref": "consent letter 2"}"#
        }
        ("POST", "/v1/assessments/{assessment_id}/decision") => r#"{"outcome": "certify", "note": "conforms"}"#,
        ("POST", "/v1/assessments/{assessment_id}/findings") => r#"{"clause": "GSI-6.4", "result": "conforms"}"#,
        ("POST", "/v1/assessors/{assessor_id}/accreditations") => {
            r#"{"families": ["cloud"], "valid_from": "{today}", "valid_until": "{next_year}"}"#
        }
        ("PUT", "/v1/budgets/{fiscal_year}") => r#"{"amount": "1000.00"}"#,
        ("POST", "/v1/incidents") => {
            r#"{"subscription_id": "{subscription_id}", "title": "ช้า", "description": "Slow since 10:00",
                "impact": "low", "urgency": "low"}"#
        }
        ("POST", "/v1/incidents/{incident_id}/actions") => r#"{"action": "acknowledge"}"#,
        ("POST", "/v1/incidents/{incident_id}/comments") => r#"{"note": "still slow"}"#,
        ("POST", "/v1/monthly-reports") => r#"{"month": "{month}"}"#,
        ("PUT", "/v1/monthly-reports/{report_id}/notes") => r#"{"notes": "ใช้งานตามแผน"}"#,
        ("POST", "/v1/offerings") => {
            r#"{"family": "cloud", "kind": "storage", "name": "Block storage",
                "pricing": [{"metric": "storage_gb_month", "unit_price": "1.00"}]}"#
        }
        ("PUT", "/v1/offerings/{offering_id}") => {
            r#"{"family": "cloud", "kind": "compute", "name": "Compute renamed",
                "pricing": [{"metric": "vcpu_hour", "unit_price": "1.00"}]}"#
        }
        ("POST", "/v1/organisations") => r#"{"kind": "agency", "name_th": "กรมใหม่"}"#,
        ("POST", "/v1/outages") => {
            r#"{"subscriptions": ["{subscription_id}"], "started_at": "{an_hour_ago}", "cause": "fibre cut"}"#
        }
        ("POST", "/v1/outages/{outage_id}/end") => r#"{"ended_at": "{an_hour_ago}"}"#,
        ("POST", "/v1/providers/{provider_id}/interconnections") => {
            r#"{"kind": "gix_link", "capacity_mbps": 1000, "since": "{today}"}"#
        }
        ("POST", "/v1/providers/{provider_id}/iso-certificates") => {
            r#"{"standard": "iso_22301", "number": "T-22301", "issuing_body": "Test CB", "families": ["cloud"],
                "valid_from": "{today}", "valid_until": "{next_year}", "evidence_ref": "DMS-2"}"#
        }
        ("POST", "/v1/providers/{provider_id}/listing") => {
            r#"{"family": "cloud", "action": "suspend", "reason": "certificate lapsed"}"#
        }
        ("PUT", "/v1/providers/{provider_id}/profile") => {
            r#"{"legal_status": "juristic_person", "registration_number": "0105558000011", "families": ["cloud"],
                "support": {"phone": "02-000-0000", "email": "noc@example.co.th"},
                "exclusions": [{"kind": "planned_maintenance", "text": "announced 72 hours ahead"}]}"#
        }
        ("POST", "/v1/providers/{provider_id}/staff") => r#"{"staff_ref": "EMP-9", "display_name": "วิชัย"}"#,
        ("POST", "/v1/reference-prices") => {
            r#"{"service_kind": "storage", "metric": "storage_gb_month", "unit_price": "2.00", "valid_from": "{next_year_at}"}"#
        }
        ("POST", "/v1/report-requests") => {
            r#"{"provider_id": "{provider_id}", "from": "{month}", "to": "{month}", "group_by": "agency,month",
                "due_date": "{tomorrow}"}"#
        }
        ("POST", "/v1/security-events") => {
            r#"{"agency_id": "{agency_id}", "category": "malware", "severity": "low", "detected_at": "{an_hour_ago}",
                "description": "Malware on a VM"}"#
        }
        ("POST", "/v1/security-events/{security_event_id}/actions") => r#"{"action": "start_mitigation"}"#,
        ("POST", "/v1/service-requests") | ("POST", "/v1/service-requests/preview") => {
            r#"{"kind": "change", "subscription_id": "{subscription_id}", "quantities": {"vcpu_hour": "7"}}"#
        }
        ("POST", "/v1/service-requests/{request_id}/complete") => "{}",
        ("POST", "/v1/service-requests/{request_id}/confirm") => {
            r#"{"quote_id": "00000000-0000-7000-8000-0000000000ff"}"#
        }
        ("POST", "/v1/service-requests/{request_id}/decline") => "{}",
        ("POST", "/v1/service-requests/{request_id}/fail") => r#"{"reason": "no capacity"}"#,
        ("POST", "/v1/service-requests/{request_id}/progress") => r#"{"percent": 50, "note": "half done"}"#,
        ("POST", "/v1/service-requests/{request_id}/quotes") => {
            r#"{"outcome": "approved", "confirmed_quantities": {"vcpu_hour": "9"}, "monthly_cost_delta": "100.00",
                "valid_until": "{a_week_from_now}"}"#
        }
        ("POST", "/v1/service-requests/{request_id}/review") => "{}",
        ("POST", "/v1/service-requests/{request_id}/start") => "{}",
        ("POST", "/v1/service-requests/{request_id}/withdraw") => "{}",
        ("POST", "/v1/statements/close") => r#"{"month": "{month}"}"#,
        ("POST", "/v1/subscriptions/existing") => {
            r#"{"agency_id": "{agency_id}", "offering_id": "{offering_id}",
                "quantities": [{"metric": "vcpu_hour", "quantity": "2"}], "starts_at": "{an_hour_ago}"}"#
        }
        ("POST", "/v1/subscriptions/{subscription_id}/transitions") => r#"{"action": "suspend"}"#,
        ("POST", "/v1/usage/batches") => {
            r#"{"records": [{"record_id": "authz-1", "subscription_id": "{subscription_id}", "metric": "vcpu_hour",
                "quantity": "1", "period_start": "{two_hours_ago}", "period_end": "{an_hour_ago}"}]}"#
        }
        ("POST", "/v1/vulnerability-notices") => {
            r#"{"identifier": "CVE-2026-2222", "severity": "low", "affected_subscription_ids": ["{subscription_id}"],
                "mitigation": "patch"}"#
        }
        ("POST", "/v1/webhook-subscriptions") => {
            r#"{"url": "http://127.0.0.1:9/other", "event_types": ["incident.commented"]}"#
        }
        _ => return None,
    })
}

/// Query parameters an operation needs to be a valid call.
fn query_template(method: &str, path: &str) -> &'static str {
    match (method, path) {
        ("GET", "/v1/reports/agency-summary") => "?agency_id={agency_id}",
        _ => "",
    }
}

/// Replaces `{name}` in `template` with the caller's ids. The service-request and
/// report-request paths share the parameter name `request_id`.
fn fill(template: &str, path: &str, ids: &Ids) -> String {
    let mut out = template.to_owned();
    let request_kind = if path.starts_with("/v1/report-requests") { "report_request_id" } else { "service_request_id" };
    out = out.replace("{request_id}", &ids[request_kind]);
    for (name, value) in ids {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// Operations whose allowed calls take away what later operations need run last.
fn run_late(row: &Row) -> u8 {
    match (row.method.as_str(), row.path.as_str()) {
        ("POST", "/v1/accreditations/{accreditation_id}/withdrawal") => 2,
        ("POST", "/v1/providers/{provider_id}/listing") => 2,
        ("POST", "/v1/subscriptions/{subscription_id}/transitions") => 2,
        ("DELETE", _) => 2,
        ("GET", _) => 0,
        _ => 1,
    }
}

struct Probe {
    role: &'static str,
    foreign: bool,
    expected: Outcome,
}

/// The probes of one row: each role on its own object and, where the table has one, on
/// another tenant's.
fn probes(row: &Row) -> Vec<Probe> {
    let mut probes = Vec::new();
    for (index, role) in ROLES.iter().enumerate() {
        let cell = row.cells[index];
        probes.push(Probe { role, foreign: false, expected: cell.own });
        if let Some(foreign) = cell.foreign {
            probes.push(Probe { role, foreign: true, expected: foreign });
        }
    }
    probes
}

/// What the matrix run collects: failures, and per operation what each cell answered.
#[derive(Default)]
struct Findings {
    failures: Vec<String>,
    observed: BTreeMap<String, Vec<String>>,
}

/// Makes one cell's request with a valid body (and `If-Match: *` where the operation takes
/// one) and checks the answer; a refusal is also sent without `If-Match`.
async fn run_probe(app: &TestApp, world: &World, spec: &Value, row: &Row, probe: &Probe, findings: &mut Findings) {
    let takes_if_match = spec["paths"][&row.path][row.method.to_lowercase()]["parameters"]
        .as_array()
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
    let ids = &world.ids[&(probe.role, probe.foreign)];
    let path = fill(&format!("{}{}", row.path, query_template(&row.method, &row.path)), &row.path, ids);
    let body = body_template(&row.method, &row.path)
        .map(|t| serde_json::from_str::<Value>(&fill(t, &row.path, ids)).expect("body template is JSON"));
    let token = &world.tokens[probe.role];
    let headers: Vec<(&str, &str)> = if takes_if_match { vec![("If-Match", "*")] } else { Vec::new() };
    let reply = app.request(&row.method, &path, Some(token), &headers, body.as_ref()).await;
    let status = reply.status.as_u16();
    let seen = match status {
        403 => "403".to_owned(),
        404 => "404".to_owned(),
        422 if probe.foreign => "422".to_owned(),
        s if (200..300).contains(&s) => (if probe.foreign { "shared" } else { "ok" }).to_owned(),
        s => format!("ok({s})"),
    };
    if observing() && !(200..300).contains(&status) && probe.expected.allows() {
        println!("ALLOWED-BUT {} {path} as {}: {status} {}", row.method, probe.role, reply.body);
    }
    let slot = ROLES.iter().position(|r| *r == probe.role).expect("role") * 2 + usize::from(probe.foreign);
    findings.observed.entry(row.key()).or_insert_with(|| vec![String::new(); 10])[slot] = seen;
    let what =
        format!("{} as {} on {} object", row.key(), probe.role, if probe.foreign { "a foreign" } else { "its own" });
    let good = match probe.expected {
        Outcome::Ok | Outcome::Shared => !matches!(status, 401 | 403 | 404) && status < 500,
        Outcome::Forbidden => status == 403,
        Outcome::NotFound => status == 404,
        Outcome::UnknownReference => status == 422 && !reply.problem_fields().is_empty(),
    };
    if !good {
        findings.failures.push(format!("{what}: expected {}, got {status}: {}", probe.expected.label(), reply.body));
    }
    if !probe.expected.allows() && takes_if_match {
        // The role and tenancy decision comes first: without If-Match, still 403/404, not 428.
        let bare = app.request(&row.method, &path, Some(token), &[], body.as_ref()).await;
        if bare.status != reply.status {
            findings.failures.push(format!("{what} without If-Match: expected {status}, got {}", bare.status));
        }
    }
}

fn observing() -> bool {
    std::env::var("AUTHZ_OBSERVED").is_ok_and(|v| v == "1")
}

#[actix_web::test]
async fn every_operation_answers_every_role_as_the_access_policy_says() {
    let rows = policy();
    let spec: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).expect("spec"),
    )
    .expect("spec JSON");
    let mut ordered: Vec<&Row> = rows.iter().collect();
    ordered.sort_by_key(|row| run_late(row));
    for backend in backends() {
        eprintln!("backend: {backend:?}");
        // No webhook deliveries in the background: storage must change only by the requests.
        let app = spawn_app_with_env(backend, gsi_api::Clock::system(), &[("GSI_WEBHOOK_WORKER", "false")]).await;
        let started = std::time::Instant::now();
        let world = build_world(&app).await;
        eprintln!("set-up: {:?}", started.elapsed());
        let mut findings = Findings::default();
        let fingerprint = || {
            let mut conn = gsi_persistence::checkout(&app.pool).expect("connection");
            storage_fingerprint(&mut conn)
        };

        // Phase 1, every refusal, while nothing has changed since the set-up: after each
        // operation's refusals, storage must be exactly as before them.
        let mut last = fingerprint();
        for row in &ordered {
            let refusals: Vec<Probe> = probes(row).into_iter().filter(|p| !p.expected.allows()).collect();
            if refusals.is_empty() {
                continue;
            }
            for probe in &refusals {
                run_probe(&app, &world, &spec, row, probe, &mut findings).await;
            }
            let now = fingerprint();
            let changed = last.changed_tables(&now);
            if !changed.is_empty() {
                findings.failures.push(format!("{}: a refused call changed storage: {changed:?}", row.key()));
            }
            last = now;
        }
        eprintln!("refusals: {:?}", started.elapsed());

        // Phase 2, every allowed call; those that take objects away run last (`run_late`).
        for row in &ordered {
            for probe in probes(row).iter().filter(|p| p.expected.allows()) {
                run_probe(&app, &world, &spec, row, probe, &mut findings).await;
            }
        }
        eprintln!("matrix: {:?}", started.elapsed());

        if observing() {
            for row in &rows {
                let seen = &findings.observed[&row.key()];
                let cells: Vec<String> = (0..5)
                    .map(|i| {
                        if seen[i * 2 + 1].is_empty() {
                            seen[i * 2].clone()
                        } else {
                            format!("{}/{}", seen[i * 2], seen[i * 2 + 1])
                        }
                    })
                    .collect();
                println!("OBSERVED {:<7}{:<74} {}", row.method, row.path, cells.join(" "));
            }
        }
        assert!(
            findings.failures.is_empty(),
            "{backend:?}: {} cells disagree with access_policy.txt:\n{}",
            findings.failures.len(),
            findings.failures.join("\n")
        );
        app.stop_handle().stop(false).await;
    }
}
