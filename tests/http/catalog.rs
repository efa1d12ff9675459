//! The service catalog: providers keep offerings (GSI-3.6–3.8, 5.1), priced under GIX's
//! reference prices (GSI-7.1) with their history, with service levels (GSI-10.1, 10.2) and
//! capacity limits (GSI-A.1.3); visibility follows `catalog::offering_access`.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::reference_prices::{price_body, set_price};
use crate::support::{Reply, TestApp, each_backend, gix, token};

/// A provider with an operator token, and the compute and backup caps in force.
struct Setup {
    provider: String,
    operator: String,
}

async fn setup(app: &TestApp) -> Setup {
    let from = Utc::now() - Duration::days(30);
    set_price(app, &price_body("compute", "vcpu_hour", "1.20", from, None)).await;
    set_price(app, &price_body("compute", "ram_gb_hour", "0.35", from, None)).await;
    set_price(app, &price_body("backup", "backup_gb_month", "2.50", from, None)).await;
    let provider = app.register("provider", "บริษัท คลาวด์ทดสอบ จำกัด").await;
    let operator = token("provider_operator", &provider);
    Setup { provider, operator }
}

fn sla() -> Value {
    json!({
        "availability_percent": "99.95",
        "max_unplanned_outages_per_month": 2,
        "max_mean_time_to_restore_minutes": 120,
        "priorities": [
            {"priority": "p1", "response_minutes": 15, "resolution_minutes": 120},
            {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
            {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
            {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}
        ],
        "credit_tiers": [{"below_percent": "99.95", "credit_percent": "10"}, {"below_percent": "99", "credit_percent": "25"}]
    })
}

fn compute(vcpu_price: &str) -> Value {
    json!({
        "family": "cloud",
        "kind": "compute",
        "name": "GovCloud VM",
        "description": "เครื่องเสมือนในศูนย์ข้อมูลในประเทศไทย",
        "pricing": [
            {"metric": "vcpu_hour", "unit_price": vcpu_price},
            {"metric": "ram_gb_hour", "unit_price": "0.30"}
        ],
        "sla": sla(),
        "capacity": [{"metric": "vcpu_hour", "max_per_subscription": "128", "provider_total": "4000"}]
    })
}

fn backup_add_on(base: &str) -> Value {
    json!({
        "family": "cloud",
        "kind": "backup",
        "name": "GovCloud Backup",
        "base_offering_id": base,
        "pricing": [{"metric": "backup_gb_month", "unit_price": "2.20"}]
    })
}

async fn create(app: &TestApp, operator: &str, body: &Value) -> Value {
    let reply = app.post("/v1/offerings", operator, body).await;
    assert_eq!(reply.status, 201, "create failed: {}", reply.body);
    reply.body
}

fn id_of(offering: &Value) -> String {
    offering["id"].as_str().unwrap().to_owned()
}

async fn put(app: &TestApp, id: &str, token: &str, if_match: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.request("PUT", &format!("/v1/offerings/{id}"), Some(token), &headers, Some(body)).await
}

async fn action(app: &TestApp, id: &str, action: &str, token: &str, if_match: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.request("POST", &format!("/v1/offerings/{id}/{action}"), Some(token), &headers, None).await
}

async fn listed_ids(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let reply = app.get(&format!("/v1/offerings{query}"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(id_of).collect()
}

async fn history(app: &TestApp, id: &str, token: &str) -> Vec<Value> {
    let reply = app.get(&format!("/v1/offerings/{id}/price-history"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().clone()
}

fn instant(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().expect("an instant")).expect("RFC 3339").with_timezone(&Utc)
}

#[actix_web::test]
async fn gsi_7_1_a_provider_creates_and_publishes_an_offering() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let created = app.post("/v1/offerings", &s.operator, &compute("1.05")).await;
        assert_eq!(created.status, 201, "{}", created.body);
        let id = id_of(&created.body);
        assert_eq!(created.header("location"), Some(format!("/v1/offerings/{id}")));
        assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
        let body = &created.body;
        assert_eq!(body["provider_id"], s.provider.as_str());
        assert_eq!((body["state"].as_str(), body["role"].as_str()), (Some("draft"), Some("base")));
        assert_eq!(
            body["pricing"],
            json!([{"metric": "vcpu_hour", "unit_price": "1.05"}, {"metric": "ram_gb_hour", "unit_price": "0.3"}])
        );
        assert_eq!(body["sla"]["availability_percent"], "99.95");
        assert_eq!(
            body["sla"]["priorities"][0],
            json!({"priority": "p1", "response_minutes": 15, "resolution_minutes": 120})
        );
        assert_eq!(
            body["capacity"],
            json!([{"metric": "vcpu_hour", "max_per_subscription": "128", "provider_total": "4000"}])
        );
        assert!(history(&app, &id, &s.operator).await.is_empty(), "a draft has no price history yet");

        let before = Utc::now();
        let published = action(&app, &id, "publish", &s.operator, Some("\"1\"")).await;
        assert_eq!(published.status, 200, "{}", published.body);
        assert_eq!(published.body["state"], "published");
        assert_eq!(published.header("etag").as_deref(), Some("\"2\""));

        // Read back by an agency: published, with the history started at publication.
        let agency = app.register("agency", "กรมทดสอบ").await;
        let reader = token("agency_user", &agency);
        let read = app.get(&format!("/v1/offerings/{id}"), &reader).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.body, published.body);
        let points = history(&app, &id, &reader).await;
        assert_eq!(points.len(), 2);
        assert_eq!((points[0]["metric"].as_str(), points[0]["unit_price"].as_str()), (Some("vcpu_hour"), Some("1.05")));
        assert_eq!(
            (points[1]["metric"].as_str(), points[1]["unit_price"].as_str()),
            (Some("ram_gb_hour"), Some("0.3"))
        );
        let effective = instant(&points[0]["effective_from"]);
        assert!(effective >= before - Duration::seconds(1) && effective <= Utc::now(), "effective at publication");
        assert_eq!(listed_ids(&app, &reader, "").await, std::slice::from_ref(&id));

        let audit = app.get(&format!("/v1/audit-events?resource_type=offering&resource_id={id}"), &s.operator).await;
        let actions: Vec<&str> =
            audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["offering.created", "offering.published"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_a_price_above_the_cap_is_refused_naming_metric_price_and_cap_and_equal_is_accepted() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let id = id_of(&create(&app, &s.operator, &compute("1.200001")).await);

        let refused = action(&app, &id, "publish", &s.operator, Some("\"1\"")).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(refused.problem_fields(), ["pricing[0].unit_price"]);
        assert_eq!(refused.body["errors"][0]["code"], "above_reference_price");
        let message = refused.body["errors"][0]["message"].as_str().unwrap();
        for part in ["1.200001", "vcpu_hour", "1.2 THB", "GSI-7.1"] {
            assert!(message.contains(part), "`{part}` missing from: {message}");
        }
        let stored = app.get(&format!("/v1/offerings/{id}"), &s.operator).await;
        assert_eq!((stored.body["state"].as_str(), stored.body["version"].as_i64()), (Some("draft"), Some(1)));

        // Exactly the cap: accepted.
        let at_cap = put(&app, &id, &s.operator, Some("\"1\""), &compute("1.20")).await;
        assert_eq!(at_cap.status, 200, "{}", at_cap.body);
        let published = action(&app, &id, "publish", &s.operator, Some("\"2\"")).await;
        assert_eq!(published.status, 200, "{}", published.body);
        assert_eq!(published.body["pricing"][0]["unit_price"], "1.2");

        // No reference price in force for the kind: refused too, clearly.
        let mut storage = compute("1");
        storage["kind"] = json!("storage");
        storage["pricing"] = json!([{"metric": "storage_gb_month", "unit_price": "3"}]);
        storage["capacity"] = json!([]);
        let uncapped = id_of(&create(&app, &s.operator, &storage).await);
        let no_cap = action(&app, &uncapped, "publish", &s.operator, Some("\"1\"")).await;
        no_cap.assert_problem(422, "validation-error");
        assert_eq!(no_cap.problem_fields(), ["pricing[0].unit_price"]);
        assert_eq!(no_cap.body["errors"][0]["code"], "no_reference_price");
        assert!(no_cap.body["errors"][0]["message"].as_str().unwrap().contains("storage/storage_gb_month"));
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_5_another_provider_cannot_see_edit_or_publish_and_agencies_see_published_only() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let id = id_of(&create(&app, &s.operator, &compute("1.05")).await);
        let other = token("provider_operator", &app.register("provider", "ผู้ให้บริการอื่น").await);
        let agency = token("agency_admin", &app.register("agency", "กรมทดสอบ").await);

        for (caller, who) in [(&other, "another provider"), (&agency, "an agency")] {
            app.get(&format!("/v1/offerings/{id}"), caller).await.assert_problem(404, "not-found");
            app.get(&format!("/v1/offerings/{id}/price-history"), caller).await.assert_problem(404, "not-found");
            assert!(listed_ids(&app, caller, "").await.is_empty(), "{who} must not list a draft");
        }
        put(&app, &id, &other, Some("\"1\""), &compute("0.01")).await.assert_problem(404, "not-found");
        action(&app, &id, "publish", &other, Some("\"1\"")).await.assert_problem(404, "not-found");
        // GIX reads drafts for oversight, but does not change them.
        assert_eq!(app.get(&format!("/v1/offerings/{id}"), &gix()).await.status, 200);
        assert_eq!(listed_ids(&app, &gix(), "?state=draft").await, std::slice::from_ref(&id));
        action(&app, &id, "publish", &gix(), Some("\"1\"")).await.assert_problem(403, "forbidden");

        let stored = app.get(&format!("/v1/offerings/{id}"), &s.operator).await;
        assert_eq!((stored.body["state"].as_str(), stored.body["version"].as_i64()), (Some("draft"), Some(1)));
        assert_eq!(stored.body["pricing"][0]["unit_price"], "1.05", "nothing changed");

        assert_eq!(action(&app, &id, "publish", &s.operator, Some("\"1\"")).await.status, 200);
        // Published: agencies read it; another provider still sees none of a competitor's catalog.
        assert_eq!(app.get(&format!("/v1/offerings/{id}"), &agency).await.status, 200);
        assert_eq!(listed_ids(&app, &agency, "?state=published&family=cloud").await, std::slice::from_ref(&id));
        assert!(listed_ids(&app, &agency, "?family=network").await.is_empty());
        app.get(&format!("/v1/offerings/{id}"), &other).await.assert_problem(404, "not-found");
        assert!(listed_ids(&app, &other, "").await.is_empty());
        put(&app, &id, &other, Some("\"2\""), &compute("0.01")).await.assert_problem(404, "not-found");
        action(&app, &id, "retire", &other, Some("\"2\"")).await.assert_problem(404, "not-found");
        // An agency reads it but may not change it.
        put(&app, &id, &agency, Some("\"2\""), &compute("0.01")).await.assert_problem(403, "forbidden");

        let bad_filters = app.get("/v1/offerings?provider_id=nope&family=space&kind=x&state=gone", &agency).await;
        bad_filters.assert_problem(400, "invalid-parameters");
        assert_eq!(bad_filters.problem_fields(), ["provider_id", "family", "kind", "state"]);
        let by_provider = listed_ids(&app, &agency, &format!("?provider_id={}", s.provider)).await;
        assert_eq!(by_provider, [id]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_a_price_change_keeps_history() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let id = id_of(&create(&app, &s.operator, &compute("1.10")).await);
        assert_eq!(action(&app, &id, "publish", &s.operator, Some("\"1\"")).await.status, 200);

        let lowered = put(&app, &id, &s.operator, Some("\"2\""), &compute("1.00")).await;
        assert_eq!(lowered.status, 200, "{}", lowered.body);
        assert_eq!(lowered.body["pricing"][0]["unit_price"], "1");
        assert_eq!(lowered.body["state"], "published");

        let points = history(&app, &id, &s.operator).await;
        let vcpu: Vec<&Value> = points.iter().filter(|p| p["metric"] == "vcpu_hour").collect();
        assert_eq!(vcpu.iter().map(|p| p["unit_price"].as_str().unwrap()).collect::<Vec<_>>(), ["1.1", "1"]);
        assert!(instant(&vcpu[0]["effective_from"]) < instant(&vcpu[1]["effective_from"]));
        assert_eq!(points.iter().filter(|p| p["metric"] == "ram_gb_hour").count(), 1, "unchanged prices add nothing");
        let page = app.get(&format!("/v1/offerings/{id}/price-history?limit=2"), &s.operator).await;
        assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
        let cursor = page.body["next_cursor"].as_str().unwrap();
        let rest = app.get(&format!("/v1/offerings/{id}/price-history?limit=2&cursor={cursor}"), &s.operator).await;
        assert_eq!(rest.body["items"], json!([points[2]]));

        // Published offerings: changed prices within the cap now; kind and priced metrics fixed.
        let above = put(&app, &id, &s.operator, Some("\"3\""), &compute("1.21")).await;
        above.assert_problem(422, "validation-error");
        assert_eq!(above.problem_fields(), ["pricing[0].unit_price"]);
        let mut fixed = compute("1.00");
        fixed["kind"] = json!("storage");
        fixed["pricing"].as_array_mut().unwrap().pop();
        let refused = put(&app, &id, &s.operator, Some("\"3\""), &fixed).await;
        refused.assert_problem(422, "validation-error");
        let codes: Vec<&str> =
            refused.body["errors"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["fixed_after_publication", "metric_removed"]);
        assert_eq!(history(&app, &id, &s.operator).await.len(), 3, "refused edits add no history");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_1_changes_need_a_current_if_match() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let id = id_of(&create(&app, &s.operator, &compute("1.05")).await);

        put(&app, &id, &s.operator, None, &compute("1.00")).await.assert_problem(428, "precondition-required");
        action(&app, &id, "publish", &s.operator, None).await.assert_problem(428, "precondition-required");

        assert_eq!(put(&app, &id, &s.operator, Some("\"1\""), &compute("1.00")).await.status, 200);
        let stale = put(&app, &id, &s.operator, Some("\"1\""), &compute("0.90")).await;
        stale.assert_problem(412, "precondition-failed");
        assert_eq!(stale.body["current_etag"], "\"2\"");
        let stale_publish = action(&app, &id, "publish", &s.operator, Some("\"1\"")).await;
        stale_publish.assert_problem(412, "precondition-failed");

        let stored = app.get(&format!("/v1/offerings/{id}"), &s.operator).await;
        assert_eq!(stored.body["pricing"][0]["unit_price"], "1", "stale writes changed nothing");
        assert_eq!((stored.body["state"].as_str(), stored.header("etag").as_deref()), (Some("draft"), Some("\"2\"")));
    })
    .await;
}

#[actix_web::test]
async fn gsi_10_1_invalid_offerings_name_every_field() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let mut body = compute("-1");
        body["family"] = json!("network");
        body["name"] = json!(" ");
        body["sla"]["availability_percent"] = json!("100.5");
        body["capacity"] = json!([
            {"metric": "ram_gb_hour"},
            {"metric": "vcpu_hour", "max_per_subscription": "65", "provider_total": "64"}
        ]);
        let reply = app.post("/v1/offerings", &s.operator, &body).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(
            reply.problem_fields(),
            [
                "kind",
                "name",
                "pricing[0].unit_price",
                "sla.availability_percent",
                "capacity[0]",
                "capacity[1].max_per_subscription"
            ]
        );

        let mut no_sla = compute("1");
        no_sla.as_object_mut().unwrap().remove("sla");
        let missing = app.post("/v1/offerings", &s.operator, &no_sla).await;
        missing.assert_problem(422, "validation-error");
        assert_eq!(missing.problem_fields(), ["sla"]);

        let mut unknown = compute("1");
        unknown["role"] = json!("base");
        let extra = app.post("/v1/offerings", &s.operator, &unknown).await;
        extra.assert_problem(422, "validation-error");
        assert_eq!(extra.problem_fields(), ["role"]);

        // Only a provider's operators create offerings.
        let agency = token("agency_admin", &app.register("agency", "กรมทดสอบ").await);
        for caller in [&agency, &gix()] {
            app.post("/v1/offerings", caller, &compute("1")).await.assert_problem(403, "forbidden");
        }
        assert!(listed_ids(&app, &gix(), "").await.is_empty(), "nothing was stored");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_2_add_ons_attach_to_a_published_base_of_the_same_provider() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let base = id_of(&create(&app, &s.operator, &compute("1.05")).await);
        let add_on = create(&app, &s.operator, &backup_add_on(&base)).await;
        assert_eq!(
            (add_on["role"].as_str(), add_on["base_offering_id"].as_str()),
            (Some("add_on"), Some(base.as_str()))
        );
        assert_eq!(add_on["sla"], Value::Null, "the base's terms apply");
        let add_on = id_of(&add_on);

        let early = action(&app, &add_on, "publish", &s.operator, Some("\"1\"")).await;
        early.assert_problem(409, "conflict");
        assert!(early.body["detail"].as_str().unwrap().contains(&base));
        assert_eq!(action(&app, &base, "publish", &s.operator, Some("\"1\"")).await.status, 200);
        assert_eq!(action(&app, &add_on, "publish", &s.operator, Some("\"1\"")).await.status, 200);

        // Another provider's offering is no base for this one.
        let other = token("provider_operator", &app.register("provider", "ผู้ให้บริการอื่น").await);
        let foreign = app.post("/v1/offerings", &other, &backup_add_on(&base)).await;
        foreign.assert_problem(422, "validation-error");
        assert_eq!(foreign.problem_fields(), ["base_offering_id"]);
        assert_eq!(foreign.body["errors"][0]["code"], "not_found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_5_retiring_is_for_published_offerings_and_final() {
    each_backend(async |app| {
        let s = setup(&app).await;
        let id = id_of(&create(&app, &s.operator, &compute("1.05")).await);
        let draft = action(&app, &id, "retire", &s.operator, Some("\"1\"")).await;
        draft.assert_problem(409, "conflict");
        assert!(draft.body["detail"].as_str().unwrap().contains("allowed: edit, publish"));

        assert_eq!(action(&app, &id, "publish", &s.operator, Some("\"1\"")).await.status, 200);
        let retired = action(&app, &id, "retire", &s.operator, Some("\"2\"")).await;
        assert_eq!(retired.status, 200, "{}", retired.body);
        assert_eq!(retired.body["state"], "retired");

        put(&app, &id, &s.operator, Some("\"3\""), &compute("1.00")).await.assert_problem(409, "conflict");
        action(&app, &id, "publish", &s.operator, Some("\"3\"")).await.assert_problem(409, "conflict");
        // Still readable by agencies, for the subscriptions that run on it.
        let agency = token("agency_user", &app.register("agency", "กรมทดสอบ").await);
        assert_eq!(listed_ids(&app, &agency, "?state=retired").await, std::slice::from_ref(&id));
        assert_eq!(history(&app, &id, &agency).await.len(), 2);
    })
    .await;
}

#[actix_web::test]
async fn demo_catalog_is_published_within_the_caps_and_seeding_is_repeatable() {
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
        let agency = token("agency_user", &gsi_api::usecases::demo::DEMO_AGENCY_A.to_string());
        let catalog = app.get("/v1/offerings", &agency).await;
        let items = catalog.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 6, "{}", catalog.body);
        assert!(items.iter().all(|o| o["state"] == "published"));
        let internet = app
            .get(&format!("/v1/offerings/{}", gsi_api::usecases::demo_catalog::DEMO_GOV_INTERNET_OFFERING), &agency)
            .await;
        assert_eq!(internet.body["kind"], "government_internet");
        assert_eq!(internet.body["capacity"][0]["max_per_subscription"], "10000");
        assert_eq!(internet.body["capacity"][0]["provider_total"], "100000");
        let prices = app.get("/v1/reference-prices", &agency).await;
        assert_eq!(prices.body["items"].as_array().unwrap().len(), 10);
    })
    .await;
}
