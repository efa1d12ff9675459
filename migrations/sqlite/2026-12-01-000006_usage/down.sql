DROP TABLE statements;
DROP TABLE usage_records;
