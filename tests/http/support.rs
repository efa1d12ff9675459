//! `spawn_app`: the real server on a free port, over a fresh database.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::http::StatusCode;
use actix_web::http::header::HeaderMap;
use awc::Client;
use gsi_api::{Application, Clock, Config};
use gsi_persistence::testing::{Backend, TestDatabase, backends};
use gsi_persistence::{DatabaseUrl, DbPool, PoolSettings, build_pool};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

pub const SECRET: &str = "test-secret-test-secret-test-secret-0123456789";
pub const ISSUER: &str = "gsi-hub-test";
pub const AUDIENCE: &str = "gsi-hub-api-test";
pub const GIX: &str = "00000000-0000-7000-8000-000000000001";
/// The one browser origin the test server allows.
pub const PORTAL_ORIGIN: &str = "https://portal.example.go.th";
/// Small, so the 413 test need not send megabytes.
pub const BODY_LIMIT: usize = 16 * 1024;

pub fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub struct TestApp {
    pub base: String,
    /// A pool on the server's database, for asserting on stored state.
    pub pool: DbPool,
    client: Client,
    handle: actix_web::dev::ServerHandle,
    db: TestDatabase,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
    }

    /// The fields a problem+json answer names.
    pub fn problem_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|errors| errors.iter().filter_map(|e| e["field"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    pub fn assert_problem(&self, status: u16, slug: &str) {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/problem+json"),
            "problem responses are application/problem+json"
        );
        assert_eq!(self.body["type"], format!("https://gsi-hub.example/problems/{slug}"), "body: {}", self.body);
        assert_eq!(self.body["status"], status);
    }
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A server clock the test moves by hand (quote expiry, request age).
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<chrono::DateTime<chrono::Utc>>>);

impl TestClock {
    /// Starts at the real time, so tokens and seeded data are current.
    pub fn new() -> Self {
        TestClock(Arc::new(Mutex::new(gsi_domain::time::to_storage_precision(chrono::Utc::now()))))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        *self.0.lock().expect("clock")
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().expect("clock");
        *now += by;
    }

