//! The conformance kit (`gsi-ctk`, issue 13) against this server: every scenario passes on
//! each backend; and the kit can fail: behind a proxy that breaks one rule (a foreign object
//! answered 403, a losing confirmation answered 200) exactly that check is reported failed.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use gsi_tests::ctk::config::{AddOn, Config, Fixtures, Settings, Tokens};
use gsi_tests::ctk::report::{Outcome, Report};
use gsi_tests::ctk::{self};

use crate::support::{TestApp, each_backend, token};

const AGENCY_A: &str = "00000000-0000-7000-8000-000000000a01";
const AGENCY_B: &str = "00000000-0000-7000-8000-000000000a02";
const NETWORK: &str = "00000000-0000-7000-8000-000000000b01";
const CLOUD: &str = "00000000-0000-7000-8000-000000000b02";
const INTERNET: &str = "00000000-0000-7000-8000-000000000d01";
const PUBLIC_IP_ADD_ON: &str = "00000000-0000-7000-8000-000000020002";

fn seed_demo(app: &TestApp) {
    let mut conn = gsi_persistence::checkout(&app.pool).expect("connection");
    gsi_api::usecases::demo::seed(&mut conn, chrono::Utc::now()).expect("demo data");
}

fn quantities(metric: &str, value: &str) -> ctk::config::Quantities {
    [(metric.to_owned(), value.to_owned())].into_iter().collect()
}

/// The configuration `make ctk` writes, for the demo organisations at `base_url`.
fn demo_config(base_url: &str, other_agency_admin: &str) -> Config {
    Config {
        base_url: base_url.to_owned(),
        tokens: Tokens {
            agency_admin: token("agency_admin", AGENCY_A),
            provider_operator: token("provider_operator", NETWORK),
            other_agency_admin: Some(other_agency_admin.to_owned()),
            other_provider_operator: Some(token("provider_operator", CLOUD)),
        },
        fixtures: Fixtures {
            agency_id: AGENCY_A.into(),
            provider_id: NETWORK.into(),
            subscription_id: INTERNET.into(),
            change_quantities: vec![quantities("mbps_month", "1000"), quantities("mbps_month", "800")],
            over_capacity_quantities: Some(quantities("mbps_month", "12000")),
            add_on: Some(AddOn { id: PUBLIC_IP_ADD_ON.into(), quantities: quantities("public_ip_month", "8") }),
            usage_metric: "mbps_month".into(),
            usage_quantity: "1".into(),
        },
        settings: Settings { quote_validity_secs: 1, racing_confirmations: 8, ..Settings::default() },
    }
}

/// The kit is blocking (its own sockets and threads): run it off the server's runtime.
async fn run_kit(config: Config) -> Report {
    actix_web::rt::task::spawn_blocking(move || ctk::run(config)).await.expect("kit thread").expect("kit runs")
}

fn failures(report: &Report) -> Vec<String> {
    report
        .checks
        .iter()
        .filter(|c| c.outcome != Outcome::Pass)
        .map(|c| {
            format!(
                "{:?} {} {} {}: {} → {:?}: {}",
                c.outcome, c.clause, c.scenario, c.check, c.request, c.status, c.fact
            )
        })
        .collect()
}

#[actix_web::test]
async fn gsi_ctk_every_scenario_passes_against_this_server_twice_in_a_row() {
    each_backend(async |app| {
        seed_demo(&app);
        let config = demo_config(&app.base, &token("agency_admin", AGENCY_B));
        let report = run_kit(config.clone()).await;
        assert!(failures(&report).is_empty(), "{:#?}", failures(&report));
        for scenario in ctk::SCENARIOS {
            assert!(report.checks.iter().any(|c| c.scenario == *scenario), "{scenario} ran no check");
        }
        assert!(report.count(Outcome::Pass) >= 90, "{}", report.to_text());
        // The text names each clause; the JSON carries the same checks.
        let text = report.to_text();
        for clause in ["GSI-A.1.3", "GSI-A.1.7", "GSI-7.1", "GSI-7.5.5", "GSI-7.5.7"] {
            assert!(text.contains(clause), "{clause} missing from the report");
        }
        let json = report.to_json();
        assert_eq!(json["summary"]["fail"], 0);
        assert_eq!(json["checks"].as_array().unwrap().len(), report.checks.len());

        // The kit leaves the subscription ready for the next run: a provider reruns it.
        let again = run_kit(config).await;
        assert!(failures(&again).is_empty(), "second run: {:#?}", failures(&again));
    })
    .await;
}

/// What the misbehaving proxy changes: (method, path, caller's token, upstream status) →
/// the status it answers instead.
type Rewrite = Arc<dyn Fn(&str, &str, &str, u16) -> Option<u16> + Send + Sync>;

