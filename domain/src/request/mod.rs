//! Service requests: a new service, an add-on, a change, a cancellation (GSI-7.5.5–7.5.7),
//! carried through the Appendix A workflow (GSI-A.1.1–A.1.8) as one pure state machine.
//!
//! - [`kind`]: what is asked for, parsed from a client's draft.
//! - [`preview`]: what a request would do before it is sent: resulting quantities, the
//!   estimated change in monthly cost and the capacity warnings (GSI-A.1.2–A.1.3).
//! - [`submission`]: who may send a request and when (one open request per subscription,
//!   new services only from listed providers, GSI-13.1).
//! - [`state`]: the statuses, the actions and the one transition function.
//! - [`quote`]: the provider's answer (GSI-A.1.6) and the agency's acknowledgement (GSI-A.1.7).
//! - [`party`]: which role of which organisation may do each step.
//! - [`timeline`]: the entry every transition leaves, visible to both parties (GSI-A.1.8).
//! - [`lifecycle`]: the request record, `submit` and `apply`, tying the above together.
//! - [`basis`]: what a request is priced and checked against, from the catalog.
//! - [`effect`]: how a completed request changes the subscriptions (GSI-A.1.8).
//!
//! Subscriptions, offerings and add-ons belong to the catalog; this module refers to them by
//! the `*Ref` ids below so that the catalog's own id types can replace the aliases later.

pub mod basis;
pub mod effect;
pub mod kind;
pub mod lifecycle;
pub mod party;
pub mod preview;
pub mod quote;
pub mod state;
pub mod submission;
pub mod timeline;

use std::collections::BTreeMap;

use crate::ids::Id;
use crate::money::Quantity;
use crate::service::Metric;

pub use basis::{check_confirmed_quantities, preview_basis, remaining_capacity};
pub use effect::{EffectRefused, change_subscription, start_subscription};
pub use kind::{NewServiceRequest, RequestKind, RequestPayload, ServiceRequestDraft};
pub use lifecycle::{
    ActionRefused, Applied, CompletionEffect, ServiceRequest, accepted_costs, apply, completion_effect, submit,
};
pub use party::{
    ActorCheck, Parties, RequestListScope, actions_for, may_act, may_preview, may_submit, request_access,
    request_list_scope,
};
pub use preview::{
    CapacityLimit, CapacityWarning, HOURS_PER_MONTH, Preview, PreviewBasis, PreviewLine, monthly_charge, monthly_cost,
    preview, preview_quantities,
};
pub use quote::{Acknowledgement, ApprovedTerms, Quote, QuoteDecision, QuoteDraft, QuoteOutcome, QuoteStanding};
pub use state::{
    Action, ActionKind, RefusalReason, RequestStatus, TransitionContext, TransitionRefused, allowed_actions,
    effective_status, transition,
};
pub use submission::{OpenRequestExists, RequestSummary, SubmissionFacts, SubmissionRefused, check_submission};
pub use timeline::{Percent, Progress, ProgressDraft, ProgressReport, TimelineEntry};

/// Marker for service request ids.
pub enum ServiceRequestMarker {}
/// Marker for quote ids.
pub enum QuoteMarker {}

pub type ServiceRequestId = Id<ServiceRequestMarker>;
pub type QuoteId = Id<QuoteMarker>;
/// The subscription a request is about.
pub type SubscriptionRef = crate::subscription::SubscriptionId;
/// The offering a new service is requested from.
pub type OfferingRef = crate::catalog::OfferingId;
/// An add-on: an offering attached to a base offering.
pub type AddonRef = crate::catalog::OfferingId;

/// Resource sizes by pricing metric (4 vCPU, 200 Mbps, 500 GB). A metric that is absent is
/// not part of the service; for capacities, an absent metric is not limited.
pub type Quantities = BTreeMap<Metric, Quantity>;

/// Longest free text a party may attach to a step (a note, a reason).
pub const NOTE_MAX: usize = 2000;
