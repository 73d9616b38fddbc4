"""Set-based SQL for applying a batch of events: one statement per table, not per event."""

ADVISORY_LOCKS = "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k"

PURCHASES = """
SELECT p.* FROM purchases p
JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(business_id, source, reference)
  ON p.business_id = k.business_id AND p.source = k.source AND p.reference = k.reference
"""

REFUNDS = """
SELECT r.* FROM refunds r
JOIN unnest($1::text[], $2::text[], $3::text[]) AS k(business_id, source, reference)
  ON r.business_id = k.business_id AND r.source = k.source AND r.reference = k.reference
UNION
SELECT r.* FROM refunds r
JOIN unnest($4::text[], $5::text[], $6::text[]) AS k(business_id, source, reference)
  ON r.business_id = k.business_id AND r.purchase_source = k.source
 AND r.purchase_reference = k.reference AND r.status = 'parked'
"""

LOCK_ACCOUNTS = """
SELECT business_id, account_id, customer_id, status, balance, last_seq, last_hash,
       last_activity_at
FROM accounts
WHERE (business_id, customer_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
   OR (business_id, account_id) IN (SELECT * FROM unnest($3::text[], $4::uuid[]))
ORDER BY business_id, account_id
FOR UPDATE
"""

SEEN_EVENTS = """
SELECT i.business_id, i.event_id, i.payload_hash FROM inbox i
JOIN unnest($1::text[], $2::text[]) AS k(business_id, event_id)
  ON i.business_id = k.business_id AND i.event_id = k.event_id
"""

INSERT_INBOX = """
INSERT INTO inbox (business_id, event_id, kind, payload_hash, status, reason, occurred_at)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::timestamptz[])
"""

RESOLVE_INBOX = """
UPDATE inbox AS i SET status = k.status, reason = k.reason, processed_at = now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    AS k(business_id, event_id, status, reason)
WHERE i.business_id = k.business_id AND i.event_id = k.event_id
"""

UPSERT_PURCHASES = """
INSERT INTO purchases (business_id, source, reference, event_id, occurred_at, total, currency,
    account_id, customer_id, points_earned, earn_entry_id, rule_version, earn_rate, multiplier,
    redemption_rate, refunded_amount, points_reversed)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
    $6::numeric[], $7::text[], $8::uuid[], $9::text[], $10::bigint[], $11::uuid[],
    $12::integer[], $13::numeric[], $14::numeric[], $15::numeric[], $16::numeric[],
    $17::bigint[])
ON CONFLICT (business_id, source, reference) DO UPDATE
SET refunded_amount = EXCLUDED.refunded_amount, points_reversed = EXCLUDED.points_reversed
"""

UPSERT_REFUNDS = """
INSERT INTO refunds (business_id, source, reference, event_id, kind, payload_hash, occurred_at,
    purchase_source, purchase_reference, amount, currency, customer_id, store_id, terminal_id,
    staff_id, status, reason, points_reversed)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::timestamptz[], $8::text[], $9::text[], $10::numeric[], $11::text[], $12::text[],
    $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::bigint[])
ON CONFLICT (business_id, source, reference) DO UPDATE
SET status = EXCLUDED.status, reason = EXCLUDED.reason, points_reversed = EXCLUDED.points_reversed
"""

REDEMPTIONS = """
SELECT r.* FROM redemptions r
JOIN unnest($1::text[], $2::uuid[]) AS k(business_id, redemption_id)
  ON r.business_id = k.business_id AND r.redemption_id = k.redemption_id
"""
