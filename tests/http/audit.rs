//! Every change writes an audit event in the same transaction; readers see their own.

use gsi_persistence::repos::audit::{self, AuditFilter};
use gsi_persistence::{PageRequest, checkout};
use serde_json::json;

use crate::support::{each_backend, gix, profile_body, token};

#[actix_web::test]
async fn a_profile_change_writes_one_audit_event_with_what_changed() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let other = app.register("agency", "กรมอื่น").await;
        let admin = token("agency_admin", &agency);
        let mut body = profile_body("กรมทดสอบ");
        body["address"] = json!("99 ถนนพระราม 6 กรุงเทพฯ");
        let reply = app
            .request(
                "PUT",
                &format!("/v1/agencies/{agency}/profile"),
                Some(&admin),
                &[("If-Match", "\"1\""), ("X-Request-Id", "audit-test-1")],
                Some(&body),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);

        let events =
            app.get(&format!("/v1/audit-events?resource_type=agency_profile&resource_id={agency}"), &admin).await;
        assert_eq!(events.status, 200, "{}", events.body);
        let items = events.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{}", events.body);
        let event = &items[0];
        assert_eq!(event["action"], "agency_profile.updated");
        assert_eq!(event["actor_role"], "agency_admin");
        assert_eq!(event["actor_organisation_id"], agency);
        assert_eq!(event["request_id"], "audit-test-1");
        assert_eq!(event["changes"]["address"], json!({"from": null, "to": "99 ถนนพระราม 6 กรุงเทพฯ"}));
        assert!(event["changes"].get("name_th").is_none(), "unchanged fields are not listed");

        // Stored state: the row is really there, next to the change.
        let mut conn = checkout(&app.pool).unwrap();
        let stored = audit::list(
            &mut conn,
            gsi_domain::access::Scope::Everything,
            &AuditFilter { action: Some("agency_profile.updated".into()), ..Default::default() },
            PageRequest { after: None, limit: 10 },
        )
        .unwrap();
        assert_eq!(stored.items.len(), 1);

        // The other agency sees nothing of it; GIX sees it and the registrations.
        let theirs = app.get("/v1/audit-events", &token("agency_user", &other)).await;
        let actions: Vec<&str> =
            theirs.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["organisation.registered"], "only its own registration");
        let all = app.get("/v1/audit-events", &gix()).await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 3);
    })
    .await;
}

#[actix_web::test]
async fn a_refused_change_writes_no_audit_event() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let admin = token("agency_admin", &agency);
        let reply = app
            .request(
                "PUT",
                &format!("/v1/agencies/{agency}/profile"),
                Some(&admin),
                &[("If-Match", "\"7\"")],
                Some(&profile_body("x")),
            )
            .await;
        reply.assert_problem(412, "precondition-failed");
        let events = app.get("/v1/audit-events?action=agency_profile.updated", &gix()).await;
        assert_eq!(events.body["items"], json!([]));

        let bad = app.get("/v1/audit-events?from=yesterday", &gix()).await;
        bad.assert_problem(400, "invalid-parameters");
        assert_eq!(bad.problem_fields(), ["from"]);
    })
    .await;
}
