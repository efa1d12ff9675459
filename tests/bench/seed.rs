//! A national-scale data set, generated from a fixed seed through the public API: agencies,
//! listed providers with published offerings, reference prices, subscriptions registered by
//! their providers, and a year of usage per subscription.

use std::net::SocketAddr;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use gsi_domain::calendar::Month;
use serde_json::{Value, json};

use crate::client::{Connection, request};
use crate::server::{AUDIENCE, ISSUER, SECRET};

pub const GIX: &str = "00000000-0000-7000-8000-000000000001";

/// How big the data set is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub agencies: usize,
    pub providers: usize,
    pub subscriptions: usize,
    /// Usage records per subscription, spread over the last twelve months.
    pub records_per_subscription: usize,
}

impl Scale {
    pub fn usage_records(&self) -> usize {
        self.subscriptions * self.records_per_subscription
    }
}

/// A small deterministic generator (SplitMix64): the same data set on every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

pub fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub fn token(role: &str, org: &str) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "sub": format!("bench-{role}-{org}"), "org": org, "role": role, "iss": ISSUER, "aud": AUDIENCE,
        "iat": now, "nbf": now, "exp": now + 6 * 3600,
    });
    let key = jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap_or_else(|e| panic!("key: {e}"));
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256), &claims, &key)
        .unwrap_or_else(|e| panic!("token: {e}"))
}

