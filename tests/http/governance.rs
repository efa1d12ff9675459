//! Governance on every backend (GSI-6.4, 11.1-11.4, 12.1-12.3, 13.1): who may assess, the
//! clause catalogue, and a provider list that changes by itself when evidence lapses.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::reference_prices::{price_body, set_price};
use crate::support::{Reply, TestApp, each_backend, each_backend_with_clock, gix, token};
use crate::usage::{contract, published_compute};

fn profile() -> Value {
    json!({
        "legal_status": "juristic_person",
        "registration_number": "0-1075-44000-10-8",
        "families": ["cloud", "data_center"],
        "support": {"phone": "02-555-2000", "email": "noc@provider-test.co.th", "self_service_url": "https://portal.provider-test.co.th"},
        "exclusions": []
    })
}

async fn provider(app: &TestApp, name: &str) -> (String, String) {
    let id = app.register("provider", name).await;
    let operator = token("provider_operator", &id);
    let put = app.request("PUT", &format!("/v1/providers/{id}/profile"), Some(&operator), &[], Some(&profile())).await;
    assert_eq!(put.status, 201, "{}", put.body);
    (id, operator)
}

fn today() -> chrono::NaiveDate {
    gsi_domain::governance::period::bangkok_date(Utc::now())
}

fn day(offset: i64) -> String {
    (today() + Duration::days(offset)).to_string()
}

fn assessment_body(provider: &str, families: &[&str]) -> Value {
    json!({
        "provider_id": provider, "kind": "initial", "families": families,
        "planned_on": day(-1), "performed_on": day(-1), "consent_ref": "consent letter 2026/7"
    })
}

