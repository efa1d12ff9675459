-- Reports (GSI-7.5.9, 7.6, 13.2, 13.3).
-- Keyset pages of rated usage by month for streamed exports.
CREATE INDEX usage_records_month_id ON usage_records (usage_month, id);

-- An agency's budget per Thai fiscal year (named by the Gregorian year it ends in), for the
-- whole year (`service_family` = 'all') or one service family.
CREATE TABLE budgets (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    fiscal_year INTEGER NOT NULL,
    service_family TEXT NOT NULL CHECK (service_family IN ('all', 'network', 'cloud', 'data_center')),
    amount_satang BIGINT NOT NULL CHECK (amount_satang > 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (agency_id, fiscal_year, service_family)
);

-- GIX's formal report requests to a provider (GSI-7.6). Once answered, the figures are
-- frozen in report_request_figures with the SHA-256 of their canonical CSV.
CREATE TABLE report_requests (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    requested_by TEXT NOT NULL REFERENCES organisations (id),
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    group_by TEXT NOT NULL,
    due_date TEXT NOT NULL,
    due_at TEXT NOT NULL,
    note TEXT,
    state TEXT NOT NULL CHECK (state IN ('open', 'submitted')),
    submitted_at TEXT,
    content_hash TEXT,
    record_count BIGINT,
    total_satang BIGINT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK (period_from <= period_to),
    CHECK ((state = 'submitted') = (submitted_at IS NOT NULL)),
    CHECK ((state = 'submitted') = (content_hash IS NOT NULL))
);
CREATE INDEX report_requests_provider ON report_requests (provider_id, id);

CREATE TABLE report_request_figures (
    request_id TEXT NOT NULL REFERENCES report_requests (id),
    position INTEGER NOT NULL,
    provider_id TEXT,
    provider_name TEXT,
    agency_id TEXT,
    agency_name TEXT,
    service_family TEXT,
    offering_id TEXT,
    offering_name TEXT,
    metric TEXT,
    month TEXT,
    quantity_micros BIGINT,
    record_count BIGINT NOT NULL,
    amount_satang BIGINT NOT NULL,
    PRIMARY KEY (request_id, position)
);

-- Agencies' monthly reports (GSI-13.3): one row per revision. A submitted revision never
-- changes (the triggers refuse it); a correction is the next revision.
CREATE TABLE monthly_reports (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    month TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted')),
    notes TEXT,
    month_total_satang BIGINT NOT NULL,
    fiscal_year INTEGER NOT NULL,
    fiscal_year_spent_satang BIGINT NOT NULL,
    budget_satang BIGINT,
    content_hash TEXT NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((state = 'submitted') = (submitted_at IS NOT NULL)),
    UNIQUE (agency_id, month, revision)
);
CREATE INDEX monthly_reports_month ON monthly_reports (month, agency_id);

CREATE TABLE monthly_report_lines (
    report_id TEXT NOT NULL REFERENCES monthly_reports (id),
    position INTEGER NOT NULL,
    provider_id TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    offering_id TEXT NOT NULL,
    offering_name TEXT NOT NULL,
    service_family TEXT NOT NULL,
    record_count BIGINT NOT NULL,
    amount_satang BIGINT NOT NULL,
    PRIMARY KEY (report_id, position)
);

CREATE TABLE monthly_report_sla (
    report_id TEXT NOT NULL REFERENCES monthly_reports (id),
    position INTEGER NOT NULL,
    subscription_id TEXT NOT NULL,
    target_percent TEXT NOT NULL,
    achieved_percent TEXT NOT NULL,
    availability_breached INTEGER NOT NULL CHECK (availability_breached IN (0, 1)),
    reliability_breached INTEGER NOT NULL CHECK (reliability_breached IN (0, 1)),
    incidents_met INTEGER NOT NULL,
    incidents_breached INTEGER NOT NULL,
    incidents_pending INTEGER NOT NULL,
    credit_satang BIGINT,
    PRIMARY KEY (report_id, position)
);

CREATE TRIGGER monthly_reports_immutable_update BEFORE UPDATE ON monthly_reports
WHEN OLD.state = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
CREATE TRIGGER monthly_reports_immutable_delete BEFORE DELETE ON monthly_reports
WHEN OLD.state = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
CREATE TRIGGER report_requests_immutable_update BEFORE UPDATE ON report_requests
WHEN OLD.state = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
CREATE TRIGGER report_requests_immutable_delete BEFORE DELETE ON report_requests
WHEN OLD.state = 'submitted'
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
CREATE TRIGGER report_request_figures_immutable_update BEFORE UPDATE ON report_request_figures
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
CREATE TRIGGER report_request_figures_immutable_delete BEFORE DELETE ON report_request_figures
BEGIN
    SELECT RAISE(ABORT, 'submitted reports are immutable');
END;
