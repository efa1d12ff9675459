//! Events for integrators (issue 11): the feed in commit order, signed webhooks delivered at
//! least once with retries, pause and resume, secret rotation, tenancy, the private-address
//! guard, two instances on one PostgreSQL, and a SIGKILL with pending events. Runs over the
//! demo data, on every backend.

use std::time::Duration;

use chrono::{SecondsFormat, Utc};
use gsi_persistence::testing::Backend;
use serde_json::{Value, json};

use crate::server_process::ServerProcess;
use crate::support::{TestApp, TestClock, each_backend, each_backend_with_clock, gix, spawn_app_with_env, token};
use crate::webhook_receiver::{Receiver, verify};

const AGENCY_A: &str = "00000000-0000-7000-8000-000000000a01";
const AGENCY_B: &str = "00000000-0000-7000-8000-000000000a02";
const NETWORK: &str = "00000000-0000-7000-8000-000000000b01";
const INTERNET_OFFERING: &str = "00000000-0000-7000-8000-000000020001";
const WAIT: Duration = Duration::from_secs(15);

fn seed(app: &TestApp, now: chrono::DateTime<Utc>) {
    let mut conn = gsi_persistence::checkout(&app.pool).expect("connection");
    gsi_api::usecases::demo::seed(&mut conn, now).expect("demo data");
}

fn all_types() -> Vec<&'static str> {
    gsi_domain::events::EVENT_TYPES.iter().map(|(_, name, ..)| *name).collect()
}

/// Subscribes; returns (subscription id, secret).
async fn subscribe(app: &TestApp, token: &str, url: &str, types: &[&str]) -> (String, String) {
    let reply = app.post("/v1/webhook-subscriptions", token, &json!({"url": url, "event_types": types})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["status"], "active");
    let id = reply.body["id"].as_str().unwrap().to_owned();
    assert_eq!(reply.header("location"), Some(format!("/v1/webhook-subscriptions/{id}")));
    (id, reply.body["secret"].as_str().unwrap().to_owned())
}

/// Reads the caller's feed to its end; returns (events, cursor).
async fn read_feed(app: &TestApp, token: &str, after: &str) -> (Vec<Value>, String) {
    let mut cursor = after.to_owned();
    let mut events = Vec::new();
    loop {
        let page = app.get(&format!("/v1/events?after={cursor}&limit=200"), token).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let items = page.body["items"].as_array().unwrap().clone();
        cursor = page.body["next_cursor"].as_str().unwrap().to_owned();
        if items.is_empty() {
            return (events, cursor);
        }
        events.extend(items);
    }
}

