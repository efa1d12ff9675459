//! Service requests (GSI-7.5.5–7.5.7) through the Appendix A workflow (GSI-A.1.1–A.1.8):
//! preview, submit, and every later step, each in one transaction with one audit event and
//! one timeline entry. The rules are `gsi_domain::request`'s; this module loads what they
//! need, maps their refusals to `ApiError`, and saves what they decide.
//!
//! Checks, in order: who may see the request (404) and take the step (403), the `If-Match`
//! version (412), the body (422), then the state machine (409 naming the current state and
//! the allowed actions).

use chrono::{DateTime, Utc};
use gsi_domain::catalog::{self, Offering, OfferingId};
use gsi_domain::events::{Audience, EventType, ResourceRef};
use gsi_domain::governance::eligibility::decide;
use gsi_domain::request::{
    self, Action, ActionKind, ActionRefused, CompletionEffect, EffectRefused, NOTE_MAX, NewServiceRequest, Preview,
    PreviewBasis, ProgressDraft, ProgressReport, QuoteDecision, QuoteDraft, QuoteId, RequestPayload, RequestStatus,
    ServiceRequest, ServiceRequestDraft, ServiceRequestId, SubmissionFacts, SubmissionRefused, TimelineEntry,
};
use gsi_domain::subscription::{self, SubscribeRefused, Subscription, SubscriptionId};
use gsi_domain::text::BoundedText;
use gsi_domain::{OrganisationId, ValidationErrors};
use gsi_persistence::repos::service_requests::{self as repo, RequestFilter, ServiceRequestRecord};
use gsi_persistence::repos::{offerings, subscriptions};
use gsi_persistence::{DbConnection, Page, PageRequest, read_tx};

use super::{Change, Context, audit, events};
use crate::error::ApiError;
use crate::http::etag::{Precondition, etag};

/// A request as one caller sees it at one instant.
pub struct RequestView {
    pub record: ServiceRequestRecord,
    /// Every step, oldest first; empty in lists.
    pub timeline: Vec<TimelineEntry>,
    /// The steps this caller may take now.
    pub your_actions: Vec<ActionKind>,
    /// The instant the view was read at: `quoted` reads as `expired` from `valid_until` on.
    pub now: DateTime<Utc>,
}

impl RequestView {
    pub fn status(&self) -> RequestStatus {
        self.record.request.status_at(self.now)
    }
}

/// What a request would do (GSI-A.1.2–A.1.3), and who would serve it.
pub struct PreviewView {
    pub payload: RequestPayload,
    pub provider: OrganisationId,
    /// The offering the estimate is priced against.
    pub priced_offering: OfferingId,
    pub preview: Preview,
}

/// What a request is checked and priced against, loaded for the caller.
struct Prepared {
    subscription: Option<Subscription>,
    offering: Offering,
    basis: PreviewBasis,
}

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Validation(ValidationErrors::single(field, code, message))
}

/// Loads the targeted subscription (the caller's agency's own, else 404), the priced offering
/// (see `request::basis`) and the provider's capacity in use, and builds the preview basis.
fn prepare(conn: &mut DbConnection, ctx: &Context, payload: &RequestPayload) -> Result<Prepared, ApiError> {
    let subscription = match payload.subscription() {
        None => None,
        Some(id) => {
            let found = subscriptions::find(conn, id)?.map(|s| s.subscription);
            // Only the agency's own subscriptions can be asked about (GSI-7.5.5–7.5.7).
            Some(found.filter(|s| s.agency == ctx.actor.organisation).ok_or(ApiError::NotFound("subscription"))?)
        }
    };
    let (field, offering_id) = match (payload, &subscription) {
        (RequestPayload::NewService { offering, .. }, _) => ("offering_id", *offering),
        (RequestPayload::AddAddon { addon, .. } | RequestPayload::CancelAddon { addon, .. }, _) => ("addon_id", *addon),
        (RequestPayload::Change { .. } | RequestPayload::Cancel { .. }, Some(s)) => ("subscription_id", s.offering),
        (RequestPayload::Change { .. } | RequestPayload::Cancel { .. }, None) => {
            return Err(invalid("subscription_id", "required", "the request names no subscription"));
        }
    };
    let offering = offerings::find(conn, offering_id)?
        .filter(|o| catalog::offering_access(&ctx.actor, o.provider, o.state).can_read())
        .ok_or_else(|| invalid(field, "not_found", format!("no offering {offering_id} in the catalog")))?;
    let in_use = repo::quantities_in_use(conn, offering.provider)?;
    let basis =
        request::preview_basis(payload, subscription.as_ref(), &offering, &in_use).map_err(ApiError::Validation)?;
    Ok(Prepared { subscription, offering, basis })
}

