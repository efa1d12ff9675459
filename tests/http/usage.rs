//! Pay-per-use metering (GSI-7.1), costs (GSI-7.5.3) and monthly statements: atomic,
//! idempotent usage batches; rating under the reference-price cap; month-to-date and past
//! costs per tenant; closing a month, late usage as an adjustment, and the CSV download.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use gsi_domain::calendar::Month;
use serde_json::{Value, json};

use crate::reference_prices::{price_body, set_price};
use crate::support::{Reply, TestApp, each_backend, gix, token};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A provider listed for cloud with a published compute offering (vCPU-hours at 1.05 THB),
/// an agency with a running contract since the start of the month before last, and tokens.
/// The vCPU cap was 1.00 THB during that month and is 1.20 THB since: usage of that month is
/// charged at the cap.
pub struct Setup {
    pub provider: String,
    pub operator: String,
    pub agency: String,
    pub agency_user: String,
    pub subscription: String,
    /// The month before last, the previous month and the current month (Asia/Bangkok).
    pub months: [Month; 3],
}

fn provider_profile() -> Value {
    json!({
        "legal_status": "juristic_person",
        "registration_number": "0-1075-44000-10-8",
        "families": ["cloud"],
        "support": {"phone": "02-555-2000", "email": "noc@provider-test.co.th", "self_service_url": "https://portal.provider-test.co.th"},
        "exclusions": [{"kind": "planned_maintenance", "notice_hours": 72, "text": "Announced 72 hours ahead"}]
    })
}

/// A provider listed for cloud; returns its id and an operator token.
pub async fn listed_provider(app: &TestApp, name: &str) -> (String, String) {
    let provider = app.register("provider", name).await;
    let operator = token("provider_operator", &provider);
    let profile = app
        .request("PUT", &format!("/v1/providers/{provider}/profile"), Some(&operator), &[], Some(&provider_profile()))
        .await;
    assert_eq!(profile.status, 201, "{}", profile.body);
    app.certify(&provider, &["cloud"]).await;
    (provider, operator)
}

