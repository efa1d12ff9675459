-- Providers: their profiles (GSI-6.1, 6.2, 7.4, 10.3) and the dated, append-only history of
-- their place on the provider list (GSI-12.2, 12.3, 13.1).
-- SQLite: UUIDs, instants and JSON are TEXT (instants as fixed-width RFC 3339 with microseconds).

CREATE TABLE provider_profiles (
    provider_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    legal_status TEXT NOT NULL CHECK (legal_status IN ('government_body', 'juristic_person')),
    -- 13 bare digits; only a juristic person has one.
    registration_number TEXT,
    -- JSON array of family names, e.g. ["cloud", "data_center"].
    families TEXT NOT NULL,
    support_phone TEXT,
    support_email TEXT,
    self_service_url TEXT,
    -- JSON array of {kind, notice_hours, text}.
    exclusions TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((legal_status = 'juristic_person') = (registration_number IS NOT NULL))
);

CREATE TABLE listing_entries (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    family TEXT NOT NULL CHECK (family IN ('network', 'cloud', 'data_center')),
    action TEXT NOT NULL CHECK (action IN ('list', 'suspend', 'reinstate', 'delist')),
    status TEXT NOT NULL CHECK (status IN ('not_listed', 'listed', 'suspended', 'delisted')),
    reason TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    effective_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
-- One provider's history in order; and no two changes of one family at the same instant.
CREATE UNIQUE INDEX listing_entries_provider_family_effective ON listing_entries (provider_id, family, effective_at);
CREATE INDEX listing_entries_provider_effective ON listing_entries (provider_id, effective_at, id);
-- Candidates for the provider list: listed entries by family and date.
CREATE INDEX listing_entries_listed ON listing_entries (status, family, effective_at, provider_id);
