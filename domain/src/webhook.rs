//! Webhook subscriptions (issue 11): which callback URLs are acceptable, which addresses a
//! delivery may reach, when a failed delivery is retried, when a subscription pauses, and
//! which secrets sign a delivery during a rotation's grace period.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::events::EventType;
use crate::ids::{OrganisationId, WebhookSubscriptionId};
use crate::validation::ValidationErrors;

pub const URL_MAX: usize = 2048;
pub const DESCRIPTION_MAX: usize = 500;

/// What the operator allows callback URLs to be. Production: https to public addresses
/// only; tests and closed networks may allow more by configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetPolicy {
    /// `http://` callbacks (`GSI_WEBHOOK_ALLOW_HTTP`).
    pub allow_http: bool,
    /// Private, loopback, link-local and other non-public addresses
    /// (`GSI_WEBHOOK_ALLOW_PRIVATE_ADDRESSES`).
    pub allow_private: bool,
}

/// A callback URL that passed the syntax checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackUrl {
    raw: String,
    host: String,
    port: u16,
}

impl CallbackUrl {
    /// Accepts `https://host[:port]/path?query` (or `http://` when allowed): no user
    /// information, no fragment, a host name or IP literal. An IP literal must itself be
    /// allowed by the policy; names are checked when resolved (at delivery time too).
    pub fn parse(raw: &str, policy: TargetPolicy) -> Result<CallbackUrl, ValidationErrors> {
        let fail = |code: &'static str, message: &str| Err(ValidationErrors::single("url", code, message));
        let raw = raw.trim();
        if raw.len() > URL_MAX {
            return fail("too_long", &format!("at most {URL_MAX} characters"));
        }
        if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return fail("invalid_url", "must not contain spaces or control characters");
        }
        let (rest, default_port) = if let Some(rest) = raw.strip_prefix("https://") {
            (rest, 443)
        } else if let Some(rest) = raw.strip_prefix("http://") {
            if !policy.allow_http {
                return fail("https_required", "callback URLs must use https://");
            }
            (rest, 80)
        } else {
            return fail("https_required", "must be an https:// URL such as https://erp.example.co.th/gsi-events");
        };
        if rest.contains('#') {
            return fail("invalid_url", "must not contain a fragment (#…)");
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let authority = &rest[..authority_end];
        if authority.contains('@') {
            return fail("invalid_url", "must not contain user information (user:password@)");
        }
        let Some((host, port)) = split_host_port(authority) else {
            return fail(
                "invalid_url",
                "must name a host and an optional port, e.g. https://erp.example.co.th:8443/hook",
            );
        };
        let port = port.unwrap_or(default_port);
        let host = host.to_ascii_lowercase();
        let valid_name = host.split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().ok();
        if ip.is_none() && (!valid_name || host.len() > 253) {
            return fail("invalid_url", "the host must be a DNS name or an IP address");
        }
        if let Some(ip) = ip {
            if let Some(why) = forbidden_address(ip, policy) {
                return fail(
                    "forbidden_address",
                    &format!("the host is {why}; only public addresses may receive events"),
                );
            }
        }
        if !policy.allow_private && (host == "localhost" || host.ends_with(".localhost")) {
            return fail("forbidden_address", "the host is loopback; only public addresses may receive events");
        }
        Ok(CallbackUrl { raw: raw.to_owned(), host, port })
    }

    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The host as written (lower case; IPv6 literals keep their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The host when it is an IP literal (these are never looked up).
    pub fn ip_literal(&self) -> Option<IpAddr> {
        self.host.trim_start_matches('[').trim_end_matches(']').parse().ok()
    }
}

fn split_host_port(authority: &str) -> Option<(&str, Option<u16>)> {
    if authority.is_empty() {
        return None;
    }
    if authority.starts_with('[') {
        let end = authority.find(']')?;
        let host = &authority[..=end];
        return match &authority[end + 1..] {
            "" => Some((host, None)),
            rest => rest.strip_prefix(':')?.parse().ok().filter(|p| *p > 0).map(|p| (host, Some(p))),
        };
    }
    match authority.rsplit_once(':') {
        None => Some((authority, None)),
        Some((host, port)) if !host.is_empty() => port.parse::<u16>().ok().filter(|p| *p > 0).map(|p| (host, Some(p))),
        Some(_) => None,
    }
}

/// Why a delivery must not go to `ip`, unless the policy allows non-public addresses:
/// loopback, private (RFC 1918, IPv6 unique local), link-local, carrier-grade NAT,
/// unspecified, multicast, broadcast, documentation and reserved ranges. IPv4-mapped IPv6
/// addresses are judged by their IPv4 address.
pub fn forbidden_address(ip: IpAddr, policy: TargetPolicy) -> Option<&'static str> {
    if policy.allow_private {
        return None;
    }
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("a private address")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_broadcast() || ip.is_multicast() {
        Some("broadcast or multicast")
    } else if a == 100 && (64..128).contains(&b) {
        Some("a carrier-grade NAT address")
    } else if a >= 240 || (a == 192 && b == 0 && c == 0) || (a == 198 && (b & 0xfe) == 18) {
        Some("a reserved address")
    } else if ip.is_documentation() {
        Some("a documentation address")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if ip.is_multicast() {
        Some("broadcast or multicast")
    } else if (first & 0xfe00) == 0xfc00 {
        Some("a private address")
    } else if (first & 0xffc0) == 0xfe80 {
        Some("link-local")
    } else if first == 0x2001 && ip.segments()[1] == 0x0db8 {
        Some("a documentation address")
    } else if first == 0x0064 && ip.segments()[1] == 0xff9b {
        // NAT64 can reach any IPv4 address, private ones included.
        Some("a NAT64 address")
    } else {
        None
    }
}

/// How deliveries are retried and when a subscription pauses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The delay before the first retry; doubled for each further attempt.
    pub base: Duration,
    /// The longest delay between attempts.
    pub max: Duration,
    /// Consecutive failed attempts (across the subscription's deliveries) that pause it.
    pub pause_after: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { base: Duration::from_secs(10), max: Duration::from_secs(3600), pause_after: 15 }
    }
}

