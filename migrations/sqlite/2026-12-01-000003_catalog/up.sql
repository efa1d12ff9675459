-- Catalog: GIX's reference prices (GSI-7.1), providers' offerings (GSI-3.6–3.8, 5.1, 10.1,
-- 10.2, A.1.3) and the price history a charge is rated against (GSI-7.1).
-- SQLite: UUIDs, instants, JSON documents and exact decimals are TEXT.
-- Service kinds and metrics are not CHECKed here: the vocabulary lives in gsi-domain and
-- every row is re-parsed through it on load, so a new kind needs no migration.

-- Reference prices are never deleted or re-priced; closing an open period sets valid_until.
CREATE TABLE reference_prices (
    id TEXT PRIMARY KEY NOT NULL,
    service_kind TEXT NOT NULL,
    metric TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    basis TEXT,
    set_by_subject TEXT NOT NULL,
    set_by_organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK (valid_until IS NULL OR valid_until > valid_from)
);
CREATE INDEX reference_prices_series ON reference_prices (service_kind, metric, valid_from);
CREATE INDEX reference_prices_metric ON reference_prices (metric, id);

CREATE TABLE offerings (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    family TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    role TEXT NOT NULL CHECK (role IN ('base', 'add_on')),
    base_offering_id TEXT REFERENCES offerings (id),
    sla_terms TEXT,
    capacity_limits TEXT NOT NULL,
    pricing TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'published', 'retired')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    -- An add-on names its base; a base offering names none and states its SLA terms.
    CHECK ((role = 'add_on') = (base_offering_id IS NOT NULL)),
    CHECK (role = 'add_on' OR sla_terms IS NOT NULL)
);
CREATE INDEX offerings_provider ON offerings (provider_id, id);
CREATE INDEX offerings_state ON offerings (state, id);
CREATE INDEX offerings_family ON offerings (family, id);
CREATE INDEX offerings_kind ON offerings (kind, id);
CREATE INDEX offerings_base ON offerings (base_offering_id);

-- From effective_from on, metric costs unit_price until a later point for the same metric.
CREATE TABLE offering_prices (
    id TEXT PRIMARY KEY NOT NULL,
    offering_id TEXT NOT NULL REFERENCES offerings (id),
    metric TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    UNIQUE (offering_id, metric, effective_from)
);
CREATE INDEX offering_prices_offering ON offering_prices (offering_id, id);
