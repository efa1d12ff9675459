//! The HTTP client that delivers webhooks: https through rustls (ring provider, Mozilla
//! roots), no redirects, a timeout per attempt, bounded reads, and a resolver that refuses
//! names resolving to non-public addresses. The resolver runs at every connection, so a
//! name that was public when the subscription was registered and later resolves to a
//! private address (DNS rebinding) is refused at delivery time. IP-literal hosts skip name
//! resolution and are checked by `check_target` before sending.

use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_tls::connect::{Resolve, Resolver};
use futures_util::future::LocalBoxFuture;
use gsi_domain::webhook::{CallbackUrl, TargetPolicy, forbidden_address};

use crate::config::WebhookSettings;

/// Refuses any name with a non-public address among its addresses (unless allowed).
struct GuardedResolver {
    policy: TargetPolicy,
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Refused(String);

impl Resolve for GuardedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        let policy = self.policy;
        let name = host.to_owned();
        Box::pin(async move {
            let lookup = name.clone();
            let addrs: Vec<SocketAddr> = actix_web::rt::task::spawn_blocking(move || {
                (lookup.as_str(), port).to_socket_addrs().map(Iterator::collect)
            })
            .await
            .map_err(|e| Box::new(Refused(format!("name lookup failed: {e}"))) as Box<dyn std::error::Error>)??;
            for addr in &addrs {
                if let Some(why) = forbidden_address(addr.ip(), policy) {
                    return Err(Box::new(Refused(format!("{name} resolves to {}, which is {why}", addr.ip())))
                        as Box<dyn std::error::Error>);
                }
            }
            Ok(addrs)
        })
    }
}

/// The client of one worker (awc clients belong to one thread).
pub fn build(settings: &WebhookSettings) -> Result<awc::Client, String> {
    let roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    // ring, the one crypto provider compiled in (aws-lc-rs would need cmake and a far
    // longer build); its lack of post-quantum key exchange is what the deprecation is about.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tcp =
        actix_tls::connect::Connector::new(Resolver::custom(GuardedResolver { policy: settings.targets })).service();
    let connector = awc::Connector::new()
        .connector(tcp)
        .rustls_0_23(Arc::new(tls))
        .timeout(settings.timeout)
        .handshake_timeout(settings.timeout)
        // Per-host limits are the worker's job; this is a global safety net.
        .limit(settings.max_receivers.saturating_mul(settings.receiver_concurrency).max(1));
    Ok(awc::Client::builder()
        .connector(connector)
        .timeout(settings.timeout)
        .disable_redirects()
        .add_default_header(("user-agent", concat!("GSI-Hub-Webhooks/", env!("CARGO_PKG_VERSION"))))
        .finish())
}

/// The URL checks that hold at delivery time: the syntax and scheme under the current
/// policy, and an IP-literal host's address (names are checked by the resolver).
pub fn check_target(url: &str, policy: TargetPolicy) -> Result<CallbackUrl, String> {
    let parsed = CallbackUrl::parse(url, policy).map_err(|e| {
        let reasons: Vec<String> = e.errors().iter().map(|f| f.message.clone()).collect();
        format!("refused callback URL: {}", reasons.join("; "))
    })?;
    Ok(parsed)
}

/// What one POST came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status_code: Option<u16>,
    pub latency: Duration,
    /// `None` when the receiver acknowledged with 2xx.
    pub error: Option<String>,
}

/// POSTs `body` with `headers`; 2xx acknowledges. Redirects are not followed; the answer
/// is read up to `max_response_bytes` within the same timeout and otherwise ignored.
pub async fn post(
    client: &awc::Client,
    url: &str,
    headers: &[(&'static str, String)],
    body: Vec<u8>,
    settings: &WebhookSettings,
) -> Outcome {
    let started = Instant::now();
    let mut request = client.post(url).timeout(settings.timeout).insert_header(("content-type", "application/json"));
    for (name, value) in headers {
        request = request.insert_header((*name, value.as_str()));
    }
    let sent = request.send_body(body).await;
    let mut response = match sent {
        Ok(r) => r,
        Err(e) => {
            return Outcome { status_code: None, latency: started.elapsed(), error: Some(describe_send_error(&e)) };
        }
    };
    let status = response.status();
    let remaining = settings.timeout.saturating_sub(started.elapsed());
    // The body is not needed; reading a bounded amount lets the connection be reused.
    let _ = actix_web::rt::time::timeout(remaining, response.body().limit(settings.max_response_bytes)).await;
    let latency = started.elapsed();
    let error = if status.is_success() {
        None
    } else if status.is_redirection() {
        Some(format!("HTTP {} (redirects are not followed)", status.as_u16()))
    } else {
        Some(format!("HTTP {}", status.as_u16()))
    };
    Outcome { status_code: Some(status.as_u16()), latency, error }
}

fn describe_send_error(e: &awc::error::SendRequestError) -> String {
    use awc::error::SendRequestError;
    match e {
        SendRequestError::Timeout => "timed out".to_owned(),
        SendRequestError::Connect(c) => format!("connection failed: {c}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_web::test]
    async fn names_resolving_to_private_addresses_are_refused_unless_allowed() {
        let strict = GuardedResolver { policy: TargetPolicy { allow_http: false, allow_private: false } };
        let refused = strict.lookup("localhost", 443).await.unwrap_err().to_string();
        assert!(refused.contains("localhost resolves to") && refused.contains("loopback"), "{refused}");
        let open = GuardedResolver { policy: TargetPolicy { allow_http: true, allow_private: true } };
        let addrs = open.lookup("localhost", 443).await.unwrap();
        assert!(addrs.iter().all(|a| a.ip().is_loopback() && a.port() == 443), "{addrs:?}");
    }

    #[test]
    fn delivery_time_checks_follow_the_current_policy() {
        let strict = TargetPolicy::default();
        assert!(check_target("https://erp.example.co.th/h", strict).is_ok());
        let err = check_target("http://127.0.0.1:9/h", strict).unwrap_err();
        assert!(err.starts_with("refused callback URL: "), "{err}");
        let err = check_target("https://[::ffff:192.168.0.1]/h", strict).unwrap_err();
        assert!(err.contains("private"), "{err}");
        assert!(check_target("http://127.0.0.1:9/h", TargetPolicy { allow_http: true, allow_private: true }).is_ok());
    }

    #[actix_web::test]
    async fn the_client_builds_with_one_crypto_provider() {
        assert!(build(&WebhookSettings::default()).is_ok());
    }
}