    pub fn clock(&self) -> Clock {
        let shared = self.0.clone();
        Clock::from_fn(move || *shared.lock().expect("clock"))
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with_clock(backend, Clock::system()).await
}

/// `spawn_app` with the server reading `clock`.
pub async fn spawn_app_with_clock(backend: Backend, clock: Clock) -> TestApp {
    spawn_app_with_env(backend, clock, &[]).await
}

/// The test server's configuration on `url`; `overrides` replace or add `GSI_*` values.
/// Webhooks: http and loopback receivers allowed, fast polls and retries, pause after 3.
pub fn test_config(url: &str, overrides: &[(&str, &str)]) -> Config {
    let public_keys = format!("test-es={},test-rs={}", fixture("es256.pub.pem"), fixture("rs256.pub.pem"));
    Config::from_lookup(|name| {
        if let Some((_, v)) = overrides.iter().find(|(k, _)| *k == name) {
            return Some((*v).to_owned());
        }
        let value = match name {
            "GSI_DATABASE_URL" => url.to_owned(),
            "GSI_BIND" => "127.0.0.1:0".into(),
            "GSI_JWT_SECRET" => SECRET.into(),
            "GSI_JWT_PUBLIC_KEYS" => public_keys.clone(),
            "GSI_JWT_ISSUER" => ISSUER.into(),
            "GSI_JWT_AUDIENCE" => AUDIENCE.into(),
            "GSI_MAX_BODY_BYTES" => BODY_LIMIT.to_string(),
            "GSI_WORKERS" => "2".into(),
            "GSI_SHUTDOWN_TIMEOUT_SECS" => "0".into(),
            "GSI_CORS_ORIGINS" => PORTAL_ORIGIN.into(),
            "GSI_WEBHOOK_ALLOW_HTTP" => "true".into(),
            "GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES" => "true".into(),
            "GSI_WEBHOOK_POLL_MS" => "50".into(),
            "GSI_WEBHOOK_RETRY_BASE_MS" => "100".into(),
            "GSI_WEBHOOK_RETRY_MAX_MS" => "400".into(),
            "GSI_WEBHOOK_PAUSE_AFTER" => "3".into(),
            "GSI_WEBHOOK_TIMEOUT_MS" => "3000".into(),
            _ => return None,
        };
        Some(value)
    })
    .expect("test configuration")
}

/// Another server instance on an existing database (several instances, one PostgreSQL).
pub async fn spawn_instance(
    url: &str,
    clock: Clock,
    overrides: &[(&str, &str)],
) -> (String, actix_web::dev::ServerHandle) {
    let app = Application::build(&test_config(url, overrides), clock).expect("server starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    (base, handle)
}

/// `spawn_app_with_clock` with configuration overrides.
pub async fn spawn_app_with_env(backend: Backend, clock: Clock, overrides: &[(&str, &str)]) -> TestApp {
    let db = TestDatabase::create(backend);
    let app = Application::build(&test_config(&db.url, overrides), clock).expect("server starts");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let pool = build_pool(DatabaseUrl::parse(&db.url).expect("url"), &PoolSettings::default()).expect("pool");
    TestApp {
        base,
        pool,
        client: Client::builder().timeout(std::time::Duration::from_secs(30)).disable_redirects().finish(),
        handle,
        db,
    }
}

impl TestApp {
    /// The database URL (for a second instance on the same database).
    pub fn database_url(&self) -> &str {
        &self.db.url
    }

    pub fn stop_handle(&self) -> actix_web::dev::ServerHandle {
        self.handle.clone()
    }
}

/// Runs `test` against a fresh server on every backend this run covers.
pub async fn each_backend(test: impl AsyncFn(TestApp)) {
    for backend in backends() {
        // Shown with a failing test's output, to tell which backend failed.
        eprintln!("backend: {backend:?}");
        let app = spawn_app(backend).await;
        let handle = app.handle.clone();
        test(app).await;
        handle.stop(false).await;
    }
}

/// `each_backend` with a server clock the test moves.
pub async fn each_backend_with_clock(test: impl AsyncFn(TestApp, TestClock)) {
    for backend in backends() {
        eprintln!("backend: {backend:?}");
        let clock = TestClock::new();
        let app = spawn_app_with_clock(backend, clock.clock()).await;
        let handle = app.handle.clone();
        test(app, clock).await;
        handle.stop(false).await;
    }
}

/// Claims for a token; tests change fields to break it.
pub fn claims(role: &str, org: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "sub": format!("test-{role}-{}", COUNTER.fetch_add(1, Ordering::Relaxed)),
        "org": org,
        "role": role,
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
    })
}

pub fn sign(claims: &Value) -> String {
    let key = EncodingKey::from_secret(SECRET.as_bytes()).expect("key");
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key).expect("token")
}

pub fn token(role: &str, org: &str) -> String {
    sign(&claims(role, org))
}

pub fn gix() -> String {
    token("gix_officer", GIX)
}

impl TestApp {
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Reply {
        let raw = body.map(|b| (serde_json::to_vec(b).expect("json"), "application/json"));
        self.raw(method, path, token, headers, raw.as_ref().map(|(b, ct)| (b.as_slice(), *ct))).await
    }

