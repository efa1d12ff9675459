//! Provider profiles (GSI-6.1, 6.2, 7.4, 10.3) and the provider list GIX keeps (GSI-12.2,
//! 12.3, 13.1): access, validation, optimistic concurrency, listing refusals, the dated
//! history, and what the public list shows.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde_json::{Value, json};

use crate::support::{GIX, Reply, TestApp, each_backend, gix, token};

/// A complete profile: a juristic person with a valid registration number, 24x7 channels,
/// and exclusions including planned maintenance with 72 hours' notice.
fn complete_profile() -> Value {
    json!({
        "legal_status": "juristic_person",
        "registration_number": "0-1075-44000-10-8",
        "families": ["data_center", "cloud"],
        "support": {
            "phone": "02-555-2000",
            "email": "NOC@Provider-Test.co.th",
            "self_service_url": "https://portal.provider-test.co.th/gsi"
        },
        "exclusions": [
            {"kind": "planned_maintenance", "notice_hours": 72, "text": "Maintenance announced at least 72 hours ahead"},
            {"kind": "force_majeure", "notice_hours": null, "text": "Natural disasters, war, orders of the authorities"}
        ]
    })
}

fn profile_path(provider: &str) -> String {
    format!("/v1/providers/{provider}/profile")
}

async fn put_profile(app: &TestApp, provider: &str, token: &str, if_match: Option<&str>, body: &Value) -> Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.request("PUT", &profile_path(provider), Some(token), &headers, Some(body)).await
}

/// Registers a provider and creates its profile; returns its id and an operator's token.
async fn provider_with(app: &TestApp, name: &str, profile: &Value) -> (String, String) {
    let provider = app.register("provider", name).await;
    let operator = token("provider_operator", &provider);
    let created = put_profile(app, &provider, &operator, None, profile).await;
    assert_eq!(created.status, 201, "{}", created.body);
    (provider, operator)
}

async fn change_listing(app: &TestApp, provider: &str, token: &str, body: &Value) -> Reply {
    app.post(&format!("/v1/providers/{provider}/listing"), token, body).await
}

fn listing(family: &str, action: &str, reason: &str) -> Value {
    json!({"family": family, "action": action, "reason": reason})
}

async fn history(app: &TestApp, provider: &str, token: &str) -> Reply {
    app.get(&format!("/v1/providers/{provider}/listing-history"), token).await
}

