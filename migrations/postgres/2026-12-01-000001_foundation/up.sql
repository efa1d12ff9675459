-- Foundation: organisations (clause 3), agency profiles (GSI-7.5.1), the audit log,
-- and stored responses for Idempotency-Key replays.

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('agency', 'provider', 'assessor', 'gix')),
    name_th text NOT NULL,
    name_en text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX organisations_kind ON organisations (kind, id);
-- The central agency is unique.
CREATE UNIQUE INDEX organisations_single_gix ON organisations (kind) WHERE kind = 'gix';

INSERT INTO organisations (id, kind, name_th, name_en, created_at, updated_at, version)
VALUES ('00000000-0000-7000-8000-000000000001', 'gix', 'หน่วยงานกลาง (GIX)',
        'Government Intranet eXchange (GIX)',
        '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1);

CREATE TABLE agency_profiles (
    agency_id uuid PRIMARY KEY REFERENCES organisations (id),
    name_th text NOT NULL,
    name_en text,
    parent_ministry text,
    address text,
    coordinators jsonb NOT NULL,
    contact_channels jsonb NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    occurred_at timestamptz NOT NULL,
    actor_subject text NOT NULL,
    actor_role text NOT NULL,
    actor_organisation_id uuid NOT NULL,
    owner_organisation_id uuid,
    action text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    request_id text NOT NULL,
    changes jsonb NOT NULL
);
CREATE INDEX audit_events_actor_organisation ON audit_events (actor_organisation_id, id);
CREATE INDEX audit_events_owner_organisation ON audit_events (owner_organisation_id, id);
CREATE INDEX audit_events_resource ON audit_events (resource_type, resource_id, id);

CREATE TABLE idempotency_keys (
    organisation_id uuid NOT NULL,
    actor_subject text NOT NULL,
    idempotency_key text NOT NULL,
    request_method text NOT NULL,
    request_path text NOT NULL,
    request_hash text NOT NULL,
    response_status integer NOT NULL,
    response_body text NOT NULL,
    response_location text,
    response_etag text,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, actor_subject, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