fn types_of(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// One of agency A's demo incidents.
async fn incident_of_a(app: &TestApp) -> String {
    let list = app.get("/v1/incidents", &token("agency_admin", AGENCY_A)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    list.body["items"][0]["id"].as_str().expect("a demo incident").to_owned()
}

async fn comment(app: &TestApp, incident: &str, note: &str) {
    let reply = app
        .post(&format!("/v1/incidents/{incident}/comments"), &token("agency_admin", AGENCY_A), &json!({"note": note}))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

async fn step(app: &TestApp, id: &str, name: &str, token: &str, body: &Value) -> Value {
    let etag = app.get(&format!("/v1/service-requests/{id}"), token).await.header("etag").expect("etag");
    let reply = app
        .request("POST", &format!("/v1/service-requests/{id}/{name}"), Some(token), &[("If-Match", &etag)], Some(body))
        .await;
    assert_eq!(reply.status, 200, "{name}: {}", reply.body);
    reply.body
}

#[actix_web::test]
async fn gsi_a_1_a_full_appendix_a_walk_emits_its_events_in_order_on_the_feed_and_as_signed_webhooks() {
    each_backend_with_clock(async |app, clock: TestClock| {
        seed(&app, clock.now());
        let receiver = Receiver::start().await;
        let admin = token("agency_admin", AGENCY_A);
        let network = token("provider_operator", NETWORK);
        let types = [
            "service_request.submitted",
            "service_request.review_started",
            "service_request.quoted",
            "service_request.confirmed",
            "service_request.work_started",
            "service_request.progress_reported",
            "service_request.completed",
            "subscription.changed",
        ];
        let (_, secret) = subscribe(&app, &admin, &receiver.url, &types).await;
        let (_, start) = read_feed(&app, &admin, "0").await;

        let subscriptions = app.get("/v1/subscriptions", &admin).await;
        let internet = subscriptions.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["offering_id"] == INTERNET_OFFERING)
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .unwrap();
        let request = json!({"kind": "change", "subscription_id": internet, "quantities": {"mbps_month": "12000"}});
        let submitted = app.post("/v1/service-requests", &admin, &request).await;
        assert_eq!(submitted.status, 201, "{}", submitted.body);
        let id = submitted.body["id"].as_str().unwrap().to_owned();
        step(&app, &id, "review", &network, &json!({})).await;
        let until = (clock.now() + chrono::Duration::days(7)).to_rfc3339_opts(SecondsFormat::Micros, true);
        let quote = json!({"outcome": "approved", "confirmed_quantities": {"mbps_month": "10000"},
                           "monthly_cost_delta": "3040000.00", "valid_until": until});
        let quoted = step(&app, &id, "quotes", &network, &quote).await;
        step(&app, &id, "confirm", &admin, &json!({"quote_id": quoted["current_quote_id"]})).await;
        step(&app, &id, "start", &network, &json!({})).await;
        step(&app, &id, "progress", &network, &json!({"percent": 60, "note": "port reconfigured"})).await;
        step(&app, &id, "complete", &network, &json!({})).await;

        // The feed: exactly the walk, in order, each naming its resource, state and link.
        let (events, end) = read_feed(&app, &admin, &start).await;
        assert_eq!(types_of(&events), types, "{events:#?}");
        let states: Vec<&str> = events.iter().map(|e| e["resource"]["state"].as_str().unwrap()).collect();
        assert_eq!(
            states,
            ["submitted", "under_review", "quoted", "confirmed", "in_progress", "in_progress", "completed", "active"]
        );
        for e in &events[..7] {
            assert_eq!(e["resource"]["id"], id.as_str());
            assert_eq!(e["resource"]["link"], format!("/v1/service-requests/{id}"));
            let orgs: Vec<&str> = e["organisations"].as_array().unwrap().iter().map(|o| o.as_str().unwrap()).collect();
            assert!(orgs.contains(&AGENCY_A) && orgs.contains(&NETWORK) && orgs.contains(&crate::support::GIX));
        }
        assert_eq!(events[7]["resource"]["id"], internet.as_str());
        assert_eq!(events[2]["data"]["from"], "under_review");
        // The cursor moves on and nothing is behind it.
        let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
        assert_eq!(read_feed(&app, &admin, &end).await.0, Vec::<Value>::new());
        let only = app.get(&format!("/v1/events?after={start}&types=service_request.quoted"), &admin).await;
        assert_eq!(types_of(only.body["items"].as_array().unwrap()), ["service_request.quoted"]);
        // The provider and GIX see the same events.
        let (theirs, _) = read_feed(&app, &network, &start).await;
        assert!(types.iter().all(|t| types_of(&theirs).contains(t)));
        assert!(read_feed(&app, &gix(), &start).await.0.iter().any(|e| e["resource"]["id"] == id.as_str()));

        // Webhooks: every event once, signed per Standard Webhooks, the body as in the feed.
        let got = receiver.wait_for(events.len(), WAIT).await;
        for delivery in &got {
            assert!(verify(&secret, delivery), "signature does not verify: {delivery:?}");
            assert_eq!(delivery.json["id"], delivery.id.as_str());
            let in_feed = events.iter().find(|e| e["id"] == delivery.id.as_str()).expect("a feed event");
            assert_eq!(&delivery.json, in_feed);
            let age = Utc::now().timestamp() - delivery.timestamp.parse::<i64>().unwrap();
            assert!((0..60).contains(&age), "webhook-timestamp is now-ish");
        }
        let mut delivered: Vec<&str> = got.iter().map(|d| d.id.as_str()).collect();
        delivered.sort_unstable();
        let mut expected = ids.clone();
        expected.sort_unstable();
        assert_eq!(delivered, expected);
        receiver.stop().await;
    })
    .await;
}

#[actix_web::test]
async fn a_receiver_answering_500_then_200_gets_the_event_again_and_the_log_shows_both_attempts() {
    // The system clock: retries become due as real time passes.
    each_backend(async |app| {
        seed(&app, Utc::now());
        let receiver = Receiver::start().await;
        let admin = token("agency_admin", AGENCY_A);
        let (sub, secret) = subscribe(&app, &admin, &receiver.url, &["incident.commented"]).await;
        let incident = incident_of_a(&app).await;
        receiver.respond_with(&[500]);
        comment(&app, &incident, "first").await;
        let got = receiver.wait_for(2, WAIT).await;
        assert_eq!(got[0].id, got[1].id, "the same event, again");
        assert!(verify(&secret, &got[1]));
        // The log is written just after the answer; give it a moment.
        let log = wait_for_attempts(&app, &admin, &sub, 2).await;
        let attempts = log.as_array().unwrap();
        assert_eq!((attempts[0]["attempt"].as_u64(), attempts[0]["status_code"].as_u64()), (Some(2), Some(200)));
        assert_eq!(attempts[0]["delivered"], true);
        assert_eq!((attempts[1]["attempt"].as_u64(), attempts[1]["status_code"].as_u64()), (Some(1), Some(500)));
        assert_eq!((&attempts[1]["delivered"], &attempts[1]["error"]), (&json!(false), &json!("HTTP 500")));
        assert_eq!(attempts[0]["event_id"], got[0].id.as_str());
        assert!(attempts[1]["latency_ms"].is_u64());

        // Three failures in a row pause it; its owner sees why; events queue meanwhile.
        receiver.respond_with(&[500, 503, 500]);
        comment(&app, &incident, "second").await;
        let paused = wait_for_status(&app, &admin, &sub, "paused").await;
        assert!(
            paused["paused_reason"].as_str().unwrap().contains("3 consecutive failed attempts; last: HTTP 500"),
            "{paused}"
        );
        comment(&app, &incident, "third").await;
        actix_web::rt::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(receiver.received().len(), 5, "nothing is delivered while paused");
        let queued = app.get(&format!("/v1/webhook-subscriptions/{sub}"), &admin).await;
        assert_eq!(queued.body["pending_deliveries"], 2);

        // Resumed: the backlog is delivered.
        let stale = app.get(&format!("/v1/webhook-subscriptions/{sub}"), &admin).await.header("etag").unwrap();
        let path = format!("/v1/webhook-subscriptions/{sub}/resume");
        app.post(&path, &admin, &json!({})).await.assert_problem(428, "precondition-required");
        let resumed = owner_action(&app, &admin, &sub, "resume").await;
        app.request("POST", &path, Some(&admin), &[("If-Match", &stale)], None)
            .await
            .assert_problem(412, "precondition-failed");
        assert_eq!((resumed.status.as_u16(), &resumed.body["status"]), (200, &json!("active")), "{}", resumed.body);
        let got = receiver.wait_for(7, WAIT).await;
        let notes: Vec<&str> = got[5..].iter().map(|d| d.json["type"].as_str().unwrap()).collect();
        assert_eq!(notes, ["incident.commented", "incident.commented"]);
        let done = wait_for_pending(&app, &admin, &sub, 0).await;
        assert_eq!(done["consecutive_failures"], 0);

        // Rotation: for the grace period both secrets sign.
        let rotated = owner_action(&app, &admin, &sub, "rotate-secret").await;
        assert_eq!(rotated.status, 200, "{}", rotated.body);
        let new_secret = rotated.body["secret"].as_str().unwrap().to_owned();
        assert_ne!(new_secret, secret);
        assert!(rotated.body["previous_secret_expires_at"].is_string());
        comment(&app, &incident, "fourth").await;
        let got = receiver.wait_for(8, WAIT).await;
        assert!(verify(&new_secret, &got[7]) && verify(&secret, &got[7]), "{:?}", got[7]);
        assert_eq!(got[7].signature.split(' ').count(), 2);
        receiver.stop().await;
    })
    .await;
}

/// An owner's action with the current `If-Match`.
async fn owner_action(app: &TestApp, token: &str, sub: &str, action: &str) -> crate::support::Reply {
    let etag = app.get(&format!("/v1/webhook-subscriptions/{sub}"), token).await.header("etag").expect("etag");
    let path = format!("/v1/webhook-subscriptions/{sub}/{action}");
    let reply = app.request("POST", &path, Some(token), &[("If-Match", &etag)], None).await;
    assert_eq!(reply.status, 200, "{action}: {}", reply.body);
    assert_ne!(reply.header("etag").expect("an ETag"), etag, "{action} moves the version");
    reply
}

async fn wait_for_attempts(app: &TestApp, token: &str, sub: &str, n: usize) -> Value {
    for _ in 0..200 {
        let log = app.get(&format!("/v1/webhook-subscriptions/{sub}/attempts"), token).await;
        assert_eq!(log.status, 200, "{}", log.body);
        if log.body["items"].as_array().unwrap().len() >= n {
            return log.body["items"].clone();
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("fewer than {n} attempts logged");
}

async fn wait_for_status(app: &TestApp, token: &str, sub: &str, status: &str) -> Value {
    for _ in 0..400 {
        let s = app.get(&format!("/v1/webhook-subscriptions/{sub}"), token).await;
        if s.body["status"] == status {
            return s.body;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("subscription never became {status}");
}

async fn wait_for_pending(app: &TestApp, token: &str, sub: &str, pending: i64) -> Value {
    for _ in 0..400 {
        let s = app.get(&format!("/v1/webhook-subscriptions/{sub}"), token).await;
        if s.body["pending_deliveries"] == pending {
            return s.body;
        }
        actix_web::rt::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("pending deliveries never reached {pending}");
}

#[actix_web::test]
async fn a_slow_receiver_does_not_hold_up_other_receivers_and_redirects_are_not_followed() {
    each_backend(async |app| {
        seed(&app, Utc::now());
        let slow = Receiver::start().await;
        slow.delay(Duration::from_secs(2));
        let fast = Receiver::start().await;
        fast.respond_with(&[302]);
        let a = token("agency_admin", AGENCY_A);
        subscribe(&app, &a, &slow.url, &["incident.commented"]).await;
        let (fast_sub, _) = subscribe(&app, &a, &fast.url, &["incident.commented"]).await;
        comment(&app, &incident_of_a(&app).await, "one for each").await;
        // The fast receiver is served (its redirect refused, then retried) while the slow
        // one still holds its first request; requests are answered meanwhile.
        let got = fast.wait_for(2, WAIT).await;
        assert!(slow.received().is_empty(), "the slow receiver answers only after 2 s");
        assert_eq!(app.get("/v1/events", &a).await.status, 200);
        assert!(got.iter().all(|r| r.path == "/hooks/gsi"), "the redirect was not followed: {got:?}");
        let log = wait_for_attempts(&app, &a, &fast_sub, 2).await;
        assert_eq!(log[1]["status_code"], 302);
        assert_eq!(log[1]["error"], "HTTP 302 (redirects are not followed)");
        assert_eq!(log[0]["delivered"], true);
        slow.wait_for(1, WAIT).await;
        slow.stop().await;
        fast.stop().await;
    })
    .await;
}

#[actix_web::test]
async fn the_feed_and_webhooks_never_show_another_agencys_events() {
    each_backend_with_clock(async |app, clock: TestClock| {
        seed(&app, clock.now());
        let a_receiver = Receiver::start().await;
        let b_receiver = Receiver::start().await;
        let a = token("agency_admin", AGENCY_A);
        let b = token("agency_admin", AGENCY_B);
        subscribe(&app, &a, &a_receiver.url, &["incident.commented"]).await;
        let (b_sub, _) = subscribe(&app, &b, &b_receiver.url, &all_types()).await;
        let (_, b_start) = read_feed(&app, &b, "0").await;
        let (_, a_start) = read_feed(&app, &a, "0").await;
        let incident = incident_of_a(&app).await;
        comment(&app, &incident, "agency A only").await;
        a_receiver.wait_for(1, WAIT).await;
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        assert!(b_receiver.received().is_empty(), "{:?}", b_receiver.received());
        assert_eq!(read_feed(&app, &b, &b_start).await.0, Vec::<Value>::new());
        let (a_events, _) = read_feed(&app, &a, &a_start).await;
        assert_eq!(types_of(&a_events), ["incident.commented"]);
        assert!(!a_events[0]["organisations"].as_array().unwrap().contains(&json!(AGENCY_B)));
        // B's whole feed (demo data included) holds nothing about A's incident.
        let (all_b, _) = read_feed(&app, &b, "0").await;
        assert!(all_b.iter().all(|e| e["resource"]["id"] != incident.as_str()));
        // Another organisation's subscription is 404, in every operation.
        for path in ["", "/attempts"] {
            app.get(&format!("/v1/webhook-subscriptions/{b_sub}{path}"), &a).await.assert_problem(404, "not-found");
        }
        app.request(
            "POST",
            &format!("/v1/webhook-subscriptions/{b_sub}/pause"),
            Some(&a),
            &[("If-Match", "\"1\"")],
            None,
        )
        .await
        .assert_problem(404, "not-found");
        let listed = app.get("/v1/webhook-subscriptions", &a).await;
        assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
        // An agency's plain user reads the feed but does not manage webhooks.
        let user = token("agency_user", AGENCY_A);
        assert_eq!(app.get("/v1/events", &user).await.status, 200);
        app.post(
            "/v1/webhook-subscriptions",
            &user,
            &json!({"url": a_receiver.url, "event_types": ["incident.reported"]}),
        )
        .await
        .assert_problem(403, "forbidden");
        a_receiver.stop().await;
        b_receiver.stop().await;
    })
    .await;
}

#[actix_web::test]
async fn a_callback_to_a_private_address_is_refused_unless_allowed() {
    for backend in gsi_persistence::testing::backends() {
        // http stays allowed here so that the delivery-time check below meets the address
        // rule, not the scheme rule; the scheme rule has its own unit test.
        let strict = [("GSI_WEBHOOK_ALLOW_HTTP", "true"), ("GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "false")];
        let app = spawn_app_with_env(backend, gsi_api::Clock::system(), &strict).await;
        let a = token("agency_admin", AGENCY_A);
        seed(&app, Utc::now());
        for (url, code) in [
            ("https://10.0.0.7/hook", "forbidden_address"),
            ("https://169.254.169.254/latest/meta-data", "forbidden_address"),
            ("https://[::1]:8443/hook", "forbidden_address"),
            ("https://localhost/hook", "forbidden_address"),
            ("ftp://erp.example.co.th/hook", "https_required"),
            ("http://127.0.0.1:8080/hook", "forbidden_address"),
            ("https://user:pw@erp.example.co.th/hook", "invalid_url"),
        ] {
            let reply = app
                .post("/v1/webhook-subscriptions", &a, &json!({"url": url, "event_types": ["incident.reported"]}))
                .await;
            reply.assert_problem(422, "validation-error");
            assert_eq!(reply.body["errors"][0]["field"], "url", "{url}");
            assert_eq!(reply.body["errors"][0]["code"], code, "{url}: {}", reply.body);
        }
        let unknown = app
            .post(
                "/v1/webhook-subscriptions",
                &a,
                &json!({"url": "https://erp.example.co.th/h", "event_types": ["nope"]}),
            )
            .await;
        assert_eq!(unknown.problem_fields(), ["event_types[0]"]);
        let public = app
            .post(
                "/v1/webhook-subscriptions",
                &a,
                &json!({"url": "https://erp.example.co.th/h", "event_types": ["incident.reported"]}),
            )
            .await;
        assert_eq!(public.status, 201, "{}", public.body);

        // Checked again at delivery time: a stored loopback URL (allowed when it was stored,
        // or a name that now resolves there) gets no request, and the log says why.
        let receiver = Receiver::start().await;
        let now = Utc::now();
        let stored = gsi_domain::webhook::WebhookSubscription {
            id: gsi_domain::WebhookSubscriptionId::new_v7(now),
            organisation: AGENCY_A.parse().unwrap(),
            url: receiver.url.clone(),
            event_types: vec![gsi_domain::events::EventType::IncidentCommented],
            description: None,
            status: gsi_domain::webhook::SubscriptionStatus::Active,
            paused_reason: None,
            paused_at: None,
            consecutive_failures: 0,
            secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
            previous_secret: None,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        gsi_persistence::repos::webhooks::insert(&mut conn, &stored).unwrap();
        drop(conn);
        comment(&app, &incident_of_a(&app).await, "to a loopback receiver").await;
        let log = wait_for_attempts(&app, &a, &stored.id.to_string(), 1).await;
        assert_eq!(log[0]["delivered"], false);
        assert_eq!(log[0]["status_code"], Value::Null);
        let error = log[0]["error"].as_str().unwrap();
        assert!(error.contains("refused callback URL") && error.contains("loopback"), "{error}");
        assert!(receiver.received().is_empty());
        receiver.stop().await;
        app.stop_handle().stop(false).await;
    }
}

#[actix_web::test]
async fn two_instances_on_one_postgresql_make_each_attempt_once() {
    if !gsi_persistence::testing::backends().contains(&Backend::Postgres) {
        eprintln!("PostgreSQL not configured (GSI_TEST_POSTGRES_URL): several instances need it");
        return;
    }
    let app = spawn_app_with_env(Backend::Postgres, gsi_api::Clock::system(), &[]).await;
    let (_, second) = crate::support::spawn_instance(app.database_url(), gsi_api::Clock::system(), &[]).await;
    seed(&app, Utc::now());
    let receiver = Receiver::start().await;
    receiver.delay(Duration::from_millis(20));
    let a = token("agency_admin", AGENCY_A);
    let (sub, _) = subscribe(&app, &a, &receiver.url, &["incident.commented"]).await;
    let incident = incident_of_a(&app).await;
    let n = 30;
    for i in 0..n {
        comment(&app, &incident, &format!("comment {i}")).await;
    }
    let got = receiver.wait_for(n, WAIT).await;
    wait_for_pending(&app, &a, &sub, 0).await;
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    let got_after = receiver.received();
    assert_eq!(got_after.len(), got.len().max(n), "no event was delivered twice");
    let mut ids: Vec<&str> = got_after.iter().map(|d| d.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n);
    let log = app.get(&format!("/v1/webhook-subscriptions/{sub}/attempts?limit=200"), &a).await;
    let attempts = log.body["items"].as_array().unwrap();
    assert_eq!(attempts.len(), n, "one attempt per event");
    assert!(attempts.iter().all(|t| t["attempt"] == 1 && t["delivered"] == true));
    second.stop(false).await;
    app.stop_handle().stop(false).await;
    receiver.stop().await;
}

#[actix_web::test]
async fn a_server_killed_with_pending_events_delivers_them_after_restart() {
    for backend in gsi_persistence::testing::backends() {
        let db = gsi_persistence::testing::TestDatabase::create(backend);
        let receiver = Receiver::start().await;
        // First life: no worker, so the event stays pending; then SIGKILL.
        let mut first = ServerProcess::start(&db.url, None, &process_env(false)).await;
        let pool = db.pool();
        {
            let mut conn = gsi_persistence::checkout(&pool).unwrap();
            gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        }
        let a = token("agency_admin", AGENCY_A);
        let subscribed = first
            .send(
                "POST",
                "/v1/webhook-subscriptions",
                Some(&a),
                &[],
                Some(
                    &serde_json::to_vec(&json!({"url": receiver.url, "event_types": ["incident.commented"]})).unwrap(),
                ),
            )
            .await
            .unwrap();
        assert_eq!(subscribed.status, 201, "{}", subscribed.body);
        let sub = subscribed.body["id"].as_str().unwrap().to_owned();
        let secret = subscribed.body["secret"].as_str().unwrap().to_owned();
        let incidents = first.send("GET", "/v1/incidents", Some(&a), &[], None).await.unwrap();
        let incident = incidents.body["items"][0]["id"].as_str().unwrap().to_owned();
        let comment = serde_json::to_vec(&json!({"note": "before the crash"})).unwrap();
        let commented = first
            .send("POST", &format!("/v1/incidents/{incident}/comments"), Some(&a), &[], Some(&comment))
            .await
            .unwrap();
        assert!(commented.status.is_success(), "{}", commented.body);
        let pending =
            first.send("GET", &format!("/v1/webhook-subscriptions/{sub}"), Some(&a), &[], None).await.unwrap();
        assert_eq!(pending.body["pending_deliveries"], 1, "{}", pending.body);
        first.kill();
        assert!(receiver.received().is_empty());

        // Second life, worker on: the pending event is delivered.
        let mut second = ServerProcess::start(&db.url, None, &process_env(true)).await;
        let got = receiver.wait_for(1, WAIT).await;
        assert_eq!(got[0].json["type"], "incident.commented");
        assert!(verify(&secret, &got[0]));
        second.terminate();
        assert!(second.wait_exit(std::time::Duration::from_secs(10)).is_some(), "the server exits on SIGTERM");
        receiver.stop().await;
        drop(pool);
    }
}

#[actix_web::test]
async fn the_event_feed_refuses_bad_parameters_by_name() {
    each_backend(async |app| {
        let a = token("agency_admin", AGENCY_A);
        let reply = app.get("/v1/events?after=x&types=nope&limit=0", &a).await;
        reply.assert_problem(400, "invalid-parameters");
        assert_eq!(reply.problem_fields(), ["after", "limit", "types"]);
        let empty = app.get("/v1/events", &a).await;
        assert_eq!((empty.body["items"].clone(), empty.body["next_cursor"].clone()), (json!([]), json!("0")));
        app.request("GET", "/v1/events", None, &[], None).await.assert_problem(401, "unauthenticated");
    })
    .await;
}

#[actix_web::test]
async fn the_openapi_document_lists_every_event_type_with_its_payload_schema() {
    let spec = serde_json::to_value(gsi_api::openapi_spec()).unwrap();
    let webhooks = spec["webhooks"].as_object().expect("a webhooks section");
    let mut names: Vec<&str> = webhooks.keys().map(String::as_str).collect();
    names.sort_unstable();
    let mut expected = all_types();
    expected.sort_unstable();
    assert_eq!(names, expected);
    for (name, item) in webhooks {
        let post = &item["post"];
        let headers: Vec<&str> =
            post["parameters"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
        assert_eq!(headers, ["webhook-id", "webhook-timestamp", "webhook-signature"], "{name}");
        let schema = &post["requestBody"]["content"]["application/json"]["schema"]["allOf"];
        assert_eq!(schema[0]["$ref"], "#/components/schemas/EventBody", "{name}");
        assert_eq!(schema[1]["properties"]["type"]["enum"], json!([name]), "{name}");
        assert_eq!(schema[1]["properties"]["data"]["type"], "object", "{name}");
    }
    assert!(spec["components"]["schemas"]["EventBody"]["properties"]["resource"].is_object());
}

/// Webhook settings for a server process: loopback http receivers allowed, fast polling.
fn process_env(worker: bool) -> [(&'static str, &'static str); 5] {
    [
        ("GSI_WEBHOOK_WORKER", if worker { "true" } else { "false" }),
        ("GSI_WEBHOOK_ALLOW_HTTP", "true"),
        ("GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES", "true"),
        ("GSI_WEBHOOK_POLL_MS", "50"),
        ("GSI_WEBHOOK_RETRY_BASE_MS", "100"),
    ]
}
