-- Events for integrators (issue 11): a transactional outbox read by the event feed and the
-- webhook worker.

-- The feed position counter: one row, incremented under its row lock by every transaction
-- that writes an event. The lock is held to commit, so positions are handed out in commit
-- order and a reader's cursor is never passed by a later-committing lower position.
CREATE TABLE event_positions (
    id integer PRIMARY KEY CHECK (id = 1),
    last_position bigint NOT NULL
);
INSERT INTO event_positions (id, last_position) VALUES (1, 0);

CREATE TABLE events (
    position bigint PRIMARY KEY CHECK (position > 0),
    id uuid NOT NULL UNIQUE,
    event_type text NOT NULL,
    occurred_at timestamptz NOT NULL,
    resource_type text NOT NULL,
    resource_id text NOT NULL,
    resource_state text,
    resource_link text NOT NULL,
    -- 1: every organisation may see it (the provider list is public to all callers).
    public integer NOT NULL CHECK (public IN (0, 1)),
    audience jsonb NOT NULL,
    data jsonb NOT NULL
);
CREATE INDEX events_public ON events (position) WHERE public = 1;

-- Who may see which event: the feed reads it by organisation in position order.
CREATE TABLE event_audience (
    organisation_id uuid NOT NULL,
    position bigint NOT NULL REFERENCES events (position),
    PRIMARY KEY (organisation_id, position)
);

CREATE TABLE webhook_subscriptions (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    url text NOT NULL,
    event_types jsonb NOT NULL,
    description text,
    status text NOT NULL CHECK (status IN ('active', 'paused')),
    paused_reason text,
    paused_at timestamptz,
    consecutive_failures integer NOT NULL CHECK (consecutive_failures >= 0),
    secret text NOT NULL,
    previous_secret text,
    previous_secret_expires_at timestamptz,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version bigint NOT NULL
);
CREATE INDEX webhook_subscriptions_organisation ON webhook_subscriptions (organisation_id, id);

-- One delivery per subscription and event, written with the event (the outbox fan-out).
-- `attempts` is the number of the last attempt claimed; a claim moves `next_attempt_at`
-- past the attempt's lease, so a crashed worker's attempt is retried after the lease.
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id uuid NOT NULL REFERENCES events (id),
    event_position bigint NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'delivered')),
    attempts integer NOT NULL CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    delivered_at timestamptz,
    last_error text,
    created_at timestamptz NOT NULL,
    UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, status, next_attempt_at);

-- The delivery log. UNIQUE (delivery_id, attempt): no attempt is recorded twice, even by
-- several instances.
CREATE TABLE webhook_attempts (
    id uuid PRIMARY KEY,
    delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL CHECK (attempt > 0),
    attempted_at timestamptz NOT NULL,
    status_code integer,
    latency_ms bigint NOT NULL,
    outcome text NOT NULL CHECK (outcome IN ('delivered', 'failed')),
    error text,
    UNIQUE (delivery_id, attempt)
);
CREATE INDEX webhook_attempts_subscription ON webhook_attempts (subscription_id, id);
