//! Bearer-token authentication, resource-server style.
//!
//! The key is chosen by the token's `kid` (public keys) or its absence (the development
//! HS256 secret), and the algorithm is fixed by the key, never by the token: an RS256
//! public key is never used as an HS256 secret, and `alg: none` is refused outright.
//! `exp`, `nbf`, `iss` and `aud` are checked; `sub`, `org` and `role` become an `Actor`.

use std::collections::HashMap;
use std::str::FromStr;

use actix_web::http::header::{self, HeaderMap};
use gsi_domain::{Actor, OrganisationId, Role, Subject};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, errors::ErrorKind};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;

/// Clock skew tolerated on `exp` and `nbf`.
const LEEWAY_SECONDS: u64 = 30;
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub org: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub iat: i64,
}

struct VerificationKey {
    algorithm: Algorithm,
    key: DecodingKey,
}

/// Verifies tokens; built once from configuration.
pub struct Authenticator {
    issuer: String,
    audience: String,
    /// The development secret, for tokens without `kid`.
    shared_secret: Option<VerificationKey>,
    /// Production public keys by `kid`.
    public_keys: HashMap<String, VerificationKey>,
    /// Signs tokens for `gsi-api token` and `--demo`.
    signing_secret: Option<EncodingKey>,
    /// The checks per algorithm, built once: building them per request (three string sets
    /// each) showed up in the `make bench` profile of every authenticated read.
    validations: HashMap<Algorithm, Validation>,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthConfigError {
    #[error("no JWT verification key configured: set GSI_JWT_SECRET (development) or GSI_JWT_PUBLIC_KEYS (production)")]
    NoKeys,
    #[error("GSI_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")]
    SecretTooShort,
    #[error("GSI_JWT_PUBLIC_KEYS entry `{0}` must look like kid=path.pem or kid=RS256:path.pem")]
    BadKeyEntry(String),
    #[error("cannot read public key file {path}: {error}")]
    KeyFile { path: String, error: String },
    #[error("public key `{kid}` is neither an RSA nor a P-256 EC public key in PEM form: {error}")]
    BadKey { kid: String, error: String },
    #[error("JWT crypto self-test failed ({0}); exactly one jsonwebtoken crypto backend must be enabled")]
    SelfTest(String),
}

/// JWT settings, as configuration gives them.
#[derive(Debug, Clone)]
pub struct JwtSettings {
    pub issuer: String,
    pub audience: String,
    pub secret: Option<String>,
    /// `kid=[ALG:]path` entries, ALG one of RS256 or ES256 (detected when omitted).
    pub public_keys: Vec<String>,
}

fn load_public_key(entry: &str) -> Result<(String, VerificationKey), AuthConfigError> {
    let (kid, spec) = entry
        .split_once('=')
        .filter(|(k, p)| !k.trim().is_empty() && !p.trim().is_empty())
        .ok_or_else(|| AuthConfigError::BadKeyEntry(entry.to_owned()))?;
    let (declared, path) = match spec.split_once(':') {
        Some((alg @ ("RS256" | "ES256"), path)) => (Some(alg), path),
        _ => (None, spec),
    };
    let pem = std::fs::read(path.trim())
        .map_err(|e| AuthConfigError::KeyFile { path: path.to_owned(), error: e.to_string() })?;
    let kid = kid.trim().to_owned();
    let rsa = || DecodingKey::from_rsa_pem(&pem).map(|key| VerificationKey { algorithm: Algorithm::RS256, key });
    let ec = || DecodingKey::from_ec_pem(&pem).map(|key| VerificationKey { algorithm: Algorithm::ES256, key });
    let key = match declared {
        Some("RS256") => rsa(),
        Some(_) => ec(),
        None => ec().or_else(|_| rsa()),
    }
    .map_err(|e| AuthConfigError::BadKey { kid: kid.clone(), error: e.to_string() })?;
    Ok((kid, key))
}

/// What every token must satisfy besides its signature.
fn validation(algorithm: Algorithm, issuer: &str, audience: &str) -> Validation {
    let mut validation = Validation::new(algorithm);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_exp = true;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation
}

impl Authenticator {
    pub fn from_settings(settings: &JwtSettings) -> Result<Self, AuthConfigError> {
        let (shared_secret, signing_secret) = match &settings.secret {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => return Err(AuthConfigError::SecretTooShort),
            Some(secret) => {
                let decoding = DecodingKey::from_secret(secret.as_bytes())
                    .map_err(|e| AuthConfigError::SelfTest(e.to_string()))?;
                let encoding = EncodingKey::from_secret(secret.as_bytes())
                    .map_err(|e| AuthConfigError::SelfTest(e.to_string()))?;
                (Some(VerificationKey { algorithm: Algorithm::HS256, key: decoding }), Some(encoding))
            }
            None => (None, None),
        };
        let public_keys =
            settings.public_keys.iter().map(|entry| load_public_key(entry)).collect::<Result<HashMap<_, _>, _>>()?;
        if shared_secret.is_none() && public_keys.is_empty() {
            return Err(AuthConfigError::NoKeys);
        }
        let validations = [Algorithm::HS256, Algorithm::RS256, Algorithm::ES256]
            .into_iter()
            .map(|algorithm| (algorithm, validation(algorithm, &settings.issuer, &settings.audience)))
            .collect();
        let auth = Authenticator {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            shared_secret,
            public_keys,
            signing_secret,
            validations,
        };
        auth.self_test()?;
        Ok(auth)
    }

