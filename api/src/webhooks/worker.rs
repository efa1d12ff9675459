//! The delivery worker: runs inside `gsi-api serve` (unless `GSI_WEBHOOK_WORKER=false`) on
//! the server's main thread, never on a request worker, so a slow receiver cannot hold up
//! request handling. Each poll it picks subscriptions with due deliveries (up to
//! `max_receivers` at once, each worked by one task in this instance), claims up to
//! `receiver_concurrency` of a subscription's due deliveries at a time, and posts them
//! concurrently with a timeout each; a slow receiver only slows its own task. It uses its
//! own small connection pool, so it never competes with requests for connections.
//!
//! Correctness lives in the database, not here: claims are leases taken with
//! `FOR UPDATE SKIP LOCKED` (see `gsi_persistence::repos::webhooks`), so any number of
//! instances may run this, and a restart loses nothing: whatever was pending or in flight is
//! due again when its lease ends.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use chrono::{DateTime, Utc};
use gsi_domain::WebhookSubscriptionId;
use gsi_domain::webhook::SubscriptionStatus;
use gsi_persistence::repos::webhooks::{self as repo, Attempt, Claim};
use gsi_persistence::{DbPool, StoreError, checkout, write_tx};

use super::client::{self, Outcome};
use super::payload::EventBody;
use super::signing;
use crate::clock::Clock;
use crate::config::WebhookSettings;

/// Connections of the worker's own pool (claims and records are short transactions).
pub const POOL_SIZE: u32 = 3;

#[derive(Clone)]
struct Worker {
    pool: DbPool,
    clock: Clock,
    settings: WebhookSettings,
    client: awc::Client,
    /// Subscriptions this instance is working on now.
    busy: Rc<RefCell<HashSet<WebhookSubscriptionId>>>,
}

/// Starts the worker on the current actix system; abort the handle to stop it.
pub fn spawn(
    pool: DbPool,
    clock: Clock,
    settings: WebhookSettings,
) -> Result<actix_web::rt::task::JoinHandle<()>, String> {
    let client = client::build(&settings)?;
    let worker = Worker { pool, clock, settings, client, busy: Rc::new(RefCell::new(HashSet::new())) };
    Ok(actix_web::rt::spawn(async move {
        loop {
            if let Err(e) = worker.poll().await {
                log::warn!("webhook worker: {e}");
            }
            actix_web::rt::time::sleep(worker.settings.poll_interval).await;
        }
    }))
}

async fn db<T: Send + 'static>(
    pool: &DbPool,
    work: impl FnOnce(&mut gsi_persistence::DbConnection) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let pool = pool.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = checkout(&pool)?;
        work(&mut conn)
    })
    .await
    .map_err(|e| StoreError::Unavailable(format!("blocking task failed: {e}")))?
}

fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    // Jitter only: a failed read leaves it at 0, which is still a valid delay.
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes)
}

impl Worker {
    async fn poll(&self) -> Result<(), StoreError> {
        let busy: Vec<WebhookSubscriptionId> = self.busy.borrow().iter().copied().collect();
        let free = self.settings.max_receivers.saturating_sub(busy.len());
        if free == 0 {
            return Ok(());
        }
        let now = self.clock.now();
        let limit = i64::try_from(free).unwrap_or(i64::MAX);
        let due = db(&self.pool, move |conn| repo::due_subscriptions(conn, now, &busy, limit)).await?;
        for subscription in due {
            if !self.busy.borrow_mut().insert(subscription) {
                continue;
            }
            let worker = self.clone();
            actix_web::rt::spawn(async move {
                if let Err(e) = worker.work_on(subscription).await {
                    log::warn!("webhook worker, subscription {subscription}: {e}");
                }
                worker.busy.borrow_mut().remove(&subscription);
            });
        }
        Ok(())
    }

