//! A provider's catalog of offerings: what is sold (family and kind, GSI-3.6–3.8, 5.1), at
//! which pay-per-use prices (GSI-7.1), with which service levels (GSI-10.1, 10.2), up to
//! which capacity (GSI-A.1.3), and which add-ons hang off a base offering (GSI-7.5.2, 7.5.5).
//!
//! Lifecycle: `draft → published → retired`. Only published offerings can be subscribed.
//! Decisions where the issue is silent:
//! - A draft is edited freely; prices are checked against the reference prices when it is
//!   published, at `now`. Publishing records the first price history, effective `now`.
//! - A published offering may still be edited (name, description, SLA terms for new
//!   subscriptions, capacity, prices), but its kind and its base offering are fixed and no
//!   priced metric may be removed, since subscriptions refer to them. A changed or added price
//!   must be within the cap at `now` and takes effect `now`, as a new price-history entry;
//!   past usage keeps being rated at the price in force when it was used.
//! - A retired offering is never edited or published again. A draft cannot be retired
//!   (nothing has been offered yet; callers delete drafts instead).
//! - Base offerings carry SLA terms; an add-on may carry its own or none (then the base
//!   offering's terms apply). An add-on belongs to one base offering of the same provider and
//!   family, and is published only while its base is published.
//! - Capacity limits are per priced metric: an optional maximum per subscription and an
//!   optional provider total, at least one of the two, both positive, the first not above the
//!   second.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};

use crate::access::Access;
use crate::ids::{Id, OrganisationId};
use crate::money::{Quantity, UnitPrice};
use crate::pricing::{PricePoint, ReferencePrice, check_cap, parse_unit_price};
use crate::role::{Actor, Role};
use crate::service::{Metric, ServiceFamily, ServiceKind, vocabulary};
use crate::sla_terms::{SlaTerms, SlaTermsDraft};
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub enum OfferingMarker {}
pub type OfferingId = Id<OfferingMarker>;

pub const NAME_MAX: usize = 200;
pub const DESCRIPTION_MAX: usize = 4000;
/// More metrics than there are in the vocabulary can only be duplicates.
pub const MAX_PRICING_LINES: usize = 20;

/// One pay-per-use price of an offering (GSI-7.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricingLine {
    pub metric: Metric,
    pub unit_price: UnitPrice,
}

/// An offering's prices: at least one line, no metric twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricingLines(Vec<PricingLine>);

#[derive(Debug, Clone, Default)]
pub struct PricingLineDraft {
    pub metric: String,
    pub unit_price: String,
}

impl PricingLines {
    /// Errors name `pricing`, `pricing[i].metric` and `pricing[i].unit_price`.
    pub fn parse(raw: &[PricingLineDraft]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        if raw.is_empty() {
            errors.add("pricing", "required", "give at least one pay-per-use price (GSI-7.1)");
        }
        if raw.len() > MAX_PRICING_LINES {
            errors.add("pricing", "too_many", format!("at most {MAX_PRICING_LINES} prices (got {})", raw.len()));
        }
        let mut seen = BTreeSet::new();
        let mut lines = Vec::new();
        for (i, line) in raw.iter().enumerate() {
            let metric = match line.metric.parse::<Metric>() {
                Ok(metric) if !seen.insert(metric) => {
                    errors.add(
                        format!("pricing[{i}].metric"),
                        "duplicate",
                        format!("`{metric}` is priced more than once"),
                    );
                    None
                }
                Ok(metric) => Some(metric),
                Err(e) => {
                    errors.add(format!("pricing[{i}].metric"), "invalid_choice", e.to_string());
                    None
                }
            };
            let unit_price = errors.collect(parse_unit_price(&format!("pricing[{i}].unit_price"), &line.unit_price));
            if let (Some(metric), Some(unit_price)) = (metric, unit_price) {
                lines.push(PricingLine { metric, unit_price });
            }
        }
        errors.finish(|| Some(PricingLines(lines)))
    }

    pub fn lines(&self) -> &[PricingLine] {
        &self.0
    }

    pub fn price_of(&self, metric: Metric) -> Option<UnitPrice> {
        self.0.iter().find(|l| l.metric == metric).map(|l| l.unit_price)
    }

    pub fn metrics(&self) -> BTreeSet<Metric> {
        self.0.iter().map(|l| l.metric).collect()
    }
}

/// GSI-A.1.3: how much of a resource can be served, per subscription and in total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityLimit {
    metric: Metric,
    max_per_subscription: Option<Quantity>,
    provider_total: Option<Quantity>,
}

impl CapacityLimit {
    pub fn metric(self) -> Metric {
        self.metric
    }
    pub fn max_per_subscription(self) -> Option<Quantity> {
        self.max_per_subscription
    }
    pub fn provider_total(self) -> Option<Quantity> {
        self.provider_total
    }
}

#[derive(Debug, Clone, Default)]
pub struct CapacityLimitDraft {
    pub metric: String,
    pub max_per_subscription: Option<String>,
    pub provider_total: Option<String>,
}

