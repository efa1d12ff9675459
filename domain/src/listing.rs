//! GIX's override of the provider list (GSI-12.3): whether a provider is on the list is
//! derived from evidence by [`crate::governance::eligibility::decide`]; GIX may still suspend
//! or delist a provider per family, with a reason, and lift that again. Every change is a
//! dated entry in a history that is never rewritten.
//!
//! The override's status for a family at an instant is [`listing_status`] over that history:
//! `suspended` and `delisted` hold the provider off the list; `not_listed` (no entry) and
//! `listed` (after `reinstate` or `list`) leave the decision to the evidence.
//!
//! Decisions where the issue is silent:
//! - `suspend` and `delist` need nothing, so GIX can always remove a provider (GSI-12.3);
//!   `reinstate` lifts a suspension, `list` lifts a delisting.
//! - A change takes effect at `effective_at`, which defaults to `now`, may be later (e.g. a
//!   delisting from the first of next month), but never earlier than `now`, and must be after
//!   every earlier entry for that family, so that the past stays as it was recorded.

use chrono::{DateTime, Utc};

use crate::access::Access;
use crate::ids::OrganisationId;
use crate::provider::ProviderProfile;
use crate::role::{Actor, Role, Subject};
use crate::service::{ServiceFamily, vocabulary};
use crate::text::BoundedText;
use crate::validation::ValidationErrors;

pub const REASON_MAX: usize = 1000;

vocabulary!(
    /// Where a provider stands on the list for one family.
    ListingStatus, "listing status" {
        /// Never listed for the family.
        NotListed => "not_listed",
        Listed => "listed",
        /// Temporarily off the list (e.g. a certificate under review); comes back by reinstatement.
        Suspended => "suspended",
        /// Removed from the list (GSI-12.3).
        Delisted => "delisted",
    }
);

vocabulary!(
    /// What GIX does to a provider's place on the list.
    ListingAction, "listing action" {
        List => "list",
        Suspend => "suspend",
        Reinstate => "reinstate",
        Delist => "delist",
    }
);

/// One dated change of a provider's listing for one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingEntry {
    pub provider: OrganisationId,
    pub family: ServiceFamily,
    pub action: ListingAction,
    /// The status from `effective_at` on.
    pub status: ListingStatus,
    pub reason: BoundedText,
    /// The GIX officer who made the change.
    pub actor: Subject,
    pub effective_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
}

/// The entry in force for `family` at `at`: the latest at or before `at`; on equal instants
/// the later one in `history` (callers refuse equal instants anyway).
fn entry_in_force(history: &[ListingEntry], family: ServiceFamily, at: DateTime<Utc>) -> Option<&ListingEntry> {
    history.iter().filter(|e| e.family == family && e.effective_at <= at).fold(
        None,
        |best: Option<&ListingEntry>, e| match best {
            Some(b) if b.effective_at > e.effective_at => Some(b),
            _ => Some(e),
        },
    )
}

/// THE listing decision (GSI-12.2, 13.1): where the provider whose `history` this is
/// stands for `family` at `at`.
pub fn listing_status(history: &[ListingEntry], family: ServiceFamily, at: DateTime<Utc>) -> ListingStatus {
    entry_in_force(history, family, at).map_or(ListingStatus::NotListed, |e| e.status)
}

pub fn is_listed(history: &[ListingEntry], family: ServiceFamily, at: DateTime<Utc>) -> bool {
    listing_status(history, family, at) == ListingStatus::Listed
}

/// When the current listed period began (the last `list` or `reinstate` in force), if the
/// provider is listed for `family` at `at`. A suspension ends a listed period.
pub fn listed_since(history: &[ListingEntry], family: ServiceFamily, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if is_listed(history, family, at) { entry_in_force(history, family, at).map(|e| e.effective_at) } else { None }
}

/// The status after every recorded change for `family`, scheduled ones included: the status
/// the next change starts from, since it must take effect after all of them.
pub fn scheduled_status(history: &[ListingEntry], family: ServiceFamily) -> ListingStatus {
    history
        .iter()
        .filter(|e| e.family == family)
        .map(|e| e.effective_at)
        .max()
        .map_or(ListingStatus::NotListed, |latest| listing_status(history, family, latest))
}

/// A line of the public provider list: a family the provider is listed for, and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListedFamily {
    pub family: ServiceFamily,
    pub since: DateTime<Utc>,
}

