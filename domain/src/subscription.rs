//! Subscriptions: the services an agency uses (GSI-7.5.2): which offering from which
//! provider, resource quantities, add-ons, the term, the SLA terms frozen when it was
//! taken, and the lifecycle `pending → provisioning → active ⇄ suspended → terminated`.
//!
//! Decisions where the issue is silent:
//! - Terms are instants, half-open `[starts_at, ends_at)`; `ends_at` may be open. Callers
//!   that take calendar dates convert them (Asia/Bangkok midnight) before calling.
//! - The SLA terms are copied from the offering (and each add-on with its own terms) when the
//!   subscription is created; later edits of the offering do not change them.
//! - A new subscription (GSI-7.5.5) needs the provider listed for the family at `now`
//!   (GSI-13.1), a published base offering, and a start no earlier than `now`; it begins
//!   `pending`.
//! - Registering an existing (pre-hub) contract is the provider's onboarding path: the start
//!   may be in the past but not in the future (a contract that has not started yet is a new
//!   subscription), an end must be after `now` (an ended contract is not running), the
//!   offering must be in the catalog (published or retired, not a draft), and it begins
//!   `active`. Bringing a contract into the hub is new business through the hub, so the
//!   provider must be listed for the family at registration (GSI-13.1); a contract registered
//!   while listed stays visible when the provider later leaves the list, flagged
//!   ([`provider_not_listed`]).
//! - Quantities are per priced metric, not negative, and within the offering's maximum per
//!   subscription; an empty set is allowed (pure pay-per-use). The provider's total capacity
//!   is not enforced here: it concerns all subscriptions together and is the request
//!   workflow's warning (GSI-A.1.3).
//! - Every state change is made by the serving provider's operators. Agencies ask for changes
//!   through requests (GSI-7.5.5–7.5.7) and never set a state directly.
//! - Terminating closes the term at `now` (or leaves an earlier end as it is). A subscription
//!   terminated before it started has an empty term.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Utc};

use crate::access::{self, Access};
use crate::catalog::{Offering, OfferingDetails, OfferingId, OfferingRole, OfferingState};
use crate::governance::eligibility::{ListingEvidence, NotListedReason, decide};
use crate::ids::{Id, OrganisationId};
use crate::money::{MoneyError, Quantity};
use crate::role::{Actor, Role};
use crate::service::{Metric, ServiceFamily, ServiceKind, vocabulary};
use crate::sla_terms::SlaTerms;
use crate::validation::ValidationErrors;

pub enum SubscriptionMarker {}
pub type SubscriptionId = Id<SubscriptionMarker>;

pub const MAX_ADD_ONS: usize = 20;

/// Resource quantities per metric (e.g. 500 Mbps, 16 vCPU).
pub type ResourceQuantities = BTreeMap<Metric, Quantity>;

vocabulary!(
    SubscriptionStatus, "subscription status" {
        /// Agreed, not yet being set up.
        Pending => "pending",
        Provisioning => "provisioning",
        Active => "active",
        Suspended => "suspended",
        Terminated => "terminated",
    }
);

vocabulary!(
    SubscriptionAction, "subscription action" {
        StartProvisioning => "start_provisioning",
        Activate => "activate",
        Suspend => "suspend",
        Resume => "resume",
        Terminate => "terminate",
    }
);

vocabulary!(
    /// How the subscription came into the hub.
    SubscriptionOrigin, "subscription origin" {
        /// Subscribed through the hub.
        Hub => "hub",
        /// A contract running before the hub, registered by its provider.
        PreExisting => "pre_existing",
    }
);

/// `[starts_at, ends_at)`; `ends_at` is `None` while open-ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    starts_at: DateTime<Utc>,
    ends_at: Option<DateTime<Utc>>,
}

impl Term {
    /// Errors name `ends_at` when it is not after `starts_at`.
    pub fn new(starts_at: DateTime<Utc>, ends_at: Option<DateTime<Utc>>) -> Result<Self, ValidationErrors> {
        match ends_at {
            Some(end) if end <= starts_at => Err(ValidationErrors::single(
                "ends_at",
                "not_after_start",
                format!("must be after starts_at ({starts_at})"),
            )),
            _ => Ok(Self { starts_at, ends_at }),
        }
    }

    pub fn starts_at(self) -> DateTime<Utc> {
        self.starts_at
    }

    pub fn ends_at(self) -> Option<DateTime<Utc>> {
        self.ends_at
    }

    pub fn contains(self, at: DateTime<Utc>) -> bool {
        self.starts_at <= at && self.ends_at.is_none_or(|end| at < end)
    }

    /// Whether the term shares an instant with `[from, until)` (either bound open).
    pub fn overlaps(self, from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>) -> bool {
        let starts_before_range_ends = until.is_none_or(|until| self.starts_at < until);
        let ends_after_range_starts = match (self.ends_at, from) {
            (Some(end), Some(from)) => from < end,
            (None, _) | (_, None) => true,
        };
        starts_before_range_ends && ends_after_range_starts
    }

    /// The term as it stands after termination at `at`: it ends at `at` unless it had already
    /// ended; never before its start (then it is empty).
    fn closed_at(self, at: DateTime<Utc>) -> Term {
        let end = at.max(self.starts_at);
        Term { starts_at: self.starts_at, ends_at: Some(self.ends_at.map_or(end, |current| current.min(end))) }
    }
}

/// An add-on in use on a subscription (GSI-7.5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribedAddOn {
    pub offering: OfferingId,
    pub quantities: ResourceQuantities,
    /// The add-on's own terms, frozen; `None` when the subscription's terms apply.
    pub sla: Option<SlaTerms>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub offering: OfferingId,
    pub kind: ServiceKind,
    pub quantities: ResourceQuantities,
    pub add_ons: Vec<SubscribedAddOn>,
    pub term: Term,
    /// Frozen when the subscription was created (GSI-7.5.2).
    pub sla: SlaTerms,
    pub status: SubscriptionStatus,
    pub origin: SubscriptionOrigin,
    pub version: i64,
}

