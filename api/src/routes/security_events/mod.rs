pub mod act;
pub mod create;
pub mod get;
pub mod list;
pub mod summary;

use actix_web::HttpResponse;
use actix_web::http::header;
use chrono::{DateTime, Utc};
use gsi_domain::security_event::{
    MonthlySummary, SecurityCategory, SecurityEventAction, SecurityEventStatus, Severity,
};
use gsi_persistence::repos::security_events::StoredSecurityEvent;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::http::etag::etag;
use crate::routes::incidents::dto_enum;

dto_enum!(
    /// GSI-7.5.4: what kind of threat.
    SecurityCategoryBody <=> SecurityCategory {
        Ddos,
        IntrusionAttempt,
        Malware,
        Virus,
        Phishing,
        Vulnerability,
        ThreatIntel,
        DataLeak,
        Other,
    }
);

dto_enum!(
    /// How serious, most serious first.
    SeverityBody <=> Severity { Critical, High, Medium, Low, Info }
);

dto_enum!(
    /// `detected → mitigating → resolved`; resolving straight from `detected` covers threats
    /// blocked automatically, informational events and false positives.
    SecurityEventStatusBody <=> SecurityEventStatus { Detected, Mitigating, Resolved }
);

dto_enum!(
    /// A status change the posting provider makes.
    SecurityEventActionBody <=> SecurityEventAction { StartMitigation, Resolve }
);

/// A security event (GSI-7.5.4, 8.2).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "id": "0190f5c2-1a2b-7c3d-8e4f-0000000000e5",
    "provider_id": "00000000-0000-7000-8000-000000000b01",
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "category": "ddos", "severity": "high", "detected_at": "2026-11-14T03:12:00Z", "status": "resolved",
    "description": "UDP reflection flood of 18 Gbps towards the agency's public web address",
    "indicators": ["203.0.113.7", "198.51.100.0/24"],
    "actions_taken": ["Traffic diverted to the scrubbing centre", "Flood subsided; diversion withdrawn"],
    "mitigation_started_at": "2026-11-14T03:15:00Z", "resolved_at": "2026-11-14T04:40:00Z",
    "created_at": "2026-11-14T03:13:00Z", "updated_at": "2026-11-14T04:40:00Z", "version": 3
}))]
pub struct SecurityEventBody {
    pub id: uuid::Uuid,
    pub provider_id: uuid::Uuid,
    pub agency_id: uuid::Uuid,
    /// The subscription concerned, when the event concerns one.
    pub subscription_id: Option<uuid::Uuid>,
    pub category: SecurityCategoryBody,
    pub severity: SeverityBody,
    pub detected_at: DateTime<Utc>,
    pub status: SecurityEventStatusBody,
    pub description: String,
    /// Addresses, domains, hashes, CVE ids…
    pub indicators: Vec<String>,
    /// What the provider did, oldest first.
    pub actions_taken: Vec<String>,
    pub mitigation_started_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Also the `ETag`.
    pub version: i64,
}

impl From<&StoredSecurityEvent> for SecurityEventBody {
    fn from(s: &StoredSecurityEvent) -> Self {
        let e = &s.event;
        SecurityEventBody {
            id: e.id.as_uuid(),
            provider_id: e.provider.as_uuid(),
            agency_id: e.agency.as_uuid(),
            subscription_id: e.subscription.map(|id| id.as_uuid()),
            category: e.category.into(),
            severity: e.severity.into(),
            detected_at: e.detected_at,
            status: e.status.into(),
            description: e.description.to_string(),
            indicators: e.indicators.iter().map(ToString::to_string).collect(),
            actions_taken: e.actions_taken.iter().map(ToString::to_string).collect(),
            mitigation_started_at: e.mitigation_started_at,
            resolved_at: e.resolved_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
            version: s.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SecurityEventList {
    pub items: Vec<SecurityEventBody>,
    pub next_cursor: Option<String>,
}

fn security_event_response(stored: &StoredSecurityEvent) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(stored.version))).json(SecurityEventBody::from(stored))
}

/// An event the provider's security staff detected (GSI-8.2).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "agency_id": "00000000-0000-7000-8000-000000000a01",
    "subscription_id": "0190f5c2-1a2b-7c3d-8e4f-0000000000d1",
    "category": "ddos",
    "severity": "high",
    "detected_at": "2026-11-14T03:12:00Z",
    "description": "UDP reflection flood of 18 Gbps towards the agency's public web address",
    "indicators": ["203.0.113.7", "198.51.100.0/24"],
    "actions_taken": ["Traffic diverted to the scrubbing centre"]
}))]
pub struct RecordSecurityEvent {
    /// An agency the caller's provider serves.
    pub agency_id: uuid::Uuid,
    /// One of that agency's subscriptions the provider serves, when the event concerns one.
    pub subscription_id: Option<uuid::Uuid>,
    pub category: SecurityCategoryBody,
    pub severity: SeverityBody,
    /// Not in the future.
    pub detected_at: DateTime<Utc>,
    #[schema(max_length = 4000)]
    pub description: String,
    /// At most 50, each at most 500 characters.
    #[serde(default)]
    pub indicators: Vec<String>,
    /// At most 50, each at most 2,000 characters.
    #[serde(default)]
    pub actions_taken: Vec<String>,
}

/// A status change, with what was done.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "resolve", "note": "Flood subsided; diversion withdrawn"}))]
pub struct SecurityEventStep {
    pub action: SecurityEventActionBody,
    /// Added to `actions_taken`.
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListSecurityEventsQuery {
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
    #[param(value_type = Option<uuid::Uuid>)]
    pub subscription_id: Option<String>,
    #[param(value_type = Option<SecurityCategoryBody>)]
    pub category: Option<String>,
    #[param(value_type = Option<SeverityBody>)]
    pub severity: Option<String>,
    #[param(value_type = Option<SecurityEventStatusBody>)]
    pub status: Option<String>,
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SecuritySummaryQuery {
    /// Asia/Bangkok month, `YYYY-MM`; the current month when left out.
    #[param(value_type = Option<String>, example = "2026-11")]
    pub month: Option<String>,
    /// One agency only (for providers and GIX).
    #[param(value_type = Option<uuid::Uuid>)]
    pub agency_id: Option<String>,
}

/// How many events of one category and severity.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryCellBody {
    pub category: SecurityCategoryBody,
    pub severity: SeverityBody,
    pub count: u32,
    /// Of those, how many are not resolved yet.
    pub unresolved: u32,
}

/// GSI-7.5.4, 7.5.9: a month's events by category × severity.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "month": "2026-11", "total": 2,
    "cells": [
        {"category": "ddos", "severity": "critical", "count": 0, "unresolved": 0},
        {"category": "ddos", "severity": "high", "count": 1, "unresolved": 0}
    ]
}))]
pub struct SecuritySummaryBody {
    #[schema(example = "2026-11")]
    pub month: String,
    pub total: u32,
    /// Every category × severity, in vocabulary order, zeros included.
    pub cells: Vec<SummaryCellBody>,
}

impl From<&MonthlySummary> for SecuritySummaryBody {
    fn from(s: &MonthlySummary) -> Self {
        SecuritySummaryBody {
            month: s.month.to_string(),
            total: s.total,
            cells: s
                .cells
                .iter()
                .map(|c| SummaryCellBody {
                    category: c.category.into(),
                    severity: c.severity.into(),
                    count: c.count,
                    unresolved: c.unresolved,
                })
                .collect(),
        }
    }
}