/// Sends a JSON request and insists on a 2xx answer.
pub fn call(
    conn: &mut Connection,
    method: &str,
    path: &str,
    token: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Value {
    let bytes = body.map(|b| serde_json::to_vec(b).unwrap_or_default());
    let reply = conn
        .send(&request(method, path, Some(token), bytes.as_deref(), extra))
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    assert!(
        (200..300).contains(&reply.status),
        "{method} {path}: {} {}",
        reply.status,
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

pub struct Provider {
    pub id: String,
    pub operator: String,
}

pub struct Subscription {
    pub id: String,
    pub agency: usize,
    pub provider: usize,
}

pub struct DataSet {
    pub agencies: Vec<String>,
    pub providers: Vec<Provider>,
    pub subscriptions: Vec<Subscription>,
    /// The twelve months before the current one, oldest first.
    pub months: Vec<Month>,
    /// When the subscriptions started: the month before those twelve.
    pub starts_at: DateTime<Utc>,
}

fn provider_profile(i: usize) -> Value {
    json!({
        "legal_status": "juristic_person",
        "registration_number": "0-1075-44000-10-8",
        "families": ["cloud"],
        "support": {"phone": "02-555-2000", "email": format!("noc@provider{i}.co.th"),
                    "self_service_url": format!("https://portal.provider{i}.co.th")},
        "exclusions": [{"kind": "planned_maintenance", "notice_hours": 72, "text": "Announced 72 hours ahead"}]
    })
}

fn offering(i: usize) -> Value {
    json!({
        "family": "cloud", "kind": "compute", "name": format!("GovCloud VM {i}"),
        "pricing": [{"metric": "vcpu_hour", "unit_price": format!("1.{:02}", i % 30)},
                    {"metric": "ram_gb_hour", "unit_price": "0.30"}],
        "sla": {
            "availability_percent": "99.95", "max_unplanned_outages_per_month": 2, "max_mean_time_to_restore_minutes": 120,
            "priorities": [
                {"priority": "p1", "response_minutes": 15, "resolution_minutes": 120},
                {"priority": "p2", "response_minutes": 30, "resolution_minutes": 480},
                {"priority": "p3", "response_minutes": 120, "resolution_minutes": 1440},
                {"priority": "p4", "response_minutes": 480, "resolution_minutes": 4320}
            ],
            "credit_tiers": [{"below_percent": "99.95", "credit_percent": "10"}]
        },
        "capacity": []
    })
}

/// Organisations, prices, offerings and subscriptions (usage comes after, as the measured
/// ingestion).
pub fn organisations_and_subscriptions(addr: SocketAddr, scale: Scale) -> DataSet {
    let gix = token("gix_officer", GIX);
    let mut conn = Connection::new(addr);
    let current = Month::containing(Utc::now());
    let mut months = Vec::new();
    let mut m = current;
    for _ in 0..12 {
        m = m.previous();
        months.push(m);
    }
    months.reverse();
    let starts_at = months[0].previous().start();
    for (metric, price) in [("vcpu_hour", "1.20"), ("ram_gb_hour", "0.35")] {
        let body = json!({"service_kind": "compute", "metric": metric, "unit_price": price,
            "valid_from": rfc3339(starts_at - Duration::days(31)), "valid_until": null,
            "basis": "ประกาศคณะกรรมการพัฒนารัฐบาลดิจิทัล เรื่อง ราคากลาง (bench)"});
        call(&mut conn, "POST", "/v1/reference-prices", &gix, Some(&body), &[]);
    }
    let agencies: Vec<String> = (0..scale.agencies)
        .map(|i| {
            let body = json!({"kind": "agency", "name_th": format!("กรมทดสอบสมรรถนะ {i}")});
            call(&mut conn, "POST", "/v1/organisations", &gix, Some(&body), &[])["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    // The provider list follows from evidence (GSI-12.1-12.3): one accredited assessor
    // verifies each provider's ISO certificates and certifies it for cloud.
    let assessor = call(
        &mut conn,
        "POST",
        "/v1/organisations",
        &gix,
        Some(&json!({"kind": "assessor", "name_th": "สถาบันรับรองสมรรถนะ"})),
        &[],
    )["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let today = gsi_domain::governance::period::bangkok_date(Utc::now());
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    let accreditation = json!({"families": ["cloud"], "valid_from": day(-365), "valid_until": day(730)});
    call(&mut conn, "POST", &format!("/v1/assessors/{assessor}/accreditations"), &gix, Some(&accreditation), &[]);
    let assessor_token = token("assessor", &assessor);
    let mut offerings = Vec::new();
    let providers: Vec<Provider> = (0..scale.providers)
        .map(|i| {
            let body = json!({"kind": "provider", "name_th": format!("บริษัท คลาวด์สมรรถนะ {i} จำกัด")});
            let id = call(&mut conn, "POST", "/v1/organisations", &gix, Some(&body), &[])["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let operator = token("provider_operator", &id);
            call(&mut conn, "PUT", &format!("/v1/providers/{id}/profile"), &operator, Some(&provider_profile(i)), &[]);
            certify(&mut conn, &id, &operator, &assessor_token);
            let created = call(&mut conn, "POST", "/v1/offerings", &operator, Some(&offering(i)), &[]);
            let offering_id = created["id"].as_str().unwrap_or_default().to_owned();
            call(
                &mut conn,
                "POST",
                &format!("/v1/offerings/{offering_id}/publish"),
                &operator,
                None,
                &[("If-Match", "\"1\"")],
            );
            offerings.push(offering_id);
            Provider { id, operator }
        })
        .collect();
    // Subscriptions from four client threads: the provider registers each running contract.
    let plan: Vec<(usize, usize)> =
        (0..scale.subscriptions).map(|i| (i % scale.agencies, i % scale.providers)).collect();
    let threads = 4;
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let mine: Vec<(usize, usize, usize)> =
                plan.iter().enumerate().filter(|(i, _)| i % threads == t).map(|(i, (a, p))| (i, *a, *p)).collect();
            let agencies = agencies.clone();
            let providers: Vec<(String, String)> =
                providers.iter().map(|p| (p.id.clone(), p.operator.clone())).collect();
            let offerings = offerings.clone();
            std::thread::spawn(move || {
                let mut conn = Connection::new(addr);
                mine.into_iter()
                    .map(|(i, a, p)| {
                        let body = json!({
                            "agency_id": agencies[a], "offering_id": offerings[p],
                            "quantities": [{"metric": "vcpu_hour", "quantity": format!("{}", 2 + i % 31)}],
                            "starts_at": rfc3339(starts_at)
                        });
                        let id = call(
                            &mut conn,
                            "POST",
                            "/v1/subscriptions/existing",
                            &providers[p].1,
                            Some(&body),
                            &[],
                        )["id"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned();
                        (i, Subscription { id, agency: a, provider: p })
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut subscriptions: Vec<(usize, Subscription)> =
        handles.into_iter().flat_map(|h| h.join().unwrap_or_else(|_| panic!("seeding thread panicked"))).collect();
    subscriptions.sort_by_key(|(i, _)| *i);
    DataSet {
        agencies,
        providers,
        subscriptions: subscriptions.into_iter().map(|(_, s)| s).collect(),
        months,
        starts_at,
    }
}

/// One usage record as the provider sends it.
pub struct RecordSpec {
    pub record_id: String,
    pub subscription: usize,
    pub metric: &'static str,
    pub quantity: String,
    pub period_start: DateTime<Utc>,
}

impl RecordSpec {
    pub fn json(&self, data: &DataSet) -> Value {
        json!({
            "record_id": self.record_id, "subscription_id": data.subscriptions[self.subscription].id,
            "metric": self.metric, "quantity": self.quantity,
            "period_start": rfc3339(self.period_start), "period_end": rfc3339(self.period_start + Duration::hours(1)),
        })
    }
}

/// Records per subscription and month: a year of 100 records is nine a month.
const PER_MONTH: usize = 9;

/// The `n`-th usage record of subscription `s`: an hour of vCPU or RAM use with a seeded
/// quantity. Records come in time order, as a metering system sends them: a provider's
/// batch holds the same period for many subscriptions, so the `n`-th records fall in month
/// `n / 9` of the last twelve (the last month from the 100th on).
pub fn record(data: &DataSet, prefix: &str, s: usize, n: usize, rng: &mut Rng) -> RecordSpec {
    let month = data.months[(n / PER_MONTH).min(11)];
    let hour = (n % PER_MONTH) as i64 * 24 + rng.below(24) as i64;
    let metric = if rng.below(4) == 0 { "ram_gb_hour" } else { "vcpu_hour" };
    let quantity = format!("{}.{:02}", 1 + rng.below(64), rng.below(100));
    RecordSpec {
        record_id: format!("{prefix}-{s:05}-{n:04}"),
        subscription: s,
        metric,
        quantity,
        period_start: month.start() + Duration::hours(hour % (27 * 24)),
    }
}

/// Verified ISO certificates and an initial assessment decided `certify`, as
/// `tests/http/support.rs` `certify_until` does, so the provider is listed for cloud.
fn certify(conn: &mut Connection, provider: &str, operator: &str, assessor: &str) {
    let today = gsi_domain::governance::period::bangkok_date(Utc::now());
    let day = |offset: i64| (today + Duration::days(offset)).to_string();
    for standard in ["iso_iec_20000_1", "iso_22301", "iso_iec_27001"] {
        let body = json!({
            "standard": standard, "number": format!("B-{standard}"), "issuing_body": "Bench CB",
            "families": ["cloud"], "valid_from": day(-300), "valid_until": day(700), "evidence_ref": "DMS-B"
        });
        let recorded =
            call(conn, "POST", &format!("/v1/providers/{provider}/iso-certificates"), operator, Some(&body), &[]);
        let id = recorded["id"].as_str().unwrap_or_default().to_owned();
        call(conn, "POST", &format!("/v1/iso-certificates/{id}/verification"), assessor, Some(&Value::Null), &[]);
    }
    let body = json!({
        "provider_id": provider, "kind": "initial", "families": ["cloud"],
        "planned_on": day(-2), "performed_on": day(-1), "consent_ref": "consent letter"
    });
    let assessment = call(conn, "POST", "/v1/assessments", assessor, Some(&body), &[]);
    let id = assessment["id"].as_str().unwrap_or_default().to_owned();
    let decision = json!({"outcome": "certify", "note": "conforms"});
    call(conn, "POST", &format!("/v1/assessments/{id}/decision"), assessor, Some(&decision), &[]);
}