/// Capacity limits of one offering, at most one per metric, each for a priced metric.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CapacityLimits(Vec<CapacityLimit>);

impl CapacityLimits {
    /// Errors name `capacity[i]`, `capacity[i].metric`, `capacity[i].max_per_subscription`
    /// and `capacity[i].provider_total`. `priced` is the offering's priced metrics, when its
    /// pricing parsed; limits on other metrics are refused.
    pub fn parse(raw: &[CapacityLimitDraft], priced: Option<&BTreeSet<Metric>>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut seen = BTreeSet::new();
        let mut limits = Vec::new();
        for (i, draft) in raw.iter().enumerate() {
            let field = format!("capacity[{i}]");
            let metric = match draft.metric.parse::<Metric>() {
                Ok(metric) if !seen.insert(metric) => {
                    errors.add(
                        format!("{field}.metric"),
                        "duplicate",
                        format!("`{metric}` has more than one capacity limit"),
                    );
                    None
                }
                Ok(metric) if priced.is_some_and(|p| !p.contains(&metric)) => {
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
            let per_sub = errors.collect(positive_quantity(
                &format!("{field}.max_per_subscription"),
                draft.max_per_subscription.as_deref(),
            ));
            let total =
                errors.collect(positive_quantity(&format!("{field}.provider_total"), draft.provider_total.as_deref()));
            if draft.max_per_subscription.is_none() && draft.provider_total.is_none() {
                errors.add(field.clone(), "empty_limit", "give a maximum per subscription, a provider total, or both");
            }
            if let (Some(Some(per_sub)), Some(Some(total))) = (per_sub, total) {
                if per_sub > total {
                    errors.add(
                        format!("{field}.max_per_subscription"),
                        "exceeds_total",
                        format!("{per_sub} is more than the provider total of {total}"),
                    );
                }
            }
            if let (Some(metric), Some(max_per_subscription), Some(provider_total)) = (metric, per_sub, total) {
                limits.push(CapacityLimit { metric, max_per_subscription, provider_total });
            }
        }
        errors.finish(|| Some(CapacityLimits(limits)))
    }

    pub fn limits(&self) -> &[CapacityLimit] {
        &self.0
    }

    pub fn for_metric(&self, metric: Metric) -> Option<CapacityLimit> {
        self.0.iter().copied().find(|l| l.metric == metric)
    }

    pub fn max_per_subscription(&self, metric: Metric) -> Option<Quantity> {
        self.for_metric(metric).and_then(|l| l.max_per_subscription)
    }

    pub fn provider_total(&self, metric: Metric) -> Option<Quantity> {
        self.for_metric(metric).and_then(|l| l.provider_total)
    }
}

fn positive_quantity(field: &str, raw: Option<&str>) -> Result<Option<Quantity>, ValidationErrors> {
    let Some(raw) = raw else {
        return Ok(None);
    };
    match Quantity::parse(raw) {
        Ok(q) if q > Quantity::ZERO => Ok(Some(q)),
        Ok(q) => Err(ValidationErrors::single(field, "not_positive", format!("must be more than 0 (got {q})"))),
        Err(e) => Err(ValidationErrors::single(field, "invalid_quantity", e.to_string())),
    }
}

/// Whether an offering stands alone or is an add-on to one base offering (GSI-7.5.2). The
/// SLA terms live here so that a base offering cannot lack them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferingRole {
    Base {
        sla: SlaTerms,
    },
    /// `sla` is `None` when the base offering's terms apply.
    AddOn {
        base: OfferingId,
        sla: Option<SlaTerms>,
    },
}

impl OfferingRole {
    pub fn base_offering(&self) -> Option<OfferingId> {
        match self {
            OfferingRole::Base { .. } => None,
            OfferingRole::AddOn { base, .. } => Some(*base),
        }
    }

    pub fn own_sla(&self) -> Option<&SlaTerms> {
        match self {
            OfferingRole::Base { sla } => Some(sla),
            OfferingRole::AddOn { sla, .. } => sla.as_ref(),
        }
    }
}

/// The editable content of an offering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferingDetails {
    /// The family is `kind.family()`.
    pub kind: ServiceKind,
    pub name: BoundedText,
    pub description: Option<BoundedText>,
    pub role: OfferingRole,
    pub pricing: PricingLines,
    pub capacity: CapacityLimits,
}

/// Unparsed input, as a provider operator sends it. `family` is sent explicitly so that a
/// kind filed under the wrong family is caught rather than silently moved.
#[derive(Debug, Clone, Default)]
pub struct OfferingDraft {
    pub family: String,
    pub kind: String,
    pub name: String,
    pub description: Option<String>,
    /// Set for an add-on: the base offering it attaches to.
    pub base_offering_id: Option<OfferingId>,
    pub pricing: Vec<PricingLineDraft>,
    pub sla: Option<SlaTermsDraft>,
    pub capacity: Vec<CapacityLimitDraft>,
}

