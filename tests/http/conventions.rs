//! Conventions every endpoint shares: problem+json for bad input of any kind,
//! Idempotency-Key, X-Request-Id, pagination parameters.

use serde_json::json;

use crate::support::{BODY_LIMIT, each_backend, gix, token};

#[actix_web::test]
async fn malformed_unknown_oversized_and_mistyped_bodies_are_problems() {
    each_backend(async |app| {
        let gix = gix();
        let count_before = app.get("/v1/organisations?kind=agency", &gix).await.body["items"].as_array().unwrap().len();

        let malformed = app
            .raw("POST", "/v1/organisations", Some(&gix), &[], Some((b"{\"kind\": \"agency\",", "application/json")))
            .await;
        malformed.assert_problem(400, "malformed-body");

        let empty = app.raw("POST", "/v1/organisations", Some(&gix), &[], Some((b"", "application/json"))).await;
        empty.assert_problem(400, "malformed-body");

        let unknown =
            app.post("/v1/organisations", &gix, &json!({"kind": "agency", "name_th": "กรม", "is_admin": true})).await;
        unknown.assert_problem(422, "validation-error");
        assert_eq!(unknown.problem_fields(), ["is_admin"]);
        assert_eq!(unknown.body["errors"][0]["code"], "unknown_field");

        let missing = app.post("/v1/organisations", &gix, &json!({"kind": "agency"})).await;
        missing.assert_problem(422, "validation-error");
        assert_eq!(missing.problem_fields(), ["name_th"]);
        assert_eq!(missing.body["errors"][0]["code"], "required");

        let wrong_type = app.post("/v1/organisations", &gix, &json!({"kind": "agency", "name_th": 42})).await;
        wrong_type.assert_problem(422, "validation-error");
        assert_eq!(wrong_type.problem_fields(), ["name_th"]);

        let bad_choice = app.post("/v1/organisations", &gix, &json!({"kind": "bank", "name_th": "ธนาคาร"})).await;
        bad_choice.assert_problem(422, "validation-error");
        assert_eq!(bad_choice.problem_fields(), ["kind"]);

        let text = app.raw("POST", "/v1/organisations", Some(&gix), &[], Some((b"kind=agency", "text/plain"))).await;
        text.assert_problem(415, "unsupported-media-type");

        let huge_name = "ก".repeat(BODY_LIMIT);
        let oversized = app.post("/v1/organisations", &gix, &json!({"kind": "agency", "name_th": huge_name})).await;
        oversized.assert_problem(413, "payload-too-large");

        let count_after = app.get("/v1/organisations?kind=agency", &gix).await.body["items"].as_array().unwrap().len();
        assert_eq!(count_before, count_after, "no refused request stored anything");
    })
    .await;
}

#[actix_web::test]
async fn bad_path_and_query_values_are_400_naming_the_parameter() {
    each_backend(async |app| {
        let gix = gix();
        let path = app.get("/v1/organisations/not-a-uuid", &gix).await;
        path.assert_problem(400, "invalid-parameters");
        assert_eq!(path.problem_fields(), ["organisation_id"]);

        let limit = app.get("/v1/organisations?limit=500&cursor=%%%", &gix).await;
        limit.assert_problem(400, "invalid-parameters");
        assert_eq!(limit.problem_fields(), ["limit", "cursor"]);

        let unknown = app.get("/v1/organisations?colour=blue", &gix).await;
        unknown.assert_problem(400, "invalid-parameters");
        assert_eq!(unknown.problem_fields(), ["colour"]);

        let kind = app.get("/v1/organisations?kind=bank", &gix).await;
        kind.assert_problem(400, "invalid-parameters");
        assert_eq!(kind.problem_fields(), ["kind"]);

        let nowhere = app.get("/v1/no-such-thing", &gix).await;
        nowhere.assert_problem(404, "not-found");
    })
    .await;
}

