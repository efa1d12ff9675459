DROP TABLE security_events;
DROP TABLE outage_subscriptions;
DROP TABLE outages;
DROP TABLE incident_timeline;
DROP TABLE incidents;
