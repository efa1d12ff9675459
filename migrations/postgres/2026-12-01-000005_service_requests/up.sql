-- Service requests (GSI-7.5.5–7.5.7) through the Appendix A workflow (GSI-A.1.1–A.1.8).
-- The request row holds its current state; every quote is kept (GSI-A.1.6) and every step
-- leaves one timeline row (GSI-A.1.8). JSON documents hold decimals as strings; every row is
-- re-parsed through gsi-domain on load.
CREATE TABLE service_requests (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('new_service', 'add_addon', 'change', 'cancel', 'cancel_addon')),
    agency_id uuid NOT NULL REFERENCES organisations (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    -- The subscription the request is about; for a new service, the one its completion created.
    subscription_id uuid REFERENCES subscriptions (id),
    -- The offering bought (new service) or the add-on added or removed.
    offering_id uuid REFERENCES offerings (id),
    -- What was asked (quantities, end, note) and who submitted it; the ids are columns.
    payload jsonb NOT NULL,
    preview jsonb NOT NULL,
    warnings jsonb NOT NULL,
    -- As stored: `expired` is computed from quote_valid_until, never stored.
    status text NOT NULL CHECK (status IN ('submitted', 'under_review', 'quoted', 'rejected', 'confirmed',
        'declined', 'withdrawn', 'in_progress', 'completed', 'failed')),
    -- The current quote's validity (exclusive), so lists can read `expired` in SQL.
    quote_valid_until timestamptz,
    -- What the agency accepted (GSI-A.1.7), once confirmed.
    acknowledgement jsonb,
    -- The latest progress report (GSI-A.1.8) and why it was declined, withdrawn or failed.
    state_notes jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK (status <> 'quoted' OR quote_valid_until IS NOT NULL)
);
CREATE INDEX service_requests_agency ON service_requests (agency_id, id);
CREATE INDEX service_requests_provider_queue ON service_requests (provider_id, status, created_at);
CREATE INDEX service_requests_provider ON service_requests (provider_id, id);
CREATE INDEX service_requests_subscription ON service_requests (subscription_id, id);
CREATE INDEX service_requests_status ON service_requests (status, id);

CREATE TABLE service_request_quotes (
    id uuid PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES service_requests (id),
    number integer NOT NULL CHECK (number >= 1),
    decision jsonb NOT NULL,
    issued_at timestamptz NOT NULL,
    issued_by text NOT NULL,
    UNIQUE (request_id, number)
);

-- One row per step; `version` is the request's version after the step, so two racing steps
-- cannot both leave an entry.
CREATE TABLE service_request_timeline (
    id uuid PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES service_requests (id),
    version bigint NOT NULL,
    at timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_role text NOT NULL,
    actor_organisation_id uuid NOT NULL REFERENCES organisations (id),
    action text NOT NULL,
    from_status text,
    to_status text NOT NULL,
    note text,
    percent integer CHECK (percent BETWEEN 0 AND 100),
    quote_id uuid REFERENCES service_request_quotes (id),
    UNIQUE (request_id, version)
);