    /// jsonwebtoken 12 compiles without a crypto backend and panics at first use; find
    /// out at start-up instead of at the first request.
    fn self_test(&self) -> Result<(), AuthConfigError> {
        let outcome = std::panic::catch_unwind(|| {
            let key = EncodingKey::from_secret(&[7u8; MIN_SECRET_BYTES])?;
            let claims = serde_json::json!({"sub": "self-test", "exp": i64::MAX / 2});
            let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)?;
            let mut validation = Validation::new(Algorithm::HS256);
            validation.set_required_spec_claims(&["exp"]);
            validation.validate_aud = false;
            let decoding = DecodingKey::from_secret(&[7u8; MIN_SECRET_BYTES])?;
            jsonwebtoken::decode::<serde_json::Value>(&token, &decoding, &validation).map(|_| ())
        });
        match outcome {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(AuthConfigError::SelfTest(e.to_string())),
            Err(_) => Err(AuthConfigError::SelfTest("panicked".into())),
        }
    }

    /// The caller named by the `Authorization: Bearer` header.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<Actor, ApiError> {
        let value = headers
            .get(header::AUTHORIZATION)
            .ok_or(ApiError::MissingCredentials)?
            .to_str()
            .map_err(|_| ApiError::Unauthenticated("malformed Authorization header".into()))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthenticated("expected `Authorization: Bearer <token>`".into()))?;
        self.verify(token)
    }

    pub fn verify(&self, token: &str) -> Result<Actor, ApiError> {
        let unauthenticated = |m: &str| ApiError::Unauthenticated(m.to_owned());
        // An unknown algorithm such as `none` fails here: jsonwebtoken has no such variant.
        let header = jsonwebtoken::decode_header(token)
            .map_err(|_| unauthenticated("malformed token or unsupported algorithm"))?;
        let key = match &header.kid {
            Some(kid) => self.public_keys.get(kid).ok_or_else(|| unauthenticated("unknown key id (kid)"))?,
            None => self.shared_secret.as_ref().ok_or_else(|| unauthenticated("token has no key id (kid)"))?,
        };
        if header.alg != key.algorithm {
            return Err(unauthenticated("algorithm not allowed for this key"));
        }
        let built;
        let validation = match self.validations.get(&key.algorithm) {
            Some(v) => v,
            None => {
                built = validation(key.algorithm, &self.issuer, &self.audience);
                &built
            }
        };
        let claims = jsonwebtoken::decode::<Claims>(token, &key.key, validation)
            .map_err(|e| {
                unauthenticated(match e.kind() {
                    ErrorKind::ExpiredSignature => "token expired",
                    ErrorKind::ImmatureSignature => "token not yet valid (nbf)",
                    ErrorKind::InvalidIssuer => "wrong issuer",
                    ErrorKind::InvalidAudience => "wrong audience",
                    ErrorKind::InvalidSignature => "bad signature",
                    ErrorKind::InvalidAlgorithm => "algorithm not allowed for this key",
                    ErrorKind::MissingRequiredClaim(_) => "a required claim is missing",
                    ErrorKind::Json(_) => "claims missing or malformed: sub, org and role are required",
                    _ => "invalid token",
                })
            })?
            .claims;
        Ok(Actor {
            subject: Subject::parse(&claims.sub).map_err(|e| unauthenticated(&format!("invalid sub claim: {e}")))?,
            organisation: OrganisationId::from_str(&claims.org)
                .map_err(|_| unauthenticated("invalid org claim: expected an organisation id (UUID)"))?,
            role: Role::from_str(&claims.role).map_err(|e| unauthenticated(&format!("invalid role claim: {e}")))?,
        })
    }

    /// Signs a development token with the HS256 secret.
    pub fn issue(
        &self,
        actor: &Actor,
        now: chrono::DateTime<chrono::Utc>,
        ttl: chrono::Duration,
    ) -> Result<String, String> {
        let key = self.signing_secret.as_ref().ok_or("issuing tokens needs GSI_JWT_SECRET (the development secret)")?;
        let claims = Claims {
            sub: actor.subject.as_str().to_owned(),
            org: actor.organisation.to_string(),
            role: actor.role.as_str().to_owned(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: (now + ttl).timestamp(),
            nbf: Some(now.timestamp()),
            iat: now.timestamp(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, key).map_err(|e| e.to_string())
    }
}