    /// Sends bytes as they are, with the given content type.
    pub async fn raw(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<(&[u8], &str)>,
    ) -> Reply {
        let method = actix_web::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        for (name, value) in headers {
            request = request.insert_header((*name, *value));
        }
        let mut response = match body {
            Some((bytes, content_type)) => {
                request.insert_header(("Content-Type", content_type)).send_body(bytes.to_vec()).await
            }
            None => request.send().await,
        }
        .expect("request sent");
        let bytes = response.body().limit(10 * 1024 * 1024).await.expect("body read");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply { status: response.status(), headers: response.headers().clone(), body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.request("GET", path, Some(token), &[], None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Reply {
        self.request("POST", path, Some(token), &[], Some(body)).await
    }

    /// Puts a provider that has a complete profile on the derived provider list for `families`
    /// through the governance API (GSI-6.4, 11.3, 12.1, 12.2): registers and accredits an
    /// assessor, records and verifies the three ISO certificates, and certifies the provider.
    /// The ISO/IEC 27001 certificate is valid until `iso27001_until`. Returns the assessor id.
    pub async fn certify_until(&self, provider: &str, families: &[&str], iso27001_until: chrono::NaiveDate) -> String {
        let today = gsi_domain::governance::period::bangkok_date(chrono::Utc::now());
        let day = |offset: i64| (today + chrono::Duration::days(offset)).to_string();
        let assessor = self.register("assessor", "สถาบันรับรองทดสอบ").await;
        let accredited = self
            .post(
                &format!("/v1/assessors/{assessor}/accreditations"),
                &gix(),
                &json!({"families": ["network", "cloud", "data_center"], "valid_from": day(-365), "valid_until": day(730)}),
            )
            .await;
        assert_eq!(accredited.status, StatusCode::CREATED, "accredit: {}", accredited.body);
        let operator = token("provider_operator", provider);
        let assessor_token = token("assessor", &assessor);
        for standard in ["iso_iec_20000_1", "iso_22301", "iso_iec_27001"] {
            let until = if standard == "iso_iec_27001" { iso27001_until.to_string() } else { day(700) };
            let recorded = self
                .post(
                    &format!("/v1/providers/{provider}/iso-certificates"),
                    &operator,
                    &json!({
                        "standard": standard, "number": format!("T-{standard}"), "issuing_body": "Test CB",
                        "families": families, "valid_from": day(-300), "valid_until": until, "evidence_ref": "DMS-1"
                    }),
                )
                .await;
            assert_eq!(recorded.status, StatusCode::CREATED, "certificate: {}", recorded.body);
            let id = recorded.body["id"].as_str().expect("id").to_owned();
            let verified =
                self.post(&format!("/v1/iso-certificates/{id}/verification"), &assessor_token, &json!(null)).await;
            assert_eq!(verified.status, StatusCode::OK, "verify: {}", verified.body);
        }
        let assessment = self
            .post(
                "/v1/assessments",
                &assessor_token,
                &json!({
                    "provider_id": provider, "kind": "initial", "families": families,
                    "planned_on": day(-2), "performed_on": day(-1), "consent_ref": "consent letter"
                }),
            )
            .await;
        assert_eq!(assessment.status, StatusCode::CREATED, "assessment: {}", assessment.body);
        let id = assessment.body["id"].as_str().expect("id").to_owned();
        let decided = self
            .post(
                &format!("/v1/assessments/{id}/decision"),
                &assessor_token,
                &json!({"outcome": "certify", "note": "conforms"}),
            )
            .await;
        assert_eq!(decided.status, StatusCode::OK, "decision: {}", decided.body);
        assessor
    }

    /// `certify_until` with every certificate valid for about two years.
    pub async fn certify(&self, provider: &str, families: &[&str]) -> String {
        let today = gsi_domain::governance::period::bangkok_date(chrono::Utc::now());
        self.certify_until(provider, families, today + chrono::Duration::days(700)).await
    }

    /// Registers an organisation as GIX; returns its id.
    pub async fn register(&self, kind: &str, name_th: &str) -> String {
        let reply = self.post("/v1/organisations", &gix(), &json!({"kind": kind, "name_th": name_th})).await;
        assert_eq!(reply.status, StatusCode::CREATED, "register failed: {}", reply.body);
        reply.body["id"].as_str().expect("id").to_owned()
    }
}

/// A complete, valid profile update body.
pub fn profile_body(name: &str) -> Value {
    json!({
        "name_th": name,
        "name_en": "Department of Tests",
        "parent_ministry": "กระทรวงดิจิทัลเพื่อเศรษฐกิจและสังคม",
        "address": "120 ถนนแจ้งวัฒนะ กรุงเทพฯ 10210",
        "coordinators": [
            {"name": "สมชาย ใจดี", "position": "IT director", "email": "somchai@test.go.th", "phone": "02-123-4567", "is_primary": true}
        ],
        "contact_channels": [{"kind": "email", "value": "it@test.go.th", "label": null}]
    })
}