async fn accredit(app: &TestApp, assessor: &str, families: &[&str]) -> Reply {
    let reply = app
        .post(
            &format!("/v1/assessors/{assessor}/accreditations"),
            &gix(),
            &json!({"families": families, "valid_from": day(-30), "valid_until": day(365)}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    reply
}

fn error_code(reply: &Reply, field: &str) -> String {
    reply.body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == field)
        .unwrap_or_else(|| panic!("no error on {field}: {}", reply.body))["code"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn gsi_12_1_only_an_assessor_accredited_for_the_families_records_an_assessment() {
    each_backend(async |app| {
        let (provider, operator) = provider(&app, "ผู้ให้บริการ ตรวจ").await;
        let assessor = app.register("assessor", "ผู้ตรวจสอบ ก").await;
        let as_assessor = token("assessor", &assessor);
        let body = assessment_body(&provider, &["cloud"]);

        // Not accredited at all.
        let refused = app.post("/v1/assessments", &as_assessor, &body).await;
        refused.assert_problem(422, "validation-error");
        assert_eq!(error_code(&refused, "assessor"), "assessor_not_accredited");

        // Accredited for data_center only: the wrong family.
        let accreditation = accredit(&app, &assessor, &["data_center"]).await;
        let wrong_family = app.post("/v1/assessments", &as_assessor, &body).await;
        assert_eq!(error_code(&wrong_family, "assessor"), "families_not_accredited");
        assert!(wrong_family.body["errors"][0]["message"].as_str().unwrap().contains("cloud"));

        // Accredited for cloud too: accepted, against DGS 1003 (GSI-6.3).
        let second = accredit(&app, &assessor, &["cloud"]).await;
        let created = app.post("/v1/assessments", &as_assessor, &body).await;
        assert_eq!(created.status, 201, "{}", created.body);
        assert_eq!(created.body["standards"], json!(["DGS 1003"]));
        assert_eq!(created.body["status"], "open");

        // Withdrawn by GIX, with a reason: refused from now on, naming it.
        for id in [&accreditation.body["id"], &second.body["id"]] {
            let withdrawn = app
                .post(
                    &format!("/v1/accreditations/{}/withdrawal", id.as_str().unwrap()),
                    &gix(),
                    &json!({"reason": "audit records falsified"}),
                )
                .await;
            assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
            assert_eq!(withdrawn.body["in_force"], false);
        }
        let withdrawn = app.post("/v1/assessments", &as_assessor, &body).await;
        assert_eq!(error_code(&withdrawn, "assessor"), "accreditation_withdrawn");
        assert!(withdrawn.body["errors"][0]["message"].as_str().unwrap().contains("audit records falsified"));

        // Other roles may not assess; only GIX accredits.
        for caller in [operator.clone(), gix(), token("agency_admin", &provider)] {
            app.post("/v1/assessments", &caller, &body).await.assert_problem(403, "forbidden");
        }
        app.post(
            &format!("/v1/assessors/{assessor}/accreditations"),
            &as_assessor,
            &json!({"families": ["cloud"], "valid_from": day(0), "valid_until": day(10)}),
        )
        .await
        .assert_problem(403, "forbidden");
        // One assessment was recorded, and only its parties read it.
        let id = created.body["id"].as_str().unwrap();
        assert_eq!(app.get(&format!("/v1/assessments/{id}"), &operator).await.status, 200);
        let agency = app.register("agency", "กรมอยากรู้").await;
        app.get(&format!("/v1/assessments/{id}"), &token("agency_user", &agency))
            .await
            .assert_problem(404, "not-found");
        let other = app.register("provider", "คู่แข่ง").await;
        app.get(&format!("/v1/assessments/{id}"), &token("provider_operator", &other))
            .await
            .assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_11_2_a_finding_on_an_unknown_clause_is_refused_and_a_major_blocks_certification() {
    each_backend(async |app| {
        let (provider, _) = provider(&app, "ผู้ให้บริการ ข้อกำหนด").await;
        let assessor = app.register("assessor", "ผู้ตรวจสอบ ข").await;
        accredit(&app, &assessor, &["cloud", "data_center"]).await;
        let as_assessor = token("assessor", &assessor);
        let created = app.post("/v1/assessments", &as_assessor, &assessment_body(&provider, &["cloud"])).await;
        let id = created.body["id"].as_str().unwrap().to_owned();
        let findings = format!("/v1/assessments/{id}/findings");

        let unknown = app.post(&findings, &as_assessor, &json!({"clause": "GSI-99.9", "result": "conforms"})).await;
        unknown.assert_problem(422, "validation-error");
        assert_eq!(error_code(&unknown, "clause"), "unknown_clause");
        assert!(unknown.body["errors"][0]["message"].as_str().unwrap().contains("GSI-99.9"));

        let major = app
            .post(
                &findings,
                &as_assessor,
                &json!({"clause": "GSI-8.1", "result": "major_nonconformity", "evidence_refs": ["CVE-2026-12345"]}),
            )
            .await;
        assert_eq!(major.status, 201, "{}", major.body);
        let decision = format!("/v1/assessments/{id}/decision");
        let blocked = app.post(&decision, &as_assessor, &json!({"outcome": "certify", "note": "ok"})).await;
        assert_eq!(error_code(&blocked, "outcome"), "open_major_nonconformity");
        let too_long = app
            .post(&decision, &as_assessor, &json!({"outcome": "certify", "note": "ok", "valid_until": day(400)}))
            .await;
        assert_eq!(error_code(&too_long, "valid_until"), "longer_than_one_year");

        let follow_up = app
            .post(
                &findings,
                &as_assessor,
                &json!({"clause": "GSI-8.1", "result": "conforms", "closes_finding_id": major.body["id"]}),
            )
            .await;
        assert_eq!(follow_up.status, 201, "{}", follow_up.body);
        let certified = app.post(&decision, &as_assessor, &json!({"outcome": "certify", "note": "ok"})).await;
        assert_eq!(certified.status, 200, "{}", certified.body);
        assert_eq!(certified.body["status"], "decided");
        assert_eq!(certified.body["open_major_clauses"], json!([]));
        let cert = &certified.body["certification"];
        assert_eq!(cert["valid_from"], day(-1));
        assert_eq!(
            cert["valid_until"],
            (today() + Duration::days(-1) + chrono::Months::new(12) - Duration::days(1)).to_string()
        );
        assert_eq!(cert["surveillance_due"], cert["valid_until"]);
        // Nothing more is recorded on a decided assessment except follow-ups.
        let late = app.post(&findings, &as_assessor, &json!({"clause": "GSI-7.3", "result": "observation"})).await;
        assert_eq!(error_code(&late, "assessment"), "decided");
        app.post(&decision, &as_assessor, &json!({"outcome": "refuse", "note": "x"}))
            .await
            .assert_problem(409, "conflict");

        // The conformance view: every [R] clause, the latest finding, the computed results.
        let operator = token("provider_operator", &provider);
        let view = app.get(&format!("/v1/providers/{provider}/conformance"), &operator).await;
        assert_eq!(view.status, 200, "{}", view.body);
        let clauses = view.body["clauses"].as_array().unwrap();
        let line = |id: &str| clauses.iter().find(|c| c["clause"] == id).unwrap_or_else(|| panic!("{id} listed"));
        for required in gsi_domain::governance::clauses::required_clauses() {
            assert_eq!(line(required.id)["level"], "required");
        }
        assert_eq!(line("GSI-8.1")["latest_finding"]["result"], "conforms", "the follow-up is the latest");
        assert_eq!(line("GSI-8.1")["latest_finding"]["assessment_id"], json!(id));
        assert_eq!(line("GSI-7.4")["computed"]["conforms"], true);
        assert_eq!(line("GSI-6.4")["computed"]["conforms"], false, "no ISO certificates recorded");
        assert_eq!(line("GSI-13.1")["computed"]["conforms"], false);
        assert!(line("GSI-6.1")["latest_finding"].is_null());
        let csv = app.get(&format!("/v1/providers/{provider}/conformance/csv"), &operator).await;
        assert_eq!(csv.status, 200);
        let text = csv.body.as_str().unwrap();
        assert!(text.starts_with("clause,level,latest_result,"), "{text}");
        assert_eq!(text.lines().count(), clauses.len() + 1);
        assert!(text.lines().any(|l| l.starts_with("GSI-8.1,required,conforms,")), "{text}");
        let agency = app.register("agency", "กรมหนึ่ง").await;
        app.get(&format!("/v1/providers/{provider}/conformance"), &token("agency_admin", &agency))
            .await
            .assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn gsi_6_4_an_expired_iso_27001_unlists_the_provider_from_the_next_bangkok_day() {
    each_backend_with_clock(async |app, clock| {
        let (provider, operator) = provider(&app, "ผู้ให้บริการ ใบรับรองหมดอายุ").await;
        // ISO/IEC 27001 valid through today (Bangkok), the rest for two years.
        app.certify_until(&provider, &["cloud"], today()).await;
        let agency = app.register("agency", "กรมใช้บริการ").await;
        let from = Utc::now() - Duration::days(400);
        set_price(&app, &price_body("compute", "vcpu_hour", "1.20", from, None)).await;
        set_price(&app, &price_body("compute", "ram_gb_hour", "0.35", from, None)).await;
        let offering = published_compute(&app, &operator).await;
        let running = contract(&app, &operator, &agency, &offering, Utc::now() - Duration::days(3)).await;
        assert_eq!(listed(&app, &agency).await, [json!(provider)]);
        let watch = app.get("/v1/expiry-watch?within_days=30", &operator).await;
        assert_eq!(watch.status, 200, "{}", watch.body);
        assert_eq!(watch.body["items"][0]["kind"], "iso_certificate", "{}", watch.body);
        assert_eq!(watch.body["items"][0]["days_left"], 0);
        app.get("/v1/expiry-watch", &token("agency_admin", &agency)).await.assert_problem(403, "forbidden");

        // The next Bangkok day begins: off the list, without anyone doing anything.
        let lapse = gsi_domain::governance::period::bangkok_day_start(today() + Duration::days(1));
        clock.advance(lapse - clock.now() + Duration::minutes(5));
        assert!(listed(&app, &agency).await.is_empty());
        let log =
            app.get(&format!("/v1/provider-list/changes?provider_id={provider}"), &token("agency_user", &agency)).await;
        assert_eq!(log.status, 200, "{}", log.body);
        let last = log.body["items"].as_array().unwrap().last().unwrap_or_else(|| panic!("{}", log.body)).clone();
        assert_eq!((&last["family"], &last["listed"]), (&json!("cloud"), &json!(false)), "{}", log.body);
        assert_eq!(last["reasons"][0]["code"], "iso_certificate_expired");
        assert_eq!(last["reasons"][0]["clause"], "GSI-6.4");
        let at: chrono::DateTime<Utc> = serde_json::from_value(last["effective_at"].clone()).unwrap();
        assert_eq!(at, lapse, "dated when it took effect, 00:00 Bangkok time");
        assert_eq!(last["recorded_at"], Value::Null, "computed on read; no job wrote it");

        // GSI-13.1: no new service, no onboarding; the running subscription stays, flagged.
        let refused = contract_reply(&app, &operator, &agency, &offering).await;
        refused.assert_problem(422, "provider-not-listed");
        assert!(refused.body["detail"].as_str().unwrap().contains("ISO/IEC 27001"), "{}", refused.body);
        let new = app
            .post(
                "/v1/service-requests",
                &token("agency_admin", &agency),
                &json!({"kind": "new_service", "offering_id": offering, "quantities": {"vcpu_hour": "4"}}),
            )
            .await;
        new.assert_problem(422, "provider-not-listed");
        let seen = app.get(&format!("/v1/subscriptions/{running}"), &token("agency_user", &agency)).await;
        assert_eq!(seen.status, 200, "{}", seen.body);
        assert_eq!(seen.body["provider_not_listed"], true);
        assert_eq!(seen.body["status"], "active");

        // A later write stores the change log with the lapse at its own instant.
        let verify_later = app.get(&format!("/v1/providers/{provider}/listing-history"), &operator).await;
        assert_eq!(verify_later.body["families"][1]["reasons"][0]["code"], "iso_certificate_expired");
        let suspended = app
            .post(
                &format!("/v1/providers/{provider}/listing"),
                &gix(),
                &json!({"family": "cloud", "action": "suspend", "reason": "certificate lapsed"}),
            )
            .await;
        assert_eq!(suspended.status, 201, "{}", suspended.body);
        let stored = app.get(&format!("/v1/provider-list/changes?provider_id={provider}"), &gix()).await;
        let items = stored.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{}", stored.body);
        assert_eq!(items[1]["effective_at"], last["effective_at"]);
        assert_ne!(items[1]["recorded_at"], Value::Null);
    })
    .await;
}

async fn contract_reply(app: &TestApp, operator: &str, agency: &str, offering: &str) -> Reply {
    let body = json!({
        "agency_id": agency, "offering_id": offering,
        "quantities": [{"metric": "vcpu_hour", "quantity": "16"}],
        "starts_at": (Utc::now() - Duration::days(1)).to_rfc3339()
    });
    app.post("/v1/subscriptions/existing", operator, &body).await
}

async fn listed(app: &TestApp, agency: &str) -> Vec<Value> {
    let reply = app.get("/v1/provider-list", &token("agency_user", agency)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["items"].as_array().unwrap().iter().map(|p| p["provider_id"].clone()).collect()
}

#[actix_web::test]
async fn gsi_9_personnel_details_are_for_the_provider_gix_and_its_assessor_never_agencies() {
    each_backend(async |app| {
        let (provider, operator) = provider(&app, "ผู้ให้บริการ บุคลากร").await;
        let staff = json!({
            "staff_ref": "EMP-0042", "display_name": "สมชาย ใจดี",
            "certifications": [{"area": "cloud", "name": "Cloud Architect", "issuer": "Vendor", "expires_on": day(20)}],
            "criminal_record_checked_on": day(-100), "nda_signed_on": day(-90)
        });
        let path = format!("/v1/providers/{provider}/staff");
        let created = app.post(&path, &operator, &staff).await;
        assert_eq!(created.status, 201, "{}", created.body);
        app.post(&path, &operator, &staff).await.assert_problem(422, "validation-error");
        let unchecked = json!({
            "staff_ref": "EMP-0043", "display_name": "วิภา",
            "certifications": [{"area": "cloud", "name": "Cloud Ops", "issuer": "Vendor", "expires_on": day(400)}]
        });
        assert_eq!(app.post(&path, &operator, &unchecked).await.status, 201);

        let agency = app.register("agency", "กรมอยากรู้").await;
        for outsider in [token("agency_admin", &agency), token("agency_user", &agency)] {
            app.get(&path, &outsider).await.assert_problem(404, "not-found");
            app.post(&path, &outsider, &staff).await.assert_problem(404, "not-found");
        }
        let other = app.register("provider", "คู่แข่ง").await;
        app.get(&path, &token("provider_operator", &other)).await.assert_problem(404, "not-found");
        // An assessor sees them only while it assesses the provider.
        let assessor = app.register("assessor", "ผู้ตรวจสอบ ค").await;
        let as_assessor = token("assessor", &assessor);
        app.get(&path, &as_assessor).await.assert_problem(404, "not-found");
        accredit(&app, &assessor, &["cloud"]).await;
        let assessment = app.post("/v1/assessments", &as_assessor, &assessment_body(&provider, &["cloud"])).await;
        assert_eq!(assessment.status, 201, "{}", assessment.body);
        for reader in [operator.clone(), gix(), as_assessor] {
            let seen = app.get(&path, &reader).await;
            assert_eq!(seen.status, 200, "{}", seen.body);
            assert_eq!(seen.body["items"][0]["display_name"], "สมชาย ใจดี");
        }

        // The summary holds counts only, for anyone.
        let summary = app.get(&format!("/v1/providers/{provider}/staff-summary"), &token("agency_user", &agency)).await;
        assert_eq!(summary.status, 200, "{}", summary.body);
        assert_eq!(
            summary.body["areas"][1],
            json!({"area": "cloud", "staff": 2, "compliant": 1, "lapsing_within_30_days": 1})
        );
        let watch = app.get("/v1/expiry-watch?within_days=30", &operator).await;
        assert!(
            watch.body["items"].as_array().unwrap().iter().any(|i| i["kind"] == "staff_certification"),
            "{}",
            watch.body
        );
    })
    .await;
}

#[actix_web::test]
async fn gsi_8_1_vulnerability_notices_reach_the_affected_agencies_and_interconnections_are_verified() {
    each_backend(async |app| {
        let mut conn = gsi_persistence::checkout(&app.pool).unwrap();
        gsi_api::usecases::demo::seed(&mut conn, Utc::now()).unwrap();
        drop(conn);
        let network = gsi_api::usecases::demo::DEMO_NETWORK_PROVIDER.to_string();
        let cloud = gsi_api::usecases::demo::DEMO_CLOUD_PROVIDER.to_string();
        let (agency_a, agency_b) = ("00000000-0000-7000-8000-000000000a01", "00000000-0000-7000-8000-000000000a02");
        let (a_internet, a_cloud, b_intranet) = (
            "00000000-0000-7000-8000-000000000d01",
            "00000000-0000-7000-8000-000000000d02",
            "00000000-0000-7000-8000-000000000d03",
        );
        let operator = token("provider_operator", &network);

        // GSI-8.1: only subscriptions the provider serves, each refused naming its index.
        let foreign = app
            .post(
                "/v1/vulnerability-notices",
                &operator,
                &json!({"identifier": "CVE-2026-1111", "severity": "high",
                        "affected_subscription_ids": [a_internet, a_cloud], "mitigation": "patched"}),
            )
            .await;
        foreign.assert_problem(422, "validation-error");
        assert_eq!(error_code(&foreign, "affected_subscription_ids[1]"), "not_served");
        let notice = app
            .post(
                "/v1/vulnerability-notices",
                &operator,
                &json!({"identifier": "CVE-2026-1111", "severity": "critical",
                        "affected_subscription_ids": [a_internet, b_intranet], "mitigation": "ACL in place; firmware update scheduled"}),
            )
            .await;
        assert_eq!(notice.status, 201, "{}", notice.body);
        assert_eq!(notice.body["status"], "open");
        let id = notice.body["id"].as_str().unwrap().to_owned();

        // Agency A sees it with only its own subscription; an agency not affected sees nothing.
        let seen_a = app.get("/v1/vulnerability-notices", &token("agency_user", agency_a)).await;
        assert_eq!(seen_a.body["items"][0]["affected_subscription_ids"], json!([a_internet]), "{}", seen_a.body);
        let seen_b = app.get("/v1/vulnerability-notices", &token("agency_user", agency_b)).await;
        assert_eq!(seen_b.body["items"][0]["affected_subscription_ids"], json!([b_intranet]));
        let other = app.register("agency", "กรมไม่เกี่ยว").await;
        assert_eq!(app.get("/v1/vulnerability-notices", &token("agency_user", &other)).await.body["items"], json!([]));
        assert_eq!(app.get("/v1/vulnerability-notices", &token("provider_operator", &cloud)).await.body["items"], json!([]));

        // Remediated by its provider only; the agency sees the status change.
        app.post(&format!("/v1/vulnerability-notices/{id}/remediation"), &token("provider_operator", &cloud), &json!(null))
            .await
            .assert_problem(404, "not-found");
        let fixed = app.post(&format!("/v1/vulnerability-notices/{id}/remediation"), &operator, &json!(null)).await;
        assert_eq!(fixed.status, 200, "{}", fixed.body);
        let seen_a = app.get("/v1/vulnerability-notices", &token("agency_user", agency_a)).await;
        assert_eq!(seen_a.body["items"][0]["status"], "remediated");

        // GSI-5.3: the provider declares its GIX link; the demo assessor verifies it.
        let link = app
            .post(
                &format!("/v1/providers/{network}/interconnections"),
                &operator,
                &json!({"kind": "gix_link", "capacity_mbps": 10000, "since": day(-400)}),
            )
            .await;
        assert_eq!(link.status, 201, "{}", link.body);
        let link_id = link.body["id"].as_str().unwrap().to_owned();
        let verify = format!("/v1/interconnections/{link_id}/verification");
        let unaccredited = app.register("assessor", "ผู้ตรวจสอบ ไม่ได้รับการรับรอง").await;
        let refused = app.post(&verify, &token("assessor", &unaccredited), &json!(null)).await;
        assert_eq!(error_code(&refused, "assessor"), "assessor_not_accredited");
        let demo_assessor = gsi_api::usecases::demo::DEMO_ASSESSOR.to_string();
        let verified = app.post(&verify, &token("assessor", &demo_assessor), &json!(null)).await;
        assert_eq!(verified.status, 200, "{}", verified.body);
        let listed = app.get(&format!("/v1/providers/{network}/interconnections"), &token("agency_user", agency_a)).await;
        assert_eq!(listed.body["items"][0]["verified_by_assessor_id"], json!(demo_assessor));
        let bad = app
            .post(
                &format!("/v1/providers/{network}/interconnections"),
                &operator,
                &json!({"kind": "satellite", "capacity_mbps": 0, "since": day(5)}),
            )
            .await;
        assert_eq!(bad.problem_fields(), ["kind", "capacity_mbps", "since"]);

        // The conformance view computes last month's SLA over the subscriptions served (GSI-10.1, 10.2).
        let view = app.get(&format!("/v1/providers/{network}/conformance"), &gix()).await;
        assert_eq!(view.status, 200, "{}", view.body);
        let clauses = view.body["clauses"].as_array().unwrap();
        for id in ["GSI-10.1", "GSI-10.2", "GSI-7.1", "GSI-13.1"] {
            let computed = &clauses.iter().find(|c| c["clause"] == id).unwrap()["computed"];
            assert!(computed["conforms"].is_boolean(), "{id}: {computed}");
            assert!(!computed["detail"].as_str().unwrap().starts_with("no subscription"), "{id}: {computed}");
        }
        let listed = &clauses.iter().find(|c| c["clause"] == "GSI-13.1").unwrap()["computed"];
        assert_eq!(listed["conforms"], true, "the demo network provider is listed: {listed}");
    })
    .await;
}
