//! THE listing decision (GSI-6.1–6.4, 7.4, 11.1, 11.3, 12.2, 12.3, 13.1): a provider is on
//! the provider list for a family at an instant exactly when
//! - its profile gives a valid legal status (6.1) and offers the family (6.2),
//! - each of the three ISO certificates is verified, valid that instant and covers the
//!   family (6.4),
//! - a certification covering the family is in force, recorded by an assessor accredited for
//!   the family when it certified (11.1, 11.3, 12.1),
//! - its 24x7 channels are declared (7.4),
//! - GIX has not suspended or delisted it for the family (12.3).
//!
//! [`decide`] is one pure function over a snapshot of that evidence and returns every reason
//! when the answer is no. Evidence counts from the instant it was recorded (a certificate from
//! its verification, a certification from its decision), so the decision at a past instant
//! is the one that held then; the change log is computed from it ([`changes_between`]).

use chrono::{DateTime, Utc};

use super::accreditation::Accreditation;
use super::assessment::Certification;
use super::certificate::IsoCertificate;
use super::period::{IsoStandard, ValidityPeriod};
use crate::ids::OrganisationId;
use crate::listing::{ListingEntry, ListingStatus, listing_status};
use crate::provider::{ListingBlocker, ProviderProfile, listing_blockers};
use crate::service::ServiceFamily;

/// Everything the decision reads about one provider.
#[derive(Debug, Clone)]
pub struct ListingEvidence {
    pub provider: OrganisationId,
    pub profile: Option<ProviderProfile>,
    pub certificates: Vec<IsoCertificate>,
    pub certifications: Vec<Certification>,
    /// The accreditations of the assessors that certified the provider.
    pub accreditations: Vec<Accreditation>,
    /// GIX's suspensions and delistings (the override), oldest first.
    pub overrides: Vec<ListingEntry>,
}

/// One reason a provider is not on the list for a family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotListedReason {
    /// GSI-6.1, 6.2, 7.4: no profile yet.
    NoProfile,
    /// GSI-6.2.
    FamilyNotOffered,
    /// GSI-6.4: no verified certificate of this standard covering the family.
    IsoCertificateMissing(IsoStandard),
    /// GSI-6.4: the verified certificate covering the family is not yet valid.
    IsoCertificateNotYetValid(IsoStandard, ValidityPeriod),
    /// GSI-6.4: the verified certificate covering the family has expired.
    IsoCertificateExpired(IsoStandard, ValidityPeriod),
    /// GSI-11.3: no certification covers the family.
    NotCertified,
    /// GSI-11.1: the latest certification covering the family has expired.
    CertificationExpired(ValidityPeriod),
    /// GSI-7.4.
    ChannelMissing(ListingBlocker),
    /// GSI-12.3: GIX suspended or delisted the provider, with this reason.
    SuspendedByGix { status: ListingStatus, reason: String },
}

