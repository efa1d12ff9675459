//! Bearer-token verification: every way a token can be wrong gets 401 with
//! `WWW-Authenticate: Bearer`, and nothing else gets through.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::support::{GIX, TestApp, claims, each_backend, fixture, sign, token};

async fn assert_rejected(app: &TestApp, token: Option<&str>, why: &str) {
    let reply = app.request("GET", "/v1/me", token, &[], None).await;
    reply.assert_problem(401, "unauthenticated");
    let challenge = reply.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with("Bearer"), "{why}: challenge was {challenge:?}");
    assert!(reply.body["detail"].as_str().unwrap_or_default().contains(why), "expected `{why}` in {}", reply.body);
}

fn with(mut claims: Value, field: &str, value: Value) -> Value {
    claims[field] = value;
    claims
}

fn sign_with_pem(alg: Algorithm, kid: &str, pem_file: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(pem_file)).unwrap();
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem).unwrap(),
        _ => EncodingKey::from_ec_pem(&pem).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

#[actix_web::test]
async fn every_auth_failure_is_401_with_a_bearer_challenge() {
    each_backend(async |app| {
        let now = chrono::Utc::now().timestamp();
        let base = claims("gix_officer", GIX);

        assert_rejected(&app, None, "missing bearer token").await;
        assert_rejected(&app, Some(""), "").await;
        assert_rejected(&app, Some("not.a.jwt"), "malformed token").await;

        let expired = with(with(base.clone(), "exp", json!(now - 3600)), "nbf", json!(now - 7200));
        assert_rejected(&app, Some(&sign(&expired)), "token expired").await;

        let not_yet = with(base.clone(), "nbf", json!(now + 3600));
        assert_rejected(&app, Some(&sign(&not_yet)), "not yet valid").await;

        let wrong_audience = with(base.clone(), "aud", json!("someone-else"));
        assert_rejected(&app, Some(&sign(&wrong_audience)), "wrong audience").await;

        let wrong_issuer = with(base.clone(), "iss", json!("evil-issuer"));
        assert_rejected(&app, Some(&sign(&wrong_issuer)), "wrong issuer").await;

        // Same claims, signed with another secret.
        let other_key = EncodingKey::from_secret(b"another-secret-another-secret-0123456").unwrap();
        let forged = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &base, &other_key).unwrap();
        assert_rejected(&app, Some(&forged), "bad signature").await;

        // A tampered payload keeps the old signature.
        let good = sign(&base);
        let parts: Vec<&str> = good.split('.').collect();
        let tampered_claims = with(base.clone(), "role", json!("gix_officer"));
        let tampered = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(&with(tampered_claims, "sub", json!("mallory"))).unwrap()),
            parts[2]
        );
        assert_rejected(&app, Some(&tampered), "bad signature").await;

        // alg: none, unsigned.
        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let none_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&base).unwrap());
        assert_rejected(&app, Some(&format!("{none_header}.{none_payload}.")), "unsupported algorithm").await;

        // A key id nobody configured.
        let unknown_kid = sign_with_pem(Algorithm::ES256, "no-such-key", "es256.key.pem", &base);
        assert_rejected(&app, Some(&unknown_kid), "unknown key id").await;

        // Key confusion: HS256 "signed" with the RSA public key as the secret, naming the RSA kid.
        let public_pem = std::fs::read(fixture("rs256.pub.pem")).unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("test-rs".into());
        let confused = jsonwebtoken::encode(&header, &base, &EncodingKey::from_secret(&public_pem).unwrap()).unwrap();
        assert_rejected(&app, Some(&confused), "algorithm not allowed").await;

        // Claims that are not an identity.
        assert_rejected(&app, Some(&sign(&with(base.clone(), "role", json!("root")))), "invalid role").await;
        assert_rejected(&app, Some(&sign(&with(base.clone(), "org", json!("gix")))), "invalid org").await;
        let mut no_sub = base.clone();
        no_sub.as_object_mut().unwrap().remove("sub");
        assert_rejected(&app, Some(&sign(&no_sub)), "claims missing").await;
    })
    .await;
}

#[actix_web::test]
async fn production_keys_are_chosen_by_kid() {
    each_backend(async |app| {
        let base = claims("gix_officer", GIX);
        for (alg, kid, pem) in
            [(Algorithm::ES256, "test-es", "es256.key.pem"), (Algorithm::RS256, "test-rs", "rs256.key.pem")]
        {
            let token = sign_with_pem(alg, kid, pem, &base);
            let reply = app.get("/v1/me", &token).await;
            assert_eq!(reply.status, 200, "{kid}: {}", reply.body);
            assert_eq!(reply.body["role"], "gix_officer");
        }
        // The EC key named by the RSA kid: the algorithm does not match the key.
        let mismatched = sign_with_pem(Algorithm::ES256, "test-rs", "es256.key.pem", &base);
        assert_rejected(&app, Some(&mismatched), "algorithm not allowed").await;
    })
    .await;
}

#[actix_web::test]
async fn gsi_a_1_1_me_returns_identity_and_organisation() {
    each_backend(async |app| {
        let agency = app.register("agency", "กรมทดสอบ").await;
        let mut c = claims("agency_user", &agency);
        c["sub"] = json!("somsri");
        let reply = app.get("/v1/me", &sign(&c)).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.body["subject"], "somsri");
        assert_eq!(reply.body["role"], "agency_user");
        assert_eq!(reply.body["organisation_id"], agency);
        assert_eq!(reply.body["organisation"]["name_th"], "กรมทดสอบ");
        assert_eq!(reply.body["organisation"]["kind"], "agency");

        // A token for an organisation not registered here still identifies the caller.
        let stranger = app.get("/v1/me", &token("assessor", "0190f5c2-0000-7000-8000-00000000dead")).await;
        assert_eq!(stranger.status, 200);
        assert_eq!(stranger.body["organisation"], serde_json::Value::Null);
    })
    .await;
}
