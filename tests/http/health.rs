//! Probes need no token.

use crate::support::each_backend;

#[actix_web::test]
async fn liveness_and_readiness() {
    each_backend(async |app| {
        let live = app.request("GET", "/healthz", None, &[], None).await;
        assert_eq!(live.status, 200);
        assert_eq!(live.body["status"], "ok");
        let ready = app.request("GET", "/readyz", None, &[], None).await;
        assert_eq!(ready.status, 200, "{}", ready.body);
        assert_eq!(ready.body["status"], "ok");
        let swagger = app.request("GET", "/swagger-ui/", None, &[], None).await;
        assert_eq!(swagger.status, 200);
        let redirect = app.request("GET", "/swagger-ui", None, &[], None).await;
        assert!(redirect.status.is_redirection());
    })
    .await;
}

#[actix_web::test]
async fn metrics_count_requests_by_route_template_and_status_in_prometheus_text() {
    crate::support::each_backend(async |app| {
        let gix = crate::support::gix();
        let org = app.register("agency", "กรมทดสอบตัวชี้วัด").await;
        assert_eq!(app.get(&format!("/v1/organisations/{org}"), &gix).await.status, 200);
        assert_eq!(app.get(&format!("/v1/organisations/{org}"), &gix).await.status, 200);
        assert_eq!(app.get("/v1/organisations/0190f5c2-1a2b-7c3d-8e4f-000000000999", &gix).await.status, 404);
        let metrics = app.request("GET", "/metrics", None, &[], None).await;
        assert_eq!(metrics.status, 200);
        assert!(metrics.header("content-type").unwrap().starts_with("text/plain; version=0.0.4"));
        let text = metrics.body.as_str().unwrap();
        let route = "route=\"/v1/organisations/{organisation_id}\"";
        assert!(
            text.contains(&format!("gsi_http_requests_total{{method=\"GET\",{route},status=\"200\"}} 2")),
            "{text}"
        );
        assert!(
            text.contains(&format!("gsi_http_requests_total{{method=\"GET\",{route},status=\"404\"}} 1")),
            "{text}"
        );
        assert!(
            text.contains(&format!("gsi_http_request_duration_seconds_count{{method=\"GET\",{route}}} 3")),
            "{text}"
        );
        assert!(!text.contains(&org), "raw paths never become labels");
        for gauge in [
            "gsi_db_pool_connections ",
            "gsi_db_pool_connections_in_use ",
            "gsi_db_pool_waiting 0",
            "gsi_outbox_backlog 0",
        ] {
            assert!(text.contains(gauge), "{gauge} missing: {text}");
        }
        // Ingested usage records are counted.
        let s = crate::usage::setup(&app).await;
        let start = s.months[1].start();
        let records: Vec<_> = (0..3)
            .map(|i| {
                let from = start + chrono::Duration::hours(i);
                crate::usage::record(
                    &format!("m-{i}"),
                    &s.subscription,
                    "vcpu_hour",
                    "1",
                    from,
                    from + chrono::Duration::hours(1),
                )
            })
            .collect();
        assert_eq!(crate::usage::submit(&app, &s.operator, &records).await.status, 200);
        let text = app.request("GET", "/metrics", None, &[], None).await.body;
        assert!(text.as_str().unwrap().contains("gsi_usage_records_ingested_total 3"), "{text}");
    })
    .await;
}
