-- Foundation: organisations (clause 3), agency profiles (GSI-7.5.1), the audit log,
-- and stored responses for Idempotency-Key replays.
-- SQLite: UUIDs and instants are TEXT (instants as fixed-width RFC 3339 with microseconds).

CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('agency', 'provider', 'assessor', 'gix')),
    name_th TEXT NOT NULL,
    name_en TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind, id);
-- The central agency is unique.
CREATE UNIQUE INDEX organisations_single_gix ON organisations (kind) WHERE kind = 'gix';

INSERT INTO organisations (id, kind, name_th, name_en, created_at, updated_at, version)
VALUES ('00000000-0000-7000-8000-000000000001', 'gix', 'หน่วยงานกลาง (GIX)',
        'Government Intranet eXchange (GIX)',
        '2026-01-01T00:00:00.000000Z', '2026-01-01T00:00:00.000000Z', 1);

CREATE TABLE agency_profiles (
    agency_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    name_th TEXT NOT NULL,
    name_en TEXT,
    parent_ministry TEXT,
    address TEXT,
    coordinators TEXT NOT NULL,
    contact_channels TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL
);

CREATE TABLE audit_events (
    id TEXT PRIMARY KEY NOT NULL,
    occurred_at TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_organisation_id TEXT NOT NULL,
    owner_organisation_id TEXT,
    action TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_events_actor_organisation ON audit_events (actor_organisation_id, id);
CREATE INDEX audit_events_owner_organisation ON audit_events (owner_organisation_id, id);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);

CREATE TABLE idempotency_keys (
    organisation_id TEXT NOT NULL,
    actor_subject TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    request_method TEXT NOT NULL,
    request_path TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_status INTEGER NOT NULL,
    response_body TEXT NOT NULL,
    response_location TEXT,
    response_etag TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (organisation_id, actor_subject, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
