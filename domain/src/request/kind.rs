//! What an agency asks for: the five kinds of request of GSI-7.5.5–7.5.7 and their payloads.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{AddonRef, NOTE_MAX, OfferingRef, Quantities, SubscriptionRef};
use crate::money::Quantity;
use crate::service::{Metric, vocabulary};
use crate::text::BoundedText;
use crate::time::to_storage_precision;
use crate::validation::ValidationErrors;

vocabulary!(
    /// The kinds of request the self-service system takes.
    RequestKind, "request kind" {
        /// GSI-7.5.5: subscribe to an offering.
        NewService => "new_service",
        /// GSI-7.5.5: add an add-on to a subscription.
        AddAddon => "add_addon",
        /// GSI-7.5.6: resize a subscription (bandwidth, vCPU, RAM, storage…).
        Change => "change",
        /// GSI-7.5.7: end a subscription.
        Cancel => "cancel",
        /// GSI-7.5.7: remove an add-on from a subscription.
        CancelAddon => "cancel_addon",
    }
);

impl RequestKind {
    /// Whether the request acts on an existing subscription (and so counts towards the one
    /// open request per subscription).
    pub const fn targets_subscription(self) -> bool {
        match self {
            RequestKind::NewService => false,
            RequestKind::AddAddon | RequestKind::Change | RequestKind::Cancel | RequestKind::CancelAddon => true,
        }
    }

    /// Whether the request buys something new, which GSI-13.1 allows only from listed
    /// providers. Changes and cancellations of what is already in use stay possible, so an
    /// agency can always leave a provider that dropped off the list.
    pub const fn buys_new_service(self) -> bool {
        match self {
            RequestKind::NewService | RequestKind::AddAddon => true,
            RequestKind::Change | RequestKind::Cancel | RequestKind::CancelAddon => false,
        }
    }

    /// Whether the request ends something, and so may carry an agreed end instant.
    pub const fn ends_service(self) -> bool {
        match self {
            RequestKind::Cancel | RequestKind::CancelAddon => true,
            RequestKind::NewService | RequestKind::AddAddon | RequestKind::Change => false,
        }
    }
}

/// A parsed request payload. Quantities are the sizes wanted *after* the request (not
/// increments): a change from 100 to 300 Mbps asks for `mbps_month: 300`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestPayload {
    NewService {
        offering: OfferingRef,
        /// At least one resource.
        quantities: Quantities,
    },
    AddAddon {
        subscription: SubscriptionRef,
        addon: AddonRef,
        /// The add-on's size, when it has one (backup GB); may be empty.
        quantities: Quantities,
    },
    Change {
        subscription: SubscriptionRef,
        /// The resources to resize, at least one; resources not named keep their size.
        quantities: Quantities,
    },
    Cancel {
        subscription: SubscriptionRef,
        /// When the agency wants the service to end; `None`: as soon as it is carried out.
        end_at: Option<DateTime<Utc>>,
    },
    CancelAddon {
        subscription: SubscriptionRef,
        addon: AddonRef,
        end_at: Option<DateTime<Utc>>,
    },
}

impl RequestPayload {
    pub fn kind(&self) -> RequestKind {
        match self {
            RequestPayload::NewService { .. } => RequestKind::NewService,
            RequestPayload::AddAddon { .. } => RequestKind::AddAddon,
            RequestPayload::Change { .. } => RequestKind::Change,
            RequestPayload::Cancel { .. } => RequestKind::Cancel,
            RequestPayload::CancelAddon { .. } => RequestKind::CancelAddon,
        }
    }

    pub fn subscription(&self) -> Option<SubscriptionRef> {
        match self {
            RequestPayload::NewService { .. } => None,
            RequestPayload::AddAddon { subscription, .. }
            | RequestPayload::Change { subscription, .. }
            | RequestPayload::Cancel { subscription, .. }
            | RequestPayload::CancelAddon { subscription, .. } => Some(*subscription),
        }
    }

    /// The quantities named in the request; empty for cancellations.
    pub fn named_quantities(&self) -> Quantities {
        match self {
            RequestPayload::NewService { quantities, .. }
            | RequestPayload::AddAddon { quantities, .. }
            | RequestPayload::Change { quantities, .. } => quantities.clone(),
            RequestPayload::Cancel { .. } | RequestPayload::CancelAddon { .. } => Quantities::new(),
        }
    }

