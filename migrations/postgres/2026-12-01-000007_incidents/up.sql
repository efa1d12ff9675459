-- Incidents (GSI-7.3, 7.4, 7.5.8): reported by the agency or recorded by the provider, with
-- the timeline both sides follow. The timeline is append-only, one row per step or comment.
CREATE TABLE incidents (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    agency_id uuid NOT NULL REFERENCES organisations (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    title text NOT NULL,
    description text NOT NULL,
    impact text NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
    urgency text NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
    priority text NOT NULL CHECK (priority IN ('p1', 'p2', 'p3', 'p4')),
    channel text NOT NULL CHECK (channel IN ('self_service', 'phone', 'email', 'monitoring')),
    reported_at timestamptz NOT NULL,
    state text NOT NULL
        CHECK (state IN ('new', 'acknowledged', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled')),
    hold_reason text CHECK (hold_reason IN ('awaiting_agency', 'awaiting_supplier', 'scheduled_work', 'other')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX incidents_agency ON incidents (agency_id, id);
CREATE INDEX incidents_provider ON incidents (provider_id, id);
CREATE INDEX incidents_subscription ON incidents (subscription_id, reported_at);

CREATE TABLE incident_timeline (
    incident_id uuid NOT NULL REFERENCES incidents (id),
    seq integer NOT NULL CHECK (seq >= 0),
    occurred_at timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_role text NOT NULL,
    actor_organisation_id uuid NOT NULL REFERENCES organisations (id),
    kind text NOT NULL,
    from_state text,
    to_state text,
    hold_reason text,
    note text,
    PRIMARY KEY (incident_id, seq)
);

-- Outages (GSI-7.2, 10.3) posted by the provider's monitoring on one or more subscriptions;
-- `planned` is 0 or 1 (the multi backend has no boolean type). Each affected subscription is
-- a link row carrying its agency, so an agency's outages are found by index.
CREATE TABLE outages (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    started_at timestamptz NOT NULL,
    ended_at timestamptz,
    cause text NOT NULL,
    planned integer NOT NULL CHECK (planned IN (0, 1)),
    announced_at timestamptz,
    exclusion_kind text CHECK (exclusion_kind IN
        ('planned_maintenance', 'force_majeure', 'customer_caused', 'third_party_network', 'other')),
    exclusion_reason text,
    recorded_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK ((exclusion_kind IS NULL) = (exclusion_reason IS NULL))
);
CREATE INDEX outages_provider ON outages (provider_id, id);

CREATE TABLE outage_subscriptions (
    outage_id uuid NOT NULL REFERENCES outages (id),
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    agency_id uuid NOT NULL REFERENCES organisations (id),
    ordinal integer NOT NULL,
    PRIMARY KEY (outage_id, subscription_id)
);
CREATE INDEX outage_subscriptions_subscription ON outage_subscriptions (subscription_id, outage_id);
CREATE INDEX outage_subscriptions_agency ON outage_subscriptions (agency_id, outage_id);

-- Security events (GSI-7.5.4, 8.2) per agency, optionally per subscription. Indicators and
-- actions taken are JSON arrays of strings.
CREATE TABLE security_events (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    agency_id uuid NOT NULL REFERENCES organisations (id),
    subscription_id uuid REFERENCES subscriptions (id),
    category text NOT NULL CHECK (category IN
        ('ddos', 'intrusion_attempt', 'malware', 'virus', 'phishing', 'vulnerability', 'threat_intel', 'data_leak', 'other')),
    severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    detected_at timestamptz NOT NULL,
    status text NOT NULL CHECK (status IN ('detected', 'mitigating', 'resolved')),
    description text NOT NULL,
    indicators jsonb NOT NULL,
    actions_taken jsonb NOT NULL,
    mitigation_started_at timestamptz,
    resolved_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX security_events_agency ON security_events (agency_id, id);
CREATE INDEX security_events_provider ON security_events (provider_id, id);
CREATE INDEX security_events_agency_detected ON security_events (agency_id, detected_at);
CREATE INDEX security_events_provider_detected ON security_events (provider_id, detected_at);
