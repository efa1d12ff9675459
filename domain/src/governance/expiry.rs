//! The expiry watch: what lapses within a window, so that nobody is delisted by surprise.

use chrono::{DateTime, NaiveDate, Utc};

use super::accreditation::Accreditation;
use super::assessment::Certification;
use super::certificate::IsoCertificate;
use super::period::bangkok_date;
use super::personnel::StaffMember;
use crate::ids::OrganisationId;
use crate::service::vocabulary;
use uuid::Uuid;

vocabulary!(
    WatchedKind, "watched item" {
        IsoCertificate => "iso_certificate",
        Certification => "certification",
        SurveillanceDue => "surveillance_due",
        Accreditation => "accreditation",
        StaffCertification => "staff_certification",
    }
);

/// One thing that lapses (its last valid Bangkok day is `last_day`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lapsing {
    pub kind: WatchedKind,
    pub id: Uuid,
    /// The provider or assessor it belongs to.
    pub organisation: OrganisationId,
    pub label: String,
    pub last_day: NaiveDate,
    /// Whole days from today (Bangkok) to `last_day`; 0 means it lapses tonight.
    pub days_left: i64,
}

/// The windows the watch offers (days).
pub const WINDOWS: [u32; 3] = [30, 60, 90];

fn within(last_day: NaiveDate, now: DateTime<Utc>, days: u32) -> Option<i64> {
    let left = (last_day - bangkok_date(now)).num_days();
    (0..=i64::from(days)).contains(&left).then_some(left)
}

/// Everything that lapses within `days` of `now`, soonest first. Only what still counts is
/// watched: verified certificates, accreditations not withdrawn.
pub fn lapsing_within(
    certificates: &[IsoCertificate],
    certifications: &[Certification],
    accreditations: &[Accreditation],
    staff: &[StaffMember],
    now: DateTime<Utc>,
    days: u32,
) -> Vec<Lapsing> {
    let mut items = Vec::new();
    for c in certificates.iter().filter(|c| c.verification.is_some()) {
        if let Some(left) = within(c.period.until, now, days) {
            items.push(Lapsing {
                kind: WatchedKind::IsoCertificate,
                id: c.id.as_uuid(),
                organisation: c.provider,
                label: format!("{} certificate {}", c.standard.title(), c.number.as_str()),
                last_day: c.period.until,
                days_left: left,
            });
        }
    }
    for c in certifications {
        let families = c.scope.names().join(", ");
        if let Some(left) = within(c.period.until, now, days) {
            items.push(Lapsing {
                kind: WatchedKind::Certification,
                id: c.id.as_uuid(),
                organisation: c.provider,
                label: format!("certification for {families}"),
                last_day: c.period.until,
                days_left: left,
            });
        }
        if let Some(left) = within(c.surveillance_due(), now, days) {
            items.push(Lapsing {
                kind: WatchedKind::SurveillanceDue,
                id: c.id.as_uuid(),
                organisation: c.provider,
                label: format!("surveillance assessment due for {families} (GSI-11.1)"),
                last_day: c.surveillance_due(),
                days_left: left,
            });
        }
    }
    for a in accreditations.iter().filter(|a| a.withdrawal.is_none()) {
        if let Some(left) = within(a.period.until, now, days) {
            items.push(Lapsing {
                kind: WatchedKind::Accreditation,
                id: a.id.as_uuid(),
                organisation: a.assessor,
                label: format!("accreditation for {}", a.scope.names().join(", ")),
                last_day: a.period.until,
                days_left: left,
            });
        }
    }
    for member in staff {
        for c in &member.certifications {
            if let Some(left) = within(c.expires_on, now, days) {
                items.push(Lapsing {
                    kind: WatchedKind::StaffCertification,
                    id: member.id.as_uuid(),
                    organisation: member.provider,
                    label: format!(
                        "{} ({}): {} certification {} (GSI-9.1)",
                        member.display_name.as_str(),
                        member.staff_ref.as_str(),
                        c.area,
                        c.name.as_str()
                    ),
                    last_day: c.expires_on,
                    days_left: left,
                });
            }
        }
    }
    items.sort_by_key(|i| (i.last_day, i.kind, i.id));
    items
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::governance::assessment::Certification;
    use crate::governance::period::{FamilyScope, ValidityPeriod};
    use crate::ids::Id;
    use crate::service::ServiceFamily;
    use chrono::TimeZone;

    #[test]
    fn expiry_watch_lists_what_lapses_within_the_window_soonest_first() {
        let now = Utc.with_ymd_and_hms(2027, 3, 10, 18, 0, 0).unwrap(); // 11 March in Bangkok
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let certification = |n: u128, until| Certification {
            id: Id::from_uuid(Uuid::from_u128(n)),
            provider: OrganisationId::from_uuid(Uuid::from_u128(0x70)),
            assessor: OrganisationId::from_uuid(Uuid::from_u128(0xA5)),
            assessment: Id::from_uuid(Uuid::from_u128(n)),
            scope: FamilyScope::of([ServiceFamily::Cloud]).unwrap(),
            period: ValidityPeriod { from: d(1, 1), until },
            decided_at: now,
        };
        let items = lapsing_within(
            &[],
            &[certification(1, d(4, 9)), certification(2, d(3, 11)), certification(3, d(3, 10))],
            &[],
            &[],
            now,
            30,
        );
        let seen: Vec<(WatchedKind, i64)> = items.iter().map(|i| (i.kind, i.days_left)).collect();
        assert_eq!(
            seen,
            [
                (WatchedKind::Certification, 0),
                (WatchedKind::SurveillanceDue, 0),
                (WatchedKind::Certification, 29),
                (WatchedKind::SurveillanceDue, 29),
            ],
            "already lapsed (10 March) is not watched; 11 March lapses tonight"
        );
        assert_eq!(lapsing_within(&[], &[certification(1, d(4, 9))], &[], &[], now, 60).len(), 2);
    }
}
