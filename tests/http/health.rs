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
