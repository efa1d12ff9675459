-- Issue 12, found with `make bench` at a year of national usage (1,000,000 records):
-- costs read usage per agency, provider or subscription and month, and each such read
-- visited every matching usage row (an agency's year: ~10,000 rows on as many pages), while
-- every ingested record paid for three indexes kept only for those reads.
--
-- Monthly sums per subscription and metric, kept up to date by usage ingestion in the
-- batch's transaction (exact integers: millionths of a unit and satang). Costs and SLA
-- credit bases read these few rows instead of the records.
CREATE TABLE usage_month_sums (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    metric TEXT NOT NULL,
    usage_month TEXT NOT NULL,
    agency_id TEXT NOT NULL REFERENCES organisations (id),
    provider_id TEXT NOT NULL REFERENCES organisations (id),
    quantity_micros BIGINT NOT NULL,
    amount_satang BIGINT NOT NULL,
    record_count BIGINT NOT NULL CHECK (record_count > 0),
    PRIMARY KEY (subscription_id, metric, usage_month)
);
CREATE INDEX usage_month_sums_agency ON usage_month_sums (agency_id, usage_month);
CREATE INDEX usage_month_sums_provider ON usage_month_sums (provider_id, usage_month);
CREATE INDEX usage_month_sums_month ON usage_month_sums (usage_month);
INSERT INTO usage_month_sums
    (subscription_id, metric, usage_month, agency_id, provider_id, quantity_micros, amount_satang, record_count)
SELECT subscription_id, metric, usage_month, agency_id, provider_id,
       SUM(quantity_micros), SUM(amount_satang), COUNT(*)
FROM usage_records
GROUP BY subscription_id, metric, usage_month, agency_id, provider_id;

-- No query reads usage records by month any more.
DROP INDEX usage_records_agency_month;
DROP INDEX usage_records_provider_month;
DROP INDEX usage_records_month;
-- Only corrections name an original: the index need not hold every other record.
DROP INDEX usage_records_corrects;
CREATE INDEX usage_records_corrects ON usage_records (provider_id, corrects) WHERE corrects IS NOT NULL;