/// A published compute offering of the operator's provider.
pub async fn published_compute(app: &TestApp, operator: &str) -> String {
    let offering = json!({
        "family": "cloud", "kind": "compute", "name": "GovCloud VM",
        "pricing": [{"metric": "vcpu_hour", "unit_price": "1.05"}, {"metric": "ram_gb_hour", "unit_price": "0.30"}],
        "sla": {
            "availability_percent": "99.95", "max_unplanned_outages_per_month": 2, "max_mean_time_to_restore_minutes": 120,
            "priorities": [
                {"priority": "p1", "response_minutes": 15, "resolution_minutes": 120},
                {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
                {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
                {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}
            ],
            "credit_tiers": [{"below_percent": "99.95", "credit_percent": "10"}]
        },
        "capacity": []
    });
    let created = app.post("/v1/offerings", operator, &offering).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let published = app
        .request("POST", &format!("/v1/offerings/{id}/publish"), Some(operator), &[("If-Match", "\"1\"")], None)
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    id
}

/// The provider registers the agency's running contract, from `starts_at`.
pub async fn contract(app: &TestApp, operator: &str, agency: &str, offering: &str, starts_at: DateTime<Utc>) -> String {
    let body = json!({
        "agency_id": agency, "offering_id": offering,
        "quantities": [{"metric": "vcpu_hour", "quantity": "16"}],
        "starts_at": rfc3339(starts_at)
    });
    let registered = app.post("/v1/subscriptions/existing", operator, &body).await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    registered.body["id"].as_str().unwrap().to_owned()
}

pub async fn setup(app: &TestApp) -> Setup {
    let current = Month::containing(Utc::now());
    let previous = current.previous();
    let before = previous.previous();
    set_price(app, &price_body("compute", "vcpu_hour", "1.00", before.start(), Some(previous.start()))).await;
    set_price(app, &price_body("compute", "vcpu_hour", "1.20", previous.start(), None)).await;
    set_price(app, &price_body("compute", "ram_gb_hour", "0.35", before.start(), None)).await;
    let (provider, operator) = listed_provider(app, "บริษัท คลาวด์ทดสอบ จำกัด").await;
    let offering = published_compute(app, &operator).await;
    let agency = app.register("agency", "กรมทดสอบการใช้งาน").await;
    let subscription = contract(app, &operator, &agency, &offering, before.start()).await;
    let agency_user = token("agency_user", &agency);
    Setup { provider, operator, agency, agency_user, subscription, months: [before, previous, current] }
}

/// One usage record of `metric` for `[start, end)`.
pub fn record(
    id: &str,
    subscription: &str,
    metric: &str,
    quantity: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Value {
    json!({
        "record_id": id, "subscription_id": subscription, "metric": metric, "quantity": quantity,
        "period_start": rfc3339(start), "period_end": rfc3339(end)
    })
}

/// vCPU-hours for the hour from `start`.
fn vcpu(s: &Setup, id: &str, quantity: &str, start: DateTime<Utc>) -> Value {
    record(id, &s.subscription, "vcpu_hour", quantity, start, start + Duration::hours(1))
}

pub async fn submit(app: &TestApp, token: &str, records: &[Value]) -> Reply {
    app.post("/v1/usage/batches", token, &json!({"records": records})).await
}

fn stored_count(app: &TestApp, provider: &str) -> i64 {
    let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
    gsi_persistence::repos::usage::count_for_provider(&mut conn, provider.parse().unwrap()).unwrap()
}

/// An hour of the current month that has passed (or the part of it since the month began).
fn this_month_period(current: Month) -> (DateTime<Utc>, DateTime<Utc>) {
    let end = Utc::now() - Duration::seconds(1);
    ((end - Duration::hours(1)).max(current.start()), end)
}

async fn current_costs(app: &TestApp, token: &str, query: &str) -> Reply {
    let reply = app.get(&format!("/v1/costs/current{query}"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

async fn statements_of(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/statements{query}"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn gsi_7_1_a_batch_with_one_bad_record_stores_nothing_and_names_it() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let day = s.months[1].start() + Duration::days(3);
        let bad = vcpu(&s, "r-2", "-4", day);
        let out_of_term = vcpu(&s, "r-4", "1", s.months[0].start() - Duration::hours(2));
        let batch = [vcpu(&s, "r-1", "3", day), bad, vcpu(&s, "r-3", "1", day), out_of_term];
        let refused = submit(&app, &s.operator, &batch).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.problem_fields(), ["records[1].quantity", "records[3].period_start"]);
        let codes: Vec<&str> =
            refused.body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["negative_quantity", "period_outside_active_term"]);
        // Read back: nothing of the batch is stored, nothing is billed.
        assert_eq!(stored_count(&app, &s.provider), 0);
        assert!(statements_of(&app, &s.agency_user, "").await.is_empty());
        let history = app.get("/v1/costs/history", &s.agency_user).await;
        assert_eq!(history.body["months"], json!([]));

        // Corrected, the same batch is stored whole.
        let fixed = [vcpu(&s, "r-1", "3", day), vcpu(&s, "r-2", "4", day), vcpu(&s, "r-3", "1", day)];
        let stored = submit(&app, &s.operator, &fixed).await;
        assert_eq!(stored.status, 200, "{}", stored.body);
        assert_eq!(stored.body, json!({"accepted": 3, "duplicates": 0}));
        assert_eq!(stored_count(&app, &s.provider), 3);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_duplicates_are_counted_no_ops_and_conflicts_are_refused_naming_the_ids() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let day = s.months[1].start() + Duration::days(5);
        let first = submit(&app, &s.operator, &[vcpu(&s, "a", "1", day), vcpu(&s, "b", "2", day)]).await;
        assert_eq!(first.body, json!({"accepted": 2, "duplicates": 0}));

        // A retry with one more record; `1.000` is the same quantity as `1`.
        let retry =
            submit(&app, &s.operator, &[vcpu(&s, "a", "1.000", day), vcpu(&s, "b", "2", day), vcpu(&s, "c", "3", day)])
                .await;
        assert_eq!(retry.status, 200, "{}", retry.body);
        assert_eq!(retry.body, json!({"accepted": 1, "duplicates": 2}));
        // Only duplicates: nothing changes.
        let again = submit(&app, &s.operator, &[vcpu(&s, "c", "3", day), vcpu(&s, "c", "3", day)]).await;
        assert_eq!(again.body, json!({"accepted": 0, "duplicates": 2}));
        let statement = &statements_of(&app, &s.operator, "").await[0];
        assert_eq!((statement["line_count"].as_i64(), statement["version"].as_i64()), (Some(3), Some(2)));

        // Same ids, different content: 409 naming them; nothing of the batch is stored.
        let conflict =
            submit(&app, &s.operator, &[vcpu(&s, "a", "5", day), vcpu(&s, "d", "1", day), vcpu(&s, "b", "2.5", day)])
                .await;
        conflict.assert_problem(409, "conflict");
        let detail = conflict.body["detail"].as_str().unwrap();
        assert!(detail.contains("a, b"), "{detail}");
        assert_eq!(stored_count(&app, &s.provider), 3);

        // A batch far larger than the general body limit (16 KiB in tests) is accepted.
        let many: Vec<Value> = (0..300).map(|i| vcpu(&s, &format!("bulk-{i:03}"), "0.5", day)).collect();
        let bulk = submit(&app, &s.operator, &many).await;
        assert_eq!(bulk.body, json!({"accepted": 300, "duplicates": 0}));
        assert_eq!(stored_count(&app, &s.provider), 303);
        let audit = app.get("/v1/audit-events?resource_type=usage_batch", &s.operator).await;
        let accepted: Vec<i64> = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["changes"]["accepted"].as_i64().unwrap())
            .collect();
        assert_eq!(accepted, [2, 1, 300], "one audit event per batch that stored something");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_another_providers_subscription_is_refused_and_nothing_is_stored() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let (other, other_operator) = listed_provider(&app, "บริษัท อื่น จำกัด").await;
        let day = s.months[1].start() + Duration::days(1);
        let refused = submit(&app, &other_operator, &[vcpu(&s, "x-1", "1", day)]).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.problem_fields(), ["records[0].subscription_id"]);
        assert_eq!(refused.body["errors"][0]["code"], "subscription_not_served");
        // An unknown subscription gets the same answer: nothing to probe.
        let unknown = record("x-2", &uuid::Uuid::now_v7().to_string(), "vcpu_hour", "1", day, day + Duration::hours(1));
        let refused = submit(&app, &other_operator, &[unknown]).await;
        assert_eq!(refused.body["errors"][0]["code"], "subscription_not_served");
        assert_eq!((stored_count(&app, &other), stored_count(&app, &s.provider)), (0, 0));

        // Only provider staff submit usage.
        let by_agency = submit(&app, &token("agency_admin", &s.agency), &[vcpu(&s, "x-3", "1", day)]).await;
        by_agency.assert_problem(403, "forbidden");
        let unpriced = record("x-4", &s.subscription, "kwh", "1", day, day + Duration::hours(1));
        let refused = submit(&app, &s.operator, &[unpriced]).await;
        assert_eq!(refused.body["errors"][0]["code"], "metric_not_priced");
        let empty = submit(&app, &s.operator, &[]).await;
        empty.assert_problem(422, "validation-error");
        assert_eq!(empty.problem_fields(), ["records"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_3_an_agency_sees_its_own_costs_only_and_month_to_date_follows_each_batch() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let (start, end) = this_month_period(s.months[2]);
        let before = current_costs(&app, &s.agency_user, "").await;
        assert_eq!(before.body["month"], s.months[2].to_string());
        assert_eq!(
            (before.body["total"].as_str(), before.body["subscriptions"].as_array().map(Vec::len)),
            (Some("0.00"), Some(0))
        );

        let usage = record("now-1", &s.subscription, "vcpu_hour", "3", start, end);
        assert_eq!(submit(&app, &s.operator, &[usage]).await.status, 200);
        let after = current_costs(&app, &s.agency_user, "").await;
        // 3 × 1.05 (under the 1.20 cap) = 3.15
        assert_eq!(after.body["total"], "3.15");
        assert_eq!(
            after.body["subscriptions"],
            json!([{
                "subscription_id": s.subscription, "agency_id": s.agency, "provider_id": s.provider,
                "metrics": [{"metric": "vcpu_hour", "quantity": "3", "amount": "3.15"}],
                "total": "3.15"
            }])
        );
        let ram = record("now-2", &s.subscription, "ram_gb_hour", "10.5", start, end);
        assert_eq!(submit(&app, &s.operator, &[ram]).await.status, 200);
        let more = current_costs(&app, &s.agency_user, "").await;
        assert_eq!(more.body["total"], "6.30", "+ 10.5 × 0.30 = 3.15");

        // Another agency sees nothing of it: no costs, no statements, 404 on the statement.
        let stranger = token("agency_admin", &app.register("agency", "กรมอื่น").await);
        let theirs = current_costs(&app, &stranger, "").await;
        assert_eq!(
            (theirs.body["total"].as_str(), theirs.body["subscriptions"].as_array().map(Vec::len)),
            (Some("0.00"), Some(0))
        );
        assert!(statements_of(&app, &stranger, "").await.is_empty());
        let statement = &statements_of(&app, &s.agency_user, "").await[0];
        let id = statement["id"].as_str().unwrap();
        app.get(&format!("/v1/statements/{id}"), &stranger).await.assert_problem(404, "not-found");
        app.get(&format!("/v1/statements/{id}/csv"), &stranger).await.assert_problem(404, "not-found");
        // Another provider neither.
        let (_, other_operator) = listed_provider(&app, "บริษัท อื่น จำกัด").await;
        assert_eq!(current_costs(&app, &other_operator, "").await.body["total"], "0.00");
        app.get(&format!("/v1/statements/{id}"), &other_operator).await.assert_problem(404, "not-found");

        // The serving provider and GIX see it; filters narrow; the assessor is refused.
        let by_provider = current_costs(&app, &s.operator, &format!("?agency_id={}", s.agency)).await;
        assert_eq!(by_provider.body["total"], "6.30");
        assert_eq!(current_costs(&app, &gix(), &format!("?provider_id={}", s.provider)).await.body["total"], "6.30");
        let assessor = token("assessor", &app.register("assessor", "สถาบันรับรอง").await);
        app.get("/v1/costs/current", &assessor).await.assert_problem(403, "forbidden");
        app.get("/v1/statements", &assessor).await.assert_problem(403, "forbidden");
        let bad = app.get("/v1/costs/history?from=2026-13&agency_id=x", &s.agency_user).await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["from", "agency_id"]);
        let current = app.get(&format!("/v1/costs/history?to={}", s.months[2]), &s.agency_user).await;
        current.assert_problem(400, "invalid-parameters");
        assert_eq!(current.body["errors"][0]["code"], "not_ended");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_3_late_usage_after_close_lands_in_the_next_statement_as_a_dated_adjustment() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let [before, previous, current] = s.months;
        let on_time = submit(&app, &s.operator, &[vcpu(&s, "p-1", "10", previous.start() + Duration::days(2))]).await;
        assert_eq!(on_time.status, 200, "{}", on_time.body);

        // Only the provider closes, and only ended months.
        let close = |month: Month| json!({"month": month.to_string()});
        app.post("/v1/statements/close", &token("agency_admin", &s.agency), &close(previous))
            .await
            .assert_problem(403, "forbidden");
        let early = app.post("/v1/statements/close", &s.operator, &close(current)).await;
        early.assert_problem(409, "invalid-transition");
        assert!(early.body["detail"].as_str().unwrap().contains("cannot be closed before it ends"));
        let bad = app.post("/v1/statements/close", &s.operator, &json!({"month": "November"})).await;
        bad.assert_problem(422, "validation-error");
        assert_eq!(bad.problem_fields(), ["month"]);

        let closed = app.post("/v1/statements/close", &s.operator, &close(previous)).await;
        assert_eq!(closed.status, 200, "{}", closed.body);
        assert_eq!(closed.body["newly_issued"], 1);
        let issued = &closed.body["statements"][0];
        assert_eq!((issued["status"].as_str(), issued["total"].as_str()), (Some("issued"), Some("10.50")));
        let issued_id = issued["id"].as_str().unwrap().to_owned();
        let issued_before = app.get(&format!("/v1/statements/{issued_id}"), &s.agency_user).await;
        // Closing again issues nothing.
        let again = app.post("/v1/statements/close", &s.operator, &close(previous)).await;
        assert_eq!(again.body["newly_issued"], 0);

        // Late usage of the closed month, and a correction of the on-time record.
        let late = vcpu(&s, "p-2", "4", previous.start() + Duration::days(20));
        let mut fix = vcpu(&s, "p-1-fix", "-2", previous.start() + Duration::days(2));
        fix["corrects"] = json!("p-1");
        let stored = submit(&app, &s.operator, &[late, fix]).await;
        assert_eq!(stored.body, json!({"accepted": 2, "duplicates": 0}));

        // The issued statement is unchanged, to the byte.
        let issued_after = app.get(&format!("/v1/statements/{issued_id}"), &s.agency_user).await;
        assert_eq!(issued_after.body, issued_before.body);
        assert_eq!(issued_after.header("etag"), issued_before.header("etag"));
        // The current month's statement carries both as dated adjustments of the previous month.
        let open = statements_of(&app, &s.agency_user, &format!("?month={current}")).await;
        assert_eq!(open.len(), 1);
        assert_eq!(open[0]["status"], "open");
        assert_eq!(
            (open[0]["usage_total"].as_str(), open[0]["adjustment_total"].as_str(), open[0]["total"].as_str()),
            (Some("0.00"), Some("2.10"), Some("2.10")),
            "4 × 1.05 − 2 × 1.05"
        );
        let detail = app.get(&format!("/v1/statements/{}", open[0]["id"].as_str().unwrap()), &s.agency_user).await;
        let lines = detail.body["lines"].as_array().unwrap();
        let kinds: Vec<(&str, &str, &str)> = lines
            .iter()
            .map(|l| {
                (l["line_kind"].as_str().unwrap(), l["usage_month"].as_str().unwrap(), l["record_id"].as_str().unwrap())
            })
            .collect();
        let prev = previous.to_string();
        assert_eq!(kinds, [("adjustment", prev.as_str(), "p-2"), ("adjustment", prev.as_str(), "p-1-fix")]);
        assert_eq!(lines[1]["corrects"], "p-1");
        let arrived = DateTime::parse_from_rfc3339(lines[0]["recorded_at"].as_str().unwrap()).unwrap();
        assert!(
            arrived > DateTime::parse_from_rfc3339(issued["issued_at"].as_str().unwrap()).unwrap(),
            "dated by arrival"
        );

        // Costs count it in the month of use.
        let history = app.get(&format!("/v1/costs/history?from={before}"), &s.agency_user).await;
        assert_eq!(history.status, 200, "{}", history.body);
        assert_eq!(history.body["months"][0]["month"], prev);
        assert_eq!(history.body["months"][0]["total"], "12.60", "10.50 + 4.20 − 2.10");
        assert_eq!(history.body["months"][0]["subscriptions"][0]["metrics"][0]["quantity"], "12");
        assert_eq!(history.body["to"], prev);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_racing_retries_of_one_batch_store_each_record_once() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let day = s.months[1].start() + Duration::days(7);
        let batch: Vec<Value> = (0..50).map(|i| vcpu(&s, &format!("race-{i:02}"), "1", day)).collect();
        let replies = futures_util::future::join_all((0..4).map(|_| submit(&app, &s.operator, &batch))).await;
        for reply in &replies {
            assert_eq!(reply.status, 200, "{}", reply.body);
            assert_eq!(reply.body["accepted"].as_i64().unwrap() + reply.body["duplicates"].as_i64().unwrap(), 50);
        }
        let accepted: i64 = replies.iter().map(|r| r.body["accepted"].as_i64().unwrap()).sum();
        assert_eq!(accepted, 50, "exactly one of the racing requests stores the batch");
        assert_eq!(stored_count(&app, &s.provider), 50);
        let statement = &statements_of(&app, &s.agency_user, "").await[0];
        assert_eq!((statement["line_count"].as_i64(), statement["total"].as_str()), (Some(50), Some("52.50")));
    })
    .await;
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    rows
}

#[actix_web::test]
async fn gsi_7_5_3_the_csv_download_matches_the_json_statement() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let before = s.months[0];
        // Priced at 1.05 but capped at the 1.00 reference price of that month (GSI-7.1).
        let day = before.start() + Duration::days(4);
        let tricky = "vm-1,\"night\" run";
        let mut fix = vcpu(&s, "fix/1", "-0.5", day);
        fix["corrects"] = json!(tricky);
        assert_eq!(
            submit(&app, &s.operator, &[vcpu(&s, tricky, "3.5", day), vcpu(&s, "ram-1", "0", day)]).await.status,
            200
        );
        assert_eq!(submit(&app, &s.operator, &[fix]).await.status, 200);
        let id = statements_of(&app, &s.agency_user, "").await[0]["id"].as_str().unwrap().to_owned();

        let json_reply = app.get(&format!("/v1/statements/{id}"), &s.agency_user).await;
        assert_eq!(json_reply.status, 200);
        let csv = app.get(&format!("/v1/statements/{id}/csv"), &s.agency_user).await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
        assert!(csv.header("content-disposition").unwrap().contains(&format!("statement-{before}-{id}.csv")));
        assert_eq!(csv.header("etag"), json_reply.header("etag"));
        let text = csv.body.as_str().expect("CSV is text");
        assert!(text.ends_with("\r\n"));
        let rows = parse_csv(text);
        let header = &rows[0];
        let lines = json_reply.body["lines"].as_array().unwrap();
        assert_eq!(rows.len(), lines.len() + 1);
        for (row, line) in rows[1..].iter().zip(lines) {
            assert_eq!(row.len(), header.len());
            for (column, cell) in header.iter().zip(row) {
                let expected = match &line[column] {
                    Value::Null => String::new(),
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                assert_eq!(cell, &expected, "column {column}");
            }
        }
        let first = &lines[0];
        assert_eq!(first["record_id"], tricky);
        assert_eq!(
            (first["unit_price"].as_str(), first["reference_price"].as_str(), first["effective_price"].as_str()),
            (Some("1.05"), Some("1"), Some("1"))
        );
        assert_eq!((first["cap_applied"].as_bool(), first["amount"].as_str()), (Some(true), Some("3.50")));
        assert_eq!(lines[2]["amount"], "-0.50");
        // The amount column adds up to the total.
        let satang: i64 = rows[1..]
            .iter()
            .map(|r| {
                let amount = &r[header.iter().position(|c| c == "amount").unwrap()];
                let (baht, cents) = amount.trim_start_matches('-').split_once('.').unwrap();
                let value = baht.parse::<i64>().unwrap() * 100 + cents.parse::<i64>().unwrap();
                if amount.starts_with('-') { -value } else { value }
            })
            .sum();
        assert_eq!(satang, 300);
        assert_eq!(json_reply.body["total"], "3.00");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_3_demo_seed_gives_the_demo_agencies_costs_and_reseeding_adds_nothing() {
    each_backend(async |app| {
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        let network = gsi_api::usecases::demo::DEMO_NETWORK_PROVIDER;
        let cloud = gsi_api::usecases::demo::DEMO_CLOUD_PROVIDER;
        let count = |conn: &mut gsi_persistence::PooledConnection| {
            gsi_persistence::repos::usage::count_for_provider(conn, network).unwrap()
                + gsi_persistence::repos::usage::count_for_provider(conn, cloud).unwrap()
        };
        let stored = count(&mut conn);
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        assert_eq!(count(&mut conn), stored, "seeding again adds nothing");
        drop(conn);

        let agency_a = token("agency_admin", &gsi_api::usecases::demo::DEMO_AGENCY_A.to_string());
        let history = app.get("/v1/costs/history", &agency_a).await;
        assert_eq!(history.status, 200, "{}", history.body);
        let previous = Month::containing(Utc::now()).previous().to_string();
        assert_eq!(history.body["months"][0]["month"], previous);
        let per_subscription: Vec<Vec<&str>> = history.body["months"][0]["subscriptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["metrics"].as_array().unwrap().iter().map(|m| m["metric"].as_str().unwrap()).collect())
            .collect();
        assert_eq!(
            per_subscription,
            [vec!["mbps_month", "public_ip_month"], vec!["vcpu_hour", "ram_gb_hour", "storage_gb_month"]],
            "agency A's internet and cloud subscriptions, each with its metered lines"
        );
        let hours_this_month = (Utc::now() - Month::containing(Utc::now()).start()).num_hours();
        let current = app.get("/v1/costs/current", &agency_a).await;
        assert_eq!(
            current.body["subscriptions"].as_array().unwrap().is_empty(),
            hours_this_month == 0,
            "{}",
            current.body
        );
        let agency_b = token("agency_admin", &gsi_api::usecases::demo::DEMO_AGENCY_B.to_string());
        let network_costs = app.get("/v1/costs/history", &agency_b).await;
        assert_eq!(network_costs.body["months"][0]["total"], "18000.00", "100 Mbps × 180 on the intranet link");
    })
    .await;
}