/// The provider list as an agency user sees it.
async fn provider_list(app: &TestApp, query: &str) -> Reply {
    let agency = app.register("agency", "กรมผู้ใช้บริการ").await;
    let reply = app.get(&format!("/v1/provider-list{query}"), &token("agency_user", &agency)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

fn listed_ids(list: &Reply) -> Vec<String> {
    list.body["items"].as_array().unwrap().iter().map(|p| p["provider_id"].as_str().unwrap().to_owned()).collect()
}

fn codes(reply: &Reply) -> Vec<(String, String)> {
    reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect()
}

fn instant(value: &Value) -> DateTime<Utc> {
    serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{value} is not an instant: {e}"))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect()
}

#[actix_web::test]
async fn gsi_6_1_provider_creates_then_updates_its_profile_with_if_match() {
    each_backend(async |app| {
        let provider = app.register("provider", "บริษัท ทดสอบ จำกัด").await;
        let operator = token("provider_operator", &provider);
        app.get(&profile_path(&provider), &operator).await.assert_problem(404, "not-found");

        // An If-Match sent before the profile exists cannot match anything.
        let premature = put_profile(&app, &provider, &operator, Some("\"1\""), &complete_profile()).await;
        premature.assert_problem(412, "precondition-failed");
        assert_eq!(premature.body.get("current_etag"), None, "there is no current version to name");

        let created = put_profile(&app, &provider, &operator, None, &complete_profile()).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.header("etag").as_deref(), Some("\"1\""));
        assert_eq!(created.header("location"), Some(profile_path(&provider)));
        assert_eq!(created.body["name_th"], "บริษัท ทดสอบ จำกัด", "names come from the register");
        assert_eq!(created.body["registration_number"], "0107544000108", "stored as 13 bare digits");
        assert_eq!(created.body["families"], json!(["cloud", "data_center"]));
        assert_eq!(created.body["support"]["email"], "NOC@provider-test.co.th");
        assert_eq!(created.body["exclusions"][0], complete_profile()["exclusions"][0]);
        assert_eq!(created.body["listing_blockers"], json!([]));

        // Once it exists, a replacement needs the current ETag.
        put_profile(&app, &provider, &operator, None, &complete_profile())
            .await
            .assert_problem(428, "precondition-required");
        let mut changed = complete_profile();
        changed["support"]["self_service_url"] = json!(null);
        changed["families"] = json!(["network"]);
        let updated = put_profile(&app, &provider, &operator, Some("\"1\""), &changed).await;
        assert_eq!(updated.status, 200, "{}", updated.body);
        assert_eq!(updated.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(updated.body["listing_blockers"], json!(["missing_self_service_url"]));
        let stale = put_profile(&app, &provider, &operator, Some("\"1\""), &complete_profile()).await;
        stale.assert_problem(412, "precondition-failed");
        assert_eq!(stale.body["current_etag"], "\"2\"");

        // Read back by an agency: the stored state is the update, not the stale write.
        let agency = app.register("agency", "กรมอ่าน").await;
        let read = app.get(&profile_path(&provider), &token("agency_user", &agency)).await;
        assert_eq!(read.status, 200);
        assert_eq!(read.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(read.body["families"], json!(["network"]));
        assert_eq!(read.body["support"]["self_service_url"], json!(null));

        // One audit event per change, the update recording what changed.
        let events = app.get("/v1/audit-events?resource_type=provider_profile", &operator).await;
        let events = events.body["items"].as_array().unwrap().clone();
        let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["provider_profile.created", "provider_profile.updated"]);
        assert_eq!(events[1]["owner_organisation_id"], provider.as_str());
        assert_eq!(events[1]["changes"]["families"], json!({"from": ["cloud", "data_center"], "to": ["network"]}));
        assert!(events[1]["changes"].get("legal_status").is_none(), "unchanged fields are not listed");
    })
    .await;
}

#[actix_web::test]
async fn gsi_13_1_other_providers_get_404_and_readers_may_not_write() {
    each_backend(async |app| {
        let (provider, _) = provider_with(&app, "ผู้ให้บริการ เอ", &complete_profile()).await;
        let other = app.register("provider", "ผู้ให้บริการ บี").await;
        let other_operator = token("provider_operator", &other);

        app.get(&profile_path(&provider), &other_operator).await.assert_problem(404, "not-found");
        let hijack = put_profile(
            &app,
            &provider,
            &other_operator,
            Some("\"1\""),
            &json!({
                "legal_status": "government_body", "families": ["network"], "support": {}, "exclusions": []
            }),
        )
        .await;
        hijack.assert_problem(404, "not-found");
        let missing = app.get("/v1/providers/0190f5c2-0000-7000-8000-00000000beef/profile", &other_operator).await;
        missing.assert_problem(404, "not-found");
        assert_eq!(missing.body["detail"], hijack.body["detail"], "indistinguishable from an id nobody has");

        let agency = app.register("agency", "กรมผู้อ่าน").await;
        let assessor = app.register("assessor", "สถาบันรับรอง").await;
        let readers =
            [token("agency_admin", &agency), token("agency_user", &agency), gix(), token("assessor", &assessor)];
        for reader in &readers {
            let read = app.get(&profile_path(&provider), reader).await;
            assert_eq!(read.status, 200, "{}", read.body);
            assert_eq!(read.body["version"], 1, "the hijack changed nothing");
            put_profile(&app, &provider, reader, Some("\"1\""), &complete_profile())
                .await
                .assert_problem(403, "forbidden");
        }

        // Only organisations registered as providers have a profile.
        let not_a_provider = token("provider_operator", &agency);
        put_profile(&app, &agency, &not_a_provider, None, &complete_profile()).await.assert_problem(404, "not-found");
        app.get(&profile_path(&agency), &gix()).await.assert_problem(404, "not-found");
        app.get(&profile_path(GIX), &gix()).await.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_6_1_registration_number_check_digit_is_refused_naming_the_field() {
    each_backend(async |app| {
        let provider = app.register("provider", "บริษัท พิมพ์ผิด จำกัด").await;
        let operator = token("provider_operator", &provider);
        let mut body = complete_profile();
        body["registration_number"] = json!("0107544000109");
        let reply = put_profile(&app, &provider, &operator, None, &body).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(codes(&reply), pairs(&[("registration_number", "invalid_check_digit")]));

        // Every failing field at once, nested ones by path.
        let body = json!({
            "legal_status": "government_body",
            "registration_number": "0107544000108",
            "families": ["cloud", "cloud"],
            "support": {"phone": "12", "email": "noc@", "self_service_url": "http://portal.provider.co.th"},
            "exclusions": [
                {"kind": "planned_maintenance", "notice_hours": null, "text": "Maintenance"},
                {"kind": "customer_caused", "notice_hours": 24, "text": " "}
            ]
        });
        let reply = put_profile(&app, &provider, &operator, None, &body).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(
            codes(&reply),
            pairs(&[
                ("registration_number", "not_applicable"),
                ("families[1]", "duplicate"),
                ("support.phone", "invalid_phone"),
                ("support.email", "invalid_email"),
                ("support.self_service_url", "invalid_url"),
                ("exclusions[0].notice_hours", "required"),
                ("exclusions[1].notice_hours", "not_applicable"),
                ("exclusions[1].text", "required"),
            ])
        );

        let unknown = put_profile(
            &app,
            &provider,
            &operator,
            None,
            &json!({
                "legal_status": "sole_trader", "families": [], "support": {}, "exclusions": []
            }),
        )
        .await;
        unknown.assert_problem(422, "validation-error");
        assert_eq!(unknown.problem_fields(), ["legal_status"]);

        app.get(&profile_path(&provider), &operator).await.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_4_a_certified_provider_without_24x7_channels_is_not_listed_and_every_reason_is_given() {
    each_backend(async |app| {
        let mut incomplete = complete_profile();
        incomplete["support"] = json!({"email": "noc@provider-test.co.th", "phone": " "});
        let (provider, operator) = provider_with(&app, "ผู้ให้บริการ ยังไม่ครบ", &incomplete).await;
        assert_eq!(
            app.get(&profile_path(&provider), &operator).await.body["listing_blockers"],
            json!(["missing_support_phone", "missing_self_service_url"]),
            "the provider sees what keeps it off the list"
        );
        app.certify(&provider, &["cloud"]).await;
        assert!(listed_ids(&provider_list(&app, "").await).is_empty(), "certified, but no 24x7 channels");
        let h = history(&app, &provider, &operator).await;
        let reasons = |family: usize| -> Vec<String> {
            h.body["families"][family]["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["code"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(h.body["families"][1]["family"], "cloud");
        assert_eq!(reasons(1), ["missing_support_phone", "missing_self_service_url"]);
        assert_eq!(h.body["families"][1]["reasons"][0]["clause"], "GSI-7.4");
        assert_eq!(
            reasons(2),
            [
                "iso_certificate_missing",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "not_certified",
                "missing_support_phone",
                "missing_self_service_url"
            ],
            "data_center: offered, but neither ISO-covered nor certified"
        );
        assert_eq!(
            reasons(0),
            [
                "family_not_offered",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "not_certified",
                "missing_support_phone",
                "missing_self_service_url"
            ]
        );

        // Completing the profile lists it from that instant, and the change log says so.
        let fixed = put_profile(&app, &provider, &operator, Some("\"1\""), &complete_profile()).await;
        assert_eq!(fixed.status, 200, "{}", fixed.body);
        assert_eq!(listed_ids(&provider_list(&app, "").await), [provider.as_str()]);
        let log = app.get(&format!("/v1/provider-list/changes?provider_id={provider}"), &operator).await;
        let items = log.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", log.body);
        assert_eq!((&items[0]["family"], &items[0]["listed"]), (&json!("cloud"), &json!(true)));
        assert_eq!(items[0]["effective_at"], fixed.body["updated_at"]);

        // Bad override input names every field; there is nothing to lift without an override.
        let bad = change_listing(
            &app,
            &provider,
            &gix(),
            &json!({
                "family": "cloud", "action": "suspend", "reason": " ", "effective_at": "2020-01-01T00:00:00Z"
            }),
        )
        .await;
        bad.assert_problem(422, "validation-error");
        assert_eq!(codes(&bad), pairs(&[("reason", "required"), ("effective_at", "in_the_past")]));
        let unknown_action = change_listing(&app, &provider, &gix(), &listing("cloud", "ban", "x")).await;
        unknown_action.assert_problem(422, "validation-error");
        assert_eq!(unknown_action.problem_fields(), ["action"]);
        let nothing_to_lift = change_listing(&app, &provider, &gix(), &listing("cloud", "list", "x")).await;
        nothing_to_lift.assert_problem(409, "invalid-transition");
        assert_eq!(history(&app, &provider, &gix()).await.body["items"], json!([]));
    })
    .await;
}

#[actix_web::test]
async fn gsi_12_2_listed_provider_appears_with_since_and_channels_and_suspension_removes_it() {
    each_backend(async |app| {
        let (provider, _) = provider_with(&app, "บริษัท คลาวด์ทดสอบ จำกัด", &complete_profile()).await;
        app.certify(&provider, &["cloud"]).await;
        let log = app.get(&format!("/v1/provider-list/changes?provider_id={provider}"), &gix()).await;
        assert_eq!(log.body["items"][0]["listed"], true, "{}", log.body);
        let since = log.body["items"][0]["effective_at"].clone();

        let list = provider_list(&app, "").await;
        assert_eq!(listed_ids(&list), [provider.as_str()]);
        let line = &list.body["items"][0];
        assert_eq!(line["name_th"], "บริษัท คลาวด์ทดสอบ จำกัด");
        assert_eq!(line["families"], json!([{"family": "cloud", "since": since}]), "data_center is not certified");
        assert_eq!(
            line["support"],
            json!({
                "phone": "02-555-2000",
                "email": "NOC@provider-test.co.th",
                "self_service_url": "https://portal.provider-test.co.th/gsi"
            })
        );
        assert_eq!(listed_ids(&provider_list(&app, "?family=cloud").await), [provider.as_str()]);
        assert!(listed_ids(&provider_list(&app, "?family=data_center").await).is_empty());

        // Every role reads the list.
        for reader in [gix(), token("provider_operator", &provider), token("assessor", GIX)] {
            assert_eq!(app.get("/v1/provider-list", &reader).await.status, 200);
        }

        let suspended =
            change_listing(&app, &provider, &gix(), &listing("cloud", "suspend", "certificate under review")).await;
        assert_eq!(suspended.status, 201, "{}", suspended.body);
        assert_eq!(suspended.header("location"), Some(format!("/v1/providers/{provider}/listing-history")));
        assert_eq!(suspended.body["actor_role"], "gix_officer");
        assert!(listed_ids(&provider_list(&app, "").await).is_empty(), "a suspended provider is off the list");
        // The list as it stood before the suspension still shows it.
        let before = instant(&suspended.body["effective_at"]);
        let at = (before - Duration::microseconds(1)).to_rfc3339_opts(SecondsFormat::Micros, true);
        let then = provider_list(&app, &format!("?at={at}")).await;
        assert_eq!(listed_ids(&then), [provider.as_str()]);
        assert_eq!(instant(&then.body["at"]), before - Duration::microseconds(1));

        // Suspending again is not a transition from `suspended`: 409 naming status and allowed actions.
        let again = change_listing(&app, &provider, &gix(), &listing("cloud", "suspend", "again")).await;
        again.assert_problem(409, "invalid-transition");
        let detail = again.body["detail"].as_str().unwrap();
        assert!(detail.contains("suspended") && detail.contains("allowed: reinstate, delist"), "{detail}");
        assert_eq!(again.body["current_state"], "suspended");
        assert_eq!(again.body["allowed_actions"], serde_json::json!(["reinstate", "delist"]));
        let relist = change_listing(&app, &provider, &gix(), &listing("cloud", "list", "again")).await;
        relist.assert_problem(409, "invalid-transition");

        let reinstated = change_listing(&app, &provider, &gix(), &listing("cloud", "reinstate", "review passed")).await;
        assert_eq!(reinstated.status, 201, "{}", reinstated.body);
        let back = provider_list(&app, "").await;
        assert_eq!(back.body["items"][0]["families"][0]["since"], reinstated.body["effective_at"], "a new period");
    })
    .await;
}

#[actix_web::test]
async fn gsi_12_3_delisting_keeps_every_dated_entry_in_order() {
    each_backend(async |app| {
        let (provider, operator) = provider_with(&app, "ผู้ให้บริการ ประวัติ", &complete_profile()).await;
        app.certify(&provider, &["cloud", "data_center"]).await;
        let steps = [("cloud", "suspend", "certificate expired"), ("cloud", "delist", "not renewed (GSI-12.3)")];
        for (family, action, reason) in steps {
            let reply = change_listing(&app, &provider, &gix(), &listing(family, action, reason)).await;
            assert_eq!(reply.status, 201, "{action}: {}", reply.body);
        }
        let next_month = (Utc::now() + Duration::days(30)).to_rfc3339_opts(SecondsFormat::Micros, true);
        let scheduled = change_listing(
            &app,
            &provider,
            &gix(),
            &json!({
                "family": "data_center", "action": "delist", "reason": "certificate ends next month",
                "effective_at": next_month
            }),
        )
        .await;
        assert_eq!(scheduled.status, 201, "{}", scheduled.body);
        assert_eq!(instant(&scheduled.body["effective_at"]).to_rfc3339_opts(SecondsFormat::Micros, true), next_month);

        // The provider itself reads its history; GIX too; nobody else.
        for reader in [gix(), operator.clone()] {
            let h = history(&app, &provider, &reader).await;
            assert_eq!(h.status, 200, "{}", h.body);
            let items = h.body["items"].as_array().unwrap();
            let seen: Vec<(&str, &str, &str)> = items
                .iter()
                .map(|e| (e["family"].as_str().unwrap(), e["action"].as_str().unwrap(), e["status"].as_str().unwrap()))
                .collect();
            assert_eq!(
                seen,
                [
                    ("cloud", "suspend", "suspended"),
                    ("cloud", "delist", "delisted"),
                    ("data_center", "delist", "delisted"),
                ]
            );
            let times: Vec<DateTime<Utc>> = items.iter().map(|e| instant(&e["effective_at"])).collect();
            assert!(times.windows(2).all(|w| w[0] < w[1]), "oldest first: {times:?}");
            assert_eq!(items[1]["reason"], "not renewed (GSI-12.3)");
            let families = &h.body["families"];
            assert_eq!(families[1]["family"], "cloud");
            assert_eq!(families[1]["status"], "delisted");
            assert_eq!(families[1]["reasons"][0]["code"], "delisted_by_gix");
            assert_eq!(families[1]["allowed_actions"], json!(["list"]), "a delisted provider may be listed again");
            assert_eq!(families[2]["status"], "listed", "the scheduled delisting has not taken effect");
            assert_eq!(families[2]["scheduled_status"], "delisted");
            assert_eq!(families[0]["status"], "not_listed");
        }
        let agency = app.register("agency", "กรมอยากรู้").await;
        let other = app.register("provider", "คู่แข่ง").await;
        for outsider in [token("agency_admin", &agency), token("provider_operator", &other), token("assessor", GIX)] {
            history(&app, &provider, &outsider).await.assert_problem(404, "not-found");
        }

        // Listed (data_center) until next month; cloud is gone.
        let list = provider_list(&app, "").await;
        assert_eq!(list.body["items"][0]["families"].as_array().unwrap().len(), 1);
        assert_eq!(list.body["items"][0]["families"][0]["family"], "data_center");
        let later = provider_list(&app, &format!("?at={}", next_month)).await;
        assert!(listed_ids(&later).is_empty(), "off the list once the scheduled delisting takes effect");

        // Each change wrote one audit event, owned by the provider.
        let events = app.get("/v1/audit-events?action=provider_listing.changed", &operator).await;
        assert_eq!(events.body["items"].as_array().unwrap().len(), 3);
        assert_eq!(events.body["items"][0]["changes"]["status"], json!({"from": "not_listed", "to": "suspended"}));
    })
    .await;
}

#[actix_web::test]
async fn gsi_12_2_only_gix_changes_listings() {
    each_backend(async |app| {
        let (provider, operator) = provider_with(&app, "ผู้ให้บริการ ขอขึ้นบัญชีเอง", &complete_profile()).await;
        let agency = app.register("agency", "กรมหนึ่ง").await;
        let assessor = app.register("assessor", "ผู้ตรวจ").await;
        for caller in
            [operator, token("agency_admin", &agency), token("agency_user", &agency), token("assessor", &assessor)]
        {
            let reply = change_listing(&app, &provider, &caller, &listing("cloud", "list", "self-listed")).await;
            reply.assert_problem(403, "forbidden");
        }
        assert_eq!(history(&app, &provider, &gix()).await.body["items"], json!([]));
        // GIX changing the listing of an organisation that is not a provider: 404.
        change_listing(&app, &agency, &gix(), &listing("cloud", "list", "x")).await.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_12_2_listing_changes_replay_with_an_idempotency_key() {
    each_backend(async |app| {
        let (provider, _) = provider_with(&app, "ผู้ให้บริการ ส่งซ้ำ", &complete_profile()).await;
        let path = format!("/v1/providers/{provider}/listing");
        let body = listing("cloud", "suspend", "under review");
        let key = [("Idempotency-Key", "list-cloud-1")];
        let first = app.request("POST", &path, Some(&gix()), &key, Some(&body)).await;
        assert_eq!(first.status, 201, "{}", first.body);
        let gix_again = crate::support::sign(&{
            let mut claims = crate::support::claims("gix_officer", GIX);
            claims["sub"] = json!("gix-officer-retry");
            claims
        });
        let key_of = [("Idempotency-Key", "retry-me")];
        let a =
            app.request("POST", &path, Some(&gix_again), &key_of, Some(&listing("data_center", "delist", "ok"))).await;
        let b =
            app.request("POST", &path, Some(&gix_again), &key_of, Some(&listing("data_center", "delist", "ok"))).await;
        assert_eq!(a.status, 201, "{}", a.body);
        assert_eq!(b.status, 201);
        assert_eq!(b.body, a.body, "the stored response is replayed");
        assert_eq!(b.header("idempotent-replayed").as_deref(), Some("true"));
        let h = history(&app, &provider, &gix()).await;
        assert_eq!(h.body["items"].as_array().unwrap().len(), 2, "one entry per key");
    })
    .await;
}

#[actix_web::test]
async fn gsi_6_2_a_profile_that_stops_offering_a_family_unlists_it_with_the_reason() {
    each_backend(async |app| {
        let (provider, operator) = provider_with(&app, "ผู้ให้บริการ ขึ้นบัญชีแล้ว", &complete_profile()).await;
        app.certify(&provider, &["cloud"]).await;
        assert_eq!(listed_ids(&provider_list(&app, "?family=cloud").await), [provider.as_str()]);
        let mut shrunk = complete_profile();
        shrunk["families"] = json!(["data_center"]);
        let saved = put_profile(&app, &provider, &operator, Some("\"1\""), &shrunk).await;
        assert_eq!(saved.status, 200, "{}", saved.body);
        assert!(listed_ids(&provider_list(&app, "").await).is_empty());
        let log = app.get(&format!("/v1/provider-list/changes?provider_id={provider}"), &operator).await;
        let last = log.body["items"].as_array().unwrap().last().unwrap().clone();
        assert_eq!((&last["family"], &last["listed"]), (&json!("cloud"), &json!(false)));
        assert_eq!(last["reasons"][0]["code"], "family_not_offered");
        assert_eq!(last["effective_at"], saved.body["updated_at"]);
    })
    .await;
}

#[actix_web::test]
async fn gsi_13_1_provider_list_pages_and_names_bad_parameters() {
    each_backend(async |app| {
        let mut ids = Vec::new();
        for name in ["ผู้ให้บริการ 1", "ผู้ให้บริการ 2", "ผู้ให้บริการ 3"]
        {
            let (provider, _) = provider_with(&app, name, &complete_profile()).await;
            app.certify(&provider, &["data_center"]).await;
            ids.push(provider);
        }
        // One registered but never listed, one suspended: neither is on the list.
        provider_with(&app, "ผู้ให้บริการ ไม่ขึ้นบัญชี", &complete_profile()).await;
        let suspend = change_listing(&app, &ids[1], &gix(), &listing("data_center", "suspend", "review")).await;
        assert_eq!(suspend.status, 201);

        // In provider id order; the suspended provider is skipped.
        let mut expected = [ids[0].clone(), ids[2].clone()];
        expected.sort();
        let first = provider_list(&app, "?limit=1").await;
        assert_eq!(listed_ids(&first), [expected[0].clone()]);
        let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
        let second = provider_list(&app, &format!("?limit=1&cursor={cursor}")).await;
        assert_eq!(listed_ids(&second), [expected[1].clone()]);
        assert_eq!(second.body["next_cursor"], json!(null));

        let bad = app.get("/v1/provider-list?family=satellite&at=yesterday&limit=0", &gix()).await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["family", "at", "limit"]);
        app.get("/v1/provider-list", "not-a-token").await.assert_problem(401, "unauthenticated");
    })
    .await;
}

#[actix_web::test]
async fn demo_seed_gives_both_demo_providers_profiles_and_lists_them() {
    each_backend(async |app| {
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        // Seeding again changes nothing.
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        drop(conn);

        let network = gsi_api::usecases::demo::DEMO_NETWORK_PROVIDER.to_string();
        let cloud = gsi_api::usecases::demo::DEMO_CLOUD_PROVIDER.to_string();
        let list = app.get("/v1/provider-list", &gix()).await;
        let lines = list.body["items"].as_array().unwrap();
        let families = |id: &str| -> Vec<String> {
            let line = lines.iter().find(|l| l["provider_id"] == id).unwrap_or_else(|| panic!("{id} is listed"));
            line["families"].as_array().unwrap().iter().map(|f| f["family"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(families(&network), ["network"]);
        assert_eq!(families(&cloud), ["cloud", "data_center"]);
        for id in [&network, &cloud] {
            let profile = app.get(&profile_path(id), &gix()).await;
            assert_eq!(profile.status, 200);
            assert_eq!(profile.body["legal_status"], "juristic_person");
            assert_eq!(profile.body["listing_blockers"], json!([]));
            assert_eq!(profile.body["exclusions"][0]["notice_hours"], 72);
            let h = history(&app, id, &gix()).await;
            assert_eq!(h.body["items"], json!([]), "no GIX override");
            assert_eq!(h.body["changes"].as_array().unwrap().len(), families(id).len(), "listed by the evidence");
        }
    })
    .await;
}

#[actix_web::test]
async fn gsi_12_2_racing_listing_changes_record_one_entry() {
    each_backend(async |app| {
        let (provider, _) = provider_with(&app, "ผู้ให้บริการ แข่งกัน", &complete_profile()).await;
        let body = listing("cloud", "suspend", "under review");
        let gix = gix();
        let replies =
            futures_util::future::join_all((0..6).map(|_| change_listing(&app, &provider, &gix, &body))).await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "statuses: {statuses:?}");
        // The others start from `suspended` (409), or from before the winner's instant (422).
        assert!(statuses.iter().all(|s| [201, 409, 422].contains(s)), "statuses: {statuses:?}");
        assert_eq!(history(&app, &provider, &gix).await.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[actix_web::test]
async fn gsi_11_1_and_12_2_certifying_a_provider_emits_assessment_decided_and_provider_list_changed_events() {
    each_backend(async |app| {
        let (provider, _operator) = provider_with(&app, "ผู้ให้บริการ เหตุการณ์", &complete_profile()).await;
        app.certify(&provider, &["cloud"]).await;
        let types_and_data = |reply: &Reply| -> Vec<(String, Value, Value)> {
            reply.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| (e["type"].as_str().unwrap().to_owned(), e["resource"].clone(), e["data"].clone()))
                .collect()
        };
        let feed = app.get("/v1/events?limit=200", &gix()).await;
        assert_eq!(feed.status, 200, "{}", feed.body);
        let events = types_and_data(&feed);
        let decided: Vec<_> = events.iter().filter(|(t, ..)| t == "assessment.decided").collect();
        assert_eq!(decided.len(), 1, "{}", feed.body);
        assert_eq!(decided[0].2["outcome"], "certify");
        assert!(decided[0].2["certification_id"].is_string(), "{}", feed.body);
        let listed = events.iter().any(|(t, resource, data)| {
            t == "provider_list.changed"
                && resource["id"] == provider.as_str()
                && data["family"] == "cloud"
                && data["listed"] == true
        });
        assert!(listed, "the derived listing is an event: {}", feed.body);
        // Everyone sees provider-list changes; an agency sees no assessment of a provider.
        let agency = app.register("agency", "กรมติดตามเหตุการณ์").await;
        let theirs = app.get("/v1/events?limit=200", &token("agency_admin", &agency)).await;
        let types: Vec<String> = types_and_data(&theirs).into_iter().map(|(t, ..)| t).collect();
        assert!(types.iter().any(|t| t == "provider_list.changed"), "{}", theirs.body);
        assert!(!types.iter().any(|t| t == "assessment.decided"), "{}", theirs.body);
    })
    .await;
}