    /// What is asked for, given what is in use now: a cancellation asks for zero of
    /// everything; the other kinds ask for what they name.
    pub fn requested_quantities(&self, current: &Quantities) -> Quantities {
        match self {
            RequestPayload::NewService { quantities, .. }
            | RequestPayload::AddAddon { quantities, .. }
            | RequestPayload::Change { quantities, .. } => quantities.clone(),
            RequestPayload::Cancel { .. } | RequestPayload::CancelAddon { .. } => {
                current.keys().map(|metric| (*metric, Quantity::ZERO)).collect()
            }
        }
    }
}

/// Unparsed input, as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct ServiceRequestDraft {
    pub kind: String,
    pub subscription_id: Option<String>,
    pub offering_id: Option<String>,
    pub addon_id: Option<String>,
    /// Metric wire name → decimal amount, e.g. `{"mbps_month": "300"}`.
    pub quantities: BTreeMap<String, String>,
    pub end_at: Option<DateTime<Utc>>,
    /// The agency's explanation for the provider.
    pub note: Option<String>,
}

/// A parsed request, ready to preview or submit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewServiceRequest {
    pub payload: RequestPayload,
    pub note: Option<BoundedText>,
}

impl NewServiceRequest {
    /// Parses a draft; every failing field is reported. Rules: each kind names exactly the
    /// ids it needs (`new_service` an offering; the others a subscription; add-on kinds an
    /// add-on too) and no others; `new_service` and `change` name at least one quantity,
    /// cancellations none; quantities are known metrics with non-negative amounts; only
    /// cancellations carry `end_at`, which must not be in the past.
    pub fn parse(draft: &ServiceRequestDraft, now: DateTime<Utc>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let kind = match draft.kind.parse::<RequestKind>() {
            Ok(kind) => Some(kind),
            Err(e) => {
                errors.add("kind", "invalid_choice", e.to_string());
                None
            }
        };
        let quantities = errors.collect(parse_quantities("quantities", &draft.quantities));
        let note = errors.collect(BoundedText::parse_optional("note", draft.note.as_deref(), NOTE_MAX));
        let Some(kind) = kind else {
            return Err(errors);
        };

        let needs_offering = kind == RequestKind::NewService;
        let needs_subscription = kind.targets_subscription();
        let needs_addon = matches!(kind, RequestKind::AddAddon | RequestKind::CancelAddon);
        let offering = id_field(&mut errors, "offering_id", draft.offering_id.as_deref(), needs_offering, kind);
        let subscription =
            id_field(&mut errors, "subscription_id", draft.subscription_id.as_deref(), needs_subscription, kind);
        let addon = id_field(&mut errors, "addon_id", draft.addon_id.as_deref(), needs_addon, kind);

        match kind {
            RequestKind::NewService | RequestKind::Change if draft.quantities.is_empty() => {
                errors.add("quantities", "required", format!("a {kind} request must name at least one resource"));
            }
            RequestKind::Cancel | RequestKind::CancelAddon if !draft.quantities.is_empty() => {
                errors.add(
                    "quantities",
                    "not_allowed",
                    format!("a {kind} request ends the service and names no quantities"),
                );
            }
            RequestKind::NewService
            | RequestKind::AddAddon
            | RequestKind::Change
            | RequestKind::Cancel
            | RequestKind::CancelAddon => {}
        }

        let end_at = draft.end_at.map(to_storage_precision);
        match end_at {
            Some(_) if !kind.ends_service() => {
                errors.add("end_at", "not_allowed", "only a cancellation carries an end date")
            }
            Some(end) if end < now => {
                errors.add("end_at", "in_past", format!("must not be in the past (got {end}, now {now})"))
            }
            Some(_) | None => {}
        }

        errors.finish(|| {
            let quantities = quantities?;
            let payload = match kind {
                RequestKind::NewService => RequestPayload::NewService { offering: offering?.into(), quantities },
                RequestKind::AddAddon => {
                    RequestPayload::AddAddon { subscription: subscription?.into(), addon: addon?.into(), quantities }
                }
                RequestKind::Change => RequestPayload::Change { subscription: subscription?.into(), quantities },
                RequestKind::Cancel => RequestPayload::Cancel { subscription: subscription?.into(), end_at },
                RequestKind::CancelAddon => {
                    RequestPayload::CancelAddon { subscription: subscription?.into(), addon: addon?.into(), end_at }
                }
            };
            Some(NewServiceRequest { payload, note: note? })
        })
    }
}

