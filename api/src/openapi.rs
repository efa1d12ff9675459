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

// ---------------------------------------------------------------------------------------
// Post-processing of the generated document: exact parameter grammars and links.
// ---------------------------------------------------------------------------------------

/// `YYYY-MM` with a year the server's calendar accepts (1900–9999).
const MONTH_PATTERN: &str = "^(19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2])$";
/// The months of `GET /v1/reports/usage` and friends, as `group_by` dimensions.
const USAGE_DIMENSIONS: &[&str] = &["provider", "agency", "service_family", "offering", "metric", "month"];

/// Where a rule applies: a parameter by name and location (only where its generated schema
/// is a plain string or integer, so typed parameters of the same name keep their type), or a
/// property of a request-body schema.
enum Target {
    Parameter { name: &'static str, location: &'static str },
    Property { schema: &'static str, property: &'static str },
}

/// A parameter's or property's exact grammar, as the server parses it.
struct Grammar {
    target: Target,
    schema: fn() -> serde_json::Value,
}

/// THE table of value grammars the generated schemas cannot say by themselves (the handlers
/// take these values as strings and parse them): a client generating values from the
/// spec, or a fuzzer, gets exactly what the server accepts. Each entry names the server code
/// that parses the value; a test in `tests/http/openapi.rs` checks a sample of them.
const GRAMMARS: &[Grammar] = &[
    // `http::pagination`: base64url (no padding) of a version byte 1 and a 16-byte id.
    Grammar {
        target: Target::Parameter { name: "cursor", location: "query" },
        schema: || {
            serde_json::json!({"type": "string", "pattern": "^A[Q-Za-f][A-Za-z0-9_-]{20}[AEIMQUYcgkosw048]$",
            "description": "Opaque: the `next_cursor` of the previous page."})
        },
    },
    // `routes::events::list`: the position after which to read, a non-negative integer.
    Grammar {
        target: Target::Parameter { name: "after", location: "query" },
        schema: || {
            serde_json::json!({"type": "string", "pattern": "^[0-9]{1,18}$",
            "description": "The `next_cursor` of the previous page (0 or absent: from the start)."})
        },
    },
    // `http::etag::Precondition::parse`: `*` or a list of strong or weak entity tags (RFC 9110 §8.8.3).
    Grammar {
        target: Target::Parameter { name: "If-Match", location: "header" },
        schema: || serde_json::json!({"type": "string", "pattern": crate::http::etag::IF_MATCH_PATTERN, "example": "\"1\""}),
    },
    // `http::idempotency`: 1–255 visible ASCII characters.
    Grammar {
        target: Target::Parameter { name: "Idempotency-Key", location: "header" },
        schema: || serde_json::json!({"type": "string", "pattern": "^[!-~]{1,255}$"}),
    },
    // `gsi_domain::calendar::Month`: Asia/Bangkok months.
    Grammar {
        target: Target::Parameter { name: "month", location: "query" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"}),
    },
    Grammar {
        target: Target::Parameter { name: "from", location: "query" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-10"}),
    },
    Grammar {
        target: Target::Parameter { name: "to", location: "query" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "example": "2026-11"}),
    },
    Grammar {
        target: Target::Property { schema: "CloseMonthInput", property: "month" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "description": "`YYYY-MM`, an Asia/Bangkok month that has ended.", "example": "2026-11"}),
    },
    Grammar {
        target: Target::Property { schema: "DraftMonthlyReportBody", property: "month" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "description": "`YYYY-MM`, an ended Asia/Bangkok month.", "example": "2026-11"}),
    },
    Grammar {
        target: Target::Property { schema: "NewReportRequestBody", property: "from" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "description": "First month, `YYYY-MM`."}),
    },
    Grammar {
        target: Target::Property { schema: "NewReportRequestBody", property: "to" },
        schema: || serde_json::json!({"type": "string", "pattern": MONTH_PATTERN, "description": "Last month, `YYYY-MM`; must have ended."}),
    },
    Grammar {
        target: Target::Property { schema: "NewReportRequestBody", property: "due_date" },
        schema: || serde_json::json!({"type": "string", "format": "date", "description": "`YYYY-MM-DD`, today or later (Asia/Bangkok).", "example": "2026-12-20"}),
    },
    // `routes::budgets::set`: a family or absent.
    Grammar {
        target: Target::Property { schema: "SetBudgetBody", property: "service_family" },
        schema: || {
            serde_json::json!({"oneOf": [{"$ref": "#/components/schemas/ServiceFamilyBody"}, {"type": "null"}],
            "description": "The family, or absent (null) for the whole year."})
        },
    },
    // `http::report_format`.
    Grammar {
        target: Target::Parameter { name: "format", location: "query" },
        schema: || serde_json::json!({"type": "string", "enum": ["json", "csv"]}),
    },
    // `routes::report_requests::list`.
    Grammar {
        target: Target::Parameter { name: "state", location: "query" },
        schema: || serde_json::json!({"type": "string", "enum": ["open", "submitted"]}),
    },
    // `gsi_domain::service::ServiceFamily`.
    Grammar {
        target: Target::Parameter { name: "family", location: "query" },
        schema: || serde_json::json!({"$ref": "#/components/schemas/ServiceFamilyBody"}),
    },
    // `gsi_domain::calendar::FiscalYear`.
    Grammar {
        target: Target::Parameter { name: "fiscal_year", location: "path" },
        schema: || serde_json::json!({"type": "integer", "minimum": 1901, "maximum": 2400, "example": 2027}),
    },
    Grammar {
        target: Target::Parameter { name: "fiscal_year", location: "query" },
        schema: || serde_json::json!({"type": "integer", "minimum": 1901, "maximum": 2400, "example": 2027}),
    },
    // `routes::expiry_watch::get`.
    Grammar {
        target: Target::Parameter { name: "within_days", location: "query" },
        schema: || serde_json::json!({"type": "integer", "enum": [30, 60, 90]}),
    },
    // `gsi_domain::report::Grouping`: comma-separated dimensions, none twice.
    Grammar {
        target: Target::Parameter { name: "group_by", location: "query" },
        schema: || serde_json::json!({"type": "array", "items": {"type": "string", "enum": USAGE_DIMENSIONS}, "uniqueItems": true}),
    },
    Grammar {
        target: Target::Property { schema: "NewReportRequestBody", property: "group_by" },
        schema: || {
            let name = USAGE_DIMENSIONS.join("|");
            serde_json::json!({"type": "string", "pattern": format!("^({name})(,({name}))*$"),
            "description": "Comma-separated dimensions, as for `GET /v1/reports/usage`, none twice.", "example": "agency,metric"})
        },
    },
    // `gsi_domain::webhook::parse_event_types`: names from the `webhooks` section.
    Grammar {
        target: Target::Parameter { name: "types", location: "query" },
        schema: || serde_json::json!({"type": "array", "items": {"type": "string", "enum": event_type_names()}, "uniqueItems": true}),
    },
    Grammar {
        target: Target::Property { schema: "CreateWebhookSubscription", property: "event_types" },
        schema: || {
            serde_json::json!({"type": "array", "items": {"type": "string", "enum": event_type_names()}, "minItems": 1, "uniqueItems": true,
            "description": "At least one type from the `webhooks` section."})
        },
    },
];