#[actix_web::test]
async fn idempotency_key_replays_and_refuses_reuse_with_another_body() {
    each_backend(async |app| {
        let gix = gix();
        let body = json!({"kind": "provider", "name_th": "ผู้ให้บริการ ก"});
        let key = [("Idempotency-Key", "create-provider-1")];
        let first = app.request("POST", "/v1/organisations", Some(&gix), &key, Some(&body)).await;
        assert_eq!(first.status, 201, "{}", first.body);
        assert_eq!(first.header("idempotent-replayed"), None);

        let again = app.request("POST", "/v1/organisations", Some(&gix), &key, Some(&body)).await;
        assert_eq!(again.status, 201);
        assert_eq!(again.body, first.body, "the stored response is replayed");
        assert_eq!(again.header("location"), first.header("location"));
        assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));

        let other = json!({"kind": "provider", "name_th": "ผู้ให้บริการ ข"});
        let reused = app.request("POST", "/v1/organisations", Some(&gix), &key, Some(&other)).await;
        reused.assert_problem(422, "idempotency-key-reused");

        let providers = app.get("/v1/organisations?kind=provider", &gix).await;
        let names: Vec<&str> =
            providers.body["items"].as_array().unwrap().iter().map(|o| o["name_th"].as_str().unwrap()).collect();
        assert_eq!(names, ["ผู้ให้บริการ ก"], "exactly one organisation was created");

        // Keys belong to the caller: another GIX officer's same key is a new request.
        let someone_else = token("gix_officer", crate::support::GIX);
        let theirs = app.request("POST", "/v1/organisations", Some(&someone_else), &key, Some(&other)).await;
        assert_eq!(theirs.status, 201);
        assert_ne!(theirs.body["id"], first.body["id"]);

        let bad_key =
            app.request("POST", "/v1/organisations", Some(&gix), &[("Idempotency-Key", "")], Some(&body)).await;
        bad_key.assert_problem(400, "invalid-parameters");
    })
    .await;
}

#[actix_web::test]
async fn concurrent_retries_with_one_key_create_once() {
    each_backend(async |app| {
        let gix = gix();
        let body = json!({"kind": "assessor", "name_th": "ผู้ตรวจสอบ"});
        let key = [("Idempotency-Key", "concurrent-1")];
        let replies = futures_util::future::join_all(
            (0..5).map(|_| app.request("POST", "/v1/organisations", Some(&gix), &key, Some(&body))),
        )
        .await;
        for reply in &replies {
            assert!(reply.status == 201 || reply.status == 409, "unexpected {}: {}", reply.status, reply.body);
        }
        let created: Vec<_> = replies.iter().filter(|r| r.status == 201).map(|r| r.body["id"].clone()).collect();
        assert!(!created.is_empty());
        assert!(created.windows(2).all(|w| w[0] == w[1]), "every success names the same organisation");
        let assessors = app.get("/v1/organisations?kind=assessor", &gix).await;
        assert_eq!(assessors.body["items"].as_array().unwrap().len(), 1);
    })
    .await;
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    each_backend(async |app| {
        let mine = app.request("GET", "/healthz", None, &[("X-Request-Id", "trace-abc.123")], None).await;
        assert_eq!(mine.header("x-request-id").as_deref(), Some("trace-abc.123"));
        let unsafe_id = app.request("GET", "/healthz", None, &[("X-Request-Id", "a b c")], None).await;
        let generated = unsafe_id.header("x-request-id").unwrap();
        assert_ne!(generated, "a b c");
        assert!(uuid::Uuid::parse_str(&generated).is_ok(), "generated ids are UUIDs: {generated}");
        let error = app.get("/v1/me", "garbage").await;
        assert!(error.header("x-request-id").is_some(), "errors carry the request id too");
    })
    .await;
}

#[actix_web::test]
async fn cors_allows_only_the_configured_portal_origins() {
    each_backend(async |app| {
        let app = &app;
        let preflight = async |origin: &'static str| {
            let headers = [
                ("Origin", origin),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "authorization, if-match, content-type"),
            ];
            app.request("OPTIONS", "/v1/me", None, &headers, None).await
        };
        let allowed = preflight(crate::support::PORTAL_ORIGIN).await;
        assert_eq!(allowed.status, 200, "{}", allowed.body);
        assert_eq!(allowed.header("access-control-allow-origin").as_deref(), Some(crate::support::PORTAL_ORIGIN));
        let other = preflight("https://evil.example.com").await;
        assert_eq!(other.header("access-control-allow-origin"), None);
        let simple = app.request("GET", "/healthz", None, &[("Origin", crate::support::PORTAL_ORIGIN)], None).await;
        let exposed = simple.header("access-control-expose-headers").unwrap_or_default();
        assert!(exposed.contains("etag") && exposed.contains("x-request-id"), "{exposed}");
    })
    .await;
}

