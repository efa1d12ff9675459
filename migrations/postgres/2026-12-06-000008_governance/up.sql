-- Governance (GSI-6.3, 6.4, 11.1-11.4, 12.1-12.3): assessor accreditations, ISO certificates,
-- assessments with clause-level findings, certifications, and the provider list's change log,
-- which is derived from that evidence. Dates (valid_from, valid_until, planned_on, ...) are
-- Asia/Bangkok calendar days as TEXT 'YYYY-MM-DD' on both backends.

CREATE TABLE assessor_accreditations (
    id uuid PRIMARY KEY,
    assessor_id uuid NOT NULL REFERENCES organisations (id),
    -- JSON array of family names.
    families jsonb NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at timestamptz NOT NULL,
    withdrawn_at timestamptz,
    withdrawn_reason TEXT,
    withdrawn_by TEXT,
    CHECK (valid_until >= valid_from),
    CHECK ((withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
);
CREATE INDEX assessor_accreditations_assessor ON assessor_accreditations (assessor_id, valid_until);

CREATE TABLE iso_certificates (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    standard TEXT NOT NULL CHECK (standard IN ('iso_iec_20000_1', 'iso_22301', 'iso_iec_27001')),
    number TEXT NOT NULL,
    issuing_body TEXT NOT NULL,
    families jsonb NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    evidence_ref TEXT NOT NULL,
    recorded_at timestamptz NOT NULL,
    verified_at timestamptz,
    verified_by TEXT,
    verified_by_assessor uuid REFERENCES organisations (id),
    CHECK (valid_until >= valid_from),
    CHECK ((verified_at IS NULL) = (verified_by IS NULL))
);
-- One certificate number per standard and issuing body.
CREATE UNIQUE INDEX iso_certificates_number ON iso_certificates (provider_id, standard, issuing_body, number);
CREATE INDEX iso_certificates_until ON iso_certificates (valid_until);

CREATE TABLE assessments (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    assessor_id uuid NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('initial', 'surveillance', 'on_request', 'recertification')),
    families jsonb NOT NULL,
    planned_on TEXT NOT NULL,
    performed_on TEXT,
    consent_ref TEXT NOT NULL,
    created_at timestamptz NOT NULL,
    created_by TEXT NOT NULL,
    decision_outcome TEXT CHECK (decision_outcome IN ('certify', 'refuse')),
    decided_at timestamptz,
    decided_by TEXT,
    decision_note TEXT,
    version BIGINT NOT NULL,
    CHECK ((decision_outcome IS NULL) = (decided_at IS NULL))
);
CREATE INDEX assessments_provider ON assessments (provider_id, id);
CREATE INDEX assessments_assessor ON assessments (assessor_id, id);

CREATE TABLE assessment_findings (
    id uuid PRIMARY KEY,
    assessment_id uuid NOT NULL REFERENCES assessments (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    -- A clause id of the catalogue in gsi_domain::governance::clauses, e.g. 'GSI-6.4'.
    clause_id TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('conforms', 'minor_nonconformity', 'major_nonconformity', 'observation')),
    evidence_refs jsonb NOT NULL,
    note TEXT,
    closes_finding_id uuid REFERENCES assessment_findings (id),
    recorded_at timestamptz NOT NULL,
    recorded_by TEXT NOT NULL
);
CREATE INDEX assessment_findings_assessment ON assessment_findings (assessment_id, recorded_at);
CREATE INDEX assessment_findings_provider_clause ON assessment_findings (provider_id, clause_id, recorded_at);
-- A major nonconformity is closed once.
CREATE UNIQUE INDEX assessment_findings_closes ON assessment_findings (closes_finding_id);

CREATE TABLE certifications (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    assessor_id uuid NOT NULL REFERENCES organisations (id),
    assessment_id uuid NOT NULL UNIQUE REFERENCES assessments (id),
    families jsonb NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    decided_at timestamptz NOT NULL,
    CHECK (valid_until >= valid_from)
);
CREATE INDEX certifications_provider ON certifications (provider_id, valid_until);

-- The provider list's change log: when a provider's listing for a family changed, derived
-- from the evidence above and dated when the change took effect (a lapse at the end of a
-- Bangkok day, not when somebody next looked).
CREATE TABLE listing_changes (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    family TEXT NOT NULL CHECK (family IN ('network', 'cloud', 'data_center')),
    listed INTEGER NOT NULL CHECK (listed IN (0, 1)),
    -- JSON array of {code, clause, message}; empty when it became listed.
    reasons jsonb NOT NULL,
    effective_at timestamptz NOT NULL,
    recorded_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX listing_changes_provider_family_effective ON listing_changes (provider_id, family, effective_at);
CREATE INDEX listing_changes_effective ON listing_changes (effective_at, id);

-- Up to when each provider's change log has been written; later changes are computed on read.
CREATE TABLE listing_sync (
    provider_id uuid PRIMARY KEY REFERENCES organisations (id),
    synced_until timestamptz NOT NULL
);

-- Personnel (GSI-9.1-9.3): staff involved in the service, with no more personal data than
-- needed: the provider's staff reference and a display name.
CREATE TABLE staff_members (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    staff_ref TEXT NOT NULL,
    display_name TEXT NOT NULL,
    -- JSON array of {area, name, issuer, expires_on}.
    certifications jsonb NOT NULL,
    criminal_record_checked_on TEXT,
    nda_signed_on TEXT,
    recorded_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX staff_members_provider_ref ON staff_members (provider_id, staff_ref);

-- Interconnection and security control (GSI-5.3, 8.1).
CREATE TABLE interconnections (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('government_internet', 'government_intranet', 'agency_intranet', 'gix_link')),
    capacity_mbps BIGINT NOT NULL CHECK (capacity_mbps > 0),
    since TEXT NOT NULL,
    recorded_at timestamptz NOT NULL,
    verified_at timestamptz,
    verified_by TEXT,
    verified_by_assessor uuid REFERENCES organisations (id)
);
CREATE INDEX interconnections_provider ON interconnections (provider_id, id);

CREATE TABLE vulnerability_notices (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    identifier TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    -- JSON array of subscription ids the provider serves.
    affected_subscriptions jsonb NOT NULL,
    mitigation TEXT NOT NULL,
    remediated_at timestamptz,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX vulnerability_notices_provider ON vulnerability_notices (provider_id, id);
