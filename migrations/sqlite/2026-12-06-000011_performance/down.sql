DROP INDEX usage_records_corrects;
CREATE INDEX usage_records_corrects ON usage_records (provider_id, corrects);
CREATE INDEX usage_records_agency_month ON usage_records (agency_id, usage_month);
CREATE INDEX usage_records_provider_month ON usage_records (provider_id, usage_month);
CREATE INDEX usage_records_month ON usage_records (usage_month);
DROP TABLE usage_month_sums;
