//! Incidents (GSI-7.3, 7.4, 7.5.8): the agency reports a fault through the self-service
//! system, or the provider records one that reached it by phone, e-mail or monitoring;
//! the provider investigates and fixes it, and both sides follow every step on one
//! timeline.
//!
//! Lifecycle (one transition function, [`transition`]):
//!
//! ```text
//! new ─acknowledge→ acknowledged ─start_work→ in_progress ⇄ on_hold   (put_on_hold / resume)
//! in_progress | on_hold ─resolve→ resolved ─close→ closed
//!                                  resolved ─reopen→ in_progress
//! new | acknowledged | in_progress | on_hold ─cancel→ cancelled
//! ```
//!
//! Deadlines come from the subscription's SLA terms for the incident's priority
//! ([`deadlines`]). The response clock runs from the report to the first acknowledgement.
//! The resolution clock runs from the report to the resolution, and stands still while
//! the incident waits on the agency (on hold for [`HoldReason::AwaitingAgency`]) and while
//! it is resolved and waiting for the agency to confirm or reopen: the provider cannot
//! act in either period. Other holds (waiting on a supplier, a scheduled window) are the
//! provider's own business and keep the clock running.

use chrono::{DateTime, TimeDelta, Utc};

use crate::access::Access;
use crate::ids::{Id, OrganisationId};
use crate::role::{Actor, Role};
use crate::service::{UnknownTerm, vocabulary};
use crate::sla_terms::{Priority, PriorityTargets, SlaTerms};
use crate::subscription_ref::{Party, SubscriptionId, SubscriptionParties};
use crate::text::BoundedText;
use crate::time::to_storage_precision;
use crate::validation::ValidationErrors;

/// Marker for incident ids.
pub enum IncidentMarker {}
pub type IncidentId = Id<IncidentMarker>;

pub const TITLE_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
pub const NOTE_MAX: usize = 2000;

vocabulary!(
    /// How the report reached the provider (GSI-7.4: phone, e-mail and the self-service
    /// system around the clock; GSI-7.2: the provider's own monitoring).
    ReportChannel, "report channel" {
        SelfService => "self_service",
        Phone => "phone",
        Email => "email",
        Monitoring => "monitoring",
    }
);

vocabulary!(
    /// How much of the service is affected.
    Impact, "impact" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

vocabulary!(
    /// How soon the agency's work suffers.
    Urgency, "urgency" {
        High => "high",
        Medium => "medium",
        Low => "low",
    }
);

/// GSI-7.3: priority from impact × urgency, the usual service-desk matrix folded onto
/// the four priorities the SLA terms define:
///
/// | impact \ urgency | high | medium | low |
/// |---|---|---|---|
/// | **high**   | P1 | P2 | P3 |
/// | **medium** | P2 | P3 | P4 |
/// | **low**    | P3 | P4 | P4 |
pub const fn priority_of(impact: Impact, urgency: Urgency) -> Priority {
    match (impact, urgency) {
        (Impact::High, Urgency::High) => Priority::P1,
        (Impact::High, Urgency::Medium) | (Impact::Medium, Urgency::High) => Priority::P2,
        (Impact::High, Urgency::Low) | (Impact::Medium, Urgency::Medium) | (Impact::Low, Urgency::High) => Priority::P3,
        (Impact::Medium, Urgency::Low) | (Impact::Low, Urgency::Medium) | (Impact::Low, Urgency::Low) => Priority::P4,
    }
}

vocabulary!(
    /// Where an incident is in its lifecycle.
    IncidentState, "incident state" {
        New => "new",
        Acknowledged => "acknowledged",
        InProgress => "in_progress",
        OnHold => "on_hold",
        Resolved => "resolved",
        Closed => "closed",
        Cancelled => "cancelled",
    }
);

impl IncidentState {
    /// Closed and cancelled incidents take no further steps.
    pub const fn is_terminal(self) -> bool {
        matches!(self, IncidentState::Closed | IncidentState::Cancelled)
    }
}

vocabulary!(
    /// A step that moves an incident from one state to another.
    IncidentAction, "incident action" {
        Acknowledge => "acknowledge",
        StartWork => "start_work",
        PutOnHold => "put_on_hold",
        Resume => "resume",
        Resolve => "resolve",
        Close => "close",
        Reopen => "reopen",
        Cancel => "cancel",
    }
);

impl IncidentAction {
    /// Steps that must say why (a hold, a resolution, a reopening, a cancellation) so the
    /// other side can follow the timeline without asking.
    pub const fn requires_note(self) -> bool {
        match self {
            IncidentAction::PutOnHold | IncidentAction::Resolve | IncidentAction::Reopen | IncidentAction::Cancel => {
                true
            }
            IncidentAction::Acknowledge
            | IncidentAction::StartWork
            | IncidentAction::Resume
            | IncidentAction::Close => false,
        }
    }
}

vocabulary!(
    /// Why an incident is on hold; decides whether the resolution clock stands still.
    HoldReason, "hold reason" {
        /// Waiting for the agency: information, access to a site, a test, a decision.
        AwaitingAgency => "awaiting_agency",
        /// Waiting for a carrier, vendor or other supplier of the provider.
        AwaitingSupplier => "awaiting_supplier",
        /// The fix waits for a scheduled change window.
        ScheduledWork => "scheduled_work",
        Other => "other",
    }
);

impl HoldReason {
    /// Only a wait on the agency is outside the provider's control.
    pub const fn pauses_resolution_clock(self) -> bool {
        match self {
            HoldReason::AwaitingAgency => true,
            HoldReason::AwaitingSupplier | HoldReason::ScheduledWork | HoldReason::Other => false,
        }
    }
}

vocabulary!(
    /// What a timeline entry records.
    TimelineKind, "timeline entry kind" {
        Reported => "reported",
        Acknowledged => "acknowledged",
        WorkStarted => "work_started",
        PutOnHold => "put_on_hold",
        Resumed => "resumed",
        Resolved => "resolved",
        Closed => "closed",
        Reopened => "reopened",
        Cancelled => "cancelled",
        Commented => "commented",
    }
);

impl TimelineKind {
    pub const fn of(action: IncidentAction) -> Self {
        match action {
            IncidentAction::Acknowledge => TimelineKind::Acknowledged,
            IncidentAction::StartWork => TimelineKind::WorkStarted,
            IncidentAction::PutOnHold => TimelineKind::PutOnHold,
            IncidentAction::Resume => TimelineKind::Resumed,
            IncidentAction::Resolve => TimelineKind::Resolved,
            IncidentAction::Close => TimelineKind::Closed,
            IncidentAction::Reopen => TimelineKind::Reopened,
            IncidentAction::Cancel => TimelineKind::Cancelled,
        }
    }
}

/// The state an action leads to from `state`, or `None` when it is not allowed there.
/// The single table every other function derives from.
const fn next_state(state: IncidentState, action: IncidentAction) -> Option<IncidentState> {
    use IncidentAction as A;
    use IncidentState as S;
    match state {
        S::New => match action {
            A::Acknowledge => Some(S::Acknowledged),
            A::Cancel => Some(S::Cancelled),
            A::StartWork | A::PutOnHold | A::Resume | A::Resolve | A::Close | A::Reopen => None,
        },
        S::Acknowledged => match action {
            A::StartWork => Some(S::InProgress),
            A::Cancel => Some(S::Cancelled),
            A::Acknowledge | A::PutOnHold | A::Resume | A::Resolve | A::Close | A::Reopen => None,
        },
        S::InProgress => match action {
            A::PutOnHold => Some(S::OnHold),
            A::Resolve => Some(S::Resolved),
            A::Cancel => Some(S::Cancelled),
            A::Acknowledge | A::StartWork | A::Resume | A::Close | A::Reopen => None,
        },
        S::OnHold => match action {
            A::Resume => Some(S::InProgress),
            A::Resolve => Some(S::Resolved),
            A::Cancel => Some(S::Cancelled),
            A::Acknowledge | A::StartWork | A::PutOnHold | A::Close | A::Reopen => None,
        },
        S::Resolved => match action {
            A::Close => Some(S::Closed),
            A::Reopen => Some(S::InProgress),
            A::Acknowledge | A::StartWork | A::PutOnHold | A::Resume | A::Resolve | A::Cancel => None,
        },
        S::Closed | S::Cancelled => match action {
            A::Acknowledge
            | A::StartWork
            | A::PutOnHold
            | A::Resume
            | A::Resolve
            | A::Close
            | A::Reopen
            | A::Cancel => None,
        },
    }
}

/// An action not allowed in the incident's current state.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an incident that is {state}; allowed: {}", list(.allowed))]
pub struct TransitionRefused {
    pub state: IncidentState,
    pub action: IncidentAction,
    pub allowed: Vec<IncidentAction>,
}

fn list(actions: &[IncidentAction]) -> String {
    if actions.is_empty() {
        "nothing (the incident is finished)".to_owned()
    } else {
        actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
    }
}

pub fn transition(state: IncidentState, action: IncidentAction) -> Result<IncidentState, TransitionRefused> {
    next_state(state, action).ok_or_else(|| TransitionRefused { state, action, allowed: allowed_actions(state) })
}

pub fn allowed_actions(state: IncidentState) -> Vec<IncidentAction> {
    IncidentAction::ALL.iter().copied().filter(|a| next_state(state, *a).is_some()).collect()
}

/// Who may take a step (GSI-7.3: the provider investigates and fixes; GSI-7.5.8: the
/// agency reports and follows). The agency confirms a resolution (close) or disputes it
/// (reopen); the provider may close too, but only after the reopen window
/// ([`IncidentPolicy`], checked in [`apply`]). The agency may withdraw its report at any
/// time before resolution; the provider may cancel only before work starts (a duplicate
/// or a report that is not a fault), so that it cannot cancel away a running deadline.
pub const fn may_perform(party: Party, action: IncidentAction, state: IncidentState) -> bool {
    match (party, action) {
        (
            Party::Provider,
            IncidentAction::Acknowledge
            | IncidentAction::StartWork
            | IncidentAction::PutOnHold
            | IncidentAction::Resume
            | IncidentAction::Resolve
            | IncidentAction::Close,
        ) => true,
        (Party::Provider, IncidentAction::Cancel) => {
            matches!(state, IncidentState::New | IncidentState::Acknowledged)
        }
        (Party::Provider, IncidentAction::Reopen) => false,
        (Party::Agency, IncidentAction::Close | IncidentAction::Reopen | IncidentAction::Cancel) => true,
        (
            Party::Agency,
            IncidentAction::Acknowledge
            | IncidentAction::StartWork
            | IncidentAction::PutOnHold
            | IncidentAction::Resume
            | IncidentAction::Resolve,
        ) => false,
    }
}

/// The provider's published incident rules that are not SLA targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentPolicy {
    /// The agency may reopen a resolved incident until this many days after its
    /// resolution (inclusive); from then on the provider may close it.
    pub reopen_window_days: u32,
}

