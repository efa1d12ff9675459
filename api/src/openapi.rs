//! The OpenAPI document's frame: info, tags, the bearer scheme, and the reusable problem
//! responses. Paths come from the handlers themselves (`routes::configure`), so the spec
//! cannot list an operation the server does not serve.

use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi, ToResponse};

use crate::error::Problem;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "GSI Hub API",
        description = "Reference backend of the online self-service system that Thailand's draft *Secure Government Digital Infrastructure Service Standard* requires of every certified provider (GSI-7.5). Agencies read their profile, services, costs and security data and request services and changes (Appendix A); providers integrate their back-office systems; GIX keeps the provider list and collects usage reports.\n\nAuthenticate with a bearer JWT (`Authorization: Bearer …`). Errors are RFC 7807 `application/problem+json` with a stable `type`. Lists take `limit` (1–200, default 50) and an opaque `cursor`, and return `next_cursor`. Single resources carry an `ETag`; updates require `If-Match`. Creating POSTs accept an `Idempotency-Key`. Clause IDs such as GSI-7.5.1 refer to the standard's requirement catalogue.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        version = env!("CARGO_PKG_VERSION"),
    ),
    tags(
        (name = "identity", description = "Who the caller is (GSI-A.1.1)."),
        (name = "organisations", description = "The register of agencies, providers, assessors and GIX (clause 3)."),
        (name = "agency-profiles", description = "An agency's basic data: names, coordinators, contact channels (GSI-7.5.1)."),
        (name = "providers", description = "Provider profiles (GSI-6.1, 6.2, 7.4, 10.3) and the provider list GIX keeps (GSI-12.2, 12.3, 13.1)."),
        (name = "subscriptions", description = "Services in use: dates, quantities, add-ons, frozen SLA terms, lifecycle (GSI-7.5.2, 13.1)."),
        (name = "service-requests", description = "Requests for a new service, an add-on, a change or a cancellation (GSI-7.5.5–7.5.7) through the Appendix A workflow: preview with capacity warnings and cost estimate, submit, review, quote, confirm, carry out with progress, complete (GSI-A.1.1–A.1.8, 13.1)."),
        (name = "audit", description = "Who changed what, when, under which request."),
        (name = "reference-prices", description = "GIX's reference prices (ราคากลาง) per service kind and metric, with their validity periods: the cap on providers' unit prices (GSI-7.1)."),
        (name = "catalog", description = "Providers' offerings: family and kind (GSI-5.1, 3.6–3.8), pay-per-use prices under the reference prices with their history (GSI-7.1), service levels (GSI-10.1, 10.2), capacity limits (GSI-A.1.3), add-ons."),
        (name = "incidents", description = "Fault reports and their handling: priority from impact × urgency, response and resolution deadlines from the subscription's SLA terms, the lifecycle and a timeline both sides follow (GSI-7.3, 7.4, 7.5.8, 10.2)."),
        (name = "outages", description = "Outages the providers' monitoring posts on the subscriptions they serve, and whether each counts against the service level under the provider's published exclusions (GSI-7.2, 10.3)."),
        (name = "security-events", description = "Attacks, threats, viruses and malware the providers' security staff detect for an agency, what they did, and monthly summaries (GSI-7.5.4, 7.5.9, 8.2)."),
        (name = "sla", description = "Monthly SLA attainment per subscription: availability, reliability, breaches and service credits, with every outage counted or excluded and why (GSI-10.1, 10.2, 10.3)."),
        (name = "usage", description = "Pay-per-use metering: providers' systems push usage records in atomic, idempotent batches; each is rated at the unit price in force capped at the reference price (GSI-7.1)."),
        (name = "costs", description = "What agencies owe: the current Asia/Bangkok month to date and past months, per subscription and metric (GSI-7.5.3)."),
        (name = "statements", description = "Monthly statements per agency and provider, issued when the provider closes the month; late usage becomes a dated adjustment on the next one; JSON and CSV (GSI-7.5.3)."),
        (name = "reports", description = "Reports (GSI-7.5.9, 7.6, 13.2, 13.3): GIX's usage reports grouped by provider, agency, service family, offering, metric and month; formal report requests to providers answered with frozen, hashed figures; agencies' fiscal-year budgets (1 October – 30 September, B.E. year beside the Gregorian) and monthly reports with revisions and the overdue rule. Every report is JSON or CSV (`Accept: text/csv` or `format=csv`; `bom=true` adds a UTF-8 byte-order mark for spreadsheets); large results are streamed."),
        (name = "governance", description = "Assessor accreditation (GSI-12.1), ISO certificates and their verification (GSI-6.4), assessments against the family standards (GSI-6.3) with clause-level findings, decisions and certifications valid at most one year (GSI-11.1-11.4), and the expiry watch. The provider list is derived from this evidence (GSI-12.2, 12.3, 13.1)."),
        (name = "events", description = "Events for integrators: every change that matters to another party, written in the change's transaction (an outbox), readable in commit order through the feed and pushed to webhook subscriptions signed per Standard Webhooks, at least once, with retries, a delivery log, pause and resume, and secret rotation. Event types and payloads are in the `webhooks` section."),
        (name = "health", description = "Liveness and readiness for orchestrators."),
    ),
    components(
        schemas(Problem),
        responses(
            Unauthenticated, Forbidden, NotFound, ValidationFailed, BadRequest, PreconditionFailed,
            PreconditionRequired, Conflict, InvalidTransition, PayloadTooLarge,
            UnsupportedMediaType, ServiceUnavailable
        )
    ),
    // Paths are relative to wherever the API is served (the OpenAPI default, stated so that
    // linters and generators do not warn about a missing `servers`).
    servers((url = "/", description = "This GSI Hub instance")),
    modifiers(&BearerAuth, &EventWebhooks),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

