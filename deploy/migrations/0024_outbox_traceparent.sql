-- The trace context of the posting that wrote each outbox row (W3C traceparent, or NULL when
-- untraced), sent as a traceparent header on the loyalty.ledger message, so a trace runs from
-- an inbound event to the ledger messages it caused (adapters/tracing.py).
-- depends: 0023_referral_returns_in_window

ALTER TABLE outbox ADD COLUMN traceparent text;
