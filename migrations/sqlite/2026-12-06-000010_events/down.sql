DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
DROP TABLE event_audience;
DROP TABLE events;
DROP TABLE event_positions;
