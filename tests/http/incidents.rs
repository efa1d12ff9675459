//! Incidents (GSI-7.3, 7.4, 7.5.8), outages (GSI-7.2, 10.3), security events (GSI-7.5.4,
//! 8.2) and SLA attainment (GSI-10.1, 10.2): tenancy, refusals, the timeline, If-Match, and
//! an SLA figure checked against a hand computation.

use chrono::{DateTime, Duration, SecondsFormat, TimeZone, Utc};
use gsi_domain::calendar::{Month, bangkok};
use serde_json::{Value, json};

use crate::reference_prices::{price_body, set_price};
use crate::support::{Reply, TestApp, each_backend, gix, token};

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("an instant")).expect("RFC 3339").with_timezone(&Utc)
}

fn codes(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors in {}", reply.body))
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect()
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

fn ids(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

/// A listed network provider with a published Government Internet offering (99.9 %, at most
/// 3 unplanned outages and 240 minutes to restore; P1 15/240 minutes; credits 10 % below
/// 99.9 and 25 % below 99.0) and a planned-maintenance exclusion with 72 hours' notice.
struct Provider {
    id: String,
    operator: String,
    offering: String,
}

async fn listed_provider(app: &TestApp, name: &str) -> Provider {
    let id = app.register("provider", name).await;
    let operator = token("provider_operator", &id);
    let profile = json!({
        "legal_status": "government_body",
        "families": ["network"],
        "support": {"phone": "02-555-1000", "email": "noc@example.go.th", "self_service_url": "https://portal.example.go.th"},
        "exclusions": [
            {"kind": "planned_maintenance", "notice_hours": 72, "text": "Announced at least 72 hours ahead"},
            {"kind": "force_majeure", "notice_hours": null, "text": "Natural disasters, war, unrest"}
        ]
    });
    let created =
        app.request("PUT", &format!("/v1/providers/{id}/profile"), Some(&operator), &[], Some(&profile)).await;
    assert_eq!(created.status, 201, "{}", created.body);
    app.certify(&id, &["network"]).await;
    let offering = json!({
        "family": "network",
        "kind": "government_internet",
        "name": "อินเทอร์เน็ตภาครัฐ",
        "pricing": [{"metric": "mbps_month", "unit_price": "300"}],
        "sla": {
            "availability_percent": "99.9",
            "max_unplanned_outages_per_month": 3,
            "max_mean_time_to_restore_minutes": 240,
            "priorities": [
                {"priority": "p1", "response_minutes": 15, "resolution_minutes": 240},
                {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
                {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
                {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}
            ],
            "credit_tiers": [{"below_percent": "99.9", "credit_percent": "10"}, {"below_percent": "99", "credit_percent": "25"}]
        },
        "capacity": []
    });
    let created = app.post("/v1/offerings", &operator, &offering).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let offering = created.body["id"].as_str().unwrap().to_owned();
    let published = app
        .request("POST", &format!("/v1/offerings/{offering}/publish"), Some(&operator), &[("If-Match", "\"1\"")], None)
        .await;
    assert_eq!(published.status, 200, "{}", published.body);
    Provider { id, operator, offering }
}

/// The subscription terms start three months before the current Bangkok month.
fn term_start() -> DateTime<Utc> {
    Month::containing(Utc::now()).previous().previous().previous().start()
}

/// A running contract of `agency` with `provider`, registered by the provider.
async fn subscription(app: &TestApp, provider: &Provider, agency: &str) -> String {
    let body = json!({
        "agency_id": agency,
        "offering_id": provider.offering,
        "quantities": [{"metric": "mbps_month", "quantity": "100"}],
        "starts_at": rfc3339(term_start()),
    });
    let created = app.post("/v1/subscriptions/existing", &provider.operator, &body).await;
    assert_eq!(created.status, 201, "{}", created.body);
    created.body["id"].as_str().unwrap().to_owned()
}

/// Two agencies served by one provider, and a second provider serving nobody.
struct World {
    provider: Provider,
    other_provider: Provider,
    agency_a: String,
    agency_b: String,
    /// Tokens: agency A's user and admin, agency B's admin.
    a_user: String,
    a_admin: String,
    b_admin: String,
    sub_a: String,
    sub_b: String,
}

async fn world(app: &TestApp) -> World {
    set_price(app, &price_body("government_internet", "mbps_month", "350", Utc::now() - Duration::days(400), None))
        .await;
    let provider = listed_provider(app, "ผู้ให้บริการเครือข่ายทดสอบ").await;
    let other_provider = listed_provider(app, "ผู้ให้บริการอื่น").await;
    let agency_a = app.register("agency", "กรมเอ").await;
    let agency_b = app.register("agency", "กรมบี").await;
    let sub_a = subscription(app, &provider, &agency_a).await;
    let sub_b = subscription(app, &provider, &agency_b).await;
    World {
        a_user: token("agency_user", &agency_a),
        a_admin: token("agency_admin", &agency_a),
        b_admin: token("agency_admin", &agency_b),
        provider,
        other_provider,
        agency_a,
        agency_b,
        sub_a,
        sub_b,
    }
}

fn report_body(subscription: &str) -> Value {
    json!({
        "subscription_id": subscription,
        "title": "อินเทอร์เน็ตสำนักงานใหญ่ใช้งานไม่ได้",
        "description": "No traffic on the HQ circuit since 09:00",
        "impact": "high",
        "urgency": "high"
    })
}

async fn step(app: &TestApp, incident: &str, token: &str, if_match: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.request("POST", &format!("/v1/incidents/{incident}/actions"), Some(token), &headers, Some(body)).await
}

/// Takes a step with the current ETag and expects it to succeed.
async fn step_ok(app: &TestApp, incident: &str, token: &str, body: &Value) -> Reply {
    let current = app.get(&format!("/v1/incidents/{incident}"), token).await;
    let etag = current.header("etag").unwrap();
    let reply = step(app, incident, token, Some(&etag), body).await;
    assert_eq!(reply.status, 200, "{body}: {}", reply.body);
    reply
}

fn stored_incident(app: &TestApp, id: &str) -> gsi_persistence::repos::incidents::StoredIncident {
    let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
    gsi_persistence::repos::incidents::find(&mut conn, id.parse().unwrap()).unwrap().unwrap()
}

#[actix_web::test]
async fn gsi_7_5_8_the_timeline_shows_each_step_with_actor_and_time() {
    each_backend(async |app| {
        let w = world(&app).await;
        let before = Utc::now();
        let reported = app.post("/v1/incidents", &w.a_user, &report_body(&w.sub_a)).await;
        assert_eq!(reported.status, 201, "{}", reported.body);
        let id = reported.body["id"].as_str().unwrap().to_owned();
        assert_eq!(reported.header("location"), Some(format!("/v1/incidents/{id}")));
        assert_eq!(reported.header("etag").as_deref(), Some("\"1\""));
        let body = &reported.body;
        assert_eq!((body["priority"].as_str(), body["channel"].as_str()), (Some("p1"), Some("self_service")));
        assert_eq!((body["state"].as_str(), body["agency_id"].as_str()), (Some("new"), Some(w.agency_a.as_str())));
        assert_eq!(body["provider_id"], w.provider.id.as_str());
        // GSI-10.2: P1 deadlines from the subscription's frozen terms: 15 and 240 minutes.
        let reported_at = instant(&body["reported_at"]);
        assert!(reported_at >= before - Duration::seconds(1));
        assert_eq!(instant(&body["deadlines"]["response_due"]), reported_at + Duration::minutes(15));
        assert_eq!(instant(&body["deadlines"]["resolution_due"]), reported_at + Duration::minutes(240));
        assert_eq!(body["deadlines"]["response"], "pending");
        assert_eq!(body["available_actions"], json!(["cancel"]), "the agency may only withdraw a new report");

        let op = &w.provider.operator;
        let acked = step_ok(&app, &id, op, &json!({"action": "acknowledge"})).await;
        assert_eq!(acked.body["deadlines"]["response"], "met");
        assert_eq!(acked.header("etag").as_deref(), Some("\"2\""));
        let commented =
            app.post(&format!("/v1/incidents/{id}/comments"), &w.a_admin, &json!({"note": "Branch office too"})).await;
        assert_eq!(commented.status, 201, "{}", commented.body);
        assert_eq!(commented.header("etag").as_deref(), Some("\"3\""));
        step_ok(&app, &id, op, &json!({"action": "start_work"})).await;
        let held = step_ok(
            &app,
            &id,
            op,
            &json!({"action": "put_on_hold", "note": "Need access to the server room", "hold_reason": "awaiting_agency"}),
        )
        .await;
        assert_eq!((held.body["state"].as_str(), held.body["hold_reason"].as_str()), (Some("on_hold"), Some("awaiting_agency")));
        assert_eq!(held.body["deadlines"]["resolution_clock"], "paused");
        step_ok(&app, &id, op, &json!({"action": "resume"})).await;
        let resolved = step_ok(&app, &id, op, &json!({"action": "resolve", "note": "Line card replaced"})).await;
        assert_eq!(resolved.body["deadlines"]["resolution"], "met");
        assert_eq!(resolved.body["available_actions"], json!([]), "the provider closes only after the reopen window");
        let resolved_at = instant(&resolved.body["deadlines"]["resolved_at"]);
        assert_eq!(instant(&resolved.body["reopen_until"]), resolved_at + Duration::days(7));
        let agency_view = app.get(&format!("/v1/incidents/{id}"), &w.a_user).await;
        assert_eq!(agency_view.body["available_actions"], json!(["close", "reopen"]));
        let closed = step_ok(&app, &id, &w.a_user, &json!({"action": "close"})).await;
        assert_eq!(closed.body["state"], "closed");
        let after = Utc::now();

        // Both sides and GIX read the same timeline: each step with actor, role, and time.
        for reader in [&w.a_user, op, &gix()] {
            let read = app.get(&format!("/v1/incidents/{id}"), reader).await;
            assert_eq!(read.status, 200, "{}", read.body);
            assert_eq!(read.header("etag").as_deref(), Some("\"8\""));
            let timeline = read.body["timeline"].as_array().unwrap();
            let got: Vec<(&str, &str, Option<&str>, Option<&str>)> = timeline
                .iter()
                .map(|e| {
                    (
                        e["kind"].as_str().unwrap(),
                        e["actor_role"].as_str().unwrap(),
                        e["from_state"].as_str(),
                        e["to_state"].as_str(),
                    )
                })
                .collect();
            assert_eq!(
                got,
                [
                    ("reported", "agency_user", None, Some("new")),
                    ("acknowledged", "provider_operator", Some("new"), Some("acknowledged")),
                    ("commented", "agency_admin", None, None),
                    ("work_started", "provider_operator", Some("acknowledged"), Some("in_progress")),
                    ("put_on_hold", "provider_operator", Some("in_progress"), Some("on_hold")),
                    ("resumed", "provider_operator", Some("on_hold"), Some("in_progress")),
                    ("resolved", "provider_operator", Some("in_progress"), Some("resolved")),
                    ("closed", "agency_user", Some("resolved"), Some("closed")),
                ]
            );
            let times: Vec<DateTime<Utc>> = timeline.iter().map(|e| instant(&e["at"])).collect();
            assert!(times.windows(2).all(|w| w[0] <= w[1]), "in order: {times:?}");
            assert!(times.iter().all(|t| *t >= before - Duration::seconds(1) && *t <= after + Duration::seconds(1)));
            assert_eq!(timeline[0]["actor_organisation_id"], w.agency_a.as_str());
            assert_eq!(timeline[1]["actor_organisation_id"], w.provider.id.as_str());
            assert!(timeline[1]["actor_subject"].as_str().unwrap().starts_with("test-provider_operator-"));
            assert_eq!(timeline[2]["note"], "Branch office too");
            assert_eq!(timeline[4]["hold_reason"], "awaiting_agency");
            assert_eq!(timeline[6]["note"], "Line card replaced");
        }
        // GIX reads but takes no steps.
        assert_eq!(app.get(&format!("/v1/incidents/{id}"), &gix()).await.body["available_actions"], json!([]));

        // Stored as shown: the incident row and its eight timeline rows.
        let stored = stored_incident(&app, &id);
        assert_eq!(stored.version, 8);
        assert_eq!(stored.incident.timeline.len(), 8);
        assert_eq!(stored.incident.state.as_str(), "closed");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_8_incident_actions_need_a_current_if_match_and_a_permitted_step() {
    each_backend(async |app| {
        let w = world(&app).await;
        let reported = app.post("/v1/incidents", &w.a_user, &report_body(&w.sub_a)).await;
        let id = reported.body["id"].as_str().unwrap().to_owned();
        let op = &w.provider.operator;
        let ack = json!({"action": "acknowledge"});

        step(&app, &id, op, None, &ack).await.assert_problem(428, "precondition-required");
        let stale = step(&app, &id, op, Some("\"7\""), &ack).await;
        stale.assert_problem(412, "precondition-failed");
        assert_eq!(stale.body["current_etag"], "\"1\"");
        // GSI-7.3: the agency does not acknowledge its own report.
        step(&app, &id, &w.a_user, Some("\"1\""), &ack).await.assert_problem(403, "forbidden");
        // A step the state does not allow names the state and the allowed steps.
        let refused = step(&app, &id, op, Some("\"1\""), &json!({"action": "resolve", "note": "done"})).await;
        refused.assert_problem(409, "invalid-transition");
        assert_eq!(refused.body["current_state"], "new");
        assert_eq!(refused.body["allowed_actions"], json!(["acknowledge", "cancel"]));
        // Unknown actions and bad bodies are 422 naming the field.
        let unknown = step(&app, &id, op, Some("\"1\""), &json!({"action": "escalate"})).await;
        unknown.assert_problem(422, "validation-error");
        assert_eq!(unknown.problem_fields(), ["action"]);

        let acked = step(&app, &id, op, Some("\"1\""), &ack).await;
        assert_eq!(acked.status, 200, "{}", acked.body);
        step(&app, &id, op, Some("\"1\""), &json!({"action": "start_work"}))
            .await
            .assert_problem(412, "precondition-failed");
        step(&app, &id, op, Some("\"2\""), &json!({"action": "start_work"})).await;
        let bare_hold = step(&app, &id, op, Some("\"3\""), &json!({"action": "put_on_hold"})).await;
        bare_hold.assert_problem(422, "validation-error");
        assert_eq!(codes(&bare_hold), pairs(&[("note", "required"), ("hold_reason", "required")]));
        // The provider may not cancel once work has started; strangers learn nothing.
        let cancel = json!({"action": "cancel", "note": "duplicate"});
        step(&app, &id, op, Some("\"3\""), &cancel).await.assert_problem(403, "forbidden");
        step(&app, &id, &w.b_admin, Some("\"3\""), &cancel).await.assert_problem(404, "not-found");
        step(&app, &id, &w.other_provider.operator, Some("\"3\""), &cancel).await.assert_problem(404, "not-found");
        step(&app, &id, &gix(), Some("\"3\""), &cancel).await.assert_problem(403, "forbidden");

        // Nothing refused was stored.
        let stored = stored_incident(&app, &id);
        assert_eq!((stored.version, stored.incident.timeline.len()), (3, 3));
        assert_eq!(stored.incident.state.as_str(), "in_progress");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_8_an_agency_cannot_see_another_agencys_incidents_outages_or_security_events() {
    each_backend(async |app| {
        let w = world(&app).await;
        let op = &w.provider.operator;
        let incident = app.post("/v1/incidents", &w.a_user, &report_body(&w.sub_a)).await;
        let incident = incident.body["id"].as_str().unwrap().to_owned();
        let detected = Utc::now() - Duration::minutes(1);
        let started = rfc3339(Utc::now() - Duration::hours(2));
        let only_a = app
            .post("/v1/outages", op, &json!({"subscriptions": [w.sub_a], "started_at": started, "cause": "fibre cut"}))
            .await;
        assert_eq!(only_a.status, 201, "{}", only_a.body);
        let only_a = only_a.body["id"].as_str().unwrap().to_owned();
        let both = app
            .post(
                "/v1/outages",
                op,
                &json!({"subscriptions": [w.sub_a, w.sub_b], "started_at": started, "cause": "core router"}),
            )
            .await;
        let both = both.body["id"].as_str().unwrap().to_owned();
        let event = app
            .post(
                "/v1/security-events",
                op,
                &json!({"agency_id": w.agency_a, "category": "phishing", "severity": "medium",
                        "detected_at": rfc3339(detected), "description": "Credential phishing campaign"}),
            )
            .await;
        assert_eq!(event.status, 201, "{}", event.body);
        let event = event.body["id"].as_str().unwrap().to_owned();

        // Agency A sees all of its own.
        assert_eq!(ids(&app.get("/v1/incidents", &w.a_user).await), std::slice::from_ref(&incident));
        assert_eq!(ids(&app.get("/v1/outages", &w.a_user).await), [only_a.clone(), both.clone()]);
        assert_eq!(ids(&app.get("/v1/security-events", &w.a_user).await), std::slice::from_ref(&event));
        assert_eq!(app.get(&format!("/v1/outages/{both}"), &w.a_user).await.body["subscriptions"], json!([w.sub_a]));

        // Agency B: 404 on A's objects, absent from lists, only its own subscription shown.
        let b = &w.b_admin;
        app.get(&format!("/v1/incidents/{incident}"), b).await.assert_problem(404, "not-found");
        app.post(&format!("/v1/incidents/{incident}/comments"), b, &json!({"note": "hello"}))
            .await
            .assert_problem(404, "not-found");
        app.get(&format!("/v1/outages/{only_a}"), b).await.assert_problem(404, "not-found");
        app.get(&format!("/v1/security-events/{event}"), b).await.assert_problem(404, "not-found");
        app.get(&format!("/v1/subscriptions/{}/sla", w.sub_a), b).await.assert_problem(404, "not-found");
        assert!(ids(&app.get("/v1/incidents", b).await).is_empty());
        assert!(ids(&app.get(&format!("/v1/incidents?subscription_id={}", w.sub_a), b).await).is_empty());
        assert_eq!(ids(&app.get("/v1/outages", b).await), std::slice::from_ref(&both));
        let shared = app.get(&format!("/v1/outages/{both}"), b).await;
        assert_eq!(shared.body["subscriptions"], json!([w.sub_b]), "B does not learn A's subscription");
        assert!(ids(&app.get("/v1/security-events", b).await).is_empty());
        let month = Month::containing(detected);
        let summary = app.get(&format!("/v1/security-events/summary?month={month}"), b).await;
        assert_eq!((summary.status.as_u16(), summary.body["total"].as_u64()), (200, Some(0)));
        assert_eq!(app.get(&format!("/v1/security-events/summary?month={month}"), &w.a_user).await.body["total"], 1);
        // Reporting on A's subscription: refused as if it did not exist.
        let foreign = app.post("/v1/incidents", b, &report_body(&w.sub_a)).await;
        foreign.assert_problem(422, "validation-error");
        assert_eq!(codes(&foreign), pairs(&[("subscription_id", "not_found")]));

        // A provider that does not serve them sees none of it.
        let q = &w.other_provider.operator;
        app.get(&format!("/v1/incidents/{incident}"), q).await.assert_problem(404, "not-found");
        app.get(&format!("/v1/outages/{both}"), q).await.assert_problem(404, "not-found");
        app.get(&format!("/v1/security-events/{event}"), q).await.assert_problem(404, "not-found");
        assert!(ids(&app.get("/v1/incidents", q).await).is_empty());
        assert!(ids(&app.get("/v1/outages", q).await).is_empty());
        assert!(ids(&app.get("/v1/security-events", q).await).is_empty());
        // The assessor sees none either; GIX sees all.
        let assessor = token("assessor", &app.register("assessor", "สถาบันรับรอง").await);
        assert!(ids(&app.get("/v1/incidents", &assessor).await).is_empty());
        assert_eq!(ids(&app.get("/v1/outages", &gix()).await).len(), 2);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_2_a_provider_cannot_post_on_a_subscription_it_does_not_serve() {
    each_backend(async |app| {
        let w = world(&app).await;
        let q = &w.other_provider.operator;
        let started = rfc3339(Utc::now() - Duration::hours(1));
        let outage = app
            .post("/v1/outages", q, &json!({"subscriptions": [w.sub_a, uuid::Uuid::now_v7()], "started_at": started, "cause": "x"}))
            .await;
        outage.assert_problem(422, "validation-error");
        assert_eq!(codes(&outage), pairs(&[("subscriptions[0]", "not_served"), ("subscriptions[1]", "not_served")]));
        let incident = app
            .post(
                "/v1/incidents",
                q,
                &json!({"subscription_id": w.sub_a, "title": "t", "description": "d", "impact": "low",
                        "urgency": "low", "channel": "phone"}),
            )
            .await;
        incident.assert_problem(422, "validation-error");
        assert_eq!(codes(&incident), pairs(&[("subscription_id", "not_found")]));
        let event = app
            .post(
                "/v1/security-events",
                q,
                &json!({"agency_id": w.agency_a, "category": "ddos", "severity": "high",
                        "detected_at": started, "description": "flood"}),
            )
            .await;
        event.assert_problem(422, "validation-error");
        assert_eq!(codes(&event), pairs(&[("agency_id", "not_served")]));
        // The serving provider may not name another agency's subscription on an event.
        let mismatched = app
            .post(
                "/v1/security-events",
                &w.provider.operator,
                &json!({"agency_id": w.agency_a, "subscription_id": w.sub_b, "category": "ddos",
                        "severity": "high", "detected_at": started, "description": "flood"}),
            )
            .await;
        assert_eq!(codes(&mismatched), pairs(&[("subscription_id", "not_served")]));
        // Agencies and GIX do not post outages or security events.
        let own = json!({"subscriptions": [w.sub_a], "started_at": started, "cause": "x"});
        app.post("/v1/outages", &w.a_admin, &own).await.assert_problem(403, "forbidden");
        app.post("/v1/outages", &gix(), &own).await.assert_problem(403, "forbidden");
        let own_event = json!({"agency_id": w.agency_a, "category": "ddos", "severity": "high",
                               "detected_at": started, "description": "flood"});
        app.post("/v1/security-events", &w.a_admin, &own_event).await.assert_problem(403, "forbidden");
        // A provider records a phone report on a subscription it serves, with the channel.
        let phone = app
            .post(
                "/v1/incidents",
                &w.provider.operator,
                &json!({"subscription_id": w.sub_b, "title": "Slow link", "description": "Called in by the agency",
                        "impact": "low", "urgency": "medium", "channel": "phone", "reported_at": started}),
            )
            .await;
        assert_eq!(phone.status, 201, "{}", phone.body);
        assert_eq!((phone.body["channel"].as_str(), phone.body["priority"].as_str()), (Some("phone"), Some("p4")));
        assert_eq!(instant(&phone.body["reported_at"]), instant(&json!(started)));
        let no_channel = app
            .post(
                "/v1/incidents",
                &w.provider.operator,
                &json!({"subscription_id": w.sub_b, "title": "t", "description": "d", "impact": "low", "urgency": "low"}),
            )
            .await;
        assert_eq!(codes(&no_channel), pairs(&[("channel", "required")]));

        // Nothing refused was stored.
        assert!(ids(&app.get("/v1/outages", &gix()).await).is_empty());
        assert!(ids(&app.get("/v1/security-events", &gix()).await).is_empty());
        assert_eq!(ids(&app.get("/v1/incidents", &gix()).await).len(), 1);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_8_concurrent_comments_all_land_and_a_retried_report_is_stored_once() {
    each_backend(async |app| {
        let w = world(&app).await;
        let key = [("Idempotency-Key", "report-hq-outage-1")];
        let first = app.request("POST", "/v1/incidents", Some(&w.a_user), &key, Some(&report_body(&w.sub_a))).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let replay = app.request("POST", "/v1/incidents", Some(&w.a_user), &key, Some(&report_body(&w.sub_a))).await;
        assert_eq!((replay.status.as_u16(), replay.header("idempotent-replayed").as_deref()), (201, Some("true")));
        assert_eq!(replay.body["id"], first.body["id"]);
        assert_eq!(ids(&app.get("/v1/incidents", &w.a_user).await).len(), 1);

        // Comments need no If-Match: six at once from both sides all land, none refused.
        let id = first.body["id"].as_str().unwrap().to_owned();
        let path = format!("/v1/incidents/{id}/comments");
        let tokens = [&w.a_user, &w.a_admin, &w.provider.operator];
        let bodies: Vec<Value> = (0..6).map(|i| json!({"note": format!("comment {i}")})).collect();
        let replies =
            futures_util::future::join_all(bodies.iter().enumerate().map(|(i, b)| app.post(&path, tokens[i % 3], b)))
                .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses, [201; 6]);
        let stored = stored_incident(&app, &id);
        assert_eq!((stored.version, stored.incident.timeline.len()), (7, 7));
    })
    .await;
}

/// Bangkok wall-clock time on `day` of `month`.
fn bkk(month: Month, day: u32, hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    bangkok()
        .with_ymd_and_hms(month.year(), month.month(), day, hour, minute, second)
        .single()
        .unwrap()
        .with_timezone(&Utc)
}

fn last_day(month: Month) -> u32 {
    u32::try_from(month.minutes() / 1440).unwrap()
}

#[actix_web::test]
async fn gsi_10_1_the_sla_figure_equals_the_hand_computation() {
    each_backend(async |app| {
        let w = world(&app).await;
        let op = &w.provider.operator;
        // Two months ago, so that every outage below, the month boundary one included, is over.
        let month = Month::containing(Utc::now()).previous().previous();
        let post = async |body: Value| {
            let reply = app.post("/v1/outages", op, &body).await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            reply.body["id"].as_str().unwrap().to_owned()
        };
        let claim = json!({"kind": "planned_maintenance", "reason": "router upgrade"});
        // 1. Planned, announced 96 h ahead (72 h required): excluded, 120 minutes.
        let maintenance = post(json!({
            "subscriptions": [w.sub_a], "started_at": rfc3339(bkk(month, 5, 1, 0, 0)),
            "ended_at": rfc3339(bkk(month, 5, 3, 0, 0)), "cause": "router upgrade", "planned": true,
            "announced_at": rfc3339(bkk(month, 1, 1, 0, 0)), "exclusion": claim,
        }))
        .await;
        // 2. Planned, announced only 24 h ahead: counted, 30 minutes.
        let late_notice = post(json!({
            "subscriptions": [w.sub_a], "started_at": rfc3339(bkk(month, 8, 2, 0, 0)),
            "ended_at": rfc3339(bkk(month, 8, 2, 30, 0)), "cause": "urgent patch", "planned": true,
            "announced_at": rfc3339(bkk(month, 7, 2, 0, 0)), "exclusion": claim,
        }))
        .await;
        // 3 and 4. Unplanned and overlapping: 10:00–11:00 and 10:30–11:15 count 75 minutes once.
        let first = post(json!({
            "subscriptions": [w.sub_a, w.sub_b], "started_at": rfc3339(bkk(month, 12, 10, 0, 0)),
            "ended_at": rfc3339(bkk(month, 12, 11, 0, 0)), "cause": "power supply failure",
        }))
        .await;
        let overlapping = post(json!({
            "subscriptions": [w.sub_a], "started_at": rfc3339(bkk(month, 12, 10, 30, 0)),
            "ended_at": rfc3339(bkk(month, 12, 11, 15, 0)), "cause": "routing flap after the power failure",
        }))
        .await;
        // 5. Partial minutes: 05:00:30–05:02:10 touches the minutes 05:00, 05:01 and 05:02.
        let blip = post(json!({
            "subscriptions": [w.sub_a], "started_at": rfc3339(bkk(month, 20, 5, 0, 30)),
            "ended_at": rfc3339(bkk(month, 20, 5, 2, 10)), "cause": "line card reset",
        }))
        .await;
        // 6. Across the month's end, 23:30–00:45: 30 minutes in this month.
        let next = month.next();
        let boundary = post(json!({
            "subscriptions": [w.sub_a], "started_at": rfc3339(bkk(month, last_day(month), 23, 30, 0)),
            "ended_at": rfc3339(bkk(next, 1, 0, 45, 0)), "cause": "fibre cut",
        }))
        .await;
        // Another subscription's outage does not count here.
        post(json!({
            "subscriptions": [w.sub_b], "started_at": rfc3339(bkk(month, 15, 0, 0, 0)),
            "ended_at": rfc3339(bkk(month, 15, 6, 0, 0)), "cause": "agency B only",
        }))
        .await;

        let reply = app.get(&format!("/v1/subscriptions/{}/sla?month={month}", w.sub_a), &w.a_user).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        let sla = &reply.body;

        // By hand: the period is the whole Bangkok month; 120 minutes excluded; downtime
        // 30 + 75 + 3 + 30 = 138 minutes; availability truncated to 4 decimals.
        let period = month.minutes();
        let (excluded, downtime) = (120_i64, 138_i64);
        let measured = period - excluded;
        let scaled = (measured - downtime) * 1_000_000 / measured;
        let achieved = format!("{}.{:04}", scaled / 10_000, scaled % 10_000);
        assert_eq!(sla["availability"]["period"]["minutes"], period);
        assert_eq!(instant(&sla["availability"]["period"]["from"]), month.start());
        assert_eq!(sla["availability"]["excluded_minutes"], excluded);
        assert_eq!(sla["availability"]["measured_minutes"], measured);
        assert_eq!(sla["availability"]["downtime_minutes"], downtime);
        assert_eq!(sla["availability"]["achieved_percent"], achieved.as_str());
        assert_eq!(
            sla["availability"]["computation"],
            format!("({period} - 120 - 138) / ({period} - 120) x 100 = {achieved} % (truncated to 4 decimals)")
        );
        assert_eq!(
            (sla["availability"]["target_percent"].as_str(), sla["availability"]["breached"].as_bool()),
            (Some("99.9"), Some(true))
        );
        assert_eq!(sla["provisional"], false);
        // 258 of ~43,000 minutes is below 99.9 % but not below 99 %: the 10 % tier.
        assert_eq!(sla["credit"]["tier"], json!({"below_percent": "99.9", "credit_percent": "10"}));
        // Nothing was metered on this subscription, so 10 % of nothing is owed.
        assert_eq!(
            (sla["credit"]["month_charge"].clone(), sla["credit"]["amount"].clone()),
            (json!("0.00"), json!("0.00"))
        );

        // Every outage is listed, counted or excluded, with why.
        let listed = |key: &str| -> Vec<(String, String, i64)> {
            sla[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| {
                    (
                        l["outage_id"].as_str().unwrap().to_owned(),
                        l["decision"]["code"].as_str().unwrap().to_owned(),
                        l["in_period"]["minutes"].as_i64().unwrap(),
                    )
                })
                .collect()
        };
        assert_eq!(listed("excluded_outages"), [(maintenance, "excluded".to_owned(), 120)]);
        assert_eq!(
            listed("counted_outages"),
            [
                (late_notice, "counted_notice_too_short".to_owned(), 30),
                (first, "counted_no_exclusion_claimed".to_owned(), 60),
                (overlapping, "counted_no_exclusion_claimed".to_owned(), 45),
                (blip, "counted_no_exclusion_claimed".to_owned(), 3),
                (boundary, "counted_no_exclusion_claimed".to_owned(), 30),
            ]
        );
        let spans: Vec<i64> = sla["availability"]["downtime_spans"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["minutes"].as_i64().unwrap())
            .collect();
        assert_eq!(spans, [30, 75, 3, 30], "the overlapping pair merged into one span");
        // Reliability: four unplanned outages started in the month (more than 3: breached);
        // restore times 60 + 45 + 3 + 75 = 183, mean 45.75 minutes.
        let r = &sla["reliability"];
        assert_eq!((r["unplanned_outages"].as_u64(), r["restore_minutes_total"].as_i64()), (Some(4), Some(183)));
        assert_eq!(r["mean_time_to_restore_minutes"], "45.75");
        assert_eq!(r["breaches"], json!(["too_many_unplanned_outages"]));
        assert_eq!(
            sla["declared_exclusions"],
            json!({"kinds": ["planned_maintenance", "force_majeure"], "maintenance_notice_hours": 72})
        );

        // The next month counts only the boundary outage's 45 minutes there.
        let next_reply = app.get(&format!("/v1/subscriptions/{}/sla?month={next}", w.sub_a), op).await;
        assert_eq!(next_reply.body["availability"]["downtime_minutes"], 45, "{}", next_reply.body);
        assert_eq!(next_reply.body["reliability"]["unplanned_outages"], 0, "counted in the month it started");
        // The current month is provisional; a month before the term and a bad month are 400.
        let current = app.get(&format!("/v1/subscriptions/{}/sla", w.sub_a), &gix()).await;
        assert_eq!((current.status.as_u16(), current.body["provisional"].as_bool()), (200, Some(true)));
        let before_term = Month::containing(term_start()).previous();
        let outside = app.get(&format!("/v1/subscriptions/{}/sla?month={before_term}", w.sub_a), &w.a_user).await;
        outside.assert_problem(400, "invalid-parameters");
        assert_eq!(codes(&outside), pairs(&[("month", "not_in_term")]));
        let bad = app.get(&format!("/v1/subscriptions/{}/sla?month=2026-13", w.sub_a), &w.a_user).await;
        assert_eq!(codes(&bad), pairs(&[("month", "invalid_month")]));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_2_outages_end_once_with_if_match_and_agencies_filter_them() {
    each_backend(async |app| {
        let w = world(&app).await;
        let op = &w.provider.operator;
        let started = Utc::now() - Duration::hours(3);
        let open = app
            .post(
                "/v1/outages",
                op,
                &json!({"subscriptions": [w.sub_a], "started_at": rfc3339(started), "cause": "fibre cut"}),
            )
            .await;
        assert_eq!((open.status.as_u16(), open.body["open"].as_bool()), (201, Some(true)));
        let id = open.body["id"].as_str().unwrap().to_owned();
        let planned = app
            .post(
                "/v1/outages",
                op,
                &json!({"subscriptions": [w.sub_a], "started_at": rfc3339(started - Duration::days(1)),
                        "ended_at": rfc3339(started - Duration::days(1) + Duration::hours(1)), "cause": "upgrade",
                        "planned": true, "announced_at": rfc3339(started - Duration::days(2)),
                        "exclusion": {"kind": "planned_maintenance", "reason": "announced a day ahead"}}),
            )
            .await;
        assert_eq!(planned.body["decision"]["code"], "counted_notice_too_short", "{}", planned.body);
        let planned = planned.body["id"].as_str().unwrap().to_owned();

        let a = &w.a_user;
        assert_eq!(ids(&app.get("/v1/outages?open=true", a).await), std::slice::from_ref(&id));
        assert_eq!(ids(&app.get("/v1/outages?open=false", a).await), std::slice::from_ref(&planned));
        let since = rfc3339(started - Duration::hours(1)).replace('+', "%2B");
        assert_eq!(ids(&app.get(&format!("/v1/outages?from={since}"), a).await), std::slice::from_ref(&id));
        assert_eq!(ids(&app.get(&format!("/v1/outages?subscription_id={}", w.sub_b), a).await), Vec::<String>::new());
        let bad = app.get("/v1/outages?open=maybe&from=yesterday&subscription_id=x", a).await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["open", "subscription_id", "from"]);

        let path = format!("/v1/outages/{id}/end");
        let end = json!({"ended_at": rfc3339(Utc::now() - Duration::minutes(5))});
        app.request("POST", &path, Some(op), &[], Some(&end)).await.assert_problem(428, "precondition-required");
        app.request("POST", &path, Some(a), &[("If-Match", "\"1\"")], Some(&end))
            .await
            .assert_problem(403, "forbidden");
        let other = &w.other_provider.operator;
        app.request("POST", &path, Some(other), &[("If-Match", "\"1\"")], Some(&end))
            .await
            .assert_problem(404, "not-found");
        let ended = app.request("POST", &path, Some(op), &[("If-Match", "\"1\"")], Some(&end)).await;
        assert_eq!(ended.status, 200, "{}", ended.body);
        assert_eq!((ended.body["open"].as_bool(), ended.header("etag").as_deref()), (Some(false), Some("\"2\"")));
        let again = app.request("POST", &path, Some(op), &[("If-Match", "*")], Some(&end)).await;
        again.assert_problem(422, "validation-error");
        assert_eq!(codes(&again), pairs(&[("ended_at", "already_ended")]));
        let read = app.get(&format!("/v1/outages/{id}"), a).await;
        assert_eq!(instant(&read.body["ended_at"]), instant(&end["ended_at"]));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_4_security_events_move_on_with_if_match_and_are_summarised_by_month() {
    each_backend(async |app| {
        let w = world(&app).await;
        let op = &w.provider.operator;
        let now = Utc::now();
        let post = async |category: &str, severity: &str, at: DateTime<Utc>| {
            let reply = app
                .post(
                    "/v1/security-events",
                    op,
                    &json!({"agency_id": w.agency_a, "subscription_id": w.sub_a, "category": category,
                            "severity": severity, "detected_at": rfc3339(at), "description": "seen by the SOC",
                            "indicators": ["203.0.113.7"], "actions_taken": ["blocked at the edge"]}),
                )
                .await;
            assert_eq!(reply.status, 201, "{}", reply.body);
            reply.body["id"].as_str().unwrap().to_owned()
        };
        // One second apart, so that all three fall in one Bangkok month.
        let at = now - Duration::minutes(10);
        let ddos = post("ddos", "high", at).await;
        post("ddos", "high", at + Duration::seconds(1)).await;
        post("malware", "critical", at + Duration::seconds(2)).await;
        let earlier = Month::containing(at).previous().previous();
        post("virus", "low", earlier.start() + Duration::days(3)).await;

        let path = format!("/v1/security-events/{ddos}/actions");
        let mitigate = json!({"action": "start_mitigation", "note": "scrubbing centre engaged"});
        app.request("POST", &path, Some(op), &[], Some(&mitigate)).await.assert_problem(428, "precondition-required");
        app.request("POST", &path, Some(&w.a_user), &[("If-Match", "\"1\"")], Some(&mitigate))
            .await
            .assert_problem(403, "forbidden");
        let moved = app.request("POST", &path, Some(op), &[("If-Match", "\"1\"")], Some(&mitigate)).await;
        assert_eq!(moved.status, 200, "{}", moved.body);
        assert_eq!(moved.body["status"], "mitigating");
        assert_eq!(moved.body["actions_taken"], json!(["blocked at the edge", "scrubbing centre engaged"]));
        app.request("POST", &path, Some(op), &[("If-Match", "\"1\"")], Some(&json!({"action": "resolve"})))
            .await
            .assert_problem(412, "precondition-failed");
        let again = app.request("POST", &path, Some(op), &[("If-Match", "\"2\"")], Some(&mitigate)).await;
        again.assert_problem(409, "invalid-transition");
        assert_eq!(
            (again.body["current_state"].as_str(), again.body["allowed_actions"].clone()),
            (Some("mitigating"), json!(["resolve"]))
        );
        let resolved =
            app.request("POST", &path, Some(op), &[("If-Match", "\"2\"")], Some(&json!({"action": "resolve"}))).await;
        assert_eq!(
            (resolved.body["status"].as_str(), resolved.header("etag").as_deref()),
            (Some("resolved"), Some("\"3\""))
        );
        assert!(resolved.body["resolved_at"].is_string());

        // The agency's summary of this month: 3 events, 2 high DDoS (one still open), 1
        // critical malware; the older virus is in its own month.
        let summary = app.get(&format!("/v1/security-events/summary?month={}", Month::containing(at)), &w.a_user).await;
        assert_eq!(summary.status, 200, "{}", summary.body);
        assert_eq!(summary.body["total"], 3);
        let cells = summary.body["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 9 * 5, "every category × severity");
        let cell = |c: &str, s: &str| cells.iter().find(|x| x["category"] == c && x["severity"] == s).unwrap().clone();
        assert_eq!(cell("ddos", "high"), json!({"category": "ddos", "severity": "high", "count": 2, "unresolved": 1}));
        assert_eq!(cell("malware", "critical")["count"], 1);
        let older = app.get(&format!("/v1/security-events/summary?month={earlier}"), &w.a_user).await;
        assert_eq!(older.body["total"], 1);
        assert_eq!(
            app.get(&format!("/v1/security-events/summary?agency_id={}", w.agency_b), op).await.body["total"],
            0
        );
        let bad = app.get("/v1/security-events/summary?month=26-1&agency_id=x", &w.a_user).await;
        assert_eq!(bad.problem_fields(), ["month", "agency_id"]);
        let filtered = app.get("/v1/security-events?category=ddos&status=resolved", &w.a_user).await;
        assert_eq!(ids(&filtered), [ddos]);
        app.get("/v1/security-events?severity=urgent", &w.a_user).await.assert_problem(400, "invalid-parameters");
    })
    .await;
}

#[actix_web::test]
async fn demo_seed_shows_incidents_outages_security_events_and_a_recomputable_sla() {
    each_backend(async |app| {
        for _ in 0..2 {
            let pool = app.pool.clone();
            actix_web::web::block(move || {
                let mut conn = gsi_persistence::checkout(&pool).unwrap();
                gsi_api::usecases::demo::seed(&mut conn, Utc::now())
            })
            .await
            .unwrap()
            .unwrap();
        }
        let agency_a = token("agency_user", &gsi_api::usecases::demo::DEMO_AGENCY_A.to_string());
        let subscriptions = app.get("/v1/subscriptions", &agency_a).await;
        let items = subscriptions.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "seeding twice registers once: {}", subscriptions.body);
        let internet =
            items.iter().find(|s| s["service_kind"] == "government_internet").unwrap()["id"].as_str().unwrap();
        let incidents = app.get(&format!("/v1/incidents?subscription_id={internet}"), &agency_a).await;
        let incidents = incidents.body["items"].as_array().unwrap();
        assert_eq!(incidents.len(), 2);
        assert_eq!(incidents[0]["state"], "closed");
        assert_eq!(incidents[0]["deadlines"]["resolution"], "met");
        assert_eq!(incidents[1]["state"], "on_hold");
        assert_eq!(ids(&app.get("/v1/security-events", &agency_a).await).len(), 2);

        let last = Month::containing(Utc::now()).previous();
        let sla = app.get(&format!("/v1/subscriptions/{internet}/sla?month={last}"), &agency_a).await;
        assert_eq!(sla.status, 200, "{}", sla.body);
        let av = &sla.body["availability"];
        assert_eq!((av["excluded_minutes"].as_i64(), av["downtime_minutes"].as_i64()), (Some(120), Some(47)));
        let measured = last.minutes() - 120;
        let scaled = (measured - 47) * 1_000_000 / measured;
        assert_eq!(av["achieved_percent"], format!("{}.{:04}", scaled / 10_000, scaled % 10_000));
        assert_eq!(sla.body["excluded_outages"][0]["decision"]["kind"], "planned_maintenance");
        assert_eq!(sla.body["counted_outages"][0]["cause"], "Fibre cut by road works on Rama IV Road");
        assert_eq!(sla.body["reliability"]["incidents_met"], 1);
        assert_eq!(sla.body["credit"]["tier"]["credit_percent"], "10");
        // The demo meters 500 Mbps × 320.00 + 8 IPs × 200.00 for last month; 10 % of it.
        assert_eq!(sla.body["credit"]["month_charge"], "161600.00");
        assert_eq!(sla.body["credit"]["amount"], "16160.00");

        // Agency B sees its own demo data only.
        let agency_b = token("agency_admin", &gsi_api::usecases::demo::DEMO_AGENCY_B.to_string());
        assert_eq!(ids(&app.get("/v1/incidents", &agency_b).await).len(), 1);
        assert!(ids(&app.get("/v1/outages", &agency_b).await).is_empty());
        assert_eq!(ids(&app.get("/v1/security-events", &agency_b).await).len(), 2);
    })
    .await;
}
