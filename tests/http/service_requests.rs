//! Service requests through the Appendix A workflow (GSI-7.5.5–7.5.7, A.1.1–A.1.8, 13.1):
//! every kind walked to completion with its capacity warning and the subscription read back,
//! quotes that expired or were superseded, the wrong party at each step, racing
//! confirmations, and the lists. Runs over the demo data (`gsi-api serve --demo`), seeded at
//! the server's clock.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::support::{GIX, Reply, TestApp, TestClock, each_backend_with_clock, gix, token};

const AGENCY_A: &str = "00000000-0000-7000-8000-000000000a01";
const AGENCY_B: &str = "00000000-0000-7000-8000-000000000a02";
const NETWORK: &str = "00000000-0000-7000-8000-000000000b01";
const CLOUD: &str = "00000000-0000-7000-8000-000000000b02";
const INTERNET_OFFERING: &str = "00000000-0000-7000-8000-000000020001";
const PUBLIC_IP_ADD_ON: &str = "00000000-0000-7000-8000-000000020002";
const COMPUTE_OFFERING: &str = "00000000-0000-7000-8000-000000020011";
const BACKUP_ADD_ON: &str = "00000000-0000-7000-8000-000000020012";

/// The demo parties and agency A's two running subscriptions.
struct Demo {
    admin: String,
    user: String,
    other_admin: String,
    network: String,
    cloud: String,
    internet: String,
    compute: String,
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("an instant")).expect("RFC 3339").with_timezone(&Utc)
}

async fn demo(app: &TestApp, clock: &TestClock) -> Demo {
    let mut conn = gsi_persistence::checkout(&app.pool).expect("connection");
    gsi_api::usecases::demo::seed(&mut conn, clock.now()).expect("demo data");
    let admin = token("agency_admin", AGENCY_A);
    let listed = app.get("/v1/subscriptions", &admin).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    let of = |offering: &str| {
        listed.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["offering_id"] == offering)
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .expect("a demo subscription")
    };
    Demo {
        internet: of(INTERNET_OFFERING),
        compute: of(COMPUTE_OFFERING),
        admin,
        user: token("agency_user", AGENCY_A),
        other_admin: token("agency_admin", AGENCY_B),
        network: token("provider_operator", NETWORK),
        cloud: token("provider_operator", CLOUD),
    }
}

fn path(id: &str, step: &str) -> String {
    format!("/v1/service-requests/{id}/{step}")
}

async fn step(app: &TestApp, id: &str, name: &str, token: &str, etag: &str, body: &Value) -> Reply {
    app.request("POST", &path(id, name), Some(token), &[("If-Match", etag)], Some(body)).await
}

/// Takes a step that must succeed; returns the request after it.
async fn ok_step(app: &TestApp, id: &str, name: &str, token: &str, body: &Value) -> Value {
    let etag = app.get(&format!("/v1/service-requests/{id}"), token).await.header("etag").expect("etag");
    let reply = step(app, id, name, token, &etag, body).await;
    assert_eq!(reply.status, 200, "{name}: {}", reply.body);
    reply.body
}

async fn submit(app: &TestApp, token: &str, body: &Value) -> Value {
    let reply = app.post("/v1/service-requests", token, body).await;
    assert_eq!(reply.status, 201, "submit: {}", reply.body);
    reply.body
}

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn approval(confirmed: Value, delta: &str, valid_until: DateTime<Utc>) -> Value {
    json!({"outcome": "approved", "confirmed_quantities": confirmed, "monthly_cost_delta": delta,
           "valid_until": rfc3339(valid_until), "note": "can be done within the week"})
}

/// Review, quote and confirm; returns the confirmed request.
async fn quote_and_confirm(app: &TestApp, id: &str, operator: &str, admin: &str, quote: &Value) -> Value {
    ok_step(app, id, "review", operator, &json!({})).await;
    let quoted = ok_step(app, id, "quotes", operator, quote).await;
    assert_eq!(quoted["status"], "quoted");
    let quote_id = quoted["current_quote_id"].clone();
    let confirmed = ok_step(app, id, "confirm", admin, &json!({"quote_id": quote_id})).await;
    assert_eq!(confirmed["status"], "confirmed");
    confirmed
}