impl IncidentPolicy {
    /// The hub-wide rule (GSI-7.5.8): the agency has seven days after a resolution to
    /// dispute it by reopening; the provider may close the incident after that.
    pub const STANDARD: IncidentPolicy = IncidentPolicy { reopen_window_days: 7 };

    pub fn reopen_until(self, resolved_at: DateTime<Utc>) -> DateTime<Utc> {
        resolved_at + TimeDelta::days(i64::from(self.reopen_window_days))
    }
}

/// One line of the progress both sides see (GSI-7.5.8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub kind: TimelineKind,
    /// The state before and after a step; both `None` for a comment.
    pub from_state: Option<IncidentState>,
    pub to_state: Option<IncidentState>,
    /// Set on `put_on_hold` entries.
    pub hold_reason: Option<HoldReason>,
    pub note: Option<BoundedText>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incident {
    pub id: IncidentId,
    pub subscription: SubscriptionId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub title: BoundedText,
    pub description: BoundedText,
    pub impact: Impact,
    pub urgency: Urgency,
    /// Always `priority_of(impact, urgency)`.
    pub priority: Priority,
    pub channel: ReportChannel,
    /// When the fault was reported; both deadlines run from here.
    pub reported_at: DateTime<Utc>,
    pub state: IncidentState,
    /// Why it is on hold, while it is.
    pub hold_reason: Option<HoldReason>,
    /// Oldest first; the first entry is the report.
    pub timeline: Vec<TimelineEntry>,
}

/// Unparsed report.
#[derive(Debug, Clone, Default)]
pub struct IncidentDraft {
    pub title: String,
    pub description: String,
    pub impact: String,
    pub urgency: String,
    /// Agencies may leave it out (`self_service`); providers must say how it reached them.
    pub channel: Option<String>,
    /// Providers may give when the call, e-mail or alert arrived; agencies' reports are
    /// timestamped by the system.
    pub reported_at: Option<DateTime<Utc>>,
}

