-- Subscriptions (GSI-7.5.2): the services agencies use. Quantities, add-ons and the SLA
-- terms frozen at the start are JSON documents of the row; decimals inside them are strings.
CREATE TABLE subscriptions (
    id uuid PRIMARY KEY,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    offering_id uuid NOT NULL REFERENCES offerings (id),
    service_kind text NOT NULL,
    family text NOT NULL CHECK (family IN ('network', 'cloud', 'data_center')),
    quantities jsonb NOT NULL,
    add_ons jsonb NOT NULL,
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    sla jsonb NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'provisioning', 'active', 'suspended', 'terminated')),
    origin text NOT NULL CHECK (origin IN ('hub', 'pre_existing')),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX subscriptions_agency ON subscriptions (agency_id, id);
CREATE INDEX subscriptions_provider ON subscriptions (provider_id, id);
CREATE INDEX subscriptions_provider_agency ON subscriptions (provider_id, agency_id);