/// RFC 9110 §15.5.6: a method the path lacks is 405 with `Allow` listing the methods it has,
/// as problem+json; an unknown path stays 404; nothing is stored by a refused method.
#[actix_web::test]
async fn a_method_the_path_lacks_is_405_with_allow() {
    each_backend(async |app| {
        let gix = gix();
        let audit_before = app.get("/v1/audit-events?limit=200", &gix).await.body["items"].as_array().unwrap().len();

        let trace = app.request("TRACE", "/v1/me", Some(&gix), &[], None).await;
        trace.assert_problem(405, "method-not-allowed");
        assert_eq!(trace.header("allow").as_deref(), Some("GET"));

        let delete = app.request("DELETE", "/v1/organisations", Some(&gix), &[], None).await;
        delete.assert_problem(405, "method-not-allowed");
        assert_eq!(delete.header("allow").as_deref(), Some("GET, POST"));

        // A path with a parameter: the template's methods.
        let org = app.register("agency", "กรมทดสอบเมธอด").await;
        let patch = app.request("PATCH", &format!("/v1/agencies/{org}/profile"), Some(&gix), &[], None).await;
        patch.assert_problem(405, "method-not-allowed");
        assert_eq!(patch.header("allow").as_deref(), Some("GET, PUT"));

        // A literal segment beats a parameter: `preview` is POST only, not `{request_id}`'s GET.
        let preview = app.request("PUT", "/v1/service-requests/preview", Some(&gix), &[], None).await;
        preview.assert_problem(405, "method-not-allowed");
        assert_eq!(preview.header("allow").as_deref(), Some("POST"));
        // Even for a method `{request_id}` has: `preview` is not an id, and its own template lacks GET.
        let get_preview = app.request("GET", "/v1/service-requests/preview", Some(&gix), &[], None).await;
        get_preview.assert_problem(405, "method-not-allowed");
        assert_eq!(get_preview.header("allow").as_deref(), Some("POST"));

        // Without a token too: the path's methods are public in the contract.
        let anonymous = app.request("DELETE", "/v1/me", None, &[], None).await;
        assert_eq!(anonymous.status.as_u16(), 405);
        assert_eq!(anonymous.header("allow").as_deref(), Some("GET"));

        let unknown = app.request("TRACE", "/v1/no-such-thing", Some(&gix), &[], None).await;
        unknown.assert_problem(404, "not-found");
        assert!(unknown.header("allow").is_none());

        let audit_after = app.get("/v1/audit-events?limit=200", &gix).await.body["items"].as_array().unwrap().len();
        assert_eq!(audit_after, audit_before + 1, "only the registration was stored");
    })
    .await;
}

/// The OpenAPI document's grammars are the server's: values they admit are accepted,
/// look-alikes they refuse are 400 naming the parameter.
#[actix_web::test]
async fn values_outside_the_documented_grammars_are_refused() {
    each_backend(async |app| {
        let gix = gix();
        for (path, field) in [
            ("/v1/organisations?cursor=", "cursor"),
            ("/v1/organisations?cursor=AQ", "cursor"),
            ("/v1/events?after=%2B5", "after"),
            ("/v1/events?after=-1", "after"),
            ("/v1/reports/usage?from=%2B026-01", "from"),
            ("/v1/reports/usage?from=2026-%2B1", "from"),
            ("/v1/budgets?fiscal_year=%2B2027", "fiscal_year"),
        ] {
            let reply = app.get(path, &gix).await;
            reply.assert_problem(400, "invalid-parameters");
            assert_eq!(reply.problem_fields(), [field], "{path}");
        }
        assert_eq!(app.get("/v1/events?after=0", &gix).await.status.as_u16(), 200);
        assert_eq!(app.get("/v1/reports/usage?from=2026-01&to=2026-02", &gix).await.status.as_u16(), 200);

        // If-Match: a quote inside a tag, a bare number, a trailing comma.
        let org = app.register("agency", "กรมทดสอบอีแท็ก").await;
        let path = format!("/v1/agencies/{org}/profile");
        for bad in ["\"a\"b\"", "0", "\"1\","] {
            let reply = app
                .request("PUT", &path, Some(&gix), &[("If-Match", bad)], Some(&crate::support::profile_body("x")))
                .await;
            reply.assert_problem(400, "invalid-parameters");
            assert_eq!(reply.problem_fields(), ["If-Match"], "{bad}");
        }
    })
    .await;
}