/// Start, report progress, complete; returns the completed request.
async fn carry_out(app: &TestApp, id: &str, operator: &str) -> Value {
    ok_step(app, id, "start", operator, &json!({"note": "work order opened"})).await;
    ok_step(app, id, "progress", operator, &json!({"percent": 60, "note": "configured, testing"})).await;
    let done = ok_step(app, id, "complete", operator, &json!({})).await;
    assert_eq!(done["status"], "completed", "{done}");
    done
}

async fn subscription(app: &TestApp, id: &str, token: &str) -> Value {
    let reply = app.get(&format!("/v1/subscriptions/{id}"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn actions(timeline: &Value) -> Vec<String> {
    timeline.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[actix_web::test]
async fn gsi_7_5_6_bandwidth_increase_walks_appendix_a_with_warning_cost_and_resized_subscription() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let request = json!({"kind": "change", "subscription_id": d.internet, "quantities": {"mbps_month": "12000"},
                             "note": "More bandwidth for the e-service launch"});

        // A.1.2–A.1.3: any of the agency's staff previews; nothing is stored.
        let preview = app.post("/v1/service-requests/preview", &d.user, &request).await;
        assert_eq!(preview.status, 200, "{}", preview.body);
        assert_eq!(preview.body["provider_id"], NETWORK);
        assert_eq!(preview.body["estimate"]["monthly_cost_before"], "160000.00");
        assert_eq!(preview.body["estimate"]["monthly_cost_after"], "3840000.00");
        assert_eq!(preview.body["estimate"]["monthly_cost_delta"], "3680000.00");
        assert_eq!(preview.body["estimate"]["resulting_quantities"], json!({"mbps_month": "12000"}));
        let warning = &preview.body["warnings"][0];
        assert_eq!(
            (&warning["metric"], &warning["asked"], &warning["most_available"], &warning["limited_by"]),
            (&json!("mbps_month"), &json!("12000"), &json!("10000"), &json!("offering_capacity"))
        );
        assert!(warning["message"].as_str().unwrap().starts_with("bandwidth (Mbps): asked for 12000"));
        let listed = app.get("/v1/service-requests", &d.admin).await;
        assert_eq!(listed.body["items"], json!([]), "a preview stores nothing");

        // A.1.4: submitted with its warnings; the key makes a retry safe.
        let headers = [("Idempotency-Key", "bandwidth-1")];
        let created = app.request("POST", "/v1/service-requests", Some(&d.admin), &headers, Some(&request)).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = id_of(&created.body);
        assert_eq!(created.header("location"), Some(format!("/v1/service-requests/{id}")));
        assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(created.body["status"], "submitted");
        assert_eq!(created.body["warnings"], preview.body["warnings"]);
        assert_eq!(created.body["your_actions"], json!(["withdraw"]));
        let replay = app.request("POST", "/v1/service-requests", Some(&d.admin), &headers, Some(&request)).await;
        assert_eq!((replay.status.as_u16(), id_of(&replay.body)), (201, id.clone()));
        assert_eq!(replay.header("idempotent-replayed").as_deref(), Some("true"));

        // The provider's queue shows it, warnings included.
        let queue = app.get("/v1/service-requests?status=submitted", &d.network).await;
        assert_eq!(queue.body["items"][0]["id"], id.as_str());
        assert_eq!(queue.body["items"][0]["warnings"][0]["most_available"], "10000");
        assert_eq!(queue.body["items"][0]["your_actions"], json!(["start_review"]));

        // A.1.5–A.1.7: 10 Gbps is the most; +3,040,000 THB a month and 15,000 once.
        let until = clock.now() + Duration::days(7);
        let mut quote = approval(json!({"mbps_month": "10000"}), "3040000.00", until);
        quote["one_off_charge"] = json!("15000");
        let confirmed = quote_and_confirm(&app, &id, &d.network, &d.admin, &quote).await;
        let ack = &confirmed["acknowledgement"];
        assert_eq!(ack["quote_id"], confirmed["current_quote_id"]);
        assert_eq!(ack["organisation_id"], AGENCY_A);
        assert_eq!(ack["quantities"], json!({"mbps_month": "10000"}));
        assert_eq!((&ack["monthly_cost_delta"], &ack["one_off_charge"]), (&json!("3040000.00"), &json!("15000.00")));
        assert_eq!(instant(&ack["at"]), clock.now());
        assert_eq!(confirmed["quotes"][0]["standing"], "accepted");

        // Withdrawing after confirmation is refused, naming the state and what is allowed.
        let etag = format!("\"{}\"", confirmed["version"]);
        let refused = step(&app, &id, "withdraw", &d.admin, &etag, &json!({})).await;
        refused.assert_problem(409, "invalid-transition");
        assert_eq!(refused.body["current_state"], "confirmed");
        assert_eq!(refused.body["allowed_actions"], json!(["start_work"]));

        // A.1.8: carried out with progress; progress does not go backwards.
        ok_step(&app, &id, "start", &d.network, &json!({})).await;
        ok_step(&app, &id, "progress", &d.network, &json!({"percent": 60, "note": "port reconfigured"})).await;
        let back = app.get(&format!("/v1/service-requests/{id}"), &d.network).await;
        let backwards = step(
            &app,
            &id,
            "progress",
            &d.network,
            &back.header("etag").unwrap(),
            &json!({"percent": 40, "note": "x"}),
        )
        .await;
        backwards.assert_problem(409, "invalid-transition");
        let before = subscription(&app, &d.internet, &d.admin).await;
        let done = ok_step(&app, &id, "complete", &d.network, &json!({"note": "10 Gbps live"})).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(done["your_actions"], json!([]));
        assert_eq!(done["progress"]["percent"], 60);

        // The subscription was resized in the same step; the add-on stays.
        let after = subscription(&app, &d.internet, &d.admin).await;
        assert_eq!(after["quantities"], json!({"mbps_month": "10000"}));
        assert_eq!(after["add_ons"], before["add_ons"]);
        assert_eq!(after["version"], before["version"].as_i64().unwrap() + 1);

        // Both parties read the same timeline; GIX reads it; every step is audited once.
        let seen_by_user = app.get(&format!("/v1/service-requests/{id}"), &d.user).await;
        assert_eq!(
            actions(&seen_by_user.body["timeline"]),
            ["submit", "start_review", "quote", "confirm", "start_work", "report_progress", "complete"]
        );
        assert_eq!(seen_by_user.body["timeline"][4]["actor"]["role"], "provider_operator");
        assert_eq!(seen_by_user.body["timeline"][5]["percent"], 60);
        assert_eq!(app.get(&format!("/v1/service-requests/{id}"), &gix()).await.status, 200);
        let audit = app.get(&format!("/v1/audit-events?resource_type=service_request&resource_id={id}"), &gix()).await;
        assert_eq!(audit.body["items"].as_array().unwrap().len(), 7, "{}", audit.body);
        let on_subscription = app.get(&format!("/v1/subscriptions/{}/requests", d.internet), &d.network).await;
        assert_eq!(on_subscription.body["items"][0]["id"], id.as_str());
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_6_cloud_resource_change_confirms_less_vcpu_than_asked_and_keeps_storage() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let request = json!({"kind": "change", "subscription_id": d.compute,
                             "quantities": {"vcpu_hour": "200", "ram_gb_hour": "64"}});
        let created = submit(&app, &d.admin, &request).await;
        let id = id_of(&created);
        // 8 → 200 vCPU at 1.05/h × 730 h; RAM 32 → 64 GB at 0.30/h; storage unchanged.
        assert_eq!(created["estimate"]["monthly_cost_before"], "15140.00");
        assert_eq!(created["estimate"]["monthly_cost_delta"], "154176.00");
        assert_eq!(created["warnings"].as_array().unwrap().len(), 1, "RAM fits: {}", created["warnings"]);
        assert_eq!(created["warnings"][0]["resource"], "vCPU");
        assert_eq!(created["warnings"][0]["most_available"], "128");

        // Above the offering's maximum cannot even be approved.
        ok_step(&app, &id, "review", &d.cloud, &json!({})).await;
        let until = clock.now() + Duration::days(3);
        let etag = app.get(&format!("/v1/service-requests/{id}"), &d.cloud).await.header("etag").unwrap();
        let too_much = step(
            &app,
            &id,
            "quotes",
            &d.cloud,
            &etag,
            &approval(json!({"vcpu_hour": "200", "ram_gb_hour": "64"}), "154176", until),
        )
        .await;
        too_much.assert_problem(422, "validation-error");
        assert_eq!(too_much.problem_fields(), ["confirmed_quantities.vcpu_hour"]);

        let quote = approval(json!({"vcpu_hour": "128", "ram_gb_hour": "64"}), "98988.00", until);
        let quoted = ok_step(&app, &id, "quotes", &d.cloud, &quote).await;
        ok_step(&app, &id, "confirm", &d.admin, &json!({"quote_id": quoted["current_quote_id"]})).await;
        carry_out(&app, &id, &d.cloud).await;
        let after = subscription(&app, &d.compute, &d.user).await;
        assert_eq!(after["quantities"], json!({"vcpu_hour": "128", "ram_gb_hour": "64", "storage_gb_month": "500"}));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_5_new_service_creates_an_active_subscription_for_the_agency_on_completion() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let request = json!({"kind": "new_service", "offering_id": COMPUTE_OFFERING,
                             "quantities": {"vcpu_hour": "130", "ram_gb_hour": "256"}});
        let created = submit(&app, &d.admin, &request).await;
        let id = id_of(&created);
        assert_eq!(created["provider_id"], CLOUD);
        assert_eq!(created["subscription_id"], Value::Null);
        assert_eq!(created["estimate"]["monthly_cost_before"], "0.00");
        assert_eq!(created["warnings"][0]["most_available"], "128");
        // A new service has no subscription yet, so a second one may be asked at once.
        assert_eq!(app.post("/v1/service-requests", &d.admin, &request).await.status, 201);

        let quote =
            approval(json!({"vcpu_hour": "128", "ram_gb_hour": "256"}), "154176.00", clock.now() + Duration::days(1));
        quote_and_confirm(&app, &id, &d.cloud, &d.admin, &quote).await;
        let done = carry_out(&app, &id, &d.cloud).await;
        let new = done["subscription_id"].as_str().expect("the subscription created").to_owned();
        let s = subscription(&app, &new, &d.admin).await;
        assert_eq!(
            (&s["agency_id"], &s["offering_id"], &s["provider_id"]),
            (&json!(AGENCY_A), &json!(COMPUTE_OFFERING), &json!(CLOUD))
        );
        assert_eq!((&s["status"], &s["origin"]), (&json!("active"), &json!("hub")));
        assert_eq!(s["quantities"], json!({"vcpu_hour": "128", "ram_gb_hour": "256"}));
        assert_eq!(instant(&s["starts_at"]), clock.now(), "priced from completion");
        let requests = app.get(&format!("/v1/subscriptions/{new}/requests"), &d.admin).await;
        assert_eq!(requests.body["items"][0]["id"], id.as_str());
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_5_and_7_5_7_add_ons_are_added_and_removed_on_completion() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        // Backup beyond the add-on's maximum: warned, approved at the maximum, added.
        let add = submit(
            &app,
            &d.admin,
            &json!({"kind": "add_addon", "subscription_id": d.compute,
            "addon_id": BACKUP_ADD_ON, "quantities": {"backup_gb_month": "150000"}}),
        )
        .await;
        assert_eq!(add["warnings"][0]["most_available"], "100000");
        assert_eq!(add["estimate"]["monthly_cost_delta"], "330000.00");
        let id = id_of(&add);
        let quote = approval(json!({"backup_gb_month": "100000"}), "220000.00", clock.now() + Duration::days(2));
        quote_and_confirm(&app, &id, &d.cloud, &d.admin, &quote).await;
        carry_out(&app, &id, &d.cloud).await;
        let s = subscription(&app, &d.compute, &d.admin).await;
        assert_eq!(s["add_ons"][0]["offering_id"], BACKUP_ADD_ON);
        assert_eq!(s["add_ons"][0]["quantities"], json!({"backup_gb_month": "100000"}));

        // The same add-on twice is refused by field.
        let again = app
            .post(
                "/v1/service-requests",
                &d.admin,
                &json!({"kind": "add_addon", "subscription_id": d.compute,
            "addon_id": BACKUP_ADD_ON, "quantities": {"backup_gb_month": "1"}}),
            )
            .await;
        again.assert_problem(422, "validation-error");
        assert_eq!(again.problem_fields(), ["addon_id"]);

        // Removing the public IPs from the internet subscription: −8 × 200 a month.
        let remove = submit(
            &app,
            &d.admin,
            &json!({"kind": "cancel_addon", "subscription_id": d.internet,
            "addon_id": PUBLIC_IP_ADD_ON}),
        )
        .await;
        assert_eq!(remove["estimate"]["monthly_cost_delta"], "-1600.00");
        assert_eq!(remove["warnings"], json!([]));
        let id = id_of(&remove);
        let quote = approval(json!({}), "-1600.00", clock.now() + Duration::days(2));
        quote_and_confirm(&app, &id, &d.network, &d.admin, &quote).await;
        carry_out(&app, &id, &d.network).await;
        let s = subscription(&app, &d.internet, &d.admin).await;
        assert_eq!(s["add_ons"], json!([]));
        assert_eq!(s["quantities"], json!({"mbps_month": "500"}));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_7_cancellation_terminates_the_subscription_at_the_agreed_end() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let wished = clock.now() + Duration::days(30);
        let cancel = submit(
            &app,
            &d.admin,
            &json!({"kind": "cancel", "subscription_id": d.compute,
            "end_at": rfc3339(wished), "note": "moving to the shared platform"}),
        )
        .await;
        assert_eq!(cancel["estimate"]["monthly_cost_after"], "0.00");
        assert_eq!(cancel["estimate"]["monthly_cost_delta"], "-15140.00");
        assert_eq!(instant(&cancel["end_at"]), wished);
        let id = id_of(&cancel);
        let agreed = clock.now() + Duration::days(31);
        let mut quote = approval(json!({}), "-15140.00", clock.now() + Duration::days(5));
        quote["one_off_charge"] = json!("5000.00");
        quote["effective_at"] = json!(rfc3339(agreed));
        let confirmed = quote_and_confirm(&app, &id, &d.cloud, &d.admin, &quote).await;
        assert_eq!(confirmed["acknowledgement"]["one_off_charge"], "5000.00");
        assert_eq!(instant(&confirmed["acknowledgement"]["effective_at"]), agreed);
        carry_out(&app, &id, &d.cloud).await;
        let s = subscription(&app, &d.compute, &d.admin).await;
        assert_eq!(s["status"], "terminated");
        assert_eq!(instant(&s["ends_at"]), agreed);
        // Nothing more can be asked of a terminated subscription.
        let change = app
            .post(
                "/v1/service-requests",
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.compute, "quantities": {"vcpu_hour": "4"}}),
            )
            .await;
        change.assert_problem(422, "validation-error");
        assert_eq!(change.problem_fields(), ["subscription_id"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_7_an_expired_quote_reads_expired_and_cannot_be_confirmed() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let id = id_of(
            &submit(
                &app,
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.internet,
            "quantities": {"mbps_month": "1000"}}),
            )
            .await,
        );
        ok_step(&app, &id, "review", &d.network, &json!({})).await;
        let quoted = ok_step(
            &app,
            &id,
            "quotes",
            &d.network,
            &approval(json!({"mbps_month": "1000"}), "160000.00", clock.now() + Duration::hours(1)),
        )
        .await;
        let quote_id = quoted["current_quote_id"].clone();

        clock.advance(Duration::hours(1));
        let read = app.get(&format!("/v1/service-requests/{id}"), &d.admin).await;
        assert_eq!(read.body["status"], "expired");
        assert_eq!(read.body["quotes"][0]["standing"], "expired");
        assert_eq!((&read.body["allowed_actions"], &read.body["your_actions"]), (&json!([]), &json!([])));
        let expired = app.get("/v1/service-requests?status=expired", &d.network).await;
        assert_eq!(expired.body["items"][0]["id"], id.as_str());
        assert_eq!(expired.body["items"][0]["status"], "expired");
        let quoted_now = app.get("/v1/service-requests?status=quoted", &d.network).await;
        assert_eq!(quoted_now.body["items"], json!([]));

        let refused =
            step(&app, &id, "confirm", &d.admin, &read.header("etag").unwrap(), &json!({"quote_id": quote_id})).await;
        refused.assert_problem(409, "invalid-transition");
        assert_eq!(refused.body["current_state"], "expired");
        assert!(refused.body["detail"].as_str().unwrap().contains("expired at"), "{}", refused.body);
        let after = app.get(&format!("/v1/service-requests/{id}"), &d.admin).await;
        assert_eq!(after.body["version"], read.body["version"], "nothing changed");
        assert_eq!(after.body["acknowledgement"], Value::Null);

        // An expired request no longer blocks a new one on the subscription.
        submit(
            &app,
            &d.admin,
            &json!({"kind": "change", "subscription_id": d.internet, "quantities": {"mbps_month": "800"}}),
        )
        .await;
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_6_a_superseded_quote_cannot_be_confirmed_and_every_quote_is_kept() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let id = id_of(
            &submit(
                &app,
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.internet,
            "quantities": {"mbps_month": "1000"}}),
            )
            .await,
        );
        ok_step(&app, &id, "review", &d.network, &json!({})).await;
        let until = clock.now() + Duration::days(7);
        let first =
            ok_step(&app, &id, "quotes", &d.network, &approval(json!({"mbps_month": "1000"}), "160000", until)).await;
        let second =
            ok_step(&app, &id, "quotes", &d.network, &approval(json!({"mbps_month": "900"}), "128000", until)).await;
        let (old, new) = (first["current_quote_id"].clone(), second["current_quote_id"].clone());
        assert_ne!(old, new);
        assert_eq!(second["quotes"].as_array().unwrap().len(), 2);
        assert_eq!(
            (&second["quotes"][0]["standing"], &second["quotes"][1]["standing"]),
            (&json!("superseded"), &json!("open"))
        );
        assert_eq!(second["timeline"][3]["action"], "requote");

        let etag = format!("\"{}\"", second["version"]);
        let refused = step(&app, &id, "confirm", &d.admin, &etag, &json!({"quote_id": old})).await;
        refused.assert_problem(409, "invalid-transition");
        assert_eq!(refused.body["current_state"], "quoted");
        assert!(refused.body["detail"].as_str().unwrap().contains("superseded"), "{}", refused.body);
        let confirmed = step(&app, &id, "confirm", &d.admin, &etag, &json!({"quote_id": new})).await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        assert_eq!(confirmed.body["acknowledgement"]["monthly_cost_delta"], "128000.00");
    })
    .await;
}