    /// Delivers a subscription's due deliveries until none is due or it pauses.
    async fn work_on(&self, subscription: WebhookSubscriptionId) -> Result<(), StoreError> {
        loop {
            let now = self.clock.now();
            // The lease outlasts an attempt's timeout, with room for recording it.
            let lease = chrono::Duration::from_std(self.settings.timeout * 2 + std::time::Duration::from_secs(5))
                .unwrap_or(chrono::Duration::minutes(1));
            let limit = i64::try_from(self.settings.receiver_concurrency).unwrap_or(1);
            let claimed = db(&self.pool, move |conn| {
                write_tx(conn, |conn| {
                    let Some(s) = repo::find(conn, subscription)? else { return Ok(None) };
                    if s.status != SubscriptionStatus::Active {
                        return Ok(None);
                    }
                    let claims = repo::claim_due(conn, subscription, now, now + lease, limit)?;
                    Ok::<_, StoreError>(Some((s, claims)))
                })
            })
            .await?;
            let Some((s, claims)) = claimed else { return Ok(()) };
            if claims.is_empty() {
                return Ok(());
            }
            let sends = claims.into_iter().map(|claim| self.deliver(&s, claim));
            futures_util::future::join_all(sends).await;
        }
    }

    async fn deliver(&self, s: &gsi_domain::webhook::WebhookSubscription, claim: Claim) {
        let started_at = self.clock.now();
        let outcome = self.send(s, &claim, started_at).await;
        let mut attempt = Attempt::new(&claim, started_at);
        attempt.status_code = outcome.status_code;
        attempt.latency_ms = u64::try_from(outcome.latency.as_millis()).unwrap_or(u64::MAX);
        attempt.delivered = outcome.error.is_none();
        attempt.error = outcome.error.clone();
        if let Err(e) = self.record(attempt, started_at).await {
            // The lease runs out and the attempt is made again: at least once.
            log::warn!("webhook delivery {} attempt {}: not recorded: {e}", claim.delivery, claim.attempt);
        }
    }

    async fn send(&self, s: &gsi_domain::webhook::WebhookSubscription, claim: &Claim, now: DateTime<Utc>) -> Outcome {
        let refused =
            |error: String| Outcome { status_code: None, latency: std::time::Duration::ZERO, error: Some(error) };
        if let Err(why) = client::check_target(&s.url, self.settings.targets) {
            return refused(why);
        }
        let body = match serde_json::to_vec(&EventBody::from(&claim.event)) {
            Ok(body) => body,
            Err(e) => return refused(format!("event not serialisable: {e}")),
        };
        let id = claim.event.event.id.to_string();
        let timestamp = now.timestamp();
        let signature = signing::signature_header(&s.signing_secrets(now), &id, timestamp, &body);
        let headers =
            [("webhook-id", id), ("webhook-timestamp", timestamp.to_string()), ("webhook-signature", signature)];
        client::post(&self.client, &s.url, &headers, body, &self.settings).await
    }

    /// Logs the attempt, settles the delivery and counts the subscription's failures (pausing
    /// it after too many), in one transaction.
    async fn record(&self, attempt: Attempt, now: DateTime<Utc>) -> Result<(), StoreError> {
        let policy = self.settings.retry;
        let retry_at = now
            + chrono::Duration::from_std(policy.delay_after(attempt.attempt, random_u64()))
                .unwrap_or(chrono::Duration::hours(1));
        db(&self.pool, move |conn| {
            write_tx(conn, |conn| {
                let Some(mut s) = repo::lock(conn, attempt.subscription)? else { return Ok(()) };
                repo::record_attempt(conn, &attempt, retry_at)?;
                let version = s.version;
                match &attempt.error {
                    None => s.record_success(),
                    Some(error) => {
                        if s.record_failure(&policy, error, now) {
                            log::warn!("webhook subscription {} paused: {:?}", s.id, s.paused_reason);
                        }
                    }
                }
                repo::update_if_version(conn, &s, version)?;
                Ok(())
            })
        })
        .await
    }
}
