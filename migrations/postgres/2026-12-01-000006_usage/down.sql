DROP TABLE statements;
DROP TABLE usage_records;
DROP FUNCTION usage_records_append_only();