/// Expects `reply` to be the problem `status`/`slug`, for `what`.
fn refused(reply: &Reply, status: u16, slug: &str, what: &str) {
    assert_eq!(reply.status.as_u16(), status, "{what}: {}", reply.body);
    reply.assert_problem(status, slug);
}

#[actix_web::test]
async fn gsi_a_1_the_wrong_party_is_refused_at_every_step_and_changes_nothing() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let change = json!({"kind": "change", "subscription_id": d.internet, "quantities": {"mbps_month": "1000"}});
        refused(&app.post("/v1/service-requests", &d.user, &change).await, 403, "forbidden", "agency user submits");
        refused(&app.post("/v1/service-requests", &d.network, &change).await, 403, "forbidden", "operator submits");
        refused(
            &app.post("/v1/service-requests", &d.other_admin, &change).await,
            404,
            "not-found",
            "other agency submits",
        );
        refused(
            &app.post("/v1/service-requests/preview", &d.network, &change).await,
            403,
            "forbidden",
            "operator previews",
        );
        refused(
            &app.post("/v1/service-requests/preview", &d.other_admin, &change).await,
            404,
            "not-found",
            "other agency previews",
        );

        let id = id_of(&submit(&app, &d.admin, &change).await);
        let until = clock.now() + Duration::days(7);
        let quote = approval(json!({"mbps_month": "1000"}), "160000.00", until);
        let every_step = [
            ("review", json!({})),
            ("quotes", quote.clone()),
            ("confirm", json!({"quote_id": "00000000-0000-7000-8000-0000000000ff"})),
            ("decline", json!({})),
            ("withdraw", json!({})),
            ("start", json!({})),
            ("progress", json!({"percent": 10, "note": "x"})),
            ("complete", json!({})),
            ("fail", json!({"reason": "x"})),
        ];
        // Strangers do not learn the request exists.
        for stranger in [&d.other_admin, &d.cloud, &token("assessor", GIX)] {
            refused(
                &app.get(&format!("/v1/service-requests/{id}"), stranger).await,
                404,
                "not-found",
                "stranger reads",
            );
            for (name, body) in &every_step {
                refused(&step(&app, &id, name, stranger, "\"1\"", body).await, 404, "not-found", name);
            }
        }
        // Parties see it, but each step is one role's of one party.
        let provider_steps = ["review", "quotes", "start", "progress", "complete", "fail"];
        let gix = gix();
        for (name, body) in &every_step {
            let agency_step = !provider_steps.contains(name);
            let wrong = if agency_step { [&d.network, &d.user, &gix] } else { [&d.admin, &d.user, &gix] };
            for token in wrong {
                refused(&step(&app, &id, name, token, "\"1\"", body).await, 403, "forbidden", name);
            }
        }
        assert_eq!(app.get(&format!("/v1/service-requests/{id}"), &gix).await.status, 200, "GIX reads");
        let unchanged = app.get(&format!("/v1/service-requests/{id}"), &d.user).await;
        assert_eq!((&unchanged.body["version"], &unchanged.body["status"]), (&json!(1), &json!("submitted")));
        assert_eq!(actions(&unchanged.body["timeline"]), ["submit"]);

        // The right party, in the wrong state, or without the current version.
        let early = step(&app, &id, "start", &d.network, "\"1\"", &json!({})).await;
        early.assert_problem(409, "invalid-transition");
        assert_eq!(
            (&early.body["current_state"], &early.body["allowed_actions"]),
            (&json!("submitted"), &json!(["start_review", "withdraw"]))
        );
        let missing = app.request("POST", &path(&id, "review"), Some(&d.network), &[], Some(&json!({}))).await;
        missing.assert_problem(428, "precondition-required");
        step(&app, &id, "review", &d.network, "\"7\"", &json!({})).await.assert_problem(412, "precondition-failed");
        let bad = step(&app, &id, "review", &d.network, "\"1\"", &json!({"note": "x".repeat(2001)})).await;
        bad.assert_problem(422, "validation-error");
        assert_eq!(bad.problem_fields(), ["note"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_7_twenty_racing_confirmations_exactly_one_wins_with_one_audit_event() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let id = id_of(
            &submit(
                &app,
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.internet,
            "quantities": {"mbps_month": "2000"}}),
            )
            .await,
        );
        ok_step(&app, &id, "review", &d.network, &json!({})).await;
        let quoted = ok_step(
            &app,
            &id,
            "quotes",
            &d.network,
            &approval(json!({"mbps_month": "2000"}), "480000.00", clock.now() + Duration::days(7)),
        )
        .await;
        let etag = format!("\"{}\"", quoted["version"]);
        let body = json!({"quote_id": quoted["current_quote_id"]});
        let admins: Vec<String> = (0..20).map(|_| token("agency_admin", AGENCY_A)).collect();
        let replies =
            futures_util::future::join_all(admins.iter().map(|admin| step(&app, &id, "confirm", admin, &etag, &body)))
                .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        assert!(statuses.iter().all(|s| [200, 409, 412].contains(s)), "{statuses:?}");
        let read = app.get(&format!("/v1/service-requests/{id}"), &d.admin).await;
        assert_eq!(read.body["version"], quoted["version"].as_i64().unwrap() + 1);
        assert_eq!(actions(&read.body["timeline"]).iter().filter(|a| *a == "confirm").count(), 1);
        let winner = replies.iter().find(|r| r.status == 200).unwrap();
        assert_eq!(read.body["acknowledgement"], winner.body["acknowledgement"]);
        let audit = app.get(&format!("/v1/audit-events?resource_type=service_request&resource_id={id}"), &gix()).await;
        let confirmations = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"].as_str().is_some_and(|a| a.contains("confirm")))
            .count();
        assert_eq!(confirmations, 1, "{}", audit.body);
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_4_one_open_request_per_subscription_and_new_services_only_from_listed_providers() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        // Racing submissions on one subscription: exactly one is taken.
        let bodies: Vec<Value> = ["1000", "2000", "3000", "4000"]
            .iter()
            .map(|mbps| json!({"kind": "change", "subscription_id": d.internet, "quantities": {"mbps_month": mbps}}))
            .collect();
        let replies =
            futures_util::future::join_all(bodies.iter().map(|b| app.post("/v1/service-requests", &d.admin, b))).await;
        let created: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
        assert_eq!(created.len(), 1, "{:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
        let open = id_of(&created[0].body);
        for reply in replies.iter().filter(|r| r.status != 201) {
            reply.assert_problem(409, "conflict");
        }
        let second =
            app.post("/v1/service-requests", &d.admin, &json!({"kind": "cancel", "subscription_id": d.internet})).await;
        second.assert_problem(409, "conflict");
        assert!(second.body["detail"].as_str().unwrap().contains(&open), "names the open request: {}", second.body);

        // Withdrawn, it no longer blocks.
        let withdrawn = ok_step(&app, &open, "withdraw", &d.admin, &json!({"reason": "budget moved"})).await;
        assert_eq!((&withdrawn["status"], &withdrawn["closing_reason"]), (&json!("withdrawn"), &json!("budget moved")));
        submit(&app, &d.admin, &json!({"kind": "cancel", "subscription_id": d.internet})).await;

        // GSI-13.1: GIX suspends the cloud provider; nothing new from it, changes still go.
        clock.advance(Duration::minutes(1));
        let suspended = app
            .post(
                &format!("/v1/providers/{CLOUD}/listing"),
                &gix(),
                &json!({"family": "cloud", "action": "suspend", "reason": "ISO/IEC 27001 certificate lapsed"}),
            )
            .await;
        assert_eq!(suspended.status, 201, "{}", suspended.body);
        let new = app
            .post(
                "/v1/service-requests",
                &d.admin,
                &json!({"kind": "new_service",
            "offering_id": COMPUTE_OFFERING, "quantities": {"vcpu_hour": "4"}}),
            )
            .await;
        new.assert_problem(422, "provider-not-listed");
        let add = app
            .post(
                "/v1/service-requests",
                &d.admin,
                &json!({"kind": "add_addon",
            "subscription_id": d.compute, "addon_id": BACKUP_ADD_ON, "quantities": {"backup_gb_month": "10"}}),
            )
            .await;
        add.assert_problem(422, "provider-not-listed");
        submit(
            &app,
            &d.admin,
            &json!({"kind": "change", "subscription_id": d.compute, "quantities": {"vcpu_hour": "4"}}),
        )
        .await;

        // Bad input names every field.
        let bad = app
            .post(
                "/v1/service-requests",
                &d.admin,
                &json!({"kind": "change", "offering_id": COMPUTE_OFFERING,
            "quantities": {"mbps_month": "-1"}, "end_at": rfc3339(clock.now())}),
            )
            .await;
        bad.assert_problem(422, "validation-error");
        assert_eq!(bad.problem_fields(), ["quantities.mbps_month", "offering_id", "subscription_id", "end_at"]);
        let unknown = app.post("/v1/service-requests", &d.admin, &json!({"kind": "upgrade"})).await;
        unknown.assert_problem(422, "validation-error");
        assert_eq!(unknown.problem_fields(), ["kind"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_lists_show_agencies_their_requests_and_providers_their_queue_by_state_and_age() {
    each_backend_with_clock(async |app, clock| {
        let d = demo(&app, &clock).await;
        let internet = id_of(
            &submit(
                &app,
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.internet,
            "quantities": {"mbps_month": "1000"}}),
            )
            .await,
        );
        clock.advance(Duration::hours(30));
        let cloud = id_of(
            &submit(
                &app,
                &d.admin,
                &json!({"kind": "change", "subscription_id": d.compute,
            "quantities": {"vcpu_hour": "16"}}),
            )
            .await,
        );
        ok_step(&app, &cloud, "review", &d.cloud, &json!({})).await;

        let ids = async |query: &str, token: &str| -> Vec<String> {
            let reply = app.get(&format!("/v1/service-requests{query}"), token).await;
            assert_eq!(reply.status, 200, "{}", reply.body);
            reply.body["items"].as_array().unwrap().iter().map(id_of).collect()
        };
        assert_eq!(ids("", &d.user).await, [internet.as_str(), cloud.as_str()]);
        assert_eq!(ids("", &gix()).await, [internet.as_str(), cloud.as_str()]);
        assert!(ids("", &d.other_admin).await.is_empty());
        assert!(ids("", &token("assessor", GIX)).await.is_empty());
        assert_eq!(ids("", &d.network).await, [internet.as_str()]);
        assert_eq!(ids("", &d.cloud).await, [cloud.as_str()]);
        assert_eq!(ids("?status=under_review", &d.user).await, [cloud.as_str()]);
        assert_eq!(ids("?older_than_hours=24", &d.user).await, [internet.as_str()]);
        let before = rfc3339(clock.now() - Duration::hours(1)).replace('+', "%2B");
        assert_eq!(ids(&format!("?submitted_before={before}"), &d.user).await, [internet.as_str()]);
        assert_eq!(ids("?kind=new_service", &d.user).await, Vec::<String>::new());
        let first = app.get("/v1/service-requests?limit=1", &d.admin).await;
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        assert_eq!(ids(&format!("?limit=1&cursor={cursor}"), &d.admin).await, [cloud.as_str()]);

        let bad = app
            .get("/v1/service-requests?status=lost&kind=x&older_than_hours=-1&submitted_before=yesterday", &d.admin)
            .await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["status", "kind", "submitted_before", "older_than_hours"]);
        let other = app.get(&format!("/v1/subscriptions/{}/requests", d.internet), &d.other_admin).await;
        other.assert_problem(404, "not-found");
        let by_subscription = app.get(&format!("/v1/subscriptions/{}/requests", d.compute), &gix()).await;
        assert_eq!(by_subscription.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}
