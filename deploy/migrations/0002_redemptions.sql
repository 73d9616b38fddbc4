-- Redemptions with holds, idempotency keys for POS retries, and the attribution an HTTP
-- caller leaves on the entries it causes.
-- depends: 0001_ledger

ALTER TABLE programmes
    ADD COLUMN hold_minutes integer NOT NULL DEFAULT 30 CHECK (hold_minutes > 0);

ALTER TABLE accounts
    ADD COLUMN phone text,
    ADD COLUMN name  text;

ALTER TABLE ledger_entries
    ADD COLUMN ip_address text,
    ADD COLUMN user_agent text,
    ADD COLUMN reason     text;

CREATE TABLE redemptions (
    business_id     text        NOT NULL,
    redemption_id   uuid        NOT NULL,
    account_id      uuid        NOT NULL,
    points          bigint      NOT NULL CHECK (points > 0),
    discount        numeric     NOT NULL CHECK (discount >= 0),
    capped          boolean     NOT NULL,
    status          text        NOT NULL
                                CHECK (status IN ('held', 'captured', 'cancelled', 'expired')),
    created_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    captured_at     timestamptz,
    cancelled_at    timestamptz,
    entry_id        uuid,
    cancel_entry_id uuid,
    sale_amount     numeric,
    sale_reference  text,
    actor           text,
    store_id        text,
    terminal_id     text,
    PRIMARY KEY (business_id, redemption_id),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);

CREATE INDEX redemptions_held_by_account
    ON redemptions (business_id, account_id, expires_at) WHERE status = 'held';

CREATE TABLE idempotency_keys (
    business_id         text        NOT NULL,
    idempotency_key     text        NOT NULL,
    request_fingerprint text        NOT NULL,
    redemption_id       uuid,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, idempotency_key)
);
