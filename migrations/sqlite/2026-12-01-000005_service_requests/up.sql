-- Service requests (GSI-7.5.5–7.5.7) through the Appendix A workflow (GSI-A.1.1–A.1.8).
-- The request row holds its current state; every quote is kept (GSI-A.1.6) and every step
-- leaves one timeline row (GSI-A.1.8). JSON documents hold decimals as strings; every row is
-- re-parsed through gsi-domain on load.
CREATE TABLE service_requests (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('new_service', 'add_addon', 'change', 'cancel', 'cancel_addon')),
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    -- The subscription the request is about; for a new service, the one its completion created.
    subscription_id TEXT REFERENCES subscriptions (id),
    -- The offering bought (new service) or the add-on added or removed.
    offering_id TEXT REFERENCES offerings (id),
    -- What was asked (quantities, end, note) and who submitted it; the ids are columns.
    payload TEXT NOT NULL,
    preview TEXT NOT NULL,
    warnings TEXT NOT NULL,
    -- As stored: `expired` is computed from quote_valid_until, never stored.
    status TEXT NOT NULL CHECK (status IN ('submitted', 'under_review', 'quoted', 'rejected', 'confirmed',
        'declined', 'withdrawn', 'in_progress', 'completed', 'failed')),
    -- The current quote's validity (exclusive), so lists can read `expired` in SQL.
    quote_valid_until TEXT,
    -- What the agency accepted (GSI-A.1.7), once confirmed.
    acknowledgement TEXT,
    -- The latest progress report (GSI-A.1.8) and why it was declined, withdrawn or failed.
    state_notes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK (status <> 'quoted' OR quote_valid_until IS NOT NULL)
);
CREATE INDEX service_requests_agency ON service_requests (agency_id, id);
CREATE INDEX service_requests_provider_queue ON service_requests (provider_id, status, created_at);
CREATE INDEX service_requests_provider ON service_requests (provider_id, id);
CREATE INDEX service_requests_subscription ON service_requests (subscription_id, id);
CREATE INDEX service_requests_status ON service_requests (status, id);

CREATE TABLE service_request_quotes (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES service_requests (id),
    number INTEGER NOT NULL CHECK (number >= 1),
    decision TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    UNIQUE (request_id, number)
);

-- One row per step; `version` is the request's version after the step, so two racing steps
-- cannot both leave an entry.
CREATE TABLE service_request_timeline (
    id TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES service_requests (id),
    version BIGINT NOT NULL,
    at TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    action TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    note TEXT,
    percent INTEGER CHECK (percent BETWEEN 0 AND 100),
    quote_id TEXT REFERENCES service_request_quotes (id),
    UNIQUE (request_id, version)
);