impl RetryPolicy {
    /// The delay after failed attempt number `attempt` (1-based): exponential, capped, with
    /// "equal jitter" (half fixed, half random) so that many receivers failing together do
    /// not retry together. `random` is any uniformly random number.
    pub fn delay_after(&self, attempt: u32, random: u64) -> Duration {
        let shift = attempt.saturating_sub(1).min(32);
        let base_ms = u64::try_from(self.base.as_millis()).unwrap_or(u64::MAX);
        let max_ms = u64::try_from(self.max.as_millis()).unwrap_or(u64::MAX);
        let full = base_ms.saturating_mul(1u64 << shift).min(max_ms);
        let half = full / 2;
        Duration::from_millis(full - half + random % (half + 1))
    }

    /// Whether `consecutive_failures` failed attempts in a row pause the subscription.
    pub fn pauses(&self, consecutive_failures: u32) -> bool {
        consecutive_failures >= self.pause_after
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionStatus {
    /// Deliveries are attempted.
    Active,
    /// Nothing is delivered; events still queue up and are delivered after `resume`.
    Paused,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::Paused => "paused",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "active" => Some(SubscriptionStatus::Active),
            "paused" => Some(SubscriptionStatus::Paused),
            _ => None,
        }
    }
}

/// A secret replaced by a rotation, still accepted until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousSecret {
    pub secret: String,
    pub expires_at: DateTime<Utc>,
}