impl Subscription {
    pub fn family(&self) -> ServiceFamily {
        self.kind.family()
    }
}

/// A parsed subscription, not yet stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSubscription {
    pub agency: OrganisationId,
    pub provider: OrganisationId,
    pub offering: OfferingId,
    pub kind: ServiceKind,
    pub quantities: ResourceQuantities,
    pub add_ons: Vec<SubscribedAddOn>,
    pub term: Term,
    pub sla: SlaTerms,
    pub status: SubscriptionStatus,
    pub origin: SubscriptionOrigin,
}

impl NewSubscription {
    pub fn into_subscription(self, id: SubscriptionId) -> Subscription {
        Subscription {
            id,
            agency: self.agency,
            provider: self.provider,
            offering: self.offering,
            kind: self.kind,
            quantities: self.quantities,
            add_ons: self.add_ons,
            term: self.term,
            sla: self.sla,
            status: self.status,
            origin: self.origin,
            version: 1,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct QuantityDraft {
    pub metric: String,
    pub quantity: String,
}

#[derive(Debug, Clone)]
pub struct AddOnDraft {
    pub offering_id: OfferingId,
    pub quantities: Vec<QuantityDraft>,
}

/// Unparsed input. The offering and add-on offerings are loaded by the caller and passed
/// alongside; the agency is the caller's own (a new subscription) or named by the provider
/// (a registration).
#[derive(Debug, Clone)]
pub struct SubscriptionDraft {
    pub agency: OrganisationId,
    pub quantities: Vec<QuantityDraft>,
    pub add_ons: Vec<AddOnDraft>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: Option<DateTime<Utc>>,
}

/// Parses quantities for `offering`: known metrics priced in it, each once, not negative,
/// within its maximum per subscription. Errors name `{prefix}[i].metric` and
/// `{prefix}[i].quantity`.
pub fn parse_quantities(
    prefix: &str,
    raw: &[QuantityDraft],
    offering: &OfferingDetails,
) -> Result<ResourceQuantities, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let priced: BTreeSet<Metric> = offering.pricing.metrics();
    let mut quantities = ResourceQuantities::new();
    for (i, draft) in raw.iter().enumerate() {
        let field = format!("{prefix}[{i}]");
        let metric = match draft.metric.parse::<Metric>() {
            Ok(metric) if quantities.contains_key(&metric) => {
                errors.add(format!("{field}.metric"), "duplicate", format!("`{metric}` is given more than once"));
                None
            }
            Ok(metric) if !priced.contains(&metric) => {
                errors.add(
                    format!("{field}.metric"),
                    "metric_not_priced",
                    format!("`{metric}` is not priced in this offering"),
                );
                None
            }
            Ok(metric) => Some(metric),
            Err(e) => {
                errors.add(format!("{field}.metric"), "invalid_choice", e.to_string());
                None
            }
        };
        let quantity = match Quantity::parse_non_negative(&draft.quantity) {
            Ok(q) => Some(q),
            Err(e) => {
                let code = match e {
                    MoneyError::Negative(_) => "negative",
                    MoneyError::TooPrecise(..) | MoneyError::NotANumber(_) | MoneyError::Overflow => "invalid_quantity",
                };
                errors.add(format!("{field}.quantity"), code, e.to_string());
                None
            }
        };
        if let (Some(metric), Some(quantity)) = (metric, quantity) {
            match offering.capacity.max_per_subscription(metric) {
                Some(max) if quantity > max => errors.add(
                    format!("{field}.quantity"),
                    "above_capacity",
                    format!("{quantity} of {} asked; at most {max} per subscription", metric.resource_label()),
                ),
                _ => {
                    quantities.insert(metric, quantity);
                }
            }
        }
    }
    errors.finish(|| Some(quantities))
}

/// GSI-13.1: nothing new from a provider that is not listed for the family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the provider is not on the provider list for {family}: {}; agencies may subscribe only to listed providers (GSI-13.1)",
    .reasons.iter().map(|r| r.message()).collect::<Vec<_>>().join("; ")
)]
pub struct ProviderNotListed {
    pub family: ServiceFamily,
    /// Every reason, from [`decide`].
    pub reasons: Vec<NotListedReason>,
}

/// GSI-13.1: whether a new subscription may be taken from the provider whose listing
/// `evidence` this is, for `family`, at `now`: the listing decision says.
pub fn may_subscribe(
    evidence: &ListingEvidence,
    family: ServiceFamily,
    now: DateTime<Utc>,
) -> Result<(), ProviderNotListed> {
    let decision = decide(evidence, family, now);
    if decision.listed() { Ok(()) } else { Err(ProviderNotListed { family, reasons: decision.reasons }) }
}

/// GSI-13.1: a running (not terminated) subscription whose provider is not listed for its
/// family at `now` stays visible, flagged "provider not listed".
pub fn provider_not_listed(subscription: &Subscription, provider: &ListingEvidence, now: DateTime<Utc>) -> bool {
    flagged_not_listed(subscription, decide(provider, subscription.family(), now).listed())
}

