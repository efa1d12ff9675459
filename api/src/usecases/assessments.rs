//! Governance evidence (GSI-6.4, 11.1-11.4, 12.1): accreditations by GIX, ISO certificates
//! by providers and their verification by assessors, assessments with clause-level findings,
//! decisions and certifications. Every change runs in the caller's write transaction with its
//! audit event, and writes the provider list's change log up to now (`governance::sync`).

use chrono::NaiveDate;
use gsi_domain::governance::access;
use gsi_domain::governance::accreditation::{self, Accreditation, AccreditationDraft, AccreditationId};
use gsi_domain::governance::assessment::{
    self, Assessment, AssessmentDraft, AssessmentId, Certification, DecisionDraft, DecisionRefused, Finding,
    FindingDraft,
};
use gsi_domain::governance::certificate::{self, CertificateDraft, CertificateId, IsoCertificate};
use gsi_domain::governance::expiry::{self, Lapsing};
use gsi_domain::governance::period::FamilyScope;
use gsi_domain::org::OrganisationKind;
use gsi_domain::role::Role;
use gsi_domain::{Id, OrganisationId, ValidationErrors};
use gsi_persistence::DbConnection;
use gsi_persistence::repos::governance as repo;
use gsi_persistence::repos::organisations;

use super::provider_profiles::provider_organisation;
use gsi_domain::events::{Audience, EventType, ResourceRef};

use super::{Change, Context, audit, events, governance};
use crate::error::ApiError;

fn invalid(field: &str, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::Validation(ValidationErrors::single(field, code, message))
}

// ---- accreditations (GSI-12.1) -------------------------------------------------------------

pub fn accredit(
    conn: &mut DbConnection,
    ctx: &Context,
    assessor: OrganisationId,
    draft: &AccreditationDraft,
) -> Result<Accreditation, ApiError> {
    if !access::may_accredit(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers accredit assessors (GSI-12.1)".into()));
    }
    if !organisations::find(conn, assessor)?.is_some_and(|o| o.kind == OrganisationKind::Assessor) {
        return Err(invalid(
            "assessor_id",
            "not_an_assessor",
            format!("no assessor organisation {assessor} is registered"),
        ));
    }
    let a = Accreditation::grant(Id::new_v7(ctx.now), assessor, draft, ctx.actor.subject.clone(), ctx.now)
        .map_err(ApiError::Validation)?;
    repo::insert_accreditation(conn, &a)?;
    audit(
        conn,
        ctx,
        Change {
            action: "accreditation.granted",
            resource_type: "accreditation",
            resource_id: a.id.to_string(),
            owner: Some(assessor),
            changes: serde_json::json!({"families": a.scope.names(), "valid_from": a.period.from, "valid_until": a.period.until}),
        },
    )?;
    Ok(a)
}

pub fn withdraw_accreditation(
    conn: &mut DbConnection,
    ctx: &Context,
    id: AccreditationId,
    reason: &str,
) -> Result<Accreditation, ApiError> {
    if !access::may_accredit(&ctx.actor) {
        return Err(ApiError::Forbidden("only GIX officers withdraw accreditations (GSI-12.1)".into()));
    }
    let current = repo::find_accreditation(conn, id)?.ok_or(ApiError::NotFound("accreditation"))?;
    let w = accreditation::withdraw(&current, reason, ctx.actor.subject.clone(), ctx.now).map_err(|e| {
        if e.errors().iter().any(|f| f.code == "already_withdrawn") {
            ApiError::Conflict(e.to_string())
        } else {
            ApiError::Validation(e)
        }
    })?;
    if !repo::withdraw_accreditation(conn, id, &w)? {
        return Err(ApiError::Conflict("the accreditation was withdrawn meanwhile".into()));
    }
    audit(
        conn,
        ctx,
        Change {
            action: "accreditation.withdrawn",
            resource_type: "accreditation",
            resource_id: id.to_string(),
            owner: Some(current.assessor),
            changes: serde_json::json!({"reason": w.reason.as_str()}),
        },
    )?;
    Ok(Accreditation { withdrawal: Some(w), ..current })
}

pub fn list_accreditations(
    conn: &mut DbConnection,
    ctx: &Context,
    assessor: Option<OrganisationId>,
) -> Result<Vec<Accreditation>, ApiError> {
    if !access::may_read_accreditations(&ctx.actor) {
        return Err(ApiError::Forbidden("this role may not read accreditations".into()));
    }
    let only = assessor.map(|a| vec![a]);
    Ok(repo::accreditations(conn, only.as_deref())?)
}

