-- Events for integrators (issue 11): a transactional outbox read by the event feed and the
-- webhook worker.

-- The feed position counter: one row, incremented under its row lock by every transaction
-- that writes an event. The lock is held to commit, so positions are handed out in commit
-- order and a reader's cursor is never passed by a later-committing lower position.
CREATE TABLE event_positions (
    id integer PRIMARY KEY CHECK (id = 1),
    last_position integer NOT NULL
);
INSERT INTO event_positions (id, last_position) VALUES (1, 0);

CREATE TABLE events (
    position integer PRIMARY KEY CHECK (position > 0),
    id text NOT NULL UNIQUE,
    event_type text NOT NULL,
    occurred_at text NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    resource_state text,
    resource_link text NOT NULL,
    -- 1: every organisation may see it (the provider list is public to all callers).
    public integer NOT NULL CHECK (public IN (0, 1)),
    audience text NOT NULL,
    data text NOT NULL
);
CREATE INDEX events_public ON events (position) WHERE public = 1;

-- Who may see which event: the feed reads it by organisation in position order.
CREATE TABLE event_audience (
    organisation_id text NOT NULL,
    position integer NOT NULL REFERENCES events (position),
    PRIMARY KEY (organisation_id, position)
);

CREATE TABLE webhook_subscriptions (
    id text PRIMARY KEY NOT NULL,
    organisation_id text NOT NULL REFERENCES organisations (id),
    url text NOT NULL,
    event_types text NOT NULL,
    description text,
    status text NOT NULL CHECK (status IN ('active', 'paused')),
    paused_reason text,
    paused_at text,
    consecutive_failures integer NOT NULL CHECK (consecutive_failures >= 0),
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at text,
    created_at text NOT NULL,
    updated_at text NOT NULL,
    version integer NOT NULL
);
CREATE INDEX webhook_subscriptions_organisation ON webhook_subscriptions (organisation_id, id);

-- One delivery per subscription and event, written with the event (the outbox fan-out).
-- `attempts` is the number of the last attempt claimed; a claim moves `next_attempt_at`
-- past the attempt's lease, so a crashed worker's attempt is retried after the lease.
CREATE TABLE webhook_deliveries (
    id text PRIMARY KEY NOT NULL,
    subscription_id text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id text NOT NULL REFERENCES events (id),
    event_position integer NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts integer NOT NULL CHECK (attempts >= 0),
    next_attempt_at text NOT NULL,
    delivered_at text,
    last_error text,
    created_at text NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, status, next_attempt_at);

-- The delivery log. UNIQUE (delivery_id, attempt): no attempt is recorded twice, even by
-- several instances.
CREATE TABLE webhook_attempts (
    id text PRIMARY KEY NOT NULL,
    delivery_id text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    subscription_id text NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id text NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL CHECK (attempt > 0),
    attempted_at text NOT NULL,
    status_code integer,
    latency_ms integer NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    error text,
    UNIQUE (delivery_id, attempt)
);
CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
