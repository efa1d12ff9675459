pub mod create;
pub mod history;

use chrono::{DateTime, Utc};
use gsi_domain::governance::eligibility::NotListedReason;
use gsi_domain::listing::{ListingAction, ListingStatus};
use gsi_persistence::repos::governance::ListingChangeRecord;
use gsi_persistence::repos::listings::ListingRecord;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::me::RoleBody;
use crate::routes::provider_profiles::ServiceFamilyBody;
use crate::usecases::listings::{FamilyStanding, ListingHistory};

/// What GIX does to a provider's place on the list for one family.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListingActionBody {
    /// Put on the list: from `not_listed` or `delisted` (GSI-12.2).
    List,
    /// Take off temporarily: from `listed`.
    Suspend,
    /// Put back after a suspension: from `suspended`.
    Reinstate,
    /// Remove: from `listed` or `suspended` (GSI-12.3).
    Delist,
}

impl From<ListingActionBody> for ListingAction {
    fn from(action: ListingActionBody) -> Self {
        match action {
            ListingActionBody::List => ListingAction::List,
            ListingActionBody::Suspend => ListingAction::Suspend,
            ListingActionBody::Reinstate => ListingAction::Reinstate,
            ListingActionBody::Delist => ListingAction::Delist,
        }
    }
}

impl From<ListingAction> for ListingActionBody {
    fn from(action: ListingAction) -> Self {
        match action {
            ListingAction::List => ListingActionBody::List,
            ListingAction::Suspend => ListingActionBody::Suspend,
            ListingAction::Reinstate => ListingActionBody::Reinstate,
            ListingAction::Delist => ListingActionBody::Delist,
        }
    }
}

/// Where a provider stands on the list for one family.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatusBody {
    NotListed,
    Listed,
    Suspended,
    Delisted,
}

impl From<ListingStatus> for ListingStatusBody {
    fn from(status: ListingStatus) -> Self {
        match status {
            ListingStatus::NotListed => ListingStatusBody::NotListed,
            ListingStatus::Listed => ListingStatusBody::Listed,
            ListingStatus::Suspended => ListingStatusBody::Suspended,
            ListingStatus::Delisted => ListingStatusBody::Delisted,
        }
    }
}

/// A listing change GIX records.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "family": "cloud", "action": "list",
    "reason": "Certified by the assessor against ISO/IEC 20000, 22301 and 27001 (certificate GCAB-2026-0142)"
}))]
pub struct ListingChangeBody {
    pub family: ServiceFamilyBody,
    pub action: ListingActionBody,
    /// Why, 1–1000 characters; kept in the history.
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
    /// When the change takes effect (RFC 3339); default now. Never before now, and after
    /// every change already recorded for the family (e.g. a delisting from the first of next month).
    #[schema(example = "2027-01-01T00:00:00+07:00")]
    pub effective_at: Option<DateTime<Utc>>,
}