impl OfferingDetails {
    /// Parses an offering, naming every failing field (`family`, `kind`, `name`,
    /// `description`, `pricing[i].…`, `sla` / `sla.…`, `capacity[i].…`). The base offering of
    /// an add-on is checked separately against the stored base ([`check_base`]).
    pub fn parse(draft: &OfferingDraft) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let family = match draft.family.parse::<ServiceFamily>() {
            Ok(family) => Some(family),
            Err(e) => {
                errors.add("family", "invalid_choice", e.to_string());
                None
            }
        };
        let kind = match draft.kind.parse::<ServiceKind>() {
            Ok(kind) => match family {
                Some(family) if kind.family() != family => {
                    errors.add(
                        "kind",
                        "kind_not_in_family",
                        format!("`{kind}` is a {} service, not a {family} service", kind.family()),
                    );
                    None
                }
                _ => Some(kind),
            },
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let name = errors.collect(BoundedText::parse("name", &draft.name, NAME_MAX));
        let description =
            errors.collect(BoundedText::parse_optional("description", draft.description.as_deref(), DESCRIPTION_MAX));
        let pricing = errors.collect(PricingLines::parse(&draft.pricing));
        let sla = match &draft.sla {
            Some(sla) => errors.collect_nested("sla", SlaTerms::parse(sla)).map(Some),
            None if draft.base_offering_id.is_none() => {
                errors.add("sla", "required", "a base offering must state its service levels (GSI-10.1, 10.2)");
                None
            }
            None => Some(None),
        };
        let priced = pricing.as_ref().map(PricingLines::metrics);
        let capacity = errors.collect(CapacityLimits::parse(&draft.capacity, priced.as_ref()));
        errors.finish(|| {
            let role = match (draft.base_offering_id, sla?) {
                (None, Some(sla)) => OfferingRole::Base { sla },
                (Some(base), sla) => OfferingRole::AddOn { base, sla },
                (None, None) => return None,
            };
            Some(OfferingDetails {
                kind: kind?,
                name: name?,
                description: description?,
                role,
                pricing: pricing?,
                capacity: capacity?,
            })
        })
    }

    pub fn family(&self) -> ServiceFamily {
        self.kind.family()
    }
}

/// GSI-7.1: every price of `details` within the cap in force at `at`. Errors name
/// `pricing[i].unit_price` with code `above_reference_price` or `no_reference_price`, and a
/// message naming the metric, the price and the cap.
pub fn check_prices_within_caps(
    details: &OfferingDetails,
    reference_prices: &[ReferencePrice],
    at: DateTime<Utc>,
) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for (i, line) in details.pricing.lines().iter().enumerate() {
        if let Err(violation) = check_cap(reference_prices, details.kind, line.metric, line.unit_price, at) {
            errors.add(format!("pricing[{i}].unit_price"), violation.code(), violation.to_string());
        }
    }
    errors.finish(|| Some(()))
}

/// An add-on's base offering: one of the same provider (a base of another provider reads as
/// not found), itself a base offering, of the same family, and not retired. Errors name
/// `base_offering_id`. Base offerings pass without a base.
pub fn check_base(
    provider: OrganisationId,
    details: &OfferingDetails,
    base: Option<&Offering>,
) -> Result<(), ValidationErrors> {
    let Some(base_id) = details.role.base_offering() else {
        return Ok(());
    };
    let field = "base_offering_id";
    match base {
        Some(base) if base.id == base_id && base.provider == provider => {
            if base.details.role.base_offering().is_some() {
                Err(ValidationErrors::single(
                    field,
                    "base_is_add_on",
                    "an add-on attaches to a base offering, not to another add-on",
                ))
            } else if base.details.family() != details.family() {
                Err(ValidationErrors::single(
                    field,
                    "family_mismatch",
                    format!(
                        "the base offering is a {} service; this add-on is {}",
                        base.details.family(),
                        details.family()
                    ),
                ))
            } else if base.state == OfferingState::Retired {
                Err(ValidationErrors::single(field, "base_retired", "the base offering is retired"))
            } else {
                Ok(())
            }
        }
        Some(_) | None => {
            Err(ValidationErrors::single(field, "not_found", format!("no offering {base_id} of this provider")))
        }
    }
}

vocabulary!(
    OfferingState, "offering state" {
        Draft => "draft",
        Published => "published",
        Retired => "retired",
    }
);

vocabulary!(
    OfferingAction, "offering action" {
        Edit => "edit",
        Publish => "publish",
        Retire => "retire",
    }
);

