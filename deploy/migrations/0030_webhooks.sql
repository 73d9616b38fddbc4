-- Webhooks (#18): endpoints a manager registers per business, and one delivery per endpoint
-- and ledger entry of a kind it wants. A worker finds new entries after each endpoint's
-- cursor (scanned_to, by record time), so the ledger's own transactions write nothing more.
-- depends: 0023_referral_returns_in_window

CREATE TABLE webhook_endpoints (
    business_id text        NOT NULL,
    endpoint_id uuid        NOT NULL,
    url         text        NOT NULL,
    kinds       text[]      NOT NULL,  -- empty: every kind
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    removed_at  timestamptz,
    scanned_to  timestamptz NOT NULL,  -- the cursor: entries recorded up to here are collected
    PRIMARY KEY (business_id, endpoint_id)
);

CREATE TABLE webhook_deliveries (
    business_id     text        NOT NULL,
    delivery_id     bigint      GENERATED ALWAYS AS IDENTITY,
    endpoint_id     uuid        NOT NULL,
    entry_id        uuid        NOT NULL,
    account_id      uuid        NOT NULL,
    seq             bigint      NOT NULL,
    kind            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    state           text        NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_status     integer,
    last_error      text,
    delivered_at    timestamptz,
    PRIMARY KEY (business_id, delivery_id),
    UNIQUE (business_id, endpoint_id, entry_id),
    FOREIGN KEY (business_id, endpoint_id) REFERENCES webhook_endpoints (business_id, endpoint_id)
);

-- The heads of the per-account queues, and what is due.
CREATE INDEX webhook_deliveries_pending
    ON webhook_deliveries (business_id, endpoint_id, account_id, seq) WHERE state = 'pending';
CREATE INDEX webhook_deliveries_due
    ON webhook_deliveries (next_attempt_at) WHERE state = 'pending';

-- The collector reads a business's entries by record time.
CREATE INDEX IF NOT EXISTS ledger_entries_by_record_time
    ON ledger_entries (business_id, recorded_at);
