//! GSI-7.5.2 and 13.1: subscriptions as agencies, providers and GIX see them, the
//! onboarding of existing contracts, and the provider's lifecycle steps. The demo data
//! (two agencies, two listed providers, a published catalog, three running contracts)
//! is the fixture.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::support::{Reply, TestApp, each_backend, gix, token};

const AGENCY_A: &str = "00000000-0000-7000-8000-000000000a01";
const AGENCY_B: &str = "00000000-0000-7000-8000-000000000a02";
const NETWORK: &str = "00000000-0000-7000-8000-000000000b01";
const CLOUD: &str = "00000000-0000-7000-8000-000000000b02";
const A_INTERNET: &str = "00000000-0000-7000-8000-000000000d01";
const A_CLOUD: &str = "00000000-0000-7000-8000-000000000d02";
const B_INTRANET: &str = "00000000-0000-7000-8000-000000000d03";

fn seed(app: &TestApp) {
    let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
    gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
}

fn ids(reply: &Reply) -> Vec<String> {
    reply.body["items"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap().to_owned()).collect()
}

fn gov_internet_offering(app_catalog: &Reply) -> String {
    app_catalog.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "government_internet" && o["base_offering_id"].is_null())
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .expect("a government internet base offering")
}

async fn existing(app: &TestApp, operator: &str, body: &Value) -> Reply {
    app.post("/v1/subscriptions/existing", operator, body).await
}

fn contract(agency: &str, offering: &str, mbps: &str) -> Value {
    json!({
        "agency_id": agency,
        "offering_id": offering,
        "quantities": [{"metric": "mbps_month", "quantity": mbps}],
        "starts_at": (Utc::now() - Duration::days(30)).to_rfc3339(),
    })
}