fn event_type_names() -> Vec<&'static str> {
    gsi_domain::events::EVENT_TYPES.iter().map(|(_, name, _, _)| *name).collect()
}

/// Whether a generated schema is a plain scalar a grammar may replace (not a `$ref`, an
/// enum, or a formatted value such as a date-time or UUID).
fn is_plain(schema: &serde_json::Value) -> bool {
    let has = |key: &str| schema.get(key).is_some();
    let format_ok = matches!(schema.get("format").and_then(|f| f.as_str()), None | Some("int32" | "int64"));
    !has("$ref") && !has("enum") && !has("oneOf") && format_ok
}

/// An OpenAPI link: from a response of one operation to another operation, with the
/// target's parameters taken from the response (runtime expressions).
pub struct Link {
    pub from: &'static str,
    pub status: &'static str,
    pub name: &'static str,
    pub to: &'static str,
    pub parameters: &'static [(&'static str, &'static str)],
}

const SR_ID: &[(&str, &str)] = &[("request_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const SR_GET: &[(&str, &str)] = &[("request_id", "$response.body#/id")];
const SUB_ID: &[(&str, &str)] = &[("subscription_id", "$response.body#/id")];
const SUB_STEP: &[(&str, &str)] =
    &[("subscription_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const INC_ID: &[(&str, &str)] = &[("incident_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const INC_GET: &[(&str, &str)] = &[("incident_id", "$response.body#/id")];
const ASM_ID: &[(&str, &str)] = &[("assessment_id", "$response.body#/id")];
const RR_ID: &[(&str, &str)] = &[("request_id", "$response.body#/id")];
const RR_SUBMITTED: &[(&str, &str)] = &[("request_id", "$response.body#/request/id")];
const WH_ID: &[(&str, &str)] = &[("webhook_subscription_id", "$response.body#/id")];
const WH_STEP: &[(&str, &str)] =
    &[("webhook_subscription_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const OFF_ID: &[(&str, &str)] = &[("offering_id", "$response.body#/id")];
const OFF_STEP: &[(&str, &str)] =
    &[("offering_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const OUT_ID: &[(&str, &str)] = &[("outage_id", "$response.body#/id")];
const OUT_STEP: &[(&str, &str)] = &[("outage_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const SEC_ID: &[(&str, &str)] = &[("security_event_id", "$response.body#/id")];
const SEC_STEP: &[(&str, &str)] =
    &[("security_event_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const MR_ID: &[(&str, &str)] = &[("report_id", "$response.body#/id")];
const MR_STEP: &[(&str, &str)] = &[("report_id", "$response.body#/id"), ("header.If-Match", "$response.header.ETag")];
const ORG_ID: &[(&str, &str)] = &[("organisation_id", "$response.body#/id")];
const CERT_ID: &[(&str, &str)] = &[("certificate_id", "$response.body#/id")];
const IC_ID: &[(&str, &str)] = &[("interconnection_id", "$response.body#/id")];
const VN_ID: &[(&str, &str)] = &[("notice_id", "$response.body#/id")];
const ACC_ID: &[(&str, &str)] = &[("accreditation_id", "$response.body#/id")];
const REF_ID: &[(&str, &str)] = &[("reference_price_id", "$response.body#/id")];

macro_rules! links {
    ($( $from:literal $status:literal => $( $name:literal : $to:literal $params:ident ),+ ; )+) => {
        &[ $( $( Link { from: $from, status: $status, name: $name, to: $to, parameters: $params }, )+ )+ ]
    };
}

/// THE table of links: from the operations that create or return a resource to the
/// operations that act on it, so stateful testing and generated clients can follow the
/// workflows (Appendix A, incidents, governance, reports, webhooks). A test checks that every
/// operation and parameter named here exists.
pub const LINKS: &[Link] = links! {
    "submit_service_request" "201" =>
        "GetServiceRequest": "get_service_request" SR_GET,
        "Review": "review_service_request" SR_ID,
        "Quote": "quote_service_request" SR_ID,
        "Confirm": "confirm_service_request" SR_ID,
        "Decline": "decline_service_request" SR_ID,
        "Withdraw": "withdraw_service_request" SR_ID,
        "StartWork": "start_service_request_work" SR_ID,
        "ReportProgress": "report_service_request_progress" SR_ID,
        "Complete": "complete_service_request" SR_ID,
        "Fail": "fail_service_request" SR_ID;
    "get_service_request" "200" =>
        "Review": "review_service_request" SR_ID,
        "Quote": "quote_service_request" SR_ID,
        "Confirm": "confirm_service_request" SR_ID,
        "Decline": "decline_service_request" SR_ID,
        "Withdraw": "withdraw_service_request" SR_ID,
        "StartWork": "start_service_request_work" SR_ID,
        "ReportProgress": "report_service_request_progress" SR_ID,
        "Complete": "complete_service_request" SR_ID,
        "Fail": "fail_service_request" SR_ID;
    "review_service_request" "200" =>
        "Quote": "quote_service_request" SR_ID,
        "Withdraw": "withdraw_service_request" SR_ID;
    "quote_service_request" "200" =>
        "Confirm": "confirm_service_request" SR_ID,
        "Decline": "decline_service_request" SR_ID,
        "Withdraw": "withdraw_service_request" SR_ID;
    "confirm_service_request" "200" =>
        "StartWork": "start_service_request_work" SR_ID;
    "start_service_request_work" "200" =>
        "ReportProgress": "report_service_request_progress" SR_ID,
        "Complete": "complete_service_request" SR_ID,
        "Fail": "fail_service_request" SR_ID;
    "report_service_request_progress" "200" =>
        "ReportProgress": "report_service_request_progress" SR_ID,
        "Complete": "complete_service_request" SR_ID,
        "Fail": "fail_service_request" SR_ID;
    "register_existing_subscription" "201" =>
        "GetSubscription": "get_subscription" SUB_ID,
        "Transition": "transition_subscription" SUB_STEP,
        "Requests": "list_subscription_requests" SUB_ID,
        "Sla": "get_sla_attainment" SUB_ID;
    "get_subscription" "200" =>
        "Transition": "transition_subscription" SUB_STEP,
        "Requests": "list_subscription_requests" SUB_ID,
        "Sla": "get_sla_attainment" SUB_ID;
    "report_incident" "201" =>
        "GetIncident": "get_incident" INC_GET,
        "Act": "act_on_incident" INC_ID,
        "Comment": "comment_on_incident" INC_GET;
    "get_incident" "200" =>
        "Act": "act_on_incident" INC_ID,
        "Comment": "comment_on_incident" INC_GET;
    "act_on_incident" "200" =>
        "Act": "act_on_incident" INC_ID;
    "record_outage" "201" =>
        "GetOutage": "get_outage" OUT_ID,
        "End": "end_outage" OUT_STEP;
    "record_security_event" "201" =>
        "GetSecurityEvent": "get_security_event" SEC_ID,
        "Act": "act_on_security_event" SEC_STEP;
    "create_assessment" "201" =>
        "GetAssessment": "get_assessment" ASM_ID,
        "AddFinding": "add_finding" ASM_ID,
        "Decide": "decide_assessment" ASM_ID;
    "get_assessment" "200" =>
        "AddFinding": "add_finding" ASM_ID,
        "Decide": "decide_assessment" ASM_ID;
    "create_report_request" "201" =>
        "GetReportRequest": "get_report_request" RR_ID,
        "Submit": "submit_report_request" RR_ID;
    "get_report_request" "200" =>
        "Submit": "submit_report_request" RR_ID;
    "submit_report_request" "200" =>
        "Report": "get_submitted_report" RR_SUBMITTED;
    "draft_monthly_report" "201" =>
        "GetMonthlyReport": "get_monthly_report" MR_ID,
        "SetNotes": "set_monthly_report_notes" MR_STEP,
        "Submit": "submit_monthly_report" MR_STEP;
    "submit_monthly_report" "200" =>
        "Revise": "revise_monthly_report" MR_ID;
    "create_webhook_subscription" "201" =>
        "GetWebhookSubscription": "get_webhook_subscription" WH_ID,
        "Pause": "pause_webhook_subscription" WH_STEP,
        "Resume": "resume_webhook_subscription" WH_STEP,
        "RotateSecret": "rotate_webhook_secret" WH_STEP,
        "Attempts": "list_webhook_attempts" WH_ID,
        "Delete": "delete_webhook_subscription" WH_ID;
    "get_webhook_subscription" "200" =>
        "Pause": "pause_webhook_subscription" WH_STEP,
        "Resume": "resume_webhook_subscription" WH_STEP,
        "RotateSecret": "rotate_webhook_secret" WH_STEP,
        "Delete": "delete_webhook_subscription" WH_ID;
    "create_offering" "201" =>
        "GetOffering": "get_offering" OFF_ID,
        "Update": "update_offering" OFF_STEP,
        "Publish": "publish_offering" OFF_STEP,
        "PriceHistory": "get_offering_price_history" OFF_ID;
    "publish_offering" "200" =>
        "Retire": "retire_offering" OFF_STEP;
    "register_organisation" "201" =>
        "GetOrganisation": "get_organisation" ORG_ID;
    "record_iso_certificate" "201" =>
        "Verify": "verify_iso_certificate" CERT_ID;
    "declare_interconnection" "201" =>
        "Verify": "verify_interconnection" IC_ID;
    "record_notice" "201" =>
        "Remediate": "remediate_notice" VN_ID;
    "accredit_assessor" "201" =>
        "Withdraw": "withdraw_accreditation" ACC_ID;
    "set_reference_price" "201" =>
        "GetReferencePrice": "get_reference_price" REF_ID;
};

/// Applies the grammar table and the links to the generated document.
pub fn finish(spec: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    let mut doc = match serde_json::to_value(&spec) {
        Ok(doc) => doc,
        Err(e) => {
            log::error!("OpenAPI document not post-processed: {e}");
            return spec;
        }
    };
    apply_grammars(&mut doc);
    apply_links(&mut doc);
    match serde_json::from_value(doc) {
        Ok(finished) => finished,
        Err(e) => {
            log::error!("OpenAPI document not post-processed: {e}");
            spec
        }
    }
}

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

fn operations_mut(doc: &mut serde_json::Value) -> Vec<&mut serde_json::Value> {
    let mut found = Vec::new();
    if let Some(paths) = doc.get_mut("paths").and_then(|p| p.as_object_mut()) {
        for item in paths.values_mut() {
            if let Some(item) = item.as_object_mut() {
                for (method, operation) in item.iter_mut() {
                    if METHODS.contains(&method.as_str()) {
                        found.push(operation);
                    }
                }
            }
        }
    }
    found
}

fn apply_grammars(doc: &mut serde_json::Value) {
    for operation in operations_mut(doc) {
        let Some(parameters) = operation.get_mut("parameters").and_then(|p| p.as_array_mut()) else { continue };
        for parameter in parameters {
            let name = parameter.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
            let location = parameter.get("in").and_then(|n| n.as_str()).unwrap_or_default().to_owned();
            let Some(grammar) = GRAMMARS
                .iter()
                .find(|g| matches!(g.target, Target::Parameter { name: n, location: l } if n == name && l == location))
            else {
                continue;
            };
            if !parameter.get("schema").is_some_and(is_plain) {
                continue;
            }
            let schema = (grammar.schema)();
            if schema.get("type").and_then(|t| t.as_str()) == Some("array") {
                // Comma-separated, as the server reads it.
                parameter["style"] = serde_json::json!("form");
                parameter["explode"] = serde_json::json!(false);
            }
            parameter["schema"] = schema;
        }
    }
    let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(|s| s.as_object_mut()) else { return };
    for grammar in GRAMMARS {
        if let Target::Property { schema, property } = grammar.target {
            match schemas.get_mut(schema).and_then(|s| s.get_mut("properties")).and_then(|p| p.get_mut(property)) {
                Some(slot) => *slot = (grammar.schema)(),
                None => log::error!("OpenAPI grammar for missing property {schema}.{property}"),
            }
        }
    }
}

fn apply_links(doc: &mut serde_json::Value) {
    for operation in operations_mut(doc) {
        let Some(id) = operation.get("operationId").and_then(|i| i.as_str()).map(str::to_owned) else { continue };
        for link in LINKS.iter().filter(|l| l.from == id) {
            let Some(response) = operation.pointer_mut(&format!("/responses/{}", link.status)) else {
                log::error!("OpenAPI link {} from {id}: no {} response", link.name, link.status);
                continue;
            };
            let parameters: serde_json::Map<String, serde_json::Value> =
                link.parameters.iter().map(|(name, expr)| ((*name).to_owned(), serde_json::json!(expr))).collect();
            if let Some(response) = response.as_object_mut() {
                let links = response.entry("links").or_insert_with(|| serde_json::json!({}));
                links[link.name] = serde_json::json!({"operationId": link.to, "parameters": parameters});
            }
        }
    }
}
