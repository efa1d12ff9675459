//! GSI-7.5.1: agency profiles, their access rules, validation and optimistic concurrency.

use serde_json::json;

use crate::support::{TestApp, each_backend, gix, profile_body, token};

async fn etag_of(app: &TestApp, agency: &str, token: &str) -> String {
    let reply = app.get(&format!("/v1/agencies/{agency}/profile"), token).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.header("etag").expect("ETag header")
}

async fn put_profile(
    app: &TestApp,
    agency: &str,
    token: &str,
    if_match: Option<&str>,
    body: &serde_json::Value,
) -> crate::support::Reply {
    let headers: Vec<(&str, &str)> = if_match.map(|e| vec![("If-Match", e)]).unwrap_or_default();
    app.request("PUT", &format!("/v1/agencies/{agency}/profile"), Some(token), &headers, Some(body)).await
}

#[actix_web::test]
async fn gsi_7_5_1_admin_updates_and_everyone_allowed_reads() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let admin = token("agency_admin", &agency);
        let user = token("agency_user", &agency);

        let initial = app.get(&format!("/v1/agencies/{agency}/profile"), &user).await;
        assert_eq!(initial.status, 200);
        assert_eq!(initial.body["name_th"], "กรมทดสอบ", "registration seeds the profile");
        assert_eq!(initial.body["coordinators"], json!([]));
        assert_eq!(initial.header("etag").as_deref(), Some("\"1\""));

        let updated = put_profile(&app, &agency, &admin, Some("\"1\""), &profile_body("กรมทดสอบระบบ")).await;
        assert_eq!(updated.status, 200, "{}", updated.body);
        assert_eq!(updated.header("etag").as_deref(), Some("\"2\""));
        assert_eq!(updated.body["version"], 2);
        assert_eq!(updated.body["coordinators"][0]["email"], "somchai@test.go.th");

        // Read back by the agency's user and by GIX: the stored state changed.
        for reader in [&user, &gix()] {
            let read = app.get(&format!("/v1/agencies/{agency}/profile"), reader).await;
            assert_eq!(read.status, 200);
            assert_eq!(read.body["name_th"], "กรมทดสอบระบบ");
            assert_eq!(read.body["parent_ministry"], "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม");
            assert_eq!(read.body["contact_channels"][0]["value"], "it@test.go.th");
        }

        // Agency users and GIX read but may not write.
        for reader in [&user, &gix()] {
            let refused = put_profile(&app, &agency, reader, Some("\"2\""), &profile_body("x")).await;
            refused.assert_problem(403, "forbidden");
        }
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_1_another_tenant_gets_404_and_nothing_changes() {
    each_backend(async |app| {
        let a = app.register("agency", "กรมเอ").await;
        let b = app.register("agency", "กรมบี").await;
        let provider = app.register("provider", "ผู้ให้บริการ").await;
        let admin_a = token("agency_admin", &a);

        let read = app.get(&format!("/v1/agencies/{b}/profile"), &admin_a).await;
        read.assert_problem(404, "not-found");
        let write = put_profile(&app, &b, &admin_a, Some("\"1\""), &profile_body("ยึดครอง")).await;
        write.assert_problem(404, "not-found");
        // A provider does not see agencies it does not serve, nor an assessor.
        for role_org in [("provider_operator", provider.as_str()), ("assessor", a.as_str())] {
            let reply = app.get(&format!("/v1/agencies/{b}/profile"), &token(role_org.0, role_org.1)).await;
            reply.assert_problem(404, "not-found");
        }
        // An id that exists for nobody answers exactly the same.
        let missing = app.get("/v1/agencies/0190f5c2-0000-7000-8000-00000000beef/profile", &admin_a).await;
        missing.assert_problem(404, "not-found");
        assert_eq!(missing.body["detail"], read.body["detail"]);

        let b_profile = app.get(&format!("/v1/agencies/{b}/profile"), &gix()).await;
        assert_eq!(b_profile.body["name_th"], "กรมบี");
        assert_eq!(b_profile.body["version"], 1, "B's profile must be untouched");
    })
    .await;
}

#[actix_web::test]
async fn gsi_7_5_1_every_invalid_field_is_named() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let admin = token("agency_admin", &agency);
        let mut body = profile_body("");
        body["coordinators"] = json!([
            {"name": "A", "position": "B", "email": "not-an-email", "phone": "12", "is_primary": true},
            {"name": "C", "position": "D", "email": "c@test.go.th", "phone": "021234567", "is_primary": true}
        ]);
        body["contact_channels"] = json!([{"kind": "website", "value": "ftp://x", "label": null}]);
        let reply = put_profile(&app, &agency, &admin, Some("\"1\""), &body).await;
        reply.assert_problem(422, "validation-error");
        assert_eq!(
            reply.problem_fields(),
            ["name_th", "coordinators[0].email", "coordinators[0].phone", "coordinators", "contact_channels[0].value"]
        );
        let after = app.get(&format!("/v1/agencies/{agency}/profile"), &admin).await;
        assert_eq!(after.body["version"], 1, "a refused update writes nothing");
    })
    .await;
}

#[actix_web::test]
async fn updates_need_a_current_if_match() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let admin = token("agency_admin", &agency);

        let missing = put_profile(&app, &agency, &admin, None, &profile_body("ก")).await;
        missing.assert_problem(428, "precondition-required");

        let etag = etag_of(&app, &agency, &admin).await;
        let first = put_profile(&app, &agency, &admin, Some(&etag), &profile_body("ข")).await;
        assert_eq!(first.status, 200);

        // The same (now stale) ETag again: 412, with the current one named.
        let stale = put_profile(&app, &agency, &admin, Some(&etag), &profile_body("ค")).await;
        stale.assert_problem(412, "precondition-failed");
        assert_eq!(stale.body["current_etag"], "\"2\"");
        let stored = app.get(&format!("/v1/agencies/{agency}/profile"), &admin).await;
        assert_eq!(stored.body["name_th"], "ข", "the stale write changed nothing");

        let garbage = put_profile(&app, &agency, &admin, Some("version-2"), &profile_body("ง")).await;
        garbage.assert_problem(400, "invalid-parameters");
        assert_eq!(garbage.problem_fields(), ["If-Match"]);
    })
    .await;
}

#[actix_web::test]
async fn racing_updates_with_one_etag_exactly_one_wins() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let admin = token("agency_admin", &agency);
        let etag = etag_of(&app, &agency, &admin).await;
        let bodies: Vec<_> = (0..6).map(|i| profile_body(&format!("ชื่อที่ {i}"))).collect();
        let replies = futures_util::future::join_all(
            bodies.iter().map(|body| put_profile(&app, &agency, &admin, Some(&etag), body)),
        )
        .await;
        let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "statuses: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 412).count(), 5, "statuses: {statuses:?}");
        let winner = replies.iter().find(|r| r.status == 200).unwrap();
        let stored = app.get(&format!("/v1/agencies/{agency}/profile"), &admin).await;
        assert_eq!(stored.body["name_th"], winner.body["name_th"]);
        assert_eq!(stored.body["version"], 2);
    })
    .await;
}