/// GSI-A.1.2–A.1.3: what a request would do, without storing anything: resulting
/// quantities, the estimated monthly cost change and the capacity warnings. Any of the
/// agency's staff may ask.
pub fn preview(conn: &mut DbConnection, ctx: &Context, draft: &ServiceRequestDraft) -> Result<PreviewView, ApiError> {
    if !request::may_preview(&ctx.actor) {
        return Err(ApiError::Forbidden("only an agency's staff preview service requests".into()));
    }
    let parsed = NewServiceRequest::parse(draft, ctx.now).map_err(ApiError::Validation)?;
    read_tx(conn, |conn| {
        let prepared = prepare(conn, ctx, &parsed.payload)?;
        let preview = request::preview(&parsed.payload, &prepared.basis).map_err(ApiError::Validation)?;
        Ok(PreviewView {
            payload: parsed.payload.clone(),
            provider: prepared.offering.provider,
            priced_offering: prepared.offering.id,
            preview,
        })
    })
}

/// GSI-A.1.4, 13.1: an agency admin submits a request; call inside a write transaction.
/// The preview's warnings are stored with it. Refused: another role (403), another agency's
/// subscription (404), bad fields (422), an unlisted provider for something new (422
/// `provider-not-listed`), another open request on the subscription (409 naming it).
pub fn submit(conn: &mut DbConnection, ctx: &Context, draft: &ServiceRequestDraft) -> Result<RequestView, ApiError> {
    if !request::may_submit(&ctx.actor) {
        return Err(ApiError::Forbidden("only an agency's admins submit service requests".into()));
    }
    let parsed = NewServiceRequest::parse(draft, ctx.now).map_err(ApiError::Validation)?;
    if let Some(subscription) = parsed.payload.subscription() {
        // One open request per subscription must hold against concurrent submissions too.
        repo::lock_subscription(conn, subscription)?;
    }
    let prepared = prepare(conn, ctx, &parsed.payload)?;
    let preview = request::preview(&parsed.payload, &prepared.basis).map_err(ApiError::Validation)?;
    let provider = prepared.offering.provider;
    let evidence = super::governance::evidence_of(conn, provider)?;
    let provider_listed = decide(&evidence, prepared.offering.details.family(), ctx.now).listed();
    let summaries = match &prepared.subscription {
        Some(s) => repo::summaries_on_subscription(conn, s.id)?,
        None => Vec::new(),
    };
    let facts = SubmissionFacts {
        provider_listed,
        subscription_agency: prepared.subscription.as_ref().map(|s| s.agency),
        requests_on_subscription: &summaries,
    };
    let id = ServiceRequestId::new_v7(ctx.now);
    let applied =
        request::submit(&ctx.actor, id, provider, parsed, preview, &facts, ctx.now).map_err(submission_refused)?;
    let record = ServiceRequestRecord { request: applied.request, created_subscription: None };
    repo::insert(conn, &record, &applied.timeline)?;
    let r = &record.request;
    audit(
        conn,
        ctx,
        Change {
            action: "service_request.submitted",
            resource_type: "service_request",
            resource_id: r.id.to_string(),
            owner: Some(r.agency),
            changes: serde_json::json!({
                "kind": r.kind().as_str(),
                "provider_id": r.provider.to_string(),
                "subscription_id": r.payload.subscription().map(|s| s.to_string()),
                "quantities": quantities_json(&r.payload.named_quantities()),
                "monthly_cost_delta": r.preview.monthly_cost_delta.to_string(),
                "warnings": r.preview.warnings.iter().map(|w| w.message()).collect::<Vec<_>>(),
                "status": r.status.as_str(),
            }),
        },
    )?;
    request_event(conn, ctx, EventType::ServiceRequestSubmitted, r, serde_json::json!({"kind": r.kind().as_str()}))?;
    Ok(view(ctx, record, vec![applied.timeline]))
}