/// A proxy in front of `upstream` that answers exactly what it does, except where `rewrite`
/// says otherwise. Returns its base URL and a handle to stop it.
async fn misbehaving_proxy(upstream: &str, rewrite: Rewrite) -> (String, actix_web::dev::ServerHandle) {
    let upstream = upstream.to_owned();
    let server = HttpServer::new(move || {
        let upstream = upstream.clone();
        let rewrite = rewrite.clone();
        App::new().default_service(web::to(move |request: HttpRequest, body: web::Bytes| {
            let upstream = upstream.clone();
            let rewrite = rewrite.clone();
            async move {
                let client = awc::Client::builder().timeout(std::time::Duration::from_secs(30)).finish();
                let mut forward = client.request(request.method().clone(), format!("{upstream}{}", request.uri()));
                for (name, value) in request.headers() {
                    if name != "host" && name != "connection" {
                        forward = forward.insert_header((name.clone(), value.clone()));
                    }
                }
                let mut answer = forward.send_body(body.to_vec()).await.expect("upstream answers");
                let bytes = answer.body().limit(10 * 1024 * 1024).await.expect("upstream body");
                let caller = request
                    .headers()
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.strip_prefix("Bearer "))
                    .unwrap_or("");
                let status = rewrite(request.method().as_str(), request.path(), caller, answer.status().as_u16())
                    .unwrap_or(answer.status().as_u16());
                let mut response = HttpResponse::build(StatusCode::from_u16(status).expect("status"));
                for (name, value) in answer.headers() {
                    if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                        response.insert_header((name.clone(), value.clone()));
                    }
                }
                response.body(bytes)
            }
        }))
    })
    .workers(2)
    .bind(("127.0.0.1", 0))
    .expect("proxy binds");
    let port = server.addrs()[0].port();
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    (format!("http://127.0.0.1:{port}"), handle)
}

fn check<'a>(report: &'a Report, scenario: &str, needle: &str) -> &'a gsi_tests::ctk::report::Check {
    let found = report.find(scenario, needle);
    assert_eq!(found.len(), 1, "one `{needle}` check in {scenario}: {}", report.to_text());
    found[0]
}

#[actix_web::test]
async fn gsi_ctk_reports_a_foreign_object_answered_403_and_a_second_winning_confirmation_as_failed() {
    each_backend(async |app| {
        seed_demo(&app);
        let other_agency = token("agency_admin", AGENCY_B);
        let stranger = other_agency.clone();
        // Leaks existence: another agency's read of a request is 403 instead of 404.
        let forbids: Rewrite = Arc::new(move |method, path, caller, status| {
            (method == "GET" && path.starts_with("/v1/service-requests/") && caller == stranger && status == 404)
                .then_some(403)
        });
        let (base, proxy) = misbehaving_proxy(&app.base, forbids).await;
        let mut config = demo_config(&base, &other_agency);
        config.settings.only = vec!["tenancy".into()];
        let report = run_kit(config.clone()).await;
        let leaked = check(&report, "tenancy", "another agency reads the request: 404");
        assert_eq!((leaked.outcome, leaked.status), (Outcome::Fail, Some(403)), "{}", report.to_text());
        assert_eq!(leaked.clause, "GSI-7.5.6");
        assert!(report.failed());
        // Only what the proxy broke failed: the same reads of other objects still pass.
        assert_eq!(check(&report, "tenancy", "another agency reads the subscription").outcome, Outcome::Pass);
        assert_eq!(check(&report, "tenancy", "another provider reads the request").outcome, Outcome::Pass);
        proxy.stop(false).await;

        // Lets a losing confirmation through: a 409/412 to a confirm step becomes 200.
        let lets_through: Rewrite = Arc::new(|method, path, _, status| {
            (method == "POST" && path.ends_with("/confirm") && (status == 409 || status == 412)).then_some(200)
        });
        let (base, proxy) = misbehaving_proxy(&app.base, lets_through).await;
        config.base_url = base;
        config.settings.only = vec!["racing-confirmations".into(), "quote-expiry".into()];
        let report = run_kit(config).await;
        let race = check(&report, "racing-confirmations", "exactly one 2xx");
        assert_eq!(race.outcome, Outcome::Fail, "{}", report.to_text());
        assert!(race.fact.matches("200").count() > 1, "{}", race.fact);
        assert_eq!(check(&report, "quote-expiry", "an expired quote cannot be confirmed").outcome, Outcome::Fail);
        // The server itself recorded one confirmation: the kit's read-back still passes.
        assert_eq!(check(&report, "racing-confirmations", "one confirmation is recorded").outcome, Outcome::Pass);
        proxy.stop(false).await;
    })
    .await;
}

#[test]
fn gsi_ctk_configuration_errors_name_the_key() {
    let text = std::fs::read_to_string(format!("{}/ctk/example.toml", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let example = Config::parse(&text).expect("the shipped example parses");
    assert_eq!(example.settings.racing_confirmations, 10);
    let broken = text.replace("subscription_id = \"", "subscription_id = \"x");
    let problem = Config::parse(&broken).unwrap_err();
    assert!(problem.contains("fixtures.subscription_id"), "{problem}");
    let unknown = format!("{text}\n[extra]\nkey = 1\n");
    assert!(Config::parse(&unknown).unwrap_err().contains("extra"));
}