pub struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.bearer_format = Some("JWT".to_owned());
        scheme.description = Some(
            "A JWT with claims `sub`, `org` (organisation id) and `role` (agency_admin, agency_user, provider_operator, gix_officer, assessor). `make run` prints ready tokens; `gsi-api token --role …` makes more.".to_owned(),
        );
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The OpenAPI 3.1 `webhooks` section: one entry per event type, each a POST to the
/// subscriber's URL with the Standard Webhooks headers and the event as body.
pub struct EventWebhooks;

impl Modify for EventWebhooks {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let mut webhooks = serde_json::Map::new();
        for (event_type, name, resource, description) in gsi_domain::events::EVENT_TYPES {
            let header = |header: &str, description: &str| serde_json::json!({"name": header, "in": "header", "required": true, "description": description, "schema": {"type": "string"}});
            let operation = serde_json::json!({
                "post": {
                    "tags": ["events"],
                    "summary": name,
                    "operationId": format!("event_{}", name.replace('.', "_")),
                    "description": format!("{description}\n\nSent to subscriptions of the event's organisations that asked for `{event_type}`; verify `webhook-signature` before trusting the body, and de-duplicate by `webhook-id` (delivery is at least once)."),
                    "parameters": [
                        header("webhook-id", "The event id; the same on every retry."),
                        header("webhook-timestamp", "Unix seconds when this attempt was signed; reject ones far from your clock."),
                        header("webhook-signature", "`v1,` + base64 HMAC-SHA256 of `{webhook-id}.{webhook-timestamp}.{body}` keyed with the base64 part of the `whsec_` secret; several space-separated during a secret rotation, any one verifying is enough."),
                    ],
                    "requestBody": {
                        "required": true,
                        "content": {"application/json": {"schema": {"allOf": [
                            {"$ref": "#/components/schemas/EventBody"},
                            {"type": "object", "properties": {
                                "type": {"type": "string", "enum": [name]},
                                "resource": {"type": "object", "properties": {"type": {"type": "string", "enum": [resource]}}},
                                "data": event_data_schema(*event_type)
                            }}
                        ]}}}
                    },
                    "responses": {
                        "2XX": {"description": "Acknowledged; any other answer, a timeout or a refused connection is retried with exponential backoff and jitter."}
                    },
                    "security": []
                }
            });
            webhooks.insert((*name).to_owned(), operation);
        }
        match serde_json::from_value::<utoipa::openapi::path::Paths>(serde_json::Value::Object(webhooks)) {
            Ok(paths) => openapi.webhooks = Some(paths),
            Err(e) => log::error!("webhooks section not built: {e}"),
        }
    }
}