/// An action the current state does not allow; names the state and what it does allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} an offering that is {state}; allowed: {}", list(.allowed))]
pub struct TransitionRefused {
    pub state: OfferingState,
    pub action: OfferingAction,
    pub allowed: Vec<OfferingAction>,
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    if items.is_empty() {
        "nothing (final state)".to_owned()
    } else {
        items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// The lifecycle. The table itself is `next_state`; this adds the refusal.
pub fn transition(state: OfferingState, action: OfferingAction) -> Result<OfferingState, TransitionRefused> {
    next_state(state, action).ok_or_else(|| TransitionRefused { state, action, allowed: allowed_actions(state) })
}

pub fn allowed_actions(state: OfferingState) -> Vec<OfferingAction> {
    OfferingAction::ALL.iter().copied().filter(|a| next_state(state, *a).is_some()).collect()
}

/// Every (state, action) pair spelled out, no wildcard: a new state or action does not
/// compile until it is decided here.
fn next_state(state: OfferingState, action: OfferingAction) -> Option<OfferingState> {
    use OfferingAction as A;
    use OfferingState as S;
    match (state, action) {
        (S::Draft, A::Edit) => Some(S::Draft),
        (S::Draft, A::Publish) => Some(S::Published),
        (S::Published, A::Edit) => Some(S::Published),
        (S::Published, A::Retire) => Some(S::Retired),
        (S::Draft, A::Retire) | (S::Published, A::Publish) | (S::Retired, A::Edit | A::Publish | A::Retire) => None,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offering {
    pub id: OfferingId,
    pub provider: OrganisationId,
    pub details: OfferingDetails,
    pub state: OfferingState,
    pub version: i64,
}

/// What publishing produces: the new state and the first price-history entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub state: OfferingState,
    pub prices: Vec<PricePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PublishRefused {
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    /// Prices outside the caps at `now` (GSI-7.1), by field.
    #[error("{0}")]
    Prices(ValidationErrors),
    #[error("the base offering {base} is not published; publish it first")]
    BaseNotPublished { base: OfferingId },
}

/// Publishes a draft: every price within the cap in force at `now` (GSI-7.1) and, for an
/// add-on, its base published. `base` is the stored base offering of an add-on.
pub fn publish(
    offering: &Offering,
    base: Option<&Offering>,
    reference_prices: &[ReferencePrice],
    now: DateTime<Utc>,
) -> Result<Publication, PublishRefused> {
    let state = transition(offering.state, OfferingAction::Publish)?;
    if let Some(base_id) = offering.details.role.base_offering() {
        let base_published = base
            .is_some_and(|b| b.id == base_id && b.provider == offering.provider && b.state == OfferingState::Published);
        if !base_published {
            return Err(PublishRefused::BaseNotPublished { base: base_id });
        }
    }
    check_prices_within_caps(&offering.details, reference_prices, now).map_err(PublishRefused::Prices)?;
    Ok(Publication { state, prices: price_points(offering.details.pricing.lines().iter(), now) })
}

pub fn retire(offering: &Offering) -> Result<OfferingState, TransitionRefused> {
    transition(offering.state, OfferingAction::Retire)
}

fn price_points<'a>(lines: impl Iterator<Item = &'a PricingLine>, at: DateTime<Utc>) -> Vec<PricePoint> {
    lines.map(|l| PricePoint { metric: l.metric, unit_price: l.unit_price, effective_from: at }).collect()
}

/// What an accepted edit produces: the new details and the price changes to append to the
/// history (empty for a draft, whose prices take effect when it is published).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub details: OfferingDetails,
    pub price_changes: Vec<PricePoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditRefused {
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
    #[error("{0}")]
    Invalid(ValidationErrors),
}

/// Applies parsed new details to an offering. For a published offering: kind and base are
/// fixed, no priced metric is removed, and each new or changed price is within the cap at
/// `now` and takes effect `now` (GSI-7.1; history kept by the caller appending
/// `price_changes`).
pub fn edit(
    offering: &Offering,
    new: OfferingDetails,
    reference_prices: &[ReferencePrice],
    now: DateTime<Utc>,
) -> Result<Edit, EditRefused> {
    let state = transition(offering.state, OfferingAction::Edit)?;
    if state == OfferingState::Draft {
        return Ok(Edit { details: new, price_changes: Vec::new() });
    }
    let old = &offering.details;
    let mut errors = ValidationErrors::new();
    if new.kind != old.kind {
        errors.add("kind", "fixed_after_publication", format!("a published offering stays `{}`", old.kind));
    }
    if new.role.base_offering() != old.role.base_offering() {
        errors.add(
            "base_offering_id",
            "fixed_after_publication",
            "a published offering keeps its base offering (or stays a base offering)",
        );
    }
    for removed in old.pricing.metrics().difference(&new.pricing.metrics()) {
        errors.add(
            "pricing",
            "metric_removed",
            format!("`{removed}` is priced in a published offering and cannot be removed"),
        );
    }
    let mut changed = Vec::new();
    for (i, line) in new.pricing.lines().iter().enumerate() {
        if old.pricing.price_of(line.metric) == Some(line.unit_price) {
            continue;
        }
        match check_cap(reference_prices, new.kind, line.metric, line.unit_price, now) {
            Ok(()) => changed.push(line),
            Err(violation) => errors.add(format!("pricing[{i}].unit_price"), violation.code(), violation.to_string()),
        }
    }
    let price_changes = price_points(changed.into_iter(), now);
    errors.finish(|| Some(())).map_err(EditRefused::Invalid)?;
    Ok(Edit { details: new, price_changes })
}

/// Only published offerings can be subscribed (new subscriptions and add-ons).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("offering {offering} is {state}; only published offerings can be subscribed")]
pub struct NotSubscribable {
    pub offering: OfferingId,
    pub state: OfferingState,
}

pub fn check_subscribable(offering: &Offering) -> Result<(), NotSubscribable> {
    match offering.state {
        OfferingState::Published => Ok(()),
        OfferingState::Draft | OfferingState::Retired => {
            Err(NotSubscribable { offering: offering.id, state: offering.state })
        }
    }
}

/// Who sees an offering. Its provider's operators keep it. Drafts are the provider's own
/// (GIX reads them too, for oversight). Published and retired offerings are read by agencies
/// and the assessor (retired ones still describe running subscriptions). Other providers
/// see none of a competitor's catalog, so an attempt to change one reads as not found.
pub fn offering_access(actor: &Actor, provider: OrganisationId, state: OfferingState) -> Access {
    match actor.role {
        Role::ProviderOperator if actor.organisation == provider => Access::ReadWrite,
        Role::ProviderOperator => Access::None,
        Role::GixOfficer => Access::Read,
        Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => match state {
            OfferingState::Draft => Access::None,
            OfferingState::Published | OfferingState::Retired => Access::Read,
        },
    }
}

/// Which offerings a catalog listing may return to `actor` ([`offering_access`] as a filter).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CatalogScope {
    Everything,
    /// Published and retired offerings of every provider.
    NotDraft,
    OfProvider(OrganisationId),
}

pub fn catalog_scope(actor: &Actor) -> CatalogScope {
    match actor.role {
        Role::GixOfficer => CatalogScope::Everything,
        Role::ProviderOperator => CatalogScope::OfProvider(actor.organisation),
        Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => CatalogScope::NotDraft,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::pricing::tests::reference;
    use crate::role::Subject;
    use crate::sla_terms::tests::standard_draft;
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    pub(crate) fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 3, 0, 0).unwrap()
    }

    pub(crate) fn provider() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0x70))
    }

    pub(crate) fn compute_draft() -> OfferingDraft {
        OfferingDraft {
            family: "cloud".into(),
            kind: "compute".into(),
            name: "GovCloud VM".into(),
            description: Some("Virtual machines in a Thai data center".into()),
            base_offering_id: None,
            pricing: vec![
                PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "1.20".into() },
                PricingLineDraft { metric: "ram_gb_hour".into(), unit_price: "0.30".into() },
            ],
            sla: Some(standard_draft()),
            capacity: vec![CapacityLimitDraft {
                metric: "vcpu_hour".into(),
                max_per_subscription: Some("64".into()),
                provider_total: Some("2000".into()),
            }],
        }
    }

    pub(crate) fn offering(id: u128, draft: &OfferingDraft, state: OfferingState) -> Offering {
        Offering {
            id: OfferingId::from_uuid(Uuid::from_u128(id)),
            provider: provider(),
            details: OfferingDetails::parse(draft).unwrap(),
            state,
            version: 1,
        }
    }

    pub(crate) fn caps() -> Vec<ReferencePrice> {
        let from = now() - Duration::days(30);
        vec![
            reference(1, ServiceKind::Compute, Metric::VcpuHour, "1.20", from, None),
            reference(2, ServiceKind::Compute, Metric::RamGbHour, "0.35", from, None),
            reference(3, ServiceKind::Backup, Metric::BackupGbMonth, "2", from, None),
        ]
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    fn backup_add_on_draft(base: u128) -> OfferingDraft {
        OfferingDraft {
            family: "cloud".into(),
            kind: "backup".into(),
            name: "VM backup".into(),
            description: None,
            base_offering_id: Some(OfferingId::from_uuid(Uuid::from_u128(base))),
            pricing: vec![PricingLineDraft { metric: "backup_gb_month".into(), unit_price: "2".into() }],
            sla: None,
            capacity: vec![],
        }
    }

    #[test]
    fn gsi_7_1_parses_a_complete_offering() {
        let details = OfferingDetails::parse(&compute_draft()).unwrap();
        assert_eq!(details.family(), ServiceFamily::Cloud);
        assert_eq!(details.pricing.price_of(Metric::VcpuHour), Some(UnitPrice::parse("1.2").unwrap()));
        assert_eq!(details.capacity.max_per_subscription(Metric::VcpuHour), Some(Quantity::parse("64").unwrap()));
        assert_eq!(details.capacity.provider_total(Metric::RamGbHour), None);
        assert!(matches!(details.role, OfferingRole::Base { .. }));
        assert!(details.role.own_sla().is_some());
    }

    #[test]
    fn gsi_3_6_kind_must_belong_to_the_family() {
        let mut d = compute_draft();
        d.family = "network".into();
        let errors = OfferingDetails::parse(&d).unwrap_err();
        assert_eq!(fields(&errors), [("kind", "kind_not_in_family")]);
        assert_eq!(errors.errors()[0].message, "`compute` is a cloud service, not a network service");
        d.family = "network".into();
        d.kind = "government_internet".into();
        d.pricing = vec![PricingLineDraft { metric: "mbps_month".into(), unit_price: "100".into() }];
        d.capacity = vec![];
        assert_eq!(OfferingDetails::parse(&d).unwrap().family(), ServiceFamily::Network);
    }

    #[test]
    fn gsi_7_1_pricing_needs_a_line_and_no_metric_twice() {
        let mut d = compute_draft();
        d.pricing = vec![];
        d.capacity = vec![];
        assert_eq!(fields(&OfferingDetails::parse(&d).unwrap_err()), [("pricing", "required")]);
        d.pricing = vec![
            PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "1".into() },
            PricingLineDraft { metric: "vcpu_hour".into(), unit_price: "2".into() },
            PricingLineDraft { metric: "parsec".into(), unit_price: "-2".into() },
        ];
        assert_eq!(
            fields(&OfferingDetails::parse(&d).unwrap_err()),
            [
                ("pricing[1].metric", "duplicate"),
                ("pricing[2].metric", "invalid_choice"),
                ("pricing[2].unit_price", "negative"),
            ]
        );
    }

    #[test]
    fn gsi_10_1_names_every_bad_field_including_nested_sla() {
        let mut d = compute_draft();
        d.family = "satellite".into();
        d.name = " ".into();
        d.description = Some("x".repeat(DESCRIPTION_MAX + 1));
        let mut sla = standard_draft();
        sla.availability_percent = "101".into();
        d.sla = Some(sla);
        let errors = OfferingDetails::parse(&d).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("family", "invalid_choice"),
                ("name", "required"),
                ("description", "too_long"),
                ("sla.availability_percent", "invalid_percent"),
            ]
        );
    }

    #[test]
    fn gsi_10_1_base_offerings_need_sla_terms_and_add_ons_may_omit_them() {
        let mut d = compute_draft();
        d.sla = None;
        assert_eq!(fields(&OfferingDetails::parse(&d).unwrap_err()), [("sla", "required")]);
        let add_on = OfferingDetails::parse(&backup_add_on_draft(1)).unwrap();
        assert_eq!(add_on.role, OfferingRole::AddOn { base: OfferingId::from_uuid(Uuid::from_u128(1)), sla: None });
        assert_eq!(add_on.role.own_sla(), None);
    }

    #[test]
    fn gsi_a_1_3_capacity_limits() {
        let limit = |metric: &str, per: Option<&str>, total: Option<&str>| CapacityLimitDraft {
            metric: metric.into(),
            max_per_subscription: per.map(Into::into),
            provider_total: total.map(Into::into),
        };
        let mut d = compute_draft();
        d.capacity = vec![limit("vcpu_hour", Some("64"), Some("64")), limit("ram_gb_hour", None, Some("4096"))];
        let details = OfferingDetails::parse(&d).unwrap();
        assert_eq!(details.capacity.limits().len(), 2);
        assert_eq!(details.capacity.max_per_subscription(Metric::RamGbHour), None);
        d.capacity = vec![
            limit("vcpu_hour", Some("65"), Some("64")),
            limit("vcpu_hour", Some("1"), None),
            limit("kwh", Some("1"), None),
            limit("ram_gb_hour", None, None),
            limit("storage", Some("0"), Some("-1")),
        ];
        assert_eq!(
            fields(&OfferingDetails::parse(&d).unwrap_err()),
            [
                ("capacity[0].max_per_subscription", "exceeds_total"),
                ("capacity[1].metric", "duplicate"),
                ("capacity[2].metric", "metric_not_priced"),
                ("capacity[3]", "empty_limit"),
                ("capacity[4].metric", "invalid_choice"),
                ("capacity[4].max_per_subscription", "not_positive"),
                ("capacity[4].provider_total", "not_positive"),
            ]
        );
    }

    #[test]
    fn gsi_7_1_prices_within_caps_at_the_boundary() {
        let details = OfferingDetails::parse(&compute_draft()).unwrap();
        // vCPU at exactly its cap of 1.20, RAM under its cap.
        assert_eq!(check_prices_within_caps(&details, &caps(), now()), Ok(()));
        let mut d = compute_draft();
        d.pricing[0].unit_price = "1.200001".into();
        d.pricing.push(PricingLineDraft { metric: "public_ip_month".into(), unit_price: "50".into() });
        let details = OfferingDetails::parse(&d).unwrap();
        let errors = check_prices_within_caps(&details, &caps(), now()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [("pricing[0].unit_price", "above_reference_price"), ("pricing[2].unit_price", "no_reference_price"),]
        );
        assert_eq!(
            errors.errors()[0].message,
            "unit price 1.200001 THB per vcpu_hour is above the reference price 1.2 THB in force for compute/vcpu_hour (GSI-7.1)"
        );
    }

    #[test]
    fn gsi_7_5_5_offering_transition_table() {
        use OfferingAction as A;
        use OfferingState as S;
        let expected: [(S, A, Option<S>); 9] = [
            (S::Draft, A::Edit, Some(S::Draft)),
            (S::Draft, A::Publish, Some(S::Published)),
            (S::Draft, A::Retire, None),
            (S::Published, A::Edit, Some(S::Published)),
            (S::Published, A::Publish, None),
            (S::Published, A::Retire, Some(S::Retired)),
            (S::Retired, A::Edit, None),
            (S::Retired, A::Publish, None),
            (S::Retired, A::Retire, None),
        ];
        assert_eq!(expected.len(), S::ALL.len() * A::ALL.len());
        for (state, action, outcome) in expected {
            match outcome {
                Some(next) => assert_eq!(transition(state, action), Ok(next)),
                None => assert_eq!(
                    transition(state, action),
                    Err(TransitionRefused { state, action, allowed: allowed_actions(state) }),
                    "{state} × {action}"
                ),
            }
        }
        assert_eq!(allowed_actions(S::Draft), [A::Edit, A::Publish]);
        assert_eq!(allowed_actions(S::Published), [A::Edit, A::Retire]);
        assert_eq!(allowed_actions(S::Retired), []);
        assert_eq!(
            transition(S::Draft, A::Retire).unwrap_err().to_string(),
            "cannot retire an offering that is draft; allowed: edit, publish"
        );
        assert_eq!(
            transition(S::Retired, A::Publish).unwrap_err().to_string(),
            "cannot publish an offering that is retired; allowed: nothing (final state)"
        );
    }

    #[test]
    fn gsi_7_1_publishing_checks_caps_at_now_and_starts_the_price_history() {
        let draft = offering(10, &compute_draft(), OfferingState::Draft);
        let publication = publish(&draft, None, &caps(), now()).unwrap();
        assert_eq!(publication.state, OfferingState::Published);
        assert_eq!(
            publication.prices,
            [
                PricePoint {
                    metric: Metric::VcpuHour,
                    unit_price: UnitPrice::parse("1.2").unwrap(),
                    effective_from: now()
                },
                PricePoint {
                    metric: Metric::RamGbHour,
                    unit_price: UnitPrice::parse("0.3").unwrap(),
                    effective_from: now()
                },
            ]
        );
        // Before the reference prices started, nothing caps the price: refused.
        let early = now() - Duration::days(31);
        match publish(&draft, None, &caps(), early) {
            Err(PublishRefused::Prices(errors)) => assert_eq!(
                fields(&errors),
                [("pricing[0].unit_price", "no_reference_price"), ("pricing[1].unit_price", "no_reference_price")]
            ),
            other => panic!("expected a price refusal, got {other:?}"),
        }
        let published = offering(10, &compute_draft(), OfferingState::Published);
        assert!(matches!(publish(&published, None, &caps(), now()), Err(PublishRefused::Transition(_))));
    }

    #[test]
    fn gsi_7_5_5_add_ons_publish_only_while_their_base_is_published() {
        let base = offering(1, &compute_draft(), OfferingState::Draft);
        let add_on = offering(2, &backup_add_on_draft(1), OfferingState::Draft);
        assert_eq!(
            publish(&add_on, Some(&base), &caps(), now()),
            Err(PublishRefused::BaseNotPublished { base: base.id })
        );
        assert_eq!(publish(&add_on, None, &caps(), now()), Err(PublishRefused::BaseNotPublished { base: base.id }));
        let base = Offering { state: OfferingState::Published, ..base };
        assert_eq!(publish(&add_on, Some(&base), &caps(), now()).unwrap().state, OfferingState::Published);
    }

    #[test]
    fn gsi_7_5_5_add_on_base_must_be_a_live_base_of_the_same_provider_and_family() {
        let base = offering(1, &compute_draft(), OfferingState::Published);
        let add_on = OfferingDetails::parse(&backup_add_on_draft(1)).unwrap();
        assert_eq!(check_base(provider(), &add_on, Some(&base)), Ok(()));
        let code = |base: Option<&Offering>| check_base(provider(), &add_on, base).unwrap_err().errors()[0].code;
        assert_eq!(code(None), "not_found");
        let foreign = Offering { provider: OrganisationId::from_uuid(Uuid::from_u128(0x71)), ..base.clone() };
        assert_eq!(code(Some(&foreign)), "not_found");
        let other_id = Offering { id: OfferingId::from_uuid(Uuid::from_u128(9)), ..base.clone() };
        assert_eq!(code(Some(&other_id)), "not_found");
        let retired = Offering { state: OfferingState::Retired, ..base.clone() };
        assert_eq!(code(Some(&retired)), "base_retired");
        let add_on_as_base = offering(1, &backup_add_on_draft(5), OfferingState::Published);
        assert_eq!(code(Some(&add_on_as_base)), "base_is_add_on");
        let mut colo = compute_draft();
        colo.family = "data_center".into();
        colo.kind = "colocation".into();
        colo.pricing = vec![PricingLineDraft { metric: "rack_unit_month".into(), unit_price: "900".into() }];
        colo.capacity = vec![];
        assert_eq!(code(Some(&offering(1, &colo, OfferingState::Published))), "family_mismatch");
        // A base offering needs no base.
        let standalone = OfferingDetails::parse(&compute_draft()).unwrap();
        assert_eq!(check_base(provider(), &standalone, None), Ok(()));
    }

    #[test]
    fn gsi_7_1_drafts_edit_freely_without_price_history() {
        let draft = offering(10, &compute_draft(), OfferingState::Draft);
        let mut d = compute_draft();
        d.pricing[0].unit_price = "99".into(); // above the cap: checked at publication
        d.kind = "storage".into();
        d.pricing = vec![PricingLineDraft { metric: "storage_gb_month".into(), unit_price: "99".into() }];
        d.capacity = vec![];
        let new = OfferingDetails::parse(&d).unwrap();
        let outcome = edit(&draft, new.clone(), &caps(), now()).unwrap();
        assert_eq!(outcome.details, new);
        assert!(outcome.price_changes.is_empty());
    }

    #[test]
    fn gsi_7_1_published_price_changes_are_capped_and_kept_as_history() {
        let published = offering(10, &compute_draft(), OfferingState::Published);
        let mut d = compute_draft();
        d.pricing[1].unit_price = "0.35".into(); // RAM raised to exactly its cap
        d.pricing[0].unit_price = "1.20".into(); // unchanged
        let outcome = edit(&published, OfferingDetails::parse(&d).unwrap(), &caps(), now()).unwrap();
        assert_eq!(
            outcome.price_changes,
            [PricePoint {
                metric: Metric::RamGbHour,
                unit_price: UnitPrice::parse("0.35").unwrap(),
                effective_from: now()
            }]
        );
        d.pricing[1].unit_price = "0.350001".into();
        match edit(&published, OfferingDetails::parse(&d).unwrap(), &caps(), now()) {
            Err(EditRefused::Invalid(errors)) => {
                assert_eq!(fields(&errors), [("pricing[1].unit_price", "above_reference_price")])
            }
            other => panic!("expected a cap refusal, got {other:?}"),
        }
    }

    #[test]
    fn gsi_7_5_2_published_offerings_keep_kind_base_and_priced_metrics() {
        let published = offering(10, &compute_draft(), OfferingState::Published);
        let mut d = compute_draft();
        d.kind = "storage".into();
        d.base_offering_id = Some(OfferingId::from_uuid(Uuid::from_u128(3)));
        d.pricing.remove(1);
        let errors = match edit(&published, OfferingDetails::parse(&d).unwrap(), &caps(), now()) {
            Err(EditRefused::Invalid(errors)) => errors,
            other => panic!("expected refusal, got {other:?}"),
        };
        assert_eq!(
            fields(&errors),
            [
                ("kind", "fixed_after_publication"),
                ("base_offering_id", "fixed_after_publication"),
                ("pricing", "metric_removed"),
            ]
        );
        let retired = offering(10, &compute_draft(), OfferingState::Retired);
        assert!(matches!(
            edit(&retired, OfferingDetails::parse(&compute_draft()).unwrap(), &caps(), now()),
            Err(EditRefused::Transition(_))
        ));
    }

    #[test]
    fn gsi_7_5_5_only_published_offerings_can_be_subscribed() {
        for state in OfferingState::ALL {
            let o = offering(10, &compute_draft(), *state);
            assert_eq!(check_subscribable(&o).is_ok(), *state == OfferingState::Published, "{state}");
        }
        let retired = offering(10, &compute_draft(), OfferingState::Retired);
        assert_eq!(retire(&offering(10, &compute_draft(), OfferingState::Published)), Ok(OfferingState::Retired));
        assert!(
            check_subscribable(&retired)
                .unwrap_err()
                .to_string()
                .ends_with("is retired; only published offerings can be subscribed")
        );
    }

    #[test]
    fn gsi_7_5_5_offering_access_table() {
        let actor =
            |role, org: OrganisationId| Actor { subject: Subject::parse("u").unwrap(), organisation: org, role };
        let other = OrganisationId::from_uuid(Uuid::from_u128(0x99));
        for state in OfferingState::ALL.iter().copied() {
            assert_eq!(
                offering_access(&actor(Role::ProviderOperator, provider()), provider(), state),
                Access::ReadWrite
            );
            assert_eq!(
                offering_access(&actor(Role::ProviderOperator, other), provider(), state),
                Access::None,
                "another provider must get not-found"
            );
            assert_eq!(offering_access(&actor(Role::GixOfficer, other), provider(), state), Access::Read);
            let public = if state == OfferingState::Draft { Access::None } else { Access::Read };
            for role in [Role::AgencyAdmin, Role::AgencyUser, Role::Assessor] {
                assert_eq!(offering_access(&actor(role, other), provider(), state), public);
            }
        }
        assert_eq!(catalog_scope(&actor(Role::ProviderOperator, provider())), CatalogScope::OfProvider(provider()));
        assert_eq!(catalog_scope(&actor(Role::AgencyUser, other)), CatalogScope::NotDraft);
        assert_eq!(catalog_scope(&actor(Role::GixOfficer, other)), CatalogScope::Everything);
    }
}
