-- Issue 12, found with `make bench` at a year of national usage (1,000,000 records):
-- costs read usage per agency, provider or subscription and month, and each such read
-- visited every matching usage row, while every ingested record paid for three indexes
-- kept only for those reads.
--
-- Monthly sums per subscription and metric, kept up to date by usage ingestion in the
-- batch's transaction (exact integers: millionths of a unit and satang). Costs and SLA
-- credit bases read these few rows instead of the records.
CREATE TABLE usage_month_sums (
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    metric text NOT NULL,
    usage_month text NOT NULL,
    agency_id uuid NOT NULL REFERENCES organisations (id),
    provider_id uuid NOT NULL REFERENCES organisations (id),
    quantity_micros bigint NOT NULL,
    amount_satang bigint NOT NULL,
    record_count bigint NOT NULL CHECK (record_count > 0),
    PRIMARY KEY (subscription_id, metric, usage_month)
);
CREATE INDEX usage_month_sums_agency ON usage_month_sums (agency_id, usage_month);
CREATE INDEX usage_month_sums_provider ON usage_month_sums (provider_id, usage_month);
CREATE INDEX usage_month_sums_month ON usage_month_sums (usage_month);
INSERT INTO usage_month_sums
    (subscription_id, metric, usage_month, agency_id, provider_id, quantity_micros, amount_satang, record_count)
SELECT subscription_id, metric, usage_month, agency_id, provider_id,
       SUM(quantity_micros)::bigint, SUM(amount_satang)::bigint, COUNT(*)
FROM usage_records
GROUP BY subscription_id, metric, usage_month, agency_id, provider_id;

-- No query reads usage records by month any more.
DROP INDEX usage_records_agency_month;
DROP INDEX usage_records_provider_month;
DROP INDEX usage_records_month;
