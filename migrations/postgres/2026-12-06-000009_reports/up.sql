-- Reports (GSI-7.5.9, 7.6, 13.2, 13.3).
-- Keyset pages of rated usage by month for streamed exports.
CREATE INDEX usage_records_month_id ON usage_records (usage_month, id);

-- An agency's budget per Thai fiscal year (named by the Gregorian year it ends in), for the
-- whole year (`service_family` = 'all') or one service family.
CREATE TABLE budgets (
    id uuid PRIMARY KEY,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    fiscal_year integer NOT NULL,
    service_family text NOT NULL CHECK (service_family IN ('all', 'network', 'cloud', 'data_center')),
    amount_satang bigint NOT NULL CHECK (amount_satang > 0),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    UNIQUE (agency_id, fiscal_year, service_family)
);

-- GIX's formal report requests to a provider (GSI-7.6). Once answered, the figures are
-- frozen in report_request_figures with the SHA-256 of their canonical CSV.
CREATE TABLE report_requests (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    requested_by uuid NOT NULL REFERENCES organisations (id),
    period_from text NOT NULL,
    period_to text NOT NULL,
    group_by text NOT NULL,
    due_date text NOT NULL,
    due_at timestamptz NOT NULL,
    note text,
    state text NOT NULL CHECK (state IN ('open', 'submitted')),
    submitted_at timestamptz,
    content_hash text,
    record_count bigint,
    total_satang bigint,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK (period_from <= period_to),
    CHECK ((state = 'submitted') = (submitted_at IS NOT NULL)),
    CHECK ((state = 'submitted') = (content_hash IS NOT NULL))
);
CREATE INDEX report_requests_provider ON report_requests (provider_id, id);

CREATE TABLE report_request_figures (
    request_id uuid NOT NULL REFERENCES report_requests (id),
    position integer NOT NULL,
    provider_id uuid,
    provider_name text,
    agency_id uuid,
    agency_name text,
    service_family text,
    offering_id uuid,
    offering_name text,
    metric text,
    month text,
    quantity_micros bigint,
    record_count bigint NOT NULL,
    amount_satang bigint NOT NULL,
    PRIMARY KEY (request_id, position)
);

-- Agencies' monthly reports (GSI-13.3): one row per revision. A submitted revision never
-- changes (the triggers refuse it); a correction is the next revision.
CREATE TABLE monthly_reports (
    id uuid PRIMARY KEY,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    month text NOT NULL,
    revision integer NOT NULL CHECK (revision >= 1),
    state text NOT NULL CHECK (state IN ('draft', 'submitted')),
    notes text,
    month_total_satang bigint NOT NULL,
    fiscal_year integer NOT NULL,
    fiscal_year_spent_satang bigint NOT NULL,
    budget_satang bigint,
    content_hash text NOT NULL,
    submitted_at timestamptz,
    submitted_by text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK ((state = 'submitted') = (submitted_at IS NOT NULL)),
    UNIQUE (agency_id, month, revision)
);
CREATE INDEX monthly_reports_month ON monthly_reports (month, agency_id);

CREATE TABLE monthly_report_lines (
    report_id uuid NOT NULL REFERENCES monthly_reports (id),
    position integer NOT NULL,
    provider_id uuid NOT NULL,
    provider_name text NOT NULL,
    subscription_id uuid NOT NULL,
    offering_id uuid NOT NULL,
    offering_name text NOT NULL,
    service_family text NOT NULL,
    record_count bigint NOT NULL,
    amount_satang bigint NOT NULL,
    PRIMARY KEY (report_id, position)
);

CREATE TABLE monthly_report_sla (
    report_id uuid NOT NULL REFERENCES monthly_reports (id),
    position integer NOT NULL,
    subscription_id uuid NOT NULL,
    target_percent text NOT NULL,
    achieved_percent text NOT NULL,
    availability_breached integer NOT NULL CHECK (availability_breached IN (0, 1)),
    reliability_breached integer NOT NULL CHECK (reliability_breached IN (0, 1)),
    incidents_met integer NOT NULL,
    incidents_breached integer NOT NULL,
    incidents_pending integer NOT NULL,
    credit_satang bigint,
    PRIMARY KEY (report_id, position)
);

CREATE FUNCTION frozen_reports_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'submitted reports are immutable';
END;
$$;
CREATE TRIGGER monthly_reports_immutable BEFORE UPDATE OR DELETE ON monthly_reports
    FOR EACH ROW WHEN (OLD.state = 'submitted') EXECUTE FUNCTION frozen_reports_refuse();
CREATE TRIGGER report_requests_immutable BEFORE UPDATE OR DELETE ON report_requests
    FOR EACH ROW WHEN (OLD.state = 'submitted') EXECUTE FUNCTION frozen_reports_refuse();
CREATE TRIGGER report_request_figures_immutable BEFORE UPDATE OR DELETE ON report_request_figures
    FOR EACH ROW EXECUTE FUNCTION frozen_reports_refuse();
