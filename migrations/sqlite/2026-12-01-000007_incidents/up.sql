-- Incidents (GSI-7.3, 7.4, 7.5.8): reported by the agency or recorded by the provider, with
-- the timeline both sides follow. The timeline is append-only, one row per step or comment.
CREATE TABLE incidents (
    id TEXT PRIMARY KEY NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    impact TEXT NOT NULL CHECK (impact IN ('high', 'medium', 'low')),
    urgency TEXT NOT NULL CHECK (urgency IN ('high', 'medium', 'low')),
    priority TEXT NOT NULL CHECK (priority IN ('p1', 'p2', 'p3', 'p4')),
    channel TEXT NOT NULL CHECK (channel IN ('self_service', 'phone', 'email', 'monitoring')),
    reported_at TEXT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('new', 'acknowledged', 'in_progress', 'on_hold', 'resolved', 'closed', 'cancelled')),
    hold_reason TEXT CHECK (hold_reason IN ('awaiting_agency', 'awaiting_supplier', 'scheduled_work', 'other')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX incidents_agency ON incidents (agency_id, id);
CREATE INDEX incidents_provider ON incidents (provider_id, id);
CREATE INDEX incidents_subscription ON incidents (subscription_id, reported_at);

CREATE TABLE incident_timeline (
    incident_id TEXT NOT NULL REFERENCES incidents (id),
    seq INTEGER NOT NULL CHECK (seq >= 0),
    occurred_at TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT,
    hold_reason TEXT,
    note TEXT,
    PRIMARY KEY (incident_id, seq)
);

-- Outages (GSI-7.2, 10.3) posted by the provider's monitoring on one or more subscriptions;
-- `planned` is 0 or 1 (the multi backend has no boolean type). Each affected subscription is
-- a link row carrying its agency, so an agency's outages are found by index.
CREATE TABLE outages (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    cause TEXT NOT NULL,
    planned INTEGER NOT NULL CHECK (planned IN (0, 1)),
    announced_at TEXT,
    exclusion_kind TEXT CHECK (exclusion_kind IN
        ('planned_maintenance', 'force_majeure', 'customer_caused', 'third_party_network', 'other')),
    exclusion_reason TEXT,
    recorded_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((exclusion_kind IS NULL) = (exclusion_reason IS NULL))
);
CREATE INDEX outages_provider ON outages (provider_id, id);

CREATE TABLE outage_subscriptions (
    outage_id TEXT NOT NULL REFERENCES outages (id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    ordinal INTEGER NOT NULL,
    PRIMARY KEY (outage_id, subscription_id)
);
CREATE INDEX outage_subscriptions_subscription ON outage_subscriptions (subscription_id, outage_id);
CREATE INDEX outage_subscriptions_agency ON outage_subscriptions (agency_id, outage_id);

-- Security events (GSI-7.5.4, 8.2) per agency, optionally per subscription. Indicators and
-- actions taken are JSON arrays of strings.
CREATE TABLE security_events (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    subscription_id TEXT REFERENCES subscriptions (id),
    category TEXT NOT NULL CHECK (category IN
        ('ddos', 'intrusion_attempt', 'malware', 'virus', 'phishing', 'vulnerability', 'threat_intel', 'data_leak', 'other')),
    severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low', 'info')),
    detected_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('detected', 'mitigating', 'resolved')),
    description TEXT NOT NULL,
    indicators TEXT NOT NULL,
    actions_taken TEXT NOT NULL,
    mitigation_started_at TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX security_events_agency ON security_events (agency_id, id);
CREATE INDEX security_events_provider ON security_events (provider_id, id);
CREATE INDEX security_events_agency_detected ON security_events (agency_id, detected_at);
CREATE INDEX security_events_provider_detected ON security_events (provider_id, detected_at);
