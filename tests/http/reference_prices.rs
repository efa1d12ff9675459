//! GSI-7.1: GIX sets reference prices with validity periods; everyone authenticated reads
//! them; periods never overlap; a later price replaces an open-ended one by closing it.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::support::{TestApp, each_backend, gix, token};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("an instant")).expect("RFC 3339").with_timezone(&Utc)
}

pub fn price_body(kind: &str, metric: &str, price: &str, from: DateTime<Utc>, until: Option<DateTime<Utc>>) -> Value {
    json!({
        "service_kind": kind,
        "metric": metric,
        "unit_price": price,
        "valid_from": rfc3339(from),
        "valid_until": until.map(rfc3339),
        "basis": "ประกาศคณะกรรมการพัฒนารัฐบาลดิจิทัล เรื่อง ราคากลาง ปีงบประมาณ 2570",
    })
}

/// Sets a reference price as GIX; returns the stored body.
pub async fn set_price(app: &TestApp, body: &Value) -> Value {
    let reply = app.post("/v1/reference-prices", &gix(), body).await;
    assert_eq!(reply.status, 201, "setting a reference price failed: {}", reply.body);
    reply.body
}

async fn list(app: &TestApp, query: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/reference-prices{query}"), &gix()).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn gsi_7_1_gix_sets_a_reference_price_and_everyone_reads_it() {
    each_backend(async |app| {
        let from = Utc::now() - Duration::days(30);
        let reply = app
            .post(
                "/v1/reference-prices",
                &gix(),
                &price_body("government_internet", "mbps_month", "350.50", from, None),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        let id = reply.body["id"].as_str().unwrap().to_owned();
        assert_eq!(reply.header("location"), Some(format!("/v1/reference-prices/{id}")));
        assert_eq!(reply.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(reply.body["service_kind"], "government_internet");
        assert_eq!(reply.body["family"], "network");
        assert_eq!(reply.body["metric"], "mbps_month");
        assert_eq!(reply.body["unit_price"], "350.5", "exact decimal, as a string");
        assert_eq!(instant(&reply.body["valid_from"]), gsi_domain::time::to_storage_precision(from));
        assert_eq!(reply.body["valid_until"], Value::Null);
        assert_eq!(reply.body["version"], 1);

        let agency = app.register("agency", "กรมทดสอบ").await;
        let provider = app.register("provider", "ผู้ให้บริการ").await;
        let readers = [
            token("agency_user", &agency),
            token("agency_admin", &agency),
            token("provider_operator", &provider),
            token("assessor", &agency),
            gix(),
        ];
        for reader in &readers {
            let read = app.get(&format!("/v1/reference-prices/{id}"), reader).await;
            assert_eq!(read.status, 200, "{}", read.body);
            assert_eq!(read.body, reply.body, "stored as answered");
            assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
            let listed = app.get("/v1/reference-prices", reader).await;
            assert_eq!(listed.body["items"], json!([reply.body]));
        }

        let audit = app.get(&format!("/v1/audit-events?resource_type=reference_price&resource_id={id}"), &gix()).await;
        assert_eq!(audit.body["items"][0]["action"], "reference_price.set");
        assert_eq!(audit.body["items"][0]["changes"]["unit_price"], "350.5");

        let missing = app.get("/v1/reference-prices/0190f5c2-0000-7000-8000-00000000beef", &gix()).await;
        missing.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_only_gix_sets_reference_prices() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let provider = app.register("provider", "ผู้ให้บริการ").await;
        let body = price_body("compute", "vcpu_hour", "1.20", Utc::now(), None);
        for caller in [
            token("agency_admin", &agency),
            token("agency_user", &agency),
            token("provider_operator", &provider),
            token("assessor", &agency),
        ] {
            let refused = app.post("/v1/reference-prices", &caller, &body).await;
            refused.assert_problem(403, "forbidden");
        }
        assert!(list(&app, "").await.is_empty(), "a refused request stores nothing");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_overlapping_periods_are_refused_naming_the_existing_price() {
    each_backend(async |app| {
        let now = Utc::now();
        let closed = set_price(
            &app,
            &price_body("compute", "vcpu_hour", "1.30", now - Duration::days(200), Some(now - Duration::days(100))),
        )
        .await;
        let open = set_price(&app, &price_body("compute", "vcpu_hour", "1.20", now - Duration::days(100), None)).await;

        // Inside the closed period.
        let inside = app
            .post(
                "/v1/reference-prices",
                &gix(),
                &price_body("compute", "vcpu_hour", "1.25", now - Duration::days(150), Some(now - Duration::days(120))),
            )
            .await;
        inside.assert_problem(409, "conflict");
        let detail = inside.body["detail"].as_str().unwrap();
        assert!(detail.contains(closed["id"].as_str().unwrap()), "names the existing price: {detail}");
        assert!(detail.contains("compute/vcpu_hour"), "{detail}");

        // Starting in the past after the open-ended one starts: closing it would rewrite history.
        let retroactive = app
            .post(
                "/v1/reference-prices",
                &gix(),
                &price_body("compute", "vcpu_hour", "1.10", now - Duration::days(1), None),
            )
            .await;
        retroactive.assert_problem(409, "conflict");
        let detail = retroactive.body["detail"].as_str().unwrap();
        assert!(detail.contains(open["id"].as_str().unwrap()), "names the open-ended price: {detail}");
        assert!(detail.contains("no earlier than now"), "says how to replace it: {detail}");

        // Another metric or kind is another series.
        set_price(&app, &price_body("compute", "ram_gb_hour", "0.35", now - Duration::days(150), None)).await;
        set_price(&app, &price_body("storage", "storage_gb_month", "3.5", now - Duration::days(150), None)).await;

        let vcpu = list(&app, "?service_kind=compute&metric=vcpu_hour").await;
        assert_eq!(vcpu, [closed, open.clone()], "refused prices stored nothing, and changed nothing");
        assert_eq!(open["version"], 1);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_a_later_price_closes_the_open_ended_one_and_history_keeps_both() {
    each_backend(async |app| {
        let now = Utc::now();
        let old =
            set_price(&app, &price_body("government_internet", "mbps_month", "350", now - Duration::days(60), None))
                .await;
        let start = gsi_domain::time::to_storage_precision(now + Duration::days(7));
        let new = set_price(&app, &price_body("government_internet", "mbps_month", "330", start, None)).await;

        let old_now = app.get(&format!("/v1/reference-prices/{}", old["id"].as_str().unwrap()), &gix()).await;
        assert_eq!(instant(&old_now.body["valid_until"]), start, "closed where the new one starts");
        assert_eq!(old_now.body["unit_price"], "350", "the price itself never changes");
        assert_eq!(old_now.body["version"], 2);
        assert_eq!(old_now.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(new["valid_until"], Value::Null);

        // History: both, with their periods.
        let history = list(&app, "?service_kind=government_internet&metric=mbps_month").await;
        let periods: Vec<(Value, Value, Value)> = history
            .iter()
            .map(|p| (p["unit_price"].clone(), p["valid_from"].clone(), p["valid_until"].clone()))
            .collect();
        assert_eq!(
            periods,
            [
                (json!("350"), old["valid_from"].clone(), new["valid_from"].clone()),
                (json!("330"), new["valid_from"].clone(), Value::Null),
            ]
        );

        // In force: the old one until (not at) the new start, then the new one.
        let at = |t: DateTime<Utc>| format!("?at={}", rfc3339(t).replace('+', "%2B"));
        let before = list(&app, &at(start - Duration::microseconds(1))).await;
        assert_eq!(before.iter().map(|p| p["id"].clone()).collect::<Vec<_>>(), [old["id"].clone()]);
        let after = list(&app, &at(start)).await;
        assert_eq!(after.iter().map(|p| p["id"].clone()).collect::<Vec<_>>(), [new["id"].clone()]);

        // One request, one audit event naming the closed price.
        let audit = app
            .get(
                &format!("/v1/audit-events?resource_type=reference_price&resource_id={}", new["id"].as_str().unwrap()),
                &gix(),
            )
            .await;
        let events = audit.body["items"].as_array().unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["changes"]["closed"]["id"], old["id"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_bad_input_names_every_field_and_bad_filters_are_400() {
    each_backend(async |app| {
        let now = Utc::now();
        let mut body = price_body("compute", "vcpu_hour", "-1", now, Some(now - Duration::days(1)));
        body["basis"] = json!(" ");
        let reply = app.post("/v1/reference-prices", &gix(), &body).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(reply.problem_fields(), ["unit_price", "valid_until", "basis"]);

        let too_precise =
            app.post("/v1/reference-prices", &gix(), &price_body("compute", "vcpu_hour", "1.0000001", now, None)).await;
        too_precise.assert_problem(422, "validation-error");
        assert_eq!(too_precise.body["errors"][0]["code"], "too_precise");

        let unknown_kind =
            app.post("/v1/reference-prices", &gix(), &price_body("satellite", "vcpu_hour", "1", now, None)).await;
        unknown_kind.assert_problem(422, "validation-error");
        assert_eq!(unknown_kind.problem_fields(), ["service_kind"]);

        let number =
            json!({"service_kind": "compute", "metric": "vcpu_hour", "unit_price": 1.2, "valid_from": rfc3339(now)});
        let as_number = app.post("/v1/reference-prices", &gix(), &number).await;
        as_number.assert_problem(422, "validation-error");
        assert_eq!(as_number.problem_fields(), ["unit_price"], "exact decimals travel as strings");

        let filters =
            app.get("/v1/reference-prices?service_kind=satellite&metric=mbps&at=yesterday&limit=0", &gix()).await;
        filters.assert_problem(400, "invalid-parameters");
        assert_eq!(filters.problem_fields(), ["service_kind", "metric", "at", "limit"]);

        assert!(list(&app, "").await.is_empty());
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_idempotency_key_replays_the_first_answer() {
    each_backend(async |app| {
        let body = price_body("colocation", "kwh", "6.5", Utc::now() - Duration::days(1), None);
        let key = [("Idempotency-Key", "set-kwh-1")];
        // Keys belong to the caller: one token, one subject.
        let gix = gix();
        let first = app.request("POST", "/v1/reference-prices", Some(&gix), &key, Some(&body)).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let again = app.request("POST", "/v1/reference-prices", Some(&gix), &key, Some(&body)).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.body, first.body);
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
        assert_eq!(list(&app, "?service_kind=colocation").await.len(), 1, "set once");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_racing_overlapping_prices_exactly_one_wins() {
    each_backend(async |app| {
        let from = Utc::now() + Duration::days(3);
        let bodies: Vec<Value> =
            (0..6).map(|i| price_body("storage", "storage_gb_month", &format!("3.{i}"), from, None)).collect();
        let gix = gix();
        let replies =
            futures_util::future::join_all(bodies.iter().map(|b| app.post("/v1/reference-prices", &gix, b))).await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "statuses: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 5, "statuses: {statuses:?}");
        assert_eq!(list(&app, "?service_kind=storage").await.len(), 1);
    })
    .await;
}
