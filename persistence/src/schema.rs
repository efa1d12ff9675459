//! One diesel schema for both backends (column types from `types::sql`).

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    organisations (id) {
        id -> Uuid,
        kind -> Text,
        name_th -> Text,
        name_en -> Nullable<Text>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    agency_profiles (agency_id) {
        agency_id -> Uuid,
        name_th -> Text,
        name_en -> Nullable<Text>,
        parent_ministry -> Nullable<Text>,
        address -> Nullable<Text>,
        coordinators -> Jsonb,
        contact_channels -> Jsonb,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    audit_events (id) {
        id -> Uuid,
        occurred_at -> Instant,
        actor_subject -> Text,
        actor_role -> Text,
        actor_organisation_id -> Uuid,
        owner_organisation_id -> Nullable<Uuid>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        request_id -> Text,
        changes -> Jsonb,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    idempotency_keys (organisation_id, actor_subject, idempotency_key) {
        organisation_id -> Uuid,
        actor_subject -> Text,
        idempotency_key -> Text,
        request_method -> Text,
        request_path -> Text,
        request_hash -> Text,
        response_status -> Integer,
        response_body -> Text,
        response_location -> Nullable<Text>,
        response_etag -> Nullable<Text>,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    provider_profiles (provider_id) {
        provider_id -> Uuid,
        legal_status -> Text,
        registration_number -> Nullable<Text>,
        families -> Jsonb,
        support_phone -> Nullable<Text>,
        support_email -> Nullable<Text>,
        self_service_url -> Nullable<Text>,
        exclusions -> Jsonb,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    listing_entries (id) {
        id -> Uuid,
        provider_id -> Uuid,
        family -> Text,
        action -> Text,
        status -> Text,
        reason -> Text,
        actor_subject -> Text,
        actor_role -> Text,
        effective_at -> Instant,
        recorded_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    reference_prices (id) {
        id -> Uuid,
        service_kind -> Text,
        metric -> Text,
        unit_price -> Text,
        valid_from -> Instant,
        valid_until -> Nullable<Instant>,
        basis -> Nullable<Text>,
        set_by_subject -> Text,
        set_by_organisation_id -> Uuid,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    offerings (id) {
        id -> Uuid,
        provider_id -> Uuid,
        family -> Text,
        kind -> Text,
        name -> Text,
        description -> Nullable<Text>,
        role -> Text,
        base_offering_id -> Nullable<Uuid>,
        sla_terms -> Nullable<Jsonb>,
        capacity_limits -> Jsonb,
        pricing -> Jsonb,
        state -> Text,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    offering_prices (id) {
        id -> Uuid,
        offering_id -> Uuid,
        metric -> Text,
        unit_price -> Text,
        effective_from -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    subscriptions (id) {
        id -> Uuid,
        agency_id -> Uuid,
        provider_id -> Uuid,
        offering_id -> Uuid,
        service_kind -> Text,
        family -> Text,
        quantities -> Jsonb,
        add_ons -> Jsonb,
        starts_at -> Instant,
        ends_at -> Nullable<Instant>,
        sla -> Jsonb,
        status -> Text,
        origin -> Text,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    service_requests (id) {
        id -> Uuid,
        kind -> Text,
        agency_id -> Uuid,
        provider_id -> Uuid,
        subscription_id -> Nullable<Uuid>,
        offering_id -> Nullable<Uuid>,
        payload -> Jsonb,
        preview -> Jsonb,
        warnings -> Jsonb,
        status -> Text,
        quote_valid_until -> Nullable<Instant>,
        acknowledgement -> Nullable<Jsonb>,
        state_notes -> Jsonb,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    service_request_quotes (id) {
        id -> Uuid,
        request_id -> Uuid,
        number -> Integer,
        decision -> Jsonb,
        issued_at -> Instant,
        issued_by -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    service_request_timeline (id) {
        id -> Uuid,
        request_id -> Uuid,
        version -> BigInt,
        at -> Instant,
        actor_subject -> Text,
        actor_role -> Text,
        actor_organisation_id -> Uuid,
        action -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Nullable<Text>,
        percent -> Nullable<Integer>,
        quote_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    incidents (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        agency_id -> Uuid,
        provider_id -> Uuid,
        title -> Text,
        description -> Text,
        impact -> Text,
        urgency -> Text,
        priority -> Text,
        channel -> Text,
        reported_at -> Instant,
        state -> Text,
        hold_reason -> Nullable<Text>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    incident_timeline (incident_id, seq) {
        incident_id -> Uuid,
        seq -> Integer,
        occurred_at -> Instant,
        actor_subject -> Text,
        actor_role -> Text,
        actor_organisation_id -> Uuid,
        kind -> Text,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        hold_reason -> Nullable<Text>,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    outages (id) {
        id -> Uuid,
        provider_id -> Uuid,
        started_at -> Instant,
        ended_at -> Nullable<Instant>,
        cause -> Text,
        planned -> Integer,
        announced_at -> Nullable<Instant>,
        exclusion_kind -> Nullable<Text>,
        exclusion_reason -> Nullable<Text>,
        recorded_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    outage_subscriptions (outage_id, subscription_id) {
        outage_id -> Uuid,
        subscription_id -> Uuid,
        agency_id -> Uuid,
        ordinal -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    security_events (id) {
        id -> Uuid,
        provider_id -> Uuid,
        agency_id -> Uuid,
        subscription_id -> Nullable<Uuid>,
        category -> Text,
        severity -> Text,
        detected_at -> Instant,
        status -> Text,
        description -> Text,
        indicators -> Jsonb,
        actions_taken -> Jsonb,
        mitigation_started_at -> Nullable<Instant>,
        resolved_at -> Nullable<Instant>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    usage_records (id) {
        id -> Uuid,
        provider_id -> Uuid,
        record_id -> Text,
        agency_id -> Uuid,
        subscription_id -> Uuid,
        metric -> Text,
        quantity -> Text,
        quantity_micros -> BigInt,
        period_start -> Instant,
        period_end -> Instant,
        corrects -> Nullable<Text>,
        content_hash -> Text,
        received_at -> Instant,
        unit_price -> Text,
        reference_price -> Nullable<Text>,
        effective_price -> Text,
        amount_satang -> BigInt,
        cap_applied -> Integer,
        usage_month -> Text,
        statement_month -> Text,
        is_adjustment -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    statements (id) {
        id -> Uuid,
        agency_id -> Uuid,
        provider_id -> Uuid,
        month -> Text,
        status -> Text,
        issued_at -> Nullable<Instant>,
        usage_total_satang -> BigInt,
        adjustment_total_satang -> BigInt,
        total_satang -> BigInt,
        line_count -> BigInt,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}
// Issue 12: monthly usage sums per subscription and metric.
diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    usage_month_sums (subscription_id, metric, usage_month) {
        subscription_id -> Uuid,
        metric -> Text,
        usage_month -> Text,
        agency_id -> Uuid,
        provider_id -> Uuid,
        quantity_micros -> BigInt,
        amount_satang -> BigInt,
        record_count -> BigInt,
    }
}

// Reports (GSI-7.5.9, 7.6, 13.2, 13.3).
diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    budgets (id) {
        id -> Uuid,
        agency_id -> Uuid,
        fiscal_year -> Integer,
        service_family -> Text,
        amount_satang -> BigInt,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    report_requests (id) {
        id -> Uuid,
        provider_id -> Uuid,
        requested_by -> Uuid,
        period_from -> Text,
        period_to -> Text,
        group_by -> Text,
        due_date -> Text,
        due_at -> Instant,
        note -> Nullable<Text>,
        state -> Text,
        submitted_at -> Nullable<Instant>,
        content_hash -> Nullable<Text>,
        record_count -> Nullable<BigInt>,
        total_satang -> Nullable<BigInt>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    report_request_figures (request_id, position) {
        request_id -> Uuid,
        position -> Integer,
        provider_id -> Nullable<Uuid>,
        provider_name -> Nullable<Text>,
        agency_id -> Nullable<Uuid>,
        agency_name -> Nullable<Text>,
        service_family -> Nullable<Text>,
        offering_id -> Nullable<Uuid>,
        offering_name -> Nullable<Text>,
        metric -> Nullable<Text>,
        month -> Nullable<Text>,
        quantity_micros -> Nullable<BigInt>,
        record_count -> BigInt,
        amount_satang -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    monthly_reports (id) {
        id -> Uuid,
        agency_id -> Uuid,
        month -> Text,
        revision -> Integer,
        state -> Text,
        notes -> Nullable<Text>,
        month_total_satang -> BigInt,
        fiscal_year -> Integer,
        fiscal_year_spent_satang -> BigInt,
        budget_satang -> Nullable<BigInt>,
        content_hash -> Text,
        submitted_at -> Nullable<Instant>,
        submitted_by -> Nullable<Text>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    monthly_report_lines (report_id, position) {
        report_id -> Uuid,
        position -> Integer,
        provider_id -> Uuid,
        provider_name -> Text,
        subscription_id -> Uuid,
        offering_id -> Uuid,
        offering_name -> Text,
        service_family -> Text,
        record_count -> BigInt,
        amount_satang -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    monthly_report_sla (report_id, position) {
        report_id -> Uuid,
        position -> Integer,
        subscription_id -> Uuid,
        target_percent -> Text,
        achieved_percent -> Text,
        availability_breached -> Integer,
        reliability_breached -> Integer,
        incidents_met -> Integer,
        incidents_breached -> Integer,
        incidents_pending -> Integer,
        credit_satang -> Nullable<BigInt>,
    }
}

// Governance (issue 9): accreditations, ISO certificates, assessments, findings,
// certifications, the provider list's change log.
diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    assessor_accreditations (id) {
        id -> Uuid,
        assessor_id -> Uuid,
        families -> Jsonb,
        valid_from -> Text,
        valid_until -> Text,
        granted_by -> Text,
        granted_at -> Instant,
        withdrawn_at -> Nullable<Instant>,
        withdrawn_reason -> Nullable<Text>,
        withdrawn_by -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    iso_certificates (id) {
        id -> Uuid,
        provider_id -> Uuid,
        standard -> Text,
        number -> Text,
        issuing_body -> Text,
        families -> Jsonb,
        valid_from -> Text,
        valid_until -> Text,
        evidence_ref -> Text,
        recorded_at -> Instant,
        verified_at -> Nullable<Instant>,
        verified_by -> Nullable<Text>,
        verified_by_assessor -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    assessments (id) {
        id -> Uuid,
        provider_id -> Uuid,
        assessor_id -> Uuid,
        kind -> Text,
        families -> Jsonb,
        planned_on -> Text,
        performed_on -> Nullable<Text>,
        consent_ref -> Text,
        created_at -> Instant,
        created_by -> Text,
        decision_outcome -> Nullable<Text>,
        decided_at -> Nullable<Instant>,
        decided_by -> Nullable<Text>,
        decision_note -> Nullable<Text>,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    assessment_findings (id) {
        id -> Uuid,
        assessment_id -> Uuid,
        provider_id -> Uuid,
        clause_id -> Text,
        result -> Text,
        evidence_refs -> Jsonb,
        note -> Nullable<Text>,
        closes_finding_id -> Nullable<Uuid>,
        recorded_at -> Instant,
        recorded_by -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    certifications (id) {
        id -> Uuid,
        provider_id -> Uuid,
        assessor_id -> Uuid,
        assessment_id -> Uuid,
        families -> Jsonb,
        valid_from -> Text,
        valid_until -> Text,
        decided_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    listing_changes (id) {
        id -> Uuid,
        provider_id -> Uuid,
        family -> Text,
        listed -> Integer,
        reasons -> Jsonb,
        effective_at -> Instant,
        recorded_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    listing_sync (provider_id) {
        provider_id -> Uuid,
        synced_until -> Instant,
        horizon_known -> Integer,
        next_breakpoint -> Nullable<Instant>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    staff_members (id) {
        id -> Uuid,
        provider_id -> Uuid,
        staff_ref -> Text,
        display_name -> Text,
        certifications -> Jsonb,
        criminal_record_checked_on -> Nullable<Text>,
        nda_signed_on -> Nullable<Text>,
        recorded_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    interconnections (id) {
        id -> Uuid,
        provider_id -> Uuid,
        kind -> Text,
        capacity_mbps -> BigInt,
        since -> Text,
        recorded_at -> Instant,
        verified_at -> Nullable<Instant>,
        verified_by -> Nullable<Text>,
        verified_by_assessor -> Nullable<Uuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    vulnerability_notices (id) {
        id -> Uuid,
        provider_id -> Uuid,
        identifier -> Text,
        severity -> Text,
        affected_subscriptions -> Jsonb,
        mitigation -> Text,
        remediated_at -> Nullable<Instant>,
        recorded_at -> Instant,
    }
}

// --- events and webhooks (issue 11) ---------------------------------------------------------

diesel::table! {
    event_positions (id) {
        id -> Integer,
        last_position -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    events (position) {
        position -> BigInt,
        id -> Uuid,
        event_type -> Text,
        occurred_at -> Instant,
        resource_type -> Text,
        resource_id -> Text,
        resource_state -> Nullable<Text>,
        resource_link -> Text,
        public -> Integer,
        audience -> Jsonb,
        data -> Jsonb,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::Uuid;

    event_audience (organisation_id, position) {
        organisation_id -> Uuid,
        position -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Jsonb, Uuid};

    webhook_subscriptions (id) {
        id -> Uuid,
        organisation_id -> Uuid,
        url -> Text,
        event_types -> Jsonb,
        description -> Nullable<Text>,
        status -> Text,
        paused_reason -> Nullable<Text>,
        paused_at -> Nullable<Instant>,
        consecutive_failures -> Integer,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Instant>,
        created_at -> Instant,
        updated_at -> Instant,
        version -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    webhook_deliveries (id) {
        id -> Uuid,
        subscription_id -> Uuid,
        event_id -> Uuid,
        event_position -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Instant,
        delivered_at -> Nullable<Instant>,
        last_error -> Nullable<Text>,
        created_at -> Instant,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::types::sql::{Instant, Uuid};

    webhook_attempts (id) {
        id -> Uuid,
        delivery_id -> Uuid,
        subscription_id -> Uuid,
        event_id -> Uuid,
        event_type -> Text,
        attempt -> Integer,
        attempted_at -> Instant,
        status_code -> Nullable<Integer>,
        latency_ms -> BigInt,
        outcome -> Text,
        error -> Nullable<Text>,
    }
}

diesel::joinable!(agency_profiles -> organisations (agency_id));
diesel::joinable!(provider_profiles -> organisations (provider_id));
diesel::joinable!(listing_entries -> organisations (provider_id));
diesel::joinable!(event_audience -> events (position));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::allow_tables_to_appear_in_same_query!(
    organisations,
    agency_profiles,
    audit_events,
    idempotency_keys,
    provider_profiles,
    listing_entries,
    reference_prices,
    offerings,
    offering_prices,
    subscriptions,
    service_requests,
    service_request_quotes,
    service_request_timeline,
    incidents,
    incident_timeline,
    outages,
    outage_subscriptions,
    security_events,
    usage_records,
    statements,
    usage_month_sums,
    budgets,
    report_requests,
    report_request_figures,
    monthly_reports,
    monthly_report_lines,
    monthly_report_sla,
    assessor_accreditations,
    iso_certificates,
    assessments,
    assessment_findings,
    certifications,
    listing_changes,
    listing_sync,
    staff_members,
    interconnections,
    vulnerability_notices,
    event_positions,
    events,
    event_audience,
    webhook_subscriptions,
    webhook_deliveries,
    webhook_attempts
);