fn submission_refused(refused: SubmissionRefused) -> ApiError {
    match refused {
        SubmissionRefused::Forbidden { .. } => ApiError::Forbidden(refused.to_string()),
        SubmissionRefused::SubscriptionNotFound => ApiError::NotFound("subscription"),
        SubmissionRefused::ProviderNotListed => ApiError::ProviderNotListed(refused.to_string()),
        SubmissionRefused::OpenRequestExists(open) => ApiError::Conflict(open.to_string()),
    }
}

fn quantities_json(q: &request::Quantities) -> serde_json::Value {
    q.iter().map(|(m, v)| (m.as_str().to_owned(), serde_json::Value::String(v.to_string()))).collect()
}

fn view(ctx: &Context, record: ServiceRequestRecord, timeline: Vec<TimelineEntry>) -> RequestView {
    let request = &record.request;
    let your_actions = request::actions_for(&ctx.actor, request.parties(), request.status_at(ctx.now));
    RequestView { record, timeline, your_actions, now: ctx.now }
}

/// One request with its quotes, timeline, warnings and acknowledgement; 404 for anyone but
/// the two parties and GIX.
pub fn get(conn: &mut DbConnection, ctx: &Context, id: ServiceRequestId) -> Result<RequestView, ApiError> {
    read_tx(conn, |conn| {
        let record = repo::find(conn, id)?.ok_or(ApiError::NotFound("service request"))?;
        if !request::request_access(&ctx.actor, record.request.parties()).can_read() {
            return Err(ApiError::NotFound("service request"));
        }
        let timeline = repo::timeline(conn, id)?;
        Ok(view(ctx, record, timeline))
    })
}

