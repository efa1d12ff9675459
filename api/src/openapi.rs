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
        (name = "health", description = "Liveness and readiness for orchestrators."),
    ),
    components(
        schemas(Problem),
        responses(
            Unauthenticated, Forbidden, NotFound, ValidationFailed, BadRequest, PreconditionFailed,
            PreconditionRequired, Conflict, InvalidTransition, ProviderNotListed, PayloadTooLarge,
            UnsupportedMediaType, ServiceUnavailable
        )
    ),
    modifiers(&BearerAuth),
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

/// GSI-13.1: the provider is not listed for the service family now.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json", example = json!({"type": "https://gsi-hub.example/problems/provider-not-listed", "title": "Provider not on the provider list", "status": 422, "detail": "the provider is not on the provider list for network (status: delisted); agencies may subscribe only to listed providers (GSI-13.1)"}))]
pub struct ProviderNotListed(pub Problem);

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
