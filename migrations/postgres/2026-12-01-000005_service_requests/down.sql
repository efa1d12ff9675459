DROP TABLE service_request_timeline;
DROP TABLE service_request_quotes;
DROP TABLE service_requests;