/// Unparsed step.
#[derive(Debug, Clone)]
pub struct StepDraft {
    pub action: IncidentAction,
    pub note: Option<String>,
    /// Required with `put_on_hold`, refused with anything else.
    pub hold_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IncidentError {
    /// The caller must not learn that the incident or subscription exists (→ 404).
    #[error("no such incident or subscription")]
    NoAccess,
    /// The caller can see it but may not do this (→ 403).
    #[error("a {role} may not {what} here")]
    NotPermitted { role: Role, what: &'static str },
    #[error(transparent)]
    Refused(#[from] TransitionRefused),
    #[error("the agency could reopen this incident until {until}; that window has passed")]
    ReopenWindowClosed { until: DateTime<Utc> },
    #[error("the agency may still reopen this incident until {until}; close it after that")]
    ReopenWindowStillOpen { until: DateTime<Utc> },
    #[error(transparent)]
    Invalid(#[from] ValidationErrors),
}

fn choice<T>(
    field: &str,
    raw: &str,
    parse: impl Fn(&str) -> Result<T, UnknownTerm>,
    errors: &mut ValidationErrors,
) -> Option<T> {
    match parse(raw.trim()) {
        Ok(value) => Some(value),
        Err(e) => {
            errors.add(field, "invalid_choice", e.to_string());
            None
        }
    }
}

/// The caller's side of the subscription, or the error that says why it has none.
fn party(actor: &Actor, parties: &SubscriptionParties, what: &'static str) -> Result<Party, IncidentError> {
    match (parties.party_of(actor), parties.access(actor)) {
        (Some(party), _) => Ok(party),
        (None, Access::None) => Err(IncidentError::NoAccess),
        (None, Access::Read | Access::ReadWrite) => Err(IncidentError::NotPermitted { role: actor.role, what }),
    }
}

/// GSI-7.5.8 / 7.4: records a report. The agency reports on its own subscription through
/// the self-service system; the provider records a report that reached it by phone,
/// e-mail or monitoring on a subscription it serves. Every failing field is reported.
pub fn report(
    id: IncidentId,
    draft: &IncidentDraft,
    actor: &Actor,
    parties: &SubscriptionParties,
    now: DateTime<Utc>,
) -> Result<Incident, IncidentError> {
    let party = party(actor, parties, "report an incident")?;
    let now = to_storage_precision(now);
    let mut errors = ValidationErrors::new();
    let title = errors.collect(BoundedText::parse("title", &draft.title, TITLE_MAX));
    let description = errors.collect(BoundedText::parse("description", &draft.description, DESCRIPTION_MAX));
    let impact = choice::<Impact>("impact", &draft.impact, str::parse, &mut errors);
    let urgency = choice::<Urgency>("urgency", &draft.urgency, str::parse, &mut errors);
    let channel = match (party, draft.channel.as_deref()) {
        (Party::Agency, None) => Some(ReportChannel::SelfService),
        (Party::Provider, None) => {
            errors.add("channel", "required", "say how the report reached you: phone, email or monitoring");
            None
        }
        (_, Some(raw)) => match (party, choice::<ReportChannel>("channel", raw, str::parse, &mut errors)) {
            (Party::Agency, Some(ReportChannel::SelfService)) => Some(ReportChannel::SelfService),
            (Party::Agency, Some(_)) => {
                errors.add(
                    "channel",
                    "channel_not_allowed",
                    "an agency reports through the self-service system; phone and e-mail reports are recorded by the provider",
                );
                None
            }
            (Party::Provider, Some(ReportChannel::SelfService)) => {
                errors.add(
                    "channel",
                    "channel_not_allowed",
                    "self_service is the agency's own channel; record phone, email or monitoring",
                );
                None
            }
            (Party::Provider, Some(channel)) => Some(channel),
            (_, None) => None,
        },
    };
    let reported_at = match (party, draft.reported_at) {
        (_, None) => Some(now),
        (Party::Agency, Some(_)) => {
            errors.add("reported_at", "not_allowed", "the system records when an agency reports");
            None
        }
        (Party::Provider, Some(at)) if at > now => {
            errors.add("reported_at", "in_future", "must not be in the future");
            None
        }
        (Party::Provider, Some(at)) => Some(to_storage_precision(at)),
    };
    let incident = errors.finish(|| {
        let (impact, urgency, reported_at) = (impact?, urgency?, reported_at?);
        Some(Incident {
            id,
            subscription: parties.subscription,
            agency: parties.agency,
            provider: parties.provider,
            title: title?,
            description: description?,
            impact,
            urgency,
            priority: priority_of(impact, urgency),
            channel: channel?,
            reported_at,
            state: IncidentState::New,
            hold_reason: None,
            timeline: vec![TimelineEntry {
                at: reported_at,
                actor: actor.clone(),
                kind: TimelineKind::Reported,
                from_state: None,
                to_state: Some(IncidentState::New),
                hold_reason: None,
                note: None,
            }],
        })
    })?;
    Ok(incident)
}

impl Incident {
    pub fn parties(&self) -> SubscriptionParties {
        SubscriptionParties { subscription: self.subscription, agency: self.agency, provider: self.provider }
    }

    /// Who may read it: both parties and GIX.
    pub fn access(&self, actor: &Actor) -> Access {
        self.parties().access(actor)
    }

    /// The first acknowledgement: the provider's response (GSI-7.3).
    pub fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.timeline.iter().find(|e| e.kind == TimelineKind::Acknowledged).map(|e| e.at)
    }

    /// When the latest resolution was recorded, if the incident is resolved or closed
    /// now (a reopened incident is not resolved).
    pub fn resolved_at(&self) -> Option<DateTime<Utc>> {
        match self.state {
            IncidentState::Resolved | IncidentState::Closed => {
                self.timeline.iter().rev().find(|e| e.kind == TimelineKind::Resolved).map(|e| e.at)
            }
            IncidentState::New
            | IncidentState::Acknowledged
            | IncidentState::InProgress
            | IncidentState::OnHold
            | IncidentState::Cancelled => None,
        }
    }

    /// When it entered its current state.
    fn state_since(&self) -> DateTime<Utc> {
        self.timeline.iter().rev().find(|e| e.to_state.is_some()).map_or(self.reported_at, |e| e.at)
    }
}

/// Takes one step: checks who is asking, that the step is allowed from the current state
/// and by that side, the reopen window, and the note; returns the incident with the step
/// on its timeline.
pub fn apply(
    incident: &Incident,
    actor: &Actor,
    step: &StepDraft,
    policy: IncidentPolicy,
    now: DateTime<Utc>,
) -> Result<Incident, IncidentError> {
    let party = party(actor, &incident.parties(), step.action.as_str())?;
    let to_state = transition(incident.state, step.action)?;
    if !may_perform(party, step.action, incident.state) {
        return Err(IncidentError::NotPermitted { role: actor.role, what: step.action.as_str() });
    }
    let now = to_storage_precision(now);
    if let Some(until) = incident.resolved_at().map(|at| policy.reopen_until(at)) {
        if step.action == IncidentAction::Reopen && now > until {
            return Err(IncidentError::ReopenWindowClosed { until });
        }
        if step.action == IncidentAction::Close && party == Party::Provider && now <= until {
            return Err(IncidentError::ReopenWindowStillOpen { until });
        }
    }

    let mut errors = ValidationErrors::new();
    let note = match (step.action.requires_note(), step.note.as_deref()) {
        (true, None) => {
            errors.add("note", "required", format!("say why when you {}", step.action.as_str()));
            None
        }
        (_, raw) => errors.collect(BoundedText::parse_optional("note", raw, NOTE_MAX)),
    };
    let hold_reason = match (step.action, step.hold_reason.as_deref()) {
        (IncidentAction::PutOnHold, Some(raw)) => choice::<HoldReason>("hold_reason", raw, str::parse, &mut errors),
        (IncidentAction::PutOnHold, None) => {
            errors.add(
                "hold_reason",
                "required",
                "say what the incident waits for: awaiting_agency, awaiting_supplier, scheduled_work or other",
            );
            None
        }
        (_, Some(_)) => {
            errors.add("hold_reason", "not_allowed", "a hold reason goes with put_on_hold only");
            None
        }
        (_, None) => None,
    };
    errors
        .finish(|| {
            let note = note?;
            let mut next = incident.clone();
            next.state = to_state;
            next.hold_reason = hold_reason;
            next.timeline.push(TimelineEntry {
                at: now,
                actor: actor.clone(),
                kind: TimelineKind::of(step.action),
                from_state: Some(incident.state),
                to_state: Some(to_state),
                hold_reason,
                note,
            });
            Some(next)
        })
        .map_err(IncidentError::from)
}

/// The steps `actor` may take on the incident at `now`: allowed from its state, by its side
/// ([`may_perform`]), and within the reopen window's rules ([`apply`] checks the same). Empty
/// for anyone who is not a party (GIX reads only).
pub fn available_actions(
    incident: &Incident,
    actor: &Actor,
    policy: IncidentPolicy,
    now: DateTime<Utc>,
) -> Vec<IncidentAction> {
    let Some(party) = incident.parties().party_of(actor) else {
        return Vec::new();
    };
    let until = incident.resolved_at().map(|at| policy.reopen_until(at));
    allowed_actions(incident.state)
        .into_iter()
        .filter(|a| may_perform(party, *a, incident.state))
        .filter(|a| match (a, until) {
            (IncidentAction::Reopen, Some(until)) => now <= until,
            (IncidentAction::Close, Some(until)) if party == Party::Provider => now > until,
            _ => true,
        })
        .collect()
}

/// Adds a comment to the timeline. Both sides may comment in every state, a finished
/// incident included (a question about a closed incident belongs with it).
pub fn comment(incident: &Incident, actor: &Actor, note: &str, now: DateTime<Utc>) -> Result<Incident, IncidentError> {
    party(actor, &incident.parties(), "comment")?;
    let note = BoundedText::parse("note", note, NOTE_MAX)?;
    let mut next = incident.clone();
    next.timeline.push(TimelineEntry {
        at: to_storage_precision(now),
        actor: actor.clone(),
        kind: TimelineKind::Commented,
        from_state: None,
        to_state: None,
        hold_reason: None,
        note: Some(note),
    });
    Ok(next)
}

vocabulary!(
    /// Whether a deadline was kept.
    DeadlineStatus, "deadline status" {
        /// Not due yet and not done.
        Pending => "pending",
        Met => "met",
        Breached => "breached",
        /// Cancelled before it was due and before it was done.
        NotApplicable => "not_applicable",
    }
);

vocabulary!(
    /// Whether the resolution clock is counting now.
    ClockState, "clock state" {
        Running => "running",
        /// On hold awaiting the agency.
        Paused => "paused",
        /// Resolved, closed or cancelled.
        Stopped => "stopped",
    }
);

/// The SLA terms have no targets for a priority (parsed terms always have all four).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the SLA terms give no targets for priority {0}")]
pub struct MissingPriorityTargets(pub Priority);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IncidentDeadlines {
    pub targets: PriorityTargets,
    /// `reported_at + response_minutes`.
    pub response_due: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
    pub response: DeadlineStatus,
    /// `reported_at + resolution_minutes` plus the time the clock stood still. While the
    /// clock is paused this is when it would fall due if it restarted `now`; once stopped,
    /// when it would have fallen due.
    pub resolution_due: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: DeadlineStatus,
    pub resolution_clock: ClockState,
    /// Whole minutes the resolution clock has counted (up to the resolution, or `now`).
    pub resolution_minutes_used: i64,
}

/// One stretch of the incident's history in one state.
struct Segment {
    from: DateTime<Utc>,
    until: Option<DateTime<Utc>>,
    running: bool,
}

fn clock_runs(state: IncidentState, hold: Option<HoldReason>) -> bool {
    match state {
        IncidentState::New | IncidentState::Acknowledged | IncidentState::InProgress => true,
        IncidentState::OnHold => !hold.is_some_and(HoldReason::pauses_resolution_clock),
        IncidentState::Resolved | IncidentState::Closed | IncidentState::Cancelled => false,
    }
}

fn segments(incident: &Incident) -> Vec<Segment> {
    let mut changes: Vec<(DateTime<Utc>, bool)> =
        incident.timeline.iter().filter_map(|e| e.to_state.map(|s| (e.at, clock_runs(s, e.hold_reason)))).collect();
    if changes.is_empty() {
        changes.push((incident.reported_at, true));
    }
    let untils = changes.iter().skip(1).map(|(at, _)| Some(*at)).chain([None]);
    changes.iter().zip(untils).map(|(&(from, running), until)| Segment { from, until, running }).collect()
}

/// Time the clock counted before `t`.
fn used_before(segments: &[Segment], t: DateTime<Utc>) -> TimeDelta {
    segments
        .iter()
        .filter(|s| s.running)
        .map(|s| {
            let end = s.until.map_or(t, |u| u.min(t));
            (end - s.from).max(TimeDelta::zero())
        })
        .fold(TimeDelta::zero(), |a, b| a + b)
}

/// The instant the clock reaches `budget`, if it does while running.
fn budget_spent_at(segments: &[Segment], budget: TimeDelta) -> Option<DateTime<Utc>> {
    let mut left = budget;
    for s in segments.iter().filter(|s| s.running) {
        match s.until {
            None => return Some(s.from + left),
            Some(until) => {
                let length = (until - s.from).max(TimeDelta::zero());
                if left <= length {
                    return Some(s.from + left);
                }
                left -= length;
            }
        }
    }
    None
}

/// Response and resolution deadlines for the incident's priority and whether they were
/// met at `now` (GSI-7.3, 10.2). A deadline met exactly on time is met.
pub fn deadlines(
    incident: &Incident,
    terms: &SlaTerms,
    now: DateTime<Utc>,
) -> Result<IncidentDeadlines, MissingPriorityTargets> {
    let targets = terms.targets(incident.priority).ok_or(MissingPriorityTargets(incident.priority))?;
    let cancelled_at = match incident.state {
        IncidentState::Cancelled => Some(incident.state_since()),
        IncidentState::New
        | IncidentState::Acknowledged
        | IncidentState::InProgress
        | IncidentState::OnHold
        | IncidentState::Resolved
        | IncidentState::Closed => None,
    };

    let response_due = incident.reported_at + TimeDelta::minutes(i64::from(targets.response_minutes));
    let responded_at = incident.responded_at();
    let response = match (responded_at, cancelled_at) {
        (Some(at), _) if at <= response_due => DeadlineStatus::Met,
        (Some(_), _) => DeadlineStatus::Breached,
        (None, Some(at)) if at > response_due => DeadlineStatus::Breached,
        (None, Some(_)) => DeadlineStatus::NotApplicable,
        (None, None) if now > response_due => DeadlineStatus::Breached,
        (None, None) => DeadlineStatus::Pending,
    };

    let budget = TimeDelta::minutes(i64::from(targets.resolution_minutes));
    let segments = segments(incident);
    let resolved_at = incident.resolved_at();
    let clock_until = resolved_at.or(cancelled_at).unwrap_or(now);
    let used = used_before(&segments, clock_until);
    let resolution = if used > budget {
        DeadlineStatus::Breached
    } else if resolved_at.is_some() {
        DeadlineStatus::Met
    } else if cancelled_at.is_some() {
        DeadlineStatus::NotApplicable
    } else {
        DeadlineStatus::Pending
    };
    let resolution_clock = match incident.state {
        IncidentState::Resolved | IncidentState::Closed | IncidentState::Cancelled => ClockState::Stopped,
        IncidentState::OnHold if !clock_runs(incident.state, incident.hold_reason) => ClockState::Paused,
        IncidentState::New | IncidentState::Acknowledged | IncidentState::InProgress | IncidentState::OnHold => {
            ClockState::Running
        }
    };
    let left = budget - used;
    let resolution_due = match (budget_spent_at(&segments, budget), resolution_clock) {
        (Some(at), _) => at,
        (None, ClockState::Paused) => now + left,
        (None, ClockState::Running | ClockState::Stopped) => clock_until + left,
    };
    Ok(IncidentDeadlines {
        targets,
        response_due,
        responded_at,
        response,
        resolution_due,
        resolved_at,
        resolution,
        resolution_clock,
        resolution_minutes_used: used.num_minutes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla_terms::tests::standard_draft;
    use crate::subscription_ref::tests::{AGENCY, OTHER_AGENCY, OTHER_PROVIDER, PROVIDER, actor, parties};
    use chrono::TimeZone;
    use uuid::Uuid;

    fn t(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap()
    }

    fn terms() -> SlaTerms {
        // p1 15/240, p2 30/480, p3 120/1440, p4 480/4320 minutes.
        SlaTerms::parse(&standard_draft()).unwrap()
    }

    const POLICY: IncidentPolicy = IncidentPolicy::STANDARD;

    fn agency() -> Actor {
        actor(Role::AgencyUser, AGENCY)
    }

    fn provider() -> Actor {
        actor(Role::ProviderOperator, PROVIDER)
    }

    fn draft(impact: &str, urgency: &str) -> IncidentDraft {
        IncidentDraft {
            title: "Internet down at HQ".into(),
            description: "No traffic since 09:00".into(),
            impact: impact.into(),
            urgency: urgency.into(),
            channel: None,
            reported_at: None,
        }
    }

    /// A P1 incident (15 min response, 240 min resolution) reported by the agency at `at`.
    fn p1(at: DateTime<Utc>) -> Incident {
        report(IncidentId::from_uuid(Uuid::from_u128(1)), &draft("high", "high"), &agency(), &parties(1), at).unwrap()
    }

    fn step(action: IncidentAction) -> StepDraft {
        StepDraft {
            action,
            note: action.requires_note().then(|| "because".to_owned()),
            hold_reason: (action == IncidentAction::PutOnHold).then(|| "other".to_owned()),
        }
    }

    fn hold(reason: &str) -> StepDraft {
        StepDraft { action: IncidentAction::PutOnHold, note: Some("waiting".into()), hold_reason: Some(reason.into()) }
    }

    fn by_provider(i: &Incident, s: &StepDraft, at: DateTime<Utc>) -> Incident {
        apply(i, &provider(), s, POLICY, at).unwrap()
    }

    #[test]
    fn gsi_7_3_priority_matrix() {
        use Impact as I;
        use Urgency as U;
        let expected = [
            (I::High, U::High, Priority::P1),
            (I::High, U::Medium, Priority::P2),
            (I::High, U::Low, Priority::P3),
            (I::Medium, U::High, Priority::P2),
            (I::Medium, U::Medium, Priority::P3),
            (I::Medium, U::Low, Priority::P4),
            (I::Low, U::High, Priority::P3),
            (I::Low, U::Medium, Priority::P4),
            (I::Low, U::Low, Priority::P4),
        ];
        assert_eq!(expected.len(), I::ALL.len() * U::ALL.len());
        for (impact, urgency, priority) in expected {
            assert_eq!(priority_of(impact, urgency), priority, "{impact} × {urgency}");
        }
    }

    /// Every state × every action: the expected next state or a refusal.
    #[test]
    fn gsi_7_5_8_full_transition_table() {
        use IncidentAction as A;
        use IncidentState as S;
        let table: [(S, [Option<S>; 8]); 7] = [
            // acknowledge, start_work, put_on_hold, resume, resolve, close, reopen, cancel
            (S::New, [Some(S::Acknowledged), None, None, None, None, None, None, Some(S::Cancelled)]),
            (S::Acknowledged, [None, Some(S::InProgress), None, None, None, None, None, Some(S::Cancelled)]),
            (S::InProgress, [None, None, Some(S::OnHold), None, Some(S::Resolved), None, None, Some(S::Cancelled)]),
            (S::OnHold, [None, None, None, Some(S::InProgress), Some(S::Resolved), None, None, Some(S::Cancelled)]),
            (S::Resolved, [None, None, None, None, None, Some(S::Closed), Some(S::InProgress), None]),
            (S::Closed, [None; 8]),
            (S::Cancelled, [None; 8]),
        ];
        assert_eq!(table.len(), S::ALL.len());
        assert_eq!(A::ALL.len(), 8);
        for (state, row) in table {
            for (action, expected) in A::ALL.iter().copied().zip(row) {
                match (transition(state, action), expected) {
                    (Ok(next), Some(want)) => assert_eq!(next, want, "{state} × {action}"),
                    (Err(refused), None) => {
                        assert_eq!(refused.state, state);
                        assert_eq!(refused.action, action);
                        let allowed: Vec<A> =
                            A::ALL.iter().copied().zip(row).filter_map(|(a, n)| n.map(|_| a)).collect();
                        assert_eq!(refused.allowed, allowed, "{state} × {action}");
                        assert_eq!(allowed_actions(state), allowed);
                    }
                    (got, want) => panic!("{state} × {action}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn gsi_7_5_8_refusal_names_state_and_allowed_actions() {
        let refused = transition(IncidentState::Resolved, IncidentAction::Resolve).unwrap_err();
        assert_eq!(refused.to_string(), "cannot resolve an incident that is resolved; allowed: close, reopen");
        let finished = transition(IncidentState::Closed, IncidentAction::Reopen).unwrap_err();
        assert_eq!(
            finished.to_string(),
            "cannot reopen an incident that is closed; allowed: nothing (the incident is finished)"
        );
    }

    /// Every party × action × state, against the rule written out independently.
    #[test]
    fn gsi_7_3_who_may_take_each_step() {
        use IncidentAction as A;
        use IncidentState as S;
        for state in S::ALL.iter().copied() {
            for action in A::ALL.iter().copied() {
                let provider =
                    matches!(action, A::Acknowledge | A::StartWork | A::PutOnHold | A::Resume | A::Resolve | A::Close)
                        || (action == A::Cancel && matches!(state, S::New | S::Acknowledged));
                let agency = matches!(action, A::Close | A::Reopen | A::Cancel);
                assert_eq!(may_perform(Party::Provider, action, state), provider, "provider {action} in {state}");
                assert_eq!(may_perform(Party::Agency, action, state), agency, "agency {action} in {state}");
            }
        }
    }

    #[test]
    fn gsi_7_5_8_agency_reports_through_self_service() {
        let i = p1(t(2, 9, 0));
        assert_eq!(i.priority, Priority::P1);
        assert_eq!(i.channel, ReportChannel::SelfService);
        assert_eq!(i.state, IncidentState::New);
        assert_eq!(i.reported_at, t(2, 9, 0));
        assert_eq!(i.timeline.len(), 1);
        assert_eq!(i.timeline[0].kind, TimelineKind::Reported);
        assert_eq!(i.timeline[0].actor, agency());
        assert_eq!(i.timeline[0].to_state, Some(IncidentState::New));

        let mut d = draft("high", "high");
        d.channel = Some("phone".into());
        d.reported_at = Some(t(2, 8, 0));
        let err = report(i.id, &d, &agency(), &parties(1), t(2, 9, 0)).unwrap_err();
        let IncidentError::Invalid(errors) = err else { panic!("{err:?}") };
        let got: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(got, [("channel", "channel_not_allowed"), ("reported_at", "not_allowed")]);
    }

    #[test]
    fn gsi_7_4_provider_records_phone_email_and_monitoring_reports() {
        let mut d = draft("low", "medium");
        d.channel = Some("phone".into());
        d.reported_at = Some(t(2, 8, 30));
        let i = report(IncidentId::from_uuid(Uuid::from_u128(2)), &d, &provider(), &parties(1), t(2, 9, 0)).unwrap();
        assert_eq!(i.channel, ReportChannel::Phone);
        assert_eq!(i.priority, Priority::P4);
        assert_eq!(i.reported_at, t(2, 8, 30), "deadlines run from when the call came in");

        for (channel, code) in
            [(None, "required"), (Some("self_service"), "channel_not_allowed"), (Some("fax"), "invalid_choice")]
        {
            let mut d = draft("low", "low");
            d.channel = channel.map(str::to_owned);
            let IncidentError::Invalid(errors) = report(i.id, &d, &provider(), &parties(1), t(2, 9, 0)).unwrap_err()
            else {
                panic!("{channel:?}")
            };
            assert_eq!(errors.errors()[0].field, "channel");
            assert_eq!(errors.errors()[0].code, code, "{channel:?}");
        }

        let mut future = draft("low", "low");
        future.channel = Some("monitoring".into());
        future.reported_at = Some(t(2, 9, 1));
        let IncidentError::Invalid(errors) = report(i.id, &future, &provider(), &parties(1), t(2, 9, 0)).unwrap_err()
        else {
            panic!()
        };
        assert_eq!(errors.errors()[0].code, "in_future");
    }

    #[test]
    fn reports_every_failing_field() {
        let d = IncidentDraft {
            title: " ".into(),
            description: "x".repeat(DESCRIPTION_MAX + 1),
            impact: "huge".into(),
            urgency: "".into(),
            channel: None,
            reported_at: None,
        };
        let IncidentError::Invalid(errors) =
            report(IncidentId::from_uuid(Uuid::nil()), &d, &agency(), &parties(1), t(2, 9, 0)).unwrap_err()
        else {
            panic!()
        };
        let fields: Vec<&str> = errors.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["title", "description", "impact", "urgency"]);
    }

    #[test]
    fn gsi_7_5_8_only_the_parties_report_and_strangers_learn_nothing() {
        let id = IncidentId::from_uuid(Uuid::nil());
        let d = draft("low", "low");
        for stranger in [
            actor(Role::AgencyAdmin, OTHER_AGENCY),
            actor(Role::ProviderOperator, OTHER_PROVIDER),
            actor(Role::Assessor, 7),
        ] {
            assert_eq!(report(id, &d, &stranger, &parties(1), t(2, 9, 0)), Err(IncidentError::NoAccess));
        }
        assert_eq!(
            report(id, &d, &actor(Role::GixOfficer, 9), &parties(1), t(2, 9, 0)),
            Err(IncidentError::NotPermitted { role: Role::GixOfficer, what: "report an incident" })
        );
        assert!(report(id, &d, &actor(Role::AgencyAdmin, AGENCY), &parties(1), t(2, 9, 0)).is_ok());
        let i = p1(t(2, 9, 0));
        assert_eq!(i.access(&actor(Role::AgencyUser, OTHER_AGENCY)), Access::None);
        assert_eq!(i.access(&actor(Role::GixOfficer, 9)), Access::Read);
        assert_eq!(
            apply(
                &i,
                &actor(Role::ProviderOperator, OTHER_PROVIDER),
                &step(IncidentAction::Acknowledge),
                POLICY,
                t(2, 9, 1)
            ),
            Err(IncidentError::NoAccess)
        );
        assert_eq!(
            comment(&i, &actor(Role::AgencyUser, OTHER_AGENCY), "hello", t(2, 9, 1)),
            Err(IncidentError::NoAccess)
        );
    }

    #[test]
    fn gsi_7_5_8_timeline_records_each_step_and_comment() {
        let i = p1(t(2, 9, 0));
        let i = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 5));
        let i = comment(&i, &agency(), "Branch office affected too", t(2, 9, 6)).unwrap();
        let i = by_provider(&i, &step(IncidentAction::StartWork), t(2, 9, 10));
        let i = by_provider(&i, &hold("awaiting_agency"), t(2, 9, 20));
        let i = by_provider(&i, &step(IncidentAction::Resume), t(2, 9, 50));
        let i = by_provider(&i, &step(IncidentAction::Resolve), t(2, 10, 0));
        let i = apply(&i, &agency(), &step(IncidentAction::Close), POLICY, t(2, 11, 0)).unwrap();
        let got: Vec<(TimelineKind, DateTime<Utc>, Role, Option<IncidentState>)> =
            i.timeline.iter().map(|e| (e.kind, e.at, e.actor.role, e.to_state)).collect();
        use IncidentState as S;
        use TimelineKind as K;
        assert_eq!(
            got,
            [
                (K::Reported, t(2, 9, 0), Role::AgencyUser, Some(S::New)),
                (K::Acknowledged, t(2, 9, 5), Role::ProviderOperator, Some(S::Acknowledged)),
                (K::Commented, t(2, 9, 6), Role::AgencyUser, None),
                (K::WorkStarted, t(2, 9, 10), Role::ProviderOperator, Some(S::InProgress)),
                (K::PutOnHold, t(2, 9, 20), Role::ProviderOperator, Some(S::OnHold)),
                (K::Resumed, t(2, 9, 50), Role::ProviderOperator, Some(S::InProgress)),
                (K::Resolved, t(2, 10, 0), Role::ProviderOperator, Some(S::Resolved)),
                (K::Closed, t(2, 11, 0), Role::AgencyUser, Some(S::Closed)),
            ]
        );
        assert_eq!(i.timeline[4].hold_reason, Some(HoldReason::AwaitingAgency));
        assert_eq!(i.timeline[4].from_state, Some(S::InProgress));
        assert_eq!(i.timeline[2].note.as_ref().unwrap().as_str(), "Branch office affected too");
        assert_eq!(i.state, S::Closed);
    }

    #[test]
    fn gsi_7_5_8_hold_needs_a_reason_and_notes_where_required() {
        let i = p1(t(2, 9, 0));
        let i = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 5));
        let i = by_provider(&i, &step(IncidentAction::StartWork), t(2, 9, 6));
        let bare = StepDraft { action: IncidentAction::PutOnHold, note: None, hold_reason: None };
        let IncidentError::Invalid(errors) = apply(&i, &provider(), &bare, POLICY, t(2, 9, 7)).unwrap_err() else {
            panic!()
        };
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("note", "required"), ("hold_reason", "required")]);

        let misplaced = StepDraft {
            action: IncidentAction::Resolve,
            note: Some("fixed".into()),
            hold_reason: Some("other".into()),
        };
        let IncidentError::Invalid(errors) = apply(&i, &provider(), &misplaced, POLICY, t(2, 9, 7)).unwrap_err() else {
            panic!()
        };
        assert_eq!(errors.errors()[0].code, "not_allowed");

        let resumed = by_provider(
            &by_provider(&i, &hold("awaiting_supplier"), t(2, 9, 8)),
            &step(IncidentAction::Resume),
            t(2, 9, 9),
        );
        assert_eq!(resumed.hold_reason, None, "the reason is cleared when work resumes");
    }

    #[test]
    fn gsi_7_3_provider_cannot_cancel_after_work_starts_nor_reopen() {
        let i = p1(t(2, 9, 0));
        let ack = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 5));
        assert_eq!(by_provider(&ack, &step(IncidentAction::Cancel), t(2, 9, 6)).state, IncidentState::Cancelled);
        let working = by_provider(&ack, &step(IncidentAction::StartWork), t(2, 9, 6));
        assert_eq!(
            apply(&working, &provider(), &step(IncidentAction::Cancel), POLICY, t(2, 9, 7)),
            Err(IncidentError::NotPermitted { role: Role::ProviderOperator, what: "cancel" })
        );
        assert_eq!(
            apply(&working, &agency(), &step(IncidentAction::Cancel), POLICY, t(2, 9, 7)).unwrap().state,
            IncidentState::Cancelled
        );
        assert_eq!(
            apply(&working, &agency(), &step(IncidentAction::Resolve), POLICY, t(2, 9, 7)),
            Err(IncidentError::NotPermitted { role: Role::AgencyUser, what: "resolve" })
        );
        // A refused transition is reported before permissions: the state explains it.
        assert!(matches!(
            apply(&i, &agency(), &step(IncidentAction::Reopen), POLICY, t(2, 9, 7)),
            Err(IncidentError::Refused(TransitionRefused { state: IncidentState::New, .. }))
        ));
    }

