-- Providers: their profiles (GSI-6.1, 6.2, 7.4, 10.3) and the dated, append-only history of
-- their place on the provider list (GSI-12.2, 12.3, 13.1).

CREATE TABLE provider_profiles (
    provider_id uuid PRIMARY KEY REFERENCES organisations (id),
    legal_status text NOT NULL CHECK (legal_status IN ('government_body', 'juristic_person')),
    -- 13 bare digits; only a juristic person has one.
    registration_number text,
    -- JSON array of family names, e.g. ["cloud", "data_center"].
    families jsonb NOT NULL,
    support_phone text,
    support_email text,
    self_service_url text,
    -- JSON array of {kind, notice_hours, text}.
    exclusions jsonb NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK ((legal_status = 'juristic_person') = (registration_number IS NOT NULL))
);

CREATE TABLE listing_entries (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    family text NOT NULL CHECK (family IN ('network', 'cloud', 'data_center')),
    action text NOT NULL CHECK (action IN ('list', 'suspend', 'reinstate', 'delist')),
    status text NOT NULL CHECK (status IN ('not_listed', 'listed', 'suspended', 'delisted')),
    reason text NOT NULL,
    actor_subject text NOT NULL,
    actor_role text NOT NULL,
    effective_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
-- One provider's history in order; and no two changes of one family at the same instant.
CREATE UNIQUE INDEX listing_entries_provider_family_effective ON listing_entries (provider_id, family, effective_at);
CREATE INDEX listing_entries_provider_effective ON listing_entries (provider_id, effective_at, id);
-- Candidates for the provider list: listed entries by family and date.
CREATE INDEX listing_entries_listed ON listing_entries (status, family, effective_at, provider_id);