/// Parses an id field that `kind` either needs or must not have.
fn id_field(
    errors: &mut ValidationErrors,
    field: &str,
    raw: Option<&str>,
    needed: bool,
    kind: RequestKind,
) -> Option<uuid::Uuid> {
    match (raw, needed) {
        (Some(raw), true) => match uuid::Uuid::parse_str(raw.trim()) {
            Ok(id) => Some(id),
            Err(_) => {
                errors.add(field, "invalid_id", format!("`{raw}` is not a UUID"));
                None
            }
        },
        (None, true) => {
            errors.add(field, "required", format!("a {kind} request must name its {}", field_subject(field)));
            None
        }
        (Some(_), false) => {
            errors.add(field, "not_allowed", format!("a {kind} request names no {}", field_subject(field)));
            None
        }
        (None, false) => None,
    }
}

fn field_subject(field: &str) -> &str {
    field.strip_suffix("_id").unwrap_or(field)
}

/// Parses `{"metric": "amount"}` into quantities, reporting each bad entry at
/// `<field>.<metric>`. Amounts are sizes: non-negative, at most 6 decimal places.
pub fn parse_quantities(field: &str, raw: &BTreeMap<String, String>) -> Result<Quantities, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let mut quantities = Quantities::new();
    for (key, amount) in raw {
        let path = format!("{field}.{key}");
        let metric = match key.parse::<Metric>() {
            Ok(metric) => Some(metric),
            Err(e) => {
                errors.add(path.clone(), "invalid_choice", e.to_string());
                None
            }
        };
        let quantity = match Quantity::parse_non_negative(amount) {
            Ok(q) => Some(q),
            Err(e) => {
                errors.add(path, "invalid_quantity", e.to_string());
                None
            }
        };
        if let (Some(metric), Some(quantity)) = (metric, quantity) {
            quantities.insert(metric, quantity);
        }
    }
    errors.finish(|| Some(quantities))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const SUB: &str = "0190f5c2-0000-7000-8000-00000000000a";
    const OFFERING: &str = "0190f5c2-0000-7000-8000-00000000000b";
    const ADDON: &str = "0190f5c2-0000-7000-8000-00000000000c";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap()
    }

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    fn draft(kind: &str) -> ServiceRequestDraft {
        ServiceRequestDraft { kind: kind.into(), ..ServiceRequestDraft::default() }
    }

    fn fields(errors: &ValidationErrors) -> Vec<(&str, &str)> {
        errors.errors().iter().map(|e| (e.field.as_str(), e.code)).collect()
    }

    #[test]
    fn gsi_7_5_6_change_parses_resulting_sizes() {
        let mut d = draft("change");
        d.subscription_id = Some(SUB.into());
        d.quantities = BTreeMap::from([("mbps_month".into(), "300".into())]);
        d.note = Some(" more bandwidth for e-services ".into());
        let parsed = NewServiceRequest::parse(&d, now()).unwrap();
        assert_eq!(parsed.payload.kind(), RequestKind::Change);
        assert_eq!(parsed.payload.subscription(), Some(SUB.parse().unwrap()));
        assert_eq!(parsed.payload.named_quantities(), Quantities::from([(Metric::MbpsMonth, q("300"))]));
        assert_eq!(parsed.note.unwrap().as_str(), "more bandwidth for e-services");
    }

    #[test]
    fn gsi_7_5_5_new_service_and_add_on_name_what_they_buy() {
        let mut d = draft("new_service");
        d.offering_id = Some(OFFERING.into());
        d.quantities = BTreeMap::from([("vcpu_hour".into(), "4".into()), ("ram_gb_hour".into(), "16".into())]);
        let parsed = NewServiceRequest::parse(&d, now()).unwrap();
        assert_eq!(
            parsed.payload,
            RequestPayload::NewService {
                offering: OFFERING.parse().unwrap(),
                quantities: Quantities::from([(Metric::VcpuHour, q("4")), (Metric::RamGbHour, q("16"))]),
            }
        );

        let mut d = draft("add_addon");
        d.subscription_id = Some(SUB.into());
        d.addon_id = Some(ADDON.into());
        let parsed = NewServiceRequest::parse(&d, now()).unwrap();
        assert_eq!(parsed.payload.kind(), RequestKind::AddAddon);
        assert!(parsed.payload.named_quantities().is_empty(), "an unsized add-on is allowed");
    }

    #[test]
    fn gsi_7_5_7_cancellations_ask_for_zero_of_everything() {
        let mut d = draft("cancel");
        d.subscription_id = Some(SUB.into());
        d.end_at = Some(now() + chrono::Duration::days(30));
        let parsed = NewServiceRequest::parse(&d, now()).unwrap();
        let current = Quantities::from([(Metric::MbpsMonth, q("100")), (Metric::PublicIpMonth, q("2"))]);
        assert_eq!(
            parsed.payload.requested_quantities(&current),
            Quantities::from([(Metric::MbpsMonth, Quantity::ZERO), (Metric::PublicIpMonth, Quantity::ZERO)])
        );
        assert_eq!(
            parsed.payload,
            RequestPayload::Cancel {
                subscription: SUB.parse().unwrap(),
                end_at: Some(now() + chrono::Duration::days(30)),
            }
        );
    }

    #[test]
    fn end_at_now_is_accepted_and_a_moment_before_is_refused() {
        let mut d = draft("cancel_addon");
        d.subscription_id = Some(SUB.into());
        d.addon_id = Some(ADDON.into());
        d.end_at = Some(now());
        assert!(NewServiceRequest::parse(&d, now()).is_ok());
        d.end_at = Some(now() - chrono::Duration::seconds(1));
        let errors = NewServiceRequest::parse(&d, now()).unwrap_err();
        assert_eq!(fields(&errors), [("end_at", "in_past")]);
    }

    #[test]
    fn names_every_failing_field() {
        let mut d = draft("change");
        d.offering_id = Some(OFFERING.into());
        d.subscription_id = Some("not-a-uuid".into());
        d.quantities = BTreeMap::from([
            ("mbps_month".into(), "-5".into()),
            ("teleport_hour".into(), "1".into()),
            ("vcpu_hour".into(), "1.0000001".into()),
        ]);
        d.end_at = Some(now());
        d.note = Some("x".repeat(NOTE_MAX + 1));
        let errors = NewServiceRequest::parse(&d, now()).unwrap_err();
        assert_eq!(
            fields(&errors),
            [
                ("quantities.mbps_month", "invalid_quantity"),
                ("quantities.teleport_hour", "invalid_choice"),
                ("quantities.vcpu_hour", "invalid_quantity"),
                ("note", "too_long"),
                ("offering_id", "not_allowed"),
                ("subscription_id", "invalid_id"),
                ("end_at", "not_allowed"),
            ]
        );
    }

    #[test]
    fn each_kind_requires_its_ids_and_quantities() {
        let errors = NewServiceRequest::parse(&draft("new_service"), now()).unwrap_err();
        assert_eq!(fields(&errors), [("offering_id", "required"), ("quantities", "required")]);
        let errors = NewServiceRequest::parse(&draft("cancel_addon"), now()).unwrap_err();
        assert_eq!(fields(&errors), [("subscription_id", "required"), ("addon_id", "required")]);
        let mut d = draft("cancel");
        d.subscription_id = Some(SUB.into());
        d.quantities = BTreeMap::from([("mbps_month".into(), "0".into())]);
        let errors = NewServiceRequest::parse(&d, now()).unwrap_err();
        assert_eq!(fields(&errors), [("quantities", "not_allowed")]);
        let errors = NewServiceRequest::parse(&draft("upgrade"), now()).unwrap_err();
        assert_eq!(fields(&errors), [("kind", "invalid_choice")]);
    }

    #[test]
    fn kinds_classify_themselves() {
        assert!(!RequestKind::NewService.targets_subscription());
        assert!(RequestKind::CancelAddon.targets_subscription());
        assert!(RequestKind::AddAddon.buys_new_service());
        assert!(!RequestKind::Change.buys_new_service());
        assert!(RequestKind::Cancel.ends_service());
        assert!(!RequestKind::AddAddon.ends_service());
        for kind in RequestKind::ALL {
            assert_eq!(kind.as_str().parse::<RequestKind>().unwrap(), *kind);
        }
    }
}