impl NotListedReason {
    pub fn code(&self) -> &'static str {
        match self {
            NotListedReason::NoProfile => "no_profile",
            NotListedReason::FamilyNotOffered => "family_not_offered",
            NotListedReason::IsoCertificateMissing(_) => "iso_certificate_missing",
            NotListedReason::IsoCertificateNotYetValid(..) => "iso_certificate_not_yet_valid",
            NotListedReason::IsoCertificateExpired(..) => "iso_certificate_expired",
            NotListedReason::NotCertified => "not_certified",
            NotListedReason::CertificationExpired(_) => "certification_expired",
            NotListedReason::ChannelMissing(b) => b.as_str(),
            NotListedReason::SuspendedByGix { status: ListingStatus::Delisted, .. } => "delisted_by_gix",
            NotListedReason::SuspendedByGix { .. } => "suspended_by_gix",
        }
    }

    pub fn clause(&self) -> &'static str {
        match self {
            NotListedReason::NoProfile => "GSI-6.1",
            NotListedReason::FamilyNotOffered => "GSI-6.2",
            NotListedReason::IsoCertificateMissing(_)
            | NotListedReason::IsoCertificateNotYetValid(..)
            | NotListedReason::IsoCertificateExpired(..) => "GSI-6.4",
            NotListedReason::NotCertified => "GSI-11.3",
            NotListedReason::CertificationExpired(_) => "GSI-11.1",
            NotListedReason::ChannelMissing(_) => "GSI-7.4",
            NotListedReason::SuspendedByGix { .. } => "GSI-12.3",
        }
    }

    pub fn message(&self) -> String {
        match self {
            NotListedReason::NoProfile => {
                "the provider has no profile: legal status, families and 24x7 channels are unknown".to_owned()
            }
            NotListedReason::FamilyNotOffered => "the provider's profile does not offer the family".to_owned(),
            NotListedReason::IsoCertificateMissing(s) => {
                format!("no verified {} certificate covers the family", s.title())
            }
            NotListedReason::IsoCertificateNotYetValid(s, p) => {
                format!("the verified {} certificate is valid only from {}", s.title(), p.from)
            }
            NotListedReason::IsoCertificateExpired(s, p) => {
                format!("the {} certificate expired at the end of {} (Bangkok time)", s.title(), p.until)
            }
            NotListedReason::NotCertified => "no certification by an accredited assessor covers the family".to_owned(),
            NotListedReason::CertificationExpired(p) => {
                format!("the certification expired at the end of {} (Bangkok time)", p.until)
            }
            NotListedReason::ChannelMissing(b) => b.message().to_owned(),
            NotListedReason::SuspendedByGix { status, reason } => format!("GIX {status} the provider: {reason}"),
        }
    }
}

/// The answer for one family at one instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDecision {
    pub family: ServiceFamily,
    pub at: DateTime<Utc>,
    /// Empty exactly when listed.
    pub reasons: Vec<NotListedReason>,
}

impl ListingDecision {
    pub fn listed(&self) -> bool {
        self.reasons.is_empty()
    }
}

fn certification_counts(evidence: &ListingEvidence, c: &Certification, family: ServiceFamily) -> bool {
    c.scope.contains(family)
        && evidence
            .accreditations
            .iter()
            .any(|a| a.assessor == c.assessor && a.scope.contains(family) && a.in_force(c.decided_at))
}

/// THE decision: is `evidence.provider` listed for `family` at `at`, and if not, every reason.
pub fn decide(evidence: &ListingEvidence, family: ServiceFamily, at: DateTime<Utc>) -> ListingDecision {
    let mut reasons = Vec::new();
    match &evidence.profile {
        None => reasons.push(NotListedReason::NoProfile),
        Some(profile) => {
            if !profile.details.families.contains(family) {
                reasons.push(NotListedReason::FamilyNotOffered);
            }
        }
    }
    for standard in IsoStandard::ALL {
        let own: Vec<&IsoCertificate> =
            evidence.certificates.iter().filter(|c| c.standard == *standard && c.verified_for(family, at)).collect();
        if own.iter().any(|c| c.counts_for(family, at)) {
            continue;
        }
        let expired = own.iter().filter(|c| c.period.ends_at() <= at).max_by_key(|c| c.period.until);
        let pending = own.iter().filter(|c| c.period.starts_at() > at).min_by_key(|c| c.period.from);
        reasons.push(match (expired, pending) {
            (_, Some(p)) => NotListedReason::IsoCertificateNotYetValid(*standard, p.period),
            (Some(e), None) => NotListedReason::IsoCertificateExpired(*standard, e.period),
            (None, None) => NotListedReason::IsoCertificateMissing(*standard),
        });
    }
    let certifications: Vec<&Certification> = evidence
        .certifications
        .iter()
        .filter(|c| c.decided_at <= at && certification_counts(evidence, c, family))
        .collect();
    if !certifications.iter().any(|c| c.in_force(at)) {
        reasons.push(match certifications.iter().max_by_key(|c| c.period.until) {
            Some(latest) if latest.period.ends_at() <= at => NotListedReason::CertificationExpired(latest.period),
            _ => NotListedReason::NotCertified,
        });
    }
    if let Some(profile) = &evidence.profile {
        reasons.extend(listing_blockers(profile).into_iter().map(NotListedReason::ChannelMissing));
    }
    let own_overrides: Vec<ListingEntry> =
        evidence.overrides.iter().filter(|e| e.provider == evidence.provider).cloned().collect();
    let status = listing_status(&own_overrides, family, at);
    if matches!(status, ListingStatus::Suspended | ListingStatus::Delisted) {
        let reason = own_overrides
            .iter()
            .filter(|e| e.family == family && e.effective_at <= at)
            .max_by_key(|e| e.effective_at)
            .map(|e| e.reason.as_str().to_owned())
            .unwrap_or_default();
        reasons.push(NotListedReason::SuspendedByGix { status, reason });
    }
    ListingDecision { family, at, reasons }
}