/// An organisation's webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSubscription {
    pub id: WebhookSubscriptionId,
    pub organisation: OrganisationId,
    pub url: String,
    pub event_types: Vec<EventType>,
    pub description: Option<String>,
    pub status: SubscriptionStatus,
    /// Why it paused (the failures, or "paused by its owner").
    pub paused_reason: Option<String>,
    pub paused_at: Option<DateTime<Utc>>,
    pub consecutive_failures: u32,
    /// `whsec_` + base64 of the key (the Standard Webhooks format).
    pub secret: String,
    pub previous_secret: Option<PreviousSecret>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl WebhookSubscription {
    pub fn wants(&self, event_type: EventType) -> bool {
        self.event_types.contains(&event_type)
    }

    /// The secrets a delivery at `now` is signed with: the current one, and the previous one
    /// while its grace period lasts (receivers accept either; Standard Webhooks allows
    /// several signatures in one header).
    pub fn signing_secrets(&self, now: DateTime<Utc>) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let Some(previous) = &self.previous_secret {
            if now < previous.expires_at {
                secrets.push(previous.secret.as_str());
            }
        }
        secrets
    }

    /// A new secret; the current one stays valid for `grace`.
    pub fn rotate(&mut self, new_secret: String, grace: chrono::Duration, now: DateTime<Utc>) {
        let old = std::mem::replace(&mut self.secret, new_secret);
        self.previous_secret = Some(PreviousSecret { secret: old, expires_at: now + grace });
        self.touch(now);
    }

    /// After a failed attempt: counts it, and pauses when the policy says so. Returns
    /// whether this failure paused the subscription.
    pub fn record_failure(&mut self, policy: &RetryPolicy, error: &str, now: DateTime<Utc>) -> bool {
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        if self.status == SubscriptionStatus::Active && policy.pauses(self.consecutive_failures) {
            self.status = SubscriptionStatus::Paused;
            self.paused_reason =
                Some(format!("paused after {} consecutive failed attempts; last: {error}", self.consecutive_failures));
            self.paused_at = Some(now);
            self.touch(now);
            return true;
        }
        false
    }

    pub fn record_success(&mut self) {
        self.consecutive_failures = 0;
    }

    pub fn pause_by_owner(&mut self, now: DateTime<Utc>) {
        self.status = SubscriptionStatus::Paused;
        self.paused_reason = Some("paused by its owner".to_owned());
        self.paused_at = Some(now);
        self.touch(now);
    }

    /// Active again with a clean failure count; the queued deliveries are then due.
    pub fn resume(&mut self, now: DateTime<Utc>) {
        self.status = SubscriptionStatus::Active;
        self.paused_reason = None;
        self.paused_at = None;
        self.consecutive_failures = 0;
        self.touch(now);
    }

    fn touch(&mut self, now: DateTime<Utc>) {
        self.updated_at = now;
        self.version += 1;
    }
}

/// Who may manage an organisation's webhook subscriptions: its admins and operators, and
/// GIX officers and assessors for their own organisation; an agency's plain users only read
/// the feed.
pub fn may_manage(actor: &crate::Actor) -> bool {
    actor.role != crate::Role::AgencyUser
}