/// The families the provider is listed for at `at`, in family order.
pub fn listed_families(history: &[ListingEntry], at: DateTime<Utc>) -> Vec<ListedFamily> {
    ServiceFamily::ALL
        .iter()
        .filter_map(|family| listed_since(history, *family, at).map(|since| ListedFamily { family: *family, since }))
        .collect()
}

/// An action the current status does not allow; names the status and what it does allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot {action} a provider that is {state} for this family; allowed: {}", list(.allowed))]
pub struct TransitionRefused {
    pub state: ListingStatus,
    pub action: ListingAction,
    pub allowed: Vec<ListingAction>,
}

fn list(actions: &[ListingAction]) -> String {
    actions.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", ")
}

/// The listing state machine. The table itself is `next_status`; this adds the refusal.
pub fn transition(state: ListingStatus, action: ListingAction) -> Result<ListingStatus, TransitionRefused> {
    next_status(state, action).ok_or_else(|| TransitionRefused { state, action, allowed: allowed_actions(state) })
}

pub fn allowed_actions(state: ListingStatus) -> Vec<ListingAction> {
    ListingAction::ALL.iter().copied().filter(|a| next_status(state, *a).is_some()).collect()
}

/// Every (status, action) pair spelled out, no wildcard.
fn next_status(state: ListingStatus, action: ListingAction) -> Option<ListingStatus> {
    use ListingAction as A;
    use ListingStatus as S;
    match (state, action) {
        (S::NotListed, A::Suspend) => Some(S::Suspended),
        (S::NotListed, A::Delist) => Some(S::Delisted),
        (S::Listed, A::Suspend) => Some(S::Suspended),
        (S::Listed, A::Delist) => Some(S::Delisted),
        (S::Suspended, A::Reinstate) => Some(S::Listed),
        (S::Suspended, A::Delist) => Some(S::Delisted),
        (S::Delisted, A::List) => Some(S::Listed),
        (S::NotListed, A::List | A::Reinstate)
        | (S::Listed, A::List | A::Reinstate)
        | (S::Suspended, A::List | A::Suspend)
        | (S::Delisted, A::Suspend | A::Reinstate | A::Delist) => None,
    }
}

/// Unparsed input from GIX.
#[derive(Debug, Clone, Default)]
pub struct ListingChangeDraft {
    pub family: String,
    pub action: String,
    pub reason: String,
    /// `None` means `now`.
    pub effective_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ListingRefused {
    /// Bad input, by field (`family`, `action`, `reason`, `effective_at`).
    #[error("{0}")]
    Invalid(ValidationErrors),
    #[error(transparent)]
    Transition(#[from] TransitionRefused),
}

/// Records a change of `profile`'s provider's listing. `history` is that provider's listing
/// history (entries of other providers are ignored). Who may call it: [`may_change_listing`].
pub fn record_change(
    history: &[ListingEntry],
    profile: &ProviderProfile,
    draft: &ListingChangeDraft,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ListingEntry, ListingRefused> {
    let provider = profile.provider_id;
    let own: Vec<ListingEntry> = history.iter().filter(|e| e.provider == provider).cloned().collect();
    let mut errors = ValidationErrors::new();
    let family = match draft.family.parse::<ServiceFamily>() {
        Ok(family) => Some(family),
        Err(e) => {
            errors.add("family", "invalid_choice", e.to_string());
            None
        }
    };
    let action = match draft.action.parse::<ListingAction>() {
        Ok(action) => Some(action),
        Err(e) => {
            errors.add("action", "invalid_choice", e.to_string());
            None
        }
    };
    let reason = errors.collect(BoundedText::parse("reason", &draft.reason, REASON_MAX));
    let effective_at = draft.effective_at.unwrap_or(now);
    if effective_at < now {
        errors.add("effective_at", "in_the_past", format!("a listing change cannot take effect before now ({now})"));
    }
    let latest = family.and_then(|f| own.iter().filter(|e| e.family == f).map(|e| e.effective_at).max());
    if let Some(latest) = latest.filter(|latest| effective_at <= *latest) {
        errors.add(
            "effective_at",
            "not_after_latest",
            format!("must be after the latest change for this family, at {latest}"),
        );
    }
    let (Some(family), Some(action), Some(reason)) = (family, action, reason) else {
        return Err(ListingRefused::Invalid(errors));
    };
    if !errors.is_empty() {
        return Err(ListingRefused::Invalid(errors));
    }
    // The new entry follows every existing one, so it starts from the latest status.
    let current = scheduled_status(&own, family);
    let status = transition(current, action)?;
    Ok(ListingEntry {
        provider,
        family,
        action,
        status,
        reason,
        actor: actor.subject.clone(),
        effective_at,
        recorded_at: now,
    })
}

/// GIX keeps the provider list (GSI-12.2, 12.3).
pub fn may_change_listing(actor: &Actor) -> bool {
    actor.role == Role::GixOfficer
}

/// The current provider list is readable by every authenticated caller: agencies choose
/// from it (GSI-13.1).
pub fn may_read_provider_list(actor: &Actor) -> bool {
    match actor.role {
        Role::AgencyAdmin | Role::AgencyUser | Role::ProviderOperator | Role::GixOfficer | Role::Assessor => true,
    }
}

/// The history with its reasons is GIX's record, shown also to the provider it concerns.
pub fn listing_history_access(actor: &Actor, provider: OrganisationId) -> Access {
    match actor.role {
        Role::GixOfficer => Access::ReadWrite,
        Role::ProviderOperator if actor.organisation == provider => Access::Read,
        Role::ProviderOperator | Role::AgencyAdmin | Role::AgencyUser | Role::Assessor => Access::None,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ids::OrganisationId;
    use crate::provider::tests::{complete_draft, profile_of};
    use chrono::{Duration, TimeZone};
    use uuid::Uuid;

    pub(crate) fn provider() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0x70))
    }

    pub(crate) fn gix() -> Actor {
        Actor {
            subject: Subject::parse("gix-officer-1").unwrap(),
            organisation: crate::org::GIX_ORGANISATION_ID,
            role: Role::GixOfficer,
        }
    }

    fn t(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 2, day, 2, 0, 0).unwrap()
    }