/// Every family, in family order.
pub fn decide_all(evidence: &ListingEvidence, at: DateTime<Utc>) -> Vec<ListingDecision> {
    ServiceFamily::ALL.iter().map(|f| decide(evidence, *f, at)).collect()
}

/// The instants at which the decision can change by itself or by dated evidence: when a
/// certificate or certification is recorded, begins or lapses, and when a GIX change takes
/// effect. Sorted, without duplicates.
pub fn breakpoints(evidence: &ListingEvidence) -> Vec<DateTime<Utc>> {
    let mut points = Vec::new();
    for c in &evidence.certificates {
        if let Some(v) = &c.verification {
            points.extend([v.at, c.period.starts_at(), c.period.ends_at()]);
        }
    }
    for c in &evidence.certifications {
        points.extend([c.decided_at, c.period.starts_at(), c.period.ends_at()]);
    }
    points.extend(evidence.overrides.iter().map(|e| e.effective_at));
    points.sort();
    points.dedup();
    points
}

/// The first breakpoint strictly after `after`: until then the decision stays what it was at
/// `after`. `None` when nothing dated lies ahead.
pub fn next_breakpoint_after(evidence: &ListingEvidence, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    breakpoints(evidence).into_iter().find(|p| *p > after)
}

/// A provider's written change log and how far it holds: the state it ends in per family,
/// written up to `synced_until`, and the next instant the evidence could change it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedListing {
    pub synced_until: DateTime<Utc>,
    /// `None`: the horizon is not known (a log from before it was kept); read the evidence.
    pub horizon: Option<Horizon>,
    /// The family's last written state, in family order; absent means never listed.
    pub last_state: Vec<(ServiceFamily, bool)>,
}

/// The next breakpoint after the log's `synced_until`, or none ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Horizon {
    Until(DateTime<Utc>),
    Open,
}

impl LoggedListing {
    /// Whether the provider is listed for `family` at `at`, answered from the log alone, or
    /// `None` when the log cannot tell (no horizon, `at` before the log's end or at or past the
    /// next breakpoint) and the evidence must decide. Every evidence change writes the log in
    /// its transaction (`sync`), so between `synced_until` and the horizon nothing can differ
    /// from [`decide`].
    pub fn listed_at(&self, family: ServiceFamily, at: DateTime<Utc>) -> Option<bool> {
        let within = match self.horizon? {
            Horizon::Until(next) => self.synced_until <= at && at < next,
            Horizon::Open => self.synced_until <= at,
        };
        within.then(|| self.last_state.iter().any(|(f, listed)| *f == family && *listed))
    }
}

/// A change of a provider's place on the list for one family, dated when it took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingChange {
    pub provider: OrganisationId,
    pub family: ServiceFamily,
    pub listed: bool,
    /// Why it is not listed; empty when it became listed.
    pub reasons: Vec<NotListedReason>,
    pub effective_at: DateTime<Utc>,
}

