DROP TABLE monthly_report_sla;
DROP TABLE monthly_report_lines;
DROP TABLE monthly_reports;
DROP TABLE report_request_figures;
DROP TABLE report_requests;
DROP FUNCTION frozen_reports_refuse();
DROP TABLE budgets;
DROP INDEX usage_records_month_id;