#[actix_web::test]
async fn gsi_7_5_2_each_party_sees_exactly_its_subscriptions() {
    each_backend(async |app| {
        seed(&app);
        let a = app.get("/v1/subscriptions", &token("agency_user", AGENCY_A)).await;
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(ids(&a), [A_INTERNET, A_CLOUD]);
        let internet = &a.body["items"][0];
        assert_eq!(internet["service_kind"], "government_internet");
        assert_eq!(internet["quantities"], json!({"mbps_month": "500"}));
        assert_eq!(internet["add_ons"][0]["quantities"], json!({"public_ip_month": "8"}));
        assert!(internet["sla"]["availability_percent"].is_string(), "SLA terms are shown: {internet}");
        assert_eq!(internet["sla"]["priorities"].as_array().unwrap().len(), 4);
        assert_eq!(internet["status"], "active");
        assert_eq!(internet["provider_not_listed"], false);

        let b = app.get("/v1/subscriptions", &token("agency_admin", AGENCY_B)).await;
        assert_eq!(ids(&b), [B_INTRANET]);
        let cloud = app.get("/v1/subscriptions", &token("provider_operator", CLOUD)).await;
        assert_eq!(ids(&cloud), [A_CLOUD]);
        let all = app.get("/v1/subscriptions", &gix()).await;
        assert_eq!(ids(&all), [A_INTERNET, A_CLOUD, B_INTRANET]);
        let assessor = app.get("/v1/subscriptions", &token("assessor", AGENCY_A)).await;
        assert_eq!(assessor.body["items"], json!([]));

        let own = app.get(&format!("/v1/subscriptions/{A_INTERNET}"), &token("agency_user", AGENCY_A)).await;
        assert_eq!(own.status, 200);
        assert_eq!(own.header("etag").as_deref(), Some("\"1\""));
        for stranger in [token("agency_admin", AGENCY_B), token("provider_operator", CLOUD)] {
            app.get(&format!("/v1/subscriptions/{A_INTERNET}"), &stranger).await.assert_problem(404, "not-found");
        }

        let filtered = app.get("/v1/subscriptions?family=cloud&status=active", &gix()).await;
        assert_eq!(ids(&filtered), [A_CLOUD]);
        let by_provider = app.get(&format!("/v1/subscriptions?provider_id={NETWORK}"), &gix()).await;
        assert_eq!(ids(&by_provider), [A_INTERNET, B_INTRANET]);
        let before_b = app.get("/v1/subscriptions?until=2026-02-01T00:00:00%2B07:00", &gix()).await;
        assert_eq!(ids(&before_b), [A_INTERNET, A_CLOUD], "B's intranet started in April 2026");
        let bad = app.get("/v1/subscriptions?status=running&provider_id=x", &gix()).await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["provider_id", "status"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_2_a_provider_registers_an_existing_contract() {
    each_backend(async |app| {
        seed(&app);
        let operator = token("provider_operator", NETWORK);
        let catalog = app.get(&format!("/v1/offerings?provider_id={NETWORK}"), &operator).await;
        let offering = gov_internet_offering(&catalog);

        let created = existing(&app, &operator, &contract(AGENCY_B, &offering, "200")).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = created.body["id"].as_str().unwrap().to_owned();
        assert_eq!(created.header("location"), Some(format!("/v1/subscriptions/{id}")));
        assert_eq!(created.body["status"], "active");
        assert_eq!(created.body["origin"], "pre_existing");

        // The agency sees it, with the SLA frozen from the offering.
        let seen = app.get(&format!("/v1/subscriptions/{id}"), &token("agency_user", AGENCY_B)).await;
        assert_eq!(seen.status, 200);
        assert_eq!(seen.body["quantities"], json!({"mbps_month": "200"}));
        assert_eq!(seen.body["sla"], created.body["sla"]);
        // And its audit log says who registered it.
        let events = app.get("/v1/audit-events?action=subscription.registered", &token("agency_admin", AGENCY_B)).await;
        let mine: Vec<&Value> =
            events.body["items"].as_array().unwrap().iter().filter(|e| e["resource_id"] == id).collect();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0]["actor_role"], "provider_operator");

        // Every bad field is named.
        let mut bad = contract("0190f5c2-0000-7000-8000-00000000dead", &offering, "20000");
        bad["quantities"] =
            json!([{"metric": "mbps_month", "quantity": "20000"}, {"metric": "vcpu_hour", "quantity": "2"}]);
        let refused = existing(&app, &operator, &bad).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.problem_fields(), ["agency_id"], "the agency is checked first");
        bad["agency_id"] = json!(AGENCY_B);
        bad["starts_at"] = json!((Utc::now() + Duration::days(3)).to_rfc3339());
        let refused = existing(&app, &operator, &bad).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.problem_fields(), ["starts_at", "quantities[0].quantity", "quantities[1].metric"]);

        // Another provider's offering is not this provider's to register.
        let cloud_catalog = app.get(&format!("/v1/offerings?provider_id={CLOUD}"), &gix()).await;
        let cloud_offering = cloud_catalog.body["items"][0]["id"].as_str().unwrap().to_owned();
        let foreign = existing(&app, &operator, &contract(AGENCY_B, &cloud_offering, "1")).await;
        foreign.assert_problem(422, "validation-error");
        assert_eq!(foreign.problem_fields(), ["offering_id"]);

        // Agencies do not register contracts.
        let agency = existing(&app, &token("agency_admin", AGENCY_B), &contract(AGENCY_B, &offering, "1")).await;
        agency.assert_problem(403, "forbidden");

        let b = app.get("/v1/subscriptions", &token("agency_admin", AGENCY_B)).await;
        assert_eq!(ids(&b), [B_INTRANET, id.as_str()], "nothing else was stored");
    })
    .await;
}