/// GSI-12.1: the caller's organisation must be an assessor accredited now, on `day`, for
/// every family of `scope`; the refusal names the reason (422 on `assessor`).
fn require_accredited(
    conn: &mut DbConnection,
    ctx: &Context,
    scope: &FamilyScope,
    day: NaiveDate,
) -> Result<Accreditation, ApiError> {
    if ctx.actor.role != Role::Assessor {
        return Err(ApiError::Forbidden("only assessors do this (GSI-11.2, 12.1)".into()));
    }
    let all = repo::accreditations(conn, Some(&[ctx.actor.organisation]))?;
    accreditation::check_accredited(&all, ctx.actor.organisation, scope, day, ctx.now)
        .cloned()
        .map_err(|refused| invalid("assessor", refused.code(), refused.to_string()))
}

// ---- ISO certificates (GSI-6.4) ------------------------------------------------------------

pub fn record_certificate(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
    draft: &CertificateDraft,
) -> Result<IsoCertificate, ApiError> {
    if !access::may_read_certificates(&ctx.actor, provider) {
        return Err(ApiError::NotFound("provider"));
    }
    if !access::may_record_certificate(&ctx.actor, provider) {
        return Err(ApiError::Forbidden("only the provider's own operators record its certificates (GSI-6.4)".into()));
    }
    provider_organisation(conn, provider, "provider")?;
    let c = IsoCertificate::parse(Id::new_v7(ctx.now), provider, draft, ctx.now).map_err(ApiError::Validation)?;
    match repo::insert_certificate(conn, &c) {
        Ok(()) => {}
        Err(gsi_persistence::StoreError::UniqueViolation(_)) => {
            return Err(invalid(
                "number",
                "duplicate",
                "this provider already recorded that certificate number for the standard and issuing body",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        conn,
        ctx,
        Change {
            action: "iso_certificate.recorded",
            resource_type: "iso_certificate",
            resource_id: c.id.to_string(),
            owner: Some(provider),
            changes: serde_json::json!({"standard": c.standard.as_str(), "number": c.number.as_str(), "valid_until": c.period.until}),
        },
    )?;
    Ok(c)
}

pub fn verify_certificate(
    conn: &mut DbConnection,
    ctx: &Context,
    id: CertificateId,
) -> Result<IsoCertificate, ApiError> {
    let current = repo::find_certificate(conn, id)?.ok_or(ApiError::NotFound("certificate"))?;
    if !access::may_read_certificates(&ctx.actor, current.provider) {
        return Err(ApiError::NotFound("certificate"));
    }
    require_accredited(conn, ctx, &current.scope, gsi_domain::governance::period::bangkok_date(ctx.now))?;
    let v = certificate::verify(&current, ctx.actor.subject.clone(), ctx.actor.organisation, ctx.now)
        .map_err(|e| ApiError::Conflict(e.to_string()))?;
    if !repo::verify_certificate(conn, id, &v)? {
        return Err(ApiError::Conflict("the certificate was verified meanwhile".into()));
    }
    governance::sync(conn, current.provider, ctx.now)?;
    audit(
        conn,
        ctx,
        Change {
            action: "iso_certificate.verified",
            resource_type: "iso_certificate",
            resource_id: id.to_string(),
            owner: Some(current.provider),
            changes: serde_json::json!({"verified_by": v.by.as_str()}),
        },
    )?;
    Ok(IsoCertificate { verification: Some(v), ..current })
}

pub fn list_certificates(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<Vec<IsoCertificate>, ApiError> {
    if !access::may_read_certificates(&ctx.actor, provider) {
        return Err(ApiError::NotFound("provider"));
    }
    provider_organisation(conn, provider, "provider")?;
    Ok(repo::certificates(conn, Some(&[provider]))?)
}

// ---- assessments (GSI-11.1-11.4) -----------------------------------------------------------

/// An assessment with its findings and, once decided positively, its certification.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub assessment: Assessment,
    pub findings: Vec<Finding>,
    pub certification: Option<Certification>,
}

fn view(conn: &mut DbConnection, assessment: Assessment) -> Result<AssessmentView, ApiError> {
    let findings = repo::findings(conn, Some(assessment.id), None)?;
    let certification =
        repo::certifications(conn, Some(&[assessment.provider]))?.into_iter().find(|c| c.assessment == assessment.id);
    Ok(AssessmentView { assessment, findings, certification })
}

pub fn create_assessment(
    conn: &mut DbConnection,
    ctx: &Context,
    draft: &AssessmentDraft,
) -> Result<AssessmentView, ApiError> {
    if ctx.actor.role != Role::Assessor {
        return Err(ApiError::Forbidden("only assessors record assessments (GSI-11.2)".into()));
    }
    let a = Assessment::parse(Id::new_v7(ctx.now), ctx.actor.organisation, draft, ctx.actor.subject.clone(), ctx.now)
        .map_err(ApiError::Validation)?;
    if !organisations::find(conn, a.provider)?.is_some_and(|o| o.kind == OrganisationKind::Provider) {
        return Err(invalid("provider_id", "not_found", format!("no provider {} is registered", a.provider)));
    }
    require_accredited(conn, ctx, &a.scope, a.assessment_day())?;
    repo::insert_assessment(conn, &a)?;
    audit(
        conn,
        ctx,
        Change {
            action: "assessment.created",
            resource_type: "assessment",
            resource_id: a.id.to_string(),
            owner: Some(a.provider),
            changes: serde_json::json!({"kind": a.kind.as_str(), "families": a.scope.names(), "planned_on": a.planned_on}),
        },
    )?;
    Ok(AssessmentView { assessment: a, findings: Vec::new(), certification: None })
}

fn readable_assessment(conn: &mut DbConnection, ctx: &Context, id: AssessmentId) -> Result<Assessment, ApiError> {
    let a = repo::find_assessment(conn, id)?.ok_or(ApiError::NotFound("assessment"))?;
    if !access::may_read_assessment(&ctx.actor, a.provider, a.assessor) {
        return Err(ApiError::NotFound("assessment"));
    }
    Ok(a)
}

fn own_assessment(conn: &mut DbConnection, ctx: &Context, id: AssessmentId) -> Result<Assessment, ApiError> {
    let a = readable_assessment(conn, ctx, id)?;
    if ctx.actor.role != Role::Assessor || a.assessor != ctx.actor.organisation {
        return Err(ApiError::Forbidden("only the assessor that records the assessment changes it".into()));
    }
    Ok(a)
}

pub fn get_assessment(conn: &mut DbConnection, ctx: &Context, id: AssessmentId) -> Result<AssessmentView, ApiError> {
    let a = readable_assessment(conn, ctx, id)?;
    view(conn, a)
}

pub fn list_assessments(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: Option<OrganisationId>,
) -> Result<Vec<Assessment>, ApiError> {
    let (provider, assessor) = match ctx.actor.role {
        Role::GixOfficer => (provider, None),
        Role::Assessor => (provider, Some(ctx.actor.organisation)),
        Role::ProviderOperator => (Some(ctx.actor.organisation), None),
        Role::AgencyAdmin | Role::AgencyUser => {
            return Err(ApiError::Forbidden("agencies do not read assessments".into()));
        }
    };
    if ctx.actor.role == Role::ProviderOperator && provider.is_some_and(|p| p != ctx.actor.organisation) {
        return Ok(Vec::new());
    }
    Ok(repo::assessments(conn, provider, assessor)?)
}

pub fn add_finding(
    conn: &mut DbConnection,
    ctx: &Context,
    id: AssessmentId,
    draft: &FindingDraft,
) -> Result<Finding, ApiError> {
    let a = own_assessment(conn, ctx, id)?;
    repo::lock_provider(conn, a.provider)?;
    let existing = repo::findings(conn, Some(id), None)?;
    let f = assessment::record_finding(Id::new_v7(ctx.now), &a, &existing, draft, ctx.actor.subject.clone(), ctx.now)
        .map_err(ApiError::Validation)?;
    repo::insert_finding(conn, &f)?;
    audit(
        conn,
        ctx,
        Change {
            action: "assessment.finding_recorded",
            resource_type: "assessment",
            resource_id: id.to_string(),
            owner: Some(a.provider),
            changes: serde_json::json!({"finding_id": f.id.to_string(), "clause": f.clause, "result": f.result.as_str()}),
        },
    )?;
    Ok(f)
}

pub fn decide(
    conn: &mut DbConnection,
    ctx: &Context,
    id: AssessmentId,
    draft: &DecisionDraft,
) -> Result<AssessmentView, ApiError> {
    let a = own_assessment(conn, ctx, id)?;
    repo::lock_provider(conn, a.provider)?;
    // GSI-12.1: still accredited for the scope when certifying.
    require_accredited(conn, ctx, &a.scope, gsi_domain::governance::period::bangkok_date(ctx.now))?;
    let findings = repo::findings(conn, Some(id), None)?;
    let (decision, certification) =
        assessment::decide(&a, &findings, draft, Id::new_v7(ctx.now), ctx.actor.subject.clone(), ctx.now).map_err(
            |refused| match refused {
                DecisionRefused::Invalid(errors) => ApiError::Validation(errors),
                DecisionRefused::AlreadyDecided(_) => ApiError::Conflict(refused.to_string()),
                DecisionRefused::OpenMajors(_) => invalid("outcome", "open_major_nonconformity", refused.to_string()),
            },
        )?;
    if !repo::record_decision(conn, id, &decision)? {
        return Err(ApiError::Conflict("the assessment was decided meanwhile".into()));
    }
    if let Some(c) = &certification {
        repo::insert_certification(conn, c)?;
    }
    governance::sync(conn, a.provider, ctx.now)?;
    audit(
        conn,
        ctx,
        Change {
            action: "assessment.decided",
            resource_type: "assessment",
            resource_id: id.to_string(),
            owner: Some(a.provider),
            changes: serde_json::json!({
                "outcome": decision.outcome.as_str(),
                "certification": certification.as_ref().map(|c| serde_json::json!({
                    "id": c.id.to_string(), "families": c.scope.names(), "valid_from": c.period.from, "valid_until": c.period.until
                })),
            }),
        },
    )?;
    events::emit(
        conn,
        ctx,
        EventType::AssessmentDecided,
        ResourceRef::new("assessment", id, Some(decision.outcome.as_str()), format!("/v1/assessments/{id}")),
        Audience::parties([a.provider, ctx.actor.organisation]),
        serde_json::json!({
            "outcome": decision.outcome.as_str(),
            "certification_id": certification.as_ref().map(|c| c.id.to_string()),
        }),
    )?;
    let decided = Assessment { decision: Some(decision), ..a };
    Ok(AssessmentView { assessment: decided, findings, certification })
}

// ---- expiry watch ------------------------------------------------------------------------

pub fn expiry_watch(conn: &mut DbConnection, ctx: &Context, days: u32) -> Result<Vec<Lapsing>, ApiError> {
    let Some(scope) = access::expiry_watch_scope(&ctx.actor) else {
        return Err(ApiError::Forbidden("agencies have no expiry watch".into()));
    };
    let (certificates, certifications, accreditations, staff) = match scope {
        access::WatchScope::Everything => (
            repo::certificates(conn, None)?,
            repo::certifications(conn, None)?,
            repo::accreditations(conn, None)?,
            repo::staff(conn, None)?,
        ),
        access::WatchScope::Provider(p) => (
            repo::certificates(conn, Some(&[p]))?,
            repo::certifications(conn, Some(&[p]))?,
            Vec::new(),
            repo::staff(conn, Some(&[p]))?,
        ),
        access::WatchScope::Assessor(a) => {
            let certifications: Vec<Certification> =
                repo::certifications(conn, None)?.into_iter().filter(|c| c.assessor == a).collect();
            (Vec::new(), certifications, repo::accreditations(conn, Some(&[a]))?, Vec::new())
        }
    };
    Ok(expiry::lapsing_within(&certificates, &certifications, &accreditations, &staff, ctx.now, days))
}

// ---- conformance view (GSI-11.2) -----------------------------------------------------------

/// The provider's findings, and the clauses the hub checks from live data at `ctx.now`:
/// 6.4 (ISO certificates), 7.1 (published prices under the reference prices), 7.4 (24x7
/// channels), 11.1 (a certification in force), 13.1 (on the provider list).
pub struct ConformanceData {
    pub provider: gsi_domain::org::Organisation,
    pub findings: Vec<Finding>,
    pub computed: std::collections::BTreeMap<&'static str, gsi_domain::governance::conformance::ComputedCheck>,
}

pub fn conformance(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<ConformanceData, ApiError> {
    use gsi_domain::catalog::{CatalogScope, OfferingState};
    use gsi_domain::governance::conformance::ComputedCheck;
    use gsi_domain::governance::eligibility::{self, NotListedReason};
    use gsi_persistence::repos::offerings::{self, OfferingFilter};
    use gsi_persistence::repos::reference_prices;

    if !access::may_read_conformance(&ctx.actor, provider) {
        return Err(ApiError::NotFound("provider"));
    }
    let organisation = provider_organisation(conn, provider, "provider")?;
    let findings = repo::findings(conn, None, Some(provider))?;
    let evidence = governance::evidence_of(conn, provider)?;
    let decisions = eligibility::decide_all(&evidence, ctx.now);
    let mut computed = std::collections::BTreeMap::new();
    let offered: Vec<_> = evidence.profile.as_ref().map(|p| p.details.families.iter().collect()).unwrap_or_default();
    let relevant = |d: &&eligibility::ListingDecision| offered.contains(&d.family);
    let reasons_of = |clause: &str| -> Vec<String> {
        decisions
            .iter()
            .filter(relevant)
            .flat_map(|d| {
                d.reasons.iter().filter(|r| r.clause() == clause).map(move |r| format!("{}: {}", d.family, r.message()))
            })
            .collect()
    };
    let check = |reasons: Vec<String>, ok: &str| ComputedCheck {
        conforms: reasons.is_empty() && !offered.is_empty(),
        detail: if offered.is_empty() {
            "the provider has no profile yet".into()
        } else if reasons.is_empty() {
            ok.into()
        } else {
            reasons.join("; ")
        },
    };
    computed.insert(
        "GSI-6.4",
        check(
            reasons_of("GSI-6.4"),
            "verified, valid ISO/IEC 20000-1, ISO 22301 and ISO/IEC 27001 certificates cover every offered family",
        ),
    );
    let mut cert_reasons = reasons_of("GSI-11.1");
    cert_reasons.extend(reasons_of("GSI-11.3"));
    computed.insert("GSI-11.1", check(cert_reasons, "a certification in force covers every offered family"));
    let channel_reasons: Vec<String> = evidence
        .profile
        .as_ref()
        .map(|p| gsi_domain::provider::listing_blockers(p).iter().map(|b| b.message().to_owned()).collect())
        .unwrap_or_default();
    computed.insert(
        "GSI-7.4",
        check(channel_reasons, "phone, e-mail and self-service system declared for 24x7 coordination"),
    );
    let listed: Vec<String> = decisions.iter().filter(|d| d.listed()).map(|d| d.family.as_str().to_owned()).collect();
    let unlisted: Vec<String> = decisions
        .iter()
        .filter(relevant)
        .filter(|d| !d.listed())
        .map(|d| {
            format!(
                "{} not listed: {}",
                d.family,
                d.reasons.iter().map(NotListedReason::code).collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    computed.insert(
        "GSI-13.1",
        ComputedCheck {
            conforms: !listed.is_empty() && unlisted.is_empty(),
            detail: if unlisted.is_empty() && !listed.is_empty() {
                format!("listed for {}", listed.join(", "))
            } else {
                unlisted.join("; ")
            },
        },
    );
    // GSI-7.1: every published price at or under the reference price in force now.
    let mut above = Vec::new();
    let mut after = None;
    loop {
        let page = offerings::list(
            conn,
            CatalogScope::OfProvider(provider),
            OfferingFilter {
                provider: Some(provider),
                family: None,
                kind: None,
                state: Some(OfferingState::Published),
            },
            gsi_persistence::PageRequest { limit: 200, after },
        )?;
        for record in &page.items {
            let o = &record.offering;
            let history = reference_prices::all_for(conn, o.details.kind)?;
            for line in o.details.pricing.lines() {
                if let Err(v) =
                    gsi_domain::pricing::check_cap(&history, o.details.kind, line.metric, line.unit_price, ctx.now)
                {
                    above.push(format!("{} ({}): {v}", o.details.name.as_str(), o.id));
                }
            }
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    computed.insert(
        "GSI-7.1",
        ComputedCheck {
            conforms: above.is_empty(),
            detail: if above.is_empty() {
                "every published unit price is at or under the reference price in force".into()
            } else {
                above.join("; ")
            },
        },
    );
    // GSI-10.1, 10.2: last month's SLA attainment of every subscription the provider served.
    let (availability, reliability) = sla_last_month(conn, ctx, provider)?;
    computed.insert("GSI-10.1", availability);
    computed.insert("GSI-10.2", reliability);
    Ok(ConformanceData { provider: organisation, findings, computed })
}

/// Availability (GSI-10.1) and reliability (GSI-10.2) over the previous Asia/Bangkok month,
/// from `sla::attainment` for each subscription the provider served that month. The hub
/// computes it for the view, so it reads as GIX would.
fn sla_last_month(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<
    (gsi_domain::governance::conformance::ComputedCheck, gsi_domain::governance::conformance::ComputedCheck),
    ApiError,
> {
    use gsi_domain::calendar::Month;
    use gsi_domain::governance::conformance::ComputedCheck;
    use gsi_domain::subscription::{SubscriptionFilter, SubscriptionScope};

    let month = Month::containing(ctx.now).previous();
    let system = Context {
        actor: gsi_domain::Actor {
            subject: gsi_domain::Subject::parse("gsi-conformance-view")
                .map_err(|e| ApiError::Internal(e.to_string()))?,
            organisation: gsi_domain::org::GIX_ORGANISATION_ID,
            role: Role::GixOfficer,
        },
        ..ctx.clone()
    };
    let filter = SubscriptionFilter { from: Some(month.start()), until: Some(month.end()), ..Default::default() };
    let (mut measured, mut availability_breaches, mut reliability_breaches) = (0, Vec::new(), Vec::new());
    let mut after = None;
    loop {
        let page = gsi_persistence::repos::subscriptions::list(
            conn,
            SubscriptionScope::ServedBy(provider),
            &filter,
            gsi_persistence::PageRequest { limit: 200, after },
        )?;
        for stored in &page.items {
            let id = stored.subscription.id;
            match super::sla::attainment(conn, &system, id, month) {
                Ok(view) => {
                    measured += 1;
                    if view.attainment.availability.breached {
                        availability_breaches.push(format!(
                            "{id}: {}% against {}%",
                            view.attainment.availability.achieved_percent, view.attainment.availability.target_percent
                        ));
                    }
                    if view.attainment.reliability.breached() {
                        let what: Vec<&str> = view.attainment.reliability.breaches.iter().map(|b| b.as_str()).collect();
                        reliability_breaches.push(format!("{id}: {}", what.join(", ")));
                    }
                }
                // Not in service during the month.
                Err(ApiError::InvalidParameters(_)) => {}
                Err(other) => return Err(other),
            }
        }
        match page.next_after {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let check = |breaches: Vec<String>, what: &str| ComputedCheck {
        conforms: breaches.is_empty(),
        detail: if measured == 0 {
            format!("no subscription in service in {month}")
        } else if breaches.is_empty() {
            format!("{what} met on all {measured} subscriptions in {month}")
        } else {
            format!("{what} missed in {month}: {}", breaches.join("; "))
        },
    };
    Ok((check(availability_breaches, "availability"), check(reliability_breaches, "reliability")))
}

// ---- personnel (GSI-9.1-9.3) ---------------------------------------------------------------

pub fn record_staff(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
    draft: &gsi_domain::governance::personnel::StaffDraft,
) -> Result<gsi_domain::governance::personnel::StaffMember, ApiError> {
    use gsi_domain::governance::personnel::StaffMember;
    if !may_read_staff(conn, ctx, provider)? {
        return Err(ApiError::NotFound("provider"));
    }
    if ctx.actor.role != Role::ProviderOperator || ctx.actor.organisation != provider {
        return Err(ApiError::Forbidden("only the provider's own operators record its staff (GSI-9)".into()));
    }
    provider_organisation(conn, provider, "provider")?;
    let member = StaffMember::parse(Id::new_v7(ctx.now), provider, draft, ctx.now).map_err(ApiError::Validation)?;
    match repo::insert_staff(conn, &member) {
        Ok(()) => {}
        Err(gsi_persistence::StoreError::UniqueViolation(_)) => {
            return Err(invalid(
                "staff_ref",
                "duplicate",
                "this provider already recorded a staff member with that reference",
            ));
        }
        Err(e) => return Err(e.into()),
    }
    audit(
        conn,
        ctx,
        Change {
            action: "staff.recorded",
            resource_type: "staff_member",
            resource_id: member.id.to_string(),
            owner: Some(provider),
            // No personal data in the audit log beyond the provider's reference.
            changes: serde_json::json!({"staff_ref": member.staff_ref.as_str()}),
        },
    )?;
    Ok(member)
}

fn may_read_staff(conn: &mut DbConnection, ctx: &Context, provider: OrganisationId) -> Result<bool, ApiError> {
    let assessing = ctx.actor.role == Role::Assessor
        && !repo::assessments(conn, Some(provider), Some(ctx.actor.organisation))?.is_empty();
    Ok(access::may_read_personnel(&ctx.actor, provider, assessing))
}

/// The provider's staff with their details; the provider, GIX and an assessor assessing it
/// only (404 for everyone else, agencies included).
pub fn list_staff(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<Vec<gsi_domain::governance::personnel::StaffMember>, ApiError> {
    if !may_read_staff(conn, ctx, provider)? {
        return Err(ApiError::NotFound("staff"));
    }
    provider_organisation(conn, provider, "staff")?;
    Ok(repo::staff(conn, Some(&[provider]))?)
}

/// Counts only, no personal data: readable by every authenticated caller.
pub fn staff_summary(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<Vec<gsi_domain::governance::personnel::AreaSummary>, ApiError> {
    provider_organisation(conn, provider, "provider")?;
    let staff = repo::staff(conn, Some(&[provider]))?;
    Ok(gsi_domain::governance::personnel::summary(&staff, ctx.now))
}

// ---- interconnections and vulnerability notices (GSI-5.3, 8.1) -----------------------------

pub fn declare_interconnection(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
    draft: &gsi_domain::governance::security_control::InterconnectionDraft,
) -> Result<gsi_domain::governance::security_control::Interconnection, ApiError> {
    use gsi_domain::governance::security_control::Interconnection;
    if !access::may_read_certificates(&ctx.actor, provider) {
        return Err(ApiError::NotFound("provider"));
    }
    if !access::may_record_certificate(&ctx.actor, provider) {
        return Err(ApiError::Forbidden(
            "only the provider's own operators declare its interconnections (GSI-5.3)".into(),
        ));
    }
    provider_organisation(conn, provider, "provider")?;
    let i = Interconnection::parse(Id::new_v7(ctx.now), provider, draft, ctx.now).map_err(ApiError::Validation)?;
    repo::insert_interconnection(conn, &i)?;
    audit(
        conn,
        ctx,
        Change {
            action: "interconnection.declared",
            resource_type: "interconnection",
            resource_id: i.id.to_string(),
            owner: Some(provider),
            changes: serde_json::json!({"kind": i.kind.as_str(), "capacity_mbps": i.capacity_mbps, "since": i.since}),
        },
    )?;
    Ok(i)
}

pub fn verify_interconnection(
    conn: &mut DbConnection,
    ctx: &Context,
    id: gsi_domain::governance::security_control::InterconnectionId,
) -> Result<gsi_domain::governance::security_control::Interconnection, ApiError> {
    let current = repo::find_interconnection(conn, id)?.ok_or(ApiError::NotFound("interconnection"))?;
    if !access::may_read_certificates(&ctx.actor, current.provider) {
        return Err(ApiError::NotFound("interconnection"));
    }
    if ctx.actor.role != Role::Assessor {
        return Err(ApiError::Forbidden("only assessors verify interconnections (GSI-5.3, 11.2)".into()));
    }
    // GSI-12.1: an accreditation in force now, whatever its families (every provider links to GIX).
    let own = repo::accreditations(conn, Some(&[ctx.actor.organisation]))?;
    if !own.iter().any(|a| a.in_force(ctx.now)) {
        return Err(invalid(
            "assessor",
            "assessor_not_accredited",
            "the assessor holds no accreditation in force (GSI-12.1)",
        ));
    }
    if !repo::verify_interconnection(conn, id, &ctx.actor.subject, ctx.actor.organisation, ctx.now)? {
        return Err(ApiError::Conflict("the interconnection is verified already".into()));
    }
    audit(
        conn,
        ctx,
        Change {
            action: "interconnection.verified",
            resource_type: "interconnection",
            resource_id: id.to_string(),
            owner: Some(current.provider),
            changes: serde_json::json!({}),
        },
    )?;
    Ok(gsi_domain::governance::security_control::Interconnection {
        verified: Some((ctx.actor.subject.clone(), ctx.actor.organisation, ctx.now)),
        ..current
    })
}

pub fn list_interconnections(
    conn: &mut DbConnection,
    ctx: &Context,
    provider: OrganisationId,
) -> Result<Vec<gsi_domain::governance::security_control::Interconnection>, ApiError> {
    if !access::may_read_certificates(&ctx.actor, provider) {
        return Err(ApiError::NotFound("provider"));
    }
    provider_organisation(conn, provider, "provider")?;
    Ok(repo::interconnections_of(conn, provider)?)
}

pub fn record_notice(
    conn: &mut DbConnection,
    ctx: &Context,
    draft: &gsi_domain::governance::security_control::NoticeDraft,
) -> Result<gsi_domain::governance::security_control::VulnerabilityNotice, ApiError> {
    use gsi_domain::governance::security_control::VulnerabilityNotice;
    if ctx.actor.role != Role::ProviderOperator {
        return Err(ApiError::Forbidden("only provider operators record vulnerability notices (GSI-8.1)".into()));
    }
    let provider = ctx.actor.organisation;
    let served: Vec<gsi_domain::subscription::SubscriptionId> =
        gsi_persistence::repos::subscriptions::find_many(conn, &draft.affected)?
            .into_iter()
            .filter(|s| s.subscription.provider == provider)
            .map(|s| s.subscription.id)
            .collect();
    let n = VulnerabilityNotice::parse(Id::new_v7(ctx.now), provider, draft, |s| served.contains(&s), ctx.now)
        .map_err(ApiError::Validation)?;
    repo::insert_notice(conn, &n)?;
    audit(
        conn,
        ctx,
        Change {
            action: "vulnerability_notice.recorded",
            resource_type: "vulnerability_notice",
            resource_id: n.id.to_string(),
            owner: Some(provider),
            changes: serde_json::json!({"identifier": n.identifier.as_str(), "severity": n.severity.as_str()}),
        },
    )?;
    Ok(n)
}

pub fn remediate_notice(
    conn: &mut DbConnection,
    ctx: &Context,
    id: gsi_domain::governance::security_control::NoticeId,
) -> Result<gsi_domain::governance::security_control::VulnerabilityNotice, ApiError> {
    // Only provider operators remediate: any other role is refused as a role (403) before the
    // notice is looked up; another provider's notice is answered as if it did not exist.
    if ctx.actor.role != Role::ProviderOperator {
        return Err(ApiError::Forbidden(
            "only the provider's operators mark its vulnerability notices remediated (GSI-8.1)".into(),
        ));
    }
    let current = repo::find_notice(conn, id)?.ok_or(ApiError::NotFound("vulnerability notice"))?;
    if ctx.actor.organisation != current.provider {
        return Err(ApiError::NotFound("vulnerability notice"));
    }
    if !repo::remediate_notice(conn, id, ctx.now)? {
        return Err(ApiError::Conflict("the notice is remediated already".into()));
    }
    audit(
        conn,
        ctx,
        Change {
            action: "vulnerability_notice.remediated",
            resource_type: "vulnerability_notice",
            resource_id: id.to_string(),
            owner: Some(current.provider),
            changes: serde_json::json!({}),
        },
    )?;
    Ok(gsi_domain::governance::security_control::VulnerabilityNotice { remediated_at: Some(ctx.now), ..current })
}

/// Newest first. A provider sees its own; GIX and assessors every notice; an agency those
/// that affect its subscriptions, listing only its own subscriptions as affected.
pub fn list_notices(
    conn: &mut DbConnection,
    ctx: &Context,
) -> Result<Vec<gsi_domain::governance::security_control::VulnerabilityNotice>, ApiError> {
    match ctx.actor.role {
        Role::ProviderOperator => Ok(repo::notices(conn, Some(ctx.actor.organisation))?),
        Role::GixOfficer | Role::Assessor => Ok(repo::notices(conn, None)?),
        Role::AgencyAdmin | Role::AgencyUser => {
            let all = repo::notices(conn, None)?;
            let mut ids: Vec<gsi_domain::subscription::SubscriptionId> =
                all.iter().flat_map(|n| n.affected.iter().copied()).collect();
            ids.sort();
            ids.dedup();
            let own: Vec<gsi_domain::subscription::SubscriptionId> =
                gsi_persistence::repos::subscriptions::find_many(conn, &ids)?
                    .into_iter()
                    .filter(|s| s.subscription.agency == ctx.actor.organisation)
                    .map(|s| s.subscription.id)
                    .collect();
            Ok(all
                .into_iter()
                .filter_map(|mut n| {
                    n.affected.retain(|s| own.contains(s));
                    (!n.affected.is_empty()).then_some(n)
                })
                .collect())
        }
    }
}
