//! Webhook subscriptions (issue 11): an organisation registers a callback URL and the event
//! types it wants, receives its signing secret once, rotates it with a grace period, reads
//! the delivery log, and pauses or resumes deliveries. Every subscription belongs to one
//! organisation; any other caller gets 404.

use gsi_domain::events::EventType;
use gsi_domain::text::BoundedText;
use gsi_domain::webhook::{self, CallbackUrl, DESCRIPTION_MAX, SubscriptionStatus, TargetPolicy, WebhookSubscription};
use gsi_domain::{EventId, ValidationErrors, WebhookSubscriptionId};
use gsi_persistence::repos::webhooks::{self as repo, Attempt};
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit};
use crate::error::ApiError;
use crate::http::etag::Precondition;
use crate::webhooks::signing;

/// A subscription as its owner sees it.
pub struct SubscriptionView {
    pub subscription: WebhookSubscription,
    /// Deliveries not yet acknowledged (queued while paused, or being retried).
    pub pending_deliveries: i64,
}

pub struct SubscriptionDraft {
    pub url: String,
    pub event_types: Vec<String>,
    pub description: Option<String>,
}

fn may_manage(ctx: &Context) -> Result<(), ApiError> {
    if webhook::may_manage(&ctx.actor) {
        Ok(())
    } else {
        Err(ApiError::Forbidden("an agency's users read the event feed; its admins manage webhooks".into()))
    }
}

fn new_secret() -> Result<String, ApiError> {
    signing::new_secret().map_err(ApiError::Internal)
}

/// Registers a subscription for the caller's organisation; the answer carries the secret,
/// the only time it is shown. Call inside a write transaction.
pub fn create(
    conn: &mut DbConnection,
    ctx: &Context,
    draft: &SubscriptionDraft,
    policy: TargetPolicy,
) -> Result<WebhookSubscription, ApiError> {
    may_manage(ctx)?;
    let mut errors = ValidationErrors::new();
    let url = errors.collect(CallbackUrl::parse(&draft.url, policy));
    let types = errors.collect(webhook::parse_event_types(&draft.event_types));
    let description =
        errors.collect(BoundedText::parse_optional("description", draft.description.as_deref(), DESCRIPTION_MAX));
    let (Some(url), Some(event_types), Some(description)) = (url, types, description) else {
        return Err(ApiError::Validation(errors));
    };
    let s = WebhookSubscription {
        id: WebhookSubscriptionId::new_v7(ctx.now),
        organisation: ctx.actor.organisation,
        url: url.as_str().to_owned(),
        event_types,
        description: description.map(|d| d.as_str().to_owned()),
        status: SubscriptionStatus::Active,
        paused_reason: None,
        paused_at: None,
        consecutive_failures: 0,
        secret: new_secret()?,
        previous_secret: None,
        created_at: ctx.now,
        updated_at: ctx.now,
        version: 1,
    };
    repo::insert(conn, &s)?;
    audit(
        conn,
        ctx,
        Change {
            action: "webhook_subscription.created",
            resource_type: "webhook_subscription",
            resource_id: s.id.to_string(),
            owner: Some(s.organisation),
            changes: serde_json::json!({
                "url": s.url,
                "event_types": s.event_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
            }),
        },
    )?;
    Ok(s)
}

/// One of the caller's organisation's subscriptions; anyone else's is 404.
fn load(conn: &mut DbConnection, ctx: &Context, id: WebhookSubscriptionId) -> Result<WebhookSubscription, ApiError> {
    repo::find(conn, id)?
        .filter(|s| s.organisation == ctx.actor.organisation)
        .ok_or(ApiError::NotFound("webhook subscription"))
}

pub fn get(conn: &mut DbConnection, ctx: &Context, id: WebhookSubscriptionId) -> Result<SubscriptionView, ApiError> {
    read_tx(conn, |conn| {
        let subscription = load(conn, ctx, id)?;
        let pending_deliveries = repo::pending_count(conn, id)?;
        Ok(SubscriptionView { subscription, pending_deliveries })
    })
}