/// The same flag, given whether the provider is listed for the subscription's family now.
pub fn flagged_not_listed(subscription: &Subscription, provider_listed: bool) -> bool {
    match subscription.status {
        SubscriptionStatus::Terminated => false,
        SubscriptionStatus::Pending
        | SubscriptionStatus::Provisioning
        | SubscriptionStatus::Active
        | SubscriptionStatus::Suspended => !provider_listed,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscribeRefused {
    #[error(transparent)]
    NotListed(#[from] ProviderNotListed),
    #[error("offering {offering} is {state}; it cannot be subscribed")]
    OfferingNotAvailable { offering: OfferingId, state: OfferingState },
    /// Bad input, by field.
    #[error("{0}")]
    Invalid(ValidationErrors),
}

/// GSI-7.5.5, 13.1: a new subscription through the hub, `pending`.
pub fn subscribe(
    offering: &Offering,
    add_on_offerings: &[Offering],
    provider_history: &ListingEvidence,
    draft: &SubscriptionDraft,
    now: DateTime<Utc>,
) -> Result<NewSubscription, SubscribeRefused> {
    may_subscribe(provider_history, offering.details.family(), now)?;
    let published = |state| state == OfferingState::Published;
    let mut errors = ValidationErrors::new();
    if draft.starts_at < now {
        errors.add("starts_at", "in_the_past", format!("a new subscription starts at {now} or later"));
    }
    build(offering, add_on_offerings, draft, published, errors, SubscriptionStatus::Pending, SubscriptionOrigin::Hub)
}

/// The onboarding path: a provider operator registers a contract that was running before
/// the hub, `active` from the start it had.
pub fn register_existing(
    offering: &Offering,
    add_on_offerings: &[Offering],
    provider_history: &ListingEvidence,
    draft: &SubscriptionDraft,
    now: DateTime<Utc>,
) -> Result<NewSubscription, SubscribeRefused> {
    may_subscribe(provider_history, offering.details.family(), now)?;
    let in_catalog = |state| state != OfferingState::Draft;
    let mut errors = ValidationErrors::new();
    if draft.starts_at > now {
        errors.add(
            "starts_at",
            "in_the_future",
            "an existing contract has already started; one starting later is requested as a new subscription",
        );
    }
    if draft.ends_at.is_some_and(|end| end <= now) {
        errors.add("ends_at", "already_ended", "the contract has already ended; only running contracts are registered");
    }
    build(
        offering,
        add_on_offerings,
        draft,
        in_catalog,
        errors,
        SubscriptionStatus::Active,
        SubscriptionOrigin::PreExisting,
    )
}

fn build(
    offering: &Offering,
    add_on_offerings: &[Offering],
    draft: &SubscriptionDraft,
    available: impl Fn(OfferingState) -> bool,
    mut errors: ValidationErrors,
    status: SubscriptionStatus,
    origin: SubscriptionOrigin,
) -> Result<NewSubscription, SubscribeRefused> {
    if !available(offering.state) {
        return Err(SubscribeRefused::OfferingNotAvailable { offering: offering.id, state: offering.state });
    }
    let sla = match &offering.details.role {
        OfferingRole::Base { sla } => Some(sla.clone()),
        OfferingRole::AddOn { base, .. } => {
            errors.add(
                "offering_id",
                "add_on_alone",
                format!("this offering is an add-on; subscribe to its base offering {base} and add it there"),
            );
            None
        }
    };
    let quantities = errors.collect(parse_quantities("quantities", &draft.quantities, &offering.details));
    if draft.add_ons.len() > MAX_ADD_ONS {
        errors.add("add_ons", "too_many", format!("at most {MAX_ADD_ONS} add-ons (got {})", draft.add_ons.len()));
    }
    let mut seen = BTreeSet::new();
    let add_ons: Vec<Option<SubscribedAddOn>> = draft
        .add_ons
        .iter()
        .enumerate()
        .map(|(i, add_on)| {
            let field = format!("add_ons[{i}]");
            let found = add_on_offerings.iter().find(|o| o.id == add_on.offering_id && o.provider == offering.provider);
            let Some(add_on_offering) = found else {
                errors.add(
                    format!("{field}.offering_id"),
                    "not_found",
                    format!("no add-on {} of this provider", add_on.offering_id),
                );
                return None;
            };
            if !seen.insert(add_on.offering_id) {
                errors.add(format!("{field}.offering_id"), "duplicate", "this add-on is already on the subscription");
                return None;
            }
            let sla = match &add_on_offering.details.role {
                OfferingRole::AddOn { base, sla } if *base == offering.id => sla.clone(),
                OfferingRole::AddOn { .. } | OfferingRole::Base { .. } => {
                    errors.add(
                        format!("{field}.offering_id"),
                        "not_an_add_on_of_offering",
                        "not an add-on of the subscribed offering",
                    );
                    return None;
                }
            };
            if !available(add_on_offering.state) {
                errors.add(
                    format!("{field}.offering_id"),
                    "not_available",
                    format!("the add-on is {}", add_on_offering.state),
                );
                return None;
            }
            let quantities = errors.collect(parse_quantities(
                &format!("{field}.quantities"),
                &add_on.quantities,
                &add_on_offering.details,
            ))?;
            Some(SubscribedAddOn { offering: add_on.offering_id, quantities, sla })
        })
        .collect();
    let term = errors.collect(Term::new(draft.starts_at, draft.ends_at));
    let result = errors.finish(|| {
        Some(NewSubscription {
            agency: draft.agency,
            provider: offering.provider,
            offering: offering.id,
            kind: offering.details.kind,
            quantities: quantities?,
            add_ons: add_ons.into_iter().collect::<Option<Vec<_>>>()?,
            term: term?,
            sla: sla?,
            status,
            origin,
        })
    });
    result.map_err(SubscribeRefused::Invalid)
}

/// An action the current status does not allow; names the status and what it does allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a subscription that is {state}; allowed: {}", list(.allowed))]
pub struct TransitionRefused {
    pub state: SubscriptionStatus,
    pub action: SubscriptionAction,
    pub allowed: Vec<SubscriptionAction>,
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "nothing (final state)".to_owned()
    } else {
        items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// The lifecycle (GSI-7.5.2). The table itself is `next_status`; this adds the refusal.
pub fn transition(
    state: SubscriptionStatus,
    action: SubscriptionAction,
) -> Result<SubscriptionStatus, TransitionRefused> {
    next_status(state, action).ok_or_else(|| TransitionRefused { state, action, allowed: allowed_actions(state) })
}

pub fn allowed_actions(state: SubscriptionStatus) -> Vec<SubscriptionAction> {
    SubscriptionAction::ALL.iter().copied().filter(|a| next_status(state, *a).is_some()).collect()
}

/// Every (status, action) pair spelled out, no wildcard. A subscription can be terminated
/// from any state but the last (a cancelled order, a failed set-up, an ended contract).
fn next_status(state: SubscriptionStatus, action: SubscriptionAction) -> Option<SubscriptionStatus> {
    use SubscriptionAction as A;
    use SubscriptionStatus as S;
    match (state, action) {
        (S::Pending, A::StartProvisioning) => Some(S::Provisioning),
        (S::Provisioning, A::Activate) => Some(S::Active),
        (S::Active, A::Suspend) => Some(S::Suspended),
        (S::Suspended, A::Resume) => Some(S::Active),
        (S::Pending | S::Provisioning | S::Active | S::Suspended, A::Terminate) => Some(S::Terminated),
        (S::Pending, A::Activate | A::Suspend | A::Resume)
        | (S::Provisioning, A::StartProvisioning | A::Suspend | A::Resume)
        | (S::Active, A::StartProvisioning | A::Activate | A::Resume)
        | (S::Suspended, A::StartProvisioning | A::Activate | A::Suspend)
        | (S::Terminated, A::StartProvisioning | A::Activate | A::Suspend | A::Resume | A::Terminate) => None,
    }
}

/// The outcome of an action on a stored subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transitioned {
    pub status: SubscriptionStatus,
    pub term: Term,
}

/// Applies `action` at `now`: the new status, and the term closed at `now` on termination.
pub fn act(
    subscription: &Subscription,
    action: SubscriptionAction,
    now: DateTime<Utc>,
) -> Result<Transitioned, TransitionRefused> {
    let status = transition(subscription.status, action)?;
    let term = match status {
        SubscriptionStatus::Terminated => subscription.term.closed_at(now),
        SubscriptionStatus::Pending
        | SubscriptionStatus::Provisioning
        | SubscriptionStatus::Active
        | SubscriptionStatus::Suspended => subscription.term,
    };
    Ok(Transitioned { status, term })
}

/// Who may change a subscription's state: the serving provider's operators, for every
/// action. Agency admins may not force states; they send requests (GSI-7.5.5–7.5.7).
/// Callers check [`subscription_access`] first, so that a stranger is told "not found".
pub fn may_act(actor: &Actor, provider: OrganisationId, action: SubscriptionAction) -> bool {
    let serving_operator = actor.role == Role::ProviderOperator && actor.organisation == provider;
    match action {
        SubscriptionAction::StartProvisioning
        | SubscriptionAction::Activate
        | SubscriptionAction::Suspend
        | SubscriptionAction::Resume
        | SubscriptionAction::Terminate => serving_operator,
    }
}

/// Registering a pre-hub contract is the serving provider's onboarding step.
pub fn may_register_existing(actor: &Actor, provider: OrganisationId) -> bool {
    actor.role == Role::ProviderOperator && actor.organisation == provider
}

/// GSI-7.5.2: agencies read their own subscriptions; providers read and act on those they
/// serve; GIX reads all. The assessor and everyone else see none.
pub fn subscription_access(actor: &Actor, agency: OrganisationId, provider: OrganisationId) -> Access {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser if actor.organisation == agency => Access::Read,
        Role::ProviderOperator if actor.organisation == provider => Access::ReadWrite,
        Role::GixOfficer => Access::Read,
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::Assessor => Access::None,
    }
}

/// Which subscriptions a listing may return ([`subscription_access`] as a filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionScope {
    Everything,
    OfAgency(OrganisationId),
    ServedBy(OrganisationId),
    Nothing,
}

pub fn subscription_scope(actor: &Actor) -> SubscriptionScope {
    match actor.role {
        Role::GixOfficer => SubscriptionScope::Everything,
        Role::AgencyAdmin | Role::AgencyUser => SubscriptionScope::OfAgency(actor.organisation),
        Role::ProviderOperator => SubscriptionScope::ServedBy(actor.organisation),
        Role::Assessor => SubscriptionScope::Nothing,
    }
}

/// Whether `provider` serves `agency` at all (any subscription, in any state). A provider
/// reads the profiles of the agencies it serves.
pub fn serves(subscriptions: &[Subscription], provider: OrganisationId, agency: OrganisationId) -> bool {
    subscriptions.iter().any(|s| s.provider == provider && s.agency == agency)
}

/// The agency-profile rule of `access::agency_profile`, extended: a provider operator reads
/// the profile of an agency its provider serves (`actor_serves_agency`, from [`serves`]).
pub fn agency_profile_access(actor: &Actor, agency: OrganisationId, actor_serves_agency: bool) -> Access {
    match actor.role {
        Role::ProviderOperator if actor_serves_agency => Access::Read,
        Role::ProviderOperator | Role::AgencyAdmin | Role::AgencyUser | Role::GixOfficer | Role::Assessor => {
            access::agency_profile(actor, agency)
        }
    }
}

/// List filters (status, family, provider, date range), unparsed.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionFilterDraft {
    pub status: Option<String>,
    pub family: Option<String>,
    pub provider: Option<OrganisationId>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// A parsed filter. The date range `[from, until)` keeps subscriptions whose term shares an
/// instant with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SubscriptionFilter {
    pub status: Option<SubscriptionStatus>,
    pub family: Option<ServiceFamily>,
    pub provider: Option<OrganisationId>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

impl SubscriptionFilter {
    pub fn parse(draft: &SubscriptionFilterDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let status = errors.collect(
            draft
                .status
                .as_deref()
                .map(|s| {
                    s.parse::<SubscriptionStatus>()
                        .map_err(|e| ValidationErrors::single("status", "invalid_choice", e.to_string()))
                })
                .transpose(),
        );
        let family = errors.collect(
            draft
                .family
                .as_deref()
                .map(|s| {
                    s.parse::<ServiceFamily>()
                        .map_err(|e| ValidationErrors::single("family", "invalid_choice", e.to_string()))
                })
                .transpose(),
        );
        if let (Some(from), Some(until)) = (draft.from, draft.until) {
            if until <= from {
                errors.add("until", "not_after_start", format!("must be after from ({from})"));
            }
        }
        errors.finish(|| {
            Some(SubscriptionFilter {
                status: status?,
                family: family?,
                provider: draft.provider,
                from: draft.from,
                until: draft.until,
            })
        })
    }

    pub fn matches(&self, subscription: &Subscription) -> bool {
        self.status.is_none_or(|s| s == subscription.status)
            && self.family.is_none_or(|f| f == subscription.family())
            && self.provider.is_none_or(|p| p == subscription.provider)
            && subscription.term.overlaps(self.from, self.until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::tests::{compute_draft, offering, provider};
    use crate::catalog::{CapacityLimitDraft, OfferingDraft, PricingLineDraft};
    use crate::governance::eligibility::tests::listed_evidence;
    use crate::listing::tests::entry;
    use crate::listing::{ListingAction, ListingStatus};
    use crate::role::Subject;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 4, 1, 3, 0, 0).unwrap()
    }

    fn agency() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0xA1))
    }

    fn listed() -> ListingEvidence {
        listed_evidence(provider(), now() - Duration::days(60))
    }

    fn q(metric: &str, quantity: &str) -> QuantityDraft {
        QuantityDraft { metric: metric.into(), quantity: quantity.into() }
    }

    fn base() -> Offering {
        offering(1, &compute_draft(), OfferingState::Published)
    }

    fn add_on_draft(base: u128, sla: bool) -> OfferingDraft {
        OfferingDraft {
            family: "cloud".into(),
            kind: "backup".into(),
            name: "VM backup".into(),
            description: None,
            base_offering_id: Some(OfferingId::from_uuid(Uuid::from_u128(base))),
            pricing: vec![PricingLineDraft { metric: "backup_gb_month".into(), unit_price: "2".into() }],
            sla: sla.then(crate::sla_terms::tests::standard_draft),
            capacity: vec![CapacityLimitDraft {
                metric: "backup_gb_month".into(),
                max_per_subscription: Some("1000".into()),
                provider_total: None,
            }],
        }
    }

    fn draft() -> SubscriptionDraft {
        SubscriptionDraft {
            agency: agency(),
            quantities: vec![q("vcpu_hour", "16"), q("ram_gb_hour", "64")],
            add_ons: vec![AddOnDraft {
                offering_id: OfferingId::from_uuid(Uuid::from_u128(2)),
                quantities: vec![q("backup_gb_month", "500")],
            }],
            starts_at: now(),
            ends_at: Some(now() + Duration::days(365)),
        }
    }

    fn add_ons() -> Vec<Offering> {
        vec![offering(2, &add_on_draft(1, false), OfferingState::Published)]
    }

    fn invalid_fields(result: Result<NewSubscription, SubscribeRefused>) -> Vec<(String, &'static str)> {
        match result {
            Err(SubscribeRefused::Invalid(errors)) => {
                errors.errors().iter().map(|e| (e.field.clone(), e.code)).collect()
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    fn subscription(status: SubscriptionStatus) -> Subscription {
        subscribe(&base(), &add_ons(), &listed(), &draft(), now())
            .unwrap()
            .into_subscription(SubscriptionId::from_uuid(Uuid::from_u128(0x5)))
            .with_status(status)
    }

    impl Subscription {
        fn with_status(self, status: SubscriptionStatus) -> Self {
            Subscription { status, ..self }
        }
    }

    fn actor(role: Role, org: OrganisationId) -> Actor {
        Actor { subject: Subject::parse("u").unwrap(), organisation: org, role }
    }

    #[test]
    fn gsi_7_5_2_new_subscription_freezes_terms_and_starts_pending() {
        let new = subscribe(&base(), &add_ons(), &listed(), &draft(), now()).unwrap();
        assert_eq!(new.status, SubscriptionStatus::Pending);
        assert_eq!(new.origin, SubscriptionOrigin::Hub);
        assert_eq!(new.provider, provider());
        assert_eq!(new.agency, agency());
        assert_eq!(new.kind, ServiceKind::Compute);
        assert_eq!(new.quantities.get(&Metric::VcpuHour), Some(&Quantity::parse("16").unwrap()));
        assert_eq!(Some(&new.sla), base().details.role.own_sla());
        assert_eq!(new.add_ons.len(), 1);
        assert_eq!(new.add_ons[0].sla, None, "the add-on follows the base terms");
        assert_eq!(new.term.starts_at(), now());
        // Editing the offering later does not touch the frozen copy.
        let mut changed = base();
        if let OfferingRole::Base { sla } = &mut changed.details.role {
            sla.availability_percent = rust_decimal::Decimal::new(995, 1);
        }
        assert_ne!(Some(&new.sla), changed.details.role.own_sla());
        // An add-on with its own terms keeps them too.
        let own_terms = vec![offering(2, &add_on_draft(1, true), OfferingState::Published)];
        let new = subscribe(&base(), &own_terms, &listed(), &draft(), now()).unwrap();
        assert!(new.add_ons[0].sla.is_some());
    }

    #[test]
    fn gsi_13_1_unlisted_provider_is_refused_with_a_clear_error() {
        let mut uncertified = listed();
        uncertified.certifications.clear();
        let refused = subscribe(&base(), &add_ons(), &uncertified, &draft(), now()).unwrap_err();
        assert_eq!(
            refused,
            SubscribeRefused::NotListed(ProviderNotListed {
                family: ServiceFamily::Cloud,
                reasons: vec![NotListedReason::NotCertified]
            })
        );
        assert_eq!(
            refused.to_string(),
            "the provider is not on the provider list for cloud: no certification by an accredited assessor covers the family; agencies may subscribe only to listed providers (GSI-13.1)"
        );
        let mut history = listed();
        let mut suspension = entry(ServiceFamily::Cloud, ListingAction::Suspend, ListingStatus::Suspended, now());
        suspension.provider = provider();
        history.overrides.push(suspension);
        assert_eq!(
            may_subscribe(&history, ServiceFamily::Cloud, now()).map_err(|e| e.reasons[0].code()),
            Err("suspended_by_gix")
        );
        assert_eq!(may_subscribe(&history, ServiceFamily::Cloud, now() - Duration::microseconds(1)), Ok(()));
        // Listed for cloud is not listed for network.
        assert!(may_subscribe(&listed(), ServiceFamily::Network, now()).is_err());
    }

    #[test]
    fn gsi_13_1_running_subscriptions_of_an_unlisted_provider_are_flagged() {
        let mut history = listed();
        let mut delisting =
            entry(ServiceFamily::Cloud, ListingAction::Delist, ListingStatus::Delisted, now() + Duration::days(10));
        delisting.provider = provider();
        history.overrides.push(delisting);
        let before = now() + Duration::days(9);
        let after = now() + Duration::days(10);
        for status in SubscriptionStatus::ALL.iter().copied() {
            let s = subscription(status);
            assert!(!provider_not_listed(&s, &history, before), "{status}");
            assert_eq!(provider_not_listed(&s, &history, after), status != SubscriptionStatus::Terminated, "{status}");
        }
    }

    #[test]
    fn gsi_7_5_5_only_published_base_offerings_can_be_subscribed() {
        let draft_offering = offering(1, &compute_draft(), OfferingState::Draft);
        assert_eq!(
            subscribe(&draft_offering, &add_ons(), &listed(), &draft(), now()),
            Err(SubscribeRefused::OfferingNotAvailable { offering: draft_offering.id, state: OfferingState::Draft })
        );
        let retired = offering(1, &compute_draft(), OfferingState::Retired);
        assert!(matches!(
            subscribe(&retired, &add_ons(), &listed(), &draft(), now()),
            Err(SubscribeRefused::OfferingNotAvailable { .. })
        ));
        let add_on_alone = offering(2, &add_on_draft(1, false), OfferingState::Published);
        let mut d = draft();
        d.quantities = vec![];
        d.add_ons = vec![];
        assert_eq!(
            invalid_fields(subscribe(&add_on_alone, &[], &listed(), &d, now())),
            [("offering_id".to_owned(), "add_on_alone")]
        );
    }

    #[test]
    fn gsi_7_5_2_quantities_are_priced_non_negative_and_within_capacity() {
        let mut d = draft();
        // vCPU max per subscription is 64: 64 passes, 64.000001 does not.
        d.quantities = vec![q("vcpu_hour", "64"), q("ram_gb_hour", "0")];
        assert!(subscribe(&base(), &add_ons(), &listed(), &d, now()).is_ok());
        d.quantities = vec![
            q("vcpu_hour", "64.000001"),
            q("ram_gb_hour", "-1"),
            q("kwh", "1"),
            q("ram_gb_hour", "1"),
            q("ram_gb_hour", "1"),
            q("bandwidth", "x"),
        ];
        let fields = invalid_fields(subscribe(&base(), &add_ons(), &listed(), &d, now()));
        assert_eq!(
            fields,
            [
                ("quantities[0].quantity".to_owned(), "above_capacity"),
                ("quantities[1].quantity".to_owned(), "negative"),
                ("quantities[2].metric".to_owned(), "metric_not_priced"),
                ("quantities[4].metric".to_owned(), "duplicate"),
                ("quantities[5].metric".to_owned(), "invalid_choice"),
                ("quantities[5].quantity".to_owned(), "invalid_quantity"),
            ]
        );
        let details = &base().details;
        let err = parse_quantities("quantities", &[q("vcpu_hour", "65")], details).unwrap_err();
        assert_eq!(err.errors()[0].message, "65 of vCPU asked; at most 64 per subscription");
        d.quantities = vec![];
        d.add_ons = vec![];
        assert!(
            subscribe(&base(), &add_ons(), &listed(), &d, now()).unwrap().quantities.is_empty(),
            "pure pay-per-use without sized resources is allowed"
        );
    }

    #[test]
    fn gsi_7_5_2_add_ons_must_belong_to_the_offering_and_be_available() {
        let foreign_base = offering(3, &add_on_draft(9, false), OfferingState::Published);
        let unpublished = offering(4, &add_on_draft(1, false), OfferingState::Draft);
        let a_base = offering(5, &compute_draft(), OfferingState::Published);
        let mut other_provider = offering(6, &add_on_draft(1, false), OfferingState::Published);
        other_provider.provider = OrganisationId::from_uuid(Uuid::from_u128(0x71));
        let catalog = vec![add_ons()[0].clone(), foreign_base, unpublished, a_base, other_provider];
        let add_on = |id: u128, quantity: &str| AddOnDraft {
            offering_id: OfferingId::from_uuid(Uuid::from_u128(id)),
            quantities: vec![q("backup_gb_month", quantity)],
        };
        let mut d = draft();
        d.add_ons = vec![
            add_on(2, "1001"),
            add_on(2, "1"),
            add_on(3, "1"),
            add_on(4, "1"),
            add_on(5, "1"),
            add_on(6, "1"),
            add_on(7, "1"),
        ];
        assert_eq!(
            invalid_fields(subscribe(&base(), &catalog, &listed(), &d, now())),
            [
                ("add_ons[0].quantities[0].quantity".to_owned(), "above_capacity"),
                ("add_ons[1].offering_id".to_owned(), "duplicate"),
                ("add_ons[2].offering_id".to_owned(), "not_an_add_on_of_offering"),
                ("add_ons[3].offering_id".to_owned(), "not_available"),
                ("add_ons[4].offering_id".to_owned(), "not_an_add_on_of_offering"),
                ("add_ons[5].offering_id".to_owned(), "not_found"),
                ("add_ons[6].offering_id".to_owned(), "not_found"),
            ]
        );
    }

    #[test]
    fn gsi_7_5_2_new_subscription_term_rules() {
        let mut d = draft();
        d.starts_at = now() - Duration::microseconds(1);
        d.ends_at = Some(d.starts_at);
        assert_eq!(
            invalid_fields(subscribe(&base(), &add_ons(), &listed(), &d, now())),
            [("starts_at".to_owned(), "in_the_past"), ("ends_at".to_owned(), "not_after_start"),]
        );
        d.starts_at = now() + Duration::days(7);
        d.ends_at = None;
        assert_eq!(subscribe(&base(), &add_ons(), &listed(), &d, now()).unwrap().term.ends_at(), None);
    }

    #[test]
    fn gsi_7_5_2_registering_an_existing_contract() {
        let mut d = draft();
        d.starts_at = now() - Duration::days(400);
        // GSI-13.1: an unlisted provider cannot bring contracts into the hub.
        let mut unlisted = listed();
        unlisted.profile = None;
        assert_eq!(
            register_existing(&base(), &add_ons(), &unlisted, &d, now()),
            Err(SubscribeRefused::NotListed(ProviderNotListed {
                family: ServiceFamily::Cloud,
                reasons: vec![NotListedReason::NoProfile]
            }))
        );
        let new = register_existing(&base(), &add_ons(), &listed(), &d, now()).unwrap();
        assert_eq!(new.status, SubscriptionStatus::Active);
        assert_eq!(new.origin, SubscriptionOrigin::PreExisting);
        assert_eq!(new.term.starts_at(), now() - Duration::days(400));
        // Starting exactly now is still "already started".
        d.starts_at = now();
        assert!(register_existing(&base(), &add_ons(), &listed(), &d, now()).is_ok());
        d.starts_at = now() + Duration::microseconds(1);
        d.ends_at = Some(now());
        assert_eq!(
            invalid_fields(register_existing(&base(), &add_ons(), &listed(), &d, now())),
            [
                ("starts_at".to_owned(), "in_the_future"),
                ("ends_at".to_owned(), "already_ended"),
                ("ends_at".to_owned(), "not_after_start"),
            ]
        );
        // A retired offering still describes a running contract; a draft does not.
        d = draft();
        let retired = offering(1, &compute_draft(), OfferingState::Retired);
        let retired_add_on = vec![offering(2, &add_on_draft(1, false), OfferingState::Retired)];
        assert!(register_existing(&retired, &retired_add_on, &listed(), &d, now()).is_ok());
        let draft_offering = offering(1, &compute_draft(), OfferingState::Draft);
        assert!(matches!(
            register_existing(&draft_offering, &add_ons(), &listed(), &d, now()),
            Err(SubscribeRefused::OfferingNotAvailable { .. })
        ));
        // Quantities are checked as for any subscription.
        d.quantities = vec![q("vcpu_hour", "65")];
        assert_eq!(
            invalid_fields(register_existing(&base(), &add_ons(), &listed(), &d, now())),
            [("quantities[0].quantity".to_owned(), "above_capacity")]
        );
    }

    #[test]
    fn gsi_7_5_2_subscription_transition_table() {
        use SubscriptionAction as A;
        use SubscriptionStatus as S;
        let expected: [(S, A, Option<S>); 25] = [
            (S::Pending, A::StartProvisioning, Some(S::Provisioning)),
            (S::Pending, A::Activate, None),
            (S::Pending, A::Suspend, None),
            (S::Pending, A::Resume, None),
            (S::Pending, A::Terminate, Some(S::Terminated)),
            (S::Provisioning, A::StartProvisioning, None),
            (S::Provisioning, A::Activate, Some(S::Active)),
            (S::Provisioning, A::Suspend, None),
            (S::Provisioning, A::Resume, None),
            (S::Provisioning, A::Terminate, Some(S::Terminated)),
            (S::Active, A::StartProvisioning, None),
            (S::Active, A::Activate, None),
            (S::Active, A::Suspend, Some(S::Suspended)),
            (S::Active, A::Resume, None),
            (S::Active, A::Terminate, Some(S::Terminated)),
            (S::Suspended, A::StartProvisioning, None),
            (S::Suspended, A::Activate, None),
            (S::Suspended, A::Suspend, None),
            (S::Suspended, A::Resume, Some(S::Active)),
            (S::Suspended, A::Terminate, Some(S::Terminated)),
            (S::Terminated, A::StartProvisioning, None),
            (S::Terminated, A::Activate, None),
            (S::Terminated, A::Suspend, None),
            (S::Terminated, A::Resume, None),
            (S::Terminated, A::Terminate, None),
        ];
        assert_eq!(expected.len(), S::ALL.len() * A::ALL.len());
        for (state, action, outcome) in expected {
            match outcome {
                Some(next) => assert_eq!(transition(state, action), Ok(next), "{state} × {action}"),
                None => assert_eq!(
                    transition(state, action),
                    Err(TransitionRefused { state, action, allowed: allowed_actions(state) }),
                    "{state} × {action}"
                ),
            }
        }
        assert_eq!(allowed_actions(S::Pending), [A::StartProvisioning, A::Terminate]);
        assert_eq!(allowed_actions(S::Provisioning), [A::Activate, A::Terminate]);
        assert_eq!(allowed_actions(S::Active), [A::Suspend, A::Terminate]);
        assert_eq!(allowed_actions(S::Suspended), [A::Resume, A::Terminate]);
        assert_eq!(allowed_actions(S::Terminated), []);
        assert_eq!(
            transition(S::Pending, A::Suspend).unwrap_err().to_string(),
            "cannot suspend a subscription that is pending; allowed: start_provisioning, terminate"
        );
        assert_eq!(
            transition(S::Terminated, A::Resume).unwrap_err().to_string(),
            "cannot resume a subscription that is terminated; allowed: nothing (final state)"
        );
    }

    #[test]
    fn gsi_7_5_2_terminating_closes_the_term() {
        let active = subscription(SubscriptionStatus::Active);
        let later = now() + Duration::days(30);
        let done = act(&active, SubscriptionAction::Terminate, later).unwrap();
        assert_eq!(done.status, SubscriptionStatus::Terminated);
        assert_eq!(done.term.ends_at(), Some(later));
        assert_eq!(done.term.starts_at(), now());
        // An earlier agreed end stays.
        let beyond = now() + Duration::days(400);
        assert_eq!(
            act(&active, SubscriptionAction::Terminate, beyond).unwrap().term.ends_at(),
            Some(now() + Duration::days(365))
        );
        // Terminated before it started: an empty term.
        let mut pending = subscription(SubscriptionStatus::Pending);
        pending.term = Term::new(now() + Duration::days(5), None).unwrap();
        let cancelled = act(&pending, SubscriptionAction::Terminate, now()).unwrap();
        assert_eq!(cancelled.term.ends_at(), Some(now() + Duration::days(5)));
        assert!(!cancelled.term.contains(now() + Duration::days(5)));
        // Other actions leave the term alone.
        let suspended = act(&active, SubscriptionAction::Suspend, later).unwrap();
        assert_eq!(suspended.term, active.term);
        assert!(act(&subscription(SubscriptionStatus::Terminated), SubscriptionAction::Terminate, later).is_err());
    }

    #[test]
    fn gsi_7_5_2_only_the_serving_provider_changes_states() {
        let other = OrganisationId::from_uuid(Uuid::from_u128(0x99));
        for action in SubscriptionAction::ALL.iter().copied() {
            assert!(may_act(&actor(Role::ProviderOperator, provider()), provider(), action));
            assert!(!may_act(&actor(Role::ProviderOperator, other), provider(), action));
            assert!(!may_act(&actor(Role::AgencyAdmin, agency()), provider(), action), "{action}");
            assert!(!may_act(&actor(Role::AgencyUser, agency()), provider(), action));
            assert!(!may_act(&actor(Role::GixOfficer, other), provider(), action));
            assert!(!may_act(&actor(Role::Assessor, other), provider(), action));
        }
        assert!(may_register_existing(&actor(Role::ProviderOperator, provider()), provider()));
        assert!(!may_register_existing(&actor(Role::ProviderOperator, other), provider()));
        assert!(!may_register_existing(&actor(Role::AgencyAdmin, agency()), provider()));
    }

    #[test]
    fn gsi_7_5_2_who_sees_which_subscriptions() {
        let other = OrganisationId::from_uuid(Uuid::from_u128(0x99));
        let access = |role, org| subscription_access(&actor(role, org), agency(), provider());
        assert_eq!(access(Role::AgencyAdmin, agency()), Access::Read);
        assert_eq!(access(Role::AgencyUser, agency()), Access::Read);
        assert_eq!(access(Role::AgencyAdmin, other), Access::None);
        assert_eq!(access(Role::AgencyUser, other), Access::None);
        assert_eq!(access(Role::ProviderOperator, provider()), Access::ReadWrite);
        assert_eq!(access(Role::ProviderOperator, other), Access::None);
        assert_eq!(access(Role::GixOfficer, other), Access::Read);
        assert_eq!(access(Role::Assessor, other), Access::None);
        assert_eq!(subscription_scope(&actor(Role::AgencyUser, agency())), SubscriptionScope::OfAgency(agency()));
        assert_eq!(
            subscription_scope(&actor(Role::ProviderOperator, provider())),
            SubscriptionScope::ServedBy(provider())
        );
        assert_eq!(subscription_scope(&actor(Role::GixOfficer, other)), SubscriptionScope::Everything);
        assert_eq!(subscription_scope(&actor(Role::Assessor, other)), SubscriptionScope::Nothing);
    }

    #[test]
    fn gsi_7_5_1_providers_read_the_profiles_of_agencies_they_serve() {
        let subs = vec![subscription(SubscriptionStatus::Active)];
        let other = OrganisationId::from_uuid(Uuid::from_u128(0x99));
        assert!(serves(&subs, provider(), agency()));
        assert!(!serves(&subs, other, agency()));
        assert!(!serves(&subs, provider(), other));
        let op = actor(Role::ProviderOperator, provider());
        assert_eq!(agency_profile_access(&op, agency(), serves(&subs, provider(), agency())), Access::Read);
        assert_eq!(agency_profile_access(&op, other, false), Access::None);
        // The agency's own rule is unchanged.
        assert_eq!(agency_profile_access(&actor(Role::AgencyAdmin, agency()), agency(), false), Access::ReadWrite);
        assert_eq!(agency_profile_access(&actor(Role::AgencyAdmin, other), agency(), true), Access::None);
    }

    #[test]
    fn gsi_7_5_2_filters_by_status_family_provider_and_date_range() {
        let s = subscription(SubscriptionStatus::Active); // [now, now + 365 days)
        let parse = |d: SubscriptionFilterDraft| SubscriptionFilter::parse(&d).unwrap();
        assert!(SubscriptionFilter::default().matches(&s));
        assert!(
            parse(SubscriptionFilterDraft {
                status: Some("active".into()),
                family: Some("cloud".into()),
                provider: Some(provider()),
                ..Default::default()
            })
            .matches(&s)
        );
        assert!(!parse(SubscriptionFilterDraft { status: Some("pending".into()), ..Default::default() }).matches(&s));
        assert!(!parse(SubscriptionFilterDraft { family: Some("network".into()), ..Default::default() }).matches(&s));
        assert!(
            !SubscriptionFilter {
                provider: Some(OrganisationId::from_uuid(Uuid::from_u128(0x99))),
                ..Default::default()
            }
            .matches(&s)
        );
        let range = |from: Option<DateTime<Utc>>, until: Option<DateTime<Utc>>| SubscriptionFilter {
            from,
            until,
            ..Default::default()
        };
        assert!(!range(None, Some(now())).matches(&s), "ends where the term starts");
        assert!(range(None, Some(now() + Duration::microseconds(1))).matches(&s));
        let end = now() + Duration::days(365);
        assert!(!range(Some(end), None).matches(&s), "starts where the term ends");
        assert!(range(Some(end - Duration::microseconds(1)), None).matches(&s));
        let errors = SubscriptionFilter::parse(&SubscriptionFilterDraft {
            status: Some("running".into()),
            family: Some("satellite".into()),
            from: Some(now()),
            until: Some(now()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(fields, [("status", "invalid_choice"), ("family", "invalid_choice"), ("until", "not_after_start"),]);
    }
}