/// The changes of the decision in `(from, until]`, given whether each family was listed at
/// `from` (`listed_at_from`, in family order; a family absent counts as not listed). The
/// decision is evaluated at every breakpoint in the interval and at `until`, so a lapse is
/// dated at the instant it took effect even if nobody looked then.
pub fn changes_between(
    evidence: &ListingEvidence,
    listed_at_from: &[(ServiceFamily, bool)],
    from: Option<DateTime<Utc>>,
    until: DateTime<Utc>,
) -> Vec<ListingChange> {
    let mut state: Vec<(ServiceFamily, bool)> =
        ServiceFamily::ALL.iter().map(|f| (*f, listed_at_from.iter().any(|(g, listed)| g == f && *listed))).collect();
    let mut points: Vec<DateTime<Utc>> =
        breakpoints(evidence).into_iter().filter(|p| from.is_none_or(|f| *p > f) && *p <= until).collect();
    if points.last() != Some(&until) {
        points.push(until);
    }
    let mut changes = Vec::new();
    for at in points {
        for (family, listed) in &mut state {
            let decision = decide(evidence, *family, at);
            if decision.listed() != *listed {
                *listed = decision.listed();
                changes.push(ListingChange {
                    provider: evidence.provider,
                    family: *family,
                    listed: decision.listed(),
                    reasons: decision.reasons,
                    effective_at: at,
                });
            }
        }
    }
    changes
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::governance::accreditation::{AccreditationDraft, Withdrawal};
    use crate::governance::certificate::{CertificateDraft, Verification};
    use crate::governance::period::FamilyScope;
    use crate::ids::Id;
    use crate::listing::ListingAction;
    use crate::provider::tests::{complete_draft, profile_of};
    use crate::role::Subject;
    use crate::text::BoundedText;
    use chrono::{Duration, NaiveDate, TimeZone};
    use uuid::Uuid;

    fn provider() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0x70))
    }
    fn assessor() -> OrganisationId {
        OrganisationId::from_uuid(Uuid::from_u128(0xA5))
    }
    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 1, 5, 3, 0, 0).unwrap()
    }
    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 10, 3, 0, 0).unwrap()
    }
    fn who() -> Subject {
        Subject::parse("someone").unwrap()
    }

    fn certificate(n: u128, standard: IsoStandard, until: NaiveDate) -> IsoCertificate {
        let draft = CertificateDraft {
            standard: standard.as_str().into(),
            number: format!("CERT-{n}"),
            issuing_body: "BSI".into(),
            families: vec!["cloud".into(), "data_center".into()],
            valid_from: Some(d(2026, 6, 1)),
            valid_until: Some(until),
            evidence_ref: "DMS-1".into(),
        };
        let mut c = IsoCertificate::parse(Id::from_uuid(Uuid::from_u128(n)), provider(), &draft, start()).unwrap();
        c.verification = Some(Verification { by: who(), assessor: assessor(), at: start() });
        c
    }

    fn accreditation() -> Accreditation {
        let draft = AccreditationDraft {
            families: vec!["cloud".into(), "data_center".into()],
            valid_from: Some(d(2026, 1, 1)),
            valid_until: Some(d(2028, 12, 31)),
        };
        Accreditation::grant(Id::from_uuid(Uuid::from_u128(3)), assessor(), &draft, who(), start() - Duration::days(10))
            .unwrap()
    }

    fn certification() -> Certification {
        Certification {
            id: Id::from_uuid(Uuid::from_u128(4)),
            provider: provider(),
            assessor: assessor(),
            assessment: Id::from_uuid(Uuid::from_u128(5)),
            scope: FamilyScope::of([ServiceFamily::Cloud]).unwrap(),
            period: ValidityPeriod { from: d(2027, 1, 5), until: d(2028, 1, 4) },
            decided_at: start() + Duration::hours(1),
        }
    }

    /// Everything in place for cloud (and the profile offers cloud and data_center).
    fn complete() -> ListingEvidence {
        ListingEvidence {
            provider: provider(),
            profile: Some(profile_of(provider(), &complete_draft())),
            certificates: vec![
                certificate(10, IsoStandard::Iso20000, d(2028, 5, 31)),
                certificate(11, IsoStandard::Iso22301, d(2028, 5, 31)),
                certificate(12, IsoStandard::Iso27001, d(2027, 3, 31)),
            ],
            certifications: vec![certification()],
            accreditations: vec![accreditation()],
            overrides: vec![],
        }
    }

    /// Evidence that lists `provider` for cloud and data center from `from` for about half a
    /// year (the certification covers both families).
    pub(crate) fn listed_evidence(provider: OrganisationId, from: DateTime<Utc>) -> ListingEvidence {
        let day = crate::governance::period::bangkok_date(from);
        let mut e = complete();
        e.provider = provider;
        e.profile = Some(profile_of(provider, &complete_draft()));
        for c in &mut e.certificates {
            c.provider = provider;
            c.period = ValidityPeriod { from: d(2020, 1, 1), until: d(2035, 12, 31) };
            c.verification.as_mut().unwrap().at = from - Duration::days(1);
        }
        e.accreditations[0].period = ValidityPeriod { from: d(2020, 1, 1), until: d(2035, 12, 31) };
        e.accreditations[0].granted_at = from - Duration::days(2);
        e.certifications[0].provider = provider;
        e.certifications[0].scope = FamilyScope::of([ServiceFamily::Cloud, ServiceFamily::DataCenter]).unwrap();
        e.certifications[0].period = ValidityPeriod { from: day, until: day + chrono::Days::new(180) };
        e.certifications[0].decided_at = from;
        e
    }

    fn codes(e: &ListingEvidence, at: DateTime<Utc>) -> Vec<&'static str> {
        decide(e, ServiceFamily::Cloud, at).reasons.iter().map(NotListedReason::code).collect()
    }

    #[test]
    fn gsi_12_2_listed_when_every_condition_holds() {
        let e = complete();
        assert!(decide(&e, ServiceFamily::Cloud, now()).listed());
        // Data center: certificates cover it, the certification does not.
        assert_eq!(decide(&e, ServiceFamily::DataCenter, now()).reasons, [NotListedReason::NotCertified]);
        // Network: not offered, no certificate covers it, not certified.
        assert_eq!(
            decide(&e, ServiceFamily::Network, now()).reasons.iter().map(NotListedReason::code).collect::<Vec<_>>(),
            [
                "family_not_offered",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "not_certified"
            ]
        );
    }

    #[test]
    fn gsi_6_1_no_profile_is_its_own_reason() {
        let mut e = complete();
        e.profile = None;
        assert_eq!(codes(&e, now()), ["no_profile"]);
    }

    #[test]
    fn gsi_6_2_family_not_offered_is_its_own_reason() {
        let mut e = complete();
        let mut draft = complete_draft();
        draft.families = vec!["data_center".into()];
        e.profile = Some(profile_of(provider(), &draft));
        assert_eq!(codes(&e, now()), ["family_not_offered"]);
    }

    #[test]
    fn gsi_6_4_each_missing_unverified_or_out_of_scope_certificate_is_its_own_reason() {
        for standard in IsoStandard::ALL {
            let mut e = complete();
            e.certificates.retain(|c| c.standard != *standard);
            assert_eq!(
                decide(&e, ServiceFamily::Cloud, now()).reasons,
                [NotListedReason::IsoCertificateMissing(*standard)]
            );
            let mut unverified = complete();
            for c in unverified.certificates.iter_mut().filter(|c| c.standard == *standard) {
                c.verification = None;
            }
            assert_eq!(codes(&unverified, now()), ["iso_certificate_missing"], "unverified {standard}");
            let mut out_of_scope = complete();
            for c in out_of_scope.certificates.iter_mut().filter(|c| c.standard == *standard) {
                c.scope = FamilyScope::of([ServiceFamily::DataCenter]).unwrap();
            }
            assert_eq!(codes(&out_of_scope, now()), ["iso_certificate_missing"], "scope {standard}");
        }
        // Verified later than `at`: does not count yet.
        let mut e = complete();
        e.certificates[0].verification.as_mut().unwrap().at = now() + Duration::hours(1);
        assert_eq!(codes(&e, now()), ["iso_certificate_missing"]);
        assert!(decide(&e, ServiceFamily::Cloud, now() + Duration::hours(1)).listed());
    }

    #[test]
    fn gsi_6_4_iso_27001_expires_at_the_end_of_the_bangkok_day() {
        let e = complete(); // ISO 27001 valid until 2027-03-31
        let lapse = Utc.with_ymd_and_hms(2027, 3, 31, 17, 0, 0).unwrap(); // 2027-04-01 00:00 in Bangkok
        assert!(decide(&e, ServiceFamily::Cloud, lapse - Duration::microseconds(1)).listed());
        let after = decide(&e, ServiceFamily::Cloud, lapse);
        assert_eq!(
            after.reasons,
            [NotListedReason::IsoCertificateExpired(
                IsoStandard::Iso27001,
                ValidityPeriod { from: d(2026, 6, 1), until: d(2027, 3, 31) }
            )]
        );
        assert!(after.reasons[0].message().contains("2027-03-31"));
        // The change log dates the lapse at that instant, whenever it is computed.
        let changes = changes_between(&e, &[], None, lapse + Duration::days(40));
        let cloud: Vec<(bool, DateTime<Utc>)> =
            changes.iter().filter(|c| c.family == ServiceFamily::Cloud).map(|c| (c.listed, c.effective_at)).collect();
        assert_eq!(cloud, [(true, start() + Duration::hours(1)), (false, lapse)]);
        assert_eq!(changes.last().unwrap().reasons[0].code(), "iso_certificate_expired");
        // Computed in two steps, the result is the same.
        let first = changes_between(&e, &[], None, lapse - Duration::days(1));
        let rest = changes_between(
            &e,
            &[(ServiceFamily::Cloud, true)],
            Some(lapse - Duration::days(1)),
            lapse + Duration::days(40),
        );
        assert_eq!([first, rest].concat(), changes);
    }

    #[test]
    fn gsi_6_4_a_certificate_not_yet_valid_is_its_own_reason() {
        let mut e = complete();
        e.certificates[1].period = ValidityPeriod { from: d(2027, 6, 1), until: d(2028, 5, 31) };
        assert_eq!(codes(&e, now()), ["iso_certificate_not_yet_valid"]);
    }

    #[test]
    fn gsi_11_3_certification_missing_expired_or_by_an_unaccredited_assessor() {
        let mut e = complete();
        e.certifications.clear();
        assert_eq!(codes(&e, now()), ["not_certified"]);
        let e = complete();
        let after = Utc.with_ymd_and_hms(2028, 1, 4, 17, 0, 0).unwrap();
        // The certification lapses at the end of 2028-01-04 in Bangkok; the ISO 27001 earlier.
        assert_eq!(codes(&e, after), ["iso_certificate_expired", "certification_expired"]);
        // Certified by an assessor not accredited for the family on the decision date.
        let mut e = complete();
        e.accreditations[0].scope = FamilyScope::of([ServiceFamily::DataCenter]).unwrap();
        assert_eq!(codes(&e, now()), ["not_certified"]);
        let mut e = complete();
        e.accreditations[0].withdrawal = Some(Withdrawal {
            at: start(),
            reason: BoundedText::parse("reason", "withdrawn", 100).unwrap(),
            by: who(),
        });
        assert_eq!(codes(&e, now()), ["not_certified"]);
        // Withdrawn after the certification: the certification stands.
        e.accreditations[0].withdrawal.as_mut().unwrap().at = now();
        assert!(decide(&e, ServiceFamily::Cloud, now()).listed());
    }

    #[test]
    fn gsi_7_4_each_missing_channel_is_its_own_reason() {
        let mut e = complete();
        let mut draft = complete_draft();
        draft.support.phone = None;
        draft.support.email = None;
        e.profile = Some(profile_of(provider(), &draft));
        assert_eq!(codes(&e, now()), ["missing_support_phone", "missing_support_email"]);
    }

    #[test]
    fn gsi_12_3_gix_suspension_overrides_with_its_reason() {
        let mut e = complete();
        let suspended_at = now() - Duration::days(1);
        e.overrides.push(ListingEntry {
            provider: provider(),
            family: ServiceFamily::Cloud,
            action: ListingAction::Suspend,
            status: ListingStatus::Suspended,
            reason: BoundedText::parse("reason", "certificate under review", 100).unwrap(),
            actor: who(),
            effective_at: suspended_at,
            recorded_at: suspended_at,
        });
        let decision = decide(&e, ServiceFamily::Cloud, now());
        assert_eq!(decision.reasons.iter().map(NotListedReason::code).collect::<Vec<_>>(), ["suspended_by_gix"]);
        assert!(decision.reasons[0].message().contains("certificate under review"));
        assert!(decide(&e, ServiceFamily::Cloud, suspended_at - Duration::microseconds(1)).listed());
        let changes = changes_between(&e, &[(ServiceFamily::Cloud, true)], Some(now() - Duration::days(5)), now());
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].effective_at, suspended_at);
    }

    #[test]
    fn gsi_12_2_every_missing_condition_at_once() {
        let e = ListingEvidence {
            provider: provider(),
            profile: None,
            certificates: vec![],
            certifications: vec![],
            accreditations: vec![],
            overrides: vec![],
        };
        assert_eq!(
            codes(&e, now()),
            [
                "no_profile",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "iso_certificate_missing",
                "not_certified"
            ]
        );
    }

    /// The log written at `synced_until`, as `sync` writes it: the state there and the horizon.
    fn logged(e: &ListingEvidence, synced_until: DateTime<Utc>) -> LoggedListing {
        let mut last_state: Vec<(ServiceFamily, bool)> = ServiceFamily::ALL.iter().map(|f| (*f, false)).collect();
        for change in changes_between(e, &[], None, synced_until) {
            if let Some(entry) = last_state.iter_mut().find(|(f, _)| *f == change.family) {
                entry.1 = change.listed;
            }
        }
        let horizon = next_breakpoint_after(e, synced_until).map_or(Horizon::Open, Horizon::Until);
        LoggedListing { synced_until, horizon: Some(horizon), last_state }
    }

    #[test]
    fn gsi_13_1_the_written_log_answers_like_the_evidence_until_its_horizon() {
        let e = complete();
        let synced = now();
        let log = logged(&e, synced);
        // ISO/IEC 27001 lapses at the end of 31 March 2027, Bangkok time: the next breakpoint.
        let lapse = crate::governance::period::bangkok_day_start(d(2027, 4, 1));
        assert_eq!(log.horizon, Some(Horizon::Until(lapse)));
        let mut at = synced;
        while at < lapse {
            for family in ServiceFamily::ALL {
                assert_eq!(log.listed_at(*family, at), Some(decide(&e, *family, at).listed()), "{family:?} at {at}");
            }
            at += Duration::hours(7);
        }
        assert_eq!(log.listed_at(ServiceFamily::Cloud, lapse - Duration::microseconds(1)), Some(true));
        // At the horizon, before the log's end, or without a known horizon: the evidence decides.
        assert_eq!(log.listed_at(ServiceFamily::Cloud, lapse), None);
        assert_eq!(log.listed_at(ServiceFamily::Cloud, synced - Duration::microseconds(1)), None);
        assert_eq!(LoggedListing { horizon: None, ..log.clone() }.listed_at(ServiceFamily::Cloud, synced), None);
        assert!(!decide(&e, ServiceFamily::Cloud, lapse).listed());
    }

    #[test]
    fn gsi_13_1_an_open_horizon_holds_for_ever() {
        let mut e = complete();
        e.certificates.clear();
        e.certifications.clear();
        let log = logged(&e, now());
        assert_eq!(log.horizon, Some(Horizon::Open));
        assert_eq!(log.listed_at(ServiceFamily::Cloud, now() + Duration::days(3650)), Some(false));
        assert_eq!(next_breakpoint_after(&complete(), start() + Duration::days(5000)), None);
    }
}
