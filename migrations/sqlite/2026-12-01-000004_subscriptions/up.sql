-- Subscriptions (GSI-7.5.2): the services agencies use. Quantities, add-ons and the SLA
-- terms frozen at the start are JSON documents of the row; decimals inside them are strings.
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    offering_id TEXT NOT NULL REFERENCES offerings (id),
    service_kind TEXT NOT NULL,
    family TEXT NOT NULL CHECK (family IN ('network', 'cloud', 'data_center')),
    quantities TEXT NOT NULL,
    add_ons TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    sla TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'provisioning', 'active', 'suspended', 'terminated')),
    origin TEXT NOT NULL CHECK (origin IN ('hub', 'pre_existing')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX subscriptions_agency ON subscriptions (agency_id, id);
CREATE INDEX subscriptions_provider ON subscriptions (provider_id, id);
CREATE INDEX subscriptions_provider_agency ON subscriptions (provider_id, agency_id);