    fn resolved_at_ten() -> Incident {
        let i = p1(t(2, 9, 0));
        let i = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 5));
        let i = by_provider(&i, &step(IncidentAction::StartWork), t(2, 9, 6));
        by_provider(&i, &step(IncidentAction::Resolve), t(2, 10, 0))
    }

    #[test]
    fn gsi_7_5_8_agency_reopens_within_the_window_only() {
        let resolved = resolved_at_ten();
        assert_eq!(POLICY.reopen_until(t(2, 10, 0)), t(9, 10, 0));
        let reopened = apply(&resolved, &agency(), &step(IncidentAction::Reopen), POLICY, t(9, 10, 0)).unwrap();
        assert_eq!(reopened.state, IncidentState::InProgress);
        assert_eq!(reopened.resolved_at(), None);
        assert_eq!(
            apply(&resolved, &agency(), &step(IncidentAction::Reopen), POLICY, t(9, 10, 1)),
            Err(IncidentError::ReopenWindowClosed { until: t(9, 10, 0) })
        );
        // Provider closes only after the window; the agency may confirm at any time.
        assert_eq!(
            apply(&resolved, &provider(), &step(IncidentAction::Close), POLICY, t(9, 10, 0)),
            Err(IncidentError::ReopenWindowStillOpen { until: t(9, 10, 0) })
        );
        assert_eq!(by_provider(&resolved, &step(IncidentAction::Close), t(9, 10, 1)).state, IncidentState::Closed);
        assert_eq!(
            apply(&resolved, &agency(), &step(IncidentAction::Close), POLICY, t(2, 10, 1)).unwrap().state,
            IncidentState::Closed
        );
        // The window runs from the latest resolution.
        let again = by_provider(&reopened, &step(IncidentAction::Resolve), t(10, 8, 0));
        assert!(apply(&again, &agency(), &step(IncidentAction::Reopen), POLICY, t(17, 8, 0)).is_ok());
    }

    #[test]
    fn gsi_7_5_8_available_actions_follow_state_side_and_reopen_window() {
        use IncidentAction as A;
        let i = p1(t(2, 9, 0));
        assert_eq!(available_actions(&i, &provider(), POLICY, t(2, 9, 1)), [A::Acknowledge, A::Cancel]);
        assert_eq!(available_actions(&i, &agency(), POLICY, t(2, 9, 1)), [A::Cancel]);
        assert!(available_actions(&i, &actor(Role::GixOfficer, 9), POLICY, t(2, 9, 1)).is_empty());
        assert!(available_actions(&i, &actor(Role::AgencyUser, OTHER_AGENCY), POLICY, t(2, 9, 1)).is_empty());

        let resolved = resolved_at_ten();
        assert_eq!(available_actions(&resolved, &agency(), POLICY, t(9, 10, 0)), [A::Close, A::Reopen]);
        assert_eq!(available_actions(&resolved, &agency(), POLICY, t(9, 10, 1)), [A::Close]);
        assert!(available_actions(&resolved, &provider(), POLICY, t(9, 10, 0)).is_empty());
        assert_eq!(available_actions(&resolved, &provider(), POLICY, t(9, 10, 1)), [A::Close]);
        // What it offers, `apply` accepts.
        for (who, at) in [(agency(), t(9, 10, 0)), (provider(), t(9, 10, 1))] {
            for action in available_actions(&resolved, &who, POLICY, at) {
                assert!(apply(&resolved, &who, &step(action), POLICY, at).is_ok(), "{action}");
            }
        }
    }

    #[test]
    fn gsi_10_2_deadlines_from_priority_targets() {
        let i = p1(t(2, 9, 0));
        let d = deadlines(&i, &terms(), t(2, 9, 15)).unwrap();
        assert_eq!(d.response_due, t(2, 9, 15));
        assert_eq!(d.resolution_due, t(2, 13, 0));
        assert_eq!(d.response, DeadlineStatus::Pending, "due exactly now is not yet late");
        assert_eq!(d.resolution, DeadlineStatus::Pending);
        assert_eq!(d.resolution_clock, ClockState::Running);
        assert_eq!(d.resolution_minutes_used, 15);
        assert_eq!(deadlines(&i, &terms(), t(2, 9, 16)).unwrap().response, DeadlineStatus::Breached);

        // Acknowledged exactly at the deadline: met.
        let on_time = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 15));
        let d = deadlines(&on_time, &terms(), t(2, 12, 0)).unwrap();
        assert_eq!((d.response, d.responded_at), (DeadlineStatus::Met, Some(t(2, 9, 15))));
        let late = by_provider(&i, &step(IncidentAction::Acknowledge), t(2, 9, 16));
        assert_eq!(deadlines(&late, &terms(), t(2, 9, 16)).unwrap().response, DeadlineStatus::Breached);

        // A P3 (impact medium, urgency medium): 120 / 1440 minutes.
        let p3 = report(i.id, &draft("medium", "medium"), &agency(), &parties(1), t(2, 9, 0)).unwrap();
        let d = deadlines(&p3, &terms(), t(2, 9, 0)).unwrap();
        assert_eq!((d.response_due, d.resolution_due), (t(2, 11, 0), t(3, 9, 0)));
    }

    #[test]
    fn gsi_10_2_resolution_met_on_the_minute_and_breached_after() {
        let working = by_provider(
            &by_provider(&p1(t(2, 9, 0)), &step(IncidentAction::Acknowledge), t(2, 9, 5)),
            &step(IncidentAction::StartWork),
            t(2, 9, 6),
        );
        let on_time = by_provider(&working, &step(IncidentAction::Resolve), t(2, 13, 0));
        let d = deadlines(&on_time, &terms(), t(5, 0, 0)).unwrap();
        assert_eq!(
            (d.resolution, d.resolved_at, d.resolution_due),
            (DeadlineStatus::Met, Some(t(2, 13, 0)), t(2, 13, 0))
        );
        assert_eq!(d.resolution_clock, ClockState::Stopped);
        let late = by_provider(&working, &step(IncidentAction::Resolve), t(2, 13, 1));
        assert_eq!(deadlines(&late, &terms(), t(5, 0, 0)).unwrap().resolution, DeadlineStatus::Breached);
        // Still open past the deadline: breached before it is resolved.
        assert_eq!(deadlines(&working, &terms(), t(2, 13, 1)).unwrap().resolution, DeadlineStatus::Breached);
        // Resolved early: the deadline shown is where it stood when the clock stopped.
        let early = deadlines(&resolved_at_ten(), &terms(), t(5, 0, 0)).unwrap();
        assert_eq!(
            (early.resolution, early.resolution_due, early.resolution_minutes_used),
            (DeadlineStatus::Met, t(2, 13, 0), 60)
        );
    }

    #[test]
    fn gsi_10_2_only_waiting_on_the_agency_pauses_the_resolution_clock() {
        let working = by_provider(
            &by_provider(&p1(t(2, 9, 0)), &step(IncidentAction::Acknowledge), t(2, 9, 5)),
            &step(IncidentAction::StartWork),
            t(2, 9, 6),
        );
        // On hold awaiting the agency 10:00–11:00: the deadline moves from 13:00 to 14:00.
        let held = by_provider(&working, &hold("awaiting_agency"), t(2, 10, 0));
        let d = deadlines(&held, &terms(), t(2, 10, 30)).unwrap();
        assert_eq!(d.resolution_clock, ClockState::Paused);
        assert_eq!(d.resolution_minutes_used, 60);
        assert_eq!(d.resolution_due, t(2, 13, 30), "if it resumed now, 180 minutes remain");
        let resumed = by_provider(&held, &step(IncidentAction::Resume), t(2, 11, 0));
        let d = deadlines(&resumed, &terms(), t(2, 11, 0)).unwrap();
        assert_eq!((d.resolution_due, d.resolution_clock), (t(2, 14, 0), ClockState::Running));
        let done = by_provider(&resumed, &step(IncidentAction::Resolve), t(2, 14, 0));
        assert_eq!(deadlines(&done, &terms(), t(3, 0, 0)).unwrap().resolution, DeadlineStatus::Met);

        // The same hour waiting on a supplier does not move it.
        let supplier = by_provider(
            &by_provider(&working, &hold("awaiting_supplier"), t(2, 10, 0)),
            &step(IncidentAction::Resume),
            t(2, 11, 0),
        );
        let d = deadlines(&supplier, &terms(), t(2, 11, 0)).unwrap();
        assert_eq!(d.resolution_due, t(2, 13, 0));
        let late = by_provider(&supplier, &step(IncidentAction::Resolve), t(2, 14, 0));
        assert_eq!(deadlines(&late, &terms(), t(3, 0, 0)).unwrap().resolution, DeadlineStatus::Breached);
    }

    #[test]
    fn gsi_10_2_time_resolved_before_a_reopen_does_not_count() {
        // Resolved at 10:00 after 60 minutes; reopened at 12:00; the clock resumes with
        // 180 minutes left, so the deadline is 15:00.
        let reopened =
            apply(&resolved_at_ten(), &agency(), &step(IncidentAction::Reopen), POLICY, t(2, 12, 0)).unwrap();
        let d = deadlines(&reopened, &terms(), t(2, 12, 0)).unwrap();
        assert_eq!((d.resolution_due, d.resolution, d.resolved_at), (t(2, 15, 0), DeadlineStatus::Pending, None));
        let d = deadlines(&reopened, &terms(), t(2, 15, 1)).unwrap();
        assert_eq!(d.resolution, DeadlineStatus::Breached);
    }

    #[test]
    fn cancelled_incidents_keep_breaches_and_drop_pending_deadlines() {
        let i = p1(t(2, 9, 0));
        let early = apply(&i, &agency(), &step(IncidentAction::Cancel), POLICY, t(2, 9, 10)).unwrap();
        let d = deadlines(&early, &terms(), t(3, 0, 0)).unwrap();
        assert_eq!((d.response, d.resolution), (DeadlineStatus::NotApplicable, DeadlineStatus::NotApplicable));
        let late = apply(&i, &agency(), &step(IncidentAction::Cancel), POLICY, t(2, 9, 20)).unwrap();
        let d = deadlines(&late, &terms(), t(3, 0, 0)).unwrap();
        assert_eq!((d.response, d.resolution), (DeadlineStatus::Breached, DeadlineStatus::NotApplicable));
    }

    #[test]
    fn missing_priority_targets_are_an_error() {
        let mut partial = terms();
        partial.priorities.retain(|p| p.priority != Priority::P1);
        assert_eq!(deadlines(&p1(t(2, 9, 0)), &partial, t(2, 9, 0)), Err(MissingPriorityTargets(Priority::P1)));
    }

    #[test]
    fn vocabularies_round_trip() {
        for s in IncidentState::ALL {
            assert_eq!(s.as_str().parse::<IncidentState>().unwrap(), *s);
        }
        for a in IncidentAction::ALL {
            assert_eq!(a.as_str().parse::<IncidentAction>().unwrap(), *a);
        }
        assert_eq!("awaiting_agency".parse::<HoldReason>().unwrap(), HoldReason::AwaitingAgency);
        assert!(IncidentState::Closed.is_terminal() && !IncidentState::Resolved.is_terminal());
    }
}