/// Agencies' own requests, providers' queues, everything for GIX (`request_list_scope`).
pub fn list(
    conn: &mut DbConnection,
    ctx: &Context,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<RequestView>, ApiError> {
    let found = read_tx(conn, |conn| repo::list(conn, request::request_list_scope(&ctx.actor), filter, page))?;
    Ok(found.map(|record| view(ctx, record, Vec::new())))
}

/// The requests on one subscription, for whoever may read the subscription (404 otherwise).
pub fn list_for_subscription(
    conn: &mut DbConnection,
    ctx: &Context,
    subscription: SubscriptionId,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<RequestView>, ApiError> {
    let found = read_tx(conn, |conn| {
        let stored = subscriptions::find(conn, subscription)?.ok_or(ApiError::NotFound("subscription"))?;
        let s = &stored.subscription;
        if !subscription::subscription_access(&ctx.actor, s.agency, s.provider).can_read() {
            return Err(ApiError::NotFound("subscription"));
        }
        let filter = RequestFilter { subscription: Some(subscription), ..*filter };
        Ok(repo::list(conn, request::request_list_scope(&ctx.actor), &filter, page)?)
    })?;
    Ok(found.map(|record| view(ctx, record, Vec::new())))
}

/// A step as a client sends it, not yet parsed (parsing a quote needs the request).
#[derive(Debug, Clone)]
pub enum StepDraft {
    StartReview {
        note: Option<String>,
    },
    /// A first quote, or one that supersedes the current quote.
    Quote(QuoteDraft),
    Confirm {
        quote: QuoteId,
    },
    Decline {
        reason: Option<String>,
    },
    Withdraw {
        reason: Option<String>,
    },
    StartWork {
        note: Option<String>,
    },
    ReportProgress(ProgressDraft),
    Complete {
        note: Option<String>,
    },
    Fail {
        reason: String,
    },
}

impl StepDraft {
    /// The action a step is, given the request's stored status: a quote on a quoted request
    /// supersedes its quote.
    fn kind(&self, status: RequestStatus) -> ActionKind {
        match self {
            StepDraft::StartReview { .. } => ActionKind::StartReview,
            StepDraft::Quote(_) if status == RequestStatus::Quoted => ActionKind::Requote,
            StepDraft::Quote(_) => ActionKind::Quote,
            StepDraft::Confirm { .. } => ActionKind::Confirm,
            StepDraft::Decline { .. } => ActionKind::Decline,
            StepDraft::Withdraw { .. } => ActionKind::Withdraw,
            StepDraft::StartWork { .. } => ActionKind::StartWork,
            StepDraft::ReportProgress(_) => ActionKind::ReportProgress,
            StepDraft::Complete { .. } => ActionKind::Complete,
            StepDraft::Fail { .. } => ActionKind::Fail,
        }
    }
}

fn note(field: &str, raw: Option<&str>) -> Result<Option<BoundedText>, ApiError> {
    BoundedText::parse_optional(field, raw, NOTE_MAX).map_err(ApiError::Validation)
}

/// Parses a step against the request it applies to.
fn parse_step(
    conn: &mut DbConnection,
    ctx: &Context,
    request: &ServiceRequest,
    kind: ActionKind,
    step: &StepDraft,
) -> Result<Action, ApiError> {
    Ok(match step {
        StepDraft::StartReview { note: raw } => Action::StartReview { note: note("note", raw.as_deref())? },
        StepDraft::Quote(draft) => {
            let decision = QuoteDecision::parse(draft, &request.payload, ctx.now).map_err(ApiError::Validation)?;
            let priced = priced_offering(conn, request)?;
            request::check_confirmed_quantities(&decision, &priced).map_err(ApiError::Validation)?;
            if kind == ActionKind::Requote { Action::Requote(decision) } else { Action::Quote(decision) }
        }
        StepDraft::Confirm { quote } => Action::Confirm { quote: *quote },
        StepDraft::Decline { reason } => Action::Decline { reason: note("reason", reason.as_deref())? },
        StepDraft::Withdraw { reason } => Action::Withdraw { reason: note("reason", reason.as_deref())? },
        StepDraft::StartWork { note: raw } => Action::StartWork { note: note("note", raw.as_deref())? },
        StepDraft::ReportProgress(draft) => {
            Action::ReportProgress(ProgressReport::parse(draft).map_err(ApiError::Validation)?)
        }
        StepDraft::Complete { note: raw } => Action::Complete { note: note("note", raw.as_deref())? },
        StepDraft::Fail { reason } => {
            Action::Fail { reason: BoundedText::parse("reason", reason, NOTE_MAX).map_err(ApiError::Validation)? }
        }
    })
}

/// The offering a request is priced against (see `request::basis`).
fn priced_offering(conn: &mut DbConnection, request: &ServiceRequest) -> Result<Offering, ApiError> {
    let id = match &request.payload {
        RequestPayload::NewService { offering, .. } => *offering,
        RequestPayload::AddAddon { addon, .. } | RequestPayload::CancelAddon { addon, .. } => *addon,
        RequestPayload::Change { subscription, .. } | RequestPayload::Cancel { subscription, .. } => {
            subscriptions::find(conn, *subscription)?
                .ok_or_else(|| ApiError::Internal(format!("subscription {subscription} of a request is missing")))?
                .subscription
                .offering
        }
    };
    offerings::find(conn, id)?.ok_or_else(|| ApiError::Internal(format!("offering {id} of a request is missing")))
}

fn action_refused(refused: ActionRefused) -> ApiError {
    match refused {
        ActionRefused::NotFound => ApiError::NotFound("service request"),
        ActionRefused::Forbidden { action, required } => ApiError::Forbidden(format!(
            "`{action}` is a step for the {} of the {}",
            required,
            if required == gsi_domain::Role::AgencyAdmin { "requesting agency" } else { "serving provider" }
        )),
        ActionRefused::Refused(t) => ApiError::invalid_transition(&t, t.state, &t.allowed),
    }
}

/// One step of Appendix A (GSI-A.1.5–A.1.8), in the caller's write transaction: the
/// request's new state, a new quote if any, one timeline entry, one audit event, and on
/// completion the change to the subscriptions (GSI-A.1.8).
pub fn act(
    conn: &mut DbConnection,
    ctx: &Context,
    id: ServiceRequestId,
    precondition: &Precondition,
    step: &StepDraft,
) -> Result<ServiceRequestRecord, ApiError> {
    let current = repo::find(conn, id)?.ok_or(ApiError::NotFound("service request"))?;
    let request = &current.request;
    let kind = step.kind(request.status);
    match request::may_act(&ctx.actor, request.parties(), kind) {
        request::ActorCheck::Allowed => {}
        request::ActorCheck::WrongRole { required } => {
            return Err(action_refused(ActionRefused::Forbidden { action: kind, required }));
        }
        request::ActorCheck::NotVisible => return Err(ApiError::NotFound("service request")),
    }
    precondition.check(request.version)?;
    let action = parse_step(conn, ctx, request, kind, step)?;
    let applied = request::apply(request, &ctx.actor, action, ctx.now).map_err(action_refused)?;
    let mut next =
        ServiceRequestRecord { request: applied.request, created_subscription: current.created_subscription };

    let effect = match request::completion_effect(&next.request, ctx.now) {
        Some(effect) => Some(carry_out(conn, ctx, &next.request, &effect)?),
        None => None,
    };
    if let Some(SubscriptionChange::Created(created)) = &effect {
        next.created_subscription = Some(*created);
    }
    if !repo::update_if_version(conn, &next, request.version)? {
        return Err(ApiError::PreconditionFailed { current_etag: etag(request.version + 1) });
    }
    if next.request.quotes.len() > request.quotes.len() {
        if let Some(quote) = next.request.quotes.last() {
            repo::insert_quote(conn, id, quote)?;
        }
    }
    repo::append_timeline(conn, &applied.timeline, next.request.version)?;
    let entry = &applied.timeline;
    audit(
        conn,
        ctx,
        Change {
            action: &format!("service_request.{}", entry.action.as_str()),
            resource_type: "service_request",
            resource_id: id.to_string(),
            owner: Some(next.request.agency),
            changes: serde_json::json!({
                "status": {"from": entry.from.map(|s| s.as_str()), "to": entry.to.as_str()},
                "quote_id": entry.quote.map(|q| q.to_string()),
                "percent": entry.percent.map(|p| p.value()),
                "note": entry.note.as_ref().map(ToString::to_string),
                "subscription": effect.as_ref().map(SubscriptionChange::describe),
            }),
        },
    )?;
    let data = serde_json::json!({
        "action": entry.action.as_str(),
        "from": entry.from.map(|s| s.as_str()),
        "quote_id": entry.quote.map(|q| q.to_string()),
        "percent": entry.percent.map(|p| p.value()),
    });
    request_event(conn, ctx, step_event_type(entry.action, entry.to), &next.request, data)?;
    if let Some(change) = &effect {
        let (event_type, id) = match change {
            SubscriptionChange::Created(id) => (EventType::SubscriptionCreated, *id),
            SubscriptionChange::Changed { subscription, .. } => (EventType::SubscriptionChanged, *subscription),
        };
        let changed = subscriptions::find(conn, id)?
            .ok_or_else(|| ApiError::Internal(format!("subscription {id} just written is missing")))?;
        let data = serde_json::json!({"service_request_id": next.request.id.to_string()});
        super::subscriptions::subscription_event(conn, ctx, event_type, &changed.subscription, data)?;
    }
    Ok(next)
}

/// What completing a request did to the subscriptions.
enum SubscriptionChange {
    Created(SubscriptionId),
    Changed { subscription: SubscriptionId, version: i64 },
}

impl SubscriptionChange {
    fn describe(&self) -> serde_json::Value {
        match self {
            SubscriptionChange::Created(id) => serde_json::json!({"created": id.to_string()}),
            SubscriptionChange::Changed { subscription, version } => {
                serde_json::json!({"changed": subscription.to_string(), "version": version})
            }
        }
    }
}

/// GSI-A.1.8: applies the accepted change to the subscriptions, in the `complete` step's
/// transaction.
fn carry_out(
    conn: &mut DbConnection,
    ctx: &Context,
    request: &ServiceRequest,
    effect: &CompletionEffect,
) -> Result<SubscriptionChange, ApiError> {
    let refused = |e: EffectRefused| match e {
        EffectRefused::Subscribe(SubscribeRefused::NotListed(not_listed)) => {
            ApiError::ProviderNotListed(not_listed.to_string())
        }
        other => ApiError::Conflict(other.to_string()),
    };
    match effect {
        CompletionEffect::StartSubscription { offering, quantities, from } => {
            let offering = offerings::find(conn, *offering)?
                .ok_or_else(|| ApiError::Internal(format!("offering {offering} of a request is missing")))?;
            let evidence = super::governance::evidence_of(conn, offering.provider)?;
            let new = request::start_subscription(&offering, &evidence, request.agency, quantities, *from)
                .map_err(refused)?;
            let created = new.into_subscription(SubscriptionId::new_v7(ctx.now));
            subscriptions::insert(conn, &created, ctx.now)?;
            Ok(SubscriptionChange::Created(created.id))
        }
        CompletionEffect::AddAddon { subscription, .. }
        | CompletionEffect::Resize { subscription, .. }
        | CompletionEffect::Terminate { subscription, .. }
        | CompletionEffect::RemoveAddon { subscription, .. } => {
            let current = subscriptions::find(conn, *subscription)?
                .ok_or_else(|| ApiError::Internal(format!("subscription {subscription} of a request is missing")))?
                .subscription;
            let add_on = match effect {
                CompletionEffect::AddAddon { addon, .. } => offerings::find(conn, *addon)?,
                CompletionEffect::StartSubscription { .. }
                | CompletionEffect::Resize { .. }
                | CompletionEffect::Terminate { .. }
                | CompletionEffect::RemoveAddon { .. } => None,
            };
            let changed = request::change_subscription(&current, effect, add_on.as_ref()).map_err(refused)?;
            if !subscriptions::update_if_version(conn, &changed, current.version, ctx.now)? {
                return Err(ApiError::Conflict(format!(
                    "subscription {subscription} changed while the request was completed; retry"
                )));
            }
            Ok(SubscriptionChange::Changed { subscription: changed.id, version: changed.version })
        }
    }
}

/// The event a step emits: named after what happened (a quote that rejects the request is
/// `service_request.rejected`).
fn step_event_type(action: ActionKind, to: RequestStatus) -> EventType {
    match action {
        ActionKind::Submit => EventType::ServiceRequestSubmitted,
        ActionKind::StartReview => EventType::ServiceRequestReviewStarted,
        ActionKind::Quote | ActionKind::Requote if to == RequestStatus::Rejected => EventType::ServiceRequestRejected,
        ActionKind::Quote | ActionKind::Requote => EventType::ServiceRequestQuoted,
        ActionKind::Confirm => EventType::ServiceRequestConfirmed,
        ActionKind::Decline => EventType::ServiceRequestDeclined,
        ActionKind::Withdraw => EventType::ServiceRequestWithdrawn,
        ActionKind::StartWork => EventType::ServiceRequestWorkStarted,
        ActionKind::ReportProgress => EventType::ServiceRequestProgressReported,
        ActionKind::Complete => EventType::ServiceRequestCompleted,
        ActionKind::Fail => EventType::ServiceRequestFailed,
    }
}

/// The event of a request change, for the requesting agency, the serving provider and GIX.
fn request_event(
    conn: &mut DbConnection,
    ctx: &Context,
    event_type: EventType,
    r: &ServiceRequest,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    let resource =
        ResourceRef::new("service_request", r.id, Some(r.status.as_str()), format!("/v1/service-requests/{}", r.id));
    events::emit(conn, ctx, event_type, resource, Audience::parties([r.agency, r.provider]), data)
}