#[actix_web::test]
async fn gsi_13_1_an_unlisted_provider_registers_nothing_and_running_contracts_are_flagged() {
    each_backend(async |app| {
        seed(&app);
        let operator = token("provider_operator", NETWORK);
        let catalog = app.get(&format!("/v1/offerings?provider_id={NETWORK}"), &operator).await;
        let offering = gov_internet_offering(&catalog);
        let delist = app
            .post(
                &format!("/v1/providers/{NETWORK}/listing"),
                &gix(),
                &json!({"family": "network", "action": "delist", "reason": "ISO/IEC 27001 certificate expired"}),
            )
            .await;
        assert_eq!(delist.status, 201, "{}", delist.body);

        let refused = existing(&app, &operator, &contract(AGENCY_B, &offering, "100")).await;
        refused.assert_problem(422, "provider-not-listed");
        assert!(refused.body["detail"].as_str().unwrap().contains("GSI-13.1"));

        let a = app.get("/v1/subscriptions", &token("agency_user", AGENCY_A)).await;
        let flags: Vec<(&str, bool)> = a.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_str().unwrap(), s["provider_not_listed"].as_bool().unwrap()))
            .collect();
        assert_eq!(flags, [(A_INTERNET, true), (A_CLOUD, false)], "delisted provider's service stays visible, flagged");
        let one = app.get(&format!("/v1/subscriptions/{A_INTERNET}"), &token("agency_user", AGENCY_A)).await;
        assert_eq!(one.body["provider_not_listed"], true);
        assert_eq!(one.body["status"], "active");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_2_lifecycle_steps_by_the_serving_provider_only() {
    each_backend(async |app| {
        seed(&app);
        let operator = token("provider_operator", NETWORK);
        let path = format!("/v1/subscriptions/{A_INTERNET}/transitions");
        let step = async |token: &str, if_match: Option<&str>, action: &str| {
            let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
            app.request("POST", &path, Some(token), &headers, Some(&json!({"action": action}))).await
        };

        step(&operator, None, "suspend").await.assert_problem(428, "precondition-required");
        step(&token("agency_admin", AGENCY_A), Some("\"1\""), "suspend").await.assert_problem(403, "forbidden");
        step(&token("provider_operator", CLOUD), Some("\"1\""), "suspend").await.assert_problem(404, "not-found");

        let suspended = step(&operator, Some("\"1\""), "suspend").await;
        assert_eq!(suspended.status, 200, "{}", suspended.body);
        assert_eq!(suspended.body["status"], "suspended");
        assert_eq!(suspended.header("etag").as_deref(), Some("\"2\""));
        step(&operator, Some("\"1\""), "resume").await.assert_problem(412, "precondition-failed");

        let resumed = step(&operator, Some("\"2\""), "resume").await;
        assert_eq!(resumed.body["status"], "active");
        let again = step(&operator, Some("\"3\""), "resume").await;
        again.assert_problem(409, "invalid-transition");
        assert_eq!(again.body["current_state"], "active");
        assert_eq!(again.body["allowed_actions"], json!(["suspend", "terminate"]));

        let terminated = step(&operator, Some("\"3\""), "terminate").await;
        assert_eq!(terminated.body["status"], "terminated");
        assert!(terminated.body["ends_at"].is_string(), "termination closes the term");
        // Stored: the agency reads the same.
        let read = app.get(&format!("/v1/subscriptions/{A_INTERNET}"), &token("agency_user", AGENCY_A)).await;
        assert_eq!(read.body["status"], "terminated");
        assert_eq!(read.body["version"], 4);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_2_providers_read_the_profiles_of_agencies_they_serve() {
    each_backend(async |app| {
        seed(&app);
        let cloud = token("provider_operator", CLOUD);
        let served = app.get(&format!("/v1/agencies/{AGENCY_A}/profile"), &cloud).await;
        assert_eq!(served.status, 200, "{}", served.body);
        assert_eq!(served.body["agency_id"], AGENCY_A);
        app.get(&format!("/v1/agencies/{AGENCY_B}/profile"), &cloud).await.assert_problem(404, "not-found");
        // Reading is all: a provider sees the profile but never edits it.
        let edit = app
            .request(
                "PUT",
                &format!("/v1/agencies/{AGENCY_A}/profile"),
                Some(&cloud),
                &[("If-Match", "\"2\"")],
                Some(&crate::support::profile_body("x")),
            )
            .await;
        edit.assert_problem(403, "forbidden");
    })
    .await;
}
