-- The points ledger: programmes, rule versions, accounts, immutable entries, purchases,
-- refunds (parked until their purchase is seen), the inbox of processed events and the
-- outbox of ledger events. Every table carries business_id in its primary and unique keys
-- so the schema can be distributed on business_id (Citus) without a rewrite.

CREATE TABLE programmes (
    business_id      text        NOT NULL,
    name             text        NOT NULL,
    active           boolean     NOT NULL DEFAULT true,
    inline_enrolment boolean     NOT NULL DEFAULT false,
    welcome_bonus    integer     NOT NULL DEFAULT 0 CHECK (welcome_bonus >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id)
);

CREATE TABLE rule_versions (
    business_id           text        NOT NULL,
    version               integer     NOT NULL,
    effective_from        timestamptz NOT NULL,
    earn_rate             numeric     NOT NULL CHECK (earn_rate >= 0),
    redemption_rate       numeric     NOT NULL CHECK (redemption_rate > 0),
    multiplier            numeric     NOT NULL DEFAULT 1 CHECK (multiplier > 0),
    multiplier_from       timestamptz,
    multiplier_until      timestamptz,
    max_discount          numeric     CHECK (max_discount > 0),
    min_balance_to_redeem integer     NOT NULL DEFAULT 0 CHECK (min_balance_to_redeem >= 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, version),
    FOREIGN KEY (business_id) REFERENCES programmes (business_id)
);

CREATE TABLE accounts (
    business_id text        NOT NULL,
    account_id  uuid        NOT NULL,
    customer_id text        NOT NULL,
    status      text        NOT NULL DEFAULT 'active'
                            CHECK (status IN ('active', 'suspended', 'closed')),
    balance     bigint      NOT NULL DEFAULT 0,
    last_seq    bigint      NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, account_id),
    UNIQUE (business_id, customer_id)
);

CREATE TABLE ledger_entries (
    business_id      text        NOT NULL,
    entry_id         uuid        NOT NULL,
    account_id       uuid        NOT NULL,
    customer_id      text        NOT NULL,
    seq              bigint      NOT NULL,
    kind             text        NOT NULL,
    points           bigint      NOT NULL,
    balance_after    bigint      NOT NULL,
    source           text        NOT NULL,
    source_ref       text        NOT NULL,
    event_id         text,
    occurred_at      timestamptz NOT NULL,
    recorded_at      timestamptz NOT NULL,
    amount           numeric,
    currency         text,
    rule_version     integer,
    earn_rate        numeric,
    multiplier       numeric,
    redemption_rate  numeric,
    related_entry_id uuid,
    store_id         text,
    terminal_id      text,
    staff_id         text,
    actor            text,
    PRIMARY KEY (business_id, entry_id),
    UNIQUE (business_id, account_id, seq),
    FOREIGN KEY (business_id, account_id) REFERENCES accounts (business_id, account_id)
);

-- A sale or bill earns at most once, whatever event ids it arrives under.
CREATE UNIQUE INDEX ledger_entries_one_earn_per_purchase
    ON ledger_entries (business_id, source, source_ref) WHERE kind = 'earn';

CREATE FUNCTION ledger_entries_are_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are immutable: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER ledger_entries_refuse_update_delete
    BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_are_immutable();

CREATE TRIGGER ledger_entries_refuse_truncate
    BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_are_immutable();

CREATE TABLE purchases (
    business_id     text        NOT NULL,
    source          text        NOT NULL,
    reference       text        NOT NULL,
    event_id        text        NOT NULL,
    occurred_at     timestamptz NOT NULL,
    total           numeric     NOT NULL,
    currency        text        NOT NULL,
    account_id      uuid,
    customer_id     text,
    points_earned   bigint      NOT NULL DEFAULT 0,
    earn_entry_id   uuid,
    rule_version    integer,
    earn_rate       numeric,
    multiplier      numeric,
    redemption_rate numeric,
    refunded_amount numeric     NOT NULL DEFAULT 0,
    points_reversed bigint      NOT NULL DEFAULT 0 CHECK (points_reversed <= points_earned),
    PRIMARY KEY (business_id, source, reference)
);

CREATE TABLE refunds (
    business_id        text        NOT NULL,
    source             text        NOT NULL,
    reference          text        NOT NULL,
    event_id           text        NOT NULL,
    kind               text        NOT NULL,
    payload_hash       text        NOT NULL,
    occurred_at        timestamptz NOT NULL,
    purchase_source    text        NOT NULL,
    purchase_reference text        NOT NULL,
    amount             numeric     NOT NULL,
    currency           text        NOT NULL,
    customer_id        text,
    store_id           text,
    terminal_id        text,
    staff_id           text,
    status             text        NOT NULL CHECK (status IN ('applied', 'skipped', 'parked')),
    reason             text,
    points_reversed    bigint      NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, source, reference)
);

CREATE INDEX refunds_parked_by_purchase
    ON refunds (business_id, purchase_source, purchase_reference) WHERE status = 'parked';

CREATE TABLE inbox (
    business_id  text        NOT NULL,
    event_id     text        NOT NULL,
    kind         text        NOT NULL,
    payload_hash text        NOT NULL,
    status       text        NOT NULL CHECK (status IN ('applied', 'skipped', 'parked')),
    reason       text,
    occurred_at  timestamptz NOT NULL,
    processed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (business_id, event_id)
);

CREATE TABLE outbox (
    business_id  text        NOT NULL,
    outbox_id    bigint      GENERATED ALWAYS AS IDENTITY,
    account_id   uuid        NOT NULL,
    entry_id     uuid        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    PRIMARY KEY (business_id, outbox_id),
    FOREIGN KEY (business_id, entry_id) REFERENCES ledger_entries (business_id, entry_id)
);

CREATE INDEX outbox_unpublished ON outbox (outbox_id) WHERE published_at IS NULL;