    pub(crate) fn entry(
        family: ServiceFamily,
        action: ListingAction,
        status: ListingStatus,
        at: DateTime<Utc>,
    ) -> ListingEntry {
        ListingEntry {
            provider: provider(),
            family,
            action,
            status,
            reason: BoundedText::parse("reason", "certified by GCAB", REASON_MAX).unwrap(),
            actor: gix().subject,
            effective_at: at,
            recorded_at: at,
        }
    }

    fn change(family: &str, action: &str, effective_at: Option<DateTime<Utc>>) -> ListingChangeDraft {
        ListingChangeDraft {
            family: family.into(),
            action: action.into(),
            reason: "ISO/IEC 27001 certificate confirmed by the assessor".into(),
            effective_at,
        }
    }

    #[test]
    fn gsi_12_2_listing_transition_table() {
        use ListingAction as A;
        use ListingStatus as S;
        let expected: [(S, A, Option<S>); 16] = [
            (S::NotListed, A::List, None),
            (S::NotListed, A::Suspend, Some(S::Suspended)),
            (S::NotListed, A::Reinstate, None),
            (S::NotListed, A::Delist, Some(S::Delisted)),
            (S::Listed, A::List, None),
            (S::Listed, A::Suspend, Some(S::Suspended)),
            (S::Listed, A::Reinstate, None),
            (S::Listed, A::Delist, Some(S::Delisted)),
            (S::Suspended, A::List, None),
            (S::Suspended, A::Suspend, None),
            (S::Suspended, A::Reinstate, Some(S::Listed)),
            (S::Suspended, A::Delist, Some(S::Delisted)),
            (S::Delisted, A::List, Some(S::Listed)),
            (S::Delisted, A::Suspend, None),
            (S::Delisted, A::Reinstate, None),
            (S::Delisted, A::Delist, None),
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
        assert_eq!(allowed_actions(S::NotListed), [A::Suspend, A::Delist]);
        assert_eq!(allowed_actions(S::Listed), [A::Suspend, A::Delist]);
        assert_eq!(allowed_actions(S::Suspended), [A::Reinstate, A::Delist]);
        assert_eq!(allowed_actions(S::Delisted), [A::List]);
        assert_eq!(
            transition(S::Suspended, A::List).unwrap_err().to_string(),
            "cannot list a provider that is suspended for this family; allowed: reinstate, delist"
        );
    }

    #[test]
    fn gsi_13_1_status_at_an_instant_comes_from_the_dated_history() {
        use ListingAction as A;
        use ListingStatus as S;
        let cloud = ServiceFamily::Cloud;
        // Deliberately out of order.
        let history = vec![
            entry(cloud, A::Suspend, S::Suspended, t(10)),
            entry(cloud, A::List, S::Listed, t(1)),
            entry(cloud, A::Reinstate, S::Listed, t(15)),
            entry(cloud, A::Delist, S::Delisted, t(20)),
        ];
        let status = |at| listing_status(&history, cloud, at);
        assert_eq!(status(t(1) - Duration::microseconds(1)), S::NotListed);
        assert_eq!(status(t(1)), S::Listed);
        assert_eq!(status(t(10) - Duration::microseconds(1)), S::Listed);
        assert_eq!(status(t(10)), S::Suspended);
        assert_eq!(status(t(15)), S::Listed);
        assert_eq!(status(t(20)), S::Delisted);
        assert!(is_listed(&history, cloud, t(16)));
        assert!(!is_listed(&history, cloud, t(12)));
        assert!(!is_listed(&history, ServiceFamily::Network, t(16)));
        assert_eq!(listed_since(&history, cloud, t(5)), Some(t(1)));
        assert_eq!(listed_since(&history, cloud, t(16)), Some(t(15)), "a suspension ends the listed period");
        assert_eq!(listed_since(&history, cloud, t(12)), None);
    }

    #[test]
    fn gsi_12_2_provider_list_shows_each_listed_family_since_when() {
        use ListingAction as A;
        use ListingStatus as S;
        let history = vec![
            entry(ServiceFamily::DataCenter, A::List, S::Listed, t(3)),
            entry(ServiceFamily::Cloud, A::List, S::Listed, t(1)),
            entry(ServiceFamily::Network, A::List, S::Listed, t(1)),
            entry(ServiceFamily::Network, A::Delist, S::Delisted, t(2)),
        ];
        assert_eq!(
            listed_families(&history, t(4)),
            [
                ListedFamily { family: ServiceFamily::Cloud, since: t(1) },
                ListedFamily { family: ServiceFamily::DataCenter, since: t(3) },
            ]
        );
        assert!(listed_families(&history, t(1) - Duration::seconds(1)).is_empty());
    }

    #[test]
    fn gsi_12_3_gix_suspends_a_provider_with_a_reason() {
        let profile = profile_of(provider(), &complete_draft());
        let e = record_change(&[], &profile, &change("cloud", "suspend", None), &gix(), t(1)).unwrap();
        assert_eq!(e.status, ListingStatus::Suspended);
        assert_eq!(e.action, ListingAction::Suspend);
        assert_eq!(e.effective_at, t(1));
        assert_eq!(e.recorded_at, t(1));
        assert_eq!(e.actor.as_str(), "gix-officer-1");
        assert_eq!(e.provider, provider());
        assert_eq!(listing_status(&[e], ServiceFamily::Cloud, t(1)), ListingStatus::Suspended);
        // Nothing to lift without an override.
        assert!(matches!(
            record_change(&[], &profile, &change("cloud", "list", None), &gix(), t(1)),
            Err(ListingRefused::Transition(_))
        ));
    }

    #[test]
    fn gsi_12_3_delisted_provider_may_be_listed_again() {
        use ListingAction as A;
        use ListingStatus as S;
        let profile = profile_of(provider(), &complete_draft());
        let history = vec![
            entry(ServiceFamily::Cloud, A::List, S::Listed, t(1)),
            entry(ServiceFamily::Cloud, A::Delist, S::Delisted, t(2)),
        ];
        let relisted = record_change(&history, &profile, &change("cloud", "list", None), &gix(), t(3)).unwrap();
        assert_eq!(relisted.status, S::Listed);
        // Reinstating is only for suspensions.
        assert_eq!(
            record_change(&history, &profile, &change("cloud", "reinstate", None), &gix(), t(3)),
            Err(ListingRefused::Transition(TransitionRefused {
                state: S::Delisted,
                action: A::Reinstate,
                allowed: vec![A::List]
            }))
        );
    }

    #[test]
    fn gsi_12_2_listing_changes_never_rewrite_the_past() {
        use ListingAction as A;
        use ListingStatus as S;
        let profile = profile_of(provider(), &complete_draft());
        let codes = |r: Result<ListingEntry, ListingRefused>| match r {
            Err(ListingRefused::Invalid(errors)) => {
                errors.errors().iter().map(|e| (e.field.clone(), e.code)).collect::<Vec<_>>()
            }
            other => panic!("expected invalid input, got {other:?}"),
        };
        assert_eq!(
            codes(record_change(&[], &profile, &change("cloud", "list", Some(t(1))), &gix(), t(2))),
            [("effective_at".to_owned(), "in_the_past")]
        );
        // A delisting scheduled for day 10 is in the history; nothing may be slotted before it.
        let history = vec![
            entry(ServiceFamily::Cloud, A::List, S::Listed, t(1)),
            entry(ServiceFamily::Cloud, A::Delist, S::Delisted, t(10)),
        ];
        assert_eq!(
            codes(record_change(&history, &profile, &change("cloud", "suspend", Some(t(5))), &gix(), t(3))),
            [("effective_at".to_owned(), "not_after_latest")]
        );
        assert_eq!(
            codes(record_change(&history, &profile, &change("cloud", "list", Some(t(10))), &gix(), t(3))),
            [("effective_at".to_owned(), "not_after_latest")]
        );
        // After it, the change starts from the scheduled status (delisted).
        let later = record_change(&history, &profile, &change("cloud", "list", Some(t(11))), &gix(), t(3)).unwrap();
        assert_eq!(later.status, S::Listed);
        assert_eq!(later.effective_at, t(11));
        assert_eq!(later.recorded_at, t(3));
        // Until day 10 the provider is still listed; the future entry does not act early.
        let mut all = history.clone();
        all.push(later);
        assert!(is_listed(&all, ServiceFamily::Cloud, t(9)));
        assert!(!is_listed(&all, ServiceFamily::Cloud, t(10)));
        assert!(is_listed(&all, ServiceFamily::Cloud, t(11)));
    }

    #[test]
    fn gsi_12_2_bad_listing_input_names_every_field() {
        let profile = profile_of(provider(), &complete_draft());
        let draft = ListingChangeDraft {
            family: "satellite".into(),
            action: "ban".into(),
            reason: "  ".into(),
            effective_at: Some(t(1)),
        };
        match record_change(&[], &profile, &draft, &gix(), t(2)) {
            Err(ListingRefused::Invalid(errors)) => {
                let fields: Vec<(&str, &str)> = errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect();
                assert_eq!(
                    fields,
                    [
                        ("family", "invalid_choice"),
                        ("action", "invalid_choice"),
                        ("reason", "required"),
                        ("effective_at", "in_the_past"),
                    ]
                );
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn gsi_12_2_other_providers_entries_do_not_count() {
        let profile = profile_of(provider(), &complete_draft());
        let mut foreign = entry(ServiceFamily::Cloud, ListingAction::Delist, ListingStatus::Delisted, t(1));
        foreign.provider = OrganisationId::from_uuid(Uuid::from_u128(0x71));
        let e = record_change(&[foreign], &profile, &change("cloud", "delist", None), &gix(), t(2)).unwrap();
        assert_eq!(e.status, ListingStatus::Delisted);
    }

    #[test]
    fn gsi_12_2_scheduled_status_is_where_the_next_change_starts() {
        use ListingAction as A;
        use ListingStatus as S;
        let cloud = ServiceFamily::Cloud;
        assert_eq!(scheduled_status(&[], cloud), S::NotListed);
        let history = vec![entry(cloud, A::Delist, S::Delisted, t(10)), entry(cloud, A::List, S::Listed, t(1))];
        assert_eq!(scheduled_status(&history, cloud), S::Delisted, "the change recorded for later counts");
        assert_eq!(listing_status(&history, cloud, t(5)), S::Listed, "while the status now is unchanged");
        assert_eq!(scheduled_status(&history, ServiceFamily::Network), S::NotListed);
    }

    #[test]
    fn gsi_12_2_who_may_see_and_change_the_list() {
        let actor = |role, org: u128| Actor {
            subject: Subject::parse("u").unwrap(),
            organisation: OrganisationId::from_uuid(Uuid::from_u128(org)),
            role,
        };
        for role in Role::ALL {
            assert_eq!(may_change_listing(&actor(role, 1)), role == Role::GixOfficer);
            assert!(may_read_provider_list(&actor(role, 1)));
        }
        assert_eq!(listing_history_access(&actor(Role::GixOfficer, 1), provider()), Access::ReadWrite);
        assert_eq!(listing_history_access(&actor(Role::ProviderOperator, 0x70), provider()), Access::Read);
        assert_eq!(listing_history_access(&actor(Role::ProviderOperator, 0x71), provider()), Access::None);
        assert_eq!(listing_history_access(&actor(Role::AgencyAdmin, 2), provider()), Access::None);
    }
}
