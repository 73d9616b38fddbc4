"""Set-based SQL for applying a batch of events: one statement per table, not per event.

Keys and rows arrive as one JSON parameter each (see ``json_rows``).
"""

from adapters.postgres.json_rows import typed_rows

PURCHASE_KEY = "business_id text, source text, reference text"

ADVISORY_LOCKS = "SELECT pg_advisory_xact_lock(k) FROM unnest($1::bigint[]) AS k"

PURCHASES = f"""
SELECT p.* FROM purchases p
JOIN ({typed_rows(1, PURCHASE_KEY)}) AS k
  ON p.business_id = k.business_id AND p.source = k.source AND p.reference = k.reference
"""

REFUNDS = f"""
SELECT r.* FROM refunds r
JOIN ({typed_rows(1, PURCHASE_KEY)}) AS k
  ON r.business_id = k.business_id AND r.source = k.source AND r.reference = k.reference
UNION
SELECT r.* FROM refunds r
JOIN ({typed_rows(2, PURCHASE_KEY)}) AS k
  ON r.business_id = k.business_id AND r.purchase_source = k.source
 AND r.purchase_reference = k.reference AND r.status = 'parked'
"""

# The two key sets as a UNION, not an OR of two IN lists: an OR of subqueries can only be
# answered by reading every account, a UNION lets each side use its unique index.
LOCK_ACCOUNTS = f"""
SELECT business_id, account_id, customer_id, status, balance, last_seq, last_hash,
       last_activity_at, stamps, level
FROM accounts
WHERE (business_id, account_id) IN (
    SELECT a.business_id, a.account_id
    FROM accounts a
    JOIN ({typed_rows(1, "business_id text, customer_id text")}) AS k
      ON a.business_id = k.business_id AND a.customer_id = k.customer_id
    UNION ALL
    {typed_rows(2, "business_id text, account_id uuid")}
)
ORDER BY business_id, account_id
FOR UPDATE
"""

SEEN_EVENTS = f"""
SELECT i.business_id, i.event_id, i.payload_hash FROM inbox i
JOIN ({typed_rows(1, "business_id text, event_id text")}) AS k
  ON i.business_id = k.business_id AND i.event_id = k.event_id
"""

INBOX_ROW = (
    "business_id text, event_id text, kind text, payload_hash text, status text, reason text,"
    " occurred_at timestamptz"
)

INSERT_INBOX = f"""
INSERT INTO inbox (business_id, event_id, kind, payload_hash, status, reason, occurred_at)
SELECT business_id, event_id, kind, payload_hash, status, reason, occurred_at
FROM ({typed_rows(1, INBOX_ROW)}) AS given
"""

RESOLVE_INBOX = """
UPDATE inbox AS i SET status = k.status, reason = k.reason, processed_at = now()
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
    AS k(business_id, event_id, status, reason)
WHERE i.business_id = k.business_id AND i.event_id = k.event_id
"""

PURCHASE_ROW = (
    "business_id text, source text, reference text, event_id text, occurred_at timestamptz,"
    " total numeric, currency text, account_id uuid, customer_id text, points_earned bigint,"
    " earn_entry_id uuid, rule_version integer, earn_rate numeric, multiplier numeric,"
    " redemption_rate numeric, refunded_amount numeric, points_reversed bigint,"
    " items jsonb, returned_items jsonb"
)
PURCHASE_COLUMNS = ", ".join(column.split()[0] for column in PURCHASE_ROW.split(","))

UPSERT_PURCHASES = f"""
INSERT INTO purchases ({PURCHASE_COLUMNS})
SELECT {PURCHASE_COLUMNS} FROM ({typed_rows(1, PURCHASE_ROW)}) AS given
ON CONFLICT (business_id, source, reference) DO UPDATE
SET refunded_amount = EXCLUDED.refunded_amount, points_reversed = EXCLUDED.points_reversed,
    returned_items = EXCLUDED.returned_items
"""

REFUND_ROW = (
    "business_id text, source text, reference text, event_id text, kind text, payload_hash text,"
    " occurred_at timestamptz, purchase_source text, purchase_reference text, amount numeric,"
    " currency text, customer_id text, store_id text, terminal_id text, staff_id text,"
    " status text, reason text, points_reversed bigint, items jsonb"
)
REFUND_COLUMNS = ", ".join(column.split()[0] for column in REFUND_ROW.split(","))

UPSERT_REFUNDS = f"""
INSERT INTO refunds ({REFUND_COLUMNS})
SELECT {REFUND_COLUMNS} FROM ({typed_rows(1, REFUND_ROW)}) AS given
ON CONFLICT (business_id, source, reference) DO UPDATE
SET status = EXCLUDED.status, reason = EXCLUDED.reason, points_reversed = EXCLUDED.points_reversed
"""

REDEMPTIONS = f"""
SELECT r.* FROM redemptions r
JOIN ({typed_rows(1, "business_id text, redemption_id uuid")}) AS k
  ON r.business_id = k.business_id AND r.redemption_id = k.redemption_id
"""