/// The `data` of each event type: a few facts, never more than a reader of the resource sees.
fn event_data_schema(event_type: gsi_domain::events::EventType) -> serde_json::Value {
    use gsi_domain::events::EventType as T;
    let text = |description: &str| serde_json::json!({"type": ["string", "null"], "description": description});
    let instant = |description: &str| serde_json::json!({"type": ["string", "null"], "format": "date-time", "description": description});
    let step = || {
        serde_json::json!({
            "action": text("The step taken."),
            "from": text("The state before the step."),
        })
    };
    let properties = match event_type {
        T::ServiceRequestSubmitted => {
            serde_json::json!({"kind": text("new_service, add_addon, change, cancel_addon or cancel.")})
        }
        T::ServiceRequestReviewStarted
        | T::ServiceRequestQuoted
        | T::ServiceRequestRejected
        | T::ServiceRequestConfirmed
        | T::ServiceRequestDeclined
        | T::ServiceRequestWithdrawn
        | T::ServiceRequestWorkStarted
        | T::ServiceRequestProgressReported
        | T::ServiceRequestCompleted
        | T::ServiceRequestFailed => serde_json::json!({
            "action": text("The Appendix A step taken."),
            "from": text("The request's state before the step."),
            "quote_id": text("The quote the step made or confirmed, if any."),
            "percent": {"type": ["integer", "null"], "description": "Progress reported, 0–100."},
        }),
        T::SubscriptionCreated => serde_json::json!({
            "origin": text("How it began, when registered directly."),
            "service_request_id": text("The completed request that created it, if any."),
        }),
        T::SubscriptionChanged => {
            serde_json::json!({"service_request_id": text("The completed request that changed it.")})
        }
        T::SubscriptionStatusChanged | T::IncidentStateChanged | T::SecurityEventStatusChanged => step(),
        T::IncidentReported => serde_json::json!({"priority": text("p1–p4, from impact and urgency.")}),
        T::IncidentCommented => serde_json::json!({}),
        T::OutageRecorded | T::OutageEnded => serde_json::json!({
            "started_at": instant("When the outage started."),
            "ended_at": instant("When it ended; null while ongoing."),
            "planned": {"type": "boolean", "description": "Announced maintenance."},
        }),
        T::SecurityEventRecorded => serde_json::json!({"severity": text("The provider's severity rating.")}),
        T::ProviderListingChanged => serde_json::json!({
            "family": text("network, cloud or data_center."),
            "action": text("list, suspend, reinstate or delist."),
            "from": text("The standing before the change."),
            "effective_at": instant("When the change takes effect."),
        }),
        T::ProviderListChanged => serde_json::json!({
            "family": text("network, cloud or data_center."),
            "listed": {"type": "boolean", "description": "Whether the provider is listed for the family from `effective_at`."},
            "reasons": {"type": "array", "items": {"type": "object", "properties": {"code": text("Why not listed."), "clause": text("The clause, e.g. GSI-6.4."), "message": text("In words.")}}, "description": "Every reason when not listed; empty when listed."},
            "effective_at": instant("When the change took effect."),
        }),
        T::AssessmentDecided => serde_json::json!({
            "outcome": text("The decision's outcome."),
            "certification_id": text("The certification issued, if any."),
        }),
        T::ReportRequestCreated => serde_json::json!({
            "from": text("First month of the period, YYYY-MM."),
            "to": text("Last month of the period, YYYY-MM."),
            "due_date": text("The due day, YYYY-MM-DD (Asia/Bangkok)."),
        }),
        T::ReportRequestSubmitted => serde_json::json!({
            "content_hash": text("SHA-256 of the frozen report's CSV, hex."),
            "total": text("The report's total in THB, a decimal string."),
        }),
        T::MonthlyReportSubmitted => serde_json::json!({
            "month": text("The Asia/Bangkok calendar month, YYYY-MM."),
            "revision": {"type": "integer", "description": "The revision submitted (1 for the first)."},
        }),
        T::StatementIssued => serde_json::json!({
            "month": text("The Asia/Bangkok calendar month, YYYY-MM."),
            "total": text("The statement's total in THB, a decimal string."),
        }),
    };
    serde_json::json!({"type": "object", "properties": properties})
}

