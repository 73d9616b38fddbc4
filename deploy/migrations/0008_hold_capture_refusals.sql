-- Captures a sale could not make: the sale named a hold that had expired (by the service's
-- clock when the sale was processed), was cancelled, belongs to another customer, or does
-- not exist. The till gave a discount no points paid for; the row keeps that visible to
-- `loyalty verify` and to the business, instead of the capture being dropped silently.
-- One row per sale event (a redelivered sale is a duplicate and adds none).
-- depends: 0007_outbox_keeps_only_pending

CREATE TABLE hold_capture_refusals (
    business_id    text        NOT NULL,
    event_id       text        NOT NULL,
    redemption_id  uuid        NOT NULL,
    reason         text        NOT NULL
                               CHECK (reason IN ('expired', 'cancelled', 'not_owner',
                                                 'unknown_hold')),
    sale_reference text        NOT NULL,
    customer_id    text,
    account_id     uuid,
    points         bigint      CHECK (points > 0),
    occurred_at    timestamptz NOT NULL,
    refused_at     timestamptz NOT NULL,
    PRIMARY KEY (business_id, event_id)
);

CREATE INDEX hold_capture_refusals_by_redemption
    ON hold_capture_refusals (business_id, redemption_id);
