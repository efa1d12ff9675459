-- Pay-per-use metering (GSI-7.1) and costs (GSI-7.5.3).
-- Usage records are append-only: a correction is a new record naming the one it corrects
-- (`corrects`, the provider's record id). Each row keeps its rating: the prices in force at
-- its period start, the amount in satang (rounded once), and the statement it is billed on.
-- Quantities are exact decimal text, and also millionths (`quantity_micros`) so that sums
-- are exact integers. Booleans are 0/1.
CREATE TABLE usage_records (
    id TEXT PRIMARY KEY NOT NULL,
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    record_id TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    metric TEXT NOT NULL,
    quantity TEXT NOT NULL,
    quantity_micros BIGINT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    corrects TEXT,
    content_hash TEXT NOT NULL,
    received_at TEXT NOT NULL,
    unit_price TEXT NOT NULL,
    reference_price TEXT,
    effective_price TEXT NOT NULL,
    amount_satang BIGINT NOT NULL,
    cap_applied INTEGER NOT NULL CHECK (cap_applied IN (0, 1)),
    usage_month TEXT NOT NULL,
    statement_month TEXT NOT NULL,
    is_adjustment INTEGER NOT NULL CHECK (is_adjustment IN (0, 1)),
    CHECK (period_end > period_start),
    CHECK (statement_month >= usage_month),
    CHECK (is_adjustment = (statement_month > usage_month)),
    UNIQUE (provider_id, record_id)
);
CREATE INDEX usage_records_agency_month ON usage_records (agency_id, usage_month);
CREATE INDEX usage_records_provider_month ON usage_records (provider_id, usage_month);
CREATE INDEX usage_records_month ON usage_records (usage_month);
CREATE INDEX usage_records_statement ON usage_records (provider_id, agency_id, statement_month, id);
CREATE INDEX usage_records_corrects ON usage_records (provider_id, corrects);
CREATE TRIGGER usage_records_append_only_update BEFORE UPDATE ON usage_records
BEGIN
    SELECT RAISE(ABORT, 'usage records are append-only');
END;
CREATE TRIGGER usage_records_append_only_delete BEFORE DELETE ON usage_records
BEGIN
    SELECT RAISE(ABORT, 'usage records are append-only');
END;

-- One statement per agency, provider and Asia/Bangkok month. Totals are sums of the rounded
-- line amounts, kept up to date as lines arrive; an issued statement never changes.
CREATE TABLE statements (
    id TEXT PRIMARY KEY NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    month TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'issued')),
    issued_at TEXT,
    usage_total_satang BIGINT NOT NULL,
    adjustment_total_satang BIGINT NOT NULL,
    total_satang BIGINT NOT NULL,
    line_count BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    version BIGINT NOT NULL,
    CHECK ((status = 'issued') = (issued_at IS NOT NULL)),
    CHECK (total_satang = usage_total_satang + adjustment_total_satang),
    UNIQUE (agency_id, provider_id, month)
);
CREATE INDEX statements_provider_month ON statements (provider_id, month, status);
CREATE INDEX statements_agency ON statements (agency_id, id);
CREATE INDEX statements_provider ON statements (provider_id, id);
CREATE INDEX statements_month ON statements (month, id);