/// Missing, expired or invalid bearer token (`WWW-Authenticate: Bearer` is set).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/unauthenticated", "title": "Authentication required", "status": 401, "detail": "authentication required: token expired"}))]
pub struct Unauthenticated(pub Problem);

/// The caller's role may not do this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/forbidden", "title": "Not allowed for this role", "status": 403, "detail": "forbidden: only the agency's admins update its profile"}))]
pub struct Forbidden(pub Problem);

/// No such object, or it belongs to another tenant.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/not-found", "title": "Not found", "status": 404, "detail": "agency profile not found"}))]
pub struct NotFound(pub Problem);

/// The body is JSON, but fields are invalid, unknown or missing; `errors` names each one.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/validation-error", "title": "Invalid fields", "status": 422, "detail": "invalid fields: coordinators[0].email", "errors": [{"field": "coordinators[0].email", "code": "invalid_email", "message": "must be an e-mail address such as name@agency.go.th"}]}))]
pub struct ValidationFailed(pub Problem);

/// Malformed JSON, or an invalid path, query or header parameter.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/invalid-parameters", "title": "Invalid parameters", "status": 400, "detail": "invalid fields: limit", "errors": [{"field": "limit", "code": "out_of_range", "message": "must be a whole number from 1 to 200 (got `500`)"}]}))]
pub struct BadRequest(pub Problem);

/// `If-Match` does not name the current version; `current_etag` gives it.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/precondition-failed", "title": "The resource has changed", "status": 412, "detail": "precondition failed: the resource has changed (current ETag \"3\")", "current_etag": "\"3\""}))]
pub struct PreconditionFailed(pub Problem);

/// Updates must send `If-Match` with the ETag last read.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/precondition-required", "title": "If-Match required", "status": 428, "detail": "If-Match header required"}))]
pub struct PreconditionRequired(pub Problem);

/// The request conflicts with the current state (e.g. a unique value exists).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/conflict", "title": "Conflict", "status": 409, "detail": "conflict: a record with the same unique value exists"}))]
pub struct Conflict(pub Problem);

/// The action is not allowed in the object's current state; `current_state` and
/// `allowed_actions` say what is possible.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/invalid-transition", "title": "Not allowed in the current state", "status": 409, "detail": "cannot resume a subscription that is active; allowed: suspend, terminate", "current_state": "active", "allowed_actions": ["suspend", "terminate"]}))]
pub struct InvalidTransition(pub Problem);

/// The body exceeds the configured limit (`GSI_MAX_BODY_BYTES`).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/payload-too-large", "title": "Request body too large", "status": 413, "detail": "request body larger than 262144 bytes"}))]
pub struct PayloadTooLarge(pub Problem);

/// The body must be `application/json`.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/unsupported-media-type", "title": "Unsupported media type", "status": 415, "detail": "unsupported media type: send the body as application/json"}))]
pub struct UnsupportedMediaType(pub Problem);

/// The database is unreachable or busy; retry after the `Retry-After` seconds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/service-unavailable", "title": "Service temporarily unavailable", "status": 503, "detail": "the service is temporarily unavailable; retry shortly"}))]
pub struct ServiceUnavailable(pub Problem);