/// One dated change of a provider's listing for one family.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000e1",
    "provider_id": "00000000-0000-7000-8000-000000000b02",
    "family": "cloud", "action": "list", "status": "listed",
    "reason": "Certified by the assessor against ISO/IEC 20000, 22301 and 27001 (certificate GCAB-2026-0142)",
    "actor_subject": "gix-officer-7", "actor_role": "gix_officer",
    "effective_at": "2026-12-01T04:00:00Z", "recorded_at": "2026-12-01T04:00:00Z"
}))]
pub struct ListingEntryBody {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub family: ServiceFamilyBody,
    pub action: ListingActionBody,
    /// The status from `effective_at` on.
    pub status: ListingStatusBody,
    pub reason: String,
    /// The GIX officer who made the change (the token's `sub`).
    pub actor_subject: String,
    pub actor_role: RoleBody,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

impl From<&ListingRecord> for ListingEntryBody {
    fn from(r: &ListingRecord) -> Self {
        let e = &r.entry;
        ListingEntryBody {
            id: r.id,
            provider_id: e.provider.as_uuid(),
            family: e.family.into(),
            action: e.action.into(),
            status: e.status.into(),
            reason: e.reason.to_string(),
            actor_subject: e.actor.as_str().to_owned(),
            actor_role: r.actor_role.into(),
            effective_at: e.effective_at,
            recorded_at: e.recorded_at,
        }
    }
}

/// One reason a provider is not on the list, with the clause it comes from.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"code": "iso_certificate_expired", "clause": "GSI-6.4", "message": "the ISO/IEC 27001 certificate expired at the end of 2027-01-15 (Bangkok time)"}))]
pub struct ListingReasonBody {
    /// `no_profile`, `family_not_offered`, `iso_certificate_missing`,
    /// `iso_certificate_not_yet_valid`, `iso_certificate_expired`, `not_certified`,
    /// `certification_expired`, `missing_support_phone`, `missing_support_email`,
    /// `missing_self_service_url`, `suspended_by_gix`, `delisted_by_gix`.
    pub code: String,
    pub clause: String,
    pub message: String,
}

impl From<&NotListedReason> for ListingReasonBody {
    fn from(r: &NotListedReason) -> Self {
        ListingReasonBody { code: r.code().to_owned(), clause: r.clause().to_owned(), message: r.message() }
    }
}

/// One change of the provider list (derived from evidence).
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingLogEntryBody {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub family: ServiceFamilyBody,
    /// Listed from `effective_at` on, or not.
    pub listed: bool,
    /// Every reason it is not listed; empty when it became listed.
    pub reasons: Vec<ListingReasonBody>,
    pub effective_at: DateTime<Utc>,
    /// When it was written; empty when computed from the evidence and not written yet.
    pub recorded_at: Option<DateTime<Utc>>,
}

impl From<&ListingChangeRecord> for ListingLogEntryBody {
    fn from(r: &ListingChangeRecord) -> Self {
        ListingLogEntryBody {
            id: r.id,
            provider_id: r.provider.as_uuid(),
            family: r.family.into(),
            listed: r.listed,
            reasons: r
                .reasons
                .iter()
                .map(|s| ListingReasonBody {
                    code: s.code.clone(),
                    clause: s.clause.clone(),
                    message: s.message.clone(),
                })
                .collect(),
            effective_at: r.effective_at,
            recorded_at: r.recorded_at,
        }
    }
}

/// Where the provider stands for one family.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyStandingBody {
    pub family: ServiceFamilyBody,
    /// At the time of the request: `listed` when the evidence says so (GSI-12.2); otherwise
    /// GIX's override (`suspended`, `delisted`) when it holds, else `not_listed`.
    pub status: ListingStatusBody,
    /// When the current listed period began, if listed now.
    pub since: Option<DateTime<Utc>>,
    /// Every reason it is not listed now; empty when listed.
    pub reasons: Vec<ListingReasonBody>,
    /// GIX's override after every recorded override change, including ones that take effect later.
    pub scheduled_status: ListingStatusBody,
    /// What GIX may record next for the family (from `scheduled_status`).
    pub allowed_actions: Vec<ListingActionBody>,
}

impl From<&FamilyStanding> for FamilyStandingBody {
    fn from(s: &FamilyStanding) -> Self {
        FamilyStandingBody {
            family: s.family.into(),
            status: s.status.into(),
            since: s.since,
            reasons: s.reasons.iter().map(Into::into).collect(),
            scheduled_status: s.scheduled_status.into(),
            allowed_actions: s.allowed_actions.iter().copied().map(Into::into).collect(),
        }
    }
}

/// The provider's whole listing history (not paginated: a few entries per family).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "provider_id": "00000000-0000-7000-8000-000000000b02",
    "families": [
        {"family": "network", "status": "not_listed", "since": null, "scheduled_status": "not_listed", "allowed_actions": ["list"]},
        {"family": "cloud", "status": "listed", "since": "2026-12-01T04:00:00Z", "scheduled_status": "listed", "allowed_actions": ["suspend", "delist"]},
        {"family": "data_center", "status": "suspended", "since": null, "scheduled_status": "suspended", "allowed_actions": ["reinstate", "delist"]}
    ],
    "items": [{
        "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000e1", "provider_id": "00000000-0000-7000-8000-000000000b02",
        "family": "cloud", "action": "list", "status": "listed",
        "reason": "Certified by the assessor against ISO/IEC 20000, 22301 and 27001",
        "actor_subject": "gix-officer-7", "actor_role": "gix_officer",
        "effective_at": "2026-12-01T04:00:00Z", "recorded_at": "2026-12-01T04:00:00Z"
    }]
}))]
pub struct ListingHistoryBody {
    pub provider_id: uuid::Uuid,
    /// Every family, in family order.
    pub families: Vec<FamilyStandingBody>,
    /// GIX's override changes, all families, oldest first (by `effective_at`, then by when recorded).
    pub items: Vec<ListingEntryBody>,
    /// The provider's change log (derived from evidence), oldest first.
    pub changes: Vec<ListingLogEntryBody>,
}

impl From<&ListingHistory> for ListingHistoryBody {
    fn from(h: &ListingHistory) -> Self {
        ListingHistoryBody {
            provider_id: h.provider.id.as_uuid(),
            families: h.standings.iter().map(Into::into).collect(),
            items: h.records.iter().map(Into::into).collect(),
            changes: h.changes.iter().map(Into::into).collect(),
        }
    }
}