/// Parses the event types a subscription asks for: at least one, each known, no repeats.
pub fn parse_event_types(raw: &[String]) -> Result<Vec<EventType>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    if raw.is_empty() {
        errors.add("event_types", "required", "name at least one event type, e.g. service_request.quoted");
    }
    let mut types = Vec::new();
    for (i, name) in raw.iter().enumerate() {
        match EventType::parse(name) {
            Some(t) if !types.contains(&t) => types.push(t),
            Some(_) => errors.add(format!("event_types[{i}]"), "duplicate", format!("`{name}` is listed twice")),
            None => errors.add(
                format!("event_types[{i}]"),
                "unknown_event_type",
                format!("`{name}` is not an event type; see the OpenAPI document's webhooks"),
            ),
        }
    }
    if errors.is_empty() { Ok(types) } else { Err(errors) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRICT: TargetPolicy = TargetPolicy { allow_http: false, allow_private: false };

    fn code(raw: &str, policy: TargetPolicy) -> &'static str {
        CallbackUrl::parse(raw, policy).unwrap_err().errors()[0].code
    }

    #[test]
    fn callback_urls_must_be_https_to_public_hosts() {
        let ok = CallbackUrl::parse("https://ERP.example.co.th:8443/hooks/gsi?x=1", STRICT).unwrap();
        assert_eq!((ok.host(), ok.port()), ("erp.example.co.th", 8443));
        assert_eq!(CallbackUrl::parse("https://203.0.114.5/h", STRICT).unwrap().port(), 443);
        assert_eq!(code("http://erp.example.co.th/h", STRICT), "https_required");
        assert_eq!(code("ftp://erp.example.co.th/h", STRICT), "https_required");
        assert_eq!(code("https://user:pw@erp.example.co.th/h", STRICT), "invalid_url");
        assert_eq!(code("https://erp.example.co.th/h#frag", STRICT), "invalid_url");
        assert_eq!(code("https:///h", STRICT), "invalid_url");
        assert_eq!(code("https://erp.example.co.th:0/h", STRICT), "invalid_url");
        for private in [
            "https://127.0.0.1/h",
            "https://10.1.2.3/h",
            "https://172.16.0.1/h",
            "https://192.168.1.1/h",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/h",
            "https://[fe80::1]/h",
            "https://[fd00::1]/h",
            "https://[::ffff:10.0.0.1]/h",
            "https://0.0.0.0/h",
            "https://100.64.0.1/h",
            "https://localhost/h",
            "https://api.localhost/h",
        ] {
            assert_eq!(code(private, STRICT), "forbidden_address", "{private}");
        }
        let open = TargetPolicy { allow_http: true, allow_private: true };
        assert_eq!(
            CallbackUrl::parse("http://127.0.0.1:8080/h", open).unwrap().ip_literal(),
            Some([127, 0, 0, 1].into())
        );
        assert_eq!(CallbackUrl::parse("https://[::1]:9000/h", open).unwrap().port(), 9000);
    }

    #[test]
    fn public_addresses_are_allowed() {
        for ip in ["8.8.8.8", "203.0.114.5", "2606:4700::1111"] {
            assert_eq!(forbidden_address(ip.parse().unwrap(), STRICT), None, "{ip}");
        }
        assert_eq!(
            forbidden_address("10.0.0.1".parse().unwrap(), TargetPolicy { allow_http: false, allow_private: true }),
            None
        );
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_the_cap() {
        let policy = RetryPolicy { base: Duration::from_secs(10), max: Duration::from_secs(60), pause_after: 3 };
        assert_eq!(policy.delay_after(1, 0), Duration::from_secs(5));
        assert_eq!(policy.delay_after(1, 5000), Duration::from_secs(10));
        assert_eq!(policy.delay_after(2, 0), Duration::from_secs(10));
        assert_eq!(policy.delay_after(3, u64::MAX), Duration::from_millis(20_000 + u64::MAX % 20_001));
        assert_eq!(policy.delay_after(10, 0), Duration::from_secs(30));
        assert!(policy.delay_after(100, u64::MAX) <= Duration::from_secs(60));
        assert!(!policy.pauses(2) && policy.pauses(3));
    }

    fn subscription() -> WebhookSubscription {
        let now = Utc::now();
        WebhookSubscription {
            id: WebhookSubscriptionId::new_v7(now),
            organisation: OrganisationId::new_v7(now),
            url: "https://erp.example.co.th/h".into(),
            event_types: vec![EventType::ServiceRequestQuoted],
            description: None,
            status: SubscriptionStatus::Active,
            paused_reason: None,
            paused_at: None,
            consecutive_failures: 0,
            secret: "whsec_new".into(),
            previous_secret: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn consecutive_failures_pause_and_resume_clears_them() {
        let policy = RetryPolicy { base: Duration::from_secs(1), max: Duration::from_secs(1), pause_after: 2 };
        let mut s = subscription();
        let now = Utc::now();
        assert!(!s.record_failure(&policy, "HTTP 500", now));
        s.record_success();
        assert!(!s.record_failure(&policy, "HTTP 500", now));
        assert!(s.record_failure(&policy, "timeout", now));
        assert_eq!(s.status, SubscriptionStatus::Paused);
        assert!(s.paused_reason.as_deref().unwrap().contains("2 consecutive failed attempts; last: timeout"));
        s.resume(now);
        assert_eq!((s.status, s.consecutive_failures, s.paused_reason.clone()), (SubscriptionStatus::Active, 0, None));
    }

    #[test]
    fn a_rotated_secret_signs_until_its_grace_ends() {
        let mut s = subscription();
        let now = Utc::now();
        s.secret = "whsec_old".into();
        s.rotate("whsec_new".into(), chrono::Duration::hours(24), now);
        assert_eq!(s.signing_secrets(now), ["whsec_new", "whsec_old"]);
        assert_eq!(s.signing_secrets(now + chrono::Duration::hours(24)), ["whsec_new"]);
    }

    #[test]
    fn event_types_are_known_and_unique() {
        assert_eq!(parse_event_types(&["incident.reported".into()]).unwrap(), [EventType::IncidentReported]);
        let err = parse_event_types(&["incident.reported".into(), "incident.reported".into(), "x".into()]).unwrap_err();
        let codes: Vec<_> = err.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(codes, [("event_types[1]", "duplicate"), ("event_types[2]", "unknown_event_type")]);
        assert_eq!(parse_event_types(&[]).unwrap_err().errors()[0].code, "required");
    }
}
