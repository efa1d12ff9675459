-- Pay-per-use metering (GSI-7.1) and costs (GSI-7.5.3).
-- Usage records are append-only: a correction is a new record naming the one it corrects
-- (`corrects`, the provider's record id). Each row keeps its rating: the prices in force at
-- its period start, the amount in satang (rounded once), and the statement it is billed on.
-- Quantities are exact decimal text, and also millionths (`quantity_micros`) so that sums
-- are exact integers. Booleans are 0/1 (the multi-backend connection knows no boolean).
CREATE TABLE usage_records (
    id uuid PRIMARY KEY,
    provider_id uuid NOT NULL REFERENCES organisations (id),
    record_id text NOT NULL,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    metric text NOT NULL,
    quantity text NOT NULL,
    quantity_micros bigint NOT NULL,
    period_start timestamptz NOT NULL,
    period_end timestamptz NOT NULL,
    corrects text,
    content_hash text NOT NULL,
    received_at timestamptz NOT NULL,
    unit_price text NOT NULL,
    reference_price text,
    effective_price text NOT NULL,
    amount_satang bigint NOT NULL,
    cap_applied integer NOT NULL CHECK (cap_applied IN (0, 1)),
    usage_month text NOT NULL,
    statement_month text NOT NULL,
    is_adjustment integer NOT NULL CHECK (is_adjustment IN (0, 1)),
    CHECK (period_end > period_start),
    CHECK (statement_month >= usage_month),
    CHECK ((is_adjustment = 1) = (statement_month > usage_month)),
    UNIQUE (provider_id, record_id)
);
CREATE INDEX usage_records_agency_month ON usage_records (agency_id, usage_month);
CREATE INDEX usage_records_provider_month ON usage_records (provider_id, usage_month);
CREATE INDEX usage_records_month ON usage_records (usage_month);
CREATE INDEX usage_records_statement ON usage_records (provider_id, agency_id, statement_month, id);
CREATE INDEX usage_records_corrects ON usage_records (provider_id, corrects);
CREATE FUNCTION usage_records_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'usage records are append-only';
END;
$$;
CREATE TRIGGER usage_records_append_only BEFORE UPDATE OR DELETE ON usage_records
    FOR EACH ROW EXECUTE FUNCTION usage_records_append_only();

-- One statement per agency, provider and Asia/Bangkok month. Totals are sums of the rounded
-- line amounts, kept up to date as lines arrive; an issued statement never changes.
CREATE TABLE statements (
    id uuid PRIMARY KEY,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    month text NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'issued')),
    issued_at timestamptz,
    usage_total_satang bigint NOT NULL,
    adjustment_total_satang bigint NOT NULL,
    total_satang bigint NOT NULL,
    line_count bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL,
    CHECK ((status = 'issued') = (issued_at IS NOT NULL)),
    CHECK (total_satang = usage_total_satang + adjustment_total_satang),
    UNIQUE (agency_id, provider_id, month)
);
CREATE INDEX statements_provider_month ON statements (provider_id, month, status);
CREATE INDEX statements_agency ON statements (agency_id, id);
CREATE INDEX statements_provider ON statements (provider_id, id);
CREATE INDEX statements_month ON statements (month, id);