pub fn list(conn: &mut DbConnection, ctx: &Context, page: PageRequest) -> Result<Page<SubscriptionView>, ApiError> {
    read_tx(conn, |conn| {
        let found = repo::list(conn, ctx.actor.organisation, page)?;
        let mut items = Vec::with_capacity(found.items.len());
        for subscription in found.items {
            let pending_deliveries = repo::pending_count(conn, subscription.id)?;
            items.push(SubscriptionView { subscription, pending_deliveries });
        }
        Ok(Page { items, next_after: found.next_after })
    })
}

/// What an owner does to a subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnerAction {
    /// A new secret; the old one keeps signing for the grace period.
    RotateSecret {
        grace: chrono::Duration,
    },
    Pause,
    /// Active again; everything queued is due now.
    Resume,
}

impl OwnerAction {
    fn as_str(self) -> &'static str {
        match self {
            OwnerAction::RotateSecret { .. } => "webhook_subscription.secret_rotated",
            OwnerAction::Pause => "webhook_subscription.paused",
            OwnerAction::Resume => "webhook_subscription.resumed",
        }
    }
}

/// Applies an owner's action in the caller's write transaction, if `If-Match` names the
/// current version (the worker moves it too when it pauses the subscription). Pausing a
/// paused or resuming an active subscription changes nothing.
pub fn act(
    conn: &mut DbConnection,
    ctx: &Context,
    id: WebhookSubscriptionId,
    precondition: &Precondition,
    action: OwnerAction,
) -> Result<SubscriptionView, ApiError> {
    may_manage(ctx)?;
    load(conn, ctx, id)?;
    let mut s = repo::lock(conn, id)?.ok_or(ApiError::NotFound("webhook subscription"))?;
    let version = s.version;
    precondition.check(version)?;
    match action {
        OwnerAction::RotateSecret { grace } => s.rotate(new_secret()?, grace, ctx.now),
        OwnerAction::Pause if s.status == SubscriptionStatus::Active => s.pause_by_owner(ctx.now),
        OwnerAction::Resume if s.status == SubscriptionStatus::Paused => {
            s.resume(ctx.now);
            repo::make_pending_due(conn, id, ctx.now)?;
        }
        OwnerAction::Pause | OwnerAction::Resume => {}
    }
    if s.version != version {
        if !repo::update_if_version(conn, &s, version)? {
            return Err(ApiError::Conflict("the subscription changed meanwhile; retry".into()));
        }
        audit(
            conn,
            ctx,
            Change {
                action: action.as_str(),
                resource_type: "webhook_subscription",
                resource_id: id.to_string(),
                owner: Some(s.organisation),
                changes: serde_json::json!({"status": s.status.as_str()}),
            },
        )?;
    }
    let pending_deliveries = repo::pending_count(conn, id)?;
    Ok(SubscriptionView { subscription: s, pending_deliveries })
}

/// Removes a subscription with its queued deliveries and its log.
pub fn delete(conn: &mut DbConnection, ctx: &Context, id: WebhookSubscriptionId) -> Result<(), ApiError> {
    may_manage(ctx)?;
    let s = load(conn, ctx, id)?;
    repo::delete(conn, id)?;
    audit(
        conn,
        ctx,
        Change {
            action: "webhook_subscription.deleted",
            resource_type: "webhook_subscription",
            resource_id: id.to_string(),
            owner: Some(s.organisation),
            changes: serde_json::json!({"url": s.url}),
        },
    )?;
    Ok(())
}

/// The delivery log, newest first; optionally one event's attempts.
pub fn attempts(
    conn: &mut DbConnection,
    ctx: &Context,
    id: WebhookSubscriptionId,
    event: Option<EventId>,
    page: PageRequest,
) -> Result<Page<Attempt>, ApiError> {
    read_tx(conn, |conn| {
        load(conn, ctx, id)?;
        Ok(repo::attempts(conn, id, event, page)?)
    })
}

/// The event types, for validating filters.
pub fn parse_types(raw: Option<&str>) -> Result<Vec<EventType>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else { return Ok(Vec::new()) };
    let names: Vec<String> = raw.split(',').map(|s| s.trim().to_owned()).collect();
    webhook::parse_event_types(&names).map_err(|e| {
        let mut errors = ValidationErrors::new();
        for f in e.errors() {
            errors.add("types", f.code, f.message.clone());
        }
        ApiError::InvalidParameters(errors)
    })
}
